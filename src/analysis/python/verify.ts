import { fingerprint } from '../../engine/audit.ts';
import type { Confidence, Finding, InputError, Severity } from '../../findings/finding.ts';
import { severityRank } from '../../findings/finding.ts';
import type { LockedPackage, LockFile } from '../../models/python/types.ts';
import type { Span } from '../../models/yaml/document.ts';
import { displayUrl, type PackageIndex, type Publisher, type SimpleFile } from '../../registry/pypi/index.ts';
import { publisherDifferences } from '../../registry/pypi/integrity.ts';
import { versionKey } from '../../models/python/pep440.ts';
import { LOCK_RULES, type LockRuleId } from './lock-rules.ts';
import { earlierReleases, installableFiles, lookupRelease, type ReleaseFiles } from './release.ts';

/**
 * `cordon lock verify`: each locked release is looked up on its index and compared with what the
 * lock says (hashes), with what the index says about it (yanked, removed, quarantined, files added
 * later) and with the project's earlier releases (PEP 740 provenance and its publisher).
 */

export interface VerifyOptions {
  /** The index a package is checked against. */
  indexFor(pkg: LockedPackage): PackageIndex;
  /** When the lock was written: files uploaded after it and not in the lock are reported. */
  since?: Date;
  /** Files not in the lock uploaded this long after the release's first file are reported. */
  lateUploadDays: number;
  /** Earlier releases with provenance to compare the publisher with. */
  provenanceHistory: number;
  /** Packages checked at once (the HTTP client limits requests on its own). */
  concurrency?: number;
  onProgress?(done: number, total: number): void;
}

export interface LockInput {
  lock: LockFile;
  /** Path shown in findings (relative to the scanned root). */
  path: string;
  text: string;
}

export interface VerifyStats {
  packages: number;
  checked: number;
  /** VCS, URL, path and editable entries: not from an index. */
  direct: number;
  /** Entries without an exact version. */
  unpinned: number;
  /** Entries whose index could not be read. */
  failed: number;
  /** Checked packages whose index does not say whether files have provenance. */
  provenanceUnknown: number;
  /** Checked packages whose index gives no upload times (the files-added check was skipped). */
  uploadTimesUnknown: number;
  /** Locked hashes that could not be compared (the index gives no digest of that algorithm). */
  hashesUnverifiable: number;
}

export interface VerifyResult {
  findings: Finding[];
  errors: InputError[];
  stats: VerifyStats;
}

interface Draft {
  rule: LockRuleId;
  severity?: Severity;
  confidence?: Confidence;
  message: string;
  related?: Array<{ message: string; span: Span }>;
}

interface PackageOutcome {
  drafts: Draft[];
  error?: string;
  provenanceUnknown?: boolean;
  uploadTimesUnknown?: boolean;
  hashesUnverifiable?: number;
}

const DAY = 86_400_000;
const META = new Map(LOCK_RULES.map((meta) => [meta.id, meta]));

