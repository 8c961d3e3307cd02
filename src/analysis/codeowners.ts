/**
 * A CODEOWNERS matcher following GitHub's documented syntax: gitignore-like patterns, one rule a
 * line, the **last** matching line wins, a pattern with no owners leaves the path without owners.
 * GitHub does not support `!` negation or `[ ]` ranges; it skips lines it cannot read, and so do we.
 *
 * - `*` alone matches every file; `*.js` matches anywhere; `docs/*` matches files directly in
 *   `docs/` but not deeper (unlike gitignore); `apps/` matches a directory named `apps` anywhere;
 *   a leading `/` (or a `/` inside the pattern) anchors it to the repository root; `**` matches
 *   any number of directories.
 * - Paths are case sensitive.
 */
export interface CodeownersRule {
  /** 1-based line in the file. */
  line: number;
  pattern: string;
  owners: string[];
  regex: RegExp;
}

export interface Codeowners {
  rules: CodeownersRule[];
  /** Lines GitHub would skip, with why. */
  invalid: Array<{ line: number; text: string; reason: string }>;
}

export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const invalid: Codeowners['invalid'] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    // A `#` after whitespace starts a comment.
    const content = trimmed.replace(/\s+#.*$/, '');
    const tokens = splitUnescaped(content);
    const [pattern = '', ...owners] = tokens;
    if (pattern.startsWith('!') || /\[|\]/.test(pattern)) {
      invalid.push({ line, text: trimmed, reason: 'CODEOWNERS patterns do not support `!` or `[ ]`' });
      return;
    }
    const badOwner = owners.find((owner) => !/^@[\w.-]+(\/[\w.-]+)?$/.test(owner) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(owner));
    if (badOwner) {
      invalid.push({ line, text: trimmed, reason: `\`${badOwner}\` is not a user, team or email` });
      return;
    }
    rules.push({ line, pattern, owners, regex: patternToRegExp(pattern) });
  });
  return { rules, invalid };
}

/** The rule that decides a path's owners (the last one that matches), if any. */
export function ruleFor(codeowners: Codeowners, path: string): CodeownersRule | undefined {
  const normalized = path.replace(/^\.?\/+/, '');
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i]!;
    if (rule.regex.test(normalized)) return rule;
  }
  return undefined;
}

/** The owners of a path; empty when no rule matches or the deciding rule names none. */
export function ownersOf(codeowners: Codeowners, path: string): string[] {
  return ruleFor(codeowners, path)?.owners ?? [];
}

function splitUnescaped(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
      continue;
    }
    if (/\s/.test(char)) {
      if (current) tokens.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (current) tokens.push(current);
  return tokens;
}

/** Compiles one pattern to a regular expression over repository-relative paths (no leading `/`). */
export function patternToRegExp(pattern: string): RegExp {
  const directoryOnly = pattern.endsWith('/');
  let body = pattern.replace(/\/+$/, '');
  const anchored = body.startsWith('/') || body.replace(/^\/+/, '').includes('/');
  body = body.replace(/^\/+/, '');
  if (body === '' ) return /^.*$/;
  if (body === '*' || body === '**') return /^.+$/;
  const segments = body.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      // `**/x`: any leading directories; `x/**`: everything inside; `a/**/b`: zero or more directories.
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    source += segment.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    if (!last) source += '/';
  });
  const lastSegment = segments[segments.length - 1]!;
  const prefix = anchored ? '^' : '^(?:.*/)?';
  let suffix: string;
  if (directoryOnly) suffix = '/.*$';
  else if (lastSegment === '**') suffix = '$';
  // GitHub: `docs/*` owns `docs/a.md` but not `docs/build/b.md`.
  else if (/[*?]/.test(lastSegment)) suffix = '$';
  // A literal name matches the file, or everything in the directory of that name.
  else suffix = '(?:/.*)?$';
  return new RegExp(prefix + source + suffix);
}
