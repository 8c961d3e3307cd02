#!/usr/bin/env node
// Throughput of `cordon lock verify`: parsing a 500-package lock (requirements.txt and uv.lock)
// and verifying it against a local index (test/registry/fake-index.ts, in a child process so it
// does not share the event loop), cold cache vs warm cache. See bench/lock/README.md.
//
//   node bench/lock/run.mjs [--json] [--packages N] [--reps N] [--seed N] [--concurrency N]

import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';
import { SeededRandom, positiveOption } from '../lib.mjs';

register();

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const load = (file) => import(pathToFileURL(path.join(ROOT, file)).href);
const BIN = path.join(ROOT, 'bin', 'cordon.js');
const DIST = path.join(ROOT, 'dist', 'cordon.js');

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    packages: { type: 'string', default: '500' },
    reps: { type: 'string', default: '3' },
    seed: { type: 'string', default: '20261122' },
    concurrency: { type: 'string', default: '8' },
    serve: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write('usage: node bench/lock/run.mjs [--json] [--packages N] [--reps N] [--seed N] [--concurrency N]\n');
  process.exit(0);
}

const positive = (name) => positiveOption(args, name);

const PACKAGES = positive('packages');
const REPS = positive('reps');
const SEED = positive('seed');
const CONCURRENCY = positive('concurrency');

// ---------------------------------------------------------------------------------------------
// The generated index: every byte from one seeded PRNG, so both processes build the same one.

const PLATFORMS = ['manylinux_2_17_x86_64', 'manylinux_2_17_aarch64', 'musllinux_1_2_x86_64', 'macosx_11_0_arm64', 'win_amd64'];
const PUBLISHERS = [
  (name) => ({ kind: 'GitHub', repository: `org-${name}/${name}`, workflow: 'release.yml', environment: 'pypi' }),
  (name) => ({ kind: 'GitHub', repository: `${name}-dev/${name}`, workflow: 'publish.yml', environment: null }),
  (name) => ({ kind: 'GitLab', repository: `group/${name}`, workflow_filepath: '.gitlab-ci.yml', environment: 'release' }),
];

/** Projects with 3–8 releases of 2–7 files; most attested; a few yanked, late wheels, publisher changes, removals. */
export function generateProjects(count, seed) {
  const seeded = new SeededRandom(seed);
  const random = () => seeded.next();
  const pick = (items) => items[Math.floor(random() * items.length)];
  const projects = [];
  for (let i = 0; i < count; i++) {
    const name = `pkg-${String(i).padStart(4, '0')}-${pick(['core', 'utils', 'client', 'sdk', 'io', 'lib'])}`;
    const escaped = name.replace(/-/g, '_');
    const attested = random() < 0.6;
    const publisher = pick(PUBLISHERS)(name);
    const releases = [];
    const releaseCount = 3 + Math.floor(random() * 6);
    let time = Date.UTC(2023, 0, 1) + Math.floor(random() * 200) * 86_400_000;
    for (let r = 0; r < releaseCount; r++) {
      const version = `${1 + Math.floor(r / 3)}.${r % 3}.${Math.floor(random() * 3)}`;
      time += (5 + Math.floor(random() * 60)) * 86_400_000;
      const at = (offsetMinutes) => new Date(time + offsetMinutes * 60_000).toISOString();
      const native = random() < 0.4;
      const provenance = attested ? { publisher } : null;
      const files = [{ filename: `${escaped}-${version}.tar.gz`, uploadTime: at(0), provenance }];
      if (native) {
        const platforms = PLATFORMS.slice(0, 1 + Math.floor(random() * PLATFORMS.length));
        for (const platform of platforms) files.push({ filename: `${escaped}-${version}-cp312-cp312-${platform}.whl`, uploadTime: at(1 + files.length), provenance });
      } else files.push({ filename: `${escaped}-${version}-py3-none-any.whl`, uploadTime: at(1), provenance });
      releases.push({ version, files });
    }
    const latest = releases.at(-1);
    const roll = random();
    if (roll < 0.02) latest.yanked = 'regression in the parser';
    else if (roll < 0.04) latest.files.push({ filename: `${escaped}-${latest.version}-cp313-cp313-manylinux_2_17_x86_64.whl`, uploadTime: new Date(Date.parse(latest.files[0].uploadTime) + 40 * 86_400_000).toISOString(), provenance: null, late: true });
    else if (roll < 0.05 && attested) for (const file of latest.files) file.provenance = { publisher: PUBLISHERS[(PUBLISHERS.indexOf(PUBLISHERS.find((p) => p(name).kind === publisher.kind)) + 1) % PUBLISHERS.length](name) };
    projects.push({ name, releases, removed: roll > 0.995 });
  }
  return projects;
}