export async function verifyLocks(inputs: LockInput[], options: VerifyOptions): Promise<VerifyResult> {
  const stats: VerifyStats = { packages: 0, checked: 0, direct: 0, unpinned: 0, failed: 0, provenanceUnknown: 0, uploadTimesUnknown: 0, hashesUnverifiable: 0 };
  const jobs: Array<{ input: LockInput; pkg: LockedPackage }> = [];
  for (const input of inputs) {
    for (const pkg of input.lock.packages) {
      stats.packages++;
      if (pkg.direct) stats.direct++;
      else if (!pkg.version) stats.unpinned++;
      else jobs.push({ input, pkg });
    }
  }
  const findings: Finding[] = [];
  const errors: InputError[] = [];
  let done = 0;
  options.onProgress?.(0, jobs.length);
  await mapLimit(jobs, options.concurrency ?? 16, async ({ input, pkg }) => {
    const outcome = await checkPackage(pkg, options.indexFor(pkg), options).catch((error: unknown) => ({ drafts: [], error: (error as Error).message }) as PackageOutcome);
    options.onProgress?.(++done, jobs.length);
    if (outcome.error) {
      stats.failed++;
      errors.push({ path: input.path, line: pkg.span.start.line, message: `could not check ${pkg.name} ${pkg.version}: ${outcome.error}` });
      return;
    }
    stats.checked++;
    if (outcome.provenanceUnknown) stats.provenanceUnknown++;
    if (outcome.uploadTimesUnknown) stats.uploadTimesUnknown++;
    stats.hashesUnverifiable += outcome.hashesUnverifiable ?? 0;
    findings.push(...toFindings(outcome.drafts, pkg, input));
  });
  const seen = new Set<string>();
  const unique = findings.filter((finding) => {
    const identity = `${finding.rule}\0${finding.path}\0${finding.fingerprint}\0${finding.line}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
  unique.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || severityRank(b.severity) - severityRank(a.severity) || a.rule.localeCompare(b.rule));
  errors.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
  return { findings: unique, errors, stats };
}

/** One finding per rule and package: several reasons of one rule are joined, at the highest severity. */
function toFindings(drafts: Draft[], pkg: LockedPackage, input: LockInput): Finding[] {
  const byRule = new Map<LockRuleId, Draft[]>();
  for (const draft of drafts) byRule.set(draft.rule, [...(byRule.get(draft.rule) ?? []), draft]);
  const span = firstLine(pkg.span, input.text);
  const findings: Finding[] = [];
  for (const [rule, group] of byRule) {
    const meta = META.get(rule)!;
    const severity = group.map((draft) => draft.severity ?? meta.severity).reduce((a, b) => (severityRank(b) > severityRank(a) ? b : a));
    const confidence = group.map((draft) => draft.confidence ?? meta.confidence).reduce((a, b) => (['low', 'medium', 'high'].indexOf(b) > ['low', 'medium', 'high'].indexOf(a) ? b : a));
    findings.push({
      rule,
      severity,
      confidence,
      message: group.map((draft) => draft.message).join('; '),
      path: input.path,
      line: span.start.line,
      column: span.start.column,
      endLine: span.end.line,
      endColumn: span.end.column,
      fingerprint: fingerprint(rule, input.path, `${pkg.normalizedName}==${versionKey(pkg.version ?? '')}`),
      related: group.flatMap((draft) => draft.related ?? []).map((item) => ({ message: item.message, line: item.span.start.line, column: item.span.start.column })),
    });
  }
  return findings;
}

/** The entry's first line: findings point at the locked entry, not at its whole block. */
function firstLine(span: Span, text: string): Span {
  if (span.start.line === span.end.line) return span;
  const newline = text.indexOf('\n', span.offset);
  const endOffset = newline < 0 ? text.length : newline > 0 && text[newline - 1] === '\r' ? newline - 1 : newline;
  const length = endOffset - span.offset;
  return { start: span.start, end: { line: span.start.line, column: span.start.column + Math.max(length, 0) }, offset: span.offset, endOffset };
}

async function checkPackage(pkg: LockedPackage, index: PackageIndex, options: VerifyOptions): Promise<PackageOutcome> {
  const version = pkg.version!;
  const label = `${pkg.name} ${version}`;
  const where = displayUrl(index.url);
  const lookup = await lookupRelease(index, pkg.name, version, { sha256: pkg.hashes.some((hash) => hash.algorithm === 'sha256'), times: true });
  if (lookup.status === 'project-missing') {
    return {
      drafts: [
        {
          rule: 'release-removed',
          message: `${pkg.name} is not on ${where} (HTTP ${lookup.httpStatus}): the project was deleted (or never existed on this index); a deleted name can be registered again by someone else`,
        },
      ],
    };
  }
  const { project, release, releases } = lookup;
  if (project.status?.status === 'quarantined') {
    const reason = project.status.reason ? ` (${project.status.reason})` : '';
    return {
      drafts: [
        {
          rule: 'release-removed',
          message: `${pkg.name} is quarantined on ${where}${reason}: the index hides its files while its administrators review it, usually after a malware report`,
        },
      ],
    };
  }
  if (!release) {
    return {
      drafts: [
        {
          rule: 'release-removed',
          message: lookup.listedVersion
            ? `${label} is listed on ${where} but none of its files are left: they were deleted`
            : `${label} is no longer on ${where}: the release was deleted${releases.length > 0 ? ` (the project has ${releases.length} other release${releases.length === 1 ? '' : 's'})` : ''}`,
        },
      ],
    };
  }

  const drafts: Draft[] = [];
  const outcome: PackageOutcome = { drafts };
  const yanked = release.files.find((file) => file.yanked !== false)?.yanked;
  if (yanked) {
    drafts.push({ rule: 'release-yanked', message: yanked.reason ? `${label} was yanked: "${oneLine(yanked.reason)}"` : `${label} was yanked (no reason given)` });
  }
  outcome.hashesUnverifiable = checkHashes(pkg, release, releases, label, drafts);
  outcome.uploadTimesUnknown = !checkAddedFiles(pkg, release, label, options, drafts);
  if (!project.reportsProvenance && !release.files.some((file) => file.provenance !== undefined)) outcome.provenanceUnknown = true;
  else await checkProvenance(pkg, index, release, releases, label, options, drafts);
  return outcome;
}

/** `lock-hash-mismatch`; returns how many locked hashes could not be compared. */
function checkHashes(pkg: LockedPackage, release: ReleaseFiles, releases: ReleaseFiles[], label: string, drafts: Draft[]): number {
  let unverifiable = 0;
  const problems: Draft[] = [];
  for (const hash of pkg.hashes) {
    const algorithm = hash.algorithm.toLowerCase();
    const digest = hash.digest.toLowerCase();
    const short = `${algorithm}:${digest.slice(0, 16)}…`;
    const related = hash.span ? [{ message: `locked as ${short}`, span: hash.span }] : [];
    if (release.files.some((file) => file.hashes[algorithm] === digest)) continue;
    const named = hash.filename ? release.files.find((file) => file.filename === hash.filename) : undefined;
    if (named) {
      const actual = named.hashes[algorithm];
      if (actual === undefined) {
        unverifiable++;
        continue;
      }
      problems.push({
        rule: 'lock-hash-mismatch',
        message: `${hash.filename} of ${label} has ${algorithm}:${actual.slice(0, 16)}… on the index but the lock records ${short}; PyPI never reuses a file name, so the lock or the index's copy was changed`,
        related,
      });
      continue;
    }
    if (!release.files.some((file) => file.hashes[algorithm] !== undefined)) {
      unverifiable++;
      continue;
    }
    const elsewhere = releases.flatMap((other) => other.files.filter((file) => file.hashes[algorithm] === digest).map((file) => ({ other, file })))[0];
    if (hash.filename && !elsewhere) {
      problems.push({
        rule: 'lock-hash-mismatch',
        severity: 'high',
        message: `${hash.filename}, locked for ${label}, is no longer in the release (deleted from the index); installs that need it will fail or pick another file`,
        related,
      });
    } else if (elsewhere) {
      problems.push({
        rule: 'lock-hash-mismatch',
        severity: 'high',
        message: `the locked hash ${short} is not of a file of ${label} but of ${elsewhere.file.filename} (version ${elsewhere.other.version}): the version was changed without its hashes`,
        related,
      });
    } else {
      problems.push({ rule: 'lock-hash-mismatch', message: `no file of ${label} on the index has the locked hash ${short}`, related });
    }
  }
  drafts.push(...problems);
  return unverifiable;
}

