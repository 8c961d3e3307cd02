import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOCK_RULES } from '../../src/analysis/python/lock-rules.ts';
import { verifyLocks, type VerifyOptions } from '../../src/analysis/python/verify.ts';
import type { FileHash, LockedPackage, LockFile } from '../../src/models/python/types.ts';
import type { Span } from '../../src/models/yaml/document.ts';
import { HttpClient } from '../../src/registry/pypi/http.ts';
import { PackageIndex } from '../../src/registry/pypi/index.ts';
import { FakeIndex, GITHUB_PUBLISHER, fakeSha256, release, type FakeProject } from '../registry/fake-index.ts';

const OTHER_WORKFLOW = { ...GITHUB_PUBLISHER, workflow: 'publish-manual.yml', environment: null };
const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString();

const PROJECTS: FakeProject[] = [
  { name: 'good', releases: ['1.0.0', '1.1.0', '1.2.0', '1.3.0'].map((v, i) => release('good', v, day(i * 30), { publisher: GITHUB_PUBLISHER })) },
  { name: 'first-attested', releases: [release('first-attested', '1.0', day(0)), release('first-attested', '2.0', day(40), { publisher: GITHUB_PUBLISHER })] },
  {
    name: 'switched',
    releases: [
      ...['1.0', '1.1', '1.2'].map((v, i) => release('switched', v, day(i * 10), { publisher: GITHUB_PUBLISHER })),
      release('switched', '1.3', day(40), { publisher: OTHER_WORKFLOW }),
    ],
  },
  { name: 'dropped', releases: [release('dropped', '1.0', day(0), { publisher: GITHUB_PUBLISHER }), release('dropped', '1.1', day(5))] },
  { name: 'never', releases: [release('never', '0.1', day(0)), release('never', '0.2', day(3))] },
  {
    name: 'late',
    releases: [
      release('late', '2.0', day(0), {
        publisher: GITHUB_PUBLISHER,
        extra: [{ filename: 'late-2.0-cp312-cp312-manylinux_2_17_x86_64.whl', uploadTime: day(30), provenance: null }],
      }),
    ],
  },
  { name: 'yanky', releases: [release('yanky', '1.0', day(0), { yanked: 'corrupts the database on upgrade' }), release('yanky', '1.1', day(1))] },
  { name: 'deleted-release', releases: [release('deleted-release', '1.0', day(0)), { ...release('deleted-release', '1.1', day(2)), removed: true }] },
  { name: 'gone', removed: true, releases: [release('gone', '1.0', day(0))] },
  { name: 'evil', status: 'quarantined', releases: [release('evil', '1.0', day(0))] },
  { name: 'deleted-file', releases: [{ version: '1.0', files: [{ filename: 'deleted_file-1.0.tar.gz', uploadTime: day(0) }] }] },
];

let index: FakeIndex;
before(async () => {
  index = new FakeIndex(PROJECTS);
  await index.start();
});
after(() => index.close());

function span(line: number): Span {
  return { start: { line, column: 1 }, end: { line, column: 10 }, offset: 0, endOffset: 0 };
}

const sha = (filename: string, extra: Partial<FileHash> = {}): FileHash => ({ algorithm: 'sha256', digest: fakeSha256(filename), ...extra });
const escape = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '_');
const both = (name: string, version: string): FileHash[] => [sha(`${escape(name)}-${version}-py3-none-any.whl`), sha(`${escape(name)}-${version}.tar.gz`)];

function pkg(name: string, version: string | undefined, hashes: FileHash[] = [], line = 1, extra: Partial<LockedPackage> = {}): LockedPackage {
  return { name, normalizedName: name.toLowerCase().replace(/[-_.]+/g, '-'), ...(version ? { version } : {}), hashes, span: span(line), ...extra };
}

function lock(packages: LockedPackage[], format: LockFile['format'] = 'requirements'): LockFile {
  return { format, path: 'requirements.txt', packages };
}

