import type { Span, YamlFile } from '../yaml/document.ts';
import { YamlInputError } from '../yaml/document.ts';
import type { ShellScript } from '../shell/types.ts';

/**
 * A span that also says which file it lies in. A GitLab pipeline is assembled from several files
 * (`include: local`), and a job's keys can come from a template in another file (`extends:`,
 * `!reference`), so every location of the model carries its file. The engine reports a finding in
 * the file its span names.
 */
export interface SourceSpan extends Span {
  path: string;
}

export interface Located<T> {
  value: T;
  span: SourceSpan;
}

/** One YAML file of the pipeline: the root `.gitlab-ci.yml` or a local include. */
export interface GitLabSource {
  path: string;
  yaml: YamlFile;
  /** The `include:` entry that brought the file in (undefined for the root file). */
  includedAt?: SourceSpan;
}

/** A problem in one place of the pipeline (bad include, cyclic `extends`, unknown `!reference`). */
export class GitLabInputError extends YamlInputError {
  constructor(
    message: string,
    line: number,
    column: number,
    readonly path: string,
  ) {
    super(message, line, column);
  }
}

export type IncludeKind = 'local' | 'project' | 'remote' | 'template' | 'component';

export interface GitLabInclude {
  kind: IncludeKind;
  /** Local path, `group/project`, URL, template name or component address, as written. */
  target: string;
  span: SourceSpan;
  /** `project:` includes: the files read from the other project. */
  files: Located<string>[];
  /** `project:` `ref:`, or the version after `@` of a `component:`. Undefined: the default branch (project) or none. */
  ref?: Located<string>;
  /** Local includes: the files it resolved to (display paths). */
  resolved: string[];
  /** The file that holds this `include:`. */
  path: string;
}

export interface GitLabVariable {
  name: string;
  /** The value as written (`value:` of the long form), or '' for a map without one. */
  value: string;
  nameSpan: SourceSpan;
  span: SourceSpan;
  /** Variables the value expands (`$VAR`, `${VAR}`); empty when `expand: false`. */
  references: string[];
  expand: boolean;
  level: 'global' | 'job';
}

export interface IdToken {
  /** The variable the JWT is exposed as (`PYPI_ID_TOKEN`). */
  name: string;
  nameSpan: SourceSpan;
  span: SourceSpan;
  audiences: Located<string>[];
  /** Written under `default:` (every job without its own `id_tokens` gets it). */
  fromDefault: boolean;
}

export interface GitLabSecret {
  /** The variable the secret is exposed as. */
  name: string;
  nameSpan: SourceSpan;
  span: SourceSpan;
  provider: 'vault' | 'azure_key_vault' | 'gcp_secret_manager' | 'akeyless' | 'aws_secrets_manager' | 'unknown';
  /** `token: $ID_TOKEN` names the ID token used to authenticate. */
  token?: Located<string>;
}

export interface ScriptLine {
  /** The command text of one list item (may span several lines for `- |` blocks). */
  text: string;
  span: SourceSpan;
  section: 'before_script' | 'script' | 'after_script';
}

/** Lines run by one shell: `before_script` + `script`, or `after_script` on its own. */
export interface GitLabScript {
  lines: ScriptLine[];
  /** The lines joined by newlines, as the runner feeds them to the shell. */
  text: string;
  /** Parsed lazily; command spans point into the file each line came from. */
  parsed(): ShellScript;
}

export interface GitLabRule {
  span: SourceSpan;
  if?: Located<string>;
  when?: Located<string>;
  changes: Located<string>[];
  exists: Located<string>[];
  variables: GitLabVariable[];
}

/** `only:` / `except:` in either form (a list of refs, or `refs`/`variables`/`changes`/`kubernetes`). */
export interface RefPolicy {
  span: SourceSpan;
  refs: Located<string>[];
  variables: Located<string>[];
  changes: Located<string>[];
}

