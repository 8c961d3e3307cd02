import { defineDetector } from './detector.ts';
import { AWS_RESPOND_COMMON } from './shared/aws.ts';
import { DELETE_LOG } from './shared/github.ts';
import { isMaskedOrReference } from './shared/values.ts';

const NAMES = ['aws_session_token', 'AWS_SESSION_TOKEN', 'aws_security_token', 'AWS_SECURITY_TOKEN', 'SessionToken', 'sessionToken'];

export default defineDetector({
  meta: {
    id: 'aws-session-token',
    summary: 'AWS session token (temporary credentials)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A session token completes a set of temporary AWS credentials (\`ASIA…\` key id, secret key, token), as issued
by \`AssumeRole\`, \`AssumeRoleWithWebIdentity\` (the OIDC login of \`configure-aws-credentials\`) or \`GetSessionToken\`.
With the other two values it acts as the role session until the session expires: 15 minutes to 12 hours for
roles (36 hours for \`GetSessionToken\`).`,
      respond: [...AWS_RESPOND_COMMON, DELETE_LOG],
      references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html'],
    },
  },
  pattern: new RegExp(String.raw`(?<![A-Za-z0-9_])(?:${NAMES.join('|')})["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+=]+)`),
  keywords: ['ession_token', 'ESSION_TOKEN', 'essionToken', 'ecurity_token', 'ECURITY_TOKEN'],
  validate: (secret) => secret.length >= 100 && !isMaskedOrReference(secret),
  decode: () => ({ description: 'AWS session token', lifetime: { kind: 'unknown' }, maxLifetimeSeconds: 36 * 3600 }),
});
