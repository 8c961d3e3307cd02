/**
 * Format-preserving YAML edits: every operation returns `TextEdit`s on the original text, computed
 * from the `yaml` AST's source ranges. Nothing is re-serialized; new keys take the column of their
 * siblings, new nested blocks the file's indentation step, and everything outside the edited
 * ranges (comments, quoting, blank lines, key order) stays byte for byte.
 *
 * Operations refuse (`FixUnavailableError`) what they cannot edit safely: nodes reached through an
 * alias or a `<<` merge key (an edit would change every user of the anchor), anchored nodes, and
 * `|+` block scalars where an insertion would land inside kept trailing lines.
 */
import { isAlias, isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { YamlFile } from '../models/yaml/document.ts';
import { FixUnavailableError, type TextEdit } from './types.ts';

/** A value to write: a scalar (quoted as needed), text written as is, or a mapping. */
export type YamlValue = { kind: 'scalar'; value: string } | { kind: 'raw'; text: string } | { kind: 'map'; entries: YamlEntry[] };

export interface YamlEntry {
  key: string;
  value: YamlValue;
  /** Written as `# comment` after the entry's first line (block style only). */
  comment?: string;
}

export const scalar = (value: string): YamlValue => ({ kind: 'scalar', value });
export const raw = (text: string): YamlValue => ({ kind: 'raw', text });
export const mapping = (entries: YamlEntry[]): YamlValue => ({ kind: 'map', entries });

type Ranged = { range?: [number, number, number] | null };
type AnyPair = Pair<unknown, unknown>;

export class YamlEditor {
  readonly text: string;
  /** The file's indentation step (2 unless the file nests otherwise). */
  readonly unit: number;

  constructor(readonly yaml: YamlFile) {
    this.text = yaml.text;
    this.unit = detectUnit(yaml);
  }

  // ---- positions -------------------------------------------------------------------------

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset of the line's `\n` (or the end of the text). */
  lineEnd(offset: number): number {
    const newline = this.text.indexOf('\n', offset);
    return newline === -1 ? this.text.length : newline;
  }

  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  isAnchored(node: unknown): boolean {
    const anchor = (node as { anchor?: unknown } | null)?.anchor;
    return typeof anchor === 'string' && anchor !== '';
  }

  /** Only spaces stand before `offset` on its line. */
  startsLine(offset: number): boolean {
    return /^ *$/.test(this.text.slice(this.lineStart(offset), offset));
  }

  // ---- navigation ------------------------------------------------------------------------

  /** The pair written in `map` for `key` (merged `<<` keys are not written there). */
  pair(map: YAMLMap<unknown, unknown>, key: string): AnyPair | undefined {
    return map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  }

  /**
   * The node at a route, refusing aliases and merge keys on the way: an edit there would change
   * every place that uses the anchor.
   */
  nodeAt(route: ReadonlyArray<string | number>, options: { anchored?: boolean } = {}): unknown {
    let node: unknown = this.yaml.document.contents;
    for (const part of route) {
      this.refuseShared(node, route, options.anchored);
      if (typeof part === 'number') {
        if (!isSeq(node)) return undefined;
        node = node.items[part];
      } else {
        if (!isMap(node)) return undefined;
        const found = this.pair(node, part);
        if (!found) {
          if (node.items.some((item) => isScalar(item.key) && typeof item.key.value === 'symbol')) {
            throw new FixUnavailableError(`\`${route.join('.')}\` may come from a \`<<\` merge key; edit it by hand`);
          }
          return undefined;
        }
        node = found.value;
      }
    }
    this.refuseShared(node, route, options.anchored);
    return node;
  }

  /** `anchored`: an anchored node may be edited (for edits every user of the anchor should get). */
  mapAt(route: ReadonlyArray<string | number>, options: { anchored?: boolean } = {}): YAMLMap<unknown, unknown> {
    const node = this.nodeAt(route, options);
    if (!isMap(node)) throw new FixUnavailableError(`\`${route.join('.')}\` is not a mapping cordon can edit`);
    return node;
  }

  private refuseShared(node: unknown, route: ReadonlyArray<string | number>, anchored = false): void {
    if (isAlias(node)) throw new FixUnavailableError(`\`${route.join('.')}\` goes through the YAML alias \`*${node.source}\`; edit the anchor by hand`);
    if (anchored) return;
    const anchor = (node as { anchor?: unknown } | null)?.anchor;
    if (typeof anchor === 'string' && anchor) throw new FixUnavailableError(`\`${route.join('.')}\` holds the YAML anchor \`&${anchor}\`, which other places reuse; edit it by hand`);
  }

  // ---- extents ---------------------------------------------------------------------------

  /** Just after the last non-blank character of a node (its trailing comment excluded for scalars). */
  contentEnd(node: Ranged): number {
    const range = node.range;
    if (!range) throw new FixUnavailableError('a node without a source position');
    let end = range[1];
    while (end > range[0] && /\s/.test(this.text[end - 1]!)) end--;
    return end;
  }

  /** Just after the `:` that ends a block pair's key. */
  colonEnd(pair: AnyPair): number {
    const key = pair.key as Ranged;
    const from = key.range?.[1] ?? 0;
    const colon = this.text.indexOf(':', from);
    if (colon === -1) throw new FixUnavailableError('a mapping entry without `:`');
    return colon + 1;
  }

  /** Just after the last non-blank character of a pair (its value, or the `:` of an empty one). */
  pairEnd(pair: AnyPair): number {
    const value = pair.value as Ranged | null;
    if (value && value.range) {
      if (isScalar(value) && (value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED') && /^[|>][0-9]*\+/.test(this.text.slice(value.range[0], value.range[0] + 3))) {
        throw new FixUnavailableError('a `|+` block keeps its trailing lines; edit next to it by hand');
      }
      return Math.max(this.contentEnd(value), this.colonEnd(pair));
    }
    return this.colonEnd(pair);
  }

  // ---- rendering ---------------------------------------------------------------------------

  /** Lines of `key: value` at `indent` spaces (block style), without a final newline. */
  renderEntry(entry: YamlEntry, indent: number): string {
    const pad = ' '.repeat(indent);
    const comment = entry.comment ? ` # ${entry.comment}` : '';
    const key = renderKey(entry.key);
    const value = entry.value;
    if (value.kind === 'map' && value.entries.length) {
      return [`${pad}${key}:${comment}`, ...value.entries.map((child) => this.renderEntry(child, indent + this.unit))].join('\n');
    }
    return `${pad}${key}: ${renderInline(value, false)}${comment}`;
  }

  /** Block-style text for the value of an existing key: ` inline` or `\n` + nested lines. */
  private renderValueAfterKey(value: YamlValue, keyColumn: number): { inline: string } | { lines: string } {
    if (value.kind === 'map' && value.entries.length) return { lines: value.entries.map((child) => this.renderEntry(child, keyColumn + this.unit)).join('\n') };
    return { inline: renderInline(value, false) };
  }

  // ---- operations --------------------------------------------------------------------------

  /**
   * Adds `entry` to `map`: in a block mapping on a line of its own before the first key of
   * `before` that starts a line (above the comment lines directly over it), else after the last
   * key of `after` present, else after the last entry; in a flow mapping before the `}`.
   */
  insertEntry(map: YAMLMap<unknown, unknown>, entry: YamlEntry, where: { before?: string[]; after?: string[]; spaced?: boolean } = {}): TextEdit {
    if (this.pair(map, entry.key)) throw new FixUnavailableError(`\`${entry.key}\` is already there`);
    if (map.flow) return this.insertFlowEntry(map, entry);
    const first = map.items[0];
    if (!first) throw new FixUnavailableError('an empty block mapping');
    const column = this.column((first.key as Ranged).range![0]);
    for (const name of where.before ?? []) {
      const target = this.pair(map, name);
      const keyStart = (target?.key as Ranged | undefined)?.range?.[0];
      if (keyStart === undefined || !this.startsLine(keyStart) || this.column(keyStart) !== column) continue;
      const at = this.aboveLeadingComments(this.lineStart(keyStart), column);
      // `spaced`: after a blank line, keep one between the new entry and the key too.
      const blank = where.spaced && at >= 2 && this.text[at - 1] === '\n' && this.text[at - 2] === '\n' ? '\n' : '';
      return { offset: at, endOffset: at, text: `${this.renderEntry(entry, column)}\n${blank}` };
    }
    let anchor = map.items[map.items.length - 1]!;
    for (const name of where.after ?? []) {
      const target = this.pair(map, name);
      if (target) {
        anchor = target;
        break;
      }
    }
    const at = this.lineEnd(this.pairEnd(anchor));
    return { offset: at, endOffset: at, text: `\n${this.renderEntry(entry, column)}` };
  }

  private insertFlowEntry(map: YAMLMap<unknown, unknown>, entry: YamlEntry): TextEdit {
    const text = `${renderKey(entry.key)}: ${renderInline(entry.value, true)}`;
    const range = (map as Ranged).range!;
    const close = this.text.lastIndexOf('}', range[1]);
    if (close < range[0]) throw new FixUnavailableError('a flow mapping without `}`');
    const last = map.items[map.items.length - 1];
    if (!last) return { offset: range[0], endOffset: close + 1, text: `{ ${text} }` };
    const at = this.contentEnd((last.value ?? last.key) as Ranged);
    return { offset: at, endOffset: at, text: `, ${text}` };
  }

  /** Where to insert above a key: before the comment lines (same column) that sit directly on it. */
  private aboveLeadingComments(lineStart: number, column: number): number {
    let at = lineStart;
    while (at > 0) {
      const previousStart = this.lineStart(at - 1);
      const line = this.text.slice(previousStart, at - 1);
      if (!/^ *#/.test(line) || line.indexOf('#') !== column) break;
      at = previousStart;
    }
    return at;
  }

  /**
   * Removes `key` from `map` with its value, the lines it spans and their comments. When it is the
   * only entry, `ifLast` says what happens: remove the parent's entry too (`parent`), or write `{}`.
   */
  removeEntry(map: YAMLMap<unknown, unknown>, key: string, ifLast?: { parent: YAMLMap<unknown, unknown>; key: string } | 'empty'): TextEdit {
    const pair = this.pair(map, key);
    if (!pair) throw new FixUnavailableError(`\`${key}\` is not written there`);
    if (map.items.length === 1) {
      if (ifLast === 'empty') return this.replaceMapWithEmpty(map);
      if (ifLast) return this.removeEntry(ifLast.parent, ifLast.key);
      throw new FixUnavailableError(`\`${key}\` is the only entry of its mapping`);
    }
    const index = map.items.indexOf(pair);
    const keyStart = (pair.key as Ranged).range![0];
    if (map.flow) {
      const next = map.items[index + 1];
      if (next) return { offset: keyStart, endOffset: (next.key as Ranged).range![0], text: '' };
      const previous = map.items[index - 1]!;
      return { offset: this.contentEnd((previous.value ?? previous.key) as Ranged), endOffset: this.contentEnd((pair.value ?? pair.key) as Ranged), text: '' };
    }
    if (this.startsLine(keyStart)) {
      const end = this.lineEnd(this.pairEnd(pair));
      return { offset: this.lineStart(keyStart), endOffset: Math.min(this.text.length, end + 1), text: '' };
    }
    // The first key of a sequence item (`- name: x`): the next key moves up after the dash.
    const next = map.items[index + 1];
    if (!next || index !== 0) throw new FixUnavailableError(`cannot remove \`${key}\` here`);
    return { offset: keyStart, endOffset: (next.key as Ranged).range![0], text: '' };
  }

  private replaceMapWithEmpty(map: YAMLMap<unknown, unknown>): TextEdit {
    const range = (map as Ranged).range!;
    if (map.flow) return { offset: range[0], endOffset: this.contentEnd(map as Ranged), text: '{}' };
    // Find the pair that holds this map to rewrite `key:\n  a: b` as `key: {}`.
    const holder = this.holderOf(map);
    if (!holder) throw new FixUnavailableError('cannot empty this mapping');
    return this.replaceValue(holder, mapping([]));
  }

  /** The pair whose value is `node`. */
  holderOf(node: unknown): AnyPair | undefined {
    let found: AnyPair | undefined;
    const visit = (current: unknown): void => {
      if (found) return;
      if (isMap(current)) {
        for (const item of current.items) {
          if (item.value === node) {
            found = item;
            return;
          }
          visit(item.value);
        }
      } else if (isSeq(current)) for (const item of current.items) visit(item);
    };
    visit(this.yaml.document.contents);
    return found;
  }

  /** Writes a new value for a pair; a trailing comment on the key's line stays on it. */
  replaceValue(pair: AnyPair, value: YamlValue): TextEdit {
    const keyStart = (pair.key as Ranged).range![0];
    const colon = this.colonEnd(pair);
    const current = pair.value as Ranged | null;
    const rendered = this.renderValueAfterKey(value, this.column(keyStart));
    const keyLineEnd = this.lineEnd(colon);
    const currentEnd = current?.range ? this.contentEnd(current) : colon;
    if (currentEnd <= keyLineEnd) {
      // `key: value  # comment`, or `key:` with nothing.
      if ('inline' in rendered) {
        if (current?.range && current.range[0] >= colon) return { offset: current.range[0], endOffset: currentEnd, text: rendered.inline };
        return { offset: colon, endOffset: colon, text: ` ${rendered.inline}` };
      }
      const tail = this.text.slice(currentEnd, keyLineEnd);
      return { offset: colon, endOffset: keyLineEnd, text: `${/^\s*#/.test(tail) ? tail : ''}\n${rendered.lines}` };
    }
    // A value on the lines below the key (or a block scalar): keep an anchor or tag and a comment
    // written on the key's line.
    const tail = this.text.slice(colon, keyLineEnd);
    const properties = /^\s*((?:[&!][^\s#]+\s*)*)/.exec(tail)![1]!.trim();
    const rest = tail.replace(/^\s*((?:[&!][^\s#]+\s*)*)/, '');
    const keep = /^#/.test(rest) ? rest : '';
    if (!keep && rest.trim() && !/^[|>]/.test(rest.trim())) throw new FixUnavailableError('a value cordon cannot replace in place');
    const end = this.lineEnd(currentEnd);
    const lead = properties ? ` ${properties}` : '';
    if ('inline' in rendered) return { offset: colon, endOffset: end, text: `${lead} ${rendered.inline}${keep ? ` ${keep}` : ''}` };
    return { offset: colon, endOffset: end, text: `${lead}${keep ? ` ${keep}` : ''}\n${rendered.lines}` };
  }

  /** Replaces a scalar's source text (quotes included) with `text`. */
  replaceScalar(node: Scalar<unknown>, text: string): TextEdit {
    const range = (node as Ranged).range!;
    return { offset: range[0], endOffset: range[1], text };
  }

  /** Appends an item to a sequence (block or flow). */
  appendItem(seq: YAMLSeq<unknown>, text: string): TextEdit {
    const last = seq.items[seq.items.length - 1] as Ranged | undefined;
    const range = (seq as Ranged).range!;
    if (seq.flow) {
      const close = this.text.lastIndexOf(']', range[1]);
      if (!last) return { offset: range[0], endOffset: close + 1, text: `[${text}]` };
      const at = this.contentEnd(last);
      return { offset: at, endOffset: at, text: `, ${text}` };
    }
    if (!last?.range) throw new FixUnavailableError('an empty block sequence');
    const dash = this.text.lastIndexOf('-', (seq.items[0] as Ranged).range![0]);
    const at = this.lineEnd(this.contentEnd(last));
    return { offset: at, endOffset: at, text: `\n${' '.repeat(this.column(dash))}- ${text}` };
  }
}

/** A key as YAML text (quoted when it would not read back as the same plain string). */
function renderKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : singleQuoted(key);
}

function renderInline(value: YamlValue, flow: boolean): string {
  if (value.kind === 'raw') return value.text;
  if (value.kind === 'scalar') return renderScalar(value.value, flow);
  if (!value.entries.length) return '{}';
  return `{ ${value.entries.map((entry) => `${renderKey(entry.key)}: ${renderInline(entry.value, true)}`).join(', ')} }`;
}

/** A string as a YAML scalar: plain when that reads back as the same string, else single-quoted. */
export function renderScalar(value: string, flow = false): string {
  const plain =
    value !== '' &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(value) &&
    !/\s$/.test(value) &&
    !/: |:$| #|\n|\t/.test(value) &&
    !(flow && /[,[\]{}]/.test(value)) &&
    !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(value) &&
    !/^[-+.]?\d/.test(value);
  // `${{ … }}` starts with `$`, which is plain-safe; the check above allows it.
  if (plain || /^\$\{\{/.test(value) && !/: | #|\n/.test(value) && !(flow && /[,[\]{}]/.test(value))) return value;
  return singleQuoted(value);
}

function singleQuoted(value: string): string {
  if (value.includes('\n')) return JSON.stringify(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** The indentation step the file uses for nested mappings (the first one found), else 2. */
function detectUnit(yaml: YamlFile): number {
  const text = yaml.text;
  const root = yaml.document.contents;
  if (!isMap(root)) return 2;
  for (const item of root.items) {
    const value = item.value;
    if (!isMap(value) || value.flow || !value.items[0]) continue;
    const keyStart = (item.key as Ranged).range?.[0];
    const childStart = (value.items[0].key as Ranged).range?.[0];
    if (keyStart === undefined || childStart === undefined) continue;
    const parentColumn = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
    const childColumn = childStart - (text.lastIndexOf('\n', childStart - 1) + 1);
    const step = childColumn - parentColumn;
    if (step > 0 && step <= 8) return step;
  }
  return 2;
}

/**
 * True when two edits cannot both apply unambiguously: their ranges share text, or both insert at
 * one point, or one inserts strictly inside the other's range. An insertion at the edge of a
 * replaced range is fine: the result does not depend on the order.
 */
export function editsOverlap(a: TextEdit, b: TextEdit): boolean {
  const aInsert = a.offset === a.endOffset;
  const bInsert = b.offset === b.endOffset;
  if (aInsert && bInsert) return a.offset === b.offset;
  if (aInsert) return b.offset < a.offset && a.offset < b.endOffset;
  if (bInsert) return a.offset < b.offset && b.offset < a.endOffset;
  return a.offset < b.endOffset && b.offset < a.endOffset;
}

/** Applies non-overlapping edits to a text; insertions at one point keep their order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => b.edit.offset - a.edit.offset || b.edit.endOffset - a.edit.endOffset || b.index - a.index);
  let result = text;
  for (const { edit } of sorted) result = result.slice(0, edit.offset) + edit.text + result.slice(edit.endOffset);
  return result;
}
