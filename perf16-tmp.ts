import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) if (re.test(l)) n++; r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(24), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const esc = (k: string) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const set = ['sSecret','sk-','://','ACTIONS_','AKIA','ASIA','ATE KEY','ecret','ession','eyJ','ECRET','ESSION','CLOUD','Cloud','CF_','cloud','cfut_','cfat_','ckr_','_authToken','gh','github_pat_','gl','pm_','pypi-','xox','xapp-','GR1348941'];
const firsts = new Set(set.map(k=>k[0])); console.log(set.length, 'keywords', firsts.size, 'first chars');
t('set', new RegExp([...set].sort().map(esc).join('|')));
t('set unsorted', new RegExp([...set].map(esc).join('|')));
t('set - GR', new RegExp([...set].filter(k=>k!=='GR1348941').sort().map(esc).join('|')));
const more = [...set, 'glpat-','ghp_','ECURITY','ecurity','Flare'];
console.log(more.length, new Set(more.map(k=>k[0])).size);
t('more', new RegExp([...more].sort().map(esc).join('|')));
