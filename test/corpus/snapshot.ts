/**
 * The regression corpus: real public workflow files (see SOURCES.md), each audited alone with the
 * whole rule set, in memory, the way test/helpers/audit.ts does. Shared by
 * `scripts/corpus-update.mts` (writes expected.json) and `corpus.test.ts` (compares against it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audit } from '../../src/engine/audit.ts';
import { rules } from '../../src/rules/index.ts';

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
export const EXPECTED_PATH = join(CORPUS_DIR, 'expected.json');

/**
 * One line of the snapshot. A file cordon cannot read at all (invalid YAML, not a workflow) gets
 * entries with `rule: "(input-error)"` and `severity: "error"` at the line the engine reports, so
 * that a file starting or stopping to parse shows up in the diff like any other change.
 */
export interface SnapshotEntry {
  rule: string;
  severity: string;
  line: number;
}

export type Snapshot = Record<string, SnapshotEntry[]>;

export const INPUT_ERROR = '(input-error)';

/** Corpus files: every `.yml`/`.yaml` in test/corpus (the snapshot and notes are not inputs). */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

/** `owner__repo__path__action.yml` is a composite/docker action metadata file; anything else a workflow. */
export function kindOf(name: string): 'workflow' | 'action' {
  return /(^|__)action\.ya?ml$/.test(name) ? 'action' : 'workflow';
}

export function compareEntries(a: SnapshotEntry, b: SnapshotEntry): number {
  return a.line - b.line || a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity);
}

export function entryText(entry: SnapshotEntry): string {
  return `line ${entry.line}: ${entry.rule} ${entry.severity}`;
}

/** Audits one corpus file alone and returns its sorted snapshot entries. */
export async function snapshotFile(name: string): Promise<SnapshotEntry[]> {
  const text = readFileSync(join(CORPUS_DIR, name), 'utf8');
  const result = await audit([{ path: name, text, kind: kindOf(name) }], { rules, config: {} });
  const entries: SnapshotEntry[] = [
    ...result.findings.map((finding) => ({ rule: finding.rule, severity: finding.severity, line: finding.line })),
    ...result.errors.map((error) => ({ rule: INPUT_ERROR, severity: 'error', line: error.line })),
  ];
  return entries.sort(compareEntries);
}

/** The snapshot of the whole corpus under the current rules, keyed by file name, sorted. */
export async function snapshotCorpus(): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  for (const name of corpusFiles()) snapshot[name] = await snapshotFile(name);
  return snapshot;
}

export function readExpected(): Snapshot {
  return JSON.parse(readFileSync(EXPECTED_PATH, 'utf8')) as Snapshot;
}

/**
 * expected.json is written one finding per line so that review diffs show exactly which finding
 * appeared or went away.
 */
export function formatSnapshot(snapshot: Snapshot): string {
  const names = Object.keys(snapshot).sort();
  const blocks = names.map((name) => {
    const entries = snapshot[name] ?? [];
    const head = `  ${JSON.stringify(name)}: `;
    if (!entries.length) return `${head}[]`;
    const lines = entries.map((entry) => `    { "rule": ${JSON.stringify(entry.rule)}, "severity": ${JSON.stringify(entry.severity)}, "line": ${entry.line} }`);
    return `${head}[\n${lines.join(',\n')}\n  ]`;
  });
  return `{\n${blocks.join(',\n')}\n}\n`;
}

export interface FileDiff {
  name: string;
  /** Reported now, not in expected.json. */
  added: SnapshotEntry[];
  /** In expected.json, not reported now. */
  missing: SnapshotEntry[];
}

/** Multiset difference per file; files present on one side only are listed with everything added or missing. */
export function diffSnapshots(expected: Snapshot, actual: Snapshot): FileDiff[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  const diffs: FileDiff[] = [];
  for (const name of names) {
    const want = [...(expected[name] ?? [])];
    const added: SnapshotEntry[] = [];
    for (const entry of actual[name] ?? []) {
      const index = want.findIndex((candidate) => compareEntries(candidate, entry) === 0);
      if (index >= 0) want.splice(index, 1);
      else added.push(entry);
    }
    if (added.length || want.length) diffs.push({ name, added, missing: want });
  }
  return diffs;
}

export function describeDiff(diffs: FileDiff[], expected: Snapshot, actual: Snapshot): string {
  const lines: string[] = [];
  for (const diff of diffs) {
    const note = !(diff.name in expected) ? ' (file not in expected.json)' : !(diff.name in actual) ? ' (file no longer in the corpus)' : '';
    lines.push(`${diff.name}${note}`);
    for (const entry of diff.added) lines.push(`  + ${entryText(entry)}   (new)`);
    for (const entry of diff.missing) lines.push(`  - ${entryText(entry)}   (missing)`);
  }
  return lines.join('\n');
}
