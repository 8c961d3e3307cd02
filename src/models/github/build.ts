import { isMap, isScalar, isSeq, YamlFile, YamlInputError, type Span, type YamlNode } from '../yaml/document.ts';
import type { Scalar, YAMLMap } from 'yaml';
import { parseShell } from '../shell/parse.ts';
import { scalarOffsetMapper } from '../yaml/scalar-map.ts';
import type { ShellScript } from '../shell/types.ts';
import { findExpressions, type Expression } from './expressions.ts';
import type {
  CompositeAction,
  EnvEntry,
  Input,
  Job,
  Located,
  PermissionLevel,
  Permissions,
  Route,
  RunScript,
  Step,
  Trigger,
  UsesRef,
  Workflow,
} from './types.ts';

/**
 * Builds the typed model of a workflow or composite action from its YAML, keeping every
 * node's span. Unknown keys are ignored (GitHub's schema validation is not our job); shapes
 * that GitHub itself would reject become `YamlInputError`s with a line.
 */
export function buildPipelineFile(path: string, yaml: YamlFile, kind: 'workflow' | 'action'): Workflow | CompositeAction {
  const root = yaml.root;
  if (!root || !isMap(root)) {
    throw new YamlInputError(`not a ${kind === 'action' ? 'GitHub Action definition' : 'GitHub Actions workflow'}: the document is not a mapping`, yaml.span(root).start.line);
  }
  return kind === 'action' ? new Builder(path, yaml).action(root) : new Builder(path, yaml).workflow(root);
}

const DEFAULT_SHELL = 'bash';

class Builder {
  constructor(
    private readonly path: string,
    private readonly yaml: YamlFile,
  ) {}

  workflow(root: YAMLMap<unknown, unknown>): Workflow {
    const fields = this.fields(root);
    const onEntry = fields.get('on') ?? fields.get('true');
    const jobsNode = fields.get('jobs');
    if (!onEntry || !jobsNode) {
      const missing = !onEntry ? 'on' : 'jobs';
      throw new YamlInputError(`not a GitHub Actions workflow: no '${missing}' key`, this.yaml.span(root).start.line);
    }
    const jobsMap = this.yaml.resolve(jobsNode.value);
    if (!isMap(jobsMap)) throw new YamlInputError("'jobs' must be a mapping of job ids to jobs", this.yaml.span(jobsNode.key).start.line);
    const defaultShell = this.defaultShell(fields.get('defaults')?.value);
    const workflowExpressions: Expression[] = [];
    for (const key of ['env', 'run-name', 'concurrency']) {
      const entry = fields.get(key);
      if (entry) workflowExpressions.push(...this.expressionsIn(entry.value));
    }
    const jobs: Job[] = [];
    for (const { key, value } of this.yaml.entries(jobsMap)) {
      const jobNode = this.yaml.resolve(value);
      if (!isMap(jobNode)) continue;
      jobs.push(this.job(String(key.value), key, value, jobNode, defaultShell));
    }
    return {
      kind: 'workflow',
      path: this.path,
      yaml: this.yaml,
      name: this.string(fields.get('name')?.value),
      triggers: this.triggers(onEntry.value),
      triggersSpan: this.yaml.span(onEntry.key),
      permissions: this.permissions(fields.get('permissions'), ['permissions']),
      env: this.env(fields.get('env')?.value, ['env']),
      defaultShell,
      jobs,
      expressions: workflowExpressions,
    };
  }

