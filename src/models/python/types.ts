import type { Span } from '../yaml/document.ts';

/** A file hash as a lock or requirements file records it. */
export interface FileHash {
  algorithm: string;
  /** Lower-case hex digest. */
  digest: string;
  /** The distribution file it belongs to, when the format says (poetry, uv, pylock, pdm). */
  filename?: string;
  span?: Span;
}

/** One package pinned by a lock-like file (a lockfile, or a requirements file with `==`). */
export interface LockedPackage {
  /** Name as written. */
  name: string;
  /** PEP 503 normalized name. */
  normalizedName: string;
  /** Exact version, when pinned (`==1.2.3`, or the lock's version field). */
  version?: string;
  hashes: FileHash[];
  /** Where the entry is written. */
  span: Span;
  /** Index URL the lock names for this package, if any. */
  index?: string;
  /** Not from an index: VCS, URL, local path or editable. */
  direct?: { kind: 'vcs' | 'url' | 'path' | 'editable'; url: string };
  /** PEP 508 marker text, if any. */
  marker?: string;
  /**
   * Distribution files the entry lists without a hash (file name or URL). Lockfiles only: a
   * requirements line has no file list.
   */
  unhashedFiles?: string[];
}

export type LockFormat = 'requirements' | 'poetry' | 'uv' | 'pipfile' | 'pdm' | 'pylock';

export interface LockFile {
  format: LockFormat;
  path: string;
  /** Format version as written (`lock-version`, `version`, `_meta.pipfile-spec`…). */
  formatVersion?: string;
  packages: LockedPackage[];
  /** Where the format version is written, when it is. */
  formatVersionSpan?: Span;
}
