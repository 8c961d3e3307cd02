/**
 * pip requirements files, read the way pip's `req_file.py` reads them: lines split, `\`
 * continuations joined (the joined line keeps its first line's number), comments (`#` at the
 * start or after whitespace) removed, then each line broken into the requirement part (tokens up
 * to the first one starting with `-`, never shell-split, so markers survive) and options
 * (shell-split and parsed like optparse would). `-r`/`-c` includes are recorded here and followed
 * by `loadRequirementsTree` through a reader function: no IO in the model.
 */
import type { Span } from '../yaml/document.ts';
import { LineIndex } from '../lines.ts';
import { isPinnedSpecifier, pinnedVersion } from './pep440.ts';
import { normalizeName, parseRequirement, type Requirement } from './pep508.ts';
import type { FileHash, LockedPackage, LockFile } from './types.ts';

/** What kind of thing a requirement line installs. */
export type RequirementSource = 'index' | 'url' | 'vcs' | 'path' | 'editable';

export interface RequirementLine {
  /** The requirement part as written (continuations joined, options and comment removed). */
  text: string;
  source: RequirementSource;
  /** Parsed PEP 508 requirement, for `name…` and `name @ url` lines. */
  requirement?: Requirement;
  /** Name as written; for URL lines, from `name @` or `#egg=`. */
  name?: string;
  normalizedName?: string;
  /** Version specifier as written (`==1.2.3`, `>=2`); '' when none. */
  specifier: string;
  /** The exact version of an `==`/`===` pin. */
  version?: string;
  /**
   * Pinned as pip's hash-checking mode needs it: one `==`/`===` clause, or a URL or path
   * requirement (pip counts those as pinned).
   */
  pinned: boolean;
  /** URL, VCS URL or path, for lines that are not index requirements. */
  url?: string;
  /** VCS: the revision after `@` (`v1.0`, a branch, a commit), if any. */
  vcsRevision?: string;
  marker?: string;
  /** `--hash=alg:hex` options of the line. */
  hashes: FileHash[];
  /** A `#sha256=…` fragment on a URL requirement (pip takes it as the line's hash). */
  urlHash?: FileHash;
  /** First physical line. */
  line: number;
  /** From the first character of the requirement to the end of its last continuation line. */
  span: Span;
  /** The requirement text on its first line (name to specifier). */
  requirementSpan: Span;
  /** Set for lines of a file included with `-c` (and by `loadRequirementsTree` for the root of a constraints set). */
  constraint?: boolean;
  /** Why pip would refuse the line (bad requirement, bad `--hash`), if it would. */
  error?: string;
}

export interface RequirementsOption {
  /** Long name without dashes: `index-url`, `extra-index-url`, `find-links`, `require-hashes`… */
  name: string;
  value?: string;
  line: number;
  span: Span;
}

export interface RequirementsInclude {
  kind: 'requirement' | 'constraint';
  /** As written. */
  target: string;
  line: number;
  span: Span;
}

export interface RequirementsFile {
  kind: 'requirements';
  path: string;
  text: string;
  requirements: RequirementLine[];
  includes: RequirementsInclude[];
  /** Global options written as lines (`--index-url`, `--require-hashes`, `--no-binary`…). */
  options: RequirementsOption[];
  /** `--require-hashes` written in the file. */
  requireHashes?: RequirementsOption;
  /** `--no-require-hashes` (pip 26.2+): check only the hashes that are given. */
  noRequireHashes?: RequirementsOption;
  /** The header says a tool wrote the file (`pip-compile`, `uv export`/`uv pip compile`, other). */
  generatedBy?: 'pip-compile' | 'uv' | 'other';
  /** Lines pip would reject, other than requirement lines (unknown options, missing values). */
  errors: Array<{ line: number; message: string }>;
  /**
   * Read as a constraints file: named `constraints*.txt`, or included with `-c` by a scanned file
   * (set by the loader).
   */
  constraintsFile?: boolean;
  readonly lines: LineIndex;
}

