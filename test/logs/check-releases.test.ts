import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runLogsCommand } from '../../src/cli/logs.ts';
import { FakeIndex, release } from '../registry/fake-index.ts';
import { pypiProjectToken, pypiToken } from './helpers/tokens.ts';

/**
 * `--check-releases`: for a leaked PyPI token scoped to named projects, the files the index
 * received while it was valid, asked of a local index on 127.0.0.1.
 */
const temp = mkdtempSync(path.join(tmpdir(), 'cordon-logs-releases-'));
const T = Date.parse('2025-09-05T10:00:00Z');
const stamp = (ms: number) => `${new Date(ms).toISOString().replace('Z', '0000Z')} `;
let index: FakeIndex;

before(async () => {
  index = new FakeIndex([
    {
      name: 'example-project',
      releases: [
        release('example-project', '1.0.0', '2025-08-01T00:00:00Z'),
        // Uploaded ten minutes after the token was printed: inside "until revoked".
        release('example-project', '1.0.1', new Date(T + 10 * 60_000).toISOString()),
      ],
    },
    { name: 'minted-project', releases: [release('minted-project', '2.0.0', new Date(T + 20 * 60_000).toISOString())] },
  ]);
  await index.start();
});
after(async () => {
  await index.close();
  rmSync(temp, { recursive: true, force: true });
});

async function logs(args: string[]) {
  let out = '';
  let err = '';
  const code = await runLogsCommand(args, { stdout: (text) => void (out += text), stderr: (text) => void (err += text), env: { HOME: temp }, cwd: temp });
  return { code, out, err };
}

test('uploads made while a leaked project token was valid are listed in the finding', async () => {
  const project = pypiProjectToken('releases-project');
  const file = path.join(temp, 'build.log');
  writeFileSync(file, `${stamp(T)}##[group]Run twine upload dist/*\n${stamp(T + 1000)}TWINE_PASSWORD=${project}\n`);
  const result = await logs([file, '-f', 'json', '--check-releases', '--index-url', index.simpleUrl, '--cache-dir', path.join(temp, 'cache')]);
  const report = JSON.parse(result.out);
  const finding = report.findings.find((item: { rule: string }) => item.rule === 'pypi-token');
  assert.ok(finding, result.out + result.err);
  assert.match(finding.message, /Uploaded to example-project while it was valid: example_project-1\.0\.1/);
  assert.doesNotMatch(finding.message, /1\.0\.0/);
  const checks = finding.details.releasesInWindow.checks;
  assert.deepEqual(checks[0].uploads.map((upload: { filename: string }) => upload.filename).sort(), ['example_project-1.0.1-py3-none-any.whl', 'example_project-1.0.1.tar.gz']);
  assert.ok(!result.out.includes(project) && !result.err.includes(project), 'the token is never printed');
});

test('a minted token only covers its 15 minutes, and unknown projects are said, not guessed', async () => {
  const minted = pypiToken('releases-minted', [[1, ['minted-project', 'gone-project']], [0, T / 1000 + 900, T / 1000]]);
  const file = path.join(temp, 'minted.log');
  writeFileSync(file, `${stamp(T)}token ${minted}\n`);
  const result = await logs([file, '-f', 'json', '--check-releases', '--index-url', index.simpleUrl, '--cache-dir', path.join(temp, 'cache')]);
  const finding = JSON.parse(result.out).findings.find((item: { rule: string }) => item.rule.startsWith('pypi'));
  assert.ok(finding, result.out);
  // 2.0.0 came 20 minutes later, after the token expired.
  assert.match(finding.message, /No file was uploaded to minted-project, gone-project while it was valid/);
  assert.match(result.err, /gone-project: not found on the index/);
});

test('--check-releases --offline with an empty cache reports the miss instead of fetching', async () => {
  const project = pypiProjectToken('releases-offline');
  const file = path.join(temp, 'offline.log');
  writeFileSync(file, `${stamp(T)}TWINE_PASSWORD=${project}\n`);
  const before = index.requests.length;
  const result = await logs([file, '-f', 'json', '--check-releases', '--offline', '--index-url', index.simpleUrl, '--cache-dir', path.join(temp, 'empty-cache')]);
  assert.equal(index.requests.length, before, 'no request in offline mode');
  assert.match(result.err, /example-project: /);
  assert.ok(JSON.parse(result.out).findings.length >= 1);
});
