/**
 * Least privilege for the GITHUB_TOKEN: what a job needs from `permissions:`, from what its steps
 * are. Used by `excessive-permissions` and by `cordon fix` (which writes the block).
 * (What a job's token can do today, as written, is `privileges.ts`.)
 */
import type { Expression } from '../models/github/expressions.ts';
import type { Job, Permissions, Step, Workflow } from '../models/github/types.ts';
import type { ShellCommand } from '../models/shell/types.ts';
import { stepEnvironment } from './credentials.ts';
import {
  ACTION_PERMISSIONS,
  GH_COMMANDS,
  TOKEN_SCOPES,
  type ActionInputs,
  type ActionKnowledge,
  type PermissionLevel,
  type ScopeNeed,
} from './data/token-permissions.ts';

export type { PermissionLevel, ScopeNeed } from './data/token-permissions.ts';

/** One scope a job needs, with every step that needs it. */
export interface NeededScope {
  scope: string;
  level: PermissionLevel;
  /** `actions/checkout: to fetch the repository`, in step order, one per source and level. */
  reasons: Array<{ source: string; reason: string; step: Step; level: PermissionLevel }>;
}

/** A step that may use the GITHUB_TOKEN for something cordon cannot tell. */
export interface UnknownUse {
  step: Step;
  /** `` `example/deploy-action` ``, `` `actions/github-script` ``, `` `gh api` `` */
  what: string;
}

export interface NeededPermissions {
  /** By scope, in the order of GitHub's scope list. */
  scopes: Map<string, NeededScope>;
  /** Steps whose use of the token is not known; the needs above are then a lower bound. */
  unknown: UnknownUse[];
  /** The job calls a reusable workflow: what it needs is the callee's business. */
  reusable: boolean;
}

/**
 * What a job needs from `permissions:`: the union of what its known steps need (from
 * `data/token-permissions.ts` and the commands of its scripts), and the steps whose needs are
 * unknown. `id-token: write` is included where a step publishes or signs with OIDC. This is the
 * least-privilege block `cordon fix` writes.
 */
export function neededPermissions(job: Job, workflow: Workflow | undefined): NeededPermissions {
  const needed: NeededPermissions = { scopes: new Map(), unknown: [], reusable: job.uses !== undefined };
  if (job.uses) return needed;
  const add = (need: ScopeNeed, source: string, step: Step) => {
    const current = needed.scopes.get(need.scope);
    if (!current) {
      needed.scopes.set(need.scope, { scope: need.scope, level: need.level, reasons: [{ source, reason: need.reason, step, level: need.level }] });
      return;
    }
    if (need.level === 'write') current.level = 'write';
    if (!current.reasons.some((item) => item.source === source && item.level === need.level)) current.reasons.push({ source, reason: need.reason, step, level: need.level });
  };
  const ghcr = logsInToGhcr(job);
  for (const step of job.steps) {
    if (step.uses) {
      const result = actionNeeds(step, job, workflow);
      if (result === 'unknown') needed.unknown.push({ step, what: `\`${usesLabel(step)}\`` });
      else for (const need of result) add(need, usesLabel(step), step);
      continue;
    }
    if (step.run) {
      const result = scriptNeeds(step, job, workflow, ghcr);
      for (const { need, source } of result.needs) add(need, source, step);
      if (result.unknown) needed.unknown.push({ step, what: result.unknown });
    }
  }
  // Keep GitHub's order so blocks read the same everywhere.
  const order = new Map<string, number>(TOKEN_SCOPES.map((scope, index) => [scope, index]));
  needed.scopes = new Map([...needed.scopes.entries()].sort(([a], [b]) => (order.get(a) ?? 99) - (order.get(b) ?? 99) || a.localeCompare(b)));
  return needed;
}

/** `contents: read, pull-requests: write`, or `{}` when nothing is needed. */
export function permissionsBlock(needed: NeededPermissions, options: { skip?: readonly string[] } = {}): string {
  const entries = [...needed.scopes.values()].filter((scope) => !options.skip?.includes(scope.scope));
  return entries.length ? `{ ${entries.map((scope) => `${scope.scope}: ${scope.level}`).join(', ')} }` : '{}';
}

