import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detectors } from '../../src/detectors/index.ts';
import { Prefilter, loadPrefilterModule, type PrefilterKeyword } from '../../src/detectors/prefilter/index.ts';
import { windowHash } from '../../src/detectors/prefilter/program.ts';
import { HAS_KEYWORD, HAS_RUN, LineScanner, MARKER, type LineCandidates } from '../../src/detectors/scanner.ts';
import { checksummedToken, githubOidcClaims, jwt, pypi, seededAlnum } from './builders.ts';

/**
 * The WebAssembly prefilter against plain JavaScript: its hits are exactly those of a direct
 * search (every keyword once per line, at its first place; every base64 run the scanner could
 * decode), and a log read through it gives the same findings as a log read line by line.
 */

const RUNS = Number(process.env.CORDON_FUZZ_RUNS ?? process.env.FC_RUNS ?? 300);

const loaded = loadPrefilterModule();
if ('error' in loaded) throw new Error(`the prefilter must load in tests: ${loaded.error}`);
const module = loaded.module;

// --- the reference: what the prefilter must report, computed the obvious way ---------------------

const BASE64 = /[A-Za-z0-9+/]/;

function mayBeText(bytes: Buffer, start: number, end: number): boolean {
  const head = Buffer.from(bytes.toString('latin1', start, start + (Math.min(end - start, 64) & ~3)), 'base64');
  let pending = 0;
  for (const byte of head) {
    if (pending > 0) {
      if ((byte & 0xc0) !== 0x80) return false;
      pending--;
    } else if (byte < 0x80) {
      if ((byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 13) || byte === 0x7f) return false;
    } else if (byte >= 0xc2 && byte <= 0xdf) pending = 1;
    else if (byte >= 0xe0 && byte <= 0xef) pending = 2;
    else if (byte >= 0xf0 && byte <= 0xf4) pending = 3;
    else return false;
  }
  return true;
}

function plainlyNoise(text: string): boolean {
  return /^[0-9a-fA-F]{24}/.test(text) || /^[A-Za-z]+$/.test(text);
}

/** Sorted `position:keyword:line:lineStart` strings, as the prefilter should report them. */
function expectedHits(bytes: Buffer, keywords: readonly PrefilterKeyword[], minRun: number): { hits: string[]; breaks: number } {
  const hits: string[] = [];
  const text = bytes.toString('latin1');
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((line, index) => {
    keywords.forEach((keyword, id) => {
      const at = keyword.ignoreCase ? line.toLowerCase().indexOf(keyword.text.toLowerCase()) : line.indexOf(keyword.text);
      if (at !== -1) hits.push(`${offset + at}:${id}:${index}:${offset}`);
    });
    if (minRun > 0) {
      for (let start = 0; start < line.length; ) {
        if (!BASE64.test(line[start]!)) {
          start++;
          continue;
        }
        let end = start;
        while (end < line.length && BASE64.test(line[end]!)) end++;
        const run = line.slice(start, end);
        if (end - start >= minRun && !plainlyNoise(run) && (start < 40 || mayBeText(bytes, offset + start, offset + end))) hits.push(`${offset + start}:-1:${index}:${offset}`);
        start = end;
      }
    }
    offset += line.length + 1;
  });
  return { hits: hits.sort(), breaks: lines.length - 1 };
}

function actualHits(prefilter: Prefilter, bytes: Buffer): { hits: string[]; breaks: number } {
  const hits: string[] = [];
  const breaks = prefilter.scan(bytes, (position, keyword, line, lineStart) => hits.push(`${position}:${keyword}:${line}:${lineStart}`));
  return { hits: hits.sort(), breaks };
}

// --- generators -----------------------------------------------------------------------------------

const KEYWORDS: PrefilterKeyword[] = [
  ...[...new Set(detectors.flatMap((detector) => detector.keywords))].map((text) => ({ text, ignoreCase: false })),
  { text: '##[group]Run ', ignoreCase: false },
  { text: 'Secret-Key', ignoreCase: true },
];

