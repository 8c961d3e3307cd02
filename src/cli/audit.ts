import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { audit } from '../engine/audit.ts';
import { SEVERITIES, severityRank, type Severity } from '../findings/finding.ts';
import { reporters, type FormatName } from '../report/index.ts';
import type { AuditReport } from '../report/types.ts';
import { rules } from '../rules/index.ts';
import type { ReadLimits } from '../sources/files.ts';
import { commandConfig, gatherInputs } from './inputs.ts';
import { INFORMATION_URI, cordonVersion } from './version.ts';
import { SHARED_AUDIT_OPTIONS, UsageError, formatOption, maxFileSizeOption, severityOption } from './options.ts';


export async function runAuditCommand(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`cordon audit: ${(error as Error).message}\n(see 'cordon --help')\n`);
    return 2;
  }
  const cwd = process.cwd();
  const limits: ReadLimits = { maxBytes: options.maxFileSize };
  const { inputs, errors, discovery, codeowners, includedSources } = await gatherInputs(options.paths, cwd, limits);
  const sources = new Map(inputs.map((input) => [input.path, input.text]));

  const config = await commandConfig(options, discovery.root, rules, (line) => process.stderr.write(`cordon audit: ${line}\n`));
  if (config === undefined) return 2;

  if (inputs.length === 0 && errors.length === 0) {
    process.stderr.write(`cordon audit: no workflow, action, .gitlab-ci.yml, requirements, lock or Docker files found in ${options.paths.join(', ') || '.'}\n`);
    return 2;
  }

  const result = await audit(inputs, {
    rules,
    config,
    inlineIgnores: !options.noIgnores,
    codeowners,
    scannedWorkflowFolder: discovery.scannedWorkflowFolder,
  });
  // GitLab includes are read while auditing; their text gives findings in them a code frame.
  for (const [path, text] of includedSources) if (!sources.has(path)) sources.set(path, text);
  const minSeverity = options.minSeverity ?? config['min-severity'] ?? 'info';
  const failOn = options.failOn ?? config['fail-on'] ?? 'high';
  const shown = result.findings.filter((finding) => severityRank(finding.severity) >= severityRank(minSeverity));
  const allErrors = [...errors, ...result.errors];
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, shown.filter((f) => f.severity === severity).length])) as Record<Severity, number>;
  const report: AuditReport = {
    tool: { name: 'cordon', version: cordonVersion(), informationUri: INFORMATION_URI },
    root: discovery.root,
    findings: shown,
    errors: allErrors,
    summary: {
      filesAudited: result.filesAudited,
      findings: shown.length,
      bySeverity,
      ignored: result.ignored,
      suppressed: result.findings.length - shown.length,
      errors: allErrors.length,
    },
    rules: rules.map((rule) => rule.meta),
    sources,
  };
  const color = options.color ?? (!options.output && process.stdout.isTTY === true && !process.env.NO_COLOR);
  const output = reporters[options.format](report, { color });
  if (options.output) await writeFile(path.resolve(cwd, options.output), output);
  else process.stdout.write(output);

  if (result.filesAudited === 0) return 2;
  return shown.some((finding) => severityRank(finding.severity) >= severityRank(failOn)) ? 1 : 0;
}

interface AuditOptionsParsed {
  paths: string[];
  format: FormatName;
  minSeverity?: Severity;
  failOn?: Severity;
  config?: string;
  noConfig: boolean;
  noIgnores: boolean;
  output?: string;
  color?: boolean;
  maxFileSize: number;
}

function parseOptions(argv: string[]): AuditOptionsParsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SHARED_AUDIT_OPTIONS,
      output: { type: 'string', short: 'o' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
    },
  });
  const format = formatOption(values.format);
  const severity = severityOption;
  const maxFileSize = maxFileSizeOption(values['max-file-size']);
  return {
    paths: positionals,
    format,
    minSeverity: severity('min-severity', values['min-severity']),
    failOn: severity('fail-on', values['fail-on']),
    config: values.config,
    noConfig: values['no-config'] ?? false,
    noIgnores: values['no-ignores'] ?? false,
    output: values.output,
    color: values['no-color'] ? false : values.color,
    maxFileSize,
  };
}
