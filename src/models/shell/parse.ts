import { createRequire } from 'node:module';
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';
import type { Span } from '../yaml/document.ts';
import type { ShellCommand, ShellRedirect, ShellScript, ShellWord } from './types.ts';
import { analyzeExpression, expressionRanges } from '../github/expressions.ts';

let parser: TsParser | null = null;
let loading: Promise<void> | null = null;

/** Loads tree-sitter-bash once. Must be awaited before `parseShell`. */
export function loadShellParser(): Promise<void> {
  if (parser) return Promise.resolve();
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const bash = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const instance = new Parser();
    instance.setLanguage(bash);
    parser = instance;
  })();
  return loading;
}

export type OffsetMapper = (start: number, end: number) => Span;

/** The original script (with `${{ }}` intact) and how to place offsets in the file. */
interface ParseContext {
  original: string;
  locate: OffsetMapper;
}

const MAX_SCRIPT_BYTES = 1_000_000;
const MAX_NESTING = 4;
/**
 * `$(…)` nested deeper than this is not walked (and the script is marked as not fully read):
 * every word's expansions are looked up through its nested substitutions, so pathological
 * nesting cost quadratic time.
 */
const MAX_SUBSTITUTION_DEPTH = 64;
const SHELLS_WITH_C = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);

/**
 * Blanks `${{ … }}` so bash sees a plain word of the same length: offsets stay valid and the
 * expression's position can be matched back to the word that holds it. Expressions are
 * delimited as GitHub does (a `}}` inside a quoted literal does not close them).
 */
export function blankExpressions(script: string): string {
  let blanked = '';
  let cursor = 0;
  for (const range of expressionRanges(script)) {
    blanked += script.slice(cursor, range.start) + script.slice(range.start, range.end).replace(/[^\n]/g, '_');
    cursor = range.end;
  }
  return cursor === 0 ? script : blanked + script.slice(cursor);
}

export function parseShell(script: string, locate: OffsetMapper): ShellScript {
  if (!parser) throw new Error('shell parser not loaded: await loadShellParser() first');
  const source = blankExpressions(script.length > MAX_SCRIPT_BYTES ? script.slice(0, MAX_SCRIPT_BYTES) : script);
  const result: ShellScript = { commands: [], hasErrors: false, assignments: [] };
  parseInto(source, 0, false, 0, { original: script, locate }, result);
  result.commands.sort((a, b) => a.start - b.start);
  result.assignments.sort((a, b) => a.start - b.start);
  return result;
}

/** What one tree's walk shares: where its text sits in the script, and what it has done. */
interface TreeWalk {
  /** The text this tree was parsed from (expressions blanked). */
  source: string;
  base: number;
  depth: number;
  context: ParseContext;
  out: ShellScript;
  /** Nodes already taken care of as part of a pipeline, by tree-sitter node id. */
  handled: Set<number>;
  /** Redirects that tree-sitter hung on a list or pipeline, by the id of the command they belong to. */
  lentRedirects: Map<number, ShellRedirect[]>;
  /** Statements whose redirects were already handed on. */
  lent: Set<number>;
}

/**
 * `a && b | c > f`: tree-sitter hangs the redirect on the whole list, but the shell applies it
 * to the last simple command (`c`), so it is handed to that command.
 */
function lendRedirects(statement: TsNode, state: TreeWalk): void {
  let cursor = statement.childForFieldName('body');
  if (!cursor || cursor.type === 'command' || state.lent.has(statement.id)) return;
  state.lent.add(statement.id);
  while (cursor && (cursor.type === 'list' || cursor.type === 'pipeline' || cursor.type === 'negated_command')) {
    const children: Array<TsNode | null> = cursor.namedChildren;
    cursor = children[children.length - 1] ?? null;
  }
  if (cursor?.type !== 'command') return;
  const redirects = statement.namedChildren.filter((child) => child?.type.endsWith('redirect')).flatMap((child) => redirectsOf(child!));
  state.lentRedirects.set(cursor.id, [...(state.lentRedirects.get(cursor.id) ?? []), ...redirects]);
}

