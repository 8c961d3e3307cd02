import { readFileSync } from 'node:fs';
const lines = readFileSync('/tmp/log.txt','utf8').split('\n');
const mb = lines.reduce((a,l)=>a+l.length+1,0)/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) { re.lastIndex=0; if (re.exec(l)) n++; } r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(50), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const prefixes = ['pypi-','gh[pousr]_','eyJ','npm_','github_pat_','ACTIONS_','\\{"value":"','_authToken','aws_secret_access_key','AWS_SECRET_ACCESS_KEY','A[KS]IA','dckr_','cf[ua]t_','CLOUDFLARE','[Cc]loud[Ff]lare','CF','gl(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-','GR1348941','xox','xapp-','hooks\\.slack\\.com','sk-','-----BEGIN','postgres','mysql','mongodb','redis','amqp','SessionToken','sessionToken','SecretAccessKey'];
for (const n of [4,6,8,10,12,16,20,31]) t('first '+n, new RegExp(prefixes.slice(0,n).join('|'),'g'));
t('trie', /p(?:ypi-|ostgres)|g(?:h[pousr]_|ithub_pat_|l(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-)|eyJ|n(?:pm_)|A(?:CTIONS_|WS_SECRET_ACCESS_KEY|[KS]IA)|\{"value":"|_authToken|a(?:ws_secret_access_key|mqp)|d(?:ckr_)|c(?:f[ua]t_|loud[Ff]lare)|C(?:LOUDFLARE|F|loud[Ff]lare)|GR1348941|x(?:ox|app-)|hooks\.slack\.com|sk-|-----BEGIN|m(?:ysql|ongodb)|redis|S(?:essionToken|ecretAccessKey)|sessionToken/g);
// lookahead-based class prefilter
t('class prefilter [pgeAn_{adcCGxhs-mrS]', /[pgeAn_{adcCGxhs\-mrS]/g);
