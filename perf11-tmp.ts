import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<7;i++){ const s=performance.now(); let n=0; for (const l of lines) if (re.test(l)) n++; r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(20), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const esc = (k: string) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const sets: Record<string, string[]> = {
  B: ['"isSecret":true','://','ABIA','ACCA','ACTIONS_','AKIA','ASIA','AWS_SE','CF_','CLOUDFLARE','CloudFlare','Cloudflare','GR1348941','PRIVATE KEY','SECRET_ACCESS_KEY','ecretAccessKey','essionToken','_authToken','aws_se','secret_access_key','cfat_','cfut_','cloudFlare','cloudflare','dckr_','eyJ','gh','github_pat_','gl','hooks.slack.com/','npm_','pypi-','sk-','xapp-','xox'],
  C: ['"isSecret":true','://','A[BKS]IA','ACCA','ACTIONS_','AWS_SE','CF_','CLOUDFLARE','[Cc]loud[Ff]lare','GR1348941','PRIVATE KEY','SECRET_ACCESS_KEY','ecretAccessKey','essionToken','_authToken','aws_se','secret_access_key','cf[au]t_','dckr_','eyJ','gh[pousr]_','github_pat_','gl(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-','hooks\\.slack\\.com/','npm_','pypi-','sk-','xapp-','xox'],
};
for (const [name, ks] of Object.entries(sets)) {
  t(name+' sorted', new RegExp([...ks].sort().map(k=>name==='C'?k:esc(k)).join('|')));
}
const D = ['"isSecret":true','ACTIONS_','PRIVATE KEY','_authToken','eyJ','npm_','pypi-','sk-','xox','dckr_','gh','gl'];
t('D', new RegExp([...D].sort().map(esc).join('|')));
t('D + AKIA', new RegExp([...D, 'AKIA','ASIA'].sort().map(esc).join('|')));
t('D + ://', new RegExp([...D, '://'].sort().map(esc).join('|')));
t('D + aws', new RegExp([...D, 'AWS_SE','aws_se','SECRET_ACCESS_KEY','ecretAccessKey','essionToken','secret_access_key'].sort().map(esc).join('|')));
t('D + cf', new RegExp([...D, 'CF_','CLOUDFLARE','CloudFlare','Cloudflare','cloudFlare','cloudflare','cfat_','cfut_'].sort().map(esc).join('|')));
