import type { ContextRef, Expression } from '../models/github/expressions.ts';
import type { Job, Step } from '../models/github/types.ts';
import type { ShellCommand, ShellWord } from '../models/shell/types.ts';
import type { Span } from '../models/yaml/document.ts';

/**
 * Which steps put which code in the workspace. A checkout is *untrusted* when it explicitly
 * fetches code a pull request author controls: the head of a pull request (`ref:` from
 * `github.event.pull_request.head.*`, `github.head_ref`, `refs/pull/…`), the head of the run a
 * `workflow_run` follows, or a fork repository; or `gh pr checkout` / `git fetch origin pull/…`
 * in a script.
 *
 * The default ref is not called untrusted here: under `pull_request_target`, `workflow_run`,
 * `issue_comment` and most events it is the base repository's default branch or the pushed
 * commit; under `pull_request` it is the pull request's merge commit, which callers that care
 * about `pull_request` should treat as unreviewed code themselves.
 */
export interface Checkout {
  step: Step;
  /** `actions/checkout` (or another action), or a command in a `run:` script. */
  kind: 'action' | 'command';
  /** The `ref:` input (the expression that makes it untrusted, else the first one, else the literal), or the command's ref word. */
  ref?: Expression | string;
  /** The `repository:` input when set. */
  repository?: Expression | string;
  /** Fetches code controlled by a pull request author (see above). */
  untrusted: boolean;
  /** `high` for event fields and `refs/pull/`; `medium` for step outputs named like a pull request head. */
  confidence: 'high' | 'medium';
  /** Why it is untrusted (`ref: github.head_ref`, `gh pr checkout`). */
  reason?: string;
  /** `actions/checkout` leaves the token in `.git/config` (the default). Always false for commands. */
  persistCredentials: boolean;
  /** `path:` input (the directory the code lands in), when set and not the workspace root. */
  path?: string;
  /** Where to point at: the `ref:`/`repository:` input, the command, or the `uses:`. */
  span: Span;
  /** The command that checks out, for `kind: 'command'`. */
  command?: ShellCommand;
}

/**
 * Contexts whose value names a commit or branch that a pull request author controls. Lower case,
 * `*` for any one segment.
 */
const UNTRUSTED_REF_CONTEXTS = [
  'github.head_ref',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.head.sha',
  'github.event.pull_request.head.label',
  'github.event.pull_request.head.repo.full_name',
  'github.event.pull_request.head.repo.clone_url',
  'github.event.pull_request.head.repo.html_url',
  'github.event.pull_request.head.repo.git_url',
  'github.event.pull_request.head.repo.ssh_url',
  'github.event.pull_request.head',
  'github.event.pull_request.merge_commit_sha',
  'github.event.workflow_run.head_sha',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.head_commit.id',
  'github.event.workflow_run.head_repository.full_name',
  'github.event.workflow_run.head_repository.clone_url',
  'github.event.workflow_run.pull_requests.*.head.sha',
  'github.event.workflow_run.pull_requests.*.head.ref',
  'github.event.check_suite.head_sha',
  'github.event.check_suite.head_branch',
  'github.event.check_run.head_sha',
  'github.event.check_run.check_suite.head_sha',
  'github.event.check_run.check_suite.head_branch',
  'github.event.review.commit_id',
  'github.event.comment.commit_id',
];

/** Step outputs that by their name carry a pull request head (`steps.pr.outputs.head_sha`). */
const HEAD_OUTPUT = /^(steps|needs)\.[^.]+\.outputs\.[^.]*(head|pr[-_]?(sha|ref|branch)|pull[-_]?request[-_]?(sha|ref|branch))[^.]*$/;

