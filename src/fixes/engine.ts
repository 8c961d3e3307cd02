/**
 * `cordon fix`'s engine, without IO: audits the inputs, applies the text edits of the fixes the
 * findings offer (those allowed by `--rule` and `--unsafe`), checks that each edited file still
 * reads as before, re-audits everything and repeats, so that fixes whose edits overlapped, or that
 * depend on another fix's result, get their turn on the new text. It stops when a pass applies
 * nothing or after `maxPasses`.
 */
import { audit, type AuditInput, type AuditOptions, type AuditResult } from '../engine/audit.ts';
import { parseDocument, visit } from 'yaml';
import { loadRepository } from '../engine/load.ts';
import { buildPipelineFile } from '../models/github/build.ts';
import type { Workflow } from '../models/github/types.ts';
import { YamlFile } from '../models/yaml/document.ts';
import type { Finding, Severity } from '../findings/finding.ts';
import { FixUnavailableError, type Fix, type FixServices, type TextEdit, type TrustedPublisherSettings } from './types.ts';
import { applyEdits, editsOverlap } from './yaml-edit.ts';

export interface FixOptions extends AuditOptions {
  /** Apply fixes marked `unsafe` too. */
  unsafe?: boolean;
  /** Only the fixes of these rules. */
  ruleIds?: readonly string[];
  services?: FixServices;
  /** Audit-and-fix rounds before giving up on fixes that keep conflicting (default 8). */
  maxPasses?: number;
}

/**
 * What happened to a finding: `fixed` (its fix applied, the finding gone), `resolved` (gone after
 * another fix), or why it is still there.
 */
export type FixOutcome = 'fixed' | 'resolved' | 'no-fix' | 'unsafe' | 'unavailable' | 'conflict' | 'invalid' | 'failed' | 'remains' | 'not-editable';

export interface FixRecord {
  rule: string;
  path: string;
  /** Where the finding was when first seen (1-based), in the file as it was then. */
  line: number;
  severity: Severity;
  message: string;
  fingerprint: string;
  outcome: FixOutcome;
  /** The fix offered (the last one, when passes offered several). */
  fix?: { title: string; safety: 'safe' | 'unsafe'; followUp?: string[]; trustedPublisher?: TrustedPublisherSettings };
  /** Why it was not fixed, for the outcomes that are not `fixed`/`resolved`. */
  reason?: string;
  /** The pass that applied its fix. */
  pass?: number;
  /** Not in the first audit: it appeared after an earlier fix. */
  appeared?: boolean;
  /** The source line the finding starts on (trimmed), when first seen. */
  lineText: string;
}

export interface FixedFile {
  path: string;
  /** The text as read and as fixed (line endings as in the file). */
  original: string;
  fixed: string;
}

export interface FixRunResult {
  before: AuditResult;
  after: AuditResult;
  /** Files whose text changed. */
  files: FixedFile[];
  /** Every finding of the selected rules seen in any pass, in first-seen order. */
  records: FixRecord[];
  passes: number;
}

interface Offered {
  fix: Fix;
  findings: Finding[];
}

const identity = (finding: Pick<Finding, 'rule' | 'path' | 'fingerprint'>): string => `${finding.rule}\0${finding.path}\0${finding.fingerprint}`;

