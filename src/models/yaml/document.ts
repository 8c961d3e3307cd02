import {
  LineCounter,
  visit,
  type Alias,
  Parser as CstParser,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node as YamlAstNode,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
  type CollectionTag,
  type ScalarTag,
} from 'yaml';

/** 1-based line and column, as editors and SARIF count them. */
export interface Position {
  line: number;
  column: number;
}

/** A source range: positions for people, offsets for later edits. */
export interface Span {
  start: Position;
  end: Position;
  offset: number;
  endOffset: number;
}

export type YamlNode = YAMLMap<unknown, unknown> | YAMLSeq<unknown> | Scalar<unknown>;

export interface YamlComment {
  line: number;
  offset: number;
  text: string;
}

/** Raised for input we refuse to read on; carries a line so errors can say where. */
export class YamlInputError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column = 1,
  ) {
    super(message);
  }
}

/**
 * Alias expansion is counted per file: a "billion laughs" document is cheap to parse but
 * explodes when walked, so the walk stops after this many alias dereferences.
 */
export const DEFAULT_ALIAS_BUDGET = 10_000;

/**
 * A document whose aliases, fully expanded, would make more nodes than this is refused when
 * parsed: anything that converts it (`toJS`, a fixer, a rule that walks a subtree) would blow
 * up, and no real workflow comes close.
 */
export const MAX_EXPANDED_NODES = 1_000_000;

export interface YamlFileOptions {
  aliasBudget?: number;
  /**
   * Application tags the document may use (GitLab's `!reference [job, key]`); a tagged node keeps
   * its tag in `node.tag`. Without them an unknown tag is only a warning, and the node is read
   * as an untagged one.
   */
  customTags?: Array<CollectionTag | ScalarTag>;
}

/**
 * A parsed YAML file that remembers where everything is. The `yaml` Document is kept whole
 * (comments included) so a later fixer can edit it without losing formatting.
 */
export class YamlFile {
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  private aliasBudget: number;
  /** Alias → anchored node, built on first use (see `aliasTarget`). */
  private aliasTargets: Map<Alias, unknown> | null = null;

  private constructor(
    readonly text: string,
    document: Document.Parsed,
    lineCounter: LineCounter,
    options: YamlFileOptions,
  ) {
    this.document = document;
    this.lineCounter = lineCounter;
    this.aliasBudget = options.aliasBudget ?? DEFAULT_ALIAS_BUDGET;
  }

