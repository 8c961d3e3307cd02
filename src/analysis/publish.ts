import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { ShellCommand, ShellScript, ShellWord } from '../models/shell/types.ts';
import { analyzeExpression, secretName, type Expression } from '../models/github/expressions.ts';
import type { Span } from '../models/yaml/document.ts';
import { dataContexts, envSecrets, jobCanMintOidc, secretsIn, stepEnvironment, type EnvBinding, type SecretUse } from './credentials.ts';

export type Ecosystem = 'pypi' | 'npm' | 'cargo' | 'rubygems' | 'nuget';

/** Where a package leaves for an index. */
export interface PublishSite {
  step: Step;
  ecosystem: Ecosystem;
  /** `pypa/gh-action-pypi-publish`, `twine upload`, `npm publish`… */
  tool: string;
  span: Span;
  /** `public` is PyPI/npmjs/crates.io/rubygems.org, `test` is TestPyPI, `custom` a private index. */
  index: 'public' | 'test' | 'custom';
  /** How it authenticates: a stored token from secrets, OIDC (Trusted Publishing), or not visible. */
  auth: 'token' | 'oidc' | 'unknown';
  /** The stored token: which input, variable or flag carries it, and which secret. */
  token?: { via: string; span: Span; secrets: SecretUse[] };
  command?: ShellCommand;
}

/** Ecosystems whose public index accepts Trusted Publishing (OIDC) from GitHub Actions. */
export const TRUSTED_PUBLISHING: Record<Ecosystem, string | null> = {
  pypi: 'https://docs.pypi.org/trusted-publishers/',
  npm: 'https://docs.npmjs.com/trusted-publishers',
  cargo: 'https://crates.io/docs/trusted-publishing',
  rubygems: 'https://guides.rubygems.org/trusted-publishing/',
  nuget: 'https://learn.microsoft.com/en-us/nuget/nuget-org/trusted-publishing',
};

interface CommandPattern {
  ecosystem: Ecosystem;
  words: string[];
  /** Flags that carry the token (`--password VALUE`, `--token=VALUE`). */
  tokenFlags: string[];
  /** Environment variables the tool reads its token from. */
  tokenVariables: RegExp;
  /** Flags naming the target index. */
  indexFlags: string[];
}

