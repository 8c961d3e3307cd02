import assert from 'node:assert/strict';
import { test } from 'node:test';
import { YamlFile } from '../../src/models/yaml/document.ts';
import { applyEdits, editsOverlap, mapping, raw, renderScalar, scalar, YamlEditor } from '../../src/fixes/yaml-edit.ts';
import { FixUnavailableError } from '../../src/fixes/types.ts';

const edit = (text: string, build: (editor: YamlEditor) => Parameters<typeof applyEdits>[1]) => {
  const editor = new YamlEditor(YamlFile.parse(text));
  return applyEdits(text, build(editor));
};

test('insertEntry writes a key at its siblings’ column, before a key and above its comments', () => {
  const text = 'jobs:\n    build:\n        runs-on: x   # keep me\n\n        # the steps\n        steps:\n            - run: make\n';
  const out = edit(text, (editor) => [editor.insertEntry(editor.mapAt(['jobs', 'build']), { key: 'permissions', value: mapping([{ key: 'contents', value: raw('read'), comment: 'why' }]) }, { before: ['steps'] })]);
  assert.equal(out, 'jobs:\n    build:\n        runs-on: x   # keep me\n\n        permissions:\n            contents: read # why\n        # the steps\n        steps:\n            - run: make\n');
});

test('insertEntry appends after the last entry, a block scalar included, and into flow mappings', () => {
  const text = 'steps:\n  - run: |\n      echo hi\n\n    # trailing\n  - uses: x\n    with: { a: 1 }\n';
  const out = edit(text, (editor) => [
    editor.insertEntry(editor.mapAt(['steps', 0]), { key: 'env', value: mapping([{ key: 'A', value: scalar('${{ github.event.issue.title }}') }]) }),
    editor.insertEntry(editor.mapAt(['steps', 1, 'with']), { key: 'persist-credentials', value: raw('false') }),
  ]);
  assert.equal(out, 'steps:\n  - run: |\n      echo hi\n    env:\n      A: ${{ github.event.issue.title }}\n\n    # trailing\n  - uses: x\n    with: { a: 1, persist-credentials: false }\n');
});

test('removeEntry takes the lines of the entry, the first key of a sequence item, and flow entries', () => {
  const text = 'a:\n  x: 1 # gone\n  y:\n    - 2\n  z: 3\nsteps:\n  - env:\n      D: 1\n    run: echo\nf: { p: 1, q: 2 }\n';
  const out = edit(text, (editor) => [
    editor.removeEntry(editor.mapAt(['a']), 'x'),
    editor.removeEntry(editor.mapAt(['a']), 'y'),
    editor.removeEntry(editor.mapAt(['steps', 0]), 'env'),
    editor.removeEntry(editor.mapAt(['f']), 'q'),
  ]);
  assert.equal(out, 'a:\n  z: 3\nsteps:\n  - run: echo\nf: { p: 1 }\n');
});

test('removing the last entry empties the mapping or removes its parent', () => {
  const text = 'permissions:\n  id-token: write # why\njobs: {}\nenv:\n  A: 1\nb: 2\n';
  assert.equal(
    edit(text, (editor) => [editor.removeEntry(editor.mapAt(['permissions']), 'id-token', 'empty')]),
    'permissions: {}\njobs: {}\nenv:\n  A: 1\nb: 2\n',
  );
  assert.equal(
    edit(text, (editor) => [editor.removeEntry(editor.mapAt(['env']), 'A', { parent: editor.mapAt([]), key: 'env' })]),
    'permissions:\n  id-token: write # why\njobs: {}\nb: 2\n',
  );
});

test('replaceValue keeps the key line’s comment and anchor', () => {
  const text = 'permissions: write-all # too much\nenv: &shared\n  A: 1\nother: *shared\n';
  const out = edit(text, (editor) => [
    editor.replaceValue(editor.pair(editor.mapAt([]), 'permissions')!, mapping([{ key: 'contents', value: raw('read'), comment: 'to fetch' }])),
    editor.replaceValue(editor.pair(editor.mapAt([]), 'env')!, mapping([])),
  ]);
  assert.equal(out, 'permissions: # too much\n  contents: read # to fetch\nenv: &shared {}\nother: *shared\n');
});

test('edits refuse aliases, anchors and merge keys unless told', () => {
  const text = 'base: &b\n  x: 1\njob:\n  <<: *b\n  y: 2\nuse: *b\n';
  const editor = new YamlEditor(YamlFile.parse(text));
  assert.throws(() => editor.mapAt(['base']), FixUnavailableError);
  assert.throws(() => editor.mapAt(['use']), FixUnavailableError);
  assert.throws(() => editor.nodeAt(['job', 'x']), FixUnavailableError);
  assert.ok(editor.mapAt(['base'], { anchored: true }));
});

test('the indentation step comes from the file', () => {
  const text = 'on:\n    push:\njobs:\n    a:\n        runs-on: x\n        steps: []\n';
  const out = edit(text, (editor) => [editor.insertEntry(editor.mapAt(['jobs', 'a']), { key: 'permissions', value: mapping([{ key: 'contents', value: raw('read') }]) }, { before: ['steps'] })]);
  assert.equal(out, 'on:\n    push:\njobs:\n    a:\n        runs-on: x\n        permissions:\n            contents: read\n        steps: []\n');
});

test('scalars are quoted only when plain text would not read back', () => {
  assert.equal(renderScalar('pypi'), 'pypi');
  assert.equal(renderScalar('${{ github.head_ref }}'), '${{ github.head_ref }}');
  assert.equal(renderScalar('${{ a }}', true), "'${{ a }}'");
  assert.equal(renderScalar("${{ x || 'a: b' }}"), "'${{ x || ''a: b'' }}'");
  assert.equal(renderScalar('true'), "'true'");
  assert.equal(renderScalar('1.0'), "'1.0'");
  assert.equal(renderScalar('a #b'), "'a #b'");
});

test('overlap: shared text, one insertion point, insertion inside a range', () => {
  assert.ok(editsOverlap({ offset: 1, endOffset: 5, text: '' }, { offset: 4, endOffset: 8, text: '' }));
  assert.ok(editsOverlap({ offset: 3, endOffset: 3, text: 'a' }, { offset: 3, endOffset: 3, text: 'b' }));
  assert.ok(editsOverlap({ offset: 3, endOffset: 3, text: 'a' }, { offset: 1, endOffset: 5, text: '' }));
  assert.ok(!editsOverlap({ offset: 5, endOffset: 5, text: 'a' }, { offset: 1, endOffset: 5, text: '' }));
  assert.ok(!editsOverlap({ offset: 1, endOffset: 3, text: '' }, { offset: 3, endOffset: 6, text: '' }));
  // Insertions at one point keep their order.
  assert.equal(applyEdits('ab', [{ offset: 1, endOffset: 1, text: 'X' }, { offset: 1, endOffset: 1, text: 'Y' }]), 'aXYb');
});
