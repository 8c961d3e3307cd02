import { decodeMacaroon, interpretPypiCaveats, pypiCredential, type PypiTokenInfo } from '../decoders/macaroon.ts';
import type { DecodedCredential } from '../detector.ts';

/**
 * Shared by `pypi-token`, `pypi-trusted-publishing-token` and `testpypi-token`: one pattern (one
 * slot of the combined expression), told apart by the decoded macaroon. Unbounded on purpose:
 * project-scoped and Trusted-Publishing tokens are 213 to 300+ characters, and a pattern with an
 * upper bound (trufflehog's `{150,157}`) cuts them short.
 */
export const PYPI_PATTERN = /(?<![A-Za-z0-9_-])pypi-[A-Za-z0-9_-]+/;

/** `pypi-` + base64url of `02 01 08 "pypi.org"`: version 2, location pypi.org. */
export const PYPI_PREFIX = 'pypi-AgEIcHlwaS5vcmc';
/** The same for location `test.pypi.org`. */
export const TESTPYPI_PREFIX = 'pypi-AgENdGVzdC5weXBpLm9yZw';

/** The shortest token warehouse issues is 172 characters; truncated ones in logs are shorter. */
export const MIN_PYPI_LENGTH = 60;

export interface PypiCandidate {
  /** Decoded and read, or undefined when the macaroon does not parse (cut off, mangled). */
  info?: PypiTokenInfo;
  location?: string;
}

let lastSecret = '';
let lastCandidate: PypiCandidate = {};

/** Decodes once per candidate: the three detectors ask in turn about the same string. */
export function pypiCandidate(secret: string): PypiCandidate {
  if (secret === lastSecret) return lastCandidate;
  const macaroon = secret.length >= MIN_PYPI_LENGTH ? decodeMacaroon(secret) : undefined;
  const info = macaroon ? interpretPypiCaveats(macaroon) : undefined;
  let location = info?.location;
  if (location === undefined) {
    if (secret.startsWith(TESTPYPI_PREFIX)) location = 'test.pypi.org';
    else if (secret.startsWith(PYPI_PREFIX)) location = 'pypi.org';
  }
  lastSecret = secret;
  lastCandidate = { ...(info ? { info } : {}), ...(location !== undefined ? { location } : {}) };
  return lastCandidate;
}

export function decodePypi(secret: string, fallback: string): DecodedCredential {
  const candidate = pypiCandidate(secret);
  if (candidate.info) return pypiCredential(candidate.info);
  return {
    description: `${fallback} (the macaroon does not decode: cut off or altered in the log, scope unknown)`,
    lifetime: { kind: 'unknown' },
    ...(candidate.location ? { claims: { location: candidate.location } } : {}),
  };
}
