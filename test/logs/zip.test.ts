import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { placeOfEntry } from '../../src/analysis/logs/context.ts';
import { LogScan } from '../../src/analysis/logs/scan.ts';
import { compareEntryNames, readZip, type ZipLimits } from '../../src/sources/logs/zip.ts';
import { fakeScanner } from './helpers/fake-scanner.ts';
import { buildZip, deflatedZeros } from './helpers/zip.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-zip-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const PAT = `ghp_${'Q'.repeat(30)}AbC123`;
const LIMITS: ZipLimits = { maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024, maxEntries: 100 };

function zipFile(name: string, entries: Parameters<typeof buildZip>[0]): string {
  const file = path.join(temp, name);
  writeFileSync(file, buildZip(entries));
  return file;
}

async function scanZip(file: string, limits = LIMITS) {
  const scan = new LogScan({ scanner: fakeScanner() });
  const names: string[] = [];
  await readZip(file, limits, {
    entry: async (info, chunks) => {
      names.push(info.name);
      await scan.scanDocument({ path: `logs.zip!${info.name}`, place: placeOfEntry('logs.zip', info.name) }, chunks);
    },
    error: (name, message) => scan.error(name === undefined ? 'logs.zip' : `logs.zip!${name}`, 0, message),
  });
  return { scan, names, findings: scan.findings(Date.parse('2025-09-05T12:00:00Z')) };
}

