import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseProvenance, publisherDifferences, readPublisher } from '../../src/registry/pypi/integrity.ts';
import { parseReleaseJson } from '../../src/registry/pypi/json-api.ts';
import { normalizeName, parseDistributionFilename } from '../../src/registry/pypi/names.ts';
import { compareAnyVersions as compareVersions, versionKey } from '../../src/models/python/pep440.ts';
import { parseProjectPage, parseTime } from '../../src/registry/pypi/simple.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const PAGE = 'https://pypi.example.invalid/simple/demo-lib/';

test('recorded Simple JSON page', () => {
  const project = parseProjectPage(fixture('simple-project.json'), 'application/vnd.pypi.simple.v1+json', PAGE, 'Demo_Lib');
  assert.equal(project.name, 'demo-lib');
  assert.equal(project.lastSerial, 31337);
  assert.equal(project.status?.status, 'active');
  assert.equal(project.reportsProvenance, true);
  const [old, wheel, sdist, zip] = project.files;
  assert.equal(old!.provenance, null);
  assert.equal(old!.uploadTime?.toISOString(), '2024-03-01T10:00:00.123Z');
  assert.deepEqual(wheel!.yanked, { reason: 'broken metadata' });
  assert.equal(wheel!.requiresPython, '>=3.9');
  assert.equal(sdist!.url, 'https://pypi.example.invalid/packages/ee/ff/demo_lib-1.0.0.tar.gz', 'relative URLs resolve against the page');
  assert.deepEqual(sdist!.hashes, { sha256: '4'.repeat(64), md5: '5'.repeat(32) });
  assert.equal(zip!.version, '1.0.1', 'sdist names keep their dots and case');
  assert.deepEqual(zip!.yanked, { reason: null });
});

test('recorded Simple HTML page', () => {
  const project = parseProjectPage(fixture('simple-project.html'), 'text/html; charset=utf-8', PAGE, 'demo-lib');
  assert.equal(project.format, 'html');
  assert.equal(project.apiVersion, '1.4');
  assert.equal(project.status?.status, 'archived');
  assert.equal(project.lastSerial, 31337);
  const [old, wheel, sdist] = project.files;
  assert.equal(old!.provenance, null, 'API 1.3+: no data-provenance means none');
  assert.deepEqual(wheel!.yanked, { reason: 'broken & old' });
  assert.equal(wheel!.requiresPython, '>=3.9');
  assert.match(wheel!.provenance!, /demo_lib-1\.0\.0-py3-none-any\.whl\/provenance$/);
  assert.deepEqual(sdist!.hashes, { md5: '5'.repeat(32) });
  assert.deepEqual(sdist!.yanked, { reason: null });
  assert.equal(sdist!.url, 'https://pypi.example.invalid/packages/ee/ff/demo_lib-1.0.0.tar.gz');
});

test('project-status under meta (the spec example) is read too; unknown keys are ignored', () => {
  const body = JSON.stringify({ meta: { 'api-version': '1.4', 'project-status': { status: 'Quarantined', reason: 'malware report' } }, name: 'x', files: [], extra: 1 });
  const project = parseProjectPage(body, 'application/vnd.pypi.simple.v1+json', PAGE, 'x');
  assert.deepEqual(project.status, { status: 'quarantined', reason: 'malware report' });
  assert.throws(() => parseProjectPage('{"name": "x"}', 'application/vnd.pypi.simple.v1+json', PAGE, 'x'), /no "files" list/);
});

test('recorded JSON API release', () => {
  const release = parseReleaseJson(fixture('release.json'), 'https://pypi.example.invalid/pypi/demo-lib/1.0.0/json');
  assert.equal(release.version, '1.0.0');
  assert.deepEqual(release.yanked, { reason: 'broken metadata' });
  assert.equal(release.files[0]!.digests.blake2b_256, '7'.repeat(64));
  assert.equal(release.files[0]!.uploadTime?.toISOString(), '2024-06-01T09:30:00.500Z');
  assert.equal(release.ownership?.organization, 'example-org');
  assert.equal(release.lastSerial, 31337);
});

