import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Synthetic credentials in their real formats, generated for tests. Nothing here is a real token.
 *
 * PyPI tokens are built the way warehouse builds them (`warehouse/macaroons/services.py`):
 * `pymacaroons.Macaroon(location, identifier=str(uuid), key=root_key, version=MACAROON_V2)`, one
 * first-party caveat per `caveats.serialize(c)` (`json.dumps([tag, *fields], sort_keys=True,
 * separators=(",", ":"))`), then `"pypi-" + m.serialize()` (v2 binary, base64url without padding).
 * pymacaroons' signature chain: `sig = HMAC(HMAC("macaroons-key-generator", root_key), identifier)`,
 * then `sig = HMAC(sig, caveat)` for every caveat.
 */

/** Deterministic bytes for a seed (tests stay reproducible). */
export function seededBytes(seed: string, length: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (let index = 0; total < length; index++) {
    const chunk = createHash('sha256').update(`${seed}:${index}`).digest();
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, length);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function seededAlnum(seed: string, length: number, alphabet = BASE62): string {
  const bytes = seededBytes(seed, length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export function seededUuid(seed: string): string {
  const hex = seededBytes(seed, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// --- macaroons ---------------------------------------------------------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

function packet(type: number, data: Uint8Array): number[] {
  return [...varint(type), ...varint(data.length), ...data];
}

function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export interface MacaroonSpec {
  location: string;
  identifier: string;
  rootKey: Uint8Array;
  caveats: string[];
  /** Third-party style fields on caveats (not used by warehouse; for decoder coverage). */
  caveatLocations?: Array<string | undefined>;
}

/** libmacaroons v2 binary, as pymacaroons' BinarySerializer writes it. */
export function macaroonV2Bytes(spec: MacaroonSpec): Buffer {
  const encoder = new TextEncoder();
  let signature = hmac(hmac(encoder.encode('macaroons-key-generator'), spec.rootKey), encoder.encode(spec.identifier));
  const bytes: number[] = [2];
  if (spec.location) bytes.push(...packet(1, encoder.encode(spec.location)));
  bytes.push(...packet(2, encoder.encode(spec.identifier)), 0);
  spec.caveats.forEach((caveat, index) => {
    const location = spec.caveatLocations?.[index];
    if (location) bytes.push(...packet(1, encoder.encode(location)));
    bytes.push(...packet(2, encoder.encode(caveat)), 0);
    signature = hmac(signature, encoder.encode(caveat));
  });
  bytes.push(0, ...packet(6, signature));
  return Buffer.from(bytes);
}

/** The expected HMAC chain, to check a decoded macaroon against its root key. */
export function macaroonSignature(rootKey: Uint8Array, identifier: Uint8Array, caveats: Uint8Array[]): Buffer {
  let signature = hmac(hmac(new TextEncoder().encode('macaroons-key-generator'), rootKey), identifier);
  for (const caveat of caveats) signature = hmac(signature, caveat);
  return signature;
}

/** libmacaroons v1 text format, base64url (pymacaroons' default serializer before v2). */
export function macaroonV1(spec: MacaroonSpec): string {
  const encoder = new TextEncoder();
  let signature = hmac(hmac(encoder.encode('macaroons-key-generator'), spec.rootKey), encoder.encode(spec.identifier));
  const packets: Buffer[] = [];
  const add = (key: string, value: Uint8Array): void => {
    const body = Buffer.concat([Buffer.from(`${key} `), Buffer.from(value), Buffer.from('\n')]);
    packets.push(Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]));
  };
  add('location', encoder.encode(spec.location));
  add('identifier', encoder.encode(spec.identifier));
  for (const caveat of spec.caveats) {
    add('cid', encoder.encode(caveat));
    signature = hmac(signature, encoder.encode(caveat));
  }
  add('signature', signature);
  return Buffer.concat(packets).toString('base64url');
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))` for the values warehouse serializes. */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${pyJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface PypiTokenOptions {
  location?: string;
  seed?: string;
  caveats: unknown[];
  /** Caveats already serialized (legacy forms with Python's default separators). */
  rawCaveats?: string[];
}

export function pypiToken(options: PypiTokenOptions): string {
  const seed = options.seed ?? 'pypi';
  const spec: MacaroonSpec = {
    location: options.location ?? 'pypi.org',
    identifier: seededUuid(`${seed}:id`),
    rootKey: seededBytes(`${seed}:key`, 32),
    caveats: [...options.caveats.map(pyJson), ...(options.rawCaveats ?? [])],
  };
  return `pypi-${macaroonV2Bytes(spec).toString('base64url')}`;
}

export const pypi = {
  /** UI user-scoped token: `[RequestUser(user_id)]`. */
  user: (seed = 'user', location?: string) => pypiToken({ seed, location, caveats: [[3, seededUuid(`${seed}:user`)]] }),
  /** UI project-scoped token: `[ProjectName([names]), ProjectID([ids])]`. */
  project: (names: string[], seed = 'project', location?: string) =>
    pypiToken({ seed, location, caveats: [[1, names], [2, names.map((name) => seededUuid(`${seed}:${name}`))]] }),
  /** Trusted Publishing: `[OIDCPublisher(id), ProjectID([ids]), Expiration(nbf + 900, nbf)]`. */
  trustedPublishing: (notBefore: number, seed = 'tp', location?: string) =>
    pypiToken({
      seed,
      location,
      caveats: [[4, seededUuid(`${seed}:publisher`), null], [2, [seededUuid(`${seed}:project`)]], [0, notBefore + 900, notBefore]],
    }),
  /** Legacy `{"version": 1, "permissions": "user"}` with Python's default separators. */
  legacyUser: (seed = 'legacy') => pypiToken({ seed, caveats: [], rawCaveats: ['{"version": 1, "permissions": "user"}'] }),
  legacyProject: (names: string[], seed = 'legacy-project') =>
    pypiToken({ seed, caveats: [], rawCaveats: [`{"version": 1, "permissions": {"projects": [${names.map((n) => JSON.stringify(n)).join(', ')}]}}`] }),
};

// --- GitHub / npm ------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table: number[] = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table.push(c >>> 0);
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const char of text) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ char.charCodeAt(0)) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: number): string {
  let out = '';
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out.padStart(6, '0');
}

/** `<prefix>` + 30 random base62 + base62(CRC-32 of those 30), as GitHub and npm build them. */
export function checksummedToken(prefix: string, seed: string): string {
  const random = seededAlnum(seed, 30);
  return `${prefix}${random}${toBase62(crc32(random))}`;
}

/** The same with the checksum broken (last character changed). */
export function badChecksumToken(prefix: string, seed: string): string {
  const token = checksummedToken(prefix, seed);
  const last = token[token.length - 1]!;
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

// --- JWTs --------------------------------------------------------------------------------------

export function jwt(payload: Record<string, unknown>, header: Record<string, unknown> = { typ: 'JWT', alg: 'RS256', kid: 'test-kid' }, seed = 'sig'): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${seededBytes(seed, 256).toString('base64url')}`;
}

export function githubOidcClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = 1_757_066_400;
  return {
    jti: seededUuid('jti'),
    sub: 'repo:octo-org/octo-repo:environment:pypi',
    aud: 'pypi',
    ref: 'refs/tags/v1.2.3',
    sha: 'e7d3fa1c0b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f',
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    repository_owner_id: '1234567',
    run_id: '17500000001',
    run_number: '42',
    run_attempt: '1',
    repository_visibility: 'public',
    repository_id: '7654321',
    actor_id: '111',
    actor: 'octocat',
    workflow: 'Release',
    head_ref: '',
    base_ref: '',
    event_name: 'push',
    ref_protected: 'false',
    ref_type: 'tag',
    workflow_ref: 'octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3',
    workflow_sha: 'e7d3fa1c0b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3',
    job_workflow_sha: 'e7d3fa1c0b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f',
    runner_environment: 'github-hosted',
    environment: 'pypi',
    iss: 'https://token.actions.githubusercontent.com',
    nbf: iat - 600,
    iat,
    exp: iat + 300,
    ...overrides,
  };
}

/** Random bytes, for noise that must not decode to text. */
export function randomBase64(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64').slice(0, length);
}
