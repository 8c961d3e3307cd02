import { rules } from '../rules/index.ts';

export async function runRulesCommand(argv: string[]): Promise<number> {
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rules.map(({ meta }) => ({ id: meta.id, severity: meta.severity, confidence: meta.confidence, summary: meta.summary })), null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rules.map((rule) => rule.meta.id.length));
  for (const { meta } of rules) {
    process.stdout.write(`${meta.id.padEnd(width)}  ${meta.severity.padEnd(8)}  ${meta.summary}\n`);
  }
  return 0;
}