/** A written ref of a pull request: `refs/pull/123/merge`, `pull/${{ … }}/head`. */
const PULL_REF = /(^|[\s:/'"+])(refs\/)?pull\/(\d+|\$\{\{[^}]*\}\}|\$\{?\w+\}?|_+|\*)\/(head|merge)\b|refs\/pull\//;

function matchesPattern(path: string, pattern: string): boolean {
  const parts = path.split('.');
  const want = pattern.split('.');
  return parts.length === want.length && want.every((segment, index) => segment === '*' || parts[index] === '*' || segment === parts[index]);
}

/** Why a context reference names untrusted code, or null. */
export function untrustedRefContext(ref: ContextRef): { reason: string; confidence: 'high' | 'medium' } | null {
  const path = ref.path.toLowerCase();
  if (UNTRUSTED_REF_CONTEXTS.some((pattern) => matchesPattern(path, pattern))) return { reason: ref.path, confidence: 'high' };
  if (HEAD_OUTPUT.test(path)) return { reason: ref.path, confidence: 'medium' };
  return null;
}

interface Verdict {
  reason: string;
  confidence: 'high' | 'medium';
  expression?: Pick<Expression, 'text' | 'contexts' | 'valueContexts'>;
}

/** Does a value (an input, a shell word) name untrusted code? Expressions are judged by the contexts they can yield. */
function judgeValue(text: string, expressions: ReadonlyArray<Pick<Expression, 'text' | 'contexts' | 'valueContexts'>>): Verdict | null {
  for (const expression of expressions) {
    for (const ref of expression.valueContexts) {
      const found = untrustedRefContext(ref);
      if (found) return { ...found, reason: `\`${found.reason}\``, expression };
    }
  }
  // `refs/pull/${{ github.event.issue.number }}/head`: the number is fixed, the ref is not.
  if (PULL_REF.test(text)) return { reason: '`refs/pull/…`', confidence: 'high', expression: expressions[0] };
  return null;
}

const memo = new WeakMap<readonly Step[], Checkout[]>();

/** Every checkout of a job's (or a composite action's) steps, in step order. */
export function checkoutsOf(job: Pick<Job, 'steps'>): Checkout[] {
  const cached = memo.get(job.steps);
  if (cached) return cached;
  const found: Checkout[] = [];
  for (const step of job.steps) {
    const action = actionCheckout(step);
    if (action) found.push(action);
    found.push(...commandCheckouts(step));
  }
  memo.set(job.steps, found);
  return found;
}

/** The untrusted checkouts only. */
export function untrustedCheckoutsOf(job: Pick<Job, 'steps'>): Checkout[] {
  return checkoutsOf(job).filter((checkout) => checkout.untrusted);
}

function actionCheckout(step: Step): Checkout | null {
  if (step.uses?.slug !== 'actions/checkout') return null;
  const input = (name: string) => step.with.find((candidate) => candidate.name === name);
  const ref = input('ref');
  const repository = input('repository');
  const persist = input('persist-credentials');
  const path = input('path')?.value.trim();
  const refVerdict = ref ? judgeValue(ref.value, ref.expressions) : null;
  const repoVerdict = repository ? judgeValue('', repository.expressions) : null;
  const verdict = refVerdict ?? repoVerdict;
  const valueOf = (entry: typeof ref, preferred?: Verdict | null): Expression | string | undefined => {
    if (!entry) return undefined;
    const chosen = preferred?.expression ? entry.expressions.find((expression) => expression === preferred.expression) : undefined;
    return chosen ?? entry.expressions[0] ?? entry.value;
  };
  return {
    step,
    kind: 'action',
    ref: valueOf(ref, refVerdict),
    repository: valueOf(repository, repoVerdict),
    untrusted: verdict !== null,
    confidence: verdict?.confidence ?? 'high',
    reason: verdict ? `${refVerdict ? 'ref' : 'repository'}: ${verdict.reason}` : undefined,
    // Only a literal `false` turns it off; an expression may be true at run time.
    persistCredentials: (persist?.value.trim().toLowerCase() ?? 'true') !== 'false',
    path: path && path !== '.' && path !== './' ? path : undefined,
    span: (refVerdict ? ref?.span : repoVerdict ? repository?.span : undefined) ?? step.uses.span,
  };
}

const GIT_FETCHING = new Set(['fetch', 'pull', 'checkout', 'switch', 'reset', 'merge', 'rebase', 'cherry-pick', 'worktree', 'clone']);

function commandCheckouts(step: Step): Checkout[] {
  if (!step.run) return [];
  const found: Checkout[] = [];
  for (const command of step.run.parsed().commands) {
    const words = command.args;
    const first = words[0]?.text;
    const second = words[1]?.text;
    if ((command.program === 'gh' || command.program === 'hub') && first === 'pr' && second === 'checkout') {
      found.push(commandCheckout(step, command, words[2], { reason: `\`${command.program} pr checkout\``, confidence: 'high' }));
      continue;
    }
    if (command.program !== 'git') continue;
    const subcommandIndex = words.findIndex((word) => !word.text.startsWith('-') && !isGitGlobalOptionValue(words, word));
    const subcommand = words[subcommandIndex]?.text;
    if (!subcommand || !GIT_FETCHING.has(subcommand)) continue;
    for (const word of words.slice(subcommandIndex + 1)) {
      const verdict = judgeValue(word.text, word.expressions);
      if (verdict) {
        found.push(commandCheckout(step, command, word, { ...verdict, reason: `\`git ${subcommand}\` of ${verdict.reason}` }));
        break;
      }
    }
  }
  return found;
}

/** `git -C dir fetch`: `dir` is not the subcommand. */
function isGitGlobalOptionValue(words: readonly ShellWord[], word: ShellWord): boolean {
  const index = words.indexOf(word);
  return index > 0 && /^(-C|-c|--git-dir|--work-tree|--namespace)$/.test(words[index - 1]!.text);
}

function commandCheckout(step: Step, command: ShellCommand, word: ShellWord | undefined, verdict: Verdict): Checkout {
  const expression = word?.expressions[0];
  return {
    step,
    kind: 'command',
    ref: expression && word ? { ...expression, span: word.span } : word?.text,
    untrusted: true,
    confidence: verdict.confidence,
    reason: verdict.reason,
    persistCredentials: false,
    span: command.span,
    command,
  };
}

/**
 * Commands that do not run code from the workspace: printing, file shuffling, git plumbing, the
 * GitHub CLI. Anything else (a build tool, an interpreter, a package manager that runs install
 * scripts, `./script`) is taken to run what was checked out.
 */
const INERT_PROGRAMS = new Set([
  'echo', 'printf', 'true', 'false', ':', 'test', '[', '[[', 'cd', 'pwd', 'ls', 'cat', 'head', 'tail', 'wc',
  'mkdir', 'cp', 'mv', 'rm', 'rmdir', 'touch', 'ln', 'chmod', 'export', 'set', 'unset', 'shift', 'exit', 'sleep',
  'date', 'git', 'gh', 'jq', 'yq', 'grep', 'egrep', 'fgrep', 'sed', 'sort', 'uniq', 'cut', 'tr', 'base64', 'sha256sum',
  'sha1sum', 'shasum', 'md5sum', 'diff', 'cmp', 'tee', 'basename', 'dirname', 'realpath', 'readlink', 'stat', 'file',
  'tar', 'unzip', 'zip', 'gzip', 'gunzip', 'curl', 'wget', 'du', 'df', 'tree', 'whoami', 'id', 'uname', 'hostname',
  'read', 'local', 'declare', 'return', 'break', 'continue', 'shopt', 'trap', 'wait', 'printenv', 'envsubst', 'xxd',
]);

/** Does a script command run code from the workspace? */
export function commandRunsWorkspaceCode(command: ShellCommand): boolean {
  // Reading a workspace file into GITHUB_ENV/GITHUB_PATH lets it set BASH_ENV, LD_PRELOAD, PATH…
  if (/^(cat|head|tail|sed|jq|yq|grep|cut|tee)$/.test(command.program) && command.redirects.some((redirect) => /GITHUB_(ENV|PATH)/.test(redirect.target))) {
    return command.args.some((word) => !word.text.startsWith('-') && !/^\$|GITHUB_/.test(word.text));
  }
  if (command.program === 'git' && command.args.some((word) => word.text === 'submodule')) return false;
  if (command.program === 'find') return command.args.some((word) => /^-(exec|execdir|ok)$/.test(word.text));
  if (command.program === 'awk' || command.program === 'gawk') return command.args.some((word) => word.text === '-f');
  if (command.program === 'env') return command.args.some((word) => !word.text.startsWith('-') && !word.text.includes('='));
  return !INERT_PROGRAMS.has(command.program);
}

/**
 * Actions that run code from the workspace: hooks, Dockerfile `RUN` lines, build scripts,
 * `npm install` lifecycle scripts, a Gemfile. Kept to actions whose documented purpose is that.
 */
const EXECUTING_ACTIONS: Record<string, string> = {
  'pre-commit/action': 'runs the hooks that `.pre-commit-config.yaml` names',
  'docker/build-push-action': 'runs the Dockerfile’s `RUN` instructions',
  'github/codeql-action/autobuild': 'runs the repository’s build',
  'cypress-io/github-action': 'installs dependencies and runs the project’s scripts',
  'gradle/gradle-build-action': 'runs the Gradle build scripts',
};

/** Does a step run code that a checkout put in the workspace? Returns why, or null. */
export function stepRunsWorkspaceCode(step: Step): string | null {
  if (step.run) {
    const script = step.run.parsed();
    // pwsh, python and other shells are not parsed: assume the script runs something.
    if (!script.commands.length) return step.run.text.trim() ? 'runs a script' : null;
    const command = script.commands.find(commandRunsWorkspaceCode);
    return command ? `runs \`${command.text.length > 50 ? `${command.text.slice(0, 50)}…` : command.text}\`` : null;
  }
  const uses = step.uses;
  if (!uses) return null;
  if (uses.kind === 'local') return `runs the local action \`${uses.raw}\` from the workspace`;
  const key = uses.path ? `${uses.slug}/${uses.path.toLowerCase()}` : uses.slug ?? '';
  const why = EXECUTING_ACTIONS[key];
  if (why) return `\`${uses.raw.split('@')[0]}\` ${why}`;
  if (uses.slug === 'ruby/setup-ruby' && step.with.some((input) => input.name === 'bundler-cache' && input.value.trim() === 'true')) {
    return '`ruby/setup-ruby` with `bundler-cache: true` runs `bundle install` on the Gemfile';
  }
  return null;
}
