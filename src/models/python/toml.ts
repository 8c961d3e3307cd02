/**
 * TOML through `smol-toml`, which gives values but no positions. Entries of the lockfiles are
 * found again in the text: the N-th `[[package]]` header is the N-th array element (TOML keeps
 * array-of-tables order), and keys and hashes are looked up inside that header's lines.
 */
import { parse, TomlError } from 'smol-toml';
import type { Span } from '../yaml/document.ts';
import { LineIndex } from '../lines.ts';
import { DependencyFileError } from './errors.ts';

export type TomlTable = Record<string, unknown>;

/** Parses TOML; malformed input becomes a `DependencyFileError` with its line. */
export function parseToml(path: string, text: string): TomlTable {
  try {
    return parse(text, { unsafeKeyBehaviour: 'drop', maxDepth: 200 }) as TomlTable;
  } catch (error) {
    if (error instanceof TomlError) throw new DependencyFileError(`invalid TOML: ${error.message.split('\n')[0]}`, Math.max(1, error.line || 1), path, Math.max(1, error.column || 1));
    if (error instanceof RangeError) throw new DependencyFileError('TOML is nested too deeply to read', 1, path);
    throw new DependencyFileError(`invalid TOML: ${(error as Error).message}`, 1, path);
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asTables(value: unknown): TomlTable[] {
  return asArray(value).filter(isTable);
}

/** The lines `[start, end]` of one `[[name]]` entry, its sub-tables (`[name.x]`, `[[name.x]]`) included. */
export interface EntryRange {
  start: number;
  end: number;
}

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;

/** Every `[[name]]` entry's lines, in order. */
export function arrayTableRanges(index: LineIndex, name: string): EntryRange[] {
  const ranges: EntryRange[] = [];
  let current: EntryRange | undefined;
  for (let line = 1; line <= index.lineCount; line++) {
    const text = index.lineText(line);
    const match = HEADER.exec(text);
    if (!match) continue;
    const header = match[1]!.replace(/\s+/g, '').replace(/"/g, '');
    const isArray = /^\s*\[\[/.test(text);
    if (isArray && header === name) {
      if (current) current.end = line - 1;
      current = { start: line, end: index.lineCount };
      ranges.push(current);
    } else if (current && !header.startsWith(`${name}.`)) {
      current.end = line - 1;
      current = undefined;
    }
  }
  return ranges;
}

/** Lines of a plain `[name]` table (up to the next header that is not one of its sub-tables). */
export function tableRange(index: LineIndex, name: string): EntryRange | undefined {
  let range: EntryRange | undefined;
  for (let line = 1; line <= index.lineCount; line++) {
    const match = HEADER.exec(index.lineText(line));
    if (!match) continue;
    const header = match[1]!.replace(/\s+/g, '').replace(/"/g, '');
    if (!range && header === name && !/^\s*\[\[/.test(index.lineText(line))) range = { start: line, end: index.lineCount };
    else if (range && header !== name && !header.startsWith(`${name}.`)) {
      range.end = line - 1;
      return range;
    }
  }
  return range;
}

/** The first line in `range` where `key = …` is written (top level of the entry). */
export function keyLine(index: LineIndex, range: EntryRange, key: string): number | undefined {
  const pattern = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}["']?\\s*=`);
  for (let line = range.start; line <= range.end; line++) if (pattern.test(index.lineText(line))) return line;
  return undefined;
}

/** The span of the first occurrence of `needle` in `range`'s lines. */
export function findInRange(index: LineIndex, range: EntryRange, needle: string): Span | undefined {
  if (!needle) return undefined;
  for (let line = range.start; line <= range.end; line++) {
    const at = index.lineText(line).indexOf(needle);
    if (at >= 0) return index.span(index.lineStart(line) + at, index.lineStart(line) + at + needle.length);
  }
  return undefined;
}

/** The span of an entry: its `name = …` line if there is one, else its header. */
export function entrySpan(index: LineIndex, range: EntryRange | undefined, key = 'name'): Span {
  if (!range) return index.lineSpan(1);
  return index.lineSpan(keyLine(index, range, key) ?? range.start);
}

/** The span of a top-level `key = …` (before the first table header), or line 1. */
export function topLevelKeySpan(index: LineIndex, key: string): Span | undefined {
  let end = index.lineCount;
  for (let line = 1; line <= index.lineCount; line++) {
    if (HEADER.test(index.lineText(line))) {
      end = line - 1;
      break;
    }
  }
  const line = keyLine(index, { start: 1, end }, key);
  return line ? index.lineSpan(line) : undefined;
}

export { LineIndex };
