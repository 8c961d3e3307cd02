/**
 * Per-rule fixture tests in the style of zizmor's snapshot tests, with the expectations written
 * in the fixture itself. See test/rules/README.md for the conventions.
 *
 * Every `test/rules/<rule-id>/**.yml` is audited with the whole rule set, so findings of other
 * rules are produced too (and shown as diagnostics). Compared exactly, by line, rule and
 * severity: the folder's rule, plus any other rule a fixture names in an expectation.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isSeverity, type Finding } from '../../src/findings/finding.ts';
import { rules } from '../../src/rules/index.ts';
import { auditText } from '../helpers/audit.ts';

const ROOT = dirname(fileURLToPath(import.meta.url));
const RULE_IDS = new Set(rules.map((rule) => rule.meta.id));
const EXPECT = /(?:^|\s)#\s*expect(-next-line)?:\s*(.*)$/;

interface Expectation {
  line: number;
  rule: string;
  severity: string;
}

interface Fixture {
  /** Path relative to test/rules, with forward slashes. */
  name: string;
  file: string;
  rule: string;
  kind: 'workflow' | 'action';
  /** Declared by the file name (or, for `action.yml`, its folder's name). */
  declared: 'positive' | 'negative' | null;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return listFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

function fixtures(): Fixture[] {
  const found: Fixture[] = [];
  for (const folder of readdirSync(ROOT).sort()) {
    if (!statSync(join(ROOT, folder)).isDirectory()) continue;
    for (const file of listFiles(join(ROOT, folder))) {
      const action = /^action\.ya?ml$/.test(basename(file));
      const label = action ? basename(dirname(file)) : basename(file);
      const declared = /(^|\.)positive(\.|$)/.test(label) ? 'positive' : /(^|\.)negative(\.|$)/.test(label) ? 'negative' : null;
      found.push({ name: relative(ROOT, file).split(sep).join('/'), file, rule: folder, kind: action ? 'action' : 'workflow', declared });
    }
  }
  return found;
}

/**
 * `# expect: rule-a high, rule-b medium` on the line where each finding starts, or
 * `# expect-next-line: …` on the line above it (for lines that cannot end in a comment, such as
 * a shell line continued with a backslash).
 */
function parseExpectations(text: string): Expectation[] {
  const expectations: Expectation[] = [];
  text.split('\n').forEach((lineText, index) => {
    const match = EXPECT.exec(lineText);
    if (!match) return;
    const line = match[1] ? index + 2 : index + 1;
    for (const item of (match[2] ?? '').split(',')) {
      const [rule = '', severity = '', ...rest] = item.trim().split(/\s+/);
      if (!rule && !severity) continue;
      if (rest.length || !RULE_IDS.has(rule) || !isSeverity(severity)) {
        throw new Error(`line ${index + 1}: malformed expectation '${item.trim()}' (want '<rule-id> <severity>' with a known rule)`);
      }
      expectations.push({ line, rule, severity });
    }
  });
  return expectations;
}

function show(items: Array<{ line: number; rule: string; severity: string }>): string[] {
  return items.map((item) => `${item.line} ${item.rule} ${item.severity}`).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
}

function describeFinding(finding: Finding): string {
  return `${finding.line}:${finding.column} ${finding.rule} ${finding.severity}: ${finding.message}`;
}

const all = fixtures();

describe('rule fixtures', () => {
  for (const fixture of all) {
    test(fixture.name, async (t) => {
      const text = readFileSync(fixture.file, 'utf8');
      const expected = parseExpectations(text);
      assert.ok(RULE_IDS.has(fixture.rule), `folder test/rules/${fixture.rule} does not name a rule in src/rules/index.ts`);
      const own = expected.filter((item) => item.rule === fixture.rule);
      if (fixture.declared === 'positive') assert.ok(own.length > 0, 'named positive but expects no finding of its rule');
      if (fixture.declared === 'negative') assert.equal(own.length, 0, 'named negative but expects findings of its rule');

      const result = await auditText(text, { path: fixture.name, kind: fixture.kind });
      assert.deepEqual(result.errors, [], 'the fixture must be readable');
      const compared = new Set([fixture.rule, ...expected.map((item) => item.rule)]);
      const actual = result.findings.filter((finding) => compared.has(finding.rule));
      for (const finding of result.findings) t.diagnostic(`${compared.has(finding.rule) ? '' : '(not compared) '}${describeFinding(finding)}`);
      assert.deepEqual(show(actual), show(expected), `findings differ:\n${actual.map(describeFinding).join('\n') || '(none)'}`);
    });
  }
});

describe('rule fixture coverage', () => {
  for (const rule of RULE_IDS) {
    test(rule, () => {
      const mine = all.filter((fixture) => fixture.rule === rule);
      assert.ok(mine.length > 0, `no fixtures in test/rules/${rule}/`);
      const kinds = mine.map((fixture) => {
        const own = parseExpectations(readFileSync(fixture.file, 'utf8')).filter((item) => item.rule === rule);
        return own.length ? 'positive' : 'negative';
      });
      assert.ok(kinds.includes('positive'), `test/rules/${rule}/ has no positive fixture`);
      assert.ok(kinds.includes('negative'), `test/rules/${rule}/ has no negative fixture`);
    });
  }

  test('every fixture declares whether it is positive or negative', () => {
    const undeclared = all.filter((fixture) => fixture.declared === null).map((fixture) => fixture.name);
    assert.deepEqual(undeclared, [], 'name fixtures <name>.positive.yml / <name>.negative.yml (composite actions: <name>.positive/action.yml)');
  });
});
