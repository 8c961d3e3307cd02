import { grantsIdTokenWrite, idTokenGrantSpan } from '../analysis/credentials.ts';
import { commandRequestsOidc, jobUsesOidc, stepUsesOidc } from '../analysis/oidc.ts';
import { stepPublishes } from '../analysis/publish.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { defineRule } from './rule.ts';

const FIRST_PARTY = new Set(['actions', 'github']);

export default defineRule({
  meta: {
    id: 'oidc-token-scope',
    summary: '`id-token: write` granted more widely than the one job that publishes',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `\`id-token: write\` lets a job ask GitHub for OIDC tokens. The runner hands every step of that job
the two variables needed to do so (\`ACTIONS_ID_TOKEN_REQUEST_URL\` and \`ACTIONS_ID_TOKEN_REQUEST_TOKEN\`),
so any action or script in the job — a build backend downloaded from PyPI, a compromised third-party
action — can mint a token for any audience while the job runs, exchange it at PyPI for an upload
token (valid 15 minutes), or send it away. PyPI checks only the repository, the workflow file name
and, if configured, the environment: not which step asked. So the permission belongs on one job
whose only steps are the ones that publish (PyPI's guidance: build in one job, publish from
another that downloads the artifacts).

Granted at the workflow level, every job that does not set its own \`permissions:\` inherits it.
Granted to a job that never requests a token, it is pure exposure.`,
      example: `permissions:
  id-token: write          # every job can mint tokens
jobs:
  build:
    steps:
      - uses: actions/checkout@<sha>
      - run: python -m build   # runs build backends fetched from PyPI
      - uses: pypa/gh-action-pypi-publish@<sha>`,
      fix: `Build in one job, publish in another that only downloads the artifacts and publishes:

\`\`\`yaml
permissions: {}
jobs:
  build:
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@<sha>
        with: { persist-credentials: false }
      - run: python -m build
      - uses: actions/upload-artifact@<sha>
        with: { name: dist, path: dist/ }
  publish:
    needs: build
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@<sha>
        with: { name: dist, path: dist/ }
      - uses: pypa/gh-action-pypi-publish@<sha>
\`\`\``,
      references: [
        'https://docs.pypi.org/trusted-publishers/security-model/',
        'https://docs.pypi.org/trusted-publishers/using-a-publisher/',
        'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings',
        'https://github.com/pypa/gh-action-pypi-publish#trusted-publishing',
      ],
    },
  },

  workflow(workflow, context) {
    const permissions = workflow.permissions;
    if (!permissions || !grantsIdTokenWrite(permissions)) return;
    const inheriting = workflow.jobs.filter((job) => !job.permissions);
    const grant = permissions.kind === 'write-all' ? '`write-all` (which includes `id-token: write`)' : '`id-token: write`';
    if (inheriting.length === 0) {
      context.report({
        message: `${grant} is granted to the whole workflow; every job sets its own permissions today, but a job added later without them inherits OIDC minting`,
        span: idTokenGrantSpan(permissions),
        severity: 'low',
        key: 'workflow/id-token',
      });
      return;
    }
    const idle = inheriting.filter((job) => !jobUsesOidc(job, workflow));
    const names = inheriting.map((job) => `\`${job.id}\``).join(', ');
    context.report({
      message:
        `${grant} is granted to the whole workflow, so ${inheriting.length === 1 ? 'job' : 'jobs'} ${names} can mint OIDC tokens` +
        (idle.length ? `; ${idle.map((job) => `\`${job.id}\``).join(', ')} never ${idle.length === 1 ? 'uses' : 'use'} them` : '') +
        '. Grant it only on the job that publishes',
      span: idTokenGrantSpan(permissions),
      severity: idle.length || inheriting.length > 1 ? 'high' : 'medium',
      key: 'workflow/id-token',
      related: inheriting.map((job) => ({ message: `job \`${job.id}\` inherits \`id-token: write\``, span: job.idSpan })),
    });
  },

  job(job, workflow, context) {
    const permissions = job.permissions;
    if (!permissions || !grantsIdTokenWrite(permissions)) return;
    const span = idTokenGrantSpan(permissions);
    if (!jobUsesOidc(job, workflow)) {
      // Actions we do not know may request a token themselves; say so rather than assert.
      const opaque = job.steps.filter((step) => step.uses && step.uses.kind !== 'reusable-workflow' && !FIRST_PARTY.has(step.uses.owner ?? ''));
      context.report({
        message: opaque.length
          ? `job \`${job.id}\` is granted \`id-token: write\` but no step is known to request an OIDC token; unless ${describeSteps(opaque)} ${opaque.length === 1 ? 'needs' : 'need'} it, every step can mint one for nothing in return. Remove the permission if so`
          : `job \`${job.id}\` is granted \`id-token: write\` but no step requests an OIDC token: every step can mint one for nothing in return. Remove the permission`,
        span,
        severity: 'medium',
        confidence: opaque.length ? 'low' : 'high',
        key: `${job.id}/id-token/unused`,
      });
      return;
    }
    const others = job.steps.filter((step) => isExposingStep(step, job, workflow));
    if (!others.length) return;
    const thirdParty = others.filter((step) => step.uses);
    context.report({
      message:
        `job \`${job.id}\` can mint OIDC tokens and also runs ${describeSteps(others)}; any of them can request a token and publish or send it away. ` +
        'Move the build into a job without `id-token: write`',
      span,
      severity: thirdParty.length ? 'high' : 'medium',
      key: `${job.id}/id-token/shared`,
      related: others.slice(0, 5).map((step) => ({ message: `${stepLabel(step)} shares the job with the OIDC permission`, span: step.span })),
    });
  },
});

/** Steps other than publishing that could use the job's OIDC permission. */
function isExposingStep(step: Step, job: Job, workflow: Workflow): boolean {
  if (step.run) {
    // A script runs its own code besides publishing; the commands that publish, fetch or exchange
    // the token are the point of the permission.
    const commands = step.run.parsed().commands.filter((command) => !command.nested);
    const publishing = new Set(stepPublishes(step, job, workflow).map((site) => site.command));
    return commands.some((command) => !publishing.has(command) && !isInert(command.program) && !commandRequestsOidc(command.text));
  }
  if (stepUsesOidc(step, job, workflow)) return false;
  if (step.uses) {
    if (step.uses.kind === 'local' || step.uses.kind === 'docker') return true;
    return !FIRST_PARTY.has(step.uses.owner ?? '');
  }
  return false;
}

/** Shell built-ins and file shuffling that run no third-party code. */
function isInert(program: string): boolean {
  return /^(echo|printf|ls|cat|mkdir|cp|mv|rm|cd|test|\[|true|false|export|set|shasum|sha256sum|find|tree|du|pwd)$/.test(program);
}

function stepLabel(step: Step): string {
  if (step.name) return `step “${step.name}”`;
  if (step.uses) return `\`${step.uses.raw}\``;
  // Name the first command that runs code, not a leading `set -e`.
  const command = step.run?.parsed().commands.find((candidate) => !candidate.nested && !isInert(candidate.program));
  const first = command?.text ?? step.run?.text.trim().split('\n')[0] ?? '';
  return `\`run: ${first.length > 40 ? `${first.slice(0, 40)}…` : first}\``;
}

function describeSteps(steps: Step[]): string {
  const labels = steps.slice(0, 3).map(stepLabel);
  return labels.join(', ') + (steps.length > 3 ? ` and ${steps.length - 3} more steps` : '');
}
