import { readFileSync } from 'node:fs';
import { auditText } from '../../test/helpers/audit.ts';
for (const file of process.argv.slice(2)) {
  const r = await auditText(readFileSync(file, 'utf8'), { path: file });
  for (const f of r.findings) console.log(`${f.line}:${f.column} ${f.severity.padEnd(8)} ${f.rule}: ${f.message}`);
  for (const e of r.errors) console.log('ERR', e);
}
