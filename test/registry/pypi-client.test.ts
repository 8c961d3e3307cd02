import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { HttpClient, HttpError, parseRetryAfter, splitCredentials } from '../../src/registry/pypi/http.ts';
import { PackageIndex, chooseIndexUrl, normalizeIndexUrl } from '../../src/registry/pypi/index.ts';
import { FakeIndex, GITHUB_PUBLISHER, fakeSha256, release, type FakeProject } from './fake-index.ts';

const PROJECTS: FakeProject[] = [
  {
    name: 'Foo.Bar',
    releases: [
      release('foo-bar', '1.0.0', '2024-01-01T10:00:00.123456Z', { publisher: GITHUB_PUBLISHER }),
      release('foo-bar', '1.1.0', '2024-02-01T10:00:00Z', { publisher: GITHUB_PUBLISHER, yanked: 'broken wheel' }),
      { ...release('foo-bar', '1.2.0', '2024-03-01T10:00:00Z'), removed: true },
    ],
  },
  { name: 'gone', removed: true, releases: [release('gone', '1.0', '2024-01-01T00:00:00Z')] },
  { name: 'evil', status: 'quarantined', releases: [release('evil', '0.1', '2024-01-01T00:00:00Z')] },
];

let index: FakeIndex;
const fast = { backoffMs: 1, sleep: async () => undefined, random: () => 0 };

before(async () => {
  index = new FakeIndex(PROJECTS);
  await index.start();
});
after(() => index.close());

function cacheDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cordon-http-'));
}

test('Simple API JSON: files, PEP 700 times, yanked copied per file, provenance key, serial', async () => {
  const client = new HttpClient(fast);
  const pypi = new PackageIndex(index.simpleUrl, client);
  const lookup = await pypi.project('foo-bar');
  assert.equal(lookup.status, 'found');
  if (lookup.status !== 'found') return;
  const { project } = lookup;
  assert.equal(project.format, 'json');
  assert.equal(project.apiVersion, '1.4');
  assert.equal(project.status?.status, 'active');
  assert.equal(project.reportsProvenance, true);
  assert.deepEqual(project.versions, ['1.0.0', '1.1.0']);
  assert.ok(project.lastSerial && project.lastSerial > 0);
  assert.equal(lookup.response.lastSerial, project.lastSerial);
  const wheel = project.files.find((file) => file.filename === 'foo_bar-1.0.0-py3-none-any.whl')!;
  assert.equal(wheel.version, '1.0.0');
  assert.equal(wheel.kind, 'wheel');
  assert.equal(wheel.hashes.sha256, fakeSha256(wheel.filename));
  assert.equal(wheel.uploadTime?.toISOString(), '2024-01-01T10:00:00.123Z');
  assert.match(wheel.provenance ?? '', /\/integrity\/foo-bar\/1\.0\.0\/foo_bar-1\.0\.0-py3-none-any\.whl\/provenance$/);
  const yanked = project.files.filter((file) => file.version === '1.1.0');
  assert.equal(yanked.length, 2);
  for (const file of yanked) assert.deepEqual(file.yanked, { reason: 'broken wheel' });
  assert.ok(!project.files.some((file) => file.version === '1.2.0'), 'removed release is gone');
  const request = index.requestsTo('/simple/foo-bar/').at(-1)!;
  assert.match(request.accept, /^application\/vnd\.pypi\.simple\.v1\+json/);
});