const PYPI_INDEX_FLAGS = ['--repository', '-r', '--repository-url', '--publish-url', '--index', '--repo'];
const COMMANDS: CommandPattern[] = [
  { ecosystem: 'pypi', words: ['twine', 'upload'], tokenFlags: ['-p', '--password'], tokenVariables: /^TWINE_PASSWORD$/, indexFlags: PYPI_INDEX_FLAGS },
  { ecosystem: 'pypi', words: ['uv', 'publish'], tokenFlags: ['-t', '--token', '-p', '--password'], tokenVariables: /^UV_PUBLISH_(TOKEN|PASSWORD)$/, indexFlags: PYPI_INDEX_FLAGS },
  { ecosystem: 'pypi', words: ['hatch', 'publish'], tokenFlags: ['-a', '--auth'], tokenVariables: /^HATCH_INDEX_AUTH$/, indexFlags: ['-r', '--repo'] },
  { ecosystem: 'pypi', words: ['pdm', 'publish'], tokenFlags: ['-P', '--password'], tokenVariables: /^PDM_PUBLISH_PASSWORD$/, indexFlags: ['-r', '--repository'] },
  { ecosystem: 'pypi', words: ['poetry', 'publish'], tokenFlags: ['-p', '--password'], tokenVariables: /^POETRY_PYPI_TOKEN_|^POETRY_HTTP_BASIC_.*_PASSWORD$/, indexFlags: ['-r', '--repository'] },
  { ecosystem: 'pypi', words: ['flit', 'publish'], tokenFlags: [], tokenVariables: /^FLIT_PASSWORD$/, indexFlags: ['--repository'] },
  { ecosystem: 'pypi', words: ['maturin', 'upload'], tokenFlags: ['-p', '--password'], tokenVariables: /^MATURIN_(PYPI_TOKEN|PASSWORD)$/, indexFlags: ['-r', '--repository', '--repository-url'] },
  { ecosystem: 'pypi', words: ['maturin', 'publish'], tokenFlags: ['-p', '--password'], tokenVariables: /^MATURIN_(PYPI_TOKEN|PASSWORD)$/, indexFlags: ['-r', '--repository', '--repository-url'] },
  { ecosystem: 'npm', words: ['npm', 'publish'], tokenFlags: [], tokenVariables: /^(NODE_AUTH_TOKEN|NPM_TOKEN|NPM_CONFIG__AUTH_?TOKEN)$/, indexFlags: ['--registry'] },
  { ecosystem: 'npm', words: ['yarn', 'publish'], tokenFlags: [], tokenVariables: /^(NODE_AUTH_TOKEN|NPM_TOKEN|YARN_NPM_AUTH_TOKEN)$/, indexFlags: ['--registry'] },
  { ecosystem: 'npm', words: ['yarn', 'npm', 'publish'], tokenFlags: [], tokenVariables: /^(NODE_AUTH_TOKEN|YARN_NPM_AUTH_TOKEN)$/, indexFlags: [] },
  { ecosystem: 'npm', words: ['pnpm', 'publish'], tokenFlags: [], tokenVariables: /^(NODE_AUTH_TOKEN|NPM_TOKEN)$/, indexFlags: ['--registry'] },
  { ecosystem: 'npm', words: ['bun', 'publish'], tokenFlags: [], tokenVariables: /^(NODE_AUTH_TOKEN|NPM_CONFIG_TOKEN)$/, indexFlags: ['--registry'] },
  { ecosystem: 'cargo', words: ['cargo', 'publish'], tokenFlags: ['--token'], tokenVariables: /^CARGO_REGISTRY_TOKEN$/, indexFlags: ['--registry', '--index'] },
  { ecosystem: 'rubygems', words: ['gem', 'push'], tokenFlags: ['-k', '--key'], tokenVariables: /^GEM_HOST_API_KEY$/, indexFlags: ['--host'] },
  { ecosystem: 'nuget', words: ['dotnet', 'nuget', 'push'], tokenFlags: ['-k', '--api-key'], tokenVariables: /^NUGET_API_KEY$/, indexFlags: ['-s', '--source'] },
  { ecosystem: 'nuget', words: ['nuget', 'push'], tokenFlags: ['-apikey', '-ApiKey'], tokenVariables: /^NUGET_API_KEY$/, indexFlags: ['-source', '-Source'] },
];

/** Programs that run another program given as later arguments. */
const WRAPPERS = /^(python[0-9.]*|py|uv|uvx|pipx|poetry|pdm|hatch|pipenv|npx|bunx|pnpx|bundle|exec|sudo|env|time|nice|xargs|tox|nox|rye)$/;

interface ActionPattern {
  slug: string;
  ecosystem: Ecosystem;
  tool: string;
  tokenInputs: string[];
  /** Inputs naming the index (current name first, deprecated spellings after). */
  indexInput?: string[];
  /** Extra condition on `with:`, e.g. maturin-action only publishes for `command: upload`. */
  when?: (inputs: Map<string, string>) => boolean;
  /** The action mints its own token with OIDC when no token input is given. */
  oidcByDefault: boolean;
  /** Environment variables the action reads its token from when no input carries one. */
  tokenVariables?: RegExp;
  /** Inputs that turn the action's own OIDC exchange off. */
  oidcUnless?: (inputs: Map<string, string>) => boolean;
}

