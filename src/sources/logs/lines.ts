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
 * Reads `source` to the end (or until it turns out binary), handing each batch of lines to
 * `onLines` and awaiting it, so a slow consumer (a redacted copy being written) holds back the
 * reader instead of letting lines pile up.
 */
export async function readLines(
  source: AsyncIterable<Uint8Array>,
  options: { maxLineBytes?: number },
  onLines: (lines: LogLine[]) => void | Promise<void>,
): Promise<ReadStats> {
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const stats: ReadStats = { bytes: 0, lines: 0, binary: false, longLines: 0 };
  let sniff: Buffer[] | null = [];
  let sniffed = 0;

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

  const process = async (chunk: Uint8Array) => {
    const lines: LogLine[] = [];
    splitter.push(chunk, lines);
    await deliver(lines);
  };

  for await (const chunk of source) {
    stats.bytes += chunk.length;
    if (sniff) {
      sniff.push(Buffer.from(chunk));
      sniffed += chunk.length;
      if (sniffed < SNIFF_BYTES) continue;
      const sample = Buffer.concat(sniff);
      sniff = null;
      if (looksBinary(sample.subarray(0, SNIFF_BYTES))) {
        stats.binary = true;
        return stats;
      }
      await process(sample);
      continue;
    }
    await process(chunk);
  }
  if (sniff) {
    const sample = Buffer.concat(sniff);
    if (looksBinary(sample)) {
      stats.binary = true;
      return stats;
    }
    await process(sample);
  }
  const last: LogLine[] = [];
  splitter.end(last);
  await deliver(last);
  return stats;
}
