/**
 * `pip install …` commands in scripts (workflow `run:` steps, GitLab `script:`, Dockerfile `RUN`):
 * what they install and whether pip checks hashes. Recognized: `pip`, `pip3`, `pip3.12`,
 * `python -m pip`, `python3 -m pip`, `uv pip install`, `uv pip sync`, behind `sudo`, `env`, `time`.
 */
import type { ShellCommand, ShellScript, ShellWord } from '../models/shell/types.ts';
import { isPinnedSpecifier, pinnedVersion } from '../models/python/pep440.ts';
import { parseRequirement } from '../models/python/pep508.ts';
import { isHashed, resolveIncludePath, unhashable, type RequirementsFile, type RequirementsTree } from '../models/python/requirements.ts';
import type { DependencyFiles } from '../models/python/dependency-files.ts';
import type { DockerInstruction } from '../models/docker/dockerfile.ts';
import type { Job, Workflow } from '../models/github/types.ts';
import type { GitLabJob } from '../models/gitlab/types.ts';
import type { Repository } from '../models/repository.ts';
import { describeJobCredentials, stepEnvironment } from './credentials.ts';
import { describeHoldings, holdsCredentials, jobVariables } from './gitlab.ts';
import { jobPublishes } from './publish.ts';
import { scalarAt } from './yaml-node.ts';

export type PackageKind =
  /** `name==1.2.3` */
  | 'pinned'
  /** `name`, `name>=1`, `name==1.*` */
  | 'unpinned'
  /** `https://…/x.tar.gz#sha256=…` */
  | 'hashed-url'
  /** `https://…/x.tar.gz`, `git+https://…@main` */
  | 'url'
  /** `git+https://…@<40-hex commit>` */
  | 'vcs-commit'
  /** `.`, `./path`, `dist/*.whl`, `-e .`: the project or an artifact the job built. */
  | 'local'
  /** `$PACKAGES`, `${{ matrix.pkg }}`: not known before the job runs. */
  | 'unknown';

export interface InstalledPackage {
  text: string;
  kind: PackageKind;
  name?: string;
  word: ShellWord;
  editable: boolean;
}

export interface PipInstall {
  command: ShellCommand;
  tool: 'pip' | 'uv';
  /** `install` or `sync` (uv). */
  action: string;
  /** `--require-hashes` given (or `PIP_REQUIRE_HASHES`/`UV_REQUIRE_HASHES` set on the command). */
  requireHashes: boolean;
  /** `--no-deps`: dependencies are not resolved. */
  noDeps: boolean;
  packages: InstalledPackage[];
  requirementFiles: Array<{ path: string; word: ShellWord }>;
  constraintFiles: Array<{ path: string; word: ShellWord }>;
  /** The folder of the last literal `cd DIR` before the command in the same script, if any. */
  cd?: string;
}

/** Options of `pip install` / `uv pip install` that take a value (the value is not a package). */
const VALUE_OPTIONS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target',
  '--prefix', '--root', '--platform', '--python-version', '--implementation', '--abi', '--no-binary', '--only-binary', '--upgrade-strategy',
  '--progress-bar', '--src', '--trusted-host', '-C', '--config-settings', '--config-setting', '--global-option', '--log', '--cache-dir', '--proxy', '--retries',
  '--timeout', '--exists-action', '--cert', '--client-cert', '--python', '-p', '--report', '--group', '--use-feature', '--use-deprecated',
  '--keyring-provider', '--root-user-action', '--override', '--overrides', '--index', '--default-index', '--index-strategy', '--resolution', '--prerelease',
  '--exclude-newer', '--python-platform', '--extra', '--link-mode', '--refresh-package', '-P', '--upgrade-package', '--reinstall-package',
  '-b', '--build-constraints', '--build-constraint', '--torch-backend', '--excludes', '--exclude', '--constraints', '--requirements', '--no-build-isolation-package',
]);

const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|zip)$/i;
const COMMIT = /^[0-9a-f]{40}$/i;