/** `` `contents: read` (for actions/checkout), `pull-requests: write` (for `gh pr create`) `` */
export function describeNeeds(needed: NeededPermissions, options: { skip?: readonly string[] } = {}): string {
  const entries = [...needed.scopes.values()].filter((scope) => !options.skip?.includes(scope.scope));
  if (!entries.length) return 'no permissions';
  return entries
    .map((scope) => {
      const sources = [...new Set(scope.reasons.filter((reason) => reason.level === scope.level).map((reason) => reason.source))];
      const shown = sources.slice(0, 2).join(', ') + (sources.length > 2 ? ` and ${sources.length - 2} more` : '');
      return `\`${scope.scope}: ${scope.level}\` (for ${shown})`;
    })
    .join(', ');
}

/** The level a permissions block grants a scope. */
export function grantedLevel(permissions: Permissions, scope: string): PermissionLevel | 'none' | 'unknown' {
  switch (permissions.kind) {
    case 'write-all':
      return 'write';
    case 'read-all':
      return scope === 'id-token' ? 'none' : 'read';
    case 'none':
      return 'none';
    case 'expression':
      return 'unknown';
    default:
      return permissions.scopes.get(scope)?.value ?? 'none';
  }
}

/** Does an expression yield the GITHUB_TOKEN (`github.token`, `secrets.GITHUB_TOKEN`)? */
export function yieldsGithubToken(expressions: ReadonlyArray<Pick<Expression, 'valueContexts'>>): boolean {
  return expressions.some((expression) => expression.valueContexts.some((ref) => isGithubTokenPath(ref.path)));
}

function isGithubTokenPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === 'github.token' || lower === 'secrets.github_token';
}

// ---------------------------------------------------------------------------------------------
// Actions

const compiled = ACTION_PERMISSIONS.map((entry) => ({ entry, pattern: globToRegExp(entry.uses) }));

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

/** The knowledge entry for a step's `uses:` (an exact entry wins over a wildcard one). */
export function actionKnowledge(step: Step): ActionKnowledge | undefined {
  const uses = step.uses;
  if (!uses || uses.kind !== 'action' || !uses.slug) return undefined;
  const target = uses.path ? `${uses.slug}/${uses.path.toLowerCase()}` : uses.slug;
  const exact = compiled.find(({ entry }) => entry.uses === target);
  if (exact) return exact.entry;
  return compiled.find(({ pattern }) => pattern.test(target))?.entry;
}

function usesLabel(step: Step): string {
  const uses = step.uses!;
  if (uses.kind === 'action') return uses.path ? `${uses.slug}/${uses.path}` : (uses.slug ?? uses.raw);
  return uses.raw;
}

function inputsOf(step: Step): ActionInputs {
  const map = new Map(step.with.map((input) => [input.name, input.value]));
  return { get: (name) => map.get(name), has: (name) => map.has(name) };
}

function actionNeeds(step: Step, job: Job, workflow: Workflow | undefined): readonly ScopeNeed[] | 'unknown' {
  const uses = step.uses!;
  // A docker:// image gets only what it is handed. A local action can default an input to
  // `github.token` in its own action.yml, so it counts as unknown.
  if (uses.kind === 'docker') return handsToken(step, job, workflow) ? 'unknown' : [];
  if (uses.kind !== 'action') return 'unknown';
  const knowledge = actionKnowledge(step);
  if (!knowledge) return 'unknown';
  const needs = typeof knowledge.needs === 'function' ? knowledge.needs(inputsOf(step)) : knowledge.needs;
  const holdsToken = receivesToken(step, job, workflow, knowledge);
  if (needs === 'unknown') return holdsToken ? 'unknown' : [];
  return needs.filter((need) => need.via === 'job' || holdsToken);
}

