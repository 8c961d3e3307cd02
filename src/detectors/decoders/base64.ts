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

const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;

export function isBase64Char(code: number): boolean {
  return code < 128 && ALPHABET[code] === 1;
}

/**
 * Calls `visit(start, end)` for every maximal run of standard base64 characters (with up to two
 * `=` of padding) of at least `minLength` characters. Probes one position in every `minLength`
 * and widens only around probes that hit the alphabet, so typical lines cost a few reads.
 */
export function forEachBase64Run(text: string, minLength: number, visit: (start: number, end: number) => void): void {
  const step = Math.max(1, minLength);
  const length = text.length;
  let probe = step - 1;
  while (probe < length) {
    if (!isBase64Char(text.charCodeAt(probe))) {
      probe += step;
      continue;
    }
    let start = probe;
    while (start > 0 && isBase64Char(text.charCodeAt(start - 1))) start--;
    let end = probe + 1;
    while (end < length && isBase64Char(text.charCodeAt(end))) end++;
    if (end - start >= minLength) {
      let padded = end;
      while (padded < length && padded - end < 2 && text.charCodeAt(padded) === 61) padded++;
      visit(start, padded);
    }
    probe = end + step;
  }
}

export interface Span {
  start: number;
  end: number;
}

export function findBase64Runs(text: string, minLength = MIN_BASE64_RUN): Span[] {
  const runs: Span[] = [];
  forEachBase64Run(text, minLength, (start, end) => runs.push({ start, end }));
  return runs;
}

const DIGEST_PREFIXES = ['sha1-', 'sha256-', 'sha384-', 'sha512-', 'sha1:', 'sha256:', 'sha384:', 'sha512:', 'md5-', 'md5:'];
const NOISE_LINES = ['Cache restored from key', 'Cache saved with key', 'Cache hit for', 'cache key:', 'Cache not found for input keys', 'restore-keys'];

/**
 * Runs that are certainly not an encoded secret: hexadecimal (digests, git SHAs, hex keys),
 * integrity and digest strings, letter-only identifiers, and everything on a cache-key line.
 */
export function isBase64Noise(text: string, start: number, end: number): boolean {
  let hex = true;
  let digitOrSymbol = false;
  for (let index = start; index < end; index++) {
    const c = text.charCodeAt(index);
    const isDigit = c >= 48 && c <= 57;
    if (isDigit || c === 43 || c === 47) digitOrSymbol = true;
    if (hex && !(isDigit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 61)) hex = false;
    if (!hex && digitOrSymbol) break;
  }
  if (hex || !digitOrSymbol) return true;
  const before = text.slice(Math.max(0, start - 8), start);
  for (const prefix of DIGEST_PREFIXES) if (before.endsWith(prefix)) return true;
  for (const marker of NOISE_LINES) if (text.includes(marker)) return true;
  return false;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The text a base64 run encodes, or `undefined` when it is not (mostly) printable UTF-8 text: at
 * most 2% control characters other than tab and line breaks, and valid UTF-8.
 */
export function decodeBase64Text(encoded: string): string | undefined {
  try {
    if (encoded.length > MAX_BASE64_RUN) return undefined;
    let body = encoded.replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(body)) return undefined;
    if (body.length % 4 === 1) body = body.slice(0, -1);
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length < 16) return undefined;
    let control = 0;
    let high = false;
    for (let index = 0; index < bytes.length; index++) {
      const b = bytes[index]!;
      if (b >= 0x80) high = true;
      else if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13) || b === 0x7f) control++;
    }
    if (control > bytes.length * 0.02) return undefined;
    if (!high) return bytes.toString('latin1');
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
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
    const decoded = decodeBase64Text(text.slice(start, end));
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