/** Allowed `--hash` algorithms (pip's `STRONG_HASHES`). */
export const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];

interface OptionSpec {
  name: string;
  takesValue: boolean;
  short?: string;
}

/** pip's `SUPPORTED_OPTIONS` and per-requirement options, as of pip 26.2. */
const OPTIONS: OptionSpec[] = [
  { name: 'index-url', short: 'i', takesValue: true },
  { name: 'extra-index-url', takesValue: true },
  { name: 'no-index', takesValue: false },
  { name: 'constraint', short: 'c', takesValue: true },
  { name: 'requirement', short: 'r', takesValue: true },
  { name: 'editable', short: 'e', takesValue: true },
  { name: 'find-links', short: 'f', takesValue: true },
  { name: 'no-binary', takesValue: true },
  { name: 'only-binary', takesValue: true },
  { name: 'prefer-binary', takesValue: false },
  { name: 'require-hashes', takesValue: false },
  { name: 'no-require-hashes', takesValue: false },
  { name: 'pre', takesValue: false },
  { name: 'all-releases', takesValue: true },
  { name: 'only-final', takesValue: true },
  { name: 'trusted-host', takesValue: true },
  { name: 'use-feature', takesValue: true },
  { name: 'hash', takesValue: true },
  { name: 'config-settings', short: 'C', takesValue: true },
];

const VCS_SCHEMES = /^(git|hg|svn|bzr)\+[A-Za-z][A-Za-z0-9+.-]*:/i;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;

/** A logical line: pip's joined line with its number, and the physical lines it came from. */
interface LogicalLine {
  text: string;
  first: number;
  last: number;
}

/** Parses one requirements file. Never throws; what pip would refuse is in `errors`/`error`. */
export function parseRequirements(path: string, text: string): RequirementsFile {
  const lines = new LineIndex(text);
  const file: RequirementsFile = { kind: 'requirements', path, text, requirements: [], includes: [], options: [], errors: [], lines };
  file.generatedBy = generator(lines);
  for (const logical of joinLines(lines)) {
    const stripped = logical.text.replace(/(^|\s+)#.*$/, '').trim();
    if (!stripped) continue;
    handleLine(file, logical, stripped);
  }
  return file;
}

/** pip's `join_lines`: a line ending in `\` that is not a comment line continues on the next. */
function joinLines(lines: LineIndex): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: string[] = [];
  let first = 0;
  for (let number = 1; number <= lines.lineCount; number++) {
    let line = lines.lineText(number);
    // The final line of a file ending in a newline is empty: pip's splitlines() has no such line.
    if (number === lines.lineCount && line === '' && number > 1) break;
    const comment = /^\s*#/.test(line);
    if (!line.endsWith('\\') || comment) {
      if (comment) line = ' ' + line;
      if (pending.length) {
        pending.push(line);
        out.push({ text: pending.join(''), first, last: number });
        pending = [];
      } else out.push({ text: line, first: number, last: number });
    } else {
      if (!pending.length) first = number;
      pending.push(line.replace(/^\\+|\\+$/g, ''));
    }
  }
  if (pending.length) out.push({ text: pending.join(''), first, last: lines.lineCount });
  return out;
}

function generator(lines: LineIndex): RequirementsFile['generatedBy'] {
  for (let number = 1; number <= Math.min(lines.lineCount, 12); number++) {
    const text = lines.lineText(number).trim();
    if (!text) continue;
    if (!text.startsWith('#')) break;
    if (/autogenerated|@generated|automatically generated|generated by/i.test(text)) {
      if (/pip-compile|pip-tools/i.test(text)) return 'pip-compile';
      if (/\buv\b/.test(text)) return 'uv';
      const next = lines.lineText(number + 1) + lines.lineText(number + 2) + lines.lineText(number + 3);
      if (/pip-compile/.test(next)) return 'pip-compile';
      if (/\buv (pip compile|export)/.test(next)) return 'uv';
      return 'other';
    }
  }
  return undefined;
}

