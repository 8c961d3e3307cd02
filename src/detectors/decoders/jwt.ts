import type { DecodedCredential } from '../detector.ts';

/**
 * Offline decoding of JSON Web Tokens (compact form `header.payload.signature`, base64url). The
 * signature is not checked (that needs the issuer's keys) and never returned. Total: malformed
 * input gives `undefined`.
 */

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** Length of the signature segment in characters (0 for unsigned tokens). */
  signatureLength: number;
}

/** The issuer of GitHub Actions OIDC tokens on github.com. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

const MAX_SEGMENT = 64 * 1024;
const SEGMENT = /^[A-Za-z0-9_-]*={0,2}$/;

export function decodeJwt(token: string): DecodedJwt | undefined {
  try {
    if (token.length > 3 * MAX_SEGMENT) return undefined;
    const first = token.indexOf('.');
    const second = first === -1 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second === -1 || token.indexOf('.', second + 1) !== -1) return undefined;
    const header = segmentObject(token.slice(0, first));
    const payload = header && segmentObject(token.slice(first + 1, second));
    if (!header || !payload) return undefined;
    const signature = token.slice(second + 1);
    if (!SEGMENT.test(signature)) return undefined;
    return { header, payload, signatureLength: signature.length };
  } catch {
    return undefined;
  }
}

function segmentObject(segment: string): Record<string, unknown> | undefined {
  if (segment.length === 0 || segment.length > MAX_SEGMENT || !SEGMENT.test(segment)) return undefined;
  const body = segment.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  const text = Buffer.from(body, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** GitHub Actions OIDC token: github.com's issuer, a GHE.com tenant's, or GHES's `/_services/token`. */
export function isGitHubActionsIssuer(iss: unknown): boolean {
  if (typeof iss !== 'string') return false;
  if (iss === GITHUB_ACTIONS_ISSUER) return true;
  return /^https:\/\/token\.actions\.[a-z0-9-]+\.ghe\.com$/.test(iss) || /^https:\/\/[^/\s]+\/_services\/token$/.test(iss);
}

/** Claims copied into findings: identity and provenance, nothing that authenticates. */
const REPORTED_CLAIMS = [
  'iss', 'aud', 'sub', 'azp', 'repository', 'repository_owner', 'repository_visibility', 'job_workflow_ref',
  'workflow_ref', 'workflow', 'environment', 'event_name', 'ref', 'ref_type', 'ref_protected', 'sha', 'actor',
  'run_id', 'run_number', 'run_attempt', 'runner_environment', 'head_ref', 'base_ref', 'jti', 'iat', 'nbf', 'exp',
  'project_path', 'pipeline_source', 'namespace_path', 'scp', 'ac', 'orchid', 'name', 'email',
] as const;

/** Audiences whose relying party accepts a token once (PyPI records each `jti`). */
const SINGLE_USE_AUDIENCES = new Set(['pypi', 'testpypi']);

export function jwtCredential(jwt: DecodedJwt): DecodedCredential {
  const { header, payload } = jwt;
  const claims: Record<string, string | number | boolean> = {};
  if (typeof header.alg === 'string') claims.alg = header.alg;
  if (typeof header.kid === 'string') claims.kid = header.kid;
  for (const name of REPORTED_CLAIMS) {
    const value = payload[name];
    if (typeof value === 'string') claims[name] = value.length > 200 ? `${value.slice(0, 199)}…` : value;
    else if (typeof value === 'number' && Number.isFinite(value)) claims[name] = value;
    else if (typeof value === 'boolean') claims[name] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) claims[name] = value.join(',');
  }

  const exp = finiteNumber(payload.exp);
  const nbf = finiteNumber(payload.nbf) ?? finiteNumber(payload.iat);
  const credential: DecodedCredential = { description: '', lifetime: { kind: 'unknown' }, claims };
  if (exp !== undefined) {
    credential.lifetime = { kind: 'window', expiresAt: new Date(exp * 1000), ...(nbf !== undefined ? { notBefore: new Date(nbf * 1000) } : {}) };
  }

  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  if (isGitHubActionsIssuer(payload.iss)) {
    const repository = typeof payload.repository === 'string' ? payload.repository : undefined;
    const context = [payload.event_name, payload.ref].filter((part): part is string => typeof part === 'string').join(', ');
    credential.description = `GitHub Actions OIDC token${repository ? ` for ${repository}` : ''}${context ? ` (${context})` : ''}${audiences.length ? `, audience ${audiences.join(', ')}` : ''}`;
    credential.singleUse = audiences.some((audience) => SINGLE_USE_AUDIENCES.has(audience));
    const scope = [repository, typeof payload.environment === 'string' ? `environment:${payload.environment}` : undefined].filter((s): s is string => s !== undefined);
    if (scope.length > 0) credential.scope = scope;
  } else {
    const issuer = typeof payload.iss === 'string' ? payload.iss : undefined;
    credential.description = `JSON Web Token${issuer ? ` issued by ${issuer}` : ''}${audiences.length ? ` for ${audiences.join(', ')}` : ''}`;
    if (audiences.length > 0) credential.scope = audiences;
  }
  return credential;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 1e11 ? value : undefined;
}
