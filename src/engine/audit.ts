import { createHash } from 'node:crypto';
import type { PipelineFile } from '../models/github/types.ts';
import { loadRepository, toInputError, type AuditInput, type LoadOptions } from './load.ts';
import { dependencyFileCount, dependencyIgnoreComments, runDependencyRules } from './dependencies.ts';
import type { Finding, FindingDraft, InputError } from '../findings/finding.ts';
import { severityRank } from '../findings/finding.ts';
import type { CordonConfig } from '../findings/config.ts';
import { ruleSettings } from '../findings/config.ts';
import { parseIgnoreComments, isIgnoredByComment, isIgnoredByConfig, type IgnoreComment } from '../findings/ignore.ts';
import type { Rule, RuleContext, StepScope } from '../rules/rule.ts';
import type { Fix } from '../fixes/types.ts';

export type { AuditInput } from './load.ts';

export interface AuditOptions extends LoadOptions {
  rules: readonly Rule<any>[];
  config: CordonConfig;
  /** Honour `# cordon: ignore[...]` comments (default true). */
  inlineIgnores?: boolean;
}

export interface AuditResult {
  findings: Finding[];
  errors: InputError[];
  /** Files that were read and modelled. */
  filesAudited: number;
  ignored: number;
  /**
   * The fix each reported finding offers (`FindingDraft.fix`), for `cordon fix`. Kept beside the
   * findings, not in them, so reporters and JSON output do not change.
   */
  fixes: Map<Finding, Fix>;
}

type Draft = { rule: Rule<any>; draft: FindingDraft; path: string };

/**
 * Runs every enabled rule over every input: first each file's hooks, then the repository hook
 * over all files. Inputs that cannot be read become `errors` and the others go on. The engine
 * knows rules only through their `meta` and hooks.
 */
