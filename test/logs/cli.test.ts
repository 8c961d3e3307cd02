import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DecodedCredential } from '../../src/detectors/detector.ts';
import { runLogsCommand } from '../../src/cli/logs.ts';
import { fingerprintSecret } from '../../src/findings/redact.ts';
import { fakeScanner } from './helpers/fake-scanner.ts';
import { buildZip } from './helpers/zip.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-logs-cli-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const PAT = `ghp_${'P'.repeat(30)}Pat123`;
const MINTED = `pypi-AgEIcHlwaS5vcmc${'M'.repeat(60)}minted`;
const T = '2025-09-05T10:00:00.0000000Z';
const lifetimes = new Map<string, DecodedCredential>([
  [MINTED, { description: 'PyPI upload token minted by Trusted Publishing', lifetime: { kind: 'window', notBefore: new Date('2025-09-05T10:00:00Z'), expiresAt: new Date('2025-09-05T10:15:00Z') }, scope: ['project:example'] }],
]);

function folder(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(temp, 'case-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

async function cli(argv: string[], options: { cwd?: string; stdin?: Buffer } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runLogsCommand(argv, {
    scanner: fakeScanner(lifetimes),
    env: {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: options.cwd ?? temp,
    isTTY: false,
    ...(options.stdin ? { stdin: (async function* () { yield options.stdin!; })() } : {}),
  });
  return { code, stdout, stderr };
}

/** Double base64, as tj-actions/changed-files and Shai-Hulud printed secrets. */
function doubleBase64(text: string): string {
  return Buffer.from(Buffer.from(text).toString('base64')).toString('base64');
}

const LOG = [
  `${T} ##[group]Run pypa/gh-action-pypi-publish@release/v1`,
  `${T} ##[endgroup]`,
  `2025-09-05T10:00:05.0000000Z minted ${MINTED}`,
  `2025-09-05T10:00:06.0000000Z ##[group]Run env`,
  `2025-09-05T10:00:07.0000000Z GH_TOKEN=${PAT}`,
  `2025-09-05T10:00:08.0000000Z ${doubleBase64(`{"GH_TOKEN":{"value":"${PAT}","isSecret":true}}`)}`,
  `2025-09-05T10:00:09.0000000Z done`,
].join('\n');

describe('cordon logs on files', () => {
  it('reports each secret once with prefix and fingerprint, timing and step, exit 1', async () => {
    const root = folder({ 'job.log': `${LOG}\n` });
    const result = await cli([path.join(root, 'job.log'), '-f', 'json', '--now', '2025-09-05T10:05:00Z'], { cwd: root });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.version, 1);
    assert.deepEqual(
      report.findings.map((finding: { rule: string; path: string; line: number }) => [finding.rule, finding.path, finding.line]),
      [
        ['fake-pypi', 'job.log', 3],
        ['fake-pat', 'job.log', 5],
      ],
    );
    const [minted, pat] = report.findings;
    assert.deepEqual(Object.keys(minted).slice(0, 11), ['rule', 'severity', 'confidence', 'message', 'path', 'line', 'column', 'endLine', 'endColumn', 'fingerprint', 'details']);
    assert.equal(minted.details.secret.prefix, 'pypi-AgE');
    assert.equal(minted.details.secret.fingerprint, fingerprintSecret(MINTED));
    assert.equal(minted.details.timing.validForSecondsAfterPrinted, 895);
    assert.equal(minted.details.timing.remainingSeconds, 600);
    assert.equal(minted.details.source.step, 'Run pypa/gh-action-pypi-publish@release/v1');
    assert.deepEqual(minted.details.credential.scope, ['project:example']);
    assert.deepEqual(minted.details.respond, ['Revoke the PyPI token.', 'Check what it was used for.']);
    assert.match(minted.message, /^PyPI upload token minted by Trusted Publishing pypi-AgE…\[sha256:[0-9a-f]{12}\] printed by step `Run pypa\/gh-action-pypi-publish@release\/v1` at 2025-09-05T10:00:05Z\. Anyone who read the log could reuse it for 14 min 55 s after it was printed, until 2025-09-05T10:15:00\.000Z\. It is still valid now, for 10 min\. Readable since 2025-09-05T10:00:05Z/);
    assert.equal(pat.details.occurrences, 2, 'plain and double-base64 prints of the same token are one finding');
    assert.deepEqual(pat.details.secret.encodings, ['plain', 'base64/base64']);
    assert.match(pat.message, /\(2 times; the first is shown\) \(also printed encoded as base64\/base64\)\./);
  });

  it('prints the playbook and fingerprint in text output, and no code frame', async () => {
    const root = folder({ 'job.log': `${LOG}\n` });
    const result = await cli(['job.log', '--now', '2025-09-05T10:05:00Z'], { cwd: root });
    assert.match(result.stdout, /error\[fake-pat\]: GitHub personal access token ghp_PPPP…\[sha256:[0-9a-f]{12}\] printed by step `Run env` at 2025-09-05T10:00:07Z \(2 times; the first is shown\)/);
    assert.match(result.stdout, /--> job\.log:5:39/);
    assert.match(result.stdout, /= fingerprint: sha256:[0-9a-f]{64}/);
    assert.match(result.stdout, /= respond 1\/2: Revoke the personal access token\./);
    assert.match(result.stdout, /docs: docs\/logs\.md/);
    assert.ok(!/\d+ \| /.test(result.stdout), 'no code frame with log text');
    assert.match(result.stdout, /2 findings \(2 critical\) in 1 file/);
  });

  it('exit codes: 0 below --fail-on, 2 when nothing could be read or on usage errors', async () => {
    const root = folder({ 'clean.log': `${T} all good\n`, 'image.log': Buffer.concat([Buffer.from('\x89PNG'), Buffer.alloc(9000)]) });
    assert.equal((await cli(['clean.log'], { cwd: root })).code, 0);
    const binary = await cli(['image.log', '-f', 'json'], { cwd: root });
    assert.equal(binary.code, 2);
    assert.match(JSON.parse(binary.stdout).errors[0].message, /binary data/);
    assert.equal((await cli(['missing.log'], { cwd: root })).code, 2);
    assert.equal((await cli([], { cwd: root })).code, 2);
    assert.equal((await cli(['clean.log', '-f', 'yaml'], { cwd: root })).code, 2);
    const leak = folder({ 'a.log': `${T} ${PAT}\n` });
    assert.equal((await cli(['a.log', '--fail-on', 'critical'], { cwd: leak })).code, 1);
    const hidden = await cli(['a.log', '--min-severity', 'critical', '-f', 'json'], { cwd: leak });
    assert.equal(JSON.parse(hidden.stdout).findings.length, 1);
  });

  it('walks folders (an extracted run-log archive) and reads zips and standard input', async () => {
    const zip = buildZip([{ name: 'deploy/2_Publish.txt', data: `${T} ${PAT}\n` }]);
    const root = folder({ 'logs/build/1_Set up job.txt': `${T} ok\n`, 'logs/build/3_Test.txt': `${T} ${MINTED}\n`, 'logs/run.zip': zip, 'logs/notes.md': PAT });
    const result = await cli(['logs', '-f', 'json'], { cwd: root });
    const report = JSON.parse(result.stdout);
    assert.equal(report.summary.filesAudited, 3);
    assert.deepEqual(report.findings.map((finding: { path: string }) => finding.path).sort(), ['logs/build/3_Test.txt', 'logs/run.zip!deploy/2_Publish.txt']);

    const text = await cli(['-', '-f', 'json'], { stdin: Buffer.from(`${T} ${PAT}\n`) });
    assert.equal(JSON.parse(text.stdout).findings[0].path, '<stdin>');
    const zipped = await cli(['-', '-f', 'json'], { stdin: zip });
    assert.equal(JSON.parse(zipped.stdout).findings[0].path, '<stdin>!deploy/2_Publish.txt');
  });

  it('reports an over-long line and scans the rest', async () => {
    const root = folder({ 'long.log': `${T} ${'x'.repeat(5000)}\n${T} ${PAT}\n` });
    const result = await cli(['long.log', '-f', 'json', '--max-line-size', '1024'], { cwd: root });
    const report = JSON.parse(result.stdout);
    assert.equal(report.findings.length, 1);
    assert.deepEqual(report.errors, [{ path: 'long.log', line: 1, message: 'a line is longer than 1024 bytes: only the first 1024 bytes of it were scanned' }]);
  });
});

describe('--redact', () => {
  it('writes a copy next to each log with every secret replaced, base64 runs whole', async () => {
    const zip = buildZip([{ name: 'job/1_Run.txt', data: `${LOG}\n` }]);
    const root = folder({ 'job.log': `${LOG}\n`, 'run.zip': zip });
    const result = await cli(['job.log', 'run.zip', '--redact'], { cwd: root });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /wrote 2 redacted copies next to the logs/);
    for (const copy of [path.join(root, 'job.redacted.log'), path.join(root, 'run.redacted', 'job', '1_Run.txt')]) {
      const text = readFileSync(copy, 'utf8');
      assert.ok(!text.includes(PAT) && !text.includes(MINTED), copy);
      assert.ok(!text.includes(doubleBase64(`{"GH_TOKEN":{"value":"${PAT}","isSecret":true}}`)), 'the base64 run is gone');
      assert.equal(text.split('\n').length, LOG.split('\n').length + 1, 'lines are kept');
      assert.ok(text.includes(`${T} ##[group]Run pypa/gh-action-pypi-publish@release/v1`));
      assert.ok(text.includes(`2025-09-05T10:00:07.0000000Z GH_TOKEN=[REDACTED ${fingerprintSecret(PAT)}]`));
      assert.ok(text.includes(`2025-09-05T10:00:08.0000000Z [REDACTED ${fingerprintSecret(PAT)}]`));
    }
    // A second scan of the folder does not pick up the redacted copies.
    const again = JSON.parse((await cli(['.', '-f', 'json'], { cwd: root })).stdout);
    assert.equal(again.summary.filesAudited, 2);
    // And the redacted copy has nothing left to find.
    const check = JSON.parse((await cli(['job.redacted.log', '-f', 'json'], { cwd: root })).stdout);
    assert.equal(check.findings.length, 0);
  });

  it('--redact-dir keeps the folder layout; standard input needs it', async () => {
    const root = folder({ 'ci/job.log': `${LOG}\n` });
    const out = path.join(root, 'out');
    assert.equal((await cli(['ci/job.log', '--redact-dir', 'out'], { cwd: root })).code, 1);
    assert.ok(existsSync(path.join(out, 'ci', 'job.redacted.log')));
    assert.equal((await cli(['-', '--redact'], { cwd: root, stdin: Buffer.from(LOG) })).code, 2);
    await cli(['-', '--redact-dir', 'out'], { cwd: root, stdin: Buffer.from(LOG) });
    assert.ok(!readFileSync(path.join(out, 'stdin.redacted.log'), 'utf8').includes(PAT));
  });

  it('cuts an over-long line in the copy instead of keeping unscanned bytes', async () => {
    const root = folder({ 'long.log': `${T} ${'y'.repeat(3000)}${PAT}\n` });
    await cli(['long.log', '--redact', '--max-line-size', '1024'], { cwd: root });
    const text = readFileSync(path.join(root, 'long.redacted.log'), 'utf8');
    assert.ok(!text.includes(PAT));
    assert.match(text, /\[cordon: \d+ more bytes of this line were not scanned and are left out\]\n$/);
  });
});

describe('--known', () => {
  it('marks leaks of inventoried credentials', async () => {
    const root = folder({ 'job.log': `${LOG}\n`, 'known.txt': `# our tokens\n${fingerprintSecret(PAT)}  GH_TOKEN of the release bot\n\n` });
    const report = JSON.parse((await cli(['job.log', '--known', 'known.txt', '-f', 'json'], { cwd: root })).stdout);
    const pat = report.findings.find((finding: { rule: string }) => finding.rule === 'fake-pat');
    const minted = report.findings.find((finding: { rule: string }) => finding.rule === 'fake-pypi');
    assert.match(pat.message, /It matches a credential in your inventory \(--known\)\./);
    assert.equal(pat.details.inventory, true);
    assert.equal(minted.details.inventory, false);
    assert.doesNotMatch(minted.message, /inventory/);
  });

  it('rejects a malformed inventory without echoing it', async () => {
    const root = folder({ 'job.log': `${LOG}\n`, 'known.txt': `${PAT}\n` });
    const result = await cli(['job.log', '--known', 'known.txt'], { cwd: root });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /known\.txt:1: expected 'sha256:' and 64 hex digits/);
    assert.ok(!result.stderr.includes(PAT.slice(4, 20)));
  });
});

