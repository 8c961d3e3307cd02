import { compileDetectors } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { readFileSync } from 'node:fs';
const lines = readFileSync('/tmp/log.txt','utf8').split('\n');
const mb = lines.reduce((a,l)=>a+l.length+1,0)/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<4;i++){ const s=performance.now(); let n=0; for (const l of lines) { re.lastIndex=0; if (re.exec(l)) n++; } r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(50), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const c = compileDetectors(detectors);
const slots = c.passes[0]!.slots;
const src = slots.map(s=>s.sticky.source);
t('all', new RegExp(src.map(s=>`(${s})`).join('|'),'g'));
t('all, no groups', new RegExp(src.map(s=>`(?:${s.replace(/\((?!\?)/g,'(?:')})`).join('|'),'g'));
for (let i=0;i<src.length;i++) t('- '+slots[i]!.detectors[0]!.meta.id, new RegExp(src.filter((_,j)=>j!==i).map(s=>`(${s})`).join('|'),'g'));
