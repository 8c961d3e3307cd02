// Regenerates test/corpus/expected.json: every corpus file audited alone with the current rules.
// Run after reviewing the findings that changed: `npm run corpus:update` (prints the changes).
import { existsSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXPECTED_PATH, describeDiff, diffSnapshots, formatSnapshot, readExpected, snapshotCorpus, type Snapshot } from '../test/corpus/snapshot.ts';

const previous: Snapshot = existsSync(EXPECTED_PATH) ? readExpected() : {};
const current = await snapshotCorpus();
const diffs = diffSnapshots(previous, current);
writeFileSync(EXPECTED_PATH, formatSnapshot(current));

const files = Object.keys(current).length;
const findings = Object.values(current).reduce((sum, entries) => sum + entries.length, 0);
console.log(`${relative(process.cwd(), EXPECTED_PATH)}: ${files} files, ${findings} entries`);
if (diffs.length) {
  console.log(`changed since the previous snapshot:\n${describeDiff(diffs, previous, current)}`);
} else {
  console.log('no change from the previous snapshot');
}
