import { randomBytes } from 'node:crypto';
import { chmod, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { planHashes, unifiedDiff, type EntryReport } from '../analysis/python/add-hashes.ts';
import { discoverLocks } from '../analysis/python/discover.ts';
import { LOCK_RULES, LOCK_RULE_DOCS_PATH } from '../analysis/python/lock-rules.ts';
import { verifyLocks } from '../analysis/python/verify.ts';
import { SEVERITIES, severityRank, type Severity } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';
import type { LockedPackage } from '../models/python/types.ts';
import { HttpClient, PackageIndex, chooseIndexUrl, defaultCacheDir, displayUrl, indexForPackage, type IndexSet } from '../registry/pypi/index.ts';
import { reporters } from '../report/index.ts';
import { buildSarif } from '../report/sarif.ts';
import type { AuditReport } from '../report/types.ts';
import { INFORMATION_URI, cordonVersion } from './version.ts';
import { UsageError, formatOption, severityOption } from './options.ts';

export const LOCK_HELP = `cordon lock — check Python lockfiles against the package index

Usage:
  cordon lock verify [PATH…] [options]  check every locked release on its index: hashes, yanked,
                                        removed or quarantined, files added later, provenance
  cordon lock hash [FILE] [options]     add the missing --hash=sha256:… lines to a requirements
                                        file (default FILE: requirements.txt)

PATH may be a lockfile (poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml), a
requirements file, or a folder to search (default: .).

Index options (both commands):
      --index-url URL        Simple API root (default: $PIP_INDEX_URL, $UV_DEFAULT_INDEX,
                             $UV_INDEX_URL, else https://pypi.org/simple/)
      --cache-dir DIR        HTTP cache (default: $XDG_CACHE_HOME/cordon or ~/.cache/cordon)
      --no-cache             neither read nor write the cache
      --cache-ttl SECONDS    use cached index pages this long without asking (default 600)
      --offline              answer from the cache only; fail on what it does not hold
      --timeout SECONDS      per request (default 30)
      --retries N            retries of 5xx, 429, timeouts and resets (default 3)
      --concurrency N        requests in flight (default 8)
  -q, --quiet                no progress bar or notes on standard error

Verify options:
  -f, --format FORMAT        text (default), json, sarif or github
      --min-severity SEV     hide findings below SEV (info, low, medium, high, critical)
      --fail-on SEV          exit 1 when a finding at or above SEV remains (default: high)
      --since DATE           when the lock was written (ISO date): files uploaded later and not
                             in the lock are reported
      --late-upload-days N   report files uploaded N days after the release's first (default 7)
      --provenance-history N earlier attested releases to compare the publisher with (default 3)
  -o, --output FILE          write the report to FILE
      --color / --no-color   force or disable colours in text output

Hash options:
      --dry-run              print a unified diff and write nothing

Exit codes (verify): 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error,
no lockfile found, or a locked package could not be checked (network, --offline cache miss).
Exit codes (hash): 0 every requirement is hashed, 1 some are left without hashes (unpinned,
not on the index, not from an index), 2 usage error or the index could not be read.
`;


export async function runLockCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(LOCK_HELP);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === 'verify') return await runVerify(rest);
    if (sub === 'hash') return await runHash(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cordon lock ${sub}: ${redactSecrets((error as Error).message)}\n(see 'cordon lock --help')\n`);
      return 2;
    }
    throw error;
  }
  process.stderr.write(`cordon lock: unknown subcommand '${sub}'\n\n${LOCK_HELP}`);
  return 2;
}

// ---------------------------------------------------------------------------------------------
// Shared index options

const INDEX_OPTIONS = {
  'index-url': { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'cache-ttl': { type: 'string' },
  offline: { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  concurrency: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface IndexSettings extends IndexSet {
  source: string;
  quiet: boolean;
  cacheDir?: string;
}

function number(name: string, value: string | undefined, fallback: number, { min = 0, integer = true } = {}): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed))) throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}`);
  return parsed;
}

function indexSettings(values: Record<string, string | boolean | undefined>): IndexSettings {
  const str = (key: string) => values[key] as string | undefined;
  let choice;
  try {
    choice = chooseIndexUrl(str('index-url'));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const offline = values.offline === true;
  if (offline && values['no-cache']) throw new UsageError('--offline needs the cache; drop --no-cache');
  const cacheDir = values['no-cache'] ? undefined : path.resolve(str('cache-dir') ?? defaultCacheDir());
  const http = new HttpClient({
    cacheDir,
    offline,
    ttlMs: number('cache-ttl', str('cache-ttl'), 600) * 1000,
    timeoutMs: number('timeout', str('timeout'), 30, { min: 0.001, integer: false }) * 1000,
    retries: number('retries', str('retries'), 3),
    concurrency: number('concurrency', str('concurrency'), 8, { min: 1 }),
    userAgent: `cordon/${cordonVersion()}`,
  });
  const main = new PackageIndex(choice.url, http);
  return { http, main, source: choice.source, explicit: choice.source === '--index-url', indexes: new Map([[main.url, main]]), quiet: values.quiet === true, cacheDir };
}

/** A progress bar on a terminal's standard error, shown once a run takes more than half a second. */
function progress(label: string, quiet: boolean): { update(done: number, total: number): void; end(): void } {
  const stream = process.stderr;
  if (quiet || !stream.isTTY) return { update() {}, end() {} };
  const started = Date.now();
  let drawn = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (total === 0 || now - started < 500 || (now - last < 80 && done < total)) return;
      last = now;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 24));
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

