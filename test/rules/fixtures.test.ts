/**
 * Per-rule fixture tests in the style of zizmor's snapshot tests, with the expectations written
 * in the fixture itself. See test/rules/README.md for the conventions.
 *
 * Every `test/rules/<rule-id>/**.yml` is audited with the whole rule set, so findings of other
 * rules are produced too (and shown as diagnostics). Compared exactly, by line, rule and
 * severity: the folder's rule, plus any other rule a fixture names in an expectation.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { audit, type AuditInput } from '../../src/engine/audit.ts';
import { isSeverity, type Finding } from '../../src/findings/finding.ts';
import { rules } from '../../src/rules/index.ts';
import { auditText } from '../helpers/audit.ts';
import { dependencyFileKind } from '../../src/models/python/dependency-files.ts';

const ROOT = dirname(fileURLToPath(import.meta.url));
const RULE_IDS = new Set(rules.map((rule) => rule.meta.id));
const EXPECT = /(?:^|\s)#\s*expect(-next-line)?:\s*(.*)$/;

interface Expectation {
  line: number;
  rule: string;
  severity: string;
  /** The file inside a repository fixture; empty for single-file fixtures. */
  path?: string;
}

interface Fixture {
  /** Path relative to test/rules, with forward slashes. */
  name: string;
  file: string;
  rule: string;
  /** `repository`: a folder holding `.github/workflows/` (and maybe CODEOWNERS), audited as one scan. */
  kind: 'workflow' | 'action' | 'repository' | 'gitlab' | 'requirements' | 'lockfile' | 'pyproject' | 'dockerfile';
  /** Declared by the file name (or, for `action.yml` and repositories, the folder's name). */
  declared: 'positive' | 'negative' | null;
}

/** `<name>.positive.gitlab-ci.yml`: a GitLab CI pipeline, not a GitHub workflow. */
const GITLAB_FIXTURE = /\.gitlab-ci\.ya?ml$/;

/** A folder with `.github/workflows/` in it is a repository fixture, not a set of loose files. */
function isRepositoryFixture(dir: string): boolean {
  return existsSync(join(dir, '.github', 'workflows'));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return isRepositoryFixture(path) ? [path] : listFiles(path);
      // Requirements files, lockfiles and Dockerfiles are fixtures too, by name (`case.positive.uv.lock`).
      return /\.ya?ml$/.test(entry) || dependencyFileKind(entry) ? [path] : [];
    });
}

