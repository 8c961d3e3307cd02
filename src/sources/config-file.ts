import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, parseConfig, type CordonConfig } from '../findings/config.ts';
import type { Rule } from '../rules/rule.ts';
import fileSchema from '../../schema/cordon.schema.json' with { type: 'json' };

export const CONFIG_NAMES = ['cordon.yml', 'cordon.yaml', '.github/cordon.yml', '.github/cordon.yaml'];

/** Reads `--config FILE`, else the first of CONFIG_NAMES under the scanned root. */
export async function loadConfig(explicit: string | undefined, root: string, rules: readonly Rule<any>[]): Promise<CordonConfig> {
  const candidates = explicit ? [path.resolve(explicit)] : CONFIG_NAMES.map((name) => path.join(root, name));
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      if (explicit) throw new ConfigError('cannot read config file', explicit);
      continue;
    }
    const shown = explicit ?? path.relative(root, candidate);
    const validate = await schemaValidator();
    return parseConfig(text, shown, fileSchema as Record<string, unknown>, new Map(rules.map((rule) => [rule.meta.id, rule.meta.configSchema])), validate);
  }
  return {};
}

/** ajv is loaded only when a config file exists, to keep startup fast. */
async function schemaValidator(): Promise<(schema: Record<string, unknown>, value: unknown) => string[]> {
  const { default: Ajv } = await import('ajv');
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  return (schema, value) => {
    const check = ajv.compile(schema);
    if (check(value)) return [];
    return (check.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  };
}
