import { defineDetector } from './detector.ts';
import { GITLAB_AUDIT, GITLAB_DELETE_LOG, GITLAB_PATTERN, gitlabBodyOk } from './shared/gitlab.ts';

export default defineDetector({
  meta: {
    id: 'gitlab-ci-job-token',
    summary: 'GitLab CI/CD job token (glcbt-, CI_JOB_TOKEN)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `\`CI_JOB_TOKEN\` authenticates a running job to the API, the package and container registries and other
projects that allow it, with the permissions of the user who started the pipeline (limited to the job token's
allowlist). It is valid only while the job runs. GitLab masks it in job logs, so a printed one comes from a
transformation (base64, a file, debug tracing).`,
      respond: [
        'If the job is still running, cancel it: the token stops working when the job ends.',
        'Check the package and container registries and the projects on the job token allowlist for uploads and changes made while the job ran.',
        GITLAB_AUDIT,
        GITLAB_DELETE_LOG,
      ],
      references: ['https://docs.gitlab.com/ci/jobs/ci_job_token/', 'https://docs.gitlab.com/security/tokens/'],
    },
  },
  pattern: GITLAB_PATTERN,
  keywords: ['glcbt-'],
  validate: (secret) => secret.startsWith('glcbt-') && gitlabBodyOk(secret, 'glcbt-'),
  decode: () => ({ description: 'GitLab CI/CD job token', lifetime: { kind: 'job' } }),
});
