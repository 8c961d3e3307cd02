import { open } from 'node:fs/promises';

/**
 * Streaming line reader for logs of any size: bytes come in chunks (a file, a zip entry, stdin),
 * lines go out in batches, and nothing but the current line is held. Lines are decoded as UTF-8
 * lossily (invalid bytes become U+FFFD, as `Buffer#toString` does); a line longer than
 * `maxLineBytes` keeps its first `maxLineBytes` bytes and the rest is counted, not kept. A file
 * whose first 8 KiB is NUL-heavy is binary and is not read further.
 */

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** Bytes looked at to decide whether a file is binary. */
export const SNIFF_BYTES = 8192;

export interface LogLine {
  /** 1-based. */
  number: number;
  /** Without the line break (and without a UTF-8 byte-order mark on line 1). */
  text: string;
  /** Bytes of the line past `maxLineBytes`, dropped unscanned. */
  cutBytes: number;
}

export interface ReadStats {
  bytes: number;
  lines: number;
  binary: boolean;
  /** Lines longer than the cap, and the first of them. */
  longLines: number;
  firstLongLine?: number;
}

/** NUL-heavy: at least one NUL per hundred bytes of the sample (UTF-16 text counts as binary). */
export function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  let nul = 0;
  for (let index = 0; index < sample.length; index++) if (sample[index] === 0) nul++;
  return nul > 0 && nul * 100 >= sample.length;
}

export class LineSplitter {
  private readonly maxLineBytes: number;
  private parts: Buffer[] = [];
  private length = 0;
  private cut = 0;
  private number = 0;
  private sawCarriageReturnCut = false;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Splits `chunk`, appending complete lines to `out`. */
  push(chunk: Uint8Array, out: LogLine[]): void {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(10, start);
      if (newline === -1) {
        this.append(buffer, start, buffer.length);
        return;
      }
      if (this.parts.length === 0 && this.cut === 0) {
        // Fast path: the whole line is inside this chunk.
        const end = Math.min(newline, start + this.maxLineBytes);
        this.emit(buffer.toString('utf8', start, end), newline - end, buffer[newline - 1] === 13 && end < newline, out);
      } else {
        this.append(buffer, start, newline);
        this.flush(out);
      }
      start = newline + 1;
    }
  }

  /** The last line, if the input does not end with a line break. */
  end(out: LogLine[]): void {
    if (this.parts.length > 0 || this.cut > 0) this.flush(out);
  }

  private append(buffer: Buffer, start: number, end: number): void {
    const room = this.maxLineBytes - this.length;
    const take = Math.max(0, Math.min(room, end - start));
    if (take > 0) {
      // Copy: holding a slice would keep the whole chunk alive.
      this.parts.push(Buffer.from(buffer.subarray(start, start + take)));
      this.length += take;
    }
    if (end - start > take) {
      this.cut += end - start - take;
      this.sawCarriageReturnCut = buffer[end - 1] === 13;
    }
  }

  private flush(out: LogLine[]): void {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.emit(bytes.toString('utf8'), this.cut, this.cut > 0 && this.sawCarriageReturnCut, out);
    this.parts = [];
    this.length = 0;
    this.cut = 0;
    this.sawCarriageReturnCut = false;
  }

  private emit(raw: string, cutBytes: number, carriageReturnCut: boolean, out: LogLine[]): void {
    this.number++;
    let text = raw;
    if (cutBytes === 0 && text.endsWith('\r')) text = text.slice(0, -1);
    if (this.number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    out.push({ number: this.number, text, cutBytes: carriageReturnCut ? Math.max(0, cutBytes - 1) : cutBytes });
  }
}

/**
 * The chunks of `source`, the first `SNIFF_BYTES` gathered into one (a copy) and judged first:
 * when they look binary, `stats.binary` is set and nothing is yielded. Counts the bytes read.
 */
