import { describeJobCredentials, jobCanMintOidc, jobHoldsCredentials, jobSecrets } from '../analysis/credentials.ts';
import type { Job, UsesRef, Workflow } from '../models/github/types.ts';
import { describeHoldings, holdsCredentials as gitlabHoldsCredentials } from '../analysis/gitlab.ts';
import type { GitLabImage, GitLabJob, GitLabPipeline } from '../models/gitlab/types.ts';
import { pinActionFix } from '../fixes/unpinned-action.ts';
import { defineRule, type RuleContext } from './rule.ts';
import { isGitHubOwner } from '../analysis/first-party.ts';

type Policy = 'hash-pin' | 'ref-pin' | 'any';

interface Config {
  policies?: Record<string, Policy>;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
const DIGEST = /^sha256:[0-9a-f]{64}$/i;

export default defineRule<Config>({
  meta: {
    id: 'unpinned-action',
    summary: 'action, reusable workflow, container image or GitLab include not pinned to a commit SHA or digest',
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
tokens, because the action runs with everything the job has.

**GitLab CI.** A job's \`image:\` and \`services:\` run with the job's variables and ID tokens; a tag such
as \`python:3.12\` is whatever the registry serves today, only \`name@sha256:<digest>\` is fixed. Included
configuration is worse, because it can define or override any job, the publishing one included:
\`include: project:\` without a \`ref:\` reads the other project's default branch, and with a branch or tag
what it points to when the pipeline is created (only a 40-character commit SHA is fixed);
\`include: remote:\` fetches a URL whose content can change at any time (reported as high unless an
\`integrity:\` hash pins it); a CI/CD \`component:\` is pinned only by a commit SHA, not by a version,
\`~latest\` or a partial version. \`include: template:\` files ship with the GitLab instance and are
not reported.`,
      example: `jobs:
  release:
    permissions:
      id-token: write
    steps:
      - uses: tj-actions/changed-files@v45        # tag: can be moved
      - uses: pypa/gh-action-pypi-publish@release/v1

# GitLab CI
include:
  - project: my-group/ci-templates   # no ref: default branch
    file: /python.yml
  - remote: https://example.com/ci/release.yml
publish:
  image: python:3.12                 # tag: can be moved`,
      fix: `Pin to the full commit SHA and keep the version in a comment, which Dependabot and Renovate
update together:

\`\`\`yaml
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
\`\`\`

\`cordon fix\` does this: it resolves the tag through the GitHub API (\`GITHUB_API_URL\`, \`GITHUB_TOKEN\`;
\`git ls-remote\` when the API is rate-limited or unreachable) and writes the most specific version tag
on that commit as the comment (\`@v4\` → \`@<sha> # v4.2.2\`). Pinning a tag is a safe fix; pinning a
branch (\`@main\`) freezes a moving target and needs \`--unsafe\`. \`docker://\` images are not fixed (their
digest has to come from the registry). \`pinact\` and \`ratchet\` do the same. To allow tags for
actions you trust, set a policy:

\`\`\`yaml
# cordon.yml
rules:
  unpinned-action:
    config:
      policies:
        "actions/*": ref-pin
        "*": hash-pin
\`\`\`

On GitLab, pin images by digest (\`python:3.12@sha256:<digest>\`, kept current by Renovate), give
\`include: project:\` a commit SHA as \`ref:\`, pin components to a SHA, and replace \`include: remote:\` with
a copy in the repository (or add \`integrity: sha256-…\`). Policies apply to image names and project
paths too (\`"registry.example.com/*": ref-pin\`).`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions',
        'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
        'https://docs.gitlab.com/ci/yaml/includes/',
        'https://docs.gitlab.com/ci/components/#use-a-component',
        'https://docs.gitlab.com/ci/yaml/#includeintegrity',
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

  gitlabPipeline(pipeline, context) {
    checkGitLabIncludes(pipeline, context);
    checkGitLabImages(pipeline, context);
  },
});

function check(uses: UsesRef, job: Job | undefined, workflow: Workflow | undefined, context: RuleContext<Config>, where: string): void {
  if (uses.kind === 'local' || uses.kind === 'local-reusable-workflow') return;
  const fix = pinActionFix(uses, context.file && 'yaml' in context.file ? context.file.yaml.text : undefined);
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
      ...(fix ? { fix } : {}),
    });
    return;
  }
  const policy = policyFor(context.config, `${uses.slug}${uses.path ? `/${uses.path}` : ''}`);
  if (policy === 'any') return;
  const ref = uses.ref;
  if (ref && FULL_SHA.test(ref)) return;
  // The SLSA generator's reusable workflows must be called by release tag: its provenance names
  // the tag and the verifier rejects a SHA reference (slsa-github-generator README).
  if (uses.slug === 'slsa-framework/slsa-github-generator' && ref && /^v\d+\.\d+\.\d+$/.test(ref)) return;
  if (policy === 'ref-pin' && ref) return;
  const firstParty = isGitHubOwner(uses.owner);
  const holds = job && workflow ? jobHoldsCredentials(job, workflow) : false;
  const what = uses.kind === 'reusable-workflow' ? 'reusable workflow' : 'action';
  const refText = ref ? `\`${ref}\`, a ${/^v?\d+(\.\d+)*$/.test(ref) ? 'tag' : 'branch or tag'} that can be moved,` : 'no ref at all,';
  context.report({
    message: `${what} \`${uses.raw}\` is pinned to ${refText} not to a commit SHA: whoever controls ${uses.slug} decides what runs here${holding(job, workflow)}`,
    span: uses.span,
    severity: firstParty ? (holds ? 'medium' : 'low') : holds ? 'high' : 'medium',
    key: `${where}/${uses.raw}`,
    ...(fix ? { fix } : {}),
  });
}

