import type { Finding } from './finding.ts';

export interface IgnoreComment {
  line: number;
  rules: string[];
  /** The comment stands alone on its line, so it may also cover the line below. */
  ownLine: boolean;
}

const DIRECTIVE = /cordon:\s*ignore\[([^\]]*)\]/;

/** Reads `# cordon: ignore[rule-a, rule-b] reason` from real YAML comments. */
export function parseIgnoreComments(comments: Array<{ line: number; text: string }>, lineTexts?: (line: number) => string): IgnoreComment[] {
  const ignores: IgnoreComment[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.text);
    if (!match) continue;
    const rules = (match[1] ?? '')
      .split(',')
      .map((rule) => rule.trim())
      .filter(Boolean);
    const ownLine = lineTexts ? lineTexts(comment.line).trimStart().startsWith('#') : true;
    ignores.push({ line: comment.line, rules, ownLine });
  }
  return ignores;
}

/**
 * A comment ignores a finding when it sits on a line the finding spans, or alone on the line
 * just above the finding's first line.
 */
export function isIgnoredByComment(ignores: readonly IgnoreComment[], finding: Finding): boolean {
  return ignores.some(
    (ignore) =>
      ignore.rules.includes(finding.rule) &&
      ((ignore.line >= finding.line && ignore.line <= finding.endLine) || (ignore.ownLine && ignore.line === finding.line - 1)),
  );
}

/** `path`, `path:LINE` or `path:LINE:COLUMN`, as in the config's `rules.<id>.ignore`. */
export function isIgnoredByConfig(patterns: readonly string[] | undefined, finding: Finding): boolean {
  if (!patterns) return false;
  return patterns.some((pattern) => {
    const [path, line, column] = pattern.split(':');
    if (path !== finding.path && !finding.path.endsWith(`/${path}`)) return false;
    if (line !== undefined && Number(line) !== finding.line) return false;
    if (column !== undefined && Number(column) !== finding.column) return false;
    return true;
  });
}
