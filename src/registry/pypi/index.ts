import { HttpClient, HttpError, displayUrl, splitCredentials, type HttpResponse } from './http.ts';
import { INTEGRITY_ACCEPT, parseProvenance, type Provenance } from './integrity.ts';
import { parseReleaseJson, type JsonRelease } from './json-api.ts';
import { normalizeName } from './names.ts';
import { SIMPLE_ACCEPT, parseProjectPage, type SimpleProject } from './simple.ts';

export { HttpClient, HttpError, defaultCacheDir, displayUrl } from './http.ts';
export type { HttpClientOptions, HttpStats } from './http.ts';
export { normalizeName } from './names.ts';
export type { Publisher, Provenance } from './integrity.ts';
export type { SimpleFile, SimpleProject, ProjectStatus, Yanked } from './simple.ts';
export type { JsonRelease, JsonReleaseFile } from './json-api.ts';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

/** Hosts whose JSON and Integrity APIs sit next to `/simple/` with PyPI's semantics. */
const PYPI_HOSTS = new Set(['pypi.org', 'test.pypi.org']);

/** The Simple API root, chosen as pip and uv choose it. */
export interface IndexChoice {
  url: string;
  /** `--index-url`, an environment variable's name, or `default`. */
  source: string;
}

/**
 * `--index-url`, else `PIP_INDEX_URL`, else uv's `UV_DEFAULT_INDEX` (current) or `UV_INDEX_URL`
 * (deprecated but still read by uv), else PyPI. Empty values count as unset.
 */
export function chooseIndexUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): IndexChoice {
  if (option) return { url: normalizeIndexUrl(option), source: '--index-url' };
  for (const name of ['PIP_INDEX_URL', 'UV_DEFAULT_INDEX', 'UV_INDEX_URL']) {
    const value = env[name]?.trim();
    if (value) return { url: normalizeIndexUrl(value), source: name };
  }
  return { url: DEFAULT_INDEX_URL, source: 'default' };
}

export class IndexUrlError extends Error {}

