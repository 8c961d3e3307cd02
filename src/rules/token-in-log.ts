import { jobCanMintOidc, jobSecrets, secretsIn } from '../analysis/credentials.ts';
import {
  MASK_DEFEATING,
  commandCredentials,
  passesInputThrough,
  describeCredentials,
  isEmpty,
  scriptEnvironment,
  type ScriptEnvironment,
} from '../analysis/script-data.ts';
import type { FindingDraft, Severity } from '../findings/finding.ts';
import { perLine } from './gitlab-report.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { ShellCommand, ShellRedirect } from '../models/shell/types.ts';
import { requestTargets } from '../analysis/http-client.ts';
import { describeGitLabCredentials, exposureLevel, gitlabScriptEnvironment, holdsCredentials } from '../analysis/gitlab.ts';
import type { GitLabJob } from '../models/gitlab/types.ts';
import { defineRule, type RuleContext } from './rule.ts';

const PRINTERS = /^(echo|printf|print)$/;
const ENV_DUMPS = /^(env|printenv|export|declare|typeset|set)$/;
const CREDENTIAL_FILES = /(^|\/)(\.pypirc|\.npmrc|\.netrc|\.git-credentials|\.docker\/config\.json|\.aws\/credentials|\.cargo\/credentials(\.toml)?|\.gem\/credentials)$/;
/** Filters that print only part of their input; what they let through depends on a pattern. */
const SELECTING = /^(grep|egrep|fgrep|head|tail|cut|jq|yq)$/;
const NETWORK = /^(curl|wget|nc|ncat|netcat|socat|http|https|xh)$/;

