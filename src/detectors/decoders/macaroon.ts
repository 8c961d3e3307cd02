import type { DecodedCredential } from '../detector.ts';

/**
 * Offline decoding of macaroons, the format of PyPI API tokens (`pypi-` + unpadded base64url of a
 * libmacaroons v2 binary macaroon, as pymacaroons serializes it for warehouse):
 *
 * ```
 * 0x02                                         version
 * [0x01 varint(len) location]                  optional
 *  0x02 varint(len) identifier
 *  0x00                                        end of section
 * { [0x01 len loc] 0x02 len caveat_id [0x04 len vid] 0x00 }*   caveats
 *  0x00                                        end of caveats
 *  0x06 varint(len) signature                  HMAC-SHA256 chain, 32 bytes
 * ```
 *
 * The v1 text format (base64 of `<4 hex length>key value\n` packets) is read too. Every function
 * here is total: malformed input gives `undefined`, never an exception.
 */

export interface MacaroonCaveat {
  /** The caveat predicate (warehouse: JSON). */
  identifier: Uint8Array;
  location?: string;
  /** Set for third-party caveats only. */
  verificationId?: Uint8Array;
}

export interface Macaroon {
  version: 1 | 2;
  location?: string;
  identifier: Uint8Array;
  caveats: MacaroonCaveat[];
  /** The HMAC chain. Anyone holding it can attenuate the token: never print it. */
  signature: Uint8Array;
}

const MAX_INPUT = 64 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Text of a byte field (identifiers, caveat predicates). */
export function bytesToText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/**
 * Decodes a serialized macaroon: `pypi-…`, bare base64url/base64 (padded or not), or the raw
 * bytes.
 */
export function decodeMacaroon(input: string | Uint8Array): Macaroon | undefined {
  try {
    const bytes = typeof input === 'string' ? base64Bytes(input.startsWith('pypi-') ? input.slice(5) : input) : input;
    if (bytes === undefined || bytes.length < 4 || bytes.length > MAX_INPUT) return undefined;
    if (bytes[0] === 2) return parseV2(bytes);
    return parseV1(bytes);
  } catch {
    return undefined;
  }
}

function base64Bytes(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > (MAX_INPUT * 4) / 3 + 4) return undefined;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  return new Uint8Array(Buffer.from(body, 'base64'));
}

// --- v2 -------------------------------------------------------------------------------------

const FIELD_EOS = 0;
const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;
const FIELD_VID = 4;
const FIELD_SIGNATURE = 6;

interface Field {
  type: number;
  data: Uint8Array;
}

class Reader {
  position = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  varint(): number | undefined {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.position >= this.bytes.length) return undefined;
      const byte = this.bytes[this.position++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  }

  peekType(): number | undefined {
    const saved = this.position;
    const type = this.varint();
    this.position = saved;
    return type;
  }

  /** A field, or `{ type: 0 }` for an end-of-section marker. */
  field(): Field | undefined {
    const type = this.varint();
    if (type === undefined) return undefined;
    if (type === FIELD_EOS) return { type, data: new Uint8Array(0) };
    const length = this.varint();
    if (length === undefined || this.position + length > this.bytes.length) return undefined;
    const data = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return { type, data };
  }
}

function parseV2(bytes: Uint8Array): Macaroon | undefined {
  const reader = new Reader(bytes);
  reader.position = 1;
  let field = reader.field();
  let location: string | undefined;
  if (field?.type === FIELD_LOCATION) {
    location = bytesToText(field.data);
    field = reader.field();
  }
  if (field?.type !== FIELD_IDENTIFIER) return undefined;
  const identifier = field.data;
  if (reader.field()?.type !== FIELD_EOS) return undefined;

  const caveats: MacaroonCaveat[] = [];
  for (;;) {
    if (reader.done) return undefined;
    if (reader.peekType() === FIELD_EOS) {
      reader.field();
      break;
    }
    if (caveats.length >= 256) return undefined;
    let caveatField = reader.field();
    let caveatLocation: string | undefined;
    if (caveatField?.type === FIELD_LOCATION) {
      caveatLocation = bytesToText(caveatField.data);
      caveatField = reader.field();
    }
    if (caveatField?.type !== FIELD_IDENTIFIER) return undefined;
    const caveat: MacaroonCaveat = { identifier: caveatField.data };
    if (caveatLocation !== undefined) caveat.location = caveatLocation;
    let next = reader.field();
    if (next?.type === FIELD_VID) {
      caveat.verificationId = next.data;
      next = reader.field();
    }
    if (next?.type !== FIELD_EOS) return undefined;
    caveats.push(caveat);
  }
  const signature = reader.field();
  if (signature?.type !== FIELD_SIGNATURE || signature.data.length !== 32 || !reader.done) return undefined;
  const macaroon: Macaroon = { version: 2, identifier, caveats, signature: signature.data };
  if (location !== undefined) macaroon.location = location;
  return macaroon;
}

