import { SEVERITIES, isSeverity, type Severity } from '../findings/finding.ts';
import { reporters, type FormatName } from '../report/index.ts';
import { DEFAULT_LIMITS } from '../sources/files.ts';

/** A mistake in the command line: the commands print it with a pointer to `--help` and exit 2. */
export class UsageError extends Error {}

/** The `parseArgs` options `audit` and `fix` share: output format, severities, configuration, file size. */
export const SHARED_AUDIT_OPTIONS = {
  format: { type: 'string', short: 'f' },
  'min-severity': { type: 'string' },
  'fail-on': { type: 'string' },
  config: { type: 'string', short: 'c' },
  'no-config': { type: 'boolean' },
  'no-ignores': { type: 'boolean' },
  'max-file-size': { type: 'string' },
} as const;

/** `--max-file-size`: a positive number of bytes, `DEFAULT_LIMITS.maxBytes` when not given. */
export function maxFileSizeOption(value: string | undefined): number {
  const bytes = value === undefined ? DEFAULT_LIMITS.maxBytes : Number(value);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new UsageError('--max-file-size must be a positive number of bytes');
  return bytes;
}

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
