/**
 * The first filter of `cordon logs`, compiled to WebAssembly with 128-bit SIMD (AssemblyScript;
 * `npm run build` writes `dist/prefilter.wasm`). It reads a block of log bytes once, 32 bytes (two
 * vectors) a step, and reports the few places a closer look is needed:
 *
 * - keywords: a Teddy-style multi-literal search (as in Hyperscan and Rust's aho-corasick). Each
 *   keyword is known by a 3-byte window of its own (`program.ts` picks the rarest). For each of
 *   the window's 3 bytes, two 16-entry tables map the byte's low and high nibble to a bitmask of
 *   the 8 buckets whose windows may have it there: a lane with a bucket bit left after ANDing
 *   the six lookups is a candidate. Candidates are checked against a bitmap of the windows'
 *   hashes, then the bucket's keywords are compared in full. A keyword is reported once per line.
 * - base64 runs of at least `minRun` characters that can be encoded text, reported at their start:
 *   not hex digests or letters only (`plainlyNoise` in `scanner.ts`), and not a run whose first
 *   48 decoded bytes hold a control character or invalid UTF-8, which `decodeBase64Text` rejects
 *   (`decoders/base64.ts`: it tests the same bytes the same way first). Signatures, digests and
 *   compressed data fail that test; they are most of the long runs in a CI log;
 * - line breaks, counted, so each hit comes with its line.
 *
 * The host writes the program (tables, keyword records, hash bitmap) at `program` and the bytes at
 * `data`, followed by at least `PADDING` zero bytes, then calls `begin` and `next` until `next`
 * returns 0. Nothing here allocates.
 */

// --- program layout (written by `src/detectors/prefilter/program.ts`) ---------------------------

/** Six 16-byte tables: low-nibble and high-nibble bucket masks for window bytes 0, 1 and 2. */
export const TABLES_AT: i32 = 0;
/** Per bucket (8): index of its first keyword record (u16). */
export const BUCKET_FIRST_AT: i32 = 96;
/** Per bucket (8): number of its keyword records (u16). */
export const BUCKET_COUNT_AT: i32 = 112;
/**
 * Keyword records, bucket by bucket: u32 first four bytes (case-folded keywords: upper case),
 * u32 mask for them, u32 offset of the keyword's text in the program, u16 length, u8 flags
 * (`IGNORE_CASE`), u8 offset of the window in the keyword.
 */
export const RECORDS_AT: i32 = 128;
export const RECORD_BYTES: i32 = 16;
/** Bitmap of the hashes (`windowHash`) of every window trigram (with its case variants). */
export const HASH_AT: i32 = 4096;
export const HASH_BYTES: i32 = 8192;
export const PROGRAM_BYTES: i32 = 12288;
export const MAX_KEYWORDS: i32 = 128;
export const IGNORE_CASE: i32 = 1;
/** Zero bytes the host leaves after the data (the last step's loads read up to 34 bytes past it). */
export const PADDING: i32 = 48;

/** A hit: u32 byte offset, u32 keyword record index (or `BASE64_RUN`), u32 0-based line, u32 its start. */
export const HIT_BYTES: i32 = 16;
export const BASE64_RUN: i32 = 0xffff;
/** One step of 32 bytes reports each keyword at most once per lane, and at most 17 runs. */
export const MAX_HITS_PER_STEP: i32 = 32 * MAX_KEYWORDS + 17;

/** The hash of a window's three bytes (little-endian in the low 24 bits), 16 bits. */
// @ts-ignore: decorator
@inline function windowHash(word: u32): u32 {
  return ((word & 0xffffff) * 0x9e3779b1) >>> 16;
}

/** `windowHash`, for the host's tests. */
export function hashOfWindow(word: u32): u32 {
  return windowHash(word);
}

// --- scan state (one scan at a time) ------------------------------------------------------------

let program: usize = 0;
let data: usize = 0;
let length: i32 = 0;
let minRun: i32 = 0;
let position: i32 = 0;
let lineBreaks: i32 = 0;
/** Base64 characters in a row just before `position`. */
let run: i32 = 0;
/** Where the line of `position` starts. */
let lineStart: i32 = 0;
/** Keywords (record indexes 0–63 and 64–127) already reported on `seenLine`. */
let seenLow: u64 = 0;
let seenHigh: u64 = 0;
let seenLine: i32 = -1;