// --- v1 -------------------------------------------------------------------------------------

function parseV1(bytes: Uint8Array): Macaroon | undefined {
  // The v1 format is itself base64 of the packets; pymacaroons also accepts the raw packets.
  let packets = bytes;
  if (!isHexLength(packets, 0)) {
    const text = bytesToText(bytes);
    const inner = base64Bytes(text.trim());
    if (inner === undefined || !isHexLength(inner, 0)) return undefined;
    packets = inner;
  }
  let position = 0;
  let location: string | undefined;
  let identifier: Uint8Array | undefined;
  let signature: Uint8Array | undefined;
  const caveats: MacaroonCaveat[] = [];
  while (position < packets.length) {
    if (!isHexLength(packets, position)) return undefined;
    const length = Number.parseInt(String.fromCharCode(...packets.subarray(position, position + 4)), 16);
    if (length < 6 || position + length > packets.length || packets[position + length - 1] !== 0x0a) return undefined;
    const content = packets.subarray(position + 4, position + length - 1);
    position += length;
    const space = content.indexOf(0x20);
    if (space <= 0) return undefined;
    const key = bytesToText(content.subarray(0, space));
    const value = content.subarray(space + 1);
    switch (key) {
      case 'location':
        if (identifier !== undefined) return undefined;
        location = bytesToText(value);
        break;
      case 'identifier':
        identifier = value;
        break;
      case 'cid':
        if (caveats.length >= 256) return undefined;
        caveats.push({ identifier: value });
        break;
      case 'vid': {
        const last = caveats[caveats.length - 1];
        if (!last) return undefined;
        last.verificationId = value;
        break;
      }
      case 'cl': {
        const last = caveats[caveats.length - 1];
        if (!last) return undefined;
        last.location = bytesToText(value);
        break;
      }
      case 'signature':
        signature = value;
        break;
      default:
        return undefined;
    }
  }
  if (identifier === undefined || signature === undefined || signature.length !== 32) return undefined;
  const macaroon: Macaroon = { version: 1, identifier, caveats, signature };
  if (location !== undefined) macaroon.location = location;
  return macaroon;
}

function isHexLength(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  for (let index = at; index < at + 4; index++) {
    const c = bytes[index]!;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

// --- PyPI caveats ---------------------------------------------------------------------------

/** What warehouse's caveats say about a token (`warehouse/macaroons/caveats`). */
export interface PypiTokenInfo {
  location?: string;
  /** The token's database id (the macaroon identifier). */
  tokenId?: string;
  kind: 'user' | 'project' | 'trusted-publishing' | 'unrestricted';
  userId?: string;
  /** Legacy `{"permissions": "user"}`: every project of the owner, whose id the token does not hold. */
  ownerScoped?: boolean;
  projectNames: string[];
  projectIds: string[];
  publisherId?: string;
  /** Claims embedded in an `OIDCPublisher` caveat, if any (scalars only). */
  publisherClaims: Record<string, string | number | boolean>;
  /** Seconds since the epoch, from an `Expiration` caveat. */
  notBefore?: number;
  expiresAt?: number;
  /** Caveats written in the legacy mapping form (`{"version": 1, "permissions": …}`). */
  legacy: boolean;
  /** Caveats that are not JSON or have an unknown tag (still restrictions warehouse enforces). */
  unknownCaveats: number;
  caveatCount: number;
}

/** Reads warehouse's caveats: the list form `[tag, …fields]` and the legacy mapping forms. */
export function interpretPypiCaveats(macaroon: Macaroon): PypiTokenInfo {
  const info: PypiTokenInfo = {
    kind: 'unrestricted',
    projectNames: [],
    projectIds: [],
    publisherClaims: {},
    legacy: false,
    unknownCaveats: 0,
    caveatCount: macaroon.caveats.length,
  };
  if (macaroon.location !== undefined) info.location = macaroon.location;
  const tokenId = bytesToText(macaroon.identifier);
  if (/^[\x20-\x7e]{1,128}$/.test(tokenId)) info.tokenId = tokenId;

  for (const caveat of macaroon.caveats) {
    let value: unknown;
    try {
      value = JSON.parse(bytesToText(caveat.identifier));
    } catch {
      info.unknownCaveats++;
      continue;
    }
    if (!readCaveat(value, info)) info.unknownCaveats++;
  }

  if (info.publisherId !== undefined) info.kind = 'trusted-publishing';
  else if (info.projectNames.length > 0 || info.projectIds.length > 0) info.kind = 'project';
  else if (info.userId !== undefined || info.ownerScoped) info.kind = 'user';
  return info;
}

function readCaveat(value: unknown, info: PypiTokenInfo): boolean {
  if (Array.isArray(value)) {
    const [tag, ...fields] = value as unknown[];
    switch (tag) {
      case 0: {
        const [expiresAt, notBefore] = fields;
        if (typeof expiresAt !== 'number' || typeof notBefore !== 'number') return false;
        info.expiresAt = info.expiresAt === undefined ? expiresAt : Math.min(info.expiresAt, expiresAt);
        info.notBefore = info.notBefore === undefined ? notBefore : Math.max(info.notBefore, notBefore);
        return true;
      }
      case 1:
        return addStrings(fields[0], info.projectNames);
      case 2:
        return addStrings(fields[0], info.projectIds);
      case 3:
        if (typeof fields[0] !== 'string') return false;
        info.userId = fields[0];
        return true;
      case 4: {
        if (typeof fields[0] !== 'string') return false;
        info.publisherId = fields[0];
        const claims = fields[1];
        if (claims !== null && typeof claims === 'object' && !Array.isArray(claims)) {
          for (const [key, claim] of Object.entries(claims as Record<string, unknown>)) {
            if (typeof claim === 'string' || typeof claim === 'number' || typeof claim === 'boolean') info.publisherClaims[key] = claim;
          }
        }
        return true;
      }
      default:
        return false;
    }
  }
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (record.version === 1 && 'permissions' in record) {
    info.legacy = true;
    const permissions = record.permissions;
    if (permissions === 'user') {
      // Read by warehouse as "the user who uses it": no user id in the token.
      info.ownerScoped = true;
      return true;
    }
    if (permissions !== null && typeof permissions === 'object' && !Array.isArray(permissions)) {
      return addStrings((permissions as Record<string, unknown>).projects, info.projectNames);
    }
    return false;
  }
  if ('exp' in record && 'nbf' in record && typeof record.exp === 'number' && typeof record.nbf === 'number') {
    info.legacy = true;
    info.expiresAt = info.expiresAt === undefined ? record.exp : Math.min(info.expiresAt, record.exp);
    info.notBefore = info.notBefore === undefined ? record.nbf : Math.max(info.notBefore, record.nbf);
    return true;
  }
  if ('project_ids' in record) {
    info.legacy = true;
    return addStrings(record.project_ids, info.projectIds);
  }
  return false;
}

function addStrings(value: unknown, into: string[]): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item === 'string' && !into.includes(item)) into.push(item);
  return true;
}

