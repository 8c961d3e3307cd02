import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

/**
 * A local stand-in for the GitHub REST endpoints that resolve action refs, on 127.0.0.1, in the
 * documented shapes: `git/matching-refs/tags/{prefix}` (refs with `object.type` `commit` or
 * `tag`), `git/tags/{sha}` (annotated tag objects), `commits/{ref}` (a bare SHA with
 * `Accept: application/vnd.github.sha`, JSON otherwise; 422 "No commit found" for an unknown
 * ref), 404 for an unknown repository, ETags with 304s, and scripted faults (a 403 rate limit,
 * 500s). Plus `makeBareRepo`, a real bare git repository with the same refs for `git ls-remote`.
 */

export interface FakeTag {
  commit: string;
  /** Annotated: the tag object's SHA (lightweight tags point at the commit). */
  object?: string;
}

export interface FakeRepo {
  tags: Record<string, FakeTag>;
  heads: Record<string, string>;
  /** Extra commits `commits/{sha}` knows. */
  commits?: string[];
}

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface RecordedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeGitHubRefs {
  apiUrl: string;
  requests: RecordedRequest[];
  repos: Map<string, FakeRepo>;
  /** Answer every request with this fault until cleared (`undefined`). */
  always: Fault | undefined;
  /** Faults for the next requests, first in first out. */
  queue: Fault[];
  close(): Promise<void>;
}

