import type { Span } from '../yaml/document.ts';
import type { YamlFile } from '../yaml/document.ts';
import type { ShellScript } from '../shell/types.ts';
import type { Expression } from './expressions.ts';
import type { GitLabPipeline } from '../gitlab/types.ts';

/** A value together with where it was written. */
export interface Located<T> {
  value: T;
  span: Span;
}

/** Route from the document root, e.g. ['jobs', 'publish', 'steps', 2, 'run']; fixes and ignores use it. */
export type Route = Array<string | number>;

export interface Trigger {
  event: string;
  span: Span;
  branches?: Located<string>[];
  branchesIgnore?: Located<string>[];
  tags?: Located<string>[];
  tagsIgnore?: Located<string>[];
  paths?: Located<string>[];
  types?: Located<string>[];
  /** workflow_dispatch / workflow_call inputs, by name. */
  inputs?: Located<string>[];
  /** workflow_run: the workflows it follows. */
  workflows?: Located<string>[];
}

export type PermissionLevel = 'read' | 'write' | 'none';

export interface Permissions {
  /** `read-all`, `write-all`, `{}` (none) or an explicit map of scopes. */
  kind: 'read-all' | 'write-all' | 'none' | 'map' | 'expression';
  scopes: Map<string, Located<PermissionLevel>>;
  span: Span;
  route: Route;
}

export interface EnvEntry {
  name: string;
  value: string;
  nameSpan: Span;
  span: Span;
  expressions: Expression[];
  route: Route;
}

export interface Input {
  name: string;
  value: string;
  nameSpan: Span;
  span: Span;
  expressions: Expression[];
  route: Route;
}

export type UsesKind = 'action' | 'local' | 'docker' | 'reusable-workflow' | 'local-reusable-workflow';

export interface UsesRef {
  raw: string;
  span: Span;
  kind: UsesKind;
  /** owner/repo for remote actions and workflows, lower-cased for matching. */
  slug?: string;
  owner?: string;
  repo?: string;
  /** Sub-path inside the repository (`github/codeql-action/init` → `init`). */
  path?: string;
  ref?: string;
  /** docker://image[:tag][@digest] */
  image?: string;
  digest?: string;
}

export interface RunScript {
  text: string;
  span: Span;
  /** Where the script text begins in the file; shell spans are mapped from here. */
  shell: string;
  /** True when `shell:` is explicitly set on the step or through `defaults.run.shell`. */
  shellExplicit: boolean;
  shellSpan?: Span;
  expressions: Expression[];
  /** Parsed lazily: most rules never ask. */
  parsed(): ShellScript;
}

export interface Step {
  index: number;
  id?: string;
  name?: string;
  span: Span;
  route: Route;
  uses?: UsesRef;
  run?: RunScript;
  with: Input[];
  env: EnvEntry[];
  if?: Located<string>;
  /** Expressions anywhere in the step (name, if, with, env, run...). */
  expressions: Expression[];
}

export interface Environment {
  name: string;
  span: Span;
  url?: string;
}

export interface Job {
  id: string;
  idSpan: Span;
  span: Span;
  route: Route;
  name?: string;
  runsOn: Located<string>[];
  permissions?: Permissions;
  env: EnvEntry[];
  environment?: Environment;
  needs: Located<string>[];
  if?: Located<string>;
  steps: Step[];
  /** Reusable-workflow call (`uses:` at job level). */
  uses?: UsesRef;
  with: Input[];
  secretsInherit?: Span;
  secrets: Input[];
  container?: Located<string>;
  services: Located<string>[];
  hasMatrix: boolean;
  defaultShell?: Located<string>;
  /** Expressions at job level (if, env, with, secrets, strategy, container, ...), not inside steps. */
  expressions: Expression[];
}

export interface Workflow {
  kind: 'workflow';
  path: string;
  yaml: YamlFile;
  name?: string;
  triggers: Trigger[];
  triggersSpan: Span;
  permissions?: Permissions;
  env: EnvEntry[];
  defaultShell?: Located<string>;
  jobs: Job[];
  /** Expressions at workflow level (env, run-name, concurrency...). */
  expressions: Expression[];
}

export interface CompositeAction {
  kind: 'action';
  path: string;
  yaml: YamlFile;
  name?: string;
  using: string;
  usingSpan: Span;
  inputs: Located<string>[];
  steps: Step[];
  /** `runs.image` for docker actions. */
  image?: UsesRef;
  /** Expressions outside the steps: `runs` (docker args, env, pre-if...), outputs, input defaults. */
  expressions: Expression[];
}

/** A GitHub workflow or composite action. */
export type GitHubFile = Workflow | CompositeAction;

/** Every kind of file the engine audits. */
export type PipelineFile = GitHubFile | GitLabPipeline;
