#!/usr/bin/env node
// Throughput benchmark: cordon end to end against the floor of reading and parsing the same
// files with the `yaml` library alone. See bench/README.md for what each number means.
//
//   node bench/audit/run.mjs [--json] [--reps N] [--files N] [--seed N] [--regenerate]

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { positiveOption } from '../lib.mjs';
import { CORPUS_VERSION, DEFAULT_SEED, DEFAULT_TARGET_FILES, generateCorpus, readCorpus } from './corpus.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CORPUS = path.join(HERE, '.corpus');
const BIN = path.join(ROOT, 'bin', 'cordon.js');
const DIST = path.join(ROOT, 'dist', 'cordon.js');
const USAGE_HOOK = pathToFileURL(path.join(HERE, 'rss-hook.mjs')).href;

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    reps: { type: 'string', default: '5' },
    'startup-reps': { type: 'string', default: '10' },
    files: { type: 'string', default: String(DEFAULT_TARGET_FILES) },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    regenerate: { type: 'boolean', default: false },
    worker: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`usage: node bench/audit/run.mjs [--json] [--reps N] [--startup-reps N] [--files N] [--seed N] [--regenerate]\n`);
  process.exit(0);
}

const positive = (name) => positiveOption(args, name);

// ---------------------------------------------------------------------------------------------
// Workers: run in a child process so that each measurement has its own heap and peak RSS.