const ACTIONS: ActionPattern[] = [
  { slug: 'pypa/gh-action-pypi-publish', ecosystem: 'pypi', tool: 'pypa/gh-action-pypi-publish', tokenInputs: ['password'], indexInput: ['repository-url', 'repository_url'], oidcByDefault: true },
  {
    slug: 'pyo3/maturin-action',
    ecosystem: 'pypi',
    tool: 'PyO3/maturin-action (upload)',
    tokenInputs: [],
    when: (inputs) => /^(upload|publish)$/.test(inputs.get('command') ?? ''),
    oidcByDefault: true,
    // maturin's generated CI passed the token this way before Trusted Publishing.
    tokenVariables: /^MATURIN_(PYPI_TOKEN|PASSWORD)$/,
  },
  { slug: 'casperdcl/deploy-pypi', ecosystem: 'pypi', tool: 'casperdcl/deploy-pypi', tokenInputs: ['password'], indexInput: ['url'], oidcByDefault: false },
  {
    slug: 'rubygems/release-gem',
    ecosystem: 'rubygems',
    tool: 'rubygems/release-gem',
    tokenInputs: [],
    // With `setup-trusted-publisher: false` it pushes with whatever GEM_HOST_API_KEY holds.
    oidcByDefault: true,
    tokenVariables: /^GEM_HOST_API_KEY$/,
    oidcUnless: (inputs) => /^false$/i.test(inputs.get('setup-trusted-publisher')?.trim() ?? ''),
  },
  {
    slug: 'rubygems/configure-rubygems-credentials',
    ecosystem: 'rubygems',
    tool: 'rubygems/configure-rubygems-credentials',
    tokenInputs: ['api-token'],
    oidcByDefault: true,
  },
  { slug: 'js-devtools/npm-publish', ecosystem: 'npm', tool: 'JS-DevTools/npm-publish', tokenInputs: ['token'], indexInput: ['registry'], oidcByDefault: true },
  { slug: 'katyo/publish-crates', ecosystem: 'cargo', tool: 'katyo/publish-crates', tokenInputs: ['registry-token'], oidcByDefault: false, tokenVariables: /^CARGO_REGISTRY_TOKEN$/ },
];

const memo = new WeakMap<Step, PublishSite[]>();

/** Publishing sites of one step. */
export function stepPublishes(step: Step, job: Job | undefined, workflow: Workflow | undefined): PublishSite[] {
  const cached = memo.get(step);
  if (cached) return cached;
  const sites = [...actionSites(step, job, workflow), ...commandSites(step, job, workflow)];
  memo.set(step, sites);
  return sites;
}

export function jobPublishes(job: Job, workflow: Workflow): PublishSite[] {
  return job.steps.flatMap((step) => stepPublishes(step, job, workflow));
}

function actionSites(step: Step, job: Job | undefined, workflow: Workflow | undefined): PublishSite[] {
  const uses = step.uses;
  if (!uses?.slug) return [];
  const pattern = ACTIONS.find((candidate) => candidate.slug === uses.slug);
  if (!pattern) return [];
  const inputs = new Map(step.with.map((input) => [input.name, input.value]));
  if (pattern.when && !pattern.when(inputs)) return [];
  const tokenInput = step.with.find((input) => pattern.tokenInputs.includes(input.name) && input.value.trim() !== '');
  let token: PublishSite['token'] = tokenInput ? { via: `\`${tokenInput.name}:\` input`, span: tokenInput.span, secrets: secretsOfInput(tokenInput.expressions) } : undefined;
  if (!token && pattern.tokenVariables) {
    for (const [name, binding] of stepEnvironment(step, job, workflow)) {
      if (!pattern.tokenVariables.test(name) || binding.entry.value.trim() === '') continue;
      token = { via: `\`${name}\``, span: binding.entry.span, secrets: envSecrets(binding) };
      break;
    }
  }
  const canMint = job && workflow ? jobCanMintOidc(job, workflow) : false;
  const oidc = pattern.oidcByDefault && !pattern.oidcUnless?.(inputs);
  const auth: PublishSite['auth'] = token ? (token.secrets.length ? 'token' : 'unknown') : oidc && (canMint || !job) ? 'oidc' : 'unknown';
  const indexValue = pattern.indexInput?.map((name) => inputs.get(name)).find((value) => value !== undefined && value.trim() !== '');
  return [
    {
      step,
      ecosystem: pattern.ecosystem,
      tool: pattern.tool,
      span: uses.span,
      index: classifyIndex(pattern.ecosystem, indexValue),
      auth,
      token,
    },
  ];
}