/** Starts a scan of `dataLength` bytes at `dataAt`; `shortestRun` 0 turns the base64 search off. */
export function begin(programAt: usize, dataAt: usize, dataLength: i32, shortestRun: i32): void {
  program = programAt;
  data = dataAt;
  length = dataLength;
  minRun = shortestRun;
  position = 0;
  lineBreaks = 0;
  run = 0;
  lineStart = 0;
  seenLow = 0;
  seenHigh = 0;
  seenLine = -1;
}

/** Line breaks in the bytes scanned so far (all of them once `next` returned 0). */
export function lineBreakCount(): i32 {
  return lineBreaks;
}

// @ts-ignore: decorator
@inline function isHexDigit(byte: u32): bool {
  return byte - 48 < 10 || (byte | 32) - 97 < 6;
}

// @ts-ignore: decorator
@inline function isLetter(byte: u32): bool {
  return (byte | 32) - 97 < 26;
}

/** A run that starts with 24 hex digits (a digest, a git SHA) or has letters only. */
function plainlyNoise(start: i32, end: i32): bool {
  if (end - start >= 24) {
    let index = start;
    while (index < start + 24 && isHexDigit(load<u8>(data + index))) index++;
    if (index == start + 24) return true;
  }
  let index = start;
  while (index < end && isLetter(load<u8>(data + index))) index++;
  return index >= end;
}

/** The 6-bit value of a base64 character (the run holds nothing else). */
// @ts-ignore: decorator
@inline function sextet(byte: u32): u32 {
  if (byte - 65 < 26) return byte - 65;
  if (byte - 97 < 26) return byte - 71;
  if (byte - 48 < 10) return byte + 4;
  return byte == 43 ? 62 : 63;
}

/**
 * Whether the run `[start, end)` can decode to text: its first 48 decoded bytes (fewer for a
 * shorter run: whole groups of 4 characters) hold no control character other than tab and line
 * breaks, and no invalid UTF-8 sequence (one cut off at the end is allowed). `decodeBase64Text`
 * rejects every run that fails this: it allows 2% control characters (none in 48 bytes) and
 * rejects invalid UTF-8.
 */
function mayBeText(start: i32, end: i32): bool {
  const chars = min(end - start, 64) & ~3;
  // Continuation bytes still expected by the UTF-8 sequence under way.
  let pending = 0;
  for (let index = 0; index < chars; index += 4) {
    const at = data + start + index;
    const quantum = (sextet(load<u8>(at)) << 18) | (sextet(load<u8>(at, 1)) << 12) | (sextet(load<u8>(at, 2)) << 6) | sextet(load<u8>(at, 3));
    for (let shift = 16; shift >= 0; shift -= 8) {
      const byte = (quantum >> shift) & 0xff;
      if (pending > 0) {
        if ((byte & 0xc0) != 0x80) return false;
        pending--;
      } else if (byte < 0x80) {
        if ((byte < 0x20 && byte != 9 && byte != 10 && byte != 13) || byte == 0x7f) return false;
      } else if (byte >= 0xc2 && byte <= 0xdf) pending = 1;
      else if (byte >= 0xe0 && byte <= 0xef) pending = 2;
      else if (byte >= 0xf0 && byte <= 0xf4) pending = 3;
      else return false;
    }
  }
  return true;
}

/**
 * Whether `scanner.ts` may decode the run `[start, end)`. Its runs begin after the line's
 * timestamp (at most 33 characters); one that starts earlier here may start later there, so it
 * is decoded differently, and only the cheap tests apply.
 */
function mayHoldText(start: i32, end: i32, startOfLine: i32): bool {
  if (plainlyNoise(start, end)) return false;
  return start - startOfLine < 40 || mayBeText(start, end);
}

// @ts-ignore: decorator
@inline function emit(out: usize, count: i32, position: i32, record: i32, line: i32, startOfLine: i32): void {
  const hit = out + count * HIT_BYTES;
  store<u32>(hit, position);
  store<u32>(hit, record, 4);
  store<u32>(hit, line, 8);
  store<u32>(hit, startOfLine, 12);
}

/**
 * The runs of at least `minRun` (under 31) that start after the step's first `leading` bytes and
 * end before its last byte (`members`: bit i = byte at + i is in the alphabet).
 */
