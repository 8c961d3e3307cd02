import type { CompositeAction, Workflow } from './github/types.ts';
import type { GitLabPipeline } from './gitlab/types.ts';
import type { DependencyFiles } from './python/dependency-files.ts';

/** A file that is not a pipeline but that rules read (CODEOWNERS…), kept as plain text. */
export interface PlainFile {
  path: string;
  text: string;
}

/**
 * Everything read from one scanned root. Rules that reason across files (which workflow can
 * write a cache another restores, who reviews workflow changes) look at this.
 */
export interface Repository {
  workflows: Workflow[];
  actions: CompositeAction[];
  /** GitLab CI pipelines (each with its local includes). */
  gitlabPipelines: GitLabPipeline[];
  /** The CODEOWNERS file GitHub would use (`.github/`, root, then `docs/`), if any. */
  codeowners?: PlainFile;
  /** The scan covered a `.github/workflows` folder (not just loose files or stdin). */
  scannedWorkflowFolder: boolean;
  /** Requirements files, lockfiles, pyproject.toml files and Dockerfiles of the scan. */
  dependencies?: DependencyFiles;
}
