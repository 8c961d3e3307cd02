import type { Job, Step, Trigger, Workflow } from '../models/github/types.ts';
import { excludesAll, outsiderRuns } from './run-scenarios.ts';

/**
 * Events whose runs execute in the base repository's context (secrets, write token, OIDC) but
 * are started or shaped by people without write access.
 */
export const PRIVILEGED_UNTRUSTED_EVENTS: Record<string, string> = {
  pull_request_target: 'runs with the base repository’s secrets and token for pull requests from forks',
  issue_comment: 'any GitHub user who can comment can start it',
  discussion: 'any GitHub user who can open a discussion can start it',
  discussion_comment: 'any GitHub user who can comment can start it',
  workflow_run: 'runs with secrets after a workflow that fork pull requests can start',
  pull_request_review: 'fork authors and reviewers can start it',
  pull_request_review_comment: 'any GitHub user who can review can start it',
  issues: 'any GitHub user who can open an issue can start it',
};

/** `pull_request` runs code from the pull request; forks get no secrets, same-repo branches do. */
export const UNREVIEWED_CODE_EVENTS: Record<string, string> = {
  pull_request: 'runs the code of unmerged pull requests',
  merge_group: 'runs unmerged code from the merge queue',
};

export interface TriggerExposure {
  trigger: Trigger;
  kind: 'privileged-untrusted' | 'unreviewed-code' | 'unrestricted-push';
  reason: string;
}

const BROAD_PATTERNS = /^(\*\*|\*|\*\*\/\*|.*\*\*.*)$/;

/** A push trigger that any branch push can start (no branch list, or a wildcard one). */
export function isUnrestrictedPush(trigger: Trigger): boolean {
  if (trigger.event !== 'push') return false;
  const onlyTags = (trigger.tags !== undefined || trigger.tagsIgnore !== undefined) && trigger.branches === undefined && trigger.branchesIgnore === undefined;
  if (onlyTags) return false;
  if (trigger.branches !== undefined) return trigger.branches.some((branch) => BROAD_PATTERNS.test(branch.value));
  return true;
}

/** Triggers of a workflow that let less trusted people or unreviewed code start a run. */
export function exposedTriggers(workflow: Workflow): TriggerExposure[] {
  const exposures: TriggerExposure[] = [];
  for (const trigger of workflow.triggers) {
    const privileged = PRIVILEGED_UNTRUSTED_EVENTS[trigger.event];
    if (privileged) exposures.push({ trigger, kind: 'privileged-untrusted', reason: privileged });
    const unreviewed = UNREVIEWED_CODE_EVENTS[trigger.event];
    if (unreviewed) exposures.push({ trigger, kind: 'unreviewed-code', reason: unreviewed });
    if (isUnrestrictedPush(trigger)) {
      exposures.push({
        trigger,
        kind: 'unrestricted-push',
        reason: 'a push to any branch starts it, so code that was never reviewed or merged can publish',
      });
    }
  }
  return exposures;
}

export interface Guard {
  /** The `if:` limits the job to tag refs (`startsWith(github.ref, 'refs/tags/')`, `ref_type == 'tag'`). */
  tagsOnly: boolean;
  /** Events the `if:` requires (`github.event_name == 'release'`). Empty when not limited. */
  events: string[];
  /** Events the `if:` excludes (`github.event_name != 'pull_request'`). */
  excludedEvents: string[];
  /** Branch refs the `if:` requires (`github.ref == 'refs/heads/main'`). */
  branches: string[];
  /** The `if:` requires a merged pull request (`github.event.pull_request.merged == true`). */
  mergedOnly: boolean;
  /**
   * The `if:` requires the pull request (or the run `workflow_run` follows) to come from this
   * repository, not a fork (`github.event.pull_request.head.repo.full_name == github.repository`,
   * `….head.repo.fork == false`, `github.event.workflow_run.head_repository.full_name == github.repository`).
   * Branches of the repository itself are pushed by people with write access.
   */
  sameRepoOnly: boolean;
  /**
   * The `if:` requires the comment, review or issue author to be an owner, member or collaborator
   * (`github.event.comment.author_association == 'MEMBER'`, `contains(fromJSON('["OWNER",…]'), …author_association)`).
   */
  trustedActorOnly: boolean;
  /** The `if:` requires a label (`contains(github.event.pull_request.labels.*.name, 'safe')`, `github.event.label.name == 'ok'`), which only triagers can set. */
  labelGated: boolean;
  /** `workflow_run` guards that exclude pull request runs (`github.event.workflow_run.event != 'pull_request'`, `== 'push'`). */
  workflowRunNotFromPullRequest: boolean;
}

