import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputError } from '../findings/finding.ts';
import { dependencyFileKind } from '../models/python/dependency-files.ts';

export type InputKind = 'workflow' | 'action' | 'gitlab' | 'requirements' | 'lockfile' | 'pyproject' | 'dockerfile';

export interface Candidate {
  absolute: string;
  /** Path shown to users: relative to the scanned root, forward slashes. */
  display: string;
  kind: InputKind;
  /** GitLab pipelines: the repository root their `include: local` paths are relative to. */
  repositoryRoot?: string;
}

export interface Discovery {
  candidates: Candidate[];
  errors: InputError[];
  /** The root finding paths are relative to (the first directory argument, or the cwd). */
  root: string;
  /** A `.github/workflows` folder was walked (so repository-level rules may judge the repo). */
  scannedWorkflowFolder: boolean;
  /** The CODEOWNERS file GitHub would read for the root, if a directory was scanned. */
  codeowners?: Pick<Candidate, 'absolute' | 'display'>;
}

/** GitHub looks for CODEOWNERS in `.github/`, then the root, then `docs/`; the first one wins. */
const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

const SKIP_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '.tox', '.nox', '__pycache__', 'dist', 'build', 'target']);
const YAML_FILE = /\.ya?ml$/i;
const ACTION_FILE = /^action\.ya?ml$/i;
/** `.gitlab-ci.yml`, and `release.gitlab-ci.yml`-style names given on the command line. */
const GITLAB_FILE = /\.gitlab-ci\.ya?ml$/i;

/**
 * Finds workflow and composite-action files. A directory yields its `.github/workflows/*.yml`
 * files and every `action.yml` below it; a directory that is itself a `workflows` folder yields
 * its YAML files; a file is audited as given.
 */
export async function discover(inputs: readonly string[], cwd: string): Promise<Discovery> {
  const candidates: Candidate[] = [];
  const errors: InputError[] = [];
  const firstDirectory = await firstDirectoryOf(inputs, cwd);
  const root = firstDirectory ? rootFor(firstDirectory) : cwd;
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      errors.push({ path: input, line: 0, message: 'no such file or directory' });
      continue;
    }
    if (info.isDirectory()) {
      const found = await walk(absolute, root);
      candidates.push(...found);
    } else {
      const kind = kindOf(absolute);
      // A pipeline named on the command line includes files relative to its own folder.
      candidates.push({ absolute, display: displayPath(absolute, root), kind, ...(kind === 'gitlab' ? { repositoryRoot: path.dirname(absolute) } : {}) });
    }
  }
  const unique = new Map(candidates.map((candidate) => [candidate.absolute, candidate]));
  const sorted = [...unique.values()].sort((a, b) => a.display.localeCompare(b.display));
  const workflowsFolder = path.join(root, '.github', 'workflows');
  const scannedWorkflowFolder = firstDirectory !== undefined && sorted.some((candidate) => path.dirname(candidate.absolute) === workflowsFolder);
  let codeowners: Discovery['codeowners'];
  if (firstDirectory) {
    for (const location of CODEOWNERS_LOCATIONS) {
      const absolute = path.join(root, location);
      try {
        if ((await stat(absolute)).isFile()) {
          codeowners = { absolute, display: location };
          break;
        }
      } catch {
        // not there; try the next place
      }
    }
  }
  return { candidates: sorted, errors, root, scannedWorkflowFolder, codeowners };
}

async function firstDirectoryOf(inputs: readonly string[], cwd: string): Promise<string | undefined> {
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    try {
      if ((await stat(absolute)).isDirectory()) return absolute;
    } catch {
      // reported by discover()
    }
  }
  return undefined;
}

/** `repo/.github/workflows` and `repo/.github` are scanned as `repo`, so paths keep `.github/…`. */
function rootFor(directory: string): string {
  const parts = directory.split(path.sep);
  const github = parts.lastIndexOf('.github');
  return github > 0 ? parts.slice(0, github).join(path.sep) || path.sep : directory;
}

/** How a file is shown: relative to `root` with forward slashes, or absolute when outside it. */
export function displayPath(absolute: string, root: string): string {
  const relative = path.relative(root, absolute);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
  return shown.split(path.sep).join('/');
}

export function kindOf(file: string): InputKind {
  if (GITLAB_FILE.test(path.basename(file))) return 'gitlab';
  // Requirements files, lockfiles, pyproject.toml and Dockerfiles, by name.
  const dependency = dependencyFileKind(file.split(path.sep).join('/'));
  if (dependency) return dependency.kind;
  return ACTION_FILE.test(path.basename(file)) ? 'action' : 'workflow';
}

