import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ruleDocPage, ruleIndexPage } from '../../src/docs/rule-docs.ts';
import { rules } from '../../src/rules/index.ts';

test('every rule has complete docs', () => {
  const ids = new Set<string>();
  for (const { meta } of rules) {
    assert.match(meta.id, /^[a-z]+(-[a-z]+)*$/, `${meta.id}: ids are kebab-case`);
    assert.ok(!ids.has(meta.id), `${meta.id}: duplicate id`);
    ids.add(meta.id);
    assert.ok(meta.summary.length > 10 && !meta.summary.endsWith('.'), `${meta.id}: one-line summary without a final period`);
    assert.ok(meta.docs.why.length > 200, `${meta.id}: why it matters`);
    assert.ok(meta.docs.example.trim(), `${meta.id}: example`);
    assert.ok(meta.docs.fix.trim(), `${meta.id}: fix`);
    assert.ok(meta.docs.references.length > 0, `${meta.id}: references`);
    for (const reference of meta.docs.references) assert.match(reference, /^https:\/\//);
  }
});

test('docs/rules is generated from the rules (run `npm run docs` after changing one)', () => {
  for (const { meta } of rules) {
    assert.equal(readFileSync(`docs/rules/${meta.id}.md`, 'utf8'), ruleDocPage(meta), `docs/rules/${meta.id}.md is stale`);
  }
  assert.equal(readFileSync('docs/rules/README.md', 'utf8'), ruleIndexPage(rules.map((rule) => rule.meta)));
});