if (args.worker) {
  const [kind, repsText, ...rest] = args.worker.split(',');
  const dir = rest.join(',');
  const reps = Number(repsText);
  const stamp = JSON.parse(readFileSync(path.join(dir, '.stamp.json'), 'utf8'));
  const files = stamp.list.map((file) => path.join(dir, file));
  const times = [];
  if (kind === 'yaml') {
    const { parseDocument } = await import('yaml');
    let nodes = 0;
    for (let i = 0; i < reps; i++) {
      const start = process.hrtime.bigint();
      nodes = 0;
      for (const file of files) {
        const doc = parseDocument(readFileSync(file, 'utf8'));
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
        if (doc.contents) nodes++;
      }
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    if (nodes !== files.length) throw new Error('parsed fewer documents than files');
  } else if (kind === 'inproc') {
    const { main } = await import(pathToFileURL(DIST).href);
    for (let i = 0; i < reps; i++) {
      const start = process.hrtime.bigint();
      const code = await main(['audit', dir, '--format', 'json', '--output', os.devNull]);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (code === 2) throw new Error('cordon main() returned 2');
    }
  } else {
    throw new Error(`unknown worker ${kind}`);
  }
  process.stdout.write(JSON.stringify({ times, usage: process.resourceUsage() }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (message) => process.stderr.write(`${message}\n`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spawns node with `argv`; resolves with wall time (ms), exit code and stdout. */
function run(argv, { env = process.env, capture = true } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout?.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

async function worker(kind, reps) {
  const result = await run([fileURLToPath(import.meta.url), '--worker', `${kind},${reps},${CORPUS}`]);
  if (result.code !== 0) throw new Error(`${kind} worker failed:\n${result.stderr}`);
  return { ...JSON.parse(result.stdout), wallMs: result.ms };
}

const mb = (bytes) => bytes / 1e6;

// ---------------------------------------------------------------------------------------------
// Main

const reps = positive('reps');
const startupReps = positive('startup-reps');
const targetFiles = positive('files');
const seed = positive('seed');

if (!existsSync(DIST)) {
  log(`cordon is not built (${path.relative(ROOT, DIST)} is missing): run \`npm run build\` (or \`npm ci\`) first`);
  process.exit(1);
}

const loadBefore = os.loadavg()[0];
let stamp = args.regenerate ? undefined : readCorpus(CORPUS, { seed, targetFiles });
let generatedMs = null;
if (!stamp) {
  log(`generating corpus (v${CORPUS_VERSION}, seed ${seed}, ${targetFiles} files) in ${path.relative(ROOT, CORPUS)}/ …`);
  const start = process.hrtime.bigint();
  stamp = generateCorpus(CORPUS, { seed, targetFiles });
  generatedMs = Number(process.hrtime.bigint() - start) / 1e6;
}
const { files, bytes } = stamp;

// Startup: interleave the two commands so that drift affects both alike; one warm-up each.
log(`startup: ${startupReps} spawns each of \`node -e 0\` and \`cordon --version\` …`);
const nodeTimes = [];
const versionTimes = [];
for (let i = 0; i <= startupReps; i++) {
  const bare = await run(['-e', '0']);
  const version = await run([BIN, '--version']);
  if (version.code !== 0 || !version.stdout.startsWith('cordon ')) throw new Error(`cordon --version failed: ${version.stderr}`);
  if (i > 0) {
    nodeTimes.push(bare.ms);
    versionTimes.push(version.ms);
  }
}
const cordonVersion = (await run([BIN, '--version'])).stdout.trim();

// (a) the floor: read + yaml.parseDocument every file, in-process, warm (1 warm-up + reps).
log(`floor: yaml parseDocument over ${files} files, 1 warm-up + ${reps} runs …`);
const yamlWarm = await worker('yaml', reps + 1);
const yamlTimes = yamlWarm.times.slice(1);
// The same floor in a fresh process, parsed once: what a one-shot CLI built on `yaml` alone would pay.
const yamlCold = await worker('yaml', 1);

// (b) cordon end to end, exactly as a user runs it. The warm-up run (not timed) carries a
// preload that records the process's peak RSS and CPU time.
const cordonArgv = [BIN, 'audit', CORPUS, '--format', 'json'];
log(`cordon: \`cordon audit <corpus> --format json\`, 1 warm-up + ${reps} runs …`);
const usageDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-'));
const usageFile = path.join(usageDir, 'usage.json');
const warm = await run(['--import', USAGE_HOOK, ...cordonArgv], { env: { ...process.env, CORDON_BENCH_USAGE_FILE: usageFile } });
if (warm.code === 2) throw new Error(`cordon audit failed (exit 2):\n${warm.stderr}`);
const cordonUsage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) : null;
rmSync(usageDir, { recursive: true, force: true });
const cordonTimes = [];
let report;
let exitCode;
for (let i = 0; i < reps; i++) {
  const result = await run(cordonArgv);
  if (result.code === 2) throw new Error(`cordon audit failed (exit 2):\n${result.stderr}`);
  cordonTimes.push(result.ms);
  if (i === reps - 1) {
    report = JSON.parse(result.stdout);
    exitCode = result.code;
  }
}

// cordon's main() in-process: first call (loads the rule chunks and the shell parser) and warm calls.
log(`cordon: main() in-process, ${reps + 1} calls …`);
const inproc = await worker('inproc', reps + 1);
const inprocFirst = inproc.times[0];
const inprocWarm = inproc.times.slice(1);

// ---------------------------------------------------------------------------------------------
// Report

const rate = (ms) => ({ filesPerSecond: files / (ms / 1000), mbPerSecond: mb(bytes) / (ms / 1000) });
// `calls`: how many passes the process that reported `usage` made, to give CPU time per pass.
const row = (label, times, usage, calls, note) => {
  const ms = median(times);
  const cpu = usage ? (usage.userCPUTime + usage.systemCPUTime) / 1000 / calls : null;
  return { label, medianMs: ms, minMs: Math.min(...times), runs: times.length, ...rate(ms), peakRssMb: usage ? usage.maxRSS / 1024 : null, cpuMsPerRun: cpu, note };
};
const rows = [
  row('yaml parseDocument, warm (floor)', yamlTimes, yamlWarm.usage, reps + 1, 'in-process: read + parse every file, after one warm-up pass'),
  row('yaml parseDocument, fresh process', [yamlCold.wallMs], yamlCold.usage, 1, 'spawned node that imports yaml and parses everything once; wall time of the spawn'),
  row('cordon audit --format json (e2e)', cordonTimes, cordonUsage, 1, 'spawned `node bin/cordon.js audit <corpus> --format json`, wall time; RSS and CPU from the warm-up run'),
  row('cordon main() in-process, 1st call', [inprocFirst], null, 1, 'first main() call in a fresh process: loads the rule chunks and the tree-sitter shell parser'),
  row('cordon main() in-process, warm', inprocWarm, inproc.usage, reps + 1, 'later main() calls in the same process (JIT warm, parser loaded); CPU averaged over all calls'),
];
const floorMs = median(yamlTimes);
const cordonMs = median(cordonTimes);
const summary = report.summary;
// Other work on the machine inflates wall times (CPU times much less): say so next to the numbers.
const load = { before: loadBefore, after: os.loadavg()[0] };
const busy = Math.max(load.before, load.after) > os.cpus().length * 0.5 + 0.5;
const result = {
  cordon: cordonVersion,
  loadAverage: load,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  corpus: { version: CORPUS_VERSION, seed, files, bytes, sha256: stamp.sha256, generatedMs },
  reps,
  rows,
  ratio: {
    cordonE2eOverYamlFloor: cordonMs / floorMs,
    cordonWarmOverYamlFloor: median(inprocWarm) / floorMs,
    cordonE2eOverYamlFreshProcess: cordonMs / yamlCold.wallMs,
  },
  findings: { total: summary.findings, bySeverity: summary.bySeverity, byRule: countBy(report.findings, (f) => f.rule), filesAudited: summary.filesAudited, errors: summary.errors, exitCode },
  startup: { nodeMs: median(nodeTimes), cordonVersionMs: median(versionTimes), spawns: startupReps },
};

function countBy(list, key) {
  const counts = {};
  for (const item of list) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

if (summary.filesAudited !== files) log(`warning: cordon audited ${summary.filesAudited} files, the corpus has ${files}`);

if (args.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  const table = [
    ['', 'median', 'min', 'runs', 'files/s', 'MB/s', 'peak RSS', 'CPU/run'],
    ...rows.map((r) => [r.label, fmtMs(r.medianMs), fmtMs(r.minMs), String(r.runs), r.filesPerSecond.toFixed(0), r.mbPerSecond.toFixed(2), r.peakRssMb === null ? '—' : `${r.peakRssMb.toFixed(0)} MB`, r.cpuMsPerRun === null ? '—' : fmtMs(r.cpuMsPerRun)]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [];
  out.push(`${cordonVersion} · node ${process.version} · ${result.cpus} × ${result.cpuModel}`);
  out.push(`corpus: ${files} files, ${mb(bytes).toFixed(2)} MB (v${CORPUS_VERSION}, seed ${seed}, sha256 ${stamp.sha256.slice(0, 12)}…)${generatedMs === null ? '' : `, generated in ${fmtMs(generatedMs)}`}`);
  out.push('');
  out.push(line(table[0]));
  for (const cells of table.slice(1)) out.push(line(cells));
  out.push('');
  out.push(`ratio  cordon e2e / yaml floor: ${result.ratio.cordonE2eOverYamlFloor.toFixed(1)}×   cordon warm in-process / yaml floor: ${result.ratio.cordonWarmOverYamlFloor.toFixed(1)}×   cordon e2e / yaml fresh process: ${result.ratio.cordonE2eOverYamlFreshProcess.toFixed(1)}×`);
  const sev = Object.entries(summary.bySeverity).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ');
  out.push(`findings  ${summary.findings} (${sev}) in ${summary.filesAudited} files, ${summary.errors} errors, exit ${exitCode}`);
  out.push(`          ${Object.entries(result.findings.byRule).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push(`startup  node -e 0: ${fmtMs(result.startup.nodeMs)}   cordon --version: ${fmtMs(result.startup.cordonVersionMs)} (+${fmtMs(result.startup.cordonVersionMs - result.startup.nodeMs)})   median of ${startupReps}`);
  if (busy) out.push(`warning  1-minute load average was ${load.before.toFixed(1)} before and ${load.after.toFixed(1)} after on ${result.cpus} CPUs: other work competed for the CPU, so wall times are inflated (compare min and CPU/run)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