/** pip's `break_args_options`: tokens split on single spaces until one starts with `-`. */
function breakArgsOptions(line: string): { args: string; options: string } {
  const tokens = line.split(' ');
  let index = 0;
  while (index < tokens.length && !tokens[index]!.startsWith('-')) index++;
  return { args: tokens.slice(0, index).join(' '), options: tokens.slice(index).join(' ') };
}

interface ParsedOption {
  spec: OptionSpec;
  value?: string;
}

function handleLine(file: RequirementsFile, logical: LogicalLine, line: string): void {
  const { args, options } = breakArgsOptions(line);
  const { parsed, error } = parseOptions(options);
  const firstLineStart = file.lines.lineStart(logical.first);
  const firstText = file.lines.lineText(logical.first);
  const lead = firstText.length - firstText.trimStart().length;
  const whole = file.lines.span(firstLineStart + lead, file.lines.lineStart(logical.last) + file.lines.lineText(logical.last).trimEnd().length);
  if (error) file.errors.push({ line: logical.first, message: error });
  const editable = parsed.find((option) => option.spec.name === 'editable');
  if (editable || args) {
    const text = editable ? (editable.value ?? '') : args.trim();
    const requirementStart = editable ? firstLineStart + Math.max(lead, firstText.indexOf(text)) : firstLineStart + lead;
    const requirementSpan = file.lines.span(requirementStart, requirementStart + Math.min(text.length, firstText.length - (requirementStart - firstLineStart)));
    const entry = requirementLine(text, !!editable, logical, whole, requirementSpan);
    for (const option of parsed) {
      if (option.spec.name !== 'hash') continue;
      const hash = parseHash(option.value ?? '');
      if (typeof hash === 'string') entry.error ??= hash;
      else entry.hashes.push({ ...hash, span: locate(file.lines, logical, option.value ?? '') ?? whole });
    }
    file.requirements.push(entry);
    return;
  }
  for (const option of parsed) {
    const span = locate(file.lines, logical, option.value ?? option.spec.name) ?? whole;
    if (option.spec.name === 'requirement' || option.spec.name === 'constraint') {
      file.includes.push({ kind: option.spec.name, target: option.value ?? '', line: logical.first, span: whole });
      continue;
    }
    if (option.spec.name === 'hash' || option.spec.name === 'config-settings') {
      file.errors.push({ line: logical.first, message: `--${option.spec.name} belongs on a requirement line` });
      continue;
    }
    const item: RequirementsOption = { name: option.spec.name, ...(option.value !== undefined ? { value: option.value } : {}), line: logical.first, span: option.value ? span : whole };
    file.options.push(item);
    if (item.name === 'require-hashes') file.requireHashes ??= { ...item, span: whole };
    if (item.name === 'no-require-hashes') file.noRequireHashes ??= { ...item, span: whole };
  }
}

/** Where an option's value is written among the physical lines of a logical line. */
function locate(lines: LineIndex, logical: LogicalLine, needle: string): Span | undefined {
  if (!needle) return undefined;
  for (let number = logical.first; number <= logical.last; number++) {
    const at = lines.lineText(number).indexOf(needle);
    if (at >= 0) {
      const start = lines.lineStart(number) + at;
      // Widen to the whole `--hash=…` word when the value was found inside it.
      const text = lines.lineText(number);
      let from = at;
      while (from > 0 && !/\s/.test(text[from - 1]!)) from--;
      return lines.span(lines.lineStart(number) + from, start + needle.length);
    }
  }
  return undefined;
}

