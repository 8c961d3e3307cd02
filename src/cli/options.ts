import { SEVERITIES, isSeverity, type Severity } from '../findings/finding.ts';
import { reporters, type FormatName } from '../report/index.ts';

/** A mistake in the command line: the commands print it with a pointer to `--help` and exit 2. */
export class UsageError extends Error {}

export function formatOption(value: string | undefined): FormatName {
  const format = (value ?? 'text') as FormatName;
  if (!(format in reporters)) throw new UsageError(`unknown format '${format}' (expected ${Object.keys(reporters).join(', ')})`);
  return format;
}

export function severityOption(name: string, value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  if (!isSeverity(value)) throw new UsageError(`--${name} must be one of ${SEVERITIES.join(', ')}`);
  return value;
}
