import { execFile } from 'node:child_process';
import type { DiskCache } from './cache.ts';
import { OfflineCacheMissError, type GitHubClient } from './github.ts';
import { HttpError } from './http.ts';
import { redactSecrets } from '../findings/redact.ts';

/**
 * Resolves the ref of an action (`owner/repo@v4`) to the commit it points to now and the most
 * specific version tag on that commit (`v4.2.2`), for `cordon fix`'s pins:
 *
 * 1. the GitHub REST API (`GITHUB_API_URL`, with `GITHUB_TOKEN`): `git/matching-refs/tags/{ref}`
 *    lists the tag itself and every tag that starts with it; a tag is dereferenced through
 *    `git/tags/{sha}` when annotated (tag objects are addressed by their SHA, so that answer is
 *    cached for good); a ref that is not a tag is resolved with `commits/{ref}` and
 *    `Accept: application/vnd.github.sha`;
 * 2. when the API is unreachable, rate-limited or refuses the token: `git ls-remote --tags
 *    --heads` against `GITHUB_SERVER_URL` (or a configured URL template), which lists peeled tag
 *    targets (`refs/tags/v4^{}`) in one round trip;
 * 3. a resolution cache on disk (the `DiskCache` of `cordon logs`): tags can be moved, so an
 *    answer is reused for `ttlMs` (24 h by default) and then asked again; a full SHA needs no
 *    answer at all. `--offline` answers from the cache only, at any age.
 *
 * Tags take precedence over branches of the same name, as in git's own ref lookup.
 */

export type RefKind = 'tag' | 'branch' | 'commit';

export interface RefResolution {
  sha: string;
  kind: RefKind;
  /** The most specific version tag on `sha` that refines the ref (or the ref, for a tag). */
  tag?: string;
  /** Where the answer came from. */
  source: 'api' | 'git' | 'cache';
  /** When the answer was fetched (ISO time). */
  fetchedAt: string;
}

/** The ref cannot be answered in this run: `--offline` without a cached answer, or nothing reachable. */
export class RefUnavailableError extends Error {
  readonly reason: 'offline' | 'unreachable';
  constructor(message: string, reason: 'offline' | 'unreachable') {
    super(message);
    this.reason = reason;
  }
}

export interface ActionRefResolverOptions {
  /** The REST API client; without one only git is asked. */
  client?: GitHubClient;
  cache: DiskCache;
  offline: boolean;
  /** The API root, part of every cache key so GHES and github.com answers never mix. */
  apiUrl: string;
  /** `git ls-remote` URL of a repository; undefined disables the fallback. */
  gitUrl?: (owner: string, repo: string) => string;
  /** Sent to git (as an `http.extraHeader`, never on the command line) for URLs under `gitTokenOrigin`. */
  gitToken?: string;
  gitTokenOrigin?: string;
  /** How long a resolved tag or branch is trusted (default 24 h). */
  ttlMs?: number;
  /** `git ls-remote` timeout (default 60 s). */
  gitTimeoutMs?: number;
  git?: string;
  now?: () => number;
  warn?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_REF_TTL_MS = 24 * 60 * 60 * 1000;
/** Tag objects dereferenced at most per resolution (each is one request, then cached for good). */
const MAX_DEREFERENCES = 20;
const FULL_SHA = /^[0-9a-f]{40}$/i;
const VERSION = /^([vV]?)(\d+(?:\.\d+)*)$/;
const CANDIDATE = /^([vV]?)(\d+(?:\.\d+)*)([-+][0-9A-Za-z.+-]*)?$/;

interface CachedResolution {
  sha: string;
  kind: RefKind;
  tag?: string;
}

/** A ref resolved from one listing: tags with their peeled commits, branches with theirs. */
interface RefListing {
  tags: Map<string, string>;
  heads: Map<string, string>;
}

export class ActionRefResolver {
  private readonly options: ActionRefResolverOptions;
  private readonly inflight = new Map<string, Promise<RefResolution | null>>();
  private apiDown: string | undefined;

  constructor(options: ActionRefResolverOptions) {
    this.options = options;
  }

  /** `null`: the repository has no such tag, branch or commit. */
  resolve(owner: string, repo: string, ref: string): Promise<RefResolution | null> {
    const key = this.cacheKey(owner, repo, ref);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.resolveUncached(owner, repo, ref, key);
      this.inflight.set(key, pending);
    }
    return pending;
  }

