import { pathToFileURL } from 'node:url';
import type { Confidence, Finding, Severity } from '../findings/finding.ts';
import { severityRank } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';
import { redactDetails } from './json.ts';
import type { AuditReport, ReportRuleMeta, Reporter } from './types.ts';

/**
 * SARIF 2.1.0, one run, shaped for GitHub code scanning: every property it requires is present
 * and never empty, text fields stay within its length limits, and counts stay within the limits
 * past which it rejects an upload. All text is redacted.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
export const FINGERPRINT_KEY = 'cordonFingerprint/v1';
const SRCROOT = 'SRCROOT';

/** GitHub code scanning's hard limits (uploads past them are rejected). */
export const GITHUB_LIMITS = {
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  locationsPerResult: 1_000,
  ruleNameLength: 255,
  descriptionLength: 1_024,
} as const;

type Level = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): Level {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'note';
}

/** GitHub maps >9.0 to critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0.0 none. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

const PRECISION: Record<Confidence, 'high' | 'medium' | 'low'> = { high: 'high', medium: 'medium', low: 'low' };

export const sarifReporter: Reporter = (report) => `${JSON.stringify(buildSarif(report), null, 2)}\n`;

export function buildSarif(report: AuditReport): Record<string, unknown> {
  const informationUri = absoluteUri(report.tool.informationUri);
  const rules: Array<Record<string, unknown>> = [];
  const ruleIndex = new Map<string, number>();
  for (const meta of report.rules) {
    if (ruleIndex.has(meta.id) || rules.length >= GITHUB_LIMITS.rulesPerRun) continue;
    ruleIndex.set(meta.id, rules.length);
    rules.push(ruleDescriptor(meta, informationUri));
  }

  const notifications: Array<Record<string, unknown>> = [];
  let findings = report.findings;
  if (findings.length > GITHUB_LIMITS.resultsPerRun) {
    // Keep the most severe; the sort is stable, so the report's order holds within a severity.
    findings = [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity)).slice(0, GITHUB_LIMITS.resultsPerRun);
    notifications.push({
      level: 'warning',
      message: {
        text: `${report.findings.length - findings.length} of ${report.findings.length} results were left out: GitHub code scanning accepts at most ${GITHUB_LIMITS.resultsPerRun} per run.`,
      },
    });
  }

  const results = findings.map((finding) => {
    let index = ruleIndex.get(finding.rule);
    if (index === undefined) {
      // A finding from a rule the report did not list still needs a descriptor to point at.
      index = rules.length;
      ruleIndex.set(finding.rule, index);
      rules.push(fallbackDescriptor(finding.rule, finding.severity));
    }
    return result(finding, index);
  });

  for (const error of report.errors) {
    notifications.push({
      level: 'error',
      message: { text: nonEmpty(redactSecrets(error.message), 'input could not be read') },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(error.path), uriBaseId: SRCROOT },
            region: { startLine: positive(error.line) },
          },
        },
      ],
    });
  }

  const driver: Record<string, unknown> = { name: nonEmpty(report.tool.name, 'cordon') };
  if (report.tool.version) driver.version = report.tool.version;
  if (isSemver(report.tool.version)) driver.semanticVersion = report.tool.version;
  if (informationUri) driver.informationUri = informationUri;
  driver.rules = rules;

  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(report.root) } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function ruleDescriptor(meta: ReportRuleMeta, informationUri: string | null): Record<string, unknown> {
  const summary = nonEmpty(redactSecrets(meta.summary), meta.id);
  const why = nonEmpty(redactSecrets(meta.docs.why), summary);
  const fix = redactSecrets(meta.docs.fix);
  const references = meta.docs.references.map((reference) => redactSecrets(reference));

  const text = [why, fix && `Fix:\n${fix}`, references.length > 0 && `References:\n${references.map((ref) => `- ${ref}`).join('\n')}`]
    .filter(Boolean)
    .join('\n\n');
  const markdown = [
    why,
    fix && `## Fix\n\n${fix}`,
    references.length > 0 && `## References\n\n${references.map((ref) => `- ${ref}`).join('\n')}`,
  ]
    .filter(Boolean)
    .join('\n\n');

  const descriptor: Record<string, unknown> = {
    id: meta.id,
    name: limit(meta.id, GITHUB_LIMITS.ruleNameLength),
    shortDescription: { text: limit(summary, GITHUB_LIMITS.descriptionLength) },
    fullDescription: { text: limit(why, GITHUB_LIMITS.descriptionLength) },
    help: { text, markdown },
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: ['security', 'ci'],
      'security-severity': SECURITY_SEVERITY[meta.severity],
      precision: PRECISION[meta.confidence],
    },
  };
  if (informationUri) descriptor.helpUri = `${informationUri.replace(/\/+$/, '')}/blob/main/${meta.docsPath ?? `docs/rules/${encodeURIComponent(meta.id)}.md`}`;
  return descriptor;
}

function fallbackDescriptor(id: string, severity: Severity): Record<string, unknown> {
  return {
    id,
    name: limit(id, GITHUB_LIMITS.ruleNameLength),
    shortDescription: { text: id },
    fullDescription: { text: id },
    help: { text: id },
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { tags: ['security', 'ci'], 'security-severity': SECURITY_SEVERITY[severity] },
  };
}

function result(finding: Finding, ruleIndex: number): Record<string, unknown> {
  const uri = artifactUri(finding.path);
  const startLine = positive(finding.line);
  const startColumn = positive(finding.column);
  const endLine = Math.max(startLine, positive(finding.endLine));
  let endColumn = positive(finding.endColumn);
  if (endLine === startLine && endColumn < startColumn) endColumn = startColumn;

  const entry: Record<string, unknown> = {
    ruleId: finding.rule,
    ruleIndex,
    level: sarifLevel(finding.severity),
    message: { text: nonEmpty(redactSecrets(finding.message), finding.rule) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri, uriBaseId: SRCROOT },
          region: { startLine, startColumn, endLine, endColumn },
        },
      },
    ],
  };
  const related = finding.related.slice(0, GITHUB_LIMITS.locationsPerResult);
  if (related.length > 0) {
    entry.relatedLocations = related.map((item, index) => ({
      id: index + 1,
      physicalLocation: {
        artifactLocation: { uri: item.path ? artifactUri(item.path) : uri, uriBaseId: SRCROOT },
        region: { startLine: positive(item.line), startColumn: positive(item.column) },
      },
      message: { text: nonEmpty(redactSecrets(item.message), 'related location') },
    }));
  }
  entry.partialFingerprints = { [FINGERPRINT_KEY]: finding.fingerprint };
  entry.properties = { severity: finding.severity, confidence: finding.confidence, ...(finding.details ? { details: redactDetails(finding.details) } : {}) };
  return entry;
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
export function artifactUri(path: string): string {
  const normalized = redactSecrets(path).replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
  return normalized
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** `file:` URI of the scanned root, with the trailing slash a base URI needs. */
function rootUri(root: string): string {
  const href = pathToFileURL(redactSecrets(root)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function absoluteUri(value: string): string | null {
  if (!value) return null;
  try {
    new URL(value);
    return value;
  } catch {
    return null;
  }
}

function isSemver(version: string): boolean {
  return /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/.test(version);
}

function positive(value: number): number {
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function nonEmpty(text: string, fallback: string): string {
  return text.trim() === '' ? fallback : text;
}

/** Cut to `max` UTF-16 units, ending with `…`, without splitting a surrogate pair. */
function limit(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
