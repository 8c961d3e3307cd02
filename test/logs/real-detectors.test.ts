import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { fingerprintSecret } from '../../src/findings/redact.ts';
import { buildZip } from './helpers/zip.ts';
import { doubleBase64, githubOidcJwt, githubToken, pypiMintedToken, pypiProjectToken } from './helpers/tokens.ts';

/**
 * `cordon logs` end to end, as a process, with the project's real detectors and real-format
 * synthetic tokens: what the findings say, the replay maths on decoded tokens, redacted copies,
 * the inventory, and the canary (no planted token in any output).
 */

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-logs-real-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const RUNNER = path.resolve('test/logs/helpers/run-cli.ts');
// The tests run the CLI in temporary folders, where `--import tsx` would not resolve.
const TSX = import.meta.resolve('tsx');
const T = Date.parse('2025-09-05T10:00:00Z') / 1000;
const at = (seconds: number) => `${new Date((T + seconds) * 1000).toISOString().replace('Z', '0000Z')} `;

const PAT = githubToken('canary-pat');
const MINTED = pypiMintedToken('canary-minted', T);
const PROJECT = pypiProjectToken('canary-project');
const EXPIRED_JWT = githubOidcJwt('canary-expired', { iat: T - 400, exp: T - 100 });
const LIVE_JWT = githubOidcJwt('canary-live', { iat: T + 1 });
const REQUEST_TOKEN = githubOidcJwt('canary-request', { iat: T - 60, exp: T + 6 * 3600 }, { iss: 'https://vstoken.actions.githubusercontent.com', aud: 'vso:6a1d', sub: undefined });
const PEM_BODY = [0, 1, 2].map((index) => createHash('sha512').update(`canary-pem-${index}`).digest('base64').slice(0, 64));
const DUMP = doubleBase64(`"GH_PAT":{"value":"${PAT}","isSecret":true}\n"PYPI_API_TOKEN":{"value":"${PROJECT}","isSecret":true}\n`);

const LOG = [
  `${at(-2)}##[group]Run env`,
  `${at(-2)}env`,
  `${at(-2)}shell: /usr/bin/bash -e {0}`,
  `${at(-2)}##[endgroup]`,
  `${at(0)}ACTIONS_ID_TOKEN_REQUEST_TOKEN=${REQUEST_TOKEN}`,
  `${at(0)}ACTIONS_ID_TOKEN_REQUEST_URL=https://pipelines.actions.githubusercontent.com/x1y2z3/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/1/jobs/2/idtoken?api-version=2.0`,
  `${at(1)}##[group]Run curl -sS "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi"`,
  `${at(1)}##[endgroup]`,
  `${at(2)}{"count":1,"value":"${LIVE_JWT}"}`,
  `${at(2)}stale token: ${EXPIRED_JWT}`,
  `${at(3)}##[group]Run curl -X POST https://pypi.org/_/oidc/mint-token`,
  `${at(3)}##[endgroup]`,
  `${at(0)}{"success":true,"token":"${MINTED}","expires":${T + 900}}`,
  `${at(4)}##[group]Run tj-actions/changed-files@v45`,
  `${at(4)}##[endgroup]`,
  `${at(5)}${DUMP}`,
  `${at(6)}GH_PAT=${PAT}`,
  `${at(7)}-----BEGIN RSA PRIVATE KEY-----`,
  ...PEM_BODY.map((line) => `${at(7)}${line}`),
  `${at(7)}-----END RSA PRIVATE KEY-----`,
  `${at(420)}Cleaning up orphan processes`,
].join('\n');

/** Every planted credential, and fragments no output may contain. */
const CANARIES = [PAT, MINTED, PROJECT, EXPIRED_JWT, LIVE_JWT, REQUEST_TOKEN, DUMP, ...PEM_BODY].flatMap((secret) => [secret, secret.slice(-24), secret.slice(Math.floor(secret.length / 2), Math.floor(secret.length / 2) + 24)]);

