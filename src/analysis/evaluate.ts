import { Lexer, Parser, data, type Expr } from '@actions/expressions';
import { Binary, ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Unary } from '@actions/expressions/ast';
import { CONTEXTS, FUNCTIONS } from '../models/github/expressions.ts';

/**
 * Partial evaluation of `${{ }}` expressions with the few context values a rule can know for a
 * kind of run (the ref of a tag release, the event name), and `UNKNOWN` for everything else.
 * `!startsWith(github.ref, 'refs/tags/') && 'pip' || ''` is `''` on a tag: the cache is off there.
 */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Value = string | number | boolean | null | typeof UNKNOWN;

/** Context values known for one kind of run, by lower-case dotted path (`github.ref`). */
export type KnownContexts = ReadonlyMap<string, string | number | boolean | null>;

/** Evaluates one expression body (without `${{ }}`). Unparsable text is `UNKNOWN`. */
export function evaluateExpression(text: string, known: KnownContexts): Value {
  let ast: Expr;
  try {
    ast = new Parser(new Lexer(text.trim()).lex().tokens, CONTEXTS, FUNCTIONS).parse();
  } catch {
    return UNKNOWN;
  }
  return evaluate(ast, known);
}

/**
 * The value of a YAML scalar that may hold expressions: a whole-value `${{ x }}` is x's value;
 * text around expressions makes a string (unknown if any part is).
 */
export function evaluateValue(value: string, known: KnownContexts): Value {
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value);
  if (whole && !whole[1]!.includes('${{')) return evaluateExpression(whole[1]!, known);
  if (!value.includes('${{')) return value;
  let out = '';
  let rest = value;
  for (;;) {
    const start = rest.indexOf('${{');
    if (start === -1) return out + rest;
    const end = rest.indexOf('}}', start);
    if (end === -1) return UNKNOWN;
    const part = evaluateExpression(rest.slice(start + 3, end), known);
    if (part === UNKNOWN) return UNKNOWN;
    out += rest.slice(0, start) + toText(part);
    rest = rest.slice(end + 2);
  }
}

/** GitHub's truthiness: false, 0, -0, '', null (and NaN) are falsy. */
export function truthy(value: Value): boolean | typeof UNKNOWN {
  if (value === UNKNOWN) return UNKNOWN;
  return !(value === false || value === 0 || value === '' || value === null || (typeof value === 'number' && Number.isNaN(value)));
}

function toText(value: Exclude<Value, typeof UNKNOWN>): string {
  if (value === null) return '';
  return String(value);
}

function evaluate(expr: Expr, known: KnownContexts): Value {
  if (expr instanceof Literal) {
    const literal = expr.literal;
    if (literal instanceof data.StringData || literal instanceof data.NumberData || literal instanceof data.BooleanData) return literal.value;
    if (literal instanceof data.Null) return null;
    return UNKNOWN;
  }
  if (expr instanceof Grouping) return evaluate(expr.group, known);
  if (expr instanceof Unary) {
    const inner = truthy(evaluate(expr.expr, known));
    return inner === UNKNOWN ? UNKNOWN : !inner;
  }
  if (expr instanceof Logical) {
    const and = expr.operator.lexeme === '&&';
    let last: Value = and ? true : false;
    for (const arg of expr.args) {
      const value = evaluate(arg, known);
      const isTrue = truthy(value);
      if (isTrue === UNKNOWN) return UNKNOWN;
      last = value;
      // `a && b` stops at the first falsy operand, `a || b` at the first truthy one.
      if (and ? !isTrue : isTrue) return value;
    }
    return last;
  }
  if (expr instanceof Binary) {
    const left = evaluate(expr.left, known);
    const right = evaluate(expr.right, known);
    if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
    const op = expr.operator.lexeme;
    if (op === '==' || op === '!=') {
      const equal = looseEquals(left, right);
      return op === '==' ? equal : !equal;
    }
    const a = toNumber(left);
    const b = toNumber(right);
    if (op === '<') return a < b;
    if (op === '<=') return a <= b;
    if (op === '>') return a > b;
    if (op === '>=') return a >= b;
    return UNKNOWN;
  }
  if (expr instanceof ContextAccess || expr instanceof IndexAccess) {
    const path = contextPath(expr);
    if (path === null || !known.has(path)) return UNKNOWN;
    return known.get(path)!;
  }
  if (expr instanceof FunctionCall) {
    const name = expr.functionName.lexeme.toLowerCase();
    // Status checks, as they stand when a job or step starts after earlier ones succeeded.
    if (name === 'success' || name === 'always') return true;
    if (name === 'failure' || name === 'cancelled') return false;
    if (name === 'contains' && expr.args.length === 2) {
      const list = literalList(expr.args[0]!);
      const item = evaluate(expr.args[1]!, known);
      if (list && item !== UNKNOWN) return list.some((entry) => looseEquals(entry, item));
    }
    const args = expr.args.map((arg) => evaluate(arg, known));
    if (args.some((arg) => arg === UNKNOWN)) return UNKNOWN;
    const text = args.map((arg) => toText(arg as Exclude<Value, typeof UNKNOWN>).toLowerCase());
    if (name === 'startswith') return text[0]!.startsWith(text[1]!);
    if (name === 'endswith') return text[0]!.endsWith(text[1]!);
    if (name === 'contains') return text[0]!.includes(text[1]!);
    if (name === 'format') {
      const template = toText(args[0] as Exclude<Value, typeof UNKNOWN>);
      return template.replace(/\{(\d+)\}/g, (_, index: string) => toText((args[Number(index) + 1] ?? '') as Exclude<Value, typeof UNKNOWN>));
    }
    return UNKNOWN;
  }
  return UNKNOWN;
}

/** `fromJSON('["a","b"]')`: a literal list written in the workflow (actor allowlists). */
function literalList(expr: Expr): Array<string | number | boolean | null> | null {
  if (!(expr instanceof FunctionCall) || expr.functionName.lexeme.toLowerCase() !== 'fromjson') return null;
  const argument = expr.args[0];
  if (!(argument instanceof Literal) || !(argument.literal instanceof data.StringData)) return null;
  try {
    const parsed: unknown = JSON.parse(argument.literal.value);
    return Array.isArray(parsed) && parsed.every((entry) => entry === null || ['string', 'number', 'boolean'].includes(typeof entry)) ? parsed : null;
  } catch {
    return null;
  }
}

function contextPath(expr: Expr): string | null {
  if (expr instanceof ContextAccess) return expr.name.lexeme.toLowerCase();
  if (expr instanceof IndexAccess) {
    const base = contextPath(expr.expr);
    if (base === null) return null;
    const index = expr.index;
    if (index instanceof Literal && index.literal instanceof data.StringData) return `${base}.${index.literal.value.toLowerCase()}`;
    return null;
  }
  return null;
}

function toNumber(value: Exclude<Value, typeof UNKNOWN>): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  return trimmed === '' ? 0 : Number(trimmed);
}

/** GitHub's `==`: case-insensitive for strings, numeric coercion across types. */
function looseEquals(a: Exclude<Value, typeof UNKNOWN>, b: Exclude<Value, typeof UNKNOWN>): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}
