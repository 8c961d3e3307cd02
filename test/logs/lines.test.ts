import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LogScan } from '../../src/analysis/logs/scan.ts';
import { LineSplitter, looksBinary, readLines, type LogLine } from '../../src/sources/logs/lines.ts';
import { createDefaultScanner } from '../../src/analysis/logs/default-scanner.ts';
import { githubToken } from './helpers/tokens.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-lines-'));
after(() => rmSync(temp, { recursive: true, force: true }));

async function* chunksOf(...parts: Array<string | Buffer>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
}

async function collect(source: AsyncIterable<Uint8Array>, maxLineBytes?: number): Promise<{ lines: LogLine[]; binary: boolean; longLines: number }> {
  const lines: LogLine[] = [];
  const stats = await readLines(source, maxLineBytes ? { maxLineBytes } : {}, (batch) => {
    lines.push(...batch);
  });
  return { lines, binary: stats.binary, longLines: stats.longLines };
}

describe('line reader', () => {
  it('splits across chunk boundaries, drops CR and the BOM, keeps a last line without a newline', async () => {
    const { lines } = await collect(chunksOf('\uFEFFfirst\r\nsec', 'ond\n', '\nthi', 'rd'));
    assert.deepEqual(
      lines.map((line) => [line.number, line.text]),
      [
        [1, 'first'],
        [2, 'second'],
        [3, ''],
        [4, 'third'],
      ],
    );
  });

  it('decodes invalid UTF-8 lossily, including a character split across chunks', async () => {
    const euro = Buffer.from('€', 'utf8');
    const { lines, binary } = await collect(chunksOf(Buffer.from([0x61, 0xff, 0x62, 0x0a]), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('\n')])));
    assert.equal(binary, false);
    assert.equal(lines[0]!.text, 'a\uFFFDb');
    assert.equal(lines[1]!.text, '€');
  });

  it('caps huge lines without holding them and counts what was cut', async () => {
    const big = 'x'.repeat(3000);
    const { lines, longLines } = await collect(chunksOf(big.slice(0, 1000), big.slice(1000), '\nnext\n'), 1024);
    assert.equal(lines[0]!.text.length, 1024);
    assert.equal(lines[0]!.cutBytes, 3000 - 1024);
    assert.equal(lines[1]!.text, 'next');
    assert.equal(longLines, 1);
    // Fast path (the whole line in one chunk) too.
    const single = await collect(chunksOf(`${big}\r\nok\n`), 1024);
    assert.equal(single.lines[0]!.text.length, 1024);
    assert.equal(single.lines[0]!.cutBytes, 3000 - 1024);
    assert.equal(single.lines[1]!.text, 'ok');
  });

  it('calls NUL-heavy input binary and stops', async () => {
    assert.equal(looksBinary(Buffer.from('plain text\n')), false);
    const binary = Buffer.alloc(20_000);
    binary.write('PNG-ish header', 0);
    const result = await collect(chunksOf(binary.subarray(0, 5000), binary.subarray(5000)));
    assert.equal(result.binary, true);
    assert.equal(result.lines.length, 0);
    // A stray NUL in a long text log is not binary.
    const text = Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0]), Buffer.from('\n')]);
    assert.equal((await collect(chunksOf(text))).binary, false);
  });

  it('the splitter numbers lines across pushes', () => {
    const splitter = new LineSplitter(64);
    const out: LogLine[] = [];
    splitter.push(Buffer.from('a\nb'), out);
    splitter.push(Buffer.from('c\n'), out);
    splitter.end(out);
    assert.deepEqual(out.map((line) => `${line.number}:${line.text}`), ['1:a', '2:bc']);
  });
});

describe('streaming a large log', () => {
  it('scans a generated 96 MiB log with the real detectors in bounded memory and finds the planted token', async () => {
    const file = path.join(temp, 'big.log');
    const token = githubToken('streaming');
    const out = createWriteStream(file);
    const line = `2025-09-05T10:00:00.0230000Z ${'Collecting package metadata (pyproject.toml) ... done '.repeat(3)}\n`;
    const block = line.repeat(1000);
    const blocks = Math.ceil((96 * 1024 * 1024) / Buffer.byteLength(block));
    for (let index = 0; index < blocks; index++) {
      if (index === Math.floor(blocks * 0.7)) out.write(`2025-09-05T10:00:01.0000000Z token=${token}\n`);
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(resolve));

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
    const sampled = (async function* () {
      let count = 0;
      for await (const chunk of stream) {
        if (++count % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        yield chunk as Buffer;
      }
    })();
    const scan = new LogScan({ scanner: createDefaultScanner() });
    await scan.scanDocument({ path: 'big.log', place: { jobKey: 'big.log' } }, sampled);
    const findings = scan.findings(Date.parse('2025-09-05T11:00:00Z'));
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.rule, 'github-pat');
    assert.ok(scan.bytesScanned > 96 * 1024 * 1024 - 1);
    const growth = (peak - baseline) / (1024 * 1024);
    // Reading the file whole would add ~96 MiB (and twice that as a JS string).
    assert.ok(growth < 48, `RSS grew by ${growth.toFixed(1)} MiB while streaming 96 MiB`);
  });
});
