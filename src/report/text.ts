import type { Finding, Severity } from '../findings/finding.ts';
import { SEVERITIES } from '../findings/finding.ts';
import { redactSecrets, redactSecretsPreservingLines } from '../findings/redact.ts';
import type { AuditReport, AuditSummary, Reporter } from './types.ts';

/**
 * Compiler-style diagnostics (rustc, zizmor): a header, the place, a code frame with carets, and
 * notes. Every string from the report or the scanned files is stripped of control characters
 * (so a workflow cannot drive the terminal) and redacted before it is printed.
 */

type Level = 'error' | 'warning' | 'note';

/** Lines of the finding itself shown in a frame; longer spans are cut with `...`. */
const MAX_FRAME_LINES = 6;

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  blue: '\x1b[34m',
} as const;

const LEVEL_COLOR: Record<Level, string> = { error: ANSI.red, warning: ANSI.yellow, note: ANSI.cyan };

interface Paint {
  level(level: Level, text: string): string;
  gutter(text: string): string;
  bold(text: string): string;
}

const PLAIN: Paint = { level: (_level, text) => text, gutter: (text) => text, bold: (text) => text };

const COLORED: Paint = {
  level: (level, text) => `${ANSI.bold}${LEVEL_COLOR[level]}${text}${ANSI.reset}`,
  gutter: (text) => `${ANSI.bold}${ANSI.blue}${text}${ANSI.reset}`,
  bold: (text) => `${ANSI.bold}${text}${ANSI.reset}`,
};

