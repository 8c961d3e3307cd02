import type { Confidence } from '../findings/finding.ts';
import { fingerprintSecret } from '../findings/redact.ts';
import { DEFAULT_MAX_DEPTH, MIN_BASE64_RUN, decodeBase64Run, encodedSpan, isBase64Noise, nextBase64Run, type Span } from './decoders/base64.ts';
import type { DecodedCredential, Detector, MatchContext, MultilineSpec } from './detector.ts';
import { detectors as allDetectors } from './index.ts';
import { Prefilter, loadPrefilterModule, type PrefilterKeyword } from './prefilter/index.ts';

/**
 * Finds every credential the detectors know on a line, fast enough for whole CI logs:
 *
 * 1. Keyword prefilter: every detector's `keywords`, as one alternation of sorted literals. On a
 *    line without a keyword this single native search is all the plain scan costs, and nothing is
 *    allocated. V8 searches such an alternation at 700–800 MB/s as long as the keywords start
 *    with few distinct characters (measured: 28 keywords over 12 first characters ran at
 *    725 MB/s, 24 keywords over 17 at 330 MB/s); a test keeps them few.
 * 2. The keywords found tell which detector patterns ("slots"; detectors with the same pattern
 *    share one) can match; only those run, each its own small literal-led expression (`+`
 *    repetitions, lengths checked in code). Candidates are taken in order of position: where two
 *    overlap, the one that starts first (its context included: `ACTIONS_RUNTIME_TOKEN=eyJ…` is
 *    the runtime token, not a JWT) wins, then the earlier detector in the list. A slot's detectors
 *    validate in list order; the first that accepts reports.
 * 3. Long runs of base64 (≥ 40 characters; probed one position in 40, so a typical line costs a
 *    few reads) that are not hex digests, integrity strings or cache keys, and not part of a token
 *    already found, are decoded when they hold text, and the text is scanned the same way, to a
 *    bounded depth: `base64`, `base64x2` (the tj-actions/Shai-Hulud dumps)…
 *
 * A whole log does not go through this line by line: `LineScanner.candidates` runs the
 * WebAssembly prefilter (`prefilter/`) over blocks of raw bytes, which finds the keywords and the
 * base64 runs that can hold text at about 2 GB/s, and only the lines it points at (about 1 in 200
 * in a CI log) are decoded and pushed, told which of the two searches can find something there.
 *
 * `scanLine` is stateless; `LineScanner` also joins PEM blocks that span lines.
 */

export type Encoding = 'plain' | 'base64' | `base64x${number}`;

export interface RawMatch {
  /** Detector id (`pypi-token`, `github-app-installation-token`…). */
  detector: string;
  /**
   * The credential, whole. Only this field carries it out of the detector layer: callers redact,
   * and store `fingerprint` instead.
   */
  secret: string;
  /**
   * 0-based UTF-16 offsets in the scanned line, end exclusive. For an encoded match, the part of
   * the encoded run that holds the secret (whole base64 quanta).
   */
  start: number;
  end: number;
  encoding: Encoding;
  confidence: Confidence;
  /** `sha256:<hex>` of `secret`. */
  fingerprint: string;
  decoded?: DecodedCredential;
  /** The credential continues past what was seen (a PEM BEGIN line without its END). */
  truncated?: boolean;
  /**
   * For an encoded match, the whole outermost encoded run in the line. Redact this rather than
   * `start`/`end`: a decoded dump usually holds other secrets that no detector recognizes.
   */
  run?: { start: number; end: number };
}

/** A match of `LineScanner`: lines are 1-based; `start` is in `line`, `end` in `endLine`. */
export interface LineMatch extends RawMatch {
  line: number;
  endLine: number;
}

export interface ScanOptions {
  /** How many layers of base64 to open (default 3; 0 disables decoding). */
  maxDepth?: number;
  /** Shortest base64 run worth decoding (default 40). */
  minBase64Length?: number;
  /** Detectors to use (default: all). */
  detectors?: readonly Detector[];
}

// --- compiling the detectors ---------------------------------------------------------------

interface Slot {
  /** Position in the detector list order (earlier slots win ties). */
  index: number;
  /** Capture groups inside the detector pattern. */
  inner: number;
  detectors: Detector[];
  /** The pattern alone, global, with indices. */
  regex: RegExp;
}