export default defineRule({
  meta: {
    id: 'token-in-log',
    summary: 'step prints a credential (secret, OIDC token, runner token, credentials file) into the log',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `Logs of public repositories can be read by anyone, and GitHub's masking covers only the exact
values of registered secrets and a few encodings of them. It does not cover:

- secrets after a transformation: \`base64\` twice (the tj-actions/changed-files and Shai-Hulud payloads
  printed every secret this way), \`rev\`, \`xxd\`, compression, or a JSON document built from several
  secrets (GitHub: "structured data can cause secret redaction within logs to fail");
- values fetched at run time: an OIDC token from \`$ACTIONS_ID_TOKEN_REQUEST_URL\`, the PyPI upload token
  from \`/_/oidc/mint-token\`;
- environment dumps (\`env\`, \`printenv\`), which print every variable of the step, including
  \`ACTIONS_ID_TOKEN_REQUEST_TOKEN\` in a job with \`id-token: write\`; with the request URL that lets
  anyone mint OIDC tokens for the repository until the job ends;
- credential files written by earlier steps (\`~/.pypirc\`, \`.npmrc\`).

What the leak is worth depends on the token: a GitHub OIDC token is single-use at PyPI and expires
in minutes; a minted PyPI token is reusable for 15 minutes; a stored API token until revoked.
Printing a registered secret as-is is reported at lower severity because the runner masks it.

**GitLab CI.** GitLab replaces a value with \`[MASKED]\` only for CI/CD variables marked *Masked*, and
only values of at least 8 characters from a restricted character set can be marked; multi-line values
never are, and GitLab masks no transformed form (a \`base64\` of a masked variable is printed in clear).
Reported in GitLab CI jobs: \`echo\`/\`printf\` of variables whose names say they are credentials
(\`TOKEN\`, \`PASSWORD\`, \`SECRET\`, \`_KEY\`, \`PAT\`, \`CREDENTIAL\`) and that the file does not set, of
\`id_tokens:\` JWTs, of GitLab's own credentials (\`CI_JOB_TOKEN\`, \`CI_REGISTRY_PASSWORD\`,
\`CI_DEPLOY_PASSWORD\`), of tokens fetched at run time (the PyPI token an ID token is exchanged for);
\`env\`/\`printenv\` dumps, which print every CI/CD variable of the project; credential files; and a
\`curl\` to \`/_/oidc/mint-token\` whose response goes to the log. Through \`base64\` and other transforms:
critical.`,
      example: `    env:
      CONTENTS: \${{ toJSON(secrets) }}
    steps:
      - run: echo "$CONTENTS" | base64 -w 0 | base64 -w 0

# GitLab CI
publish:
  script:
    - echo "$PYPI_TOKEN" | base64`,
      fix: `Never print credentials, not even for debugging. Register derived values with
\`echo "::add-mask::$VALUE"\` before anything can print them, and use actions that mask what they fetch
(\`pypa/gh-action-pypi-publish\` masks the minted token; \`@actions/core\`'s \`getIDToken()\` masks the JWT).

On GitLab, mark every credential variable *Masked* (or *Masked and hidden*) and *Protected*, keep
tokens in a form that can be masked, and never print ID tokens or values derived from them.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#redacting-secrets-from-workflow-run-logs',
        'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#masking-a-value-in-a-log',
        'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
        'https://docs.pypi.org/trusted-publishers/internals/',
        'https://docs.gitlab.com/ci/variables/#mask-a-cicd-variable',
        'https://docs.gitlab.com/ci/secrets/id_token_authentication/',
      ],
    },
  },

  step(step, scope, context) {
    if (!step.run) return;
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const canMint = job && workflow ? jobCanMintOidc(job, workflow) : false;
    const scriptScope = scriptEnvironment(step, job, workflow);
    const masked = maskedVariables(step);
    for (const command of step.run.parsed().commands) {
      checkPrint(command, step, scriptScope, masked, context);
      checkEnvDump(command, step, job, workflow, canMint, context);
      checkCredentialFile(command, step, job, workflow, context);
      checkUncapturedFetch(command, step, canMint, context);
    }
  },

  gitlabPipeline(pipeline, context) {
    perLine(pipeline, context, (job, lines) => {
      const emit: Emit = (identity, draft) => lines.add(job, identity, draft);
      for (const script of [job.script, job.afterScript]) {
        const scope = gitlabScriptEnvironment(job, script);
        for (const command of script.parsed().commands) {
          checkGitLabPrint(command, job, scope, emit);
          checkGitLabEnvDump(command, job, emit);
          checkGitLabCredentialFile(command, job, emit);
          checkGitLabMintFetch(command, job, emit);
        }
      }
    });
  },
});

/** `echo "$SECRET"`, `printf … ${{ secrets.X }}`, and pipelines that transform them. */
function checkPrint(command: ShellCommand, step: Step, scope: ScriptEnvironment, masked: Set<string>, context: RuleContext): void {
  if (!PRINTERS.test(command.program) || command.pipelineIndex !== 0) return;
  if (command.args.some((arg) => arg.text.startsWith('::add-mask::'))) return;
  const credentials = commandCredentials(command, scope);
  credentials.fetchedTokens = credentials.fetchedTokens.filter((name) => !masked.has(name));
  if (isEmpty(credentials)) return;
  const downstream = command.pipeline.slice(1);
  if (downstream.some((next) => NETWORK.test(next.program))) return; // reported by secret-exfiltration
  if (!downstream.every(passesInputThrough)) return; // consumed (`docker login --password-stdin`), not printed
  const captured = command.nested || downstream.some((next) => next.redirects.some((r) => writesToFile(r))) || command.redirects.some((r) => writesToFile(r));
  if (captured) return;
  const transforms = downstream.filter((next) => MASK_DEFEATING.test(next.program)).map((next) => next.program);
  const everySecret = credentials.secrets.includes('*');
  const fetched = credentials.fetchedTokens.length > 0 || credentials.runnerCredentials.includes('ACTIONS_ID_TOKEN_REQUEST_TOKEN') || credentials.runnerCredentials.includes('ACTIONS_RUNTIME_TOKEN');
  let severity: Severity;
  let why: string;
  if (transforms.length) {
    severity = 'critical';
    why = `piped through \`${transforms.join(' | ')}\`, which GitHub's masking does not recognise, so the log shows them in recoverable form`;
  } else if (fetched) {
    severity = 'critical';
    why = 'values fetched at run time are not registered secrets, so nothing masks them';
  } else if (everySecret) {
    severity = 'high';
    why = 'a JSON document of every secret; GitHub warns that structured data can defeat masking';
  } else {
    severity = 'medium';
    why = 'the runner masks registered secret values, but not multi-line, structured or transformed forms of them';
  }
  context.report({
    message: `\`${command.program}\` prints ${describeCredentials(credentials)} into the log: ${why}`,
    span: command.span,
    severity,
    key: `${step.route.join('/')}/print/${command.text.slice(0, 80)}`,
  });
}

/** `env`, `printenv`, `export -p`, `set` with no arguments: every variable of the step. */
function checkEnvDump(command: ShellCommand, step: Step, job: Job | undefined, workflow: Workflow | undefined, canMint: boolean, context: RuleContext): void {
  if (!dumpsEnvironmentToLog(command)) return;
  const secretsInEnv = job && workflow ? envSecretNames(step, job, workflow) : [];
  if (!canMint && secretsInEnv.length === 0) return;
  const what = [canMint ? '`ACTIONS_ID_TOKEN_REQUEST_TOKEN` and `ACTIONS_ID_TOKEN_REQUEST_URL` (enough to mint OIDC tokens while the job runs)' : '', secretsInEnv.length ? `${secretsInEnv.map((name) => `\`${name}\``).join(', ')} (from secrets)` : '']
    .filter(Boolean)
    .join(' and ');
  context.report({
    message: `\`${command.text.trim()}\` dumps every environment variable of the step into the log, including ${what}; the runner masks them only if it recognises each value`,
    span: command.span,
    severity: canMint ? 'high' : 'medium',
    confidence: 'medium',
    key: `${step.route.join('/')}/env-dump/${command.program}`,
  });
}

