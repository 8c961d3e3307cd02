import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintSecret } from '../../src/findings/redact.ts';
import { LineScanner, compileDetectors, scanLine, type LineMatch } from '../../src/detectors/scanner.ts';
import { detectors } from '../../src/detectors/index.ts';
import { checksummedToken, githubOidcClaims, jwt, pypi, randomBase64, seededAlnum, seededBytes, seededUuid } from './builders.ts';

const TS = '2025-09-05T10:00:00.0230000Z ';
const hex = (seed: string, length: number): string => seededBytes(seed, length).toString('hex').slice(0, length);

describe('scanLine', () => {
  it('returns a shared frozen empty array for lines without candidates', () => {
    const a = scanLine(`${TS}Collecting requests>=2.31`);
    const b = scanLine(`${TS}Successfully installed urllib3-2.2.1`);
    assert.equal(a, b);
    assert.equal(a.length, 0);
    assert.ok(Object.isFrozen(a));
  });

  it('reports several credentials of one line in order, with exact spans', () => {
    const ghs = checksummedToken('ghs_', 'multi');
    const npm = checksummedToken('npm_', 'multi');
    const token = pypi.project(['octo'], 'multi');
    const line = `${TS}env: GITHUB_TOKEN=${ghs} NPM_TOKEN=${npm} TWINE_PASSWORD=${token}`;
    const matches = scanLine(line);
    assert.deepEqual(matches.map((m) => m.detector), ['github-app-installation-token', 'npm-token', 'pypi-token']);
    for (const match of matches) {
      assert.equal(line.slice(match.start, match.end), match.secret);
      assert.equal(match.fingerprint, fingerprintSecret(match.secret));
      assert.equal(match.encoding, 'plain');
    }
  });

  it('does not truncate long Trusted-Publishing and multi-project tokens', () => {
    for (const token of [pypi.trustedPublishing(1_795_344_668), pypi.project(['alpha', 'beta', 'gamma', 'delta'], 'long')]) {
      const [match] = scanLine(`${TS}${token}`);
      assert.equal(match?.secret, token);
      assert.ok(token.length > 179);
    }
  });

  it('reports an env dump variable by its name, not as a bare JWT', () => {
    const value = jwt({ iss: 'https://vstoken.actions.githubusercontent.com', exp: 1 }, undefined, 'env');
    const matches = scanLine(`ACTIONS_RUNTIME_TOKEN=${value}`);
    assert.deepEqual(matches.map((m) => m.detector), ['actions-runtime-token']);
  });

  it('reports an AWS key id and the secret key that follows it', () => {
    const id = `AKIA${seededAlnum('pair', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
    const secret = `${seededAlnum('pair-secret', 30)}/${seededAlnum('p2', 9)}`;
    const matches = scanLine(`${id}:${secret}`);
    assert.deepEqual(matches.map((m) => [m.detector, m.secret]), [['aws-access-key-id', id], ['aws-secret-access-key', secret]]);
  });

  it('prefers the specific detector inside a runner secret dump entry', () => {
    const ghs = checksummedToken('ghs_', 'dump');
    const line = `"github_token":{"value":"${ghs}","isSecret":true}`;
    const matches = scanLine(line);
    assert.deepEqual(matches.map((m) => m.detector), ['github-app-installation-token']);
    assert.equal(line.slice(matches[0]!.start, matches[0]!.end), ghs);
  });

  it('finds the tj-actions double-base64 dump: a ghs_ token and a project-scoped PyPI token', () => {
    const ghs = checksummedToken('ghs_', 'tj');
    const token = pypi.project(['octo'], 'tj');
    // What memdump.py | grep | sort -u | base64 -w 0 | base64 -w 0 printed through core.info.
    const inner = [
      `"PYPI_API_TOKEN":{"value":"${token}","isSecret":true}`,
      `"github_token":{"value":"${ghs}","isSecret":true}`,
      `"system.github.token":{"value":"${ghs}","isSecret":true}`,
    ].join('\n');
    const blob = Buffer.from(Buffer.from(`${inner}\n`).toString('base64')).toString('base64');
    const line = `${TS}${blob}`;
    const matches = scanLine(line);
    const summary = matches.map((m) => [m.detector, m.encoding, m.secret === ghs || m.secret === token]);
    assert.deepEqual(summary, [
      ['pypi-token', 'base64x2', true],
      ['github-app-installation-token', 'base64x2', true],
      ['github-app-installation-token', 'base64x2', true],
    ]);
    for (const match of matches) {
      assert.ok(match.start >= TS.length && match.end <= line.length && match.start < match.end);
      assert.equal(match.decoded?.description !== undefined, true);
    }
    // The project-scoped token decodes through both layers.
    assert.deepEqual(matches[0]!.decoded?.scope?.[0], 'octo');
  });

  it('finds the Shai-Hulud toJSON(secrets) dump (pretty JSON, double base64)', () => {
    const npm = checksummedToken('npm_', 'shai');
    const ghp = checksummedToken('ghp_', 'shai');
    const json = `{\n  "github_token": "${checksummedToken('ghs_', 'shai')}",\n  "NPM_TOKEN": "${npm}",\n  "GH_PAT": "${ghp}"\n}\n`;
    const blob = Buffer.from(Buffer.from(json).toString('base64')).toString('base64');
    const detectorsFound = scanLine(`${TS}${blob}`).map((m) => `${m.detector}/${m.encoding}`);
    assert.deepEqual(detectorsFound, ['github-app-installation-token/base64x2', 'npm-token/base64x2', 'github-pat/base64x2']);
  });

  it('finds single base64 (a basic-auth header) and stops at the depth limit', () => {
    const ghs = checksummedToken('ghs_', 'basic');
    const basic = Buffer.from(`x-access-token:${ghs}`).toString('base64');
    const [match] = scanLine(`AUTHORIZATION: basic ${basic}`);
    assert.equal(match?.detector, 'github-app-installation-token');
    assert.equal(match?.encoding, 'base64');
    assert.equal(match?.secret, ghs);

    let deep = `token ${checksummedToken('ghp_', 'deep')} here`;
    for (let level = 0; level < 4; level++) deep = Buffer.from(deep).toString('base64');
    assert.deepEqual(scanLine(deep), []);
    assert.equal(scanLine(deep, { maxDepth: 4 })[0]?.encoding, 'base64x4');
  });

  it('reports nothing for the noise of a CI log', () => {
    const sri = seededBytes('sri', 64).toString('base64');
    const noise = [
      `${TS}Cache restored from key: Linux-pip-${hex('cache', 64)}`,
      `${TS}Cache saved with key: node-cache-Linux-x64-npm-${hex('npm', 64)}`,
      `${TS}#12 sha256:${hex('layer', 64)} 12.58MB / 12.58MB 1.2s done`,
      `${TS}Digest: sha256:${hex('digest', 64)}`,
      `${TS}      integrity: sha512-${sri}`,
      `${TS}    "integrity": "sha512-${sri}",`,
      `${TS}    --hash=sha256:${hex('pip-hash', 64)} \\`,
      `${TS}HEAD is now at ${hex('sha', 7)} Merge pull request #12 from octo/fix`,
      `${TS}[command]/usr/bin/git checkout --progress --force -B main refs/remotes/origin/main ${hex('full', 40)}`,
      `${TS}request-id: ${seededUuid('r1')} trace ${seededUuid('r2')}`,
      `${TS}   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 12.8/12.8 MB 62.1 MB/s eta 0:00:00`,
      `${TS}  Downloading numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (16.0 MB)`,
      `${TS}${randomBase64(400)}`,
      `${TS}data: ${randomBase64(88)}==`,
      `${TS}##[group]Run pypa/gh-action-pypi-publish@release/v1`,
      `${TS}  ACTIONS_RUNTIME_TOKEN: ***`,
      `${TS}  password: ***`,
      `${TS}-----BEGIN CERTIFICATE-----`,
      `${TS}npm_config_user_agent=npm/10.8.2 node/v20.17.0 linux x64 workflow/1.0.0 ci/github-actions`,
      `${TS}DATABASE_URL=postgres://postgres:postgres@localhost:5432/test_db`,
      `${TS}Run actions/checkout@${hex('pin', 40)}`,
      `${TS}/home/runner/work/octo/octo/src/octo/cli/main.py:42: DeprecationWarning: pkg_resources is deprecated`,
      `${TS}AbstractSingletonProxyFactoryBeanFactoryManagerImplementation`,
      `${TS}https://github.com/octo-org/octo-repo/actions/runs/17500000001/job/49000000001`,
    ];
    for (const line of noise) assert.deepEqual(scanLine(line).map((m) => m.detector), [], line);
  });

  it('never reports inside a hex digest or a UUID', () => {
    for (let index = 0; index < 200; index++) {
      assert.deepEqual(scanLine(`${hex(`n${index}`, 64)} ${seededUuid(`u${index}`)}`), []);
    }
  });

  it('checks at least one keyword of every candidate (the prefilter is complete)', () => {
    // Every slot must be reachable through a keyword it owns.
    const compiled = compileDetectors(detectors);
    for (const pass of compiled.passes) {
      const reachable = new Set([...pass.slotsByKeyword.values()].flat());
      for (const slot of pass.slots) assert.ok(reachable.has(slot), slot.detectors.map((d) => d.meta.id).join());
    }
  });

  it('accepts a custom detector list and refuses patterns it cannot combine', () => {
    const only = detectors.filter((d) => d.meta.id === 'npm-token');
    const options = { detectors: only };
    assert.deepEqual(scanLine(`${checksummedToken('ghp_', 'c')} ${checksummedToken('npm_', 'c')}`, options).map((m) => m.detector), ['npm-token']);
    const bad = { ...only[0]!, pattern: /(?<name>x)/ };
    assert.throws(() => compileDetectors([bad]));
  });
});

