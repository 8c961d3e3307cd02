import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputError } from '../../findings/finding.ts';
import { DependencyFileError } from '../../models/python/errors.ts';
import { lockFormatOf, parseLockFile } from '../../models/python/lockfiles.ts';
import type { LockFile, LockFormat } from '../../models/python/types.ts';
import { displayPath } from '../../sources/files.ts';
import type { LockInput } from './verify.ts';

/**
 * Finds lock-like files below a folder: poetry.lock, uv.lock, Pipfile.lock, pdm.lock,
 * pylock.toml / pylock.*.toml, and requirements files (`requirements*.txt`, `*-requirements.txt`,
 * `constraints*.txt`, `*.txt` in a `requirements/` folder) that pin something with `==` or carry
 * hashes. Virtual environments, VCS folders, caches and build output are skipped.
 */

export const MAX_LOCK_BYTES = 32 * 1024 * 1024;
const MAX_DEPTH = 8;
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'site-packages', 'dist', 'build', 'venv', 'env', '.venv', '.tox', '.nox']);

export interface DiscoveredLocks {
  inputs: LockInput[];
  errors: InputError[];
  /** Absolute folder paths are relative to. */
  root: string;
}

export function isRequirementsName(file: string): boolean {
  const base = path.basename(file);
  if (!/\.(txt|in)$/i.test(base)) return false;
  if (/\.in$/i.test(base)) return false;
  if (/^(requirements|constraints)([-_.].*)?\.txt$/i.test(base) || /[-_.]requirements\.txt$/i.test(base)) return true;
  const parent = path.basename(path.dirname(file)).toLowerCase();
  return parent === 'requirements' || parent === 'reqs';
}

function formatOf(file: string): LockFormat | undefined {
  return lockFormatOf(file) ?? (isRequirementsName(file) ? 'requirements' : undefined);
}

/** Collects lock files from PATH arguments (folders are searched, files are read as given). */
export async function discoverLocks(paths: string[], cwd: string): Promise<DiscoveredLocks> {
  const targets = paths.length > 0 ? paths : ['.'];
  const firstDir = await firstDirectory(targets, cwd);
  const root = firstDir ?? cwd;
  const inputs: LockInput[] = [];
  const errors: InputError[] = [];
  const display = (absolute: string) => displayPath(absolute, root);
  const seen = new Set<string>();
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      errors.push({ path: target, line: 1, message: 'no such file or directory' });
      continue;
    }
    if (info.isDirectory()) {
      for (const file of await walk(absolute, 0)) {
        if (seen.has(file)) continue;
        seen.add(file);
        await readOne(file, formatOf(file)!, display(file), true, inputs, errors);
      }
    } else if (!seen.has(absolute)) {
      seen.add(absolute);
      await readOne(absolute, formatOf(absolute) ?? 'requirements', display(absolute), false, inputs, errors);
    }
  }
  return { inputs, errors, root };
}

async function firstDirectory(targets: string[], cwd: string): Promise<string | undefined> {
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    try {
      if ((await stat(absolute)).isDirectory()) return absolute;
    } catch {
      // reported later
    }
  }
  return undefined;
}

async function walk(directory: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  if (entries.some((entry) => entry.name === 'pyvenv.cfg')) return [];
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (depth < MAX_DEPTH && !entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name)) files.push(...(await walk(full, depth + 1)));
    } else if (entry.isFile() && formatOf(full)) files.push(full);
  }
  return files;
}

async function readOne(file: string, format: LockFormat, shown: string, discovered: boolean, inputs: LockInput[], errors: InputError[]): Promise<void> {
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > MAX_LOCK_BYTES) {
      errors.push({ path: shown, line: 1, message: `file of ${info.size} bytes is over the ${MAX_LOCK_BYTES}-byte limit` });
      return;
    }
    const bytes = await readFile(file);
    if (bytes.includes(0)) {
      errors.push({ path: shown, line: 1, message: 'binary file (NUL bytes)' });
      return;
    }
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    errors.push({ path: shown, line: 1, message: error instanceof TypeError ? 'not valid UTF-8' : (error as Error).message });
    return;
  }
  let lock: LockFile;
  try {
    lock = parseLockFile(shown, text, format);
  } catch (error) {
    if (error instanceof DependencyFileError) {
      errors.push({ path: shown, line: error.line, message: error.message });
      return;
    }
    throw error;
  }
  // A discovered requirements file counts only when it pins something (a lock, not a wish list).
  if (discovered && format === 'requirements' && !lock.packages.some((pkg) => pkg.version || pkg.hashes.length > 0)) return;
  inputs.push({ lock, path: shown, text });
}