function commandSites(step: Step, job: Job | undefined, workflow: Workflow | undefined): PublishSite[] {
  if (!step.run) return [];
  const env = stepEnvironment(step, job, workflow);
  const scope: PublishScope = {
    secretsInText: (text, span) => secretsInText(text, env, span),
    *environment() {
      for (const [name, binding] of env) yield { name, span: binding.entry.span, secrets: () => envSecrets(binding) };
    },
    canMintOidc: job && workflow ? jobCanMintOidc(job, workflow) : false,
    configuredRegistry: (ecosystem) => configuredRegistry(ecosystem, step, job),
  };
  return scriptPublishSites(step.run.parsed(), scope).map(({ tokenVariables: _, ...site }) => ({ step, ...site }));
}

/** A publishing command in a script of any platform (a GitHub `run:` step, a GitLab `script:`). */
export type ScriptPublishSite = Omit<PublishSite, 'step'> & {
  command: ShellCommand;
  /** Environment variables the tool reads its token from (`TWINE_PASSWORD`…). */
  tokenVariables: RegExp;
};

/** What `scriptPublishSites` needs to know about the script's surroundings. */
export interface PublishScope {
  /** Stored secrets behind a flag value or assignment as written (`$VAR`, `${{ secrets.X }}`). */
  secretsInText(text: string, span: Span): SecretUse[];
  /** Environment variables set around the script, in the order they are searched for a tool's token variable. */
  environment(): Iterable<{ name: string; span: Span; secrets: () => SecretUse[] }>;
  /** A tool without a visible token authenticates with OIDC (Trusted Publishing). */
  canMintOidc: boolean;
  /** The index the job configured for the tool elsewhere (`actions/setup-node`'s `registry-url`). */
  configuredRegistry?(ecosystem: Ecosystem): string | undefined;
}

/** Publishing commands of a parsed script, with the token each one uses, on any platform. */
export function scriptPublishSites(script: ShellScript, scope: PublishScope): ScriptPublishSite[] {
  const sites: ScriptPublishSite[] = [];
  for (const command of script.commands) {
    const match = matchCommand(command);
    if (!match) continue;
    const { pattern, at } = match;
    const words = command.args.slice(at + pattern.words.length - 1);
    // `--dry-run` packs and validates but uploads nothing (npm, pnpm, yarn, cargo, uv, poetry).
    if (words.some((word) => /^--dry-run(=true)?$/.test(word.text) || (pattern.words[0] === 'cargo' && word.text === '-n'))) continue;
    let token: PublishSite['token'];
    const flag = findFlag(words, pattern.tokenFlags);
    if (flag) token = { via: `\`${flag.flag}\` flag`, span: flag.word.span, secrets: scope.secretsInText(flag.word.raw, flag.word.span) };
    const assignment = command.assignments.find((item) => pattern.tokenVariables.test(item.name));
    if (!token && assignment) token = { via: `\`${assignment.name}\``, span: command.span, secrets: scope.secretsInText(assignment.value, command.span) };
    if (!token) {
      const exported = script.assignments.find((item) => pattern.tokenVariables.test(item.name) && item.start < command.start);
      if (exported) token = { via: `\`${exported.name}\``, span: exported.span, secrets: scope.secretsInText(exported.value, exported.span) };
    }
    if (!token) {
      for (const binding of scope.environment()) {
        if (!pattern.tokenVariables.test(binding.name)) continue;
        token = { via: `\`${binding.name}\``, span: binding.span, secrets: binding.secrets() };
        break;
      }
    }
    const index = findFlag(words, pattern.indexFlags)?.word.text ?? scope.configuredRegistry?.(pattern.ecosystem);
    const tokenFromSecrets = token !== undefined && token.secrets.length > 0;
    sites.push({
      ecosystem: pattern.ecosystem,
      tool: pattern.words.join(' '),
      span: command.span,
      index: classifyIndex(pattern.ecosystem, index),
      auth: tokenFromSecrets ? 'token' : !token && scope.canMintOidc ? 'oidc' : 'unknown',
      token,
      command,
      tokenVariables: pattern.tokenVariables,
    });
  }
  return sites;
}

