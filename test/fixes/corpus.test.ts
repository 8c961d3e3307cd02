/**
 * `cordon fix` over every real workflow of test/corpus and every GitHub fixture under test/rules,
 * with safe fixes only and with `--unsafe`. For each file it checks that:
 *
 * - what was fixed is no longer reported, no fix failed, broke the file or left its finding;
 * - nothing new is reported (a finding after the fix has the fingerprint of one before, or the
 *   same rule on the same source line: a line the split moved to a new job keeps its findings);
 * - only intended lines change: comparing the YAML before and after, every changed value lies
 *   under a path a fix may touch (permissions, debug variables, trace options, `with:` inputs a fix
 *   names, `environment`, the step `env:` entries and `run:` texts of template-injection, and with
 *   `--unsafe` the split job's steps, `needs` and the new build job); a changed `run:` is the old
 *   one with characters deleted (debug-logging) or with `${{ }}` replaced by variables;
 *   comments and blank lines are all still there;
 * - a second run changes nothing.
 *
 * The measures (files changed, findings fixed, lines changed) are printed as test diagnostics.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { AuditInput } from '../../src/engine/audit.ts';
import type { Finding } from '../../src/findings/finding.ts';
import { diffStats } from '../../src/fixes/diff.ts';
import { runFixes, type FixRunResult } from '../../src/fixes/engine.ts';
import { rules } from '../../src/rules/index.ts';

interface Case {
  name: string;
  inputs: AuditInput[];
  scanned: boolean;
}

const kindOf = (path: string): AuditInput['kind'] => (/(^|\/|__)action\.ya?ml$/.test(path) ? 'action' : 'workflow');
const isGitHubYaml = (name: string) => /\.ya?ml$/.test(name) && !/gitlab-ci/.test(name);

function cases(): Case[] {
  const found: Case[] = [];
  const corpus = 'test/corpus';
  for (const name of readdirSync(corpus).filter(isGitHubYaml).sort()) {
    found.push({ name: `${corpus}/${name}`, inputs: [{ path: name, text: readFileSync(join(corpus, name), 'utf8'), kind: kindOf(name) }], scanned: false });
  }
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
  for (const rule of readdirSync('test/rules').sort()) {
    const dir = join('test/rules', rule);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        const inputs = walk(full)
          .filter((file) => isGitHubYaml(file))
          .map((file) => ({ path: file.slice(full.length + 1), text: readFileSync(file, 'utf8'), kind: kindOf(file) }));
        if (inputs.length) found.push({ name: full, inputs, scanned: existsSync(join(full, '.github/workflows')) });
      } else if (isGitHubYaml(name)) found.push({ name: full, inputs: [{ path: name, text: readFileSync(full, 'utf8'), kind: kindOf(name) }], scanned: false });
    }
  }
  return found;
}

const identity = (finding: Finding) => `${finding.rule}\0${finding.path}\0${finding.fingerprint}`;
const lineText = (texts: Map<string, string>, finding: Finding) => `${finding.rule}\0${(texts.get(finding.path) ?? '').split('\n')[finding.line - 1]?.trim() ?? ''}`;

async function fix(inputs: AuditInput[], scanned: boolean, unsafe: boolean): Promise<FixRunResult> {
  return runFixes(inputs, { rules, config: {}, unsafe, services: {}, scannedWorkflowFolder: scanned });
}

/** Paths (dotted) whose values differ between two parsed documents, down to the leaves. */
function changedPaths(a: unknown, b: unknown, path: string[] = []): Array<{ path: string; before: unknown; after: unknown }> {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (isObject(a) || isObject(b)) {
    const left = isObject(a) ? a : {};
    const right = isObject(b) ? b : {};
    if (!isObject(a) || !isObject(b)) {
      if (Object.keys(isObject(a) ? a : b as object).length === 0) return [{ path: path.join('.'), before: a, after: b }];
    }
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    return [...keys].flatMap((key) => changedPaths((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], [...path, key]));
  }
  return Object.is(a, b) ? [] : [{ path: path.join('.'), before: a, after: b }];
}

const STEP = String.raw`(?:jobs\.[^.]+\.steps|runs\.steps)\.\d+`;
const ALLOWED = [
  /^permissions(\.|$)/,
  /^jobs\.[^.]+\.permissions(\.|$)/,
  /^(jobs\.[^.]+\.)?env\.ACTIONS_(STEP|RUNNER)_DEBUG$/,
  new RegExp(`^${STEP}\\.env\\.(ACTIONS_(STEP|RUNNER)_DEBUG|MATURIN_(PYPI_TOKEN|PASSWORD))$`),
  /^(jobs\.[^.]+\.)?defaults\.run\.shell$/,
  new RegExp(`^${STEP}\\.(shell|run)$`),
  new RegExp(`^${STEP}\\.with\\.(persist-credentials|password|user|username|verbose)$`),
  /^jobs\.[^.]+\.environment$/,
];

/** Subsequence: `short` is `long` with characters deleted. */
function deletedFrom(short: string, long: string): boolean {
  let i = 0;
  for (const char of long) if (char === short[i]) i++;
  return i === short.length;
}

