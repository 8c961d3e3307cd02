/**
 * Lockfiles: `poetry.lock` (lock-version 1.x with `[metadata.files]`, 2.x with per-package
 * `files`), `uv.lock` (version 1), `Pipfile.lock` (pipfile-spec ≤ 6), `pdm.lock` (lock_version
 * 3.x/4.x; 4.0 and older keep hashes in `[metadata.files]`), and PEP 751 `pylock.toml` /
 * `pylock.<name>.toml` (lock-version 1.x). Each becomes a `LockFile` with a span per package.
 *
 * A format version we do not know is refused with a `DependencyFileError` naming the file and
 * the line: a newer format may move or rename the hashes, and guessing would report hashed
 * entries as unhashed (or the reverse).
 */
import type { Span } from '../yaml/document.ts';
import { LineIndex } from '../lines.ts';
import { DependencyFileError } from './errors.ts';
import { normalizeName } from './pep508.ts';
import { parseRequirements, requirementsToLockFile } from './requirements.ts';
import {
  arrayTableRanges,
  asArray,
  asString,
  asTables,
  entrySpan,
  findInRange,
  isTable,
  keyLine,
  parseToml,
  tableRange,
  topLevelKeySpan,
  type EntryRange,
  type TomlTable,
} from './toml.ts';
import type { FileHash, LockedPackage, LockFile, LockFormat } from './types.ts';

/** The lock format a file name stands for (`poetry.lock`, `fixture.positive.uv.lock`…). */
export function lockFormatOf(name: string): Exclude<LockFormat, 'requirements'> | undefined {
  const base = name.split(/[\\/]/).pop() ?? name;
  if (/(^|\.)poetry\.lock$/.test(base)) return 'poetry';
  if (/(^|\.)uv\.lock$/.test(base)) return 'uv';
  if (/(^|\.)Pipfile\.lock$/.test(base)) return 'pipfile';
  if (/(^|\.)pdm\.lock$/.test(base)) return 'pdm';
  if (/(^|\.)pylock(\.[^./\\]+)?\.toml$/.test(base)) return 'pylock';
  return undefined;
}

