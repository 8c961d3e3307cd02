/**
 * The dependency declarations of `pyproject.toml`: PEP 621 `[project] dependencies` and
 * `[project.optional-dependencies]`, PEP 735 `[dependency-groups]` (with `{include-group = …}`),
 * and Poetry's `[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and
 * `[tool.poetry.group.<g>.dependencies]`. Declarations are ranges on purpose; a lock pins them.
 */
import type { Span } from '../yaml/document.ts';
import { LineIndex } from '../lines.ts';
import { normalizeName, parseRequirement } from './pep508.ts';
import { asArray, asString, isTable, parseToml, tableRange, type EntryRange, type TomlTable } from './toml.ts';

export interface DeclaredDependency {
  name: string;
  normalizedName: string;
  /** PEP 440 specifier for PEP 508 strings; Poetry constraint syntax (`^1.2`, `*`) for Poetry tables. */
  specifier: string;
  syntax: 'pep508' | 'poetry';
  marker?: string;
  extras: string[];
  /** Where it is declared: `project`, `extra:<name>`, `group:<name>` (PEP 735), `poetry:<group>`. */
  group: string;
  /** Not from an index: a URL, VCS or path reference. */
  direct?: { kind: 'vcs' | 'url' | 'path'; url: string };
  span: Span;
  /** A PEP 508 string that does not parse. */
  error?: string;
}

export interface PyProject {
  kind: 'pyproject';
  path: string;
  text: string;
  name?: string;
  dependencies: DeclaredDependency[];
  /** `{include-group = …}` that name no group, or that cycle. */
  errors: Array<{ line: number; message: string }>;
  readonly lines: LineIndex;
}

export function parsePyProject(path: string, text: string): PyProject {
  const lines = new LineIndex(text);
  const doc = parseToml(path, text);
  const result: PyProject = { kind: 'pyproject', path, text, dependencies: [], errors: [], lines };
  const project = isTable(doc.project) ? doc.project : undefined;
  if (project && typeof project.name === 'string') result.name = project.name;
  if (project) {
    const range = tableRange(lines, 'project');
    pep508List(result, asArray(project.dependencies), 'project', range);
    const optional = isTable(project['optional-dependencies']) ? project['optional-dependencies'] : {};
    const optionalRange = tableRange(lines, 'project.optional-dependencies') ?? range;
    for (const [extra, list] of Object.entries(optional)) pep508List(result, asArray(list), `extra:${extra}`, optionalRange);
  }
  const groups = isTable(doc['dependency-groups']) ? doc['dependency-groups'] : undefined;
  if (groups) {
    const range = tableRange(lines, 'dependency-groups');
    for (const [group, list] of Object.entries(groups)) {
      pep508List(result, asArray(list), `group:${group}`, range);
      for (const item of asArray(list)) {
        if (!isTable(item)) continue;
        const target = asString(item['include-group']);
        const known = target !== undefined && Object.keys(groups).some((name) => normalizeName(name) === normalizeName(target));
        if (!known) result.errors.push({ line: findLine(lines, range, 'include-group') ?? 1, message: `dependency group ${group} includes unknown group ${String(target)}` });
      }
    }
  }
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : undefined;
  if (poetry) {
    poetryTable(result, poetry.dependencies, 'poetry:main', tableRange(lines, 'tool.poetry.dependencies'));
    poetryTable(result, poetry['dev-dependencies'], 'poetry:dev', tableRange(lines, 'tool.poetry.dev-dependencies'));
    const poetryGroups = isTable(poetry.group) ? poetry.group : {};
    for (const [group, table] of Object.entries(poetryGroups)) {
      if (isTable(table)) poetryTable(result, table.dependencies, `poetry:${group}`, tableRange(lines, `tool.poetry.group.${group}.dependencies`));
    }
  }
  return result;
}

function pep508List(result: PyProject, list: unknown[], group: string, range: EntryRange | undefined): void {
  for (const item of list) {
    if (typeof item !== 'string') continue;
    const span = findSpan(result.lines, range, item);
    const parsed = parseRequirement(item);
    if (!parsed.ok) {
      const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(item)?.[1] ?? item.trim();
      result.dependencies.push({ name, normalizedName: normalizeName(name), specifier: '', syntax: 'pep508', extras: [], group, span, error: parsed.message });
      continue;
    }
    const requirement = parsed.value;
    const dependency: DeclaredDependency = { name: requirement.name, normalizedName: requirement.normalizedName, specifier: requirement.specifier, syntax: 'pep508', extras: requirement.extras, group, span };
    if (requirement.markerText) dependency.marker = requirement.markerText;
    if (requirement.url) dependency.direct = { kind: /^(git|hg|svn|bzr)\+/.test(requirement.url) ? 'vcs' : /^file:/.test(requirement.url) ? 'path' : 'url', url: requirement.url };
    result.dependencies.push(dependency);
  }
}

function poetryTable(result: PyProject, table: unknown, group: string, range: EntryRange | undefined): void {
  if (!isTable(table)) return;
  for (const [name, value] of Object.entries(table)) {
    // `python = "^3.10"` is the interpreter, not a package.
    if (name.toLowerCase() === 'python') continue;
    const span = keySpan(result.lines, range, name);
    for (const constraint of Array.isArray(value) ? value : [value]) {
      const dependency: DeclaredDependency = { name, normalizedName: normalizeName(name), specifier: '', syntax: 'poetry', extras: [], group, span };
      if (typeof constraint === 'string') dependency.specifier = constraint;
      else if (isTable(constraint)) poetryConstraint(dependency, constraint);
      else continue;
      result.dependencies.push(dependency);
    }
  }
}

function poetryConstraint(dependency: DeclaredDependency, table: TomlTable): void {
  if (typeof table.version === 'string') dependency.specifier = table.version;
  if (typeof table.markers === 'string') dependency.marker = table.markers;
  dependency.extras = asArray(table.extras).filter((item): item is string => typeof item === 'string');
  if (typeof table.git === 'string') {
    const rev = asString(table.rev) ?? asString(table.tag) ?? asString(table.branch);
    dependency.direct = { kind: 'vcs', url: `${table.git}${rev ? `@${rev}` : ''}` };
  } else if (typeof table.path === 'string') dependency.direct = { kind: 'path', url: table.path };
  else if (typeof table.url === 'string') dependency.direct = { kind: 'url', url: table.url };
}

function findSpan(lines: LineIndex, range: EntryRange | undefined, item: string): Span {
  const from = range ?? { start: 1, end: lines.lineCount };
  for (const quoted of [JSON.stringify(item), `'${item}'`, item]) {
    for (let line = from.start; line <= from.end; line++) {
      const at = lines.lineText(line).indexOf(quoted);
      if (at >= 0) return lines.span(lines.lineStart(line) + at, lines.lineStart(line) + at + quoted.length);
    }
  }
  return lines.lineSpan(from.start);
}

function keySpan(lines: LineIndex, range: EntryRange | undefined, key: string): Span {
  const from = range ?? { start: 1, end: lines.lineCount };
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const pattern = new RegExp(`^\\s*["']?${escaped}["']?\\s*=`);
  for (let line = from.start; line <= from.end; line++) if (pattern.test(lines.lineText(line))) return lines.lineSpan(line);
  return lines.lineSpan(from.start);
}

function findLine(lines: LineIndex, range: EntryRange | undefined, needle: string): number | undefined {
  const from = range ?? { start: 1, end: lines.lineCount };
  for (let line = from.start; line <= from.end; line++) if (lines.lineText(line).includes(needle)) return line;
  return undefined;
}
