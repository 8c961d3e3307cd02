import { isHashed, parseRequirements, unhashable, type RequirementLine } from '../../models/python/requirements.ts';
import { displayUrl, type PackageIndex, type SimpleFile } from '../../registry/pypi/index.ts';
import { installableFiles, lookupRelease } from './release.ts';
import { mapLimit } from './verify.ts';

/**
 * `cordon lock hash`: adds the `--hash=sha256:…` options a requirements file lacks, for every
 * installable file (wheels and sdists) of each pinned release, in pip-compile's layout:
 *
 *     pkg==1.0 \
 *         --hash=sha256:… \
 *         --hash=sha256:…
 *         # via other
 *
 * Entries are found by our requirements parser (the one `lock verify` reads), then edited as
 * physical lines: every byte outside an edited entry stays as it was (comments, order, blank
 * lines, `# via` lines, line endings, a missing final newline), and inside one only the last
 * line gains ` \` and the new hash lines follow it. An inline comment moves to the last hash
 * line (pip would otherwise drop the hashes with it).
 */

export type EntryStatus = 'added' | 'complete' | 'unpinned' | 'unhashable' | 'direct' | 'invalid' | 'not-found' | 'no-files' | 'failed';

export interface EntryReport {
  name: string;
  version?: string;
  line: number;
  status: EntryStatus;
  /** Digests added, for `added`. */
  added?: string[];
  /** Files whose hashes were added to an entry that already had hashes: they may be new uploads. */
  newFiles?: SimpleFile[];
  message?: string;
}

export interface HashPlan {
  text: string;
  changed: boolean;
  entries: EntryReport[];
  edits: LineEdit[];
  /** `-r`/`-c` files: not followed. */
  includes: string[];
}

/** Replace `deleteCount` physical lines from `start` (0-based) with `insert`. */
export interface LineEdit {
  start: number;
  deleteCount: number;
  insert: PhysicalLine[];
}

export interface PhysicalLine {
  content: string;
  eol: string;
}

export interface HashOptions {
  /** The index to hash from, given the file's own `--index-url` line if it has one. */
  indexFor(fileIndexUrl: string | undefined): PackageIndex;
  concurrency?: number;
  onProgress?(done: number, total: number): void;
}

export async function planHashes(path: string, text: string, options: HashOptions): Promise<HashPlan> {
  const file = parseRequirements(path, text);
  const lines = splitPhysical(text);
  const eol = lines.find((line) => line.eol)?.eol ?? '\n';
  const indent = /^([ \t]+)--hash[= ]/m.exec(text)?.[1] ?? '    ';
  const entries: EntryReport[] = [];
  const edits: LineEdit[] = [];
  const work: Array<{ line: RequirementLine; report: EntryReport }> = [];

  for (const line of file.requirements) {
    const report: EntryReport = { name: line.name ?? line.text, line: line.line, status: 'complete', ...(line.version ? { version: line.version } : {}) };
    entries.push(report);
    if (line.error) Object.assign(report, { status: 'invalid', message: line.error });
    else if (line.source !== 'index') {
      const reason = unhashable(line);
      if (reason) Object.assign(report, { status: 'unhashable', message: reason });
      else if (!isHashed(line)) Object.assign(report, { status: 'direct', message: 'not from an index: add its hash by hand (a #sha256= fragment on the URL or --hash)' });
    } else if (!line.version) {
      Object.assign(report, { status: 'unpinned', message: `not pinned with == (${line.specifier || 'no version'}): pip's hash-checking mode needs an exact pin, which cordon will not guess` });
    } else work.push({ line, report });
  }

  const fileIndex = file.options.find((option) => option.name === 'index-url')?.value;
  let done = 0;
  options.onProgress?.(0, work.length);
  await mapLimit(work, options.concurrency ?? 16, async ({ line, report }) => {
    try {
      const edit = await hashEntry(line, report, options.indexFor(fileIndex), { lines, eol, indent });
      if (edit) edits.push(edit);
    } catch (error) {
      Object.assign(report, { status: 'failed', message: (error as Error).message });
    }
    options.onProgress?.(++done, work.length);
  });
  edits.sort((a, b) => a.start - b.start);
  return { text: applyEdits(lines, edits), changed: edits.length > 0, entries, edits, includes: file.includes.map((include) => include.target) };
}

