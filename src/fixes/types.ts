/**
 * Fixes, ESLint-style: a rule attaches a `Fix` to the finding it reports; `cordon fix` applies
 * the text edits of the fixes it is allowed to, re-parses and re-audits the result. Edits are
 * byte ranges of the original text, so everything outside them stays as it was.
 */
export interface TextEdit {
  /** Offsets in the original file text (UTF-16 string indices, as the YAML spans use). */
  offset: number;
  endOffset: number;
  text: string;
}

/** What `resolveActionRef` found. */
export interface ResolvedActionRef {
  /** The full 40-hex commit SHA the ref points to now (annotated tags dereferenced). */
  sha: string;
  /**
   * The tag to keep in the `# v4.2.2` comment: the most specific version tag on that commit that
   * refines the ref written (`v4` → `v4.2.2`), else the ref itself when it is a tag.
   */
  tag?: string;
  /** What the written ref is: a tag, a branch (a moving target), or a commit. */
  kind?: 'tag' | 'branch' | 'commit';
}

/** What a fix may ask of the world: resolving an action tag to a commit, hashes from an index… */
export interface FixServices {
  /**
   * Resolves `owner/repo@ref` to a commit SHA and the most specific tag on that commit. `null`:
   * the repository has no such ref. Throws `FixUnavailableError` when it cannot be answered now
   * (`--offline` and not in the cache, API and git both unreachable).
   * Real implementation: `createFixServices()` in src/fixes/services.ts.
   */
  resolveActionRef?(owner: string, repo: string, ref: string): Promise<ResolvedActionRef | null>;
  /**
   * The edits that add `--hash=sha256:…` lines to a requirements file, from its package index
   * (`cordon lock hash`'s machinery). With `lines`, only the entries starting on those 1-based
   * lines; without, every entry, and it throws `FixUnavailableError` when some entry cannot be
   * hashed (hashing part of a file would make pip refuse all of it).
   */
  hashRequirements?(path: string, text: string, options?: { lines?: number[] }): Promise<TextEdit[]>;
  /**
   * The run accepts `unsafe` fixes (`--unsafe`). A `safe` fix that learns while computing its
   * edits that they would change behaviour (the "tag" `@v1` is a branch) applies only when this
   * is set, and otherwise throws `FixUnavailableError`.
   */
  allowUnsafe?: boolean;
}

/**
 * Thrown by `Fix.edits` when the fix cannot be made in this run; the message says why and reads
 * after "could not be fixed (…)" in the summary: "offline, not in cache", "not fixable offline:
 * an image digest needs a registry". Other errors are failures of the fix itself.
 */
export class FixUnavailableError extends Error {
  override readonly name = 'FixUnavailableError';
}

export interface Fix {
  /** One line for the summary: "pin tj-actions/changed-files@v45 to its commit". */
  title: string;
  /** `safe` keeps behaviour; `unsafe` may change what the workflow does and needs `--unsafe`. */
  safety: 'safe' | 'unsafe';
  /** What a person still has to do after the edit (e.g. the PyPI trusted publisher settings). */
  followUp?: string[];
  /**
   * A trusted publisher the index must know for the edited workflow to publish. `cordon fix`
   * prints the exact settings, with the repository's owner and name from `git remote get-url
   * origin` when it can read them (placeholders otherwise), and puts them in `--format json`.
   */
  trustedPublisher?: TrustedPublisherSettings;
  /** The edits, in the file the finding is in. May use services (network) to compute them. */
  edits(services: FixServices): Promise<TextEdit[]> | TextEdit[];
}

/** What to enter in a PyPI (or TestPyPI) trusted publisher for a GitHub Actions workflow. */
export interface TrustedPublisherSettings {
  index: 'pypi' | 'testpypi';
  /** The workflow file's name, as PyPI asks for it (`release.yml`, not its path). */
  workflow: string;
  /** The deployment environment the publishing job declares, if any. */
  environment?: string;
  /** The publishing job, for the summary. */
  job: string;
}
