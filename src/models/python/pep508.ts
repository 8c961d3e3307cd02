/**
 * PEP 508 dependency specifiers (`name[extras] >=1.0 ; python_version < "3.11"`, `name @ url`)
 * and environment markers: a parser with offsets and a marker evaluator. Our own code, written
 * from the PEP's grammar and the evaluation rules of Python's `packaging`.
 */
import { isValidSpecifier, isVersion, satisfies } from './pep440.ts';

/** PEP 503: runs of `-`, `_`, `.` become one `-`, lower-case. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;

export const MARKER_VARIABLES = [
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  // PEP 751 lockfile markers: sets, used with `in` / `not in`.
  'extras',
  'dependency_groups',
] as const;
export type MarkerVariable = (typeof MARKER_VARIABLES)[number];

/** Old spellings `packaging` still reads. */
const LEGACY_VARIABLES: Record<string, MarkerVariable> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};

export type MarkerOperator = '<' | '<=' | '!=' | '==' | '>=' | '>' | '~=' | '===' | 'in' | 'not in';
export type MarkerOperand = { kind: 'variable'; name: MarkerVariable } | { kind: 'string'; value: string };
export type MarkerNode =
  | { type: 'compare'; left: MarkerOperand; operator: MarkerOperator; right: MarkerOperand }
  | { type: 'and' | 'or'; left: MarkerNode; right: MarkerNode };

export interface Requirement {
  /** Name as written. */
  name: string;
  normalizedName: string;
  extras: string[];
  /** Version specifier as written, parentheses removed (`>=1.0,<2`); '' for none. */
  specifier: string;
  /** `name @ url`: the direct reference. */
  url?: string;
  marker?: MarkerNode;
  /** The marker text as written, after the `;`. */
  markerText?: string;
  /** Offsets in the parsed text. */
  nameStart: number;
  nameEnd: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; offset: number };

class MarkerSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses one PEP 508 requirement. Never throws. */
export function parseRequirement(text: string): ParseResult<Requirement> {
  try {
    return { ok: true, value: requirement(text) };
  } catch (error) {
    if (error instanceof MarkerSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

/** Parses a marker expression (the text after `;`). Never throws. */
export function parseMarker(text: string): ParseResult<MarkerNode> {
  try {
    const scanner = new Scanner(text, 0);
    const node = markerOr(scanner);
    scanner.skipSpace();
    if (!scanner.done()) throw new MarkerSyntaxError(`unexpected '${text.slice(scanner.at, scanner.at + 10)}' in marker`, scanner.at);
    return { ok: true, value: node };
  } catch (error) {
    if (error instanceof MarkerSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    if (error instanceof RangeError) return { ok: false, message: 'marker is nested too deeply', offset: 0 };
    throw error;
  }
}

class Scanner {
  depth = 0;
  constructor(
    readonly text: string,
    public at: number,
  ) {}
  done(): boolean {
    return this.at >= this.text.length;
  }
  skipSpace(): void {
    while (this.at < this.text.length && /[ \t\r\n]/.test(this.text[this.at]!)) this.at++;
  }
  peek(pattern: RegExp): RegExpExecArray | null {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    return match && match.index === this.at ? match : null;
  }
  take(pattern: RegExp): string | null {
    const match = this.peek(pattern);
    if (!match) return null;
    this.at += match[0].length;
    return match[0];
  }
}

function requirement(text: string): Requirement {
  const scanner = new Scanner(text, 0);
  scanner.skipSpace();
  const nameStart = scanner.at;
  const name = scanner.take(/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y);
  if (!name) throw new MarkerSyntaxError('expected a package name', scanner.at);
  const nameEnd = scanner.at;
  scanner.skipSpace();
  const extras: string[] = [];
  if (scanner.take(/\[/y)) {
    scanner.skipSpace();
    if (!scanner.take(/\]/y)) {
      for (;;) {
        scanner.skipSpace();
        const extra = scanner.take(/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y);
        if (!extra) throw new MarkerSyntaxError('expected an extra name', scanner.at);
        extras.push(extra);
        scanner.skipSpace();
        if (scanner.take(/\]/y)) break;
        if (!scanner.take(/,/y)) throw new MarkerSyntaxError("expected ',' or ']' after an extra", scanner.at);
      }
    }
    scanner.skipSpace();
  }
  const result: Requirement = { name, normalizedName: normalizeName(name), extras, specifier: '', nameStart, nameEnd };
  if (scanner.take(/@/y)) {
    scanner.skipSpace();
    const start = scanner.at;
    // The URL runs to whitespace; a marker needs whitespace before its `;` (PEP 508 `url_req`).
    const url = scanner.take(/[^\s]+/y);
    if (!url) throw new MarkerSyntaxError('expected a URL after @', scanner.at);
    result.url = url;
    if (/;$/.test(url)) throw new MarkerSyntaxError('a URL requirement needs a space before its ";" marker', start + url.length - 1);
    scanner.skipSpace();
  } else {
    const parenthesized = scanner.take(/\(/y);
    const start = scanner.at;
    const spec = scanner.take(parenthesized ? /[^)]*/y : /[^;]*/y) ?? '';
    if (parenthesized && !scanner.take(/\)/y)) throw new MarkerSyntaxError("expected ')'", scanner.at);
    result.specifier = spec.trim().replace(/\s+/g, ' ');
    if (result.specifier && (!isSpecifierList(result.specifier) || !isValidSpecifier(result.specifier))) throw new MarkerSyntaxError(`invalid version specifier '${result.specifier}'`, start);
    scanner.skipSpace();
  }
  if (scanner.take(/;/y)) {
    const markerStart = scanner.at;
    result.markerText = text.slice(markerStart).trim();
    const inner = new Scanner(text, markerStart);
    const node = markerOr(inner);
    inner.skipSpace();
    if (!inner.done()) throw new MarkerSyntaxError(`unexpected '${text.slice(inner.at, inner.at + 10)}' in marker`, inner.at);
    result.marker = node;
    return result;
  }
  scanner.skipSpace();
  if (!scanner.done()) throw new MarkerSyntaxError(`unexpected '${text.slice(scanner.at, scanner.at + 10)}'`, scanner.at);
  return result;
}

/** Each comma-separated clause has an operator and a version-like operand (PEP 440 is checked by the caller). */
function isSpecifierList(text: string): boolean {
  return text.split(',').every((clause) => /^\s*(===|~=|==|!=|<=|>=|<|>)\s*[^\s,;()]+\s*$/.test(clause));
}

const MAX_MARKER_DEPTH = 100;

function markerOr(scanner: Scanner): MarkerNode {
  let left = markerAnd(scanner);
  for (;;) {
    scanner.skipSpace();
    if (!scanner.take(/or(?![A-Za-z0-9_.])/y)) return left;
    left = { type: 'or', left, right: markerAnd(scanner) };
  }
}

function markerAnd(scanner: Scanner): MarkerNode {
  let left = markerAtom(scanner);
  for (;;) {
    scanner.skipSpace();
    if (!scanner.take(/and(?![A-Za-z0-9_.])/y)) return left;
    left = { type: 'and', left, right: markerAtom(scanner) };
  }
}

function markerAtom(scanner: Scanner): MarkerNode {
  scanner.skipSpace();
  if (scanner.take(/\(/y)) {
    if (++scanner.depth > MAX_MARKER_DEPTH) throw new MarkerSyntaxError('marker is nested too deeply', scanner.at);
    const inner = markerOr(scanner);
    scanner.skipSpace();
    if (!scanner.take(/\)/y)) throw new MarkerSyntaxError("expected ')' in marker", scanner.at);
    scanner.depth--;
    return inner;
  }
  const left = operand(scanner);
  scanner.skipSpace();
  const operator = markerOperator(scanner);
  const right = operand(scanner);
  return { type: 'compare', left, operator, right };
}

function markerOperator(scanner: Scanner): MarkerOperator {
  const symbol = scanner.take(/===|~=|==|!=|<=|>=|<|>/y);
  if (symbol) return symbol as MarkerOperator;
  if (scanner.take(/in(?![A-Za-z0-9_])/y)) return 'in';
  if (scanner.take(/not[ \t]+in(?![A-Za-z0-9_])/y)) return 'not in';
  throw new MarkerSyntaxError('expected a marker operator (==, <, in, …)', scanner.at);
}

function operand(scanner: Scanner): MarkerOperand {
  scanner.skipSpace();
  const quoted = scanner.take(/'[^']*'|"[^"]*"/y);
  if (quoted) return { kind: 'string', value: quoted.slice(1, -1) };
  const at = scanner.at;
  const word = scanner.take(/[A-Za-z_][A-Za-z0-9_.]*/y);
  if (word) {
    const name = LEGACY_VARIABLES[word] ?? ((MARKER_VARIABLES as readonly string[]).includes(word) ? (word as MarkerVariable) : undefined);
    if (name) return { kind: 'variable', name };
    throw new MarkerSyntaxError(`unknown marker variable '${word}'`, at);
  }
  throw new MarkerSyntaxError('expected a marker variable or a quoted string', scanner.at);
}

/** Marker text in the canonical form (`python_version < "3.11" and (…)`); parses back to the same tree. */
export function formatMarker(node: MarkerNode): string {
  if (node.type === 'compare') return `${formatOperand(node.left)} ${node.operator} ${formatOperand(node.right)}`;
  // The parser nests chains to the left and `and` binds tighter than `or`.
  const left = node.left.type === 'or' && node.type === 'and' ? `(${formatMarker(node.left)})` : formatMarker(node.left);
  const right = node.right.type === 'compare' ? formatMarker(node.right) : `(${formatMarker(node.right)})`;
  return `${left} ${node.type} ${right}`;
}

function formatOperand(operand: MarkerOperand): string {
  if (operand.kind === 'variable') return operand.name;
  return operand.value.includes('"') ? `'${operand.value}'` : `"${operand.value}"`;
}

/**
 * The environment a marker is evaluated against. A variable left out is unknown: comparisons on
 * it, and whatever depends on them, evaluate to `undefined`.
 */
export type MarkerEnvironment = Partial<Record<Exclude<MarkerVariable, 'extras' | 'dependency_groups'>, string>> & {
  extras?: readonly string[];
  dependency_groups?: readonly string[];
};

/** A CPython environment for a Linux x86-64 runner, from a Python version (`3.12` or `3.12.4`). */
export function linuxEnvironment(python: string, extra?: string): MarkerEnvironment {
  const parts = python.split('.');
  const full = parts.length >= 3 ? python : `${parts[0] ?? '3'}.${parts[1] ?? '0'}.0`;
  return {
    python_version: `${parts[0] ?? '3'}.${parts[1] ?? '0'}`,
    python_full_version: full,
    os_name: 'posix',
    sys_platform: 'linux',
    platform_system: 'Linux',
    platform_machine: 'x86_64',
    platform_python_implementation: 'CPython',
    implementation_name: 'cpython',
    implementation_version: full,
    extra: extra ?? '',
  };
}

/**
 * Evaluates a marker with three values: true, false, or `undefined` when the answer depends on a
 * variable the environment does not give. Total: never throws. Comparisons `packaging` refuses
 * (`~=` on text that is not a version) are false.
 */
export function evaluateMarker(node: MarkerNode, environment: MarkerEnvironment): boolean | undefined {
  if (node.type === 'compare') return compare(node, environment);
  const left = evaluateMarker(node.left, environment);
  if (node.type === 'and') {
    if (left === false) return false;
    const right = evaluateMarker(node.right, environment);
    if (right === false) return false;
    return left === undefined || right === undefined ? undefined : true;
  }
  if (left === true) return true;
  const right = evaluateMarker(node.right, environment);
  if (right === true) return true;
  return left === undefined || right === undefined ? undefined : false;
}

function compare(node: Extract<MarkerNode, { type: 'compare' }>, environment: MarkerEnvironment): boolean | undefined {
  const { left, operator, right } = node;
  // Sets (PEP 751): `"name" in extras`.
  for (const [side, other] of [
    [right, left],
    [left, right],
  ] as const) {
    if (side.kind === 'variable' && (side.name === 'extras' || side.name === 'dependency_groups')) {
      const values = environment[side.name];
      if (!values) return undefined;
      if (other.kind !== 'string' || (operator !== 'in' && operator !== 'not in') || side !== right) return false;
      const found = values.some((value) => normalizeName(value) === normalizeName(other.value));
      return operator === 'in' ? found : !found;
    }
  }
  const value = (operand: MarkerOperand): string | undefined => {
    if (operand.kind === 'string') return operand.value;
    if (operand.name === 'extras' || operand.name === 'dependency_groups') return undefined;
    return environment[operand.name];
  };
  let lhs = value(left);
  let rhs = value(right);
  if (lhs === undefined || rhs === undefined) return undefined;
  // `extra` compares normalized names (PEP 685).
  if ((left.kind === 'variable' && left.name === 'extra') || (right.kind === 'variable' && right.name === 'extra')) {
    lhs = normalizeName(lhs);
    rhs = normalizeName(rhs);
  }
  if (operator === 'in') return rhs.includes(lhs);
  if (operator === 'not in') return !rhs.includes(lhs);
  // `packaging`: a version comparison when the right side is a valid specifier for the left.
  if (isVersion(lhs) && (isVersion(rhs) || (/\.\*$/.test(rhs) && (operator === '==' || operator === '!=')))) {
    if (operator === '===') return lhs === rhs;
    const answer = satisfiesSafely(lhs, `${operator}${rhs}`);
    if (answer !== undefined) return answer;
  }
  switch (operator) {
    case '==':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    case '===':
      return lhs === rhs;
    default:
      return false;
  }
}

function satisfiesSafely(version: string, specifier: string): boolean | undefined {
  try {
    return satisfies(version, specifier, { prereleases: true });
  } catch {
    return undefined;
  }
}

export { NAME as PACKAGE_NAME };
