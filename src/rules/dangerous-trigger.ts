import { checkoutsOf, commandRunsWorkspaceCode, stepRunsWorkspaceCode, type Checkout } from '../analysis/checkout.ts';
import { describePrivileges, holdsPowerfulToken, jobPrivileges, type JobPrivileges } from '../analysis/privileges.ts';
import { eventTrust, triggersReaching } from '../analysis/triggers.ts';
import { scalarAt } from '../analysis/yaml-node.ts';
import type { Confidence, Severity } from '../findings/finding.ts';
import { severityRank } from '../findings/finding.ts';
import type { Job, Step, Trigger, Workflow } from '../models/github/types.ts';
import type { Span } from '../models/yaml/document.ts';
import { defineRule, type RuleContext } from './rule.ts';

/** Events that run with the base repository's token and secrets but are started by outsiders. */
const DANGEROUS: Record<string, string> = {
  pull_request_target: 'runs with the base repository’s token and secrets for pull requests from forks',
  workflow_run: 'runs with the base repository’s token and secrets after a workflow that fork pull requests can start',
  issue_comment: 'any GitHub user who can comment starts it, with the base repository’s token and secrets',
  discussion: 'any GitHub user who can open a discussion starts it, with the base repository’s token and secrets',
  discussion_comment: 'any GitHub user who can comment starts it, with the base repository’s token and secrets',
  pull_request_review: 'reviews of fork pull requests start it; from forks it gets a read-only token and no secrets unless the repository sends them',
  pull_request_review_comment: 'review comments on fork pull requests start it; from forks it gets a read-only token and no secrets unless the repository sends them',
};

/**
 * `pull_request_review*` runs for forks like `pull_request`: read-only token, no secrets (unless
 * the repository opts in to sending them). They are listed for the head checkout, not for the
 * credentials the trigger itself would hand out.
 */
const FORK_RESTRICTED = new Set(['pull_request_review', 'pull_request_review_comment']);

interface Reach {
  trigger: Trigger;
  trust: 'approved' | 'open';
}

