import { jobCanMintOidc, jobSecrets } from '../analysis/credentials.ts';
import { stepPublishes } from '../analysis/publish.ts';
import type { EnvEntry, Job, Workflow } from '../models/github/types.ts';
import type { FindingDraft, Severity } from '../findings/finding.ts';
import { perLine } from './gitlab-report.ts';
import type { ShellCommand } from '../models/shell/types.ts';
import { describeHoldings, exposureLevel, gitlabJobPublishes } from '../analysis/gitlab.ts';
import type { GitLabJob, GitLabVariable } from '../models/gitlab/types.ts';
import { defineRule, type RuleContext } from './rule.ts';
import { FixUnavailableError } from '../fixes/types.ts';
import type { Input, Located, Step } from '../models/github/types.ts';
import type { ShellWord } from '../models/shell/types.ts';
import type { YamlFile } from '../models/yaml/document.ts';
import type { Fix } from '../fixes/types.ts';
import { removeShellTrace, removeTraceOption, removeWord } from '../fixes/shell-edit.ts';
import { YamlEditor } from '../fixes/yaml-edit.ts';

const DEBUG_VARIABLES = new Set(['ACTIONS_STEP_DEBUG', 'ACTIONS_RUNNER_DEBUG']);
const VERBOSE_FLAGS: Record<string, RegExp> = {
  // Not twine: its --verbose prints the repository URL and username, never the password (twine/utils.py).
  'uv publish': /^(--verbose|-v+)$/,
  'poetry publish': /^(--verbose|-v+)$/,
  'hatch publish': /^(--verbose|-v+)$/,
  'pdm publish': /^(--verbose|-v+)$/,
  'maturin upload': /^(--verbose|-v+)$/,
  'npm publish': /^(--verbose|--loglevel=(verbose|silly)|-d+)$/,
  'cargo publish': /^(--verbose|-v+)$/,
  'gem push': /^(--verbose|-V|--debug)$/,
};

