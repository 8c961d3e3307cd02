import { secretName } from '../models/github/expressions.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { ShellCommand, ShellScript, ShellWord } from '../models/shell/types.ts';
import { RUNNER_CREDENTIAL_VARIABLES, dataContexts, stepEnvironment, type EnvBinding } from './credentials.ts';

/** What a word of a script carries that is worth protecting. */
export interface WordCredentials {
  /** Secret names (`*` for all secrets), directly or through env variables. */
  secrets: string[];
  /** Runner credentials (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`…) the word expands. */
  runnerCredentials: string[];
  /** Variables of the script that hold a credential fetched at run time (an OIDC token...). */
  fetchedTokens: string[];
}

/**
 * What a script can read, independent of the CI platform: GitHub `env:` bindings (whose `${{ }}`
 * expressions name secrets), variables the script fills with fetched tokens, and, for platforms
 * whose credentials are plain environment variables (GitLab CI/CD variables, ID tokens), a lookup
 * that says what a variable holds.
 */
export interface ScriptEnvironment {
  env: Map<string, EnvBinding>;
  /** Script variables assigned from an OIDC request or a token exchange before use. */
  fetchedTokenVariables: Set<string>;
  /** Credentials an environment variable holds beyond what `env` says; GitHub scopes leave it unset. */
  variableCredentials?: (name: string) => WordCredentials | null;
}

const OIDC_FETCH = /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|\/_\/oidc\/mint-token|getIDToken/;

export function scriptEnvironment(step: Step, job: Job | undefined, workflow: Workflow | undefined): ScriptEnvironment {
  const env = stepEnvironment(step, job, workflow);
  const script = step.run?.parsed();
  return { env, fetchedTokenVariables: script ? fetchedTokenVariablesOf(script, OIDC_FETCH) : new Set() };
}

/**
 * Script variables that hold a token fetched at run time: assigned from a command matching
 * `fetch`, or from a variable already known to hold one (`initial`, or an earlier assignment).
 */
export function fetchedTokenVariablesOf(script: ShellScript, fetch: RegExp, initial: Iterable<string> = []): Set<string> {
  const holders = new Set<string>(initial);
  const fetchedTokenVariables = new Set<string>();
  // Two passes: `TOKEN=$(curl …)` then `PYPI=$(… $TOKEN …)` both hold tokens.
  for (let pass = 0; pass < 2; pass++) {
    for (const assignment of script.assignments) {
      const referencesToken = [...assignment.value.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].some(
        (match) => fetchedTokenVariables.has(match[1]!) || holders.has(match[1]!),
      );
      if (fetch.test(assignment.value) || referencesToken) fetchedTokenVariables.add(assignment.name);
    }
  }
  return fetchedTokenVariables;
}

export function wordCredentials(word: ShellWord, scope: ScriptEnvironment): WordCredentials {
  const secrets = new Set<string>();
  for (const expression of word.expressions) {
    for (const ref of dataContexts(expression)) {
      const name = secretName(ref);
      if (name !== null) secrets.add(name);
    }
  }
  const runnerCredentials: string[] = [];
  const fetchedTokens: string[] = [];
  for (const variable of word.variables) {
    if (RUNNER_CREDENTIAL_VARIABLES.has(variable)) runnerCredentials.push(variable);
    if (scope.fetchedTokenVariables.has(variable)) fetchedTokens.push(variable);
    const binding = scope.env.get(variable);
    for (const expression of binding?.entry.expressions ?? []) {
      for (const ref of dataContexts(expression)) {
        const name = secretName(ref);
        if (name !== null) secrets.add(name);
      }
    }
    const held = scope.variableCredentials?.(variable);
    if (held) {
      for (const name of held.secrets) secrets.add(name);
      runnerCredentials.push(...held.runnerCredentials);
      fetchedTokens.push(...held.fetchedTokens);
    }
  }
  return { secrets: [...secrets], runnerCredentials, fetchedTokens };
}

export function commandCredentials(command: ShellCommand, scope: ScriptEnvironment, words: readonly ShellWord[] = command.args): WordCredentials {
  const merged: WordCredentials = { secrets: [], runnerCredentials: [], fetchedTokens: [] };
  for (const word of words) {
    const found = wordCredentials(word, scope);
    merged.secrets.push(...found.secrets);
    merged.runnerCredentials.push(...found.runnerCredentials);
    merged.fetchedTokens.push(...found.fetchedTokens);
  }
  return {
    secrets: [...new Set(merged.secrets)],
    runnerCredentials: [...new Set(merged.runnerCredentials)],
    fetchedTokens: [...new Set(merged.fetchedTokens)],
  };
}

export function isEmpty(credentials: WordCredentials): boolean {
  return !credentials.secrets.length && !credentials.runnerCredentials.length && !credentials.fetchedTokens.length;
}

/** Commands that change bytes so that GitHub's log masking no longer recognises a secret. */
export const MASK_DEFEATING = /^(base64|base32|basenc|xxd|od|hexdump|rev|gzip|bzip2|xz|zstd|openssl|tr|sed|awk|iconv|uuencode)$/;

/** Filters that copy what they read to their output; a value piped through them still reaches the log. */
const PASS_THROUGH = /^(cat|tee|jq|yq|head|tail|sort|uniq|cut|grep|egrep|fgrep|fold|paste|column|nl|strings|envsubst)$/;

/**
 * Does a pipeline member print what it reads (possibly transformed)? Consumers such as
 * `docker login --password-stdin` or `gpg --import` read the value and print something else.
 */
export function passesInputThrough(command: ShellCommand): boolean {
  if (MASK_DEFEATING.test(command.program)) return true;
  if (!PASS_THROUGH.test(command.program)) return false;
  // `grep -q`, `-c` and `-l` print a status, a count or file names, not the matched text.
  if (/grep$/.test(command.program)) return !command.args.some((arg) => /^-[a-zA-Z]*[qcl][a-zA-Z]*$|^--(quiet|silent|count|files-with-matches)$/.test(arg.text));
  return true;
}

/** Names a human reads: `secrets.PYPI_TOKEN`, `every secret`, `$ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
export function describeCredentials(credentials: WordCredentials): string {
  const parts: string[] = [];
  if (credentials.secrets.includes('*')) parts.push('every secret (`toJSON(secrets)`)');
  const named = credentials.secrets.filter((name) => name !== '*');
  if (named.length) parts.push(named.slice(0, 4).map((name) => `secrets.${name}`).join(', ') + (named.length > 4 ? ` and ${named.length - 4} more` : ''));
  if (credentials.runnerCredentials.length) parts.push(credentials.runnerCredentials.map((name) => `$${name}`).join(', '));
  if (credentials.fetchedTokens.length) parts.push(`the token fetched into ${credentials.fetchedTokens.map((name) => `$${name}`).join(', ')}`);
  return parts.join(' and ');
}
