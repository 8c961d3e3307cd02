#!/usr/bin/env node
// `cordon logs` benchmark: speed, memory, recall and false positives on a large synthetic
// GitHub Actions log with planted credentials, next to secretlint (recommended preset) on the
// same file, in the same run. See bench/logs/README.md for what is planted and how it is scored.
//
//   node bench/logs/run.mjs [--size MB] [--seed N] [--json] [--reps N] [--prefix MB] [--regenerate]

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DATA_DIR, DEFAULT_SEED, DEFAULT_SIZE_MB, GENERATOR_VERSION, ensureLog } from './generate.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BIN = path.join(ROOT, 'bin', 'cordon.js');
const DIST = path.join(ROOT, 'dist', 'cordon.js');
const USAGE_HOOK = pathToFileURL(path.join(ROOT, 'bench', 'audit', 'rss-hook.mjs')).href;
const SECRETLINT_RC = path.join(HERE, 'secretlintrc.json');
const MB = 1e6;

/** The targets of the `cordon logs` issue. */
const TARGETS = { mbPerSecondOneCore: 400, recall: 1, falsePositives: 0, peakRssMb: 150 };

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: String(DEFAULT_SIZE_MB) },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    json: { type: 'boolean', default: false },
    reps: { type: 'string', default: '3' },
    prefix: { type: 'string' },
    timeout: { type: 'string', default: '150' },
    regenerate: { type: 'boolean', default: false },
    tools: { type: 'string', default: 'cordon,secretlint' },
    'max-list': { type: 'string', default: '40' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(
    'usage: node bench/logs/run.mjs [--size MB] [--seed N] [--json] [--reps N] [--prefix MB] [--timeout S] [--tools cordon,secretlint] [--max-list N] [--regenerate]\n',
  );
  process.exit(0);
}

const num = (name, { integer = false, min = 0 } = {}) => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value <= min - 1e-9 || (integer && !Number.isInteger(value))) {
    process.stderr.write(`--${name} must be a ${integer ? 'whole' : ''} number ≥ ${min}\n`);
    process.exit(2);
  }
  return value;
};
const sizeMb = num('size', { min: 1 });
const seed = num('seed', { integer: true, min: 0 });
const reps = num('reps', { integer: true, min: 1 });
const timeoutMs = num('timeout', { min: 1 }) * 1000;
const maxList = num('max-list', { integer: true, min: 0 });
const forcedPrefix = args.prefix === undefined ? undefined : num('prefix', { min: 1 });
const tools = new Set(args.tools.split(',').map((t) => t.trim()).filter(Boolean));

const log = (message) => process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// Spawning and measuring

/** Spawns node with `argv`; resolves with wall time (ms), exit code, signal, stdout and stderr. */
function run(argv, { env = process.env, pin = false, keepStdout = true } = {}) {
  return new Promise((resolve, reject) => {
    const [cmd, cmdArgs] = pin ? ['taskset', ['-c', '0', process.execPath, ...argv]] : [process.execPath, argv];
    const start = process.hrtime.bigint();
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      if (keepStdout) out.push(chunk);
    });
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, code, signal, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const canPin = os.platform() === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Runs `argv` with the usage hook: the result and the process's own resourceUsage() at exit. */
async function runHooked(argv, { pin = false, keepStdout = true } = {}) {
  const usageDir = mkdtempSync(path.join(os.tmpdir(), 'cordon-bench-logs-'));
  const usageFile = path.join(usageDir, 'usage.json');
  try {
    const result = await run(['--import', USAGE_HOOK, ...argv], { env: { ...process.env, CORDON_BENCH_USAGE_FILE: usageFile }, pin, keepStdout });
    const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) : null;
    return { result, usage };
  } finally {
    rmSync(usageDir, { recursive: true, force: true });
  }
}

/**
 * One tool on one file: a first run carrying the usage hook (peak RSS and CPU time; its output is
 * what is scored), then `reps` timed runs without the hook, then `reps` runs pinned to one core
 * (with the hook, for more CPU-time samples).
 */