function note(settings: { quiet: boolean }, text: string): void {
  if (!settings.quiet) process.stderr.write(`${redactSecrets(text)}\n`);
}

// ---------------------------------------------------------------------------------------------
// cordon lock verify

async function runVerify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...INDEX_OPTIONS,
      format: { type: 'string', short: 'f' },
      'min-severity': { type: 'string' },
      'fail-on': { type: 'string' },
      since: { type: 'string' },
      'late-upload-days': { type: 'string' },
      'provenance-history': { type: 'string' },
      output: { type: 'string', short: 'o' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(LOCK_HELP);
    return 0;
  }
  const format = formatOption(values.format);
  const severity = (name: string, value: string | undefined, fallback: Severity): Severity => severityOption(name, value) ?? fallback;
  const minSeverity = severity('min-severity', values['min-severity'], 'info');
  const failOn = severity('fail-on', values['fail-on'], 'high');
  let since: Date | undefined;
  if (values.since !== undefined) {
    const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(values.since) ? `${values.since}T00:00:00Z` : values.since);
    if (Number.isNaN(time)) throw new UsageError(`--since must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not '${values.since}'`);
    since = new Date(time);
  }
  const lateUploadDays = number('late-upload-days', values['late-upload-days'], 7, { integer: false });
  const provenanceHistory = number('provenance-history', values['provenance-history'], 3);
  const settings = indexSettings(values);

  const cwd = process.cwd();
  const discovered = await discoverLocks(positionals, cwd);
  if (discovered.inputs.length === 0 && discovered.errors.length === 0) {
    process.stderr.write(`cordon lock verify: no lockfile or pinned requirements file found in ${positionals.join(', ') || '.'}\n`);
    return 2;
  }
  const bar = progress('verifying', settings.quiet);
  const started = Date.now();
  const result = await verifyLocks(discovered.inputs, {
    indexFor: (pkg: LockedPackage) => indexForPackage(settings, pkg.index),
    since,
    lateUploadDays,
    provenanceHistory,
    concurrency: 16,
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.end();

  const shown = result.findings
    .filter((finding) => severityRank(finding.severity) >= severityRank(minSeverity))
    .map((finding) => ({ ...finding, docs: `${LOCK_RULE_DOCS_PATH}#${finding.rule}` }));
  const errors = [...discovered.errors, ...result.errors];
  const bySeverity = Object.fromEntries(SEVERITIES.map((level) => [level, shown.filter((finding) => finding.severity === level).length])) as Record<Severity, number>;
  const report: AuditReport = {
    tool: { name: 'cordon', version: cordonVersion(), informationUri: INFORMATION_URI },
    root: discovered.root,
    findings: shown,
    errors,
    summary: {
      filesAudited: discovered.inputs.length,
      findings: shown.length,
      bySeverity,
      ignored: 0,
      suppressed: result.findings.length - shown.length,
      errors: errors.length,
    },
    rules: LOCK_RULES.map((meta) => ({ ...meta, docsPath: `${LOCK_RULE_DOCS_PATH}#${meta.id}` })),
    sources: new Map(discovered.inputs.map((input) => [input.path, input.text])),
  };
  const color = values['no-color'] ? false : (values.color ?? (!values.output && process.stdout.isTTY === true && !process.env.NO_COLOR));
  const output = format === 'sarif' ? lockSarif(report) : reporters[format](report, { color });
  if (values.output) await writeFile(path.resolve(cwd, values.output), output);
  else process.stdout.write(output);

  const { stats } = result;
  const indexes = [...settings.indexes.values()].map((index) => displayUrl(index.url));
  const cache = settings.http.stats;
  note(
    settings,
    `checked ${stats.checked} of ${stats.packages} locked packages in ${discovered.inputs.length} file${discovered.inputs.length === 1 ? '' : 's'} against ${indexes.join(', ')} (${settings.source === 'default' ? 'default index' : `from ${settings.source}`}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${cache.requests} requests, ${cache.cacheHits} from the cache`,
  );
  const skipped: string[] = [];
  if (stats.direct > 0) skipped.push(`${stats.direct} not from an index (VCS, URL, path)`);
  if (stats.unpinned > 0) skipped.push(`${stats.unpinned} without an exact version`);
  if (stats.failed > 0) skipped.push(`${stats.failed} could not be fetched`);
  if (skipped.length > 0) note(settings, `not checked: ${skipped.join(', ')}`);
  if (stats.provenanceUnknown > 0) note(settings, `${stats.provenanceUnknown} package${stats.provenanceUnknown === 1 ? '' : 's'}: the index does not report provenance (PEP 740), so provenance was not checked`);
  if (stats.uploadTimesUnknown > 0) note(settings, `${stats.uploadTimesUnknown} package${stats.uploadTimesUnknown === 1 ? '' : 's'}: the index gives no upload times, so files added later could not be told`);
  if (stats.hashesUnverifiable > 0) note(settings, `${stats.hashesUnverifiable} locked hash${stats.hashesUnverifiable === 1 ? '' : 'es'} could not be compared: the index gives no digest of that algorithm`);
  if (settings.http.offline && stats.failed > 0) note(settings, `--offline: run once online (with the same --cache-dir${settings.cacheDir ? `, ${settings.cacheDir}` : ''}) to fill the cache`);

  if (shown.some((finding) => severityRank(finding.severity) >= severityRank(failOn))) return 1;
  if (discovered.inputs.length === 0 || stats.failed > 0) return 2;
  return 0;
}

/** SARIF from the shared reporter, tagged as supply-chain rules rather than CI ones. */
function lockSarif(report: AuditReport): string {
  const sarif = buildSarif(report) as { runs: Array<{ tool: { driver: { rules: Array<Record<string, unknown>> } } }> };
  for (const rule of sarif.runs[0]?.tool.driver.rules ?? []) {
    const properties = rule.properties as { tags?: string[] } | undefined;
    if (properties) properties.tags = ['security', 'supply-chain', 'python'];
  }
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// cordon lock hash

async function runHash(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...INDEX_OPTIONS, 'dry-run': { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(LOCK_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give one requirements file');
  const settings = indexSettings(values);
  const cwd = process.cwd();
  let target = path.resolve(cwd, positionals[0] ?? 'requirements.txt');
  try {
    if ((await stat(target)).isDirectory()) target = path.join(target, 'requirements.txt');
    target = await realpath(target);
  } catch {
    process.stderr.write(`cordon lock hash: ${positionals[0] ?? 'requirements.txt'}: no such file\n`);
    return 2;
  }
  const shown = path.relative(cwd, target) || path.basename(target);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(target));
  } catch (error) {
    process.stderr.write(`cordon lock hash: ${shown}: ${error instanceof TypeError ? 'not valid UTF-8' : (error as Error).message}\n`);
    return 2;
  }

  const bar = progress('hashing', settings.quiet);
  const plan = await planHashes(shown, text, {
    indexFor: (fileIndex) => indexForPackage(settings, fileIndex),
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.end();

  if (values['dry-run']) process.stdout.write(redactSecrets(unifiedDiff(shown.split(path.sep).join('/'), text, plan.edits)));
  else if (plan.changed) await writeAtomically(target, plan.text);

  const added = plan.entries.filter((entry) => entry.status === 'added');
  const hashes = added.reduce((sum, entry) => sum + (entry.added?.length ?? 0), 0);
  const left = plan.entries.filter((entry) => !['added', 'complete'].includes(entry.status));
  const failed = plan.entries.filter((entry) => entry.status === 'failed');
  for (const entry of added) {
    if (!entry.newFiles) continue;
    const files = entry.newFiles.map((file) => `${file.filename}${file.uploadTime ? ` (uploaded ${file.uploadTime.toISOString().slice(0, 10)})` : ''}`);
    note(settings, `${shown}:${entry.line}: ${entry.name} ${entry.version}: added hashes of files the entry did not list: ${files.join(', ')}; check them with 'cordon lock verify' before trusting them`);
  }
  for (const entry of left) note(settings, `${shown}:${entry.line}: ${describe(entry)}`);
  for (const include of plan.includes) note(settings, `${shown}: includes ${include}: not followed; run 'cordon lock hash ${include}' too`);
  const verb = values['dry-run'] ? 'would add' : 'added';
  note(
    settings,
    `${shown}: ${hashes === 0 ? 'nothing to add' : `${verb} ${hashes} hash${hashes === 1 ? '' : 'es'} to ${added.length} entr${added.length === 1 ? 'y' : 'ies'}`}${left.length > 0 ? `; ${left.length} entr${left.length === 1 ? 'y' : 'ies'} left without hashes` : ''}`,
  );
  if (failed.length > 0) return 2;
  return left.length > 0 ? 1 : 0;
}

function describe(entry: EntryReport): string {
  const name = entry.version ? `${entry.name} ${entry.version}` : entry.name;
  return `${name}: ${entry.message ?? entry.status}`;
}

/** Temp file in the same folder, same mode, then rename: readers never see half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.cordon-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const { mode } = await stat(file);
    await writeFile(temp, text, { flag: 'wx', mode });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
