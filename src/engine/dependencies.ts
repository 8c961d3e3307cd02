/**
 * Dependency inputs (requirements files, lockfiles, pyproject.toml, Dockerfiles): parsed into
 * `repository.dependencies`, their rule hooks run, and their `# cordon: ignore[…]` comments read.
 */
import type { FindingDraft, InputError } from '../findings/finding.ts';
import type { CordonConfig } from '../findings/config.ts';
import { ruleSettings } from '../findings/config.ts';
import { parseIgnoreComments, type IgnoreComment } from '../findings/ignore.ts';
import { parseDockerfile } from '../models/docker/dockerfile.ts';
import { hashComments, LineIndex } from '../models/lines.ts';
import { dependencyFileKind, emptyDependencyFiles, type DependencyFiles } from '../models/python/dependency-files.ts';
import { DependencyFileError } from '../models/python/errors.ts';
import { lockFormatOf, parseLockFile } from '../models/python/lockfiles.ts';
import { parsePyProject } from '../models/python/pyproject.ts';
import { loadRequirementsTree, parseRequirements, type RequirementsFile, type RequirementsReader } from '../models/python/requirements.ts';
import type { Rule, RuleContext } from '../rules/rule.ts';
import type { AuditInput } from './load.ts';

export const DEPENDENCY_KINDS = new Set<AuditInput['kind']>(['requirements', 'lockfile', 'pyproject', 'dockerfile']);

export function isDependencyInput(input: AuditInput): boolean {
  return DEPENDENCY_KINDS.has(input.kind);
}

/**
 * Parses the dependency inputs. Requirements files follow their `-r`/`-c` includes: first among
 * the other inputs, then through the input's `includes` reader (paths relative to the scanned
 * root). Files that cannot be read become errors; the others are still modelled.
 */
export async function loadDependencies(inputs: readonly AuditInput[], errors: InputError[]): Promise<DependencyFiles> {
  const dependencies = emptyDependencyFiles();
  const byPath = new Map(inputs.map((input) => [input.path, input]));
  const requirementInputs: AuditInput[] = [];
  for (const input of inputs) {
    try {
      if (input.kind === 'requirements') requirementInputs.push(input);
      else if (input.kind === 'lockfile') {
        const format = lockFormatOf(input.path);
        dependencies.lockfiles.push({ ...parseLockFile(input.path, input.text, format), text: input.text });
      } else if (input.kind === 'pyproject') {
        const pyproject = parsePyProject(input.path, input.text);
        dependencies.pyprojects.push(pyproject);
        for (const problem of pyproject.errors) errors.push({ path: input.path, line: problem.line, message: problem.message });
      } else if (input.kind === 'dockerfile') dependencies.dockerfiles.push(parseDockerfile(input.path, input.text));
    } catch (error) {
      if (error instanceof DependencyFileError) errors.push({ path: error.path, line: error.line, message: error.message });
      else errors.push({ path: input.path, line: 1, message: `internal error while reading: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const constraintsByInclude = new Set<string>();
  for (const input of requirementInputs) {
    const file = parseRequirements(input.path, input.text);
    if (dependencyFileKind(input.path)?.kind === 'requirements' && (dependencyFileKind(input.path) as { constraints: boolean }).constraints) file.constraintsFile = true;
    dependencies.requirements.push(file);
    const read: RequirementsReader = async (path) => {
      const known = byPath.get(path);
      if (known) return { ok: true, path: known.path, text: known.text };
      if (!input.includes) return { ok: false, message: 'not found among the scanned files' };
      const result = await input.includes.read(path);
      return result.ok ? result : { ok: false, message: result.message };
    };
    const tree = await loadRequirementsTree(file, read);
    dependencies.requirementTrees.set(file.path, tree);
    for (const path of tree.constraintFiles) constraintsByInclude.add(path);
    for (const problem of tree.errors) errors.push({ path: problem.path, line: problem.line, message: `cannot follow include: ${problem.message}` });
  }
  for (const file of dependencies.requirements) if (constraintsByInclude.has(file.path)) file.constraintsFile = true;
  return dependencies;
}

/** Every requirements file of the scan once: the scanned ones, then the files only they include. */
export function allRequirementFiles(dependencies: DependencyFiles): RequirementsFile[] {
  const seen = new Map<string, RequirementsFile>();
  for (const file of dependencies.requirements) seen.set(file.path, file);
  for (const tree of dependencies.requirementTrees.values()) {
    for (const file of tree.files) {
      if (seen.has(file.path)) continue;
      if (tree.constraintFiles.has(file.path)) file.constraintsFile = true;
      seen.set(file.path, file);
    }
  }
  return [...seen.values()];
}

export function dependencyFileCount(dependencies: DependencyFiles | undefined): number {
  if (!dependencies) return 0;
  return allRequirementFiles(dependencies).length + dependencies.lockfiles.length + dependencies.pyprojects.length + dependencies.dockerfiles.length;
}

type Draft = { rule: Rule<any>; draft: FindingDraft; path: string };

/** Runs the `requirements`, `lockfile` and `dockerfile` hooks; a hook that throws loses its findings in that file. */
export function runDependencyRules(dependencies: DependencyFiles | undefined, rules: readonly Rule<any>[], config: CordonConfig, onError: (path: string, rule: Rule<any>, error: unknown) => void): Draft[] {
  const drafts: Draft[] = [];
  if (!dependencies) return drafts;
  const run = (rule: Rule<any>, path: string, call: (context: RuleContext<any>) => void): void => {
    const before = drafts.length;
    const context: RuleContext<any> = {
      config: ruleSettings(config, rule.meta.id).config ?? {},
      report: (draft) => drafts.push({ rule, draft, path: draft.path ?? path }),
    };
    try {
      call(context);
    } catch (error) {
      drafts.length = before;
      onError(path, rule, error);
    }
  };
  const requirementFiles = allRequirementFiles(dependencies);
  for (const rule of rules) {
    if (rule.requirements) for (const file of requirementFiles) run(rule, file.path, (context) => rule.requirements!(file, context));
    if (rule.lockfile) for (const lock of dependencies.lockfiles) run(rule, lock.path, (context) => rule.lockfile!(lock, context));
    if (rule.dockerfile) for (const file of dependencies.dockerfiles) run(rule, file.path, (context) => rule.dockerfile!(file, context));
  }
  return drafts;
}

/** `# cordon: ignore[rule]` comments of the dependency files, by path (same line, or alone on the line above). */
export function dependencyIgnoreComments(dependencies: DependencyFiles | undefined): Map<string, IgnoreComment[]> {
  const out = new Map<string, IgnoreComment[]>();
  if (!dependencies) return out;
  const texts: Array<{ path: string; text: string }> = [
    ...allRequirementFiles(dependencies),
    ...dependencies.lockfiles,
    ...dependencies.pyprojects,
    ...dependencies.dockerfiles,
  ];
  for (const { path, text } of texts) {
    if (!text.includes('cordon:')) continue;
    const index = new LineIndex(text);
    out.set(path, parseIgnoreComments(hashComments(index), (line) => index.lineText(line)));
  }
  return out;
}
