import { defineDetector } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, GITHUB_REVOKE_API, githubPrefixed } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-app-user-token',
    summary: 'GitHub App user access token (ghu_)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A user access token lets a GitHub App act as the user who authorized it, limited to what both the app's
permissions and the user's access allow. With token expiration enabled (the default) it expires after 8 hours
and comes with a refresh token (\`ghr_\`) that mints new ones for 6 months; with expiration disabled it lives
until revoked.`,
      respond: [
        GITHUB_REVOKE_API,
        'The user can revoke the app\'s authorization at https://github.com/settings/apps/authorizations; the app can revoke it with `DELETE /applications/{client_id}/token`.',
        'Look for the matching refresh token (ghr_) in the same log: it outlives the access token.',
        GITHUB_AUDIT,
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens',
        'https://docs.github.com/en/rest/credentials/revoke',
      ],
    },
  },
  ...githubPrefixed('ghu_'),
  decode: () => ({
    description: 'GitHub App user access token (8 hours when expiration is enabled)',
    lifetime: { kind: 'unknown' },
    maxLifetimeSeconds: 8 * 3600,
  }),
});
