import { compileDetectors } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { nextBase64Run } from './src/detectors/decoders/base64.ts';
import { readFileSync } from 'node:fs';
const lines = readFileSync('/tmp/log.txt','utf8').split('\n');
const mb = lines.reduce((a,l)=>a+l.length+1,0)/1e6;
function t(label: string, f: () => number) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); r=f(); best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const c = compileDetectors(detectors);
const re = c.passes[0]!.regex;
console.log(c.passes.length, c.passes[0]!.slots.length, re.source.length);
t('combined exec', () => { let n=0; for (const l of lines) { re.lastIndex=0; if (re.exec(l)) n++; } return n; });
t('combined test', () => { let n=0; for (const l of lines) { re.lastIndex=0; if (re.test(l)) n++; } return n; });
const span={start:0,end:0};
t('b64 runs', () => { let n=0; for (const l of lines) { let f=0; while (nextBase64Run(l,f,40,span)) { n++; f=span.end; } } return n; });
// per-slot costs
for (const s of c.passes[0]!.slots) {
  const r = new RegExp(s.sticky.source, 'g');
  t('slot '+s.detectors.map(d=>d.meta.id).join(',').slice(0,30), () => { let n=0; for (const l of lines) { r.lastIndex=0; if (r.test(l)) n++; } return n; });
}
const kw = new RegExp([...new Set(detectors.flatMap(d=>d.keywords))].map(k=>k.replace(/[.*+?^${}()|[\]\\]/g,'\\$&')).join('|'));
t('keyword regex', () => { let n=0; for (const l of lines) { if (kw.test(l)) n++; } return n; });