async function* sniffed(source: AsyncIterable<Uint8Array>, stats: { bytes: number; binary: boolean }): AsyncGenerator<Buffer> {
  let sample: Buffer[] | null = [];
  let sampled = 0;
  for await (const chunk of source) {
    stats.bytes += chunk.length;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (sample === null) {
      yield buffer;
      continue;
    }
    sample.push(Buffer.from(buffer));
    sampled += buffer.length;
    if (sampled < SNIFF_BYTES) continue;
    const head = Buffer.concat(sample);
    sample = null;
    if (looksBinary(head.subarray(0, SNIFF_BYTES))) {
      stats.binary = true;
      return;
    }
    yield head;
  }
  if (sample === null) return;
  const head = Buffer.concat(sample);
  if (looksBinary(head)) stats.binary = true;
  else if (head.length > 0) yield head;
}

/**
 * Reads `source` to the end (or until it turns out binary), handing each batch of lines to
 * `onLines` and awaiting it, so a slow consumer (a redacted copy being written) holds back the
 * reader instead of letting lines pile up. A chunk of `source` is not used after the next one is
 * requested (sources may reuse one buffer).
 */
export async function readLines(
  source: AsyncIterable<Uint8Array>,
  options: { maxLineBytes?: number },
  onLines: (lines: LogLine[]) => void | Promise<void>,
): Promise<ReadStats> {
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const stats: ReadStats = { bytes: 0, lines: 0, binary: false, longLines: 0 };

  const deliver = async (lines: LogLine[]) => {
    if (lines.length === 0) return;
    stats.lines += lines.length;
    for (const line of lines) {
      if (line.cutBytes > 0) {
        stats.longLines++;
        stats.firstLongLine ??= line.number;
      }
    }
    await onLines(lines);
  };

  for await (const chunk of sniffed(source, stats)) {
    const lines: LogLine[] = [];
    splitter.push(chunk, lines);
    await deliver(lines);
  }
  if (stats.binary) return stats;
  const last: LogLine[] = [];
  splitter.end(last);
  await deliver(last);
  return stats;
}

/**
 * A piece of a log as `readLogBlocks` delivers it: either one line on its own (`single`: a line
 * that straddled two chunks or was longer than the cap; `text` is decoded as `LineSplitter` does,
 * `\r` and BOM dropped, `cutBytes` counting what was cut), or many whole lines at once, none of
 * them longer than the cap: then `bytes` are the lines as read, joined by `\n` (none after the
 * last; a line may end with `\r`), and `line(from, to)` decodes `bytes[from, to)` as UTF-8.
 * `bytes` are valid only during the call.
 */
export type LogBlock =
  | { single: true; text: string; cutBytes: number }
  | { single: false; bytes: Buffer; line(from: number, to: number): string };
/** Bytes handed over at once by `readLogBlocks`. */
export const BLOCK_BYTES = 64 * 1024;

/**
 * Reads `source` to the end in large blocks of whole lines (about `BLOCK_BYTES` each, split at
 * the last line break, the rest carried over), for consumers that look at most lines only with
 * searches over the whole block's bytes. Same lines, decoding, caps and binary test as
 * `readLines`; the consumer numbers and counts the lines. A chunk of `source` is not used after
 * the next one is requested (sources may reuse one buffer).
 */
