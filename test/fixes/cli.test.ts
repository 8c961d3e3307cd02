import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runFixCommand, type FixCommandDeps } from '../../src/cli/fix.ts';
import { parseRemoteUrl } from '../../src/fixes/summary.ts';
import { writeRepository } from '../helpers/cli.ts';

const repo = (files: Record<string, string>) => writeRepository(files);

async function fix(args: string[], deps: Partial<FixCommandDeps> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runFixCommand(args, {
    gitRemote: async () => undefined,
    services: {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    ...deps,
  });
  return { code, stdout, stderr };
}

/** The hardened release (every rule passes), with a `set -x` in the publishing job. */
const TRACED = `on:
  release:
    types: [published]
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8
        with:
          name: dist
          path: dist/
      - run: |
          set -x
          ls dist
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
`;

const NO_ENVIRONMENT = `on:
  release:
    types: [published]
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
`;

test('--dry-run prints a unified diff, writes nothing, and exits by what would remain', async () => {
  const root = repo({ '.github/workflows/release.yml': TRACED });
  const { code, stdout, stderr } = await fix([root, '--dry-run']);
  assert.equal(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'), TRACED);
  assert.equal(
    stdout,
    ['--- a/.github/workflows/release.yml', '+++ b/.github/workflows/release.yml', '@@ -14,6 +14,5 @@', '           name: dist', '           path: dist/', '       - run: |', '-          set -x', '           ls dist', '       - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4', ''].join('\n'),
  );
  assert.match(stderr, /would fix 1 finding in 1 file/);
  assert.match(stderr, /\.github\/workflows\/release\.yml:17 {2}debug-logging {2}turn off `set -x` tracing in the script/);
  assert.equal(code, 0);
  // Without the fix the finding (high) stays: exit 1.
  assert.equal((await fix([root, '--dry-run', '--rule', 'persist-credentials'])).code, 1);
});

test('fixes are written atomically, keep the file mode, and a second run changes nothing', async () => {
  const root = repo({ '.github/workflows/release.yml': TRACED });
  const file = path.join(root, '.github/workflows/release.yml');
  chmodSync(file, 0o640);
  const first = await fix([root]);
  assert.equal(first.code, 0);
  assert.equal(readFileSync(file, 'utf8'), TRACED.replace('          set -x\n', ''));
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(path.dirname(file)), ['release.yml']);
  const second = await fix([root]);
  assert.match(second.stderr, /fixed 0 findings in 0 files/);
  assert.equal(readFileSync(file, 'utf8'), TRACED.replace('          set -x\n', ''));
});

test('a file that does not parse is left untouched with its error; the others are fixed', async () => {
  const broken = 'on: push\njobs:\n  a: [unclosed\n';
  const root = repo({ '.github/workflows/broken.yml': broken, '.github/workflows/release.yml': TRACED });
  const { code, stderr } = await fix([root]);
  assert.equal(readFileSync(path.join(root, '.github/workflows/broken.yml'), 'utf8'), broken);
  assert.equal(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'), TRACED.replace('          set -x\n', ''));
  assert.match(stderr, /Errors \(a file that cannot be read or written is left as it was\):\n {2}\.github\/workflows\/broken\.yml:\d+: invalid YAML/);
  assert.equal(code, 0);
});

test('--environment names the environment; the summary gives the trusted publisher settings from the git remote', async () => {
  const root = repo({ '.github/workflows/release.yml': NO_ENVIRONMENT });
  const { code, stderr } = await fix([root, '--environment', 'release', '--rule', 'publish-without-environment'], {
    gitRemote: async () => 'https://someone:ghp_notarealtoken000000000000000000000000@github.com/octo-org/example.git',
  });
  assert.equal(code, 0);
  assert.match(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'), /runs-on: ubuntu-latest\n {4}environment: release\n {4}permissions:/);
  assert.match(stderr, /Needs a person:/);
  assert.match(stderr, /Owner: {13}octo-org\n {6}Repository name: {3}example\n {6}Workflow name: {5}release\.yml\n {6}Environment name: {2}release\n/);
  assert.doesNotMatch(stderr, /someone|ghp_/);
});

test('--format json is a machine-readable summary; without a remote the publisher has placeholders', async () => {
  const root = repo({ '.github/workflows/release.yml': NO_ENVIRONMENT });
  const { code, stdout, stderr } = await fix([root, '--format', 'json', '--dry-run']);
  assert.equal(stderr, '');
  const report = JSON.parse(stdout);
  assert.equal(report.dryRun, true);
  assert.equal(report.summary.fixed, 1);
  assert.equal(report.files[0].path, '.github/workflows/release.yml');
  assert.match(report.files[0].diff, /^\+ {4}environment: pypi$/m);
  assert.deepEqual(report.fixed.map((item: { rule: string }) => item.rule), ['publish-without-environment']);
  const publisher = report.followUp[0].trustedPublishers[0];
  assert.deepEqual(
    { owner: publisher.owner, repository: publisher.repository, workflow: publisher.workflow, environment: publisher.environment, index: publisher.index },
    { owner: '<owner>', repository: '<repository>', workflow: 'release.yml', environment: 'pypi', index: 'pypi' },
  );
  assert.equal(code, 0);
});

test('CRLF line ends and a byte order mark are kept', async () => {
  const text = `\uFEFF${TRACED.replace(/\n/g, '\r\n')}`;
  const root = repo({ '.github/workflows/release.yml': text });
  await fix([root]);
  assert.equal(readFileSync(path.join(root, '.github/workflows/release.yml'), 'utf8'), text.replace('          set -x\r\n', ''));
});

test('usage errors and nothing to read exit 2', async () => {
  assert.equal((await fix(['--rule', 'no-such-rule'])).code, 2);
  assert.equal((await fix(['-'])).code, 2);
  assert.equal((await fix(['--format', 'sarif'])).code, 2);
  const empty = mkdtempSync(path.join(tmpdir(), 'cordon-fix-empty-'));
  const nothing = await fix([empty]);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /no workflow/);
  assert.match((await fix(['--help'])).stdout, /cordon fix \[PATH…\] \[options\]/);
});

test('remote URLs: https, scp-like and ssh forms; credentials never kept', () => {
  assert.deepEqual(parseRemoteUrl('https://github.com/octo-org/example.git'), { host: 'github.com', owner: 'octo-org', repo: 'example' });
  assert.deepEqual(parseRemoteUrl('git@github.com:octo-org/example.git'), { host: 'github.com', owner: 'octo-org', repo: 'example' });
  assert.deepEqual(parseRemoteUrl('ssh://git@github.com/octo-org/example'), { host: 'github.com', owner: 'octo-org', repo: 'example' });
  assert.deepEqual(parseRemoteUrl('https://x-access-token:abc@github.com/octo-org/example/'), { host: 'github.com', owner: 'octo-org', repo: 'example' });
  assert.deepEqual(parseRemoteUrl('https://gitlab.example.com/group/sub/project.git'), { host: 'gitlab.example.com', owner: 'sub', repo: 'project' });
  assert.equal(parseRemoteUrl('not a url'), undefined);
});
