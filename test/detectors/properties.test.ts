import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64Text, expandBase64, findBase64Runs } from '../../src/detectors/decoders/base64.ts';
import { decodeJwt, jwtCredential } from '../../src/detectors/decoders/jwt.ts';
import { decodeMacaroon, interpretPypiCaveats, pypiCredential } from '../../src/detectors/decoders/macaroon.ts';
import { detectors } from '../../src/detectors/index.ts';
import { LineScanner, scanLine } from '../../src/detectors/scanner.ts';
import { checksummedToken, githubOidcClaims, jwt, macaroonV2Bytes, pypi, seededAlnum, seededBytes } from './builders.ts';

const RUNS = Number(process.env.FC_RUNS ?? 300);

/** Pieces that steer random strings into the scanner's candidate paths. */
const FRAGMENTS = [
  ...new Set(detectors.flatMap((detector) => detector.keywords)),
  'pypi-AgEIcHlwaS5vcmc', 'pypi-AgENdGVzdC5weXBpLm9yZw', 'eyJhbGciOiJSUzI1NiJ9.', '.eyJ', '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----', '\\n', '{"value":"', '","isSecret":true}', 'postgres://u:', '@db.example.dev/', '=', '"', ':',
  'AKIAABCDEFGHIJKLMNOP', 'ghs_1_', 'ACTIONS_RUNTIME_TOKEN=', 'SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IHRleHQ=', 'sha512-', ' ',
];
const tokenish = fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), fc.string({ maxLength: 60 })), { maxLength: 12 }).map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 200 }), tokenish);