/** `release-files-added`; false when the index gives no upload times. */
function checkAddedFiles(pkg: LockedPackage, release: ReleaseFiles, label: string, options: VerifyOptions, drafts: Draft[]): boolean {
  const first = release.firstUpload;
  if (!first || release.files.some((file) => !file.uploadTime)) return false;
  const locked = (file: SimpleFile) =>
    pkg.hashes.some((hash) => file.hashes[hash.algorithm.toLowerCase()] === hash.digest.toLowerCase() || (hash.filename !== undefined && hash.filename === file.filename)) ||
    (pkg.unhashedFiles ?? []).some((name) => name === file.filename || name.endsWith(`/${file.filename}`));
  const lockKnowsFiles = pkg.hashes.length > 0 || (pkg.unhashedFiles?.length ?? 0) > 0;
  const afterLock: SimpleFile[] = [];
  const late: SimpleFile[] = [];
  for (const file of installableFiles(release.files)) {
    if (lockKnowsFiles && locked(file)) continue;
    if (options.since && file.uploadTime! > options.since) afterLock.push(file);
    else if (file.uploadTime!.getTime() - first.getTime() > options.lateUploadDays * DAY) late.push(file);
  }
  const unlocked = lockKnowsFiles ? ' and not in the lock' : '';
  if (afterLock.length > 0) {
    drafts.push({
      rule: 'release-files-added',
      confidence: lockKnowsFiles ? 'high' : 'medium',
      message: `${describeFiles(afterLock)} of ${label} ${afterLock.length === 1 ? 'was' : 'were'} uploaded after ${options.since!.toISOString().slice(0, 10)} (--since)${unlocked}`,
    });
  }
  if (late.length > 0) {
    const days = Math.floor(Math.max(...late.map((file) => file.uploadTime!.getTime() - first.getTime())) / DAY);
    drafts.push({
      rule: 'release-files-added',
      message: `${describeFiles(late)} of ${label} ${late.length === 1 ? 'was' : 'were'} uploaded ${late.length === 1 ? '' : 'up to '}${days} days after the release's first file (${first.toISOString().slice(0, 10)})${unlocked}`,
    });
  }
  return true;
}

