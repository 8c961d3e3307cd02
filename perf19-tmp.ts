import { nextBase64Run } from './src/detectors/decoders/base64.ts';
import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function cpu(label: string, f: () => number) { let best=1e9, r=0; for (let i=0;i<7;i++){ const s=process.cpuUsage(); r=f(); const u=process.cpuUsage(s); best=Math.min(best, (u.user+u.system)/1000);} console.log(label.padEnd(30), best.toFixed(0),'ms cpu', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const span={start:0,end:0};
cpu('js probe', () => { let n=0; for (const l of lines) if (nextBase64Run(l,0,40,span)) n++; return n; });
const r40 = /[A-Za-z0-9+/]{40}/;
cpu('regex {40}', () => { let n=0; for (const l of lines) if (r40.test(l)) n++; return n; });
const r40b = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}/;
cpu('regex lookbehind {40}', () => { let n=0; for (const l of lines) if (r40b.test(l)) n++; return n; });
cpu('length only', () => { let n=0; for (const l of lines) if (l.length > 40) n++; return n; });
