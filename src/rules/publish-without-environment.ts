import { jobReach } from '../analysis/graph.ts';
import { gitlabJobPublishes, publishingIdTokens } from '../analysis/gitlab.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'publish-without-environment',
    summary: 'job publishes to a package index without a deployment `environment:`',
    severity: 'high',
    confidence: 'high',
    docs: {
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
