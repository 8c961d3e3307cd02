import type { Confidence } from '../../findings/finding.ts';
import type { Detector } from '../detector.ts';
import { decodeJwt, type DecodedJwt } from '../decoders/jwt.ts';
import { hasValidChecksum } from './checksum.ts';

/**
 * Shared by the five `gh?_` detectors (one slot of the combined expression, told apart by the
 * prefix). Two shapes:
 *
 * - the 2021 format: prefix + 30 random base62 characters + a 6-character base62 CRC-32 of them
 *   (40 characters in all); the checksum is checked, so random look-alikes are rejected;
 * - the stateless installation-token format GitHub began rolling out on 2026-04-27,
 *   `ghs_<APPID>_<JWT>` (about 520 characters, variable).
 *
 * GitHub has said tokens may grow to 255 characters; other lengths up to that are accepted with
 * medium confidence.
 */
export const GITHUB_TOKEN_PATTERN =
  /(?<![A-Za-z0-9_])gh[pousr]_(?:[0-9]{1,12}_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|[A-Za-z0-9]+)/;

export type GitHubTokenShape =
  | { kind: 'checksummed' }
  | { kind: 'longer' }
  | { kind: 'stateless'; appId: string; jwt?: DecodedJwt };

export function githubTokenShape(secret: string, prefix: string): GitHubTokenShape | undefined {
  if (!secret.startsWith(prefix)) return undefined;
  const body = secret.slice(prefix.length);
  const stateless = /^([0-9]{1,12})_(.+)$/.exec(body);
  if (stateless) {
    if (prefix !== 'ghs_' || body.length < 36) return undefined;
    const jwt = decodeJwt(stateless[2]!);
    return { kind: 'stateless', appId: stateless[1]!, ...(jwt ? { jwt } : {}) };
  }
  if (!/^[A-Za-z0-9]+$/.test(body)) return undefined;
  if (body.length === 36) return hasValidChecksum(body) ? { kind: 'checksummed' } : undefined;
  if (body.length > 36 && body.length <= 251) return { kind: 'longer' };
  return undefined;
}

export function githubConfidence(secret: string, prefix: string): Confidence {
  const shape = githubTokenShape(secret, prefix);
  if (!shape) return 'low';
  if (shape.kind === 'checksummed') return 'high';
  if (shape.kind === 'stateless' && shape.jwt) return 'high';
  return 'medium';
}

/** What the five `gh?_` detectors share, told apart by `prefix`: pattern, keyword, checksum test, confidence. */
export function githubPrefixed(prefix: string): Pick<Detector, 'pattern' | 'keywords' | 'validate' | 'confidence'> {
  return {
    pattern: GITHUB_TOKEN_PATTERN,
    keywords: [prefix],
    validate: (secret) => githubTokenShape(secret, prefix) !== undefined,
    confidence: (secret) => githubConfidence(secret, prefix),
  };
}

export const GITHUB_REVOKE_API =
  'Revoke it through GitHub\'s credential revocation API, which needs no authentication on github.com and notifies the owner: `curl -X POST https://api.github.com/credentials/revoke -H "Accept: application/vnd.github+json" -d \'{"credentials":["<token>"]}\'` (202 means accepted; up to 1000 tokens per call, 60 calls an hour). Revoked tokens cannot be reactivated.';

export const GITHUB_AUDIT =
  'Review what the token could reach since the log was written: the owner\'s security log (https://github.com/settings/security-log) or the organization audit log (https://github.com/organizations/<org>/settings/audit-log), filtered on the token (`hashed_token:` takes the SHA-256 base64 of the token), plus new pushes, tags, releases, workflow runs, deploy keys and webhooks in the repositories it could write to.';

export const DELETE_LOG =
  'Delete the run\'s log once the credential is revoked: `gh api -X DELETE /repos/{owner}/{repo}/actions/runs/{run_id}/logs` (or the run page → ⋯ → Delete all logs).';
