/**
 * The fix engine's mechanics with made-up rules: overlapping fixes converge over passes, edits
 * that would break the file are refused, failures and non-converging fixes are reported.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFixes } from '../../src/fixes/engine.ts';
import { FixUnavailableError, type Fix } from '../../src/fixes/types.ts';
import { defineRule, type Rule } from '../../src/rules/rule.ts';

const WORKFLOW = 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: one\n      - run: two\n';

/** Reports each `run:` step whose script is in `words`, with a fix made by `fix`. */
function ruleFor(id: string, words: string[], fix: (offset: number, end: number, word: string, text: string) => Fix): Rule<any> {
  return defineRule({
    meta: { id, summary: 'test rule', severity: 'high', confidence: 'high', docs: { why: '', example: '', fix: '', references: [] } },
    step(step, scope, context) {
      const word = step.run?.text.trim() ?? '';
      if (!words.includes(word)) return;
      const text = scope.kind === 'job' ? scope.workflow.yaml.text : '';
      context.report({ message: `found ${word}`, span: step.run!.span, key: word, fix: fix(step.run!.span.offset, step.run!.span.endOffset, word, text) });
    },
  });
}

const run = (rules: Rule<any>[], options: { maxPasses?: number; unsafe?: boolean } = {}) =>
  runFixes([{ path: 'w.yml', text: WORKFLOW, kind: 'workflow' }], { rules, config: {}, services: {}, ...options });

test('fixes whose edits overlap are applied over several passes', async () => {
  // Both fixes insert at the same point (before `steps:`): one per pass.
  const rule = ruleFor('insert', ['one', 'two'], (offset, end, word, text) => ({
    title: `mark ${word}`,
    safety: 'safe',
    edits: () => [
      { offset: text.indexOf('    steps:'), endOffset: text.indexOf('    steps:'), text: `    # ${word}\n` },
      // …and turn the script into something the rule no longer reports.
      { offset, endOffset: end, text: `${word}-done` },
    ],
  }));
  const result = await run([rule]);
  assert.equal(result.passes, 3);
  assert.deepEqual(result.records.map((record) => [record.line, record.outcome, record.pass]), [
    [6, 'fixed', 1],
    [7, 'fixed', 2],
  ]);
  assert.equal(result.files[0]!.fixed, 'on: push\njobs:\n  a:\n    runs-on: x\n    # one\n    # two\n    steps:\n      - run: one-done\n      - run: two-done\n');
});

test('passes are bounded; what is left conflicting says so', async () => {
  const rule = ruleFor('insert', ['one', 'two'], (offset, end, word, text) => ({
    title: `mark ${word}`,
    safety: 'safe',
    edits: () => [
      { offset: text.indexOf('    steps:'), endOffset: text.indexOf('    steps:'), text: `    # ${word}\n` },
      { offset, endOffset: end, text: `${word}-done` },
    ],
  }));
  const result = await run([rule], { maxPasses: 1 });
  assert.deepEqual(result.records.map((record) => record.outcome), ['fixed', 'conflict']);
});

test('an edit that would leave the file unreadable is refused and the file kept', async () => {
  const rule = ruleFor('break', ['one'], (offset) => ({ title: 'break it', safety: 'safe', edits: () => [{ offset, endOffset: offset, text: '[' }] }));
  const result = await run([rule]);
  assert.equal(result.files.length, 0);
  assert.equal(result.records[0]!.outcome, 'invalid');
});

test('an edit that leaves an alias without its anchor is refused', async () => {
  const text = 'on: push\nenv: &e\n  A: 1\njobs:\n  a:\n    runs-on: x\n    env: *e\n    steps:\n      - run: one\n';
  const rule = defineRule({
    meta: { id: 'anchor', summary: 'test rule', severity: 'high', confidence: 'high', docs: { why: '', example: '', fix: '', references: [] } },
    workflow(workflow, context) {
      context.report({ message: 'x', span: workflow.triggersSpan, key: 'x', fix: { title: 'drop the anchor', safety: 'safe', edits: () => [{ offset: text.indexOf(' &e'), endOffset: text.indexOf(' &e') + 3, text: '' }] } });
    },
  });
  const result = await runFixes([{ path: 'w.yml', text, kind: 'workflow' }], { rules: [rule], config: {}, services: {} });
  assert.equal(result.records[0]!.outcome, 'invalid');
  assert.equal(result.files.length, 0);
});

test('unsafe fixes wait for --unsafe; failures, unavailable fixes and non-converging fixes are reported', async () => {
  const rules = [
    ruleFor('unsafe', ['one'], (offset, end) => ({ title: 'risky', safety: 'unsafe', edits: () => [{ offset, endOffset: end, text: 'safe-now' }] })),
    ruleFor('failing', ['one'], () => ({
      title: 'boom',
      safety: 'safe',
      edits: () => {
        throw new Error('boom');
      },
    })),
    ruleFor('unavailable', ['two'], () => ({
      title: 'offline',
      safety: 'safe',
      edits: () => {
        throw new FixUnavailableError('offline, not in cache');
      },
    })),
    // Changes the file but not what the rule reports.
    ruleFor('stubborn', ['two'], () => ({ title: 'comment', safety: 'safe', edits: () => [{ offset: WORKFLOW.length, endOffset: WORKFLOW.length, text: '# touched\n' }] })),
  ];
  const safe = await run(rules);
  const outcome = (result: Awaited<ReturnType<typeof run>>, rule: string) => result.records.find((record) => record.rule === rule)!;
  assert.equal(outcome(safe, 'unsafe').outcome, 'unsafe');
  assert.equal(outcome(safe, 'failing').outcome, 'failed');
  assert.equal(outcome(safe, 'failing').reason, 'the fix failed: boom');
  assert.equal(outcome(safe, 'unavailable').outcome, 'unavailable');
  assert.equal(outcome(safe, 'unavailable').reason, 'offline, not in cache');
  assert.equal(outcome(safe, 'stubborn').outcome, 'remains');
  const unsafe = await run(rules, { unsafe: true });
  assert.equal(outcome(unsafe, 'unsafe').outcome, 'fixed');
  // The finding of the failing rule went away with the unsafe fix's edit.
  assert.equal(outcome(unsafe, 'failing').outcome, 'resolved');
});
