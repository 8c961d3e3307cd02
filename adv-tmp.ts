import { scanLine, LineScanner } from './src/detectors/scanner.ts';
const cases: Record<string,string> = {
  eyJrep: 'eyJ'.repeat(300000),
  eyJdots: 'eyJa.'.repeat(200000),
  eyJdots2: ('eyJa.eyJb.' ).repeat(100000),
  pypirep: 'pypi-'.repeat(200000),
  valueOpen: '{"value":"' + 'a'.repeat(1000000),
  valueRep: '{"value":"'.repeat(100000),
  escapes: '{"value":"' + '\\"'.repeat(300000),
  beginRep: '-----BEGIN PRIVATE KEY-----'.repeat(30000),
  beginEnd: '-----BEGIN PRIVATE KEY-----' + 'A'.repeat(1000000),
  dbRep: 'postgres://a:'.repeat(100000),
  dbAt: 'postgres://' + 'a'.repeat(500000) + ':' + 'b'.repeat(500000),
  b64huge: Buffer.from('x'.repeat(3000000)).toString('base64'),
  b64nested: (() => { let s = 'hello world '.repeat(20000); for (let i=0;i<3;i++) s = Buffer.from(s).toString('base64'); return s; })(),
  ghs: 'ghs_1_' + 'a'.repeat(500000),
  ghsdots: 'ghs_1_' + 'a.'.repeat(300000),
  awspair: ('AKIAABCDEFGHIJKLMNOP ').repeat(50000),
  actions: 'ACTIONS_RUNTIME_TOKEN='.repeat(50000),
  cf: 'CLOUDFLARE_API_TOKEN='.repeat(50000),
  gl: ('glpat-a.').repeat(200000),
  sk: 'sk-'.repeat(300000),
};
for (const [name, line] of Object.entries(cases)) {
  const t = performance.now();
  const n = scanLine(line).length;
  const ms = performance.now() - t;
  console.log(name.padEnd(12), (line.length/1e6).toFixed(2)+'M', ms.toFixed(0).padStart(6), 'ms', n);
}
const ls = new LineScanner(); const t = performance.now();
ls.push('-----BEGIN PRIVATE KEY-----'); for (let i=0;i<100000;i++) ls.push('A'.repeat(64)); ls.flush();
console.log('pem stream', (performance.now()-t).toFixed(0),'ms');
{ const line = '-----BEGIN PRIVATE KEY-----'.repeat(20000) + 'x'.repeat(100000) + '-----END PRIVATE KEY-----'; const t = performance.now(); const n = scanLine(line).length; console.log('beginFarEnd', (performance.now()-t).toFixed(0), 'ms', n); }