function options(extra: Partial<VerifyOptions> = {}, indexOptions: ConstructorParameters<typeof FakeIndex>[1] = {}, target = index): VerifyOptions {
  void indexOptions;
  const pypi = new PackageIndex(target.simpleUrl, new HttpClient({ backoffMs: 1, retries: 1, timeoutMs: 2000 }));
  return { indexFor: () => pypi, lateUploadDays: 7, provenanceHistory: 3, ...extra };
}

async function verify(packages: LockedPackage[], extra: Partial<VerifyOptions> = {}) {
  return verifyLocks([{ lock: lock(packages), path: 'requirements.txt', text: '' }], options(extra));
}

const rulesOf = (result: Awaited<ReturnType<typeof verify>>) => result.findings.map((finding) => `${finding.rule}:${finding.severity}`);

test('a clean, attested, fully hashed release has no findings', async () => {
  const result = await verify([pkg('good', '1.3.0', both('good', '1.3.0'))]);
  assert.deepEqual(result.findings, []);
  assert.deepEqual(result.errors, []);
  assert.equal(result.stats.checked, 1);
});

test('lock-hash-mismatch: unknown digest (critical), same file name with another digest (critical), hashes of another version (high), deleted file (high)', async () => {
  const bogus = { algorithm: 'sha256', digest: 'ab'.repeat(32) };
  const result = await verify([
    pkg('good', '1.3.0', [sha('good-1.3.0.tar.gz'), bogus], 1),
    pkg('good', '1.2.0', [{ ...bogus, filename: 'good-1.2.0.tar.gz' }], 2),
    pkg('good', '1.1.0', both('good', '1.0.0'), 3),
    pkg('deleted-file', '1.0', [sha('deleted_file-1.0.tar.gz'), sha('deleted_file-1.0-py3-none-any.whl', { filename: 'deleted_file-1.0-py3-none-any.whl' })], 4),
  ]);
  const mismatches = result.findings.filter((finding) => finding.rule === 'lock-hash-mismatch');
  const [unknown, renamed, otherVersion, deleted] = mismatches;
  assert.equal(unknown?.rule, 'lock-hash-mismatch');
  assert.equal(unknown?.severity, 'critical');
  assert.match(unknown!.message, /no file of good 1\.3\.0 on the index has the locked hash sha256:abababab/);
  assert.equal(renamed?.severity, 'critical');
  assert.match(renamed!.message, /good-1\.2\.0\.tar\.gz of good 1\.2\.0 has sha256:.* but the lock records sha256:abab.*never reuses a file name/);
  assert.equal(otherVersion?.severity, 'high');
  assert.match(otherVersion!.message, /not of a file of good 1\.1\.0 but of good-1\.0\.0-py3-none-any\.whl \(version 1\.0\.0\)/);
  assert.equal(deleted?.severity, 'high');
  assert.match(deleted!.message, /deleted_file-1\.0-py3-none-any\.whl, locked for deleted-file 1\.0, is no longer in the release/);
  assert.equal(mismatches.length, 4);
  assert.deepEqual(unknown!.related.map((item) => item.message), []);
});

test('release-removed: deleted project, deleted release, quarantined project', async () => {
  const result = await verify([pkg('gone', '1.0', [], 1), pkg('deleted-release', '1.1', [], 2), pkg('evil', '1.0', [], 3)]);
  assert.deepEqual(rulesOf(result), ['release-removed:high', 'release-removed:high', 'release-removed:high']);
  assert.match(result.findings[0]!.message, /gone is not on http:\/\/127\.0\.0\.1:\d+\/simple\/ \(HTTP 404\)/);
  assert.match(result.findings[1]!.message, /deleted-release 1\.1 is no longer on .*the release was deleted \(the project has 1 other release\)/);
  assert.match(result.findings[2]!.message, /evil is quarantined/);
});

test('release-yanked carries the reason', async () => {
  const result = await verify([pkg('yanky', '1.0', both('yanky', '1.0'))]);
  assert.ok(rulesOf(result).includes('release-yanked:medium'));
  assert.match(result.findings.find((f) => f.rule === 'release-yanked')!.message, /yanky 1\.0 was yanked: "corrupts the database on upgrade"/);
});

