import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { SK_PATTERN } from './shared/sk.ts';

/** base64 of "OpenAI", embedded in every OpenAI key format so far. */
const MARKER = 'T3BlbkFJ';

export default defineDetector({
  meta: {
    id: 'openai-api-key',
    summary: 'OpenAI API key (sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `An OpenAI API key calls the API as its project (\`sk-proj-\`), service account (\`sk-svcacct-\`) or user (legacy
\`sk-\`), spending the organization's credits and reading what the project stores (files, assistants, vector
stores, fine-tunes). Admin keys (\`sk-admin-\`) manage the organization. Keys live until revoked.`,
      respond: [
        'Revoke the key at https://platform.openai.com/api-keys (project keys under the project\'s API keys; admin keys under Organization → Admin keys).',
        'Check usage (https://platform.openai.com/usage) for spending since the log was written, and the project\'s files and assistants for changes.',
        DELETE_LOG,
      ],
      references: ['https://platform.openai.com/docs/api-reference/authentication', 'https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety'],
    },
  },
  pattern: SK_PATTERN,
  keywords: ['sk-'],
  validate(secret) {
    if (secret.startsWith('sk-ant-')) return false;
    if (secret.includes(MARKER)) return secret.length >= 40;
    // Project and service-account keys without the marker (a future format): long and prefixed.
    return /^sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{80,}$/.test(secret);
  },
  decode: (secret) => ({
    description: secret.startsWith('sk-proj-')
      ? 'OpenAI project API key'
      : secret.startsWith('sk-svcacct-')
        ? 'OpenAI service account key'
        : secret.startsWith('sk-admin-')
          ? 'OpenAI admin key'
          : 'OpenAI API key',
    lifetime: { kind: 'until-revoked' },
  }),
  confidence: (secret) => (secret.includes(MARKER) ? 'high' : 'medium'),
});