async function hashEntry(line: RequirementLine, report: EntryReport, index: PackageIndex, layout: { lines: PhysicalLine[]; eol: string; indent: string }): Promise<LineEdit | undefined> {
  const lookup = await lookupRelease(index, line.name!, line.version!, { sha256: true });
  if (lookup.status === 'project-missing') {
    Object.assign(report, { status: 'not-found', message: `${line.name} is not on ${displayUrl(index.url)} (HTTP ${lookup.httpStatus})` });
    return undefined;
  }
  if (!lookup.release) {
    Object.assign(report, { status: 'not-found', message: `${line.name} ${line.version} is not on ${displayUrl(index.url)}` });
    return undefined;
  }
  const files = installableFiles(lookup.release.files);
  const withSha = files.filter((file) => file.hashes.sha256);
  if (withSha.length === 0) {
    Object.assign(report, { status: 'no-files', message: `the index gives no SHA-256 for any wheel or sdist of ${line.name} ${line.version}` });
    return undefined;
  }
  const covered = (file: SimpleFile) => line.hashes.some((hash) => file.hashes[hash.algorithm] === hash.digest);
  const missing = withSha.filter((file) => !covered(file));
  const digests = [...new Set(missing.map((file) => file.hashes.sha256!))].sort();
  if (digests.length === 0) return undefined;
  report.status = 'added';
  report.added = digests;
  if (line.hashes.length > 0) report.newFiles = missing;
  return entryEdit(line, digests, layout);
}

/** The edit that appends `--hash` lines to one entry. */
function entryEdit(line: RequirementLine, digests: string[], layout: { lines: PhysicalLine[]; eol: string; indent: string }): LineEdit {
  const first = line.span.start.line - 1;
  const last = line.span.end.line - 1;
  // Pure comment lines joined into the entry by a trailing `\` stay after the new hashes.
  let body = last;
  while (body > first && /^\s*#/.test(layout.lines[body]!.content)) body--;
  const target = layout.lines[body]!;
  const comment = /\s+#.*$/.exec(target.content);
  const code = (comment ? target.content.slice(0, comment.index) : target.content).trimEnd();
  const insert: PhysicalLine[] = [{ content: code.endsWith('\\') ? code : `${code} \\`, eol: layout.eol }];
  digests.forEach((digest, i) => {
    const lastHash = i === digests.length - 1;
    let content = `${layout.indent}--hash=sha256:${digest}${lastHash ? '' : ' \\'}`;
    if (lastHash && comment) content += `  ${comment[0].trim()}`;
    insert.push({ content, eol: lastHash ? target.eol : layout.eol });
  });
  return { start: body, deleteCount: 1, insert };
}

/** Lines with their own line break (`\r\n`, `\n` or `\r`); the last may have none. */
export function splitPhysical(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const pattern = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    lines.push({ content: text.slice(start, match.index), eol: match[0] });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ content: text.slice(start), eol: '' });
  return lines;
}

function applyEdits(lines: PhysicalLine[], edits: LineEdit[]): string {
  const out: PhysicalLine[] = [];
  let at = 0;
  for (const edit of edits) {
    out.push(...lines.slice(at, edit.start), ...edit.insert);
    at = edit.start + edit.deleteCount;
  }
  out.push(...lines.slice(at));
  return out.map((line) => line.content + line.eol).join('');
}

/** A unified diff (3 lines of context) of the edits, as `diff -u` prints it. */
export function unifiedDiff(path: string, text: string, edits: LineEdit[], context = 3): string {
  if (edits.length === 0) return '';
  const lines = splitPhysical(text);
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const hunks: LineEdit[][] = [];
  for (const edit of sorted) {
    const current = hunks.at(-1);
    const previous = current?.at(-1);
    if (current && previous && edit.start - (previous.start + previous.deleteCount) <= 2 * context) current.push(edit);
    else hunks.push([edit]);
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let delta = 0;
  for (const hunk of hunks) {
    const from = Math.max(0, hunk[0]!.start - context);
    const lastEdit = hunk.at(-1)!;
    const to = Math.min(lines.length, lastEdit.start + lastEdit.deleteCount + context);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let at = from;
    const emit = (prefix: string, line: PhysicalLine) => {
      body.push(`${prefix}${line.content}`);
      if (!line.eol) body.push('\\ No newline at end of file');
    };
    // Edits that touch each other print as one block: all removed lines, then all added ones.
    const blocks: LineEdit[] = [];
    for (const edit of hunk) {
      const previous = blocks.at(-1);
      if (previous && previous.start + previous.deleteCount === edit.start) {
        blocks[blocks.length - 1] = { start: previous.start, deleteCount: previous.deleteCount + edit.deleteCount, insert: [...previous.insert, ...edit.insert] };
      } else blocks.push(edit);
    }
    for (const edit of blocks) {
      for (; at < edit.start; at++, oldCount++, newCount++) emit(' ', lines[at]!);
      for (let i = 0; i < edit.deleteCount; i++, oldCount++) emit('-', lines[edit.start + i]!);
      for (const line of edit.insert) {
        emit('+', line);
        newCount++;
      }
      at = edit.start + edit.deleteCount;
    }
    for (; at < to; at++, oldCount++, newCount++) emit(' ', lines[at]!);
    const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
    out.push(`@@ -${range(from + 1, oldCount)} +${range(from + 1 + delta, newCount)} @@`, ...body);
    delta += newCount - oldCount;
  }
  return `${out.join('\n')}\n`;
}