function parseInto(source: string, base: number, nested: boolean, depth: number, context: ParseContext, out: ShellScript): void {
  const tree = parser!.parse(source);
  if (!tree) return;
  try {
    if (tree.rootNode.hasError) out.hasErrors = true;
    walk(tree.rootNode, nested, { source, base, depth, context, out, handled: new Set(), lentRedirects: new Map(), lent: new Set() });
  } finally {
    tree.delete();
  }
}

/**
 * Visits the tree with an explicit stack: tree-sitter-bash nests `a && b && c …` lists to the
 * left, so a long script of chained lines is a very deep tree and recursion overflowed.
 */
function walk(root: TsNode, rootNested: boolean, state: TreeWalk): void {
  // Parents travel with the stack: `Node.parent` searches down from the root, so asking it in a
  // deep tree made the walk quadratic.
  const stack: Frame[] = [{ node: root, nested: rootNested, parent: null, substitutions: 0 }];
  const push = (nodes: Iterable<TsNode | null>, nested: boolean, parent: Frame): void => {
    const list = [...nodes].filter((node): node is TsNode => node !== null && !state.handled.has(node.id));
    for (let i = list.length - 1; i >= 0; i--) {
      const node = list[i]!;
      const substitutions = parent.substitutions + (node.type === 'command_substitution' || node.type === 'process_substitution' ? 1 : 0);
      if (substitutions > MAX_SUBSTITUTION_DEPTH) {
        state.out.hasErrors = true;
        continue;
      }
      stack.push({ node, nested, parent, substitutions });
    }
  };
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { node, nested } = frame;
    if (state.handled.has(node.id)) continue;
    if (node.type === 'redirected_statement') lendRedirects(node, state);
    const members = pipelineMembers(node, state);
    if (members) {
      const commands: ShellCommand[] = [];
      for (const member of members) {
        // Before the command is made: `! a > f | b` hangs `> f` around the negation.
        if (member.type === 'redirected_statement') lendRedirects(member, state);
        const found = commandOf(member);
        const command = found ? toCommand(found.command, found.statement, nested, state) : null;
        if (!found || !command) {
          push([member], nested, frame);
          continue;
        }
        commands.push(command);
        // The words can hold `$(…)`; a wrapper (`a 2>&1 | b`, `! a | b`) can hold more.
        state.handled.add(found.command.id);
        push(found.command.namedChildren, nested, { node: found.command, nested, parent: frame, substitutions: frame.substitutions });
        if (member.id !== found.command.id && member.id !== node.id) push([member], nested, frame);
      }
      commands.forEach((command, index) => {
        command.pipeline = commands;
        command.pipelineIndex = index;
        emit(command, state);
      });
      // `cat <<EOF | sh`: the rest of the statement (the heredoc body) is still walked.
      if (node.type === 'redirected_statement') push(node.namedChildren, nested, frame);
      continue;
    }
    if (node.type === 'command') {
      const statement = frame.parent?.node.type === 'redirected_statement' ? frame.parent.node : null;
      const command = toCommand(node, statement, nested, state);
      if (command) emit(command, state);
      push(node.namedChildren, nested, frame);
      continue;
    }
    if (node.type === 'variable_assignment' && !nested && frame.parent?.node.type !== 'command') recordAssignment(node, state);
    const entersNesting = node.type === 'command_substitution' || node.type === 'subshell' || node.type === 'process_substitution';
    push(node.namedChildren, nested || entersNesting, frame);
  }
}

interface Frame {
  node: TsNode;
  nested: boolean;
  parent: Frame | null;
  /** `$(…)` / `<(…)` around this node. */
  substitutions: number;
}

/** A top-level `NAME=value`; the value as written, `${{ }}` included. */
function recordAssignment(node: TsNode, state: TreeWalk): void {
  const { base, context } = state;
  const value = node.childForFieldName('value');
  state.out.assignments.push({
    name: node.childForFieldName('name')?.text ?? '',
    value: context.original.slice(base + (value?.startIndex ?? node.endIndex), base + node.endIndex),
    start: base + node.startIndex,
    span: context.locate(base + node.startIndex, base + node.endIndex),
  });
}

function emit(command: ShellCommand, state: TreeWalk): void {
  state.out.commands.push(command);
  expandShellC(command, state.depth, state.context, state.out);
}