interface Pass {
  /** Every keyword of the pass's detectors, as one literal alternation (global). */
  keywords: RegExp;
  /** The slots each keyword can start (a keyword that is a prefix of another counts for both). */
  slotsByKeyword: Map<string, Slot[]>;
  slots: Slot[];
}

export interface CompiledDetectors {
  passes: Pass[];
  detectors: readonly Detector[];
  byId: Map<string, Detector>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function countGroups(source: string): number {
  return new RegExp(`(?:${source})|`).exec('')!.length - 1;
}

/**
 * Groups detectors by pattern into slots and builds the keyword prefilter. A line is matched in
 * two stages: the keyword alternation (sorted literals, which V8 factors by common prefix and
 * searches fast) finds which slots can match at all, then only those slots' patterns run.
 */
export function compileDetectors(detectors: readonly Detector[]): CompiledDetectors {
  const groups = new Map<string, { source: string; ignoreCase: boolean; detectors: Detector[] }>();
  for (const detector of detectors) {
    const { source, ignoreCase } = detector.pattern;
    if (/\(\?<[A-Za-z]/.test(source) || /\\[1-9]|\\k</.test(source)) {
      throw new Error(`detector ${detector.meta.id}: named groups and back-references are not allowed in patterns`);
    }
    if (detector.keywords.length === 0 || detector.keywords.includes('')) throw new Error(`detector ${detector.meta.id}: keywords must be non-empty`);
    const key = `${ignoreCase ? 'i' : '-'}${source}`;
    const entry = groups.get(key);
    if (entry) entry.detectors.push(detector);
    else groups.set(key, { source, ignoreCase, detectors: [detector] });
  }
  const passes: Pass[] = [];
  for (const ignoreCase of [false, true]) {
    const entries = [...groups.values()].filter((entry) => entry.ignoreCase === ignoreCase);
    if (entries.length === 0) continue;
    const slots: Slot[] = entries.map((entry, index) => ({
      index,
      inner: countGroups(entry.source),
      detectors: entry.detectors,
      regex: new RegExp(entry.source, `gd${ignoreCase ? 'i' : ''}`),
    }));
    const fold = (keyword: string): string => (ignoreCase ? keyword.toLowerCase() : keyword);
    const owners = new Map<string, Set<Slot>>();
    slots.forEach((slot) => {
      for (const detector of slot.detectors) {
        for (const keyword of detector.keywords) {
          const set = owners.get(fold(keyword)) ?? new Set<Slot>();
          set.add(slot);
          owners.set(fold(keyword), set);
        }
      }
    });
    // Sorted, so literals with a common prefix sit together (V8 factors them into a trie).
    const keywords = [...owners.keys()].sort();
    const slotsByKeyword = new Map<string, Slot[]>();
    for (const keyword of keywords) {
      const union = new Set<Slot>();
      // The alternation reports the first keyword that matches at a place; longer keywords that
      // start with it may be what is really there.
      for (const [other, set] of owners) if (other.startsWith(keyword)) for (const slot of set) union.add(slot);
      slotsByKeyword.set(keyword, [...union].sort((a, b) => a.index - b.index));
    }
    passes.push({ keywords: new RegExp(keywords.map(escapeRegExp).join('|'), ignoreCase ? 'gi' : 'g'), slotsByKeyword, slots });
  }
  return { passes, detectors, byId: new Map(detectors.map((detector) => [detector.meta.id, detector])) };
}

// --- matching one line -------------------------------------------------------------------------

const EMPTY: RawMatch[] = Object.freeze([]) as unknown as RawMatch[];

interface Settings {
  compiled: CompiledDetectors;
  maxDepth: number;
  minBase64Length: number;
}

interface Candidate {
  slot: Slot;
  /** Where the whole match starts (its context included): earlier matches win overlaps. */
  at: number;
  secretStart: number;
  /** Moved past the END marker when a PEM block closes on the same line. */
  secretEnd: number;
  raw: string;
}

function accepts(detector: Detector, raw: string, text: string, start: number): boolean {
  if (!detector.validate) return true;
  try {
    return detector.validate(raw, text, start) === true;
  } catch {
    return false;
  }
}

function buildMatch(detector: Detector, raw: string, text: string, start: number, end: number, truncated: boolean): RawMatch {
  let secret = raw;
  if (detector.unescape) {
    try {
      secret = detector.unescape(raw);
    } catch {
      secret = raw;
    }
  }
  const context: MatchContext = { line: text, start, end };
  let decoded: DecodedCredential | undefined;
  let confidence: Confidence = detector.meta.confidence;
  try {
    decoded = detector.decode?.(secret, context);
  } catch {
    decoded = undefined;
  }
  try {
    if (detector.confidence) confidence = detector.confidence(secret, context);
  } catch {
    // keep the detector's default
  }
  const match: RawMatch = {
    detector: detector.meta.id,
    secret,
    start,
    end,
    encoding: 'plain',
    confidence,
    fingerprint: fingerprintSecret(secret),
  };
  if (decoded !== undefined) match.decoded = decoded;
  if (truncated) match.truncated = true;
  return match;
}

/** How far a single-line PEM block (JSON `\n` escapes) may reach for its END marker. */
const MAX_INLINE_BLOCK = 64 * 1024;

/** Every match of the slots a keyword of `text` points at, in order of position. */
function candidates(pass: Pass, text: string, from: number): Candidate[] | undefined {
  const { keywords } = pass;
  keywords.lastIndex = from;
  let hit = keywords.exec(text);
  if (hit === null) return undefined;
  const triggered: Slot[] = [];
  do {
    for (const slot of pass.slotsByKeyword.get(pass.keywords.ignoreCase ? hit[0].toLowerCase() : hit[0]) ?? pass.slots) {
      if (!triggered.includes(slot)) triggered.push(slot);
    }
    keywords.lastIndex = hit.index + 1;
    hit = keywords.exec(text);
  } while (hit !== null);

  let found: Candidate[] | undefined;
  for (const slot of triggered) {
    const { regex } = slot;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      let secretStart = match.index;
      let secretEnd = match.index + match[0].length;
      let raw = match[0];
      for (let group = 1; group <= slot.inner; group++) {
        const value = match[group];
        if (value !== undefined && value.length > 0) {
          const span = match.indices![group]!;
          secretStart = span[0];
          secretEnd = span[1];
          raw = value;
          break;
        }
      }
      (found ??= []).push({ slot, at: match.index, secretStart, secretEnd, raw });
    }
  }
  if (found !== undefined && found.length > 1) {
    found.sort((a, b) => a.at - b.at || a.slot.index - b.slot.index || a.secretStart - b.secretStart);
  }
  return found;
}

/** Per-text state of one plain scan. */
interface PlainScan {
  /** Secret spans already reported: sorted, never overlapping (start, end pairs). */
  taken: number[];
  /** A multi-line END marker search that failed from this position fails from any later one. */
  noEndFrom: number;
  /** The END marker found last: the first one after any position up to its start. */
  nextEnd?: { index: number; end: number };
}

/**
 * The plain (not encoded) matches of `text`, appended to `out` (created on the first match).
 * Where candidates overlap, the one that starts first (its context included) wins, then the
 * earlier slot. `wrappers`: whether catch-all detectors may report (off inside a catch-all's own
 * value, where the specific detectors are looked for).
 */
function scanPlain(
  settings: Settings,
  text: string,
  out: RawMatch[] | undefined,
  offset: number,
  wrappers: boolean,
  from = 0,
): RawMatch[] | undefined {
  const passes = settings.compiled.passes;
  let state: PlainScan | undefined;
  for (let passIndex = 0; passIndex < passes.length; passIndex++) {
    const found = candidates(passes[passIndex]!, text, from);
    if (found === undefined) continue;
    state ??= { taken: [], noEndFrom: Infinity };
    for (const candidate of found) {
      if (overlapsTaken(state.taken, candidate.secretStart, candidate.secretEnd)) continue;
      const detector = candidate.slot.detectors.find(
        (d) => (wrappers || !d.yieldsToSpecific) && accepts(d, candidate.raw, text, candidate.secretStart),
      );
      if (detector === undefined) continue;
      out = report(settings, detector, candidate, text, out, offset, wrappers, state);
      take(state.taken, candidate.secretStart, candidate.secretEnd);
    }
  }
  return out;
}

/** Index of the first taken span that ends after `position` (binary search). */
function firstEndingAfter(taken: number[], position: number): number {
  let low = 0;
  let high = taken.length / 2;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (taken[middle * 2 + 1]! <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}

function overlapsTaken(taken: number[], start: number, end: number): boolean {
  const index = firstEndingAfter(taken, start);
  return index * 2 < taken.length && taken[index * 2]! < end;
}

function take(taken: number[], start: number, end: number): void {
  const index = firstEndingAfter(taken, start);
  if (index * 2 === taken.length) taken.push(start, end);
  else taken.splice(index * 2, 0, start, end);
}

function report(
  settings: Settings,
  detector: Detector,
  candidate: Candidate,
  text: string,
  out: RawMatch[] | undefined,
  offset: number,
  wrappers: boolean,
  state: PlainScan,
): RawMatch[] | undefined {
  let { secretEnd, raw } = candidate;
  const { secretStart } = candidate;
  if (detector.yieldsToSpecific && wrappers) {
    const before = out?.length ?? 0;
    out = scanPlain(settings, raw, out, offset + secretStart, false);
    if ((out?.length ?? 0) > before) return out;
  }
  let truncated = false;
  if (detector.multiline) {
    let closing: { index: number; end: number } | undefined;
    if (state.nextEnd !== undefined && state.nextEnd.index >= secretEnd) closing = state.nextEnd;
    else if (secretEnd < state.noEndFrom) {
      const end = endAnywhere(detector.multiline);
      end.lastIndex = secretEnd;
      const found = end.exec(text);
      if (found === null) state.noEndFrom = secretEnd;
      else closing = state.nextEnd = { index: found.index, end: found.index + found[0].length };
    }
    if (closing !== undefined && closing.index - secretEnd <= MAX_INLINE_BLOCK) {
      secretEnd = closing.end;
      candidate.secretEnd = secretEnd;
      raw = text.slice(secretStart, secretEnd);
    } else {
      truncated = true;
    }
  }
  const match = buildMatch(detector, raw, text, secretStart, secretEnd, truncated);
  match.start += offset;
  match.end += offset;
  (out ??= []).push(match);
  return out;
}

function overlapsAny(matches: RawMatch[] | undefined, start: number, end: number): boolean {
  if (matches === undefined) return false;
  for (const match of matches) if (match.start < end && start < match.end) return true;
  return false;
}

function deeper(encoding: Encoding): Encoding {
  if (encoding === 'plain') return 'base64';
  if (encoding === 'base64') return 'base64x2';
  return `base64x${Number(encoding.slice('base64x'.length)) + 1}`;
}

const run: Span = { start: 0, end: 0 };

/** Plain matches, then matches inside decoded base64 runs; `depth` is how many layers are already open. */
/**
 * Length of a GitHub Actions timestamp prefix (`2025-09-05T10:00:00.0230000Z `), else 0. No
 * credential starts inside it, so both searches begin after it: a quarter of a typical log's
 * bytes are timestamps.
 */
function timestampLength(text: string): number {
  if (text.length < 21 || text.charCodeAt(4) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return 0;
  let index = 19;
  if (text.charCodeAt(index) === 46) {
    index++;
    while (index < text.length && index < 31 && text.charCodeAt(index) >= 48 && text.charCodeAt(index) <= 57) index++;
  }
  if (text.charCodeAt(index) !== 90) return 0;
  return text.charCodeAt(index + 1) === 32 ? index + 2 : index + 1;
}

/** Stage 1 alone: whether any keyword occurs (most lines: one native search, nothing allocated). */
function anyKeyword(passes: Pass[], text: string, from: number): boolean {
  for (let index = 0; index < passes.length; index++) {
    const keywords = passes[index]!.keywords;
    keywords.lastIndex = from;
    if (keywords.test(text)) return true;
  }
  return false;
}

/** `what`: the searches to make (`HAS_KEYWORD`, `HAS_RUN`), when the prefilter knows which can find something. */
function scanText(settings: Settings, text: string, depth: number, what = MAY_MATCH): RawMatch[] {
  const content = timestampLength(text);
  let out = (what & HAS_KEYWORD) !== 0 && anyKeyword(settings.compiled.passes, text, content) ? scanPlain(settings, text, undefined, 0, true, content) : undefined;
  if ((what & HAS_RUN) !== 0 && depth < settings.maxDepth && text.length - content >= settings.minBase64Length) {
    let from = content;
    // `isBase64Noise` ends with a search of the whole line (cache-key lines); once it said no,
    // the line is not such a line, and the other runs need only the tests of the run itself.
    let noiseLine: boolean | undefined;
    while (nextBase64Run(text, from, settings.minBase64Length, run)) {
      const start = run.start;
      const end = run.end;
      from = end;
      if (overlapsAny(out, start, end)) continue;
      if (noiseLine === false) {
        if (plainlyNoise(text, start, end) || digestBefore(text, start)) continue;
      } else if (isBase64Noise(text, start, end)) continue;
      else noiseLine = false;
      const decoded = decodeBase64Run(text.slice(start, end));
      if (decoded === undefined) continue;
      for (const inner of scanDecoded(settings, decoded, depth + 1)) {
        const [innerStart, innerEnd] = encodedSpan(decoded, start, end, inner.start, inner.end);
        inner.start = innerStart;
        inner.end = innerEnd;
        inner.run = { start, end };
        inner.encoding = deeper(inner.encoding);
        (out ??= []).push(inner);
      }
    }
  }
  if (out === undefined) return EMPTY;
  if (out.length > 1) out.sort((a, b) => a.start - b.start || a.end - b.end);
  return out;
}

/** Decoded text may hold several lines (and PEM blocks): matches with offsets into `text`. */
function scanDecoded(settings: Settings, text: string, depth: number): RawMatch[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let position = 0;
  for (const line of lines) {
    starts.push(position);
    position += line.length + 1;
  }
  const scanner = LineScanner.forDecoded(settings, depth);
  const found: LineMatch[] = [];
  for (const line of lines) found.push(...scanner.push(line.endsWith('\r') ? line.slice(0, -1) : line));
  found.push(...scanner.flush());
  return found.map((match) => {
    const { line, endLine, ...rest } = match;
    return { ...rest, start: starts[line - 1]! + match.start, end: starts[endLine - 1]! + match.end };
  });
}

/**
 * Whether one of `slots` (those not in `checked` yet, which are added) matches somewhere in
 * `line`, one line of a Latin-1 block: `candidates` need only point at such lines, since
 * `scanPlain` reports nothing a slot pattern does not match. A line with bytes past ASCII is
 * taken whatever the patterns say: decoded as UTF-8 it is other text.
 */
function lineMayMatch(slots: readonly Slot[], line: string, checked: Slot[]): boolean {
  for (const slot of slots) {
    if (checked.includes(slot)) continue;
    checked.push(slot);
    const { regex } = slot;
    regex.lastIndex = 0;
    const found = regex.test(line);
    regex.lastIndex = 0;
    if (found) return true;
  }
  return NON_ASCII.test(line);
}

const NON_ASCII = /[^\x00-\x7f]/;

// --- the block prefilter -----------------------------------------------------------------------

/** Why a line is in `LineCandidates`: a detector keyword whose pattern matches is on it. */
export const HAS_KEYWORD = 1;
/** One of the markers the caller asked for occurs on it. */
export const MARKER = 2;
/** A base64 run that may hold text is on it. */
export const HAS_RUN = 4;
/** `push` may find something on it. */
export const MAY_MATCH = HAS_KEYWORD | HAS_RUN;

/** Lines of a block worth a look, in order of position (three arrays of the same length). */
export interface LineCandidates {
  /** 0-based index of the line in the block. */
  index: number[];
  /** Byte offset where it starts. */
  start: number[];
  /** `HAS_KEYWORD`, `HAS_RUN` and `MARKER` bits. */
  reason: number[];
}

const MARKER_ROLE = 'marker';
const BASE64_ROLE = 'base64';
/** What a prefilter hit means: a detector keyword (the slots it starts), a marker, a base64 run. */
type Role = readonly Slot[] | typeof MARKER_ROLE | typeof BASE64_ROLE;

interface SettingsPrefilter {
  prefilter: Prefilter;
  roles: Role[];
}

const prefilters = new WeakMap<Settings, Map<string, SettingsPrefilter>>();

/** The prefilter of a scanner's detectors and the caller's markers, built once per combination. */
function prefilterFor(settings: Settings, depth: number, markers: readonly string[]): SettingsPrefilter {
  const key = `${depth < settings.maxDepth ? settings.minBase64Length : 0}\0${markers.join('\0')}`;
  let bySettings = prefilters.get(settings);
  if (bySettings === undefined) prefilters.set(settings, (bySettings = new Map()));
  let found = bySettings.get(key);
  if (found === undefined) {
    const loaded = loadPrefilterModule();
    if ('error' in loaded) throw new Error(`the logs prefilter is unavailable: ${loaded.error}`);
    const keywords: PrefilterKeyword[] = [];
    const roles: Role[] = [];
    for (const pass of settings.compiled.passes) {
      for (const [keyword, slots] of pass.slotsByKeyword) {
        keywords.push({ text: keyword, ignoreCase: pass.keywords.ignoreCase });
        roles.push(slots);
      }
    }
    for (const marker of markers) {
      keywords.push({ text: marker, ignoreCase: false });
      roles.push(MARKER_ROLE);
    }
    const prefilter = new Prefilter(loaded.module, keywords, { base64MinRun: depth < settings.maxDepth ? settings.minBase64Length : 0 });
    bySettings.set(key, (found = { prefilter, roles }));
  }
  return found;
}

/** Sorts `out` from `first` on by line and joins the entries of the same line. */
function mergeCandidates(out: LineCandidates, first: number): void {
  const entries = out.index.slice(first).map((index, at) => ({ index, start: out.start[first + at]!, reason: out.reason[first + at]! }));
  entries.sort((a, b) => a.index - b.index);
  out.index.length = first;
  out.start.length = first;
  out.reason.length = first;
  for (const entry of entries) {
    const last = out.index.length - 1;
    if (last >= first && out.index[last] === entry.index) out.reason[last]! |= entry.reason;
    else {
      out.index.push(entry.index);
      out.start.push(entry.start);
      out.reason.push(entry.reason);
    }
  }
}

// --- public API --------------------------------------------------------------------------------

function settingsFor(options: ScanOptions): Settings {
  return {
    compiled: options.detectors ? compileDetectors(options.detectors) : defaultCompiled(),
    maxDepth: Math.max(0, Math.min(options.maxDepth ?? DEFAULT_MAX_DEPTH, 5)),
    minBase64Length: Math.max(8, options.minBase64Length ?? MIN_BASE64_RUN),
  };
}

let compiledDefault: CompiledDetectors | undefined;
function defaultCompiled(): CompiledDetectors {
  return (compiledDefault ??= compileDetectors(allDetectors));
}

let defaultSettings: Settings | undefined;

/**
 * Every credential on one line, sorted by position. Stateless: a PEM block spanning lines is
 * reported by its BEGIN line only (`truncated`); use `LineScanner` to join it. The array returned
 * for a line without matches is shared and frozen.
 */
export function scanLine(line: string, options?: ScanOptions): RawMatch[] {
  let settings: Settings | undefined;
  if (options === undefined) settings = defaultSettings ??= settingsFor({});
  else {
    settings = settingsByOptions.get(options);
    if (settings === undefined) settingsByOptions.set(options, (settings = settingsFor(options)));
  }
  return scanText(settings, line, 0);
}

/** Compiled once per options object (pass the same object for every line). */
const settingsByOptions = new WeakMap<ScanOptions, Settings>();

const HEX_DIGIT = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;
const ASCII_LETTER = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ') ASCII_LETTER[c.charCodeAt(0)] = 1;

/**
 * The part of `isBase64Noise` that looks at the run alone (hex digests, letters only): a run it
 * rejects is rejected by `isBase64Noise` too, whatever the line. (Base64 runs are ASCII.)
 */
function plainlyNoise(text: string, start: number, end: number): boolean {
  if (end - start >= 24) {
    let index = start;
    const stop = start + 24;
    while (index < stop && HEX_DIGIT[text.charCodeAt(index)] === 1) index++;
    if (index === stop) return true;
  }
  let index = start;
  while (index < end && ASCII_LETTER[text.charCodeAt(index)] === 1) index++;
  return index >= end;
}

const DIGEST_NAMES = ['sha512', 'sha256', 'sha384', 'sha224', 'sha1', 'md5', 'SHA512', 'SHA256', 'SHA384', 'SHA1', 'MD5'];

/** `sha512-…` integrity strings, `sha256:…` digests: as `isBase64Noise` tests them. */
function digestBefore(text: string, start: number): boolean {
  if (start === 0) return false;
  const separator = text.charCodeAt(start - 1);
  if (separator !== 45 && separator !== 58) return false;
  for (const prefix of DIGEST_NAMES) if (text.startsWith(prefix, start - 1 - prefix.length)) return true;
  return false;
}

/** Text after the log prefix: a GitHub timestamp, ANSI colour codes, indentation. */
const LOG_PREFIX = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?)?(?:\x1b\[[0-9;]*[A-Za-z])*[ \t]*/;

interface OpenBlock {
  detector: Detector;
  startLine: number;
  start: number;
  parts: string[];
  lastLine: number;
  lastEnd: number;
  size: number;
}

const MAX_BLOCK_BYTES = 256 * 1024;

const endAnywhereCache = new WeakMap<MultilineSpec, RegExp>();
/** The END marker anywhere (global, for a search from a position). */
function endAnywhere(spec: MultilineSpec): RegExp {
  let regex = endAnywhereCache.get(spec);
  if (regex === undefined) endAnywhereCache.set(spec, (regex = new RegExp(spec.end.source, 'g')));
  return regex;
}

const endAtStartCache = new WeakMap<MultilineSpec, RegExp>();
/** The END marker at the start of a line's content (after an optional quote). */
function endAtStart(spec: MultilineSpec): RegExp {
  let regex = endAtStartCache.get(spec);
  if (regex === undefined) endAtStartCache.set(spec, (regex = new RegExp(`^["']?(?:${spec.end.source})`)));
  return regex;
}

/**
 * Scans a stream of lines. Same matches as `scanLine`, plus PEM blocks joined across lines: a
 * block is reported when its END line (or the first line that cannot belong to it) is pushed,
 * with `line`/`start` at its BEGIN marker; a block still open at the end is reported by `flush`.
 */
export class LineScanner {
  private settings: Settings;
  /** Layers of base64 already open around the lines (for scanners of decoded text). */
  private depth = 0;
  private lineNumber = 0;
  private block: OpenBlock | undefined;

  constructor(options: ScanOptions = {}) {
    this.settings = Object.keys(options).length === 0 ? (defaultSettings ??= settingsFor({})) : settingsFor(options);
  }

  /** @internal A scanner for the lines of decoded text, sharing the outer scanner's settings. */
  static forDecoded(settings: Settings, depth: number): LineScanner {
    const scanner = new LineScanner();
    scanner.settings = settings;
    scanner.depth = depth;
    return scanner;
  }

  /** The number of lines pushed so far. */
  get lines(): number {
    return this.lineNumber;
  }

  /** Matches completed by this line (shared frozen empty array when none). */
  /** `what`: see `pushAt`. */
  push(line: string, what = MAY_MATCH): LineMatch[] {
    const number = ++this.lineNumber;
    let out: LineMatch[] | undefined;
    if (this.block) {
      const closed = this.continueBlock(line, number);
      if (closed === 'consumed') return EMPTY as LineMatch[];
      if (closed.kind === 'complete') return [closed.match];
      out = [closed.match];
    }
    const matches = scanText(this.settings, line, this.depth, what);
    if (matches.length === 0) return out ?? (EMPTY as LineMatch[]);
    for (const match of matches) {
      const detector = match.truncated && match.encoding === 'plain' ? this.settings.compiled.byId.get(match.detector) : undefined;
      if (detector?.multiline && /^["'\s]*$/.test(line.slice(match.end))) {
        this.block = { detector, startLine: number, start: match.start, parts: [match.secret], lastLine: number, lastEnd: match.end, size: match.secret.length };
        continue;
      }
      (out ??= []).push({ ...match, line: number, endLine: number });
    }
    return out ?? (EMPTY as LineMatch[]);
  }

  /** Whether a credential spanning lines is open: the next line must be pushed, not skipped. */
  get inBlock(): boolean {
    return this.block !== undefined;
  }

  /**
   * `push` for line `number`, skipping the lines since the last one pushed (they must be lines
   * `candidates` did not point at, and no block may be open). `what`: the reason `candidates`
   * gave for the line (`HAS_KEYWORD`, `HAS_RUN`): the other search is skipped, since it can find
   * nothing there. Default: both.
   */
  pushAt(number: number, line: string, what = MAY_MATCH): LineMatch[] {
    if (number <= this.lineNumber || (this.block !== undefined && number !== this.lineNumber + 1)) {
      throw new Error(`LineScanner.pushAt: line ${number} after line ${this.lineNumber}${this.block ? ' with a block open' : ''}`);
    }
    this.lineNumber = number - 1;
    return this.push(line, what);
  }

  /**
   * The lines of `bytes` worth a look, appended to `out` in order, each once, with why: where
   * `push` could find something when no block is open (`HAS_KEYWORD`: a detector keyword whose
   * pattern matches on the line; `HAS_RUN`: a long base64 run that may hold text), and where one
   * of `markers` occurs (`MARKER`). `bytes` are whole lines as read (UTF-8, `\n` between them,
   * none after the last). Returns the number of line breaks in `bytes`. Throws when the
   * prefilter cannot run here (`LineScanner.prefilterError()` says so beforehand).
   */
  candidates(bytes: Uint8Array, out: LineCandidates, markers: readonly string[] = []): number {
    const { prefilter, roles } = prefilterFor(this.settings, this.depth, markers);
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const first = out.index.length;
    let line = -1;
    let start = 0;
    let reason = 0;
    let text: string | undefined;
    let checked: Slot[] | undefined;
    let sorted = true;
    const flush = () => {
      if (reason === 0) return;
      const last = out.index.length - 1;
      if (last >= first && out.index[last]! >= line) sorted = false;
      out.index.push(line);
      out.start.push(start);
      out.reason.push(reason);
    };
    const breaks = prefilter.scan(bytes, (position, keyword, hitLine, lineStart) => {
      if (hitLine !== line) {
        flush();
        line = hitLine;
        start = lineStart;
        reason = 0;
        text = undefined;
        checked = undefined;
      }
      const role = keyword === -1 ? BASE64_ROLE : roles[keyword]!;
      if (role === MARKER_ROLE) {
        reason |= MARKER;
        return;
      }
      if (role === BASE64_ROLE) {
        reason |= HAS_RUN;
        return;
      }
      if ((reason & HAS_KEYWORD) !== 0) return;
      if (text === undefined) {
        const newline = buffer.indexOf(10, position);
        let end = newline === -1 ? buffer.length : newline;
        if (end > start && buffer[end - 1] === 13) end--;
        text = buffer.toString('latin1', start, end);
      }
      if (lineMayMatch(role, text, (checked ??= []))) reason |= HAS_KEYWORD;
    });
    flush();
    if (!sorted) mergeCandidates(out, first);
    return breaks;
  }

  /** Why `candidates` cannot run here (the WebAssembly prefilter did not load), if it cannot. */
  static prefilterError(): string | undefined {
    const loaded = loadPrefilterModule();
    return 'error' in loaded ? loaded.error : undefined;
  }

  /** Reports a block still open at the end of the input. */
  flush(): LineMatch[] {
    if (!this.block) return EMPTY as LineMatch[];
    const match = this.closeBlock(undefined, this.block.lastLine, this.block.lastEnd);
    return [match];
  }

  private continueBlock(line: string, number: number): 'consumed' | { kind: 'complete' | 'aborted'; match: LineMatch } {
    const block = this.block!;
    const spec = block.detector.multiline!;
    const prefix = LOG_PREFIX.exec(line)![0].length;
    const content = line.slice(prefix).replace(/["',\s]+$/, '');
    const end = endAtStart(spec).exec(content);
    if (end) {
      const marker = end[0].replace(/^["']/, '');
      const match = this.closeBlock(marker, number, prefix + end[0].length);
      return { kind: 'complete', match };
    }
    if (spec.body.test(content) && block.parts.length < spec.maxLines && block.size + content.length < MAX_BLOCK_BYTES) {
      block.parts.push(content);
      block.size += content.length + 1;
      block.lastLine = number;
      block.lastEnd = line.length;
      return 'consumed';
    }
    return { kind: 'aborted', match: this.closeBlock(undefined, block.lastLine, block.lastEnd) };
  }

  private closeBlock(endMarker: string | undefined, endLine: number, end: number): LineMatch {
    const block = this.block!;
    this.block = undefined;
    const secret = endMarker === undefined ? block.parts.join('\n') : `${block.parts.join('\n')}\n${endMarker}`;
    const match = buildMatch(block.detector, secret, secret, 0, secret.length, endMarker === undefined);
    return { ...match, start: block.start, end, line: block.startLine, endLine };
  }
}