export default defineRule({
  meta: {
    id: 'dangerous-trigger',
    summary: 'workflow started by outsiders (`pull_request_target`, `workflow_run`, comments) that holds credentials or runs pull request code',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `Most events run a workflow with the permissions of whoever caused them. A few run it in the base
repository's context while letting anyone start it:

- \`pull_request_target\` runs for pull requests from forks with the base repository's \`GITHUB_TOKEN\`
  (read-write unless \`permissions:\` says otherwise or the repository default is read-only), its
  secrets and, if granted, \`id-token: write\`. GitHub runs the workflow file of the base branch, which
  is the point: as long as the workflow never runs the pull request's code, the author cannot change
  what it does.
- \`workflow_run\` runs after another workflow (often a \`pull_request\` one a fork started) with the
  same privileges, and can download that run's artifacts.
- \`issue_comment\`, \`discussion\` and \`discussion_comment\` can be started by any GitHub user who can
  comment.
- \`pull_request_review\` and \`pull_request_review_comment\` behave like \`pull_request\` for forks
  (read-only token, no secrets by default), but are reported when they check out and run the head.

The danger is running the outsider's code with those privileges: checking out the pull request head
(\`ref: \${{ github.event.pull_request.head.sha }}\`, \`github.head_ref\`, \`refs/pull/…/merge\`,
\`github.event.workflow_run.head_sha\`, \`gh pr checkout\`) and then building, testing or installing
it, which runs the author's build scripts, hooks and dependencies. That is a "pwn request": the
author gets the token, the secrets and OIDC minting. Ultralytics lost its PyPI release pipeline this
way in December 2024 (a \`pull_request_target\` workflow checked out and pulled
\`github.head_ref\`); PyPI's analysis notes that a stolen token was then used to publish.

Severity:

- **critical**: the job checks out the pull request head and afterwards runs a script or a local
  action (anything but printing, file handling, \`git\` and \`gh\`), or holds secrets or
  \`id-token: write\` together with the head checkout;
- **high**: the job holds secrets, \`id-token: write\` or a token that can change code, releases,
  packages or workflows (any write scope but \`issues\`, \`pull-requests\` and \`discussions\`, or no
  \`permissions:\` block, so the repository default applies: medium confidence) without checking out
  the head: safe today, one injection or added step away from a compromise; also the critical cases
  when an \`if:\` requires a maintainer's label or a trusted commenter (what they approved can change
  after);
- **medium**: the trigger alone, with a read-only token or one that can only write labels, comments
  and reviews (the labeler and greeting bots GitHub documents), and no secrets.

Job and step \`if:\` conditions are evaluated where they can be: limited to other events, to
same-repository pull requests (\`github.event.pull_request.head.repo.full_name == github.repository\`)
or to \`workflow_run\`s that did not come from a pull request, the job is not reported. A checkout
into a sub-directory (\`path:\`) next to a checkout of the base counts as run only by steps that
mention that directory.`,
      example: `on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@<sha>
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test        # runs the pull request's package.json scripts
        env:
          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}`,
      fix: `Run untrusted code under \`pull_request\`, which gives forks a read-only token and no secrets, and do
the privileged part (commenting, labelling, publishing results) in a separate \`workflow_run\` workflow
that only reads artifacts as data and never executes them:

\`\`\`yaml
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@<sha>
        with: { persist-credentials: false }
      - run: npm ci && npm test
\`\`\`

If a \`pull_request_target\` workflow must look at the pull request, check it out into a separate
directory, never execute anything from it, set \`permissions:\` to the minimum, and keep secrets out
of the job.`,
      references: [
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target',
        'https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#workflow_run',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
      ],
    },
  },

  workflow(workflow, context) {
    const dangerous = workflow.triggers.filter((trigger) => DANGEROUS[trigger.event]);
    if (!dangerous.length) return;
    // Jobs the trigger finding speaks for: those not already reported at a checkout.
    const byTrigger = new Map<Trigger, Array<{ job: Job; privileges: JobPrivileges }>>();
    for (const job of workflow.jobs) {
      const reaches = reachesOf(workflow, job, dangerous);
      if (!reaches.length) continue;
      const privileges = jobPrivileges(job, workflow);
      if (reportCheckout(job, workflow, reaches, privileges, context.report)) continue;
      for (const reach of reaches) {
        const list = byTrigger.get(reach.trigger) ?? [];
        list.push({ job, privileges });
        byTrigger.set(reach.trigger, list);
      }
    }
    for (const [trigger, jobs] of byTrigger) {
      const forkRestricted = FORK_RESTRICTED.has(trigger.event);
      // From forks these events get what `pull_request` gets; same-repository reviewers can push anyway.
      const holding = forkRestricted ? [] : jobs.filter(({ privileges }) => holds(privileges, true));
      const severity: Severity = holding.length ? 'high' : 'medium';
      const defaultOnly = holding.length > 0 && holding.every(({ privileges }) => !holdsExplicit(privileges));
      const lead = `\`${trigger.event}\`: ${DANGEROUS[trigger.event]}`;
      const holders = holding
        .slice(0, 3)
        .map(({ job, privileges }) => `\`${job.id}\` holds ${describePrivileges(privileges, { includeToken: !forkRestricted })}`)
        .join('; ');
      const more = holding.length > 3 ? `; ${holding.length - 3} more jobs hold credentials` : '';
      const talkers = jobs.filter(({ privileges }) => !holds(privileges, !forkRestricted) && privileges.writeScopes.some((scope) => scope !== 'id-token'));
      const message = forkRestricted
        ? `${lead}, so no job here gets more than \`pull_request\` would give it; it is reported so that a checkout of the head added later is noticed`
        : holding.length
        ? `${lead}. Job ${holders}${more}. No job runs the pull request's code today, but one injected expression or added step would hand these over; keep secrets out of this workflow and limit \`permissions:\``
        : `${lead}. No job holds secrets or a token that can change code${talkers.length ? ` (only ${describePrivileges(talkers[0]!.privileges)})` : ''}, and none runs the pull request's code, so today this is only a trigger to keep an eye on`;
      context.report({
        message,
        span: trigger.span,
        severity,
        confidence: defaultOnly ? 'medium' : 'high',
        key: `trigger/${trigger.event}`,
        related: (holding.length ? holding : jobs).slice(0, 5).map(({ job }) => ({ message: `job \`${job.id}\` runs on \`${trigger.event}\``, span: job.idSpan })),
      });
    }
  },
});

/** Dangerous triggers whose runs reach the job, with how far the job's `if:` restricts them. */
function reachesOf(workflow: Workflow, job: Job, dangerous: Trigger[], step?: Step): Reach[] {
  const reaching = new Set(triggersReaching(workflow, job, step));
  const reaches: Reach[] = [];
  for (const trigger of dangerous) {
    if (!reaching.has(trigger)) continue;
    const trust = eventTrust(trigger.event, job.if?.value, step?.if?.value);
    if (trust !== 'trusted') reaches.push({ trigger, trust });
  }
  return reaches;
}

function holds(privileges: JobPrivileges, countToken: boolean): boolean {
  return privileges.secrets.length > 0 || privileges.inheritsSecrets || privileges.idToken || (countToken && holdsPowerfulToken(privileges));
}

function holdsExplicit(privileges: JobPrivileges): boolean {
  return privileges.secrets.length > 0 || privileges.inheritsSecrets || privileges.idToken || (privileges.token === 'write' && holdsPowerfulToken(privileges));
}

interface CheckoutVerdict {
  checkout: Checkout;
  reaches: Reach[];
  execution?: { step: Step; why: string; span: Span };
  severity: Severity;
  confidence: Confidence;
}

