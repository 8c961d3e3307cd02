// Runs cordon's main() from source, so CLI tests do not depend on a fresh dist/ build.
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
