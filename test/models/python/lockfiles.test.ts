import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DependencyFileError } from '../../../src/models/python/errors.ts';
import { lockFormatOf, parseLockFile } from '../../../src/models/python/lockfiles.ts';
import { parsePyProject } from '../../../src/models/python/pyproject.ts';

const data = (name: string) => readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
const summary = (name: string) =>
  parseLockFile(name, data(name)).packages.map((item) => ({
    name: item.name,
    version: item.version,
    line: item.span.start.line,
    hashes: item.hashes.map((hash) => `${hash.filename ?? ''}@${hash.span?.start.line}`),
    ...(item.direct ? { direct: item.direct.kind } : {}),
    ...(item.unhashedFiles ? { unhashed: item.unhashedFiles.length } : {}),
  }));

function refuses(name: string, text: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => parseLockFile(name, text),
    (error: unknown) => error instanceof DependencyFileError && error.path === name && error.line === line && pattern.test(error.message),
  );
}

describe('lockfiles', () => {
  test('formats by name', () => {
    assert.equal(lockFormatOf('poetry.lock'), 'poetry');
    assert.equal(lockFormatOf('sub/uv.lock'), 'uv');
    assert.equal(lockFormatOf('Pipfile.lock'), 'pipfile');
    assert.equal(lockFormatOf('pdm.lock'), 'pdm');
    assert.equal(lockFormatOf('pylock.toml'), 'pylock');
    assert.equal(lockFormatOf('pylock.dev.toml'), 'pylock');
    assert.equal(lockFormatOf('case.positive.uv.lock'), 'uv');
    assert.equal(lockFormatOf('yarn.lock'), undefined);
    assert.equal(lockFormatOf('notpylock.toml'), undefined);
  });

  test('poetry.lock 2.1: per-package files with file names; directory sources are direct', () => {
    const lock = parseLockFile('poetry.lock', data('poetry-2.1.poetry.lock'));
    assert.equal(lock.format, 'poetry');
    assert.equal(lock.formatVersion, '2.1');
    assert.deepEqual(summary('poetry-2.1.poetry.lock'), [
      { name: 'cachecontrol', version: '0.14.4', line: 4, hashes: ['cachecontrol-0.14.4-py3-none-any.whl@11', 'cachecontrol-0.14.4.tar.gz@12'] },
      { name: 'mylib', version: '0.1.0', line: 24, hashes: [], direct: 'editable' },
    ]);
  });

  test('poetry.lock 1.0: hashes from [metadata.files], keyed by name', () => {
    assert.deepEqual(summary('poetry-1.0.poetry.lock'), [
      {
        name: 'sampleproject',
        version: '1.3.1',
        line: 3,
        hashes: ['sampleproject-1.3.1-py2.py3-none-any.whl@22', 'sampleproject-1.3.1-py3-none-any.whl@23', 'sampleproject-1.3.1.tar.gz@24'],
      },
      { name: 'requests', version: '2.31.0', line: 10, hashes: [] },
    ]);
  });

  test('uv.lock version 1: sdist and wheel hashes, sources, files without hashes', () => {
    const lock = parseLockFile('uv.lock', data('revision-3.uv.lock'));
    assert.equal(lock.formatVersion, '1');
    assert.equal(lock.packages[0]!.index, 'https://pypi.org/simple');
    assert.deepEqual(summary('revision-3.uv.lock'), [
      { name: 'anyio', version: '4.10.0', line: 6, hashes: ['anyio-4.10.0.tar.gz@13', 'anyio-4.10.0-py3-none-any.whl@15'] },
      { name: 'mini-mail-sender', version: '0.1.0', line: 19, hashes: [], direct: 'path' },
      { name: 'tool', version: '1.0.0', line: 30, hashes: [], direct: 'vcs' },
      { name: 'unhashed', version: '1.0.0', line: 35, hashes: [], unhashed: 1 },
    ]);
  });

  test('Pipfile.lock: == versions, index names resolved, old single `hash`, editable paths', () => {
    const lock = parseLockFile('Pipfile.lock', data('quadratic.Pipfile.lock'));
    assert.equal(lock.formatVersion, '6');
    assert.equal(lock.packages[0]!.index, 'https://pypi.org/simple');
    assert.equal(lock.packages[0]!.marker, "python_version >= '3.7'");
    assert.deepEqual(summary('quadratic.Pipfile.lock'), [
      { name: 'build', version: '1.0.3', line: 19, hashes: ['@21', '@22'] },
      { name: 'mytool', version: undefined, line: 30, hashes: [], direct: 'editable' },
      { name: 'oldstyle', version: '0.4.3', line: 34, hashes: ['@35'] },
      { name: 'nohash', version: '1.0', line: 38, hashes: [] },
    ]);
  });

  test('pdm.lock 4.5 (per-package files) and 4.0 ([metadata.files] keyed "name version")', () => {
    assert.deepEqual(summary('current.pdm.lock'), [{ name: 'requests', version: '2.27.1', line: 14, hashes: ['requests-2.27.1-py2.py3-none-any.whl@26', 'requests-2.27.1.tar.gz@27'] }]);
    assert.deepEqual(summary('legacy.pdm.lock'), [{ name: 'click', version: '7.1.2', line: 2, hashes: ['click-7.1.2-py2.py3-none-any.whl@13', 'click-7.1.2.tar.gz@14'] }]);
  });

  test('pylock.toml: wheel hashes tables, directories are direct', () => {
    const lock = parseLockFile('pylock.toml', data('example.pylock.toml'));
    assert.equal(lock.formatVersion, '1.0');
    assert.deepEqual(summary('example.pylock.toml'), [
      { name: 'attrs', version: '25.1.0', line: 7, hashes: ['attrs-25.1.0-py3-none-any.whl@16'] },
      { name: 'cattrs', version: '24.1.2', line: 25, hashes: [] },
      { name: 'local-project', version: undefined, line: 33, hashes: [], direct: 'editable' },
    ]);
  });

  test('unknown format versions are refused with the file and line, not guessed', () => {
    refuses('uv.lock', 'requires-python = ">=3.12"\nversion = 2\nrevision = 1\n', 2, /uv\.lock version 2/);
    refuses('poetry.lock', '[[package]]\nname = "a"\nversion = "1"\n\n[metadata]\nlock-version = "3.0"\n', 6, /lock-version "3\.0"/);
    refuses('pylock.toml', "lock-version = '2.0'\ncreated-by = 'x'\n", 1, /lock-version "2\.0"/);
    refuses('pdm.lock', '[metadata]\nlock_version = "5.0"\n', 2, /lock_version "5\.0"/);
    refuses('Pipfile.lock', '{\n  "_meta": {\n    "pipfile-spec": 7\n  }\n}\n', 3, /pipfile-spec 7/);
  });

  test('malformed TOML and JSON are refused with their line', () => {
    refuses('uv.lock', 'version = 1\n[[package]\nname = "x"\n', 2, /invalid TOML/);
    refuses('Pipfile.lock', '{\n  "_meta": {},\n  "default": {,}\n}\n', 3, /invalid JSON/);
  });
});