function parseHash(value: string): Omit<FileHash, 'span'> | string {
  const colon = value.indexOf(':');
  if (colon < 0) return `--hash=${value}: expected algorithm:digest`;
  const algorithm = value.slice(0, colon).toLowerCase();
  const digest = value.slice(colon + 1).toLowerCase();
  if (!STRONG_HASHES.includes(algorithm)) return `Allowed hash algorithms for --hash are ${STRONG_HASHES.join(', ')}.`;
  if (!/^[0-9a-f]+$/.test(digest)) return `--hash=${value}: the digest is not hexadecimal`;
  return { algorithm, digest };
}

/** shlex.split (POSIX) then optparse-style parsing of the options part of a line. */
function parseOptions(text: string): { parsed: ParsedOption[]; error?: string } {
  const words = shlexSplit(text);
  if (words === undefined) return { parsed: [], error: 'unbalanced quotes in options' };
  const parsed: ParsedOption[] = [];
  let error: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let spec: OptionSpec | undefined;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      // optparse accepts a unique prefix of a long option.
      spec = OPTIONS.find((option) => option.name === name) ?? uniquePrefix(name);
      if (eq >= 0) value = word.slice(eq + 1);
    } else if (word.startsWith('-') && word.length > 1) {
      spec = OPTIONS.find((option) => option.short === word[1]);
      if (word.length > 2) value = word.slice(2);
    } else {
      error ??= `unexpected argument '${word}' among options`;
      continue;
    }
    if (!spec) {
      error ??= `no such option: ${word.split('=')[0]}`;
      continue;
    }
    if (spec.takesValue && value === undefined) {
      value = words[i + 1];
      if (value === undefined) {
        error ??= `${word} option requires an argument`;
        continue;
      }
      i++;
    } else if (!spec.takesValue && value !== undefined) {
      error ??= `--${spec.name} option does not take a value`;
      continue;
    }
    parsed.push({ spec, ...(value !== undefined ? { value } : {}) });
  }
  return { parsed, ...(error ? { error } : {}) };
}

