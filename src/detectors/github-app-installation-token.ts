import { jwtCredential } from './decoders/jwt.ts';
import { defineDetector, type DecodedCredential } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, githubPrefixed, githubTokenShape } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-app-installation-token',
    summary: 'GitHub App installation token (ghs_), including the GITHUB_TOKEN',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `An installation token acts as a GitHub App on the repositories it was installed on, with the app's
permissions. The \`GITHUB_TOKEN\` of every workflow job is one: it carries the job's \`permissions:\` and expires
when the job ends (at most 24 hours); other installation tokens expire after 1 hour. While valid, a token with
\`contents: write\` can push commits and tags, one with \`actions: write\` can start workflows, one with
\`packages: write\` can replace images. The tj-actions/changed-files payload dumped it (as \`github_token\`) into
public logs. Since April 2026 GitHub issues a longer stateless form, \`ghs_<app id>_<JWT>\`, whose expiry cordon
reads when the JWT decodes.`,
      respond: [
        'If the job that printed a GITHUB_TOKEN is still running, cancel the run: the token dies with the job. Otherwise it has expired (1 hour for app tokens, the end of the job for the GITHUB_TOKEN).',
        'An installation token can revoke itself: `curl -X DELETE https://api.github.com/installation/token -H "Authorization: Bearer <token>"` (204 means revoked).',
        GITHUB_AUDIT,
        'Check the repositories in reach for pushes, tags, releases, new workflow runs and package versions made while the token was valid.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication',
        'https://docs.github.com/en/rest/apps/installations#revoke-an-installation-access-token',
        'https://github.blog/changelog/2026-05-15-github-app-installation-tokens-per-request-override-header/',
        'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
      ],
    },
  },
  ...githubPrefixed('ghs_'),
  decode(secret): DecodedCredential {
    const shape = githubTokenShape(secret, 'ghs_');
    const base: DecodedCredential = {
      description: 'GitHub App installation token or GITHUB_TOKEN (1 hour; the GITHUB_TOKEN lives until its job ends, at most 24 hours)',
      lifetime: { kind: 'unknown' },
      maxLifetimeSeconds: 24 * 3600,
    };
    if (shape?.kind !== 'stateless') return base;
    const claims: Record<string, string | number | boolean> = { appId: shape.appId, format: 'stateless' };
    if (!shape.jwt) return { ...base, claims };
    const fromJwt = jwtCredential(shape.jwt);
    return {
      ...base,
      description: `GitHub App installation token (stateless format, app ${shape.appId})`,
      lifetime: fromJwt.lifetime.kind === 'window' ? fromJwt.lifetime : base.lifetime,
      claims: { ...(fromJwt.claims ?? {}), ...claims },
    };
  },
});
