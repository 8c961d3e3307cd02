import { defineDetector } from './detector.ts';
import { AWS_RESPOND_COMMON } from './shared/aws.ts';
import { DELETE_LOG } from './shared/github.ts';

export default defineDetector({
  meta: {
    id: 'aws-access-key-id',
    summary: 'AWS access key id (AKIA… long-term, ASIA… temporary)',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `An access key id names an AWS key pair; it is not secret by itself, but it is printed next to its secret
more often than not, and it tells anyone which account owns it (\`sts get-access-key-info\`). \`AKIA\` keys belong to
IAM users and live until deleted; \`ASIA\` keys are temporary STS credentials (15 minutes to 36 hours) that need
a session token as well.`,
      respond: [...AWS_RESPOND_COMMON, DELETE_LOG],
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
      ],
    },
  },
  pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]+/,
  keywords: ['AKIA', 'ASIA'],
  // 20 characters in all; AWS's documentation uses keys ending in EXAMPLE.
  validate: (secret) => secret.length === 20 && !secret.endsWith('EXAMPLE'),
  decode: (secret) =>
    secret.startsWith('ASIA')
      ? { description: 'AWS temporary access key id (STS; needs the session token)', lifetime: { kind: 'unknown' }, maxLifetimeSeconds: 36 * 3600 }
      : { description: 'AWS access key id of an IAM user', lifetime: { kind: 'until-revoked' } },
});
