import { normalizeName, parseDistributionFilename, type DistributionKind } from './names.ts';

/**
 * The Simple Repository API (PEP 503 HTML, PEP 691 JSON) as read from any index: PyPI, devpi,
 * Artifactory, Nexus, a plain static folder. Fields added by later PEPs are optional: PEP 700
 * (`versions`, `size`, `upload-time`), PEP 714 (`core-metadata`), PEP 740 (`provenance`),
 * PEP 792 (`project-status`). Absent means "this index does not say", which callers must keep
 * apart from `false`/`null` ("the index says there is none").
 */

export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

export type Yanked = false | { reason: string | null };

export interface SimpleFile {
  filename: string;
  /** Absolute download URL. */
  url: string;
  /** Algorithm (lower case) → lower-case hex digest. */
  hashes: Record<string, string>;
  requiresPython?: string | null;
  size?: number;
  /** PEP 700; undefined when the index does not send it. */
  uploadTime?: Date;
  yanked: Yanked;
  /** PEP 740: a URL, `null` (no provenance), or undefined (the index does not say). */
  provenance?: string | null;
  kind: DistributionKind;
  /** Version from the file name, as written there. */
  version?: string;
}

export interface ProjectStatus {
  /** `active`, `archived`, `quarantined`, `deprecated`, or an unknown value as sent. */
  status: string;
  reason?: string;
}

export interface SimpleProject {
  name: string;
  normalizedName: string;
  format: 'json' | 'html';
  apiVersion?: string;
  lastSerial?: number;
  status?: ProjectStatus;
  /** PEP 700 list of every release, files or not. */
  versions?: string[];
  files: SimpleFile[];
  /** The index tells, per file, whether there is provenance (PEP 740). */
  reportsProvenance: boolean;
}

export class SimpleParseError extends Error {}

/** Parses a project page in either form, by its Content-Type (falling back to sniffing). */
export function parseProjectPage(body: string, contentType: string, pageUrl: string, requestedName: string): SimpleProject {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.endsWith('+json') || type === 'application/json' || (!type && body.trimStart().startsWith('{'))) return parseProjectJson(body, pageUrl, requestedName);
  return parseProjectHtml(body, pageUrl, requestedName);
}

export function parseProjectJson(body: string, pageUrl: string, requestedName: string): SimpleProject {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new SimpleParseError(`invalid JSON from ${pageUrl}: ${(error as Error).message}`);
  }
  if (!isObject(document) || !Array.isArray(document.files)) throw new SimpleParseError(`${pageUrl} is not a Simple API project page (no "files" list)`);
  const meta = isObject(document.meta) ? document.meta : {};
  const name = typeof document.name === 'string' ? document.name : requestedName;
  const normalizedName = normalizeName(name);
  // The spec's example puts project-status under meta; warehouse puts it at the top. Accept both.
  const status = readStatus(document['project-status']) ?? readStatus(meta['project-status']);
  const files: SimpleFile[] = [];
  let reportsProvenance = false;
  for (const raw of document.files) {
    if (!isObject(raw) || typeof raw.filename !== 'string' || typeof raw.url !== 'string') continue;
    const hashes: Record<string, string> = {};
    if (isObject(raw.hashes)) {
      for (const [algorithm, digest] of Object.entries(raw.hashes)) if (typeof digest === 'string') hashes[algorithm.toLowerCase()] = digest.toLowerCase();
    }
    const parsed = parseDistributionFilename(raw.filename, normalizedName);
    const file: SimpleFile = {
      filename: raw.filename,
      url: resolveUrl(raw.url, pageUrl),
      hashes,
      yanked: readYanked(raw.yanked),
      kind: parsed.kind,
      version: parsed.version,
    };
    if ('requires-python' in raw) file.requiresPython = typeof raw['requires-python'] === 'string' ? raw['requires-python'] : null;
    if (typeof raw.size === 'number') file.size = raw.size;
    if (typeof raw['upload-time'] === 'string') file.uploadTime = parseTime(raw['upload-time']);
    if ('provenance' in raw) {
      reportsProvenance = true;
      file.provenance = typeof raw.provenance === 'string' && raw.provenance ? resolveUrl(raw.provenance, pageUrl) : null;
    }
    files.push(file);
  }
  const project: SimpleProject = { name, normalizedName, format: 'json', files, reportsProvenance };
  if (typeof meta['api-version'] === 'string') project.apiVersion = meta['api-version'];
  if (typeof meta['_last-serial'] === 'number') project.lastSerial = meta['_last-serial'];
  if (status) project.status = status;
  if (Array.isArray(document.versions)) project.versions = document.versions.filter((v): v is string => typeof v === 'string');
  // API 1.3+ always carries the key; an index that claims it but sent no files still "reports".
  if (files.length === 0 && apiAtLeast(project.apiVersion, 1, 3)) project.reportsProvenance = true;
  return project;
}

