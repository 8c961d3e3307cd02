// Runs the CLI from source (no build), as `bin/cordon.js` runs the bundle.
import { main } from '../../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
