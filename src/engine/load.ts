import { buildPipelineFile } from '../models/github/build.ts';
import { buildGitLabPipeline, parseGitLabYaml } from '../models/gitlab/build.ts';
import { GitLabInputError, type GitLabPipeline, type IncludeResolver } from '../models/gitlab/types.ts';
import type { CompositeAction, PipelineFile, Workflow } from '../models/github/types.ts';
import type { PlainFile, Repository } from '../models/repository.ts';
import { loadShellParser } from '../models/shell/parse.ts';
import { YamlFile, YamlInputError } from '../models/yaml/document.ts';
import type { InputError } from '../findings/finding.ts';
import { isDependencyInput, loadDependencies } from './dependencies.ts';

export interface AuditInput {
  /** Path as shown to users, relative to the scanned root. */
  path: string;
  text: string;
  /**
   * `gitlab`: a `.gitlab-ci.yml` (or `*.gitlab-ci.yml`) pipeline. `requirements`, `lockfile`,
   * `pyproject`, `dockerfile`: dependency files (`src/models/python`, `src/models/docker`); a
   * lockfile's format comes from its name (`poetry.lock`, `uv.lock`…).
   */
  kind: 'workflow' | 'action' | 'gitlab' | 'requirements' | 'lockfile' | 'pyproject' | 'dockerfile';
  /**
   * GitLab: reads the pipeline's local includes (the CLI reads them under the scanned root).
   * Requirements files: reads their `-r`/`-c` includes, by path relative to the scanned root.
   */
  includes?: IncludeResolver;
}

export interface LoadOptions {
  /** Repository files that are not pipelines (CODEOWNERS). */
  codeowners?: PlainFile;
  /** The inputs came from walking a `.github/workflows` folder. */
  scannedWorkflowFolder?: boolean;
}

/** Parses every input into its model; inputs that cannot be read become errors. */
export async function loadRepository(inputs: readonly AuditInput[], options: LoadOptions = {}): Promise<{ files: PipelineFile[]; repository: Repository; errors: InputError[] }> {
  await loadShellParser();
  const files: PipelineFile[] = [];
  const errors: InputError[] = [];
  const dependencyInputs: AuditInput[] = [];
  for (const input of inputs) {
    if (isDependencyInput(input)) {
      dependencyInputs.push(input);
      continue;
    }
    try {
      if (input.kind === 'gitlab') {
        const pipeline = await buildGitLabPipeline(input.path, parseGitLabYaml(input.text), { resolver: input.includes });
        files.push(pipeline);
        // Problems confined to one part of the pipeline (a missing include, a cyclic `extends:`).
        for (const problem of pipeline.errors) errors.push(toInputError(problem.path, problem));
      } else files.push(buildPipelineFile(input.path, YamlFile.parse(input.text), input.kind as 'workflow' | 'action'));
    } catch (error) {
      if (error instanceof GitLabInputError) {
        errors.push(toInputError(error.path, error));
        continue;
      }
      errors.push(toInputError(input.path, error));
    }
  }
  const repository: Repository = {
    workflows: files.filter((file): file is Workflow => file.kind === 'workflow'),
    actions: files.filter((file): file is CompositeAction => file.kind === 'action'),
    gitlabPipelines: files.filter((file): file is GitLabPipeline => file.kind === 'gitlab'),
    codeowners: options.codeowners,
    scannedWorkflowFolder: options.scannedWorkflowFolder ?? false,
    dependencies: await loadDependencies(dependencyInputs, errors),
  };
  return { files, repository, errors };
}

export function toInputError(path: string, error: unknown): InputError {
  if (error instanceof YamlInputError) return { path, line: error.line, message: error.message };
  if (error instanceof RangeError) return { path, line: 1, message: 'input is too deeply nested to read' };
  const message = error instanceof Error ? error.message : String(error);
  return { path, line: 1, message: `internal error while auditing: ${message}` };
}