/** Does the action end up holding the GITHUB_TOKEN, through its input default or what it is given? */
function receivesToken(step: Step, job: Job, workflow: Workflow | undefined, knowledge: ActionKnowledge): boolean {
  const channel = knowledge.token;
  if (!channel) return true;
  if (channel.input) {
    const input = step.with.find((candidate) => candidate.name.toLowerCase() === channel.input!.toLowerCase());
    // A literal or another secret (a PAT, an app token) means the action does not use the job's token.
    if (input) return yieldsGithubToken(input.expressions);
    if (channel.default) return true;
  }
  if (channel.env) {
    const binding = stepEnvironment(step, job, workflow).get(channel.env);
    if (binding) return yieldsGithubToken(binding.entry.expressions);
  }
  return false;
}

/** The step is handed the token explicitly, in `with:` or in the environment it sees. */
function handsToken(step: Step, job: Job, workflow: Workflow | undefined): boolean {
  if (step.with.some((input) => yieldsGithubToken(input.expressions))) return true;
  for (const binding of stepEnvironment(step, job, workflow).values()) if (yieldsGithubToken(binding.entry.expressions)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Scripts

/**
 * Shell utilities that never send a token anywhere. Interpreters, build tools and package
 * managers are not here: given the token, a release script may use it for anything.
 */
const INERT =
  /^(echo|printf|true|false|:|test|\[|\[\[|cd|pwd|ls|cat|head|tail|wc|mkdir|cp|mv|rm|rmdir|touch|ln|chmod|export|set|unset|shift|exit|sleep|date|jq|yq|grep|sed|sort|uniq|cut|tr|base64|sha256sum|shasum|diff|tee|basename|dirname|tar|unzip|zip|gzip|du|df|tree|read|local|declare|return|printenv)$/;

interface ScriptResult {
  needs: Array<{ need: ScopeNeed; source: string }>;
  /** A token-holding command whose needs are not known, named for the message. */
  unknown?: string;
}

function scriptNeeds(step: Step, job: Job, workflow: Workflow | undefined, ghcr: boolean): ScriptResult {
  const result: ScriptResult = { needs: [] };
  const script = step.run!.parsed();
  const holdsToken = handsToken(step, job, workflow) || yieldsGithubToken(step.run!.expressions);
  for (const command of script.commands) {
    const known = commandNeeds(command, step, job, ghcr, holdsToken);
    if (known === 'unknown') {
      result.unknown ??= `\`${commandLabel(command)}\``;
      continue;
    }
    if (known) {
      for (const need of known.needs) result.needs.push({ need, source: `\`${known.label}\`` });
      continue;
    }
    // A command cordon does not know, in a step that holds the token, may use it for anything.
    if (holdsToken && !INERT.test(command.program) && !command.nested) result.unknown ??= `\`${commandLabel(command)}\` (given the token)`;
  }
  // pwsh, python and other shells are not parsed: a script that holds the token is unknown.
  if (!script.commands.length && holdsToken && step.run!.text.trim()) result.unknown ??= 'a script given the token';
  return result;
}

/** `curl`, `npm run`, `python release.py`: the program and a subcommand-looking first argument. */
function commandLabel(command: ShellCommand): string {
  const first = positionalArgs(command)[0];
  return first && /^[a-z][\w.-]*$/i.test(first) && first.length <= 30 ? `${command.program} ${first}` : command.program;
}

/** Needs of one command; `null` when it is not a command cordon knows. */
function commandNeeds(
  command: ShellCommand,
  step: Step,
  job: Job,
  ghcr: boolean,
  holdsToken: boolean,
): { needs: readonly ScopeNeed[]; label: string } | 'unknown' | null {
  const positional = positionalArgs(command);
  if (command.program === 'gh') {
    const [group = '', verb = ''] = positional;
    const exact = GH_COMMANDS[`${group} ${verb}`];
    const entry = exact ?? GH_COMMANDS[`${group} *`];
    if (entry === 'unknown') return 'unknown';
    if (entry) return { needs: entry, label: exact ? `gh ${group} ${verb}` : `gh ${group}` };
    // Commands that read local state or public data.
    if (/^(auth|config|alias|extension|help|version|completion|status|browse|search)$/.test(group)) return { needs: [], label: `gh ${group}` };
    return 'unknown';
  }
  if (command.program === 'git') {
    const sub = positional[0];
    if (sub === 'push') return { needs: [{ scope: 'contents', level: 'write', reason: 'to push commits or tags' }], label: 'git push' };
    if (sub && /^(fetch|pull|clone|ls-remote|submodule)$/.test(sub)) return { needs: [{ scope: 'contents', level: 'read', reason: 'to fetch from the repository' }], label: `git ${sub}` };
    return { needs: [], label: `git ${sub ?? ''}`.trim() };
  }
  if (command.program === 'mkdocs' && positional[0] === 'gh-deploy') {
    return { needs: [{ scope: 'contents', level: 'write', reason: 'to push the site to the gh-pages branch' }], label: 'mkdocs gh-deploy' };
  }
  if (command.program === 'ghp-import' && command.args.some((word) => word.text === '-p' || word.text === '--push')) {
    return { needs: [{ scope: 'contents', level: 'write', reason: 'to push the site to the gh-pages branch' }], label: 'ghp-import --push' };
  }
  if ((command.program === 'docker' || command.program === 'podman') && isImagePush(command)) {
    const words = command.args.map((word) => word.text);
    const toGhcr = words.some((word) => /(^|\/\/)ghcr\.io\//i.test(word));
    const elsewhere = words.some((word) => /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\//i.test(word) && !/^ghcr\.io\//i.test(word));
    if (toGhcr || (ghcr && !elsewhere)) return { needs: [{ scope: 'packages', level: 'write', reason: 'to push images to ghcr.io' }], label: `${command.program} push` };
    return { needs: [], label: `${command.program} push` };
  }
  if ((command.program === 'npm' || command.program === 'yarn' || command.program === 'pnpm') && positional.includes('publish')) {
    const registryIndex = command.args.findIndex((word) => word.text === '--registry' || word.text.startsWith('--registry='));
    const registry = registryIndex === -1 ? undefined : command.args[registryIndex]!.text.includes('=') ? command.args[registryIndex]!.text : command.args[registryIndex + 1]?.text;
    const configured = job.steps.some(
      (earlier) =>
        earlier.index < step.index &&
        earlier.uses?.slug === 'actions/setup-node' &&
        earlier.with.some((input) => input.name === 'registry-url' && /npm\.pkg\.github\.com/i.test(input.value)),
    );
    // The GITHUB_TOKEN is accepted by no npm registry but GitHub Packages.
    if (registry ? /npm\.pkg\.github\.com/i.test(registry) : configured || holdsToken) {
      return { needs: [{ scope: 'packages', level: 'write', reason: 'to publish to GitHub Packages' }], label: `${command.program} publish` };
    }
    return null;
  }
  return null;
}

function isImagePush(command: ShellCommand): boolean {
  const positional = positionalArgs(command);
  if (positional[0] === 'push') return true;
  if (positional[0] === 'image' && positional[1] === 'push') return true;
  // `docker buildx build --push`, `docker build --push`
  return (positional[0] === 'buildx' || positional[0] === 'build') && command.args.some((word) => word.text === '--push' || word.text === '--output=type=registry');
}

/** Arguments that are not options (`git -C dir push` → `push`); the values of `-C`, `-c`, `-R` are skipped. */
function positionalArgs(command: ShellCommand): string[] {
  const out: string[] = [];
  const args = command.args;
  for (let i = 0; i < args.length; i++) {
    const text = args[i]!.text;
    if (text.startsWith('-')) {
      if (/^(-C|-c|--git-dir|--work-tree|-R|--repo)$/.test(text)) i++;
      continue;
    }
    out.push(text);
  }
  return out;
}

/** The job logs in to ghcr.io, so a `docker push "$IMAGE"` likely goes there. */
function logsInToGhcr(job: Job): boolean {
  return job.steps.some(
    (step) =>
      (step.uses?.slug === 'docker/login-action' && step.with.some((input) => input.name === 'registry' && /ghcr\.io/i.test(input.value))) ||
      (step.run !== undefined && /\b(docker|podman)\s+login\b[^\n]*ghcr\.io/.test(step.run.text)),
  );
}