const withoutExpressions = (script: string) =>
  script
    .replace(/\$\{\{[\s\S]*?\}\}/g, '§')
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, '§')
    .replace(/["']/g, '');

function unintendedChanges(before: string, after: string, unsafe: boolean): string[] {
  const problems: string[] = [];
  const a = parse(before, { merge: true });
  const b = parse(after, { merge: true });
  // With --unsafe a split adds a build job, and the job it came from `needs` it.
  const newJobs = new Set<string>();
  const splitFrom = new Set<string>();
  if (unsafe) {
    const jobsBefore = (a as { jobs?: Record<string, unknown> })?.jobs ?? {};
    const jobsAfter = (b as { jobs?: Record<string, { needs?: unknown }> })?.jobs ?? {};
    for (const job of Object.keys(jobsAfter)) if (!(job in jobsBefore)) newJobs.add(job);
    for (const [job, body] of Object.entries(jobsAfter)) if ([body?.needs].flat().some((need) => newJobs.has(String(need)))) splitFrom.add(job);
  }
  for (const change of changedPaths(a, b)) {
    const [, job = '', part = ''] = change.path.split('.');
    if (change.path.startsWith('jobs.') && (newJobs.has(job) || (splitFrom.has(job) && (part === 'steps' || part === 'needs')))) continue;
    if (ALLOWED.some((pattern) => pattern.test(change.path))) {
      if (/\.run$/.test(change.path)) {
        const old = String(change.before ?? '');
        const now = String(change.after ?? '');
        if (!deletedFrom(now, old) && withoutExpressions(old) !== withoutExpressions(now)) problems.push(`${change.path}: script changed beyond the fix`);
      }
      continue;
    }
    // template-injection's new `env:` entries carry the expression they took from the script.
    if (new RegExp(`^${STEP}\\.env\\.[A-Za-z_][A-Za-z0-9_]*$`).test(change.path) && change.before === undefined && /^\$\{\{[\s\S]*\}\}$/.test(String(change.after))) continue;
    problems.push(`${change.path}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`);
  }
  const comments = (text: string) => text.split('\n').filter((line) => /^\s*#/.test(line)).map((line) => line.trim());
  const kept = new Set(comments(after));
  for (const comment of comments(before)) if (!kept.has(comment)) problems.push(`comment line lost: ${comment}`);
  const blanks = (text: string) => text.split('\n').filter((line) => line.trim() === '').length;
  if (blanks(after) < blanks(before)) problems.push(`blank lines lost: ${blanks(before)} → ${blanks(after)}`);
  return problems;
}

for (const unsafe of [false, true]) {
  test(`cordon fix${unsafe ? ' --unsafe' : ''} over the corpus and the rule fixtures: fixed findings go, nothing new, only intended lines change, idempotent`, async (t) => {
    const totals = { cases: 0, filesChanged: 0, fixed: 0, resolved: 0, linesAdded: 0, linesRemoved: 0, moved: 0, findingsBefore: 0, findingsAfter: 0 };
    const problems: string[] = [];
    for (const item of cases()) {
      totals.cases++;
      const result = await fix(item.inputs, item.scanned, unsafe);
      const before = new Map(item.inputs.map((input) => [input.path, input.text]));
      const after = new Map(item.inputs.map((input) => [input.path, result.files.find((file) => file.path === input.path)?.fixed ?? input.text]));
      totals.findingsBefore += result.before.findings.length;
      totals.findingsAfter += result.after.findings.length;
      for (const record of result.records) {
        if (record.outcome === 'fixed') totals.fixed++;
        if (record.outcome === 'resolved') totals.resolved++;
        if (['remains', 'invalid', 'failed', 'conflict'].includes(record.outcome)) problems.push(`${item.name}: ${record.rule}:${record.line} ${record.outcome} (${record.reason})`);
      }
      // Fixed findings are gone; nothing new appears.
      const ids = new Set(result.before.findings.map(identity));
      const lines = new Set(result.before.findings.map((finding) => lineText(before, finding)));
      for (const finding of result.after.findings) {
        if (ids.has(identity(finding))) continue;
        if (lines.has(lineText(after, finding))) {
          totals.moved++;
          continue;
        }
        problems.push(`${item.name}: new finding ${finding.rule} ${finding.severity} at ${finding.path}:${finding.line}: ${finding.message}`);
      }
      const errorsBefore = new Set(result.before.errors.map((error) => `${error.path}\0${error.message}`));
      for (const error of result.after.errors) if (!errorsBefore.has(`${error.path}\0${error.message}`)) problems.push(`${item.name}: new error ${error.path}: ${error.message}`);
      // Only intended lines change.
      for (const file of result.files) {
        totals.filesChanged++;
        const stats = diffStats(file.original, file.fixed);
        totals.linesAdded += stats.added;
        totals.linesRemoved += stats.removed;
        for (const problem of unintendedChanges(file.original, file.fixed, unsafe)) problems.push(`${item.name} ${file.path}: ${problem}`);
      }
      // A second run changes nothing.
      const again = await fix(
        item.inputs.map((input) => ({ ...input, text: after.get(input.path)! })),
        item.scanned,
        unsafe,
      );
      for (const file of again.files) problems.push(`${item.name} ${file.path}: a second run changed it again`);
    }
    t.diagnostic(JSON.stringify(totals));
    assert.deepEqual(problems, []);
    assert.ok(totals.fixed > (unsafe ? 200 : 100), `expected the fixes to apply broadly, fixed ${totals.fixed}`);
  });
}
