import { scanLine } from './src/detectors/scanner.ts';
import { nextBase64Run } from './src/detectors/decoders/base64.ts';
import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
const span={start:0,end:0};
const b64Lines = lines.filter(l => nextBase64Run(l,0,40,span));
let n=0; for (let i=0;i<10;i++) for (const l of b64Lines) n+=scanLine(l).length;
console.log(n);
