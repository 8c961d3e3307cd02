import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBase64Text,
  encodedSpan,
  expandBase64,
  findBase64Runs,
  isBase64Noise,
} from '../../src/detectors/decoders/base64.ts';
import { decodeJwt, jwtCredential } from '../../src/detectors/decoders/jwt.ts';
import { bytesToText, decodeMacaroon, interpretPypiCaveats, pypiCredential } from '../../src/detectors/decoders/macaroon.ts';
import { base62, crc32, hasValidChecksum } from '../../src/detectors/shared/checksum.ts';
import {
  checksummedToken,
  githubOidcClaims,
  jwt,
  macaroonSignature,
  macaroonV1,
  macaroonV2Bytes,
  pyJson,
  pypi,
  randomBase64,
  seededBytes,
  seededUuid,
} from './builders.ts';

describe('macaroon decoder', () => {
  it('round-trips a v2 macaroon and its HMAC chain', () => {
    const rootKey = seededBytes('root', 32);
    const identifier = seededUuid('id');
    const caveats = [pyJson([1, ['octo']]), pyJson([2, [seededUuid('p')]])];
    const bytes = macaroonV2Bytes({ location: 'pypi.org', identifier, rootKey, caveats });
    const macaroon = decodeMacaroon(`pypi-${bytes.toString('base64url')}`);
    assert.ok(macaroon);
    assert.equal(macaroon.version, 2);
    assert.equal(macaroon.location, 'pypi.org');
    assert.equal(bytesToText(macaroon.identifier), identifier);
    assert.deepEqual(macaroon.caveats.map((c) => bytesToText(c.identifier)), caveats);
    const expected = macaroonSignature(rootKey, new TextEncoder().encode(identifier), caveats.map((c) => new TextEncoder().encode(c)));
    assert.deepEqual(Buffer.from(macaroon.signature), expected);
    // Same result from raw bytes, padded standard base64, and unpadded base64url.
    assert.deepEqual(decodeMacaroon(bytes)?.caveats.length, 2);
    assert.deepEqual(decodeMacaroon(bytes.toString('base64'))?.caveats.length, 2);
  });

  it('reads caveat locations and verification ids (third-party caveats)', () => {
    const bytes = macaroonV2Bytes({ location: 'a', identifier: 'id', rootKey: seededBytes('k', 32), caveats: ['first', 'second'], caveatLocations: [undefined, 'https://third.example'] });
    const macaroon = decodeMacaroon(bytes);
    assert.equal(macaroon?.caveats[1]?.location, 'https://third.example');
  });

  it('reads the v1 text format', () => {
    const token = macaroonV1({ location: 'pypi.org', identifier: seededUuid('v1'), rootKey: seededBytes('v1', 32), caveats: ['{"version": 1, "permissions": "user"}'] });
    const macaroon = decodeMacaroon(token);
    assert.equal(macaroon?.version, 1);
    assert.equal(macaroon?.location, 'pypi.org');
    assert.equal(interpretPypiCaveats(macaroon!).kind, 'user');
  });

  it('builds tokens of the lengths warehouse produces (research notes §2.4)', () => {
    // Measured on tokens made with pymacaroons the way warehouse does: user 179, legacy user 172,
    // Trusted Publishing (1 project) 285, test.pypi.org user 185.
    assert.equal(pypi.user().length, 179);
    assert.equal(pypi.legacyUser().length, 172);
    assert.equal(pypi.trustedPublishing(1_795_344_668).length, 285);
    assert.equal(pypi.user('u', 'test.pypi.org').length, 185);
    assert.ok(pypi.user().startsWith('pypi-AgEIcHlwaS5vcmcCJ'));
    assert.ok(pypi.user('u', 'test.pypi.org').startsWith('pypi-AgENdGVzdC5weXBpLm9yZw'));
  });

  it('interprets warehouse caveats', () => {
    const user = interpretPypiCaveats(decodeMacaroon(pypi.user('seed'))!);
    assert.equal(user.kind, 'user');
    assert.equal(user.userId, seededUuid('seed:user'));

    const project = interpretPypiCaveats(decodeMacaroon(pypi.project(['octo', 'octo-cli']))!);
    assert.equal(project.kind, 'project');
    assert.deepEqual(project.projectNames, ['octo', 'octo-cli']);
    assert.equal(project.projectIds.length, 2);
    assert.match(pypiCredential(project).description, /scoped to 2 projects/);

    const minted = interpretPypiCaveats(decodeMacaroon(pypi.trustedPublishing(1_795_344_668, 'tp'))!);
    assert.equal(minted.kind, 'trusted-publishing');
    assert.equal(minted.publisherId, seededUuid('tp:publisher'));
    assert.equal(minted.notBefore, 1_795_344_668);
    assert.equal(minted.expiresAt, 1_795_344_668 + 900);
    const credential = pypiCredential(minted);
    assert.deepEqual(credential.lifetime, { kind: 'window', notBefore: new Date(1_795_344_668_000), expiresAt: new Date(1_795_345_568_000) });
    assert.deepEqual(credential.scope, [`project-id:${seededUuid('tp:project')}`]);
    assert.equal(credential.claims?.lifetimeSeconds, 900);

    const legacy = interpretPypiCaveats(decodeMacaroon(pypi.legacyProject(['a', 'b']))!);
    assert.equal(legacy.kind, 'project');
    assert.equal(legacy.legacy, true);
    assert.deepEqual(legacy.projectNames, ['a', 'b']);
  });

  it('reads legacy expiry and project-id mappings, OIDC claims, and counts unknown caveats', () => {
    const token = `pypi-${macaroonV2Bytes({
      location: 'pypi.org',
      identifier: 'x',
      rootKey: seededBytes('k', 32),
      caveats: ['{"exp": 200, "nbf": 100}', '{"project_ids": ["p1"]}', pyJson([4, 'pub', { ref: 'refs/tags/v1', sha: 'abc' }]), 'not json', pyJson([99, 'future'])],
    }).toString('base64url')}`;
    const info = interpretPypiCaveats(decodeMacaroon(token)!);
    assert.equal(info.kind, 'trusted-publishing');
    assert.equal(info.expiresAt, 200);
    assert.equal(info.notBefore, 100);
    assert.deepEqual(info.projectIds, ['p1']);
    assert.deepEqual(info.publisherClaims, { ref: 'refs/tags/v1', sha: 'abc' });
    assert.equal(info.unknownCaveats, 2);
    assert.equal(pypiCredential(info).claims?.['publisher.ref'], 'refs/tags/v1');
  });

  it('never returns the signature in the decoded credential', () => {
    const token = pypi.project(['octo']);
    const macaroon = decodeMacaroon(token)!;
    const text = JSON.stringify(pypiCredential(interpretPypiCaveats(macaroon)));
    assert.ok(!text.includes(Buffer.from(macaroon.signature).toString('hex')));
    assert.ok(!text.includes(Buffer.from(macaroon.signature).toString('base64url')));
  });

  it('rejects malformed input without throwing', () => {
    for (const input of ['', 'pypi-', 'pypi-!!!', 'pypi-AgEIcHlwaS5vcmc', 'AA', pypi.user().slice(0, -10), `${pypi.user()}AAAA`, 'MDAxY2xvY2F0aW9u']) {
      assert.equal(decodeMacaroon(input), undefined, input);
    }
  });
});

