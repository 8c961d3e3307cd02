import type { Confidence } from '../findings/finding.ts';
import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----/;
/** The pattern has no capture group: the secret is the whole block. */
const BEGIN_PATTERN = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/;

/** What kind of key a BEGIN line announces. */
function keyType(secret: string): string {
  const label = BEGIN.exec(secret)?.[1]?.trim() ?? '';
  switch (label) {
    case 'RSA':
      return 'RSA private key (PKCS#1)';
    case 'EC':
      return 'EC private key';
    case 'DSA':
      return 'DSA private key';
    case 'OPENSSH':
      return 'OpenSSH private key';
    case 'ENCRYPTED':
      return 'encrypted private key (PKCS#8; needs its passphrase)';
    case 'PGP':
      return 'PGP private key block';
    case '':
      return 'private key (PKCS#8)';
    default:
      return `${label} private key`;
  }
}

/** The key material between the markers (`\n` escapes and whitespace removed). */
function body(secret: string): string {
  const start = secret.indexOf('-----', 5);
  if (start === -1) return '';
  const end = secret.lastIndexOf('-----END');
  return secret
    .slice(start + 5, end > start ? end : secret.length)
    .replace(/\\[nr]/g, '\n')
    .split('\n')
    .filter((line) => !/^[A-Za-z-]+: /.test(line.trim()))
    .join('')
    .replace(/[\s"]/g, '');
}

export default defineDetector({
  meta: {
    id: 'private-key',
    summary: 'PEM private key (RSA, EC, OpenSSH, PKCS#8, PGP)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A private key is whatever it was made for: an SSH deploy key (push access to a repository), a GitHub App's
key (mints installation tokens for every installation of the app), a TLS server key, a code- or
package-signing key (signatures your users trust), a GPG release key. It never expires; only revoking the
matching public key or certificate ends it. GitHub masks a multi-line secret line by line, so a key printed in
another form (base64, JSON with \`\\n\`, a file dumped with \`cat\`) appears in clear.`,
      respond: [
        'Find what the key is for (its public key fingerprint: `ssh-keygen -lf`, `openssl pkey -pubout`) and revoke it there: remove the deploy key or SSH key on GitHub/GitLab, generate a new private key for the GitHub App and delete the old one (App settings → Private keys), revoke the certificate with its CA, revoke the GPG key and publish the revocation.',
        'Check what the key could sign or access since the log was written: pushes with the deploy key, installation tokens minted by the app, releases signed with the key.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/managing-private-keys-for-github-apps',
        'https://docs.github.com/en/authentication/connecting-to-github-with-ssh/reviewing-your-ssh-keys',
      ],
    },
  },
  pattern: BEGIN_PATTERN,
  keywords: ['ATE KEY'],
  multiline: {
    end: /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/,
    body: /^(?:[A-Za-z0-9+/=]{1,128}|[A-Za-z-]+: .*|)$/,
    maxLines: 400,
  },
  decode(secret) {
    const complete = /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/.test(secret);
    const material = body(secret);
    return {
      description: `${keyType(secret)}${complete ? '' : ', cut off: only the BEGIN line and what follows it were read'}`,
      lifetime: { kind: 'until-revoked' },
      claims: { complete, bodyCharacters: material.length },
    };
  },
  confidence(secret): Confidence {
    const complete = /-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/.test(secret);
    const material = body(secret).length;
    if (complete && material >= 64) return 'high';
    return material >= 64 ? 'medium' : 'low';
  },
});
