import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { audit, type AuditInput, type AuditResult } from '../../src/engine/audit.ts';
import { buildPipelineFile } from '../../src/models/github/build.ts';
import { YamlFile, YamlInputError } from '../../src/models/yaml/document.ts';
import { rules } from '../../src/rules/index.ts';
import { decodeInput, discover, readCandidate } from '../../src/sources/files.ts';

/** A workflow that audits cleanly into findings, so we can see it was not skipped. */
const GOOD = `on: push
permissions:
  id-token: write
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
`;

/** Audits the bad text next to GOOD and checks that only the bad one became an error. */
async function auditBad(text: string, kind: AuditInput['kind'] = 'workflow'): Promise<{ line: number; message: string; result: AuditResult }> {
  const started = performance.now();
  const result = await audit(
    [
      { path: 'bad.yml', text, kind },
      { path: 'good.yml', text: GOOD, kind: 'workflow' },
    ],
    { rules, config: {} },
  );
  assert.ok(performance.now() - started < 5000, 'audit took too long');
  assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
  const [error] = result.errors;
  assert.equal(error!.path, 'bad.yml');
  assert.ok(Number.isInteger(error!.line) && error!.line >= 1, `line ${error!.line}`);
  assert.ok(error!.message.length > 0);
  assert.doesNotMatch(error!.message, /internal error/);
  assert.equal(result.filesAudited, 1);
  assert.ok(result.findings.length > 0, 'the good workflow was audited');
  assert.ok(result.findings.every((finding) => finding.path === 'good.yml'));
  return { line: error!.line, message: error!.message, result };
}

function lineOf(text: string, needle: string): number {
  const offset = text.indexOf(needle);
  assert.notEqual(offset, -1);
  return text.slice(0, offset).split('\n').length;
}

