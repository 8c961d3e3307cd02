import { redactSecrets } from '../findings/redact.ts';
import type { Reporter } from './types.ts';

/**
 * Machine-readable output, version 1. The shape is a contract: finding objects carry exactly
 * these ten keys in this order (`related` stays out), plus `details` for findings that have it
 * (`cordon logs`), and every text is redacted.
 */
export const jsonReporter: Reporter = (report) => {
  const document = {
    version: 1,
    findings: report.findings.map((finding) => ({
      rule: finding.rule,
      severity: finding.severity,
      confidence: finding.confidence,
      message: redactSecrets(finding.message),
      path: redactSecrets(finding.path),
      line: finding.line,
      column: finding.column,
      endLine: finding.endLine,
      endColumn: finding.endColumn,
      fingerprint: finding.fingerprint,
      ...(finding.details ? { details: redactDetails(finding.details) } : {}),
    })),
    errors: report.errors.map((error) => ({
      path: redactSecrets(error.path),
      line: error.line,
      message: redactSecrets(error.message),
    })),
    summary: { ...report.summary, bySeverity: { ...report.summary.bySeverity } },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
};

/** Every string inside `details`, at any depth (keys included), through `redactSecrets`. */
export function redactDetails<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDetails(item)) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const key in value) {
      if (Object.hasOwn(value, key)) copy[redactSecrets(key)] = redactDetails((value as Record<string, unknown>)[key]);
    }
    return copy as T;
  }
  return value;
}
