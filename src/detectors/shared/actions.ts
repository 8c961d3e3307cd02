import { decodeJwt } from '../decoders/jwt.ts';
import type { DecodedCredential } from '../detector.ts';
import { isMaskedOrReference } from './values.ts';

/**
 * The runner's own credentials, recognized by the variable name in `env`/`printenv`/`export -p`
 * output (`NAME=value`), YAML-ish `NAME: value` and JSON `"NAME": "value"`.
 */
export function envPattern(name: string, value = String.raw`[^\s"'\\,;&|]+`): RegExp {
  return new RegExp(String.raw`(?<![A-Za-z0-9_])${name}["']?[ \t]*[:=][ \t]*["']?(${value})`);
}

export function validEnvValue(value: string, minLength = 20): boolean {
  return value.length >= minLength && !isMaskedOrReference(value);
}

/** The runner's job token is a JWT; its claims say which run it belongs to. */
export function runnerTokenCredential(secret: string, description: string): DecodedCredential {
  const credential: DecodedCredential = { description, lifetime: { kind: 'job' } };
  const jwt = decodeJwt(secret);
  if (!jwt) return credential;
  const claims: Record<string, string | number | boolean> = {};
  for (const key of ['iss', 'aud', 'sub', 'scp', 'ac', 'exp', 'nbf', 'iat'] as const) {
    const value = jwt.payload[key];
    if (typeof value === 'string') claims[key] = value.length > 300 ? `${value.slice(0, 299)}…` : value;
    else if (typeof value === 'number' && Number.isFinite(value)) claims[key] = value;
  }
  credential.claims = claims;
  return credential;
}
