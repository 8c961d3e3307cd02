import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isHashed, loadRequirementsTree, parseRequirements, requirementsToLockFile, resolveIncludePath, shlexSplit, unhashable } from '../../../src/models/python/requirements.ts';

const data = (name: string) => readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');

describe('requirements files, as pip reads them', () => {
  test('pip-compile --generate-hashes output: pins, hashes with their lines, the generator', () => {
    const file = parseRequirements('requirements.txt', data('pip-compile.requirements.txt'));
    assert.equal(file.generatedBy, 'pip-compile');
    assert.deepEqual(
      file.requirements.map((line) => [line.name, line.version, line.line, line.hashes.length, line.pinned]),
      [
        ['asgiref', '3.6.0', 7, 2, true],
        ['django', '4.1.7', 11, 2, true],
        ['sqlparse', '0.4.3', 15, 2, true],
      ],
    );
    const [first] = file.requirements;
    assert.equal(first!.hashes[0]!.algorithm, 'sha256');
    assert.equal(first!.hashes[0]!.digest, '71e68008da809b957b7ee4b43dbccff33d1b23519fb8344e33f049897077afac');
    // Each hash is located on its own physical line; the requirement spans its continuation lines.
    assert.deepEqual(first!.hashes.map((hash) => hash.span?.start.line), [8, 9]);
    assert.equal(first!.span.start.line, 7);
    assert.equal(first!.span.end.line, 9);
    assert.deepEqual(file.errors, []);
  });

  test('uv export output: the -e . line is editable and cannot be hashed; markers stay whole', () => {
    const file = parseRequirements('requirements.txt', data('uv-export.requirements.txt'));
    assert.equal(file.generatedBy, 'uv');
    const [project, annotated, colorama] = file.requirements;
    assert.equal(project!.source, 'editable');
    assert.match(unhashable(project!) ?? '', /editable/);
    assert.equal(annotated!.name, 'annotated-types');
    assert.equal(colorama!.marker, "sys_platform == 'win32'");
    assert.equal(colorama!.hashes.length, 2);
    assert.ok(isHashed(colorama!));
  });

  test("pip's line rules: comments need whitespace before #, continuations join, the joined line keeps its first number", () => {
    const text = ['foo==1.0#not-a-comment', 'bar==2.0 # a comment', 'baz==3.0 \\', '    ; python_version < "3.11"', '# whole-line comment \\', 'qux>=1', ''].join('\n');
    const file = parseRequirements('r.txt', text);
    assert.deepEqual(
      file.requirements.map((line) => [line.line, line.text]),
      [
        [1, 'foo==1.0#not-a-comment'],
        [2, 'bar==2.0'],
        [3, 'baz==3.0     ; python_version < "3.11"'],
        [6, 'qux>=1'],
      ],
    );
    // `foo==1.0#not-a-comment` is not a valid specifier: pip refuses the line too.
    assert.ok(file.requirements[0]!.error);
    assert.equal(file.requirements[2]!.marker, 'python_version < "3.11"');
  });

  test('options: index URLs, find-links, --require-hashes, includes, unknown options', () => {
    const text = [
      '-i https://pypi.example.com/simple',
      '--extra-index-url=https://extra.example.com/simple',
      '-f ./wheels',
      '--require-hashes',
      '-r base.txt',
      '--constraint=constraints.txt',
      '-rdev.txt',
      '--no-such-option',
      '--hash=sha256:abc',
    ].join('\n');
    const file = parseRequirements('reqs/prod.txt', text);
    assert.deepEqual(
      file.options.map((option) => [option.name, option.value]),
      [
        ['index-url', 'https://pypi.example.com/simple'],
        ['extra-index-url', 'https://extra.example.com/simple'],
        ['find-links', './wheels'],
        ['require-hashes', undefined],
      ],
    );
    assert.ok(file.requireHashes);
    assert.deepEqual(
      file.includes.map((include) => [include.kind, include.target, include.line]),
      [
        ['requirement', 'base.txt', 5],
        ['constraint', 'constraints.txt', 6],
        ['requirement', 'dev.txt', 7],
      ],
    );
    assert.deepEqual(
      file.errors.map((error) => error.line),
      [8, 9],
    );
  });

  test('weak hash algorithms are refused as pip refuses them', () => {
    const file = parseRequirements('r.txt', 'foo==1.0 --hash=md5:0123456789abcdef0123456789abcdef');
    assert.match(file.requirements[0]!.error ?? '', /sha256, sha384, sha512/);
    assert.equal(file.requirements[0]!.hashes.length, 0);
  });

  test('URL, VCS, path and name @ url lines', () => {
    const text = [
      'git+https://github.com/org/tool.git@v1.2#egg=tool',
      'https://files.example.com/pkg-1.0.tar.gz#sha256=0123456789abcdef',
      'pkg2 @ https://files.example.com/pkg2-1.0.whl ; python_version >= "3.8"',
      './vendor/lib',
      'dist/pkg-1.0-py3-none-any.whl',
      'name[extra1,extra2]==1.0',
    ].join('\n');
    const [vcs, url, direct, dir, wheel, extras] = parseRequirements('r.txt', text).requirements;
    assert.equal(vcs!.source, 'vcs');
    assert.equal(vcs!.name, 'tool');
    assert.equal(vcs!.vcsRevision, 'v1.2');
    assert.equal(url!.source, 'url');
    assert.deepEqual(url!.urlHash, { algorithm: 'sha256', digest: '0123456789abcdef' });
    assert.equal(direct!.name, 'pkg2');
    assert.equal(direct!.url, 'https://files.example.com/pkg2-1.0.whl');
    assert.equal(direct!.marker, 'python_version >= "3.8"');
    assert.equal(dir!.source, 'path');
    assert.match(unhashable(dir!) ?? '', /directory/);
    assert.equal(wheel!.source, 'path');
    assert.equal(unhashable(wheel!), undefined);
    assert.deepEqual(extras!.requirement?.extras, ['extra1', 'extra2']);
    assert.equal(extras!.version, '1.0');
  });

  test('as a LockFile for the registry client', () => {
    const lock = requirementsToLockFile(parseRequirements('requirements.txt', data('pip-compile.requirements.txt')));
    assert.equal(lock.format, 'requirements');
    assert.deepEqual(
      lock.packages.map((item) => [item.normalizedName, item.version, item.hashes.length]),
      [
        ['asgiref', '3.6.0', 2],
        ['django', '4.1.7', 2],
        ['sqlparse', '0.4.3', 2],
      ],
    );
  });

  test('shlex.split in POSIX mode', () => {
    assert.deepEqual(shlexSplit(`--hash=sha256:abc "a b" 'c d' e\\ f`), ['--hash=sha256:abc', 'a b', 'c d', 'e f']);
    assert.equal(shlexSplit(`"open`), undefined);
  });
});