async function measure(tool, file) {
  const argv = tool.argv(file);
  const failed = (result) => result.timedOut || result.signal || !tool.okExit(result.code);
  const describe = (result) =>
    result.timedOut ? `timed out after ${timeoutMs / 1000} s` : result.signal ? `killed by ${result.signal}` : `exit ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`;
  // Too big for the tool (time, memory, V8's string limit), as opposed to a bug or a usage error.
  const tooBig = (result) => result.timedOut || Boolean(result.signal) || /out of memory|Invalid string length|ERR_STRING_TOO_LONG|Cannot create a string longer/i.test(result.stderr);
  const failure = (result) => ({ ok: false, error: describe(result), tooBig: tooBig(result), wallMs: result.ms });

  log(`  ${tool.name}: run with the usage hook …`);
  const { result: first, usage } = await runHooked(argv);
  if (failed(first)) return failure(first);
  const usages = usage ? [usage] : [];

  const times = [];
  for (let i = 0; i < reps; i++) {
    log(`  ${tool.name}: timed run ${i + 1}/${reps} …`);
    const result = await run(argv, { keepStdout: false });
    if (failed(result)) return failure(result);
    times.push(result.ms);
  }
  const pinned = [];
  if (canPin) {
    for (let i = 0; i < reps; i++) {
      log(`  ${tool.name}: run ${i + 1}/${reps} pinned to one core (taskset -c 0) …`);
      const { result, usage: u } = await runHooked(argv, { pin: true, keepStdout: false });
      if (failed(result)) return failure(result);
      pinned.push(result.ms);
      if (u) usages.push(u);
    }
  }
  return { ok: true, first, usage, usages, times, pinned, exitCode: first.code, reported: tool.parse(first.stdout, file) };
}

// ---------------------------------------------------------------------------------------------
// Tools

/** Finds the findings of `cordon logs --format json`, whatever the exact envelope. */
function parseCordon(stdout) {
  const report = JSON.parse(stdout);
  const list = Array.isArray(report) ? report : (report.findings ?? []);
  return list.map((f) => ({
    line: f.line ?? f.location?.line ?? f.start?.line ?? f.region?.startLine,
    endLine: f.endLine ?? f.location?.endLine ?? f.end?.line,
    column: f.column ?? f.location?.column,
    rule: f.rule ?? f.ruleId ?? f.detector ?? 'unknown',
  }));
}

/** `secretlint --format unix`: `<path>:<line>:<column>: [<messageId>] <message> [Error/<rule>]`. */
function parseSecretlint(stdout, file) {
  const out = [];
  for (const text of stdout.split('\n')) {
    if (!text.startsWith(`${file}:`)) continue;
    const m = /^(\d+):(\d+): \[([^\]]+)\]/.exec(text.slice(file.length + 1));
    if (m) out.push({ line: Number(m[1]), column: Number(m[2]), rule: m[3] });
  }
  return out;
}

