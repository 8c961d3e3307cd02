import type { Confidence } from '../findings/finding.ts';
import { defineDetector } from './detector.ts';
import { hasValidChecksum } from './shared/checksum.ts';
import { DELETE_LOG } from './shared/github.ts';
import { isMaskedOrReference, isPlaceholder, looksRandom } from './shared/values.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function shape(secret: string): Confidence | undefined {
  if (secret.startsWith('npm_')) return hasValidChecksum(secret.slice(4)) ? 'high' : undefined;
  // Legacy tokens (before 2021) are UUIDs; anything else after `_authToken=` is a registry token of some kind.
  if (isMaskedOrReference(secret) || isPlaceholder(secret)) return undefined;
  if (UUID.test(secret)) return 'high';
  return secret.length >= 20 && looksRandom(secret) ? 'medium' : undefined;
}

export default defineDetector({
  meta: {
    id: 'npm-token',
    summary: 'npm access token (npm_, or an .npmrc _authToken)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `An npm access token publishes new versions of every package its owner maintains (a publish or automation
token, or a granular token scoped to packages and organizations). Classic tokens live until revoked; granular
tokens until their expiry date, which is not in the token. The Shai-Hulud worm (September 2025) spread by
publishing trojanized versions with npm tokens it found on developer machines and in CI.`,
      respond: [
        'Revoke it: `npm token list` shows the owner\'s tokens by their first characters, `npm token revoke <id>` deletes one; or https://www.npmjs.com/settings/<user>/tokens.',
        'Check every package the owner can publish for versions published since the log was written (`npm view <pkg> time`) and deprecate/unpublish the ones you did not publish; report them to npm security.',
        'Publish from CI with trusted publishing (OIDC) instead of a stored token, and require 2FA for publishing.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.npmjs.com/revoking-access-tokens',
        'https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/',
        'https://docs.npmjs.com/trusted-publishers',
      ],
    },
  },
  // `npm_` + 30 random characters + 6 of CRC-32, or whatever follows `_authToken=` in an .npmrc.
  pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]+|(?<![A-Za-z0-9])_authToken[ \t]*=[ \t]*["']?([^\s"'\\]+)/,
  keywords: ['pm_', '_authToken'],
  validate: (secret) => shape(secret) !== undefined,
  decode: (secret) => ({
    description: secret.startsWith('npm_') ? 'npm access token' : 'npm registry token from an .npmrc (_authToken)',
    lifetime: { kind: 'until-revoked' },
  }),
  confidence: (secret) => shape(secret) ?? 'low',
});
