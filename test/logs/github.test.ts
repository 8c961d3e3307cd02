import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { runLogsCommand } from '../../src/cli/logs.ts';
import { DiskCache } from '../../src/registry/cache.ts';
import { GitHubClient, OfflineCacheMissError, type WorkflowRun } from '../../src/registry/github.ts';
import { HttpError, waitFromHeaders, type HttpOptions } from '../../src/registry/http.ts';
import { startFakeGitHub, type FakeGitHub } from './helpers/github-server.ts';
import { githubToken } from './helpers/tokens.ts';
import { buildZip } from './helpers/zip.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-gh-'));
after(() => rmSync(temp, { recursive: true, force: true }));

// Real-format tokens: the CLI runs with the project's real detectors.
const TOKEN = githubToken('api-auth');
const LEAK = githubToken('leaked-in-run');
const RUN_ID = 30433642;
const RUNNING_ID = 30433601;

function runZip(id: number): Buffer {
  return buildZip([
    { name: 'publish/1_Set up job.txt', data: '2025-09-05T10:00:00.0000000Z Current runner version: 2.328.0\n' },
    {
      name: 'publish/4_Upload.txt',
      data: ['2025-09-05T10:01:00.0000000Z ##[group]Run twine upload dist/*', `2025-09-05T10:01:02.0000000Z uploading with ${LEAK} (run ${id})`, '2025-09-05T10:01:09.0000000Z done'].join('\n'),
    },
  ]);
}

let server: FakeGitHub;
let cacheDir: string;
let delays: number[];

function http(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    timeoutMs: 2000,
    retries: 3,
    backoffMs: 10,
    maxWaitMs: 5000,
    userAgent: 'cordon-test',
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  };
}

function client(options: { offline?: boolean; http?: Partial<HttpOptions>; apiUrl?: string } = {}): GitHubClient {
  return new GitHubClient({
    apiUrl: options.apiUrl ?? server.apiUrl,
    token: TOKEN,
    cache: new DiskCache(cacheDir),
    offline: options.offline ?? false,
    http: http(options.http),
    maxDownloadBytes: 10 * 1024 * 1024,
  });
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runLogsCommand(argv, {
    env: { GITHUB_API_URL: server.apiUrl, GITHUB_TOKEN: TOKEN, CORDON_HTTP_BACKOFF_MS: '5', ...env },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: temp,
    isTTY: false,
  });
  return { code, stdout, stderr };
}

beforeEach(async () => {
  server = await startFakeGitHub();
  server.zips.set(RUN_ID, runZip(RUN_ID));
  server.zips.set(RUNNING_ID, runZip(RUNNING_ID));
  cacheDir = mkdtempSync(path.join(temp, 'cache-'));
  delays = [];
});
afterEach(() => server.close());

