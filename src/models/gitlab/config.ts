import type { Scalar } from 'yaml';
import { isMap, isScalar, isSeq, type YamlFile } from '../yaml/document.ts';
import { GitLabInputError, type GitLabSource, type SourceSpan } from './types.ts';

/**
 * GitLab assembles a pipeline before running it: included files are merged into the root file,
 * `extends:` merges templates into jobs, `!reference` copies parts of other jobs. The builder does
 * the same on this tree, which is the YAML with aliases and `<<` merge keys expanded and every node
 * remembering its file and span, so the typed model built from the result still points at the
 * text that wrote each value.
 */
export type ConfigNode = ConfigScalar | ConfigSeq | ConfigMap | ConfigReference;

interface ConfigBase {
  span: SourceSpan;
  source: GitLabSource;
}

export interface ConfigScalar extends ConfigBase {
  kind: 'scalar';
  value: string | number | boolean | null;
  node: Scalar<unknown>;
}

export interface ConfigSeq extends ConfigBase {
  kind: 'seq';
  items: ConfigNode[];
}

export interface ConfigEntry {
  key: string;
  keySpan: SourceSpan;
  value: ConfigNode;
}

export interface ConfigMap extends ConfigBase {
  kind: 'map';
  entries: Map<string, ConfigEntry>;
}

/** `!reference [job, key, …]`, replaced by the value it names once `extends:` is merged. */
export interface ConfigReference extends ConfigBase {
  kind: 'reference';
  target: string[];
}

export const REFERENCE_TAG = '!reference';

/** The custom tag GitLab defines, so `!reference [a, b]` parses without warnings and keeps its tag. */
export const GITLAB_YAML_TAGS = [{ tag: REFERENCE_TAG, collection: 'seq' as const, default: false, resolve: (value: unknown) => value }];

export function sourceSpan(source: GitLabSource, node: { range?: [number, number, number] | null } | null | undefined): SourceSpan {
  return { ...source.yaml.span(node), path: source.path };
}

/**
 * Converts a file's YAML into the tree. Aliases are followed through `YamlFile.resolve`, so each
 * dereference counts against the file's alias budget and an alias bomb stops here.
 */
export function toConfig(source: GitLabSource, value: unknown, errors: GitLabInputError[]): ConfigNode | null {
  const yaml: YamlFile = source.yaml;
  const node = yaml.resolve(value);
  if (!node) return null;
  const span = sourceSpan(source, node);
  if (isScalar(node)) {
    if (node.tag === REFERENCE_TAG) {
      errors.push(new GitLabInputError('`!reference` needs a list: `!reference [job, key]`', span.start.line, span.start.column, source.path));
      return null;
    }
    const raw = node.value;
    const scalar = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw === null ? raw : raw === undefined ? null : String(raw);
    return { kind: 'scalar', value: scalar, node, span, source };
  }
  if (isSeq(node)) {
    if (node.tag === REFERENCE_TAG) {
      const target: string[] = [];
      for (const item of node.items) {
        const part = yaml.resolve(item);
        if (!isScalar(part) || part.value === null) {
          errors.push(new GitLabInputError('`!reference` takes job and key names only', span.start.line, span.start.column, source.path));
          return null;
        }
        target.push(String(part.value));
      }
      if (target.length === 0) {
        errors.push(new GitLabInputError('`!reference []` names nothing', span.start.line, span.start.column, source.path));
        return null;
      }
      // The node's range starts at `[`; the finding-worthy text starts at the tag.
      const before = yaml.text.slice(Math.max(0, span.offset - 40), span.offset);
      const tag = /!reference\s*$/.exec(before);
      const start = tag ? span.offset - tag[0].length : span.offset;
      return { kind: 'reference', target, span: { ...yaml.spanOf(start, span.endOffset), path: source.path }, source };
    }
    const items: ConfigNode[] = [];
    for (const item of node.items) {
      const converted = toConfig(source, item, errors);
      if (converted) items.push(converted);
    }
    return { kind: 'seq', items, span, source };
  }
  if (isMap(node)) {
    const entries = new Map<string, ConfigEntry>();
    for (const { key, value: item } of yaml.entries(node)) {
      const name = String(key.value);
      const converted = toConfig(source, item, errors) ?? nullScalar(source, key);
      entries.set(name, { key: name, keySpan: sourceSpan(source, key), value: converted });
    }
    return { kind: 'map', entries, span, source };
  }
  return null;
}

