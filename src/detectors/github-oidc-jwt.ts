import { isGitHubActionsIssuer, jwtCredential } from './decoders/jwt.ts';
import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { JWT_PATTERN, jwtCandidate } from './shared/jwt.ts';

export default defineDetector({
  meta: {
    id: 'github-oidc-jwt',
    summary: 'GitHub Actions OIDC ID token (JWT from token.actions.githubusercontent.com)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `A job with \`id-token: write\` can ask GitHub for an OIDC ID token that proves "this is workflow X of
repository Y, on ref Z, in environment E". Cloud providers and package indexes trade it for their own
credentials: PyPI and TestPyPI (Trusted Publishing), npm, AWS, Azure, Google Cloud, Vault. The token is
short-lived (GitHub's sample: 5 minutes from issue to \`exp\`). PyPI accepts each token once (it records the
\`jti\`) and with 30 seconds of leeway, so a token the publish step already redeemed is worthless there; other
relying parties (cloud role assumption) generally accept it again until \`exp\`. cordon decodes the claims:
audience, repository, workflow, environment, ref, event and the validity window.`,
      respond: [
        'Compare `exp` with the time of the log line: once expired, nobody can use it.',
        'While it was valid, check each relying party its audience names for use you did not make: for `pypi`, uploads to the projects whose trusted publisher matches the repository, workflow and environment in the claims; for `sts.amazonaws.com`, CloudTrail `AssumeRoleWithWebIdentity` events; for other clouds, their audit logs.',
        'Fix the step that printed it (a raw `curl "$ACTIONS_ID_TOKEN_REQUEST_URL…"` registers no mask; `core.getIDToken()` does), and restrict `id-token: write` to the one job that needs it.',
        DELETE_LOG,
      ],
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://docs.pypi.org/trusted-publishers/internals/',
        'https://github.com/pypi/warehouse/blob/main/warehouse/oidc/services.py',
      ],
    },
  },
  pattern: JWT_PATTERN,
  keywords: ['eyJ'],
  validate(secret) {
    const jwt = jwtCandidate(secret);
    return jwt !== undefined && isGitHubActionsIssuer(jwt.payload.iss);
  },
  decode(secret) {
    const jwt = jwtCandidate(secret);
    return jwt ? jwtCredential(jwt) : undefined;
  },
});