/** `cat ~/.pypirc` and friends, in a job that holds credentials. */
function checkCredentialFile(command: ShellCommand, step: Step, job: Job | undefined, workflow: Workflow | undefined, context: RuleContext): void {
  if (!/^(cat|head|tail|less|more|bat|type)$/.test(command.program)) return;
  if (command.nested || command.pipeline.length > 1 || command.redirects.some((r) => writesToFile(r))) return;
  const file = command.args.find((arg) => CREDENTIAL_FILES.test(arg.text.replace(/^~|\$\{?HOME\}?/, '')));
  if (!file) return;
  const holds = job && workflow ? jobCanMintOidc(job, workflow) || jobSecrets(job, workflow).length > 0 || job.secretsInherit !== undefined : true;
  // A job without secrets or OIDC cannot have written a token into the file; a composite action
  // cannot tell, so it is reported at medium.
  if (job && !holds) return;
  context.report({
    message: `\`${command.program} ${file.text}\` prints a credentials file into the log; tokens written into it by earlier steps are not registered secrets unless masked`,
    span: command.span,
    severity: job ? 'high' : 'medium',
    key: `${step.route.join('/')}/credential-file/${file.text}`,
  });
}

/** `curl "$ACTIONS_ID_TOKEN_REQUEST_URL…"` whose output goes straight to the log. */
function checkUncapturedFetch(command: ShellCommand, step: Step, canMint: boolean, context: RuleContext): void {
  if (!/^(curl|wget)$/.test(command.program) || command.nested) return;
  // Only the address fetched counts: the same variable in a request body is a send, not a fetch.
  const targets = requestTargets(command);
  const oidc = targets.some((word) => word.variables.includes('ACTIONS_ID_TOKEN_REQUEST_URL'));
  const mint = targets.some((word) => /\/_\/oidc\/mint-token/.test(word.text));
  if (!oidc && !mint) return;
  const writesFile = command.args.some((arg) => /^(-o|--output|-O|--output-document)(=|$)/.test(arg.text)) || command.redirects.some((r) => writesToFile(r));
  const downstream = command.pipeline.slice(command.pipelineIndex + 1);
  const swallowed = writesFile || downstream.some((next) => next.redirects.some((r) => writesToFile(r)) || /^(read|xargs)$/.test(next.program));
  if (swallowed) return;
  context.report({
    message: oidc
      ? `\`${command.program}\` fetches an OIDC token and its output goes to the log unmasked${canMint ? '' : ' (if the job has `id-token: write`)'}; capture it in a variable and \`::add-mask::\` it`
      : `\`${command.program}\` exchanges an OIDC token at PyPI's \`/_/oidc/mint-token\` and prints the response, a PyPI upload token usable for 15 minutes`,
    span: command.span,
    severity: 'critical',
    key: `${step.route.join('/')}/fetch/${oidc ? 'oidc' : 'mint'}`,
  });
}

