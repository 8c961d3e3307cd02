import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { SK_PATTERN } from './shared/sk.ts';

const SHAPE = /^sk-ant-[a-z]+[0-9]{2}-[A-Za-z0-9_-]+$/;

export default defineDetector({
  meta: {
    id: 'anthropic-api-key',
    summary: 'Anthropic API key (sk-ant-api03-…, admin keys sk-ant-admin01-…)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `An Anthropic API key calls the API on its workspace's account: it spends the organization's credits and
rate limits, and reads what the workspace stores (files, batches). An admin key (\`sk-ant-admin01-\`) manages the
organization: members, workspaces and other keys. Keys live until disabled or deleted.`,
      respond: [
        'Disable or delete the key at https://console.anthropic.com/settings/keys (admin keys under Settings → Admin keys, or with the Admin API).',
        'Check usage and cost (https://console.anthropic.com/settings/usage) for spending since the log was written, and, for admin keys, members and keys added.',
        DELETE_LOG,
      ],
      references: ['https://docs.anthropic.com/en/api/getting-started', 'https://docs.anthropic.com/en/api/administration-api'],
    },
  },
  pattern: SK_PATTERN,
  keywords: ['sk-ant-'],
  validate: (secret) => SHAPE.test(secret) && secret.length >= 60,
  decode: (secret) => ({
    description: secret.startsWith('sk-ant-admin') ? 'Anthropic admin API key' : 'Anthropic API key',
    lifetime: { kind: 'until-revoked' },
  }),
  // API keys are `sk-ant-api03-` + 93 characters + `AA`.
  confidence: (secret) => (/^sk-ant-(api|admin)[0-9]{2}-[A-Za-z0-9_-]{93}AA$/.test(secret) ? 'high' : 'medium'),
});
