import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runFixes } from '../fixes/engine.ts';
import { diffStats, unifiedDiff } from '../fixes/diff.ts';
import { createFixServices } from '../fixes/services.ts';
import { parseRemoteUrl, renderSummaryJson, renderSummaryText, type RemoteRepository } from '../fixes/summary.ts';
import type { FixServices } from '../fixes/types.ts';
import { writeFileAtomic } from '../fixes/write.ts';
import { severityRank, type InputError, type Severity } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';
import { rules } from '../rules/index.ts';
import { commandConfig, gatherInputs } from './inputs.ts';
import { cordonVersion } from './version.ts';
import { SHARED_AUDIT_OPTIONS, UsageError, maxFileSizeOption, severityOption } from './options.ts';

export const FIX_HELP = `cordon fix — apply the fixes cordon's findings offer

Usage:
  cordon fix [PATH…] [options]

Edits the workflow files in place (atomically, keeping comments, quoting and layout outside the
edited lines), re-audits them, and says what was fixed, what a person still has to do (the PyPI
trusted publisher settings to enter, secrets to delete) and what could not be fixed and why.

Options:
      --dry-run            print a unified diff instead of writing (the summary goes to stderr)
      --unsafe             also apply fixes that can change what a workflow does (splitting a
                           job, switching to Trusted Publishing, moving expressions into env:)
      --rule ID            only fix findings of this rule (repeatable)
      --environment NAME   the deployment environment added to publishing jobs (default: pypi,
                           or rules.publish-without-environment.config.environment)
      --offline            pin actions from the cache only (no network)
      --index-url URL      package index to hash requirements from
  -f, --format FORMAT      text (default: summary on stderr) or json (summary on stdout)
      --min-severity SEV   list unfixed findings at or above SEV only
      --fail-on SEV        exit 1 when a finding at or above SEV remains after fixing (default: high)
  -c, --config FILE        use this config instead of cordon.yml / .github/cordon.yml
      --no-config          ignore config files
      --no-ignores         also fix findings silenced by '# cordon: ignore[…]' comments
      --max-file-size N    refuse files larger than N bytes (default 2097152)

Exit codes: 0 nothing at or above --fail-on remains after fixing (with --dry-run: would remain),
1 something does (or a file could not be written), 2 usage error or nothing could be read.
`;

export interface FixCommandDeps {
  /** `git remote get-url origin` in a directory (tests replace it). */
  gitRemote?: (directory: string) => Promise<string | undefined>;
  /** Services for fixes that need the network (tests replace them). */
  services?: FixServices;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  cwd?: string;
}


interface FixOptionsParsed {
  paths: string[];
  dryRun: boolean;
  unsafe: boolean;
  ruleIds?: string[];
  environment?: string;
  offline: boolean;
  indexUrl?: string;
  format: 'text' | 'json';
  minSeverity?: Severity;
  failOn?: Severity;
  config?: string;
  noConfig: boolean;
  noIgnores: boolean;
  maxFileSize: number;
}