describe('bad files through audit()', () => {
  test('invalid YAML: unclosed flow sequence', async () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: [ubuntu-latest\n    steps:\n      - run: echo\n';
    const { line, message } = await auditBad(text);
    assert.match(message, /invalid YAML/);
    assert.ok(Math.abs(line - lineOf(text, '[ubuntu')) <= 1, `line ${line}`);
  });

  test('invalid YAML: bad indentation', async () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n   steps:\n      - run: echo\n';
    const { line, message } = await auditBad(text);
    assert.match(message, /invalid YAML/);
    assert.equal(line, lineOf(text, '   steps:'));
  });

  test('invalid YAML: tabs for indentation', async () => {
    const text = 'on: push\njobs:\n\ta: {}\n';
    const { line } = await auditBad(text);
    assert.equal(line, 3);
  });

  test('duplicate keys', async () => {
    const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n    runs-on: windows-latest\n';
    const { line, message } = await auditBad(text);
    assert.match(message, /unique/i);
    assert.equal(line, 6);
  });

  test('duplicate jobs', async () => {
    const text = 'on: push\njobs:\n  a:\n    steps: []\n  a:\n    steps: []\n';
    const { line } = await auditBad(text);
    assert.equal(line, 5);
  });

  test('several documents in one file', async () => {
    const { line } = await auditBad('on: push\njobs: {}\n---\non: push\njobs: {}\n');
    assert.equal(line, 3);
  });

  test('a YAML alias bomb (billion laughs, 9 levels of 9 aliases) is refused fast', async () => {
    const names = 'abcdefghi';
    let text = 'on: push\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 9; i++) text += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]\n`;
    // Every place the model reads follows the biggest alias.
    text += 'env: *i\njobs:\n  j:\n    runs-on: *i\n    env: *i\n    needs: *i\n    with: *i\n    steps: *i\n';
    const started = performance.now();
    const { line, message } = await auditBad(text);
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
    assert.match(message, /alias/);
    // At the anchor where the expansion passes the limit.
    assert.ok(line >= 3 && line <= lineOf(text, 'env: *i'), `line ${line}`);
  });

  test('a small alias fan-out is still read', () => {
    const text = 'on: push\nx: &x [1, 2, 3]\ny: &y [*x, *x, *x]\njobs:\n  j:\n    needs: *y\n    steps: []\n';
    assert.doesNotThrow(() => buildPipelineFile('w.yml', YamlFile.parse(text), 'workflow'));
    // A self-referencing alias is a cycle, not a bomb.
    assert.doesNotThrow(() => YamlFile.parse('on: push\njobs: &j\n  a: [*j]\n'));
  });

  test('a merge-key bomb is refused with a line', async () => {
    const names = 'abcdefghi';
    let text = 'on: push\na: &a {x: 1}\n';
    for (let i = 1; i < 9; i++) text += `${names[i]}: &${names[i]}\n  <<: [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]\n`;
    text += 'jobs:\n  j:\n    <<: *i\n    steps: []\n';
    const started = performance.now();
    const { line, message } = await auditBad(text);
    assert.ok(performance.now() - started < 500, `took ${performance.now() - started} ms`);
    assert.match(message, /alias/);
    assert.ok(line >= 2 && line <= lineOf(text, 'jobs:'), `line ${line}`);
  });

  test('many legitimate aliases are not quadratic', async () => {
    const text = 'on: push\nx: &step {run: echo hi}\njobs:\n  j:\n    runs-on: x\n    steps:\n' + '      - *step\n'.repeat(3000);
    const started = performance.now();
    const yaml = YamlFile.parse(text);
    const file = buildPipelineFile('w.yml', yaml, 'workflow');
    assert.equal(file.kind === 'workflow' && file.jobs[0]!.steps.length, 3000);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });

  test('deep nesting: 100k `[`', async () => {
    const { line, message } = await auditBad('on: push\njobs: ' + '['.repeat(100_000));
    assert.match(message, /nest/i);
    assert.ok(line >= 1 && line <= 2);
  });

  test('deep nesting: 100k `{a: `', async () => {
    const { message } = await auditBad('on: push\njobs: ' + '{a: '.repeat(100_000));
    assert.match(message, /nest|invalid YAML/i);
  });

  test('a YAML file that is not a workflow', async () => {
    const { line, message } = await auditBad('name: config\nversion: 2\nupdates: []\n');
    assert.match(message, /not a GitHub Actions workflow/);
    assert.equal(line, 1);
    assert.match((await auditBad('on: push\n')).message, /'jobs'/);
    assert.match((await auditBad('jobs: {}\n')).message, /'on'/);
  });

  test('a workflow whose `jobs` is a list', async () => {
    const text = 'on: push\njobs:\n  - build\n  - test\n';
    const { line, message } = await auditBad(text);
    assert.match(message, /jobs/);
    assert.equal(line, 2);
  });

  test('an invalid permission level', async () => {
    const text = 'on: push\njobs:\n  a:\n    permissions:\n      contents: admin\n    steps: []\n';
    const { line, message } = await auditBad(text);
    assert.match(message, /admin/);
    assert.equal(line, 5);
    const scalar = await auditBad('on: push\npermissions: read\njobs: {}\n');
    assert.equal(scalar.line, 2);
  });

  test('an empty file', async () => {
    const { line, message } = await auditBad('');
    assert.match(message, /not a GitHub Actions workflow/);
    assert.equal(line, 1);
  });

  test('a file with only comments', async () => {
    const { line } = await auditBad('# nothing here yet\n# on: push\n\n');
    assert.equal(line, 1);
  });

  test('a scalar or a list at the top', async () => {
    await auditBad('just a string\n');
    await auditBad('- on: push\n');
  });

  test('an action file without runs', async () => {
    const { message } = await auditBad('name: x\ndescription: y\n', 'action');
    assert.match(message, /runs/);
  });
});

describe('YamlFile.parse', () => {
  test('errors are YamlInputError with line and column', () => {
    try {
      YamlFile.parse('a: 1\nb: [1, 2\n');
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof YamlInputError);
      assert.ok(error.line >= 2);
      assert.ok(error.column >= 1);
    }
  });

  test('an alias budget stops expansion', () => {
    const yaml = YamlFile.parse('a: &a [1]\nb: *a\nc: *a\nd: *a\n', { aliasBudget: 2 });
    const root = yaml.root;
    assert.ok(root && 'items' in root);
    const values = (root.items as Array<{ value: unknown }>).slice(1).map((pair) => pair.value);
    yaml.resolve(values[0]);
    yaml.resolve(values[1]);
    assert.throws(() => yaml.resolve(values[2]), (error: unknown) => error instanceof YamlInputError && error.line === 4);
  });

  test('comments are real comments only', () => {
    const yaml = YamlFile.parse('# top\na: "# not a comment" # trailing\nb: |\n  # inside a block\n');
    assert.deepEqual(
      yaml.comments().map((comment) => [comment.line, comment.text]),
      [
        [1, '# top'],
        [2, '# trailing'],
      ],
    );
    assert.equal(yaml.lineText(2), 'a: "# not a comment" # trailing');
    assert.equal(yaml.lineText(99), '');
  });
});

