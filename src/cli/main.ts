import { cordonVersion } from './version.ts';

const HELP = `cordon — audit release pipelines for the ways publishing tokens leak

Usage:
  cordon audit [PATH…] [options]   audit workflows, composite actions and GitLab CI pipelines (default PATH: .)
  cordon fix [PATH…] [options]     apply the fixes the findings offer, in place (--dry-run: print
                                   a diff; --unsafe: also fixes that change behaviour; --rule ID;
                                   see 'cordon fix --help')
  cordon graph [PATH…] [-f FORMAT] which jobs can mint which tokens and reach which publish;
                                   FORMAT: text (default), json, dot (Graphviz) or mermaid
  cordon logs [PATH…] [options]    find, decode and time the credentials CI logs leaked: log files,
                                   folders, .zip run-log archives, - for standard input, or
                                   --repo OWNER/REPO [--runs N] to download recent runs' logs
                                   (see 'cordon logs --help')
  cordon lock verify [PATH…]       check Python lockfiles against the package index: hashes,
                                   yanked or removed releases, files added later, provenance
  cordon lock hash [FILE]          add missing --hash lines to a requirements file
                                   (see 'cordon lock --help')
  cordon rules                     list the rules with their id, severity and summary
  cordon --version

Audit options:
  -f, --format FORMAT      text (default), json, sarif or github
      --min-severity SEV   hide findings below SEV (info, low, medium, high, critical)
      --fail-on SEV        exit 1 when a finding at or above SEV remains (default: high)
  -c, --config FILE        use this config instead of cordon.yml / .github/cordon.yml
      --no-config          ignore config files
      --no-ignores         report findings silenced by '# cordon: ignore[…]' comments
  -o, --output FILE        write the report to FILE instead of standard output
      --color / --no-color force or disable colours in text output
      --max-file-size N    refuse files larger than N bytes (default 2097152)

PATH may be a directory (its .github/workflows/*.yml, every action.yml below it, and its
.gitlab-ci.yml with the local files it includes), a file (*.gitlab-ci.yml is read as a GitLab
pipeline), or - for standard input.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error or
nothing could be read.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    process.stdout.write(`cordon ${cordonVersion()}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'audit') {
    const { runAuditCommand } = await import('./audit.ts');
    return runAuditCommand(rest);
  }
  if (command === 'fix') {
    const { runFixCommand } = await import('./fix.ts');
    return runFixCommand(rest);
  }
  if (command === 'graph') {
    const { runGraphCommand } = await import('./graph.ts');
    return runGraphCommand(rest);
  }
  if (command === 'logs') {
    const { runLogsCommand } = await import('./logs.ts');
    return runLogsCommand(rest);
  }
  if (command === 'lock') {
    const { runLockCommand } = await import('./lock.ts');
    return runLockCommand(rest);
  }
  if (command === 'rules') {
    const { runRulesCommand } = await import('./rules.ts');
    return runRulesCommand(rest);
  }
  process.stderr.write(`cordon: unknown command '${command}'\n\n${HELP}`);
  return 2;
}
