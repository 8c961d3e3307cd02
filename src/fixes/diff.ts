/**
 * Unified diffs (`diff -u` / `git diff` style) of a file before and after its fixes, for
 * `cordon fix --dry-run`. Line-based Myers diff; 3 lines of context.
 */

type Operation = { kind: 'equal' | 'delete' | 'insert'; line: string };

/** Splits a text into lines, keeping whether the last one ended with a newline. */
function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

/** The edit script from `a` to `b` (Myers' O(ND) algorithm, greedy forward search with trace). */
function diffLines(a: readonly string[], b: readonly string[]): Operation[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from the end.
  const operations: Operation[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : vd[offset + previousK]!;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      operations.push({ kind: 'equal', line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === previousX) operations.push({ kind: 'insert', line: b[y - 1]! });
      else operations.push({ kind: 'delete', line: a[x - 1]! });
      x = previousX;
      y = previousY;
    }
  }
  return operations.reverse();
}

export interface DiffStats {
  added: number;
  removed: number;
}

/** Counts the lines a change adds and removes. */
export function diffStats(before: string, after: string): DiffStats {
  const stats = { added: 0, removed: 0 };
  for (const operation of diffLines(splitLines(before).lines, splitLines(after).lines)) {
    if (operation.kind === 'insert') stats.added++;
    else if (operation.kind === 'delete') stats.removed++;
  }
  return stats;
}

/** A unified diff with `a/PATH` and `b/PATH` headers; empty when the texts are equal. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  // A line that ends one file without a newline but not the other is a changed line, as diff has it.
  const operations: Operation[] = [];
  {
    let ai = 0;
    let bi = 0;
    for (const operation of diffLines(a.lines, b.lines)) {
      if (operation.kind === 'equal') {
        const endsA = ai === a.lines.length - 1 && !a.finalNewline;
        const endsB = bi === b.lines.length - 1 && !b.finalNewline;
        if (endsA !== endsB) operations.push({ kind: 'delete', line: operation.line }, { kind: 'insert', line: operation.line });
        else operations.push(operation);
      } else operations.push(operation);
      if (operation.kind !== 'insert') ai++;
      if (operation.kind !== 'delete') bi++;
    }
  }
  // Line numbers of each operation in a and b.
  const rows: Array<Operation & { aLine: number; bLine: number }> = [];
  let aLine = 0;
  let bLine = 0;
  for (const operation of operations) {
    rows.push({ ...operation, aLine, bLine });
    if (operation.kind !== 'insert') aLine++;
    if (operation.kind !== 'delete') bLine++;
  }
  const out: string[] = [`--- a/${path}`, `+++ b/${path}`];
  let i = 0;
  while (i < rows.length) {
    if (rows[i]!.kind === 'equal') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2 × context lines further.
    const start = Math.max(0, i - context);
    let end = i;
    let lastChange = i;
    while (end < rows.length) {
      if (rows[end]!.kind !== 'equal') lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    end = Math.min(rows.length, lastChange + context + 1);
    const hunk = rows.slice(start, end);
    const aCount = hunk.filter((row) => row.kind !== 'insert').length;
    const bCount = hunk.filter((row) => row.kind !== 'delete').length;
    const aStart = aCount ? hunk.find((row) => row.kind !== 'insert')!.aLine + 1 : hunk[0]!.aLine;
    const bStart = bCount ? hunk.find((row) => row.kind !== 'delete')!.bLine + 1 : hunk[0]!.bLine;
    out.push(`@@ -${aStart}${aCount === 1 ? '' : `,${aCount}`} +${bStart}${bCount === 1 ? '' : `,${bCount}`} @@`);
    for (const row of hunk) {
      out.push(`${row.kind === 'equal' ? ' ' : row.kind === 'delete' ? '-' : '+'}${row.line}`);
      const lastOfA = row.kind !== 'insert' && row.aLine === a.lines.length - 1 && !a.finalNewline;
      const lastOfB = row.kind !== 'delete' && row.bLine === b.lines.length - 1 && !b.finalNewline;
      if ((row.kind === 'delete' && lastOfA) || (row.kind === 'insert' && lastOfB) || (row.kind === 'equal' && (lastOfA || lastOfB))) out.push('\\ No newline at end of file');
    }
    i = end;
  }
  return `${out.join('\n')}\n`;
}