/** `provenance-changed` and `provenance-missing`. */
async function checkProvenance(
  pkg: LockedPackage,
  index: PackageIndex,
  release: ReleaseFiles,
  releases: ReleaseFiles[],
  label: string,
  options: VerifyOptions,
  drafts: Draft[],
): Promise<void> {
  const attested = release.files.filter((file) => file.provenance);
  const history = earlierReleases(releases, release).filter((other) => other.files.some((file) => file.provenance));
  const window = history.slice(0, Math.max(0, options.provenanceHistory));

  if (attested.length === 0) {
    if (window.length === 0) {
      drafts.push({ rule: 'provenance-missing', message: `${label} has no attestation (PEP 740), and no earlier release had one` });
      return;
    }
    const publishers = await windowPublishers(index, window);
    const by = publishers.length > 0 ? `, published by ${uniqueLabels(publishers.map((item) => item.publisher)).join(' / ')}` : '';
    drafts.push({
      rule: 'provenance-changed',
      message: `${label} has no attestation, but earlier releases had (${window.map((item) => item.version).join(', ')}${by}): it was uploaded another way than through the Trusted Publisher`,
    });
    return;
  }

  const unattested = installableFiles(release.files).filter((file) => !file.provenance);
  if (unattested.length > 0) {
    drafts.push({
      rule: 'provenance-changed',
      confidence: 'medium',
      message: `${describeFiles(unattested)} of ${label} ${unattested.length === 1 ? 'has' : 'have'} no attestation while the release's other files do: uploaded separately, not by the Trusted Publisher`,
    });
  }
  if (window.length === 0) return;

  const [current, earlier] = await Promise.all([
    Promise.all(attested.map(async (file) => ({ file, lookup: await index.provenance(file.provenance!) }))),
    windowPublishers(index, window),
  ]);
  for (const { file, lookup } of current) {
    if (lookup.status !== 'found') continue;
    const sha256 = file.hashes.sha256;
    const subject = lookup.provenance.subjects.find((item) => item.name === file.filename);
    if (sha256 && subject?.sha256 && subject.sha256 !== sha256) {
      drafts.push({
        rule: 'provenance-changed',
        message: `the attestation of ${file.filename} names sha256:${subject.sha256.slice(0, 16)}… but the index lists sha256:${sha256.slice(0, 16)}…`,
      });
    }
  }
  if (earlier.length === 0) return;
  const known = new Set(earlier.map((item) => item.publisher.identity));
  const currentPublishers = uniqueBy(
    current.flatMap(({ lookup }) => (lookup.status === 'found' ? lookup.provenance.publishers : [])),
    (publisher) => publisher.identity,
  );
  const latest = earlier[0]!;
  for (const publisher of currentPublishers) {
    if (known.has(publisher.identity)) continue;
    const differences = publisherDifferences(publisher, latest.publisher);
    drafts.push({
      rule: 'provenance-changed',
      message: `${label} was published by ${publisher.label}, but ${earlier.length === 1 ? 'the earlier release' : `the ${earlier.length} most recent earlier releases`} with provenance (${uniqueBy(earlier, (item) => item.version).map((item) => item.version).join(', ')}) by ${uniqueLabels(earlier.map((item) => item.publisher)).join(' / ')}${differences.length > 0 ? ` (different ${differences.join(', ')})` : ''}`,
    });
  }
}

/** The publishers of earlier releases, newest first (one attested file per release is enough). */
async function windowPublishers(index: PackageIndex, window: ReleaseFiles[]): Promise<Array<{ version: string; publisher: Publisher }>> {
  const results = await Promise.all(
    window.map(async (release) => {
      const file = release.files.find((item) => item.provenance)!;
      const lookup = await index.provenance(file.provenance!).catch(() => undefined);
      return lookup?.status === 'found' ? lookup.provenance.publishers.map((publisher) => ({ version: release.version, publisher })) : [];
    }),
  );
  return results.flat();
}

function uniqueLabels(publishers: Publisher[]): string[] {
  return uniqueBy(publishers, (publisher) => publisher.identity).map((publisher) => publisher.label);
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const value = key(item);
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  });
}

function describeFiles(files: SimpleFile[]): string {
  const names = files.slice(0, 3).map((file) => `${file.filename} (${file.uploadTime ? file.uploadTime.toISOString().slice(0, 10) : 'time unknown'})`);
  return files.length > 3 ? `${names.join(', ')} and ${files.length - 3} more` : names.join(', ');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export async function mapLimit<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(workers);
}