  action(root: YAMLMap<unknown, unknown>): CompositeAction {
    const fields = this.fields(root);
    const runs = this.yaml.resolve(fields.get('runs')?.value);
    if (!isMap(runs)) {
      throw new YamlInputError("not a GitHub Action definition: no 'runs' mapping", this.yaml.span(root).start.line);
    }
    const runFields = this.fields(runs);
    const using = runFields.get('using');
    const inputs = this.yaml.resolve(fields.get('inputs')?.value);
    const stepsNode = this.yaml.resolve(runFields.get('steps')?.value);
    const steps = isSeq(stepsNode)
      ? stepsNode.items.map((item, index) => this.step(this.yaml.resolve(item), index, ['runs', 'steps', index], undefined)).filter((s): s is Step => s !== null)
      : [];
    const imageNode = runFields.get('image');
    const image = this.string(imageNode?.value);
    // Action-level expressions: docker `args`/`env`, `pre-if`/`post-if`, outputs and input defaults.
    const expressions: Expression[] = [];
    for (const [name, entry] of runFields) if (name !== 'steps') expressions.push(...this.expressionsIn(entry.value));
    const outputs = fields.get('outputs');
    if (outputs) expressions.push(...this.expressionsIn(outputs.value));
    if (isMap(inputs)) {
      for (const { value } of this.yaml.entries(inputs)) {
        const input = this.yaml.resolve(value);
        const fallback = isMap(input) ? this.fields(input).get('default') : undefined;
        if (fallback) expressions.push(...this.expressionsIn(fallback.value));
      }
    }
    return {
      kind: 'action',
      path: this.path,
      yaml: this.yaml,
      name: this.string(fields.get('name')?.value),
      using: this.string(using?.value) ?? '',
      usingSpan: this.yaml.span(this.yaml.resolve(using?.value) ?? runs),
      inputs: isMap(inputs) ? this.yaml.entries(inputs).map(({ key }) => this.located(key)) : [],
      steps,
      image: image && image.startsWith('docker://') && imageNode ? this.uses(imageNode.value) : undefined,
      expressions,
    };
  }

  /** `written` is the value as it appears under the key: the map itself, or an alias to it. */
  private job(id: string, key: Scalar<unknown>, written: unknown, node: YAMLMap<unknown, unknown>, workflowShell: Located<string> | undefined): Job {
    const route: Route = ['jobs', id];
    const fields = this.fields(node);
    const jobShell = this.defaultShell(fields.get('defaults')?.value) ?? workflowShell;
    const stepsNode = this.yaml.resolve(fields.get('steps')?.value);
    const steps = isSeq(stepsNode)
      ? stepsNode.items
          .map((item, index) => this.step(this.yaml.resolve(item), index, [...route, 'steps', index], jobShell))
          .filter((s): s is Step => s !== null)
      : [];
    const secretsNode = fields.get('secrets');
    const secretsValue = this.yaml.resolve(secretsNode?.value);
    const expressions: Expression[] = [];
    for (const name of ['if', 'env', 'with', 'secrets', 'strategy', 'container', 'services', 'runs-on', 'environment', 'name', 'concurrency']) {
      const entry = fields.get(name);
      if (entry) expressions.push(...this.expressionsIn(entry.value));
    }
    const servicesNode = this.yaml.resolve(fields.get('services')?.value);
    const strategy = this.yaml.resolve(fields.get('strategy')?.value);
    return {
      id,
      idSpan: this.yaml.span(key),
      span: this.spanCovering(key, written),
      route,
      name: this.string(fields.get('name')?.value),
      runsOn: this.runsOn(fields.get('runs-on')?.value),
      permissions: this.permissions(fields.get('permissions'), [...route, 'permissions']),
      env: this.env(fields.get('env')?.value, [...route, 'env']),
      environment: this.environment(fields.get('environment')?.value),
      needs: this.stringList(fields.get('needs')?.value),
      if: this.locatedString(fields.get('if')?.value),
      steps,
      uses: fields.get('uses') ? this.uses(fields.get('uses')!.value) : undefined,
      with: this.inputs(fields.get('with')?.value, [...route, 'with']),
      secretsInherit: isScalar(secretsValue) && secretsValue.value === 'inherit' ? this.yaml.span(secretsValue) : undefined,
      secrets: isMap(secretsValue) ? this.inputs(secretsValue, [...route, 'secrets']) : [],
      container: this.containerImage(fields.get('container')?.value),
      services: isMap(servicesNode)
        ? this.yaml
            .entries(servicesNode)
            .map(({ value }) => this.containerImage(value))
            .filter((image): image is Located<string> => image !== undefined)
        : [],
      hasMatrix: isMap(strategy) && this.fields(strategy).has('matrix'),
      defaultShell: jobShell,
      expressions,
    };
  }