function uniquePrefix(name: string): OptionSpec | undefined {
  if (!name) return undefined;
  const matches = OPTIONS.filter((option) => option.name.startsWith(name));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Python's `shlex.split` in POSIX mode, without comments; undefined on unbalanced quotes. */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      current += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (char === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && /["\\$`\n]/.test(text[j + 1]!)) j++;
        current += text[j];
      }
      if (j >= text.length) return undefined;
      i = j;
      inWord = true;
    } else if (char === '\\') {
      if (i + 1 < text.length) current += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function requirementLine(text: string, editable: boolean, logical: LogicalLine, span: Span, requirementSpan: Span): RequirementLine {
  const base: RequirementLine = { text, source: 'index', specifier: '', pinned: false, hashes: [], line: logical.first, span, requirementSpan };
  if (editable) {
    base.source = 'editable';
    base.pinned = false;
    if (VCS_SCHEMES.test(text)) Object.assign(base, vcsParts(text));
    else base.url = text;
    const egg = /#(?:.*&)?egg=([^&\s]+)/.exec(text)?.[1];
    if (egg) setName(base, egg.replace(/\[.*$/, ''));
    return base;
  }
  // URL and VCS lines: markers follow `; ` (pip splits URL lines on semicolon-space).
  const urlLike = VCS_SCHEMES.test(text) || URL_SCHEME.test(text) || /^file:/i.test(text);
  if (urlLike) {
    const [url = '', marker] = splitOnce(text, '; ');
    base.url = url.trim();
    if (marker) base.marker = marker.trim();
    base.source = VCS_SCHEMES.test(url) ? 'vcs' : /^file:/i.test(url) ? 'path' : 'url';
    base.pinned = true;
    if (base.source === 'vcs') Object.assign(base, vcsParts(base.url));
    const egg = /#(?:.*&)?egg=([^&\s]+)/.exec(base.url)?.[1];
    if (egg) setName(base, egg.replace(/\[.*$/, ''));
    base.urlHash = fragmentHash(base.url);
    return base;
  }
  const [beforeMarker = ''] = splitOnce(text, ';');
  if (looksLikePath(beforeMarker.trim())) {
    const [path, marker] = splitOnce(text, '; ');
    base.source = 'path';
    base.url = (path ?? '').trim();
    if (marker) base.marker = marker.trim();
    base.pinned = true;
    return base;
  }
  const parsed = parseRequirement(text);
  if (!parsed.ok) {
    base.error = `invalid requirement: ${parsed.message}`;
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(text)?.[0];
    if (name) setName(base, name);
    return base;
  }
  const requirement = parsed.value;
  base.requirement = requirement;
  setName(base, requirement.name);
  if (requirement.markerText) base.marker = requirement.markerText;
  if (requirement.url) {
    base.url = requirement.url;
    base.source = VCS_SCHEMES.test(requirement.url) ? 'vcs' : /^file:/i.test(requirement.url) ? 'path' : 'url';
    base.pinned = true;
    if (base.source === 'vcs') Object.assign(base, vcsParts(requirement.url));
    base.urlHash = fragmentHash(requirement.url);
    return base;
  }
  base.specifier = requirement.specifier;
  base.pinned = isPinnedSpecifier(requirement.specifier);
  const version = pinnedVersion(requirement.specifier);
  if (version) base.version = version;
  return base;
}

function setName(line: RequirementLine, name: string): void {
  line.name = name;
  line.normalizedName = normalizeName(name);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** pip treats a requirement with a path separator, or starting with `.`, or an archive name, as a path. */
function looksLikePath(text: string): boolean {
  if (!text) return false;
  if (text.startsWith('.') || text.startsWith('/') || text.startsWith('~')) return true;
  if (/^[A-Za-z]:[\\/]/.test(text)) return true;
  // `name[extra]` and specifiers never hold a slash; a path does.
  if (/[\\/]/.test(text) && !/[<>=!~;@]/.test(text)) return true;
  return ARCHIVE.test(text) && !/[<>=!~@]/.test(text);
}

function vcsParts(url: string): Pick<RequirementLine, 'url' | 'vcsRevision'> {
  const withoutFragment = url.replace(/#.*$/, '');
  // `git+https://host/repo.git@rev`: the `@` after the path (not the one of `user@host`).
  const afterScheme = withoutFragment.replace(/^[^:]+:\/\//, '');
  const slash = afterScheme.indexOf('/');
  const path = slash < 0 ? '' : afterScheme.slice(slash);
  const at = path.lastIndexOf('@');
  return { url, ...(at >= 0 && path.slice(at + 1) ? { vcsRevision: path.slice(at + 1) } : {}) };
}

/** `…/pkg-1.0.tar.gz#sha256=<hex>`: pip accepts the fragment as the requirement's hash. */
function fragmentHash(url: string): FileHash | undefined {
  const match = /#(?:.*&)?(sha1|sha224|sha256|sha384|sha512|md5)=([0-9a-fA-F]+)/.exec(url);
  return match ? { algorithm: match[1]!.toLowerCase(), digest: match[2]!.toLowerCase() } : undefined;
}

/** A requirement line has a hash pip will check: `--hash`, or a hash fragment on its URL. */
export function isHashed(line: RequirementLine): boolean {
  return line.hashes.length > 0 || line.urlHash !== undefined;
}

/** Why pip's hash-checking mode refuses a line whatever its hashes, if it does. */
export function unhashable(line: RequirementLine): string | undefined {
  if (line.source === 'editable') return 'editable requirements cannot be installed in hash-checking mode (there is no single file to hash)';
  if (line.source === 'vcs') return 'pip cannot verify hashes of version-control requirements';
  if (line.source === 'path' && line.url && !ARCHIVE.test(line.url.replace(/[?#].*$/, ''))) return 'pip cannot hash a directory';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Includes

/** Reads an included file: its display path and text, or why it cannot be read. */
export type RequirementsReader = (path: string) => Promise<{ ok: true; path: string; text: string } | { ok: false; message: string }> | { ok: true; path: string; text: string } | { ok: false; message: string };

export interface RequirementsTree {
  root: RequirementsFile;
  /** Every file read, the root first; each once. */
  files: RequirementsFile[];
  /** Files reached through `-c` (their lines only constrain). */
  constraintFiles: Set<string>;
  /** The include that brought each file in, by path. */
  includedBy: Map<string, { from: string; include: RequirementsInclude }>;
  /** Includes that could not be followed (missing files, URLs, recursion). */
  errors: Array<{ path: string; line: number; message: string }>;
}

/**
 * `-r`/`-c` targets resolve against the including file's folder; URLs are not followed. Paths
 * are display paths with forward slashes.
 */
export function resolveIncludePath(from: string, target: string): string | undefined {
  if (URL_SCHEME.test(target) || /^file:/i.test(target)) return undefined;
  const base = from.includes('/') ? from.slice(0, from.lastIndexOf('/')) : '';
  const joined = target.startsWith('/') ? target : base ? `${base}/${target}` : target;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else parts.push('..');
    } else parts.push(part);
  }
  return (joined.startsWith('/') ? '/' : '') + parts.join('/');
}

const MAX_INCLUDED_FILES = 200;

/** Follows `-r` and `-c` from `root`, reading each file once through `read`. */
export async function loadRequirementsTree(root: RequirementsFile, read: RequirementsReader): Promise<RequirementsTree> {
  const tree: RequirementsTree = { root, files: [root], constraintFiles: new Set(), includedBy: new Map(), errors: [] };
  const byPath = new Map([[root.path, root]]);
  const visit = async (file: RequirementsFile, chain: string[], constraint: boolean): Promise<void> => {
    for (const include of file.includes) {
      const target = resolveIncludePath(file.path, include.target);
      if (target === undefined) {
        tree.errors.push({ path: file.path, line: include.line, message: `${include.target}: URL includes are not followed` });
        continue;
      }
      if (chain.includes(target)) {
        tree.errors.push({ path: file.path, line: include.line, message: `${include.target} recursively references itself` });
        continue;
      }
      const asConstraint = constraint || include.kind === 'constraint';
      let included = byPath.get(target);
      if (!included) {
        if (byPath.size >= MAX_INCLUDED_FILES) {
          tree.errors.push({ path: file.path, line: include.line, message: `more than ${MAX_INCLUDED_FILES} included files; ${include.target} was not read` });
          continue;
        }
        const result = await read(target);
        if (!result.ok) {
          tree.errors.push({ path: file.path, line: include.line, message: `${include.target}: ${result.message}` });
          continue;
        }
        included = parseRequirements(result.path, result.text);
        byPath.set(target, included);
        tree.files.push(included);
        tree.includedBy.set(included.path, { from: file.path, include });
      }
      if (asConstraint) {
        tree.constraintFiles.add(included.path);
        for (const line of included.requirements) line.constraint = true;
      }
      await visit(included, [...chain, target], asConstraint);
    }
  };
  await visit(root, [root.path], false);
  return tree;
}

/** The requirements file as a `LockFile`: every named line, with its pin and hashes. */
export function requirementsToLockFile(file: RequirementsFile): LockFile {
  const packages: LockedPackage[] = [];
  for (const line of file.requirements) {
    if (!line.name || !line.normalizedName) continue;
    const hashes = [...line.hashes, ...(line.urlHash ? [line.urlHash] : [])];
    const item: LockedPackage = { name: line.name, normalizedName: line.normalizedName, hashes, span: line.span };
    if (line.version) item.version = line.version;
    if (line.marker) item.marker = line.marker;
    if (line.source !== 'index') item.direct = { kind: line.source === 'editable' ? 'editable' : line.source, url: line.url ?? line.text };
    packages.push(item);
  }
  const index = file.options.find((option) => option.name === 'index-url')?.value;
  if (index) for (const item of packages) if (!item.direct) item.index = index;
  return { format: 'requirements', path: file.path, packages };
}
