/**
 * Edits inside `run:` scripts and `shell:` values: removing the trace flag from `set -ex`, a whole
 * `set -x` line, a `--verbose` word. Shell words carry file spans (mapped from the script); each
 * edit checks that the file holds exactly the word there, and refuses otherwise (folded or escaped
 * scalars whose text does not line up with the file).
 */
import type { Located } from '../models/github/types.ts';
import type { ShellCommand, ShellWord } from '../models/shell/types.ts';
import type { YamlFile } from '../models/yaml/document.ts';
import { FixUnavailableError, type TextEdit } from './types.ts';

/** A `-x`-style option with the `x` flag removed (`-ex` → `-e`), or null to drop it (`-x`). */
function withoutTrace(option: string): string | null {
  const flags = option.slice(1).replace(/x/g, '');
  return flags ? `${option[0]}${flags}` : null;
}

function checkWord(yaml: YamlFile, word: Pick<ShellWord, 'raw' | 'span'>): void {
  if (yaml.text.slice(word.span.offset, word.span.endOffset) !== word.raw) {
    throw new FixUnavailableError(`\`${word.raw}\` is written in a form cordon cannot edit in place (a folded or escaped string); edit it by hand`);
  }
}

/** Removes a word with the blanks before it. */
export function removeWord(yaml: YamlFile, word: Pick<ShellWord, 'raw' | 'span'>): TextEdit {
  checkWord(yaml, word);
  let start = word.span.offset;
  while (start > 0 && /[ \t]/.test(yaml.text[start - 1]!)) start--;
  return { offset: start, endOffset: word.span.endOffset, text: '' };
}

/**
 * Removes a whole command: its line when it stands alone there, or the command and the `;`/`&&`
 * after it (`set -x; make` → `make`).
 */
export function removeCommand(yaml: YamlFile, command: ShellCommand, what: string): TextEdit {
  const text = yaml.text;
  const { offset, endOffset } = command.span;
  if (text.slice(offset, endOffset) !== command.text) throw new FixUnavailableError(`\`${what}\` is written in a form cordon cannot edit in place; remove it by hand`);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', endOffset);
  const lineEnd = newline === -1 ? text.length : newline;
  const before = text.slice(lineStart, offset);
  const after = text.slice(endOffset, lineEnd);
  // Alone on its line (a trailing comment goes with it). The script keeps its other lines.
  if (/^\s*$/.test(before) && /^\s*(#.*)?$/.test(after)) return { offset: lineStart, endOffset: newline === -1 ? lineEnd : newline + 1, text: '' };
  const separator = /^\s*(;|&&)\s*/.exec(after);
  const rest = separator ? after.slice(separator[0].length).trim() : '';
  if (separator && rest && !rest.startsWith('#')) return { offset, endOffset: endOffset + separator[0].length, text: '' };
  if (/:\s*$/.test(before)) throw new FixUnavailableError(`\`${what}\` is the whole script; remove the step or the command by hand`);
  throw new FixUnavailableError(`\`${what}\` shares its line with other commands; remove it by hand`);
}

/**
 * Turns tracing off in `set`/`bash`/`sh` options: `set -euxo pipefail` → `set -euo pipefail`,
 * `bash -x script.sh` → `bash script.sh`, `set -o xtrace` and a bare `set -x` go away.
 */
export function removeTraceOption(yaml: YamlFile, command: ShellCommand, what: string): TextEdit[] {
  const args = command.args;
  const edits: TextEdit[] = [];
  let remaining = args.length;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const text = arg.text;
    if (text === '--' || text === '-' || !/^[-+]/.test(text)) break;
    if (/^-[a-zA-Z]*x[a-zA-Z]*$/.test(text)) {
      checkWord(yaml, arg);
      const kept = withoutTrace(text);
      if (kept) edits.push({ offset: arg.span.offset, endOffset: arg.span.endOffset, text: kept });
      else {
        edits.push(removeWord(yaml, arg));
        remaining--;
      }
      break;
    }
    if (/^[-+][a-zA-Z]*o$/.test(text)) {
      const name = args[i + 1];
      if (text.startsWith('-') && name?.text === 'xtrace') {
        checkWord(yaml, arg);
        if (text === '-o') {
          edits.push(removeWord(yaml, arg));
          remaining--;
        } else edits.push({ offset: arg.span.offset, endOffset: arg.span.endOffset, text: text.slice(0, -1) });
        edits.push(removeWord(yaml, name));
        remaining--;
        break;
      }
      i++;
    } else if (/^[-+]O$/.test(text)) i++;
  }
  if (!edits.length) throw new FixUnavailableError(`cannot find the trace option of \`${what}\``);
  // `set` with nothing left does nothing: the whole command goes.
  if (command.program === 'set' && remaining === 0) return [removeCommand(yaml, command, what)];
  return edits;
}

/** `bash -ex {0}` → `bash -e {0}` in a `shell:` value, editing the scalar's source in place. */
export function removeShellTrace(yaml: YamlFile, shell: Located<string>): TextEdit[] {
  const source = yaml.text.slice(shell.span.offset, shell.span.endOffset);
  const quote = /^["']/.test(source) ? 1 : 0;
  const body = source.slice(quote, source.length - quote);
  if (body !== shell.value) throw new FixUnavailableError('the `shell:` value is written in a form cordon cannot edit in place; edit it by hand');
  const tokens = [...body.matchAll(/\S+/g)];
  const edits: TextEdit[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]![0];
    const at = shell.span.offset + quote + tokens[i]!.index!;
    if (token === '--' || !/^[-+]/.test(token)) break;
    if (/^-[a-zA-Z]*x[a-zA-Z]*$/.test(token)) {
      const kept = withoutTrace(token);
      if (kept) edits.push({ offset: at, endOffset: at + token.length, text: kept });
      else edits.push({ offset: at - 1, endOffset: at + token.length, text: '' });
      break;
    }
    if (/^-[a-zA-Z]*o$/.test(token) && tokens[i + 1]?.[0] === 'xtrace') {
      const nameAt = shell.span.offset + quote + tokens[i + 1]!.index!;
      if (token === '-o') edits.push({ offset: at - 1, endOffset: nameAt + 'xtrace'.length, text: '' });
      else edits.push({ offset: at + token.length - 1, endOffset: nameAt + 'xtrace'.length, text: '' });
      break;
    }
  }
  if (!edits.length) throw new FixUnavailableError('cannot find the trace option in the `shell:` value');
  return edits;
}