/**
 * The members of a pipeline, or null. Besides `a | b`, tree-sitter parses `cat <<EOF | sh` as
 * a heredoc holding the pipeline `| sh`; there the statement's own command (or pipeline, in
 * `x | cat <<EOF | sh`) comes first.
 */
function pipelineMembers(node: TsNode, state: TreeWalk): TsNode[] | null {
  const members = (pipeline: TsNode): TsNode[] => pipeline.namedChildren.filter((child): child is TsNode => child !== null);
  if (node.type === 'pipeline') return members(node);
  if (node.type !== 'redirected_statement') return null;
  const body = node.childForFieldName('body');
  // A body already taken as a member of an outer pipeline is not taken twice.
  if (!body || state.handled.has(body.id) || (body.type !== 'command' && body.type !== 'pipeline')) return null;
  for (const redirect of node.namedChildren) {
    if (redirect?.type !== 'heredoc_redirect') continue;
    const inner = redirect.namedChildren.find((child) => child?.type === 'pipeline' || child?.type === 'command');
    if (!inner) continue;
    state.handled.add(inner.id);
    const rest = inner.type === 'pipeline' ? members(inner) : [inner];
    if (body.type === 'command') return [node, ...rest];
    // The heredoc is the last body command's; it is lent to it when this statement is visited.
    state.handled.add(body.id);
    return [...members(body), ...rest];
  }
  return null;
}

/**
 * The simple command a pipeline member stands for (`a 2>&1`, `! a`), with the statement that
 * holds its redirects; null for compound members.
 */
function commandOf(node: TsNode): { command: TsNode; statement: TsNode | null } | null {
  if (node.type === 'command') return { command: node, statement: null };
  if (node.type === 'redirected_statement') {
    const body = node.childForFieldName('body');
    if (body?.type === 'command') return { command: body, statement: node };
    // `! a > f`: the redirects were lent to `a` (see lendRedirects).
    return body?.type === 'negated_command' ? commandOf(body) : null;
  }
  if (node.type === 'negated_command') {
    const inner = node.namedChildren[0];
    return inner ? commandOf(inner) : null;
  }
  return null;
}

function toCommand(node: TsNode, statement: TsNode | null, nested: boolean, state: TreeWalk): ShellCommand | null {
  const { base, context } = state;
  const nameNode = node.childForFieldName('name');
  if (!nameNode) return null;
  const nameWord = toWord(nameNode, base, context);
  const args: ShellWord[] = [];
  const assignments: ShellCommand['assignments'] = [];
  const redirects: ShellCommand['redirects'] = [];
  // tree-sitter-bash reads `A=1 B=2⏎npm publish` as one command with two prefix assignments.
  // What ends before an unescaped line break ahead of the name is a statement of its own: its
  // assignments are top-level ones, and the command starts after it.
  let first = 0;
  for (let i = 0; i + 1 < node.childCount; i++) {
    const child = node.child(i);
    const next = node.child(i + 1);
    if (!child || !next || child.equals(nameNode)) break;
    if (/(^|[^\\])\n/.test(state.source.slice(child.endIndex, next.startIndex))) first = i + 1;
  }
  for (let i = 0; i < first; i++) {
    const child = node.child(i);
    if (!nested && child?.type === 'variable_assignment') recordAssignment(child, state);
  }
  for (let i = first; i < node.childCount; i++) {
    const child = node.child(i);
    if (!child || !child.isNamed) continue;
    const field = node.fieldNameForChild(i);
    if (field === 'argument') args.push(toWord(child, base, context));
    else if (child.type === 'variable_assignment') {
      assignments.push({
        name: child.childForFieldName('name')?.text ?? '',
        value: originalText(child.childForFieldName('value'), base, context),
      });
    } else if (child.type.endsWith('redirect')) redirects.push(...redirectsOf(child));
  }
  // Redirects written after the command (`cmd > file`) live on the redirected_statement.
  if (statement) {
    for (const child of statement.namedChildren) if (child && child.type.endsWith('redirect')) redirects.push(...redirectsOf(child));
  }
  redirects.push(...(state.lentRedirects.get(node.id) ?? []));
  const name = nameWord.text;
  const start = base + (node.child(first)?.startIndex ?? node.startIndex);
  const end = base + node.endIndex;
  const command: ShellCommand = {
    name,
    program: (name.split('/').pop() ?? name).toLowerCase(),
    args,
    assignments,
    redirects,
    start,
    end,
    span: context.locate(start, end),
    text: context.original.slice(start, end),
    pipeline: [],
    pipelineIndex: 0,
    nested,
  };
  command.pipeline = [command];
  return command;
}

