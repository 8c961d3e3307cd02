import { YamlFile, YamlInputError, type Span } from '../yaml/document.ts';
import { scalarOffsetMapper } from '../yaml/scalar-map.ts';
import { parseShell } from '../shell/parse.ts';
import type { ShellScript } from '../shell/types.ts';
import {
  GITLAB_YAML_TAGS,
  deepMerge,
  flatten,
  resolveReferences,
  scalarText,
  sourceSpan,
  toConfig,
  withoutKeys,
  type ConfigMap,
  type ConfigNode,
  type ConfigScalar,
} from './config.ts';
import {
  GitLabInputError,
  type GitLabDefaults,
  type GitLabEnvironment,
  type GitLabImage,
  type GitLabInclude,
  type GitLabInherit,
  type GitLabJob,
  type GitLabNeed,
  type GitLabPipeline,
  type GitLabRule,
  type GitLabScript,
  type GitLabSecret,
  type GitLabSource,
  type GitLabTrigger,
  type GitLabVariable,
  type GitLabWorkflow,
  type IdToken,
  type IncludeResolver,
  type Located,
  type RefPolicy,
  type ScriptLine,
  type SourceSpan,
} from './types.ts';

export interface GitLabBuildOptions {
  /** Reads local includes; without it each `include: local` is reported as an error. */
  resolver?: IncludeResolver;
}