function cordon(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, ['--import', TSX, RUNNER, 'logs', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GITHUB_TOKEN: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function folder(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(temp, 'case-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

function walk(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(directory, entry.name)) : [path.join(directory, entry.name)]));
}

interface Finding {
  rule: string;
  severity: string;
  message: string;
  line: number;
  details: Record<string, any>;
}

describe('cordon logs with the real detectors', () => {
  const root = folder({ 'job.log': `${LOG}\n` });
  const run = cordon(['job.log', '-f', 'json', '--now', new Date((T + 300) * 1000).toISOString()], root);
  const report = JSON.parse(run.stdout) as { findings: Finding[]; errors: unknown[] };
  const byRule = (rule: string) => report.findings.filter((finding) => finding.rule === rule);

  it('finds every planted credential, once each, exit 1', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(report.errors, []);
    const rules = report.findings.map((finding) => finding.rule).sort();
    for (const rule of ['private-key', 'actions-id-token-request-token', 'github-oidc-jwt', 'github-pat', 'pypi-token', 'pypi-trusted-publishing-token']) assert.ok(rules.includes(rule), `${rule} in ${rules.join(', ')}`);
    assert.equal(byRule('github-oidc-jwt').length, 2);
    assert.equal(byRule('github-pat').length, 1);
  });

  it('a minted PyPI token printed at T and judged at T+5 min: reusable for 15 min, still valid for 10', () => {
    const [minted] = byRule('pypi-trusted-publishing-token');
    assert.ok(minted);
    assert.equal(minted.details.timing.printedAt, '2025-09-05T10:00:00.000Z');
    assert.equal(minted.details.timing.validUntil, '2025-09-05T10:15:00.000Z');
    assert.equal(minted.details.timing.validForSecondsAfterPrinted, 900);
    assert.equal(minted.details.timing.remainingSeconds, 600);
    assert.equal(minted.details.replay.status, 'live');
    assert.match(minted.message, /reuse it for 15 min after it was printed.*still valid now, for 10 min/);
    assert.equal(minted.details.source.step, 'Run curl -X POST https://pypi.org/_/oidc/mint-token');
  });

  it('an OIDC JWT that expired before it was printed is low; a live one is single-use', () => {
    const [expired, live] = [...byRule('github-oidc-jwt')].sort((a, b) => a.line - b.line).reverse();
    assert.ok(expired && live);
    assert.equal(expired.details.replay.status, 'dead-when-printed');
    assert.equal(expired.severity, 'low');
    assert.equal(live.details.credential.singleUse, true);
    assert.equal(live.details.timing.validForSecondsAfterPrinted, 299);
    assert.match(live.message, /PyPI accepts an OIDC token once \(it records the jti\)/);
    assert.equal(live.details.credential.claims?.repository, 'octo-org/hello-world');
  });

  it('a private key spanning lines is one finding at its BEGIN line, timed from it', () => {
    const [key] = byRule('private-key');
    assert.ok(key);
    assert.equal(key.line, LOG.split('\n').findIndex((line) => line.includes('BEGIN RSA')) + 1);
    assert.equal((key as unknown as { endLine: number }).endLine, key.line + 4);
    assert.equal(key.details.timing.printedAt, '2025-09-05T10:00:07.000Z');
    assert.equal(key.details.source.step, 'Run tj-actions/changed-files@v45');
  });

  it('the request token is valid until the job\'s last log line', () => {
    const [request] = byRule('actions-id-token-request-token');
    assert.ok(request);
    assert.equal(request.details.credential.lifetime, 'job');
    assert.equal(request.details.timing.validUntil, '2025-09-05T10:07:00.000Z');
    assert.equal(request.details.timing.validForSecondsAfterPrinted, 420);
    assert.match(request.message, /mint new OIDC tokens for any audience/);
    assert.equal(request.details.source.step, 'Run env');
  });

  it('tokens found only inside a double-base64 dump are reported with their encoding', () => {
    const [project] = byRule('pypi-token');
    assert.ok(project);
    assert.deepEqual(project.details.secret.encodings, ['base64x2']);
    assert.equal(project.details.source.step, 'Run tj-actions/changed-files@v45');
    const [pat] = byRule('github-pat');
    assert.equal(pat!.details.occurrences, 2);
    assert.deepEqual([...pat!.details.secret.encodings].sort(), ['base64x2', 'plain']);
  });

  it('--redact writes a copy with no secret left, base64 dump included, lines kept', () => {
    const dir = folder({ 'job.log': `${LOG}\n` });
    const result = cordon(['job.log', '--redact'], dir);
    assert.equal(result.code, 1, result.stderr);
    const copy = readFileSync(path.join(dir, 'job.redacted.log'), 'utf8');
    for (const canary of CANARIES) assert.ok(!copy.includes(canary), `left ${canary.slice(0, 8)}… in the copy`);
    assert.equal(copy.split('\n').length, LOG.split('\n').length + 1);
    assert.ok(copy.includes(`${at(6)}GH_PAT=[REDACTED ${fingerprintSecret(PAT)}]`));
    assert.ok(copy.includes(`${at(5)}[REDACTED sha256:`));
    // A PEM block spans lines: each keeps its timestamp, its text is gone.
    const pem = copy.split('\n').filter((line) => line.startsWith(at(7)));
    assert.equal(pem.length, 5);
    for (const line of pem) assert.match(line, /^\S+ \[REDACTED sha256:[0-9a-f]{64}\]$/);
    // The copy scans clean.
    const again = JSON.parse(cordon(['job.redacted.log', '-f', 'json'], dir).stdout);
    assert.deepEqual(again.findings, []);
  });

  it('--known marks the leaks of credentials in the inventory', () => {
    const dir = folder({ 'job.log': `${LOG}\n`, 'known.txt': `# release credentials\n${fingerprintSecret(PROJECT)} PYPI_API_TOKEN\n` });
    const result = JSON.parse(cordon(['job.log', '--known', 'known.txt', '-f', 'json'], dir).stdout) as { findings: Finding[] };
    const marked = result.findings.filter((finding) => finding.details.inventory);
    assert.deepEqual(marked.map((finding) => finding.rule), ['pypi-token']);
    assert.match(marked[0]!.message, /matches a credential in your inventory/);
  });

  it('reads a run-log zip with job folders and flat job files', () => {
    const zip = buildZip([
      { name: '0_publish.txt', data: `${LOG}\n` },
      { name: 'publish/1_Set up job.txt', data: `${at(-30)}Current runner version: '2.328.0'\n` },
      { name: 'publish/3_Mint.txt', data: `${LOG}\n` },
      { name: 'docs/2_Build.txt', data: `${at(10)}building docs\n` },
    ]);
    const dir = folder({ 'logs_562.zip': zip });
    const result = cordon(['logs_562.zip', '-f', 'json', '--now', new Date((T + 300) * 1000).toISOString()], dir);
    const zipped = JSON.parse(result.stdout) as { findings: Finding[]; summary: { filesAudited: number } };
    assert.equal(zipped.summary.filesAudited, 4);
    const [minted] = zipped.findings.filter((finding) => finding.rule === 'pypi-trusted-publishing-token');
    assert.equal((minted as unknown as { path: string }).path, 'logs_562.zip!publish/3_Mint.txt');
    assert.equal(minted!.details.source.job, 'publish');
    assert.equal(minted!.details.source.stepFile, '3_Mint');
    assert.equal(minted!.details.occurrences, 1, 'the flat job file repeats the step file');
  });

  it('canary: planted tokens never appear in stdout, stderr or redacted files, in any format', () => {
    const zip = buildZip([{ name: 'publish/3_Mint.txt', data: `${LOG}\n` }]);
    const dir = folder({ 'job.log': `${LOG}\n`, 'run.zip': zip, [`${PAT}.log`]: `${at(0)}nothing here\n`, 'known.txt': `${fingerprintSecret(PAT)}\n` });
    const outputs: Array<[string, string]> = [];
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const result = cordon(['.', '-f', format, '--known', 'known.txt', '--redact-dir', `out-${format}`], dir);
      assert.equal(result.code, 1, `${format}: ${result.stderr}`);
      outputs.push([`${format} stdout`, result.stdout], [`${format} stderr`, result.stderr]);
      for (const file of walk(path.join(dir, `out-${format}`))) outputs.push([file, readFileSync(file, 'utf8')], ['file name', file]);
    }
    const stdin = spawnSync(process.execPath, ['--import', TSX, RUNNER, 'logs', '-', '-f', 'json'], { cwd: dir, input: LOG, encoding: 'utf8' });
    outputs.push(['stdin stdout', stdin.stdout], ['stdin stderr', stdin.stderr]);
    const usage = cordon([PAT, '--known', PAT], dir);
    outputs.push(['usage stderr', usage.stderr], ['usage stdout', usage.stdout]);
    for (const [where, text] of outputs) for (const canary of CANARIES) assert.ok(!text.includes(canary), `${where} leaks ${canary.slice(0, 8)}…`);
  });
});

