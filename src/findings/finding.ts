import type { Span } from '../models/yaml/document.ts';
import type { Fix } from '../fixes/types.ts';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** What a rule reports; the engine turns it into a `Finding`. */
export interface FindingDraft {
  message: string;
  span: Span;
  severity?: Severity;
  confidence?: Confidence;
  /**
   * Stable identity inside the file (e.g. `publish/steps/2/twine upload`), used for the
   * fingerprint so that it survives unrelated edits that move lines.
   */
  key: string;
  /** Other places that explain the finding (the trigger, the permission grant...). */
  related?: Array<{ message: string; span: Span; path?: string }>;
  /** How to fix it, for `cordon fix` (see src/fixes/types.ts). */
  fix?: Fix;
  /** The file the finding is in, when it is not the file being walked (repository-level rules). */
  path?: string;
}

export interface RelatedLocation {
  message: string;
  line: number;
  column: number;
  /** Set when the place is in another file than the finding (cross-workflow rules). */
  path?: string;
}

/** One result, in the shape every reporter reads. Lines and columns are 1-based. */
export interface Finding {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fingerprint: string;
  related: RelatedLocation[];
  /**
   * Structured facts beyond the message (used by `cordon logs`: the credential, its replay
   * window, where it was printed, the response playbook). JSON and SARIF include it when present;
   * audit findings have none, so their output is unchanged.
   */
  details?: Record<string, unknown>;
  /** Extra lines the text report prints under the finding (`= note: …`). */
  notes?: string[];
  /** Documentation page, when it is not `docs/rules/<rule>.md`. */
  docs?: string;
}

/** A file (or part of one) that could not be read; the rest of the run goes on. */
export interface InputError {
  path: string;
  line: number;
  message: string;
}
