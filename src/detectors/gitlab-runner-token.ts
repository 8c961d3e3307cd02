import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk } from './shared/gitlab.ts';

export default defineDetector({
  meta: {
    id: 'gitlab-runner-token',
    summary: 'GitLab runner authentication token (glrt-) or legacy registration token (GR1348941…)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A runner authentication token lets whoever holds it act as that runner: it picks up the jobs sent to the
runner, with their CI/CD variables (every secret those jobs receive) and job tokens, and can fail or fake their
results. A legacy registration token (\`GR1348941…\`) registers new runners into the project, group or instance.
Both live until the runner is deleted or the token reset.`,
      respond: [
        'Reset the token: delete and re-create the runner (Settings → CI/CD → Runners), or `POST /runners/:id/reset_authentication_token`; for a registration token, reset it on the same page and migrate to the runner creation workflow.',
        'List the runners of the project, group and instance and remove any you did not register; check which jobs ran on the runner since the log was written and rotate the variables those jobs received.',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: ['https://docs.gitlab.com/security/tokens/', 'https://docs.gitlab.com/api/runners/'],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: ['glrt-', 'GR1348941'],
  validate: (secret) =>
    (secret.startsWith('glrt-') && gitlabBodyOk(secret, 'glrt-')) || (secret.startsWith('GR1348941') && gitlabBodyOk(secret, 'GR1348941')),
  decode: (secret) => ({
    description: secret.startsWith('GR1348941') ? 'GitLab runner registration token (legacy)' : 'GitLab runner authentication token',
    lifetime: { kind: 'until-revoked' },
  }),
});