export async function audit(inputs: readonly AuditInput[], options: AuditOptions): Promise<AuditResult> {
  const loaded = await loadRepository(inputs, options);
  const { files, repository } = loaded;
  const result: AuditResult = { findings: [], errors: [...loaded.errors], filesAudited: files.length + dependencyFileCount(repository.dependencies), ignored: 0, fixes: new Map() };
  const enabled = options.rules.filter((rule) => !ruleSettings(options.config, rule.meta.id).disable);

  const drafts: Draft[] = [];
  for (const file of files) {
    // A rule that fails on one file loses its findings there; the other rules still run.
    drafts.push(...runFileRules(file, enabled, options.config, (rule, error) => result.errors.push(ruleError(file.path, rule, error))));
  }
  // Requirements files, lockfiles and Dockerfiles.
  drafts.push(...runDependencyRules(repository.dependencies, enabled, options.config, (path, rule, error) => result.errors.push(ruleError(path, rule, error))));
  for (const rule of enabled) {
    if (!rule.repository) continue;
    const context: RuleContext<any> = {
      config: ruleSettings(options.config, rule.meta.id).config ?? {},
      report: (draft) => drafts.push({ rule, draft, path: draft.path ?? '' }),
    };
    try {
      rule.repository(repository, context);
    } catch (error) {
      result.errors.push(ruleError('', rule, error));
    }
  }

  const ignoresByPath = new Map<string, IgnoreComment[]>();
  if (options.inlineIgnores !== false) {
    for (const file of files) {
      // A GitLab pipeline's included files take ignore comments too.
      const sources = file.kind === 'gitlab' ? file.sources : [{ path: file.path, yaml: file.yaml }];
      for (const source of sources) {
        // Reading comments re-parses the file's CST; most files have no directive to find.
        if (!source.yaml.text.includes('cordon:')) continue;
        ignoresByPath.set(source.path, parseIgnoreComments(source.yaml.comments(), (line) => source.yaml.lineText(line)));
      }
    }
    for (const [path, ignores] of dependencyIgnoreComments(repository.dependencies)) ignoresByPath.set(path, ignores);
  }
  const seen = new Set<string>();
  for (const { rule, draft, path } of drafts) {
    const finding = toFinding(rule, draft, path);
    // Two hooks can reach the same place (a step seen from its job and its workflow); keep one.
    const identity = `${finding.rule}\0${finding.path}\0${finding.fingerprint}\0${finding.line}:${finding.column}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const settings = ruleSettings(options.config, rule.meta.id);
    if (isIgnoredByComment(ignoresByPath.get(path) ?? [], finding) || isIgnoredByConfig(settings.ignore, finding)) {
      result.ignored++;
      continue;
    }
    if (settings.severity) finding.severity = settings.severity;
    result.findings.push(finding);
    if (draft.fix) result.fixes.set(finding, draft.fix);
  }
  result.findings.sort(
    (a, b) =>
      a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column || severityRank(b.severity) - severityRank(a.severity) || a.rule.localeCompare(b.rule),
  );
  return result;
}

function runFileRules(file: PipelineFile, rules: readonly Rule<any>[], config: CordonConfig, onError: (rule: Rule<any>, error: unknown) => void): Draft[] {
  const drafts: Draft[] = [];
  for (const rule of rules) {
    const before = drafts.length;
    try {
      runRuleOnFile(rule, file, config, drafts);
    } catch (error) {
      drafts.length = before;
      onError(rule, error);
    }
  }
  return drafts;
}

function runRuleOnFile(rule: Rule<any>, file: PipelineFile, config: CordonConfig, drafts: Draft[]): void {
  const context: RuleContext<any> = {
    file,
    config: ruleSettings(config, rule.meta.id).config ?? {},
    report: (draft) => drafts.push(file.kind === 'gitlab' ? placeInSource(rule, draft, file.path) : { rule, draft, path: draft.path ?? file.path }),
  };
  if (file.kind === 'workflow') {
    rule.workflow?.(file, context);
    for (const job of file.jobs) {
      rule.job?.(job, file, context);
      if (rule.step) {
        const scope: StepScope = { kind: 'job', workflow: file, job };
        for (const step of job.steps) rule.step(step, scope, context);
      }
    }
  } else if (file.kind === 'action') {
    rule.action?.(file, context);
    if (rule.step) {
      const scope: StepScope = { kind: 'action', action: file };
      for (const step of file.steps) rule.step(step, scope, context);
    }
  } else {
    rule.gitlabPipeline?.(file, context);
    if (rule.gitlabJob) for (const job of file.jobs) if (!job.hidden) rule.gitlabJob(job, file, context);
  }
}

function ruleError(path: string, rule: Rule<any>, error: unknown): InputError {
  const message = error instanceof Error ? error.message : String(error);
  return { path, line: 0, message: `rule ${rule.meta.id} failed on this file (its findings here are missing): ${message}` };
}

/**
 * A GitLab pipeline spans several files: a finding belongs to the file its span lies in (GitLab
 * spans carry their path), and so does each related location.
 */
function placeInSource(rule: Rule<any>, draft: FindingDraft, fallback: string): Draft {
  const path = draft.path ?? (draft.span as { path?: string }).path ?? fallback;
  const related = draft.related?.map((item) => {
    const where = item.path ?? (item.span as { path?: string }).path;
    return where ? { ...item, path: where } : item;
  });
  return { rule, draft: related ? { ...draft, related } : draft, path };
}

function toFinding(rule: Rule<any>, draft: FindingDraft, path: string): Finding {
  return {
    rule: rule.meta.id,
    severity: draft.severity ?? rule.meta.severity,
    confidence: draft.confidence ?? rule.meta.confidence,
    message: draft.message,
    path,
    line: draft.span.start.line,
    column: draft.span.start.column,
    endLine: draft.span.end.line,
    endColumn: draft.span.end.column,
    fingerprint: fingerprint(rule.meta.id, path, draft.key),
    related: (draft.related ?? []).map((item) => ({
      message: item.message,
      line: item.span.start.line,
      column: item.span.start.column,
      ...(item.path && item.path !== path ? { path: item.path } : {}),
    })),
  };
}

/** Stable across edits that only move lines: rule, file and the rule's own key. */
export function fingerprint(rule: string, path: string, key: string): string {
  return createHash('sha256').update(`${rule}\0${path}\0${key}`).digest('hex').slice(0, 32);
}