export const RATE_LIMITED: Fault = {
  status: 403,
  headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
  body: JSON.stringify({ message: "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)", documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' }),
};

export async function startFakeGitHubRefs(repos: Record<string, FakeRepo>, options: { prefix?: string } = {}): Promise<FakeGitHubRefs> {
  const prefix = options.prefix ?? '';
  const state: FakeGitHubRefs = {
    apiUrl: '',
    requests: [],
    repos: new Map(Object.entries(repos).map(([name, repo]) => [name.toLowerCase(), repo])),
    always: undefined,
    queue: [],
    close: async () => undefined,
  };
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    state.requests.push({ path: `${url.pathname}${url.search}`, headers: request.headers });
    const fault = state.always ?? state.queue.shift();
    if (fault) {
      response.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers });
      response.end(fault.body ?? JSON.stringify({ message: http.STATUS_CODES[fault.status] }));
      return;
    }
    const send = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      if (status === 200 && request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag });
        response.end();
        return;
      }
      response.writeHead(status, { 'content-type': type, ...(status === 200 ? { etag } : {}), 'x-ratelimit-remaining': '59' });
      response.end(body);
    };
    const notFound = (doc: string) => send(404, JSON.stringify({ message: 'Not Found', documentation_url: doc, status: '404' }));
    const api = url.pathname.startsWith(`${prefix}/repos/`) ? url.pathname.slice(prefix.length) : undefined;
    const match = api && /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(api);
    if (!match) return notFound('https://docs.github.com/rest');
    const repo = state.repos.get(`${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`.toLowerCase());
    const rest = match[3]!;
    if (!repo) return notFound('https://docs.github.com/rest/repos/repos#get-a-repository');
    const base = `http://127.0.0.1${prefix}/repos/${match[1]}/${match[2]}`;
    let part: RegExpExecArray | null;
    if ((part = /^git\/matching-refs\/tags\/(.*)$/.exec(rest))) {
      const wanted = decodeURIComponent(part[1]!);
      const refs = Object.entries(repo.tags)
        .filter(([name]) => name.startsWith(wanted))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, tag]) => ({
          ref: `refs/tags/${name}`,
          node_id: 'MDM6UmVm',
          url: `${base}/git/refs/tags/${name}`,
          object: tag.object ? { sha: tag.object, type: 'tag', url: `${base}/git/tags/${tag.object}` } : { sha: tag.commit, type: 'commit', url: `${base}/git/commits/${tag.commit}` },
        }));
      return send(200, JSON.stringify(refs));
    }
    if ((part = /^git\/tags\/([0-9a-f]{40})$/.exec(rest))) {
      const found = Object.entries(repo.tags).find(([, tag]) => tag.object === part![1]);
      if (!found) return notFound('https://docs.github.com/rest/git/tags#get-a-tag');
      const [name, tag] = found;
      return send(
        200,
        JSON.stringify({
          node_id: 'MDM6VGFn',
          sha: tag.object,
          url: `${base}/git/tags/${tag.object}`,
          tag: name,
          message: `${name}\n`,
          tagger: { name: 'Release Bot', email: 'bot@example.com', date: '2025-01-01T00:00:00Z' },
          object: { type: 'commit', sha: tag.commit, url: `${base}/git/commits/${tag.commit}` },
          verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
        }),
      );
    }
    if ((part = /^commits\/(.+)$/.exec(rest))) {
      const ref = decodeURIComponent(part[1]!);
      const sha =
        repo.tags[ref]?.commit ??
        repo.heads[ref] ??
        [...Object.values(repo.tags).map((tag) => tag.commit), ...Object.values(repo.heads), ...(repo.commits ?? [])].find((commit) => /^[0-9a-f]{4,40}$/.test(ref) && commit.startsWith(ref));
      if (!sha) return send(422, JSON.stringify({ message: `No commit found for SHA: ${ref}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit', status: '422' }));
      if (request.headers.accept === 'application/vnd.github.sha') return send(200, sha, 'application/vnd.github.sha; charset=utf-8');
      return send(200, JSON.stringify({ sha, node_id: 'C_kwDO', commit: { message: 'commit' }, url: `${base}/commits/${sha}` }));
    }
    return notFound('https://docs.github.com/rest');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.apiUrl = `http://127.0.0.1:${port}${prefix}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** Git with no user or system configuration (no signing, no hooks from the machine). */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Release Bot',
  GIT_AUTHOR_EMAIL: 'bot@example.com',
  GIT_COMMITTER_NAME: 'Release Bot',
  GIT_COMMITTER_EMAIL: 'bot@example.com',
  GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

export interface BareRepoSpec {
  /** Commits in order, by label. */
  commits: string[];
  /** Tag name → commit label; annotated when `annotated` lists it. */
  tags: Record<string, string>;
  annotated?: string[];
  /** Branch name → commit label. */
  heads: Record<string, string>;
}

/**
 * A bare repository `<root>/<owner>/<repo>.git` built with real git: commits, lightweight and
 * annotated tags, branches. Returns the commit SHAs by label and the tag objects' SHAs, so the
 * fake API can serve the same repository.
 */
export function makeBareRepo(root: string, owner: string, repo: string, spec: BareRepoSpec): { commits: Record<string, string>; repo: FakeRepo; path: string } {
  const work = path.join(root, 'work', owner, repo);
  const bare = path.join(root, owner, `${repo}.git`);
  mkdirSync(work, { recursive: true });
  mkdirSync(path.dirname(bare), { recursive: true });
  git(work, 'init', '-q', '-b', 'scratch');
  const commits: Record<string, string> = {};
  for (const label of spec.commits) {
    git(work, 'commit', '-q', '--allow-empty', '-m', label);
    commits[label] = git(work, 'rev-parse', 'HEAD');
  }
  const fake: FakeRepo = { tags: {}, heads: {}, commits: Object.values(commits) };
  for (const [name, label] of Object.entries(spec.tags)) {
    const commit = commits[label]!;
    if (spec.annotated?.includes(name)) {
      git(work, 'tag', '-a', name, '-m', name, commit);
      fake.tags[name] = { commit, object: git(work, 'rev-parse', `refs/tags/${name}`) };
    } else {
      git(work, 'tag', name, commit);
      fake.tags[name] = { commit };
    }
  }
  for (const [name, label] of Object.entries(spec.heads)) {
    git(work, 'branch', '-f', name, commits[label]!);
    fake.heads[name] = commits[label]!;
  }
  git(root, 'init', '-q', '--bare', bare);
  git(work, 'push', '-q', bare, ...Object.keys(spec.heads).map((name) => `refs/heads/${name}:refs/heads/${name}`), '--tags');
  return { commits, repo: fake, path: bare };
}