/** Lifetime of a token minted by Trusted Publishing (`warehouse/oidc/views.py`: `expires_at = not_before + 900`). */
export const PYPI_MINTED_TOKEN_SECONDS = 900;

/** The decoded view of a PyPI token for findings. Holds ids and scopes, never the signature. */
export function pypiCredential(info: PypiTokenInfo): DecodedCredential {
  const index = info.location ?? 'an unknown index';
  const scope: string[] = [
    ...info.projectNames,
    ...info.projectIds.map((id) => `project-id:${id}`),
    ...(info.userId !== undefined ? [`user:${info.userId}`] : []),
  ];
  const claims: Record<string, string | number | boolean> = { kind: info.kind, caveats: info.caveatCount };
  if (info.location !== undefined) claims.location = info.location;
  if (info.tokenId !== undefined) claims.tokenId = info.tokenId;
  if (info.publisherId !== undefined) claims.publisherId = info.publisherId;
  if (info.legacy) claims.legacyCaveats = true;
  if (info.unknownCaveats > 0) claims.unknownCaveats = info.unknownCaveats;
  for (const [key, value] of Object.entries(info.publisherClaims)) claims[`publisher.${key}`] = value;

  let description: string;
  switch (info.kind) {
    case 'trusted-publishing':
      description = `upload token for ${index} minted by Trusted Publishing (OIDC publisher ${info.publisherId})`;
      break;
    case 'project':
      // UI tokens name each project twice (ProjectName and ProjectID caveats).
      description = `API token for ${index} scoped to ${plural(Math.max(info.projectNames.length, info.projectIds.length), 'project')}`;
      break;
    case 'user':
      description = `API token for ${index} scoped to every project of its owner`;
      break;
    default:
      description = `API token for ${index} without scope restrictions${info.unknownCaveats > 0 ? ' that can be read' : ''}`;
  }

  const credential: DecodedCredential = { description, lifetime: { kind: 'until-revoked' } };
  if (info.expiresAt !== undefined) {
    const lifetime: DecodedCredential['lifetime'] = { kind: 'window', expiresAt: new Date(info.expiresAt * 1000) };
    if (info.notBefore !== undefined) {
      lifetime.notBefore = new Date(info.notBefore * 1000);
      claims.lifetimeSeconds = info.expiresAt - info.notBefore;
    }
    claims.expiresAt = info.expiresAt;
    if (info.notBefore !== undefined) claims.notBefore = info.notBefore;
    credential.lifetime = lifetime;
  } else if (info.kind === 'trusted-publishing') {
    // Minted tokens always carry an Expiration caveat; without one, say what warehouse documents.
    credential.lifetime = { kind: 'unknown' };
    credential.maxLifetimeSeconds = PYPI_MINTED_TOKEN_SECONDS;
  }
  if (scope.length > 0) credential.scope = scope;
  credential.claims = claims;
  return credential;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
