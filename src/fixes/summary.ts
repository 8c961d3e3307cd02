/**
 * What `cordon fix` tells people: what was fixed, what a person still has to do (the PyPI
 * trusted publisher settings, secrets to delete), and what was not fixed and why; as text for
 * standard error, or as JSON.
 */
import { severityRank, type InputError, type Severity } from '../findings/finding.ts';
import type { FixOutcome, FixRecord, FixRunResult } from './engine.ts';
import type { TrustedPublisherSettings } from './types.ts';

/** The repository a workflow lives in, as `git remote get-url origin` names it. */
export interface RemoteRepository {
  host: string;
  owner: string;
  repo: string;
}

/**
 * Owner and name from a remote URL: `https://github.com/o/r(.git)`, `git@github.com:o/r.git`,
 * `ssh://git@github.com/o/r`. Credentials in the URL are dropped, never shown.
 */
export function parseRemoteUrl(url: string): RemoteRepository | undefined {
  const text = url.trim();
  if (!text.includes('://')) {
    // scp-like syntax: `git@github.com:owner/repo.git`.
    const scp = /^(?:[^@/\s]+@)?([^:/\s]+):\/?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(text);
    return scp ? { host: scp[1]!.toLowerCase(), owner: scp[2]!, repo: scp[3]! } : undefined;
  }
  try {
    const parsed = new URL(text);
    const parts = parsed.pathname.replace(/^\/+|\/+$/g, '').split('/');
    if (parts.length < 2) return undefined;
    const owner = parts[parts.length - 2]!;
    const repo = parts[parts.length - 1]!.replace(/\.git$/, '');
    if (!owner || !repo) return undefined;
    return { host: parsed.hostname.toLowerCase(), owner: decodeURIComponent(owner), repo: decodeURIComponent(repo) };
  } catch {
    return undefined;
  }
}

export interface TrustedPublisherView extends TrustedPublisherSettings {
  owner: string;
  repository: string;
  /** Where to enter them. */
  url: string;
  /** The owner and repository came from the git remote (not placeholders). */
  fromRemote: boolean;
}

export function trustedPublisherView(settings: TrustedPublisherSettings, remote: RemoteRepository | undefined): TrustedPublisherView {
  const github = remote?.host === 'github.com';
  const host = settings.index === 'testpypi' ? 'https://test.pypi.org' : 'https://pypi.org';
  return {
    ...settings,
    owner: github ? remote!.owner : '<owner>',
    repository: github ? remote!.repo : '<repository>',
    url: `${host}/manage/account/publishing/`,
    fromRemote: github,
  };
}

function trustedPublisherLines(view: TrustedPublisherView, remote: RemoteRepository | undefined): string[] {
  const index = view.index === 'testpypi' ? 'TestPyPI' : 'PyPI';
  const lines = [
    `${index} trusted publisher (GitHub) for job \`${view.job}\` — project → Settings → Publishing, or ${view.url} for a new project:`,
    `  Owner:             ${view.owner}`,
    `  Repository name:   ${view.repository}`,
    `  Workflow name:     ${view.workflow}`,
    `  Environment name:  ${view.environment ?? '(none: leave empty)'}`,
  ];
  if (!view.fromRemote) {
    lines.push(
      remote
        ? `  (the git remote is on ${remote.host}; PyPI accepts GitHub.com repositories only)`
        : '  (owner and repository: fill in; cordon could not read `git remote get-url origin`)',
    );
  }
  return lines;
}

const OUTCOME_TEXT: Record<FixOutcome, string> = {
  fixed: 'fixed',
  resolved: 'resolved by another fix',
  'no-fix': 'no automatic fix',
  unsafe: 'unsafe fix not applied (use --unsafe)',
  unavailable: 'could not be fixed',
  conflict: 'fix conflicted with another fix',
  invalid: 'fix would break the file',
  failed: 'fix failed',
  remains: 'still reported after its fix',
  'not-editable': 'file cannot be edited',
};

export interface SummaryInput {
  result: FixRunResult;
  dryRun: boolean;
  unsafe: boolean;
  remote: RemoteRepository | undefined;
  /** Errors of reading, and of writing files back. */
  errors: InputError[];
  /** Records at or above this severity are listed under "not fixed" (default: all). */
  minSeverity?: Severity;
  /** Files that could not be written: their fixes did not happen. */
  unwritten?: Set<string>;
  /** Per-file diff, for JSON in dry-run mode. */
  diffs?: Map<string, string>;
  stats?: Map<string, { added: number; removed: number }>;
}

function applied(record: FixRecord, unwritten: Set<string> | undefined): boolean {
  return record.outcome === 'fixed' && !unwritten?.has(record.path);
}

interface FollowUpGroup {
  path: string;
  rule: string;
  title: string;
  steps: string[];
  trustedPublishers: TrustedPublisherView[];
}

const publisherKey = (view: TrustedPublisherSettings) => `${view.index}\0${view.workflow}\0${view.job}\0${view.environment ?? ''}`;

/** Follow-ups of the applied fixes, one group per fix title and file (steps and publishers merged). */
function followUps(input: SummaryInput): FollowUpGroup[] {
  const groups = new Map<string, FollowUpGroup>();
  for (const record of input.result.records) {
    if (!applied(record, input.unwritten) || !record.fix) continue;
    if (!record.fix.followUp?.length && !record.fix.trustedPublisher) continue;
    const key = `${record.path}\0${record.fix.title}`;
    let group = groups.get(key);
    if (!group) {
      group = { path: record.path, rule: record.rule, title: record.fix.title, steps: [], trustedPublishers: [] };
      groups.set(key, group);
    }
    for (const step of record.fix.followUp ?? []) if (!group.steps.includes(step)) group.steps.push(step);
    const settings = record.fix.trustedPublisher;
    if (settings && !group.trustedPublishers.some((view) => publisherKey(view) === publisherKey(settings))) group.trustedPublishers.push(trustedPublisherView(settings, input.remote));
  }
  return [...groups.values()];
}