  private step(node: YamlNode | null, index: number, route: Route, jobShell: Located<string> | undefined): Step | null {
    if (!isMap(node)) return null;
    const fields = this.fields(node);
    const runEntry = fields.get('run');
    const usesEntry = fields.get('uses');
    const shellEntry = fields.get('shell');
    const shell = this.locatedString(shellEntry?.value) ?? jobShell;
    return {
      index,
      id: this.string(fields.get('id')?.value),
      name: this.string(fields.get('name')?.value),
      span: this.yaml.span(node),
      route,
      uses: usesEntry ? this.uses(usesEntry.value) : undefined,
      run: runEntry ? this.runScript(runEntry.value, shell) : undefined,
      with: this.inputs(fields.get('with')?.value, [...route, 'with']),
      env: this.env(fields.get('env')?.value, [...route, 'env']),
      if: this.locatedString(fields.get('if')?.value),
      expressions: this.expressionsIn(node),
    };
  }

  private runScript(value: unknown, shell: Located<string> | undefined): RunScript | undefined {
    const node = this.yaml.resolve(value);
    if (!isScalar(node)) return undefined;
    const text = String(node.value ?? '');
    const span = this.yaml.span(node);
    const locate = scalarOffsetMapper(this.yaml, node, text);
    let cached: ShellScript | undefined;
    const shellName = shell?.value ?? DEFAULT_SHELL;
    return {
      text,
      span,
      shell: shellName,
      shellExplicit: shell !== undefined,
      shellSpan: shell?.span,
      expressions: this.expressionsIn(node),
      parsed: () => (cached ??= isPosixShell(shellName) ? parseShell(text, locate) : { commands: [], hasErrors: false, assignments: [] }),
    };
  }

  private triggers(value: unknown): Trigger[] {
    const node = this.yaml.resolve(value);
    if (isScalar(node)) return [{ event: String(node.value), span: this.yaml.span(node) }];
    if (isSeq(node)) {
      return node.items
        .map((item) => this.yaml.resolve(item))
        .filter(isScalar)
        .map((item) => ({ event: String(item.value), span: this.yaml.span(item) }));
    }
    if (!isMap(node)) return [];
    return this.yaml.entries(node).map(({ key, value: config }) => {
      const trigger: Trigger = { event: String(key.value), span: this.yaml.span(key) };
      const body = this.yaml.resolve(config);
      if (!isMap(body)) return trigger;
      const fields = this.fields(body);
      const list = (name: string): Located<string>[] | undefined => (fields.has(name) ? this.stringList(fields.get(name)!.value) : undefined);
      trigger.branches = list('branches');
      trigger.branchesIgnore = list('branches-ignore');
      trigger.tags = list('tags');
      trigger.tagsIgnore = list('tags-ignore');
      trigger.paths = list('paths');
      trigger.types = list('types');
      trigger.workflows = list('workflows');
      const inputs = this.yaml.resolve(fields.get('inputs')?.value);
      if (isMap(inputs)) trigger.inputs = this.yaml.entries(inputs).map(({ key: name }) => this.located(name));
      return trigger;
    });
  }