describe('properties: nothing throws', () => {
  it('scanLine and LineScanner accept any text', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 6 }), (lines) => {
        const scanner = new LineScanner();
        for (const line of lines) {
          for (const match of scanLine(line)) {
            assert.ok(match.start >= 0 && match.start <= match.end && match.end <= line.length);
            assert.ok(match.secret.length > 0);
          }
          scanner.push(line);
        }
        scanner.flush();
      }),
      { numRuns: RUNS },
    );
  });

  it('every detector hook accepts any string', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.nat(500), (secret, line, start) => {
        for (const detector of detectors) {
          detector.validate?.(secret, line, start);
          detector.decode?.(secret, { line, start, end: start + secret.length });
          detector.confidence?.(secret, { line, start, end: start + secret.length });
          detector.unescape?.(secret);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the decoders are total on strings and bytes', () => {
    fc.assert(
      fc.property(anyText, fc.uint8Array({ maxLength: 600 }), (text, bytes) => {
        const macaroon = decodeMacaroon(text) ?? decodeMacaroon(bytes) ?? decodeMacaroon(`pypi-${Buffer.from(bytes).toString('base64url')}`);
        if (macaroon) pypiCredential(interpretPypiCaveats(macaroon));
        const decoded = decodeJwt(text);
        if (decoded) jwtCredential(decoded);
        decodeBase64Text(text);
        decodeBase64Text(Buffer.from(bytes).toString('base64'));
        expandBase64(text);
        findBase64Runs(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated real tokens decode or are rejected, never throw', () => {
    const samples = [pypi.user(), pypi.trustedPublishing(1_795_344_668), jwt(githubOidcClaims())];
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (token, flips) => {
        const body = Buffer.from(token.startsWith('pypi-') ? token.slice(5) : token);
        for (const [at, value] of flips) body[at % body.length] = value;
        const mutated = token.startsWith('pypi-') ? `pypi-${body.toString('latin1')}` : body.toString('latin1');
        const macaroon = decodeMacaroon(mutated);
        if (macaroon) pypiCredential(interpretPypiCaveats(macaroon));
        const decoded = decodeJwt(mutated);
        if (decoded) jwtCredential(decoded);
        scanLine(mutated);
      }),
      { numRuns: RUNS },
    );
  });

  it('macaroons with arbitrary caveats decode to what was encoded', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ minLength: 1, maxLength: 40 }), fc.array(fc.string({ minLength: 1, maxLength: 80 }), { maxLength: 6 }), (location, identifier, caveats) => {
        const bytes = macaroonV2Bytes({ location, identifier, rootKey: seededBytes('k', 32), caveats });
        const macaroon = decodeMacaroon(bytes.toString('base64url'));
        assert.ok(macaroon);
        assert.equal(macaroon.location, location === '' ? undefined : location);
        assert.equal(Buffer.from(macaroon.identifier).toString(), identifier);
        assert.deepEqual(macaroon.caveats.map((c) => Buffer.from(c.identifier).toString()), caveats);
        interpretPypiCaveats(macaroon);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Noise that cannot glue onto a token: the planted token is always surrounded by spaces. */
const NOISE_UNIT = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.:/=,;"\'{}[]()@#*━é'.split(''));
const noise = fc.string({ unit: NOISE_UNIT, maxLength: 120 });

const PLANTS: Array<{ detector: string; make: (seed: string) => string }> = [
  { detector: 'pypi-token', make: (seed) => pypi.user(seed) },
  { detector: 'pypi-token', make: (seed) => pypi.project(['octo', seed.replace(/[^a-z0-9]/g, '') || 'p'], seed) },
  { detector: 'pypi-trusted-publishing-token', make: (seed) => pypi.trustedPublishing(1_700_000_000 + seed.length, seed) },
  { detector: 'testpypi-token', make: (seed) => pypi.user(seed, 'test.pypi.org') },
  { detector: 'github-pat', make: (seed) => checksummedToken('ghp_', seed) },
  { detector: 'github-app-installation-token', make: (seed) => checksummedToken('ghs_', seed) },
  { detector: 'github-oauth-token', make: (seed) => checksummedToken('gho_', seed) },
  { detector: 'npm-token', make: (seed) => checksummedToken('npm_', seed) },
  { detector: 'github-oidc-jwt', make: (seed) => jwt(githubOidcClaims({ run_id: seed }), undefined, seed) },
  { detector: 'jwt', make: (seed) => jwt({ iss: 'https://idp.example.dev', sub: seed, exp: 2_000_000_000 }, undefined, seed) },
  { detector: 'docker-hub-token', make: (seed) => `dckr_pat_${seededAlnum(seed, 27)}` },
  { detector: 'gitlab-pat', make: (seed) => `glpat-${seededAlnum(seed, 20)}` },
  { detector: 'aws-access-key-id', make: (seed) => `AKIA${seededAlnum(seed, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` },
  { detector: 'anthropic-api-key', make: (seed) => `sk-ant-api03-${seededAlnum(seed, 93)}AA` },
  { detector: 'openai-api-key', make: (seed) => `sk-proj-${seededAlnum(seed, 74)}T3BlbkFJ${seededAlnum(`${seed}2`, 74)}` },
  { detector: 'slack-token', make: (seed) => `xoxb-1234567890-1234567890123-${seededAlnum(seed, 24)}` },
];

describe('properties: planted credentials are found', () => {
  it('at their exact position in random noise', () => {
    fc.assert(
      fc.property(noise, noise, fc.constantFrom(...PLANTS), fc.string({ minLength: 1, maxLength: 8 }), (before, after, plant, seed) => {
        const token = plant.make(seed);
        const line = `${before} ${token} ${after}`;
        const start = before.length + 1;
        const match = scanLine(line).find((m) => m.start === start);
        assert.ok(match, `not found: ${plant.detector}`);
        assert.equal(match.detector, plant.detector);
        assert.equal(match.end, start + token.length);
        assert.equal(match.secret, token);
      }),
      { numRuns: RUNS },
    );
  });

  it('inside double base64 in random noise, within the encoded run', () => {
    fc.assert(
      fc.property(noise, noise, fc.constantFrom(...PLANTS), fc.string({ minLength: 1, maxLength: 8 }), (before, after, plant, seed) => {
        const token = plant.make(seed);
        const blob = Buffer.from(Buffer.from(`"SECRET":{"value":"${token}","isSecret":true}\n`).toString('base64')).toString('base64');
        const line = `${before} ${blob} ${after}`;
        const start = before.length + 1;
        const match = scanLine(line).find((m) => m.secret === token);
        assert.ok(match, `not found: ${plant.detector}`);
        assert.equal(match.detector, plant.detector);
        assert.equal(match.encoding, 'base64x2');
        assert.ok(match.start >= start && match.end <= start + blob.length && match.start < match.end);
      }),
      { numRuns: Math.max(50, RUNS / 3) },
    );
  });
});
