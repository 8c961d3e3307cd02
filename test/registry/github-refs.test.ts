import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DiskCache } from '../../src/registry/cache.ts';
import { ActionRefResolver, RefUnavailableError, parseLsRemote, pickTag, type ActionRefResolverOptions } from '../../src/registry/github-refs.ts';
import { GitHubClient } from '../../src/registry/github.ts';
import type { HttpOptions } from '../../src/registry/http.ts';
import { GIT_ENV, RATE_LIMITED, makeBareRepo, startFakeGitHubRefs, type FakeGitHubRefs } from './github-refs-fake.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-refs-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const TOKEN = 'ghp_refsTestToken000000000000000000000000';

// One repository, built with real git and served by both the fake API and `git ls-remote`:
//   c1 ← v4.1.0, v4.1 (annotated)
//   c2 ← v4 (annotated), v4.2 (annotated), v4.2.2, v4.2.2-rc.1, v5.0.0-alpha; branch main
//   c3 ← v40; branch v1 (a branch that looks like a tag)
const remotes = path.join(temp, 'remotes');
const built = makeBareRepo(remotes, 'acme', 'deploy', {
  commits: ['c1', 'c2', 'c3'],
  tags: { 'v4.1.0': 'c1', 'v4.1': 'c1', v4: 'c2', 'v4.2': 'c2', 'v4.2.2': 'c2', 'v4.2.2-rc.1': 'c2', 'v5.0.0-alpha': 'c2', v40: 'c3', 'release-2024': 'c1' },
  annotated: ['v4', 'v4.2', 'v4.1'],
  heads: { main: 'c2', v1: 'c3', 'release/v1': 'c1' },
});
const { c1, c2, c3 } = built.commits as Record<'c1' | 'c2' | 'c3', string>;
const gitUrl = (owner: string, repo: string) => `file://${remotes}/${owner}/${repo}.git`;

let server: FakeGitHubRefs;
let cacheDir: string;
let warnings: string[];

before(async () => {
  server = await startFakeGitHubRefs({ 'acme/deploy': built.repo }, { prefix: '/api/v3' });
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.always = undefined;
  server.queue.length = 0;
  cacheDir = mkdtempSync(path.join(temp, 'cache-'));
  warnings = [];
});

function http(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return { timeoutMs: 2000, retries: 1, backoffMs: 1, maxWaitMs: 5000, userAgent: 'cordon-test', sleep: async () => undefined, ...overrides };
}

function resolver(options: Partial<ActionRefResolverOptions> & { apiUrl?: string; noApi?: boolean } = {}): ActionRefResolver {
  const apiUrl = options.apiUrl ?? server.apiUrl;
  const cache = new DiskCache(cacheDir);
  return new ActionRefResolver({
    ...(options.noApi ? {} : { client: new GitHubClient({ apiUrl, token: TOKEN, cache, offline: false, http: http(), maxDownloadBytes: 1 << 20 }) }),
    cache,
    offline: false,
    apiUrl,
    gitUrl,
    env: GIT_ENV,
    warn: (message) => warnings.push(message),
    ...options,
  });
}

const apiRequests = () => server.requests.map((request) => request.path.replace(/^\/api\/v3/, ''));

