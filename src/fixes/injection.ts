/**
 * template-injection's fix, zizmor's approach: each `${{ … }}` pasted into a `run:` script moves
 * into the step's `env:` as a variable, and the script reads the variable, quoted for where the
 * expression stood (`"${TITLE}"` in plain words, `${TITLE}` inside double quotes or an unquoted
 * here-document, `'"${TITLE}"'` inside single quotes). The shell then treats the value as data.
 * `github.head_ref` and the like read the runner's own variable (`GITHUB_HEAD_REF`) instead.
 */
import type { Scalar } from 'yaml';
import { isPosixShell } from '../models/github/build.ts';
import { expressionRanges, type Expression } from '../models/github/expressions.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { isScalar, type YamlFile } from '../models/yaml/document.ts';
import { FixUnavailableError, type Fix, type TextEdit } from './types.ts';
import { mapping, scalar, YamlEditor, type YamlEntry } from './yaml-edit.ts';

/** Contexts the runner already exports under their own name. */
const RUNNER_VARIABLES: Record<string, string> = {
  'github.head_ref': 'GITHUB_HEAD_REF',
  'github.base_ref': 'GITHUB_BASE_REF',
  'github.ref': 'GITHUB_REF',
  'github.ref_name': 'GITHUB_REF_NAME',
  'github.actor': 'GITHUB_ACTOR',
  'github.triggering_actor': 'GITHUB_TRIGGERING_ACTOR',
  'github.repository': 'GITHUB_REPOSITORY',
  'github.workflow': 'GITHUB_WORKFLOW',
  'github.event_name': 'GITHUB_EVENT_NAME',
};

export type QuoteContext = 'plain' | 'double' | 'single' | 'heredoc' | 'quoted-heredoc' | 'comment';

/**
 * The fixes for a step's reported expressions: one shared fix for all that can move (so their
 * `env:` entries are written together), and for each that cannot, a fix that says why.
 */
export function injectionFixes(step: Step, expressions: readonly Expression[], yaml: YamlFile, job: Job | undefined, workflow: Workflow | undefined): Map<Expression, Fix> {
  const fixes = new Map<Expression, Fix>();
  const movable: Expression[] = [];
  for (const expression of expressions) {
    try {
      injectionEdits(step, [expression], yaml, job, workflow);
      movable.push(expression);
    } catch (caught) {
      // Runs while auditing: whatever goes wrong here must not cost the rule its finding.
      const error = caught instanceof FixUnavailableError ? caught : new FixUnavailableError(`cordon could not work out the edit (${caught instanceof Error ? caught.message : String(caught)})`);
      fixes.set(expression, {
        title: `pass \`\${{ ${expression.text} }}\` to the script through \`env:\``,
        safety: 'safe',
        edits: () => {
          throw error;
        },
      });
    }
  }
  if (movable.length) {
    const names = [...new Set(movable.map((expression) => `\`\${{ ${expression.text} }}\``))];
    const shared: Fix = {
      title: `pass ${names.slice(0, 2).join(', ')}${names.length > 2 ? ` and ${names.length - 2} more` : ''} to the script through \`env:\``,
      safety: 'unsafe',
      followUp: ['The script now reads the value as one quoted word; if it relied on the value being split into several words or run as code, adjust it.'],
      edits: () => injectionEdits(step, movable, yaml, job, workflow),
    };
    for (const expression of movable) fixes.set(expression, shared);
  }
  return fixes;
}

