import { githubReporter } from './github.ts';
import { jsonReporter } from './json.ts';
import { sarifReporter } from './sarif.ts';
import { textReporter } from './text.ts';
import type { Reporter } from './types.ts';

export const FORMAT_NAMES = ['text', 'json', 'sarif', 'github'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const reporters: Record<FormatName, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
};

export function isFormatName(value: unknown): value is FormatName {
  return typeof value === 'string' && (FORMAT_NAMES as readonly string[]).includes(value);
}

export type { AuditReport, AuditSummary, Reporter, ReportOptions } from './types.ts';
