import { jwtCredential } from './decoders/jwt.ts';
import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { JWT_PATTERN, jwtCandidate } from './shared/jwt.ts';

export default defineDetector({
  meta: {
    id: 'jwt',
    summary: 'JSON Web Token (bearer token of some other issuer)',
    severity: 'medium',
    confidence: 'medium',
    docs: {
      why: `A signed JWT is a bearer credential: whoever holds it is who the claims say, for the audience named, until
\`exp\`. Most are short-lived access tokens (minutes to hours) of an identity provider, a cloud, or a service's
session; some are long-lived service tokens without \`exp\`. cordon decodes the issuer, audience, subject and
validity window so you can tell which system accepts it and whether it has expired.`,
      respond: [
        'Find the issuer (`iss`) and audience (`aud`) in the decoded claims: the audience is the service that accepts the token.',
        'If it has no `exp` or has not expired, revoke the session or the credential it was derived from at the issuer (log the subject out, rotate the signing client\'s secret, delete the service token).',
        'Check the audience service\'s audit log for use by the subject since the log was written.',
        DELETE_LOG,
      ],
      references: ['https://www.rfc-editor.org/rfc/rfc7519', 'https://www.rfc-editor.org/rfc/rfc8725'],
    },
  },
  pattern: JWT_PATTERN,
  keywords: ['eyJ'],
  validate: (secret) => {
    const jwt = jwtCandidate(secret);
    return jwt !== undefined && !isDocumentationExample(jwt.payload);
  },
  decode(secret) {
    const jwt = jwtCandidate(secret);
    return jwt ? jwtCredential(jwt) : undefined;
  },
  confidence: (secret) => (jwtCandidate(secret)?.payload.exp !== undefined ? 'high' : 'medium'),
});

/**
 * jwt.io's sample token (`sub` 1234567890, `name` John Doe) is pasted into countless READMEs and
 * test suites; it grants nothing anywhere.
 */
function isDocumentationExample(payload: Record<string, unknown>): boolean {
  return payload.sub === '1234567890' && payload.name === 'John Doe';
}