export async function runFixCommand(argv: string[], deps: FixCommandDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = deps.stderr ?? ((text: string) => void process.stderr.write(text));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(FIX_HELP);
    return 0;
  }
  let options: FixOptionsParsed;
  try {
    options = parseOptions(argv);
  } catch (error) {
    err(`cordon fix: ${(error as Error).message}\n(see 'cordon fix --help')\n`);
    return 2;
  }
  const cwd = deps.cwd ?? process.cwd();
  const { inputs, errors, discovery, codeowners } = await gatherInputs(options.paths, cwd, { maxBytes: options.maxFileSize });

  let config = await commandConfig(options, discovery.root, rules, (line) => err(`cordon fix: ${line}\n`));
  if (config === undefined) return 2;
  if (options.environment) {
    const settings = config.rules?.['publish-without-environment'] ?? {};
    config = { ...config, rules: { ...config.rules, 'publish-without-environment': { ...settings, config: { ...settings.config, environment: options.environment } } } };
  }
  if (inputs.length === 0) {
    for (const error of errors) err(`cordon fix: ${error.path}${error.line ? `:${error.line}` : ''}: ${redactSecrets(error.message)}\n`);
    if (errors.length === 0) err(`cordon fix: no workflow, action, .gitlab-ci.yml, requirements, lock or Docker files found in ${options.paths.join(', ') || '.'}\n`);
    return 2;
  }

  const services =
    deps.services ??
    createFixServices({ offline: options.offline, allowUnsafe: options.unsafe, ...(options.indexUrl ? { indexUrl: options.indexUrl } : {}), warn: (message) => err(`cordon fix: ${message}\n`) });
  const result = await runFixes(inputs, {
    rules,
    config,
    inlineIgnores: !options.noIgnores,
    codeowners,
    scannedWorkflowFolder: discovery.scannedWorkflowFolder,
    unsafe: options.unsafe,
    ruleIds: options.ruleIds,
    services,
  });

  // Write (or diff) the changed files.
  const absolute = new Map(discovery.candidates.map((candidate) => [candidate.display, candidate.absolute]));
  const allErrors: InputError[] = [...errors, ...result.before.errors.filter((error) => !errors.some((known) => known.path === error.path && known.message === error.message))];
  const unwritten = new Set<string>();
  const diffs = new Map<string, string>();
  const stats = new Map<string, { added: number; removed: number }>();
  for (const file of result.files) {
    stats.set(file.path, diffStats(file.original, file.fixed));
    if (options.dryRun) {
      diffs.set(file.path, redactSecrets(unifiedDiff(file.path, file.original, file.fixed)));
      continue;
    }
    const target = absolute.get(file.path);
    try {
      if (!target) throw new Error('not a file cordon read');
      const bytes = await readFile(target);
      const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      // The reader drops a byte order mark; so does this decoder (it is written back below).
      const now = new TextDecoder('utf-8').decode(bytes);
      if (now !== file.original) throw new Error('the file changed while cordon was fixing it; run cordon fix again');
      await writeFileAtomic(target, `${bom ? '\uFEFF' : ''}${file.fixed}`);
    } catch (error) {
      unwritten.add(file.path);
      allErrors.push({ path: file.path, line: 0, message: `not written: ${(error as Error).message}` });
    }
  }

  const remote = result.records.some((record) => record.fix?.trustedPublisher) ? await readRemote(deps, discovery.root) : undefined;
  const summary = {
    result,
    dryRun: options.dryRun,
    unsafe: options.unsafe,
    remote,
    errors: allErrors,
    minSeverity: options.minSeverity ?? config['min-severity'],
    unwritten,
    diffs: options.dryRun ? diffs : undefined,
    stats,
  };
  if (options.format === 'json') out(redactSecrets(renderSummaryJson(summary, { name: 'cordon', version: cordonVersion() })));
  else {
    if (options.dryRun) for (const file of result.files) out(diffs.get(file.path) ?? '');
    err(redactSecrets(renderSummaryText(summary)));
  }

  if (result.before.filesAudited === 0) return 2;
  const failOn = options.failOn ?? config['fail-on'] ?? 'high';
  // What remains: the final audit, except that files not written keep their findings as they were.
  const remaining = [...result.after.findings.filter((finding) => !unwritten.has(finding.path)), ...result.before.findings.filter((finding) => unwritten.has(finding.path))];
  if (unwritten.size) return 1;
  return remaining.some((finding) => severityRank(finding.severity) >= severityRank(failOn)) ? 1 : 0;
}

async function readRemote(deps: FixCommandDeps, root: string): Promise<RemoteRepository | undefined> {
  const url = await (deps.gitRemote ?? gitRemoteUrl)(root).catch(() => undefined);
  return url ? parseRemoteUrl(url) : undefined;
}

/** `git remote get-url origin`, run in the scanned root; undefined when git or the remote is missing. */
function gitRemoteUrl(directory: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', directory, 'remote', 'get-url', 'origin'], { timeout: 5000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}

function parseOptions(argv: string[]): FixOptionsParsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      unsafe: { type: 'boolean' },
      rule: { type: 'string', multiple: true },
      environment: { type: 'string' },
      offline: { type: 'boolean' },
      'index-url': { type: 'string' },
      ...SHARED_AUDIT_OPTIONS,
    },
  });
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' (expected text or json)`);
  const severity = severityOption;
  const known = new Set(rules.map((rule) => rule.meta.id));
  for (const id of values.rule ?? []) if (!known.has(id)) throw new UsageError(`unknown rule '${id}' (see 'cordon rules')`);
  if (positionals.includes('-')) throw new UsageError('cordon fix edits files in place; it does not read standard input');
  const environment = values.environment?.trim();
  if (values.environment !== undefined && !environment) throw new UsageError('--environment needs a name');
  const maxFileSize = maxFileSizeOption(values['max-file-size']);
  return {
    paths: positionals,
    dryRun: values['dry-run'] ?? false,
    unsafe: values.unsafe ?? false,
    ruleIds: values.rule?.length ? values.rule : undefined,
    environment,
    offline: values.offline ?? false,
    indexUrl: values['index-url'],
    format,
    minSeverity: severity('min-severity', values['min-severity']),
    failOn: severity('fail-on', values['fail-on']),
    config: values.config,
    noConfig: values['no-config'] ?? false,
    noIgnores: values['no-ignores'] ?? false,
    maxFileSize,
  };
}
