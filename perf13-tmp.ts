import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) if (re.test(l)) n++; r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(20), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const esc = (k: string) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const base = ['ACTIONS_','AKIA','ASIA','CF_','GR1348941','PRIVATE KEY','_authToken','dckr_','eyJ','gh','github_pat_','gl','hooks.slack','isSecret','npm_','pypi-','sk-','xapp-','xox','://'];
const variants: Record<string,string[]> = {
  base: base,
  'base+ecret': [...base,'ecret','ECRET'],
  'base+ecret+ession': [...base,'ecret','ECRET','ession','ESSION'],
  'base+all': [...base,'ecret','ECRET','ession','ESSION','loud','LOUD','cfut_','cfat_'],
  'base+all2': [...base,'ecret','ECRET','ession','ESSION','lare','LARE','cfut_','cfat_'],
  'base+all3': [...base,'ecret','ECRET','ession','ESSION','lare','LARE','cf'],
};
for (const [n, ks] of Object.entries(variants)) t(n+` (${ks.length})`, new RegExp([...ks].sort().map(esc).join('|')));
for (const [n, ks] of Object.entries(variants)) t(n+` unsorted`, new RegExp([...ks].map(esc).join('|')));
