import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { IncludeReadResult, IncludeResolver } from '../models/gitlab/types.ts';
import { DEFAULT_LIMITS, displayPath, readCandidate, type ReadLimits } from './files.ts';

const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', '.tox', '.nox', '__pycache__']);
/** A wildcard include is expanded over at most this many files of the repository. */
const MAX_WALKED_FILES = 20_000;

/**
 * Reads a GitLab pipeline's `include: local` files from the repository on disk. Paths are
 * relative to `repositoryRoot` (a leading `/` means the same); nothing outside it is read. Display
 * paths are relative to `displayRoot`, like every other path cordon prints.
 */
export function localIncludeResolver(repositoryRoot: string, displayRoot: string, limits: ReadLimits = DEFAULT_LIMITS): IncludeResolver {
  const root = path.resolve(repositoryRoot);
  const display = (absolute: string): string => displayPath(absolute, displayRoot);
  const inside = (target: string): string | null => {
    const absolute = path.resolve(root, target.replace(/^\/+/, ''));
    const relative = path.relative(root, absolute);
    return relative.startsWith('..') || path.isAbsolute(relative) ? null : absolute;
  };
  return {
    async read(target: string): Promise<IncludeReadResult> {
      const absolute = inside(target);
      if (!absolute) return { ok: false, message: 'the path leaves the repository' };
      const shown = display(absolute);
      const read = await readCandidate({ absolute, display: shown }, limits);
      if (!read.ok) return { ok: false, message: read.error.message.replace(/^cannot read: ENOENT.*$/, 'no such file in the repository') };
      return { ok: true, path: shown, text: read.text };
    },
    async glob(pattern: string): Promise<string[]> {
      const matcher = wildcard(pattern.replace(/^\/+/, ''));
      const found: string[] = [];
      let walked = 0;
      const visit = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
          if (++walked > MAX_WALKED_FILES) return;
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!SKIP.has(entry.name)) await visit(full);
          } else if (entry.isFile() && matcher.test(path.relative(root, full).split(path.sep).join('/'))) {
            found.push(path.relative(root, full).split(path.sep).join('/'));
          }
        }
      };
      await visit(root);
      return found;
    },
  };
}

/** GitLab's include wildcards: `*` within one folder, `**` across folders. */
/** A GitLab `include:` wildcard (`*` within a folder, `**` across folders) as a regular expression. */
export function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