function runsInsideStep(out: usize, count: i32, at: i32, members: u32, leading: i32, breaks: u32): i32 {
  let inner = members & ~((<u32>1 << leading) - 1);
  const trailing = <i32>clz(~members);
  if (trailing > 0) inner &= (<u32>1 << (32 - trailing)) - 1;
  while (inner != 0) {
    const first = <i32>ctz(inner);
    const end = first + <i32>ctz(~(inner >> first));
    if (end - first >= minRun) {
      const before = breaks & ((<u32>1 << first) - 1);
      const startOfLine = before != 0 ? at + 32 - <i32>clz(before) : lineStart;
      if (mayHoldText(at + first, at + end, startOfLine)) {
        emit(out, count, at + first, BASE64_RUN, lineBreaks + <i32>popcnt(before), startOfLine);
        count++;
      }
    }
    inner &= ~((<u32>1 << end) - 1);
  }
  return count;
}

function keywordAt(record: usize, start: i32): bool {
  const text = program + load<u32>(record, 8);
  const size = <i32>load<u16>(record, 12);
  if (start + size > length) return false;
  const ignoreCase = (load<u8>(record, 14) & IGNORE_CASE) != 0;
  for (let index = 4; index < size; index++) {
    let byte = <u32>load<u8>(data + start + index);
    if (ignoreCase && byte - 97 < 26) byte &= 0xdf;
    if (byte != <u32>load<u8>(text + index)) return false;
  }
  return true;
}

/** The bucket mask of the keywords whose window may start at each byte of `bytes0`. */
// @ts-ignore: decorator
@inline function windowBuckets(bytes0: v128, bytes1: v128, bytes2: v128, low0: v128, high0: v128, low1: v128, high1: v128, low2: v128, high2: v128, lowNibbles0: v128, highNibbles0: v128): v128 {
  const nibble = i8x16.splat(15);
  let buckets = v128.and(i8x16.swizzle(low0, lowNibbles0), i8x16.swizzle(high0, highNibbles0));
  buckets = v128.and(buckets, v128.and(i8x16.swizzle(low1, v128.and(bytes1, nibble)), i8x16.swizzle(high1, v128.and(i16x8.shr_u(bytes1, 4), nibble))));
  return v128.and(buckets, v128.and(i8x16.swizzle(low2, v128.and(bytes2, nibble)), i8x16.swizzle(high2, v128.and(i16x8.shr_u(bytes2, 4), nibble))));
}

/**
 * Writes up to `capacity` hits at `out` and returns how many; 0 when the block is done. Keyword
 * hits are in order of position; a base64 run is reported when its end is reached.
 */
