import { secretName } from '../models/github/expressions.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { ShellCommand, ShellScript, ShellWord } from '../models/shell/types.ts';
import { dataContexts } from './credentials.ts';
import { DATA_OPTIONS, HEADER_OPTIONS, takesOtherValue } from './http-client.ts';
import { commandCredentials, isEmpty, scriptEnvironment, type ScriptEnvironment, type WordCredentials } from './script-data.ts';

/** A request a script makes that carries credentials. */
export interface Send {
  command: ShellCommand;
  host: string | null;
  payload: WordCredentials;
  /** Credentials travel only in headers (`Authorization: …`). */
  headerOnly: boolean;
}

/** Every network send of a step's script that carries a credential. */
export function networkSends(step: Step, job: Job | undefined, workflow: Workflow | undefined): Send[] {
  if (!step.run) return [];
  return scriptSends(step.run.parsed(), scriptEnvironment(step, job, workflow));
}

/** Every network send of a parsed script that carries a credential of `scope` (any platform). */
export function scriptSends(script: ShellScript, scope: ScriptEnvironment): Send[] {
  const sends: Send[] = [];
  for (const command of script.commands) {
    const send = analyseSend(command, scope);
    if (send && !isEmpty(send.payload)) sends.push(send);
  }
  return sends;
}