const require = createRequire(import.meta.url);
function secretlintBin() {
  try {
    const pkgPath = require.resolve('secretlint/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.secretlint;
    const presetPkg = JSON.parse(readFileSync(require.resolve('@secretlint/secretlint-rule-preset-recommend/package.json'), 'utf8'));
    return { bin: path.join(path.dirname(pkgPath), bin), version: pkg.version, presetVersion: presetPkg.version };
  } catch {
    return null;
  }
}

/** The floor: a node process that reads the file in 1 MiB chunks and counts its lines, nothing else. */
const FLOOR_SCRIPT = `const fs=require('fs');const fd=fs.openSync(process.argv[1],'r');const b=Buffer.allocUnsafe(1<<20);let n=0,r;while((r=fs.readSync(fd,b,0,b.length,null))>0){let i=-1;while((i=b.indexOf(10,i+1))!==-1&&i<r)n++;}process.stdout.write(String(n));`;

const TOOLS = {
  floor: {
    name: 'floor',
    label: 'floor: read + count lines',
    scored: false,
    argv: (file) => ['-e', FLOOR_SCRIPT, file],
    okExit: (code) => code === 0,
    parse: () => [],
  },
  cordon: {
    name: 'cordon',
    argv: (file) => [BIN, 'logs', file, '--format', 'json'],
    okExit: (code) => code === 0 || code === 1,
    parse: (stdout) => parseCordon(stdout),
  },
  secretlint: {
    name: 'secretlint',
    // `--format unix` prints one line per finding; `--format json` would embed the whole 200 MB
    // source in the output (and double the memory), stylish needs a TTY-width table.
    argv: (file) => [SECRETLINT.bin, '--secretlintrc', SECRETLINT_RC, '--format', 'unix', '--no-color', '--no-terminalLink', '--no-glob', file],
    okExit: (code) => code === 0 || code === 1,
    parse: (stdout, file) => parseSecretlint(stdout, file),
  },
};

// ---------------------------------------------------------------------------------------------
// Scoring

const NOT_CREDENTIALS = new Set(['actions-id-token-request-url']);

/**
 * Recall: a planted credential is found when the tool reports a line inside it (its line; for a
 * PEM block any line from BEGIN to END; a double-base64 dump is one line). False positives: lines
 * reported that hold no planted credential and are not `related` to one (the push line repeating
 * a `git remote -v` token, the ACTIONS_ID_TOKEN_REQUEST_URL next to the token, an AWS session
 * token); counted once per line however many findings the line has.
 */
function score(truth, reported, maxLine) {
  // The OIDC request URL is planted for realism but is not a credential: it mints nothing without
  // the request token (docs/logs.md). Reporting it is allowed, not required.
  const notCredentials = truth.planted.filter((p) => NOT_CREDENTIALS.has(p.kind));
  const planted = truth.planted.filter((p) => p.line <= maxLine && !NOT_CREDENTIALS.has(p.kind));
  const plantedAt = new Map();
  for (const p of planted) for (let l = p.line; l <= p.endLine; l++) plantedAt.set(l, [...(plantedAt.get(l) ?? []), p]);
  const related = new Set([...truth.related, ...notCredentials.map((p) => p.line)]);
  const decoyAt = new Map(truth.decoys.map((d) => [d.line, d]));
  const rulesAt = new Map();
  for (const r of reported) {
    if (!Number.isInteger(r.line)) continue;
    const lines = r.endLine && r.endLine > r.line && r.endLine - r.line < 100 ? Array.from({ length: r.endLine - r.line + 1 }, (_, i) => r.line + i) : [r.line];
    for (const l of lines) rulesAt.set(l, [...(rulesAt.get(l) ?? []), r.rule]);
  }
  const found = [];
  const missed = [];
  for (const p of planted) {
    let rules = null;
    for (let l = p.line; l <= p.endLine; l++) if (rulesAt.has(l)) rules = [...(rules ?? []), ...rulesAt.get(l)];
    (rules ? found : missed).push({ ...p, rules: rules ? [...new Set(rules)] : [] });
  }
  const falsePositives = [];
  let relatedReported = 0;
  for (const [line, rules] of rulesAt) {
    if (plantedAt.has(line)) continue;
    if (related.has(line)) {
      relatedReported++;
      continue;
    }
    falsePositives.push({ line, rules: [...new Set(rules)], decoy: decoyAt.get(line) ?? null });
  }
  falsePositives.sort((a, b) => a.line - b.line);
  const byKind = {};
  for (const p of planted) {
    const k = (byKind[p.kind] ??= { planted: 0, found: 0, reportedAs: {} });
    k.planted++;
  }
  for (const p of found) {
    const k = byKind[p.kind];
    k.found++;
    for (const rule of p.rules) k.reportedAs[rule] = (k.reportedAs[rule] ?? 0) + 1;
  }
  const fpByRule = {};
  for (const fp of falsePositives) for (const rule of fp.rules) fpByRule[rule] = (fpByRule[rule] ?? 0) + 1;
  return {
    planted: planted.length,
    found: found.length,
    recall: planted.length ? found.length / planted.length : 1,
    findings: reported.length,
    falsePositiveLines: falsePositives.length,
    falsePositiveDecoys: falsePositives.filter((f) => f.decoy).length,
    relatedReported,
    fpByRule,
    byKind,
    missed,
    falsePositives,
  };
}

// ---------------------------------------------------------------------------------------------
// Showing lines without the secrets in them

/** The text of the given 1-based lines: one pass over the file's bytes, decoding only those lines. */
function readLines(file, wanted) {
  const want = new Set(wanted);
  const out = new Map();
  if (!want.size) return out;
  const buf = readFileSync(file);
  const max = Math.max(...want);
  let start = 0;
  for (let line = 1; start < buf.length && line <= max; line++) {
    let end = buf.indexOf(10, start);
    if (end === -1) end = buf.length;
    if (want.has(line)) out.set(line, buf.toString('utf8', start, end));
    start = end + 1;
  }
  return out;
}

/** Drops the timestamp, replaces planted values by `<prefix…(N chars)>`, shortens long runs. */
function elide(text, values = []) {
  let out = text.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z /, '');
  for (const value of values) {
    for (const part of value.split('\n')) {
      if (part.length < 8) continue;
      out = out.split(part).join(`${part.slice(0, Math.min(12, Math.floor(part.length / 3)))}…(${part.length} chars)`);
    }
  }
  // Anything else long and token-like (base64, hex, JWT segments) keeps only its first characters.
  out = out.replace(/[A-Za-z0-9+/_-]{41,}={0,2}/g, (run) => `${run.slice(0, 12)}…(${run.length} chars)`);
  return out.length > 220 ? `${out.slice(0, 220)}…` : out;
}