export function next(out: usize, capacity: i32): i32 {
  const low0 = v128.load(program + TABLES_AT);
  const high0 = v128.load(program + TABLES_AT, 16);
  const low1 = v128.load(program + TABLES_AT, 32);
  const high1 = v128.load(program + TABLES_AT, 48);
  const low2 = v128.load(program + TABLES_AT, 64);
  const high2 = v128.load(program + TABLES_AT, 80);
  // The base64 alphabet as nibble tables: bit 0 = 0x41–0x4f and 0x61–0x6f, bit 1 = 0x50–0x5a and
  // 0x70–0x7a, bit 2 = 0x30–0x39, bit 3 = '+' and '/' (a byte is in it when its two lookups share a bit).
  const base64Low = i8x16(6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3, 9, 1, 1, 1, 9);
  const base64High = i8x16(0, 0, 8, 4, 1, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0);
  const nibble = i8x16.splat(15);
  const newline = i8x16.splat(10);
  // Saturating `+ 127` sets a lane's top bit exactly when it is not zero (for `bitmask`).
  const nonZero = i8x16.splat(127);
  const searchRuns = minRun > 0;
  let count = 0;
  let at = position;
  // A step (32 bytes) starts only with room for every hit it can make; the next call resumes there.
  while (at < length && count + MAX_HITS_PER_STEP <= capacity) {
    const left = length - at;
    const live: u32 = left >= 32 ? 0xffffffff : (<u32>1 << left) - 1;
    const first0 = v128.load(data + at);
    const second0 = v128.load(data + at + 16);
    const breaks = (<u32>i8x16.bitmask(i8x16.eq(first0, newline)) | (<u32>i8x16.bitmask(i8x16.eq(second0, newline)) << 16)) & live;
    // Nibbles: a 16-bit shift then a mask is cheaper than an 8-bit shift, which x64 lacks.
    const firstLow = v128.and(first0, nibble);
    const firstHigh = v128.and(i16x8.shr_u(first0, 4), nibble);
    const secondLow = v128.and(second0, nibble);
    const secondHigh = v128.and(i16x8.shr_u(second0, 4), nibble);

    const firstBuckets = windowBuckets(first0, v128.load(data + at + 1), v128.load(data + at + 2), low0, high0, low1, high1, low2, high2, firstLow, firstHigh);
    const secondBuckets = windowBuckets(second0, v128.load(data + at + 17), v128.load(data + at + 18), low0, high0, low1, high1, low2, high2, secondLow, secondHigh);
    if (v128.any_true(v128.or(firstBuckets, secondBuckets))) {
      let lanes = (<u32>i8x16.bitmask(i8x16.add_sat_u(firstBuckets, nonZero)) | (<u32>i8x16.bitmask(i8x16.add_sat_u(secondBuckets, nonZero)) << 16)) & live;
      while (lanes != 0) {
        const lane = <i32>ctz(lanes);
        lanes &= lanes - 1;
        const window = at + lane;
        const hash = windowHash(load<u32>(data + window));
        if ((load<u8>(program + HASH_AT + (hash >>> 3)) & (1 << (hash & 7))) == 0) continue;
        const before = breaks & ((<u32>1 << lane) - 1);
        const line = lineBreaks + <i32>popcnt(before);
        if (line != seenLine) {
          seenLine = line;
          seenLow = 0;
          seenHigh = 0;
        }
        const vector = lane < 16 ? firstBuckets : secondBuckets;
        const inVector = lane & 15;
        const half = inVector < 8 ? i64x2.extract_lane(vector, 0) : i64x2.extract_lane(vector, 1);
        let laneBuckets = <i32>((half >>> (<u64>(inVector & 7) * 8)) & 0xff);
        while (laneBuckets != 0) {
          const bucket = ctz(laneBuckets);
          laneBuckets &= laneBuckets - 1;
          const first = <i32>load<u16>(program + BUCKET_FIRST_AT + bucket * 2);
          const end = first + <i32>load<u16>(program + BUCKET_COUNT_AT + bucket * 2);
          for (let keyword = first; keyword < end; keyword++) {
            const bit: u64 = <u64>1 << <u64>(keyword & 63);
            if (((keyword < 64 ? seenLow : seenHigh) & bit) != 0) continue;
            const record = program + RECORDS_AT + keyword * RECORD_BYTES;
            const start = window - <i32>load<u8>(record, 15);
            if (start < 0) continue;
            if ((load<u32>(data + start) & load<u32>(record, 4)) != load<u32>(record)) continue;
            if (!keywordAt(record, start)) continue;
            if (keyword < 64) seenLow |= bit;
            else seenHigh |= bit;
            emit(out, count, start, keyword, line, before != 0 ? at + 32 - <i32>clz(before) : lineStart);
            count++;
          }
        }
      }
    }

    if (searchRuns) {
      const firstMembers = <u32>i8x16.bitmask(i8x16.add_sat_u(v128.and(i8x16.swizzle(base64Low, firstLow), i8x16.swizzle(base64High, firstHigh)), nonZero));
      const secondMembers = <u32>i8x16.bitmask(i8x16.add_sat_u(v128.and(i8x16.swizzle(base64Low, secondLow), i8x16.swizzle(base64High, secondHigh)), nonZero));
      const members = (firstMembers | (secondMembers << 16)) & live;
      // The run carried in goes on through the step's first `leading` bytes (all 32: it goes on).
      const leading = <i32>ctz(~members);
      if (leading < 32) {
        if (run + leading >= minRun && mayHoldText(at - run, at + leading, lineStart)) {
          emit(out, count, at - run, BASE64_RUN, lineBreaks + <i32>popcnt(breaks & ((<u32>1 << leading) - 1)), lineStart);
          count++;
        }
        // Runs that start and end inside the step: long enough only for minimums under 31.
        if (minRun < 31) count = runsInsideStep(out, count, at, members, leading, breaks);
        run = <i32>clz(~members);
      } else {
        run += 32;
      }
    }
    if (breaks != 0) lineStart = at + 32 - <i32>clz(breaks);
    lineBreaks += <i32>popcnt(breaks);
    at += 32;
  }
  position = at;
  // A run that reaches the end of the block.
  if (at >= length && searchRuns && run >= minRun && count < capacity) {
    const start = length - run;
    run = 0;
    if (mayHoldText(start, length, lineStart)) {
      emit(out, count, start, BASE64_RUN, lineBreaks, lineStart);
      count++;
    }
  }
  return count;
}
