import type { ShellCommand, ShellScript } from '../models/shell/types.ts';
import type { Span } from '../models/yaml/document.ts';
import { hostOf } from './network.ts';

/** A script downloaded and run in one go, never stored or checked. */
export interface RemoteExecution {
  /** The command that runs the download (`sh`, `bash`, `eval`, `python`). */
  command: ShellCommand;
  /** The download (`curl …`), when it is a command of its own. */
  fetch?: ShellCommand;
  fetcher: string;
  interpreter: string;
  form: 'pipe' | 'process-substitution' | 'command-substitution';
  /** The URL fetched, when written literally. */
  url?: string;
  host?: string;
  span: Span;
}

const FETCHERS = /^(curl|wget|http|https|xh|fetch)$/;
const INTERPRETERS = /^(sh|bash|zsh|dash|ksh|ash|fish|python[0-9.]*|perl|ruby|node|php|pwsh|powershell|iex)$/;
/** Prefixes that run the next word as the program. */
const PREFIXES = /^(sudo|env|doas|nice|nohup|time|command|exec)$/;
/** `source <(curl …)`, `. <(curl …)`. */
const SOURCERS = /^(source|\.)$/;
const FETCH_IN_SUBSTITUTION = /(\$\(|`|<\()\s*(?:\w+=\S+\s+)*(curl|wget|http|https|xh)\b[^)`]*/;

/**
 * `curl … | sh`, `wget -qO- … | sudo bash -s --`, `bash <(curl …)`, `source <(curl …)`,
 * `eval "$(curl …)"`, `sh -c "$(wget -O- …)"`, `python3 -c "$(curl …)"`. The download is run
 * as it arrives: whoever controls the URL (or its host, DNS or CDN) decides what runs, and
 * nothing records which version ran.
 */
export function remoteExecutions(script: ShellScript): RemoteExecution[] {
  const found: RemoteExecution[] = [];
  for (const command of script.commands) {
    const interpreter = interpreterOf(command);
    if (!interpreter) continue;
    // A pipe: the interpreter reads what an earlier member of the pipeline downloaded.
    if (command.pipelineIndex > 0 && !interpreter.hasOperand) {
      const fetch = command.pipeline.slice(0, command.pipelineIndex).find((member) => FETCHERS.test(member.program) && writesToStdout(member));
      if (fetch) {
        const url = urlOf(fetch);
        found.push({ command, fetch, fetcher: fetch.program, interpreter: interpreter.name, form: 'pipe', url, host: url ? (hostOf(url) ?? undefined) : undefined, span: cover(fetch.span, command.span) });
        continue;
      }
    }
    // `bash <(curl …)`, `eval "$(curl …)"`, `sh -c "$(curl …)"`.
    for (const arg of interpreter.args) {
      const match = FETCH_IN_SUBSTITUTION.exec(arg.raw);
      if (!match) continue;
      const url = /https?:\/\/[^\s'"`)]+/.exec(match[0])?.[0];
      found.push({
        command,
        fetcher: match[2]!,
        interpreter: interpreter.name,
        form: match[1] === '<(' ? 'process-substitution' : 'command-substitution',
        url,
        host: url ? (hostOf(url) ?? undefined) : undefined,
        span: command.span,
      });
      break;
    }
  }
  return found;
}

interface Interpreter {
  name: string;
  /** Words after the interpreter (and its prefixes). */
  args: ShellCommand['args'];
  /** It runs a script file named on the command line, not its input. */
  hasOperand: boolean;
}

function interpreterOf(command: ShellCommand): Interpreter | null {
  let name = command.program;
  let args = command.args;
  // `sudo -E bash -s`, `env FOO=1 sh`: look through the prefix.
  for (let guard = 0; guard < 3 && PREFIXES.test(name); guard++) {
    const index = args.findIndex((arg) => !arg.text.startsWith('-') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg.text));
    if (index === -1) return null;
    name = (args[index]!.text.split('/').pop() ?? '').toLowerCase();
    args = args.slice(index + 1);
  }
  if (name === 'eval' || SOURCERS.test(name)) return { name, args, hasOperand: true };
  if (!INTERPRETERS.test(name)) return null;
  // `bash -s -- --flag` reads stdin; `bash script.sh` or `python -m x` runs something else.
  let hasOperand = false;
  for (let i = 0; i < args.length; i++) {
    const text = args[i]!.text;
    if (text === '-s' || text === '-' || text === '--') break;
    if (/^-[a-zA-Z]*c$/.test(text) || text === '-m' || text === '-e') {
      hasOperand = true;
      break;
    }
    if (!text.startsWith('-')) {
      hasOperand = true;
      break;
    }
  }
  return { name, args, hasOperand };
}

/** curl prints to stdout unless told to write a file; wget only with `-O -`/`-qO-`. */
function writesToStdout(command: ShellCommand): boolean {
  const args = command.args.map((arg) => arg.text);
  if (command.program === 'wget') {
    return args.some((arg, index) => /^-[a-zA-Z]*O-$/.test(arg) || arg === '--output-document=-' || (/^(-[a-zA-Z]*O|--output-document)$/.test(arg) && args[index + 1] === '-'));
  }
  if (command.program === 'curl') return !args.some((arg) => /^(-[a-zA-Z]*[oO]|--output|--remote-name(-all)?)$/.test(arg) || arg.startsWith('--output='));
  return true;
}

function urlOf(command: ShellCommand): string | undefined {
  return command.args.map((arg) => arg.text).find((text) => /^https?:\/\//i.test(text));
}

function cover(from: Span, to: Span): Span {
  const path = (from as { path?: string }).path;
  if (path !== (to as { path?: string }).path || to.endOffset < from.offset) return from;
  return { ...from, end: to.end, endOffset: to.endOffset };
}
