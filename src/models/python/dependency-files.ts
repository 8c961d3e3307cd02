import type { Dockerfile } from '../docker/dockerfile.ts';
import { isDockerfileName } from '../docker/dockerfile.ts';
import { lockFormatOf } from './lockfiles.ts';
import type { PyProject } from './pyproject.ts';
import type { RequirementsFile, RequirementsTree } from './requirements.ts';
import type { LockFile, LockFormat } from './types.ts';

/** A lockfile as the engine keeps it: the model, and the text for ignore comments and code frames. */
export type LockFileModel = LockFile & { text: string };

/**
 * The dependency inputs of one scan: requirements files found by name (each with the files its
 * `-r`/`-c` lines include), lockfiles, `pyproject.toml` declarations and Dockerfiles.
 */
export interface DependencyFiles {
  requirements: RequirementsFile[];
  /** Each scanned requirements file with what it includes, by its path. */
  requirementTrees: Map<string, RequirementsTree>;
  lockfiles: LockFileModel[];
  pyprojects: PyProject[];
  dockerfiles: Dockerfile[];
}

export function emptyDependencyFiles(): DependencyFiles {
  return { requirements: [], requirementTrees: new Map(), lockfiles: [], pyprojects: [], dockerfiles: [] };
}

export type DependencyFileKind = { kind: 'requirements'; constraints: boolean } | { kind: 'lockfile'; format: Exclude<LockFormat, 'requirements'> } | { kind: 'pyproject' } | { kind: 'dockerfile' };

/**
 * What a file is by its name (and, for `requirements/*.txt`, its folder):
 * - requirements: `*requirements*.txt` (`requirements.txt`, `requirements-dev.txt`,
 *   `dev-requirements.txt`), any `.txt` in a `requirements/` folder; constraints: `*constraints*.txt`;
 * - lockfiles: `poetry.lock`, `uv.lock`, `Pipfile.lock`, `pdm.lock`, `pylock.toml`, `pylock.<name>.toml`;
 * - `pyproject.toml`;
 * - Dockerfiles: `Dockerfile`, `Dockerfile.<suffix>`, `<name>.Dockerfile`, `Containerfile`.
 * A name may carry a prefix ending in `.` (`case.positive.uv.lock`), as test fixtures do.
 */
export function dependencyFileKind(path: string): DependencyFileKind | undefined {
  const parts = path.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  const folder = parts[parts.length - 2] ?? '';
  if (/\.txt$/i.test(base)) {
    if (/constraints[^/]*\.txt$/i.test(base)) return { kind: 'requirements', constraints: true };
    if (/requirements[^/]*\.txt$/i.test(base) || /^requirements$/i.test(folder)) return { kind: 'requirements', constraints: false };
    return undefined;
  }
  const format = lockFormatOf(base);
  if (format) return { kind: 'lockfile', format };
  if (/(^|\.)pyproject\.toml$/.test(base)) return { kind: 'pyproject' };
  if (isDockerfileName(base)) return { kind: 'dockerfile' };
  return undefined;
}
