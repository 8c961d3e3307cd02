import { defineDetector } from './detector.ts';
import { DELETE_LOG, GITHUB_AUDIT, GITHUB_REVOKE_API, githubPrefixed } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'github-oauth-token',
    summary: 'GitHub OAuth app access token (gho_)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `An OAuth access token acts as the user who authorized the OAuth app, with the scopes the app asked for
(often \`repo\`, which is read and write on every repository the user can reach). Tokens of OAuth apps do not
expire; they live until the user or the app revokes them. \`gh auth token\` prints one.`,
      respond: [
        GITHUB_REVOKE_API,
        'The user can also revoke the app at https://github.com/settings/applications (Authorized OAuth Apps), and the app\'s owner with `DELETE /applications/{client_id}/token`.',
        GITHUB_AUDIT,
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/rest/credentials/revoke',
        'https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-token',
      ],
    },
  },
  ...githubPrefixed('gho_'),
  decode: () => ({ description: 'GitHub OAuth app access token', lifetime: { kind: 'until-revoked' } }),
});
