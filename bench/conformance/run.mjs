#!/usr/bin/env node
// Compares cordon with zizmor's own integration-test expectations, per file and line, for the
// zizmor audits that map to a cordon rule. See bench/conformance/README.md.
//
//   node bench/conformance/run.mjs [--zizmor-dir DIR] [--json] [--verbose] [--strict-args]

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LineCounter, isMap, isPair, isScalar, isSeq, parse as parseYaml, parseDocument } from 'yaml';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BIN = path.join(ROOT, 'bin', 'cordon.js');
const DIST = path.join(ROOT, 'dist', 'cordon.js');

const { values: args } = parseArgs({
  options: {
    'zizmor-dir': { type: 'string', default: path.resolve(ROOT, '../shared/conformance/zizmor') },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
    'strict-args': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write('usage: node bench/conformance/run.mjs [--zizmor-dir DIR] [--json] [--verbose] [--strict-args]\n');
  process.exit(0);
}

const ZIZMOR = path.resolve(args['zizmor-dir']);
const DATA = path.join(ZIZMOR, 'test-data');
const EXPECTED = path.join(ZIZMOR, 'expected.json');
if (!existsSync(EXPECTED) || !existsSync(DATA)) {
  process.stdout.write(`zizmor conformance fixtures not found in ${ZIZMOR} (need expected.json and test-data/); nothing to compare.\n`);
  process.exit(0);
}
if (!existsSync(DIST)) {
  process.stderr.write(`cordon is not built (${path.relative(ROOT, DIST)} is missing): run \`npm run build\` first\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// What is compared: the README's mapping table, narrowed to the rules cordon has today.

const readme = existsSync(path.join(ZIZMOR, 'README.md')) ? readFileSync(path.join(ZIZMOR, 'README.md'), 'utf8') : '';
const mapping = new Map(); // zizmor audit → { rule, partial }
for (const line of readme.split('\n')) {
  const cells = line.split('|').map((cell) => cell.trim());
  if (cells.length < 4 || !/^[a-z][a-z0-9-]*$/.test(cells[1]) || cells[1] === 'zizmor') continue;
  const match = /^([a-z][a-z0-9-]*)(?:\s*\((.*)\))?$/.exec(cells[2]);
  if (match) mapping.set(cells[1], { rule: match[1], note: match[2] ?? '' });
}
if (mapping.size === 0) {
  // The README's table is the contract; fall back to the two pairs that exist today.
  mapping.set('unpinned-uses', { rule: 'unpinned-action', note: '' });
  mapping.set('use-trusted-publishing', { rule: 'long-lived-publish-token', note: '' });
}
const cordonRules = JSON.parse((await node([BIN, 'rules', '--json'])).stdout).map((rule) => rule.id);
const compared = [...mapping].filter(([, { rule }]) => cordonRules.includes(rule)).map(([audit, { rule }]) => ({ audit, rule }));
const notImplemented = [...mapping].filter(([, { rule }]) => !cordonRules.includes(rule)).map(([audit, { rule, note }]) => ({ audit, rule, note }));
const ruleToAudit = new Map(compared.map(({ audit, rule }) => [rule, audit]));

// ---------------------------------------------------------------------------------------------
// Translating a test case's zizmor arguments into a cordon invocation

const expected = JSON.parse(readFileSync(EXPECTED, 'utf8'));
const source = expected.source ?? {};

/**
 * What zizmor's persona changes for the compared audits (zizmor's unpinned_uses.rs and
 * use_trusted_publishing.rs at the fixtures' commit): every repository `uses:` finding and every
 * use-trusted-publishing finding is emitted for the regular persona; only a `docker://` reference
 * pinned by tag but not by digest is pedantic-only. Cordon has no persona and reports everything,
 * so a persona translates to "under the regular persona, zizmor hides tagged docker:// refs".
 */
/** zizmor audits that report, under another name, what a compared cordon rule covers. */
const SAME_CONCERN = { 'unpinned-action': ['unpinned-images'] };

const PEDANTIC_ONLY = { 'unpinned-uses': (lineText) => /uses:\s*["']?docker:\/\/[^@\s"']+:[^@\s"'/]+["']?\s*(#.*)?$/.test(lineText) };

function translate(test) {
  const notes = [];
  const state = { persona: 'regular', configFile: null, noIgnores: false, collectAll: false, noConfig: false };
  const list = [...test.args];
  for (let i = 0; i < list.length; i++) {
    const arg = list[i];
    let m;
    if ((m = /^--persona=(regular|pedantic|auditor)$/.exec(arg))) state.persona = m[1];
    else if (arg === '--pedantic') state.persona = 'pedantic';
    else if (arg === '--config') state.configFile = list[++i];
    else if ((m = /^--config=(.*)$/.exec(arg))) state.configFile = m[1];
    else if (arg === '--no-ignores') state.noIgnores = true;
    else if (arg === '--collect=all') state.collectAll = true;
    else if (arg === '--no-config') state.noConfig = true;
    else if (/^--format=(plain|json|json-v1)$/.test(arg)) notes.push(`${arg}: output format only`);
    else if (/^--min-severity=/.test(arg) || /^--min-confidence=/.test(arg)) return { skip: `${arg}: zizmor filters by its own severities, which cordon's do not map onto` };
    else return { skip: `argument ${arg} has no cordon equivalent` };
  }
  if (state.persona !== 'regular') {
    if (args['strict-args']) return { skip: `--persona=${state.persona} (skipped under --strict-args)` };
    notes.push(`persona ${state.persona}: cordon reports everything, as zizmor's pedantic/auditor personas do for these audits`);
  }
  // zizmor discovers zizmor.yml beside a directory input (and in its .github/) unless --no-config.
  if (!state.configFile && !state.noConfig) {
    for (const input of test.inputs) {
      const full = path.join(DATA, input);
      if (!existsSync(full) || !statSync(full).isDirectory()) continue;
      const found = ['zizmor.yml', 'zizmor.yaml', '.github/zizmor.yml', '.github/zizmor.yaml'].map((name) => path.join(full, name)).find((candidate) => existsSync(candidate));
      if (found) state.configFile = path.relative(DATA, found);
    }
  }
  let cordonConfig = null;
  if (state.configFile) {
    const result = translateConfig(state.configFile);
    if (result.skip) return { skip: result.skip };
    cordonConfig = result.config;
    notes.push(...result.notes);
  }
  return { state, cordonConfig, notes };
}

/** zizmor config → cordon config, for the compared audits only; other rules cannot matter here. */
function translateConfig(relative) {
  const full = path.join(DATA, relative);
  if (!existsSync(full)) return { skip: `config ${relative} is not in test-data` };
  let value;
  try {
    value = parseYaml(readFileSync(full, 'utf8')) ?? {};
  } catch (error) {
    return { skip: `config ${relative} is not valid YAML` };
  }
  const notes = [];
  const rules = {};
  for (const [audit, settings] of Object.entries(value.rules ?? {})) {
    const pair = compared.find((item) => item.audit === audit);
    if (!pair) {
      notes.push(`config ${relative}: settings for ${audit} do not affect the compared audits`);
      continue;
    }
    const out = {};
    for (const [key, setting] of Object.entries(settings ?? {})) {
      if (key === 'disable') out.disable = Boolean(setting);
      else if (key === 'ignore' && Array.isArray(setting)) out.ignore = setting.map(String);
      else if (key === 'config' && audit === 'unpinned-uses' && setting && typeof setting === 'object' && Object.keys(setting).every((k) => k === 'policies')) {
        const policies = translatePolicies(setting.policies ?? {});
        if (policies.skip) return { skip: `config ${relative}: ${policies.skip}` };
        if (Object.keys(policies.value).length) out.config = { policies: policies.value };
        notes.push(...policies.notes.map((note) => `config ${relative}: ${note}`));
      } else return { skip: `config ${relative}: rules.${audit}.${key} has no cordon equivalent` };
    }
    rules[pair.rule] = out;
  }
  return { config: Object.keys(rules).length ? { rules } : null, notes };
}

/**
 * zizmor patterns: `*`, `owner/*`, `owner/repo/*`, `owner/repo`, `owner/repo/sub/path`.
 * cordon patterns: `*`, `owner/*`, `owner/repo` (also covers its subpaths), `owner/repo/sub/path`.
 */
function translatePolicies(policies) {
  const value = {};
  const notes = [];
  for (const [pattern, policy] of Object.entries(policies)) {
    if (!['hash-pin', 'ref-pin', 'any'].includes(policy)) return { skip: `policy ${policy} for ${pattern}` };
    const parts = pattern.split('/');
    let target = pattern;
    if (parts.length === 3 && parts[2] === '*') {
      target = `${parts[0]}/${parts[1]}`;
      notes.push(`${pattern} → ${target} (cordon's owner/repo covers the subpaths too)`);
    }
    if (target in value && value[target] !== policy) return { skip: `${pattern} and another pattern both become ${target} with different policies` };
    value[target] = policy;
  }
  return { value, notes };
}

// ---------------------------------------------------------------------------------------------
// YAML structure of a fixture: which step or job a line belongs to, and zizmor's ignore comments

const structureCache = new Map();
function structure(relative) {
  if (structureCache.has(relative)) return structureCache.get(relative);
  const full = path.join(DATA, relative);
  const text = existsSync(full) ? readFileSync(full, 'utf8') : '';
  const lines = text.split(/\r?\n/);
  const units = [];
  try {
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
    const lineOf = (offset) => counter.linePos(offset).line;
    const add = (id, node, keyNode) => {
      if (!node?.range && !keyNode?.range) return;
      const start = keyNode?.range ? keyNode.range[0] : node.range[0];
      const end = node?.range ? node.range[1] : keyNode.range[1];
      units.push({ id, start: lineOf(start), end: lineOf(Math.max(start, end - 1)) });
    };
    const get = (map, key) => (isMap(map) ? map.items.find((pair) => isPair(pair) && isScalar(pair.key) && pair.key.value === key) : undefined);
    const steps = (seq, prefix) => {
      if (!isSeq(seq)) return;
      seq.items.forEach((item, index) => add(`${prefix}/steps/${index}`, item));
    };
    const jobs = get(doc.contents, 'jobs');
    if (jobs && isMap(jobs.value)) {
      for (const pair of jobs.value.items) {
        const id = `jobs/${isScalar(pair.key) ? pair.key.value : '?'}`;
        add(id, pair.value, pair.key);
        steps(get(pair.value, 'steps')?.value, id);
      }
    }
    const runs = get(doc.contents, 'runs');
    if (runs) {
      add('runs', runs.value, runs.key);
      steps(get(runs.value, 'steps')?.value, 'runs');
    }
  } catch {
    // unreadable YAML: lines only
  }
  const result = {
    lines,
    lineText: (line) => lines[line - 1] ?? '',
    /** The innermost step (else job) holding the line. */
    unitOf(line) {
      let best = null;
      for (const unit of units) if (line >= unit.start && line <= unit.end && (!best || unit.end - unit.start < best.end - best.start)) best = unit;
      return best;
    },
    /** zizmor ignore comments naming `audit` on any of the lines, or on the finding's step. */
    ignoredBy(audit, from, to) {
      const unit = this.unitOf(from);
      const first = Math.min(from, unit?.start ?? from);
      const last = Math.max(to, unit?.end ?? to);
      for (let line = first; line <= last; line++) {
        const match = /#\s*zizmor:\s*ignore\[([^\]]*)\]/.exec(this.lineText(line));
        if (match && match[1].split(',').map((item) => item.trim()).includes(audit)) return line;
      }
      return null;
    },
  };
  structureCache.set(relative, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Running cordon

function node(argv, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Mirrors cordon's discovery root: the first directory input, or its parent when it sits in `.github`. */
function cordonRoot(inputs) {
  for (const input of inputs) {
    const full = path.join(DATA, input);
    if (existsSync(full) && statSync(full).isDirectory()) {
      const parts = path.resolve(full).split(path.sep);
      const github = parts.lastIndexOf('.github');
      return github > 0 ? parts.slice(0, github).join(path.sep) || path.sep : path.resolve(full);
    }
  }
  return DATA;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cordon-conformance-'));
const runCache = new Map();
async function runCordon(inputs, cordonConfig) {
  const key = JSON.stringify([inputs, cordonConfig]);
  if (runCache.has(key)) return runCache.get(key);
  const argv = [BIN, 'audit', ...inputs, '--format', 'json', '--fail-on', 'critical'];
  if (cordonConfig) {
    const file = path.join(tmp, `cordon-${runCache.size}.json`);
    writeFileSync(file, JSON.stringify(cordonConfig));
    argv.push('--config', file);
  } else {
    argv.push('--no-config');
  }
  const result = await node(argv, { cwd: DATA });
  let parsed = null;
  let problem = null;
  let empty = false;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    // A directory holding only Dependabot or pre-commit files: nothing for cordon, zero findings.
    if (/no workflow or action files found/.test(result.stderr)) empty = true;
    else problem = result.stderr.trim().split('\n')[0] || `exit ${result.code}`;
  }
  const root = cordonRoot(inputs);
  const toData = (p) => path.relative(DATA, path.isAbsolute(p) ? p : path.resolve(root, p)).split(path.sep).join('/');
  const value = {
    problem,
    empty,
    findings: (parsed?.findings ?? []).map((finding) => ({ ...finding, path: toData(finding.path) })),
    errors: (parsed?.errors ?? []).map((error) => ({ ...error, path: toData(error.path) })),
  };
  runCache.set(key, value);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Comparing

const UNSUPPORTED_INPUT = /(^|\/)(\.pre-commit-config\.ya?ml|dependabot\.ya?ml)$/;

function inputProblem(test) {
  for (const input of test.inputs) {
    const full = path.join(DATA, input);
    if (!existsSync(full)) return { reason: 'input is not in test-data', detail: input };
    if (statSync(full).isFile() && UNSUPPORTED_INPUT.test(input) && !input.includes('.github/workflows/')) return { reason: 'input is a Dependabot or pre-commit config: cordon audits workflows and actions only', detail: input };
  }
  return null;
}

/** zizmor's default collection honours .gitignore in a directory input; cordon's does not. */
function gitignored(test, file) {
  for (const input of test.inputs) {
    const dir = path.join(DATA, input);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const ignore = path.join(dir, '.gitignore');
    if (!existsSync(ignore)) continue;
    const relative = path.relative(dir, path.join(DATA, file)).split(path.sep).join('/');
    for (const raw of readFileSync(ignore, 'utf8').split('\n')) {
      const pattern = raw.trim().replace(/^\//, '');
      if (!pattern || pattern.startsWith('#') || pattern.startsWith('!') || /[*?[]/.test(pattern)) continue;
      if (relative === pattern || relative.startsWith(`${pattern.replace(/\/$/, '')}/`)) return true;
    }
  }
  return false;
}

const cases = [];
const skipped = [];
for (const test of expected.tests) {
  const name = `${test.test}${test.case ? ` #${test.case}` : ''}`;
  if (!test.offline) {
    skipped.push({ name, reason: 'online: needs the GitHub API' });
    continue;
  }
  const problem = inputProblem(test);
  if (problem) {
    skipped.push({ name, ...problem });
    continue;
  }
  const translation = translate(test);
  if (translation.skip) {
    skipped.push({ name, reason: translation.skip });
    continue;
  }
  const relevant = (test.findings ?? []).filter((finding) => ruleToAudit.size && compared.some((item) => item.audit === finding.audit));
  const ambiguous = relevant.some((finding) => finding.locations.some((loc) => loc.startsWith('@@INPUT@@')));
  if (ambiguous && test.inputs.length > 1) {
    skipped.push({ name, reason: 'expected locations read @@INPUT@@ for several inputs: the file is unknown' });
    continue;
  }
  cases.push({ test, name, translation });
}

const tally = new Map(compared.map(({ audit, rule }) => [audit, { audit, rule, cases: 0, files: new Set(), zizmor: 0, cordon: 0, exact: 0, sameStep: 0, zizmorOnly: 0, cordonOnly: 0, explained: 0, columnDiffers: [], severities: new Map() }]));
const disagreements = new Map(); // key → { …, cases: [] }
const explainedList = new Map();
const agreementsList = [];
const cordonErrors = new Map();
const caseProblems = [];
const emptyCases = [];

for (const { test, name, translation } of cases) {
  const run = await runCordon(test.inputs, translation.cordonConfig);
  if (run.problem) caseProblems.push({ name, problem: run.problem });
  if (run.empty) emptyCases.push(name);
  for (const error of run.errors) cordonErrors.set(`${error.path}:${error.line}`, { ...error, case: name });
  const persona = translation.state.persona;
  for (const { audit, rule } of compared) {
    const t = tally.get(audit);
    t.cases++;
    const zizmor = [];
    for (const finding of test.findings ?? []) {
      if (finding.audit !== audit) continue;
      for (const location of finding.locations) {
        const m = /^(.*):(\d+):(\d+)$/.exec(location);
        if (!m) continue;
        const file = m[1] === '@@INPUT@@' ? test.inputs[0] : m[1];
        zizmor.push({ file, line: Number(m[2]), column: Number(m[3]), severity: finding.severity });
      }
    }
    const cordon = run.findings.filter((finding) => finding.rule === rule).map((finding) => ({ file: finding.path, line: finding.line, column: finding.column, endLine: finding.endLine, severity: finding.severity, message: finding.message }));
    const files = new Set([...zizmor.map((item) => item.file), ...cordon.map((item) => item.file)]);
    for (const file of files) t.files.add(file);
    t.zizmor += zizmor.length;
    t.cordon += cordon.length;

    // Pair: the same line first, then the same step (or job) at another line.
    const zLeft = [...zizmor];
    const cLeft = [...cordon];
    const pairs = [];
    for (const pass of ['exact', 'sameStep']) {
      for (let i = 0; i < zLeft.length; i++) {
        const z = zLeft[i];
        const s = structure(z.file);
        const j = cLeft.findIndex((c) => {
          if (c.file !== z.file) return false;
          if (pass === 'exact') return c.line === z.line;
          const a = s.unitOf(z.line);
          const b = s.unitOf(c.line);
          return a && b && a.id === b.id;
        });
        if (j === -1) continue;
        pairs.push({ pass, z, c: cLeft[j] });
        zLeft.splice(i--, 1);
        cLeft.splice(j, 1);
      }
    }
    for (const { pass, z, c } of pairs) {
      t[pass]++;
      if (pass === 'exact' && z.column !== c.column) t.columnDiffers.push(`${z.file}:${z.line} (zizmor col ${z.column}, cordon ${c.column})`);
      const key = `${z.severity} → ${c.severity}`;
      t.severities.set(key, (t.severities.get(key) ?? 0) + 1);
      agreementsList.push({ audit, case: name, file: z.file, zizmorLine: z.line, cordonLine: c.line, pass, zizmorSeverity: z.severity, cordonSeverity: c.severity });
    }
    const record = (map, item) => {
      const key = `${item.audit}\0${item.side}\0${item.file}:${item.line}`;
      const existing = map.get(key);
      if (existing) existing.cases.push(name);
      else map.set(key, { ...item, cases: [name] });
    };
    for (const z of zLeft) {
      t.zizmorOnly++;
      const s = structure(z.file);
      record(disagreements, { audit, rule, side: 'zizmor-only', file: z.file, line: z.line, column: z.column, zizmorSeverity: z.severity, cordonSeverity: null, text: s.lineText(z.line).trim(), message: null, unit: s.unitOf(z.line)?.id ?? null });
    }
    for (const c of cLeft) {
      const s = structure(c.file);
      let reason = null;
      const ignoreLine = translation.state.noIgnores ? null : s.ignoredBy(audit, c.line, c.endLine);
      if (ignoreLine) reason = `zizmor ignores it: \`# zizmor: ignore[${audit}]\` on line ${ignoreLine} (summary: ${test.summary?.ignored ?? '?'} ignored)`;
      else if (persona === 'regular' && PEDANTIC_ONLY[audit]?.(s.lineText(c.line))) reason = `zizmor reports tag-pinned docker:// refs only with --persona=pedantic (summary: ${test.summary?.suppressed ?? '?'} suppressed)`;
      else if (!translation.state.collectAll && gitignored(test, c.file)) reason = "zizmor's default collection skips files listed in .gitignore";
      const other = [...new Set((test.findings ?? []).filter((f) => f.audit !== audit && f.locations.some((loc) => new RegExp(`^(${escape(c.file)}|@@INPUT@@):${c.line}:`).test(loc))).map((f) => f.audit))];
      const sameConcern = other.filter((name) => SAME_CONCERN[rule]?.includes(name));
      if (!reason && sameConcern.length) reason = `zizmor reports this line under ${sameConcern.join(', ')}, not ${audit}`;
      const item = { audit, rule, side: 'cordon-only', file: c.file, line: c.line, column: c.column, zizmorSeverity: null, cordonSeverity: c.severity, text: s.lineText(c.line).trim(), message: c.message, unit: s.unitOf(c.line)?.id ?? null, zizmorHere: other };
      if (reason) {
        t.explained++;
        record(explainedList, { ...item, reason });
      } else {
        t.cordonOnly++;
        record(disagreements, item);
      }
    }
  }
}
rmSync(tmp, { recursive: true, force: true });

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Expected findings of audits whose cordon rule does not exist yet (offline cases only).
const pending = notImplemented.map(({ audit, rule, note }) => {
  const tests = expected.tests.filter((test) => test.offline && (test.findings ?? []).some((f) => f.audit === audit));
  const findings = tests.reduce((sum, test) => sum + test.findings.filter((f) => f.audit === audit).reduce((n, f) => n + f.count, 0), 0);
  return { audit, rule, note, cases: tests.length, findings };
});
const unmapped = new Map();
for (const test of expected.tests) {
  if (!test.offline) continue;
  for (const finding of test.findings ?? []) if (!mapping.has(finding.audit)) unmapped.set(finding.audit, (unmapped.get(finding.audit) ?? 0) + finding.count);
}

// ---------------------------------------------------------------------------------------------
// Output

const tallies = [...tally.values()].map((t) => ({ ...t, files: t.files.size, severities: Object.fromEntries([...t.severities].sort((a, b) => b[1] - a[1])) }));
const sortItems = (list) => [...list].sort((a, b) => a.audit.localeCompare(b.audit) || a.side.localeCompare(b.side) || a.file.localeCompare(b.file) || a.line - b.line);
const translatedArgs = {};
for (const { test } of cases) {
  for (let i = 0; i < test.args.length; i++) {
    const arg = test.args[i].replace(/^--config=.*/, '--config');
    translatedArgs[arg] = (translatedArgs[arg] ?? 0) + 1;
    if (arg === '--config' && test.args[i] === '--config') i++; // its value
  }
}
const result = {
  translatedArgs,
  zizmor: { repository: source.repository ?? null, commit: source.commit ?? null, dir: ZIZMOR },
  totals: { tests: expected.tests.length, offline: expected.tests.filter((test) => test.offline).length, compared: cases.length, skipped: skipped.length, notInExpected: (expected.skipped ?? []).length },
  compared: tallies,
  notImplemented: pending,
  unmapped: Object.fromEntries([...unmapped].sort((a, b) => b[1] - a[1])),
  disagreements: sortItems(disagreements.values()),
  explained: sortItems(explainedList.values()),
  cordonErrors: [...cordonErrors.values()],
  caseProblems,
  emptyCases,
  skipped,
  agreements: args.verbose ? agreementsList : undefined,
};

if (args.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

const out = [];
const table = (rows, align = []) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  return rows.map((row) => row.map((cell, i) => (align[i] === 'r' ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i]))).join('  ').trimEnd());
};
const short = (text, n = 70) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

out.push(`cordon vs zizmor conformance — ${source.repository ?? 'zizmor'}@${(source.commit ?? '?').slice(0, 12)} test expectations (${path.relative(ROOT, ZIZMOR) || ZIZMOR})`);
out.push(`test cases: ${result.totals.tests} in expected.json (${result.totals.offline} offline) + ${result.totals.notInExpected} listed there as not a plain run; compared ${cases.length}, skipped ${skipped.length}`);
if (Object.keys(result.translatedArgs).length) out.push(`zizmor arguments translated: ${Object.entries(result.translatedArgs).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
out.push('');
out.push(
  ...table(
    [
      ['zizmor audit', 'cordon rule', 'cases', 'files', 'zizmor', 'cordon', 'agree', '≈step', 'zizmor-only', 'cordon-only', 'explained'],
      ...tallies.map((t) => [t.audit, t.rule, t.cases, t.files, t.zizmor, t.cordon, t.exact, t.sameStep, t.zizmorOnly, t.cordonOnly, t.explained]),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ),
);
out.push('');
out.push('agree: same file and line · ≈step: same step (or job), other line · explained: cordon-only, but zizmor would hide it (ignore comment, persona, .gitignore) or reports it under another audit');
for (const t of tallies) if (Object.keys(t.severities).length) out.push(`severity of agreements, ${t.audit} → ${t.rule}: ${Object.entries(t.severities).map(([k, n]) => `${k} ×${n}`).join(', ')}`);
for (const t of tallies) if (t.columnDiffers.length) out.push(`same line, other column (${t.audit}): ${t.columnDiffers.length}, e.g. ${[...new Set(t.columnDiffers)].slice(0, 2).join('; ')}`);
out.push('');
out.push('not implemented in cordon yet (expected findings in offline cases):');
for (const p of pending) out.push(`  ${p.audit.padEnd(24)} → ${`${p.rule}${p.note ? ` (${p.note})` : ''}`.padEnd(30)} ${String(p.findings).padStart(3)} findings in ${p.cases} cases`);
out.push(`no cordon counterpart in the README's table: ${Object.entries(result.unmapped).map(([k, n]) => `${k} ${n}`).join(', ')}`);

out.push('');
out.push(`disagreements (${result.disagreements.length}): file:line  side  severity zizmor/cordon  — source line · cordon's message · cases`);
let lastAudit = '';
for (const d of result.disagreements) {
  if (d.audit !== lastAudit) {
    out.push(`  ${d.audit} ↔ ${d.rule}`);
    lastAudit = d.audit;
  }
  const cases = d.cases.length > 2 ? `${d.cases.slice(0, 2).map((c) => c.split('::').pop()).join(', ')} +${d.cases.length - 2}` : d.cases.map((c) => c.split('::').pop()).join(', ');
  out.push(`    ${`${d.file}:${d.line}`.padEnd(52)} ${d.side.padEnd(11)} ${`${d.zizmorSeverity ?? '—'}/${d.cordonSeverity ?? '—'}`.padEnd(19)} ${short(d.text, 60)}`);
  const extra = [];
  if (d.message) extra.push(`cordon: ${short(d.message, 110)}`);
  if (d.zizmorHere?.length) extra.push(`zizmor reports ${d.zizmorHere.join(', ')} on this line`);
  extra.push(`[${cases}]`);
  out.push(`      ${extra.join(' · ')}`);
}
if (result.explained.length) {
  out.push('');
  out.push(`explained, not counted as disagreements (${result.explained.length}):`);
  for (const e of result.explained) out.push(`    ${`${e.file}:${e.line}`.padEnd(52)} ${e.audit.padEnd(22)} ${e.reason}`);
}
if (result.cordonErrors.length) {
  out.push('');
  out.push(`files cordon could not read (${result.cordonErrors.length}):`);
  for (const e of result.cordonErrors) out.push(`    ${e.path}:${e.line}  ${short(e.message, 100)}  [${e.case.split('::').pop()}]`);
}
if (caseProblems.length) {
  out.push('');
  out.push('cases where cordon produced no report (compared as zero findings):');
  for (const p of caseProblems) out.push(`    ${p.name}: ${p.problem}`);
}
if (emptyCases.length) out.push(`cordon found no workflow or action file (zero findings) in: ${emptyCases.map((n) => n.split('::').pop()).join(', ')}`);
out.push('');
out.push(`skipped cases (${skipped.length}):`);
const byReason = new Map();
for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), `${s.name.replace(/^(audit\/|e2e\/)?/, '')}${s.detail ? ` (${s.detail})` : ''}`]);
for (const [reason, names] of [...byReason].sort((a, b) => b[1].length - a[1].length)) out.push(`  ${reason} (${names.length}): ${names.join(', ')}`);
if (args.verbose) {
  out.push('');
  out.push(`agreements (${agreementsList.length}):`);
  for (const a of agreementsList) out.push(`    ${a.file}:${a.zizmorLine}${a.cordonLine !== a.zizmorLine ? ` (cordon :${a.cordonLine})` : ''}  ${a.audit}  ${a.zizmorSeverity}/${a.cordonSeverity}  [${a.case.split('::').pop()}]`);
}
process.stdout.write(`${out.join('\n')}\n`);
