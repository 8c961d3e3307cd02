import type { Finding, InputError, Severity } from '../findings/finding.ts';
import type { RuleMeta } from '../rules/rule.ts';

export interface AuditSummary {
  filesAudited: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  /** Findings silenced by `# cordon: ignore[...]` comments or config `ignore` entries. */
  ignored: number;
  /** Findings below `--min-severity`, not shown. */
  suppressed: number;
  errors: number;
}

/** A rule as reporters see it; `docsPath` for pages outside `docs/rules/<id>.md` (log detectors). */
export type ReportRuleMeta = RuleMeta & { docsPath?: string };

/** Everything a reporter needs; reporters do no IO and know no rule by name. */
export interface AuditReport {
  tool: { name: string; version: string; informationUri: string };
  /** Absolute path of the scanned root; finding paths are relative to it. */
  root: string;
  findings: Finding[];
  errors: InputError[];
  summary: AuditSummary;
  /** Metadata of every rule that ran, for SARIF's rule table and docs links. */
  rules: ReportRuleMeta[];
  /** File texts by finding path, for code frames. */
  sources: Map<string, string>;
}

export interface ReportOptions {
  color: boolean;
}

export type Reporter = (report: AuditReport, options: ReportOptions) => string;
