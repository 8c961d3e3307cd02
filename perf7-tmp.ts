import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const mb = text.length/1e6;
function t(label: string, f: () => number) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); r=f(); best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
t('charCodeAt sum', () => { let s=0; for (const l of lines) { for (let i=0;i<l.length;i++) s+=l.charCodeAt(i); } return s; });
const anchors = ['py','gh','gi','ey','np','AC','{"','_a','aw','AW','AK','AS','dc','cf','CL','Cl','CF','gl','GR','xo','xa','ho','sk','--','po','my','mo','re','am','Se','se'];
const big = new Uint8Array(128*128);
for (const a of anchors) big[(a.charCodeAt(0)<<7)|a.charCodeAt(1)] = 1;
t('bigram table', () => { let n=0; for (const l of lines) { let prev = 0; for (let i=0;i<l.length;i++) { const c = l.charCodeAt(i) & 127; if (big[(prev<<7)|c]) n++; prev = c; } } return n; });
const first = new Uint8Array(128); for (const a of anchors) first[a.charCodeAt(0)] = 1;
t('first table', () => { let n=0; for (const l of lines) { for (let i=0;i<l.length;i++) { const c = l.charCodeAt(i); if (c < 128 && first[c]) n++; } } return n; });
t('regex [^\\s] count', () => { let n=0; const r=/\S+/g; for (const l of lines) { r.lastIndex=0; while (r.exec(l)) n++; } return n; });
t('whole text single literal eyJ', () => { let n=0; const r=/eyJ/g; while (r.exec(text)) n++; return n; });
t('whole text alt base20', () => { let n=0; const r=/pypi-|gh[pousr]_|eyJ|npm_|github_pat_|ACTIONS_|\{"value":"|_authToken|aws_secret_access_key|AWS_SECRET_ACCESS_KEY|A[KS]IA|dckr_|cf[ua]t_|CLOUDFLARE|[Cc]loud[Ff]lare|CF|gl(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-|GR1348941|xox|xapp-/g; while (r.exec(text)) n++; return n; });
t('indexOf eyJ per line', () => { let n=0; for (const l of lines) if (l.indexOf('eyJ')!==-1) n++; return n; });
t('indexOf _ per line', () => { let n=0; for (const l of lines) if (l.indexOf('_')!==-1) n++; return n; });