test('recorded provenance: publisher and the statement subject', () => {
  const provenance = parseProvenance(fixture('provenance.json'), 'x');
  assert.equal(provenance.publishers.length, 1);
  const publisher = provenance.publishers[0]!;
  assert.equal(publisher.environment, '', 'an empty environment is "none"');
  assert.equal(publisher.label, 'GitHub Example-Org/demo-lib, workflow release.yml, no environment');
  assert.deepEqual(provenance.subjects, [{ name: 'demo_lib-1.0.0-py3-none-any.whl', sha256: '2'.repeat(64) }]);
});

test('publisher identities: case rules per kind, "", null and missing environments are equal', () => {
  const a = readPublisher({ kind: 'GitHub', repository: 'Org/Repo', workflow: 'release.yml', environment: 'PyPI' })!;
  const b = readPublisher({ kind: 'GitHub', repository: 'org/repo', workflow: 'release.yml', environment: 'pypi', claims: { ref: 'x' } })!;
  assert.equal(a.identity, b.identity);
  const c = readPublisher({ kind: 'GitHub', repository: 'org/repo', workflow: 'publish.yml', environment: null })!;
  const d = readPublisher({ kind: 'GitHub', repository: 'org/repo', workflow: 'publish.yml' })!;
  assert.equal(c.identity, d.identity);
  assert.deepEqual(publisherDifferences(a, c), ['workflow', 'environment']);
  const gitlabA = readPublisher({ kind: 'GitLab', repository: 'group/sub/project', workflow_filepath: '.gitlab-ci.yml', environment: 'Release' })!;
  const gitlabB = readPublisher({ kind: 'GitLab', repository: 'group/sub/project', workflow_filepath: '.gitlab-ci.yml', environment: 'release' })!;
  assert.notEqual(gitlabA.identity, gitlabB.identity);
  assert.equal(readPublisher({ kind: 'Google', email: 'Builder@Example.iam.gserviceaccount.com' })!.identity, readPublisher({ kind: 'Google', email: 'builder@example.iam.gserviceaccount.com' })!.identity);
  assert.equal(readPublisher({ repository: 'x' }), undefined);
});

test('names and file names', () => {
  assert.equal(normalizeName('Foo.Bar__baz'), 'foo-bar-baz');
  assert.deepEqual(parseDistributionFilename('foo_bar-1.0.0-1-cp312-cp312-manylinux_2_17_x86_64.whl', 'foo-bar'), { kind: 'wheel', version: '1.0.0' });
  assert.deepEqual(parseDistributionFilename('python-dateutil-2.8.2.tar.gz', 'python-dateutil'), { kind: 'sdist', version: '2.8.2' });
  assert.deepEqual(parseDistributionFilename('Foo.Bar-1.0.zip', 'foo-bar'), { kind: 'sdist', version: '1.0' });
  assert.deepEqual(parseDistributionFilename('foo-0.1-py2.7.egg', 'foo'), { kind: 'egg', version: '0.1' });
  assert.deepEqual(parseDistributionFilename('foo-1.0.win32.exe', 'foo'), { kind: 'other' });
});

test('PEP 440: normalization, equality without trailing zeros, ordering', () => {
  const sameVersion = (a: string, b: string) => versionKey(a) === versionKey(b);
  assert.equal(versionKey('1.0-RC1'), '1rc1');
  assert.equal(versionKey('v1.0.post'), '1.post0');
  assert.equal(versionKey('1.0-1'), '1.post1');
  assert.ok(sameVersion('1.0', '1.0.0'));
  assert.ok(sameVersion('1.0a1', '1.0.0alpha1'));
  assert.ok(!sameVersion('1.0', '1.0.post0'));
  const sorted = ['1.0', '1.0.post1', '1.0a1', '1.0.dev0', '0.9', '1.0rc1', '1!0.1', '1.0+local.2', '1.0a1.dev1', 'not-a-version'].sort(compareVersions);
  assert.deepEqual(sorted, ['not-a-version', '0.9', '1.0.dev0', '1.0a1.dev1', '1.0a1', '1.0rc1', '1.0', '1.0+local.2', '1.0.post1', '1!0.1']);
  assert.equal(parseTime('2024-11-06T22:37:09')?.toISOString(), '2024-11-06T22:37:09.000Z');
});
