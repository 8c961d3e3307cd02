import { planHashes, splitPhysical, type EntryReport, type HashPlan } from '../analysis/python/add-hashes.ts';
import { cordonVersion } from '../cli/version.ts';
import { redactSecrets } from '../findings/redact.ts';
import { DiskCache, defaultCacheDir } from '../registry/cache.ts';
import { ActionRefResolver, DEFAULT_REF_TTL_MS, RefUnavailableError } from '../registry/github-refs.ts';
import { DEFAULT_API_URL, GitHubClient } from '../registry/github.ts';
import { DEFAULT_HTTP_OPTIONS, type HttpOptions } from '../registry/http.ts';
import { HttpClient, PackageIndex, chooseIndexUrl, indexForPackage, type IndexSet } from '../registry/pypi/index.ts';
import { FixUnavailableError, type FixServices, type ResolvedActionRef, type TextEdit } from './types.ts';

/**
 * The real `FixServices` of `cordon fix`: action refs resolved through the GitHub API (falling
 * back to `git ls-remote`) with an on-disk cache, and requirements hashed from the package index
 * with `cordon lock hash`'s machinery.
 *
 * Environment:
 * - `GITHUB_API_URL` (GitHub Enterprise Server: `https://HOST/api/v3`; default
 *   `https://api.github.com`, or `$GITHUB_SERVER_URL/api/v3` when only the server is set),
 *   `GITHUB_TOKEN` (sent to the API, and to git for URLs on the server);
 * - `GITHUB_SERVER_URL` (default `https://github.com`): where `git ls-remote` asks;
 * - `CORDON_ACTIONS_GIT_URL`: the `git ls-remote` URL template instead (`{server}`, `{owner}`,
 *   `{repo}`: `file:///srv/mirrors/{owner}/{repo}.git`); `off` disables the fallback;
 * - `CORDON_CACHE_DIR` / `XDG_CACHE_HOME`: the cache (`src/registry/cache.ts`);
 * - `PIP_INDEX_URL`, `UV_DEFAULT_INDEX`, `UV_INDEX_URL`: the index to hash from (a requirements
 *   file's own `--index-url` line wins).
 */

export interface FixServicesOptions {
  env?: NodeJS.ProcessEnv;
  /** Answer from the caches only: unresolved pins are "offline, not in cache". */
  offline?: boolean;
  /** Cache root (default: `defaultCacheDir(env)`). */
  cacheDir?: string;
  /** `--unsafe` was given (see `FixServices.allowUnsafe`). */
  allowUnsafe?: boolean;
  /** GitHub HTTP settings over `DEFAULT_HTTP_OPTIONS` (rate-limit waits longer than 10 s fall back to git). */
  http?: Partial<HttpOptions>;
  /** How long a resolved tag or branch is trusted before it is asked again (default 24 h). */
  refTtlMs?: number;
  /** `git ls-remote` timeout. */
  gitTimeoutMs?: number;
  /** The package index to hash from, as `--index-url` (wins over the file's own line). */
  indexUrl?: string;
  /** PyPI client settings. */
  pypi?: { timeoutMs?: number; retries?: number; ttlMs?: number; concurrency?: number };
  /** Notes for standard error (an API fallback, a stale cache used). */
  warn?: (message: string) => void;
}

export interface CordonFixServices extends FixServices {
  resolveActionRef(owner: string, repo: string, ref: string): Promise<ResolvedActionRef | null>;
  hashRequirements(path: string, text: string, options?: { lines?: number[] }): Promise<TextEdit[]>;
  readonly resolver: ActionRefResolver;
}

