import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { placeOfEntry } from '../analysis/logs/context.ts';
import { KnownFileError, parseKnownFingerprints } from '../analysis/logs/known.ts';
import { LogScan, type LogDocument, type RunInfo } from '../analysis/logs/scan.ts';
import type { LogScanner } from '../analysis/logs/scanner.ts';
import { projectNamesOf, uploadsInWindow } from '../analysis/python/leak-releases.ts';
import { SEVERITIES, severityRank, type Finding, type Severity } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';
import { DiskCache, defaultCacheDir, writeStreamToFile } from '../registry/cache.ts';
import { DEFAULT_API_URL, GitHubClient, OfflineCacheMissError, parseRepository, type WorkflowRun } from '../registry/github.ts';
import { DEFAULT_HTTP_OPTIONS, HttpError, type HttpOptions } from '../registry/http.ts';
import { HttpClient as PypiHttpClient, PackageIndex, chooseIndexUrl, defaultCacheDir as defaultPypiCacheDir, displayUrl as displayPypiUrl } from '../registry/pypi/index.ts';
import { reporters, type FormatName } from '../report/index.ts';
import type { AuditReport, ReportRuleMeta } from '../report/types.ts';
import { discoverLogInputs, type LogInput } from '../sources/logs/inputs.ts';
import { DEFAULT_MAX_LINE_BYTES, readFileChunks } from '../sources/logs/lines.ts';
import { redactedPathFor } from '../sources/logs/output.ts';
import { DEFAULT_ZIP_LIMITS, readZip, type ZipLimits } from '../sources/logs/zip.ts';
import { INFORMATION_URI, cordonVersion } from './version.ts';
import { UsageError, formatOption, severityOption } from './options.ts';


export const LOGS_HELP = `Usage: cordon logs [PATH…] [options]
       cordon logs --repo OWNER/REPO [--runs N] [options]

Finds credentials that CI logs leaked, decodes what they are, and says how long each could be
replayed. PATH: log files, folders of them, .zip run-log archives as GitHub serves them, or -
for standard input.

Options:
      --repo OWNER/REPO    download the logs of recent workflow runs through the GitHub REST API
                           (token: GITHUB_TOKEN; GitHub Enterprise Server: GITHUB_API_URL)
      --runs N             how many recent runs (default 5, at most 100)
      --run ID             this run instead of the most recent ones (repeatable)
      --offline            use only what is in the cache; a miss is an error
      --cache-dir DIR      download cache (default: $XDG_CACHE_HOME/cordon or ~/.cache/cordon)
      --timeout SECONDS    per request, and per stalled download (default 30)
      --retries N          retries on network errors, 429 and 5xx (default 3)
      --max-wait SECONDS   longest Retry-After or rate-limit wait to accept (default 120)
      --check-releases     for each leaked PyPI token, list the files uploaded to its projects
                           while it was valid (asks the index: --index-url, PIP_INDEX_URL, PyPI)
      --index-url URL      the Simple API root for --check-releases
  -f, --format FORMAT      text (default), json, sarif or github
      --min-severity SEV   hide findings below SEV
      --fail-on SEV        exit 1 when a finding at or above SEV remains (default: high)
  -o, --output FILE        write the report to FILE
      --color / --no-color
      --redact             write a redacted copy of each log (build.log -> build.redacted.log,
                           logs.zip -> logs.redacted/…), secrets replaced by [REDACTED sha256:…]
      --redact-dir DIR     write redacted copies under DIR instead (required for - and --repo)
      --known FILE         fingerprints (sha256:…) of credentials you hold, one per line
      --now TIME           judge replay windows at TIME (ISO 8601) instead of the current time
      --max-line-size N    bytes of a line that are scanned (default ${DEFAULT_MAX_LINE_BYTES})
      --max-entry-size N   inflated bytes of one zip entry (default ${DEFAULT_ZIP_LIMITS.maxEntryBytes})
      --max-archive-size N inflated bytes of one archive, and largest download (default ${DEFAULT_ZIP_LIMITS.maxTotalBytes})

Exit codes: 0 nothing at or above --fail-on, 1 leaks at or above it, 2 usage error or nothing
could be read.
`;

