import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiskCache, LimitExceededError, writeStreamToFile } from './cache.ts';
import { HttpError, bodyText, discardBody, errorForStatus, openRequest, withRetries, type HttpOptions, type OpenResponse } from './http.ts';

/**
 * The two GitHub REST endpoints `cordon logs --repo` needs:
 *
 * - `GET /repos/{owner}/{repo}/actions/runs?per_page=N`: recent workflow runs, newest first;
 * - `GET /repos/{owner}/{repo}/actions/runs/{run_id}/logs`: 302 to a short-lived zip URL.
 *
 * The token (GITHUB_TOKEN) goes to the API only, never to the redirect target: that URL is
 * signed and served by another host. Every response goes through the disk cache: run lists are
 * revalidated with their ETag (a 304 costs no rate limit) and used as they are when the API is
 * unreachable; a completed run's logs never change, so once downloaded they are read from disk.
 */

export const DEFAULT_API_URL = 'https://api.github.com';
export const API_VERSION = '2022-11-28';

export interface WorkflowRun {
  id: number;
  name: string | null;
  /** `.github/workflows/release.yml` (GitHub sometimes appends `@ref` for reusable callers). */
  path: string | null;
  head_branch: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  run_started_at?: string | null;
  html_url: string;
  run_attempt?: number;
}

export interface GitHubClientOptions {
  apiUrl: string;
  token?: string;
  cache: DiskCache;
  /** Answer from the cache only; a miss is an error. */
  offline: boolean;
  http: HttpOptions;
  /** Largest run-log zip to download. */
  maxDownloadBytes: number;
  /** Non-fatal notes (a stale cache used because the API was unreachable). */
  warn?: (message: string) => void;
}

export interface RunLogs {
  /** A zip on disk: in the cache, or a temporary file for runs that are not completed. */
  path: string;
  fromCache: boolean;
  /** Removes a temporary file; a no-op for cached logs. */
  release(): Promise<void>;
}

export class OfflineCacheMissError extends Error {}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export function parseRepository(value: string): { owner: string; repo: string } {
  if (!REPOSITORY.test(value) || value.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`--repo must be OWNER/REPO, got '${value}'`);
  }
  const [owner, repo] = value.split('/') as [string, string];
  return { owner, repo };
}

export class GitHubClient {
  private readonly options: GitHubClientOptions;
  private readonly apiUrl: string;

  constructor(options: GitHubClientOptions) {
    this.options = options;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    const parsed = new URL(this.apiUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`GITHUB_API_URL must be an http(s) URL, got '${options.apiUrl}'`);
  }

  runsUrl(owner: string, repo: string, perPage: number): string {
    return `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/runs?per_page=${perPage}`;
  }

  runUrl(owner: string, repo: string, runId: number): string {
    return `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/runs/${runId}`;
  }

  logsUrl(owner: string, repo: string, runId: number): string {
    return `${this.runUrl(owner, repo, runId)}/logs`;
  }

  /** The newest `perPage` runs (at most 100, the API's page size). */
  async listRuns(owner: string, repo: string, perPage: number): Promise<WorkflowRun[]> {
    const text = await this.getJsonText(this.runsUrl(owner, repo, perPage), `the run list of ${owner}/${repo}`);
    const parsed = JSON.parse(text) as { workflow_runs?: unknown };
    if (!Array.isArray(parsed.workflow_runs)) throw new HttpError(`unexpected response for the run list of ${owner}/${repo}: no workflow_runs array`);
    return parsed.workflow_runs.filter(isRun);
  }

  async getRun(owner: string, repo: string, runId: number): Promise<WorkflowRun> {
    const text = await this.getJsonText(this.runUrl(owner, repo, runId), `run ${runId} of ${owner}/${repo}`);
    const parsed = JSON.parse(text) as unknown;
    if (!isRun(parsed)) throw new HttpError(`unexpected response for run ${runId} of ${owner}/${repo}`);
    return parsed;
  }

