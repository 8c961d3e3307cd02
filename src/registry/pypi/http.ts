import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A small HTTP client for package indexes, on Node's own fetch (undici) and nothing else:
 * per-attempt timeouts, retries with exponential backoff (network errors, timeouts, 5xx, 429 and
 * 503 with `Retry-After`), redirects followed by hand (so a cross-origin hop drops credentials and
 * an https → http downgrade is refused), an on-disk cache keyed by URL and `Accept` with a TTL and
 * ETag/Last-Modified revalidation, and an offline mode that answers from the cache only.
 *
 * Credentials in an index URL (`https://user:token@host/simple/`) are moved into an
 * `Authorization: Basic` header for that origin and never appear in a URL the client returns,
 * stores or puts into an error message.
 */

export interface HttpClientOptions {
  /** Per attempt, covering connection, headers and body. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after the first for retryable failures. Default 3. */
  retries?: number;
  /** First backoff delay; doubles each attempt, with jitter. Default 500 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this fails the request instead of waiting. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Directory of the on-disk cache; undefined disables it. */
  cacheDir?: string;
  /** How long a cached response is used without asking the server. Default 10 min. */
  ttlMs?: number;
  /** Answer from the cache only (any age); a miss is an `HttpError` of kind `offline`. */
  offline?: boolean;
  /** Network requests in flight at once (cache hits do not count). Default 8. */
  concurrency?: number;
  maxBodyBytes?: number;
  userAgent?: string;
  /** For tests: jitter source and sleep. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export interface HttpRequest {
  url: string;
  accept: string;
  /** Overrides the client's TTL for this response (Infinity for immutable resources). */
  ttlMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Final URL after redirects, without credentials. */
  url: string;
  contentType: string;
  body: string;
  etag?: string;
  lastModified?: string;
  /** `X-PyPI-Last-Serial`, when the index sends it. */
  lastSerial?: number;
  retryAfter?: string;
  /** Served from the on-disk cache without a full download (fresh, revalidated or offline). */
  fromCache: boolean;
  /** URLs (without credentials) that redirected to `url`, in order. */
  redirectedFrom: string[];
}

export type HttpErrorKind = 'timeout' | 'network' | 'status' | 'offline' | 'too-large' | 'redirect';

