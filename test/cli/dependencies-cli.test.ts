import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runCordon, writeRepository } from '../helpers/cli.ts';

const cordon = (args: string[], cwd?: string) => runCordon(args, { cwd });
const repo = (files: Record<string, string>) => writeRepository(files);

interface JsonFinding {
  rule: string;
  path: string;
  line: number;
  severity: string;
  confidence: string;
}

function audit(root: string, ...extra: string[]): { findings: JsonFinding[]; errors: Array<{ path: string; line: number; message: string }>; filesAudited: number } {
  const result = cordon(['audit', root, '-f', 'json', ...extra]);
  const report = JSON.parse(result.stdout);
  return { findings: report.findings, errors: report.errors, filesAudited: report.summary.filesAudited };
}

const CI = `name: ci
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -r requirements/dev.txt
`;

const HASH = 'sha256:44f714b81c5f190d9d2ddad01a532fe502fa01c4cb8faf1d081f4264ed15dcd8';

test('a directory scan finds requirements files, lockfiles and Dockerfiles, and skips virtualenvs', () => {
  const root = repo({
    '.github/workflows/ci.yml': CI,
    'requirements/dev.txt': 'pytest==8.3.2\n',
    'constraints.txt': 'urllib3<2\n',
    'poetry.lock': '[[package]]\nname = "requests"\nversion = "2.32.3"\nfiles = []\n\n[metadata]\nlock-version = "2.1"\n',
    'docker/api.Dockerfile': 'FROM python:3.12-slim\n',
    'node_modules/pkg/requirements.txt': 'ignored==1\n',
    'env/pyvenv.cfg': 'home = /usr/bin\n',
    'env/lib/requirements.txt': 'ignored==1\n',
  });
  const { findings, filesAudited } = audit(root);
  const shown = findings.map((finding) => `${finding.path}:${finding.line} ${finding.rule} ${finding.severity}`).sort();
  // The workflow installs a pinned file in a job without credentials: install-without-hashes leaves it
  // to unhashed-requirements.
  assert.deepEqual(shown, [
    'constraints.txt:1 unpinned-requirement low',
    'docker/api.Dockerfile:1 unpinned-base-image medium',
    'poetry.lock:2 lock-missing-hashes medium',
    'requirements/dev.txt:1 unhashed-requirements medium',
  ]);
  // workflow, requirements/dev.txt, constraints.txt, poetry.lock, api.Dockerfile
  assert.equal(filesAudited, 5);
  // The requirements file installed by the workflow is linked to the install command.
  const linked = findings.find((finding) => finding.rule === 'unhashed-requirements')!;
  assert.equal(linked.confidence, 'high');
  assert.match(cordon(['audit', root]).stdout, /installed here with `pip install -r requirements\/dev\.txt` at \.github\/workflows\/ci\.yml:9/);
});

test('-r includes are read from disk even when their names are not requirements names', () => {
  const root = repo({
    'requirements.txt': `-r deps/base.txt\ndjango==4.1.7 --hash=${HASH}\n`,
    'deps/base.txt': 'sqlparse==0.4.3\n',
  });
  const { findings, errors } = audit(root);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    findings.map((finding) => `${finding.path}:${finding.line} ${finding.rule} ${finding.severity}`),
    ['deps/base.txt:1 unhashed-requirements high'],
  );
});

test('ignore comments work in requirements files, Dockerfiles and TOML; --no-ignores shows the findings', () => {
  const root = repo({
    'requirements.txt': '# cordon: ignore[unhashed-requirements] mirrored index rewrites files\nrequests==2.32.3\n',
    Dockerfile: 'FROM python:3.12 # cordon: ignore[unpinned-base-image]\n',
    'uv.lock': 'version = 1\n\n[[package]]\nname = "x" # cordon: ignore[lock-missing-hashes]\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n',
  });
  assert.deepEqual(audit(root).findings, []);
  assert.deepEqual(audit(root, '--no-ignores').findings.map((finding) => finding.rule).sort(), ['lock-missing-hashes', 'unhashed-requirements', 'unpinned-base-image']);
});

test('an unknown lock format version is an error with its line; the other files are still audited', () => {
  const root = repo({
    'uv.lock': '# generated\nversion = 2\nrevision = 1\n',
    Dockerfile: 'FROM python:3.12\n',
  });
  const { findings, errors } = audit(root);
  assert.deepEqual(
    errors.map((error) => [error.path, error.line]),
    [['uv.lock', 2]],
  );
  assert.match(errors[0]!.message, /uv\.lock version 2/);
  assert.deepEqual(findings.map((finding) => finding.rule), ['unpinned-base-image']);
});

test('a lockfile named on the command line is audited as given', () => {
  const root = repo({ 'pylock.toml': "lock-version = '1.0'\ncreated-by = 'x'\n\n[[packages]]\nname = 'attrs'\nversion = '25.1.0'\n" });
  const result = cordon(['audit', path.join(root, 'pylock.toml'), '-f', 'json']);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(report.findings.map((finding: JsonFinding) => `${finding.line} ${finding.rule}`), ['5 lock-missing-hashes']);
});
