import type { Span } from './yaml/document.ts';

/**
 * Line bookkeeping for the plain-text models (requirements files, TOML and JSON lockfiles,
 * Dockerfiles): offsets to 1-based lines and columns, the way the YAML model counts them.
 */
export class LineIndex {
  /** Offset where each line starts; line N (1-based) starts at `starts[N - 1]`. */
  readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) this.starts.push(i + 1);
      else if (code === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line of an offset (clamped to the text). */
  lineOf(offset: number): number {
    const target = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= target) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  position(offset: number): { line: number; column: number } {
    const line = this.lineOf(offset);
    return { line, column: Math.max(0, Math.min(offset, this.text.length)) - this.starts[line - 1]! + 1 };
  }

  span(start: number, end: number): Span {
    const from = Math.max(0, Math.min(start, this.text.length));
    const to = Math.max(from, Math.min(end, this.text.length));
    return { start: this.position(from), end: this.position(to), offset: from, endOffset: to };
  }

  /** Offset where a 1-based line starts (the end of the text past the last line). */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Offset where a line's content ends, before its line break. */
  lineEnd(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.text.length;
    let end = next;
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  /** The span of a whole line, leading and trailing blanks left out. */
  lineSpan(line: number): Span {
    const start = this.lineStart(line);
    const text = this.lineText(line);
    const lead = text.length - text.trimStart().length;
    return this.span(start + lead, start + text.trimEnd().length);
  }
}

/**
 * `#` comments of a plain-text file: a `#` at the start of a line or after a blank, to the end of
 * the line. Good enough for ignore comments in requirements files, TOML and Dockerfiles (a `#`
 * inside a TOML string after a blank would count too, which can only widen an ignore the author
 * wrote on purpose).
 */
export function hashComments(index: LineIndex): Array<{ line: number; offset: number; text: string }> {
  const comments: Array<{ line: number; offset: number; text: string }> = [];
  for (let line = 1; line <= index.lineCount; line++) {
    const text = index.lineText(line);
    const match = /(^|\s)#/.exec(text);
    if (!match) continue;
    const at = match.index + match[1]!.length;
    comments.push({ line, offset: index.lineStart(line) + at, text: text.slice(at + 1) });
  }
  return comments;
}