  /**
   * Downloads a run's log archive (or finds it in the cache). Completed runs are cached for good;
   * the logs of a run still in progress go to a temporary file that `release()` removes.
   */
  async runLogs(owner: string, repo: string, run: WorkflowRun): Promise<RunLogs> {
    const url = this.logsUrl(owner, repo, run.id);
    const cached = await this.options.cache.get(url);
    if (cached) return { path: cached.bodyPath, fromCache: true, release: async () => undefined };
    if (this.options.offline) {
      throw new OfflineCacheMissError(`--offline: the logs of run ${run.id} of ${owner}/${repo} are not in the cache (${this.options.cache.dir}); run once without --offline to download them`);
    }
    const immutable = run.status === 'completed';
    return withRetries(url, this.options.http, async () => {
      const open = await openRequest(url, { headers: this.headers(), redirect: 'manual' }, this.options.http);
      let download: OpenResponse;
      if (open.response.status >= 300 && open.response.status < 400) {
        const location = open.response.headers.get('location');
        await discardBody(open);
        if (!location) throw new HttpError(`the logs endpoint of run ${run.id} redirected without a Location header`);
        const target = new URL(location, url).toString();
        // The signed URL carries its own authorization; the token must not travel to it.
        download = await openRequest(target, { headers: { 'User-Agent': this.options.http.userAgent }, redirect: 'follow' }, this.options.http);
        if (!download.response.ok) throw await errorForStatus(target, download, this.options.http);
      } else if (open.response.ok) {
        download = open;
      } else {
        const error = await errorForStatus(url, open, this.options.http);
        if (error instanceof HttpError && (error.status === 404 || error.status === 410)) {
          throw new HttpError(`${error.message} — the logs of run ${run.id} are gone (past the retention period or deleted), the run has not finished, or the token cannot read them`, { status: error.status });
        }
        throw error;
      }
      try {
        const chunks = download.chunks;
        const limits = { maxBytes: this.options.maxDownloadBytes, onChunk: download.touch };
        if (immutable) {
          const hit = await this.options.cache.putStream(url, chunks, { contentType: download.response.headers.get('content-type') ?? 'application/zip' }, limits);
          return { path: hit.bodyPath, fromCache: false, release: async () => undefined };
        }
        const folder = await mkdtemp(path.join(tmpdir(), 'cordon-run-'));
        const file = path.join(folder, `run-${run.id}-${randomBytes(4).toString('hex')}.zip`);
        await writeStreamToFile(file, chunks, limits);
        return { path: file, fromCache: false, release: () => rm(folder, { recursive: true, force: true }) };
      } catch (error) {
        if (error instanceof LimitExceededError) throw new HttpError(`the log archive of run ${run.id} is larger than ${this.options.maxDownloadBytes} bytes (--max-archive-size)`);
        throw error;
      } finally {
        download.done();
      }
    });
  }

  /** `<api>/repos/{owner}/{repo}/<rest>` (rest already encoded). */
  repoUrl(owner: string, repo: string, rest: string): string {
    return `${this.apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/${rest}`;
  }

  /**
   * Any GET under the API, through the same cache as the run list (ETag revalidation; the cached
   * copy when the API is unreachable; `--offline` reads the cache). `accept` asks for another
   * media type (`application/vnd.github.sha` answers a bare SHA); `immutable` responses (a git
   * tag object, addressed by its SHA) are read from the cache without asking again. Non-success
   * statuses throw `HttpError` with the status (404, 422…).
   */
  async getText(url: string, what: string, options: { accept?: string; json?: boolean; immutable?: boolean } = {}): Promise<string> {
    return this.fetchText(url, what, options);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': API_VERSION,
      'User-Agent': this.options.http.userAgent,
      ...extra,
    };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  /**
   * A JSON document, revalidated against the cache: 304 reuses the cached body; when the API
   * cannot be reached at all the cached body is used with a warning; `--offline` reads the cache.
   */
  private async getJsonText(url: string, what: string): Promise<string> {
    return this.fetchText(url, what, { json: true });
  }

  private async fetchText(url: string, what: string, options: { accept?: string; json?: boolean; immutable?: boolean }): Promise<string> {
    const json = options.json ?? true;
    // The cache is keyed by URL; another media type of the same URL is another entry.
    const key = options.accept ? `${url}#accept=${options.accept}` : url;
    const cached = await this.options.cache.getText(key);
    if (cached && options.immutable) return cached.text;
    if (this.options.offline) {
      if (cached) return cached.text;
      throw new OfflineCacheMissError(`--offline: ${what} is not in the cache (${this.options.cache.dir}); run once without --offline to fetch it`);
    }
    try {
      return await withRetries(url, this.options.http, async () => {
        const extra: Record<string, string> = {};
        if (cached?.meta.etag) extra['If-None-Match'] = cached.meta.etag;
        if (options.accept) extra.Accept = options.accept;
        const open = await openRequest(url, { headers: this.headers(extra), redirect: 'follow' }, this.options.http);
        if (open.response.status === 304 && cached) {
          await discardBody(open);
          return cached.text;
        }
        if (!open.response.ok) throw await errorForStatus(url, open, this.options.http);
        const text = await bodyText(open);
        if (json) JSON.parse(text);
        const etag = open.response.headers.get('etag');
        await this.options.cache.putText(key, text, { contentType: open.response.headers.get('content-type') ?? 'application/json', ...(etag ? { etag } : {}) });
        return text;
      });
    } catch (error) {
      if (cached && error instanceof HttpError && error.unreachable) {
        this.options.warn?.(`${error.message}; using the cached copy of ${what} from ${cached.meta.fetchedAt}`);
        return cached.text;
      }
      if (error instanceof SyntaxError) throw new HttpError(`${what}: the response is not JSON`);
      throw error;
    }
  }
}

function isRun(value: unknown): value is WorkflowRun {
  if (typeof value !== 'object' || value === null) return false;
  const run = value as Record<string, unknown>;
  return typeof run.id === 'number' && Number.isSafeInteger(run.id) && run.id > 0;
}