function fixtures(): Fixture[] {
  const found: Fixture[] = [];
  for (const folder of readdirSync(ROOT).sort()) {
    if (!statSync(join(ROOT, folder)).isDirectory()) continue;
    for (const file of listFiles(join(ROOT, folder))) {
      const repository = statSync(file).isDirectory();
      const action = !repository && /^action\.ya?ml$/.test(basename(file));
      const label = repository ? basename(file) : action ? basename(dirname(file)) : basename(file);
      const declared = /(^|\.)positive(\.|$)/.test(label) ? 'positive' : /(^|\.)negative(\.|$)/.test(label) ? 'negative' : null;
      const dependency = repository ? undefined : dependencyFileKind(basename(file))?.kind;
      found.push({ name: relative(ROOT, file).split(sep).join('/'), file, rule: folder, kind: repository ? 'repository' : action ? 'action' : dependency ? dependency : GITLAB_FIXTURE.test(basename(file)) ? 'gitlab' : 'workflow', declared });
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

function show(items: Array<{ line: number; rule: string; severity: string; path?: string }>): string[] {
  return items
    .map((item) => `${item.path ? `${item.path}:` : ''}${item.line} ${item.rule} ${item.severity}`)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];

/** The files of a repository fixture, relative to it: workflows, composite actions, CODEOWNERS. */
function repositoryFiles(dir: string): { inputs: AuditInput[]; codeowners?: { path: string; text: string } } {
  const inputs: AuditInput[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      const shown = relative(dir, path).split(sep).join('/');
      if (statSync(path).isDirectory()) walk(path);
      else if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(shown)) inputs.push({ path: shown, text: readFileSync(path, 'utf8'), kind: 'workflow' });
      else if (/(^|\/)action\.ya?ml$/.test(shown)) inputs.push({ path: shown, text: readFileSync(path, 'utf8'), kind: 'action' });
      else if (dependencyFileKind(shown)) inputs.push({ path: shown, text: readFileSync(path, 'utf8'), kind: dependencyFileKind(shown)!.kind });
    }
  };
  walk(dir);
  const location = CODEOWNERS_LOCATIONS.find((candidate) => existsSync(join(dir, candidate)));
  return { inputs, codeowners: location ? { path: location, text: readFileSync(join(dir, location), 'utf8') } : undefined };
}

/** Every expectation of a fixture; a repository fixture's carry the file they are in. */
function fixtureExpectations(fixture: Fixture): Expectation[] {
  if (fixture.kind !== 'repository') return parseExpectations(readFileSync(fixture.file, 'utf8'));
  const { inputs, codeowners } = repositoryFiles(fixture.file);
  return [...inputs, ...(codeowners ? [codeowners] : [])].flatMap((file) => parseExpectations(file.text).map((item) => ({ ...item, path: file.path })));
}

function describeFinding(finding: Finding): string {
  return `${finding.path}:${finding.line}:${finding.column} ${finding.rule} ${finding.severity}: ${finding.message}`;
}

const all = fixtures();

describe('rule fixtures', () => {
  for (const fixture of all) {
    test(fixture.name, async (t) => {
      const expected = fixtureExpectations(fixture);
      assert.ok(RULE_IDS.has(fixture.rule), `folder test/rules/${fixture.rule} does not name a rule in src/rules/index.ts`);
      const own = expected.filter((item) => item.rule === fixture.rule);
      if (fixture.declared === 'positive') assert.ok(own.length > 0, 'named positive but expects no finding of its rule');
      if (fixture.declared === 'negative') assert.equal(own.length, 0, 'named negative but expects findings of its rule');

      let result;
      if (fixture.kind === 'repository') {
        const { inputs, codeowners } = repositoryFiles(fixture.file);
        result = await audit(inputs, { rules, config: {}, codeowners, scannedWorkflowFolder: true });
      } else {
        result = await auditText(readFileSync(fixture.file, 'utf8'), { path: fixture.name, kind: fixture.kind });
      }
      assert.deepEqual(result.errors, [], 'the fixture must be readable');
      const compared = new Set([fixture.rule, ...expected.map((item) => item.rule)]);
      const actual = result.findings.filter((finding) => compared.has(finding.rule));
      for (const finding of result.findings) t.diagnostic(`${compared.has(finding.rule) ? '' : '(not compared) '}${describeFinding(finding)}`);
      const repository = fixture.kind === 'repository';
      const shownActual = actual.map((finding) => ({ ...finding, path: repository ? finding.path : undefined }));
      assert.deepEqual(show(shownActual), show(expected), `findings differ:\n${actual.map(describeFinding).join('\n') || '(none)'}`);
    });
  }
});

describe('rule fixture coverage', () => {
  for (const rule of RULE_IDS) {
    test(rule, () => {
      const mine = all.filter((fixture) => fixture.rule === rule);
      assert.ok(mine.length > 0, `no fixtures in test/rules/${rule}/`);
      const kinds = mine.map((fixture) => {
        const own = fixtureExpectations(fixture).filter((item) => item.rule === rule);
        return own.length ? 'positive' : 'negative';
      });
      assert.ok(kinds.includes('positive'), `test/rules/${rule}/ has no positive fixture`);
      assert.ok(kinds.includes('negative'), `test/rules/${rule}/ has no negative fixture`);
    });
  }

  test('every fixture declares whether it is positive or negative', () => {
    const undeclared = all.filter((fixture) => fixture.declared === null).map((fixture) => fixture.name);
    assert.deepEqual(undeclared, [], 'name fixtures <name>.positive.yml / <name>.negative.yml (composite actions: <name>.positive/action.yml; repositories: <name>.positive/.github/workflows/…)');
  });
});
