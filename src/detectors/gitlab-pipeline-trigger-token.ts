import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk } from './shared/gitlab.ts';

export default defineDetector({
  meta: {
    id: 'gitlab-pipeline-trigger-token',
    summary: 'GitLab pipeline trigger token (glptt-)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A pipeline trigger token starts pipelines of its project on any branch or tag, as the user who owns the
trigger, and passes variables to them: a pipeline with overridden variables can run with that user's access to
protected branches and their secrets. It lives until the trigger is deleted.`,
      respond: [
        'Delete the trigger (Settings → CI/CD → Pipeline trigger tokens, or `DELETE /projects/:id/triggers/:trigger_id`) and create a new one.',
        'Check the project\'s pipelines for runs triggered through the API since the log was written, and what they published.',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: ['https://docs.gitlab.com/ci/triggers/', 'https://docs.gitlab.com/api/pipeline_triggers/'],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: ['glptt-'],
  validate: (secret) => secret.startsWith('glptt-') && gitlabBodyOk(secret, 'glptt-'),
  decode: () => ({ description: 'GitLab pipeline trigger token', lifetime: { kind: 'until-revoked' } }),
});