describe('GitHub REST client', () => {
  it('lists runs with the documented headers and parses the documented shape', async () => {
    const runs = await client().listRuns('octo-org', 'hello-world', 2);
    assert.deepEqual(
      runs.map((run) => [run.id, run.name, run.path, run.status]),
      [
        [RUN_ID, 'release', '.github/workflows/release.yml', 'completed'],
        [RUNNING_ID, 'ci', '.github/workflows/ci.yml', 'in_progress'],
      ],
    );
    const request = server.requests[0]!;
    assert.equal(request.path, '/repos/octo-org/hello-world/actions/runs?per_page=2');
    assert.equal(request.headers.accept, 'application/vnd.github+json');
    assert.equal(request.headers['x-github-api-version'], '2022-11-28');
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('follows the 302 to the zip without sending the token there, and caches completed runs', async () => {
    const [run] = await client().listRuns('octo-org', 'hello-world', 1);
    const logs = await client().runLogs('octo-org', 'hello-world', run!);
    assert.equal(logs.fromCache, false);
    assert.ok(existsSync(logs.path));
    const blob = server.requests.find((request) => request.path.startsWith('/blob/'))!;
    assert.ok(blob, 'the zip was fetched from the Location');
    assert.equal(blob.headers.authorization, undefined, 'the token must not go to the signed URL');
    const count = server.requests.length;
    const again = await client().runLogs('octo-org', 'hello-world', run!);
    assert.equal(again.fromCache, true);
    assert.equal(server.requests.length, count, 'a completed run is read from the cache without a request');
  });

  it('does not cache the logs of a run that is still in progress', async () => {
    const run = (await client().listRuns('octo-org', 'hello-world', 2))[1]!;
    const logs = await client().runLogs('octo-org', 'hello-world', run);
    assert.ok(existsSync(logs.path));
    await logs.release();
    assert.ok(!existsSync(logs.path));
    assert.equal((await client().runLogs('octo-org', 'hello-world', run)).fromCache, false);
  });

  it('waits as Retry-After says on 429, then succeeds', async () => {
    server.fail('/repos/octo-org/hello-world/actions/runs', { status: 429, headers: { 'retry-after': '2' } });
    const runs = await client().listRuns('octo-org', 'hello-world', 1);
    assert.equal(runs.length, 1);
    assert.deepEqual(delays, [2000]);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    server.fail(`/repos/octo-org/hello-world/actions/runs/${RUN_ID}/logs`, { status: 500 }, { status: 502 });
    const logs = await client().runLogs('octo-org', 'hello-world', { id: RUN_ID, status: 'completed' } as WorkflowRun);
    assert.ok(existsSync(logs.path));
    assert.equal(delays.length, 2);
    assert.ok(delays[1]! > delays[0]!, `backoff grows: ${delays.join(', ')}`);
  });

  it('times out a request that does not answer, retries, and gives up with a clear error', async () => {
    server.fail('/repos/octo-org/hello-world/actions/runs', { delayMs: 600 });
    const runs = await client({ http: { timeoutMs: 150 } }).listRuns('octo-org', 'hello-world', 1);
    assert.equal(runs.length, 1, 'the retry after the timeout succeeds');

    // A fresh cache: with the list cached, an unreachable API falls back to it.
    cacheDir = mkdtempSync(path.join(temp, 'cache-'));
    server.fail('/repos/octo-org/hello-world/actions/runs', { delayMs: 600 }, { delayMs: 600 });
    await assert.rejects(client({ http: { timeoutMs: 150, retries: 1 } }).listRuns('octo-org', 'hello-world', 1), (error: Error) => {
      assert.ok(error instanceof HttpError);
      assert.match(error.message, /no response within 150 ms \(gave up after 2 attempts\)/);
      return true;
    });
  });

  it('refuses to wait for a rate-limit reset longer than --max-wait', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    server.fail('/repos/octo-org/hello-world/actions/runs', { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: '{"message":"API rate limit exceeded"}' });
    await assert.rejects(client().listRuns('octo-org', 'hello-world', 1), /API rate limit exceeded \(rate limit exhausted\); the server asks to wait until .*GITHUB_TOKEN/);
    assert.deepEqual(delays, []);
  });

  it('reads Retry-After as seconds or a date, and the rate-limit reset', () => {
    const now = Date.parse('2025-09-05T10:00:00Z');
    assert.equal(waitFromHeaders(new Headers({ 'retry-after': '7' }), now), 7000);
    assert.equal(waitFromHeaders(new Headers({ 'retry-after': 'Fri, 05 Sep 2025 10:00:30 GMT' }), now), 30_000);
    assert.equal(waitFromHeaders(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) }), now), 61_000);
    assert.equal(waitFromHeaders(new Headers({ 'x-ratelimit-remaining': '10' }), now), undefined);
  });

  it('explains a 404 from the logs endpoint', async () => {
    await assert.rejects(client().runLogs('octo-org', 'hello-world', { id: 999, status: 'completed' } as WorkflowRun), /HTTP 404: Not Found — the logs of run 999 are gone/);
  });

  it('revalidates the run list with its ETag and uses the cache when the API is down', async () => {
    await client().listRuns('octo-org', 'hello-world', 2);
    await client().listRuns('octo-org', 'hello-world', 2);
    assert.equal(server.requests[1]!.headers['if-none-match'], '"runs-2-2"');
    await server.close();
    const warnings: string[] = [];
    const offlineish = new GitHubClient({ apiUrl: server.apiUrl, cache: new DiskCache(cacheDir), offline: false, http: http({ retries: 1 }), maxDownloadBytes: 1e6, warn: (text) => warnings.push(text) });
    assert.equal((await offlineish.listRuns('octo-org', 'hello-world', 2)).length, 2);
    assert.match(warnings[0]!, /network error \(ECONNREFUSED\).*using the cached copy of the run list of octo-org\/hello-world/);
  });

  it('--offline answers from the cache only', async () => {
    await assert.rejects(client({ offline: true }).listRuns('octo-org', 'hello-world', 2), (error: Error) => error instanceof OfflineCacheMissError && /not in the cache/.test(error.message));
    assert.equal(server.requests.length, 0);
  });
});

