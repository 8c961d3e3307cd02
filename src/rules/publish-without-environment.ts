import { jobReach } from '../analysis/graph.ts';
import { gitlabJobPublishes, publishingIdTokens } from '../analysis/gitlab.ts';
import type { PublishSite } from '../analysis/publish.ts';
import type { Job, Workflow } from '../models/github/types.ts';
import type { Fix } from '../fixes/types.ts';
import { isReusableOnly, JOB_BODY_KEYS, workflowFileName } from '../fixes/github.ts';
import { scalar, YamlEditor } from '../fixes/yaml-edit.ts';
import { defineRule } from './rule.ts';

interface Config {
  /** The environment `cordon fix` adds (`--environment NAME` sets it too). */
  environment?: string;
}

export default defineRule<Config>({
  meta: {
    id: 'publish-without-environment',
    summary: 'job publishes to a package index without a deployment `environment:`',
    severity: 'high',
    confidence: 'high',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        environment: {
          type: 'string',
          minLength: 1,
          description: 'The environment `cordon fix` adds to publishing jobs (default: `pypi`, `testpypi`, `npm`, `crates-io`, `rubygems` or `nuget` by index).',
        },
      },
    },
    docs: {
      options: `- \`environment\`: the environment name \`cordon fix\` adds to publishing jobs (\`cordon fix --environment NAME\`
  overrides it). Default: \`pypi\` for PyPI, \`testpypi\` for TestPyPI, \`npm\`, \`crates-io\`, \`rubygems\`, \`nuget\`.`,
      why: `A GitHub deployment environment is the only place where GitHub enforces who and what may run a
publishing job: required reviewers, a wait timer, and deployment branch and tag rules. PyPI's
trusted publisher can be bound to an environment name; the OIDC token then carries
\`environment: <name>\` and PyPI rejects tokens from jobs that do not declare it. Without an
environment, every run of this workflow file on any branch that can start it (including a
branch pushed with a stolen token, as in the GhostAction campaign) can mint a token that PyPI
accepts. For stored tokens the same holds: environment secrets are released only to jobs that
declare the environment, repository secrets to every workflow.

PyPI's own security model asks for "a dedicated environment" for publishing.

**GitLab CI.** The gate is a protected environment (GitLab Premium): only the users and groups
allowed to deploy to it can run a job that declares it, optionally after approval. PyPI's GitLab
trusted publisher can be bound to the environment name, and CI/CD variables scoped to an
environment are released only to jobs that deploy to it. A publishing job without \`environment:\`
gets neither: anyone who can run a pipeline for a branch that reaches the job can publish, with
the project's ID tokens or with an unscoped CI/CD variable every job can read.`,
      example: `jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@<sha>

# GitLab CI
publish:
  id_tokens:
    PYPI_ID_TOKEN: { aud: pypi }
  script:
    - twine upload dist/*`,
      fix: `Declare an environment on the publishing job, protect it in the repository settings
(required reviewers, deployment tags only), and enter the same name in the trusted publisher on PyPI:

\`\`\`yaml
jobs:
  publish:
    environment:
      name: pypi
      url: https://pypi.org/p/<project>
\`\`\`

On GitLab, add \`environment:\` to the publishing job, protect the environment (Settings → CI/CD →
Protected environments: allowed to deploy, approvals), scope the token variable to it if you still
use one, and enter the environment name in the trusted publisher on PyPI:

\`\`\`yaml
publish:
  environment:
    name: pypi
    url: https://pypi.org/p/<project>
\`\`\``,
      references: [
        'https://docs.pypi.org/trusted-publishers/security-model/',
        'https://docs.pypi.org/trusted-publishers/adding-a-publisher/',
        'https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment',
        'https://docs.gitlab.com/ci/environments/protected_environments/',
        'https://docs.gitlab.com/ci/variables/#limit-the-environment-scope-of-a-cicd-variable',
      ],
    },
  },

  job(job, workflow, context) {
    if (job.environment) return;
    const sites = jobReach(job, workflow).publishes.filter((site) => site.index !== 'custom');
    const first = sites[0];
    if (!first) return;
    const oidc = sites.some((site) => site.auth === 'oidc');
    const toolsOf = (list: typeof sites): string => [...new Set(list.map((site) => `\`${site.tool}\``))].join(', ');
    const others = sites.filter((site) => site.auth !== 'oidc');
    const token = sites.some((site) => site.auth === 'token');
    context.report({
      message: oidc
        ? `job \`${job.id}\` publishes with ${toolsOf(sites.filter((site) => site.auth === 'oidc'))} through Trusted Publishing` +
          (others.length ? ` (and with ${toolsOf(others)})` : '') +
          ' but declares no `environment:`, so the trusted publisher cannot be bound to one and no reviewer or tag rule gates the upload'
        : `job \`${job.id}\` publishes with ${toolsOf(sites)} but declares no \`environment:\`, so ${token ? 'its token' : 'any token it uses'} must be a repository secret that every workflow can read, and no reviewer or tag rule gates the upload`,
      span: first.span,
      severity: oidc ? 'high' : 'medium',
      key: `${job.id}/${first.tool}`,
      related: [{ message: `job \`${job.id}\` has no \`environment:\``, span: job.idSpan }],
      fix: environmentFix(job, workflow, sites, context.config.environment),
    });
  },

  gitlabJob(job, _pipeline, context) {
    if (job.environment) return;
    const sites = gitlabJobPublishes(job).filter((site) => site.index !== 'custom');
    const first = sites[0];
    if (!first) return;
    const oidc = sites.filter((site) => site.auth === 'oidc');
    const toolsOf = (list: typeof sites): string => [...new Set(list.map((site) => `\`${site.tool}\``))].join(', ');
    const tokens = publishingIdTokens(job).map((token) => `\`$${token.name}\``).join(', ');
    context.report({
      message: oidc.length
        ? `GitLab CI job \`${job.name}\` publishes with ${toolsOf(oidc)} through Trusted Publishing (${tokens}) but declares no \`environment:\`, ` +
          'so the trusted publisher cannot be bound to one and no protected environment decides who may run the upload'
        : `GitLab CI job \`${job.name}\` publishes with ${toolsOf(sites)} but declares no \`environment:\`, so its token cannot be a CI/CD variable scoped to a ` +
          'protected environment: every job of the project can read it, and nothing decides who may run the upload',
      span: first.span,
      severity: oidc.length ? 'high' : 'medium',
      key: `gitlab/${job.name}/${first.tool}`,
      related: [{ message: `job \`${job.name}\` has no \`environment:\``, span: job.nameSpan }],
    });
  },
});

