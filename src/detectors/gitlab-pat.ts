import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk } from './shared/gitlab.ts';

export default defineDetector({
  meta: {
    id: 'gitlab-pat',
    summary: 'GitLab personal, project or group access token (glpat-)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A GitLab access token (\`glpat-\`: personal, project and group tokens share the prefix) acts as its user or bot
user with its scopes (\`api\` is full read-write API access) on everything that user can reach. It lives until its
expiry date (at most 365 days by default on GitLab.com since 16.0; the date is not in the token) or until revoked.`,
      respond: [
        'Revoke it with the token itself: `curl -X DELETE -H "PRIVATE-TOKEN: <token>" https://gitlab.com/api/v4/personal_access_tokens/self` (204 means revoked); or in the UI (User settings → Access tokens, or the project/group Settings → Access tokens); the owner or an administrator can also revoke it by id with `DELETE /api/v4/personal_access_tokens/:id`.',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: [
        'https://docs.gitlab.com/api/personal_access_tokens/',
        'https://docs.gitlab.com/security/tokens/',
      ],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: ['glpat-'],
  validate: (secret) => secret.startsWith('glpat-') && gitlabBodyOk(secret, 'glpat-'),
  decode: () => ({ description: 'GitLab personal, project or group access token', lifetime: { kind: 'until-revoked' } }),
});