export interface LogsCommandDeps {
  /** The detectors; by default the project's own (`src/detectors`). */
  scanner?: LogScanner;
  stdin?: AsyncIterable<Uint8Array>;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  isTTY?: boolean;
}

interface LogsOptions {
  paths: string[];
  repo?: { owner: string; repo: string };
  runs: number;
  runIds: number[];
  offline: boolean;
  cacheDir?: string;
  timeoutMs: number;
  retries: number;
  maxWaitMs: number;
  format: FormatName;
  minSeverity?: Severity;
  failOn: Severity;
  output?: string;
  color?: boolean;
  redact: boolean;
  redactDir?: string;
  known?: string;
  now?: number;
  maxLineBytes: number;
  zipLimits: ZipLimits;
  /** Ask the package index which files were uploaded while each leaked PyPI token was valid. */
  checkReleases?: { indexUrl?: string };
}

export async function runLogsCommand(argv: string[], deps: LogsCommandDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = deps.stderr ?? ((text: string) => void process.stderr.write(text));
  const say = (text: string) => stderr(`cordon logs: ${redactSecrets(text)}\n`);
  const env = deps.env ?? process.env;
  const cwd = deps.cwd ?? process.cwd();

  let options: LogsOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    say(`${(error as Error).message}\n(see 'cordon logs --help')`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    stdout(LOGS_HELP);
    return 0;
  }

  let known = new Set<string>();
  if (options.known) {
    try {
      known = parseKnownFingerprints(await readFile(path.resolve(cwd, options.known), 'utf8'));
    } catch (error) {
      if (error instanceof KnownFileError) say(`${options.known}:${error.line}: ${error.message}`);
      else say(`cannot read --known file ${options.known}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 2;
    }
  }

  const scanner = deps.scanner ?? (await import('../analysis/logs/default-scanner.ts')).createDefaultScanner();
  const scan = new LogScan({ scanner, maxLineBytes: options.maxLineBytes, known });
  const redactDir = options.redactDir ? path.resolve(cwd, options.redactDir) : undefined;
  const redactTo = (input: { absolute?: string; display: string; entry?: string }): string | undefined => {
    if (!options.redact) return undefined;
    const target = redactedPathFor(input, redactDir);
    if (target && input.absolute && path.resolve(target) === path.resolve(input.absolute)) return undefined;
    return target;
  };

  const { inputs, errors } = await discoverLogInputs(options.paths, cwd);
  for (const error of errors) scan.error(error.path, error.line, error.message);

  for (const input of inputs) {
    try {
      await scanInput(input, scan, options, redactTo, deps.stdin ?? (process.stdin as AsyncIterable<Uint8Array>));
    } catch (error) {
      scan.error(input.display, 0, `cannot be read: ${describeError(error)}`);
    }
  }

  if (options.repo) {
    const code = await scanRepository(options.repo, options, scan, redactTo, env, say);
    if (code !== undefined) return code;
  }

  const now = options.now ?? Date.now();
  const all = scan.findings(now);
  if (options.checkReleases) await addReleasesInWindow(all, options, env, now, say);
  const minSeverity = options.minSeverity ?? 'info';
  const shown = all.filter((finding) => severityRank(finding.severity) >= severityRank(minSeverity));
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, shown.filter((finding) => finding.severity === severity).length])) as Record<Severity, number>;
  const report: AuditReport = {
    tool: { name: 'cordon', version: cordonVersion(), informationUri: INFORMATION_URI },
    root: cwd,
    findings: shown,
    errors: scan.errors,
    summary: {
      filesAudited: scan.filesScanned,
      findings: shown.length,
      bySeverity,
      ignored: 0,
      suppressed: all.length - shown.length,
      errors: scan.errors.length,
    },
    rules: scanner.detectors.map(toRuleMeta),
    // No code frames: a log line can hold a secret in a form the report redactor does not know.
    sources: new Map(),
  };
  const color = options.color ?? (!options.output && (deps.isTTY ?? process.stdout.isTTY === true) && !env.NO_COLOR);
  const rendered = reporters[options.format](report, { color });
  if (options.output) await writeFile(path.resolve(cwd, options.output), rendered);
  else stdout(rendered);
  if (options.redact && scan.redactedFiles.length > 0) {
    say(`wrote ${scan.redactedFiles.length} redacted cop${scan.redactedFiles.length === 1 ? 'y' : 'ies'}${redactDir ? ` under ${redactDir}` : ' next to the logs'}`);
  }

  if (scan.filesScanned === 0) {
    if (inputs.length === 0 && !options.repo && errors.length === 0) say('no log files found');
    return 2;
  }
  return shown.some((finding) => severityRank(finding.severity) >= severityRank(options.failOn)) ? 1 : 0;
}

type RedactTo = (input: { absolute?: string; display: string; entry?: string }) => string | undefined;

async function scanInput(input: LogInput, scan: LogScan, options: LogsOptions, redactTo: RedactTo, stdin: AsyncIterable<Uint8Array>): Promise<void> {
  if (input.kind === 'file') {
    const document: LogDocument = { path: input.display, place: { jobKey: input.display } };
    const target = redactTo({ absolute: input.absolute, display: input.display });
    if (target) document.redactTo = target;
    await scan.scanDocument(document, readFileChunks(input.absolute));
    return;
  }
  if (input.kind === 'zip') {
    await scanZip(input.absolute, input.display, scan, options, (entry) => redactTo({ absolute: input.absolute, display: input.display, entry }));
    return;
  }
  // Standard input: a zip is spooled to a temporary file (zips are read from their end).
  const iterator = stdin[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const rest = (async function* () {
    if (head.length) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) {
    const folder = await mkdtemp(path.join(tmpdir(), 'cordon-stdin-'));
    try {
      const file = path.join(folder, 'stdin.zip');
      await writeStreamToFile(file, rest, { maxBytes: options.zipLimits.maxTotalBytes });
      await scanZip(file, '<stdin>', scan, options, (entry) => redactTo({ display: 'stdin.zip', entry }));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    return;
  }
  const document: LogDocument = { path: '<stdin>', place: { jobKey: '<stdin>' } };
  const target = redactTo({ display: 'stdin.log' });
  if (target) document.redactTo = target;
  await scan.scanDocument(document, rest);
}

async function scanZip(file: string, display: string, scan: LogScan, options: LogsOptions, redactTo: (entry: string) => string | undefined, run?: RunInfo): Promise<void> {
  await readZip(file, options.zipLimits, {
    entry: async (info, chunks) => {
      const document: LogDocument = { path: `${display}!${info.name}`, place: placeOfEntry(display, info.name) };
      if (run) document.run = run;
      const target = redactTo(info.name);
      if (target) document.redactTo = target;
      await scan.scanDocument(document, chunks);
    },
    error: (name, message) => scan.error(name === undefined ? display : `${display}!${name}`, 0, message),
  });
}

/** `--repo`: list (or look up) runs, download each run's logs, scan them. A number is an early exit code. */
async function scanRepository(
  target: { owner: string; repo: string },
  options: LogsOptions,
  scan: LogScan,
  redactTo: RedactTo,
  env: NodeJS.ProcessEnv,
  say: (text: string) => void,
): Promise<number | undefined> {
  const http: HttpOptions = {
    ...DEFAULT_HTTP_OPTIONS,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxWaitMs: options.maxWaitMs,
    userAgent: `cordon/${cordonVersion()}`,
    onRetry: ({ attempt, delayMs, reason }) => say(`${reason}; retrying in ${(delayMs / 1000).toFixed(1)} s (retry ${attempt} of ${options.retries})`),
  };
  if (env.CORDON_HTTP_BACKOFF_MS && /^\d+$/.test(env.CORDON_HTTP_BACKOFF_MS)) http.backoffMs = Number(env.CORDON_HTTP_BACKOFF_MS);
  let client: GitHubClient;
  try {
    client = new GitHubClient({
      apiUrl: env.GITHUB_API_URL || DEFAULT_API_URL,
      ...(env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : {}),
      cache: new DiskCache(options.cacheDir ? path.resolve(options.cacheDir) : defaultCacheDir(env)),
      offline: options.offline,
      http,
      maxDownloadBytes: options.zipLimits.maxTotalBytes,
      warn: say,
    });
  } catch (error) {
    say((error as Error).message);
    return 2;
  }
  const name = `${target.owner}/${target.repo}`;
  let runs: WorkflowRun[];
  try {
    if (options.runIds.length) {
      runs = [];
      for (const id of options.runIds) runs.push(await client.getRun(target.owner, target.repo, id));
    } else {
      runs = await client.listRuns(target.owner, target.repo, options.runs);
    }
  } catch (error) {
    say(error instanceof OfflineCacheMissError || error instanceof HttpError ? error.message : `cannot list the runs of ${name}: ${describeError(error)}`);
    return 2;
  }
  if (runs.length === 0) say(`${name} has no workflow runs`);
  for (const run of runs) {
    const display = `run-${run.id}.zip`;
    const info: RunInfo = {
      id: run.id,
      name: run.name ?? null,
      workflowPath: run.path ?? null,
      url: run.html_url,
      event: run.event,
      branch: run.head_branch ?? null,
      status: run.status ?? null,
      conclusion: run.conclusion ?? null,
      startedAt: run.run_started_at ?? run.created_at ?? null,
    };
    let logs;
    try {
      logs = await client.runLogs(target.owner, target.repo, run);
    } catch (error) {
      scan.error(display, 0, describeError(error));
      continue;
    }
    try {
      await scanZip(logs.path, display, scan, options, (entry) => redactTo({ display, entry }), info);
    } catch (error) {
      scan.error(display, 0, `cannot be read: ${describeError(error)}`);
    } finally {
      await logs.release();
    }
  }
  return undefined;
}

function toRuleMeta(meta: LogScanner['detectors'][number]): ReportRuleMeta {
  return {
    id: meta.id,
    summary: meta.summary,
    severity: meta.severity,
    confidence: meta.confidence,
    docs: {
      why: meta.docs.why,
      example: '',
      fix: meta.docs.respond.map((step, index) => `${index + 1}. ${step}`).join('\n'),
      references: meta.docs.references,
    },
    docsPath: 'docs/logs.md',
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return redactSecrets(error.message);
  return redactSecrets(String(error));
}

function parseOptions(argv: string[]): LogsOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      repo: { type: 'string' },
      runs: { type: 'string' },
      run: { type: 'string', multiple: true },
      offline: { type: 'boolean' },
      'cache-dir': { type: 'string' },
      'check-releases': { type: 'boolean' },
      'index-url': { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'max-wait': { type: 'string' },
      format: { type: 'string', short: 'f' },
      'min-severity': { type: 'string' },
      'fail-on': { type: 'string' },
      output: { type: 'string', short: 'o' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      redact: { type: 'boolean' },
      'redact-dir': { type: 'string' },
      known: { type: 'string' },
      now: { type: 'string' },
      'max-line-size': { type: 'string' },
      'max-entry-size': { type: 'string' },
      'max-archive-size': { type: 'string' },
    },
  });
  const format = formatOption(values.format);
  const severity = severityOption;
  const integer = (name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return Number(value);
  };
  const repo = values.repo !== undefined ? parseRepository(values.repo) : undefined;
  if (!repo && (values.runs !== undefined || values.run !== undefined || (values.offline && !values['check-releases']))) throw new UsageError('--runs, --run and --offline go with --repo OWNER/REPO or --check-releases');
  if (values['index-url'] !== undefined && !values['check-releases']) throw new UsageError('--index-url goes with --check-releases');
  if (!repo && positionals.length === 0 && !values.help) throw new UsageError('nothing to scan: give log files, folders, .zip archives, - for standard input, or --repo OWNER/REPO');
  const redact = values.redact ?? values['redact-dir'] !== undefined;
  if (redact && !values['redact-dir'] && (repo || positionals.includes('-'))) throw new UsageError('--redact with --repo or standard input needs --redact-dir DIR');
  let now: number | undefined;
  if (values.now !== undefined) {
    now = Date.parse(values.now);
    if (Number.isNaN(now)) throw new UsageError('--now must be an ISO 8601 time, e.g. 2025-09-05T10:05:00Z');
  }
  const runIds = (values.run ?? []).map((value) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`--run must be a run id, got '${value}'`);
    return Number(value);
  });
  const options: LogsOptions = {
    paths: positionals,
    runs: integer('runs', values.runs, 5, 1, 100),
    runIds,
    offline: values.offline ?? false,
    timeoutMs: integer('timeout', values.timeout, DEFAULT_HTTP_OPTIONS.timeoutMs / 1000, 1, 3600) * 1000,
    retries: integer('retries', values.retries, DEFAULT_HTTP_OPTIONS.retries, 0, 20),
    maxWaitMs: integer('max-wait', values['max-wait'], DEFAULT_HTTP_OPTIONS.maxWaitMs / 1000, 0, 86_400) * 1000,
    format,
    failOn: severity('fail-on', values['fail-on']) ?? 'high',
    redact,
    maxLineBytes: integer('max-line-size', values['max-line-size'], DEFAULT_MAX_LINE_BYTES, 1024),
    zipLimits: {
      ...DEFAULT_ZIP_LIMITS,
      maxEntryBytes: integer('max-entry-size', values['max-entry-size'], DEFAULT_ZIP_LIMITS.maxEntryBytes),
      maxTotalBytes: integer('max-archive-size', values['max-archive-size'], DEFAULT_ZIP_LIMITS.maxTotalBytes),
    },
  };
  if (repo) options.repo = repo;
  if (values['cache-dir'] !== undefined) options.cacheDir = values['cache-dir'];
  if (values['check-releases']) options.checkReleases = values['index-url'] !== undefined ? { indexUrl: values['index-url'] } : {};
  const minSeverity = severity('min-severity', values['min-severity']);
  if (minSeverity) options.minSeverity = minSeverity;
  if (values.output !== undefined) options.output = values.output;
  const color = values['no-color'] ? false : values.color;
  if (color !== undefined) options.color = color;
  if (values['redact-dir'] !== undefined) options.redactDir = values['redact-dir'];
  if (values.known !== undefined) options.known = values.known;
  if (now !== undefined) options.now = now;
  return options;
}

/**
 * For leaked PyPI tokens scoped to named projects, the files the index received while the token
 * could publish: from when it was printed (or became valid) to its expiry, or until now for a
 * token valid until revoked. The playbook's "check what was uploaded" step, answered.
 */
async function addReleasesInWindow(findings: Finding[], options: LogsOptions, env: NodeJS.ProcessEnv, now: number, say: (text: string) => void): Promise<void> {
  const candidates = findings.filter((finding) => PYPI_TOKENS.has(finding.rule) && finding.details);
  if (!candidates.length) return;
  const choice = chooseIndexUrl(options.checkReleases?.indexUrl, env);
  const http = new PypiHttpClient({
    cacheDir: path.resolve(options.cacheDir ?? defaultPypiCacheDir(env)),
    offline: options.offline,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    userAgent: `cordon/${cordonVersion()}`,
  });
  const index = new PackageIndex(choice.url, http);
  for (const finding of candidates) {
    const details = finding.details as { credential?: { scope?: string[] }; timing?: { printedAt?: string | null; notBefore?: string | null; validUntil?: string | null } };
    const projects = projectNamesOf(details.credential?.scope);
    const start = details.timing?.notBefore ?? details.timing?.printedAt;
    if (!projects.length || !start) continue;
    const from = new Date(start);
    const to = details.timing?.validUntil ? new Date(details.timing.validUntil) : null;
    const checks = await uploadsInWindow((name) => index.project(name), projects, from, to);
    (finding.details as Record<string, unknown>).releasesInWindow = { index: displayPypiUrl(choice.url), from: from.toISOString(), to: to?.toISOString() ?? new Date(now).toISOString(), checks };
    const uploads = checks.flatMap((check) => check.uploads);
    const failed = checks.filter((check) => check.error);
    for (const check of failed) say(`--check-releases: ${check.project}: ${check.error}`);
    if (uploads.length) {
      const shown = uploads.slice(0, 5).map((upload) => `${upload.filename} (${upload.uploadTime}${upload.provenance === null ? ', no attestation' : ''})`);
      finding.message += ` Uploaded to ${projects.join(', ')} while it was valid: ${shown.join('; ')}${uploads.length > 5 ? `; and ${uploads.length - 5} more` : ''} — check each of these releases.`;
    } else if (failed.length < checks.length) {
      finding.message += ` No file was uploaded to ${projects.join(', ')} while it was valid (checked on ${displayPypiUrl(choice.url)}).`;
    }
  }
}

const PYPI_TOKENS = new Set(['pypi-token', 'pypi-trusted-publishing-token', 'testpypi-token']);