describe('reading a log through the prefilter or line by line', () => {
  it('gives the same findings, with the same places, steps and times, whatever the read size', async () => {
    const { LogScan } = await import('../../src/analysis/logs/scan.ts');
    const { createDefaultScanner } = await import('../../src/analysis/logs/default-scanner.ts');
    const { readFileChunks } = await import('../../src/sources/logs/lines.ts');
    const noise = Array.from({ length: 300 }, (_, index) => `${at(8)}Collecting package-${index} (${createHash('sha256').update(String(index)).digest('base64')})`);
    const file = path.join(temp, 'both-ways.log');
    writeFileSync(file, [LOG, ...noise, LOG, `${at(9)}sha512-${createHash('sha512').update('x').digest('base64')}`, LOG].join('\r\n'));
    const scanner = createDefaultScanner();
    assert.ok(scanner.open().skipping, 'the prefilter loads in tests');
    const lineByLine = { ...scanner, open: () => ({ ...scanner.open(), skipping: undefined }) };
    const findings = async (chosen: typeof scanner, chunkBytes: number) => {
      const scan = new LogScan({ scanner: chosen });
      await scan.scanDocument({ path: 'both-ways.log', place: { jobKey: 'both-ways.log' } }, readFileChunks(file, chunkBytes));
      return JSON.stringify({ findings: scan.findings(T * 1000), errors: scan.errors, lines: scan.linesScanned });
    };
    const expected = await findings(lineByLine, 1 << 20);
    assert.match(expected, /private-key/);
    for (const chunkBytes of [1, 7, 100, 4096, 1 << 20]) assert.equal(await findings(scanner, chunkBytes), expected, `reads of ${chunkBytes} bytes`);
  });
});