describe('through the REST API', () => {
  it('dereferences an annotated major tag and names the most specific version tag on its commit', async () => {
    const found = await resolver().resolve('acme', 'deploy', 'v4');
    assert.deepEqual({ sha: found?.sha, tag: found?.tag, kind: found?.kind, source: found?.source }, { sha: c2, tag: 'v4.2.2', kind: 'tag', source: 'api' });
    // The tag list by prefix, then the tag objects: v4 itself and the best candidate (v4.2.2 is lightweight).
    assert.deepEqual(apiRequests(), [`/repos/acme/deploy/git/matching-refs/tags/v4`, `/repos/acme/deploy/git/tags/${built.repo.tags.v4!.object}`]);
    const first = server.requests[0]!;
    assert.equal(first.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(first.headers['x-github-api-version'], '2022-11-28');
  });

  it('keeps to the version written: v4.1 → v4.1.0, never the newer v4.2.2 or v40', async () => {
    const found = await resolver().resolve('acme', 'deploy', 'v4.1');
    assert.equal(found?.sha, c1);
    assert.equal(found?.tag, 'v4.1.0');
    const forty = await resolver().resolve('acme', 'deploy', 'v40');
    assert.deepEqual([forty?.sha, forty?.tag], [c3, 'v40']);
  });

  it('a tag that is already the most specific stays itself; a non-version tag is named as written', async () => {
    assert.equal((await resolver().resolve('acme', 'deploy', 'v4.2.2'))?.tag, 'v4.2.2');
    const release = await resolver().resolve('acme', 'deploy', 'release-2024');
    assert.deepEqual([release?.sha, release?.tag, release?.kind], [c1, 'release-2024', 'tag']);
  });

  it('a branch resolves through commits/{ref} with the sha media type', async () => {
    const found = await resolver().resolve('acme', 'deploy', 'main');
    assert.deepEqual([found?.sha, found?.kind, found?.tag], [c2, 'branch', undefined]);
    const commits = server.requests.find((request) => request.path.includes('/commits/'))!;
    assert.equal(commits.headers.accept, 'application/vnd.github.sha');
    const slashed = await resolver().resolve('acme', 'deploy', 'release/v1');
    assert.deepEqual([slashed?.sha, slashed?.kind], [c1, 'branch']);
    assert.ok(server.requests.some((request) => request.path.endsWith('/commits/release%2Fv1')));
  });

  it('a branch named like a version is a branch', async () => {
    const found = await resolver().resolve('acme', 'deploy', 'v1');
    assert.deepEqual([found?.sha, found?.kind], [c3, 'branch']);
  });

  it('an unknown ref (422) and an unknown repository (404) are null, without asking git', async () => {
    assert.equal(await resolver().resolve('acme', 'deploy', 'v9'), null);
    assert.equal(await resolver().resolve('acme', 'missing', 'v1'), null);
    assert.deepEqual(warnings, []);
  });

  it('an abbreviated SHA is a commit', async () => {
    const found = await resolver().resolve('acme', 'deploy', c3.slice(0, 12));
    assert.deepEqual([found?.sha, found?.kind], [c3, 'commit']);
  });
});

describe('falling back to git ls-remote', () => {
  it('a 403 rate limit sends the resolution to git, which peels the annotated tag the same way', async () => {
    server.always = RATE_LIMITED;
    const refs = resolver();
    const found = await refs.resolve('acme', 'deploy', 'v4');
    assert.deepEqual({ sha: found?.sha, tag: found?.tag, kind: found?.kind, source: found?.source }, { sha: c2, tag: 'v4.2.2', kind: 'tag', source: 'git' });
    assert.match(warnings[0]!, /rate limit/);
    assert.match(warnings[0]!, /git ls-remote/);
    // The rest of the run goes straight to git.
    const before = server.requests.length;
    const branch = await refs.resolve('acme', 'deploy', 'main');
    assert.deepEqual([branch?.sha, branch?.kind], [c2, 'branch']);
    const version = await refs.resolve('acme', 'deploy', 'v4.1');
    assert.deepEqual([version?.sha, version?.tag], [c1, 'v4.1.0']);
    assert.equal(server.requests.length, before);
  });

  it('an unreachable API (nothing listening) falls back too', async () => {
    const closed = await startFakeGitHubRefs({});
    const apiUrl = closed.apiUrl;
    await closed.close();
    const found = await resolver({ apiUrl }).resolve('acme', 'deploy', 'v4.2');
    assert.deepEqual([found?.sha, found?.tag, found?.source], [c2, 'v4.2.2', 'git']);
  });

  it('through git alone: branches, a missing ref is null, a missing repository is an error', async () => {
    const refs = resolver({ noApi: true });
    assert.deepEqual(await refs.resolve('acme', 'deploy', 'v1').then((found) => [found?.sha, found?.kind]), [c3, 'branch']);
    assert.equal(await refs.resolve('acme', 'deploy', 'v9'), null);
    await assert.rejects(refs.resolve('acme', 'nothing-here', 'v1'), (error: unknown) => error instanceof RefUnavailableError && error.reason === 'unreachable' && /git ls-remote/.test(error.message));
  });
});

describe('git and the token', () => {
  // A stand-in `git` that records its arguments and the config it was given through the environment.
  function fakeGit(): { bin: string; log: string } {
    const dir = mkdtempSync(path.join(temp, 'fake-git-'));
    const log = path.join(dir, 'log');
    const bin = path.join(dir, 'git');
    writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$*" "$GIT_CONFIG_COUNT" "$GIT_CONFIG_KEY_0" "$GIT_CONFIG_VALUE_0" "$GIT_TERMINAL_PROMPT" > '${log}'\nprintf '${c2}\\trefs/tags/v4\\n'\n`);
    chmodSync(bin, 0o755);
    return { bin, log };
  }

  it('sends GITHUB_TOKEN to the server as an extra header in the environment, never on the command line', async () => {
    const { bin, log } = fakeGit();
    const found = await resolver({ noApi: true, git: bin, gitUrl: (owner, repo) => `https://ghe.example.com/${owner}/${repo}`, gitToken: TOKEN, gitTokenOrigin: 'https://ghe.example.com' }).resolve('acme', 'deploy', 'v4');
    assert.equal(found?.sha, c2);
    const [args, count, key, value, prompt] = readFileSync(log, 'utf8').split('\n');
    assert.equal(args, 'ls-remote --tags --heads -- https://ghe.example.com/acme/deploy v4 v4*');
    assert.equal(count, '1');
    assert.equal(key, 'http.https://ghe.example.com/.extraheader');
    assert.equal(value, `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
    assert.equal(prompt, '0');
  });

  it('another host gets no token', async () => {
    const { bin, log } = fakeGit();
    await resolver({ noApi: true, git: bin, gitUrl: (owner, repo) => `https://mirror.example.net/${owner}/${repo}`, gitToken: TOKEN, gitTokenOrigin: 'https://ghe.example.com' }).resolve('acme', 'deploy', 'v4');
    assert.ok(!readFileSync(log, 'utf8').includes(Buffer.from(`x-access-token:${TOKEN}`).toString('base64')));
  });
});

describe('the resolution cache', () => {
  it('answers again without a request until the TTL passes, then asks again', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    await resolver({ now: () => now }).resolve('acme', 'deploy', 'v4');
    const asked = server.requests.length;
    const again = await resolver({ now: () => now + 60 * 60 * 1000 }).resolve('acme', 'deploy', 'v4');
    assert.deepEqual([again?.sha, again?.tag, again?.source], [c2, 'v4.2.2', 'cache']);
    assert.equal(server.requests.length, asked);
    now += 25 * 60 * 60 * 1000;
    const later = await resolver({ now: () => now }).resolve('acme', 'deploy', 'v4');
    assert.equal(later?.source, 'api');
    assert.ok(server.requests.length > asked);
    // The tag object (immutable) came from the HTTP cache; the tag list was revalidated (304).
    const newRequests = server.requests.slice(asked).map((request) => request.path);
    assert.ok(!newRequests.some((item) => item.includes('/git/tags/')), newRequests.join(', '));
  });

  it('--offline answers from the cache at any age, and a miss says "offline, not in cache"', async () => {
    await resolver().resolve('acme', 'deploy', 'v4');
    const asked = server.requests.length;
    const offline = resolver({ offline: true, now: () => Date.now() + 365 * 24 * 60 * 60 * 1000 });
    const found = await offline.resolve('acme', 'deploy', 'v4');
    assert.deepEqual([found?.sha, found?.tag, found?.source], [c2, 'v4.2.2', 'cache']);
    await assert.rejects(offline.resolve('acme', 'deploy', 'v4.1'), (error: unknown) => error instanceof RefUnavailableError && error.reason === 'offline' && /offline, not in cache/.test(error.message));
    assert.equal(server.requests.length, asked);
  });

  it('a stale answer is used, with a warning, when neither the API nor git can be reached', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    await resolver({ now: () => now }).resolve('acme', 'deploy', 'v4');
    now += 48 * 60 * 60 * 1000;
    // (With the API down the HTTP cache would answer first; here only git is configured, and it fails.)
    const found = await resolver({ now: () => now, noApi: true, gitUrl: () => `file://${temp}/nowhere/repo.git` }).resolve('acme', 'deploy', 'v4');
    assert.deepEqual([found?.sha, found?.source], [c2, 'cache']);
    assert.match(warnings.at(-1)!, /using the cached resolution/);
  });

  it('GHES and github.com answers never mix', () => {
    const a = resolver({ apiUrl: 'https://ghe.example.com/api/v3' }).cacheKey('acme', 'deploy', 'v4');
    const b = resolver({ apiUrl: 'https://api.github.com' }).cacheKey('acme', 'deploy', 'v4');
    assert.notEqual(a, b);
  });
});