  private permissions(entry: { key: Scalar<unknown>; value: unknown } | undefined, route: Route): Permissions | undefined {
    if (!entry) return undefined;
    const node = this.yaml.resolve(entry.value);
    const span = this.yaml.span(node ?? entry.key);
    const scopes = new Map<string, Located<PermissionLevel>>();
    if (isScalar(node)) {
      const value = String(node.value ?? '');
      if (value === 'read-all' || value === 'write-all') return { kind: value, scopes, span, route };
      if (value.includes('${{')) return { kind: 'expression', scopes, span, route };
      if (node.value === null || value === '') return { kind: 'none', scopes, span, route };
      throw new YamlInputError(`invalid permissions value '${value}' (expected read-all, write-all or a mapping)`, span.start.line, span.start.column);
    }
    if (isMap(node)) {
      for (const { key, value } of this.yaml.entries(node)) {
        const level = this.yaml.resolve(value);
        const written = (value ?? key) as { range?: [number, number, number] | null };
        const text = isScalar(level) ? String(level.value) : '';
        if (text !== 'read' && text !== 'write' && text !== 'none') {
          const where = this.yaml.span(level ?? key);
          throw new YamlInputError(`invalid permission level '${text}' for '${String(key.value)}' (expected read, write or none)`, where.start.line, where.start.column);
        }
        scopes.set(String(key.value), { value: text, span: this.spanCovering(key, written) });
      }
      return { kind: node.items.length === 0 ? 'none' : 'map', scopes, span, route };
    }
    return { kind: 'none', scopes, span, route };
  }

  private env(value: unknown, route: Route): EnvEntry[] {
    return this.inputs(value, route);
  }

  private inputs(value: unknown, route: Route): Input[] {
    const node = this.yaml.resolve(value);
    if (!isMap(node)) return [];
    return this.yaml.entries(node).map(({ key, value: raw }) => {
      const item = this.yaml.resolve(raw);
      const text = isScalar(item) ? String(item.value ?? '') : '';
      const name = String(key.value);
      return {
        name,
        value: text,
        nameSpan: this.yaml.span(key),
        span: this.yaml.span(item ?? key),
        expressions: item ? this.expressionsIn(item) : [],
        route: [...route, name],
      };
    });
  }

  private environment(value: unknown): Job['environment'] {
    const node = this.yaml.resolve(value);
    if (isScalar(node)) {
      const name = String(node.value ?? '');
      return name ? { name, span: this.yaml.span(node) } : undefined;
    }
    if (isMap(node)) {
      const fields = this.fields(node);
      const name = this.string(fields.get('name')?.value);
      if (!name) return undefined;
      return { name, span: this.yaml.span(node), url: this.string(fields.get('url')?.value) };
    }
    return undefined;
  }

  private runsOn(value: unknown): Located<string>[] {
    const node = this.yaml.resolve(value);
    if (isMap(node)) {
      const fields = this.fields(node);
      return [...this.stringList(fields.get('labels')?.value), ...this.stringList(fields.get('group')?.value)];
    }
    return this.stringList(value);
  }

  private containerImage(value: unknown): Located<string> | undefined {
    const node = this.yaml.resolve(value);
    if (isScalar(node)) return this.located(node);
    if (isMap(node)) {
      const image = this.yaml.resolve(this.fields(node).get('image')?.value);
      if (isScalar(image)) return this.located(image);
    }
    return undefined;
  }

  private defaultShell(value: unknown): Located<string> | undefined {
    const defaults = this.yaml.resolve(value);
    if (!isMap(defaults)) return undefined;
    const run = this.yaml.resolve(this.fields(defaults).get('run')?.value);
    if (!isMap(run)) return undefined;
    return this.locatedString(this.fields(run).get('shell')?.value);
  }

  private uses(value: unknown): UsesRef | undefined {
    const node = this.yaml.resolve(value);
    if (!isScalar(node)) return undefined;
    return parseUses(String(node.value ?? ''), this.yaml.span(node));
  }