/** Every pip/uv install command of a script. */
export function pipInstalls(script: ShellScript): PipInstall[] {
  const installs: PipInstall[] = [];
  let cd: string | undefined;
  for (const command of script.commands) {
    const words = [{ text: command.program, word: undefined as ShellWord | undefined }, ...command.args.map((word) => ({ text: word.text, word }))];
    if (command.program === 'cd' && !command.nested) {
      const target = command.args[0];
      cd = target && !target.variables.length && !target.expressions.length && !target.text.includes('$') ? target.text : undefined;
      continue;
    }
    let rest = words;
    // Wrappers: sudo -E, env A=1, time, nice.
    for (let guard = 0; guard < 4; guard++) {
      const head = (rest[0]?.text.split('/').pop() ?? '').toLowerCase();
      if (/^(sudo|env|time|nice|nohup|command)$/.test(head)) {
        rest = rest.slice(1);
        while (rest.length && (rest[0]!.text.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!.text))) rest = rest.slice(1);
      } else break;
    }
    const head = (rest[0]?.text.split('/').pop() ?? '').toLowerCase();
    let tool: PipInstall['tool'] | undefined;
    let start = 0;
    if (/^pip[0-9.]*$/.test(head)) {
      tool = 'pip';
      start = 1;
    } else if (/^python[0-9.]*$/.test(head) || head === 'py') {
      // python -m pip, python3 -I -m pip
      let i = 1;
      while (i < rest.length && rest[i]!.text.startsWith('-') && rest[i]!.text !== '-m') i++;
      if (rest[i]?.text === '-m' && rest[i + 1]?.text === 'pip') {
        tool = 'pip';
        start = i + 2;
      }
    } else if (head === 'uv' && rest[1]?.text === 'pip') {
      tool = 'uv';
      start = 2;
    }
    if (!tool) continue;
    // Global options before the subcommand (`pip --disable-pip-version-check install`).
    let i = start;
    while (i < rest.length && rest[i]!.text.startsWith('-')) i += VALUE_OPTIONS.has(rest[i]!.text) ? 2 : 1;
    const action = rest[i]?.text ?? '';
    if (action !== 'install' && !(tool === 'uv' && action === 'sync')) continue;
    const install: PipInstall = { command, tool, action, requireHashes: false, noDeps: false, packages: [], requirementFiles: [], constraintFiles: [], ...(cd ? { cd } : {}) };
    if (command.assignments.some((item) => /^(PIP|UV)_REQUIRE_HASHES$/.test(item.name) && truthy(item.value))) install.requireHashes = true;
    const args = rest.slice(i + 1);
    for (let j = 0; j < args.length; j++) {
      const { text, word } = args[j]!;
      if (!word) continue;
      if (text === '--') continue;
      if (text.startsWith('-')) {
        const eq = text.indexOf('=');
        const name = text.startsWith('--') && eq > 0 ? text.slice(0, eq) : /^-[rce]./.test(text) ? text.slice(0, 2) : text;
        const inlineValue = text.startsWith('--') && eq > 0 ? text.slice(eq + 1) : /^-[rce]./.test(text) ? text.slice(2) : undefined;
        if (name === '--require-hashes') install.requireHashes = true;
        if (name === '--no-deps') install.noDeps = true;
        if (!VALUE_OPTIONS.has(name)) continue;
        const valueWord = inlineValue !== undefined ? word : args[j + 1]?.word;
        const value = inlineValue ?? args[j + 1]?.text;
        if (inlineValue === undefined) j++;
        if (value === undefined || !valueWord) continue;
        if (name === '-r' || name === '--requirement' || name === '--requirements') install.requirementFiles.push({ path: value, word: valueWord });
        else if (name === '-c' || name === '--constraint' || name === '--constraints') install.constraintFiles.push({ path: value, word: valueWord });
        else if (name === '-e' || name === '--editable') install.packages.push({ ...classify(value, valueWord), editable: true });
        continue;
      }
      if (tool === 'uv' && action === 'sync') install.requirementFiles.push({ path: text, word });
      else install.packages.push({ ...classify(text, word), editable: false });
    }
    installs.push(install);
  }
  return installs;
}