test('release-files-added: a wheel uploaded 30 days after the release and not in the lock', async () => {
  const result = await verify([pkg('late', '2.0', both('late', '2.0'))]);
  const added = result.findings.find((finding) => finding.rule === 'release-files-added');
  assert.ok(added, JSON.stringify(result.findings));
  assert.equal(added.severity, 'medium');
  assert.match(added.message, /late-2\.0-cp312-cp312-manylinux_2_17_x86_64\.whl \(2024-01-31\) of late 2\.0 was uploaded 30 days after the release's first file \(2024-01-01\) and not in the lock/);
  // The lock that already has the late wheel's hash is fine.
  const locked = await verify([pkg('late', '2.0', [...both('late', '2.0'), sha('late-2.0-cp312-cp312-manylinux_2_17_x86_64.whl')])]);
  assert.ok(!locked.findings.some((finding) => finding.rule === 'release-files-added'));
  // A wider window hides it; --since catches files uploaded after the lock date.
  assert.ok(!(await verify([pkg('late', '2.0', both('late', '2.0'))], { lateUploadDays: 60 })).findings.some((f) => f.rule === 'release-files-added'));
  const since = await verify([pkg('late', '2.0', both('late', '2.0'))], { lateUploadDays: 60, since: new Date(day(10)) });
  assert.match(since.findings.find((f) => f.rule === 'release-files-added')!.message, /uploaded after 2024-01-11 \(--since\) and not in the lock/);
});

test('provenance-changed: a file without attestation among attested ones', async () => {
  const result = await verify([pkg('late', '2.0', both('late', '2.0'))]);
  const changed = result.findings.find((finding) => finding.rule === 'provenance-changed');
  assert.ok(changed);
  assert.match(changed.message, /late-2\.0-cp312.* has no attestation while the release's other files do/);
});

test('provenance-changed: another workflow published the locked release', async () => {
  const result = await verify([pkg('switched', '1.3', both('switched', '1.3'))]);
  assert.deepEqual(rulesOf(result), ['provenance-changed:high']);
  assert.match(
    result.findings[0]!.message,
    /switched 1\.3 was published by GitHub example-org\/example, workflow publish-manual\.yml, no environment, but the 3 most recent earlier releases with provenance \(1\.2, 1\.1, 1\.0\) by GitHub example-org\/example, workflow release\.yml, environment pypi \(different workflow, environment\)/,
  );
  // The earlier releases themselves are fine.
  assert.deepEqual((await verify([pkg('switched', '1.2', both('switched', '1.2'))])).findings, []);
});

test('provenance-changed: no attestation where earlier releases had one; provenance-missing when none ever had', async () => {
  const dropped = await verify([pkg('dropped', '1.1', both('dropped', '1.1'))]);
  assert.deepEqual(rulesOf(dropped), ['provenance-changed:high']);
  assert.match(dropped.findings[0]!.message, /dropped 1\.1 has no attestation, but earlier releases had \(1\.0, published by GitHub example-org\/example, workflow release\.yml, environment pypi\)/);
  const never = await verify([pkg('never', '0.2', both('never', '0.2'))]);
  assert.deepEqual(rulesOf(never), ['provenance-missing:low']);
  const first = await verify([pkg('first-attested', '2.0', both('first-attested', '2.0'))]);
  assert.deepEqual(first.findings, [], 'the first attested release has nothing to differ from');
});

test('the history window: only the N most recent attested releases count', async () => {
  const project: FakeProject = {
    name: 'moved',
    releases: [
      release('moved', '1.0', day(0), { publisher: OTHER_WORKFLOW }),
      release('moved', '2.0', day(10), { publisher: GITHUB_PUBLISHER }),
      release('moved', '2.1', day(20), { publisher: GITHUB_PUBLISHER }),
      release('moved', '2.2', day(30), { publisher: OTHER_WORKFLOW }),
    ],
  };
  index.setProject(project);
  assert.deepEqual(rulesOf(await verify([pkg('moved', '2.2', both('moved', '2.2'))], { provenanceHistory: 2 })), ['provenance-changed:high']);
  assert.deepEqual(rulesOf(await verify([pkg('moved', '2.2', both('moved', '2.2'))], { provenanceHistory: 3 })), [], 'a publisher seen within the window is accepted');
});

test('an attestation naming another digest than the index lists', async () => {
  index.setProject({
    name: 'mislabeled',
    releases: [
      release('mislabeled', '1.0', day(0), { publisher: GITHUB_PUBLISHER }),
      {
        version: '1.1',
        files: [{ filename: 'mislabeled-1.1.tar.gz', uploadTime: day(5), provenance: { publisher: GITHUB_PUBLISHER, subjectSha256: 'cd'.repeat(32) } }],
      },
    ],
  });
  const result = await verify([pkg('mislabeled', '1.1', [sha('mislabeled-1.1.tar.gz')])]);
  assert.deepEqual(rulesOf(result), ['provenance-changed:high']);
  assert.match(result.findings[0]!.message, /attestation of mislabeled-1\.1\.tar\.gz names sha256:cdcdcdcd/);
});

test('direct, unpinned and unreachable entries are counted, not reported; one finding per rule and package', async () => {
  const dead = new PackageIndex('http://127.0.0.1:9/simple/', new HttpClient({ retries: 0, timeoutMs: 500 }));
  const live = new PackageIndex(index.simpleUrl, new HttpClient());
  const packages = [
    pkg('good', '1.3.0', both('good', '1.3.0'), 1),
    pkg('local', undefined, [], 2, { direct: { kind: 'path', url: './local' } }),
    pkg('loose', undefined, [], 3),
    pkg('elsewhere', '1.0', [], 4, { index: 'dead' }),
  ];
  const result = await verifyLocks([{ lock: lock(packages), path: 'requirements.txt', text: '' }], {
    indexFor: (item) => (item.index === 'dead' ? dead : live),
    lateUploadDays: 7,
    provenanceHistory: 3,
  });
  assert.deepEqual(result.findings, []);
  assert.equal(result.stats.direct, 1);
  assert.equal(result.stats.unpinned, 1);
  assert.equal(result.stats.failed, 1);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.line, 4);
  assert.match(result.errors[0]!.message, /could not check elsewhere 1\.0: http:\/\/127\.0\.0\.1:9\/simple\/elsewhere\/: /);
});

test('HTML-only index: upload times come from the JSON API; without it the files-added check is skipped', async () => {
  const html = new FakeIndex(PROJECTS, { htmlOnly: true });
  const bare = new FakeIndex(PROJECTS, { htmlOnly: true, simpleOnly: true });
  await Promise.all([html.start(), bare.start()]);
  try {
    const packages = [pkg('late', '2.0', both('late', '2.0'))];
    const viaJson = await verifyLocks([{ lock: lock(packages), path: 'r.txt', text: '' }], options({}, {}, html));
    assert.ok(viaJson.findings.some((finding) => finding.rule === 'release-files-added'));
    assert.ok(html.requestsTo('/pypi/late/2.0/json').length > 0);
    const simpleOnly = await verifyLocks([{ lock: lock(packages), path: 'r.txt', text: '' }], options({}, {}, bare));
    assert.ok(!simpleOnly.findings.some((finding) => finding.rule === 'release-files-added'));
    assert.equal(simpleOnly.stats.uploadTimesUnknown, 1);
  } finally {
    await Promise.all([html.close(), bare.close()]);
  }
});

test('an index without PEP 740 (API 1.0): provenance is unknown, not missing', async () => {
  const old = new FakeIndex(PROJECTS, { apiVersion: '1.0', simpleOnly: true });
  await old.start();
  try {
    const result = await verifyLocks([{ lock: lock([pkg('never', '0.2', both('never', '0.2'))]), path: 'r.txt', text: '' }], options({}, {}, old));
    assert.deepEqual(result.findings, []);
    assert.equal(result.stats.provenanceUnknown, 1);
  } finally {
    await old.close();
  }
});

test('every lock rule has documentation for SARIF', () => {
  for (const meta of LOCK_RULES) {
    assert.ok(meta.docs.why.length > 40, meta.id);
    assert.ok(meta.docs.fix.length > 20, meta.id);
    assert.ok(meta.docs.references.length > 0, meta.id);
  }
});