  static parse(text: string, options: YamlFileOptions = {}): YamlFile {
    const lineCounter = new LineCounter();
    let document: Document.Parsed;
    try {
      document = parseDocument(text, {
        lineCounter,
        merge: true,
        prettyErrors: false,
        strict: true,
        uniqueKeys: true,
        keepSourceTokens: false,
        ...(options.customTags ? { customTags: options.customTags } : {}),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new YamlInputError('YAML nesting is too deep to read', 1);
      throw error;
    }
    const firstError = document.errors[0];
    if (firstError) {
      const offset = firstError.pos[0];
      const { line, col } = lineCounter.linePos(offset);
      // The composer catches its own stack overflow and reports it as a YAML error; say what it means.
      const message = /call stack/i.test(firstError.message) ? 'YAML nesting is too deep to read' : `invalid YAML: ${firstLine(firstError.message)}`;
      throw new YamlInputError(message, line, col);
    }
    const file = new YamlFile(text, document, lineCounter, options);
    if (text.includes('*')) file.checkExpansion();
    return file;
  }

  /**
   * Counts the nodes the document would have with every alias expanded (each anchored node is
   * counted once and reused), refusing it at the alias where the count passes the limit.
   */
  private checkExpansion(): void {
    const sizes = new Map<unknown, number>();
    const sizeOf = (node: unknown): number => {
      if (isAlias(node)) {
        const target = this.aliasTarget(node);
        // An alias to its own ancestor (`&a [*a]`) is a cycle: walkers guard against it, count it once.
        if (target === undefined || sizes.get(target) === -1) return 1;
        const size = sizes.get(target) ?? sizeOf(target);
        if (size > MAX_EXPANDED_NODES) {
          throw new YamlInputError('YAML alias expansion is too large (possible alias bomb)', this.position(node.range?.[0] ?? 0).line);
        }
        return size;
      }
      const known = sizes.get(node);
      if (known !== undefined && known !== -1) return known;
      sizes.set(node, -1);
      let size = 1;
      if (isMap(node)) for (const pair of node.items) size += sizeOf(pair.key) + sizeOf(pair.value);
      else if (isSeq(node)) for (const item of node.items) size += sizeOf(item);
      if (size > MAX_EXPANDED_NODES) {
        const range = (node as { range?: [number, number, number] }).range;
        throw new YamlInputError('YAML alias expansion is too large (possible alias bomb)', this.position(range?.[0] ?? 0).line);
      }
      sizes.set(node, size);
      return size;
    };
    try {
      sizeOf(this.document.contents);
    } catch (error) {
      if (error instanceof RangeError) throw new YamlInputError('YAML nesting is too deep to read', 1);
      throw error;
    }
  }

  get root(): YamlNode | null {
    return this.resolve(this.document.contents as YamlAstNode | null);
  }

  /** Follows aliases (counting them against the budget); returns null for empty values. */
  resolve(node: unknown): YamlNode | null {
    let current = node;
    while (isAlias(current)) {
      if (--this.aliasBudget < 0) {
        throw new YamlInputError(
          'YAML alias expansion exceeds the limit (possible alias bomb)',
          this.position(current.range?.[0] ?? 0).line,
        );
      }
      current = this.aliasTarget(current);
    }
    if (isMap(current) || isSeq(current) || isScalar(current)) return current as YamlNode;
    return null;
  }

  /**
   * `Alias.resolve(doc)` walks the whole document on every call, so a file with thousands of
   * aliases took quadratic time; the anchors are indexed once instead. Like YAML itself, an
   * alias refers to the last anchor of that name written before it.
   */
  private aliasTarget(alias: Alias): unknown {
    if (!this.aliasTargets) {
      const targets = new Map<Alias, unknown>();
      const anchors = new Map<string, unknown>();
      visit(this.document, {
        Node: (_key, node) => {
          if (isAlias(node)) targets.set(node, anchors.get(node.source));
          else if (typeof (node as { anchor?: unknown }).anchor === 'string') anchors.set((node as { anchor: string }).anchor, node);
        },
      });
      this.aliasTargets = targets;
    }
    return this.aliasTargets.get(alias);
  }

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  span(node: { range?: [number, number, number] | null } | null | undefined): Span {
    const range = node?.range ?? [0, 0, 0];
    return this.spanOf(range[0], range[1]);
  }

  spanOf(offset: number, endOffset: number): Span {
    return { start: this.position(offset), end: this.position(endOffset), offset, endOffset };
  }

  /**
   * Map entries in source order, with `<<` merge keys expanded. As YAML specifies, explicit
   * keys win over merged ones, and among merged maps the first one listed wins.
   */
  entries(map: YAMLMap<unknown, unknown>): Array<{ key: Scalar<unknown>; value: unknown; pair: Pair<unknown, unknown> }> {
    const explicit: Array<{ key: Scalar<unknown>; value: unknown; pair: Pair<unknown, unknown> }> = [];
    const merged: typeof explicit = [];
    for (const pair of map.items) {
      const key = this.resolve(pair.key);
      if (!key || !isScalar(key)) continue;
      if (isMergeKey(key)) {
        const sources = this.resolve(pair.value);
        const targets = isSeq(sources) ? sources.items.map((item) => this.resolve(item)) : [sources];
        for (const target of targets) if (isMap(target)) merged.push(...this.entries(target));
        continue;
      }
      explicit.push({ key, value: pair.value, pair });
    }
    const seen = new Set(explicit.map((entry) => String(entry.key.value)));
    const result = [...explicit];
    for (const entry of merged) {
      const name = String(entry.key.value);
      if (seen.has(name)) continue;
      seen.add(name);
      result.push(entry);
    }
    return result;
  }

  lineText(line: number): string {
    const starts = this.lineCounter.lineStarts;
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    return this.text.slice(start, next === undefined ? undefined : next - 1).replace(/\r$/, '');
  }

  /** Every real YAML comment (not `#` inside scalars), for ignore directives. */
  comments(): YamlComment[] {
    const found: YamlComment[] = [];
    // An explicit stack: this runs outside the engine's error handling, so it must not overflow.
    const pending: unknown[] = [...new CstParser().parse(this.text)];
    while (pending.length > 0) {
      const token = pending.pop();
      if (!token || typeof token !== 'object') continue;
      if (Array.isArray(token)) {
        for (const item of token) pending.push(item);
        continue;
      }
      const record = token as Record<string, unknown>;
      if (record.type === 'comment' && typeof record.offset === 'number' && typeof record.source === 'string') {
        found.push({ line: this.position(record.offset).line, offset: record.offset, text: record.source });
        continue;
      }
      for (const value of Object.values(record)) if (value && typeof value === 'object') pending.push(value);
    }
    return found.sort((a, b) => a.offset - b.offset);
  }
}

function isMergeKey(key: Scalar<unknown>): boolean {
  return typeof key.value === 'symbol' && key.value.description === '<<';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export { isMap, isScalar, isSeq };