/** `> file`, `2>&1`, `<<< word`; a heredoc (`<<EOF > out`) can carry redirects of its own. */
function redirectsOf(node: TsNode): ShellRedirect[] {
  const operator = node.children.find((child) => child && !child.isNamed)?.text ?? '';
  if (node.type === 'heredoc_redirect') {
    const delimiter = node.namedChildren.find((child) => child?.type === 'heredoc_start')?.text ?? '';
    const inner = node.namedChildren.filter((child) => child?.type.endsWith('redirect')).flatMap((child) => redirectsOf(child!));
    return [{ operator, target: delimiter.replace(/^(['"])(.*)\1$/s, '$2') }, ...inner];
  }
  const target = node.childForFieldName('destination') ?? node.namedChildren[node.namedChildCount - 1] ?? null;
  const descriptor = node.childForFieldName('descriptor')?.text;
  return [descriptor === undefined ? { operator, target: unquote(target) } : { operator, target: unquote(target), descriptor }];
}

function toWord(node: TsNode, base: number, context: ParseContext): ShellWord {
  const variables = new Set<string>();
  // Searching descendants costs a round trip into wasm; most words expand nothing.
  const expansions = node.text.includes('$') ? node.descendantsOfType(['simple_expansion', 'expansion']) : [];
  for (const expansion of node.type === 'simple_expansion' || node.type === 'expansion' ? [node, ...expansions] : expansions) {
    const variable = expansion?.namedChildren.find((c) => c?.type === 'variable_name');
    // `$1` is a positional parameter, not an environment variable.
    if (variable && /^[A-Za-z_]\w*$/.test(variable.text)) variables.add(variable.text);
  }
  const start = base + node.startIndex;
  const end = base + node.endIndex;
  const raw = context.original.slice(start, end);
  return {
    raw,
    text: unquote(node),
    variables: [...variables],
    expressions: expressionRanges(raw).map((range) => analyzeExpression(raw.slice(range.start + 3, range.end - 2))),
    start,
    end,
    span: context.locate(start, end),
  };
}

function originalText(node: TsNode | null, base: number, context: ParseContext): string {
  return node ? context.original.slice(base + node.startIndex, base + node.endIndex) : '';
}

/** Quote removal good enough for matching flags and hosts. */
function unquote(node: TsNode | null): string {
  if (!node) return '';
  switch (node.type) {
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string':
      return node.text.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    case 'ansi_c_string':
      return node.text.slice(2, -1);
    case 'concatenation':
      return node.namedChildren.map((child) => unquote(child)).join('');
    case 'word':
      return node.text.replace(/\\(.)/g, '$1');
    case 'command_name': {
      // `"curl" -d …` names curl, not `"curl"`.
      const inner = node.namedChildren[0];
      return inner ? unquote(inner) : node.text;
    }
    default:
      return node.text;
  }
}

/** `bash -c "…"` and `sh -c '…'`: the string is a script of its own. */
function expandShellC(command: ShellCommand, depth: number, context: ParseContext, out: ShellScript): void {
  if (depth >= MAX_NESTING || !SHELLS_WITH_C.has(command.program)) return;
  const flagIndex = command.args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg.text));
  const body = flagIndex === -1 ? undefined : command.args[flagIndex + 1];
  if (!body) return;
  const quoted = body.raw.startsWith("'") || body.raw.startsWith('"');
  const innerStart = body.start + (quoted ? 1 : 0);
  const inner = blankExpressions(context.original.slice(innerStart, body.end - (quoted ? 1 : 0)));
  parseInto(inner, innerStart, true, depth + 1, context, out);
}
