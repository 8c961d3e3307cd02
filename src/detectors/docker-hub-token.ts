import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'docker-hub-token',
    summary: 'Docker Hub personal or organization access token (dckr_pat_, dckr_oat_)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A Docker Hub access token logs in as its user (\`dckr_pat_\`) or organization (\`dckr_oat_\`) with the access
chosen when it was created (read, read-write, read-write-delete; organization tokens per repository). With
write access it pushes new image tags over the ones your users pull. Tokens live until deleted or until the
expiry chosen at creation, which is not in the token.`,
      respond: [
        'Delete it: personal tokens at https://app.docker.com/settings/personal-access-tokens, organization tokens under the organization\'s Settings → Access tokens.',
        'Check the repositories it could write for tags pushed since the log was written (image history, `docker buildx imagetools inspect`, Docker Hub audit logs for organizations) and re-push known-good digests.',
        'Use `docker/login-action` with a secret (masked) and never `docker login -p` in a script that echoes its commands.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.docker.com/security/for-developers/access-tokens/',
        'https://docs.docker.com/admin/organization/activity-logs/',
      ],
    },
  },
  pattern: /(?<![A-Za-z0-9_-])dckr_(?:pat|oat)_[A-Za-z0-9_-]+/,
  keywords: ['ckr_pat_', 'ckr_oat_'],
  validate: (secret) => secret.length >= 9 + 20 && secret.length <= 9 + 64,
  decode: (secret) => ({
    description: secret.startsWith('dckr_oat_') ? 'Docker Hub organization access token' : 'Docker Hub personal access token',
    lifetime: { kind: 'until-revoked' },
  }),
  confidence: (secret) => ((secret.startsWith('dckr_pat_') && secret.length === 36) || (secret.startsWith('dckr_oat_') && secret.length === 41) ? 'high' : 'medium'),
});