test('a non-normalized name is requested normalized; a 301 to the normalized name is followed', async () => {
  const client = new HttpClient(fast);
  const pypi = new PackageIndex(index.simpleUrl, client);
  const before = index.requests.length;
  const lookup = await pypi.project('Foo_Bar');
  assert.equal(lookup.status, 'found');
  assert.deepEqual(
    index.requests.slice(before).map((request) => request.path),
    ['/simple/foo-bar/'],
  );
  const response = await client.get({ url: `${index.simpleUrl}Foo_Bar`, accept: 'application/vnd.pypi.simple.v1+json' });
  assert.equal(response.status, 200);
  assert.equal(response.url, `${index.simpleUrl}foo-bar/`);
  assert.deepEqual(response.redirectedFrom, [`${index.simpleUrl}Foo_Bar`]);
  const json = await client.get({ url: `${index.url}pypi/Foo.Bar/1.0.0/json`, accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.equal(json.url, `${index.url}pypi/foo-bar/1.0.0/json`);
});

test('removed project: 404; quarantined project: project-status and no files', async () => {
  const pypi = new PackageIndex(index.simpleUrl, new HttpClient(fast));
  const gone = await pypi.project('gone');
  assert.equal(gone.status, 'not-found');
  const evil = await pypi.project('evil');
  assert.equal(evil.status, 'found');
  if (evil.status !== 'found') return;
  assert.equal(evil.project.status?.status, 'quarantined');
  assert.equal(evil.project.files.length, 0);
});

test('JSON API: a release, and a 404 as "not found" on PyPI but "unsupported" elsewhere', async () => {
  const client = new HttpClient(fast);
  const local = new PackageIndex(index.simpleUrl, client);
  assert.equal(local.jsonApiBase, `${index.url}pypi/`);
  const found = await local.release('foo-bar', '1.1.0');
  assert.equal(found.status, 'found');
  if (found.status === 'found') {
    assert.deepEqual(found.release.yanked, { reason: 'broken wheel' });
    assert.equal(found.release.files.length, 2);
    assert.equal(found.release.files[0]!.digests.sha256, fakeSha256('foo_bar-1.1.0-py3-none-any.whl'));
    assert.equal(found.release.files[0]!.uploadTime?.toISOString(), '2024-02-01T10:00:00.000Z');
    assert.equal(found.release.ownership?.roles[0]?.role, 'Owner');
  }
  assert.equal((await local.release('foo-bar', '1.2.0')).status, 'unsupported');
  const pypiLike = new PackageIndex(index.simpleUrl, client, { pypiSemantics: true });
  assert.equal((await pypiLike.release('foo-bar', '1.2.0')).status, 'not-found');
  assert.equal(new PackageIndex('https://pypi.org/simple/', client).isPypi, true);
  assert.equal(new PackageIndex('https://pypi.org/simple/', client).integrityBase, 'https://pypi.org/integrity/');
  assert.equal(new PackageIndex('https://test.pypi.org/simple', client).jsonApiBase, 'https://test.pypi.org/pypi/');
  assert.equal(new PackageIndex('https://devpi.example/root/pypi/+simple/', client).jsonApiBase, undefined);
});

test('Integrity API: publisher and subjects; 404 is "none"', async () => {
  const pypi = new PackageIndex(index.simpleUrl, new HttpClient(fast));
  const url = pypi.provenanceUrl('foo-bar', '1.0.0', 'foo_bar-1.0.0.tar.gz')!;
  const found = await pypi.provenance(url);
  assert.equal(found.status, 'found');
  if (found.status === 'found') {
    assert.equal(found.provenance.publishers.length, 1);
    const publisher = found.provenance.publishers[0]!;
    assert.equal(publisher.kind, 'GitHub');
    assert.equal(publisher.repository, 'example-org/example');
    assert.equal(publisher.workflow, 'release.yml');
    assert.equal(publisher.environment, 'pypi');
    assert.deepEqual(found.provenance.subjects, [{ name: 'foo_bar-1.0.0.tar.gz', sha256: fakeSha256('foo_bar-1.0.0.tar.gz') }]);
  }
  const request = index.requestsTo('/integrity/').at(-1)!;
  assert.match(request.accept, /^application\/vnd\.pypi\.integrity\.v1\+json/);
  const none = await pypi.provenance(pypi.provenanceUrl('evil', '0.1', 'evil-0.1.tar.gz')!);
  assert.equal(none.status, 'none');
});

test('429 with Retry-After, then 500, then success; the wait honours Retry-After', async () => {
  const waits: number[] = [];
  const client = new HttpClient({ backoffMs: 10, random: () => 0, sleep: async (ms) => void waits.push(ms) });
  index.fault('/simple/foo-bar/', { status: 429, retryAfter: '2' }, { status: 500 });
  const before = index.requestsTo('/simple/foo-bar/').length;
  const response = await client.get({ url: `${index.simpleUrl}foo-bar/`, accept: 'application/vnd.pypi.simple.v1+json' });
  assert.equal(response.status, 200);
  assert.deepEqual(
    index.requestsTo('/simple/foo-bar/').slice(before).map((request) => request.status),
    [429, 500, 200],
  );
  assert.deepEqual(waits, [2000, 10]);
  assert.equal(client.stats.retries, 2);
});

test('retries run out: an HttpError naming the status and the attempts', async () => {
  const client = new HttpClient({ ...fast, retries: 2 });
  index.fault('/simple/evil/', { status: 503 }, { status: 503 }, { status: 503 });
  await assert.rejects(
    client.get({ url: `${index.simpleUrl}evil/`, accept: 'text/html' }),
    (error: unknown) => error instanceof HttpError && error.kind === 'status' && error.status === 503 && /HTTP 503 \(after 3 attempts\)/.test(error.message),
  );
  index.faults.delete('/simple/evil/');
});

test('a Retry-After beyond the limit fails at once', async () => {
  const client = new HttpClient({ ...fast, maxRetryAfterMs: 1000 });
  index.fault('/simple/evil/', { status: 429, retryAfter: '3600' });
  await assert.rejects(client.get({ url: `${index.simpleUrl}evil/`, accept: 'text/html' }), /retry after 3600 s/);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')), 60_000);
});

test('a slow response times out; retried, the next attempt succeeds', async () => {
  const strict = new HttpClient({ ...fast, timeoutMs: 100, retries: 0 });
  index.fault('/simple/foo-bar/', { delayMs: 400 });
  const started = Date.now();
  await assert.rejects(
    strict.get({ url: `${index.simpleUrl}foo-bar/`, accept: 'application/json' }),
    (error: unknown) => error instanceof HttpError && error.kind === 'timeout' && /within 100 ms/.test(error.message),
  );
  assert.ok(Date.now() - started < 350, 'the timeout did not wait for the slow response');
  const patient = new HttpClient({ ...fast, timeoutMs: 100, retries: 1 });
  index.fault('/simple/foo-bar/', { delayMs: 400 });
  const response = await patient.get({ url: `${index.simpleUrl}foo-bar/`, accept: 'application/json' });
  assert.equal(response.status, 200);
  await new Promise((resolve) => setTimeout(resolve, 350));
});

test('a dropped connection is retried', async () => {
  const client = new HttpClient(fast);
  index.fault('/simple/foo-bar/', { reset: true });
  const response = await client.get({ url: `${index.simpleUrl}foo-bar/`, accept: 'application/json' });
  assert.equal(response.status, 200);
  assert.equal(client.stats.retries, 1);
});

test('on-disk cache: fresh hits skip the network, stale entries revalidate with the ETag, offline reads any age', async () => {
  const dir = cacheDir();
  const url = `${index.simpleUrl}foo-bar/`;
  const accept = 'application/vnd.pypi.simple.v1+json';
  const first = new HttpClient({ ...fast, cacheDir: dir });
  const cold = await first.get({ url, accept });
  assert.equal(cold.fromCache, false);
  const count = () => index.requestsTo('/simple/foo-bar/').length;

  const before = count();
  const warm = await new HttpClient({ ...fast, cacheDir: dir }).get({ url, accept });
  assert.equal(warm.fromCache, true);
  assert.equal(warm.body, cold.body);
  assert.equal(warm.lastSerial, cold.lastSerial);
  assert.equal(count(), before, 'no request for a fresh entry');

  const stale = new HttpClient({ ...fast, cacheDir: dir, ttlMs: 0 });
  const revalidated = await stale.get({ url, accept });
  assert.equal(revalidated.fromCache, true);
  assert.equal(stale.stats.revalidated, 1);
  assert.equal(index.requestsTo('/simple/foo-bar/').at(-1)!.status, 304);

  const offline = await new HttpClient({ cacheDir: dir, offline: true, ttlMs: 0 }).get({ url, accept });
  assert.equal(offline.body, cold.body);
  await assert.rejects(
    new HttpClient({ cacheDir: dir, offline: true }).get({ url: `${index.simpleUrl}never-fetched/`, accept }),
    (error: unknown) => error instanceof HttpError && error.kind === 'offline' && /not in the cache \(offline mode\)/.test(error.message),
  );
  const files = readdirSync(path.join(dir, 'http-v1'), { recursive: true }).filter((name) => String(name).endsWith('.json'));
  assert.ok(files.length >= 1);
});

test('a redirect and a 404 are cached too, so offline runs see them', async () => {
  const dir = cacheDir();
  const online = new HttpClient({ ...fast, cacheDir: dir });
  await online.get({ url: `${index.simpleUrl}Foo_Bar/`, accept: 'application/json' });
  assert.equal((await online.get({ url: `${index.simpleUrl}gone/`, accept: 'application/json' })).status, 404);
  const offline = new HttpClient({ cacheDir: dir, offline: true });
  assert.equal((await offline.get({ url: `${index.simpleUrl}Foo_Bar/`, accept: 'application/json' })).url, `${index.simpleUrl}foo-bar/`);
  assert.equal((await offline.get({ url: `${index.simpleUrl}gone/`, accept: 'application/json' })).status, 404);
});

test('HTML-only index: hashes from fragments, data-yanked, data-provenance, status meta', async () => {
  const html = new FakeIndex(PROJECTS, { htmlOnly: true });
  await html.start();
  try {
    const pypi = new PackageIndex(html.simpleUrl, new HttpClient(fast));
    const lookup = await pypi.project('foo-bar');
    assert.equal(lookup.status, 'found');
    if (lookup.status !== 'found') return;
    assert.equal(lookup.project.format, 'html');
    assert.equal(lookup.project.reportsProvenance, true);
    assert.equal(lookup.project.lastSerial !== undefined, true);
    const file = lookup.project.files.find((item) => item.filename === 'foo_bar-1.1.0.tar.gz')!;
    assert.equal(file.hashes.sha256, fakeSha256(file.filename));
    assert.deepEqual(file.yanked, { reason: 'broken wheel' });
    assert.match(file.provenance ?? '', /\/provenance$/);
    assert.equal(file.uploadTime, undefined);
    const evil = await pypi.project('evil');
    assert.equal(evil.status === 'found' && evil.project.status?.status, 'quarantined');
  } finally {
    await html.close();
  }
});

test('credentials in the index URL become a Basic header and never show up in URLs or the cache', async () => {
  const authorization = `Basic ${Buffer.from('alice:s3cr3t-t0ken').toString('base64')}`;
  const privateIndex = new FakeIndex(PROJECTS, { authorization });
  await privateIndex.start();
  const dir = cacheDir();
  try {
    const withCredentials = privateIndex.simpleUrl.replace('http://', 'http://alice:s3cr3t-t0ken@');
    const pypi = new PackageIndex(withCredentials, new HttpClient({ ...fast, cacheDir: dir }));
    assert.equal(pypi.url, privateIndex.simpleUrl);
    const lookup = await pypi.project('foo-bar');
    assert.equal(lookup.status, 'found');
    assert.equal(privateIndex.requests.at(-1)!.authorization, authorization);
    if (lookup.status === 'found') {
      assert.ok(!lookup.response.url.includes('s3cr3t'));
      for (const file of lookup.project.files) assert.ok(!file.url.includes('s3cr3t'));
    }
    for (const name of readdirSync(dir, { recursive: true })) {
      const full = path.join(dir, String(name));
      if (statSync(full).isFile()) assert.ok(!readFileSync(full, 'utf8').includes('s3cr3t'), `${name} holds the password`);
    }
    const anonymous = await new PackageIndex(privateIndex.simpleUrl, new HttpClient(fast)).http.get({ url: `${privateIndex.simpleUrl}foo-bar/`, accept: 'text/html' });
    assert.equal(anonymous.status, 401);
  } finally {
    await privateIndex.close();
  }
  assert.deepEqual(splitCredentials('https://u%40x:p%3Aw@host/simple/'), { url: 'https://host/simple/', authorization: `Basic ${Buffer.from('u@x:p:w').toString('base64')}` });
});

test('index choice: --index-url, then PIP_INDEX_URL, UV_DEFAULT_INDEX, UV_INDEX_URL, then PyPI', () => {
  assert.deepEqual(chooseIndexUrl('https://mirror.example/simple', { PIP_INDEX_URL: 'https://pip.example/simple/' }), { url: 'https://mirror.example/simple/', source: '--index-url' });
  assert.deepEqual(chooseIndexUrl(undefined, { PIP_INDEX_URL: 'https://pip.example/simple/', UV_DEFAULT_INDEX: 'https://uv.example/simple/' }), { url: 'https://pip.example/simple/', source: 'PIP_INDEX_URL' });
  assert.deepEqual(chooseIndexUrl(undefined, { UV_DEFAULT_INDEX: 'https://uv.example/simple', UV_INDEX_URL: 'https://old.example/simple/' }), { url: 'https://uv.example/simple/', source: 'UV_DEFAULT_INDEX' });
  assert.deepEqual(chooseIndexUrl(undefined, { UV_INDEX_URL: 'https://old.example/simple/' }), { url: 'https://old.example/simple/', source: 'UV_INDEX_URL' });
  assert.deepEqual(chooseIndexUrl(undefined, { PIP_INDEX_URL: ' ' }), { url: 'https://pypi.org/simple/', source: 'default' });
  assert.throws(() => normalizeIndexUrl('ftp://x/simple/'), /http\(s\)/);
  assert.throws(() => normalizeIndexUrl('not a url'), /not an absolute URL/);
});

test('concurrent requests for one URL share one download', async () => {
  const client = new HttpClient(fast);
  const before = index.requestsTo('/simple/foo-bar/').length;
  const results = await Promise.all(Array.from({ length: 5 }, () => client.get({ url: `${index.simpleUrl}foo-bar/`, accept: 'text/html' })));
  assert.equal(new Set(results.map((result) => result.body)).size, 1);
  assert.equal(index.requestsTo('/simple/foo-bar/').length - before, 1);
});

test('the network concurrency limit holds', async () => {
  const many: FakeProject[] = Array.from({ length: 12 }, (_, i) => ({ name: `p${i}`, releases: [release(`p${i}`, '1.0', '2024-01-01T00:00:00Z')] }));
  const slow = new FakeIndex(many);
  await slow.start();
  try {
    for (let i = 0; i < 12; i++) slow.fault(`/simple/p${i}/`, { delayMs: 60 });
    const client = new HttpClient({ ...fast, concurrency: 3 });
    const started = Date.now();
    await Promise.all(many.map((project) => client.get({ url: `${slow.simpleUrl}${project.name}/`, accept: 'text/html' })));
    assert.ok(Date.now() - started >= 4 * 60 - 10, 'twelve 60 ms requests, three at a time, take at least four rounds');
  } finally {
    await slow.close();
  }
});
