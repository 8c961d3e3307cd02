/**
 * Regression corpus: real public workflows and actions (test/corpus/SOURCES.md), audited with the
 * whole rule set and compared with the reviewed snapshot in expected.json. A rule change that adds
 * or removes a finding anywhere in the corpus fails here with the list of changed findings.
 *
 * If the change is intended: read the workflow at each changed line, make sure the new finding is
 * right (or the missing one was a false positive), then run `npm run corpus:update` and commit the
 * new expected.json with the rule change. Known false positives and negatives are in REVIEW.md.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { EXPECTED_PATH, INPUT_ERROR, corpusFiles, describeDiff, diffSnapshots, readExpected, snapshotCorpus } from './snapshot.ts';

test('corpus findings match test/corpus/expected.json', async () => {
  assert.ok(existsSync(EXPECTED_PATH), 'test/corpus/expected.json is missing: run `npm run corpus:update`');
  const expected = readExpected();
  const actual = await snapshotCorpus();
  const diffs = diffSnapshots(expected, actual);
  if (diffs.length) {
    const added = diffs.reduce((sum, diff) => sum + diff.added.length, 0);
    const missing = diffs.reduce((sum, diff) => sum + diff.missing.length, 0);
    assert.fail(
      `corpus findings changed in ${diffs.length} file(s): ${added} new, ${missing} missing (lines are 1-based, in test/corpus/<file>)\n\n` +
        `${describeDiff(diffs, expected, actual)}\n\n` +
        'Review each changed finding against the workflow. If the change is intended, run `npm run corpus:update` ' +
        'and commit test/corpus/expected.json together with the rule change; if not, fix the rule.',
    );
  }
});

test('the corpus is not empty and every file is audited', () => {
  const files = corpusFiles();
  assert.ok(files.length >= 40, `expected the 40-60 corpus files, found ${files.length}`);
});

test('only the files known to be invalid fail to parse', async () => {
  // A real workflow that stopped parsing is a regression in the reader, not a finding to snapshot away.
  const expected = readExpected();
  const unreadable = Object.entries(expected)
    .filter(([, entries]) => entries.some((entry) => entry.rule === INPUT_ERROR))
    .map(([name]) => name);
  assert.deepEqual(unreadable, ['actions__starter-workflows__automation__greetings.yml'], 'only the starter greetings.yml (invalid YAML upstream) may be an input error');
});
