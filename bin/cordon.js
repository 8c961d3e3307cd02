#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

const INTERRUPT_BUDGET = 300_000;

// A run of cordon lasts a second or two: V8's default tier-up sends many lukewarm functions to its
// optimizing compiler, whose work then costs more CPU than it saves (docs/decisions.md). A larger
// budget lets only the really hot ones through. Set before any of cordon's code is loaded; an
// `--interrupt-budget` given to node (NODE_OPTIONS) wins.
const nodeFlags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (!/--interrupt[-_]budget\b/.test(nodeFlags)) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);

// `cordon audit | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const { main } = await import('../dist/cordon.js');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`cordon: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