describe('LineScanner', () => {
  const body = (seed: string, lines: number): string[] => Array.from({ length: lines }, (_, i) => seededBytes(`${seed}${i}`, 48).toString('base64'));

  function run(lines: string[]): LineMatch[] {
    const scanner = new LineScanner();
    return [...lines.flatMap((line) => scanner.push(line)), ...scanner.flush()];
  }

  it('joins a PEM block printed over several timestamped lines', () => {
    const key = ['-----BEGIN OPENSSH PRIVATE KEY-----', ...body('ssh', 8), '-----END OPENSSH PRIVATE KEY-----'];
    const lines = [`${TS}Run cat ~/.ssh/id_ed25519`, ...key.map((line) => `${TS}${line}`), `${TS}done`];
    const matches = run(lines);
    assert.equal(matches.length, 1);
    const [match] = matches;
    assert.equal(match!.detector, 'private-key');
    assert.equal(match!.secret, key.join('\n'));
    assert.deepEqual([match!.line, match!.start, match!.endLine, match!.end], [2, TS.length, 11, lines[10]!.length]);
    assert.equal(match!.confidence, 'high');
    assert.equal(match!.truncated, undefined);
    assert.match(match!.decoded!.description, /OpenSSH/);
  });

  it('reports a block cut off by a masked line, or by the end of input, as truncated', () => {
    const masked = run([`${TS}-----BEGIN RSA PRIVATE KEY-----`, `${TS}***`, `${TS}***`]);
    assert.equal(masked.length, 1);
    assert.equal(masked[0]!.truncated, true);
    assert.equal(masked[0]!.confidence, 'low');

    const cut = run([`${TS}-----BEGIN PRIVATE KEY-----`, ...body('cut', 4).map((line) => `${TS}${line}`)]);
    assert.equal(cut.length, 1);
    assert.equal(cut[0]!.truncated, true);
    assert.equal(cut[0]!.confidence, 'medium');
    assert.equal(cut[0]!.endLine, 5);
  });

  it('keeps scanning lines after a block and numbers lines from 1', () => {
    const ghp = checksummedToken('ghp_', 'after');
    const matches = run(['-----BEGIN EC PRIVATE KEY-----', ...body('ec', 3), '-----END EC PRIVATE KEY-----', `token ${ghp}`]);
    assert.deepEqual(matches.map((m) => [m.detector, m.line]), [['private-key', 1], ['github-pat', 6]]);
  });

  it('joins a PEM block inside decoded base64 text', () => {
    const key = ['-----BEGIN RSA PRIVATE KEY-----', ...body('b64pem', 5), '-----END RSA PRIVATE KEY-----', ''].join('\n');
    const [match] = run([`${TS}${Buffer.from(key).toString('base64')}`]);
    assert.equal(match?.detector, 'private-key');
    assert.equal(match?.encoding, 'base64');
    assert.equal(match?.confidence, 'high');
  });

  it('reports the same single-line matches as scanLine', () => {
    const line = `${TS}GH_TOKEN=${checksummedToken('ghp_', 'same')} ${jwt(githubOidcClaims())}`;
    const scanner = new LineScanner();
    assert.deepEqual(
      scanner.push(line).map(({ line: _l, endLine: _e, ...rest }) => rest),
      scanLine(line),
    );
  });
});