export class HttpError extends Error {
  constructor(
    message: string,
    readonly kind: HttpErrorKind,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface HttpStats {
  /** Requests answered (memoized repeats not counted). */
  requests: number;
  /** Answered from the cache without a network round trip. */
  cacheHits: number;
  /** Revalidated with a 304. */
  revalidated: number;
  /** Network round trips, retries included. */
  network: number;
  retries: number;
}

interface CacheEntry {
  v: 1;
  url: string;
  accept: string;
  status: number;
  storedAt: number;
  /** Absolute expiry; null when immutable. */
  ttlMs: number | null;
  contentType: string;
  etag?: string;
  lastModified?: string;
  lastSerial?: number;
  location?: string;
  body: string;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Responses worth keeping: content, a definite "not here", and permanent redirects. */
const CACHEABLE_STATUS = new Set([200, 301, 308, 404, 410]);
const MAX_REDIRECTS = 5;
/** Responses kept in memory, so concurrent and repeated requests for one URL share a download. */
const MEMO_ENTRIES = 256;

/** The default cache folder: `$XDG_CACHE_HOME/cordon`, else `~/.cache/cordon`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'cordon');
}

/** `url` without `user:password@`, and the Basic credentials that were in it. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url: parsed.href };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** A URL fit for messages: no credentials, and never throws. */
export function displayUrl(url: string): string {
  try {
    return splitCredentials(url).url;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, cacheHits: 0, revalidated: 0, network: 0, retries: 0 };
  private readonly options: Required<Omit<HttpClientOptions, 'cacheDir' | 'fetch'>> & Pick<HttpClientOptions, 'cacheDir'>;
  private readonly fetchImpl: typeof fetch;
  private readonly credentials = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<HttpResponse>>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(options: HttpClientOptions = {}) {
    this.options = {
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 20_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      cacheDir: options.cacheDir,
      ttlMs: options.ttlMs ?? 10 * 60_000,
      offline: options.offline ?? false,
      concurrency: Math.max(1, options.concurrency ?? 8),
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
      userAgent: options.userAgent ?? 'cordon',
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    this.fetchImpl = options.fetch ?? fetch;
  }

  get offline(): boolean {
    return this.options.offline;
  }

  /** Sends `Authorization` to every URL of this URL's origin (from its `user:password@`). */
  registerCredentials(url: string): string {
    const { url: clean, authorization } = splitCredentials(url);
    if (authorization) this.credentials.set(new URL(clean).origin, authorization);
    return clean;
  }

  /**
   * GET `request.url`. Resolves with any final status (404 included) once redirects are
   * followed; rejects with `HttpError` when retries run out, on timeouts, network errors, bodies
   * over the size limit, bad redirects, or a cache miss offline.
   */
  get(request: HttpRequest): Promise<HttpResponse> {
    // Credentials come only from `registerCredentials` (the configured index): a URL handed over
    // by an index page must not set what is sent to a host.
    const url = splitCredentials(request.url).url;
    const key = `${request.accept}\n${url}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.follow({ ...request, url });
      this.inflight.set(key, pending);
      // Keep only successes memoized (a failure may be retried by a later call), and only the
      // most recent ones: index pages of big projects run to megabytes.
      pending.catch(() => this.inflight.delete(key));
      while (this.inflight.size > MEMO_ENTRIES) this.inflight.delete(this.inflight.keys().next().value!);
    }
    return pending;
  }

  private async follow(request: HttpRequest): Promise<HttpResponse> {
    this.stats.requests++;
    const redirectedFrom: string[] = [];
    let url = request.url;
    let allCached = true;
    for (let hop = 0; ; hop++) {
      const { response, fromCache } = await this.fetchOne({ ...request, url });
      allCached &&= fromCache;
      if (response.status >= 300 && response.status < 400 && response.status !== 304) {
        if (!response.location) throw new HttpError(`${url}: ${response.status} redirect without a Location header`, 'redirect', url, response.status);
        if (hop >= MAX_REDIRECTS) throw new HttpError(`${url}: more than ${MAX_REDIRECTS} redirects`, 'redirect', url, response.status);
        const next = new URL(response.location, url);
        if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
          throw new HttpError(`${url}: refusing a redirect from https to ${next.protocol}`, 'redirect', url, response.status);
        }
        redirectedFrom.push(url);
        url = splitCredentials(next.href).url;
        continue;
      }
      if (allCached) this.stats.cacheHits++;
      return {
        status: response.status,
        url,
        contentType: response.contentType,
        body: response.body,
        etag: response.etag,
        lastModified: response.lastModified,
        lastSerial: response.lastSerial,
        retryAfter: response.retryAfter,
        fromCache: allCached,
        redirectedFrom,
      };
    }
  }

  /** One URL, no redirects: cache, then network with retries. */
  private async fetchOne(request: HttpRequest): Promise<{ response: RawResponse; fromCache: boolean }> {
    const cached = await this.readCache(request);
    if (this.options.offline) {
      if (cached) return { response: entryToRaw(cached), fromCache: true };
      throw new HttpError(`${request.url} is not in the cache (offline mode)`, 'offline', request.url);
    }
    const ttl = request.ttlMs ?? this.options.ttlMs;
    if (cached && isFresh(cached, ttl)) return { response: entryToRaw(cached), fromCache: true };

    const conditional: Record<string, string> = {};
    if (cached?.status === 200) {
      if (cached.etag) conditional['if-none-match'] = cached.etag;
      if (cached.lastModified) conditional['if-modified-since'] = cached.lastModified;
    }
    const response = await this.fetchWithRetries(request, conditional);
    if (response.status === 304 && cached) {
      this.stats.revalidated++;
      const refreshed: CacheEntry = {
        ...cached,
        storedAt: Date.now(),
        ttlMs: Number.isFinite(ttl) ? ttl : null,
        etag: response.etag ?? cached.etag,
        lastModified: response.lastModified ?? cached.lastModified,
        lastSerial: response.lastSerial ?? cached.lastSerial,
      };
      await this.writeCache(request, refreshed);
      return { response: entryToRaw(refreshed), fromCache: true };
    }
    if (CACHEABLE_STATUS.has(response.status)) {
      await this.writeCache(request, {
        v: 1,
        url: request.url,
        accept: request.accept,
        status: response.status,
        storedAt: Date.now(),
        ttlMs: Number.isFinite(ttl) ? ttl : null,
        contentType: response.contentType,
        etag: response.etag,
        lastModified: response.lastModified,
        lastSerial: response.lastSerial,
        location: response.location,
        body: response.body,
      });
    }
    return { response, fromCache: false };
  }

  private async fetchWithRetries(request: HttpRequest, extraHeaders: Record<string, string>): Promise<RawResponse> {
    const { retries } = this.options;
    const attempts = (n: number) => (n > 1 ? ` (after ${n} attempts)` : '');
    for (let attempt = 0; ; attempt++) {
      let response: RawResponse | undefined;
      let failure: HttpError | undefined;
      try {
        response = await this.withSlot(() => this.attempt(request, extraHeaders));
      } catch (error) {
        if (!(error instanceof HttpError) || (error.kind !== 'timeout' && error.kind !== 'network')) throw error;
        failure = error;
      }
      let waitMs = 0;
      if (response) {
        if (!RETRYABLE_STATUS.has(response.status)) return response;
        if (attempt >= retries) {
          throw new HttpError(`${request.url}: HTTP ${response.status}${attempts(attempt + 1)}`, 'status', request.url, response.status);
        }
        const retryAfter = parseRetryAfter(response.retryAfter);
        if (retryAfter !== undefined && retryAfter > this.options.maxRetryAfterMs) {
          throw new HttpError(
            `${request.url}: HTTP ${response.status}, and the server asks to retry after ${Math.ceil(retryAfter / 1000)} s (the limit is ${Math.ceil(this.options.maxRetryAfterMs / 1000)} s)`,
            'status',
            request.url,
            response.status,
          );
        }
        waitMs = retryAfter ?? 0;
      } else if (failure && attempt >= retries) {
        throw new HttpError(`${failure.message}${attempts(attempt + 1)}`, failure.kind, failure.url);
      }
      this.stats.retries++;
      const exponential = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt);
      const jittered = exponential / 2 + (exponential / 2) * this.options.random();
      await this.options.sleep(Math.max(waitMs, jittered));
    }
  }

  private async attempt(request: HttpRequest, extraHeaders: Record<string, string>): Promise<RawResponse> {
    this.stats.network++;
    const headers: Record<string, string> = { accept: request.accept, 'user-agent': this.options.userAgent, ...extraHeaders };
    const origin = new URL(request.url).origin;
    const authorization = this.credentials.get(origin);
    if (authorization) headers.authorization = authorization;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await this.fetchImpl(request.url, { headers, redirect: 'manual', signal: controller.signal });
      const body = await readBody(response, this.options.maxBodyBytes, request.url);
      const serial = response.headers.get('x-pypi-last-serial');
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
        lastSerial: serial !== null && /^\d+$/.test(serial.trim()) ? Number(serial.trim()) : undefined,
        location: response.headers.get('location') ?? undefined,
        retryAfter: response.headers.get('retry-after') ?? undefined,
        body,
      };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (controller.signal.aborted) {
        throw new HttpError(`${request.url}: no complete response within ${formatMs(this.options.timeoutMs)}`, 'timeout', request.url);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new HttpError(`${request.url}: ${detail}`, 'network', request.url);
    } finally {
      clearTimeout(timer);
    }
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private cachePath(request: HttpRequest): string | undefined {
    if (!this.options.cacheDir) return undefined;
    const digest = createHash('sha256').update(`${request.accept}\n${request.url}`).digest('hex');
    return path.join(this.options.cacheDir, 'http-v1', digest.slice(0, 2), `${digest}.json`);
  }

  private async readCache(request: HttpRequest): Promise<CacheEntry | undefined> {
    const file = this.cachePath(request);
    if (!file) return undefined;
    try {
      const entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry;
      if (entry.v !== 1 || entry.url !== request.url || entry.accept !== request.accept || typeof entry.body !== 'string') return undefined;
      return entry;
    } catch {
      return undefined;
    }
  }

  private async writeCache(request: HttpRequest, entry: CacheEntry): Promise<void> {
    const file = this.cachePath(request);
    if (!file) return;
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(temp, JSON.stringify(entry));
      await rename(temp, file);
    } catch {
      // A cache that cannot be written is only slower.
      await rm(temp, { force: true }).catch(() => undefined);
    }
  }
}

interface RawResponse {
  status: number;
  contentType: string;
  etag?: string;
  lastModified?: string;
  lastSerial?: number;
  location?: string;
  retryAfter?: string;
  body: string;
}

function entryToRaw(entry: CacheEntry): RawResponse {
  return {
    status: entry.status,
    contentType: entry.contentType,
    etag: entry.etag,
    lastModified: entry.lastModified,
    lastSerial: entry.lastSerial,
    location: entry.location,
    body: entry.body,
  };
}

function isFresh(entry: CacheEntry, ttlMs: number): boolean {
  // The request decides: immutable resources (Infinity) are always fresh, others by age.
  if (!Number.isFinite(ttlMs)) return true;
  return Date.now() - entry.storedAt < ttlMs;
}

async function readBody(response: Response, limit: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new HttpError(`${url}: response of ${declared} bytes is over the ${limit}-byte limit`, 'too-large', url);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HttpError(`${url}: response is over the ${limit}-byte limit`, 'too-large', url);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