/** `key:` with nothing after it: a null value, placed at its key. */
function nullScalar(source: GitLabSource, key: Scalar<unknown>): ConfigScalar {
  const span = sourceSpan(source, key);
  return { kind: 'scalar', value: null, node: key, span: { ...span, offset: span.endOffset, start: span.end }, source };
}

/**
 * GitLab's deep merge (`extends:`, includes): mappings are merged key by key, recursively;
 * anything else (lists, strings, `!reference`) is replaced by the later value.
 */
export function deepMerge(base: ConfigNode | undefined, override: ConfigNode): ConfigNode {
  if (!base || base.kind !== 'map' || override.kind !== 'map') return override;
  const entries = new Map(base.entries);
  for (const [key, entry] of override.entries) {
    const previous = entries.get(key);
    entries.set(key, previous ? { key, keySpan: entry.keySpan, value: deepMerge(previous.value, entry.value) } : entry);
  }
  return { ...override, entries };
}

export function withoutKeys(map: ConfigMap, keys: readonly string[]): ConfigMap {
  const entries = new Map(map.entries);
  for (const key of keys) entries.delete(key);
  return { ...map, entries };
}

export function scalarText(node: ConfigNode | undefined): string | undefined {
  return node?.kind === 'scalar' && node.value !== null ? String(node.value) : undefined;
}

/** GitLab flattens nested lists in `script:` and `rules:` (up to 10 levels, as `!reference` produces). */
export function flatten(node: ConfigNode | undefined, depth = 0): ConfigNode[] {
  if (!node) return [];
  if (node.kind !== 'seq') return [node];
  if (depth > 10) return [];
  return node.items.flatMap((item) => (item.kind === 'seq' ? flatten(item, depth + 1) : [item]));
}

const MAX_REFERENCE_DEPTH = 10;

/**
 * Replaces every `!reference [job, key, …]` under `node` with the value it names in `root`
 * (the configuration after includes and `extends:`). A reference to a value that holds references
 * is resolved in turn, up to 10 levels; unknown targets and cycles become errors and are dropped.
 */
export function resolveReferences(node: ConfigNode, root: ConfigMap, errors: GitLabInputError[], trail: string[] = []): ConfigNode | null {
  if (node.kind === 'reference') {
    const key = node.target.join('.');
    if (trail.includes(key) || trail.length >= MAX_REFERENCE_DEPTH) {
      errors.push(
        new GitLabInputError(
          trail.includes(key) ? `\`!reference [${node.target.join(', ')}]\` refers to itself` : '`!reference` nesting is deeper than the 10 levels GitLab allows',
          node.span.start.line,
          node.span.start.column,
          node.span.path,
        ),
      );
      return null;
    }
    let cursor: ConfigNode | undefined = root;
    for (const part of node.target) {
      cursor = cursor?.kind === 'map' ? cursor.entries.get(part)?.value : undefined;
      if (cursor?.kind === 'reference') cursor = resolveReferences(cursor, root, errors, [...trail, key]) ?? undefined;
    }
    if (!cursor) {
      errors.push(
        new GitLabInputError(`\`!reference [${node.target.join(', ')}]\` names nothing in the configuration`, node.span.start.line, node.span.start.column, node.span.path),
      );
      return null;
    }
    return resolveReferences(cursor, root, errors, [...trail, key]);
  }
  if (node.kind === 'seq') {
    let changed = false;
    const items: ConfigNode[] = [];
    for (const item of node.items) {
      const resolved = resolveReferences(item, root, errors, trail);
      if (resolved !== item) changed = true;
      if (resolved) items.push(resolved);
    }
    return changed ? { ...node, items } : node;
  }
  if (node.kind === 'map') {
    let changed = false;
    const entries = new Map<string, ConfigEntry>();
    for (const [key, entry] of node.entries) {
      const resolved = resolveReferences(entry.value, root, errors, trail);
      if (resolved !== entry.value) changed = true;
      if (resolved) entries.set(key, { ...entry, value: resolved });
    }
    return changed ? { ...node, entries } : node;
  }
  return node;
}
