/**
 * Base64 runs in log text, decoded so the scanner can look inside them. GitHub masks every
 * registered secret and its base64 forms, but not base64 of base64: the tj-actions/changed-files
 * and Shai-Hulud payloads printed every secret as `… | base64 -w 0 | base64 -w 0`. A run is
 * decoded only when it is long (≥ 40 characters), is not a known kind of noise (hex digests, git
 * SHAs, `sha512-` integrity strings, cache keys), and decodes to text; the decoded text can be
 * decoded again, to a bounded depth.
 *
 * Everything here is total (no exceptions) and allocates nothing for lines without a long run.
 */

export const MIN_BASE64_RUN = 40;
/** Longer runs are not decoded (a whole-memory dump is a few hundred KiB). */
export const MAX_BASE64_RUN = 8 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 3;

/** Indexed by UTF-16 code unit (65,536 entries: no range check in the hot loop). */
const ALPHABET = new Uint8Array(65536);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

export interface Span {
  start: number;
  end: number;
}

/**
 * The first maximal run of standard base64 characters (with up to two `=` of padding) of at least
 * `minLength` characters that starts at or after `from`, written into `into`; false when there is
 * none. Probes one position in every `minLength` (a long run always covers one) and widens only
 * around probes that land in the alphabet, so a typical line costs a few reads; allocates nothing.
 */
export function nextBase64Run(text: string, from: number, minLength: number, into: Span): boolean {
  const step = Math.max(1, minLength);
  const length = text.length;
  let probe = from + step - 1;
  while (probe < length) {
    if (ALPHABET[text.charCodeAt(probe)] !== 1) {
      probe += step;
      continue;
    }
    let start = probe;
    while (start > from && ALPHABET[text.charCodeAt(start - 1)] === 1) start--;
    // A long enough run covers `need`; most probes land in a short word and stop here.
    const need = start + minLength - 1;
    if (need >= length) return false;
    if (ALPHABET[text.charCodeAt(need)] !== 1) {
      probe = need + step;
      continue;
    }
    let end = probe + 1;
    while (end < length && ALPHABET[text.charCodeAt(end)] === 1) end++;
    if (end - start >= minLength) {
      let padded = end;
      while (padded < length && padded - end < 2 && text.charCodeAt(padded) === 61) padded++;
      into.start = start;
      into.end = padded;
      return true;
    }
    probe = end + step;
  }
  return false;
}

/**
 * Calls `visit(start, end)` for every maximal run of standard base64 characters (with up to two
 * `=` of padding) of at least `minLength` characters.
 */
export function forEachBase64Run(text: string, minLength: number, visit: (start: number, end: number) => void): void {
  const run: Span = { start: 0, end: 0 };
  for (let from = 0; nextBase64Run(text, from, minLength, run); from = run.end) visit(run.start, run.end);
}

export function findBase64Runs(text: string, minLength = MIN_BASE64_RUN): Span[] {
  const runs: Span[] = [];
  forEachBase64Run(text, minLength, (start, end) => runs.push({ start, end }));
  return runs;
}

/** Lines whose long runs are cache keys and hashes (actions/cache and friends). */
const NOISE_LINE = /Cache (?:restored from key|saved with key|hit for|not found for input keys)|[Cc]ache[ -]key:|restore-keys/;

/**
 * Runs that are certainly not an encoded secret: hexadecimal (digests, git SHAs, hex keys),
 * letter-only identifiers, integrity and digest strings, and everything on a cache-key line.
 * Cheapest tests first: it runs for every long run of every line.
 */
export function isBase64Noise(text: string, start: number, end: number): boolean {
  // Hexadecimal: 24 hex digits in a row never happen in base64 of text (p ≈ 1e-11).
  if (end - start >= 24) {
    let index = start;
    const stop = start + 24;
    while (index < stop && (CLASS[text.charCodeAt(index)]! & HEX) !== 0) index++;
    if (index === stop) return true;
  }
  // `sha512-…` integrity strings, `sha256:…` digests.
  if (start > 0) {
    const separator = text.charCodeAt(start - 1);
    if (separator === 45 || separator === 58) {
      for (const prefix of DIGEST_NAMES) if (text.startsWith(prefix, start - 1 - prefix.length)) return true;
    }
  }
  // Letters only (identifiers, CamelCase words).
  let index = start;
  while (index < end && (CLASS[text.charCodeAt(index)]! & LETTER) !== 0) index++;
  if (index >= end) return true;
  return NOISE_LINE.test(text);
}

const DIGEST_NAMES = ['sha512', 'sha256', 'sha384', 'sha224', 'sha1', 'md5', 'SHA512', 'SHA256', 'SHA384', 'SHA1', 'MD5'];

/** Character classes for the noise tests, as bits: hexadecimal digit, ASCII letter. */
const HEX = 1;
const LETTER = 2;
const CLASS = new Uint8Array(65536);
for (const c of '0123456789abcdefABCDEF') CLASS[c.charCodeAt(0)]! |= HEX;
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') CLASS[c.charCodeAt(0)]! |= LETTER;

/** Whether decoded bytes look like text: at most 2% control characters besides tab and line breaks. */
function mostlyText(bytes: Uint8Array, from: number, to: number): boolean {
  let control = 0;
  for (let index = from; index < to; index++) {
    const b = bytes[index]!;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) control++;
  }
  return control <= (to - from) * 0.02;
}

/** `mostlyText` for bytes held as a Latin-1 string: the search is native, so long runs cost little. */
function mostlyTextLatin1(text: string): boolean {
  const limit = text.length * 0.02;
  let control = 0;
  CONTROL.lastIndex = 0;
  while (CONTROL.test(text)) if (++control > limit) return false;
  return true;
}

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*$/;
const HIGH_BYTE = /[\x80-\xff]/;