export default defineRule({
  meta: {
    id: 'debug-logging',
    summary: 'debug or trace logging in a workflow that mints OIDC tokens or reads secrets',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `GitHub masks the values of registered secrets in logs, but only those exact values (and a few
encodings of them). Anything a step derives at run time is printed in clear: an OIDC token fetched
with \`curl\`, the PyPI upload token it is exchanged for, a secret after \`base64\` or \`jq\`. Trace and debug
logging print exactly those intermediate values:

- \`set -x\` / \`set -o xtrace\` / \`bash -x\` / \`shell: bash -x {0}\` print every command after expansion,
  including \`+ TOKEN=eyJ…\` for a token assigned from a command's output.
- \`ACTIONS_STEP_DEBUG\` / \`ACTIONS_RUNNER_DEBUG\` turn on the runner's and actions' debug output
  (\`::debug::\` lines, echoed workflow commands, runner diagnostic logs attached to the run). GitHub
  documents them as repository secrets or variables; written into \`env:\` they are at least passed to
  every step's process.
- verbose flags on upload tools print request details of the upload.

Logs of public repositories are readable by anyone, and a minted PyPI token stays usable for 15
minutes, more than enough for a scraper. Severity is high where the job can mint OIDC tokens,
medium where it reads secrets, low otherwise.

**GitLab CI.** \`CI_DEBUG_TRACE: "true"\` (and \`CI_DEBUG_SERVICES\`) in \`variables:\` turns on the runner's
debug trace: GitLab's documentation warns that the log then contains every variable of the job and
other secrets. Masking does not protect them (variables marked masked are printed in clear in debug
trace), and every job also receives the project's CI/CD variables, which the file does not show. GitLab
restricts such logs to members with at least the Developer role, who can then read every credential
of the job. \`set -x\` in a \`script:\` prints each command after expansion, including tokens derived at
run time (the PyPI upload token an ID token is exchanged for), which no masking knows. Severity is
high in jobs with \`id_tokens:\`, medium where the job reads credential variables; \`CI_DEBUG_TRACE\` is
at least medium everywhere because of the invisible project variables.`,
      example: `jobs:
  publish:
    permissions:
      id-token: write
    steps:
      - run: |
          set -x
          TOKEN=$(curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi")

# GitLab CI
variables:
  CI_DEBUG_TRACE: "true"`,
      fix: `Remove \`set -x\`, \`-x\` shell options, verbose upload flags and the debug variables from release
workflows. Turn debugging on only for a re-run you watch, on a workflow that holds no credentials,
and register any value you derive from a secret with \`echo "::add-mask::$VALUE"\` before using it.

On GitLab, remove \`CI_DEBUG_TRACE\`/\`CI_DEBUG_SERVICES\` from \`.gitlab-ci.yml\`; to debug, set it for one job
run from the UI on a branch whose jobs hold no credentials, then erase that job's log. Remove
\`set -x\` from jobs with \`id_tokens:\` or credential variables.`,
      references: [
        'https://docs.github.com/en/actions/monitoring-and-troubleshooting-workflows/troubleshooting-workflows/enabling-debug-logging',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#redacting-secrets-from-workflow-run-logs',
        'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#masking-a-value-in-a-log',
        'https://docs.gitlab.com/ci/variables/variables_troubleshooting/#enable-debug-logging',
        'https://docs.gitlab.com/ci/variables/#mask-a-cicd-variable',
      ],
    },
  },

  workflow(workflow, context) {
    const severity = exposureSeverity(workflow.jobs, workflow);
    reportDebugEnv(workflow.yaml, workflow.env, `the whole workflow`, severity, context, 'workflow', 'workflow');
    if (workflow.defaultShell && tracesShell(workflow.defaultShell.value)) {
      context.report({
        message: `\`defaults.run.shell: ${workflow.defaultShell.value}\` traces every \`run:\` step of the workflow, printing commands after expansion${where(severity, 'workflow')}`,
        span: workflow.defaultShell.span,
        severity,
        key: 'workflow/defaults/shell',
        fix: shellFix(workflow.yaml, workflow.defaultShell, 'the workflow'),
      });
    }
  },

  job(job, workflow, context) {
    const severity = exposureSeverity([job], workflow);
    reportDebugEnv(workflow.yaml, job.env, `job \`${job.id}\``, severity, context, job.id);
    if (job.defaultShell && tracesShell(job.defaultShell.value) && job.defaultShell !== workflow.defaultShell) {
      context.report({
        message: `\`defaults.run.shell: ${job.defaultShell.value}\` traces every \`run:\` step of job \`${job.id}\`${where(severity)}`,
        span: job.defaultShell.span,
        severity,
        key: `${job.id}/defaults/shell`,
        fix: shellFix(workflow.yaml, job.defaultShell, `job \`${job.id}\``),
      });
    }
  },

  step(step, scope, context) {
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const severity: Severity = job && workflow ? exposureSeverity([job], workflow) : 'medium';
    // In a composite action the calling job is unknown: medium, without claiming what the job holds.
    const place = job ? where(severity) : ', in whichever job uses this action';
    const key = step.route.join('/');
    const yaml = scope.kind === 'job' ? scope.workflow.yaml : scope.action.yaml;
    reportDebugEnv(yaml, step.env, 'this step', severity, context, key);
    if (!step.run) {
      const verbose = step.with.find((input) => input.name === 'verbose' && /^true$/i.test(input.value.trim()));
      if (verbose && stepPublishes(step, job, workflow).length) {
        context.report({
          message: `\`verbose: true\` on \`${step.uses?.raw}\` prints the upload's request details into the log${place}`,
          span: verbose.span,
          severity: lower(severity),
          confidence: 'medium',
          key: `${key}/verbose`,
          fix: verboseInputFix(yaml, step, verbose),
        });
      }
      return;
    }
    const shellTraced = step.run.shellExplicit && tracesShell(step.run.shell);
    if (shellTraced && step.run.shellSpan && !isDefaultShellSpan(step.run.shellSpan, job, workflow)) {
      context.report({
        message: `\`shell: ${step.run.shell}\` traces the step, printing each command after expansion${place}`,
        span: step.run.shellSpan,
        severity,
        key: `${key}/shell`,
        fix: shellFix(yaml, { value: step.run.shell, span: step.run.shellSpan }, 'this step'),
      });
    }
    for (const command of step.run.parsed().commands) {
      const trace = traceCommand(command);
      if (trace) {
        context.report({
          message: `\`${trace}\` prints every following command after expansion, including tokens assigned from command output${place}`,
          span: command.span,
          severity,
          key: `${key}/${trace}`,
          fix: {
            title: command.program === 'set' ? `turn off \`${trace}\` tracing in the script` : `drop the trace flag from \`${trace}\``,
            safety: 'safe',
            edits: () => {
              if (command.program === 'set' && step.run!.text.trim() === command.text.trim()) throw new FixUnavailableError(`\`${trace}\` is the whole script; remove it by hand`);
              return removeTraceOption(yaml, command, trace);
            },
          },
        });
      }
    }
    for (const site of stepPublishes(step, job, workflow)) {
      const pattern = VERBOSE_FLAGS[site.tool];
      const flag = site.command?.args.find((arg) => pattern?.test(arg.text));
      if (!flag) continue;
      context.report({
        message: `\`${site.tool} ${flag.text}\` logs the upload's request details${place}`,
        span: flag.span,
        severity: lower(severity),
        confidence: 'medium',
        key: `${key}/${site.tool}/${flag.text}`,
        fix: wordFix(yaml, flag, `remove \`${flag.text}\` from \`${site.tool}\``),
      });
    }
  },

  gitlabPipeline(pipeline, context) {
    const jobs = pipeline.jobs.filter((job) => !job.hidden);
    for (const variable of pipeline.variables) {
      const receivers = jobs.filter((job) => job.inheritedVariables.includes(variable) && !job.variables.some((own) => own.name === variable.name));
      const draft = gitlabDebugVariable(variable, 'every job of the GitLab CI pipeline', gitlabLevel(receivers));
      if (draft) context.report({ ...draft, key: `gitlab/variables/${variable.name}` });
    }
    perLine(pipeline, context, (job, lines) => {
      const level = exposureLevel(job);
      const place = gitlabPlace(job, level);
      for (const variable of job.variables) {
        const draft = gitlabDebugVariable(variable, `GitLab CI job \`${job.name}\``, level === 'low' ? 'medium' : level);
        if (draft) lines.add(job, `variables/${variable.name}`, draft);
      }
      for (const script of [job.script, job.afterScript]) {
        for (const command of script.parsed().commands) {
          const trace = traceCommand(command);
          if (!trace) continue;
          lines.add(job, trace, {
            message: `\`${trace}\` prints every following command after expansion, including tokens assigned from command output, in GitLab CI job \`${job.name}\`${place}`,
            span: command.span,
            severity: level,
          });
        }
      }
      for (const site of gitlabJobPublishes(job)) {
        const pattern = VERBOSE_FLAGS[site.tool];
        const flag = site.command.args.find((arg) => pattern?.test(arg.text));
        if (!flag) continue;
        lines.add(job, `${site.tool}/${flag.text}`, {
          message: `\`${site.tool} ${flag.text}\` logs the upload's request details in GitLab CI job \`${job.name}\`${place}`,
          span: flag.span,
          severity: lower(level),
          confidence: 'medium',
        });
      }
    });
  },
});