export interface GitLabEnvironment {
  name: string;
  span: SourceSpan;
  url?: string;
  deploymentTier?: string;
  action?: string;
}

export interface GitLabImage {
  name: string;
  span: SourceSpan;
  /** Where it was written: the job (or a template it extends), `default:`, or the old top level. */
  level: 'job' | 'default' | 'global';
}

export interface GitLabNeed {
  job: string;
  span: SourceSpan;
  project?: string;
  artifacts: boolean;
}

export interface GitLabTrigger {
  span: SourceSpan;
  project?: Located<string>;
  branch?: Located<string>;
  include: Located<string>[];
}

export interface GitLabInherit {
  /** `true`: every default keyword; `false`: none; a list: those keywords. */
  default: boolean | string[];
  variables: boolean | string[];
}

export interface GitLabJob {
  name: string;
  nameSpan: SourceSpan;
  /** The job's mapping in the file where it is written (after includes, the last definition). */
  span: SourceSpan;
  /** File the job is written in. */
  path: string;
  /** `.name`: a template that never runs by itself. */
  hidden: boolean;
  stage: Located<string>;
  /** `extends:` as written, and every template merged into the job, nearest last. */
  extends: Located<string>[];
  extendsChain: string[];
  image?: GitLabImage;
  services: GitLabImage[];
  /** `before_script` + `script` (one shell), then `after_script` (a shell of its own). */
  script: GitLabScript;
  afterScript: GitLabScript;
  /** The job's own `variables:` (after `extends:`); see `inheritedVariables` for the global ones. */
  variables: GitLabVariable[];
  /** Global variables the job receives (respecting `inherit: variables`). */
  inheritedVariables: GitLabVariable[];
  rules?: GitLabRule[];
  rulesSpan?: SourceSpan;
  only?: RefPolicy;
  except?: RefPolicy;
  when?: Located<string>;
  environment?: GitLabEnvironment;
  /** Effective ID tokens: the job's own, else `default: id_tokens` (unless not inherited). */
  idTokens: IdToken[];
  secrets: GitLabSecret[];
  needs: GitLabNeed[];
  dependencies: Located<string>[];
  tags: Located<string>[];
  trigger?: GitLabTrigger;
  inherit: GitLabInherit;
}

export interface GitLabDefaults {
  span?: SourceSpan;
  image?: GitLabImage;
  services: GitLabImage[];
  beforeScript: ScriptLine[];
  afterScript: ScriptLine[];
  idTokens: IdToken[];
  tags: Located<string>[];
}

export interface GitLabWorkflow {
  span: SourceSpan;
  name?: Located<string>;
  rules?: GitLabRule[];
}

export interface GitLabPipeline {
  kind: 'gitlab';
  path: string;
  /** The root file, kept whole for later comment-preserving fixes. */
  yaml: YamlFile;
  /** Every file read: the root first, then local includes in the order GitLab merges them. */
  sources: GitLabSource[];
  includes: GitLabInclude[];
  stages: Located<string>[];
  variables: GitLabVariable[];
  default: GitLabDefaults;
  workflow?: GitLabWorkflow;
  /** Every job, hidden templates included, in the order of the merged configuration. */
  jobs: GitLabJob[];
  /** Problems that did not stop the model: the affected part is left out, the rest is modelled. */
  errors: GitLabInputError[];
}

/** Reads a local include; returns its display path and text, or why it cannot be read. */
export type IncludeReadResult = { ok: true; path: string; text: string } | { ok: false; message: string };

/**
 * How the builder reaches other files of the repository. IO stays with the caller (the CLI reads
 * files under the scanned root); without a resolver every local include is an error.
 */
export interface IncludeResolver {
  /** `path` as written in `include: local:` (leading `/` optional), relative to the repository root. */
  read(path: string): Promise<IncludeReadResult> | IncludeReadResult;
  /** Paths matching a wildcard include (`configs/*.yml`, `**`); optional. */
  glob?(pattern: string): Promise<string[]> | string[];
}