  /**
   * Every expression in the values under a node (keys are never evaluated), found in each
   * scalar's source text so spans are exact. Comments are skipped: a commented-out
   * `# run: echo ${{ secrets.X }}` reads nothing. Aliases are followed, since the anchored
   * values are what the runner evaluates here.
   */
  private expressionsIn(value: unknown): Expression[] {
    const found: Expression[] = [];
    const seen = new Set<unknown>();
    const pending: unknown[] = [value];
    while (pending.length > 0) {
      const node = this.yaml.resolve(pending.pop());
      if (!node || seen.has(node)) continue;
      seen.add(node);
      if (isScalar(node)) found.push(...this.scalarExpressions(node));
      else if (isMap(node)) for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]!.value);
      else for (let i = node.items.length - 1; i >= 0; i--) pending.push(node.items[i]);
    }
    return found;
  }

  private scalarExpressions(node: Scalar<unknown>): Expression[] {
    const range = node.range;
    if (!range || typeof node.value !== 'string' || !node.value.includes('${{')) return [];
    const source = this.yaml.text;
    let start = range[0];
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      // Skip the header: a comment after `|` is not part of the value.
      const newline = source.indexOf('\n', start);
      start = newline === -1 || newline >= range[1] ? range[1] : newline + 1;
    }
    const decode =
      node.type === 'QUOTE_SINGLE'
        ? (body: string) => body.replace(/''/g, "'")
        : node.type === 'QUOTE_DOUBLE'
          ? (body: string) => body.replace(/\\(["\\/])/g, '$1')
          : undefined;
    return findExpressions(source, start, range[1], (from, to) => this.yaml.spanOf(from, to), decode);
  }

  private fields(map: YAMLMap<unknown, unknown>): Map<string, { key: Scalar<unknown>; value: unknown }> {
    const fields = new Map<string, { key: Scalar<unknown>; value: unknown }>();
    for (const entry of this.yaml.entries(map)) fields.set(String(entry.key.value), entry);
    return fields;
  }

  private string(value: unknown): string | undefined {
    const node = this.yaml.resolve(value);
    return isScalar(node) && node.value !== null ? String(node.value) : undefined;
  }

  private located(node: Scalar<unknown>): Located<string> {
    return { value: String(node.value ?? ''), span: this.yaml.span(node) };
  }

  private locatedString(value: unknown): Located<string> | undefined {
    const node = this.yaml.resolve(value);
    return isScalar(node) && node.value !== null ? this.located(node) : undefined;
  }

  private stringList(value: unknown): Located<string>[] {
    const node = this.yaml.resolve(value);
    if (isScalar(node)) return node.value === null ? [] : [this.located(node)];
    if (isSeq(node)) {
      return node.items
        .map((item) => this.yaml.resolve(item))
        .filter(isScalar)
        .map((item) => this.located(item));
    }
    return [];
  }

  /**
   * From the start of `from` to the end of `to`. Pass what is written (an alias, not what it
   * resolves to): an anchor defined earlier in the file would give a span that ends before it starts.
   */
  private spanCovering(from: { range?: [number, number, number] | null }, to: unknown): Span {
    const start = from.range?.[0] ?? 0;
    const end = (to as { range?: [number, number, number] | null } | null)?.range?.[1] ?? from.range?.[1] ?? start;
    return this.yaml.spanOf(start, Math.max(start, end));
  }
}

/** Parses a `uses:` value into its parts. */
export function parseUses(raw: string, span: Span): UsesRef {
  const value = raw.trim();
  if (value.startsWith('docker://')) {
    const image = value.slice('docker://'.length);
    const at = image.indexOf('@');
    return { raw: value, span, kind: 'docker', image, digest: at === -1 ? undefined : image.slice(at + 1) };
  }
  if (value.startsWith('./') || value.startsWith('../') || value.startsWith('$/')) {
    return { raw: value, span, kind: /\.ya?ml$/.test(value) ? 'local-reusable-workflow' : 'local' };
  }
  const at = value.lastIndexOf('@');
  const target = at === -1 ? value : value.slice(0, at);
  const ref = at === -1 ? undefined : value.slice(at + 1);
  const [owner = '', repo = '', ...rest] = target.split('/');
  const path = rest.join('/') || undefined;
  const isWorkflow = path !== undefined && /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
  return {
    raw: value,
    span,
    kind: isWorkflow ? 'reusable-workflow' : 'action',
    slug: `${owner}/${repo}`.toLowerCase(),
    owner: owner.toLowerCase(),
    repo: repo.toLowerCase(),
    path,
    ref,
  };
}

export function isPosixShell(shell: string): boolean {
  const program = shell.trim().split(/\s+/)[0] ?? '';
  return /^(bash|sh|zsh|dash|ksh)$/.test(program.split('/').pop() ?? '');
}