function reportDebugEnv(yaml: YamlFile, entries: EnvEntry[], scope: string, severity: Severity, context: RuleContext, key: string, level: 'workflow' | 'job' = 'job'): void {
  for (const entry of entries) {
    if (!DEBUG_VARIABLES.has(entry.name)) continue;
    const value = entry.value.trim();
    if (/^(false|0|)$/i.test(value)) continue;
    context.report({
      message: `\`${entry.name}: ${value}\` turns on debug logging for ${scope}${where(severity, level)}`,
      span: entry.nameSpan,
      severity,
      confidence: value.includes('${{') ? 'medium' : 'high',
      key: `${key}/env/${entry.name}`,
      fix: envFix(yaml, entry, scope),
    });
  }
}

/** `set -x`, `set -ex`, `set -o xtrace`, `bash -x script.sh`. */
function traceCommand(command: ShellCommand): string | null {
  if (command.program !== 'set' && !/^(bash|sh|zsh|dash|ksh)$/.test(command.program)) return null;
  const option = traceOption(command.args.map((arg) => arg.text));
  return option ? `${command.program} ${option}` : null;
}

function tracesShell(shell: string): boolean {
  const [program = '', ...flags] = shell.trim().split(/\s+/);
  if (!/^(bash|sh|zsh|dash|ksh)$/.test(program.split('/').pop() ?? '')) return false;
  return traceOption(flags) !== null;
}

/**
 * The option that turns tracing on, among the options of `set` or a shell. Options end at the
 * first operand or `--`: in `bash script.sh -x` and `set -- -x` the `-x` belongs to the script's
 * arguments, not to the shell.
 */
function traceOption(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || arg === '-' || !/^[-+]/.test(arg)) return null;
    if (/^-[a-zA-Z]*x[a-zA-Z]*$/.test(arg)) return arg;
    // `-o NAME` (also bundled, `-eo NAME`) names a long option; `+o` turns one off.
    if (/^[-+][a-zA-Z]*o$/.test(arg)) {
      if (arg.startsWith('-') && args[i + 1] === 'xtrace') return `${arg} xtrace`;
      i++;
    } else if (/^[-+]O$/.test(arg)) i++;
  }
  return null;
}

