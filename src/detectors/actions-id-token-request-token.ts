import { defineDetector } from './detector.ts';
import { envPattern, runnerTokenCredential, validEnvValue } from './shared/actions.ts';
import { DELETE_LOG } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'actions-id-token-request-token',
    summary: 'ACTIONS_ID_TOKEN_REQUEST_TOKEN printed (mints OIDC tokens for the job until it ends)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `In a job with \`id-token: write\` the runner sets \`ACTIONS_ID_TOKEN_REQUEST_URL\` and
\`ACTIONS_ID_TOKEN_REQUEST_TOKEN\`. Together they let anyone request OIDC ID tokens for the job, for any
audience (\`pypi\`, \`sts.amazonaws.com\`…), as many as they like, until the job ends. Each such token can be
exchanged for a PyPI upload token for the projects whose trusted publisher matches this workflow, or for the
cloud roles that trust it. The request token is the job's system token (the same value as
\`ACTIONS_RUNTIME_TOKEN\`), so it also reaches the job's cache and artifact services. It appears in logs through
\`env\`/\`printenv\` dumps and debug output.`,
      respond: [
        'If the job is still running, cancel the run now: both tokens stop working when the job ends.',
        'Look for the request URL (`ACTIONS_ID_TOKEN_REQUEST_URL`) in the same log: with both printed, treat every relying party that trusts this workflow as exposed for the rest of the job.',
        'Check PyPI (project security history, releases) and the clouds trusted by this workflow (e.g. CloudTrail `AssumeRoleWithWebIdentity`) for use during the job, and the repository\'s caches for entries written during the run.',
        'Remove the step that dumps the environment, and grant `id-token: write` only to the job that publishes.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://github.com/actions/toolkit/blob/main/packages/core/src/oidc-utils.ts',
      ],
    },
  },
  pattern: envPattern('ACTIONS_ID_TOKEN_REQUEST_TOKEN'),
  keywords: ['ACTIONS_ID_TOKEN_REQUEST_TOKEN'],
  validate: (secret) => validEnvValue(secret),
  decode: (secret) => runnerTokenCredential(secret, 'job token that requests OIDC ID tokens (ACTIONS_ID_TOKEN_REQUEST_TOKEN), valid until the job ends'),
});