export function createFixServices(options: FixServicesOptions = {}): CordonFixServices {
  const env = options.env ?? process.env;
  const offline = options.offline ?? false;
  const cacheRoot = options.cacheDir ?? defaultCacheDir(env);
  const warn = (message: string) => options.warn?.(redactSecrets(message));
  const userAgent = `cordon/${cordonVersion()}`;

  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || 'https://github.com').replace(/\/+$/, '');
  const apiUrl = (env.GITHUB_API_URL?.trim() || (serverUrl === 'https://github.com' ? DEFAULT_API_URL : `${serverUrl}/api/v3`)).replace(/\/+$/, '');
  const token = env.GITHUB_TOKEN?.trim() || undefined;
  const cache = new DiskCache(cacheRoot);
  const http: HttpOptions = { ...DEFAULT_HTTP_OPTIONS, maxWaitMs: 10_000, userAgent, ...options.http };
  const client = new GitHubClient({ apiUrl, ...(token ? { token } : {}), cache, offline, http, maxDownloadBytes: 32 * 1024 * 1024, warn });
  const template = env.CORDON_ACTIONS_GIT_URL?.trim() || `{server}/{owner}/{repo}`;
  const gitUrl =
    template === 'off'
      ? undefined
      : (owner: string, repo: string) => template.replaceAll('{server}', serverUrl).replaceAll('{owner}', encodeURIComponent(owner)).replaceAll('{repo}', encodeURIComponent(repo));
  const resolver = new ActionRefResolver({
    client,
    cache,
    offline,
    apiUrl,
    ...(gitUrl ? { gitUrl } : {}),
    ...(token ? { gitToken: token, gitTokenOrigin: serverUrl } : {}),
    ttlMs: options.refTtlMs ?? DEFAULT_REF_TTL_MS,
    ...(options.gitTimeoutMs !== undefined ? { gitTimeoutMs: options.gitTimeoutMs } : {}),
    warn,
    env,
  });

  let pypi: IndexSet | undefined;
  const index = () => {
    if (!pypi) {
      const choice = chooseIndexUrl(options.indexUrl, env);
      const httpClient = new HttpClient({
        cacheDir: cacheRoot,
        offline,
        userAgent,
        ...(options.pypi?.timeoutMs !== undefined ? { timeoutMs: options.pypi.timeoutMs } : {}),
        ...(options.pypi?.retries !== undefined ? { retries: options.pypi.retries } : {}),
        ...(options.pypi?.ttlMs !== undefined ? { ttlMs: options.pypi.ttlMs } : {}),
        ...(options.pypi?.concurrency !== undefined ? { concurrency: options.pypi.concurrency } : {}),
      });
      const main = new PackageIndex(choice.url, httpClient);
      pypi = { http: httpClient, main, explicit: choice.source === '--index-url', indexes: new Map([[main.url, main]]) };
    }
    return pypi;
  };
  const indexFor = (named: string | undefined): PackageIndex => indexForPackage(index(), named);
  const plans = new Map<string, Promise<HashPlan>>();

  return {
    resolver,
    allowUnsafe: options.allowUnsafe ?? false,

    async resolveActionRef(owner, repo, ref) {
      try {
        const found = await resolver.resolve(owner, repo, ref);
        if (!found) return null;
        return { sha: found.sha, kind: found.kind, ...(found.tag ? { tag: found.tag } : {}) };
      } catch (error) {
        if (error instanceof RefUnavailableError) throw new FixUnavailableError(error.reason === 'offline' ? 'offline, not in cache' : error.message);
        throw error;
      }
    },

    async hashRequirements(path, text, hashOptions = {}) {
      const key = `${path}\0${text}`;
      let plan = plans.get(key);
      if (!plan) {
        plan = planHashes(path, text, { indexFor });
        plans.set(key, plan);
      }
      const result = await plan;
      const wanted = hashOptions.lines ? new Set(hashOptions.lines) : undefined;
      const entries = result.entries.filter((entry) => !wanted || wanted.has(entry.line));
      const left = entries.filter((entry) => entry.status !== 'added' && entry.status !== 'complete');
      if (left.length > 0) {
        if (offline && left.every((entry) => entry.status === 'failed')) throw new FixUnavailableError('offline, not in cache');
        const shown = left.slice(0, 3).map(describeEntry).join('; ');
        const whole = wanted ? '' : ', and hashing part of a file makes pip refuse all of it';
        throw new FixUnavailableError(`${left.length} requirement${left.length === 1 ? '' : 's'} cannot be hashed${whole}: ${shown}${left.length > 3 ? '; …' : ''}`);
      }
      return textEdits(text, result, entries);
    },
  };
}

function describeEntry(entry: EntryReport): string {
  return `line ${entry.line} ${entry.version ? `${entry.name}==${entry.version}` : entry.name}: ${entry.message ?? entry.status}`;
}

/** `planHashes`' line edits for `entries`, as offsets into `text`. */
function textEdits(text: string, plan: HashPlan, entries: EntryReport[]): TextEdit[] {
  const lines = splitPhysical(text);
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.content.length + line.eol.length;
  }
  starts.push(offset);
  const firstLines = plan.entries.map((entry) => entry.line - 1).sort((a, b) => a - b);
  const wanted = new Set(entries.map((entry) => entry.line - 1));
  const edits: TextEdit[] = [];
  for (const edit of plan.edits) {
    // An edit lies inside its entry: the entry is the last one starting at or before it.
    const owner = firstLines.filter((line) => line <= edit.start).at(-1);
    if (owner === undefined || !wanted.has(owner)) continue;
    edits.push({
      offset: starts[edit.start]!,
      endOffset: starts[edit.start + edit.deleteCount]!,
      text: edit.insert.map((line) => line.content + line.eol).join(''),
    });
  }
  return edits;
}