/** Reports the worst head checkout of a job; true when one was reported. */
function reportCheckout(job: Job, workflow: Workflow, jobReaches: Reach[], privileges: JobPrivileges, report: RuleContext['report']): boolean {
  const dangerous = jobReaches.map((reach) => reach.trigger);
  const all = checkoutsOf(job);
  const verdicts: CheckoutVerdict[] = [];
  for (const checkout of all) {
    if (!checkout.untrusted) continue;
    const reaches = reachesOf(workflow, job, dangerous, checkout.step);
    if (!reaches.length) continue;
    const execution = executionAfter(job, workflow, checkout, all, dangerous);
    const secretsOrOidc = privileges.secrets.length > 0 || privileges.inheritsSecrets || privileges.idToken;
    const approvedOnly = reaches.every((reach) => reach.trust === 'approved');
    let severity: Severity = execution || secretsOrOidc ? 'critical' : holds(privileges, true) ? 'high' : 'medium';
    if (approvedOnly && severity === 'critical') severity = 'high';
    // Reviews of fork pull requests get what `pull_request` gets: a read-only token, no secrets.
    if (reaches.every((reach) => FORK_RESTRICTED.has(reach.trigger.event))) severity = 'medium';
    verdicts.push({ checkout, reaches, execution, severity, confidence: checkout.confidence === 'high' ? 'high' : 'medium' });
  }
  if (!verdicts.length) return false;
  verdicts.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || all.indexOf(a.checkout) - all.indexOf(b.checkout));
  const worst = verdicts[0]!;
  const { checkout, execution } = worst;
  const events = worst.reaches.map((reach) => `\`${reach.trigger.event}\``).join(', ');
  const what = checkout.kind === 'action' ? `checks out the pull request head (${checkout.reason})` : `fetches the pull request head (${checkout.reason})`;
  const held = describePrivileges(privileges);
  const parts = [`job \`${job.id}\` runs on ${events} and ${what}`];
  if (execution) parts.push(`then ${execution.why}, which runs the pull request author's code`);
  parts.push(held ? `with ${held}` : 'with a read-only token and no secrets');
  if (checkout.persistCredentials && checkout.kind === 'action') parts.push('and the checkout leaves the token in `.git/config`');
  let message = parts.join(' ');
  if (worst.reaches.every((reach) => FORK_RESTRICTED.has(reach.trigger.event))) {
    message += '. For forks this event gets a read-only token and no secrets, like `pull_request`, so the code runs without the credentials listed';
  } else if (worst.reaches.every((reach) => reach.trust === 'approved')) {
    message += '. The `if:` requires a maintainer’s label or a trusted commenter, but commits pushed after that approval run too';
  }
  message += worst.severity === 'critical' || worst.severity === 'high' ? '. Run the code under `pull_request` instead, or never execute the checked-out files' : '';
  const related: Array<{ message: string; span: Span }> = worst.reaches.map((reach) => ({ message: `trigger \`${reach.trigger.event}\``, span: reach.trigger.span }));
  if (execution) related.push({ message: 'runs the checked-out code', span: execution.span });
  for (const other of verdicts.slice(1, 4)) related.push({ message: 'also checks out the pull request head', span: other.checkout.span });
  report({
    message,
    span: checkout.span,
    severity: worst.severity,
    confidence: worst.confidence,
    key: `${job.id}/head-checkout`,
    related,
  });
  return true;
}

/**
 * The first step (or, for a checkout made by a command, the first later command of the same
 * script) that runs code from the workspace after the checkout.
 */
function executionAfter(job: Job, workflow: Workflow, checkout: Checkout, all: Checkout[], dangerous: Trigger[]): CheckoutVerdict['execution'] {
  const isolated = checkout.path !== undefined && all.some((other) => !other.untrusted && other.kind === 'action' && other.path === undefined);
  if (checkout.command) {
    const later = checkout.step.run!.parsed().commands.find((command) => command.start > checkout.command!.end && commandRunsWorkspaceCode(command));
    if (later) return { step: checkout.step, why: `runs \`${later.text.length > 50 ? `${later.text.slice(0, 50)}…` : later.text}\``, span: later.span };
  }
  for (const step of job.steps) {
    if (step.index <= checkout.step.index) continue;
    if (!reachesOf(workflow, job, dangerous, step).length) continue;
    const why = stepRunsWorkspaceCode(step);
    if (!why) continue;
    if (isolated && !mentionsPath(step, workflow, checkout.path!)) continue;
    return { step, why, span: step.uses?.span ?? step.run?.span ?? step.span };
  }
  return undefined;
}

function mentionsPath(step: Step, workflow: Workflow, path: string): boolean {
  const directory = path.replace(/^\.\//, '').split('/')[0]!;
  if (!directory) return true;
  const workingDirectory = scalarAt(workflow.yaml, [...step.route, 'working-directory'])?.value ?? '';
  const texts = [workingDirectory, step.run?.text ?? '', step.uses?.raw ?? ''];
  const escaped = directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const mention = new RegExp(`(^|[\\s/'"=:(])${escaped}(/|[\\s'")]|$)`);
  return texts.some((text) => mention.test(text));
}
