// Synthetic credentials in the real formats, drawn from the benchmark's seeded PRNG. Nothing here
// is a live credential: every byte comes from the PRNG, so the values are random, not anyone's.
//
// Formats (see the research notes, secrets-anchors.md §1–§3):
// - PyPI: `pypi-` + unpadded base64url of a libmacaroons v2 binary macaroon, built the way
//   warehouse builds it (location, UUID identifier, JSON caveats, HMAC-SHA256 signature chain).
// - GitHub ghp_/gho_/ghu_/ghs_/ghr_ and npm_: prefix + 30 random base62 + base62(CRC32) in 6.
// - GitHub OIDC JWTs and the runner's system token: RS256-shaped JWTs with the documented claims
//   and a random 256-byte "signature".

import { createHmac } from 'node:crypto';
import { SeededRandom } from '../lib.mjs';

export const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const BASE62 = ALNUM; // GitHub's order: digits, upper, lower
export const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const HEX = '0123456789abcdef';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32, bench/lib.mjs)

export class Rng extends SeededRandom {
  shuffle(list) {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
  sample(list, n) {
    return this.shuffle(list).slice(0, n);
  }
  /** n characters from `alphabet` (at most 256 characters long). */
  str(alphabet, n) {
    const codes = new Array(n);
    const len = alphabet.length;
    for (let i = 0; i < n; i++) codes[i] = alphabet.charCodeAt((this.u32() % len) >>> 0);
    return String.fromCharCode.apply(null, codes);
  }
  hex(n) {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  bytes(n) {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      out[i] = v & 0xff;
      if (i + 1 < n) out[i + 1] = (v >>> 8) & 0xff;
      if (i + 2 < n) out[i + 2] = (v >>> 16) & 0xff;
      if (i + 3 < n) out[i + 3] = v >>> 24;
    }
    return out;
  }
  uuid() {
    const h = this.hex(32);
    const variant = '89ab'[this.u32() & 3];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  b64(nBytes) {
    return this.bytes(nBytes).toString('base64');
  }
  b64url(nBytes) {
    return this.bytes(nBytes).toString('base64url');
  }
}

// ---------------------------------------------------------------------------------------------
// Checksummed tokens (GitHub, npm)

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(text) {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function base62(value, width) {
  let out = '';
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/** prefix + 30 random base62 + 6-character base62 CRC32 of the 30 (GitHub 2021 format, npm_). */
export function checksummed(rng, prefix) {
  const body = rng.str(ALNUM, 30);
  return `${prefix}${body}${base62(crc32(body), 6)}`;
}

/** The same shape with a checksum that does not match (a look-alike, not a token). */
export function badChecksum(rng, prefix) {
  const body = rng.str(ALNUM, 30);
  const good = base62(crc32(body), 6);
  let bad = rng.str(ALNUM, 6);
  if (bad === good) bad = `${bad.slice(0, 5)}${bad[5] === 'a' ? 'b' : 'a'}`;
  return `${prefix}${body}${bad}`;
}

// ---------------------------------------------------------------------------------------------
// PyPI macaroons (libmacaroons v2 binary, as pymacaroons serializes it for warehouse)

function varint(n) {
  const out = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function field(type, data) {
  return Buffer.concat([Buffer.from([type, ...varint(data.length)]), data]);
}

const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/**
 * `pypi-` + base64url(v2 macaroon): location, identifier (the token's database UUID), first-party
 * caveats (JSON), signature = HMAC chain from the derived root key, as pymacaroons computes it.
 */
export function pypiToken(rng, { location = 'pypi.org', caveats }) {
  const identifier = rng.uuid();
  const rootKey = rng.bytes(32);
  let sig = hmac(hmac('macaroons-key-generator', rootKey), identifier);
  const parts = [Buffer.from([0x02]), field(0x01, Buffer.from(location)), field(0x02, Buffer.from(identifier)), Buffer.from([0x00])];
  for (const caveat of caveats) {
    parts.push(field(0x02, Buffer.from(caveat)), Buffer.from([0x00]));
    sig = hmac(sig, caveat);
  }
  parts.push(Buffer.from([0x00]), field(0x06, sig));
  return `pypi-${Buffer.concat(parts).toString('base64url')}`;
}

/** Caveats as warehouse serializes them: json.dumps([tag, *fields], sort_keys=True, separators=(",", ":")). */
export const caveat = {
  expiration: (expiresAt, notBefore) => `[0,${expiresAt},${notBefore}]`,
  projectNames: (names) => `[1,${JSON.stringify(names)}]`,
  projectIds: (ids) => `[2,${JSON.stringify(ids)}]`,
  requestUser: (userId) => `[3,${JSON.stringify(userId)}]`,
  oidcPublisher: (publisherId) => `[4,${JSON.stringify(publisherId)},null]`,
  // Legacy caveats, still accepted (json.dumps with default separators).
  legacyUser: () => '{"version": 1, "permissions": "user"}',
  legacyProjects: (names) => `{"version": 1, "permissions": {"projects": [${names.map((n) => JSON.stringify(n)).join(', ')}]}}`,
};

export function pypiVariant(rng, variant, { nowSeconds, projects }) {
  switch (variant) {
    case 'user':
      return pypiToken(rng, { caveats: [caveat.requestUser(rng.uuid())] });
    case 'legacy-user':
      return pypiToken(rng, { caveats: [caveat.legacyUser()] });
    case 'project':
      return pypiToken(rng, { caveats: [caveat.projectNames(projects), caveat.projectIds(projects.map(() => rng.uuid()))] });
    case 'legacy-project':
      return pypiToken(rng, { caveats: [caveat.legacyProjects(projects)] });
    case 'trusted-publishing':
      // warehouse/oidc/views.py mint_token: publisher, project ids, 900 s expiry.
      return pypiToken(rng, {
        caveats: [caveat.oidcPublisher(rng.uuid()), caveat.projectIds(projects.map(() => rng.uuid())), caveat.expiration(nowSeconds + 900, nowSeconds)],
      });
    case 'testpypi-user':
      return pypiToken(rng, { location: 'test.pypi.org', caveats: [caveat.requestUser(rng.uuid())] });
    case 'testpypi-trusted-publishing':
      return pypiToken(rng, {
        location: 'test.pypi.org',
        caveats: [caveat.oidcPublisher(rng.uuid()), caveat.projectIds(projects.map(() => rng.uuid())), caveat.expiration(nowSeconds + 900, nowSeconds)],
      });
    default:
      throw new Error(`unknown PyPI variant ${variant}`);
  }
}

// ---------------------------------------------------------------------------------------------
// JWTs

const b64urlJson = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function jwt(rng, header, payload) {
  return `${b64urlJson(header)}.${b64urlJson(payload)}.${rng.b64url(256)}`;
}

/** A GitHub Actions OIDC ID token with the documented claim set (docs sample order). */
export function githubOidcJwt(rng, { nowSeconds, repo, owner, workflowFile, environment, eventName = 'push', ref = 'refs/heads/main', audience = 'pypi' }) {
  const sha = rng.hex(40);
  const iat = nowSeconds;
  const claims = {
    jti: rng.uuid(),
    sub: environment ? `repo:${owner}/${repo}:environment:${environment}` : `repo:${owner}/${repo}:ref:${ref}`,
    ...(environment ? { environment } : {}),
    aud: audience,
    ref,
    sha,
    repository: `${owner}/${repo}`,
    repository_owner: owner,
    actor_id: String(rng.int(1000, 99_999_999)),
    repository_visibility: 'public',
    repository_id: String(rng.int(100_000_000, 999_999_999)),
    repository_owner_id: String(rng.int(1000, 199_999_999)),
    run_id: String(rng.int(10_000_000_000, 19_999_999_999)),
    run_number: String(rng.int(1, 3000)),
    run_attempt: String(rng.int(1, 3)),
    runner_environment: 'github-hosted',
    actor: owner,
    workflow: 'Release',
    head_ref: '',
    base_ref: '',
    event_name: eventName,
    ref_protected: 'false',
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    workflow_ref: `${owner}/${repo}/.github/workflows/${workflowFile}@${ref}`,
    workflow_sha: sha,
    job_workflow_ref: `${owner}/${repo}/.github/workflows/${workflowFile}@${ref}`,
    job_workflow_sha: sha,
    check_run_id: String(rng.int(30_000_000_000, 49_999_999_999)),
    iss: 'https://token.actions.githubusercontent.com',
    nbf: iat - 600,
    exp: iat + 300,
    iat,
  };
  return jwt(rng, { typ: 'JWT', alg: 'RS256', x5t: rng.b64url(20), kid: rng.hex(40).toUpperCase() }, claims);
}

/**
 * The runner's system token (ACTIONS_RUNTIME_TOKEN; ACTIONS_ID_TOKEN_REQUEST_TOKEN carries the
 * same value): a JWT from the Actions token service with scopes for the run.
 */
export function actionsRuntimeToken(rng, { nowSeconds, owner, repo }) {
  const orch = rng.uuid();
  const claims = {
    nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    scp: `Actions.ExampleScope Actions.Results:${rng.uuid()}:${rng.uuid()}`,
    IdentityTypeClaim: 'System:ServiceIdentity',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/sid': 'DDDDDDDD-DDDD-DDDD-DDDD-DDDDDDDDDDDD',
    'http://schemas.microsoft.com/ws/2008/06/identity/claims/primarysid': 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    aui: rng.uuid(),
    sid: rng.uuid(),
    ac: `[{"Scope":"refs/heads/main","Permission":3}]`,
    acsl: '10',
    orchid: `${orch}.build.__default`,
    repository: `${owner}/${repo}`,
    iss: 'vstoken.actions.githubusercontent.com',
    aud: `vstoken.actions.githubusercontent.com|vso:${rng.uuid()}`,
    nbf: nowSeconds - 60,
    exp: nowSeconds + 6 * 3600 + 900,
  };
  return jwt(rng, { typ: 'JWT', alg: 'RS256', x5t: rng.b64url(20), kid: rng.hex(40).toUpperCase() }, claims);
}

/** The jwt.io documentation example (HS256, "your-256-bit-secret"): a look-alike, not a credential. */
export const JWT_IO_EXAMPLE =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

// ---------------------------------------------------------------------------------------------
// Other prefixed formats

export const other = {
  githubFineGrained: (rng) => `github_pat_11${rng.str(UPPER_ALNUM, 20)}_${rng.str(ALNUM, 59)}`,
  awsKeyId: (rng, prefix = 'AKIA') => `${prefix}${rng.str(BASE32, 16)}`,
  awsSecret: (rng) => rng.str(B64, 40),
  awsSessionToken: (rng) => `IQoJb3JpZ2luX2Vj${rng.str(B64, rng.int(400, 700))}`,
  dockerPat: (rng) => `dckr_pat_${rng.str(`${ALNUM}_-`, 27)}`,
  cloudflareToken: (rng) => rng.str(`${ALNUM}_-`, 40),
  cloudflareGlobalKey: (rng) => rng.hex(37),
  gitlabPat: (rng) => `glpat-${rng.str(`${ALNUM}_-`, 20)}`,
  gitlabJobToken: (rng) => `glcbt-${rng.str(HEX, 2)}_${rng.str(`${ALNUM}_-`, 20)}`,
  slackBot: (rng) => `xoxb-${rng.str('0123456789', rng.int(10, 13))}-${rng.str('0123456789', 13)}-${rng.str(ALNUM, 24)}`,
  slackWebhook: (rng) => `https://hooks.slack.com/services/T${rng.str(UPPER_ALNUM, 10)}/B${rng.str(UPPER_ALNUM, 10)}/${rng.str(ALNUM, 24)}`,
  openaiProject: (rng) => `sk-proj-${rng.str(`${ALNUM}_-`, 74)}T3BlbkFJ${rng.str(`${ALNUM}_-`, 74)}`,
  openaiLegacy: (rng) => `sk-${rng.str(ALNUM, 20)}T3BlbkFJ${rng.str(ALNUM, 20)}`,
  anthropic: (rng) => `sk-ant-api03-${rng.str(`${ALNUM}_-`, 93)}AA`,
};

/** A private-key PEM block (lines without timestamps). The body is random DER-looking bytes. */
export function privateKeyPem(rng, type) {
  let label;
  let body;
  let width = 64;
  switch (type) {
    case 'rsa':
      label = 'RSA PRIVATE KEY';
      body = Buffer.concat([Buffer.from('308204a40201000282010100', 'hex'), rng.bytes(1180)]);
      break;
    case 'pkcs8':
      label = 'PRIVATE KEY';
      body = Buffer.concat([Buffer.from('308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100', 'hex'), rng.bytes(1180)]);
      break;
    case 'ec':
      label = 'EC PRIVATE KEY';
      body = Buffer.concat([Buffer.from('30770201010420', 'hex'), rng.bytes(32), Buffer.from('a00a06082a8648ce3d030107a144034200', 'hex'), rng.bytes(65)]);
      break;
    case 'openssh':
      label = 'OPENSSH PRIVATE KEY';
      width = 70;
      body = Buffer.concat([Buffer.from('openssh-key-v1\0'), Buffer.from('000000046e6f6e65000000046e6f6e650000000000000001000000330000000b7373682d6564323535313900000020', 'hex'), rng.bytes(260)]);
      break;
    default:
      throw new Error(`unknown key type ${type}`);
  }
  const b64 = body.toString('base64');
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  lines.push(`-----END ${label}-----`);
  return lines;
}
