import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk } from './shared/gitlab.ts';

export default defineDetector({
  meta: {
    id: 'gitlab-deploy-token',
    summary: 'GitLab deploy token (gldt-)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A deploy token reads (and, with \`write_repository\`, \`write_registry\` or \`write_package_registry\`, writes)
the repository, container registry or package registry of its project or of every project in its group. It
lives until its expiry date (not in the token) or until revoked.`,
      respond: [
        'Revoke it in the project or group Settings → Repository → Deploy tokens, or with `DELETE /projects/:id/deploy_tokens/:token_id` (`/groups/:id/…` for group tokens).',
        'Check the registries it could write for images and packages pushed since the log was written.',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: ['https://docs.gitlab.com/user/project/deploy_tokens/', 'https://docs.gitlab.com/api/deploy_tokens/'],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: ['gldt-'],
  validate: (secret) => secret.startsWith('gldt-') && gitlabBodyOk(secret, 'gldt-'),
  decode: () => ({ description: 'GitLab deploy token', lifetime: { kind: 'until-revoked' } }),
});
