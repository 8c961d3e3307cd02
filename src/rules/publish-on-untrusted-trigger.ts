import { exposuresReaching, type TriggerExposure } from '../analysis/triggers.ts';
import { jobPublishes } from '../analysis/publish.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'publish-on-untrusted-trigger',
    summary: 'publishing job reachable from pull requests, comments, workflow_run or pushes to any branch',
    severity: 'high',
    confidence: 'medium',
    docs: {
      why: `A release should run only from code that was reviewed and merged, started by someone allowed to
release. Other triggers break that:

- \`pull_request_target\`, \`issue_comment\`, \`discussion\`, \`workflow_run\`, \`pull_request_review*\`
  and \`issues\` run in the base repository with its secrets and, if granted, \`id-token: write\`, but are
  started by people without write access. (Since March 2026 PyPI refuses OIDC tokens whose
  \`event_name\` is \`pull_request_target\`; stored tokens and the other events are not refused.)
- \`pull_request\` runs the pull request's code. From forks GitHub withholds secrets and OIDC by default,
  but from branches of the same repository it does not, so unreviewed code gets the publishing
  credentials.
- \`push\` without a branch or tag filter runs for a push to any branch: whoever can push (or holds a
  stolen token, as in the GhostAction campaign) can publish without review.

A job \`if:\` that limits the job to tags (\`startsWith(github.ref, 'refs/tags/')\`) or to specific
events is taken into account.`,
      example: `on:
  push:            # any branch
  pull_request:
jobs:
  publish:
    steps:
      - run: twine upload dist/*`,
      fix: `Publish from a separate workflow that runs only on release events or tags, and keep pull request
validation elsewhere:

\`\`\`yaml
on:
  release:
    types: [published]
\`\`\`

or guard the job: \`if: startsWith(github.ref, 'refs/tags/')\`.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request',
        'https://docs.pypi.org/trusted-publishers/security-model/',
      ],
    },
  },

  job(job, workflow, context) {
    const sites = jobPublishes(job, workflow);
    if (!sites.length) return;
    // The job is exposed when at least one publish step is reachable from an exposed trigger.
    const reaching = new Map<string, TriggerExposure>();
    for (const site of sites) for (const exposure of exposuresReaching(workflow, job, site.step)) reaching.set(exposure.trigger.event, exposure);
    if (!reaching.size) return;
    const exposures = [...reaching.values()];
    const privileged = exposures.filter((exposure) => exposure.kind === 'privileged-untrusted');
    const onlyOidcToPyPI = sites.every((site) => site.auth === 'oidc' && site.ecosystem === 'pypi');
    const onlyPrTarget = privileged.length > 0 && privileged.every((exposure) => exposure.trigger.event === 'pull_request_target');
    const severity = privileged.length ? (onlyOidcToPyPI && onlyPrTarget ? 'medium' : 'high') : 'medium';
    const first = sites[0]!;
    const reasons = exposures.map((exposure) => `\`${exposure.trigger.event}\` (${exposure.reason})`).join('; ');
    context.report({
      message:
        `job \`${job.id}\` publishes with \`${first.tool}\` and can be started by ${reasons}` +
        (onlyOidcToPyPI && onlyPrTarget ? '. PyPI refuses OIDC tokens from `pull_request_target`, but the job still holds the OIDC permission' : ''),
      span: first.span,
      severity,
      confidence: privileged.length ? 'high' : 'medium',
      key: `${job.id}/${first.tool}`,
      related: exposures.map((exposure) => ({ message: `trigger \`${exposure.trigger.event}\``, span: exposure.trigger.span })),
    });
  },
});
