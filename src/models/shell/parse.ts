import { createRequire } from 'node:module';
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';
import type { Span } from '../yaml/document.ts';
import type { ShellCommand, ShellScript, ShellWord } from './types.ts';
import { analyzeExpression } from '../github/expressions.ts';

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
const SHELLS_WITH_C = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);

/**
 * Blanks `${{ … }}` so bash sees a plain word of the same length: offsets stay valid and the
 * expression's position can be matched back to the word that holds it.
 */
export function blankExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, (match) => match.replace(/[^\n]/g, '_'));
}

export function parseShell(script: string, locate: OffsetMapper): ShellScript {
  if (!parser) throw new Error('shell parser not loaded: await loadShellParser() first');
  const source = blankExpressions(script.length > MAX_SCRIPT_BYTES ? script.slice(0, MAX_SCRIPT_BYTES) : script);
  const result: ShellScript = { commands: [], hasErrors: false, assignments: [] };
  parseInto(source, 0, false, 0, { original: script, locate }, result);
  result.commands.sort((a, b) => a.start - b.start);
  return result;
}

function parseInto(
  source: string,
  base: number,
  nested: boolean,
  depth: number,
  context: ParseContext,
  out: ShellScript,
): void {
  const tree = parser!.parse(source);
  if (!tree) return;
  try {
    if (tree.rootNode.hasError) out.hasErrors = true;
    walk(tree.rootNode, source, base, nested, depth, context, out);
  } finally {
    tree.delete();
  }
}

function walk(
  node: TsNode,
  source: string,
  base: number,
  nested: boolean,
  depth: number,
  context: ParseContext,
  out: ShellScript,
): void {
  if (node.type === 'pipeline') {
    const members: ShellCommand[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      const command = child.type === 'command' ? toCommand(child, base, nested, context) : null;
      if (command) members.push(command);
      // Still walk into the member for substitutions and compound commands.
      walkChildren(child, source, base, nested, depth, context, out, command ? 'skip-self' : 'all');
    }
    members.forEach((command, index) => {
      command.pipeline = members;
      command.pipelineIndex = index;
      out.commands.push(command);
      expandShellC(command, depth, context, out);
    });
    return;
  }
  if (node.type === 'command') {
    const command = toCommand(node, base, nested, context);
    if (command) {
      out.commands.push(command);
      expandShellC(command, depth, context, out);
    }
    walkChildren(node, source, base, nested, depth, context, out, 'skip-self');
    return;
  }
  if (node.type === 'variable_assignment' && !nested && node.parent?.type !== 'command') {
    const name = node.childForFieldName('name')?.text ?? '';
    const value = node.childForFieldName('value');
    out.assignments.push({
      name,
      value: context.original.slice(base + (value?.startIndex ?? node.endIndex), base + node.endIndex),
      start: base + node.startIndex,
      span: context.locate(base + node.startIndex, base + node.endIndex),
    });
  }
  const entersNesting = node.type === 'command_substitution' || node.type === 'subshell' || node.type === 'process_substitution';
  for (const child of node.namedChildren) {
    if (child) walk(child, source, base, nested || entersNesting, depth, context, out);
  }
}

function walkChildren(
  node: TsNode,
  source: string,
  base: number,
  nested: boolean,
  depth: number,
  context: ParseContext,
  out: ShellScript,
  mode: 'skip-self' | 'all',
): void {
  if (mode === 'all') {
    walk(node, source, base, nested, depth, context, out);
    return;
  }
  for (const child of node.namedChildren) {
    if (!child) continue;
    // Words of a command can hold `$(…)`; those inner commands count as nested.
    for (const inner of child.descendantsOfType(['command_substitution', 'process_substitution'])) {
      if (inner && inner.parent && isDirectSubstitution(inner, node)) {
        for (const grand of inner.namedChildren) if (grand) walk(grand, source, base, true, depth, context, out);
      }
    }
  }
}

/** True when `inner` is not itself inside a deeper substitution below `owner`. */
function isDirectSubstitution(inner: TsNode, owner: TsNode): boolean {
  let cursor = inner.parent;
  while (cursor && !cursor.equals(owner)) {
    if (cursor.type === 'command_substitution' || cursor.type === 'process_substitution') return false;
    cursor = cursor.parent;
  }
  return true;
}

function toCommand(node: TsNode, base: number, nested: boolean, context: ParseContext): ShellCommand | null {
  const nameNode = node.childForFieldName('name');
  if (!nameNode) return null;
  const nameWord = toWord(nameNode, base, context);
  const args: ShellWord[] = [];
  const assignments: ShellCommand['assignments'] = [];
  const redirects: ShellCommand['redirects'] = [];
  for (let i = 0; i < node.childCount; i++) {
    const child = node.child(i);
    if (!child || !child.isNamed) continue;
    const field = node.fieldNameForChild(i);
    if (field === 'argument') args.push(toWord(child, base, context));
    else if (child.type === 'variable_assignment') {
      assignments.push({
        name: child.childForFieldName('name')?.text ?? '',
        value: originalText(child.childForFieldName('value'), base, context),
      });
    } else if (child.type.endsWith('redirect')) {
      const operator = child.children.find((c) => c && !c.isNamed)?.text ?? '';
      const target = child.childForFieldName('destination') ?? child.namedChildren[child.namedChildCount - 1] ?? null;
      redirects.push({ operator, target: unquote(target) });
    }
  }
  // Redirects attached after the command (`cmd > file`) live on a redirected_statement parent.
  const parent = node.parent;
  if (parent?.type === 'redirected_statement') {
    for (const child of parent.namedChildren) {
      if (!child || !child.type.endsWith('redirect')) continue;
      const operator = child.children.find((c) => c && !c.isNamed)?.text ?? '';
      const target = child.childForFieldName('destination') ?? child.namedChildren[child.namedChildCount - 1] ?? null;
      redirects.push({ operator, target: unquote(target) });
    }
  }
  const name = nameWord.text;
  const start = base + node.startIndex;
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

function toWord(node: TsNode, base: number, context: ParseContext): ShellWord {
  const variables = new Set<string>();
  for (const expansion of node.descendantsOfType(['simple_expansion', 'expansion'])) {
    const variable = expansion?.namedChildren.find((c) => c?.type === 'variable_name');
    if (variable) variables.add(variable.text);
  }
  if (node.type === 'simple_expansion' || node.type === 'expansion') {
    const variable = node.namedChildren.find((c) => c?.type === 'variable_name');
    if (variable) variables.add(variable.text);
  }
  const start = base + node.startIndex;
  const end = base + node.endIndex;
  const raw = context.original.slice(start, end);
  return {
    raw,
    text: unquote(node),
    variables: [...variables],
    expressions: [...raw.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => analyzeExpression(match[1] ?? '')),
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
