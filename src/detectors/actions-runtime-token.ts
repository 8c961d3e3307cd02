import { defineDetector } from './detector.ts';
import { envPattern, runnerTokenCredential, validEnvValue } from './shared/actions.ts';
import { DELETE_LOG } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'actions-runtime-token',
    summary: 'ACTIONS_RUNTIME_TOKEN printed (job token for caches, artifacts and OIDC requests)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `\`ACTIONS_RUNTIME_TOKEN\` is the job's token for the Actions services: with \`ACTIONS_CACHE_URL\` /
\`ACTIONS_RESULTS_URL\` it reads and writes the repository's cache (poisoned cache entries reach later release
builds, as in the Ultralytics compromise) and its artifacts, and it is the same value as
\`ACTIONS_ID_TOKEN_REQUEST_TOKEN\`, so in a job with \`id-token: write\` it also mints OIDC tokens. It is valid
until the job ends.`,
      respond: [
        'If the job is still running, cancel the run: the token stops working when the job ends.',
        'Delete the caches written while the job ran (`gh cache list` / `gh cache delete`, or the Actions → Caches page), since they may have been poisoned, and re-run release builds from clean caches.',
        'Check the run\'s artifacts for replaced content, and PyPI/cloud audit logs if the job could mint OIDC tokens.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/actions/reference/workflows-and-actions/dependency-caching',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
      ],
    },
  },
  pattern: envPattern('ACTIONS_RUNTIME_TOKEN'),
  keywords: ['ACTIONS_RUNTIME_TOKEN'],
  validate: (secret) => validEnvValue(secret),
  decode: (secret) => runnerTokenCredential(secret, 'Actions runtime token of a job (caches, artifacts, OIDC requests), valid until the job ends'),
});