/** Parses a lockfile (or a requirements file) into a `LockFile`. Throws only `DependencyFileError`. */
export function parseLockFile(path: string, text: string, format: LockFormat | undefined = lockFormatOf(path)): LockFile {
  switch (format) {
    case 'poetry':
      return parsePoetryLock(path, text);
    case 'uv':
      return parseUvLock(path, text);
    case 'pipfile':
      return parsePipfileLock(path, text);
    case 'pdm':
      return parsePdmLock(path, text);
    case 'pylock':
      return parsePylock(path, text);
    case 'requirements':
      return requirementsToLockFile(parseRequirements(path, text));
    default:
      throw new DependencyFileError('not a lockfile cordon reads (poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml)', 1, path);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** `sha256:<hex>` → a FileHash; undefined for anything else. */
function colonHash(value: unknown, filename?: string): FileHash | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([A-Za-z0-9]+):([0-9A-Fa-f]+)$/.exec(value.trim());
  if (!match) return undefined;
  return { algorithm: match[1]!.toLowerCase(), digest: match[2]!.toLowerCase(), ...(filename ? { filename } : {}) };
}

function basename(url: string): string {
  return url.replace(/[?#].*$/, '').split('/').pop() ?? url;
}

function versionError(path: string, span: Span | undefined, what: string, value: unknown, known: string): DependencyFileError {
  return new DependencyFileError(`${what} ${JSON.stringify(value)} is not one cordon knows (it reads ${known}); refusing to guess where this format keeps its hashes`, span?.start.line ?? 1, path, span?.start.column ?? 1);
}

/** Places each hash at the line its digest is written on (inside the entry when possible). */
function placeHashes(index: LineIndex, range: EntryRange | undefined, hashes: FileHash[], fallback: Span): FileHash[] {
  return hashes.map((hash) => ({ ...hash, span: (range && findInRange(index, range, hash.digest)) ?? findAnywhere(index, hash.digest) ?? fallback }));
}

function findAnywhere(index: LineIndex, needle: string): Span | undefined {
  const at = index.text.indexOf(needle);
  return at < 0 ? undefined : index.span(at, at + needle.length);
}

/**
 * The named entries of the array of tables `table` (`[[package]]`), each with its range in the
 * text and its package record started: name, span at its `name =` line, version when it has one.
 */
function lockedEntries(index: LineIndex, doc: TomlTable, table: string): Array<{ entry: TomlTable; range: EntryRange | undefined; span: Span; item: LockedPackage }> {
  const ranges = arrayTableRanges(index, table);
  const entries: Array<{ entry: TomlTable; range: EntryRange | undefined; span: Span; item: LockedPackage }> = [];
  asTables(doc[table]).forEach((entry, position) => {
    const name = asString(entry.name);
    if (!name) return;
    const range = ranges[position];
    const span = entrySpan(index, range);
    const item = makePackage(name, span);
    const version = asString(entry.version);
    if (version) item.version = version;
    entries.push({ entry, range, span, item });
  });
  return entries;
}

function makePackage(name: string, span: Span, extra: Partial<LockedPackage> = {}): LockedPackage {
  return { name, normalizedName: normalizeName(name), hashes: [], span, ...extra };
}

// ---------------------------------------------------------------------------------------------
// poetry.lock

export function parsePoetryLock(path: string, text: string): LockFile {
  const index = new LineIndex(text);
  const doc = parseToml(path, text);
  const metadata = isTable(doc.metadata) ? doc.metadata : {};
  const metadataRange = tableRange(index, 'metadata');
  const versionLine = metadataRange ? keyLine(index, metadataRange, 'lock-version') : undefined;
  const versionSpan = versionLine ? index.lineSpan(versionLine) : undefined;
  // Poetry reads lock-version ">=1,<3"; a lock without one is older than 1.0 and read as 1.0.
  const version = metadata['lock-version'] === undefined ? undefined : String(metadata['lock-version']);
  if (version !== undefined && !/^[12](\.\d+)*$/.test(version)) throw versionError(path, versionSpan, 'poetry.lock lock-version', metadata['lock-version'], 'lock-version 1.x and 2.x');
  const legacyFiles = isTable(metadata.files) ? metadata.files : undefined;
  const legacyByName = new Map<string, unknown[]>();
  if (legacyFiles) for (const [key, value] of Object.entries(legacyFiles)) legacyByName.set(normalizeName(key), asArray(value));
  const filesRange = tableRange(index, 'metadata.files');
  const packages: LockedPackage[] = [];
  for (const { entry, range, span, item } of lockedEntries(index, doc, 'package')) {
    if (typeof entry.markers === 'string') item.marker = entry.markers;
    const source = isTable(entry.source) ? entry.source : undefined;
    const sourceType = asString(source?.type);
    const sourceUrl = asString(source?.url) ?? '';
    if (sourceType === 'git') item.direct = { kind: 'vcs', url: `${sourceUrl}${source?.resolved_reference ? `@${String(source.resolved_reference)}` : source?.reference ? `@${String(source.reference)}` : ''}` };
    else if (sourceType === 'directory') item.direct = { kind: entry.develop === true ? 'editable' : 'path', url: sourceUrl };
    else if (sourceType === 'file') item.direct = { kind: 'path', url: sourceUrl };
    else if (sourceType === 'url') item.direct = { kind: 'url', url: sourceUrl };
    else if (sourceUrl) item.index = sourceUrl;
    const files = entry.files !== undefined ? asArray(entry.files) : (legacyByName.get(item.normalizedName) ?? []);
    const fileRange = entry.files !== undefined ? range : filesRange;
    const hashes: FileHash[] = [];
    const unhashed: string[] = [];
    for (const file of files) {
      if (!isTable(file)) continue;
      const filename = asString(file.file) ?? asString(file.url) ?? '';
      const hash = colonHash(file.hash, filename || undefined);
      if (hash) hashes.push(hash);
      else unhashed.push(filename);
    }
    item.hashes = placeHashes(index, fileRange, hashes, span);
    if (unhashed.length) item.unhashedFiles = unhashed;
    packages.push(item);
  }
  return { format: 'poetry', path, ...(version !== undefined ? { formatVersion: version } : {}), ...(versionSpan ? { formatVersionSpan: versionSpan } : {}), packages };
}

// ---------------------------------------------------------------------------------------------
// uv.lock

export function parseUvLock(path: string, text: string): LockFile {
  const index = new LineIndex(text);
  const doc = parseToml(path, text);
  const versionSpan = topLevelKeySpan(index, 'version');
  if (doc.version !== 1) throw versionError(path, versionSpan, 'uv.lock version', doc.version ?? null, 'version = 1');
  const packages: LockedPackage[] = [];
  for (const { entry, range, span, item } of lockedEntries(index, doc, 'package')) {
    const source = isTable(entry.source) ? entry.source : {};
    if (typeof source.registry === 'string') item.index = source.registry;
    else if (typeof source.git === 'string') item.direct = { kind: 'vcs', url: source.git };
    else if (typeof source.url === 'string') item.direct = { kind: 'url', url: source.url };
    else if (typeof source.path === 'string') item.direct = { kind: 'path', url: source.path };
    else if (typeof source.directory === 'string') item.direct = { kind: 'path', url: source.directory };
    else if (typeof source.editable === 'string') item.direct = { kind: 'editable', url: source.editable };
    else if (typeof source.virtual === 'string') item.direct = { kind: 'path', url: source.virtual };
    const files = [...(isTable(entry.sdist) ? [entry.sdist] : []), ...asTables(entry.wheels)];
    const hashes: FileHash[] = [];
    const unhashed: string[] = [];
    for (const file of files) {
      const location = asString(file.url) ?? asString(file.path) ?? asString(file.filename) ?? '';
      const hash = colonHash(file.hash, location ? basename(location) : undefined);
      if (hash) hashes.push(hash);
      else unhashed.push(location);
    }
    item.hashes = placeHashes(index, range, hashes, span);
    if (unhashed.length) item.unhashedFiles = unhashed;
    packages.push(item);
  }
  return { format: 'uv', path, formatVersion: '1', ...(versionSpan ? { formatVersionSpan: versionSpan } : {}), packages };
}

// ---------------------------------------------------------------------------------------------
// Pipfile.lock (JSON)

/** pipenv writes `pipfile-spec` 6; older specs kept the same package shape. */
const PIPFILE_SPECS = new Set([1, 2, 3, 4, 5, 6]);

export function parsePipfileLock(path: string, text: string): LockFile {
  const index = new LineIndex(text);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const line = /line (\d+)/.exec(message)?.[1];
    throw new DependencyFileError(`invalid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}`, line ? Number(line) : position ? index.lineOf(Number(position)) : 1, path);
  }
  if (!isTable(doc)) throw new DependencyFileError('Pipfile.lock is not a JSON object', 1, path);
  const meta = isTable(doc._meta) ? doc._meta : {};
  const specLine = findLine(index, /"pipfile-spec"\s*:/, 1);
  const specSpan = specLine ? index.lineSpan(specLine) : undefined;
  const spec = meta['pipfile-spec'];
  if (spec !== undefined && !(typeof spec === 'number' && PIPFILE_SPECS.has(spec))) throw versionError(path, specSpan, 'Pipfile.lock pipfile-spec', spec, 'pipfile-spec 1 to 6');
  const sources = new Map<string, string>();
  for (const source of asArray(meta.sources)) if (isTable(source) && typeof source.name === 'string' && typeof source.url === 'string') sources.set(source.name, source.url);
  const packages: LockedPackage[] = [];
  for (const [section, value] of Object.entries(doc)) {
    if (section === '_meta' || !isTable(value)) continue;
    const sectionLine = findLine(index, new RegExp(`^\\s*${JSON.stringify(section).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`), 1) ?? 1;
    let cursor = sectionLine;
    for (const [name, entry] of Object.entries(value)) {
      if (!isTable(entry)) continue;
      const line = findLine(index, new RegExp(`^\\s*${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`), cursor) ?? sectionLine;
      cursor = line;
      const span = index.lineSpan(line);
      const item = makePackage(name, span);
      const version = asString(entry.version);
      if (version) item.version = version.replace(/^===?/, '');
      if (typeof entry.markers === 'string') item.marker = entry.markers;
      if (typeof entry.index === 'string') item.index = sources.get(entry.index) ?? entry.index;
      if (typeof entry.git === 'string') item.direct = { kind: 'vcs', url: `${entry.git}${typeof entry.ref === 'string' ? `@${entry.ref}` : ''}` };
      else if (typeof entry.path === 'string') item.direct = { kind: entry.editable === true ? 'editable' : 'path', url: entry.path };
      else if (typeof entry.file === 'string') item.direct = { kind: 'url', url: entry.file };
      else if (entry.editable === true) item.direct = { kind: 'editable', url: name };
      const raw = Array.isArray(entry.hashes) ? entry.hashes : typeof entry.hash === 'string' ? [entry.hash] : [];
      const hashes = raw.map((value) => colonHash(value)).filter((hash): hash is FileHash => hash !== undefined);
      const end = findLine(index, /^\s*\}/, line) ?? line;
      item.hashes = placeHashes(index, { start: line, end }, hashes, span);
      packages.push(item);
    }
  }
  return { format: 'pipfile', path, ...(spec !== undefined ? { formatVersion: String(spec) } : {}), ...(specSpan ? { formatVersionSpan: specSpan } : {}), packages };
}

function findLine(index: LineIndex, pattern: RegExp, from: number): number | undefined {
  for (let line = from; line <= index.lineCount; line++) if (pattern.test(index.lineText(line))) return line;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// pdm.lock

export function parsePdmLock(path: string, text: string): LockFile {
  const index = new LineIndex(text);
  const doc = parseToml(path, text);
  const metadata = isTable(doc.metadata) ? doc.metadata : {};
  const metadataRange = tableRange(index, 'metadata');
  const versionLine = metadataRange ? keyLine(index, metadataRange, 'lock_version') : undefined;
  const versionSpan = versionLine ? index.lineSpan(versionLine) : undefined;
  const version = metadata.lock_version === undefined ? undefined : String(metadata.lock_version);
  if (version === undefined || !/^[34](\.\d+)*$/.test(version)) throw versionError(path, versionSpan, 'pdm.lock lock_version', metadata.lock_version ?? null, 'lock_version 3.x and 4.x');
  const legacyFiles = isTable(metadata.files) ? metadata.files : {};
  const filesRange = tableRange(index, 'metadata.files');
  const packages: LockedPackage[] = [];
  for (const { entry, range, span, item } of lockedEntries(index, doc, 'package')) {
    if (typeof entry.marker === 'string') item.marker = entry.marker;
    if (typeof entry.git === 'string') item.direct = { kind: 'vcs', url: `${entry.git}${typeof entry.revision === 'string' ? `@${entry.revision}` : ''}` };
    else if (typeof entry.path === 'string') item.direct = { kind: entry.editable === true ? 'editable' : 'path', url: entry.path };
    else if (typeof entry.url === 'string') item.direct = { kind: 'url', url: entry.url };
    const legacyKey = Object.keys(legacyFiles).find((key) => {
      const [keyName = '', keyVersion] = key.split(' ');
      return normalizeName(keyName) === item.normalizedName && keyVersion === asString(entry.version);
    });
    const files = entry.files !== undefined ? asArray(entry.files) : legacyKey ? asArray(legacyFiles[legacyKey]) : [];
    const hashes: FileHash[] = [];
    const unhashed: string[] = [];
    for (const file of files) {
      if (!isTable(file)) continue;
      const location = asString(file.url) ?? asString(file.file) ?? '';
      const hash = colonHash(file.hash, location ? basename(location) : undefined);
      if (hash) hashes.push(hash);
      else unhashed.push(location);
    }
    item.hashes = placeHashes(index, entry.files !== undefined ? range : filesRange, hashes, span);
    if (unhashed.length) item.unhashedFiles = unhashed;
    packages.push(item);
  }
  return { format: 'pdm', path, formatVersion: version, ...(versionSpan ? { formatVersionSpan: versionSpan } : {}), packages };
}

// ---------------------------------------------------------------------------------------------
// pylock.toml (PEP 751)

export function parsePylock(path: string, text: string): LockFile {
  const index = new LineIndex(text);
  const doc = parseToml(path, text);
  const versionSpan = topLevelKeySpan(index, 'lock-version');
  const version = doc['lock-version'];
  // PEP 751: a tool MUST refuse a lock-version whose major version it does not support.
  if (typeof version !== 'string' || !/^1(\.\d+)*$/.test(version)) throw versionError(path, versionSpan, 'pylock.toml lock-version', version ?? null, 'lock-version 1.x');
  const packages: LockedPackage[] = [];
  for (const { entry, range, span, item } of lockedEntries(index, doc, 'packages')) {
    if (typeof entry.marker === 'string') item.marker = entry.marker;
    if (typeof entry.index === 'string') item.index = entry.index;
    const vcs = isTable(entry.vcs) ? entry.vcs : undefined;
    const directory = isTable(entry.directory) ? entry.directory : undefined;
    const archive = isTable(entry.archive) ? entry.archive : undefined;
    if (vcs) item.direct = { kind: 'vcs', url: `${asString(vcs.url) ?? asString(vcs.path) ?? ''}${typeof vcs['commit-id'] === 'string' ? `@${vcs['commit-id']}` : ''}` };
    else if (directory) item.direct = { kind: directory.editable === true ? 'editable' : 'path', url: asString(directory.path) ?? '' };
    else if (archive) item.direct = { kind: typeof archive.url === 'string' ? 'url' : 'path', url: asString(archive.url) ?? asString(archive.path) ?? '' };
    const files = [...(archive ? [archive] : []), ...(isTable(entry.sdist) ? [entry.sdist] : []), ...asTables(entry.wheels)];
    const hashes: FileHash[] = [];
    const unhashed: string[] = [];
    for (const file of files) {
      const location = asString(file.url) ?? asString(file.path) ?? '';
      const filename = asString(file.name) ?? (location ? basename(location) : undefined);
      const table = isTable(file.hashes) ? file.hashes : {};
      let any = false;
      for (const [algorithm, digest] of Object.entries(table)) {
        if (typeof digest !== 'string' || !/^[0-9A-Fa-f]+$/.test(digest)) continue;
        hashes.push({ algorithm: algorithm.toLowerCase(), digest: digest.toLowerCase(), ...(filename ? { filename } : {}) });
        any = true;
      }
      if (!any) unhashed.push(filename ?? location);
    }
    item.hashes = placeHashes(index, range, hashes, span);
    if (unhashed.length) item.unhashedFiles = unhashed;
    packages.push(item);
  }
  return { format: 'pylock', path, formatVersion: version, ...(versionSpan ? { formatVersionSpan: versionSpan } : {}), packages };
}

export type { TomlTable };