describe('-r / -c includes', () => {
  test('resolve against the including file and never leave through URLs', () => {
    assert.equal(resolveIncludePath('requirements/prod.txt', 'base.txt'), 'requirements/base.txt');
    assert.equal(resolveIncludePath('requirements/prod.txt', '../constraints.txt'), 'constraints.txt');
    assert.equal(resolveIncludePath('requirements.txt', './dev/test.txt'), 'dev/test.txt');
    assert.equal(resolveIncludePath('requirements.txt', 'https://example.com/r.txt'), undefined);
  });

  test('are followed through the reader, with constraints marked and cycles reported', async () => {
    const files: Record<string, string> = {
      'requirements/base.txt': '-c ../constraints.txt\nrequests==2.32.3\n-r base.txt\n',
      'constraints.txt': 'urllib3<2\n',
    };
    const root = parseRequirements('requirements/prod.txt', '-r base.txt\n-r missing.txt\nflask==3.0.3\n');
    const tree = await loadRequirementsTree(root, (path) => (files[path] !== undefined ? { ok: true, path, text: files[path]! } : { ok: false, message: 'no such file' }));
    assert.deepEqual(
      tree.files.map((file) => file.path),
      ['requirements/prod.txt', 'requirements/base.txt', 'constraints.txt'],
    );
    assert.deepEqual([...tree.constraintFiles], ['constraints.txt']);
    assert.equal(tree.files[2]!.requirements[0]!.constraint, true);
    assert.deepEqual(
      tree.errors.map((error) => [error.path, error.line, /recursively|no such file/.test(error.message)]),
      [
        ['requirements/base.txt', 3, true],
        ['requirements/prod.txt', 2, true],
      ],
    );
  });
});
