import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const asciiLines = text.replace(/━/g,'-').split('\n');
const mb = text.length/1e6;
function t(label: string, re: RegExp, ls = lines) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of ls) { re.lastIndex=0; if (re.test(l)) n++; } r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const anchors = ['pypi-','gh[pousr]_','github_pat_','eyJ','npm_','_authToken','ACTIONS_','A[KS]IA','ecret_?[Aa]ccess_?[Kk]ey','ECRET_','ession_?[Tt]oken','ESSION_TOKEN','CLOUDFLARE','[Cc]loud[Ff]lare','CF[_-]','cf[ua]t_','dckr_','gl(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-','GR1348941','xox[abposre]','xapp-','sk-','PRIVATE KEY','\\{"value":"',':\\/\\/'];
const alt = anchors.join('|');
t('stage1 alt', new RegExp(alt));
t('stage1 alt ascii', new RegExp(alt), asciiLines);
t('stage1 lookahead-class', new RegExp(`(?=[pgeAn_EaSCcdGxsP{:])(?:${alt})`));
t('stage1 i-flag', new RegExp(anchors.map(a=>a.replace(/\[(.)(.)\]/g,'$1')).join('|'),'i'));
// sorted by first char
t('stage1 sorted', new RegExp([...anchors].sort().join('|')));
// drop :// 
t('stage1 without ://', new RegExp(anchors.filter(a=>a!==':\\/\\/').join('|')));
t('stage1 without :// ascii', new RegExp(anchors.filter(a=>a!==':\\/\\/').join('|')), asciiLines);
t('only ://', /:\/\//);
t('db schemes', /postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver|cockroachdb|clickhouse/);
t('db schemes ://', /(?:ql|es|db|is|ss|qp|ps|er|se|ch):\/\//);
