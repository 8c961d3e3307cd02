import type { Severity } from '../findings/finding.ts';
import type { EnvEntry, Step } from '../models/github/types.ts';
import type { ShellCommand } from '../models/shell/types.ts';
import type { Span } from '../models/yaml/document.ts';
import { defineRule, type RuleContext } from './rule.ts';

/** Programs that run the program named by their first operand. */
const WRAPPERS = /^(sudo|nohup|env|setsid|exec|time|nice|ionice|stdbuf|timeout|bash|sh|dash|zsh|command|doas|runuser)$/;

export default defineRule({
  meta: {
    id: 'runner-tampering',
    summary: 'workflow that hides processes from the runner\'s cleanup, registers a runner, or re-enables unsafe workflow commands',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `Three things no release workflow needs, each seen in attacks on CI:

- **\`RUNNER_TRACKING_ID\` changed.** When a job ends, the runner kills the processes it started,
  recognising them by the \`RUNNER_TRACKING_ID\` value in their environment. A process started with
  another value (\`RUNNER_TRACKING_ID=0 nohup …\`) is left running. On a self-hosted runner it survives
  into the next jobs, which may hold other repositories' secrets; on a GitHub-hosted runner it lives
  until the virtual machine is discarded, long enough to watch later steps, read the runner's memory
  or wait for an OIDC token. Some self-hosted setups do it on purpose to keep a service alive between
  jobs; a release workflow has no reason to.
- **A runner registered from a workflow.** \`./config.sh --url … --token …\` followed by \`./run.sh\` or
  \`./svc.sh install\` turns the machine the job runs on into a self-hosted runner of whichever
  repository issued the token. The Shai-Hulud 2.0 worm (November 2025) did this from its npm
  \`preinstall\` payload: on each infected machine, developer workstations and CI jobs alike, it
  fetched a registration token through the API, installed the official runner in a hidden directory,
  registered it as \`SHA1HULUD\` and started it with \`nohup\`; a \`discussion.yaml\` workflow that
  pasted discussion text into \`run:\` then let the attacker run commands on it. Release workflows
  never register runners; provisioning tools that do run outside the repository's workflows.
- **\`ACTIONS_ALLOW_UNSECURE_COMMANDS: true\`.** It re-enables the \`set-env\` and \`add-path\` workflow
  commands that GitHub disabled in November 2020 (CVE-2020-15228): any text a step prints, a log line
  from a test or a dependency included, can then set environment variables such as \`LD_PRELOAD\`, \`BASH_ENV\` or \`PATH\` for the
  following steps and run code in them. The runner reads the switch as a boolean: only \`true\` (any
  case) turns it on; other values are reported as low, since they do nothing yet.`,
      example: `jobs:
  build:
    runs-on: ubuntu-latest
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    steps:
      - run: RUNNER_TRACKING_ID=0 nohup ./agent >/dev/null 2>&1 &
      - run: ./config.sh --url https://github.com/octo/repo --token "$T" --name SHA1HULUD --unattended && ./run.sh`,
      fix: `Remove the lines. Write environment variables and paths with \`$GITHUB_ENV\` and \`$GITHUB_PATH\`
(\`echo "NAME=value" >> "$GITHUB_ENV"\`) instead of \`::set-env\`. If you did not add a runner
registration or a \`RUNNER_TRACKING_ID\` change yourself, treat the repository as compromised: remove
the runner under Settings → Actions → Runners, rotate every secret the workflow could read, and review
recent workflow changes.`,
      references: [
        'https://github.com/actions/runner/blob/main/src/Runner.Worker/JobExtension.cs',
        'https://github.com/advisories/GHSA-mfwh-5m23-j46w',
        'https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/',
        'https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/adding-self-hosted-runners',
        'https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/removing-self-hosted-runners',
      ],
    },
  },

  workflow(workflow, context) {
    for (const entry of workflow.env) checkEnv(entry, 'env', context);
    for (const job of workflow.jobs) for (const entry of job.env) checkEnv(entry, job.route.join('/'), context);
  },

  step(step, _scope, context) {
    for (const entry of step.env) checkEnv(entry, step.route.join('/'), context);
    if (step.run) checkScript(step, context);
  },
});

function checkEnv(entry: EnvEntry, where: string, context: RuleContext): void {
  if (entry.name === 'RUNNER_TRACKING_ID') {
    context.report({
      message: `\`RUNNER_TRACKING_ID\` is set to \`${entry.value || '""'}\`: processes started with it escape the runner's cleanup at the end of the job and keep running`,
      span: entry.nameSpan,
      severity: 'high',
      key: `${where}/env/RUNNER_TRACKING_ID`,
    });
  }
  if (entry.name.toUpperCase() === 'ACTIONS_ALLOW_UNSECURE_COMMANDS') {
    const value = entry.value.trim();
    // The runner reads the switch with .NET's bool.TryParse: only `true` (any case) turns it on.
    if (value.toLowerCase() === 'false' || value === '') return;
    const computed = entry.expressions.length > 0;
    if (!computed && value.toLowerCase() !== 'true') {
      context.report({
        message: `\`ACTIONS_ALLOW_UNSECURE_COMMANDS\` is \`${value}\`, which the runner does not read as true (only \`true\` re-enables \`set-env\` and \`add-path\`), so it has no effect today; remove it before someone "fixes" it`,
        span: entry.nameSpan,
        severity: 'low',
        key: `${where}/env/ACTIONS_ALLOW_UNSECURE_COMMANDS`,
      });
      return;
    }
    context.report({
      message: `\`ACTIONS_ALLOW_UNSECURE_COMMANDS\` ${computed ? `is set from \`${value}\`` : 'is `true`'}: it re-enables the \`set-env\` and \`add-path\` commands (CVE-2020-15228), so any output of a step can set \`PATH\`, \`LD_PRELOAD\` or \`BASH_ENV\` for the next ones. Use \`$GITHUB_ENV\` and \`$GITHUB_PATH\``,
      span: entry.nameSpan,
      severity: 'high',
      confidence: computed ? 'medium' : 'high',
      key: `${where}/env/ACTIONS_ALLOW_UNSECURE_COMMANDS`,
    });
  }
}