describe('run-log archives', () => {
  it('reads per-job folders and flat job files, attributes job and step, and counts a print once', async () => {
    const stepLog = [
      '2025-09-05T10:00:00.0000000Z ##[group]Run actions/checkout@v4',
      '2025-09-05T10:00:01.0000000Z ##[endgroup]',
      '2025-09-05T10:00:02.0000000Z ##[group]Run echo "$TOKEN"',
      '2025-09-05T10:00:02.5000000Z ##[endgroup]',
      `2025-09-05T10:00:03.0000000Z ${PAT}`,
      '2025-09-05T10:00:09.0000000Z done',
    ].join('\n');
    const file = zipFile('layout.zip', [
      // The flat whole-job file comes first in the archive; the step file is still read first.
      { name: '0_build.txt', data: `${stepLog}\n` },
      { name: 'build/', data: '' },
      { name: 'build/1_Set up job.txt', data: '2025-09-05T09:59:59.0000000Z Current runner version\n' },
      { name: 'build/3_Print token.txt', data: `${stepLog}\n`, method: 0 },
      { name: 'test (3.12)/10_Run tests.txt', data: '2025-09-05T10:05:00.0000000Z ok\n' },
      { name: 'test (3.12)/2_Checkout.txt', data: '2025-09-05T10:04:00.0000000Z ok\n' },
    ]);
    const { names, findings, scan } = await scanZip(file);
    assert.deepEqual(names, ['build/1_Set up job.txt', 'build/3_Print token.txt', 'test (3.12)/2_Checkout.txt', 'test (3.12)/10_Run tests.txt', '0_build.txt']);
    assert.equal(scan.filesScanned, 5);
    assert.equal(findings.length, 1);
    const finding = findings[0]!;
    assert.equal(finding.path, 'logs.zip!build/3_Print token.txt');
    assert.equal(finding.line, 5);
    assert.equal(finding.column, 30);
    const details = finding.details as { occurrences: number; source: Record<string, unknown> };
    assert.equal(details.occurrences, 1, 'the same print in the job file and the step file counts once');
    assert.equal(details.source.job, 'build');
    assert.equal(details.source.step, 'Run echo "$TOKEN"');
    assert.equal(details.source.stepFile, '3_Print token');
    assert.match(finding.message, /by step `Run echo "\$TOKEN"` of job `build` at 2025-09-05T10:00:03Z/);
  });

  it('orders entries: folders first, numeric step order', () => {
    const names = ['2_b.txt', 'job/10_x.txt', 'job/9_y.txt', '1_a.txt'];
    assert.deepEqual([...names].sort(compareEntryNames), ['job/9_y.txt', 'job/10_x.txt', '1_a.txt', '2_b.txt']);
    assert.deepEqual(placeOfEntry('a.zip', 'deploy/4_Publish.txt'), { jobKey: 'a.zip!deploy', job: 'deploy', stepNumber: 4, stepName: 'Publish' });
    assert.deepEqual(placeOfEntry('a.zip', '3_deploy.txt'), { jobKey: 'a.zip!deploy', job: 'deploy' });
  });

  it('refuses a zip bomb that declares its size', async () => {
    const bomb = deflatedZeros(64 * 1024 * 1024);
    const file = zipFile('bomb.zip', [
      { name: 'job/1_ok.txt', data: `${PAT}\n` },
      { name: 'job/2_bomb.txt', data: '', compressed: bomb, declaredSize: 64 * 1024 * 1024, crc: 0 },
    ]);
    const { scan, findings } = await scanZip(file);
    assert.equal(findings.length, 1, 'the rest of the archive is still scanned');
    const error = scan.errors.find((item) => item.path === 'logs.zip!job/2_bomb.txt');
    assert.ok(error, JSON.stringify(scan.errors));
    assert.match(error.message, /declares 67108864 bytes inflated, more than the 4194304-byte limit .*zip bomb/);
  });

  it('stops a zip bomb that lies about its size while it inflates', async () => {
    const bomb = deflatedZeros(64 * 1024 * 1024);
    const file = zipFile('liar.zip', [{ name: 'job/2_bomb.txt', data: '', compressed: bomb, declaredSize: 100, crc: 0 }]);
    const before = process.memoryUsage().rss;
    const { scan } = await scanZip(file);
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024);
    assert.equal(scan.errors.length, 1, JSON.stringify(scan.errors));
    // yauzl notices first (more bytes than declared); the byte counter is the backstop.
    assert.match(scan.errors[0]!.message, /too many bytes|inflates past/);
  });

  it('stops an entry past the per-entry cap and an archive past the total cap', async () => {
    // Text, so that every byte is inflated and read: three 3 MiB entries against 8 MiB in all.
    const honest = (bytes: number) => ({ compressed: deflatedZeros(bytes, 'build output line\n'), declaredSize: bytes, crc: 0, data: '' });
    const file = zipFile('total.zip', [
      { name: 'a/1.txt', ...honest(3 * 1024 * 1024) },
      { name: 'a/2.txt', ...honest(3 * 1024 * 1024) },
      { name: 'a/3.txt', ...honest(3 * 1024 * 1024) },
      { name: 'a/4.txt', data: `${PAT}\n` },
    ]);
    const { scan } = await scanZip(file, { maxEntryBytes: 4 * 1024 * 1024, maxTotalBytes: 8 * 1024 * 1024, maxEntries: 100 });
    const messages = scan.errors.map((error) => `${error.path}: ${error.message}`);
    assert.ok(messages.some((message) => /a\/3\.txt: .*8388608-byte archive limit/.test(message)), messages.join('\n'));
    assert.ok(messages.some((message) => /a\/4\.txt: not read: the archive already inflated/.test(message)), messages.join('\n'));
    assert.equal(messages.length, 2, messages.join('\n'));
  });

  it('refuses entries that climb out of the archive and reports a broken archive', async () => {
    const slip = zipFile('slip.zip', [{ name: '../../evil.txt', data: `${PAT}\n` }]);
    const { scan, findings } = await scanZip(slip);
    assert.equal(findings.length, 0);
    assert.match(scan.errors[0]!.message, /archive refused: invalid relative path/);

    const broken = path.join(temp, 'broken.zip');
    writeFileSync(broken, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 1)]));
    const result = await scanZip(broken);
    assert.match(result.scan.errors[0]!.message, /not a readable zip archive/);
  });

  it('skips binary entries with an error and keeps going', async () => {
    const file = zipFile('mixed.zip', [
      { name: 'job/1_image.txt', data: Buffer.concat([Buffer.from('\x89PNG'), Buffer.alloc(4000)]) },
      { name: 'job/2_log.txt', data: `2025-09-05T10:00:00.0000000Z ${PAT}\n` },
    ]);
    const { scan, findings } = await scanZip(file);
    assert.equal(findings.length, 1);
    assert.deepEqual(scan.errors.map((error) => [error.path, error.line]), [['logs.zip!job/1_image.txt', 0]]);
    assert.match(scan.errors[0]!.message, /binary data/);
  });
});
