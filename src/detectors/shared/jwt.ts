import { decodeJwt, type DecodedJwt } from '../decoders/jwt.ts';

/**
 * Shared by `github-oidc-jwt` and `jwt`: compact JWTs whose header and payload are JSON objects
 * (`eyJ` is base64url of `{"`). Unsigned tokens (`alg: none`, empty signature) are not credentials.
 */
export const JWT_PATTERN = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

let lastToken = '';
let lastDecoded: DecodedJwt | undefined;

export function jwtCandidate(token: string): DecodedJwt | undefined {
  if (token === lastToken) return lastDecoded;
  lastToken = token;
  lastDecoded = decodeJwt(token);
  if (lastDecoded && (lastDecoded.signatureLength < 16 || typeof lastDecoded.header.alg !== 'string' || lastDecoded.header.alg === 'none')) {
    lastDecoded = undefined;
  }
  return lastDecoded;
}