/** Groups false-positive lines by the shape of their text, so thousands of alike lines show once. */
function shapeOf(text) {
  return text
    .replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z /, '')
    .replace(/[0-9a-f]{32,}/g, '<hex>')
    .replace(/[A-Za-z0-9+/_=-]{20,}/g, '<token>')
    .replace(/\d+/g, 'N')
    .slice(0, 120);
}

// ---------------------------------------------------------------------------------------------
// Main

const SECRETLINT = secretlintBin();
if (tools.has('secretlint') && !SECRETLINT) {
  log('secretlint is not installed (devDependency): run `npm ci` first; measuring cordon only');
  tools.delete('secretlint');
}

let cordonAvailable = false;
const cordonVersion = existsSync(DIST) ? spawnSync(process.execPath, [BIN, '--version'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || null : null;
if (tools.has('cordon')) {
  if (!existsSync(DIST)) {
    log(`cordon is not built (${path.relative(ROOT, DIST)} is missing): run \`npm run build\` (or \`npm ci\`) first`);
  } else {
    const help = spawnSync(process.execPath, [BIN, 'logs', '--help'], { cwd: ROOT, encoding: 'utf8' });
    cordonAvailable = help.status === 0;
    if (!cordonAvailable) log(`\`cordon logs --help\` failed (exit ${help.status}): this build has no \`logs\` command yet; measuring the others only`);
  }
  if (!cordonAvailable) tools.delete('cordon');
}
if (!tools.size) {
  log('nothing to measure');
  process.exit(1);
}

const loadBefore = os.loadavg()[0];
const startedAt = process.hrtime.bigint();

log(`log: ${sizeMb} MB, seed ${seed} (generator v${GENERATOR_VERSION}) in ${path.relative(ROOT, DATA_DIR)}/ …`);
const full = ensureLog({ sizeMb, seed, force: args.regenerate });
if (full.generatedMs !== null) log(`  generated in ${(full.generatedMs / 1000).toFixed(1)} s`);

async function measureAll(dataset, names) {
  const results = {};
  for (const name of names) {
    log(`${name} on ${path.relative(ROOT, dataset.file)} (${(dataset.truth.bytes / MB).toFixed(1)} MB):`);
    const m = await measure(TOOLS[name], dataset.file);
    results[name] = m;
    if (!m.ok) log(`  ${name} failed: ${m.error}`);
  }
  return results;
}

const datasets = [{ label: `${sizeMb} MB`, ...full, results: await measureAll(full, ['floor', ...tools]) }];

// A tool that cannot handle the full log within the timeout: compare both on a prefix as well.
const failedFull = Object.entries(datasets[0].results).filter(([name, m]) => !m.ok && m.tooBig && name !== 'floor').map(([name]) => name);
const prefixMb = forcedPrefix ?? (failedFull.length && sizeMb > 50 ? 50 : undefined);
if (prefixMb !== undefined && prefixMb < sizeMb) {
  log(`${forcedPrefix ? '--prefix' : `${failedFull.join(', ')} could not scan ${sizeMb} MB`}: running every tool on a ${prefixMb} MB prefix as well …`);
  const prefix = ensureLog({ sizeMb: prefixMb, seed, force: args.regenerate });
  datasets.push({ label: `${prefixMb} MB prefix`, ...prefix, results: await measureAll(prefix, ['floor', ...tools]) });
}

// ---------------------------------------------------------------------------------------------
// Report

const rows = [];
for (const ds of datasets) {
  for (const [name, m] of Object.entries(ds.results)) {
    const bytes = ds.truth.bytes;
    if (!m.ok) {
      rows.push({ dataset: ds.label, tool: name, ok: false, error: m.error });
      continue;
    }
    const wallMs = median(m.times);
    // CPU time (user + system) of the hooked runs: robust to other load, unlike wall time.
    const cpuMs = m.usages.length ? median(m.usages.map((u) => (u.userCPUTime + u.systemCPUTime) / 1000)) : null;
    const pinnedMs = m.pinned.length ? median(m.pinned) : null;
    const s = TOOLS[name].scored === false ? { scored: false } : { scored: true, ...score(ds.truth, m.reported, ds.truth.lines) };
    rows.push({
      dataset: ds.label,
      tool: name,
      ok: true,
      bytes,
      wallMs,
      wallMinMs: Math.min(...m.times),
      runs: m.times.length,
      mbPerSecond: bytes / MB / (wallMs / 1000),
      pinnedMs,
      pinnedMbPerSecond: pinnedMs === null ? null : bytes / MB / (pinnedMs / 1000),
      cpuMs,
      mbPerCpuSecond: cpuMs ? bytes / MB / (cpuMs / 1000) : null,
      peakRssMb: m.usages.length ? Math.max(...m.usages.map((u) => u.maxRSS)) / 1024 : null,
      exitCode: m.exitCode,
      ...s,
    });
  }
}

const cordonRow = rows.find((r) => r.tool === 'cordon' && r.ok && r.dataset === datasets[0].label) ?? rows.find((r) => r.tool === 'cordon' && r.ok);
const targetsFor = (r) =>
  r && r.ok
    ? [
        // One core: MB per CPU second (user + system, median of the hooked runs), which other load
        // on the machine does not inflate; the pinned wall time is shown next to it.
        {
          target: `≥ ${TARGETS.mbPerSecondOneCore} MB/s on one core`,
          value: r.mbPerCpuSecond,
          pass: r.mbPerCpuSecond !== null && r.mbPerCpuSecond >= TARGETS.mbPerSecondOneCore,
          shown: `${r.mbPerCpuSecond === null ? '—' : `${r.mbPerCpuSecond.toFixed(0)} MB per CPU second`}${r.pinnedMbPerSecond === null ? '' : ` (${r.pinnedMbPerSecond.toFixed(0)} MB/s wall under taskset -c 0)`}`,
        },
        { target: 'recall 100 %', value: r.recall, pass: r.recall >= TARGETS.recall, shown: `${(100 * r.recall).toFixed(1)} % (${r.found}/${r.planted})` },
        { target: 'zero false positives', value: r.falsePositiveLines, pass: r.falsePositiveLines === TARGETS.falsePositives, shown: `${r.falsePositiveLines} lines` },
        { target: `peak RSS < ${TARGETS.peakRssMb} MB`, value: r.peakRssMb, pass: r.peakRssMb !== null && r.peakRssMb < TARGETS.peakRssMb, shown: r.peakRssMb === null ? '—' : `${r.peakRssMb.toFixed(0)} MB` },
      ]
    : null;

// Misses and false positives with their (elided) text, for the detector authors.
function details(ds, row) {
  if (!row?.ok) return null;
  const wanted = [...row.missed.map((p) => p.line), ...row.falsePositives.map((f) => f.line)];
  const text = readLines(ds.file, wanted);
  const missed = row.missed.map((p) => ({ line: p.line, kind: p.kind, variant: p.variant, context: p.context ?? null, length: p.length, text: elide(text.get(p.line) ?? '', [p.value]) }));
  const groups = new Map();
  for (const fp of row.falsePositives) {
    const raw = text.get(fp.line) ?? '';
    const key = `${fp.rules.join('+')}\t${fp.decoy ? `decoy:${fp.decoy.kind}` : shapeOf(raw)}`;
    const g = groups.get(key) ?? { rules: fp.rules, decoy: fp.decoy ? `${fp.decoy.kind}: ${fp.decoy.why}` : null, count: 0, lines: [], example: elide(raw) };
    g.count++;
    if (g.lines.length < 5) g.lines.push(fp.line);
    groups.set(key, g);
  }
  return { missed, falsePositives: [...groups.values()].sort((a, b) => b.count - a.count) };
}

const load = { before: loadBefore, after: os.loadavg()[0] };
const busy = Math.max(load.before, load.after) > os.cpus().length * 0.5 + 0.5;
const result = {
  cordon: cordonVersion,
  secretlint: SECRETLINT ? { version: SECRETLINT.version, preset: SECRETLINT.presetVersion, config: path.relative(ROOT, SECRETLINT_RC), format: 'unix' } : null,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  loadAverage: load,
  pinnedToOneCore: canPin,
  totalSeconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
  targets: TARGETS,
  datasets: datasets.map((ds) => ({
    label: ds.label,
    file: path.relative(ROOT, ds.file),
    generator: ds.truth.generator,
    seed: ds.truth.seed,
    bytes: ds.truth.bytes,
    lines: ds.truth.lines,
    sha256: ds.truth.sha256,
    planted: ds.truth.planted.length,
    plantedByKind: ds.truth.byKind,
    lookAlikes: ds.truth.decoys.length,
    generatedMs: ds.generatedMs,
  })),
  rows: rows.map(({ missed, falsePositives, ...rest }) => rest),
  cordonTargets: targetsFor(cordonRow),
  cordonDetails: cordonRow ? details(datasets.find((d) => d.label === cordonRow.dataset), cordonRow) : null,
  secretlintMissedByKind: Object.fromEntries(
    rows.filter((r) => r.tool === 'secretlint' && r.ok).map((r) => [r.dataset, Object.fromEntries(Object.entries(r.byKind).map(([k, v]) => [k, `${v.found}/${v.planted}`]))]),
  ),
  secretlintFalsePositives: Object.fromEntries(
    rows.filter((r) => r.tool === 'secretlint' && r.ok).map((r) => [r.dataset, details(datasets.find((d) => d.label === r.dataset), r).falsePositives]),
  ),
};

if (args.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

const fmtS = (ms) => (ms === null ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const pad = (table) => {
  const widths = table[0].map((_, i) => Math.max(...table.map((cells) => String(cells[i]).length)));
  return table.map((cells) => cells.map((cell, i) => (i <= 1 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ').trimEnd());
};
const out = [];
out.push(`${cordonVersion ?? 'cordon (not built)'}${cordonAvailable ? '' : ' (not measured)'} · secretlint ${SECRETLINT?.version ?? '—'} (preset-recommend ${SECRETLINT?.presetVersion ?? '—'}) · node ${process.version} · ${result.cpus} × ${result.cpuModel}`);
for (const ds of result.datasets) {
  out.push(`log: ${ds.file}  ${(ds.bytes / MB).toFixed(1)} MB, ${ds.lines.toLocaleString('en-US')} lines, ${ds.planted} planted credentials, ${ds.lookAlikes} look-alikes (v${ds.generator}, seed ${ds.seed}, sha256 ${ds.sha256.slice(0, 12)}…)${ds.generatedMs === null ? '' : `, generated in ${fmtS(ds.generatedMs)}`}`);
}
out.push('');
const header = ['log', 'tool', 'wall', 'MB/s', '1 core', 'MB/s', 'CPU', 'MB/CPU-s', 'peak RSS', 'recall', 'FP lines', 'findings'];
const table = [header];
for (const r of rows) {
  if (!r.ok) {
    table.push([r.dataset, TOOLS[r.tool].label ?? r.tool, 'failed', '', '', '', '', '', '', '', '', '']);
    continue;
  }
  table.push([
    r.dataset,
    TOOLS[r.tool].label ?? r.tool,
    fmtS(r.wallMs),
    r.mbPerSecond.toFixed(0),
    fmtS(r.pinnedMs),
    r.pinnedMbPerSecond === null ? '—' : r.pinnedMbPerSecond.toFixed(0),
    fmtS(r.cpuMs),
    r.mbPerCpuSecond === null ? '—' : r.mbPerCpuSecond.toFixed(0),
    r.peakRssMb === null ? '—' : `${r.peakRssMb.toFixed(0)} MB`,
    r.scored ? `${(100 * r.recall).toFixed(1)} % (${r.found}/${r.planted})` : '—',
    r.scored ? `${r.falsePositiveLines}${r.falsePositiveDecoys ? ` (${r.falsePositiveDecoys} look-alikes)` : ''}` : '—',
    r.scored ? String(r.findings) : '—',
  ]);
}
out.push(...pad(table));
for (const r of rows.filter((x) => !x.ok)) out.push(`  ${r.tool} on ${r.dataset}: ${r.error}`);
out.push('');
out.push(`wall = median of ${reps} spawns (stdout piped); 1 core = median of ${reps} spawns under \`taskset -c 0\`${canPin ? '' : ' (taskset unavailable)'}; CPU = user+system time, median of the runs with the usage hook; MB/CPU-s = MB per CPU second; peak RSS = largest maxRSS of those runs. All include node's startup.`);
out.push('floor = a node process that only reads the file (1 MiB chunks) and counts lines: no tool can be faster.');

out.push('');
out.push('recall by kind (found/planted):');
const okRows = rows.filter((r) => r.ok && r.scored);
const kinds = [...new Set(okRows.flatMap((r) => Object.keys(r.byKind)))].sort();
const kindTable = [['kind', '', ...okRows.map((r) => `${r.tool}${datasets.length > 1 ? ` (${r.dataset})` : ''}`)]];
for (const k of kinds) kindTable.push([k, '', ...okRows.map((r) => (r.byKind[k] ? `${r.byKind[k].found}/${r.byKind[k].planted}` : '—'))]);
out.push(...pad(kindTable).map((l) => `  ${l}`));

if (result.cordonTargets) {
  out.push('');
  out.push(`targets (cordon, ${cordonRow.dataset}):`);
  out.push(...pad(result.cordonTargets.map((t) => [t.target, '', t.shown, t.pass ? 'PASS' : 'FAIL'])).map((l) => `  ${l}`));
  const d = result.cordonDetails;
  out.push('');
  const otherRules = Object.entries(cordonRow.byKind).filter(([k, v]) => Object.keys(v.reportedAs).some((rule) => rule !== k));
  out.push(
    otherRules.length
      ? `rule ids: found credentials were reported by the detector of their kind, except (kind → rule ids on its lines): ${otherRules.map(([k, v]) => `${k} → ${Object.entries(v.reportedAs).map(([rule, n]) => `${rule} ${n}`).join(', ')}`).join('; ')}`
      : 'rule ids: every found credential was reported by the detector of its kind',
  );
  out.push(`related lines reported (neither required nor false positives): ${cordonRow.relatedReported}`);
  out.push('');
  out.push(`cordon missed ${d.missed.length} planted credential${d.missed.length === 1 ? '' : 's'}${d.missed.length > maxList ? ` (first ${maxList}; --json lists all)` : ''}:`);
  for (const m of d.missed.slice(0, maxList)) out.push(`  line ${m.line}  ${m.kind}/${m.variant} (${m.length} chars, ${m.context})  ${m.text}`);
  out.push('');
  out.push(`cordon false positives: ${cordonRow.falsePositiveLines} lines in ${d.falsePositives.length} shapes${d.falsePositives.length > maxList ? ` (first ${maxList})` : ''}:`);
  for (const g of d.falsePositives.slice(0, maxList)) out.push(`  ${String(g.count).padStart(6)} × [${g.rules.join(', ')}]${g.decoy ? ` look-alike (${g.decoy})` : ''}  e.g. line ${g.lines[0]}: ${g.example}`);
}
const slFp = Object.entries(result.secretlintFalsePositives);
for (const [label, groups] of slFp) {
  if (!groups.length) continue;
  out.push('');
  out.push(`secretlint false positives (${label}):`);
  for (const g of groups.slice(0, maxList)) out.push(`  ${String(g.count).padStart(6)} × [${g.rules.join(', ')}]${g.decoy ? ` look-alike (${g.decoy})` : ''}  e.g. line ${g.lines[0]}: ${g.example}`);
}
out.push('');
out.push(`total ${result.totalSeconds.toFixed(0)} s`);
if (busy) out.push(`warning  1-minute load average was ${load.before.toFixed(1)} before and ${load.after.toFixed(1)} after on ${result.cpus} CPUs: other work competed for the CPU, so wall times are inflated (compare the 1-core and CPU columns)`);
process.stdout.write(`${out.join('\n')}\n`);
