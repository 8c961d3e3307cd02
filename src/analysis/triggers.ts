import type { Job, Step, Trigger, Workflow } from '../models/github/types.ts';

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
}

/**
 * What a job's (or step's) `if:` lets through. Only conjunctive conditions are trusted: an
 * `||` anywhere means the guard may be bypassed, so it is treated as no guard.
 */
export function guardOf(condition: string | undefined): Guard {
  const guard: Guard = { tagsOnly: false, events: [], excludedEvents: [], branches: [], mergedOnly: false };
  if (!condition) return guard;
  const text = condition.replace(/^\s*\$\{\{/, '').replace(/\}\}\s*$/, '');
  if (text.includes('||')) return guard;
  // `refs/tags` with or without the slash: no branch ref can start with it (branches are refs/heads/).
  if (/startsWith\(\s*github\.(event\.)?ref\s*,\s*'refs\/tags/i.test(text) || /github\.ref_type\s*==\s*'tag'/.test(text)) guard.tagsOnly = true;
  // `merged == true`, or the bare property; not `!…merged` or `merged == false`.
  if (/github\.event\.pull_request\.merged\s*==\s*true\b/.test(text) || /(^|[^!\w.])github\.event\.pull_request\.merged\b(?!\s*[=!]=)/.test(text)) guard.mergedOnly = true;
  for (const match of text.matchAll(/github\.event_name\s*==\s*'([a-z_]+)'/g)) guard.events.push(match[1]!);
  for (const match of text.matchAll(/github\.event_name\s*!=\s*'([a-z_]+)'/g)) guard.excludedEvents.push(match[1]!);
  for (const match of text.matchAll(/github\.ref\s*==\s*'refs\/heads\/([^']+)'/g)) guard.branches.push(match[1]!);
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
  return exposedTriggers(workflow).filter((exposure) => !guards.some((guard) => guardBlocks(guard, exposure)));
}