function envSecretNames(step: Step, job: Job, workflow: Workflow): string[] {
  const names = new Set<string>();
  for (const entry of [...workflow.env, ...job.env, ...step.env]) {
    if (secretsIn(entry.expressions, { includeGithubToken: true }).length) names.add(entry.name);
  }
  return [...names];
}

/** Variables the script registers with `::add-mask::` before printing. */
function maskedVariables(step: Step): Set<string> {
  const masked = new Set<string>();
  for (const match of (step.run?.text ?? '').matchAll(/::add-mask::\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) masked.add(match[1]!);
  return masked;
}

/**
 * Output redirected into a file does not reach the log; `>&2`, `2>&1` and `/dev/stderr` do, since
 * the runner logs both streams.
 */
function writesToFile(redirect: ShellRedirect): boolean {
  if (!/^(>|>>|>\||&>|&>>|>&)$/.test(redirect.operator)) return false;
  return !/^(&?\d+|-|\/dev\/std(out|err)|\/dev\/tty)$/.test(redirect.target.trim());
}

// ---- GitLab CI -------------------------------------------------------------------------------

type Emit = (identity: string, draft: Omit<FindingDraft, 'key'>) => void;

/** `echo "$PYPI_TOKEN" | base64` and friends in a GitLab job's script. */
function checkGitLabPrint(command: ShellCommand, job: GitLabJob, scope: ScriptEnvironment, emit: Emit): void {
  if (!PRINTERS.test(command.program) || command.pipelineIndex !== 0) return;
  const credentials = commandCredentials(command, scope);
  if (isEmpty(credentials)) return;
  const downstream = command.pipeline.slice(1);
  if (downstream.some((next) => NETWORK.test(next.program))) return; // reported by secret-exfiltration
  if (!downstream.every(passesInputThrough)) return;
  const captured = command.nested || downstream.some((next) => next.redirects.some((r) => writesToFile(r))) || command.redirects.some((r) => writesToFile(r));
  if (captured) return;
  const transforms = downstream.filter((next) => MASK_DEFEATING.test(next.program)).map((next) => next.program);
  const idTokens = credentials.fetchedTokens.filter((name) => job.idTokens.some((token) => token.name === name));
  const derived = credentials.fetchedTokens.filter((name) => !idTokens.includes(name));
  let severity: Severity;
  let why: string;
  if (transforms.length) {
    severity = 'critical';
    why = `piped through \`${transforms.join(' | ')}\`, which GitLab's masking does not recognise, so the log shows them in recoverable form`;
  } else if (derived.length) {
    severity = 'critical';
    why = 'a token obtained at run time is not a CI/CD variable, so nothing masks it';
  } else if (idTokens.length) {
    severity = 'high';
    why = 'an ID token is a signed JWT that its audience (PyPI for `aud: pypi`) accepts until it expires';
  } else if (credentials.secrets.length) {
    severity = 'medium';
    why = 'GitLab masks a CI/CD variable only if it is marked masked, and only values of at least 8 characters from a restricted character set';
  } else {
    severity = 'low';
    why = 'GitLab masks its own job credentials, but not transformed forms of them';
  }
  emit(`print/${command.text.slice(0, 80)}`, {
    message: `\`${command.program}\` prints ${describeGitLabCredentials(credentials, job)} into the log of GitLab CI job \`${job.name}\`: ${why}`,
    span: command.span,
    severity,
  });
}

/** `env`, `printenv`, `export -p`, `set`: every CI/CD variable of the project reaches the log. */
function checkGitLabEnvDump(command: ShellCommand, job: GitLabJob, emit: Emit): void {
  if (!dumpsEnvironmentToLog(command)) return;
  const level = exposureLevel(job);
  const tokens = job.idTokens.map((token) => `\`$${token.name}\``);
  emit(`env-dump/${command.program}`, {
    message:
      `\`${command.text.trim()}\` dumps every environment variable of GitLab CI job \`${job.name}\` into the log: the project's CI/CD variables` +
      (tokens.length ? ` and ID ${tokens.length === 1 ? 'token' : 'tokens'} ${tokens.join(', ')}` : '') +
      '; GitLab masks only variables marked masked',
    span: command.span,
    severity: level,
    confidence: 'medium',
  });
}

function checkGitLabCredentialFile(command: ShellCommand, job: GitLabJob, emit: Emit): void {
  if (!/^(cat|head|tail|less|more|bat|type)$/.test(command.program)) return;
  if (command.nested || command.pipeline.length > 1 || command.redirects.some((r) => writesToFile(r))) return;
  const file = command.args.find((arg) => CREDENTIAL_FILES.test(arg.text.replace(/^~|\$\{?HOME\}?/, '')));
  if (!file || !holdsCredentials(job)) return;
  emit(`credential-file/${file.text}`, {
    message: `\`${command.program} ${file.text}\` prints a credentials file into the log of GitLab CI job \`${job.name}\`; tokens written into it are not masked CI/CD variables`,
    span: command.span,
    severity: 'high',
  });
}

/** `curl -X POST https://pypi.org/_/oidc/mint-token -d …` whose response, an upload token, reaches the log. */
function checkGitLabMintFetch(command: ShellCommand, job: GitLabJob, emit: Emit): void {
  if (!/^(curl|wget)$/.test(command.program) || command.nested) return;
  if (!requestTargets(command).some((word) => /\/_\/oidc\/mint-token/.test(word.text))) return;
  const writesFile = command.args.some((arg) => /^(-o|--output|-O|--output-document)(=|$)/.test(arg.text)) || command.redirects.some((r) => writesToFile(r));
  const downstream = command.pipeline.slice(command.pipelineIndex + 1);
  if (writesFile || downstream.some((next) => next.redirects.some((r) => writesToFile(r)) || /^(read|xargs)$/.test(next.program))) return;
  emit('fetch/mint', {
    message: `\`${command.program}\` exchanges an ID token at PyPI's \`/_/oidc/mint-token\` and prints the response into the log of GitLab CI job \`${job.name}\`: a PyPI upload token usable for 15 minutes`,
    span: command.span,
    severity: 'critical',
  });
}

/**
 * `env`, `printenv`, `export -p`, `set` with no arguments, printed to the log: `env | sort` still
 * prints everything; `env | grep PATH`, `env | wc -l` or `env > file` do not.
 */
function dumpsEnvironmentToLog(command: ShellCommand): boolean {
  if (!ENV_DUMPS.test(command.program)) return false;
  const args = command.args.map((arg) => arg.text);
  const dumps =
    ((command.program === 'env' || command.program === 'printenv') && args.every((arg) => arg.startsWith('-') && arg !== '-u')) ||
    ((command.program === 'export' || command.program === 'declare' || command.program === 'typeset') && args.length > 0 && args.every((arg) => /^-[px]+$/.test(arg))) ||
    (command.program === 'set' && args.length === 0);
  if (!dumps) return false;
  if (command.nested || command.pipelineIndex !== 0 || command.redirects.some((r) => writesToFile(r))) return false;
  const downstream = command.pipeline.slice(1);
  return !downstream.some((next) => !passesInputThrough(next) || SELECTING.test(next.program) || next.redirects.some((r) => writesToFile(r)));
}
