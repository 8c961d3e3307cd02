import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { isMaskedOrReference, looksRandom } from './shared/values.ts';

const NAME = String.raw`(?:(?:CLOUDFLARE|[Cc]loud[Ff]lare)[_-]?(?:API[_-]?|[Aa]pi[_-]?)?(?:TOKEN|[Tt]oken|KEY|[Kk]ey)|CF_(?:API_)?(?:TOKEN|KEY))`;

export default defineDetector({
  meta: {
    id: 'cloudflare-api-token',
    summary: 'Cloudflare API token or global API key (by its variable name, or the cfut_/cfat_ prefix)',
    severity: 'high',
    confidence: 'medium',
    docs: {
      why: `A Cloudflare API token acts on the accounts and zones it was created for, with its permissions: often DNS
edits, Workers and Pages deployments (\`wrangler deploy\`), which is enough to serve your domain from
somewhere else. The global API key (37 hexadecimal characters, used with the account email) has every
permission of the user. Both live until rolled or deleted. Older tokens are 40 unprefixed characters, so cordon
reports them only after a Cloudflare variable name (\`CLOUDFLARE_API_TOKEN=\`, \`CF_API_TOKEN: …\`); newer ones
start with \`cfut_\`/\`cfat_\`.`,
      respond: [
        'Roll or delete it at https://dash.cloudflare.com/profile/api-tokens (account-owned tokens under the account\'s Manage Account → API Tokens); roll the global API key on the same page if that was printed.',
        'Check the account\'s audit log (https://dash.cloudflare.com/?to=/:account/audit-log) for DNS, Workers, Pages and firewall changes since the log was written.',
        DELETE_LOG,
      ],
      references: [
        'https://developers.cloudflare.com/fundamentals/api/get-started/create-token/',
        'https://developers.cloudflare.com/fundamentals/api/how-to/roll-token/',
      ],
    },
  },
  pattern: new RegExp(
    String.raw`(?<![A-Za-z0-9_])cf[ua]t_[A-Za-z0-9]+` +
      String.raw`|(?<![A-Za-z0-9])${NAME}["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_-]+)`,
  ),
  keywords: ['cfut_', 'cfat_', 'CLOUDFLARE', 'Cloudflare', 'cloudflare', 'CloudFlare', 'cloudFlare', 'CF_'],
  validate(secret) {
    if (/^cf[ua]t_/.test(secret)) return secret.length >= 5 + 40;
    if (isMaskedOrReference(secret)) return false;
    if (secret.length === 37 && /^[0-9a-f]+$/.test(secret)) return true; // global API key
    return secret.length === 40 && looksRandom(secret, 2);
  },
  decode: (secret) => ({
    description: /^[0-9a-f]{37}$/.test(secret) ? 'Cloudflare global API key' : 'Cloudflare API token',
    lifetime: { kind: 'until-revoked' },
  }),
  confidence: (secret) => (/^cf[ua]t_/.test(secret) ? 'high' : 'medium'),
});