function holding(job: Job | undefined, workflow: Workflow | undefined): string {
  if (!job || !workflow) return '';
  const held = describeJobCredentials(job, workflow);
  return held ? `, in job \`${job.id}\` which ${held}` : '';
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

// ---- GitLab CI -------------------------------------------------------------------------------

function checkGitLabIncludes(pipeline: GitLabPipeline, context: RuleContext<Config>): void {
  const holding = pipeline.jobs.filter((job) => !job.hidden && gitlabHoldsCredentials(job));
  const severity = holding.length ? 'high' : 'medium';
  const reach = holding.length ? `; it can define or override any job, including ${jobList(holding)}, which ${holding.length === 1 ? 'holds' : 'hold'} credentials` : '';
  for (const include of pipeline.includes) {
    const report = (message: string, level: 'high' | 'medium'): void =>
      context.report({ message, span: include.ref?.span ?? include.span, severity: level, key: `gitlab/include/${include.kind}/${include.target}` });
    if (include.kind === 'remote') {
      if (include.ref || policyFor(context.config, include.target) === 'any') continue;
      report(`GitLab CI \`include: remote: ${include.target}\` fetches configuration from a URL each time a pipeline is created: whoever controls that URL decides what runs${reach}. Copy it into the repository or pin it with \`integrity:\``, 'high');
    } else if (include.kind === 'project') {
      const policy = policyFor(context.config, include.target);
      const ref = include.ref?.value;
      if (policy === 'any' || (ref && FULL_SHA.test(ref)) || (policy === 'ref-pin' && ref)) continue;
      const files = include.files.map((file) => `\`${file.value}\``).join(', ');
      report(
        ref
          ? `GitLab CI include of ${files || 'files'} from \`${include.target}\` is pinned to \`${ref}\`, a branch or tag that can be moved, not to a commit SHA: whoever can push to ${include.target} decides what runs${reach}`
          : `GitLab CI include of ${files || 'files'} from \`${include.target}\` has no \`ref:\`, so GitLab reads that project's default branch as it is when the pipeline is created${reach}`,
        severity,
      );
    } else if (include.kind === 'component') {
      const path = include.target.replace(/@[^@]*$/, '');
      const version = include.ref?.value;
      const policy = policyFor(context.config, path.split('/').slice(1).join('/'));
      if (policy === 'any' || (version && FULL_SHA.test(version)) || (policy === 'ref-pin' && version)) continue;
      report(
        `GitLab CI component \`${path}\` is used at ${version ? `\`${version}\`, a version or tag that can be moved or resolves to new releases,` : 'no version,'} not at a commit SHA${reach}`,
        severity,
      );
    }
  }
}

/** Each written image once, with every job that runs it. */
function checkGitLabImages(pipeline: GitLabPipeline, context: RuleContext<Config>): void {
  const groups = new Map<string, { image: GitLabImage; service: boolean; jobs: GitLabJob[] }>();
  for (const job of pipeline.jobs) {
    if (job.hidden) continue;
    const images = [...(job.image ? [{ image: job.image, service: false }] : []), ...job.services.map((image) => ({ image, service: true }))];
    for (const { image, service } of images) {
      const key = `${image.span.path}:${image.span.offset}`;
      const group = groups.get(key) ?? { image, service, jobs: [] };
      group.jobs.push(job);
      groups.set(key, group);
    }
  }
  for (const { image, service, jobs } of groups.values()) {
    const name = image.name.trim();
    if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(name)) continue; // chosen elsewhere
    const [reference = name, digest] = name.split('@');
    if (digest !== undefined && (DIGEST.test(digest) || digest.includes('$'))) continue;
    const repository = reference.replace(/:[^/:]*$/, '');
    const policy = policyFor(context.config, repository);
    if (policy === 'any') continue;
    const tagged = /:[^/:]+$/.test(reference);
    if (policy === 'ref-pin' && tagged) continue;
    const holding = jobs.filter(gitlabHoldsCredentials);
    const who = holding.length
      ? `, in ${holding.length === 1 ? 'job' : 'jobs'} ${holding.slice(0, 3).map((job) => `\`${job.name}\` which ${describeHoldings(job)}`).join('; ')}`
      : ` (${jobs.length === 1 ? 'job' : 'jobs'} ${jobList(jobs)})`;
    context.report({
      message: `GitLab CI ${service ? 'service image' : 'image'} \`${name}\` is not pinned to a digest: the registry serves whatever ${tagged ? 'the tag' : '`latest`'} points to today${who}`,
      span: image.span,
      severity: holding.length ? 'high' : 'medium',
      key: `gitlab/image/${name}`,
    });
  }
}

function jobList(jobs: GitLabJob[]): string {
  return jobs.slice(0, 4).map((job) => `\`${job.name}\``).join(', ') + (jobs.length > 4 ? ` and ${jobs.length - 4} more` : '');
}