function notFixed(input: SummaryInput): FixRecord[] {
  const min = input.minSeverity ? severityRank(input.minSeverity) : 0;
  return input.result.records.filter(
    (record) => (record.outcome !== 'fixed' && record.outcome !== 'resolved' && severityRank(record.severity) >= min) || (record.outcome === 'fixed' && input.unwritten?.has(record.path)),
  );
}

export function renderSummaryText(input: SummaryInput): string {
  const { result, dryRun } = input;
  const fixed = result.records.filter((record) => applied(record, input.unwritten));
  const resolved = result.records.filter((record) => record.outcome === 'resolved');
  const files = result.files.filter((file) => !input.unwritten?.has(file.path));
  const verb = dryRun ? 'would fix' : 'fixed';
  const lines: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `cordon fix: ${verb} ${plural(fixed.length, 'finding')} in ${plural(files.length, 'file')}` +
      (resolved.length ? ` (${resolved.length} more went away with them)` : '') +
      `, ${result.passes} ${result.passes === 1 ? 'pass' : 'passes'}${dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  if (fixed.length) {
    lines.push('', dryRun ? 'Would fix:' : 'Fixed:');
    for (const record of fixed) lines.push(`  ${record.path}:${record.line}  ${record.rule}  ${record.fix?.title ?? ''}${record.fix?.safety === 'unsafe' ? '  [unsafe]' : ''}`);
  }
  const human = followUps(input);
  if (human.length) {
    lines.push('', 'Needs a person:');
    const shown = new Set<string>();
    for (const group of human) {
      lines.push(`  ${group.path} (${group.rule}): ${group.title}`);
      for (const step of group.steps) lines.push(`    - ${step}`);
      for (const view of group.trustedPublishers) {
        const key = publisherKey(view);
        if (shown.has(key)) {
          lines.push(`    (${view.index === 'testpypi' ? 'TestPyPI' : 'PyPI'} trusted publisher for job \`${view.job}\`: the settings above)`);
          continue;
        }
        shown.add(key);
        for (const line of trustedPublisherLines(view, input.remote)) lines.push(`    ${line}`);
      }
    }
  }
  const remaining = notFixed(input);
  const withoutFix = remaining.filter((record) => record.outcome === 'no-fix');
  const explained = remaining.filter((record) => record.outcome !== 'no-fix');
  if (explained.length) {
    lines.push('', 'Not fixed:');
    for (const record of explained) {
      const outcome = input.unwritten?.has(record.path) && record.outcome === 'fixed' ? 'the file could not be written' : OUTCOME_TEXT[record.outcome];
      const detail = record.reason && record.outcome !== 'unsafe' ? `: ${record.reason}` : '';
      const offered = record.fix && record.outcome !== 'no-fix' ? ` (${record.fix.title})` : '';
      lines.push(`  ${record.path}:${record.line}  ${record.rule} ${record.severity}  ${outcome}${detail}${offered}`);
    }
  }
  if (withoutFix.length) {
    const counts = new Map<string, number>();
    for (const record of withoutFix) counts.set(record.rule, (counts.get(record.rule) ?? 0) + 1);
    const list = [...counts].map(([rule, count]) => (count > 1 ? `${rule} ×${count}` : rule)).join(', ');
    lines.push('', `No automatic fix: ${plural(withoutFix.length, 'finding')} (${list}); \`cordon audit\` shows them with how to fix them by hand.`);
  }
  if (input.errors.length) {
    lines.push('', 'Errors (a file that cannot be read or written is left as it was):');
    for (const error of input.errors) lines.push(`  ${error.path}${error.line ? `:${error.line}` : ''}: ${error.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderSummaryJson(input: SummaryInput, tool: { name: string; version: string }): string {
  const { result } = input;
  const describe = (record: FixRecord) => ({
    rule: record.rule,
    path: record.path,
    line: record.line,
    severity: record.severity,
    message: record.message,
    fingerprint: record.fingerprint,
    ...(record.fix ? { fix: { title: record.fix.title, safety: record.fix.safety } } : {}),
    ...(record.appeared ? { appearedAfterFix: true } : {}),
  });
  const fixed = result.records.filter((record) => applied(record, input.unwritten));
  const report = {
    tool,
    dryRun: input.dryRun,
    unsafe: input.unsafe,
    summary: {
      filesChanged: result.files.filter((file) => !input.unwritten?.has(file.path)).length,
      fixed: fixed.length,
      resolved: result.records.filter((record) => record.outcome === 'resolved').length,
      notFixed: notFixed(input).length,
      passes: result.passes,
      errors: input.errors.length,
    },
    files: result.files.map((file) => ({
      path: file.path,
      written: !input.dryRun && !input.unwritten?.has(file.path),
      ...(input.stats?.get(file.path) ? { linesAdded: input.stats.get(file.path)!.added, linesRemoved: input.stats.get(file.path)!.removed } : {}),
      ...(input.diffs?.get(file.path) !== undefined ? { diff: input.diffs.get(file.path) } : {}),
    })),
    fixed: fixed.map(describe),
    followUp: followUps(input),
    notFixed: notFixed(input).map((record) => ({
      ...describe(record),
      outcome: input.unwritten?.has(record.path) && record.outcome === 'fixed' ? 'not-written' : record.outcome,
      ...(record.reason ? { reason: record.reason } : {}),
    })),
    errors: input.errors,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