export function levelOf(severity: Severity): Level {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

export const textReporter: Reporter = (report, options) => {
  const paint = options.color ? COLORED : PLAIN;
  const blocks: string[] = [];
  const frames = new Map<string, string[] | null>();
  const linesOf = (path: string): string[] | null => {
    if (!frames.has(path)) {
      const source = report.sources.get(path);
      frames.set(path, source === undefined ? null : splitLines(redactSecretsPreservingLines(stripControls(source))));
    }
    return frames.get(path) ?? null;
  };

  for (const finding of report.findings) blocks.push(renderFinding(finding, linesOf(finding.path), paint).join('\n'));

  const errorLines = report.errors.map(
    (error) => `${paint.level('error', 'error[input]')}${paint.bold(`: ${oneLine(error.path)}:${error.line}: ${oneLine(error.message)}`)}`,
  );
  if (errorLines.length > 0) blocks.push(errorLines.join('\n'));

  blocks.push(paint.bold(summaryLine(report.summary, distinctErrorFiles(report))));
  return `${blocks.join('\n\n')}\n`;
};

function renderFinding(finding: Finding, lines: string[] | null, paint: Paint): string[] {
  const level = levelOf(finding.severity);
  const message = oneLine(finding.message);
  const out: string[] = [];
  out.push(`${paint.level(level, `${level}[${oneLine(finding.rule)}]`)}${paint.bold(`: ${message}`)}`);

  const frame = lines ? codeFrame(finding, lines, label(message), level, paint) : null;
  const width = frame ? frame.width : String(finding.line).length;
  const blank = ' '.repeat(width + 1);
  out.push(`${' '.repeat(width)}${paint.gutter('-->')} ${oneLine(finding.path)}:${finding.line}:${finding.column}`);
  if (frame) out.push(...frame.lines);

  const facts = [`severity: ${finding.severity}`, `confidence: ${finding.confidence}`, `docs: ${finding.docs ? oneLine(finding.docs) : `docs/rules/${oneLine(finding.rule)}.md`}`];
  out.push(`${blank}${paint.gutter('=')} ${facts.join(' · ')}`);
  for (const note of finding.notes ?? []) out.push(`${blank}${paint.gutter('=')} ${oneLine(note)}`);
  for (const related of finding.related) {
    out.push(`${blank}${paint.gutter('=')} note: ${oneLine(related.message)} at ${related.path ? `${redactSecrets(related.path)}:` : ''}${related.line}:${related.column}`);
  }
  return out;
}

interface Frame {
  width: number;
  lines: string[];
}

function codeFrame(finding: Finding, lines: string[], caption: string, level: Level, paint: Paint): Frame | null {
  if (lines.length === 0 || finding.line < 1 || finding.line > lines.length) return null;
  const start = finding.line;
  let end = Math.max(start, finding.endLine);
  // A span that stops at the very start of a line (a block that ends with its newline) ends on
  // the line before.
  if (end > start && finding.endColumn <= 1) end--;
  end = Math.min(end, lines.length);

  const shown: Array<number | 'gap'> = [];
  if (end - start + 1 <= MAX_FRAME_LINES) {
    for (let line = start; line <= end; line++) shown.push(line);
  } else {
    for (let line = start; line < start + MAX_FRAME_LINES - 1; line++) shown.push(line);
    shown.push('gap', end);
  }
  const before = start > 1 ? start - 1 : null;
  const after = end < lines.length ? end + 1 : null;
  const width = String(after ?? end).length;
  const blank = ' '.repeat(width + 1);

  const sourceLine = (number: number): string => {
    const text = lines[number - 1] ?? '';
    const gutter = paint.gutter(`${String(number).padStart(width)} |`);
    return text === '' ? gutter : `${gutter} ${text}`;
  };

  const out: string[] = [paint.gutter(`${blank}|`)];
  if (before !== null) out.push(sourceLine(before));
  for (const item of shown) {
    if (item === 'gap') {
      out.push(paint.gutter('...'));
      continue;
    }
    out.push(sourceLine(item));
    if (item === start) out.push(caretLine(finding, lines[start - 1] ?? '', start === end, caption, level, blank, paint));
  }
  if (after !== null) out.push(sourceLine(after));
  out.push(paint.gutter(`${blank}|`));
  return { width, lines: out };
}

function caretLine(finding: Finding, text: string, singleLine: boolean, caption: string, level: Level, blank: string, paint: Paint): string {
  const column = clamp(finding.column, 1, text.length + 1);
  let count: number;
  if (singleLine) {
    count = clamp(finding.endColumn, column + 1, text.length + 1) - column;
  } else {
    count = text.trimEnd().length + 1 - column;
  }
  count = Math.max(1, count);
  // Keep tabs under tabs so carets line up whatever the tab width.
  let pad = '';
  for (let index = 0; index < column - 1; index++) pad += text[index] === '\t' ? '\t' : ' ';
  const carets = paint.level(level, '^'.repeat(count) + (caption ? ` ${caption}` : ''));
  return `${paint.gutter(`${blank}|`)} ${pad}${carets}`;
}

/** The first sentence of a message that has more than one; nothing otherwise. */
function label(message: string): string {
  const match = /^(.+?[.!?])\s+\S/.exec(message);
  return match?.[1] ?? '';
}

function summaryLine(summary: AuditSummary, unreadable: number): string {
  const files = plural(summary.filesAudited, 'file');
  let line: string;
  if (summary.findings === 0) {
    line = `no findings in ${files}`;
  } else {
    const parts = [...SEVERITIES]
      .reverse()
      .filter((severity) => (summary.bySeverity[severity] ?? 0) > 0)
      .map((severity) => `${summary.bySeverity[severity]} ${severity}`);
    line = `${plural(summary.findings, 'finding')}${parts.length > 0 ? ` (${parts.join(', ')})` : ''} in ${files}`;
  }
  const hidden: string[] = [];
  if (summary.ignored > 0) hidden.push(`${summary.ignored} ignored`);
  if (summary.suppressed > 0) hidden.push(`${summary.suppressed} suppressed`);
  if (hidden.length > 0) line += `; ${hidden.join(', ')}`;
  if (unreadable > 0) line += `; ${plural(unreadable, 'file')} could not be read`;
  return line;
}

function distinctErrorFiles(report: AuditReport): number {
  if (report.errors.length === 0) return report.summary.errors;
  return new Set(report.errors.map((error) => error.path)).size;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}

/** Redacted, without control characters, on one line. */
function oneLine(text: string): string {
  return redactSecrets(stripControls(text.replace(/\s*[\r\n]+\s*/g, ' ')));
}

/** Control characters other than tab and line breaks become visible `\xNN` escapes. */
function stripControls(text: string): string {
  return text.replace(/\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.replace(/\r/g, ''));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
