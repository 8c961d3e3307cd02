import { scanLine } from './src/detectors/scanner.ts';
import { readFileSync } from 'node:fs';
const text = readFileSync('/tmp/log.txt','utf8');
const lines = text.split('\n');
let n=0; for (let i=0;i<8;i++) for (const l of lines) n+=scanLine(l).length;
console.log(n);
