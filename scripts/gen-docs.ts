// Writes docs/rules/<id>.md and docs/rules/README.md from the rules' metadata.
import { mkdirSync, writeFileSync } from 'node:fs';
import { ruleDocPage, ruleIndexPage } from '../src/docs/rule-docs.ts';
import { rules } from '../src/rules/index.ts';

mkdirSync('docs/rules', { recursive: true });
for (const rule of rules) writeFileSync(`docs/rules/${rule.meta.id}.md`, ruleDocPage(rule.meta));
writeFileSync('docs/rules/README.md', ruleIndexPage(rules.map((rule) => rule.meta)));
console.log(`wrote ${rules.length} rule pages to docs/rules/`);