function injectionEdits(step: Step, expressions: readonly Expression[], yaml: YamlFile, job: Job | undefined, workflow: Workflow | undefined): TextEdit[] {
  const run = step.run;
  if (!run) throw new FixUnavailableError('not a `run:` step');
  if (!isPosixShell(run.shell)) throw new FixUnavailableError(`the script runs in \`${run.shell}\`, not a POSIX shell; move the expression to \`env:\` by hand`);
  const editor = new YamlEditor(yaml);
  const stepMap = editor.mapAt(step.route);
  const runPair = editor.pair(stepMap, 'run');
  if (!runPair || !isScalar(runPair.value)) throw new FixUnavailableError('the script is not written in the step itself');
  const script = scriptMap(yaml, runPair.value);
  const blanked = blankExpressions(script.text);

  const taken = new Set<string>([...(workflow?.env ?? []), ...(job?.env ?? []), ...step.env].map((entry) => entry.name));
  // Names the script reads or assigns itself.
  for (const match of script.text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)|\b([A-Za-z_][A-Za-z0-9_]*)=/g)) taken.add((match[1] ?? match[2])!);
  const existing = new Map(step.env.map((entry) => [entry.value.trim(), entry.name]));
  const added: YamlEntry[] = [];
  const chosen = new Map<string, string>();
  const edits: TextEdit[] = [];
  for (const expression of expressions) {
    const source = yaml.text.slice(expression.span.offset, expression.span.endOffset);
    const at = script.fromFile(expression.span.offset);
    if (at === null || script.text.slice(at, at + source.length) !== source) throw new FixUnavailableError('the script is written in a form cordon cannot edit in place (a folded or escaped string); move the expression by hand');
    const context = quoteContext(blanked, at);
    if (context === 'quoted-heredoc') throw new FixUnavailableError(`\`${source}\` is in a quoted here-document, where a variable would not expand; move it by hand`);
    const name = chosen.get(expression.text) ?? variableFor(expression, source, existing, taken, added);
    chosen.set(expression.text, name);
    let replacement = context === 'plain' ? `"\${${name}}"` : context === 'single' ? `'"\${${name}}"'` : `\${${name}}`;
    let start = expression.span.offset;
    let end = expression.span.endOffset;
    // `'${{ x }}'` reads better as `"${X}"` than as `''"${X}"''`.
    if (context === 'single' && script.text[at - 1] === "'" && script.text[at + source.length] === "'" && yaml.text[start - 1] === "'" && yaml.text[end] === "'") {
      replacement = `"\${${name}}"`;
      start--;
      end++;
    }
    if (script.style === 'QUOTE_SINGLE') replacement = replacement.replace(/'/g, "''");
    else if (script.style === 'QUOTE_DOUBLE') replacement = replacement.replace(/"/g, '\\"');
    else if (script.style === 'PLAIN' && at === 0 && /^["']/.test(replacement)) throw new FixUnavailableError('the script starts with the expression; quote the `run:` value and move the expression by hand');
    edits.push({ offset: start, endOffset: end, text: replacement });
  }
  if (added.length) {
    const envPair = editor.pair(stepMap, 'env');
    if (envPair) {
      const env = editor.mapAt([...step.route, 'env']);
      edits.push(...insertAll(editor, env, added));
    } else edits.push(editor.insertEntry(stepMap, { key: 'env', value: mapping(added) }, { before: ['run'] }));
  }
  return edits;
}

/** Inserts several entries at the end of a mapping, as one edit. */
function insertAll(editor: YamlEditor, map: import('yaml').YAMLMap<unknown, unknown>, entries: YamlEntry[]): TextEdit[] {
  const each = entries.map((entry) => editor.insertEntry(map, entry));
  return [{ ...each[0]!, text: each.map((edit) => edit.text).join('') }];
}

/** The variable that carries an expression: the runner's own, one already in the step's env, or a new one. */
function variableFor(expression: Expression, source: string, existing: Map<string, string>, taken: Set<string>, added: YamlEntry[]): string {
  const text = expression.text.trim();
  const runner = RUNNER_VARIABLES[text];
  if (runner) return runner;
  const envRef = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (envRef) return envRef[1]!;
  const reuse = existing.get(source);
  if (reuse && /^[A-Za-z_][A-Za-z0-9_]*$/.test(reuse)) return reuse;
  const path = expression.valueContexts[0]?.path ?? expression.contexts[0]?.path ?? 'value';
  let base = path
    .replace(/^github\.event\./, '')
    .replace(/^github\./, '')
    .replace(/\*/g, 'all')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (!base || /^\d/.test(base)) base = `V_${base}`;
  if (/^(GITHUB|RUNNER|ACTIONS)_/.test(base)) base = `EVENT_${base}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  added.push({ key: name, value: scalar(source) });
  return name;
}

/** Replaces each `${{ … }}` with as many `x`s, so that its quotes and braces do not look like shell. */
function blankExpressions(text: string): string {
  let result = text;
  for (const range of expressionRanges(text)) result = result.slice(0, range.start) + 'x'.repeat(range.end - range.start) + result.slice(range.end);
  return result;
}

interface ScriptMap {
  text: string;
  style: string;
  /** The script offset of a file offset, or null when the two do not line up. */
  fromFile(offset: number): number | null;
}

/**
 * How a `run:` scalar's value lines up with the file: a `|` block line by line (indentation
 * removed), a one-line plain or quoted scalar character by character. Folded scalars and
 * multi-line flow scalars are refused.
 */
function scriptMap(yaml: YamlFile, node: Scalar<unknown>): ScriptMap {
  const text = String(node.value ?? '');
  const range = node.range!;
  const source = yaml.text;
  if (node.type === 'BLOCK_LITERAL') {
    const headerLine = yaml.position(range[0]).line;
    const lines = text.split('\n');
    let indent = -1;
    for (let k = 0; k < lines.length; k++) {
      if (!lines[k]) continue;
      const fileLine = yaml.lineText(headerLine + 1 + k);
      if (!fileLine.endsWith(lines[k]!)) break;
      indent = fileLine.length - lines[k]!.length;
      break;
    }
    if (indent < 0) throw new FixUnavailableError('the `run:` block does not line up with the file');
    const starts: number[] = [];
    let offset = 0;
    for (let k = 0; k < lines.length; k++) {
      starts.push(offset);
      const line = lines[k]!;
      if (line && yaml.lineText(headerLine + 1 + k).slice(indent) !== line) throw new FixUnavailableError('the `run:` block does not line up with the file');
      offset += line.length + 1;
    }
    return {
      text,
      style: 'BLOCK_LITERAL',
      fromFile(fileOffset) {
        const { line, column } = yaml.position(fileOffset);
        const k = line - headerLine - 1;
        if (k < 0 || k >= lines.length || column - 1 < indent) return null;
        return starts[k]! + column - 1 - indent;
      },
    };
  }
  if (node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') {
    const quote = node.type === 'PLAIN' ? 0 : 1;
    const body = source.slice(range[0] + quote, range[1] - quote);
    if (body !== text || text.includes('\n')) throw new FixUnavailableError('the `run:` value is a multi-line or escaped string cordon cannot edit in place');
    return { text, style: node.type, fromFile: (fileOffset) => (fileOffset >= range[0] + quote && fileOffset <= range[1] - quote ? fileOffset - range[0] - quote : null) };
  }
  throw new FixUnavailableError('the `run:` value is a folded block (`>`), whose lines do not map to the script; move the expression by hand');
}

/**
 * Where `offset` stands in a POSIX shell script: in plain words, inside double or single quotes,
 * in a here-document body (quoted delimiter or not), or in a comment. Command substitutions and
 * backticks nest; `${{ }}` must be blanked out first.
 */
export function quoteContext(script: string, offset: number): QuoteContext {
  type Frame = 'plain' | 'double' | 'single' | 'subshell' | 'backtick' | 'paren';
  const stack: Frame[] = ['plain'];
  const pending: Array<{ delimiter: string; quoted: boolean; strip: boolean }> = [];
  let i = 0;
  const wordStart = (at: number) => at === 0 || /[\s;&|()<>]/.test(script[at - 1]!);
  while (i < offset) {
    const top = stack[stack.length - 1]!;
    const c = script[i]!;
    if (top === 'single') {
      if (c === "'") stack.pop();
      i++;
      continue;
    }
    if (top === 'double') {
      if (c === '\\') i += 2;
      else if (c === '"') {
        stack.pop();
        i++;
      } else if (script.startsWith('$(', i)) {
        stack.push('subshell');
        i += 2;
      } else if (c === '`') {
        stack.push('backtick');
        i++;
      } else i++;
      continue;
    }
    // Plain words, command substitutions, backticks.
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === "'") stack.push('single');
    else if (c === '"') stack.push('double');
    else if (c === '`') {
      if (top === 'backtick') stack.pop();
      else stack.push('backtick');
    } else if (script.startsWith('$(', i)) {
      stack.push('subshell');
      i += 2;
      continue;
    } else if (c === '(') stack.push('paren');
    else if (c === ')') {
      if (top === 'subshell' || top === 'paren') stack.pop();
    } else if (c === '#' && wordStart(i)) {
      const end = script.indexOf('\n', i);
      if (end === -1 || end >= offset) return 'comment';
      i = end;
      continue;
    } else if (script.startsWith('<<<', i)) {
      i += 3;
      continue;
    } else if (script.startsWith('<<', i)) {
      const match = /^<<(-?)[ \t]*(\\?)(['"]?)([A-Za-z_][A-Za-z0-9_.-]*)\3/.exec(script.slice(i));
      if (match) {
        pending.push({ delimiter: match[4]!, quoted: match[2] === '\\' || match[3] !== '', strip: match[1] === '-' });
        i += match[0].length;
        continue;
      }
    } else if (c === '\n' && pending.length) {
      // Here-document bodies start on the next line, one after the other.
      let at = i + 1;
      for (const heredoc of pending.splice(0)) {
        while (at <= script.length) {
          const end = script.indexOf('\n', at);
          const lineEnd = end === -1 ? script.length : end;
          const line = script.slice(at, lineEnd);
          if ((heredoc.strip ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) {
            at = lineEnd;
            break;
          }
          if (offset >= at && offset <= lineEnd) return heredoc.quoted ? 'quoted-heredoc' : 'heredoc';
          if (end === -1) return heredoc.quoted ? 'quoted-heredoc' : 'heredoc';
          at = end + 1;
        }
      }
      i = at;
      continue;
    }
    i++;
  }
  const top = stack[stack.length - 1]!;
  return top === 'single' ? 'single' : top === 'double' ? 'double' : 'plain';
}