describe('canary', () => {
  it('planted tokens never appear in any output format, on stderr, or in redacted files', async () => {
    const zip = buildZip([{ name: 'job/1_Run.txt', data: `${LOG}\n` }]);
    const root = folder({ 'job.log': `${LOG}\n`, 'run.zip': zip, [`${PAT}.log`]: `${T} nothing\n` });
    const outputs: string[] = [];
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const result = await cli(['.', '-f', format, '--redact-dir', `redacted-${format}`], { cwd: root });
      assert.equal(result.code, 1, `${format}: ${result.stderr}`);
      outputs.push(result.stdout, result.stderr);
      for (const file of walk(path.join(root, `redacted-${format}`))) outputs.push(readFileSync(file, 'utf8'), file);
    }
    const canaries = [PAT, MINTED, PAT.slice(0, 20), MINTED.slice(0, 30), doubleBase64(`{"GH_TOKEN":{"value":"${PAT}","isSecret":true}}`).slice(0, 40)];
    for (const output of outputs) for (const canary of canaries) assert.ok(!output.includes(canary), `leaked ${canary.slice(0, 8)}… in ${output.slice(0, 200)}`);
  });
});

function walk(directory: string): string[] {
  if (!existsSync(directory)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else files.push(full);
  }
  return files;
}

