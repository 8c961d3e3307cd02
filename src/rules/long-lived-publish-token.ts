import { stepPublishes, TRUSTED_PUBLISHING } from '../analysis/publish.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'long-lived-publish-token',
    summary: 'publishing with a stored API token where the index supports Trusted Publishing',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A PyPI API token stored in a secret stays valid until someone revokes it. Whoever reads it once —
from a log that printed it, a compromised action, an exfiltration workflow like GhostAction's, which
collected PyPI tokens from hundreds of repositories — can publish from anywhere, at any time, with
no trace of which workflow did it. In the Ultralytics compromise (December 2024), after the poisoned
workflow was fixed, the attacker published two more releases with an "unrevoked PyPI API token that
was still available to the GitHub Actions workflow".

With Trusted Publishing the job exchanges a single-use OIDC token for an upload token that PyPI
limits to 15 minutes and to the projects of that publisher; there is nothing stored to steal. npm,
crates.io, RubyGems and NuGet offer the same. Tokens written literally into a workflow file are
reported as critical: anyone who can read the repository can use them.`,
      example: `      - uses: pypa/gh-action-pypi-publish@<sha>
        with:
          password: \${{ secrets.PYPI_API_TOKEN }}`,
      fix: `Add a trusted publisher for the project on PyPI (owner, repository, workflow file, environment),
grant \`id-token: write\` to the publishing job, drop the \`password:\`/token variables, then revoke the old
token on PyPI:

\`\`\`yaml
  publish:
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@<sha>
\`\`\``,
      references: [
        'https://docs.pypi.org/trusted-publishers/',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
        'https://blog.pypi.org/posts/2025-09-16-github-actions-token-exfiltration/',
        'https://docs.npmjs.com/trusted-publishers',
      ],
    },
  },

  step(step, scope, context) {
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    for (const site of stepPublishes(step, job, workflow)) {
      if (!site.token || site.index === 'custom' || !TRUSTED_PUBLISHING[site.ecosystem]) continue;
      // The job's own GITHUB_TOKEN expires with the job; it is not a stored token.
      if (site.token.secrets.length && site.token.secrets.every((use) => use.name === 'GITHUB_TOKEN')) continue;
      const raw = site.token.secrets.length ? '' : literalToken(step, site.token.via);
      if (site.token.secrets.length === 0 && !raw) continue;
      const index = site.index === 'test' ? 'TestPyPI' : indexName(site.ecosystem);
      if (raw) {
        context.report({
          message: `\`${site.tool}\` authenticates with a token written into the ${scope.kind === 'action' ? 'action' : 'workflow'} file (${site.token.via}): anyone who can read the repository can publish to ${index}. Revoke it now`,
          span: site.token.span,
          severity: 'critical',
          key: `${step.route.join('/')}/${site.tool}/literal`,
        });
        continue;
      }
      const secrets = [...new Set(site.token.secrets.map((use) => (use.name === '*' ? 'a secret' : `secrets.${use.name}`)))].join(', ');
      context.report({
        message: `\`${site.tool}\` publishes to ${index} with a long-lived token (${secrets} via ${site.token.via}), valid until revoked wherever it leaks; ${index} supports Trusted Publishing (${TRUSTED_PUBLISHING[site.ecosystem]})`,
        span: site.token.span,
        key: `${step.route.join('/')}/${site.tool}`,
        related: [{ message: `published by \`${site.tool}\``, span: site.span }],
      });
    }
  },
});

function indexName(ecosystem: string): string {
  return { pypi: 'PyPI', npm: 'npm', cargo: 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet' }[ecosystem] ?? ecosystem;
}

/** A token-looking literal in the step's inputs or env (not an expression, not a variable). */
function literalToken(step: { with: Array<{ value: string }>; env: Array<{ name: string; value: string }> }, via: string): string {
  const values = [...step.with.map((input) => input.value), ...step.env.map((entry) => entry.value)];
  const hit = values.find((value) => /^(pypi-[A-Za-z0-9_-]{50,}|npm_[A-Za-z0-9]{36}|rubygems_[0-9a-f]{48}|cio[A-Za-z0-9]{32})$/.test(value.trim()));
  return hit && via ? hit : '';
}
