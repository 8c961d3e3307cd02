import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownersOf, parseCodeowners, patternToRegExp } from '../../src/analysis/codeowners.ts';

test('CODEOWNERS patterns follow GitHub’s documented examples', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', '.github/workflows/release.yml', true],
    ['*.js', 'src/deep/app.js', true],
    ['*.js', 'src/deep/app.ts', false],
    ['/build/logs/', 'build/logs/2024/run.log', true],
    ['/build/logs/', 'src/build/logs/run.log', false],
    ['docs/*', 'docs/getting-started.md', true],
    ['docs/*', 'docs/build-app/troubleshooting.md', false],
    ['apps/', 'apps/web/index.js', true],
    ['apps/', 'src/apps/web/index.js', true],
    ['/docs/', 'docs/a/b.md', true],
    ['**/logs', 'deploy/logs/x.log', true],
    ['**/logs', 'logs/x.log', true],
    ['/.github/', '.github/workflows/ci.yml', true],
    ['.github/workflows/', '.github/workflows/ci.yml', true],
    ['/.github/workflows/*.yml', '.github/workflows/ci.yaml', false],
    ['/apps/github', 'apps/github/main.go', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['/scripts/**', 'scripts/a/b.sh', true],
    ['README.md', 'docs/README.md', true],
    ['/README.md', 'docs/README.md', false],
  ];
  for (const [pattern, path, expected] of cases) assert.equal(patternToRegExp(pattern).test(path), expected, `${pattern} vs ${path}`);
});

test('the last matching line wins, and a line without owners removes them', () => {
  const codeowners = parseCodeowners(['# owners', '*  @org/all', '/.github/workflows/ @org/ci  # inline comment', '/.github/workflows/experimental.yml', ''].join('\n'));
  assert.deepEqual(ownersOf(codeowners, '.github/workflows/ci.yml'), ['@org/ci']);
  assert.deepEqual(ownersOf(codeowners, '.github/workflows/experimental.yml'), []);
  assert.deepEqual(ownersOf(codeowners, 'src/main.ts'), ['@org/all']);
});

test('lines GitHub cannot read are skipped', () => {
  const codeowners = parseCodeowners(['/.github/ @org/ci', '!/.github/workflows/ @org/x', '/.github/[a-z]*/ @org/x', '/.github/workflows/ org-without-at'].join('\n'));
  assert.deepEqual(codeowners.invalid.map((item) => item.line), [2, 3, 4]);
  assert.deepEqual(ownersOf(codeowners, '.github/workflows/ci.yml'), ['@org/ci']);
  assert.deepEqual(ownersOf(parseCodeowners('* user@example.com'), 'a'), ['user@example.com']);
});