/**
 * The registry an earlier step of the job configured for the tool: `actions/setup-node` writes
 * `registry-url` into `.npmrc`, which `npm publish` then targets (GitHub Packages, for one).
 */
function configuredRegistry(ecosystem: Ecosystem, step: Step, job: Job | undefined): string | undefined {
  if (ecosystem !== 'npm' || !job) return undefined;
  const setups = job.steps.filter((earlier) => earlier.index < step.index && earlier.uses?.slug === 'actions/setup-node');
  const registry = setups.flatMap((setup) => setup.with.filter((input) => input.name === 'registry-url')).pop();
  return registry?.value.trim() || undefined;
}

/** The command's words, with wrappers such as `python -m` or `uv run` looked through. */
function matchCommand(command: ShellCommand): { pattern: CommandPattern; at: number } | null {
  // `cargo +nightly publish`: a toolchain selector sits between the program and its subcommand.
  const argv = [command.program.replace(/\.exe$/, ''), ...command.args.map((arg) => arg.text).filter((text, index) => !(index === 0 && command.program === 'cargo' && text.startsWith('+')))];
  // Wrappers name tools with a version (`pipx run twine==6.1.0 upload`, `npx npm@11 publish`).
  const normalized = argv.map((word, index) => (index === 0 ? word : (word.split('/').pop() ?? word).toLowerCase().replace(/\.exe$/, '').replace(/^([a-z][\w.-]*?)(==|@)[\w.+-]+$/, '$1')));
  for (const pattern of COMMANDS) {
    const first = pattern.words[0]!;
    for (let at = 0; at < normalized.length; at++) {
      if (at > 0 && !WRAPPERS.test(normalized[0]!)) break;
      const head = normalized[at]!;
      if (head !== first) continue;
      if (pattern.words.every((word, offset) => normalized[at + offset] === word)) return { pattern, at };
    }
  }
  return null;
}

function findFlag(words: ShellWord[], flags: string[]): { flag: string; word: ShellWord } | null {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    for (const flag of flags) {
      const next = words[i + 1];
      if (word.text === flag && next) return { flag, word: next };
      if (word.text.startsWith(`${flag}=`)) return { flag, word };
    }
  }
  return null;
}

function classifyIndex(ecosystem: Ecosystem, value: string | undefined): PublishSite['index'] {
  if (!value) return 'public';
  const lower = value.toLowerCase();
  if (lower.includes('${{')) return 'custom';
  if (ecosystem === 'pypi') {
    if (lower.includes('test.pypi.org') || lower === 'testpypi') return 'test';
    if (/(^|\/\/)(upload\.)?pypi\.org/.test(lower) || lower === 'pypi') return 'public';
    return 'custom';
  }
  if (ecosystem === 'npm') return lower.includes('registry.npmjs.org') ? 'public' : 'custom';
  if (ecosystem === 'cargo') return lower === 'crates-io' ? 'public' : 'custom';
  if (ecosystem === 'rubygems') return lower.includes('rubygems.org') ? 'public' : 'custom';
  return lower.includes('nuget.org') ? 'public' : 'custom';
}

function secretsOfInput(expressions: readonly Expression[]): SecretUse[] {
  return secretsIn(expressions, { includeGithubToken: true });
}

/** Secrets behind a flag or assignment as written: `${{ secrets.X }}` or `$VAR` bound to one. */
function secretsInText(text: string, env: Map<string, EnvBinding>, span: Span): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const match of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    const expression = analyzeExpression(match[1] ?? '');
    for (const ref of dataContexts(expression)) {
      const name = secretName(ref);
      if (name !== null) uses.push({ name, span });
    }
  }
  for (const match of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) uses.push(...envSecrets(env.get(match[1]!)));
  return uses;
}
