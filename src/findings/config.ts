import { parse as parseYaml } from 'yaml';
import type { Severity } from './finding.ts';

export interface RuleSettings {
  disable?: boolean;
  severity?: Severity;
  ignore?: string[];
  config?: Record<string, unknown>;
}

export interface CordonConfig {
  'fail-on'?: Severity;
  'min-severity'?: Severity;
  rules?: Record<string, RuleSettings>;
  /** Where the config came from, for messages. */
  source?: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly line = 1,
  ) {
    super(message);
  }
}

export function ruleSettings(config: CordonConfig, id: string): RuleSettings {
  return config.rules?.[id] ?? {};
}

export interface SchemaValidator {
  (schema: Record<string, unknown>, value: unknown): string[];
}

/**
 * Parses and validates a config file: the file against `schema/cordon.schema.json`, each
 * rule's `config` against the schema its rule declares, and rule ids against the known ones.
 */
export function parseConfig(
  text: string,
  path: string,
  fileSchema: Record<string, unknown>,
  ruleSchemas: Map<string, Record<string, unknown> | undefined>,
  validate: SchemaValidator,
): CordonConfig {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 }) ?? {};
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? 1;
    throw new ConfigError(`invalid YAML in config: ${(error as Error).message.split('\n')[0]}`, path, line);
  }
  const problems = validate(fileSchema, value);
  if (problems.length) throw new ConfigError(`invalid config: ${problems.join('; ')}`, path);
  const config = value as CordonConfig;
  for (const [id, settings] of Object.entries(config.rules ?? {})) {
    if (!ruleSchemas.has(id)) throw new ConfigError(`invalid config: unknown rule '${id}'`, path);
    const schema = ruleSchemas.get(id);
    if (settings.config && schema) {
      const ruleProblems = validate(schema, settings.config);
      if (ruleProblems.length) throw new ConfigError(`invalid config for rule '${id}': ${ruleProblems.join('; ')}`, path);
    }
  }
  return { ...config, source: path };
}