  cacheKey(owner: string, repo: string, ref: string): string {
    return `cordon-action-ref:v1 ${this.options.apiUrl.replace(/\/+$/, '')} ${owner.toLowerCase()}/${repo.toLowerCase()}@${ref}`;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async resolveUncached(owner: string, repo: string, ref: string, key: string): Promise<RefResolution | null> {
    const fetchedAt = new Date(this.now()).toISOString();
    if (FULL_SHA.test(ref)) return { sha: ref.toLowerCase(), kind: 'commit', source: 'cache', fetchedAt };
    const cached = await this.readCache(key);
    if (this.options.offline) {
      if (cached) return cached;
      throw new RefUnavailableError(`${owner}/${repo}@${ref}: offline, not in cache`, 'offline');
    }
    const ttl = this.options.ttlMs ?? DEFAULT_REF_TTL_MS;
    if (cached && this.now() - Date.parse(cached.fetchedAt) < ttl) return cached;

    let found: { resolution: CachedResolution | null; source: 'api' | 'git' } | undefined;
    const problems: string[] = [];
    if (this.options.client && !this.apiDown) {
      try {
        found = { resolution: await this.viaApi(this.options.client, owner, repo, ref), source: 'api' };
      } catch (error) {
        if (!(error instanceof HttpError) && !(error instanceof OfflineCacheMissError)) throw error;
        problems.push(redactSecrets(error.message));
        // A rate limit or an outage holds for the rest of the run: go straight to git next time.
        if (error instanceof HttpError && (error.unreachable || error.status === 403 || error.status === 429)) this.apiDown = error.message;
      }
    }
    if (!found && this.options.gitUrl) {
      // Said once: later refs of the run go to git without asking the API again.
      if (problems.length) this.options.warn?.(`${problems[0]}; resolving ${owner}/${repo}@${ref}${this.apiDown ? ' and the other refs of this run' : ''} with git ls-remote instead`);
      try {
        found = { resolution: await this.viaGit(owner, repo, ref), source: 'git' };
      } catch (error) {
        problems.push(redactSecrets((error as Error).message));
      }
    }
    if (!found) {
      const reasons = [...problems];
      if (this.apiDown && !reasons.includes(redactSecrets(this.apiDown))) reasons.unshift(`the GitHub API is not usable in this run (${redactSecrets(this.apiDown)})`);
      const reason = reasons.join('; ') || 'no GitHub API and no git remote configured';
      if (cached) {
        this.options.warn?.(`${reason}; using the cached resolution of ${owner}/${repo}@${ref} from ${cached.fetchedAt}`);
        return cached;
      }
      throw new RefUnavailableError(`${owner}/${repo}@${ref} could not be resolved: ${reason}`, 'unreachable');
    }
    if (!found.resolution) return null;
    const stored: CachedResolution = { sha: found.resolution.sha, kind: found.resolution.kind, ...(found.resolution.tag ? { tag: found.resolution.tag } : {}) };
    await this.options.cache.putText(key, JSON.stringify({ ...stored, fetchedAt }), { contentType: 'application/json' }).catch(() => undefined);
    return { ...stored, source: found.source, fetchedAt };
  }

  private async readCache(key: string): Promise<RefResolution | undefined> {
    const hit = await this.options.cache.getText(key);
    if (!hit) return undefined;
    try {
      const parsed = JSON.parse(hit.text) as Partial<CachedResolution> & { fetchedAt?: unknown };
      if (typeof parsed.sha !== 'string' || !FULL_SHA.test(parsed.sha)) return undefined;
      if (parsed.kind !== 'tag' && parsed.kind !== 'branch' && parsed.kind !== 'commit') return undefined;
      return { sha: parsed.sha, kind: parsed.kind, ...(typeof parsed.tag === 'string' ? { tag: parsed.tag } : {}), source: 'cache', fetchedAt: typeof parsed.fetchedAt === 'string' ? parsed.fetchedAt : hit.meta.fetchedAt };
    } catch {
      return undefined;
    }
  }

  // ---- REST API ---------------------------------------------------------------------------

  private async viaApi(client: GitHubClient, owner: string, repo: string, ref: string): Promise<CachedResolution | null> {
    const what = `${owner}/${repo}@${ref}`;
    const tagRefs = await this.matchingTagRefs(client, owner, repo, ref);
    if (!tagRefs) return null;
    const exact = tagRefs.find((item) => item.name === ref);
    if (exact) {
      const sha = await this.peel(client, owner, repo, exact.object);
      const tags = new Map<string, GitObject>(tagRefs.map((item) => [item.name, item.object]));
      const tag = await pickTag(ref, sha, [...tags.keys()], async (name) => this.peel(client, owner, repo, tags.get(name)!));
      return { sha, kind: 'tag', tag };
    }
    let text: string;
    try {
      text = await client.getText(client.repoUrl(owner, repo, `commits/${encodeURIComponent(ref)}`), `the commit of ${what}`, { accept: 'application/vnd.github.sha', json: false });
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 422)) return null;
      throw error;
    }
    const sha = parseShaBody(text);
    if (!sha) throw new HttpError(`unexpected answer for the commit of ${what}`);
    if (/^[0-9a-f]{4,39}$/i.test(ref) && sha.startsWith(ref.toLowerCase())) return { sha, kind: 'commit' };
    return { sha, kind: 'branch' };
  }

  /**
   * Tags named `ref` or starting with it (`v4` → `v4`, `v4.2.2`, `v40`…): [] when none match,
   * `null` when the repository is not there (or is private and the token cannot read it).
   */
  private async matchingTagRefs(client: GitHubClient, owner: string, repo: string, ref: string): Promise<Array<{ name: string; object: GitObject }> | null> {
    const url = client.repoUrl(owner, repo, `git/matching-refs/tags/${encodeURIComponent(ref)}`);
    let text: string;
    try {
      text = await client.getText(url, `the tags of ${owner}/${repo} starting with ${ref}`);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return null;
      // An empty repository has no refs at all.
      if (error instanceof HttpError && error.status === 409) return [];
      throw error;
    }
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new HttpError(`unexpected answer for the tags of ${owner}/${repo}: not a list`);
    const refs: Array<{ name: string; object: GitObject }> = [];
    for (const item of parsed as Array<{ ref?: unknown; object?: { sha?: unknown; type?: unknown } }>) {
      if (typeof item?.ref !== 'string' || !item.ref.startsWith('refs/tags/')) continue;
      const sha = item.object?.sha;
      const type = item.object?.type;
      if (typeof sha !== 'string' || !FULL_SHA.test(sha) || typeof type !== 'string') continue;
      refs.push({ name: item.ref.slice('refs/tags/'.length), object: { sha: sha.toLowerCase(), type } });
    }
    return refs;
  }

  /** The commit a tag ref points to: annotated tags (tags of tags too) followed through `git/tags/{sha}`. */
  private async peel(client: GitHubClient, owner: string, repo: string, object: GitObject): Promise<string> {
    let current = object;
    for (let depth = 0; depth < 5; depth++) {
      if (current.type === 'commit') return current.sha;
      if (current.type !== 'tag') throw new HttpError(`${owner}/${repo}: a tag points to a ${current.type}, not a commit`);
      const text = await client.getText(client.repoUrl(owner, repo, `git/tags/${current.sha}`), `tag object ${current.sha} of ${owner}/${repo}`, { immutable: true });
      const parsed = JSON.parse(text) as { object?: { sha?: unknown; type?: unknown } };
      const sha = parsed.object?.sha;
      const type = parsed.object?.type;
      if (typeof sha !== 'string' || !FULL_SHA.test(sha) || typeof type !== 'string') throw new HttpError(`unexpected answer for tag object ${current.sha} of ${owner}/${repo}`);
      current = { sha: sha.toLowerCase(), type };
    }
    throw new HttpError(`${owner}/${repo}: tag object ${object.sha} is nested too deep`);
  }

  // ---- git ls-remote ----------------------------------------------------------------------

  private async viaGit(owner: string, repo: string, ref: string): Promise<CachedResolution | null> {
    const url = this.options.gitUrl!(owner, repo);
    const listing = await this.lsRemote(url, ref);
    const tagSha = listing.tags.get(ref);
    if (tagSha) {
      const tag = await pickTag(ref, tagSha, [...listing.tags.keys()], async (name) => listing.tags.get(name)!);
      return { sha: tagSha, kind: 'tag', tag };
    }
    const headSha = listing.heads.get(ref);
    if (headSha) return { sha: headSha, kind: 'branch' };
    // ls-remote lists refs, not commits: an abbreviated SHA cannot be told from a missing ref.
    if (/^[0-9a-f]{4,39}$/i.test(ref)) throw new Error(`git ls-remote ${describeRemote(url)}: \`${ref}\` is not a branch or tag (an abbreviated commit SHA needs the GitHub API)`);
    return null;
  }

  private lsRemote(url: string, ref: string): Promise<RefListing> {
    const env: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env), GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };
    const { gitToken, gitTokenOrigin } = this.options;
    if (gitToken && gitTokenOrigin && sameOrigin(url, gitTokenOrigin)) {
      // As actions/checkout does: a header scoped to the server, passed through the environment.
      const index = Number(env.GIT_CONFIG_COUNT ?? '0') || 0;
      env.GIT_CONFIG_COUNT = String(index + 1);
      env[`GIT_CONFIG_KEY_${index}`] = `http.${new URL(gitTokenOrigin).origin}/.extraheader`;
      env[`GIT_CONFIG_VALUE_${index}`] = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${gitToken}`).toString('base64')}`;
    }
    const args = ['ls-remote', '--tags', '--heads', '--', url, ref, `${ref}*`];
    const timeout = this.options.gitTimeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      execFile(this.options.git ?? 'git', args, { env, timeout, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
        if (error) {
          const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : error.killed ? `no answer within ${timeout / 1000} s` : lastLine(String(stderr)) || error.message;
          reject(new Error(`git ls-remote ${describeRemote(url)}: ${redactSecrets(reason)}`));
          return;
        }
        resolve(parseLsRemote(String(stdout)));
      });
    });
  }
}

