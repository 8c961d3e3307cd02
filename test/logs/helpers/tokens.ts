import { createHash, createHmac } from 'node:crypto';

/**
 * Synthetic credentials in the real formats, for tests against the real detectors. Every byte is
 * derived from a seed string: none of these is anyone's credential.
 *
 * - GitHub `ghp_`: 30 base62 characters + the CRC-32 of them in 6 base62 digits.
 * - PyPI: `pypi-` + unpadded base64url of a libmacaroons v2 macaroon built as warehouse builds
 *   it (location, UUID identifier, JSON caveats, HMAC-SHA256 signature chain).
 * - GitHub Actions OIDC JWT: RS256-shaped, with the documented claims and a made-up signature.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function bytes(seed: string, length: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  for (let counter = 0; total < length; counter++) {
    const block = createHash('sha256').update(`${seed}:${counter}`).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let index = 0; index < text.length; index++) {
    crc ^= text.charCodeAt(index);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, width: number): string {
  let out = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out.padStart(width, '0');
}

export function githubToken(seed: string, prefix: 'ghp' | 'gho' | 'ghs' | 'ghu' | 'ghr' = 'ghp'): string {
  const body = [...bytes(seed, 30)].map((byte) => BASE62[byte % 62]).join('');
  return `${prefix}_${body}${base62(crc32(body), 6)}`;
}

export function uuid(seed: string): string {
  const hex = bytes(seed, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return Buffer.from(out);
}

function field(type: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), varint(data.length), data]);
}

/** A macaroon as `pymacaroons` serializes it (version 2) for warehouse. */
export function pypiToken(seed: string, caveats: unknown[], location = 'pypi.org'): string {
  const identifier = Buffer.from(uuid(`${seed}:id`));
  const rootKey = bytes(`${seed}:key`, 32);
  const derived = createHmac('sha256', 'macaroons-key-generator').update(rootKey).digest();
  let signature = createHmac('sha256', derived).update(identifier).digest();
  const parts: Buffer[] = [Buffer.from([2]), field(1, Buffer.from(location)), field(2, identifier), Buffer.from([0])];
  for (const caveat of caveats) {
    const text = Buffer.from(JSON.stringify(caveat));
    signature = createHmac('sha256', signature).update(text).digest();
    parts.push(field(2, text), Buffer.from([0]));
  }
  parts.push(Buffer.from([0]), field(6, signature));
  return `pypi-${Buffer.concat(parts).toString('base64url')}`;
}

/** What Trusted Publishing mints: publisher, project ids, and a 900-second expiration. */
export function pypiMintedToken(seed: string, notBefore: number): string {
  return pypiToken(seed, [[4, uuid(`${seed}:publisher`), null], [2, [uuid(`${seed}:project`)]], [0, notBefore + 900, notBefore]]);
}

/** A project-scoped API token made in the account page: no expiry. */
export function pypiProjectToken(seed: string): string {
  return pypiToken(seed, [[1, ['example-project']], [2, [uuid(`${seed}:project`)]]]);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function githubOidcJwt(seed: string, times: { iat: number; exp?: number; nbf?: number }, claims: Record<string, unknown> = {}): string {
  const header = { typ: 'JWT', alg: 'RS256', x5t: bytes(`${seed}:x5t`, 20).toString('base64url'), kid: bytes(`${seed}:kid`, 20).toString('hex').toUpperCase() };
  const payload = {
    jti: uuid(`${seed}:jti`),
    sub: 'repo:octo-org/hello-world:environment:pypi',
    environment: 'pypi',
    aud: 'pypi',
    ref: 'refs/tags/v1.2.3',
    sha: 'acb5820ced9479c074f688cc328bf03f341a511d',
    repository: 'octo-org/hello-world',
    repository_owner: 'octo-org',
    repository_owner_id: '65',
    run_id: '30433642',
    run_number: '562',
    run_attempt: '1',
    repository_visibility: 'public',
    repository_id: '35',
    actor_id: '12',
    actor: 'octocat',
    workflow: 'release',
    event_name: 'push',
    ref_type: 'tag',
    job_workflow_ref: 'octo-org/hello-world/.github/workflows/release.yml@refs/tags/v1.2.3',
    iss: 'https://token.actions.githubusercontent.com',
    nbf: times.nbf ?? times.iat - 600,
    exp: times.exp ?? times.iat + 300,
    iat: times.iat,
    ...claims,
  };
  return `${b64url(header)}.${b64url(payload)}.${bytes(`${seed}:sig`, 256).toString('base64url')}`;
}

/** Double base64, as tj-actions/changed-files and Shai-Hulud printed secrets. */
export function doubleBase64(text: string): string {
  return Buffer.from(Buffer.from(text).toString('base64')).toString('base64');
}