/** Top-level keys that are not jobs. */
const RESERVED = new Set(['default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'before_script', 'after_script', 'cache', 'types', 'spec']);
/** Keywords a job takes from `default:` when it does not set them (those the model reads). */
const DEFAULT_KEYWORDS = ['image', 'services', 'before_script', 'after_script', 'id_tokens', 'tags'] as const;
/** GitLab's limits: 150 included files, `extends:` 11 levels deep. */
const MAX_INCLUDES = 150;
const MAX_EXTENDS_DEPTH = 11;

/** Parses a GitLab CI file with the `!reference` tag configured. */
export function parseGitLabYaml(text: string): YamlFile {
  return YamlFile.parse(text, { customTags: GITLAB_YAML_TAGS });
}

/**
 * Builds the typed model of a `.gitlab-ci.yml`: local includes read through `options.resolver`
 * and merged, `extends:` and `!reference` resolved, defaults applied. Problems confined to one
 * part (a missing include, a cyclic `extends`) are collected in `errors` and the rest is still
 * modelled; a root that is not a mapping is refused with a `YamlInputError`.
 */
export async function buildGitLabPipeline(path: string, yaml: YamlFile, options: GitLabBuildOptions = {}): Promise<GitLabPipeline> {
  const root = yaml.root;
  const rootSource: GitLabSource = { path, yaml };
  const errors: GitLabInputError[] = [];
  const config = root ? toConfig(rootSource, root, errors) : null;
  if (!config || config.kind !== 'map') {
    throw new YamlInputError('not a GitLab CI configuration: the document is not a mapping', yaml.span(root).start.line);
  }
  const loader = new IncludeLoader(options.resolver, errors);
  const files = await loader.load(rootSource, config);
  let merged: ConfigMap = { ...config, entries: new Map() };
  for (const file of files) merged = deepMerge(merged, withoutKeys(file.config, ['include'])) as ConfigMap;
  return new Builder(path, yaml, loader.sources, loader.includes, errors).build(merged);
}

interface LoadedFile {
  source: GitLabSource;
  config: ConfigMap;
}

class IncludeLoader {
  readonly sources: GitLabSource[] = [];
  readonly includes: GitLabInclude[] = [];
  private readonly loaded = new Set<string>();

  constructor(
    private readonly resolver: IncludeResolver | undefined,
    private readonly errors: GitLabInputError[],
  ) {}

  /** The files of the pipeline in GitLab's merge order: each file's includes, then the file. */
  async load(source: GitLabSource, config: ConfigMap, stack: string[] = []): Promise<LoadedFile[]> {
    this.sources.push(source);
    this.loaded.add(normalize(source.path));
    const ordered: LoadedFile[] = [];
    for (const include of this.parseIncludes(config)) {
      this.includes.push(include);
      if (include.kind !== 'local') continue;
      for (const target of await this.expand(include)) {
        const key = normalize(target);
        if ([...stack, normalize(source.path)].includes(key)) {
          this.error(`include cycle: \`${target}\` includes itself`, include.span);
          continue;
        }
        if (this.loaded.has(key)) continue; // GitLab reads a file included twice once
        if (this.sources.length >= MAX_INCLUDES) {
          this.error(`more than ${MAX_INCLUDES} included files; GitLab refuses the pipeline`, include.span);
          return ordered;
        }
        const file = await this.read(target, include);
        if (!file) continue;
        include.resolved.push(file.source.path);
        ordered.push(...(await this.load(file.source, file.config, [...stack, normalize(source.path)])));
      }
    }
    ordered.push({ source, config });
    return ordered;
  }

  private async expand(include: GitLabInclude): Promise<string[]> {
    if (!include.target.includes('*')) return [include.target];
    if (!this.resolver?.glob) {
      this.error(`cannot expand the wildcard include \`${include.target}\` without the repository`, include.span);
      return [];
    }
    const matches = await this.resolver.glob(include.target);
    if (matches.length === 0) this.error(`wildcard include \`${include.target}\` matches no file`, include.span);
    return matches;
  }

  private async read(target: string, include: GitLabInclude): Promise<LoadedFile | null> {
    if (!/\.ya?ml$/i.test(target)) {
      this.error(`included file \`${target}\` must be a .yml or .yaml file`, include.span);
      return null;
    }
    if (!this.resolver) {
      this.error(`local include \`${target}\` cannot be read here (no repository to read it from)`, include.span);
      return null;
    }
    const result = await this.resolver.read(target);
    if (!result.ok) {
      this.error(`local include \`${target}\`: ${result.message}`, include.span);
      return null;
    }
    let yaml: YamlFile;
    try {
      yaml = parseGitLabYaml(result.text);
    } catch (error) {
      if (error instanceof YamlInputError) {
        this.errors.push(new GitLabInputError(error.message, error.line, error.column, result.path));
        return null;
      }
      throw error;
    }
    const source: GitLabSource = { path: result.path, yaml, includedAt: include.span };
    const config = yaml.root ? toConfig(source, yaml.root, this.errors) : null;
    if (!config || config.kind !== 'map') {
      this.error(`included file \`${result.path}\` is not a mapping of jobs and keywords`, include.span);
      return null;
    }
    return { source, config };
  }

  private parseIncludes(config: ConfigMap): GitLabInclude[] {
    const entry = config.entries.get('include');
    if (!entry) return [];
    const items = entry.value.kind === 'seq' ? entry.value.items : [entry.value];
    const found: GitLabInclude[] = [];
    for (const item of items) {
      const include = this.parseInclude(item);
      if (include) found.push(include);
    }
    return found;
  }

  private parseInclude(node: ConfigNode): GitLabInclude | null {
    const base = { span: node.span, files: [] as Located<string>[], resolved: [] as string[], path: node.span.path };
    if (node.kind === 'scalar') {
      const text = scalarText(node) ?? '';
      if (/^https?:\/\//i.test(text)) return { ...base, kind: 'remote', target: text };
      return { ...base, kind: 'local', target: text.replace(/^\/+/, '') };
    }
    if (node.kind !== 'map') {
      this.error('`include:` entries are file paths, URLs or mappings', node.span);
      return null;
    }
    const field = (name: string): ConfigNode | undefined => node.entries.get(name)?.value;
    // The entry is placed at the value that names what it includes (`project: acme/ci`).
    for (const key of ['local', 'project', 'remote', 'template', 'component']) {
      const value = field(key);
      if (value) {
        base.span = value.span;
        break;
      }
    }
    const local = scalarText(field('local'));
    if (local !== undefined) return { ...base, kind: 'local', target: local.replace(/^\/+/, '') };
    const project = scalarText(field('project'));
    if (project !== undefined) {
      const refNode = field('ref');
      const ref = scalarText(refNode);
      const fileNode = field('file');
      const files = (fileNode?.kind === 'seq' ? fileNode.items : fileNode ? [fileNode] : []).flatMap((file) => located(file));
      return { ...base, kind: 'project', target: project, files, ref: ref !== undefined && refNode ? { value: ref, span: refNode.span } : undefined };
    }
    const remote = scalarText(field('remote'));
    if (remote !== undefined) {
      const integrity = field('integrity');
      const pinned = scalarText(integrity);
      return { ...base, kind: 'remote', target: remote, ref: pinned !== undefined && integrity ? { value: pinned, span: integrity.span } : undefined };
    }
    const template = scalarText(field('template'));
    if (template !== undefined) return { ...base, kind: 'template', target: template };
    const componentNode = field('component');
    const component = scalarText(componentNode);
    if (component !== undefined && componentNode) {
      const at = component.lastIndexOf('@');
      const version = at === -1 ? undefined : component.slice(at + 1);
      return { ...base, kind: 'component', target: component, ref: version !== undefined ? { value: version, span: componentNode.span } : undefined };
    }
    this.error('`include:` entry names no `local`, `project`, `remote`, `template` or `component`', node.span);
    return null;
  }

  private error(message: string, span: SourceSpan): void {
    this.errors.push(new GitLabInputError(message, span.start.line, span.start.column, span.path));
  }
}

function normalize(path: string): string {
  return path.replace(/^\/+/, '').replace(/^\.\//, '');
}

function located(node: ConfigNode | undefined): Located<string>[] {
  if (!node || node.kind !== 'scalar' || node.value === null) return [];
  return [{ value: String(node.value), span: node.span }];
}

function locatedList(node: ConfigNode | undefined): Located<string>[] {
  if (!node) return [];
  return flatten(node).flatMap((item) => located(item));
}

class Builder {
  constructor(
    private readonly path: string,
    private readonly yaml: YamlFile,
    private readonly sources: GitLabSource[],
    private readonly includes: GitLabInclude[],
    private readonly errors: GitLabInputError[],
  ) {}

  build(merged: ConfigMap): GitLabPipeline {
    const extended = this.extendAll(merged);
    const resolve = (node: ConfigNode | undefined): ConfigNode | undefined => (node ? (resolveReferences(node, extended, this.errors) ?? undefined) : undefined);
    const field = (name: string): ConfigNode | undefined => resolve(extended.entries.get(name)?.value);

    const variables = this.variables(field('variables'), 'global');
    const defaults = this.defaults(field('default'), extended);
    const workflowNode = field('workflow');
    let workflow: GitLabWorkflow | undefined;
    if (workflowNode?.kind === 'map') {
      const rulesNode = workflowNode.entries.get('rules')?.value;
      workflow = {
        span: extended.entries.get('workflow')!.keySpan,
        name: located(workflowNode.entries.get('name')?.value)[0],
        rules: rulesNode ? this.rules(rulesNode) : undefined,
      };
    }
    const jobs: GitLabJob[] = [];
    for (const [name, entry] of extended.entries) {
      if (RESERVED.has(name)) continue;
      if (entry.value.kind !== 'map') {
        if (!name.startsWith('.')) this.error(`job \`${name}\` must be a mapping of keywords`, entry.keySpan);
        continue;
      }
      const body = resolve(entry.value);
      if (body?.kind !== 'map') continue;
      jobs.push(this.job(name, entry.keySpan, body, defaults, variables));
    }
    return {
      kind: 'gitlab',
      path: this.path,
      yaml: this.yaml,
      sources: this.sources,
      includes: this.includes,
      stages: locatedList(field('stages')),
      variables,
      default: defaults,
      workflow,
      jobs,
      errors: this.errors,
    };
  }

  /** Applies `extends:` to every job; templates are merged first, nearest last, the job on top. */
  private extendAll(merged: ConfigMap): ConfigMap {
    const done = new Map<string, { node: ConfigMap; chain: string[] }>();
    const entries = new Map(merged.entries);
    const resolveJob = (name: string, stack: string[]): { node: ConfigMap; chain: string[] } | null => {
      const cached = done.get(name);
      if (cached) return cached;
      const entry = merged.entries.get(name);
      if (!entry || entry.value.kind !== 'map') return null;
      const own = entry.value;
      const parents = extendsList(own.entries.get('extends')?.value);
      let result: ConfigNode | undefined;
      const chain: string[] = [];
      for (const parent of parents) {
        if (parent.value === name || stack.includes(parent.value)) {
          this.error(`circular \`extends:\`: ${[...stack, name, parent.value].map((item) => `\`${item}\``).join(' → ')}`, parent.span);
          continue;
        }
        if (stack.length + 1 >= MAX_EXTENDS_DEPTH) {
          this.error(`\`extends:\` is nested deeper than the ${MAX_EXTENDS_DEPTH} levels GitLab allows`, parent.span);
          continue;
        }
        const target = merged.entries.get(parent.value);
        if (!target || RESERVED.has(parent.value)) {
          this.error(`\`extends: ${parent.value}\` names no job or template`, parent.span);
          continue;
        }
        const resolved = resolveJob(parent.value, [...stack, name]);
        if (!resolved) {
          this.error(`\`extends: ${parent.value}\` names something that is not a job or template mapping`, parent.span);
          continue;
        }
        chain.push(...resolved.chain, parent.value);
        result = deepMerge(result, resolved.node);
      }
      const node = deepMerge(result, own) as ConfigMap;
      const value = { node: { ...node, span: own.span, source: own.source }, chain: [...new Set(chain)] };
      // A job found inside a cycle is finished only by its outermost call.
      if (stack.length === 0 || !stack.some((item) => parents.some((parent) => parent.value === item))) done.set(name, value);
      return value;
    };
    for (const [name, entry] of merged.entries) {
      if (RESERVED.has(name) || entry.value.kind !== 'map') continue;
      const resolved = resolveJob(name, []);
      if (resolved) {
        this.chains.set(name, resolved.chain);
        this.extendsWritten.set(name, extendsList(entry.value.entries.get('extends')?.value));
        entries.set(name, { ...entry, value: resolved.node });
      }
    }
    return { ...merged, entries };
  }

  private readonly chains = new Map<string, string[]>();
  private readonly extendsWritten = new Map<string, Located<string>[]>();

  private defaults(node: ConfigNode | undefined, root: ConfigMap): GitLabDefaults {
    const map = node?.kind === 'map' ? node : undefined;
    const field = (name: string): ConfigNode | undefined => map?.entries.get(name)?.value ?? this.resolveTop(root, name);
    const levelOf = (name: string): 'default' | 'global' => (map?.entries.has(name) ? 'default' : 'global');
    const image = this.image(field('image'), levelOf('image'));
    return {
      span: root.entries.get('default')?.keySpan,
      image,
      services: this.services(field('services'), levelOf('services')),
      beforeScript: this.scriptLines(field('before_script'), 'before_script'),
      afterScript: this.scriptLines(field('after_script'), 'after_script'),
      idTokens: this.idTokens(map?.entries.get('id_tokens')?.value, true),
      tags: locatedList(map?.entries.get('tags')?.value),
    };
  }

  /** Old-style top-level `image:`/`services:`/`before_script:`/`after_script:` (GitLab reads them as defaults). */
  private resolveTop(root: ConfigMap, name: string): ConfigNode | undefined {
    if (!['image', 'services', 'before_script', 'after_script'].includes(name)) return undefined;
    const node = root.entries.get(name)?.value;
    return node ? (resolveReferences(node, root, this.errors) ?? undefined) : undefined;
  }

  private job(name: string, nameSpan: SourceSpan, node: ConfigMap, defaults: GitLabDefaults, globals: GitLabVariable[]): GitLabJob {
    const field = (key: string): ConfigNode | undefined => node.entries.get(key)?.value;
    const has = (key: string): boolean => node.entries.has(key);
    const inherit = this.inherit(field('inherit'));
    const inherits = (keyword: (typeof DEFAULT_KEYWORDS)[number]): boolean => inherit.default === true || (Array.isArray(inherit.default) && inherit.default.includes(keyword));
    const beforeScript = has('before_script') ? this.scriptLines(field('before_script'), 'before_script') : inherits('before_script') ? defaults.beforeScript : [];
    const mainLines = [...beforeScript, ...this.scriptLines(field('script'), 'script')];
    const afterLines = has('after_script') ? this.scriptLines(field('after_script'), 'after_script') : inherits('after_script') ? defaults.afterScript : [];
    const rulesNode = field('rules');
    const stageNode = field('stage');
    const inheritedVariables =
      inherit.variables === true ? globals : Array.isArray(inherit.variables) ? globals.filter((variable) => (inherit.variables as string[]).includes(variable.name)) : [];
    return {
      name,
      nameSpan,
      span: { ...node.span, offset: nameSpan.offset, start: nameSpan.start },
      path: nameSpan.path,
      hidden: name.startsWith('.'),
      stage: located(stageNode)[0] ?? { value: 'test', span: nameSpan },
      extends: this.extendsWritten.get(name) ?? [],
      extendsChain: this.chains.get(name) ?? [],
      image: has('image') ? this.image(field('image'), 'job') : inherits('image') ? defaults.image : undefined,
      services: has('services') ? this.services(field('services'), 'job') : inherits('services') ? defaults.services : [],
      script: scriptOf(mainLines),
      afterScript: scriptOf(afterLines),
      variables: this.variables(field('variables'), 'job'),
      inheritedVariables,
      rules: rulesNode ? this.rules(rulesNode) : undefined,
      rulesSpan: rulesNode ? node.entries.get('rules')!.keySpan : undefined,
      only: this.refPolicy(field('only')),
      except: this.refPolicy(field('except')),
      when: located(field('when'))[0],
      environment: this.environment(field('environment')),
      idTokens: has('id_tokens') ? this.idTokens(field('id_tokens'), false) : inherits('id_tokens') ? defaults.idTokens : [],
      secrets: this.secrets(field('secrets')),
      needs: this.needs(field('needs')),
      dependencies: locatedList(field('dependencies')),
      tags: has('tags') ? locatedList(field('tags')) : inherits('tags') ? defaults.tags : [],
      trigger: this.trigger(field('trigger')),
      inherit,
    };
  }

  private inherit(node: ConfigNode | undefined): GitLabInherit {
    const read = (value: ConfigNode | undefined): boolean | string[] => {
      if (!value) return true;
      if (value.kind === 'scalar') return value.value !== false && value.value !== 'false';
      if (value.kind === 'seq') return locatedList(value).map((item) => item.value);
      return true;
    };
    if (node?.kind !== 'map') return { default: true, variables: true };
    return { default: read(node.entries.get('default')?.value), variables: read(node.entries.get('variables')?.value) };
  }

  private scriptLines(node: ConfigNode | undefined, section: ScriptLine['section']): ScriptLine[] {
    const lines: ScriptLine[] = [];
    for (const item of flatten(node)) {
      if (item.kind !== 'scalar') {
        this.error(`\`${section}\` lines must be strings (quote lines that contain \`: \`)`, item.span);
        continue;
      }
      if (item.value === null) continue;
      const line: ScriptLine = { text: String(item.value), span: item.span, section };
      SCALARS.set(line, item);
      lines.push(line);
    }
    return lines;
  }

  private variables(node: ConfigNode | undefined, level: GitLabVariable['level']): GitLabVariable[] {
    if (node?.kind !== 'map') return [];
    const found: GitLabVariable[] = [];
    for (const [name, entry] of node.entries) {
      let value = '';
      let span = entry.value.span;
      let expand = true;
      if (entry.value.kind === 'scalar') value = scalarText(entry.value) ?? '';
      else if (entry.value.kind === 'map') {
        const inner = entry.value.entries.get('value')?.value;
        value = scalarText(inner) ?? '';
        if (inner) span = inner.span;
        const expandNode = entry.value.entries.get('expand')?.value;
        expand = !(expandNode?.kind === 'scalar' && (expandNode.value === false || expandNode.value === 'false'));
      }
      found.push({ name, value, nameSpan: entry.keySpan, span, references: expand ? variableReferences(value) : [], expand, level });
    }
    return found;
  }

  private idTokens(node: ConfigNode | undefined, fromDefault: boolean): IdToken[] {
    if (node?.kind !== 'map') return [];
    return [...node.entries.values()].map((entry) => {
      const aud = entry.value.kind === 'map' ? entry.value.entries.get('aud')?.value : undefined;
      return { name: entry.key, nameSpan: entry.keySpan, span: entry.value.span, audiences: locatedList(aud), fromDefault };
    });
  }

  private secrets(node: ConfigNode | undefined): GitLabSecret[] {
    if (node?.kind !== 'map') return [];
    const providers: GitLabSecret['provider'][] = ['vault', 'azure_key_vault', 'gcp_secret_manager', 'akeyless', 'aws_secrets_manager'];
    return [...node.entries.values()].map((entry) => {
      const body = entry.value.kind === 'map' ? entry.value : undefined;
      const provider = providers.find((name) => body?.entries.has(name)) ?? 'unknown';
      return { name: entry.key, nameSpan: entry.keySpan, span: entry.value.span, provider, token: located(body?.entries.get('token')?.value)[0] };
    });
  }

  private rules(node: ConfigNode): GitLabRule[] {
    const rules: GitLabRule[] = [];
    for (const item of flatten(node)) {
      if (item.kind !== 'map') continue;
      const field = (name: string): ConfigNode | undefined => item.entries.get(name)?.value;
      const changes = field('changes');
      rules.push({
        span: item.span,
        if: located(field('if'))[0],
        when: located(field('when'))[0],
        changes: changes?.kind === 'map' ? locatedList(changes.entries.get('paths')?.value) : locatedList(changes),
        exists: locatedList(field('exists')?.kind === 'map' ? (field('exists') as ConfigMap).entries.get('paths')?.value : field('exists')),
        variables: this.variables(field('variables'), 'job'),
      });
    }
    return rules;
  }

  private refPolicy(node: ConfigNode | undefined): RefPolicy | undefined {
    if (!node) return undefined;
    if (node.kind === 'map') {
      const field = (name: string): ConfigNode | undefined => node.entries.get(name)?.value;
      return { span: node.span, refs: locatedList(field('refs')), variables: locatedList(field('variables')), changes: locatedList(field('changes')) };
    }
    return { span: node.span, refs: locatedList(node), variables: [], changes: [] };
  }

  private environment(node: ConfigNode | undefined): GitLabEnvironment | undefined {
    if (!node) return undefined;
    if (node.kind === 'scalar') {
      const name = scalarText(node);
      return name ? { name, span: node.span } : undefined;
    }
    if (node.kind !== 'map') return undefined;
    const field = (key: string): string | undefined => scalarText(node.entries.get(key)?.value);
    const name = field('name');
    if (!name) return undefined;
    return { name, span: node.span, url: field('url'), deploymentTier: field('deployment_tier'), action: field('action') };
  }

  private image(node: ConfigNode | undefined, level: GitLabImage['level']): GitLabImage | undefined {
    if (!node) return undefined;
    const nameNode = node.kind === 'map' ? node.entries.get('name')?.value : node;
    const name = scalarText(nameNode);
    return name && nameNode ? { name, span: nameNode.span, level } : undefined;
  }

  private services(node: ConfigNode | undefined, level: GitLabImage['level']): GitLabImage[] {
    if (!node) return [];
    return flatten(node).flatMap((item) => {
      const image = this.image(item, level);
      return image ? [image] : [];
    });
  }

  private needs(node: ConfigNode | undefined): GitLabNeed[] {
    if (!node) return [];
    return flatten(node).flatMap((item): GitLabNeed[] => {
      if (item.kind === 'scalar') return item.value === null ? [] : [{ job: String(item.value), span: item.span, artifacts: true }];
      if (item.kind !== 'map') return [];
      const job = scalarText(item.entries.get('job')?.value) ?? scalarText(item.entries.get('pipeline')?.value);
      if (!job) return [];
      const artifacts = item.entries.get('artifacts')?.value;
      return [
        {
          job,
          span: item.span,
          project: scalarText(item.entries.get('project')?.value),
          artifacts: !(artifacts?.kind === 'scalar' && (artifacts.value === false || artifacts.value === 'false')),
        },
      ];
    });
  }

  private trigger(node: ConfigNode | undefined): GitLabTrigger | undefined {
    if (!node) return undefined;
    if (node.kind === 'scalar') return { span: node.span, project: located(node)[0], include: [] };
    if (node.kind !== 'map') return undefined;
    const include = node.entries.get('include')?.value;
    const includes = flatten(include).flatMap((item) => (item.kind === 'map' ? located(item.entries.get('local')?.value ?? item.entries.get('project')?.value ?? item.entries.get('artifact')?.value) : located(item)));
    return { span: node.span, project: located(node.entries.get('project')?.value)[0], branch: located(node.entries.get('branch')?.value)[0], include: includes };
  }

  private error(message: string, span: SourceSpan): void {
    this.errors.push(new GitLabInputError(message, span.start.line, span.start.column, span.path));
  }
}

function extendsList(node: ConfigNode | undefined): Located<string>[] {
  return locatedList(node);
}

/** The scalar each script line was read from, for mapping shell offsets back to its file. */
const SCALARS = new WeakMap<ScriptLine, ConfigScalar>();

/**
 * The runner writes the lines into one script, one after the other; the model parses them the
 * same way and maps each command back to the line (and file) it came from.
 */
function scriptOf(lines: ScriptLine[]): GitLabScript {
  const text = lines.map((line) => line.text).join('\n');
  let cached: ShellScript | undefined;
  return {
    lines,
    text,
    parsed: () => (cached ??= parseShell(text, scriptLocator(lines))),
  };
}

function scriptLocator(lines: ScriptLine[]): (start: number, end: number) => Span {
  const starts: number[] = [];
  let offset = 0;
  const mappers = lines.map((line) => {
    starts.push(offset);
    offset += line.text.length + 1;
    const scalar = SCALARS.get(line);
    const map = scalar ? scalarOffsetMapper(scalar.source.yaml, scalar.node, line.text) : null;
    return (from: number, to: number): SourceSpan => (map ? { ...map(from, to), path: line.span.path } : line.span);
  });
  const lineAt = (position: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  return (start, end) => {
    if (lines.length === 0) return { start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, offset: 0, endOffset: 0 };
    const first = lineAt(start);
    const last = lineAt(Math.max(start, end - 1));
    const local = start - starts[first]!;
    const length = lines[first]!.text.length;
    if (first === last) return mappers[first]!(local, Math.min(end - starts[first]!, length));
    const head = mappers[first]!(local, length);
    const tail = mappers[last]!(0, end - starts[last]!);
    if (head.path !== tail.path || tail.endOffset < head.offset) return head;
    return { ...head, end: tail.end, endOffset: tail.endOffset };
  };
}

/** `$VAR` and `${VAR}` in a variable value (`$$` is a literal dollar). */
export function variableReferences(value: string): string[] {
  const found = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') continue;
    if (value[i + 1] === '$') {
      i++;
      continue;
    }
    const match = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(value.slice(i));
    if (match) found.add((match[1] ?? match[2])!);
  }
  return [...found];
}

export { sourceSpan };
