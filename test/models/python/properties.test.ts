/**
 * Property tests for the dependency-file models: the parsers are total (they never throw on
 * arbitrary text, except the documented `DependencyFileError`), what they print parses back to the
 * same thing, and the marker evaluator is total.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDockerfile } from '../../../src/models/docker/dockerfile.ts';
import { DependencyFileError } from '../../../src/models/python/errors.ts';
import { parseLockFile } from '../../../src/models/python/lockfiles.ts';
import { compareVersions, satisfies } from '../../../src/models/python/pep440.ts';
import { evaluateMarker, formatMarker, MARKER_VARIABLES, parseMarker, parseRequirement, type MarkerEnvironment, type MarkerNode, type MarkerOperand } from '../../../src/models/python/pep508.ts';
import { parsePyProject } from '../../../src/models/python/pyproject.ts';
import { parseRequirements } from '../../../src/models/python/requirements.ts';
import { loadShellParser } from '../../../src/models/shell/parse.ts';

before(async () => {
  await loadShellParser();
});

const RUNS = { numRuns: 300 };

/** Text made of the pieces these formats are built from, so the parsers go past the first line. */
const fragments = fc.constantFrom(
  '\n', ' ', '\\', '#', '-r ', '-c ', '-e ', '--hash=sha256:', '--index-url ', '--require-hashes', '==', '>=', ';', '@', '[', ']', '"', "'", '{', '}', '=', ',',
  'requests', '1.0', 'git+https://x/y@v1', 'python_version < "3.11"', '[[package]]', '[metadata]', 'name = "a"', 'version = 1', 'lock-version = "2.0"',
  'files = [', 'hash = "sha256:00"', '<<EOF', 'EOF', 'FROM ', 'RUN ', 'ARG ', '${A}', '$(', ')', '\t', '\r\n', '0123456789abcdef', 'é', '\u2028',
);
const structuredText = fc.array(fragments, { maxLength: 60 }).map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), structuredText);

function onlyDocumentedErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof DependencyFileError)) throw error;
    assert.ok(Number.isInteger(error.line) && error.line >= 1, `line ${error.line}`);
    assert.ok(error.path.length > 0);
  }
}

describe('parsers are total', () => {
  test('requirements files never throw', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const file = parseRequirements('requirements.txt', text);
        for (const line of file.requirements) assert.ok(line.line >= 1 && line.span.start.line <= line.span.end.line);
      }),
      RUNS,
    );
  });

  test('lockfiles and pyproject.toml throw only DependencyFileError', () => {
    const names = ['poetry.lock', 'uv.lock', 'Pipfile.lock', 'pdm.lock', 'pylock.toml'];
    fc.assert(
      fc.property(anyText, fc.constantFrom(...names), (text, name) => {
        onlyDocumentedErrors(() => parseLockFile(name, text));
        onlyDocumentedErrors(() => parsePyProject('pyproject.toml', text));
      }),
      RUNS,
    );
  });

  test('lockfiles built from well-formed TOML pieces throw only DependencyFileError', () => {
    const entry = fc.record({
      name: fc.oneof(fc.constant('requests'), fc.string({ maxLength: 8 })),
      version: fc.oneof(fc.constant('1.0'), fc.integer().map(String)),
      hash: fc.oneof(fc.constant('sha256:00ff'), fc.constant(''), fc.string({ maxLength: 8 })),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), fc.constantFrom('1', '2', '"1.0"', '"2.1"', '"4.5.0"', '[]'), (entries, version) => {
        const body = entries
          .map((item) => `[[package]]\nname = ${JSON.stringify(item.name)}\nversion = ${JSON.stringify(item.version)}\nfiles = [{file = "x.whl", hash = ${JSON.stringify(item.hash)}}]\nsdist = { url = "x.tar.gz", hash = ${JSON.stringify(item.hash)} }\n`)
          .join('\n');
        onlyDocumentedErrors(() => parseLockFile('uv.lock', `version = ${version}\n${body}`));
        onlyDocumentedErrors(() => parseLockFile('poetry.lock', `${body}\n[metadata]\nlock-version = ${version}\n`));
        onlyDocumentedErrors(() => parseLockFile('pdm.lock', `[metadata]\nlock_version = ${version}\n${body}`));
        onlyDocumentedErrors(() => parseLockFile('pylock.toml', `lock-version = ${version}\n${body.replaceAll('[[package]]', '[[packages]]')}`));
      }),
      { numRuns: 150 },
    );
  });

  test('Dockerfiles never throw, and their RUN scripts parse', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const file = parseDockerfile('Dockerfile', text);
        for (const stage of file.stages) for (const run of stage.runs) run.parsed();
        for (const instruction of file.instructions) assert.ok(instruction.line <= instruction.endLine);
      }),
      RUNS,
    );
  });

  test('markers and requirements never throw', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        parseMarker(text);
        parseRequirement(text);
      }),
      RUNS,
    );
  });
});