async function walk(directory: string, root: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const isWorkflowsDirectory = (dir: string): boolean => path.basename(dir) === 'workflows' && path.basename(path.dirname(dir)) === '.github';
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > 40) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const workflows = isWorkflowsDirectory(dir) || (dir === directory && path.basename(dir) === 'workflows');
    // A virtualenv under any name (`env/`, `.venv-3.12/`): its packages' files are not the project's.
    if (entries.some((entry) => entry.isFile() && entry.name === 'pyvenv.cfg')) return;
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIP_DIRECTORIES.has(entry.name)) continue;
        await visit(full, depth + 1);
      } else if (entry.isFile() && YAML_FILE.test(entry.name)) {
        // GitLab reads `.gitlab-ci.yml` at the repository root only; included files are read through it.
        if (dir === directory && entry.name === '.gitlab-ci.yml') found.push({ absolute: full, display: displayPath(full, root), kind: 'gitlab', repositoryRoot: directory });
        else if (workflows) found.push({ absolute: full, display: displayPath(full, root), kind: 'workflow' });
        else if (ACTION_FILE.test(entry.name)) found.push({ absolute: full, display: displayPath(full, root), kind: 'action' });
      } else if (entry.isFile()) {
        const dependency = dependencyFileKind(full.split(path.sep).join('/'));
        if (dependency) found.push({ absolute: full, display: displayPath(full, root), kind: dependency.kind });
      }
    }
  };
  await visit(directory, 0);
  return found;
}

export interface ReadLimits {
  /** Larger files are refused with an error rather than parsed. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxBytes: 2 * 1024 * 1024 };

export type ReadResult = { ok: true; text: string } | { ok: false; error: InputError };

export async function readCandidate(candidate: Pick<Candidate, 'absolute' | 'display'> & Partial<Candidate>, limits: ReadLimits = DEFAULT_LIMITS): Promise<ReadResult> {
  try {
    const info = await stat(candidate.absolute);
    if (info.size > limits.maxBytes) return tooLarge(candidate.display, info.size, limits);
    return decodeInput(candidate.display, await readFile(candidate.absolute), limits);
  } catch (error) {
    return { ok: false, error: { path: candidate.display, line: 0, message: `cannot read: ${(error as Error).message}` } };
  }
}

/** Refuses binary data and invalid UTF-8 with the line where the problem starts. */
export function decodeInput(display: string, bytes: Uint8Array, limits: ReadLimits = DEFAULT_LIMITS): ReadResult {
  if (bytes.length > limits.maxBytes) return tooLarge(display, bytes.length, limits);
  // UTF-16 text is full of NUL bytes; saying so beats calling it binary.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, error: { path: display, line: 1, message: 'UTF-16 text; workflow files must be UTF-8' } };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { ok: false, error: { path: display, line: lineAt(bytes, nul), message: 'binary data (NUL byte), not a YAML file' } };
  }
  try {
    // The BOM is dropped here, once; a second U+FEFF would be content.
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return { ok: false, error: { path: display, line: lineAt(bytes, bad), message: `invalid UTF-8 at byte ${bad}` } };
  }
}

function tooLarge(display: string, size: number, limits: ReadLimits): ReadResult {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return { ok: false, error: { path: display, line: 0, message: `file is ${mb(size)}, over the ${mb(limits.maxBytes)} limit for workflow files (--max-file-size)` } };
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Offset of the first byte that is not well-formed UTF-8, by the same rules as `TextDecoder`:
 * no overlong forms (C0, C1, E0 80–9F, F0 80–8F), no surrogates (ED A0–BF), nothing past
 * U+10FFFF (F4 90+, F5–FF). A looser check pointed past such bytes, at the wrong line.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (byte >= 0xc2 && byte <= 0xdf) length = 2;
    else if (byte >= 0xe0 && byte <= 0xef) {
      length = 3;
      if (byte === 0xe0) low = 0xa0;
      if (byte === 0xed) high = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      length = 4;
      if (byte === 0xf0) low = 0x90;
      if (byte === 0xf4) high = 0x8f;
    } else return i;
    for (let j = 1; j < length; j++) {
      const next = bytes[i + j];
      if (next === undefined) return i;
      if (j === 1 ? next < low || next > high : next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return i;
}
