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

/**
 * Every string inside `details`, at any depth (keys included), through `redactSecrets`. Parts in
 * which nothing changes are returned as they are, not copied.
 */
export function redactDetails<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = redactDetails(value[index]);
      if (copy === undefined && item !== value[index]) copy = value.slice(0, index);
      copy?.push(item);
    }
    return (copy ?? value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const item = record[key];
      const safeKey = redactSecrets(key);
      const safeItem = redactDetails(item);
      if (copy === undefined && (safeKey !== key || safeItem !== item)) {
        // The first change: the keys before it are copied as they are.
        copy = {};
        for (const earlier in record) {
          if (earlier === key) break;
          if (Object.hasOwn(record, earlier)) copy[earlier] = record[earlier];
        }
      }
      if (copy !== undefined) copy[safeKey] = safeItem;
    }
    return (copy ?? value) as T;
  }
  return value;
}
