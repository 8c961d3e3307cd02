import { Lexer, Parser, type Expr } from '@actions/expressions';
import {
  ContextAccess,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Star,
  Unary,
  Binary,
} from '@actions/expressions/ast';
import type { Span } from '../yaml/document.ts';

/** A context reference such as `secrets.PYPI_TOKEN` or `github.event.pull_request.title`. */
export interface ContextRef {
  /** Dotted path; a computed index becomes `*` (`secrets.*` for `secrets[matrix.name]`). */
  path: string;
  /** True when an index was computed at run time rather than written literally. */
  dynamic: boolean;
}

/** One `${{ … }}` occurrence. */
export interface Expression {
  /** The text between `${{` and `}}`, trimmed. */
  text: string;
  span: Span;
  /** Every context the expression reads. */
  contexts: ContextRef[];
  /**
   * Contexts whose value can become the expression's result. `a && 'x' || 'y'` reads `a` but
   * only ever yields a literal, so nothing from `a` reaches a script.
   */
  valueContexts: ContextRef[];
  /** Lower-cased names of the functions called. */
  functions: string[];
  parseError?: string;
}

/** The contexts and extra functions GitHub's expression parser accepts in workflows. */
export const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];
export const FUNCTIONS = [
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 255 },
];
const BOOLEAN_FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'success', 'always', 'cancelled', 'failure', 'hashfiles']);

interface Analysis {
  contexts: ContextRef[];
  functions: string[];
}

