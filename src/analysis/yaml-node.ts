import { isMap, isScalar, isSeq, type YamlFile, type YamlNode } from '../models/yaml/document.ts';
import type { Located, Route } from '../models/github/types.ts';

/**
 * The YAML node at a route (`['jobs', 'build', 'steps', 2, 'working-directory']`), following
 * aliases and merge keys as the model does. For the few fields the model does not keep.
 */
export function nodeAt(yaml: YamlFile, route: Route): YamlNode | null {
  let node: YamlNode | null = yaml.root;
  for (const part of route) {
    if (!node) return null;
    if (typeof part === 'number') {
      if (!isSeq(node)) return null;
      node = yaml.resolve(node.items[part]);
    } else {
      if (!isMap(node)) return null;
      const entry = yaml.entries(node).find((candidate) => String(candidate.key.value) === part);
      node = entry ? yaml.resolve(entry.value) : null;
    }
  }
  return node;
}

/** A scalar field as text with its span, or undefined when absent or not a scalar. */
export function scalarAt(yaml: YamlFile, route: Route): Located<string> | undefined {
  const node = nodeAt(yaml, route);
  if (!node || !isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return { value: String(node.value), span: yaml.span(node) };
}