export async function runFixes(inputs: readonly AuditInput[], options: FixOptions): Promise<FixRunResult> {
  const maxPasses = options.maxPasses ?? 8;
  const services: FixServices = { ...options.services, allowUnsafe: options.unsafe === true };
  const selected = (rule: string): boolean => !options.ruleIds || options.ruleIds.includes(rule);

  // CRLF files are fixed with LF line ends and written back with CRLF; mixed ones are not edited.
  const lineEnds = new Map<string, 'lf' | 'crlf' | 'mixed'>();
  const current = new Map<string, AuditInput>();
  for (const input of inputs) {
    const crlf = (input.text.match(/\r\n/g) ?? []).length;
    const lf = (input.text.match(/\n/g) ?? []).length;
    const kind = crlf === 0 ? 'lf' : crlf === lf ? 'crlf' : 'mixed';
    lineEnds.set(input.path, kind);
    current.set(input.path, kind === 'crlf' ? { ...input, text: input.text.replace(/\r\n/g, '\n') } : input);
  }
  const originals = new Map([...current].map(([path, input]) => [path, input.text]));
  const baseErrors = new Map<string, Set<string>>();

  const records = new Map<string, FixRecord>();
  const applied = new Set<string>();
  const see = (finding: Finding, appeared: boolean): FixRecord => {
    const key = identity(finding);
    let record = records.get(key);
    if (!record) {
      record = {
        rule: finding.rule,
        path: finding.path,
        line: finding.line,
        severity: finding.severity,
        message: finding.message,
        fingerprint: finding.fingerprint,
        lineText: lineOf(current.get(finding.path)?.text, finding.line),
        outcome: 'no-fix',
        ...(appeared ? { appeared } : {}),
      };
      records.set(key, record);
    }
    return record;
  };

  let result = await audit([...current.values()], options);
  const before = result;
  let passes = 0;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const offers = new Map<string, Offered[]>();
    const byFix = new Map<Fix, Offered>();
    for (const finding of result.findings) {
      if (!selected(finding.rule)) continue;
      const record = see(finding, pass > 1);
      record.severity = finding.severity;
      const fix = result.fixes.get(finding);
      if (!fix) continue;
      record.fix = describeFix(fix);
      if (applied.has(identity(finding))) continue;
      if (!current.has(finding.path) || lineEnds.get(finding.path) === 'mixed') {
        record.outcome = 'not-editable';
        record.reason = current.has(finding.path) ? 'the file mixes CRLF and LF line ends' : 'the file is not one of the files given to cordon fix';
        continue;
      }
      if (fix.safety === 'unsafe' && !options.unsafe) {
        record.outcome = 'unsafe';
        record.reason = 'the fix may change what the workflow does; run with --unsafe to apply it';
        continue;
      }
      let offered = byFix.get(fix);
      if (!offered) {
        offered = { fix, findings: [] };
        byFix.set(fix, offered);
        const list = offers.get(finding.path) ?? [];
        list.push(offered);
        offers.set(finding.path, list);
      }
      offered.findings.push(finding);
    }

    let changed = false;
    for (const [path, list] of offers) {
      const input = current.get(path)!;
      const accepted: Array<{ offered: Offered; edits: TextEdit[] }> = [];
      const taken: TextEdit[] = [];
      for (const offered of list) {
        const mark = (outcome: FixOutcome, reason: string) => {
          for (const finding of offered.findings) Object.assign(see(finding, false), { outcome, reason });
        };
        let edits: TextEdit[];
        try {
          edits = await offered.fix.edits(services);
        } catch (error) {
          if (error instanceof FixUnavailableError) mark('unavailable', error.message);
          else mark('failed', `the fix failed: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        const problem = checkEdits(edits, input.text.length);
        if (problem) {
          mark('failed', `the fix produced unusable edits (${problem})`);
          continue;
        }
        if (applyEdits(input.text, edits) === input.text) {
          mark('remains', 'its fix changes nothing in the file');
          for (const finding of offered.findings) applied.add(identity(finding));
          continue;
        }
        if (edits.some((edit) => taken.some((other) => editsOverlap(edit, other)))) {
          mark('conflict', 'its edits overlap another fix that was applied first, and the passes ran out before it could be redone');
          continue;
        }
        accepted.push({ offered, edits });
        taken.push(...edits);
      }
      if (!accepted.length) continue;

      const errorsBefore = baseErrors.get(path) ?? (await readErrors(input, input.text));
      baseErrors.set(path, errorsBefore);
      let text = applyEdits(input.text, taken);
      let kept = accepted;
      if (!(await stillReadable(input, text, errorsBefore))) {
        // Find the fixes that break the file: apply them one at a time.
        kept = [];
        for (const candidate of accepted) {
          // Accepted edits never overlap, so any subset applies to the original text.
          const next = applyEdits(input.text, [...kept, candidate].flatMap((item) => item.edits));
          if (await stillReadable(input, next, errorsBefore)) kept.push(candidate);
          else {
            for (const finding of candidate.offered.findings) {
              Object.assign(see(finding, false), { outcome: 'invalid', reason: 'its edit would leave the file unreadable (a bug in the fix; please report it)' });
              applied.add(identity(finding));
            }
          }
        }
        if (!kept.length) continue;
        text = applyEdits(input.text, kept.flatMap((candidate) => candidate.edits));
      }
      current.set(path, { ...input, text });
      changed = true;
      for (const { offered } of kept) {
        for (const finding of offered.findings) {
          applied.add(identity(finding));
          Object.assign(see(finding, false), { outcome: 'fixed', pass, reason: undefined });
        }
      }
    }
    passes = pass;
    if (!changed) break;
    result = await audit([...current.values()], options);
  }

  // What is still reported after the last pass keeps the reason it was not fixed. Keys numbered
  // by occurrence (`…#2`) move to the next finding when an earlier one is fixed, so a remaining
  // finding is matched to the record of the same rule and message on the same source line first.
  const remaining = new Set<FixRecord>();
  for (const finding of result.findings) {
    if (!selected(finding.rule)) continue;
    const text = lineOf(current.get(finding.path)?.text, finding.line);
    const byKey = records.get(identity(finding));
    const sameLine = [...records.values()].filter(
      (record) => record.rule === finding.rule && record.path === finding.path && record.message === finding.message && record.lineText === text && !remaining.has(record),
    );
    // Among identical lines, the one whose fix was not applied is the one still there.
    const keyMatches = byKey && byKey.lineText === text && !remaining.has(byKey) ? [byKey] : [];
    const candidates = [...keyMatches, ...sameLine];
    const record = candidates.find((candidate) => candidate.outcome !== 'fixed') ?? candidates[0] ?? byKey ?? see(finding, true);
    remaining.add(record);
  }
  for (const record of records.values()) {
    if (remaining.has(record)) {
      if (record.outcome === 'fixed') {
        record.outcome = 'remains';
        record.reason = 'still reported after its fix was applied';
      }
      continue;
    }
    if (record.outcome !== 'fixed') {
      record.outcome = 'resolved';
      delete record.reason;
    }
  }

  refreshTrustedPublishers(records.values(), current);

  const files: FixedFile[] = [];
  for (const [path, input] of current) {
    const original = originals.get(path)!;
    if (input.text === original) continue;
    const crlf = lineEnds.get(path) === 'crlf';
    const restore = (text: string) => (crlf ? text.replace(/\n/g, '\r\n') : text);
    files.push({ path, original: restore(original), fixed: restore(input.text) });
  }
  return { before, after: result, files, records: [...records.values()], passes };
}

/**
 * A trusted publisher's environment is the one its job declares after every fix: another fix
 * (publish-without-environment's) may have added it after this one was computed.
 */
function refreshTrustedPublishers(records: Iterable<FixRecord>, files: Map<string, AuditInput>): void {
  const jobs = new Map<string, Map<string, string | undefined>>();
  for (const record of records) {
    const settings = record.fix?.trustedPublisher;
    if (!settings) continue;
    let environments = jobs.get(record.path);
    if (!environments) {
      environments = new Map();
      jobs.set(record.path, environments);
      const input = files.get(record.path);
      try {
        if (input?.kind === 'workflow') {
          const workflow = buildPipelineFile(input.path, YamlFile.parse(input.text), 'workflow') as Workflow;
          for (const job of workflow.jobs) environments.set(job.id, job.environment?.name);
        }
      } catch {
        // Unreadable now: keep what the fix said.
      }
    }
    if (!environments.has(settings.job)) continue;
    const environment = environments.get(settings.job);
    const { environment: _old, ...rest } = settings;
    record.fix!.trustedPublisher = environment ? { ...rest, environment } : rest;
  }
}

function lineOf(text: string | undefined, line: number): string {
  return (text?.split('\n')[line - 1] ?? '').trim();
}

function describeFix(fix: Fix): NonNullable<FixRecord['fix']> {
  return {
    title: fix.title,
    safety: fix.safety,
    ...(fix.followUp?.length ? { followUp: fix.followUp } : {}),
    ...(fix.trustedPublisher ? { trustedPublisher: fix.trustedPublisher } : {}),
  };
}

/** Edits must lie in the text, be well-formed and not overlap each other. */
function checkEdits(edits: readonly TextEdit[], length: number): string | null {
  for (const edit of edits) {
    if (!Number.isInteger(edit.offset) || !Number.isInteger(edit.endOffset) || edit.offset < 0 || edit.endOffset > length || edit.offset > edit.endOffset) {
      return `range ${edit.offset}–${edit.endOffset} outside the file`;
    }
  }
  for (let i = 0; i < edits.length; i++) for (let j = i + 1; j < edits.length; j++) if (editsOverlap(edits[i]!, edits[j]!)) return 'edits that overlap';
  return null;
}

async function readErrors(input: AuditInput, text: string): Promise<Set<string>> {
  const { errors } = await loadRepository([{ ...input, text }]);
  const found = new Set(errors.map((error) => `${error.path}\0${error.message}`));
  // The parser leaves an alias to a missing anchor for later; GitHub and GitLab refuse the file.
  if (YAML_KINDS.has(input.kind) && text.includes('*')) {
    const document = parseDocument(text, { merge: true });
    visit(document, {
      Alias: (_key, alias) => {
        if (!hasAnchorBefore(document, alias.source, alias.range?.[0] ?? 0)) found.add(`${input.path}\0unknown alias *${alias.source}`);
      },
    });
  }
  return found;
}

const YAML_KINDS = new Set<AuditInput['kind']>(['workflow', 'action', 'gitlab']);

function hasAnchorBefore(document: ReturnType<typeof parseDocument>, name: string, offset: number): boolean {
  let found = false;
  visit(document, {
    Node: (_key, node) => {
      if ((node as { anchor?: string }).anchor === name && ((node as { range?: number[] }).range?.[0] ?? Infinity) < offset) found = true;
    },
  });
  return found;
}

/** The edited file reads without errors it did not have before. */
async function stillReadable(input: AuditInput, text: string, before: Set<string>): Promise<boolean> {
  const after = await readErrors(input, text);
  for (const error of after) if (!before.has(error)) return false;
  return true;
}
