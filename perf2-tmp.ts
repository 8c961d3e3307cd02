import { compileDetectors } from './src/detectors/scanner.ts';
import { detectors } from './src/detectors/index.ts';
import { readFileSync } from 'node:fs';
const lines = readFileSync('/tmp/log.txt','utf8').split('\n');
const mb = lines.reduce((a,l)=>a+l.length+1,0)/1e6;
function t(label: string, re: RegExp) { let best=1e9, r=0; for (let i=0;i<5;i++){ const s=performance.now(); let n=0; for (const l of lines) { re.lastIndex=0; if (re.exec(l)) n++; } r=n; best=Math.min(best, performance.now()-s);} console.log(label.padEnd(40), best.toFixed(0),'ms', (mb/(best/1000)).toFixed(0),'MB/s', r); }
const c = compileDetectors(detectors);
const slots = c.passes[0]!.slots.map(s=>s.sticky.source);
t('current', new RegExp(slots.map(s=>`(${s})`).join('|'),'g'));
const noLb = slots.map(s=>s.replace(/^\(\?<!\[[^\]]*\]\)/,''));
t('no leading lookbehind', new RegExp(noLb.map(s=>`(${s})`).join('|'),'g'));
t('no lookbehind anywhere', new RegExp(slots.map(s=>s.replace(/\(\?<!\[[^\]]*\]\)/g,'')).map(s=>`(${s})`).join('|'),'g'));
// only prefixes
const prefixes = ['pypi-','gh[pousr]_','github_pat_','eyJ','ACTIONS_ID_TOKEN_REQUEST_TOKEN','ACTIONS_ID_TOKEN_REQUEST_URL','ACTIONS_RUNTIME_TOKEN','\\{"value":"','npm_','_authToken','aws_secret_access_key','AWS_SECRET_ACCESS_KEY','AKIA','ASIA','dckr_','cf[ua]t_','CLOUDFLARE','[Cc]loud[Ff]lare','CF','gl(?:pat|cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct)-','GR1348941','xox','xapp-','hooks\\.slack\\.com','sk-','-----BEGIN','postgres','mysql','mongodb','redis','amqp','SessionToken','sessionToken','SecretAccessKey'];
t('prefix alternation', new RegExp(prefixes.join('|'),'g'));
t('prefix alternation (grouped)', new RegExp(prefixes.map(p=>`(${p})`).join('|'),'g'));
t('few', new RegExp('pypi-|gh[pousr]_|eyJ|npm_','g'));
t('just eyJ', /eyJ/g);
t('just CF', /CF/g);
t('://', /:\/\//g);