export async function readLogBlocks(
  source: AsyncIterable<Uint8Array>,
  options: { maxLineBytes?: number; blockBytes?: number },
  onBlock: (block: LogBlock) => void,
): Promise<{ bytes: number; binary: boolean }> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const blockBytes = Math.max(1, options.blockBytes ?? BLOCK_BYTES);
  const stats = { bytes: 0, binary: false };
  // The line that straddles blocks: its first `maxLineBytes` bytes, and how many more were cut.
  let parts: Buffer[] = [];
  let partsLength = 0;
  let cut = 0;
  let sawCarriageReturnCut = false;
  let first = true;

  const emit = (raw: string, cutBytes: number, carriageReturnCut: boolean) => {
    let text = raw;
    if (cutBytes === 0 && text.endsWith('\r')) text = text.slice(0, -1);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    onBlock({ single: true, text, cutBytes: carriageReturnCut ? Math.max(0, cutBytes - 1) : cutBytes });
  };
  const emitLines = (buffer: Buffer, start: number, end: number) => {
    // The UTF-8 byte-order mark of line 1 is not part of it.
    if (first && end - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf) start += 3;
    first = false;
    const offset = start;
    onBlock({ single: false, bytes: buffer.subarray(start, end), line: (from, to) => buffer.toString('utf8', offset + from, offset + to) });
  };
  const append = (buffer: Buffer, start: number, end: number) => {
    const room = maxLineBytes - partsLength;
    const take = Math.max(0, Math.min(room, end - start));
    if (take > 0) {
      parts.push(Buffer.from(buffer.subarray(start, start + take)));
      partsLength += take;
    }
    if (end - start > take) {
      cut += end - start - take;
      sawCarriageReturnCut = buffer[end - 1] === 13;
    }
  };
  const flushCarry = () => {
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partsLength);
    emit(bytes.toString('utf8'), cut, cut > 0 && sawCarriageReturnCut);
    parts = [];
    partsLength = 0;
    cut = 0;
    sawCarriageReturnCut = false;
  };
  const carrying = () => parts.length > 0 || cut > 0;

  /** Whole lines `buffer[start, end)` (`end` is a line break): cut where no line is too long. */
  const body = (buffer: Buffer, start: number, end: number) => {
    let from = start;
    while (end - from > maxLineBytes) {
      const last = buffer.lastIndexOf(10, from + maxLineBytes);
      if (last >= from) {
        // Lines up to `last` are all short enough.
        emitLines(buffer, from, last);
        from = last + 1;
        continue;
      }
      // The line at `from` is longer than the cap.
      const newline = buffer.indexOf(10, from + maxLineBytes);
      const stop = newline === -1 || newline > end ? end : newline;
      const keep = from + maxLineBytes;
      emit(buffer.toString('utf8', from, keep), stop - keep, buffer[stop - 1] === 13);
      if (stop === end) return;
      from = stop + 1;
    }
    emitLines(buffer, from, end);
  };

  const process = (buffer: Buffer) => {
    let start = 0;
    if (carrying()) {
      const newline = buffer.indexOf(10);
      if (newline === -1) {
        append(buffer, 0, buffer.length);
        return;
      }
      append(buffer, 0, newline);
      flushCarry();
      start = newline + 1;
    }
    const last = buffer.lastIndexOf(10);
    if (last >= start) {
      body(buffer, start, last);
      start = last + 1;
    }
    if (start < buffer.length) append(buffer, start, buffer.length);
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const drain = () => {
    if (pendingBytes === 0) return;
    const buffer = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    process(buffer);
  };

  for await (const buffer of sniffed(source, stats)) {
    if (pendingBytes === 0 && buffer.length >= blockBytes) {
      // The usual case: a chunk is a block of its own, used before the next chunk is read.
      process(buffer);
      continue;
    }
    // Kept past this chunk: a copy, since sources may reuse their buffer (`readFileChunks`).
    pending.push(Buffer.from(buffer));
    pendingBytes += buffer.length;
    if (pendingBytes >= blockBytes) drain();
  }
  if (stats.binary) return stats;
  drain();
  if (carrying()) flushCarry();
  return stats;
}

/** Bytes read from a file at once by `readFileChunks`. */
export const FILE_CHUNK_BYTES = 1024 * 1024;

/**
 * The bytes of a file in chunks of `chunkBytes`, all read into the same buffer: a chunk is valid
 * until the next one is requested (as `readLines` and `readLogBlocks` use them). One buffer,
 * rather than a new one per read (as `createReadStream` does), spares the allocation, the page
 * faults and the garbage collection of 200 buffers for a 200 MB log.
 */
export async function* readFileChunks(file: string, chunkBytes = FILE_CHUNK_BYTES): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
