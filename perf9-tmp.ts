import { compileDetectors, scanLine } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, f: () => number) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); r=f(); best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const c = compileDetectors(detectors);
const pf = c.passes[0]!.keywords;
console.log(pf.source.split('|').length, pf.source);
t('prefilter', () => { let n=0; for (const l of lines) { pf.lastIndex=0; if (pf.test(l)) n++; } return n; });
t('scanLine', () => { let n=0; for (const l of lines) n+=scanLine(l).length; return n; });