const textBase64 = fc.string({ unit: 'grapheme', minLength: 20, maxLength: 120 }).map((text) => Buffer.from(text).toString('base64'));
const randomBase64 = fc.uint8Array({ minLength: 20, maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const PIECES = [
  ...KEYWORDS.map((keyword) => keyword.text),
  'SECRET-KEY', 'secret-key', '2025-09-05T10:00:00.1234567Z ', '2025-09-05T10:00:00.1234567Z', '\n', '\r\n', '\n\n', ' ', '=', '==', 'é', '\u00ff',
  'deadbeefdeadbeefdeadbeefdeadbeef', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop', 'sha512-', '#',
];
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 2, arbitrary: textBase64 },
  { weight: 2, arbitrary: randomBase64 },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const block = fc.array(piece, { maxLength: 40 }).map((pieces) => Buffer.from(pieces.join('')));

describe('the WebAssembly prefilter', () => {
  it('hashes windows as program.ts does', () => {
    const prefilter = new Prefilter(module, KEYWORDS, { base64MinRun: 40 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (word) => {
        assert.equal(prefilter.hashOfWindow(word), windowHash(word));
      }),
      { numRuns: RUNS },
    );
  });

  it('reports exactly the keywords and runs a direct search finds, and counts line breaks', () => {
    const prefilters = new Map([8, 16, 40, 64].map((minRun) => [minRun, new Prefilter(module, KEYWORDS, { base64MinRun: minRun })]));
    fc.assert(
      fc.property(block, fc.constantFrom(8, 16, 40, 64), (bytes, minRun) => {
        assert.deepEqual(actualHits(prefilters.get(minRun)!, bytes), expectedHits(bytes, KEYWORDS, minRun));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('handles blocks of every length around its 32-byte steps, and keywords at both ends', () => {
    const prefilter = new Prefilter(module, KEYWORDS, { base64MinRun: 40 });
    const run = Buffer.from('a fairly ordinary sentence, encoded to base64 for the test').toString('base64');
    for (let length = 0; length <= 160; length++) {
      for (const fill of ['x', run, 'ghp_', '\n']) {
        const bytes = Buffer.from(fill.repeat(Math.ceil(length / Math.max(1, fill.length)) + 1).slice(0, length));
        assert.deepEqual(actualHits(prefilter, bytes), expectedHits(bytes, KEYWORDS, 40), `${JSON.stringify(fill)} × ${length}`);
      }
    }
  });

  it('finds runs at every offset and length around the minimum, inside a step or across steps', () => {
    const text = Buffer.from('plain words, then more plain words: enough text for every run length here').toString('base64');
    for (const minRun of [8, 16, 40]) {
      const prefilter = new Prefilter(module, KEYWORDS, { base64MinRun: minRun });
      for (let length = minRun - 1; length <= minRun + 17; length++) {
        for (let offset = 0; offset < 40; offset++) {
          const bytes = Buffer.from(`${' '.repeat(offset)}${text.slice(0, length)} .`);
          assert.deepEqual(actualHits(prefilter, bytes), expectedHits(bytes, KEYWORDS, minRun), `min ${minRun}, run of ${length} at ${offset}`);
        }
      }
    }
  });

  it('resumes a scan when its hit buffer is full', () => {
    const prefilter = new Prefilter(module, KEYWORDS, { base64MinRun: 40 });
    const bytes = Buffer.from('pypi- eyJ ghp_ AKIA xox sk-\n'.repeat(5000));
    const { hits, breaks } = actualHits(prefilter, bytes);
    assert.equal(breaks, 5000);
    assert.equal(hits.length, 6 * 5000);
    assert.deepEqual({ hits, breaks }, expectedHits(bytes, KEYWORDS, 40));
  });

  it('rejects keywords it cannot search for', () => {
    assert.throws(() => new Prefilter(module, [{ text: 'ab', ignoreCase: false }], { base64MinRun: 40 }), /3 to 255 characters/);
    assert.throws(() => new Prefilter(module, [{ text: 'pypi—', ignoreCase: false }], { base64MinRun: 40 }), /printable ASCII/);
    const many = Array.from({ length: 129 }, (_, index) => ({ text: `kw${index}x`, ignoreCase: false }));
    assert.throws(() => new Prefilter(module, many, { base64MinRun: 40 }), /at most 128/);
  });

  it('plans the same program for the same keywords, each keyword known by a window of its own', () => {
    const first = new Prefilter(module, KEYWORDS, { base64MinRun: 40 }).program;
    assert.deepEqual(new Prefilter(module, KEYWORDS, { base64MinRun: 40 }).program.bytes, first.bytes);
    assert.deepEqual([...first.keywordOfRecord].sort((a, b) => a - b), KEYWORDS.map((_, index) => index));
    KEYWORDS.forEach((keyword, index) => assert.ok(first.windows[index]! + 3 <= keyword.text.length, keyword.text));
  });
});

// --- the scanner with and without it ----------------------------------------------------------------

const TIME = '2025-09-05T10:00:00.1234567Z ';
const CREDENTIALS = [
  pypi.user('a'),
  checksummedToken('ghp_', 'b'),
  checksummedToken('npm_', 'c'),
  jwt(githubOidcClaims({ run_id: '7' })),
  `AKIA${seededAlnum('d', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
  'postgres://app:Sup3rS3cretPw@db.prod.example.dev:5432/app',
  `xoxb-1234567890-1234567890123-${seededAlnum('e', 24)}`,
];
const dump = (token: string) => Buffer.from(Buffer.from(`"SECRET":{"value":"${token}","isSecret":true}\n`).toString('base64')).toString('base64');
const logLine = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }) },
  { weight: 2, arbitrary: fc.constantFrom(...CREDENTIALS).map((token) => `token=${token}`) },
  { weight: 1, arbitrary: fc.constantFrom(...CREDENTIALS).map(dump) },
  { weight: 1, arbitrary: textBase64 },
  { weight: 1, arbitrary: randomBase64 },
  { weight: 1, arbitrary: fc.constantFrom('-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', '-----END RSA PRIVATE KEY-----', '##[group]Run make release', 'café ☕ ghp_', '') },
);
const log = fc.array(fc.tuple(fc.boolean(), logLine), { maxLength: 40 }).map((lines) => lines.map(([stamped, line]) => (stamped ? TIME + line : line)));

describe('LineScanner.candidates', () => {
  it('a log read through the prefilter gives the findings of a log read line by line', () => {
    fc.assert(
      fc.property(log, (lines) => {
        const everyLine = new LineScanner();
        const expected = [...lines.flatMap((line) => everyLine.push(line)), ...everyLine.flush()];

        const skipping = new LineScanner();
        const bytes = Buffer.from(lines.join('\n'));
        const found: LineCandidates = { index: [], start: [], reason: [] };
        const breaks = skipping.candidates(bytes, found, ['##[group]Run ']);
        assert.equal(breaks, Math.max(0, lines.length - 1));
        const actual = [];
        let next = 0;
        for (let index = 0; index < lines.length; index++) {
          while (next < found.index.length && found.index[next]! < index) next++;
          const reason = next < found.index.length && found.index[next] === index ? found.reason[next]! : 0;
          if (skipping.inBlock) actual.push(...skipping.pushAt(index + 1, lines[index]!));
          else if ((reason & (HAS_KEYWORD | HAS_RUN)) !== 0) actual.push(...skipping.pushAt(index + 1, lines[index]!, reason));
          if ((reason & MARKER) !== 0) assert.ok(lines[index]!.includes('##[group]Run '));
        }
        actual.push(...skipping.flush());
        const key = (match: { detector: string; line: number; endLine: number; start: number; end: number; fingerprint: string; encoding: string }) =>
          `${match.line}:${match.start}-${match.endLine}:${match.end} ${match.detector} ${match.encoding} ${match.fingerprint}`;
        assert.deepEqual(actual.map(key), expected.map(key));
      }),
      { numRuns: RUNS },
    );
  });
});
