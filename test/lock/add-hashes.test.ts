import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { planHashes, splitPhysical, unifiedDiff, type LineEdit } from '../../src/analysis/python/add-hashes.ts';
import { parseRequirements } from '../../src/models/python/requirements.ts';
import { HttpClient } from '../../src/registry/pypi/http.ts';
import { PackageIndex } from '../../src/registry/pypi/index.ts';
import { FakeIndex, fakeSha256, release } from '../registry/fake-index.ts';

let index: FakeIndex;
let pypi: PackageIndex;
before(async () => {
  index = new FakeIndex([
    { name: 'alpha', releases: [release('alpha', '1.0', '2024-01-01T00:00:00Z')] },
    { name: 'beta', releases: [release('beta', '2.0', '2024-01-01T00:00:00Z')] },
    {
      name: 'odd',
      releases: [{ version: '1.0', files: [{ filename: 'odd-1.0.tar.gz', uploadTime: '2024-01-01T00:00:00Z' }, { filename: 'odd-1.0-py2.7.egg', uploadTime: '2024-01-01T00:00:00Z' }] }],
    },
  ]);
  await index.start();
  pypi = new PackageIndex(index.simpleUrl, new HttpClient());
});
after(() => index.close());

const hashesOf = (name: string, version: string) => [`${name}-${version}-py3-none-any.whl`, `${name}-${version}.tar.gz`].map(fakeSha256).sort();

async function hash(text: string) {
  return planHashes('requirements.txt', text, { indexFor: () => pypi });
}

test('a one-line entry with options and a marker keeps them; the inline comment moves to the last hash', async () => {
  const [a1, a2] = hashesOf('alpha', '1.0');
  const plan = await hash('alpha==1.0 ; python_version >= "3.8"   # why we pin\n');
  assert.equal(plan.text, `alpha==1.0 ; python_version >= "3.8" \\\n    --hash=sha256:${a1} \\\n    --hash=sha256:${a2}  # why we pin\n`);
  const parsed = parseRequirements('r.txt', plan.text);
  assert.equal(parsed.requirements[0]!.marker, 'python_version >= "3.8"');
  assert.deepEqual(parsed.requirements[0]!.hashes.map((item) => item.digest), [a1, a2]);
});

test('an entry whose continuation ends in a comment line: hashes go before the comment', async () => {
  const [a1, a2] = hashesOf('alpha', '1.0');
  const plan = await hash('alpha==1.0 \\\n    # via beta\nbeta==2.0\n');
  const [b1, b2] = hashesOf('beta', '2.0');
  assert.equal(plan.text, `alpha==1.0 \\\n    --hash=sha256:${a1} \\\n    --hash=sha256:${a2}\n    # via beta\nbeta==2.0 \\\n    --hash=sha256:${b1} \\\n    --hash=sha256:${b2}\n`);
  for (const line of parseRequirements('r.txt', plan.text).requirements) assert.equal(line.hashes.length, 2);
});

test('hashes on one line: the missing one is added as a continuation; the indentation of existing hash lines is reused', async () => {
  const [a1, a2] = hashesOf('alpha', '1.0');
  const plan = await hash(`alpha==1.0 --hash=sha256:${a2}\nbeta==2.0 \\\n  --hash=sha256:${hashesOf('beta', '2.0')[0]}\n`);
  assert.equal(plan.text.split('\n')[0], `alpha==1.0 --hash=sha256:${a2} \\`);
  assert.equal(plan.text.split('\n')[1], `  --hash=sha256:${a1}`);
  assert.equal(plan.entries.find((entry) => entry.name === 'alpha')!.newFiles?.length, 1);
  assert.deepEqual(
    parseRequirements('r.txt', plan.text).requirements.map((line) => line.hashes.length),
    [2, 2],
  );
});

test('eggs are not hashed; a fully hashed file is left alone', async () => {
  const plan = await hash('odd==1.0\n');
  assert.equal(plan.text, `odd==1.0 \\\n    --hash=sha256:${fakeSha256('odd-1.0.tar.gz')}\n`);
  const again = await hash(plan.text);
  assert.equal(again.changed, false);
  assert.equal(again.text, plan.text);
  assert.deepEqual(again.edits, []);
});

test('unified diff: adjacent edits form one block, counts of 1 are left out, a missing final newline is marked', () => {
  const text = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl';
  const lines = splitPhysical(text);
  const edits: LineEdit[] = [
    { start: 1, deleteCount: 1, insert: [{ content: 'B1', eol: '\n' }, { content: 'B2', eol: '\n' }] },
    { start: 2, deleteCount: 1, insert: [{ content: 'C', eol: '\n' }] },
    { start: 11, deleteCount: 1, insert: [{ content: 'L', eol: '' }] },
  ];
  assert.equal(lines.length, 12);
  assert.equal(
    unifiedDiff('r.txt', text, edits),
    [
      '--- a/r.txt',
      '+++ b/r.txt',
      '@@ -1,6 +1,7 @@',
      ' a',
      '-b',
      '-c',
      '+B1',
      '+B2',
      '+C',
      ' d',
      ' e',
      ' f',
      '@@ -9,4 +10,4 @@',
      ' i',
      ' j',
      ' k',
      '-l',
      '\\ No newline at end of file',
      '+L',
      '\\ No newline at end of file',
      '',
    ].join('\n'),
  );
  assert.equal(unifiedDiff('r.txt', 'x\n', [{ start: 0, deleteCount: 1, insert: [{ content: 'y', eol: '\n' }] }]), '--- a/r.txt\n+++ b/r.txt\n@@ -1 +1 @@\n-x\n+y\n');
  assert.equal(unifiedDiff('r.txt', 'x\n', []), '');
});
