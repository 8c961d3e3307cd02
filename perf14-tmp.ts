import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n').slice(0,200000);
const mb = lines.reduce((a,l)=>a+l.length,0)/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) if (re.test(l)) n++; r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(30), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const words = ['QZXq','QZXw','QZXe','QZXr','QZXt','QZXy','QZXu','QZXi','QZXo','QZXp','QZXa','QZXs','QZXd','QZXf','QZXg','QZXh','QZXj','QZXk','QZXl','QZXz','QZXx','QZXc','QZXv','QZXb','QZXn','QZXm','QZX1','QZX2','QZX3','QZX4'];
for (const n of [20,24,25,26,27,30]) t('same-prefix '+n, new RegExp(words.slice(0,n).join('|')));
const distinct = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123'.split('').map(c=>c+'qZ#');
for (const n of [20,24,25,26,27,30]) t('distinct '+n, new RegExp(distinct.slice(0,n).join('|')));