function analyseSend(command: ShellCommand, scope: ScriptEnvironment): Send | null {
  const program = command.program;
  const upstream = command.pipeline.slice(0, command.pipelineIndex);
  const piped = upstream.length ? commandCredentials(upstream[upstream.length - 1]!, scope) : null;
  if (program === 'curl' || program === 'wget' || program === 'http' || program === 'https' || program === 'xh') {
    const dataWords: ShellWord[] = [];
    const headerWords: ShellWord[] = [];
    const urls: ShellWord[] = [];
    for (let i = 0; i < command.args.length; i++) {
      const word = command.args[i]!;
      const [flag, inline] = splitFlag(word.text);
      if (DATA_OPTIONS.test(flag)) {
        if (inline === undefined && command.args[i + 1]) dataWords.push(command.args[++i]!);
        else dataWords.push(word);
      } else if (HEADER_OPTIONS.test(flag)) {
        if (inline === undefined && command.args[i + 1]) headerWords.push(command.args[++i]!);
        else headerWords.push(word);
      } else if (inline === undefined && takesOtherValue(program, flag)) {
        i++; // `-o out.json`, `-X POST`: neither sent nor the address
      } else if (flag === '--url' && command.args[i + 1]) {
        urls.push(command.args[++i]!);
      } else if (/^(https?|ftp):\/\//i.test(word.text) || (!word.text.startsWith('-') && /^[\w.-]+\.[a-z]{2,}(\/|$)/i.test(word.text))) {
        urls.push(word);
      } else if (!word.text.startsWith('-') && (program === 'http' || program === 'https' || program === 'xh') && /[=:]/.test(word.text)) {
        dataWords.push(word);
      }
    }
    const url = urls[0];
    const host = url ? hostOf(url.text) : null;
    const data = merge(commandCredentials(command, scope, dataWords), piped && dataWords.some((word) => /^@-$|^-$/.test(word.text)) ? piped : null);
    // A secret in the URL is sent too, unless it is the whole URL (a webhook address kept in a secret).
    const urlCredentials = url && host ? commandCredentials(command, scope, [url]) : null;
    const payload = merge(data, urlCredentials);
    if (!isEmpty(payload)) return { command, host, payload, headerOnly: false };
    const headers = commandCredentials(command, scope, headerWords);
    if (!isEmpty(headers)) return { command, host, payload: headers, headerOnly: true };
    return null;
  }
  if (/^(nc|ncat|netcat|socat|telnet)$/.test(program)) {
    const host = command.args.map((word) => word.text).find((text) => !text.startsWith('-') && /[a-z0-9]\.[a-z0-9]|^\d+\.\d+\.\d+\.\d+$/i.test(text));
    if (!piped) return null;
    return { command, host: host ? host.replace(/^.*?:/, '').replace(/:.*$/, '') : null, payload: piped, headerOnly: false };
  }
  if (/^(python[0-9.]*|node|ruby|perl|php)$/.test(program)) {
    const code = command.args.find((word, index) => index > 0 && /^-(c|e)$/.test(command.args[index - 1]!.text));
    if (!code || !/https?:\/\//.test(code.raw) || !/(urlopen|requests\.|fetch\(|http\.request|Net::HTTP|LWP|curl_exec|urllib)/.test(code.raw)) return null;
    const url = /https?:\/\/[^\s'"`)]+/.exec(code.raw)?.[0];
    const payload = commandCredentials(command, scope, [code]);
    const viaEnv = environmentSecrets(scope, environmentReads(code.raw));
    return { command, host: url ? hostOf(url) : null, payload: merge(payload, viaEnv), headerOnly: false };
  }
  return null;
}

const NAMED_ENV_READ = /os\.environ\[\s*['"](\w+)['"]\s*\]|os\.environ\.get\(\s*['"](\w+)['"]|os\.getenv\(\s*['"](\w+)['"]|process\.env\.(\w+)|process\.env\[\s*['"](\w+)['"]\s*\]|ENV\[\s*['"](\w+)['"]\s*\]|\$ENV\{\s*['"]?(\w+)['"]?\s*\}/g;
const ANY_ENV_READ = /os\.environ|os\.getenv|process\.env|ENV\[|\$ENV/;

/**
 * Environment variables an inline program reads: the names it reads one by one, or `null` when it
 * reads the environment as a whole (`dict(os.environ)`, `JSON.stringify(process.env)`), which
 * sends everything. Empty when it reads none.
 */
function environmentReads(code: string): Set<string> | null {
  const names = new Set<string>();
  for (const match of code.matchAll(NAMED_ENV_READ)) names.add(match.slice(1).find((group) => group !== undefined)!);
  return ANY_ENV_READ.test(code.replace(NAMED_ENV_READ, '')) ? null : names;
}

function environmentSecrets(scope: ScriptEnvironment, names: Set<string> | null): WordCredentials {
  const secrets = new Set<string>();
  for (const [name, binding] of scope.env) {
    if (names && !names.has(name)) continue;
    for (const expression of binding.entry.expressions) {
      for (const ref of dataContexts(expression)) {
        const name = secretName(ref);
        if (name !== null) secrets.add(name);
      }
    }
  }
  if (!scope.variableCredentials) return { secrets: [...secrets], runnerCredentials: [], fetchedTokens: [] };
  // Platforms whose credentials are plain variables: a named read is looked up, the whole
  // environment is every variable (`*`).
  const runnerCredentials = new Set<string>();
  const fetchedTokens = new Set<string>();
  if (!names) secrets.add('*');
  for (const name of names ?? []) {
    const held = scope.variableCredentials(name);
    for (const secret of held?.secrets ?? []) secrets.add(secret);
    for (const credential of held?.runnerCredentials ?? []) runnerCredentials.add(credential);
    for (const token of held?.fetchedTokens ?? []) fetchedTokens.add(token);
  }
  return { secrets: [...secrets], runnerCredentials: [...runnerCredentials], fetchedTokens: [...fetchedTokens] };
}

function merge(a: WordCredentials, b: WordCredentials | null): WordCredentials {
  if (!b) return a;
  return {
    secrets: [...new Set([...a.secrets, ...b.secrets])],
    runnerCredentials: [...new Set([...a.runnerCredentials, ...b.runnerCredentials])],
    fetchedTokens: [...new Set([...a.fetchedTokens, ...b.fetchedTokens])],
  };
}

function splitFlag(text: string): [string, string | undefined] {
  if (text.startsWith('--')) {
    const equals = text.indexOf('=');
    return equals === -1 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
  }
  // `-dDATA` short flags with the value attached.
  if (/^-[dFTHu]./.test(text)) return [text.slice(0, 2), text.slice(2)];
  return [text, undefined];
}

/** Host of a URL written literally; null when it comes from a variable or an expression. */
export function hostOf(url: string): string | null {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/?#\s]+)/i.exec(url.trim());
  const host = match?.[1]?.toLowerCase();
  if (!host || host.includes('$') || host.includes('_____') || host.includes('{')) return null;
  return host;
}

