import { defineDetector } from './detector.ts';
import { envPattern, validEnvValue } from './shared/actions.ts';

export default defineDetector({
  meta: {
    id: 'actions-id-token-request-url',
    summary: 'ACTIONS_ID_TOKEN_REQUEST_URL printed (half of the pair that mints OIDC tokens)',
    severity: 'low',
    confidence: 'high',
    docs: {
      why: `The URL from which a job requests OIDC ID tokens. It is not a credential by itself: requests need
\`ACTIONS_ID_TOKEN_REQUEST_TOKEN\` as the bearer token. It matters when the token is printed too (an \`env\`
dump prints both), and it shows that the job could mint OIDC tokens (\`id-token: write\`).`,
      respond: [
        'Look for `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (or `ACTIONS_RUNTIME_TOKEN`) in the same log; if it is there, follow that finding\'s steps.',
        'Remove the step that dumps the environment.',
      ],
      references: ['https://docs.github.com/en/actions/reference/security/oidc'],
    },
  },
  pattern: envPattern('ACTIONS_ID_TOKEN_REQUEST_URL', String.raw`https?://[^\s"'\\]+`),
  keywords: ['ACTIONS_ID_TOKEN_REQUEST_URL'],
  validate: (secret) => validEnvValue(secret, 12),
  decode(secret) {
    let host: string | undefined;
    try {
      host = new URL(secret).host;
    } catch {
      host = undefined;
    }
    return {
      description: 'OIDC token request URL of a job (usable only with ACTIONS_ID_TOKEN_REQUEST_TOKEN)',
      lifetime: { kind: 'job' },
      ...(host ? { claims: { host } } : {}),
    };
  },
});
