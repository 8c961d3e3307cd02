import { defineDetector } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, GITHUB_REVOKE_API, githubPrefixed } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-app-refresh-token',
    summary: 'GitHub App refresh token (ghr_)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A refresh token, together with the app's client id and secret, mints new user access tokens (ghu_) for
6 months. Leaked with the app's client credentials it is a half-year of access as the user; alone it still
identifies the authorization that must be revoked.`,
      respond: [
        GITHUB_REVOKE_API,
        'Revoke the user\'s authorization of the app (https://github.com/settings/apps/authorizations, or `DELETE /applications/{client_id}/grant` by the app), which invalidates its refresh tokens; rotate the app\'s client secret if it was in the same log.',
        GITHUB_AUDIT,
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens',
        'https://docs.github.com/en/rest/credentials/revoke',
      ],
    },
  },
  ...githubPrefixed('ghr_'),
  decode: () => ({
    description: 'GitHub App refresh token (6 months)',
    lifetime: { kind: 'unknown' },
    maxLifetimeSeconds: 183 * 24 * 3600,
  }),
});
