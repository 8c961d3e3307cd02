/**
 * Turns a list of keywords into the program the WebAssembly prefilter runs
 * (`assembly/prefilter.ts` documents the layout and the search). Pure: the same keywords give
 * the same bytes.
 *
 * Two choices decide how many places the SIMD step flags for a closer look (each costs a few
 * nanoseconds):
 * - the window: each keyword is found by 3 bytes of its own, the rarest ones (`ecret_access_key`
 *   by `t_a` rather than `ecr`, which starts "ecru" and "secret");
 * - the buckets: keywords share 8 buckets, and a bucket flags every combination of the nibbles
 *   of its windows' bytes, so windows are put together where they add the fewest combinations.
 * Both estimate frequencies with a fixed model of CI log text (below), not with any log.
 */

export interface PrefilterKeyword {
  /** ASCII, at least 3 characters. */
  text: string;
  /** ASCII letters match in either case. */
  ignoreCase: boolean;
}

/** The constants `assembly/prefilter.ts` exports: where things are in the program. */
export interface ProgramLayout {
  TABLES_AT: number;
  BUCKET_FIRST_AT: number;
  BUCKET_COUNT_AT: number;
  RECORDS_AT: number;
  RECORD_BYTES: number;
  HASH_AT: number;
  HASH_BYTES: number;
  PROGRAM_BYTES: number;
  MAX_KEYWORDS: number;
  IGNORE_CASE: number;
}

export interface Program {
  bytes: Uint8Array;
  /** For each keyword record (as hits name them), the index of its keyword in the input. */
  keywordOfRecord: number[];
  /** For each input keyword, the offset of its window (for tests and `--debug` output). */
  windows: number[];
}

const BUCKETS = 8;
const WINDOW = 3;

/**
 * Rough share of each byte in CI log text: lower-case letters in English order of frequency,
 * upper case less, then digits, common punctuation, and the rest. Only the order of magnitude
 * matters: it ranks windows and bucket choices.
 */
const ENGLISH = 'etaoinshrdlcumwfgypbvkjxqz';
function byteWeight(byte: number): number {
  if (byte === 32) return 0.15;
  const character = String.fromCharCode(byte);
  const lower = ENGLISH.indexOf(character);
  if (lower >= 0) return 0.45 * 0.13 * 0.86 ** lower;
  const upper = ENGLISH.indexOf(character.toLowerCase());
  if (upper >= 0) return 0.08 * 0.13 * 0.86 ** upper;
  if (byte >= 48 && byte <= 57) return 0.008;
  if ('./-:_=,"\'()[]'.includes(character)) return 0.01;
  return 0.002;
}
const PRINTABLE = Array.from({ length: 95 }, (_, index) => index + 32);
const PRINTABLE_WEIGHTS = PRINTABLE.map(byteWeight);

/** The byte values a keyword byte matches (both cases of a letter when case is ignored). */
function byteVariants(keyword: PrefilterKeyword, index: number): number[] {
  const byte = keyword.text.charCodeAt(index);
  if (!keyword.ignoreCase) return [byte];
  const lower = byte | 0x20;
  return lower >= 97 && lower <= 122 ? [lower & 0xdf, lower] : [byte];
}

function rarestWindow(keyword: PrefilterKeyword): number {
  let best = 0;
  let bestWeight = Infinity;
  for (let offset = 0; offset + WINDOW <= keyword.text.length; offset++) {
    let weight = 1;
    for (let index = 0; index < WINDOW; index++) {
      weight *= byteVariants(keyword, offset + index).reduce((sum, byte) => sum + byteWeight(byte), 0);
    }
    // Ties go to the earliest window.
    if (weight < bestWeight * 0.999) {
      bestWeight = weight;
      best = offset;
    }
  }
  return best;
}

/** Nibbles a bucket accepts at each window byte, as 16-bit sets. */
interface Bucket {
  low: number[];
  high: number[];
  members: number[];
  /** `bucketRate` of its sets (0 while empty). */
  rate: number;
}

/** Estimated share of positions a bucket flags. */
function bucketRate(low: readonly number[], high: readonly number[]): number {
  let rate = 1;
  for (let index = 0; index < WINDOW; index++) {
    let share = 0;
    const lowSet = low[index]!;
    const highSet = high[index]!;
    for (let at = 0; at < PRINTABLE.length; at++) {
      const byte = PRINTABLE[at]!;
      if ((lowSet >> (byte & 15)) & (highSet >> (byte >> 4)) & 1) share += PRINTABLE_WEIGHTS[at]!;
    }
    rate *= share;
  }
  return rate;
}