describe('JWT decoder', () => {
  it('decodes GitHub OIDC claims into a lifetime window, scope and single use at PyPI', () => {
    const token = jwt(githubOidcClaims());
    const decoded = decodeJwt(token);
    assert.ok(decoded);
    const credential = jwtCredential(decoded);
    assert.equal(credential.claims?.iss, 'https://token.actions.githubusercontent.com');
    assert.equal(credential.claims?.aud, 'pypi');
    assert.equal(credential.claims?.sub, 'repo:octo-org/octo-repo:environment:pypi');
    assert.equal(credential.claims?.environment, 'pypi');
    assert.equal(credential.claims?.event_name, 'push');
    assert.equal(credential.claims?.run_id, '17500000001');
    assert.equal(credential.claims?.ref, 'refs/tags/v1.2.3');
    assert.equal(credential.claims?.workflow_ref, 'octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3');
    assert.equal(credential.singleUse, true);
    assert.deepEqual(credential.scope, ['octo-org/octo-repo', 'environment:pypi']);
    assert.deepEqual(credential.lifetime, { kind: 'window', expiresAt: new Date((1_757_066_400 + 300) * 1000), notBefore: new Date((1_757_066_400 - 600) * 1000) });
  });

  it('is not single-use for audiences other than PyPI', () => {
    const credential = jwtCredential(decodeJwt(jwt(githubOidcClaims({ aud: 'sts.amazonaws.com' })))!);
    assert.equal(credential.singleUse, false);
  });

  it('handles array audiences, missing exp and other issuers', () => {
    const credential = jwtCredential(decodeJwt(jwt({ iss: 'https://idp.example', aud: ['a', 'b'] }))!);
    assert.equal(credential.claims?.aud, 'a,b');
    assert.deepEqual(credential.lifetime, { kind: 'unknown' });
    assert.match(credential.description, /issued by https:\/\/idp\.example/);
  });

  it('rejects what is not a JWT', () => {
    for (const input of ['', 'a.b.c', 'eyJ.eyJ.x', `${Buffer.from('[1]').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`, 'x'.repeat(10), 'a.b.c.d']) {
      assert.equal(decodeJwt(input), undefined, input);
    }
  });
});