describe('helpers', () => {
  it('parseLsRemote takes the peeled commit of annotated tags', () => {
    const listing = parseLsRemote(
      [`${'a'.repeat(40)}\trefs/heads/main`, `${'b'.repeat(40)}\trefs/tags/v4`, `${'c'.repeat(40)}\trefs/tags/v4^{}`, `${'d'.repeat(40)}\trefs/tags/v4.2.2`, 'garbage'].join('\n'),
    );
    assert.deepEqual([...listing.tags], [
      ['v4', 'c'.repeat(40)],
      ['v4.2.2', 'd'.repeat(40)],
    ]);
    assert.deepEqual([...listing.heads], [['main', 'a'.repeat(40)]]);
  });

  it('pickTag prefers the longest refinement of the written version on the same commit, releases before pre-releases', async () => {
    const commits: Record<string, string> = { 'v4.2.2': 'x', 'v4.2': 'x', 'v4.2.2-rc.1': 'x', 'v4.3.0': 'y', 'v4.2.1': 'z', '4.2.2': 'x', V4: 'x', 'v4.2.2.1': 'y', v40: 'x' };
    const asked: string[] = [];
    const commitOf = async (name: string) => {
      asked.push(name);
      return commits[name]!;
    };
    assert.equal(await pickTag('v4', 'x', Object.keys(commits), commitOf), 'v4.2.2');
    // Best first, lazily: the four-part tag (another commit), v4.3.0 (another commit), then the match.
    assert.deepEqual(asked, ['v4.2.2.1', 'v4.3.0', 'v4.2.2']);
    assert.equal(await pickTag('v4', 'w', Object.keys(commits), commitOf), 'v4');
    assert.equal(await pickTag('4', 'x', Object.keys(commits), commitOf), '4.2.2');
    assert.equal(await pickTag('main', 'x', Object.keys(commits), commitOf), 'main');
  });
});
