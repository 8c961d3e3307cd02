import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { audit } from '../../src/engine/audit.ts';
import { createFixServices } from '../../src/fixes/services.ts';
import { FixUnavailableError, type Fix, type TextEdit } from '../../src/fixes/types.ts';
import { parseRequirements } from '../../src/models/python/requirements.ts';
import { rules } from '../../src/rules/index.ts';
import { FakeIndex, fakeSha256, release } from '../registry/fake-index.ts';

const temp = mkdtempSync(path.join(tmpdir(), 'cordon-hashfix-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let index: FakeIndex;
before(async () => {
  index = new FakeIndex([
    { name: 'alpha', releases: [release('alpha', '1.0', '2024-01-01T00:00:00Z')] },
    { name: 'beta', releases: [release('beta', '2.0', '2024-01-01T00:00:00Z')] },
  ]);
  await index.start();
});
after(() => index.close());

const hashesOf = (name: string, version: string) => [`${name}-${version}-py3-none-any.whl`, `${name}-${version}.tar.gz`].map(fakeSha256).sort();

function services(options: { offline?: boolean; cacheDir?: string } = {}) {
  return createFixServices({ env: { PIP_INDEX_URL: index.simpleUrl }, cacheDir: options.cacheDir ?? mkdtempSync(path.join(temp, 'cache-')), offline: options.offline ?? false, pypi: { retries: 0 } });
}

async function fixesOf(text: string): Promise<Array<{ message: string; fix: Fix | undefined }>> {
  const result = await audit([{ path: 'requirements.txt', text, kind: 'requirements' }], { rules: rules.filter((rule) => rule.meta.id === 'unhashed-requirements'), config: {} });
  return result.findings.map((finding) => ({ message: finding.message, fix: result.fixes.get(finding) }));
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, edit.offset) + edit.text + out.slice(edit.endOffset);
  return out;
}

describe('unhashed-requirements fix', () => {
  it('a file without hashes gets every entry hashed from the index (unsafe: hash-checking mode then applies)', async () => {
    const text = '# deps\nalpha==1.0  # why\nbeta==2.0\n';
    const [finding] = await fixesOf(text);
    assert.equal(finding?.fix?.safety, 'unsafe');
    assert.match(finding!.fix!.title, /add --hash=sha256 lines to requirements.txt/);
    assert.match(finding!.fix!.followUp!.join('\n'), /refuses any dependency it does not pin/);
    const fixed = apply(text, await finding!.fix!.edits(services()));
    const [a1, a2] = hashesOf('alpha', '1.0');
    const [b1, b2] = hashesOf('beta', '2.0');
    assert.equal(fixed, `# deps\nalpha==1.0 \\\n    --hash=sha256:${a1} \\\n    --hash=sha256:${a2}  # why\nbeta==2.0 \\\n    --hash=sha256:${b1} \\\n    --hash=sha256:${b2}\n`);
    assert.deepEqual(await fixesOf(fixed), []);
  });

  it('refuses to hash part of a file: an unpinned entry leaves it unfixed, with the reason', async () => {
    const [finding] = await fixesOf('alpha==1.0\nbeta>=2\n');
    await assert.rejects(async () => finding!.fix!.edits(services()), (error: unknown) => error instanceof FixUnavailableError && /line 2 beta: not pinned with ==/.test(error.message));
  });

  it('a partially hashed file: each unhashed line gets its own fix, and the editable line none', async () => {
    const [a1] = hashesOf('alpha', '1.0');
    const text = `alpha==1.0 --hash=sha256:${a1}\nbeta==2.0\n-e .\n`;
    const found = await fixesOf(text);
    const beta = found.find((item) => item.message.startsWith('`beta`'))!;
    const editable = found.find((item) => item.message.includes('`-e .`') || item.message.includes('`.`'))!;
    assert.ok(beta.fix);
    assert.equal(editable.fix, undefined);
    const fixed = apply(text, await beta.fix!.edits(services()));
    const lines = parseRequirements('requirements.txt', fixed).requirements;
    assert.deepEqual(lines.find((line) => line.name === 'beta')!.hashes.map((hash) => hash.digest), hashesOf('beta', '2.0'));
    // Only beta's entry changed: alpha keeps its one hash.
    assert.equal(lines.find((line) => line.name === 'alpha')!.hashes.length, 1);
  });

  it('offline with an empty cache: "offline, not in cache"; without the service: needs the network', async () => {
    const [finding] = await fixesOf('alpha==1.0\n');
    await assert.rejects(async () => finding!.fix!.edits(services({ offline: true })), (error: unknown) => error instanceof FixUnavailableError && error.message === 'offline, not in cache');
    await assert.rejects(async () => finding!.fix!.edits({}), (error: unknown) => error instanceof FixUnavailableError && /network/.test(error.message));
  });
});