/** The step's shell came from `defaults.run.shell`, which the workflow/job hooks report. */
function isDefaultShellSpan(span: { offset: number }, job: Job | undefined, workflow: Workflow | undefined): boolean {
  return span.offset === job?.defaultShell?.span.offset || span.offset === workflow?.defaultShell?.span.offset;
}

function exposureSeverity(jobs: Job[], workflow: Workflow): Severity {
  if (jobs.some((job) => jobCanMintOidc(job, workflow))) return 'high';
  if (jobs.some((job) => jobSecrets(job, workflow).length > 0 || job.secretsInherit)) return 'medium';
  return 'low';
}

function where(severity: Severity, level: 'workflow' | 'job' = 'job'): string {
  const subject = level === 'workflow' ? 'a workflow with jobs that' : 'a job that';
  if (severity === 'high') return `, in ${subject} can mint OIDC tokens`;
  if (severity === 'medium') return `, in ${subject} ${level === 'workflow' ? 'read' : 'reads'} secrets`;
  return '';
}

function lower(severity: Severity): Severity {
  return severity === 'high' ? 'medium' : severity === 'medium' ? 'low' : severity;
}

// ---- fixes (GitHub) ----------------------------------------------------------------------------

/** Removes a debug variable from its `env:` (the whole `env:` when it was the only entry). */
function envFix(yaml: YamlFile, entry: EnvEntry, scope: string): Fix {
  return {
    title: `remove \`${entry.name}\` from the \`env:\` of ${scope}`,
    safety: 'safe',
    edits() {
      const editor = new YamlEditor(yaml);
      const envRoute = entry.route.slice(0, -1);
      // An anchored env (`env: &debug`) is edited for every job that uses it: none should debug.
      const env = editor.mapAt(envRoute, { anchored: true });
      if (env.items.length > 1 || editor.isAnchored(env)) return [editor.removeEntry(env, entry.name, 'empty')];
      return [editor.removeEntry(editor.mapAt(envRoute.slice(0, -1)), 'env')];
    },
  };
}

function shellFix(yaml: YamlFile, shell: Located<string>, scope: string): Fix {
  return { title: `drop the trace option from the \`shell:\` of ${scope}`, safety: 'safe', edits: () => removeShellTrace(yaml, shell) };
}

function wordFix(yaml: YamlFile, word: ShellWord, title: string): Fix {
  return { title, safety: 'safe', edits: () => [removeWord(yaml, word)] };
}

/** Removes `verbose: true` from a publishing action's `with:`. */
function verboseInputFix(yaml: YamlFile, step: Step, input: Input): Fix {
  return {
    title: `remove \`verbose: true\` from \`${step.uses?.raw.split('@')[0] ?? 'the step'}\``,
    safety: 'safe',
    edits() {
      const editor = new YamlEditor(yaml);
      const inputs = editor.mapAt(input.route.slice(0, -1));
      if (inputs.items.length > 1) return [editor.removeEntry(inputs, input.name)];
      return [editor.removeEntry(editor.mapAt(step.route), 'with')];
    },
  };
}

// ---- GitLab CI -------------------------------------------------------------------------------

const GITLAB_DEBUG_VARIABLES = new Set(['CI_DEBUG_TRACE', 'CI_DEBUG_SERVICES']);

/**
 * `CI_DEBUG_TRACE` on; the runner parses the value as a Go boolean (`true`, `1`, `t`…). At least
 * medium: every job also receives the project's CI/CD variables, which the file does not show.
 */
function gitlabDebugVariable(variable: GitLabVariable, scope: string, severity: Severity): Omit<FindingDraft, 'key'> | null {
  if (!GITLAB_DEBUG_VARIABLES.has(variable.name)) return null;
  const value = variable.value.trim();
  if (!/^(true|1|t)$/i.test(value)) return null;
  const message =
    variable.name === 'CI_DEBUG_TRACE'
      ? `\`CI_DEBUG_TRACE: "${value}"\` turns on debug trace for ${scope}: the log then shows every variable of the job, masked ones in clear, the project's CI/CD variables and ID tokens included`
      : `\`CI_DEBUG_SERVICES: "${value}"\` streams the service containers' logs into the log of ${scope}, where masking of the job's variables can fail`;
  return { message, span: variable.nameSpan, severity };
}

function gitlabLevel(jobs: GitLabJob[]): Severity {
  return jobs.some((job) => exposureLevel(job) === 'high') ? 'high' : 'medium';
}

function gitlabPlace(job: GitLabJob, level: Severity): string {
  return level === 'low' ? '' : `, which ${describeHoldings(job)}`;
}
