import { exposuresReaching } from '../analysis/triggers.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'secrets-inherit',
    summary: '`secrets: inherit` passes every secret of the caller to a reusable workflow',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A job that calls a reusable workflow with \`secrets: inherit\` hands it every secret the calling
workflow can read: all repository, organization and (for its environment) environment secrets, not
only the ones the callee needs. The callee, and every action it runs, can then read a PyPI token or a
cloud key it never had a reason to see, and a change to the callee (or, for a workflow in another
repository pinned to a branch or tag, a change there) silently widens what it does with them.

- **medium** for a workflow of the same repository (\`./.github/workflows/x.yml\`): the code is
  reviewed with yours, but the blast radius of any step in it is every secret;
- **high** (medium confidence) for a workflow in another repository
  (\`owner/repo/.github/workflows/x.yml@ref\`): its owners decide what runs with all of your secrets.
  GitHub passes inherited secrets only to workflows of the same organization or enterprise, which
  cordon cannot tell offline; for a repository outside them, nothing is passed and the line is
  merely misleading.`,
      example: `jobs:
  release:
    uses: octo-org/shared/.github/workflows/release.yml@v1
    secrets: inherit`,
      fix: `Name the secrets the called workflow declares under \`on.workflow_call.secrets\`:

\`\`\`yaml
jobs:
  release:
    uses: octo-org/shared/.github/workflows/release.yml@<sha>
    secrets:
      PYPI_TOKEN: \${{ secrets.PYPI_TOKEN }}
\`\`\`

Better still, publish with Trusted Publishing so no stored token has to be passed at all.`,
      references: [
        'https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-secrets-to-a-reusable-workflow',
        'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idsecretsinherit',
      ],
    },
  },

  job(job, workflow, context) {
    if (!job.secretsInherit || !job.uses) return;
    const remote = job.uses.kind === 'reusable-workflow';
    const exposed = exposuresReaching(workflow, job).filter((exposure) => exposure.kind === 'privileged-untrusted');
    const target = `\`${job.uses.raw}\``;
    let message = remote
      ? `job \`${job.id}\` passes every secret of this repository to ${target}, a workflow in another repository whose owners decide what runs with them (GitHub passes inherited secrets within an organization or enterprise; to a repository outside it, none arrive and the line only misleads)`
      : `job \`${job.id}\` passes every secret of this repository to ${target}, though it needs only those it declares`;
    if (exposed.length) message += `; the workflow runs on ${exposed.map((exposure) => `\`${exposure.trigger.event}\``).join(', ')}, which outsiders can start`;
    message += '. Pass the secrets it declares by name instead';
    context.report({
      message,
      span: job.secretsInherit,
      severity: remote ? 'high' : 'medium',
      confidence: remote ? 'medium' : 'high',
      key: `${job.id}/secrets-inherit`,
      related: [{ message: 'the called workflow', span: job.uses.span }],
    });
  },
});
