/**
 * Scanner throughput on a synthetic GitHub Actions log (not a test; run by hand):
 *
 *   node --import tsx test/detectors/throughput.ts [MB=50] [seed=1]
 *
 * The log mimics a Python/Node CI job: timestamped lines, `##[group]` markers, pip download
 * progress bars, `sha256:` digests, `integrity: sha512-…` lines, `Cache restored from key: …`,
 * git SHAs, UUIDs, URLs and paths, test output, with one planted credential every ~2,000 lines
 * and a few tj-actions-style double-base64 dumps. Reports MB/s for `scanLine` over pre-split
 * lines, for `LineScanner`, and for split + scan of the whole text.
 */
import { createHash } from 'node:crypto';
import { LineScanner, scanLine } from '../../src/detectors/scanner.ts';
import { checksummedToken, githubOidcClaims, jwt, pypi, seededAlnum, seededUuid } from './builders.ts';

const targetMb = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? 1);

let state = seed >>> 0 || 1;
function rand(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x100000000;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const hex = (n: number): string => createHash('sha256').update(String(rand())).digest('hex').repeat(2).slice(0, n);
const b64 = (n: number): string => createHash('sha512').update(String(rand())).digest('base64').repeat(2).slice(0, n);

let clock = Date.UTC(2025, 8, 5, 10, 0, 0);
function stamp(): string {
  clock += Math.floor(rand() * 40);
  return `${new Date(clock).toISOString().slice(0, 23)}0000Z `;
}

const PACKAGES = ['numpy', 'requests', 'urllib3', 'certifi', 'charset-normalizer', 'idna', 'pytest', 'pluggy', 'packaging', 'iniconfig', 'typing-extensions', 'pydantic', 'pydantic-core', 'annotated-types'];
const NPM = ['@babel/core', 'lodash', 'react', 'typescript', 'esbuild', 'vite', 'rollup', '@types/node', 'chalk', 'semver'];

function noiseLine(): string {
  const r = rand();
  if (r < 0.12) return `${stamp()}Collecting ${pick(PACKAGES)}>=1.${Math.floor(rand() * 30)}`;
  if (r < 0.22) {
    const total = (rand() * 20).toFixed(1);
    return `${stamp()}   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ ${total}/${total} MB ${(rand() * 90).toFixed(1)} MB/s eta 0:00:00`;
  }
  if (r < 0.28) return `${stamp()}  Downloading ${pick(PACKAGES)}-${Math.floor(rand() * 3)}.${Math.floor(rand() * 30)}.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (${(rand() * 20).toFixed(1)} MB)`;
  if (r < 0.33) return `${stamp()}#${Math.floor(rand() * 20)} sha256:${hex(64)} ${(rand() * 50).toFixed(2)}MB / ${(rand() * 50).toFixed(2)}MB ${(rand() * 9).toFixed(1)}s done`;
  if (r < 0.37) return `${stamp()}      integrity: sha512-${b64(86)}==`;
  if (r < 0.39) return `${stamp()}Cache restored from key: ${pick(['Linux', 'macOS', 'Windows'])}-pip-${hex(64)}`;
  if (r < 0.42) return `${stamp()}HEAD is now at ${hex(7)} Merge pull request #${Math.floor(rand() * 9000)} from octo-org/${seededUuid(String(rand())).slice(0, 8)}`;
  if (r < 0.45) return `${stamp()}[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +${hex(40)}:refs/remotes/origin/main`;
  if (r < 0.47) return `${stamp()}##[group]Run actions/setup-python@${hex(40)}`;
  if (r < 0.49) return `${stamp()}##[endgroup]`;
  if (r < 0.52) return `${stamp()}request-id: ${seededUuid(String(rand()))} trace ${seededUuid(String(rand()))}`;
  if (r < 0.6) return `${stamp()}tests/test_${pick(PACKAGES).replace(/-/g, '_')}.py::test_case_${Math.floor(rand() * 500)} PASSED                    [ ${Math.floor(rand() * 100)}%]`;
  if (r < 0.66) return `${stamp()}npm http fetch GET 200 https://registry.npmjs.org/${pick(NPM)}/-/${pick(NPM).replace('@', '').replace('/', '-')}-${Math.floor(rand() * 9)}.${Math.floor(rand() * 20)}.0.tgz ${Math.floor(rand() * 400)}ms (cache miss)`;
  if (r < 0.7) return `${stamp()}  /home/runner/work/octo-repo/octo-repo/src/octo/module_${Math.floor(rand() * 99)}.py:${Math.floor(rand() * 900)}: DeprecationWarning: datetime.datetime.utcnow() is deprecated`;
  if (r < 0.74) return `${stamp()}Successfully installed ${PACKAGES.slice(0, 1 + Math.floor(rand() * 8)).map((p) => `${p}-${Math.floor(rand() * 3)}.${Math.floor(rand() * 30)}.0`).join(' ')}`;
  if (r < 0.77) return `${stamp()}  env:`;
  if (r < 0.8) return `${stamp()}    pythonLocation: /opt/hostedtoolcache/Python/3.12.${Math.floor(rand() * 9)}/x64`;
  if (r < 0.83) return `${stamp()}Received ${Math.floor(rand() * 1e8)} of ${Math.floor(rand() * 1e8)} (${(rand() * 100).toFixed(1)}%), ${(rand() * 50).toFixed(1)} MBs/sec`;
  if (r < 0.86) return `${stamp()}`;
  if (r < 0.9) return `${stamp()}ok ${Math.floor(rand() * 900)} - ${pick(NPM)} renders the ${pick(['header', 'footer', 'sidebar', 'modal'])} component with ${pick(['props', 'state', 'context'])} (${Math.floor(rand() * 90)}ms)`;
  if (r < 0.93) return `${stamp()}Digest: sha256:${hex(64)}`;
  if (r < 0.96) return `${stamp()}  warning: in the working copy of '${pick(['src', 'docs', 'tests'])}/${pick(PACKAGES)}.md', LF will be replaced by CRLF the next time Git touches it`;
  return `${stamp()}${pick(['Installing collected packages', 'Building wheel', 'Running setup.py', 'Preparing metadata (pyproject.toml) ... done', 'Created wheel for octo'])}: ${pick(PACKAGES)}`;
}

function planted(index: number): string {
  const kind = index % 10;
  switch (kind) {
    case 0:
      return `${stamp()}TWINE_PASSWORD=${pypi.project(['octo'], `p${index}`)}`;
    case 1:
      return `${stamp()}GITHUB_TOKEN=${checksummedToken('ghs_', `g${index}`)}`;
    case 2:
      return `${stamp()}{"value":"${jwt(githubOidcClaims(), undefined, `j${index}`)}"}`;
    case 3:
      return `${stamp()}//registry.npmjs.org/:_authToken=${checksummedToken('npm_', `n${index}`)}`;
    case 4:
      return `${stamp()}ACTIONS_ID_TOKEN_REQUEST_TOKEN=${jwt({ iss: 'https://vstoken.actions.githubusercontent.com', exp: 1 }, undefined, `r${index}`)}`;
    case 5:
      return `${stamp()}aws_secret_access_key = ${seededAlnum(`a${index}`, 40)}`;
    case 6:
      return `${stamp()}DOCKER_PASSWORD=dckr_pat_${seededAlnum(`d${index}`, 27)}`;
    case 7:
      return `${stamp()}glpat-${seededAlnum(`l${index}`, 20)}`;
    case 8: {
      const inner = `"github_token":{"value":"${checksummedToken('ghs_', `t${index}`)}","isSecret":true}\n"PYPI_TOKEN":{"value":"${pypi.project(['octo'], `q${index}`)}","isSecret":true}\n`;
      return `${stamp()}${Buffer.from(Buffer.from(inner).toString('base64')).toString('base64')}`;
    }
    default:
      return `${stamp()}DATABASE_URL=postgres://app:${seededAlnum(`u${index}`, 16)}@db-${index}.internal.octo.dev:5432/app`;
  }
}

let lines: string[] = [];
let bytes = 0;
let plantedCount = 0;
while (bytes < targetMb * 1e6) {
  const line = lines.length % 2000 === 1999 ? planted(plantedCount++) : noiseLine();
  lines.push(line);
  bytes += Buffer.byteLength(line) + 1;
}
// As a log reader gets them: one UTF-8 file read into a string, split into lines (the progress
// bars make it a two-byte string, and the lines slices of it).
const text = Buffer.from(lines.join('\n'), 'utf8').toString('utf8');
lines = text.split('\n');
const mb = Buffer.byteLength(text) / 1e6;

function best(label: string, run: () => number): void {
  let bestWall = Infinity;
  let bestCpu = Infinity;
  let found = 0;
  for (let attempt = 0; attempt < 15; attempt++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    found = run();
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1000);
  }
  const rate = (ms: number): string => `${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s`;
  console.log(`${label.padEnd(38)} wall ${bestWall.toFixed(0).padStart(5)} ms ${rate(bestWall)}   cpu ${bestCpu.toFixed(0).padStart(5)} ms ${rate(bestCpu)}   ${found} matches`);
}

console.log(`${mb.toFixed(1)} MB, ${lines.length} lines, ${plantedCount} planted lines (${Math.ceil(plantedCount / 10)} double-base64 dumps of 2 tokens each)`);
best('scanLine over split lines', () => {
  let found = 0;
  for (const line of lines) found += scanLine(line).length;
  return found;
});
best('LineScanner.push over lines', () => {
  const scanner = new LineScanner();
  let found = 0;
  for (const line of lines) found += scanner.push(line).length;
  return found + scanner.flush().length;
});
best('split("\\n") + scanLine', () => {
  let found = 0;
  for (const line of text.split('\n')) found += scanLine(line).length;
  return found;
});
const plainOnly = { maxDepth: 0 };
best('scanLine, base64 decoding off', () => {
  let found = 0;
  for (const line of lines) found += scanLine(line, plainOnly).length;
  return found;
});