// ---------------------------------------------------------------------------------------------
// Server child

if (args.serve) {
  const { FakeIndex } = await load('test/registry/fake-index.ts');
  const index = new FakeIndex(generateProjects(PACKAGES, SEED));
  await index.start();
  process.send({ url: index.simpleUrl });
  process.on('message', async (message) => {
    if (message === 'requests') process.send({ requests: index.requests.length });
    if (message === 'stop') {
      await index.close();
      process.exit(0);
    }
  });
} else {
  await runBench();
}

// ---------------------------------------------------------------------------------------------
// Bench

async function runBench() {
  const { fakeSha256 } = await load('test/registry/fake-index.ts');
  const { parseRequirements, requirementsToLockFile } = await load('src/models/python/requirements.ts');
  const { parseLockFile } = await load('src/models/python/lockfiles.ts');
  const { verifyLocks } = await load('src/analysis/python/verify.ts');
  const { HttpClient, PackageIndex } = await load('src/registry/pypi/index.ts');

  const projects = generateProjects(PACKAGES, SEED);
  const locked = projects.map((project) => ({ project, release: project.releases.at(-1) }));
  const sha = (file) => file.sha256 ?? fakeSha256(file.filename);
  const requirements = [
    '#',
    '# This file is autogenerated by pip-compile with Python 3.12',
    '# by the following command:',
    '#',
    '#    pip-compile --generate-hashes requirements.in',
    '#',
    ...locked.flatMap(({ project, release }) => {
      const files = release.files.filter((file) => !file.late);
      return [`${project.name}==${release.version} \\`, ...files.map((file, i) => `    --hash=sha256:${sha(file)}${i < files.length - 1 ? ' \\' : ''}`), '    # via -r requirements.in'];
    }),
    '',
  ].join('\n');
  const uvLock = [
    'version = 1',
    'revision = 3',
    'requires-python = ">=3.12"',
    '',
    ...locked.flatMap(({ project, release }) => {
      const files = release.files.filter((file) => !file.late);
      const sdist = files.find((file) => file.filename.endsWith('.tar.gz'));
      const wheels = files.filter((file) => file.filename.endsWith('.whl'));
      return [
        '[[package]]',
        `name = "${project.name}"`,
        `version = "${release.version}"`,
        'source = { registry = "https://pypi.org/simple" }',
        `sdist = { url = "https://files.example/${sdist.filename}", hash = "sha256:${sha(sdist)}", size = 1000, upload-time = "${sdist.uploadTime}" }`,
        'wheels = [',
        ...wheels.map((file) => `    { url = "https://files.example/${file.filename}", hash = "sha256:${sha(file)}", size = 1000, upload-time = "${file.uploadTime}" },`),
        ']',
        '',
      ];
    }),
  ].join('\n');

  // Parsing: one warm-up, then the median of 2×reps+1 runs.
  const time = (task) => {
    const start = process.hrtime.bigint();
    const value = task();
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
  };
  const parseReps = REPS * 2 + 1;
  const parseRow = (label, task) => {
    task();
    const runs = Array.from({ length: parseReps }, () => time(task));
    const packages = runs[0].value.packages.length;
    return { label, runs: runs.map((run) => run.ms), packages };
  };
  const parsed = [
    parseRow(`parse requirements.txt (${PACKAGES} pins, ${(requirements.length / 1024).toFixed(0)} KiB)`, () => requirementsToLockFile(parseRequirements('requirements.txt', requirements))),
    parseRow(`parse uv.lock (${PACKAGES} packages, ${(uvLock.length / 1024).toFixed(0)} KiB)`, () => parseLockFile('uv.lock', uvLock)),
  ];
  const lock = requirementsToLockFile(parseRequirements('requirements.txt', requirements));

  // The index, in its own process.
  const server = fork(fileURLToPath(import.meta.url), ['--serve', '--packages', String(PACKAGES), '--seed', String(SEED)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message, key) =>
    new Promise((resolve) => {
      const listener = (reply) => {
        if (reply && key in reply) {
          server.off('message', listener);
          resolve(reply[key]);
        }
      };
      server.on('message', listener);
      if (message) server.send(message);
    });
  const indexUrl = await ask(null, 'url');
  const serverRequests = () => ask('requests', 'requests');

  const verifyRows = [];
  let findings;
  const runVerify = async (label, cacheDir, ttlMs) => {
    const http = new HttpClient({ cacheDir, ttlMs, concurrency: CONCURRENCY });
    const index = new PackageIndex(indexUrl, http);
    const before = await serverRequests();
    const start = process.hrtime.bigint();
    const result = await verifyLocks([{ lock, path: 'requirements.txt', text: requirements }], { indexFor: () => index, lateUploadDays: 7, provenanceHistory: 3 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    findings = result.findings;
    if (result.errors.length > 0) process.stderr.write(`warning: ${result.errors.length} packages failed, e.g. ${result.errors[0].message}\n`);
    return { ms, requests: http.stats.requests, cacheHits: http.stats.cacheHits, revalidated: http.stats.revalidated, network: (await serverRequests()) - before, label };
  };
  const collect = async (label, prepare, ttlMs) => {
    const runs = [];
    for (let rep = 0; rep < REPS; rep++) {
      const cacheDir = prepare();
      runs.push(await runVerify(label, cacheDir, ttlMs));
    }
    verifyRows.push({ label, runs });
  };
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-lock-'));
  try {
    // Warm the JIT and the server once, outside the measurements.
    await runVerify('warm-up', undefined, 0);
    let n = 0;
    await collect('verify, cold cache (every request to the index)', () => path.join(temp, `cold-${n++}`), 600_000);
    const warmDir = path.join(temp, 'warm');
    await runVerify('fill', warmDir, 600_000);
    await collect('verify, warm cache (fresh entries, no request)', () => warmDir, 600_000);
    await collect('verify, warm cache, revalidated (--cache-ttl 0)', () => warmDir, 0);
    // The CLI as users run it (node startup, bundle loading, discovery, JSON output), when dist/ is built.
    if (existsSync(BIN) && readFileSync(DIST, 'utf8').includes('lock verify')) {
      const project = path.join(temp, 'project');
      mkdirSync(project);
      writeFileSync(path.join(project, 'requirements.txt'), requirements);
      const cli = async (cacheDir) => {
        const before = await serverRequests();
        const start = process.hrtime.bigint();
        const code = await new Promise((resolve) => {
          const child = spawn(process.execPath, [BIN, 'lock', 'verify', project, '--index-url', indexUrl, '--cache-dir', cacheDir, '--concurrency', String(CONCURRENCY), '-f', 'json', '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('close', resolve);
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        return { ms, code, requests: undefined, cacheHits: undefined, revalidated: undefined, network: (await serverRequests()) - before };
      };
      const coldRuns = [];
      for (let rep = 0; rep < REPS; rep++) coldRuns.push(await cli(path.join(temp, `cli-cold-${rep}`)));
      verifyRows.push({ label: 'cordon lock verify (CLI), cold cache', runs: coldRuns });
      const warmRuns = [];
      for (let rep = 0; rep < REPS; rep++) warmRuns.push(await cli(path.join(temp, 'cli-cold-0')));
      verifyRows.push({ label: 'cordon lock verify (CLI), warm cache', runs: warmRuns });
    } else {
      process.stderr.write('note: dist/ is not built with `cordon lock`; run `npm run build` for the CLI rows\n');
    }
  } finally {
    server.send('stop');
    rmSync(temp, { recursive: true, force: true });
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rows = [
    ...parsed.map((row) => ({ label: row.label, median: median(row.runs), min: Math.min(...row.runs), packagesPerSecond: (row.packages / median(row.runs)) * 1000 })),
    ...verifyRows.map((row) => {
      const ms = row.runs.map((run) => run.ms);
      const last = row.runs.at(-1);
      return {
        label: row.label,
        median: median(ms),
        min: Math.min(...ms),
        packagesPerSecond: (PACKAGES / median(ms)) * 1000,
        ...(last.requests === undefined ? {} : { requests: last.requests, fromCache: last.cacheHits, revalidated: last.revalidated }),
        network: last.network,
      };
    }),
  ];
  const cold = rows.find((row) => row.label.startsWith('verify, cold'));
  const warm = rows.find((row) => row.label.startsWith('verify, warm cache (fresh'));
  const revalidated = rows.find((row) => row.label.includes('revalidated'));
  const cliCold = rows.find((row) => row.label.endsWith('(CLI), cold cache'));
  const cliWarm = rows.find((row) => row.label.endsWith('(CLI), warm cache'));
  const byRule = {};
  for (const finding of findings) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
  const summary = {
    packages: PACKAGES,
    seed: SEED,
    reps: REPS,
    concurrency: CONCURRENCY,
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    loadavg: os.loadavg(),
    rows,
    speedup: {
      warmOverCold: cold.median / warm.median,
      revalidatedOverCold: cold.median / revalidated.median,
      ...(cliCold && cliWarm ? { cliWarmOverCold: cliCold.median / cliWarm.median } : {}),
    },
    findings: byRule,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
  const width = Math.max(...rows.map((row) => row.label.length));
  const lines = [
    `cordon lock bench: ${PACKAGES} packages, seed ${SEED}, ${REPS} timed runs per verify row, concurrency ${CONCURRENCY}; node ${process.version}, ${summary.cpus} × ${summary.cpu}`,
    '',
    `${'measurement'.padEnd(width)}  ${'median'.padStart(9)}  ${'min'.padStart(9)}  ${'pkgs/s'.padStart(9)}  requests (cache hits / 304s / to the index)`,
    ...rows.map((row) =>
      [
        row.label.padEnd(width),
        fmt(row.median).padStart(9),
        fmt(row.min).padStart(9),
        Math.round(row.packagesPerSecond).toLocaleString('en-US').padStart(9),
        row.requests === undefined ? (row.network === undefined ? '' : `– (– / – / ${row.network})`) : `${row.requests} (${row.fromCache} / ${row.revalidated} / ${row.network})`,
      ].join('  '),
    ),
    '',
    `cache-hit speed-up: warm ${summary.speedup.warmOverCold.toFixed(1)}× faster than cold; revalidating (304s) ${summary.speedup.revalidatedOverCold.toFixed(1)}×${summary.speedup.cliWarmOverCold ? `; CLI end to end ${summary.speedup.cliWarmOverCold.toFixed(1)}×` : ''}`,
    `findings: ${Object.entries(byRule).map(([rule, count]) => `${rule} ${count}`).join(', ') || 'none'}`,
  ];
  const load1 = os.loadavg()[0];
  if (load1 > os.cpus().length / 2) lines.push(`warning: load average ${load1.toFixed(2)} on ${os.cpus().length} CPUs; numbers are noisy`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
