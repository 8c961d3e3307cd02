import { jobCanMintOidc, jobSecrets } from '../analysis/credentials.ts';
import type { Job, UsesRef, Workflow } from '../models/github/types.ts';
import { defineRule, type RuleContext } from './rule.ts';

type Policy = 'hash-pin' | 'ref-pin' | 'any';

interface Config {
  policies?: Record<string, Policy>;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$/i;
const FIRST_PARTY_OWNERS = new Set(['actions', 'github']);

export default defineRule<Config>({
  meta: {
    id: 'unpinned-action',
    summary: 'action, reusable workflow or docker image not pinned to a commit SHA or digest',
    severity: 'high',
    confidence: 'high',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        policies: {
          type: 'object',
          description: "Pattern → policy. Patterns: 'owner/repo/path', 'owner/repo', 'owner/*', '*'; the most specific wins.",
          additionalProperties: { enum: ['hash-pin', 'ref-pin', 'any'] },
        },
      },
    },
    docs: {
      why: `A tag or branch is a pointer the action's owner (or anyone who takes over their account or
token) can move at any time. In March 2025 every tag of tj-actions/changed-files was moved to a commit
that dumped the runner's memory, so every workflow that used \`@v45\` printed its secrets, double-base64
encoded, into its log on its next run. Only a full 40-character commit SHA is immutable: GitHub
resolves it to exactly that commit. Docker images referenced by tag have the same problem; only an
\`@sha256:\` digest is immutable. The risk is highest where the job holds secrets or can mint OIDC
tokens, because the action runs with everything the job has.`,
      example: `jobs:
  release:
    permissions:
      id-token: write
    steps:
      - uses: tj-actions/changed-files@v45        # tag: can be moved
      - uses: pypa/gh-action-pypi-publish@release/v1`,
      fix: `Pin to the full commit SHA and keep the version in a comment, which Dependabot and Renovate
update together:

\`\`\`yaml
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
\`\`\`

Tools such as \`pinact\` or \`ratchet\` (and \`cordon fix\`, later) resolve tags to SHAs. To allow tags for
actions you trust, set a policy:

\`\`\`yaml
# cordon.yml
rules:
  unpinned-action:
    config:
      policies:
        "actions/*": ref-pin
        "*": hash-pin
\`\`\``,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions',
        'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
      ],
      options: `\`policies\`: map of pattern to \`hash-pin\` (default for \`*\`), \`ref-pin\` (any explicit ref) or \`any\`.`,
    },
  },

  step(step, scope, context) {
    if (!step.uses) return;
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    check(step.uses, job, workflow, context, step.route.join('/'));
  },

  job(job, workflow, context) {
    if (job.uses) check(job.uses, job, workflow, context, job.route.join('/'));
  },

  action(action, context) {
    if (action.image) check(action.image, undefined, undefined, context, 'runs/image');
  },
});

function check(uses: UsesRef, job: Job | undefined, workflow: Workflow | undefined, context: RuleContext<Config>, where: string): void {
  if (uses.kind === 'local' || uses.kind === 'local-reusable-workflow') return;
  if (uses.kind === 'docker') {
    const image = uses.image ?? '';
    if (uses.digest && DIGEST.test(uses.digest)) return;
    const policy = policyFor(context.config, image.split(/[:@]/)[0] ?? image);
    if (policy === 'any') return;
    const tagged = /:[^/]+$/.test(image.split('@')[0] ?? '');
    if (policy === 'ref-pin' && tagged) return;
    context.report({
      message: `docker image \`${image}\` is not pinned to a digest: the registry serves whatever the tag points to today${holding(job, workflow)}`,
      span: uses.span,
      severity: job && workflow && (jobCanMintOidc(job, workflow) || jobSecrets(job, workflow).length) ? 'high' : 'medium',
      key: `${where}/${uses.raw}`,
    });
    return;
  }
  const policy = policyFor(context.config, `${uses.slug}${uses.path ? `/${uses.path}` : ''}`);
  if (policy === 'any') return;
  const ref = uses.ref;
  if (ref && FULL_SHA.test(ref)) return;
  if (policy === 'ref-pin' && ref) return;
  const firstParty = FIRST_PARTY_OWNERS.has(uses.owner ?? '');
  const holds = job && workflow ? holdsCredentials(job, workflow) : false;
  const what = uses.kind === 'reusable-workflow' ? 'reusable workflow' : 'action';
  const refText = ref ? `\`${ref}\`, a ${/^v?\d+(\.\d+)*$/.test(ref) ? 'tag' : 'branch or tag'} that can be moved,` : 'no ref at all,';
  context.report({
    message: `${what} \`${uses.raw}\` is pinned to ${refText} not to a commit SHA: whoever controls ${uses.slug} decides what runs here${holding(job, workflow)}`,
    span: uses.span,
    severity: firstParty ? (holds ? 'medium' : 'low') : holds ? 'high' : 'medium',
    key: `${where}/${uses.raw}`,
  });
}

function holdsCredentials(job: Job, workflow: Workflow): boolean {
  return jobCanMintOidc(job, workflow) || jobSecrets(job, workflow).length > 0 || job.secretsInherit !== undefined;
}

function holding(job: Job | undefined, workflow: Workflow | undefined): string {
  if (!job || !workflow) return '';
  const parts: string[] = [];
  if (jobCanMintOidc(job, workflow)) parts.push('can mint OIDC tokens');
  const secrets = [...new Set(jobSecrets(job, workflow).map((use) => use.name))];
  if (secrets.includes('*')) parts.push('reads every secret');
  else if (secrets.length) parts.push(`reads ${secrets.slice(0, 3).map((name) => `secrets.${name}`).join(', ')}${secrets.length > 3 ? '…' : ''}`);
  if (job.secretsInherit) parts.push('inherits every secret');
  return parts.length ? `, in job \`${job.id}\` which ${parts.join(' and ')}` : '';
}

function policyFor(config: Config, target: string): Policy {
  const policies = config.policies ?? {};
  const lower = target.toLowerCase();
  const [owner = '', repo = ''] = lower.split('/');
  const candidates = [lower, `${owner}/${repo}`, `${owner}/*`, '*'];
  for (const candidate of candidates) {
    const match = Object.entries(policies).find(([pattern]) => pattern.toLowerCase() === candidate);
    if (match) return match[1];
  }
  return 'hash-pin';
}
