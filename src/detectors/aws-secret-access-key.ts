import { defineDetector } from './detector.ts';
import { AWS_RESPOND_COMMON } from './shared/aws.ts';
import { DELETE_LOG } from './shared/github.ts';
import { looksRandom } from './shared/values.ts';

const NAMES = [
  'aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'aws_secret_key', 'AWS_SECRET_KEY', 'SecretAccessKey',
  'secretAccessKey', 'secret_access_key', 'SECRET_ACCESS_KEY',
];

export default defineDetector({
  meta: {
    id: 'aws-secret-access-key',
    summary: 'AWS secret access key (next to its name or its key id)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `The secret half of an AWS access key signs API requests as the IAM user or role session that owns it, with
all of its permissions, from anywhere. A user's key lives until it is deactivated; a temporary one until its
session expires. Because 40 random base64 characters look like many other things, cordon reports one only
after its name (\`aws_secret_access_key =\`, \`AWS_SECRET_ACCESS_KEY=\`, \`"SecretAccessKey": …\`) or right after an
access key id on the same line.`,
      respond: [...AWS_RESPOND_COMMON, DELETE_LOG],
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html',
      ],
    },
  },
  pattern: new RegExp(
    String.raw`(?<![A-Za-z0-9_])(?:${NAMES.join('|')})["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+]+)` +
      String.raw`|(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}["']?[ \t]*[,:;|= \t][ \t]*["']?([A-Za-z0-9/+]+)`,
  ),
  keywords: ['ecret_access_key', 'ecretAccessKey', 'ecret_key', 'ECRET_ACCESS_KEY', 'ECRET_KEY', 'AKIA', 'ASIA'],
  validate: (secret, line, start) => {
    if (secret.length !== 40 || !looksRandom(secret, 3)) return false;
    // Not the middle of a longer base64 string.
    const after = start === undefined ? '' : line.charAt(start + 40);
    return after !== '=' && !secret.endsWith('EXAMPLEKEY');
  },
  decode: () => ({ description: 'AWS secret access key', lifetime: { kind: 'until-revoked' } }),
});