describe('base64 runs', () => {
  it('finds runs of at least 40 characters with their padding', () => {
    const run = Buffer.from('a secret that is long enough to be a run').toString('base64');
    const text = `prefix ${run} suffix short=abc`;
    assert.deepEqual(findBase64Runs(text), [{ start: 7, end: 7 + run.length }]);
    assert.deepEqual(findBase64Runs('short words only, nothing long here at all'), []);
  });

  it('skips digests, integrity strings, git SHAs, identifiers and cache-key lines', () => {
    const hex = seededBytes('h', 32).toString('hex');
    const sri = seededBytes('s', 64).toString('base64');
    const noise = [
      `Digest: sha256:${hex}`,
      `integrity: sha512-${sri}`,
      `"integrity": "sha512-${sri}"`,
      `HEAD is now at ${hex.slice(0, 40)}`,
      `Cache restored from key: Linux-pip-${hex}`,
      `Cache saved with key: node-cache-Linux-x64-npm-${sri.replace(/[+/=]/g, '')}`,
      `AbstractSingletonProxyFactoryBeanFactoryManagerImpl`,
    ];
    for (const line of noise) {
      for (const run of findBase64Runs(line)) assert.ok(isBase64Noise(line, run.start, run.end), line);
    }
  });

  it('decodes text and rejects random bytes', () => {
    assert.equal(decodeBase64Text(Buffer.from('{"github_token":{"value":"x","isSecret":true}}').toString('base64')), '{"github_token":{"value":"x","isSecret":true}}');
    assert.equal(decodeBase64Text(Buffer.from('héllo wörld, ünïcode text').toString('base64')), 'héllo wörld, ünïcode text');
    for (let index = 0; index < 50; index++) assert.equal(decodeBase64Text(randomBase64(120)), undefined);
  });

  it('opens double base64 and maps decoded spans back to the input', () => {
    const token = checksummedToken('ghs_', 'map');
    const inner = `"github_token":{"value":"${token}","isSecret":true}\n`;
    const once = Buffer.from(inner).toString('base64');
    const twice = Buffer.from(once).toString('base64');
    const line = `2025-09-05T10:00:00.0230000Z ${twice}`;
    const layers = expandBase64(line);
    assert.deepEqual(layers.map((layer) => layer.depth), [1, 2]);
    assert.equal(layers[0]!.text, once);
    assert.equal(layers[1]!.text, inner);
    const at = inner.indexOf(token);
    const [start, end] = layers[1]!.toInput(at, at + token.length);
    assert.ok(start >= 29 && end <= line.length && start < end);
    // Decoding the mapped span (whole quanta at both levels) gives back text that holds the token.
    const outer = Buffer.from(line.slice(start, end), 'base64').toString('latin1');
    assert.ok(Buffer.from(outer.slice(outer.search(/[A-Za-z0-9+/]/)), 'base64').toString('latin1').length > 0);
    assert.ok(end - start < twice.length);
  });

  it('maps exact quanta for single base64', () => {
    const text = 'abc' + 'SECRET' + 'xyz';
    const run = Buffer.from(text).toString('base64');
    const [start, end] = encodedSpan(text, 10, 10 + run.length, 3, 9);
    assert.deepEqual([start, end], [14, 22]);
    assert.equal(Buffer.from(run.slice(start - 10, end - 10), 'base64').toString(), 'SECRET');
  });
});

describe('token checksums', () => {
  it('validates the CRC-32/base62 checksum', () => {
    const token = checksummedToken('ghp_', 'x');
    assert.ok(hasValidChecksum(token.slice(4)));
    assert.equal(base62(0), '000000');
    assert.equal(crc32('123456789'), 0xcbf43926); // the standard CRC-32 check value
  });

  it('agrees with the example of an independent implementation (base62-token.js README)', () => {
    // "ex: ghp_ + zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ + 0mLq17" from therootcompany/base62-token.js.
    assert.ok(hasValidChecksum('zQWBuTSOoRi4A9spHcVY5ncnsDkxkJ0mLq17'));
  });
});
