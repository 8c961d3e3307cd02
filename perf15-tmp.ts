import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) if (re.test(l)) n++; r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(24), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const esc = (k: string) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const core = ['isSecret','://','ACTIONS_','AKIA','ASIA','ecret','ECRET','ession','ESSION','loud','LOUD','CF_','PRIVATE KEY','_authToken','dckr_','eyJ','gh','github_pat_','gl','npm_','pypi-','sk-','xox'];
const v: Record<string,string[]> = {
  core: core,
  '+cfut,cfat': [...core,'cfut_','cfat_'],
  '+cfut': [...core,'cfut_'],
  '+cf': [...core,'cf'],
  '+cfut,cfat,xapp,GR': [...core,'cfut_','cfat_','xapp-','GR1348941'],
  'core-loud+lare': [...core.filter(k=>k!=='loud'&&k!=='LOUD'),'lare','LARE','cfut_','cfat_'],
  'core .eyJ': [...core.filter(k=>k!=='eyJ'),'.eyJ','cfut_','cfat_'],
  'core gh*': [...core.filter(k=>k!=='gh'),'ghp_','gho_','ghu_','ghs_','ghr_'],
};
for (const [n, ks] of Object.entries(v)) t(n+` (${ks.length})`, new RegExp([...ks].sort().map(esc).join('|')));