// ---- fix ---------------------------------------------------------------------------------------

const DEFAULT_ENVIRONMENT: Record<string, string> = { pypi: 'pypi', npm: 'npm', cargo: 'crates-io', rubygems: 'rubygems', nuget: 'nuget' };

/** Adds `environment: <name>` to the publishing job and says what to set up around it. */
function environmentFix(job: Job, workflow: Workflow, sites: readonly PublishSite[], configured: string | undefined): Fix {
  const pypi = sites.filter((site) => site.ecosystem === 'pypi');
  const name = configured ?? (pypi.length ? (pypi.every((site) => site.index === 'test') ? 'testpypi' : 'pypi') : (DEFAULT_ENVIRONMENT[sites[0]!.ecosystem] ?? 'release'));
  const oidcPypi = pypi.find((site) => site.auth === 'oidc');
  const secrets = [...new Set(sites.filter((site) => site.auth === 'token').flatMap((site) => site.token?.secrets ?? []).map((use) => use.name))].filter((item) => item !== '*');
  const followUp = [
    `In the repository's Settings → Environments → \`${name}\` (GitHub creates it, unprotected, on the first run), add required reviewers and limit deployments to your release tags or branch.`,
  ];
  if (oidcPypi) {
    followUp.push(
      `On ${oidcPypi.index === 'test' ? 'TestPyPI' : 'PyPI'}, in the project's Settings → Publishing, add a trusted publisher with the settings below and remove the one without an environment: until then uploads still work, but PyPI does not require the environment.`,
    );
  }
  if (secrets.length) {
    const listed = secrets.map((item) => `\`${item}\``).join(', ');
    const several = secrets.length > 1;
    followUp.push(
      `While the job publishes with ${listed}, move ${several ? 'them' : 'it'} into the \`${name}\` environment's secrets and delete the repository ${several ? 'secrets' : 'secret'}, so that only this job can read ${several ? 'them' : 'it'} (better: switch to Trusted Publishing, long-lived-publish-token's fix).`,
    );
  }
  if (isReusableOnly(workflow)) followUp.push('This workflow is only called by other workflows: the trusted publisher must name the calling workflow, not this file.');
  return {
    title: `add \`environment: ${name}\` to job \`${job.id}\``,
    safety: 'safe',
    followUp,
    ...(oidcPypi ? { trustedPublisher: { index: oidcPypi.index === 'test' ? ('testpypi' as const) : ('pypi' as const), workflow: workflowFileName(workflow.path), environment: name, job: job.id } } : {}),
    edits() {
      const editor = new YamlEditor(workflow.yaml);
      const map = editor.mapAt(job.route);
      const existing = editor.pair(map, 'environment');
      // `environment: ""` names none.
      if (existing) return [editor.replaceValue(existing, scalar(name))];
      return [editor.insertEntry(map, { key: 'environment', value: scalar(name) }, { before: ['permissions', ...JOB_BODY_KEYS] })];
    },
  };
}