describe('decodeInput', () => {
  test('binary data (NUL byte) is refused with its line', () => {
    const result = decodeInput('x.yml', new Uint8Array([...Buffer.from('on: push\njobs:\n'), 0, 1, 2]));
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.error.path, 'x.yml');
    assert.equal(result.error.line, 3);
    assert.match(result.error.message, /binary/);
  });

  test('UTF-16 text is named as such', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('on: push\n', 'utf16le')]);
    const result = decodeInput('x.yml', utf16);
    assert.ok(!result.ok);
    assert.match(result.error.message, /UTF-16/);
  });

  test('invalid UTF-8 is refused with the line of the bad byte', () => {
    // é takes two bytes: the bad one is byte 28.
    const bytes = Buffer.concat([Buffer.from('on: push\njobs:\n  a: é\n  b: '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const result = decodeInput('x.yml', bytes);
    assert.ok(!result.ok);
    assert.equal(result.error.line, 4);
    assert.match(result.error.message, /invalid UTF-8 at byte 28\b/);
  });

  test('overlong forms, surrogates and code points past U+10FFFF point at their own line', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0x80],
      [0xe2, 0x82],
    ]) {
      const bytes = Buffer.concat([Buffer.from('ok\nok\n'), Buffer.from(bad), Buffer.from('\nmore\n')]);
      const result = decodeInput('x.yml', bytes);
      assert.ok(!result.ok, bad.join(' '));
      assert.equal(result.error.line, 3, bad.join(' '));
      assert.match(result.error.message, /at byte 6\b/);
    }
  });

  test('a 50 MB buffer is refused by size at once', () => {
    const bytes = new Uint8Array(50 * 1024 * 1024).fill(0x61);
    const started = performance.now();
    const result = decodeInput('huge.yml', bytes);
    assert.ok(performance.now() - started < 50, `took ${performance.now() - started} ms`);
    assert.ok(!result.ok);
    assert.equal(result.error.line, 0);
    assert.match(result.error.message, /50\.0 MiB.*limit/);
    assert.equal(decodeInput('small.yml', new Uint8Array(10).fill(0x61), { maxBytes: 5 }).ok, false);
  });

  test('a UTF-8 BOM is stripped, once', () => {
    const result = decodeInput('x.yml', Buffer.from('\ufeffon: push\n'));
    assert.deepEqual(result, { ok: true, text: 'on: push\n' });
    const twice = decodeInput('x.yml', Buffer.from('\ufeff\ufeffa'));
    assert.deepEqual(twice, { ok: true, text: '\ufeffa' });
    assert.deepEqual(decodeInput('x.yml', Buffer.from('plain é')), { ok: true, text: 'plain é' });
  });
});

describe('discover and readCandidate', () => {
  test('finds workflows and actions, reports missing inputs, reads with limits', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cordon-discover-'));
    try {
      await mkdir(path.join(root, '.github', 'workflows'), { recursive: true });
      await mkdir(path.join(root, 'actions', 'setup'), { recursive: true });
      await mkdir(path.join(root, 'node_modules', 'dep'), { recursive: true });
      await writeFile(path.join(root, '.github', 'workflows', 'ci.yml'), GOOD);
      await writeFile(path.join(root, '.github', 'workflows', 'notes.txt'), 'not yaml');
      await writeFile(path.join(root, 'actions', 'setup', 'action.yaml'), 'runs:\n  using: composite\n  steps: []\n');
      await writeFile(path.join(root, 'node_modules', 'dep', 'action.yml'), 'runs: {}\n');
      await writeFile(path.join(root, 'big.yml'), 'x'.repeat(100));
      const found = await discover([root, 'missing-dir'], root);
      assert.deepEqual(
        found.candidates.map((candidate) => [candidate.display, candidate.kind]),
        [
          ['.github/workflows/ci.yml', 'workflow'],
          ['actions/setup/action.yaml', 'action'],
        ],
      );
      assert.deepEqual(found.errors, [{ path: 'missing-dir', line: 0, message: 'no such file or directory' }]);
      const read = await readCandidate(found.candidates[0]!);
      assert.deepEqual(read, { ok: true, text: GOOD });
      const big = await readCandidate({ absolute: path.join(root, 'big.yml'), display: 'big.yml' }, { maxBytes: 10 });
      assert.ok(!big.ok);
      assert.equal(big.error.path, 'big.yml');
      const gone = await readCandidate({ absolute: path.join(root, 'gone.yml'), display: 'gone.yml' });
      assert.ok(!gone.ok);
      assert.match(gone.error.message, /cannot read/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