interface GitObject {
  sha: string;
  type: string;
}

/** `<sha>\trefs/tags/v4` lines; `refs/tags/v4^{}` gives an annotated tag's commit. */
export function parseLsRemote(output: string): RefListing {
  const tags = new Map<string, string>();
  const peeled = new Map<string, string>();
  const heads = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^([0-9a-f]{40})\t(refs\/(tags|heads)\/(.+))$/i.exec(line.trim());
    if (!match) continue;
    const sha = match[1]!.toLowerCase();
    const name = match[4]!;
    if (match[3] === 'heads') heads.set(name, sha);
    else if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), sha);
    else if (!tags.has(name)) tags.set(name, sha);
  }
  for (const [name, sha] of peeled) tags.set(name, sha);
  return { tags, heads };
}

/**
 * The tag to name in the pin's comment: among the tags on `sha` that are more specific versions
 * of the ref written (`v4` → `v4.2`, `v4.2.2`; same `v` prefix, same leading numbers), the one
 * with the most components, then the highest, releases before pre-releases; else the ref itself.
 * `commitOf` is asked lazily, best candidate first, so annotated tags cost a request only until
 * the first match.
 */
export async function pickTag(ref: string, sha: string, names: string[], commitOf: (name: string) => Promise<string>): Promise<string> {
  const written = VERSION.exec(ref);
  if (!written) return ref;
  const base = written[2]!.split('.').map(Number);
  const candidates = names
    .filter((name) => name !== ref)
    .map((name) => ({ name, parsed: CANDIDATE.exec(name) }))
    .filter((item): item is { name: string; parsed: RegExpExecArray } => {
      const parsed = item.parsed;
      if (!parsed || parsed[1]!.toLowerCase() !== written[1]!.toLowerCase()) return false;
      const parts = parsed[2]!.split('.').map(Number);
      if (parts.length <= base.length) return false;
      return base.every((number, i) => parts[i] === number);
    })
    .map((item) => ({ name: item.name, parts: item.parsed[2]!.split('.').map(Number), pre: item.parsed[3] ?? '' }))
    .sort((a, b) => {
      if (a.parts.length !== b.parts.length) return b.parts.length - a.parts.length;
      for (let i = 0; i < a.parts.length; i++) if (a.parts[i] !== b.parts[i]) return b.parts[i]! - a.parts[i]!;
      if (!a.pre !== !b.pre) return a.pre ? 1 : -1;
      return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
    });
  for (const candidate of candidates.slice(0, MAX_DEREFERENCES)) {
    if ((await commitOf(candidate.name)) === sha) return candidate.name;
  }
  return ref;
}

function parseShaBody(text: string): string | undefined {
  const trimmed = text.trim();
  if (FULL_SHA.test(trimmed)) return trimmed.toLowerCase();
  // Some servers ignore the sha media type and answer the JSON commit.
  try {
    const sha = (JSON.parse(trimmed) as { sha?: unknown }).sha;
    if (typeof sha === 'string' && FULL_SHA.test(sha)) return sha.toLowerCase();
  } catch {
    // not JSON
  }
  return undefined;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}

function describeRemote(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.href;
  } catch {
    return url;
  }
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).filter(Boolean).at(-1)?.replace(/^fatal:\s*/, '') ?? '';
}
