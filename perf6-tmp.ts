import { compileDetectors } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { readFileSync } from 'node:fs';
const lines = readFileSync('/tmp/log.txt','utf8').split('\n').slice(0, 150000);
const mb = lines.reduce((a,l)=>a+l.length+1,0)/1e6;
function t(re: RegExp) { let best=1e9; for (let i=0;i<3;i++){ const s=performance.now(); let n=0; for (const l of lines) { re.lastIndex=0; if (re.exec(l)) n++; } best=Math.min(best, performance.now()-s);} return mb/(best/1000); }
const c = compileDetectors(detectors);
const src = c.passes[0]!.slots.map(s=>s.sticky.source);
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const results: number[] = [];
for (let k=0;k<25;k++) {
  const order = src.map((s,i)=>[rnd(), s] as const).sort((a,b)=>a[0]-b[0]).map(x=>x[1]);
  results.push(Math.round(t(new RegExp(order.map(s=>`(${s})`).join('|'),'g'))));
}
console.log('shuffled orders MB/s:', results.sort((a,b)=>a-b).join(' '));