/** Parses one expression body (without `${{ }}`). */
export function analyzeExpression(text: string): Omit<Expression, 'span'> {
  const trimmed = text.trim();
  try {
    const lexed = new Lexer(trimmed).lex();
    const ast = new Parser(lexed.tokens, CONTEXTS, FUNCTIONS).parse();
    const analysis: Analysis = { contexts: [], functions: [] };
    collect(ast, analysis);
    return {
      text: trimmed,
      contexts: dedupe(analysis.contexts),
      valueContexts: dedupe(valueFlows(ast)),
      functions: [...new Set(analysis.functions)],
    };
  } catch (error) {
    // An unparsable expression is still scanned for context names so rules do not go blind.
    const contexts = fallbackContexts(trimmed);
    return {
      text: trimmed,
      contexts,
      valueContexts: contexts,
      functions: [],
      parseError: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Finds every `${{ … }}` in `source[start, end)` and reports spans through `toSpan`.
 * `decode` turns the source text of a body into the expression text when the YAML quoting
 * escapes it (`''` in a single-quoted scalar).
 */
export function findExpressions(
  source: string,
  start: number,
  end: number,
  toSpan: (offset: number, endOffset: number) => Span,
  decode: (body: string) => string = (body) => body,
): Expression[] {
  const found: Expression[] = [];
  for (const range of expressionRanges(source, start, end)) {
    const body = decode(source.slice(range.start + 3, range.end - 2));
    found.push({ ...analyzeExpression(body), span: toSpan(range.start, range.end) });
  }
  return found;
}

/**
 * Where each `${{ … }}` lies in `text[start, end)`. As GitHub's template reader does, a `}}`
 * inside a single-quoted string literal does not close the expression (`${{ '}}' }}`); an
 * expression that never closes ends the scan, since GitHub rejects it.
 */
export function expressionRanges(text: string, start = 0, end = text.length): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  let cursor = text.indexOf('${{', start);
  while (cursor !== -1 && cursor + 3 <= end) {
    let close = -1;
    let inString = false;
    for (let i = cursor + 3; i < end; i++) {
      const char = text[i];
      // `''` inside a literal toggles twice, so escaped quotes need no special case.
      if (char === "'") inString = !inString;
      else if (!inString && char === '}' && text[i - 1] === '}' && i - 1 >= cursor + 3) {
        close = i + 1;
        break;
      }
    }
    if (close === -1) break;
    ranges.push({ start: cursor, end: close });
    cursor = text.indexOf('${{', close);
  }
  return ranges;
}

/** Expressions in a plain string value (for values whose source is not at hand). */
export function expressionsInValue(value: string, span: Span): Expression[] {
  return findExpressions(value, 0, value.length, () => span);
}

function chain(expr: Expr): ContextRef | null {
  // Context names are case-insensitive (`SECRETS.X` reads `secrets.X`); rules match lower case.
  if (expr instanceof ContextAccess) return { path: expr.name.lexeme.toLowerCase(), dynamic: false };
  if (expr instanceof IndexAccess) {
    const base = chain(expr.expr);
    if (!base) return null;
    const index = expr.index;
    const literal = index instanceof Literal ? (index.literal as { value?: unknown }).value : undefined;
    if (typeof literal === 'string') {
      return { path: `${base.path}.${literal}`, dynamic: base.dynamic };
    }
    // A literal array index (`commits[0]`) is written, not computed: any element, but not dynamic.
    if (typeof literal === 'number') return { path: `${base.path}.*`, dynamic: base.dynamic };
    if (index instanceof Star) return { path: `${base.path}.*`, dynamic: base.dynamic };
    return { path: `${base.path}.*`, dynamic: true };
  }
  return null;
}

function collect(expr: Expr, out: Analysis): void {
  if (expr instanceof ContextAccess || expr instanceof IndexAccess) {
    const ref = chain(expr);
    if (ref) out.contexts.push(ref);
    // Computed indexes read contexts of their own: secrets[format('{0}_TOKEN', matrix.name)].
    let cursor: Expr = expr;
    while (cursor instanceof IndexAccess) {
      if (!(cursor.index instanceof Literal) && !(cursor.index instanceof Star)) collect(cursor.index, out);
      cursor = cursor.expr;
    }
    if (!ref) collect(cursor, out);
    return;
  }
  if (expr instanceof FunctionCall) {
    out.functions.push(expr.functionName.lexeme.toLowerCase());
    for (const arg of expr.args) collect(arg, out);
    return;
  }
  if (expr instanceof Logical) for (const arg of expr.args) collect(arg, out);
  else if (expr instanceof Binary) {
    collect(expr.left, out);
    collect(expr.right, out);
  } else if (expr instanceof Unary) collect(expr.expr, out);
  else if (expr instanceof Grouping) collect(expr.group, out);
}

function valueFlows(expr: Expr): ContextRef[] {
  if (expr instanceof ContextAccess || expr instanceof IndexAccess) {
    const ref = chain(expr);
    if (ref) return [ref];
    // An index on a computed value (`fromJSON(steps.x.outputs.y).token`) yields part of it.
    let base: Expr = expr;
    while (base instanceof IndexAccess) base = base.expr;
    return valueFlows(base);
  }
  if (expr instanceof Grouping) return valueFlows(expr.group);
  if (expr instanceof Logical) {
    // `a && b`: a falsy `a` yields only false/''/0/null, so only the last operand carries data.
    if (expr.operator.lexeme === '&&') {
      const last = expr.args[expr.args.length - 1];
      return last ? valueFlows(last) : [];
    }
    return expr.args.flatMap(valueFlows);
  }
  if (expr instanceof FunctionCall) {
    const name = expr.functionName.lexeme.toLowerCase();
    if (BOOLEAN_FUNCTIONS.has(name)) return [];
    return expr.args.flatMap(valueFlows);
  }
  // Comparisons and negation yield booleans.
  return [];
}

function fallbackContexts(text: string): ContextRef[] {
  const refs: ContextRef[] = [];
  const pattern = new RegExp(`\\b(${CONTEXTS.join('|')})(?![\\w-])((?:\\.[A-Za-z_*][\\w-]*|\\[[^\\]]*\\])*)`, 'gi');
  for (const match of text.matchAll(pattern)) {
    const tail = (match[2] ?? '').replace(/\[\s*'([^']*)'\s*\]/g, '.$1').replace(/\[[^\]]*\]/g, '.*');
    refs.push({ path: `${match[1]!.toLowerCase()}${tail}`, dynamic: /\[\s*[^\s'\d*]/.test(match[2] ?? '') });
    // A computed index reads contexts of its own (`secrets[matrix.name]`).
    for (const index of (match[2] ?? '').matchAll(/\[([^\]]*)\]/g)) refs.push(...fallbackContexts(index[1] ?? ''));
  }
  return dedupe(refs);
}

function dedupe(refs: ContextRef[]): ContextRef[] {
  const seen = new Map<string, ContextRef>();
  for (const ref of refs) if (!seen.has(ref.path)) seen.set(ref.path, ref);
  return [...seen.values()];
}

/** `secrets.X` → `X`; `secrets` or `secrets.*` → `*` (every secret). */
export function secretName(ref: ContextRef): string | null {
  if (ref.path === 'secrets' || ref.path.startsWith('secrets.')) {
    const name = ref.path.slice('secrets.'.length);
    return ref.path === 'secrets' || name === '*' || ref.dynamic ? '*' : name;
  }
  return null;
}