describe('cordon logs --repo', () => {
  it('downloads recent runs, scans them and reports workflow, run, job and step', async () => {
    const result = await cli(['--repo', 'octo-org/hello-world', '--runs', '2', '--cache-dir', cacheDir, '-f', 'json', '--now', '2025-09-05T11:00:00Z']);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.summary.filesAudited, 4);
    assert.equal(report.findings.length, 1, 'the same token in two runs is one finding');
    const finding = report.findings[0];
    assert.equal(finding.path, `run-${RUN_ID}.zip!publish/4_Upload.txt`);
    assert.equal(finding.line, 2);
    assert.equal(finding.details.occurrences, 2);
    assert.equal(finding.details.source.workflow, '.github/workflows/release.yml');
    assert.equal(finding.details.source.run.url, `https://github.com/octo-org/hello-world/actions/runs/${RUN_ID}`);
    assert.equal(finding.details.source.job, 'publish');
    assert.equal(finding.details.source.step, 'Run twine upload dist/*');
    assert.match(finding.message, /by step `Run twine upload dist\/\*` of job `publish` in workflow `\.github\/workflows\/release\.yml` run 30433642/);
    assert.ok(!result.stdout.includes(LEAK) && !result.stderr.includes(LEAK));
    assert.ok(!result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN));
  });

  it('works against a GitHub Enterprise Server API prefix', async () => {
    const ghes = await startFakeGitHub({ prefix: '/api/v3' });
    ghes.zips.set(RUN_ID, runZip(RUN_ID));
    try {
      const result = await cli(['--repo', 'octo-org/hello-world', '--runs', '1', '--cache-dir', cacheDir, '-f', 'json'], { GITHUB_API_URL: ghes.apiUrl });
      assert.equal(result.code, 1, result.stderr);
      assert.ok(ghes.requests.some((request) => request.path === '/api/v3/repos/octo-org/hello-world/actions/runs?per_page=1'));
    } finally {
      await ghes.close();
    }
  });

  it('retries through 429 and 500 and a timeout', async () => {
    server.fail('/repos/octo-org/hello-world/actions/runs', { status: 429, headers: { 'retry-after': '0' } }, { status: 500 });
    server.fail(`/repos/octo-org/hello-world/actions/runs/${RUN_ID}/logs`, { delayMs: 1500 });
    const result = await cli(['--repo', 'octo-org/hello-world', '--runs', '1', '--cache-dir', cacheDir, '--timeout', '1', '-f', 'json']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /HTTP 429.*retrying in 0\.0 s \(retry 1 of 3\)/);
    assert.match(result.stderr, /HTTP 500.*retrying/);
    assert.match(result.stderr, /no response within 1 s; retrying/);
    assert.equal(JSON.parse(result.stdout).findings.length, 1);
  });

  it('a second run with the server stopped reads everything from the cache', async () => {
    const first = await cli(['--repo', 'octo-org/hello-world', '--runs', '1', '--cache-dir', cacheDir, '-f', 'json', '--now', '2025-09-05T11:00:00Z']);
    assert.equal(first.code, 1, first.stderr);
    await server.close();
    const second = await cli(['--repo', 'octo-org/hello-world', '--runs', '1', '--cache-dir', cacheDir, '-f', 'json', '--retries', '0', '--now', '2025-09-05T11:00:00Z']);
    assert.equal(second.code, 1, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout).findings, JSON.parse(first.stdout).findings);
    assert.match(second.stderr, /using the cached copy of the run list/);
    const offline = await cli(['--repo', 'octo-org/hello-world', '--runs', '1', '--cache-dir', cacheDir, '-f', 'json', '--offline', '--now', '2025-09-05T11:00:00Z']);
    assert.equal(offline.code, 1, offline.stderr);
    assert.equal(offline.stderr, '');
    assert.deepEqual(JSON.parse(offline.stdout).findings, JSON.parse(first.stdout).findings);
  });

  it('--offline with an empty cache is a clear error, exit 2, and no request', async () => {
    const result = await cli(['--repo', 'octo-org/hello-world', '--offline', '--cache-dir', path.join(temp, 'empty-cache')]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^cordon logs: --offline: the run list of octo-org\/hello-world is not in the cache \(.*\); run once without --offline to fetch it\n$/);
    assert.equal(server.requests.length, 0);
  });

  it('a run whose logs cannot be fetched is an error entry; the others are scanned', async () => {
    server.zips.delete(RUNNING_ID);
    const result = await cli(['--repo', 'octo-org/hello-world', '--runs', '2', '--cache-dir', cacheDir, '-f', 'json']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0].path, `run-${RUNNING_ID}.zip`);
    assert.match(report.errors[0].message, /HTTP 404/);
  });

  it('rejects a malformed --repo and options that need --repo', async () => {
    assert.equal((await cli(['--repo', 'octo-org'])).code, 2);
    assert.equal((await cli(['--repo', '../x/y'])).code, 2);
    const offline = await cli(['x.log', '--offline']);
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /go with --repo/);
  });
});