describe('adversarial lines', () => {
  // Logs are attacker-controlled text: repeated prefixes and unterminated constructs must stay linear.
  const cases: Record<string, string> = {
    'repeated eyJ': 'eyJ'.repeat(100_000),
    'JWT look-alikes': 'eyJa.eyJb.'.repeat(30_000),
    'repeated BEGIN without END': '-----BEGIN PRIVATE KEY-----'.repeat(10_000),
    'BEGINs before a far END': `${'-----BEGIN PRIVATE KEY-----'.repeat(5_000)}${'x'.repeat(100_000)}-----END PRIVATE KEY-----`,
    'repeated AWS key ids': 'AKIAABCDEFGHIJKLMNOP '.repeat(20_000),
    'unterminated runner secret': `{"value":"${'a'.repeat(300_000)}`,
    'repeated URL scheme': 'postgres://a:'.repeat(30_000),
    'huge base64 run': Buffer.from('x'.repeat(600_000)).toString('base64'),
    'repeated keywords': 'ghp_pypi-npm_sk-xoxglpat-'.repeat(20_000),
  };
  for (const [name, line] of Object.entries(cases)) {
    it(`scans ${name} in linear time`, () => {
      const started = performance.now();
      scanLine(line);
      assert.ok(performance.now() - started < 3_000, `${name}: ${(performance.now() - started).toFixed(0)} ms`);
    });
  }
});