const variable = fc.constantFrom(...MARKER_VARIABLES.filter((name) => name !== 'extras' && name !== 'dependency_groups'));
const quotedValue = fc.oneof(fc.constantFrom('3.11', '3.8.1', 'linux', 'win32', 'posix', 'CPython', '5.15', 'socks', '', '1.0.post1'), fc.stringMatching(/^[a-z0-9. _-]{0,8}$/));
const operand: fc.Arbitrary<MarkerOperand> = fc.oneof(variable.map((name) => ({ kind: 'variable' as const, name })), quotedValue.map((value) => ({ kind: 'string' as const, value })));
const operator = fc.constantFrom('<', '<=', '!=', '==', '>=', '>', '~=', '===', 'in', 'not in' as const);
const { marker } = fc.letrec<{ marker: MarkerNode }>((tie) => ({
  marker: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constant('compare' as const), left: operand, operator, right: operand }),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('marker'), right: tie('marker') }),
  ),
}));
const environment: fc.Arbitrary<MarkerEnvironment> = fc.record(Object.fromEntries(MARKER_VARIABLES.filter((name) => name !== 'extras' && name !== 'dependency_groups').map((name) => [name, quotedValue])), { requiredKeys: [] });

describe('round trips', () => {
  test('formatMarker parses back to the same tree', () => {
    fc.assert(
      fc.property(marker, (node) => {
        const parsed = parseMarker(formatMarker(node));
        assert.ok(parsed.ok, formatMarker(node));
        assert.deepEqual(parsed.value, JSON.parse(JSON.stringify(node)));
      }),
      RUNS,
    );
  });

  test('the marker evaluator is total, and decides whenever every variable is known', () => {
    const full = fc.record(Object.fromEntries(MARKER_VARIABLES.filter((name) => name !== 'extras' && name !== 'dependency_groups').map((name) => [name, quotedValue])));
    fc.assert(
      fc.property(marker, environment, full, (node, partial, complete) => {
        const partialAnswer = evaluateMarker(node, partial);
        assert.ok(partialAnswer === undefined || typeof partialAnswer === 'boolean');
        const answer = evaluateMarker(node, complete as MarkerEnvironment);
        assert.equal(typeof answer, 'boolean');
        // Knowing more never contradicts what was already decided.
        if (partialAnswer !== undefined) assert.equal(evaluateMarker(node, { ...complete, ...partial } as MarkerEnvironment), partialAnswer);
      }),
      RUNS,
    );
  });

  test('requirements files written like pip-compile output parse back to the same pins and hashes', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}[A-Za-z0-9]$/);
    const version = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).map((parts) => parts.join('.'));
    const digest = fc.stringMatching(/^[0-9a-f]{64}$/);
    const entry = fc.record({ name, version, hashes: fc.array(digest, { minLength: 0, maxLength: 3 }), marker: fc.option(fc.constantFrom('python_version < "3.11"', "sys_platform == 'win32'"), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
        const text = entries
          .map((item) => {
            const head = `${item.name}==${item.version}${item.marker ? ` ; ${item.marker}` : ''}`;
            const hashes = item.hashes.map((hash) => `    --hash=sha256:${hash}`);
            return [hashes.length ? `${head} \\` : head, ...hashes.map((line, index) => (index < hashes.length - 1 ? `${line} \\` : line)), '    # via -r requirements.in'].join('\n');
          })
          .join('\n');
        const file = parseRequirements('requirements.txt', `${text}\n`);
        assert.deepEqual(
          file.requirements.map((line) => [line.name, line.version, line.marker, line.hashes.map((hash) => hash.digest), line.error]),
          entries.map((item) => [item.name, item.version, item.marker, item.hashes, undefined]),
        );
      }),
      RUNS,
    );
  });
});

describe('PEP 440 wrapper', () => {
  const version = fc.oneof(
    fc.tuple(fc.nat(3), fc.nat(3), fc.option(fc.constantFrom('a1', 'b2', 'rc1', '.post1', '.post2', '.dev1', '+local'), { nil: '' })).map(([major, minor, suffix]) => `${major}.${minor}${suffix}`),
    fc.string({ maxLength: 10 }),
  );
  test('total, and consistent with the ordering for < and >', () => {
    fc.assert(
      fc.property(version, version, fc.constantFrom('<', '>', '<=', '>=', '==', '!=', '~=', '==='), (a, b, op) => {
        const answer = satisfies(a, `${op}${b}`);
        assert.equal(typeof answer, 'boolean');
        const order = compareVersions(a, b);
        if (answer && op === '<') assert.equal(order, -1);
        if (answer && op === '>') assert.equal(order, 1);
      }),
      RUNS,
    );
  });
});
