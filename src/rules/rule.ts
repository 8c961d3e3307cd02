import type { CompositeAction, Job, PipelineFile, Step, Workflow } from '../models/github/types.ts';
import type { GitLabJob, GitLabPipeline } from '../models/gitlab/types.ts';
import type { Repository } from '../models/repository.ts';
import type { Dockerfile } from '../models/docker/dockerfile.ts';
import type { LockFileModel } from '../models/python/dependency-files.ts';
import type { RequirementsFile } from '../models/python/requirements.ts';
import type { Confidence, FindingDraft, Severity } from '../findings/finding.ts';

export interface RuleDocs {
  /** Why it matters, in terms of PyPI's and GitHub's documented rules. */
  why: string;
  /** A YAML snippet that triggers the rule. */
  example: string;
  /** How to fix it, with a corrected snippet where it helps. */
  fix: string;
  /** Primary sources for the risk the rule states. */
  references: string[];
  /** Options under `rules.<id>.config`, documented for people. */
  options?: string;
}

export interface RuleMeta {
  id: string;
  summary: string;
  severity: Severity;
  confidence: Confidence;
  docs: RuleDocs;
  /** JSON Schema for `rules.<id>.config`; the engine validates config against it. */
  configSchema?: Record<string, unknown>;
}

/** Where a step sits: in a workflow job, or in a composite action. */
export type StepScope = { kind: 'job'; workflow: Workflow; job: Job } | { kind: 'action'; action: CompositeAction };

export interface RuleContext<Config = Record<string, unknown>> {
  /** The file being walked; undefined in the `repository` hook. */
  file?: PipelineFile;
  config: Config;
  /** In the `repository` hook a draft must name its `path`. */
  report(draft: FindingDraft): void;
}

/**
 * A rule is a module: its `meta`, and hooks at the level it cares about. The engine walks the
 * model and calls each hook; a rule that only cares about steps writes only `step`.
 */
export interface Rule<Config = Record<string, unknown>> {
  meta: RuleMeta;
  workflow?(workflow: Workflow, context: RuleContext<Config>): void;
  job?(job: Job, workflow: Workflow, context: RuleContext<Config>): void;
  step?(step: Step, scope: StepScope, context: RuleContext<Config>): void;
  action?(action: CompositeAction, context: RuleContext<Config>): void;
  /** A GitLab CI pipeline (`.gitlab-ci.yml` with its local includes merged). */
  gitlabPipeline?(pipeline: GitLabPipeline, context: RuleContext<Config>): void;
  /**
   * Each job of a GitLab pipeline that can run (hidden `.templates` are not; their keys reach the
   * jobs that extend them). Spans name their file, so a finding lands in the include it is in.
   */
  gitlabJob?(job: GitLabJob, pipeline: GitLabPipeline, context: RuleContext<Config>): void;
  /**
   * Each requirements file of the scan (`*requirements*.txt`, `requirements/*.txt`,
   * `*constraints*.txt`), and each file one of them includes with `-r`/`-c`.
   */
  requirements?(file: RequirementsFile, context: RuleContext<Config>): void;
  /** Each lockfile: `poetry.lock`, `uv.lock`, `Pipfile.lock`, `pdm.lock`, `pylock.toml`. */
  lockfile?(lock: LockFileModel, context: RuleContext<Config>): void;
  /** Each Dockerfile or Containerfile. */
  dockerfile?(file: Dockerfile, context: RuleContext<Config>): void;
  /** Once per scan, after the per-file hooks, for rules that reason across files. */
  repository?(repository: Repository, context: RuleContext<Config>): void;
}

export function defineRule<Config = Record<string, unknown>>(rule: Rule<Config>): Rule<Config> {
  return rule;
}