function report(context: RuleContext, step: Step, span: Span, message: string, severity: Severity, key: string): void {
  context.report({ message, span, severity, key: `${step.route.join('/')}/${key}` });
}

function checkScript(step: Step, context: RuleContext): void {
  const script = step.run!.parsed();
  const tracking = 'processes started with it escape the runner\'s cleanup at the end of the job and keep running';
  for (const assignment of script.assignments) {
    if (assignment.name === 'RUNNER_TRACKING_ID') {
      report(context, step, assignment.span, `the script sets \`RUNNER_TRACKING_ID=${unquote(assignment.value)}\`: ${tracking}`, 'high', `assign/${assignment.start}`);
    }
  }
  let registration = false;
  for (const command of script.commands) {
    for (const assignment of command.assignments) {
      if (assignment.name === 'RUNNER_TRACKING_ID') {
        report(context, step, command.span, `\`${command.program}\` is started with \`RUNNER_TRACKING_ID=${unquote(assignment.value)}\`: ${tracking}`, 'high', `prefix/${command.start}`);
      }
    }
    const writesEnv = command.redirects.some((redirect) => /GITHUB_ENV/.test(redirect.target));
    if (writesEnv && command.args.some((word) => /^RUNNER_TRACKING_ID=/.test(word.text))) {
      report(context, step, command.span, `the script writes \`RUNNER_TRACKING_ID\` to \`$GITHUB_ENV\`: processes of the following steps escape the runner's cleanup`, 'high', `github-env/${command.start}`);
    }
    if (writesEnv && command.args.some((word) => /^ACTIONS_ALLOW_UNSECURE_COMMANDS=["']?true["']?$/i.test(word.text))) {
      report(context, step, command.span, 'the script writes `ACTIONS_ALLOW_UNSECURE_COMMANDS` to `$GITHUB_ENV`, re-enabling `set-env` and `add-path` (CVE-2020-15228) for the following steps', 'high', `github-env-unsecure/${command.start}`);
    }
    const [program, args] = unwrap(command);
    if (/^(unset)$/.test(program) && args.includes('RUNNER_TRACKING_ID')) {
      report(context, step, command.span, `the script unsets \`RUNNER_TRACKING_ID\`: ${tracking}`, 'high', `unset/${command.start}`);
    }
    const what = registrationCommand(program, args, script.commands, registration);
    if (what) {
      registration = true;
      report(context, step, command.span, `${what}: the machine this job runs on becomes a self-hosted runner that takes jobs (and their secrets) from whoever controls the registration, as the Shai-Hulud 2.0 worm's \`SHA1HULUD\` runner did`, 'high', `runner/${command.start}`);
    }
  }
  // `export` and `unset` are declarations, not commands, to the parser: read the lines.
  if (!script.commands.some((command) => command.program === 'unset')) {
    for (const match of step.run!.text.matchAll(/(^|[;&|\s])unset\s+(-v\s+)?([A-Za-z_ ]*\b)?RUNNER_TRACKING_ID\b/gm)) {
      void match;
      report(context, step, step.run!.span, `the script unsets \`RUNNER_TRACKING_ID\`: ${tracking}`, 'high', 'unset');
      break;
    }
  }
}

function unquote(value: string): string {
  const stripped = value.replace(/^(['"])(.*)\1$/, '$2');
  return stripped === '' ? '""' : stripped;
}

/** The program a wrapper chain runs: `sudo -E nohup ./run.sh` → `run.sh`. */
function unwrap(command: ShellCommand): [string, string[]] {
  let program = command.program;
  let args = command.args.map((word) => word.text);
  for (let depth = 0; depth < 4 && WRAPPERS.test(program); depth++) {
    const index = args.findIndex((arg) => !arg.startsWith('-') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg));
    if (index === -1) break;
    program = (args[index]!.split('/').pop() ?? '').toLowerCase();
    args = args.slice(index + 1);
  }
  return [program, args];
}

/** Describes a runner registration or start, or null. */
function registrationCommand(program: string, args: string[], commands: readonly ShellCommand[], registeredBefore: boolean): string | null {
  if (/^config\.(sh|cmd)$/.test(program) && (args.includes('--url') || args.includes('--token') || args.includes('--unattended'))) {
    const name = args[args.indexOf('--name') + 1];
    return `\`${program}\` registers a self-hosted runner${args.includes('--name') && name ? ` named \`${name}\`` : ''}`;
  }
  if (program === 'runner.listener' && (args.includes('configure') || args.includes('run'))) return '`Runner.Listener` registers or starts a self-hosted runner';
  if (program === 'svc.sh' && args.some((arg) => /^(install|start)$/.test(arg))) return '`svc.sh` installs the self-hosted runner as a service';
  if (/^run\.(sh|cmd)$/.test(program)) {
    const configured =
      registeredBefore ||
      commands.some((command) => {
        const [name, rest] = unwrap(command);
        return /^config\.(sh|cmd)$/.test(name) && (rest.includes('--url') || rest.includes('--token') || rest.includes('--unattended'));
      });
    const runnerDirectory = commands.some((command) => command.program === 'cd' && command.args.some((word) => /actions-runner/i.test(word.text)));
    if (configured || runnerDirectory) return '`run.sh` starts the self-hosted runner';
  }
  return null;
}
