import { readFileSync } from 'node:fs';
import { planProgram, type PrefilterKeyword, type Program, type ProgramLayout } from './program.ts';

/**
 * The WebAssembly prefilter (`assembly/prefilter.ts`), loaded from `prefilter.wasm`: next to the
 * bundle in `dist/`, or in `dist/` when the sources run directly (tests; `npm run build` writes it).
 * Where it cannot be loaded (no file, no WebAssembly SIMD), `loadPrefilterModule` says why and
 * callers read logs line by line instead.
 */

export type { PrefilterKeyword } from './program.ts';

interface Exports extends Record<keyof ProgramLayout, WebAssembly.Global> {
  memory: WebAssembly.Memory;
  PADDING: WebAssembly.Global;
  HIT_BYTES: WebAssembly.Global;
  BASE64_RUN: WebAssembly.Global;
  MAX_HITS_PER_STEP: WebAssembly.Global;
  begin(program: number, data: number, length: number, minRun: number): void;
  next(out: number, capacity: number): number;
  lineBreakCount(): number;
  hashOfWindow(word: number): number;
}

const WASM_FILE = 'prefilter.wasm';
const PLACES = [new URL(`./${WASM_FILE}`, import.meta.url), new URL(`../../../dist/${WASM_FILE}`, import.meta.url)];

let loaded: { module: WebAssembly.Module } | { error: string } | undefined;

/** The compiled module, or why there is none. Compiled once. */
export function loadPrefilterModule(): { module: WebAssembly.Module } | { error: string } {
  if (loaded) return loaded;
  let bytes: Buffer | undefined;
  for (const place of PLACES) {
    try {
      bytes = readFileSync(place);
      break;
    } catch {
      // try the next place
    }
  }
  if (bytes === undefined) return (loaded = { error: `${WASM_FILE} not found (run \`npm run build\`)` });
  try {
    loaded = { module: new WebAssembly.Module(new Uint8Array(bytes)) };
  } catch (error) {
    loaded = { error: `${WASM_FILE} cannot be compiled here (${(error as Error).message})` };
  }
  return loaded;
}

/** Hits written per call of the module's `next`. */
const HIT_CAPACITY = 16384;
const PAGE = 65536;

/**
 * A prefilter for one set of keywords. `scan` calls `visit(position, keyword, line, lineStart)`
 * for every line (0-based in `bytes`, starting at byte `lineStart`) that holds a keyword (once per
 * keyword and line, at its first place; `keyword` is its index in the list given) and for every
 * base64 run of at least `base64MinRun` characters that the scanner may decode (`keyword` -1,
 * `position` its start; see `assembly/prefilter.ts`), and returns the number of line breaks in
 * `bytes`. Not reentrant: one scan at a time.
 */
export class Prefilter {
  readonly program: Program;
  private readonly exports: Exports;
  private readonly base64MinRun: number;
  private readonly hitsAt: number;
  private readonly hitBytes: number;
  private readonly base64Run: number;
  private readonly dataAt: number;
  private readonly padding: number;

  constructor(module: WebAssembly.Module, keywords: readonly PrefilterKeyword[], options: { base64MinRun: number }) {
    const instance = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('prefilter: abort'); } } });
    this.exports = instance.exports as unknown as Exports;
    const constant = (name: keyof Exports) => (this.exports[name] as WebAssembly.Global).value as number;
    const layout = Object.fromEntries(
      (['TABLES_AT', 'BUCKET_FIRST_AT', 'BUCKET_COUNT_AT', 'RECORDS_AT', 'RECORD_BYTES', 'HASH_AT', 'HASH_BYTES', 'PROGRAM_BYTES', 'MAX_KEYWORDS', 'IGNORE_CASE'] as const).map((name) => [name, constant(name)]),
    ) as unknown as ProgramLayout;
    if (HIT_CAPACITY < constant('MAX_HITS_PER_STEP')) throw new Error('prefilter: hit buffer smaller than one step can fill');
    this.program = planProgram(keywords, layout);
    this.base64MinRun = Math.max(0, Math.floor(options.base64MinRun));
    this.hitBytes = constant('HIT_BYTES');
    this.base64Run = constant('BASE64_RUN');
    this.padding = constant('PADDING');
    this.hitsAt = layout.PROGRAM_BYTES;
    this.dataAt = align(this.hitsAt + HIT_CAPACITY * this.hitBytes, 16);
    this.reserve(0);
    new Uint8Array(this.exports.memory.buffer).set(this.program.bytes, 0);
  }

  scan(bytes: Uint8Array, visit: (position: number, keyword: number, line: number, lineStart: number) => void): number {
    const { exports, dataAt, hitsAt, hitBytes } = this;
    this.reserve(bytes.length);
    const memory = new Uint8Array(exports.memory.buffer);
    memory.set(bytes, dataAt);
    memory.fill(0, dataAt + bytes.length, dataAt + bytes.length + this.padding);
    exports.begin(0, dataAt, bytes.length, this.base64MinRun);
    const keywordOfRecord = this.program.keywordOfRecord;
    for (let count = exports.next(hitsAt, HIT_CAPACITY); count > 0; count = exports.next(hitsAt, HIT_CAPACITY)) {
      // `memory.buffer` stays the same during a scan (nothing grows it), so one view serves.
      const hits = new Uint32Array(exports.memory.buffer, hitsAt, count * (hitBytes / 4));
      for (let index = 0; index < hits.length; index += 4) {
        const record = hits[index + 1]!;
        visit(hits[index]!, record === this.base64Run ? -1 : keywordOfRecord[record]!, hits[index + 2]!, hits[index + 3]!);
      }
    }
    return exports.lineBreakCount();
  }

  /** The module's own hash of a window (tests check that `program.ts` computes the same). */
  hashOfWindow(word: number): number {
    return this.exports.hashOfWindow(word) >>> 0;
  }

  private reserve(dataBytes: number): void {
    const memory = this.exports.memory;
    const needed = this.dataAt + dataBytes + this.padding;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