/** PEP 503 HTML with the PEP 592/658/714/740/792 data attributes. */
export function parseProjectHtml(body: string, pageUrl: string, requestedName: string): SimpleProject {
  const normalizedName = normalizeName(requestedName);
  const metas = new Map<string, string>();
  for (const match of body.matchAll(/<meta\b([^>]*)>/gi)) {
    const attributes = parseAttributes(match[1]!);
    const name = attributes.get('name');
    const content = attributes.get('content');
    if (name && content !== undefined) metas.set(name.toLowerCase(), content);
  }
  const apiVersion = metas.get('pypi:repository-version');
  const reportsProvenance = apiAtLeast(apiVersion, 1, 3);
  let base = pageUrl;
  const baseTag = /<base\b([^>]*)>/i.exec(body);
  const baseHref = baseTag ? parseAttributes(baseTag[1]!).get('href') : undefined;
  if (baseHref) base = resolveUrl(baseHref, pageUrl);

  const files: SimpleFile[] = [];
  for (const match of body.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attributes = parseAttributes(match[1]!);
    const href = attributes.get('href');
    if (!href) continue;
    const absolute = new URL(resolveUrl(href, base));
    const hashes: Record<string, string> = {};
    const fragment = /^#([a-z0-9]+)=([0-9a-f]+)$/i.exec(absolute.hash);
    if (fragment) hashes[fragment[1]!.toLowerCase()] = fragment[2]!.toLowerCase();
    absolute.hash = '';
    const text = decodeEntities(match[2]!.replace(/<[^>]*>/g, '')).trim();
    const filename = text || decodeURIComponent(absolute.pathname.split('/').pop() ?? '');
    if (!filename) continue;
    const parsed = parseDistributionFilename(filename, normalizedName);
    const yanked = attributes.get('data-yanked');
    const file: SimpleFile = {
      filename,
      url: absolute.href,
      hashes,
      yanked: yanked === undefined ? false : { reason: yanked.trim() ? yanked : null },
      kind: parsed.kind,
      version: parsed.version,
    };
    const requiresPython = attributes.get('data-requires-python');
    if (requiresPython !== undefined) file.requiresPython = requiresPython || null;
    const provenance = attributes.get('data-provenance');
    if (provenance) file.provenance = resolveUrl(provenance, base);
    else if (reportsProvenance) file.provenance = null;
    files.push(file);
  }
  const project: SimpleProject = { name: requestedName, normalizedName, format: 'html', files, reportsProvenance };
  if (apiVersion) project.apiVersion = apiVersion;
  const status = metas.get('pypi:project-status');
  if (status) {
    project.status = { status: status.toLowerCase() };
    const reason = metas.get('pypi:project-status-reason');
    if (reason) project.status.reason = reason;
  }
  const serial = /<!--\s*SERIAL\s+(\d+)\s*-->/.exec(body);
  if (serial) project.lastSerial = Number(serial[1]);
  return project;
}

function readStatus(value: unknown): ProjectStatus | undefined {
  if (typeof value === 'string') return { status: value.toLowerCase() };
  if (!isObject(value) || typeof value.status !== 'string') return undefined;
  const status: ProjectStatus = { status: value.status.toLowerCase() };
  if (typeof value.reason === 'string' && value.reason) status.reason = value.reason;
  return status;
}

function readYanked(value: unknown): Yanked {
  if (value === true) return { reason: null };
  if (typeof value === 'string') return { reason: value.trim() ? value : null };
  return false;
}

/** PEP 700 times are ISO 8601 UTC, often with microseconds; keep milliseconds. */
export function parseTime(text: string): Date | undefined {
  const trimmed = text.trim().replace(/(\.\d{3})\d+/, '$1');
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const time = Date.parse(withZone);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function apiAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!match) return false;
  const [a, b] = [Number(match[1]), Number(match[2])];
  return a > major || (a === major && b >= minor);
}

function resolveUrl(reference: string, base: string): string {
  try {
    return new URL(reference, base).href;
  } catch {
    return reference;
  }
}

function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of text.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g)) {
    attributes.set(match[1]!.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