function truthy(value: string): boolean {
  return /^(1|true|yes|on)$/i.test(value.replace(/^["']|["']$/g, ''));
}

function classify(text: string, word: ShellWord): Omit<InstalledPackage, 'editable'> {
  const base = { text, word };
  if (word.variables.length || word.expressions.length || /\$|`/.test(text)) return { ...base, kind: 'unknown' };
  if (/^(git|hg|svn|bzr)\+/i.test(text)) {
    const revision = /@([^@#/]+)(?:#.*)?$/.exec(text.replace(/^[^:]+:\/\/[^/]*/, ''))?.[1];
    return { ...base, kind: revision && COMMIT.test(revision) ? 'vcs-commit' : 'url' };
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return { ...base, kind: /#(?:.*&)?(sha256|sha384|sha512)=[0-9a-f]+/i.test(text) ? 'hashed-url' : 'url' };
  if (text === '.' || text.startsWith('./') || text.startsWith('../') || text.startsWith('/') || text.startsWith('~') || /^\.\[/.test(text)) return { ...base, kind: 'local' };
  if (/[/\\*]/.test(text) && !/[<>=!~;@]/.test(text)) return { ...base, kind: 'local' };
  if (ARCHIVE.test(text) && !/[<>=!~@]/.test(text)) return { ...base, kind: 'local' };
  const parsed = parseRequirement(text);
  if (!parsed.ok) return { ...base, kind: 'unknown' };
  const requirement = parsed.value;
  if (requirement.url) {
    if (/^(git|hg|svn|bzr)\+/i.test(requirement.url)) {
      const revision = /@([^@#/]+)(?:#.*)?$/.exec(requirement.url.replace(/^[^:]+:\/\/[^/]*/, ''))?.[1];
      return { ...base, name: requirement.name, kind: revision && COMMIT.test(revision) ? 'vcs-commit' : 'url' };
    }
    if (/^file:/i.test(requirement.url)) return { ...base, name: requirement.name, kind: 'local' };
    return { ...base, name: requirement.name, kind: /#(?:.*&)?(sha256|sha384|sha512)=/i.test(requirement.url) ? 'hashed-url' : 'url' };
  }
  return { ...base, name: requirement.name, kind: isPinnedSpecifier(requirement.specifier) && pinnedVersion(requirement.specifier) ? 'pinned' : 'unpinned' };
}

/** How a requirements file named by `-r` stands: its hashes and pins, or unknown when not in the scan. */
export type RequirementsStatus =
  | { found: false; path: string }
  | { found: true; path: string; file: RequirementsFile; tree?: RequirementsTree; hashed: 'all' | 'some' | 'none'; unpinned: string[]; requireHashes: boolean };

/**
 * Finds a `-r` target among the scanned requirements files. `candidates` are repository paths to
 * try, most likely first (relative to the working directory, then to the repository root).
 */
export function findRequirements(dependencies: DependencyFiles | undefined, candidates: string[]): RequirementsStatus {
  const wanted = candidates.map((candidate) => resolveIncludePath('', candidate) ?? candidate).filter(Boolean);
  // Scanned files first, then files only reached through another file's `-r`/`-c`.
  const known = [...(dependencies?.requirements ?? []), ...[...(dependencies?.requirementTrees.values() ?? [])].flatMap((tree) => tree.files)];
  for (const path of wanted) {
    const file = known.find((item) => item.path === path);
    if (!file) continue;
    const tree = dependencies?.requirementTrees.get(file.path);
    const lines = (tree?.files ?? [file]).filter((item) => !tree?.constraintFiles.has(item.path)).flatMap((item) => item.requirements);
    const counted = lines.filter((line) => !(line.source === 'editable' || (line.source === 'path' && unhashable(line))));
    const hashedCount = counted.filter(isHashed).length;
    const hashed = counted.length === 0 ? 'none' : hashedCount === counted.length ? 'all' : hashedCount ? 'some' : 'none';
    const unpinned = counted.filter((line) => line.source === 'index' && !line.version).map((line) => line.name ?? line.text);
    const requireHashes = (tree?.files ?? [file]).some((item) => item.requireHashes !== undefined);
    return { found: true, path: file.path, file, ...(tree ? { tree } : {}), hashed, unpinned, requireHashes };
  }
  return { found: false, path: wanted[wanted.length - 1] ?? candidates[0] ?? '' };
}

/** Repository paths a `-r X` may mean: under the working directory first, then from the root. */
export function requirementCandidates(target: string, workingDirectory: string | undefined, cd: string | undefined): string[] {
  const out: string[] = [];
  const join = (base: string | undefined, path: string) => (base && !path.startsWith('/') ? `${base.replace(/\/+$/, '')}/${path}` : path);
  const cleanBase = (base: string | undefined) => (base && !/^\$|^~/.test(base) ? base.replace(/^\.\/?/, '').replace(/^\$GITHUB_WORKSPACE\/?|^\$CI_PROJECT_DIR\/?/, '') : undefined);
  const cwd = cleanBase(workingDirectory);
  const inner = cd && !cd.startsWith('/') ? join(cwd, cd) : cleanBase(cd);
  if (inner) out.push(join(inner, target));
  if (cwd) out.push(join(cwd, target));
  out.push(target);
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------------------------
// Install commands across a scan

export interface InstallSite {
  install: PipInstall;
  /** The file the command is written in. */
  path: string;
  origin: 'workflow' | 'action' | 'gitlab' | 'dockerfile';
  /** ", in job `release` which can mint OIDC tokens" and the like. */
  place: string;
  /** What the job holds (OIDC, secrets, a build secret); undefined when nothing visible. */
  credentials?: string;
  /** The job's artifact is published by another job (`upload-artifact` + a publishing job that `needs` it). */
  publishedBy?: string;
  /** `PIP_REQUIRE_HASHES` / `UV_REQUIRE_HASHES` set where the command runs. */
  requireHashesEnv: boolean;
  /** Repository paths a `-r X` of this command may mean, most likely first. */
  candidates(target: string): string[];
  /** Stable identity of the place (route, job and line text). */
  key: string;
  gitlabJob?: GitLabJob;
}

const memoSites = new WeakMap<Repository, InstallSite[]>();

/** Every pip/uv install in the scan's workflows, composite actions, GitLab pipelines and Dockerfiles. */
export function installSites(repository: Repository): InstallSite[] {
  const cached = memoSites.get(repository);
  if (cached) return cached;
  const sites: InstallSite[] = [];
  for (const workflow of repository.workflows) {
    const workflowDir = scalarAt(workflow.yaml, ['defaults', 'run', 'working-directory'])?.value;
    for (const job of workflow.jobs) {
      const jobDir = scalarAt(workflow.yaml, [...job.route, 'defaults', 'run', 'working-directory'])?.value ?? workflowDir;
      const credentials = describeJobCredentials(job, workflow);
      const publishedBy = artifactPublisher(job, workflow);
      for (const step of job.steps) {
        if (!step.run) continue;
        const dir = scalarAt(workflow.yaml, [...step.route, 'working-directory'])?.value ?? jobDir;
        const env = stepEnvironment(step, job, workflow);
        const requireHashesEnv = [...env.entries()].some(([name, binding]) => /^(PIP|UV)_REQUIRE_HASHES$/.test(name) && truthy(binding.entry.value));
        for (const install of pipInstalls(step.run.parsed())) {
          sites.push({
            install,
            path: workflow.path,
            origin: 'workflow',
            place: `, in job \`${job.id}\`${credentials ? ` which ${credentials}` : ''}`,
            ...(credentials ? { credentials } : {}),
            ...(publishedBy ? { publishedBy } : {}),
            requireHashesEnv,
            candidates: (target) => requirementCandidates(target, dir, install.cd),
            key: `${step.route.join('/')}/${install.command.text.slice(0, 80)}`,
          });
        }
      }
    }
  }
  for (const action of repository.actions) {
    const base = action.path.includes('/') ? action.path.slice(0, action.path.lastIndexOf('/')) : '';
    for (const step of action.steps) {
      if (!step.run) continue;
      const dir = scalarAt(action.yaml, [...step.route, 'working-directory'])?.value;
      const requireHashesEnv = step.env.some((entry) => /^(PIP|UV)_REQUIRE_HASHES$/.test(entry.name) && truthy(entry.value));
      for (const install of pipInstalls(step.run.parsed())) {
        sites.push({
          install,
          path: action.path,
          origin: 'action',
          place: ', in whichever job uses this action',
          requireHashesEnv,
          // A composite action runs in the caller's workspace, usually the repository root.
          candidates: (target) => [...requirementCandidates(target, dir, install.cd), ...(base ? [`${base}/${target}`] : [])],
          key: `${step.route.join('/')}/${install.command.text.slice(0, 80)}`,
        });
      }
    }
  }
  for (const pipeline of repository.gitlabPipelines) {
    for (const job of pipeline.jobs) {
      if (job.hidden) continue;
      const credentials = holdsCredentials(job) ? describeHoldings(job) : undefined;
      const variables = jobVariables(job);
      const requireHashesEnv = [...variables.entries()].some(([name, variable]) => /^(PIP|UV)_REQUIRE_HASHES$/.test(name) && truthy(variable.value));
      for (const script of [job.script, job.afterScript]) {
        for (const install of pipInstalls(script.parsed())) {
          sites.push({
            install,
            path: (install.command.span as { path?: string }).path ?? pipeline.path,
            origin: 'gitlab',
            place: `, in GitLab CI job \`${job.name}\`${credentials ? ` which ${credentials}` : ''}`,
            ...(credentials ? { credentials } : {}),
            requireHashesEnv,
            // GitLab runs scripts in $CI_PROJECT_DIR, the repository root.
            candidates: (target) => requirementCandidates(target, undefined, install.cd),
            key: `gitlab/${install.command.text.slice(0, 80)}`,
            gitlabJob: job,
          });
        }
      }
    }
  }
  for (const dockerfile of repository.dependencies?.dockerfiles ?? []) {
    const dir = dockerfile.path.includes('/') ? dockerfile.path.slice(0, dockerfile.path.lastIndexOf('/')) : '';
    for (const stage of dockerfile.stages) {
      for (const run of stage.runs) {
        const secret = run.mounts.some((mount) => /(^|,)type=secret(,|$)/.test(mount.value));
        const requireHashesEnv = [...stage.env.entries()].some(([name, value]) => /^(PIP|UV)_REQUIRE_HASHES$/.test(name) && value.line < run.instruction.line && truthy(value.value));
        const copies = stage.instructions.filter((item) => (item.keyword === 'COPY' || item.keyword === 'ADD') && item.line < run.instruction.line && !item.flags.some((flag) => flag.name === 'from'));
        for (const install of pipInstalls(run.parsed())) {
          sites.push({
            install,
            path: dockerfile.path,
            origin: 'dockerfile',
            place: `, in a \`RUN\` of ${stage.from.alias ? `stage \`${stage.from.alias}\`` : `the stage \`FROM ${stage.from.image.raw.replace(/@.*$/, '')}\``}${secret ? ' which mounts a build secret' : ''}`,
            ...(secret ? { credentials: 'mounts a build secret' } : {}),
            requireHashesEnv,
            candidates: (target) => dockerCandidates(target, dir, copies),
            key: `docker/${stage.index}/${install.command.text.slice(0, 80)}`,
          });
        }
      }
    }
  }
  memoSites.set(repository, sites);
  return sites;
}


/** The job uploads an artifact and a publishing job of the workflow needs it (directly or not). */
function artifactPublisher(job: Job, workflow: Workflow): string | undefined {
  if (!job.steps.some((step) => step.uses?.slug === 'actions/upload-artifact')) return undefined;
  const needs = new Map(workflow.jobs.map((item) => [item.id, item.needs.map((need) => need.value)]));
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (seen.has(from)) return false;
    seen.add(from);
    return (needs.get(from) ?? []).some((need) => need === job.id || reaches(need, seen));
  };
  const publisher = workflow.jobs.find((other) => other !== job && reaches(other.id) && jobPublishes(other, workflow).length > 0);
  return publisher?.id;
}

/** `RUN pip install -r X` in a Dockerfile: the build-context file a `COPY` put there. */
function dockerCandidates(target: string, dir: string, copies: readonly DockerInstruction[]): string[] {
  const join = (path: string) => (dir ? `${dir}/${path}` : path).replace(/\/\.\//g, '/').replace(/^\.\//, '');
  const base = target.split('/').pop() ?? target;
  const out: string[] = [];
  for (const copy of copies) {
    const words = copy.exec ?? copy.arguments.split(/\s+/).filter(Boolean);
    for (const source of words.slice(0, -1)) {
      const clean = source.replace(/^\.\//, '').replace(/\/+$/, '');
      if ((clean.split('/').pop() ?? clean) === base) out.push(join(clean));
      else if (clean === '.' || clean === '') out.push(join(target.replace(/^\/[^/]+\//, '').replace(/^\.\//, '')));
      else if (target.replace(/^\.\//, '').startsWith(`${clean.split('/').pop()}/`)) out.push(join(`${clean.split('/').slice(0, -1).concat(target.replace(/^\.\//, '')).join('/')}`));
    }
  }
  if (!target.startsWith('/')) out.push(join(target.replace(/^\.\//, '')));
  out.push(join(base));
  return [...new Set(out)];
}