describe('pyproject.toml declarations', () => {
  test('PEP 621, optional dependencies, PEP 735 groups and Poetry tables, with lines', () => {
    const project = parsePyProject('pyproject.toml', data('pyproject.toml'));
    assert.equal(project.name, 'example');
    assert.deepEqual(
      project.dependencies.map((item) => [item.group, item.normalizedName, item.specifier, item.syntax, item.span.start.line, item.direct?.kind]),
      [
        ['project', 'requests', '>=2.31', 'pep508', 5, undefined],
        ['project', 'tomli', '', 'pep508', 6, undefined],
        ['project', 'mylib', '', 'pep508', 7, 'vcs'],
        ['extra:socks', 'pysocks', '>=1.5.6', 'pep508', 11, undefined],
        ['group:coverage', 'coverage', '', 'pep508', 14, undefined],
        ['group:test', 'pytest', '>7', 'pep508', 15, undefined],
        ['poetry:main', 'httpx', '^0.27', 'poetry', 19, undefined],
        ['poetry:main', 'private', '1.2', 'poetry', 20, undefined],
        ['poetry:dev', 'black', '', 'poetry', 23, 'vcs'],
      ],
    );
    assert.equal(project.dependencies[1]!.marker, "python_version < '3.11'");
    assert.deepEqual(project.errors, []);
  });

  test('an include-group naming no group is reported', () => {
    const project = parsePyProject('pyproject.toml', '[dependency-groups]\ntest = [{include-group = "nope"}]\n');
    assert.equal(project.errors.length, 1);
    assert.match(project.errors[0]!.message, /unknown group nope/);
  });
});

describe('lock-missing-hashes on Pipfile.lock (JSON takes no expectation comments)', () => {
  test('entries without hashes are reported; editable paths are not', async () => {
    const { auditText } = await import('../../helpers/audit.ts');
    const result = await auditText(data('quadratic.Pipfile.lock'), { path: 'Pipfile.lock', kind: 'lockfile', ruleIds: ['lock-missing-hashes'] });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.findings.map((finding) => [finding.line, finding.severity]),
      [[38, 'medium']],
    );
  });
});