const TRUSTED_ASSOCIATION = "github\\.event\\.(?:comment|review|issue|pull_request|discussion)\\.author_association\\s*==\\s*'(?:OWNER|MEMBER|COLLABORATOR)'";

/**
 * What a job's (or step's) `if:` lets through. Only conjunctive conditions are trusted: an
 * `||` anywhere means the guard may be bypassed, so it is treated as no guard.
 */
export function guardOf(condition: string | undefined): Guard {
  const guard: Guard = {
    tagsOnly: false,
    events: [],
    excludedEvents: [],
    branches: [],
    mergedOnly: false,
    sameRepoOnly: false,
    trustedActorOnly: false,
    labelGated: false,
    workflowRunNotFromPullRequest: false,
  };
  if (!condition) return guard;
  let text = condition.replace(/^\s*\$\{\{/, '').replace(/\}\}\s*$/, '');
  // `(a.author_association == 'OWNER' || a.author_association == 'MEMBER')` is one restriction,
  // not a bypass: fold such groups before refusing disjunctions.
  const trustedGroup = new RegExp(`\\(?\\s*${TRUSTED_ASSOCIATION}(\\s*\\|\\|\\s*${TRUSTED_ASSOCIATION})+\\s*\\)?`, 'g');
  if (trustedGroup.test(text)) {
    text = text.replace(trustedGroup, ' __trusted_association__ ');
    guard.trustedActorOnly = true;
  }
  if (text.includes('||')) return { ...guard, trustedActorOnly: false };
  // `refs/tags` with or without the slash: no branch ref can start with it (branches are refs/heads/).
  if (/startsWith\(\s*github\.(event\.)?ref\s*,\s*'refs\/tags/i.test(text) || /github\.ref_type\s*==\s*'tag'/.test(text)) guard.tagsOnly = true;
  // `merged == true`, or the bare property; not `!…merged` or `merged == false`.
  if (/github\.event\.pull_request\.merged\s*==\s*true\b/.test(text) || /(^|[^!\w.])github\.event\.pull_request\.merged\b(?!\s*[=!]=)/.test(text)) guard.mergedOnly = true;
  for (const match of text.matchAll(/github\.event_name\s*==\s*'([a-z_]+)'/g)) guard.events.push(match[1]!);
  for (const match of text.matchAll(/github\.event_name\s*!=\s*'([a-z_]+)'/g)) guard.excludedEvents.push(match[1]!);
  for (const match of text.matchAll(/github\.ref\s*==\s*'refs\/heads\/([^']+)'/g)) guard.branches.push(match[1]!);
  const sameRepo =
    /github\.event\.(pull_request\.head\.repo\.full_name|workflow_run\.head_repository\.full_name)\s*==\s*github\.repository\b/.test(text) ||
    /github\.repository\s*==\s*github\.event\.(pull_request\.head\.repo\.full_name|workflow_run\.head_repository\.full_name)\b/.test(text) ||
    /github\.event\.(pull_request\.head\.repo|workflow_run\.head_repository)\.fork\s*==\s*false\b/.test(text) ||
    /!\s*github\.event\.(pull_request\.head\.repo|workflow_run\.head_repository)\.fork\b/.test(text);
  if (sameRepo) guard.sameRepoOnly = true;
  const association = /github\.event\.(comment|review|issue|pull_request|discussion)\.author_association/;
  const trusted = /['"](OWNER|MEMBER|COLLABORATOR)['"]/;
  const untrusted = /['"](CONTRIBUTOR|FIRST_TIMER|FIRST_TIME_CONTRIBUTOR|MANNEQUIN|NONE)['"]/;
  if (association.test(text) && trusted.test(text) && !untrusted.test(text) && !/author_association\s*!=/.test(text)) guard.trustedActorOnly = true;
  // A list of named people (`contains(fromJSON('["alice","bob"]'), github.actor)`, `github.actor == 'alice'`).
  // Bots are left out: `github.actor == 'dependabot[bot]'` can be the bot acting on someone else's change.
  const actorList = /contains\(\s*fromjson\(\s*'(\[[^']*\])'\s*\)\s*,\s*github\.(actor|triggering_actor)\s*\)/i.exec(text);
  const actorEquals = /github\.(actor|triggering_actor)\s*==\s*'([^']+)'/.exec(text);
  if ((actorList && !/\[bot\]/i.test(actorList[1]!)) || (actorEquals && !/\[bot\]$/i.test(actorEquals[2]!))) guard.trustedActorOnly = true;
  if (/contains\(\s*github\.event\.(pull_request|issue)\.labels\.\*\.name\s*,/.test(text) || /github\.event\.label\.name\s*==\s*'/.test(text)) guard.labelGated = true;
  if (/github\.event\.workflow_run\.event\s*!=\s*'pull_request'/.test(text) || /github\.event\.workflow_run\.event\s*==\s*'(push|schedule|release|workflow_dispatch)'/.test(text)) {
    guard.workflowRunNotFromPullRequest = true;
  }
  return guard;
}

/** Does the guard keep runs started by this exposure away from the job or step? */
export function guardBlocks(guard: Guard, exposure: TriggerExposure): boolean {
  const event = exposure.trigger.event;
  if (guard.events.length && !guard.events.includes(event)) return true;
  if (guard.excludedEvents.includes(event)) return true;
  if (exposure.kind === 'unrestricted-push' && (guard.tagsOnly || guard.branches.length > 0)) return true;
  // A pull request runs on `refs/pull/N/merge` and the merge queue on `refs/heads/gh-readonly-queue/…`,
  // so a job limited to named branches never runs their code.
  if (exposure.kind === 'unreviewed-code' && guard.branches.some((branch) => !branch.startsWith('gh-readonly-queue/'))) return true;
  // A merged pull request's code was reviewed and merged by someone with write access.
  if (guard.mergedOnly && (event === 'pull_request' || event === 'pull_request_target')) return true;
  // Tag refs never come from pull requests or comments.
  if (guard.tagsOnly && exposure.kind !== 'unrestricted-push') return true;
  return false;
}

/** Exposures that reach a step: the workflow's, minus those the job's and step's `if:` stop. */
export function exposuresReaching(workflow: Workflow, job: Job, step?: Step): TriggerExposure[] {
  const guards = [guardOf(job.if?.value), guardOf(step?.if?.value)];
  return exposedTriggers(workflow).filter((exposure) => !guards.some((guard) => guardBlocks(guard, exposure)) && !conditionsExclude(exposure, job, step));
}

/** The job's or step's `if:`, evaluated for runs this exposure can cause, is false in all of them. */
function conditionsExclude(exposure: TriggerExposure, job: Job, step?: Step): boolean {
  const runs = outsiderRuns(exposure.trigger, exposure.kind);
  return excludesAll(job.if?.value, runs) || excludesAll(step?.if?.value, runs);
}

/**
 * Like `guardOf`, but a disjunction only voids the conjunct it sits in: in
 * `contains(fromJSON('[…]'), github.actor) && (a || b)` the actor list still restricts the job.
 * Each top-level `&&` operand without `||` is read by `guardOf` and the results are combined.
 */
export function guardOfCondition(condition: string | undefined): Guard {
  const whole = guardOf(condition);
  if (!condition) return whole;
  const text = condition.replace(/^\s*\$\{\{/, '').replace(/\}\}\s*$/, '');
  const conjuncts = splitTopLevel(text, '&&');
  if (conjuncts.length < 2 || !text.includes('||')) return whole;
  const merged = guardOf(undefined);
  for (const conjunct of conjuncts) {
    const part = guardOf(stripParentheses(conjunct));
    merged.tagsOnly ||= part.tagsOnly;
    merged.mergedOnly ||= part.mergedOnly;
    merged.sameRepoOnly ||= part.sameRepoOnly;
    merged.trustedActorOnly ||= part.trustedActorOnly;
    merged.labelGated ||= part.labelGated;
    merged.workflowRunNotFromPullRequest ||= part.workflowRunNotFromPullRequest;
    merged.events.push(...part.events);
    merged.excludedEvents.push(...part.excludedEvents);
    merged.branches.push(...part.branches);
  }
  return merged;
}

/** Splits at an operator outside parentheses and string literals. */
function splitTopLevel(text: string, operator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "'") inString = !inString;
    if (inString) continue;
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (depth === 0 && text.startsWith(operator, i)) {
      parts.push(text.slice(start, i));
      start = i + operator.length;
      i += operator.length - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter(Boolean);
}

function stripParentheses(text: string): string {
  let current = text.trim();
  while (current.startsWith('(') && current.endsWith(')') && splitTopLevel(current.slice(1, -1), '||').length >= 1 && balanced(current.slice(1, -1))) current = current.slice(1, -1).trim();
  return current;
}

function balanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (const char of text) {
    if (char === "'") inString = !inString;
    if (inString) continue;
    if (char === '(') depth++;
    else if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Triggers of a workflow whose runs reach a job (and step): every `on:` event minus those the
 * `if:` conditions exclude by event name, tag or branch limits. Unlike `exposuresReaching`, this
 * keeps events that are not exposures (`push` to main, `schedule`, `workflow_dispatch`).
 */
export function triggersReaching(workflow: Workflow, job: Job, step?: Step): Trigger[] {
  const guards = [guardOfCondition(job.if?.value), guardOfCondition(step?.if?.value)];
  return workflow.triggers.filter((trigger) =>
    !guards.some((guard) => {
      if (guard.events.length && !guard.events.includes(trigger.event)) return true;
      if (guard.excludedEvents.includes(trigger.event)) return true;
      const exposure = exposedTriggers({ ...workflow, triggers: [trigger] })[0];
      return exposure ? guardBlocks(guard, exposure) || conditionsExclude(exposure, job, step) : false;
    }),
  );
}

/**
 * What the `if:` conditions on a job and step say about who starts runs of this event:
 * - `trusted`: only people with write access (`sameRepoOnly` for pull request events and
 *   `workflow_run`, or a `workflow_run` guard that excludes pull request runs);
 * - `approved`: someone trusted must act first (an owner/member/collaborator check on a comment
 *   or review, a label), but what they approve can change afterwards (a commit pushed after the
 *   label, the pull request a comment points at);
 * - `open`: nothing evaluable restricts it.
 */
export function eventTrust(event: string, ...conditions: Array<string | undefined>): 'trusted' | 'approved' | 'open' {
  const guards = conditions.map((condition) => guardOfCondition(condition));
  const pullRequestEvent = /^(pull_request|pull_request_target|pull_request_review|pull_request_review_comment)$/.test(event);
  if (guards.some((guard) => guard.sameRepoOnly && (pullRequestEvent || event === 'workflow_run'))) return 'trusted';
  if (guards.some((guard) => guard.workflowRunNotFromPullRequest && event === 'workflow_run')) return 'trusted';
  const commentEvent = /^(issue_comment|pull_request_review|pull_request_review_comment|discussion_comment|discussion|issues)$/.test(event);
  if (guards.some((guard) => (guard.trustedActorOnly && commentEvent) || (guard.labelGated && (pullRequestEvent || event === 'issues')))) return 'approved';
  return 'open';
}