describe('redactLine', () => {
  it('replaces plain secrets with markers and encoded ones with their whole run', async () => {
    const { redactLine } = await import('../../src/detectors/redact-line.ts');
    const ghp = checksummedToken('ghp_', 'redact');
    const password = seededAlnum('redact-pw', 16);
    const plainLine = `GH_TOKEN=${ghp} DATABASE_URL=postgres://app:${password}@db.octo.dev/app`;
    const redacted = redactLine(plainLine, scanLine(plainLine));
    assert.ok(!redacted.includes(ghp) && !redacted.includes(password));
    assert.match(redacted, /^GH_TOKEN=ghp_[A-Za-z0-9]{4}…\[sha256:[0-9a-f]{12}\] DATABASE_URL=postgres:\/\/app:…\[sha256:[0-9a-f]{12}\]@db\.octo\.dev\/app$/);

    const inner = `"github_token":{"value":"${checksummedToken('ghs_', 'redact')}","isSecret":true}\n"OTHER":"custom-secret-nobody-knows"\n`;
    const blob = Buffer.from(Buffer.from(inner).toString('base64')).toString('base64');
    const line = `${TS}${blob} tail`;
    const matches = scanLine(line);
    assert.deepEqual(matches[0]?.run, { start: TS.length, end: TS.length + blob.length });
    assert.match(redactLine(line, matches), /^2025-09-05T10:00:00\.0230000Z …\[sha256:[0-9a-f]{12}\] tail$/);
  });
});