export function planProgram(keywords: readonly PrefilterKeyword[], layout: ProgramLayout): Program {
  if (keywords.length > layout.MAX_KEYWORDS) throw new Error(`prefilter: ${keywords.length} keywords, at most ${layout.MAX_KEYWORDS}`);
  for (const keyword of keywords) {
    if (keyword.text.length < WINDOW || keyword.text.length > 255 || !/^[\x20-\x7e]+$/.test(keyword.text)) {
      throw new Error(`prefilter: keyword ${JSON.stringify(keyword.text)} must be printable ASCII, ${WINDOW} to 255 characters`);
    }
  }
  const windows = keywords.map(rarestWindow);
  const windowBytes = keywords.map((keyword, index) => Array.from({ length: WINDOW }, (_, at) => byteVariants(keyword, windows[index]! + at)));

  // Greedy: the keywords in order of their text (neighbours share windows), each into the bucket
  // whose estimated rate grows least.
  const buckets: Bucket[] = Array.from({ length: BUCKETS }, () => ({ low: [0, 0, 0], high: [0, 0, 0], members: [], rate: 0 }));
  const order = keywords.map((_, index) => index).sort((a, b) => (keywords[a]!.text < keywords[b]!.text ? -1 : keywords[a]!.text > keywords[b]!.text ? 1 : a - b));
  for (const index of order) {
    let best = 0;
    let bestGrowth = Infinity;
    buckets.forEach((bucket, at) => {
      const low = bucket.low.map((set, byte) => windowBytes[index]![byte]!.reduce((acc, value) => acc | (1 << (value & 15)), set));
      const high = bucket.high.map((set, byte) => windowBytes[index]![byte]!.reduce((acc, value) => acc | (1 << (value >> 4)), set));
      const growth = bucketRate(low, high) - bucket.rate;
      if (growth < bestGrowth) {
        bestGrowth = growth;
        best = at;
      }
    });
    const bucket = buckets[best]!;
    for (let byte = 0; byte < WINDOW; byte++) {
      for (const value of windowBytes[index]![byte]!) {
        bucket.low[byte]! |= 1 << (value & 15);
        bucket.high[byte]! |= 1 << (value >> 4);
      }
    }
    bucket.members.push(index);
    bucket.rate = bucketRate(bucket.low, bucket.high);
  }

  const bytes = new Uint8Array(layout.PROGRAM_BYTES);
  const view = new DataView(bytes.buffer);
  const keywordOfRecord: number[] = [];
  buckets.forEach((bucket, at) => {
    for (let byte = 0; byte < WINDOW; byte++) {
      for (let nibble = 0; nibble < 16; nibble++) {
        if ((bucket.low[byte]! >> nibble) & 1) bytes[layout.TABLES_AT + byte * 32 + nibble]! |= 1 << at;
        if ((bucket.high[byte]! >> nibble) & 1) bytes[layout.TABLES_AT + byte * 32 + 16 + nibble]! |= 1 << at;
      }
    }
    view.setUint16(layout.BUCKET_FIRST_AT + at * 2, keywordOfRecord.length, true);
    view.setUint16(layout.BUCKET_COUNT_AT + at * 2, bucket.members.length, true);
    keywordOfRecord.push(...bucket.members);
  });

  let textAt = layout.RECORDS_AT + keywords.length * layout.RECORD_BYTES;
  keywordOfRecord.forEach((index, record) => {
    const keyword = keywords[index]!;
    const text = keyword.ignoreCase ? keyword.text.replace(/[a-z]/g, (letter) => letter.toUpperCase()) : keyword.text;
    if (textAt + text.length > layout.HASH_AT) throw new Error('prefilter: the keywords are too long altogether');
    let prefix = 0;
    let mask = 0;
    for (let index = 0; index < Math.min(4, text.length); index++) {
      const byte = text.charCodeAt(index);
      const letter = keyword.ignoreCase && byte >= 65 && byte <= 90;
      prefix |= byte << (8 * index);
      mask |= (letter ? 0xdf : 0xff) << (8 * index);
    }
    const at = layout.RECORDS_AT + record * layout.RECORD_BYTES;
    view.setUint32(at, prefix >>> 0, true);
    view.setUint32(at + 4, mask >>> 0, true);
    view.setUint32(at + 8, textAt, true);
    view.setUint16(at + 12, text.length, true);
    bytes[at + 14] = keyword.ignoreCase ? layout.IGNORE_CASE : 0;
    bytes[at + 15] = windows[index]!;
    for (let offset = 0; offset < text.length; offset++) bytes[textAt + offset] = text.charCodeAt(offset);
    textAt += text.length;
  });

  // Every case variant of every window, into the hash bitmap.
  windowBytes.forEach(([first, second, third]) => {
    for (const a of first!) {
      for (const b of second!) {
        for (const c of third!) {
          const hash = windowHash(a | (b << 8) | (c << 16));
          bytes[layout.HASH_AT + (hash >>> 3)]! |= 1 << (hash & 7);
        }
      }
    }
  });
  return { bytes, keywordOfRecord, windows };
}

/** `windowHash` of `assembly/prefilter.ts`: the low 24 bits times a 32-bit constant, top 16 bits. */
export function windowHash(word: number): number {
  return Math.imul(word & 0xffffff, 0x9e3779b1) >>> 16;
}