/**
 * The text a base64 run encodes, or `undefined` when it is not (mostly) printable UTF-8 text: at
 * most 2% control characters other than tab and line breaks, and valid UTF-8. The first 48 bytes
 * are checked before the rest is decoded, so random data is rejected cheaply. The whole-run tests
 * are regular expressions over the run and over its bytes as Latin-1: runs can be long.
 */
export function decodeBase64Text(encoded: string): string | undefined {
  return decode(encoded, true);
}

/** `decodeBase64Text` for a run as `nextBase64Run` finds it (base64 characters, then `=`s). */
export function decodeBase64Run(run: string): string | undefined {
  return decode(run, false);
}

function decode(encoded: string, check: boolean): string | undefined {
  try {
    if (encoded.length > MAX_BASE64_RUN) return undefined;
    let length = encoded.length;
    while (length > 0 && encoded.charCodeAt(length - 1) === 61) length--;
    if (length % 4 === 1) length--;
    if (length < 22) return undefined;
    const body = length === encoded.length ? encoded : encoded.slice(0, length);
    if (check && !BASE64_BODY.test(body)) return undefined;
    if (length > 64) {
      const head = Buffer.from(body.slice(0, 64), 'base64');
      if (!mostlyText(head, 0, head.length) || !plausibleUtf8(head)) return undefined;
    }
    const bytes = Buffer.from(body, 'base64');
    const latin1 = bytes.toString('latin1');
    if (!mostlyTextLatin1(latin1)) return undefined;
    if (!HIGH_BYTE.test(latin1)) return latin1;
    const text = bytes.toString('utf8');
    // Invalid UTF-8 decodes to U+FFFD (no exception, which is costly in a hot loop).
    return text.includes('\uFFFD') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Valid UTF-8 (a sequence cut off at the end of `bytes` is allowed): random bytes almost never are. */
function plausibleUtf8(bytes: Uint8Array): boolean {
  let index = 0;
  while (index < bytes.length) {
    const b = bytes[index]!;
    let follow: number;
    if (b < 0x80) follow = 0;
    else if (b >= 0xc2 && b <= 0xdf) follow = 1;
    else if (b >= 0xe0 && b <= 0xef) follow = 2;
    else if (b >= 0xf0 && b <= 0xf4) follow = 3;
    else return false;
    for (let k = 1; k <= follow; k++) {
      if (index + k >= bytes.length) return true;
      if ((bytes[index + k]! & 0xc0) !== 0x80) return false;
    }
    index += follow + 1;
  }
  return true;
}

/** One decoded layer: its text, and how a span of it maps back to the input. */
export interface Base64Layer {
  text: string;
  /** 1 for a run of the input, 2 for a run inside a decoded run… */
  depth: number;
  /** The outermost encoded run in the input (0-based, end exclusive). */
  start: number;
  end: number;
  /** Maps `[from, to)` of `text` to the smallest span of the input that encodes it. */
  toInput(from: number, to: number): [number, number];
}

/**
 * Span of the encoded run `[runStart, runEnd)` that encodes characters `[from, to)` of the
 * decoded `text` (4 characters per 3 bytes; UTF-8 lengths for non-ASCII text).
 */
export function encodedSpan(text: string, runStart: number, runEnd: number, from: number, to: number): [number, number] {
  const ascii = isAscii(text);
  const byteFrom = ascii ? from : Buffer.byteLength(text.slice(0, from), 'utf8');
  const byteTo = ascii ? to : byteFrom + Buffer.byteLength(text.slice(from, to), 'utf8');
  const start = Math.min(runEnd, runStart + Math.floor(byteFrom / 3) * 4);
  const end = Math.min(runEnd, runStart + Math.ceil(byteTo / 3) * 4);
  return [start, Math.max(start, end)];
}

function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(text);
}

export interface ExpandOptions {
  maxDepth?: number;
  minLength?: number;
  /** Runs to leave alone (already part of a token the scanner matched). */
  skip?: (start: number, end: number) => boolean;
}

/** Decodes the runs of `text` that hold text (depth 1 only). */
export function decodeRuns(text: string, options: ExpandOptions = {}): Base64Layer[] {
  const minLength = options.minLength ?? MIN_BASE64_RUN;
  let layers: Base64Layer[] | undefined;
  forEachBase64Run(text, minLength, (start, end) => {
    if (options.skip?.(start, end) || isBase64Noise(text, start, end)) return;
    const decoded = decodeBase64Run(text.slice(start, end));
    if (decoded === undefined) return;
    (layers ??= []).push({
      text: decoded,
      depth: 1,
      start,
      end,
      toInput: (from, to) => encodedSpan(decoded, start, end, from, to),
    });
  });
  return layers ?? [];
}

/**
 * Every decoded layer of `text` down to `maxDepth` (default 3): the runs of the input, the runs
 * inside their decoded text, and so on, each mapping back to the input.
 */
export function expandBase64(text: string, options: ExpandOptions = {}): Base64Layer[] {
  const maxDepth = Math.max(0, Math.min(options.maxDepth ?? DEFAULT_MAX_DEPTH, 5));
  const out: Base64Layer[] = [];
  const visit = (layer: Base64Layer): void => {
    out.push(layer);
    if (layer.depth >= maxDepth) return;
    for (const inner of decodeRuns(layer.text, { minLength: options.minLength })) {
      visit({
        text: inner.text,
        depth: layer.depth + 1,
        start: layer.start,
        end: layer.end,
        toInput: (from, to) => {
          const [a, b] = inner.toInput(from, to);
          return layer.toInput(a, b);
        },
      });
    }
  };
  if (maxDepth === 0) return out;
  for (const layer of decodeRuns(text, options)) visit(layer);
  return out;
}
