import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputError } from '../../findings/finding.ts';
import { displayPath } from '../files.ts';

/**
 * What `cordon logs` was pointed at: log files, folders of them (an extracted run-log archive),
 * `.zip` archives as GitHub serves them, and `-` for standard input. A file is a zip when it
 * starts with a zip signature, whatever its name.
 */

export type LogInput =
  | { kind: 'file'; absolute: string; display: string }
  | { kind: 'zip'; absolute: string; display: string }
  | { kind: 'stdin'; display: '<stdin>' };

const LOG_FILE = /\.(txt|log|zip)$/i;
const SKIP_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '__pycache__']);
/** Our own output: redacted copies are not rescanned when their folder is walked. */
const REDACTED = /\.redacted(\.[^.\\/]+)?$/i;

export async function discoverLogInputs(paths: readonly string[], cwd: string): Promise<{ inputs: LogInput[]; errors: InputError[] }> {
  const inputs: LogInput[] = [];
  const errors: InputError[] = [];
  const seen = new Set<string>();
  for (const item of paths) {
    if (item === '-') {
      if (!seen.has('-')) inputs.push({ kind: 'stdin', display: '<stdin>' });
      seen.add('-');
      continue;
    }
    const absolute = path.resolve(cwd, item);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      errors.push({ path: item, line: 0, message: 'no such file or directory' });
      continue;
    }
    const files = info.isDirectory() ? await walk(absolute) : [absolute];
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      const display = displayPath(file, cwd);
      inputs.push({ kind: (await isZip(file)) ? 'zip' : 'file', absolute: file, display });
    }
  }
  return { inputs, errors };
}

async function walk(directory: string): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return found;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (SKIP_DIRECTORIES.has(entry.name) || REDACTED.test(entry.name)) continue;
      found.push(...(await walk(full)));
    } else if (entry.isFile() && LOG_FILE.test(entry.name) && !REDACTED.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}

/** `PK\x03\x04` (an archive) or `PK\x05\x06` (an empty one). */
export async function isZip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return bytesRead === 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && ((buffer[2] === 3 && buffer[3] === 4) || (buffer[2] === 5 && buffer[3] === 6));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
