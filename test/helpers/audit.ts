import { audit, type AuditInput, type AuditResult } from '../../src/engine/audit.ts';
import type { CordonConfig } from '../../src/findings/config.ts';
import { rules as allRules } from '../../src/rules/index.ts';
import type { Rule } from '../../src/rules/rule.ts';

/** Audits one YAML text in memory with the given rules (all by default). */
export async function auditText(
  text: string,
  options: { path?: string; kind?: AuditInput['kind']; rules?: readonly Rule<any>[]; config?: CordonConfig; ruleIds?: string[] } = {},
): Promise<AuditResult> {
  const rules = options.rules ?? (options.ruleIds ? allRules.filter((rule) => options.ruleIds!.includes(rule.meta.id)) : allRules);
  return audit([{ path: options.path ?? 'workflow.yml', text, kind: options.kind ?? 'workflow' }], { rules, config: options.config ?? {} });
}
