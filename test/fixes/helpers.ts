import type { AuditInput } from '../../src/engine/audit.ts';
import type { CordonConfig } from '../../src/findings/config.ts';
import { runFixes, type FixRunResult } from '../../src/fixes/engine.ts';
import { rules } from '../../src/rules/index.ts';

/** Fixes one workflow text in memory; `text` is the result (the input when nothing changed). */
export async function fixText(
  text: string,
  options: { unsafe?: boolean; ruleIds?: string[]; config?: CordonConfig; path?: string; kind?: AuditInput['kind'] } = {},
): Promise<{ text: string; result: FixRunResult }> {
  const path = options.path ?? '.github/workflows/release.yml';
  const result = await runFixes([{ path, text, kind: options.kind ?? 'workflow' }], {
    rules,
    config: options.config ?? {},
    unsafe: options.unsafe,
    ruleIds: options.ruleIds,
    services: {},
  });
  return { text: result.files.find((file) => file.path === path)?.fixed ?? text, result };
}

/** `rule outcome` for each record, for compact assertions. */
export function outcomes(result: FixRunResult): string[] {
  return result.records.map((record) => `${record.rule}:${record.line} ${record.outcome}`);
}
