import type { GitLabJob, GitLabPipeline, GitLabScript, GitLabVariable, IdToken } from '../models/gitlab/types.ts';
import { variableReferences } from '../models/gitlab/build.ts';
import type { ShellCommand, ShellScript } from '../models/shell/types.ts';
import type { Span } from '../models/yaml/document.ts';
import type { SecretUse } from './credentials.ts';
import { scriptPublishSites, type Ecosystem, type PublishScope, type ScriptPublishSite } from './publish.ts';
import { fetchedTokenVariablesOf, type ScriptEnvironment, type WordCredentials } from './script-data.ts';

/**
 * What a GitLab job holds and does, for the rules. GitLab has no `secrets.` context: credentials
 * are environment variables. Most come from CI/CD settings and are invisible in the file, so a
 * variable counts as a credential when the file does not set it and its name says so
 * (`PYPI_TOKEN`, `DEPLOY_PASSWORD`), or when it is one of GitLab's own credentials
 * (`CI_JOB_TOKEN`…), an `id_tokens:` JWT or a `secrets:` value.
 */

/** Names of variables that hold credentials, by convention. */
export const CREDENTIAL_NAME = /TOKEN|PASSWORD|PASSWD|SECRET|_KEY(?:_|$)|^KEY(?:_|$)|(?:^|_)PAT(?:_|$)|CREDENTIAL/i;

/** Names that describe a credential without holding it: where it lives, who uses it, how long it lasts. */
const NOT_A_CREDENTIAL = /_(URL|URI|PATH|FILE|DIR|NAME|USER|USERNAME|ID|TYPE|HOST|PORT|HINT|ENDPOINT|EXPIRY|TTL|LENGTH|HEADER|SCOPE|SCOPES)$/i;

/** GitLab's predefined variables that are credentials. */
export const PREDEFINED_CREDENTIALS = new Set([
  'CI_JOB_TOKEN',
  'CI_REGISTRY_PASSWORD',
  'CI_DEPLOY_PASSWORD',
  'CI_DEPENDENCY_PROXY_PASSWORD',
  'CI_JOB_JWT',
  'CI_JOB_JWT_V1',
  'CI_JOB_JWT_V2',
]);

