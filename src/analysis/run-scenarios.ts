import type { Trigger } from '../models/github/types.ts';
import { UNKNOWN, evaluateExpression, truthy, type KnownContexts } from './evaluate.ts';

/**
 * What a run started by an outsider looks like to an `if:` condition. Each exposure is checked
 * against a few concrete runs (every activity type of the event, a fork's pull request, a push to
 * a throwaway branch); a condition that is false for all of them keeps the exposure out. Anything
 * the scenario does not fix stays unknown, and an unknown result keeps the exposure in.
 */
const ACTIONS: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened', 'edited', 'closed', 'labeled', 'unlabeled', 'ready_for_review', 'converted_to_draft', 'assigned', 'review_requested'],
  pull_request_target: ['opened', 'synchronize', 'reopened', 'edited', 'closed', 'labeled', 'unlabeled', 'ready_for_review', 'assigned', 'review_requested'],
  issue_comment: ['created', 'edited', 'deleted'],
  issues: ['opened', 'edited', 'deleted', 'closed', 'reopened', 'labeled', 'unlabeled', 'assigned', 'transferred', 'pinned'],
  discussion: ['created', 'edited', 'deleted', 'answered', 'category_changed', 'labeled'],
  discussion_comment: ['created', 'edited', 'deleted'],
  pull_request_review: ['submitted', 'edited', 'dismissed'],
  pull_request_review_comment: ['created', 'edited', 'deleted'],
  workflow_run: ['completed', 'requested', 'in_progress'],
  merge_group: ['checks_requested'],
};

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

export type ExposureKind = 'privileged-untrusted' | 'unreviewed-code' | 'unrestricted-push';

/** Concrete runs an outsider (or an unreviewed branch) can cause through this trigger. */
export function outsiderRuns(trigger: Trigger, kind: ExposureKind): KnownContexts[] {
  const event = trigger.event;
  const base: Record<string, string | number | boolean | null> = {
    'github.event_name': event,
    'github.repository': 'owner/repo',
    'github.repository_owner': 'owner',
    'github.actor': 'outsider',
    'github.triggering_actor': 'outsider',
  };
  if (kind === 'unrestricted-push') {
    return [new Map(Object.entries({ ...base, 'github.ref': 'refs/heads/unreviewed-branch', 'github.ref_name': 'unreviewed-branch', 'github.ref_type': 'branch', 'github.ref_protected': false }))];
  }
  if (PULL_REQUEST_EVENTS.has(event) || event === 'merge_group') {
    Object.assign(base, {
      'github.ref': event === 'pull_request' ? 'refs/pull/1/merge' : event === 'merge_group' ? 'refs/heads/gh-readonly-queue/main/pr-1' : 'refs/heads/main',
      'github.ref_type': 'branch',
      'github.head_ref': 'outsider-branch',
      'github.event.pull_request.head.repo.fork': event !== 'merge_group',
      'github.event.pull_request.head.repo.full_name': 'outsider/repo',
      'github.event.pull_request.author_association': 'NONE',
      'github.event.pull_request.draft': false,
    });
  } else {
    Object.assign(base, { 'github.ref': 'refs/heads/main', 'github.ref_type': 'branch' });
  }
  if (event === 'issue_comment' || event === 'pull_request_review_comment' || event === 'discussion_comment') base['github.event.comment.author_association'] = 'NONE';
  if (event === 'pull_request_review') base['github.event.review.author_association'] = 'NONE';
  if (event === 'issues') base['github.event.issue.author_association'] = 'NONE';
  if (event === 'workflow_run') base['github.event.workflow_run.event'] = 'pull_request';
  const declared = trigger.types?.map((type) => type.value);
  const actions = declared?.length ? declared : ACTIONS[event] ?? [];
  const runs: KnownContexts[] = [];
  for (const action of actions.length ? actions : [null]) {
    const run = new Map(Object.entries(base));
    if (action !== null) run.set('github.event.action', action);
    if (event === 'pull_request' && action === 'closed') {
      // A closed pull request may have been merged by a maintainer; only unmerged ones are outsiders'.
      run.set('github.event.pull_request.merged', false);
    } else if (PULL_REQUEST_EVENTS.has(event)) run.set('github.event.pull_request.merged', false);
    runs.push(run);
  }
  return runs;
}

/** True when the condition is certainly false in every given run. */
export function excludesAll(condition: string | undefined, runs: readonly KnownContexts[]): boolean {
  if (!condition || !runs.length) return false;
  const body = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  // `if: ${{ a }} && b` is a string, always truthy: GitHub evaluates it that way too.
  if (body.includes('${{')) return false;
  return runs.every((run) => {
    const value = evaluateExpression(body, run);
    return value !== UNKNOWN && truthy(value) === false;
  });
}
