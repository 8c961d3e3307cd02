import { compileDetectors } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, f: () => number) { let best=1e9, r=0; for (let i=0;i<7;i++){ const s=performance.now(); r=f(); best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const c = compileDetectors(detectors);
const src = c.passes[0]!.keywords.source;
const g = new RegExp(src, 'g'), ng = new RegExp(src), y = new RegExp(src,'g');
t('non-global test', () => { let n=0; for (const l of lines) if (ng.test(l)) n++; return n; });
t('global test', () => { let n=0; for (const l of lines) { g.lastIndex=0; if (g.test(l)) n++; } return n; });
t('global exec', () => { let n=0; for (const l of lines) { y.lastIndex=0; if (y.exec(l)) n++; } return n; });
t('non-global test again', () => { let n=0; for (const l of lines) if (ng.test(l)) n++; return n; });
t('search', () => { let n=0; for (const l of lines) if (l.search(ng) >= 0) n++; return n; });