/** An absolute http(s) URL ending in `/`; credentials are kept (the client moves them to a header). */
export function normalizeIndexUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new IndexUrlError(`'${displayUrl(url)}' is not an absolute URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new IndexUrlError(`index URL must be http(s): ${displayUrl(url)}`);
  parsed.hash = '';
  parsed.search = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.href;
}

export type ProjectLookup =
  | { status: 'found'; project: SimpleProject; response: Pick<HttpResponse, 'url' | 'lastSerial' | 'fromCache' | 'redirectedFrom'> }
  | { status: 'not-found'; httpStatus: number; url: string };

export type ReleaseLookup = { status: 'found'; release: JsonRelease } | { status: 'not-found' } | { status: 'unsupported'; reason: string };

export type ProvenanceLookup = { status: 'found'; provenance: Provenance } | { status: 'none' } | { status: 'unavailable'; reason: string };

export class IndexResponseError extends Error {}

/**
 * One package index. The Simple API is the source of truth (every index has it); the JSON and
 * Integrity APIs are used where the index has them: beside `/simple/` on pypi.org and
 * test.pypi.org, and at the same place on other indexes, where a 404 means "not supported".
 */
export class PackageIndex {
  /** Simple API root without credentials, ending in `/`. */
  readonly url: string;
  readonly isPypi: boolean;
  readonly jsonApiBase?: string;
  readonly integrityBase?: string;

  constructor(
    url: string,
    readonly http: HttpClient,
    options: { pypiSemantics?: boolean } = {},
  ) {
    const normalized = normalizeIndexUrl(url);
    this.url = http.registerCredentials(normalized);
    const parsed = new URL(this.url);
    this.isPypi = options.pypiSemantics ?? PYPI_HOSTS.has(parsed.hostname);
    if (/\/simple\/$/.test(parsed.pathname)) {
      const base = new URL(parsed.pathname.replace(/simple\/$/, ''), parsed.origin).href;
      this.jsonApiBase = `${base}pypi/`;
      this.integrityBase = `${base}integrity/`;
    }
  }

  /** The project page, `<root><normalized>/`, following redirects. */
  async project(name: string): Promise<ProjectLookup> {
    const url = `${this.url}${encodeURIComponent(normalizeName(name))}/`;
    const response = await this.http.get({ url, accept: SIMPLE_ACCEPT });
    if (response.status === 404 || response.status === 410) return { status: 'not-found', httpStatus: response.status, url: response.url };
    if (response.status !== 200) throw new IndexResponseError(`${displayUrl(response.url)}: HTTP ${response.status}`);
    const project = parseProjectPage(response.body, response.contentType, response.url, name);
    if (project.lastSerial === undefined && response.lastSerial !== undefined) project.lastSerial = response.lastSerial;
    return {
      status: 'found',
      project,
      response: { url: response.url, lastSerial: response.lastSerial, fromCache: response.fromCache, redirectedFrom: response.redirectedFrom },
    };
  }

  /** `GET /pypi/<project>/<version>/json`, when the index has it. */
  async release(name: string, version: string): Promise<ReleaseLookup> {
    if (!this.jsonApiBase) return { status: 'unsupported', reason: 'the index URL does not end in /simple/' };
    const url = `${this.jsonApiBase}${encodeURIComponent(normalizeName(name))}/${encodeURIComponent(version)}/json`;
    const response = await this.http.get({ url, accept: 'application/json' });
    if (response.status === 404 || response.status === 410) {
      return this.isPypi ? { status: 'not-found' } : { status: 'unsupported', reason: `${displayUrl(url)} answered ${response.status}` };
    }
    if (response.status !== 200) return { status: 'unsupported', reason: `${displayUrl(url)} answered HTTP ${response.status}` };
    try {
      return { status: 'found', release: parseReleaseJson(response.body, response.url) };
    } catch (error) {
      return { status: 'unsupported', reason: (error as Error).message };
    }
  }

  /** Where this index's Integrity API would keep a file's provenance. */
  provenanceUrl(name: string, version: string, filename: string): string | undefined {
    if (!this.integrityBase) return undefined;
    return `${this.integrityBase}${encodeURIComponent(normalizeName(name))}/${encodeURIComponent(version)}/${encodeURIComponent(filename)}/provenance`;
  }

  /**
   * A file's provenance. Attestations are uploaded with the file and files are immutable, so a
   * found provenance is cached for good; a 404 is "none" and cached with the normal TTL.
   */
  async provenance(url: string): Promise<ProvenanceLookup> {
    const clean = splitCredentials(url).url;
    // Credentials only go where the index is; a provenance URL elsewhere is fetched without.
    const response = await this.http.get({ url: clean, accept: INTEGRITY_ACCEPT, ttlMs: Infinity });
    if (response.status === 404 || response.status === 410) return { status: 'none' };
    if (response.status !== 200) return { status: 'unavailable', reason: `${displayUrl(response.url)} answered HTTP ${response.status}` };
    try {
      return { status: 'found', provenance: parseProvenance(response.body, displayUrl(response.url)) };
    } catch (error) {
      return { status: 'unavailable', reason: (error as Error).message };
    }
  }
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/** The indexes of one run: the chosen one, and those that locks or requirements files name. */
export interface IndexSet {
  http: HttpClient;
  main: PackageIndex;
  /** `--index-url` was given: it wins over what a file names. */
  explicit: boolean;
  indexes: Map<string, PackageIndex>;
}

/**
 * The index to ask about a package: the one its lock names (uv's `source.registry`, a
 * requirements file's `--index-url`) unless `--index-url` says otherwise, as pip and uv do.
 */
export function indexForPackage(set: IndexSet, named: string | undefined): PackageIndex {
  if (set.explicit || !named || !/^https?:\/\//i.test(named)) return set.main;
  let url: string;
  try {
    url = normalizeIndexUrl(named);
  } catch {
    return set.main;
  }
  const key = set.http.registerCredentials(url);
  let index = set.indexes.get(key);
  if (!index) set.indexes.set(key, (index = new PackageIndex(url, set.http)));
  return index;
}