/** Commands whose output is an OIDC token or the PyPI token it is exchanged for. */
const TOKEN_FETCH = /\/_\/oidc\/mint-token|\bpython[0-9.]*\s+-m\s+id\b|(^|[\s(])id\s+(pypi|testpypi)\b/i;

export type CredentialKind = 'ci-variable' | 'predefined' | 'id-token' | 'external-secret' | 'literal';

export interface HeldCredential {
  kind: CredentialKind;
  /** The variable the credential is read from (after following `$VAR` references). */
  name: string;
}

/** Variables the job's scripts receive from the file: global (as inherited) then the job's own. */
export function jobVariables(job: GitLabJob): Map<string, GitLabVariable> {
  const variables = new Map<string, GitLabVariable>();
  for (const variable of job.inheritedVariables) variables.set(variable.name, variable);
  for (const variable of job.variables) variables.set(variable.name, variable);
  return variables;
}

/** A value that is itself a publishing or GitLab token, written into the file. */
export function looksLikeToken(text: string): boolean {
  return TOKEN_LITERAL.test(text.trim().replace(/^(['"])(.*)\1$/s, '$2'));
}

const TOKEN_LITERAL = /^(pypi-[A-Za-z0-9_-]{50,}|npm_[A-Za-z0-9]{36}|glpat-[\w-]{20,}|gldt-[\w-]{20,}|ghp_[A-Za-z0-9]{36})$/;

/**
 * The credentials a variable holds in a job. `assigned` are the script's own shell variables
 * (`TOKEN=$(…)`), which are not CI/CD variables whatever their name.
 */
export function credentialsOf(name: string, job: GitLabJob, assigned: Map<string, string> = new Map(), seen = new Set<string>()): HeldCredential[] {
  if (seen.has(name)) return [];
  seen.add(name);
  if (job.idTokens.some((token) => token.name === name)) return [{ kind: 'id-token', name }];
  if (job.secrets.some((secret) => secret.name === name)) return [{ kind: 'external-secret', name }];
  if (PREDEFINED_CREDENTIALS.has(name)) return [{ kind: 'predefined', name }];
  const script = assigned.get(name);
  if (script !== undefined) return variableReferences(script).flatMap((reference) => credentialsOf(reference, job, assigned, seen));
  const variable = jobVariables(job).get(name);
  if (variable) {
    if (variable.references.length) return variable.references.flatMap((reference) => credentialsOf(reference, job, assigned, seen));
    return TOKEN_LITERAL.test(variable.value.trim()) ? [{ kind: 'literal', name }] : [];
  }
  if (/^(CI|GITLAB|FF|RUNNER)_/.test(name) || NOT_A_CREDENTIAL.test(name)) return [];
  return CREDENTIAL_NAME.test(name) ? [{ kind: 'ci-variable', name }] : [];
}

/** The shared analyses' view: stored credentials as `secrets`, GitLab's own as runner credentials, JWTs as fetched tokens. */
export function asWordCredentials(held: readonly HeldCredential[]): WordCredentials {
  const result: WordCredentials = { secrets: [], runnerCredentials: [], fetchedTokens: [] };
  for (const item of held) {
    if (item.kind === 'predefined') result.runnerCredentials.push(item.name);
    else if (item.kind === 'id-token') result.fetchedTokens.push(item.name);
    else result.secrets.push(item.name);
  }
  return result;
}

/** Top-level shell assignments of a script, by name (the last one wins). */
export function scriptAssignments(script: ShellScript): Map<string, string> {
  const assigned = new Map<string, string>();
  for (const assignment of script.assignments) assigned.set(assignment.name, assignment.value);
  for (const command of script.commands) {
    // `export NAME=value`, `read NAME`: shell variables too.
    if (command.program === 'export' || command.program === 'declare' || command.program === 'local') {
      for (const arg of command.args) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg.raw);
        if (match) assigned.set(match[1]!, match[2]!);
      }
    } else if (command.program === 'read') {
      for (const arg of command.args) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.text)) assigned.set(arg.text, '');
    }
  }
  return assigned;
}

/** What a GitLab script can read, for the shared script analyses (token-in-log, secret-exfiltration). */
export function gitlabScriptEnvironment(job: GitLabJob, script: GitLabScript): ScriptEnvironment {
  const parsed = script.parsed();
  const assigned = scriptAssignments(parsed);
  const fetchedTokenVariables = fetchedTokenVariablesOf(parsed, TOKEN_FETCH, job.idTokens.map((token) => token.name));
  return {
    env: new Map(),
    fetchedTokenVariables,
    variableCredentials: (name) => {
      if (fetchedTokenVariables.has(name)) return null;
      const held = credentialsOf(name, job, assigned);
      return held.length ? asWordCredentials(held) : null;
    },
  };
}

/** Every variable a job's configuration and scripts read. */
function referencedVariables(job: GitLabJob): Set<string> {
  const names = new Set<string>();
  for (const script of [job.script, job.afterScript]) {
    const parsed = script.parsed();
    for (const command of parsed.commands) {
      for (const word of command.args) for (const name of word.variables) names.add(name);
      for (const assignment of command.assignments) for (const name of variableReferences(assignment.value)) names.add(name);
    }
    for (const assignment of parsed.assignments) for (const name of variableReferences(assignment.value)) names.add(name);
  }
  for (const variable of jobVariables(job).values()) for (const name of variable.references) names.add(name);
  return names;
}

export interface JobHoldings {
  idTokens: IdToken[];
  /** Stored credentials the job reads: CI/CD variables, `secrets:` and literal tokens, by name. */
  stored: HeldCredential[];
  /** GitLab's own credentials the job uses explicitly (`$CI_JOB_TOKEN`…). */
  predefined: string[];
}

const holdingsMemo = new WeakMap<GitLabJob, JobHoldings>();

/** The credentials a job visibly holds (every job also receives the project's CI/CD variables, which the file does not show). */
export function jobHoldings(job: GitLabJob): JobHoldings {
  const cached = holdingsMemo.get(job);
  if (cached) return cached;
  const assigned = new Map([...scriptAssignments(job.script.parsed()), ...scriptAssignments(job.afterScript.parsed())]);
  const stored = new Map<string, HeldCredential>();
  const predefined = new Set<string>();
  for (const name of referencedVariables(job)) {
    for (const held of credentialsOf(name, job, assigned)) {
      if (held.kind === 'predefined') predefined.add(held.name);
      else if (held.kind !== 'id-token') stored.set(held.name, held);
    }
  }
  for (const secret of job.secrets) stored.set(secret.name, { kind: 'external-secret', name: secret.name });
  const result = { idTokens: job.idTokens, stored: [...stored.values()], predefined: [...predefined] };
  holdingsMemo.set(job, result);
  return result;
}

export function holdsCredentials(job: GitLabJob): boolean {
  const held = jobHoldings(job);
  return held.idTokens.length > 0 || held.stored.length > 0;
}

/** `high` where the job gets ID tokens, `medium` where it reads stored credentials, else `low`. */
export function exposureLevel(job: GitLabJob): 'high' | 'medium' | 'low' {
  const held = jobHoldings(job);
  if (held.idTokens.length) return 'high';
  if (held.stored.length) return 'medium';
  return 'low';
}

/** "can mint… / reads…" for messages. */
export function describeHoldings(job: GitLabJob): string {
  const held = jobHoldings(job);
  const parts: string[] = [];
  if (held.idTokens.length) parts.push(`gets ID ${held.idTokens.length === 1 ? 'token' : 'tokens'} ${held.idTokens.map((token) => `\`$${token.name}\``).join(', ')}`);
  if (held.stored.length) parts.push(`reads ${held.stored.slice(0, 3).map((item) => `\`$${item.name}\``).join(', ')}${held.stored.length > 3 ? '…' : ''}`);
  return parts.join(' and ');
}

/** Audiences GitLab jobs use to publish with Trusted Publishing. */
const PUBLISH_AUDIENCES: Partial<Record<Ecosystem, RegExp>> = {
  pypi: /^(pypi|testpypi)$/i,
  npm: /^npm:registry\.npmjs\.org$/i,
};

/** ID tokens whose audience is a package index (`aud: pypi`). */
export function publishingIdTokens(job: GitLabJob, ecosystem?: Ecosystem): IdToken[] {
  const patterns = ecosystem ? [PUBLISH_AUDIENCES[ecosystem]].filter((p): p is RegExp => p !== undefined) : Object.values(PUBLISH_AUDIENCES);
  return job.idTokens.filter((token) => token.audiences.some((aud) => patterns.some((pattern) => pattern.test(aud.value.trim()))));
}

/** Ecosystems whose public index accepts Trusted Publishing from GitLab CI/CD. */
export const GITLAB_TRUSTED_PUBLISHING: Partial<Record<Ecosystem, string>> = {
  pypi: 'https://docs.pypi.org/trusted-publishers/using-a-publisher/#gitlab-cicd',
  npm: 'https://docs.npmjs.com/trusted-publishers',
};

export interface GitLabPublishSite extends ScriptPublishSite {
  /** The token is a fetched one (an ID token exchanged at the index). */
  fetched: boolean;
}

const publishMemo = new WeakMap<GitLabJob, GitLabPublishSite[]>();

/**
 * Publishing commands of a job's scripts. Authentication is `oidc` when the job has an ID token
 * for the index and the tool either reads it itself (twine 6.1+ reads `PYPI_ID_TOKEN`) or is given
 * the token it was exchanged for; `token` when a stored credential is passed.
 */
export function gitlabJobPublishes(job: GitLabJob): GitLabPublishSite[] {
  const cached = publishMemo.get(job);
  if (cached) return cached;
  const sites: GitLabPublishSite[] = [];
  for (const script of [job.script, job.afterScript]) {
    const parsed = script.parsed();
    const assigned = scriptAssignments(parsed);
    const environment = gitlabScriptEnvironment(job, script);
    const secretsInText = (text: string, span: Span): SecretUse[] =>
      variableReferences(text)
        .filter((name) => !environment.fetchedTokenVariables.has(name))
        .flatMap((name) => credentialsOf(name, job, assigned).filter((held) => held.kind !== 'predefined' && held.kind !== 'id-token'))
        .map((held) => ({ name: held.name, span }));
    const variables = jobVariables(job);
    const scope: PublishScope = {
      secretsInText,
      *environment() {
        for (const variable of variables.values()) yield { name: variable.name, span: variable.span, secrets: () => secretsInText(variable.value, variable.span) };
      },
      canMintOidc: false,
    };
    for (const site of scriptPublishSites(parsed, scope)) {
      const fetched = site.token !== undefined && variableReferences(tokenText(site)).some((name) => environment.fetchedTokenVariables.has(name));
      const canMint = publishingIdTokens(job, site.ecosystem).length > 0;
      const auth: GitLabPublishSite['auth'] = site.token?.secrets.length ? 'token' : canMint && (!site.token || fetched) ? 'oidc' : 'unknown';
      sites.push({ ...site, auth, fetched });
    }
  }
  publishMemo.set(job, sites);
  return sites;
}

/** The text that carries a site's token: the flag's value, the assignment, or the variable's value. */
export function tokenText(site: ScriptPublishSite): string {
  const via = /^`([^`]+)`/.exec(site.token?.via ?? '')?.[1] ?? '';
  if (site.token?.via.endsWith('flag')) {
    const index = site.command.args.findIndex((arg) => arg.text === via || arg.text.startsWith(`${via}=`));
    const arg = site.command.args[index];
    return arg?.text.startsWith(`${via}=`) ? arg.raw : (site.command.args[index + 1]?.raw ?? '');
  }
  return site.command.assignments.find((item) => item.name === via)?.value ?? `$${via}`;
}

/** `python -m X`, `uv run X`, `sudo -E X`, `env A=1 X`…: the words of the program actually run. */
export function effectiveArgv(command: ShellCommand): string[] {
  let argv = [command.program, ...command.args.map((arg) => arg.text)];
  for (let guard = 0; guard < 4; guard++) {
    const [head = '', next = ''] = argv;
    if (/^python[0-9.]*$/.test(head) && next === '-m') argv = argv.slice(2);
    else if (/^(uv|poetry|pdm|hatch|pipenv|rye|pipx)$/.test(head) && next === 'run') argv = argv.slice(2);
    else if (/^(sudo|env|time|nice|uvx|nohup)$/.test(head)) {
      let rest = argv.slice(1);
      while (rest.length && (rest[0]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!))) rest = rest.slice(1);
      argv = rest;
    } else break;
  }
  return argv.map((word, index) => (index === 0 ? (word.split('/').pop() ?? word).toLowerCase() : word));
}

/** Packages a publishing job installs to publish, not to build: no project code runs. */
const PUBLISH_TOOLS = /^(twine|id|uv|pip|keyring|pkginfo|readme[-_]renderer|requests[-_]toolbelt|urllib3|certifi|jq|curl|ca-certificates|wget|git|openssl|python3?(-pip)?)([<>=!~].*)?$/i;

/** Commands that run a project's build, its tests or arbitrary packages' code. */
export function buildCommand(command: ShellCommand): boolean {
  const [program = '', sub = '', ...rest] = effectiveArgv(command);
  const operands = [sub, ...rest].filter((word) => word && !word.startsWith('-'));
  if (/^(pip[0-9.]*|pipx)$/.test(program) || (program === 'uv' && sub === 'pip') || (program === 'uv' && sub === 'tool')) {
    const args = program === 'uv' ? operands.slice(1) : operands;
    const [action = '', ...packages] = args;
    if (action === 'wheel' || action === 'download') return true;
    if (action !== 'install') return false;
    // `pip install -r requirements.txt`, `pip install .`: the project's own dependencies.
    if ([sub, ...rest].some((word) => /^(-r|--requirement|-e|--editable|-c)$/.test(word))) return true;
    return packages.some((name) => !PUBLISH_TOOLS.test(name));
  }
  if (program === 'build' || program === 'setup.py' || program === 'tox' || program === 'nox' || program === 'pytest' || program === 'make' || program === 'cmake' || program === 'ninja' || program === 'meson') return true;
  if (program === 'python' || /^python[0-9.]*$/.test(program)) return operands.some((word) => /setup\.py$/.test(word));
  if (/^(uv|poetry|hatch|pdm|flit|maturin|rye)$/.test(program)) return /^(build|sync|install|lock|add|develop)$/.test(sub);
  if (/^(npm|yarn|pnpm|bun)$/.test(program)) return /^(ci|install|i|run|build|test|exec|x|dlx|add)$/.test(sub) || (program === 'yarn' && sub === '');
  if (program === 'cargo') return /^(build|test|run|install|package)$/.test(sub);
  if (program === 'go') return /^(build|test|run|install|generate)$/.test(sub);
  if (program === 'gradle' || program === 'gradlew' || program === 'mvn' || program === 'mvnw' || program === 'bundle' || program === 'rake') return true;
  return false;
}

/** Commands that only shuffle files, print, or set up the shell: no third-party code runs. */
export function inertCommand(command: ShellCommand): boolean {
  const [program = '', sub = ''] = effectiveArgv(command);
  if (/^(echo|printf|ls|cat|mkdir|cp|mv|rm|cd|test|\[|true|false|export|set|unset|shasum|sha256sum|sha512sum|md5sum|find|tree|du|pwd|jq|head|tail|grep|read|wc|sort|touch|chmod|date|sleep|which|command|type|stat|file|tar|unzip|gzip|gunzip)$/.test(program)) return true;
  // System packages come from the distribution's signed repositories.
  if (/^(apt|apt-get|apk|yum|dnf|microdnf|zypper)$/.test(program)) return true;
  if (/^(pip[0-9.]*|twine|uv|python[0-9.]*)$/.test(program) && /^(--version|-V|check|list|show|freeze)$/.test(sub)) return true;
  return false;
}

/** The command fetches or exchanges a token (`python -m id PYPI`, `curl …/_/oidc/mint-token`). */
export function tokenCommand(command: ShellCommand): boolean {
  const [program = '', sub = ''] = effectiveArgv(command);
  if (program === 'id' && /^(pypi|testpypi)$/i.test(sub)) return true;
  return TOKEN_FETCH.test(command.text);
}

/** Does the job read a variable or use it through a tool? */
export function jobUsesVariable(job: GitLabJob, name: string): boolean {
  const pattern = new RegExp(`\\$\\{?${name}\\b`);
  if (pattern.test(job.script.text) || pattern.test(job.afterScript.text)) return true;
  if ([...jobVariables(job).values()].some((variable) => variable.references.includes(name))) return true;
  return job.secrets.some((secret) => secret.token?.value.replace(/^\$\{?|\}$/g, '') === name);
}

/**
 * A token the script stores for the tool before it runs: `poetry config pypi-token.pypi $T`,
 * `npm config set //registry.npmjs.org/:_authToken $T`, or an `.npmrc`/`.pypirc` written with
 * `echo`, `printf` or a heredoc that expands a variable.
 */
export function configuredToken(job: GitLabJob, site: ScriptPublishSite, script: ShellScript): { via: string; span: Span; text: string } | undefined {
  for (const command of script.commands) {
    if (command.start >= site.command.start) break;
    const [program = '', sub = '', key = '', ...rest] = effectiveArgv(command);
    if (program === 'poetry' && sub === 'config' && /^(pypi-token|http-basic)\./.test(key)) {
      const value = command.args[command.args.length - 1];
      if (value) return { via: `\`poetry config ${key}\``, span: command.span, text: value.raw };
    }
    if (/^(npm|yarn|pnpm)$/.test(program) && sub === 'config' && key === 'set' && /_auth(Token)?$/.test(rest[0] ?? '')) {
      const value = command.args[command.args.length - 1];
      if (value) return { via: `\`${program} config set\``, span: command.span, text: value.raw };
    }
    if (/^(echo|printf)$/.test(program) && command.args.some((arg) => /_auth(Token)?=|password/i.test(arg.raw) && /\$/.test(arg.raw))) {
      const arg = command.args.find((item) => /\$/.test(item.raw))!;
      return { via: `\`${program}\` into a credentials file`, span: command.span, text: arg.raw };
    }
  }
  // `cat > ~/.pypirc <<EOF … password = ${PYPI_TOKEN} … EOF`: the heredoc body is not parsed as words.
  const text = job.script.text;
  const pypirc = /\.pypirc/.test(text) ? /password\s*[=:]\s*(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)/.exec(text) : null;
  if (pypirc) {
    const writer = script.commands.find((command) => command.start < site.command.start && command.text.includes('.pypirc'));
    if (writer) return { via: '`.pypirc`', span: writer.span, text: pypirc[1]! };
  }
  return undefined;
}

/** Names a human reads: ``CI/CD variable `$PYPI_TOKEN` ``, ``ID token `$PYPI_ID_TOKEN` ``, `` `$CI_JOB_TOKEN` ``. */
export function describeGitLabCredentials(credentials: WordCredentials, job: GitLabJob): string {
  const parts: string[] = [];
  if (credentials.secrets.includes('*')) parts.push('every CI/CD variable');
  const named = credentials.secrets.filter((name) => name !== '*');
  const external = named.filter((name) => job.secrets.some((secret) => secret.name === name));
  const variables = named.filter((name) => !external.includes(name));
  const list = (names: string[]): string => names.slice(0, 4).map((name) => `\`$${name}\``).join(', ') + (names.length > 4 ? ` and ${names.length - 4} more` : '');
  if (variables.length) parts.push(`CI/CD ${variables.length === 1 ? 'variable' : 'variables'} ${list(variables)}`);
  if (external.length) parts.push(`${external.length === 1 ? 'secret' : 'secrets'} ${list(external)}`);
  if (credentials.runnerCredentials.length) parts.push(list(credentials.runnerCredentials));
  const idTokens = credentials.fetchedTokens.filter((name) => job.idTokens.some((token) => token.name === name));
  const derived = credentials.fetchedTokens.filter((name) => !idTokens.includes(name));
  if (idTokens.length) parts.push(`ID ${idTokens.length === 1 ? 'token' : 'tokens'} ${list(idTokens)}`);
  if (derived.length) parts.push(`the token fetched into ${list(derived)}`);
  return parts.join(' and ');
}
