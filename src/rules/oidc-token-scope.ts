import { grantsIdTokenWrite, idTokenGrantSpan } from '../analysis/credentials.ts';
import { TOOLCHAIN_INSTALLERS, commandRequestsOidc, jobUsesOidc, stepUsesOidc } from '../analysis/oidc.ts';
import { stepPublishes } from '../analysis/publish.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { buildCommand, effectiveArgv, gitlabJobPublishes, inertCommand, jobUsesVariable, publishingIdTokens, tokenCommand } from '../analysis/gitlab.ts';
import type { GitLabJob, GitLabPipeline, IdToken } from '../models/gitlab/types.ts';
import type { ShellCommand } from '../models/shell/types.ts';
import { defineRule, type RuleContext } from './rule.ts';
import type { Fix, TextEdit } from '../fixes/types.ts';
import { FixUnavailableError } from '../fixes/types.ts';
import { copiedEntries, idTokenComment, idTokenUse, insertJobPermissions, opaqueSteps, permissionsPair } from '../fixes/github.ts';
import { splitPublishFix } from '../fixes/split-publish.ts';
import { mapping, raw, YamlEditor } from '../fixes/yaml-edit.ts';
import type { Permissions } from '../models/github/types.ts';
import { isMap } from '../models/yaml/document.ts';
import { isGitHubOwner } from '../analysis/first-party.ts';

/** Toolchain installers (`gradle/actions` besides the common ones): none of them mints a token. */
const TOOLCHAIN_SETUP = new Set([...TOOLCHAIN_INSTALLERS, 'gradle/actions']);

export default defineRule({
  meta: {
    id: 'oidc-token-scope',
    summary: '`id-token: write` granted more widely than the one job that publishes',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `\`id-token: write\` lets a job ask GitHub for OIDC tokens. The runner hands every step of that job
the two variables needed to do so (\`ACTIONS_ID_TOKEN_REQUEST_URL\` and \`ACTIONS_ID_TOKEN_REQUEST_TOKEN\`),
so any action or script in the job — a build backend downloaded from PyPI, a compromised third-party
action — can mint a token for any audience while the job runs, exchange it at PyPI for an upload
token (valid 15 minutes), or send it away. PyPI checks only the repository, the workflow file name
and, if configured, the environment: not which step asked. So the permission belongs on one job
whose only steps are the ones that publish (PyPI's guidance: build in one job, publish from
another that downloads the artifacts).

Granted at the workflow level, every job that does not set its own \`permissions:\` inherits it.
Granted to a job that never requests a token, it is pure exposure.

**GitLab CI.** \`id_tokens:\` does not grant a right to ask: GitLab signs the JWT before the job starts
and puts it in the job's environment (\`$PYPI_ID_TOKEN\`), where every command of the job can read it,
build backends and test dependencies included. PyPI's GitLab trusted publisher checks the project
path, the top-level pipeline file (\`ci_config_ref_uri\`), the token's one-time \`jti\` and, if
configured, the environment; not which job or command presents the token. Under \`default:\` every
job without its own \`id_tokens:\` gets the tokens. On a job that also builds, or never publishes,
they are exposure for nothing.`,
      example: `permissions:
  id-token: write          # every job can mint tokens
jobs:
  build:
    steps:
      - uses: actions/checkout@<sha>
      - run: python -m build   # runs build backends fetched from PyPI
      - uses: pypa/gh-action-pypi-publish@<sha>

# GitLab CI
default:
  id_tokens:
    PYPI_ID_TOKEN: { aud: pypi }   # every job gets a PyPI ID token
build:
  script:
    - pip install -r requirements.txt && python -m build`,
      fix: `Build in one job, publish in another that only downloads the artifacts and publishes:

\`\`\`yaml
permissions: {}
jobs:
  build:
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@<sha>
        with: { persist-credentials: false }
      - run: python -m build
      - uses: actions/upload-artifact@<sha>
        with: { name: dist, path: dist/ }
  publish:
    needs: build
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@<sha>
        with: { name: dist, path: dist/ }
      - uses: pypa/gh-action-pypi-publish@<sha>
\`\`\`

On GitLab, declare \`id_tokens:\` only on the publishing job, which takes the built files from the
build job's artifacts and only uploads them:

\`\`\`yaml
publish:
  stage: deploy
  needs: [build]
  environment: pypi
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  script:
    - python -m pip install -U twine
    - twine upload dist/*          # twine reads PYPI_ID_TOKEN itself
\`\`\``,
      references: [
        'https://docs.pypi.org/trusted-publishers/security-model/',
        'https://docs.pypi.org/trusted-publishers/using-a-publisher/',
        'https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings',
        'https://github.com/pypa/gh-action-pypi-publish#trusted-publishing',
        'https://docs.gitlab.com/ci/secrets/id_token_authentication/',
        'https://docs.gitlab.com/ci/yaml/#id_tokens',
      ],
    },
  },

  workflow(workflow, context) {
    const permissions = workflow.permissions;
    if (!permissions || !grantsIdTokenWrite(permissions)) return;
    const inheriting = workflow.jobs.filter((job) => !job.permissions);
    const grant = permissions.kind === 'write-all' ? '`write-all` (which includes `id-token: write`)' : '`id-token: write`';
    if (inheriting.length === 0) {
      context.report({
        message: `${grant} is granted to the whole workflow; every job sets its own permissions today, but a job added later without them inherits OIDC minting`,
        span: idTokenGrantSpan(permissions),
        severity: 'low',
        key: 'workflow/id-token',
        fix: moveIdTokenFix(workflow, []),
      });
      return;
    }
    const idle = inheriting.filter((job) => !jobUsesOidc(job, workflow));
    const names = inheriting.map((job) => `\`${job.id}\``).join(', ');
    context.report({
      message:
        `${grant} is granted to the whole workflow, so ${inheriting.length === 1 ? 'job' : 'jobs'} ${names} can mint OIDC tokens` +
        (idle.length ? `; ${idle.map((job) => `\`${job.id}\``).join(', ')} never ${idle.length === 1 ? 'uses' : 'use'} them` : '') +
        '. Grant it only on the job that publishes',
      span: idTokenGrantSpan(permissions),
      severity: idle.length || inheriting.length > 1 ? 'high' : 'medium',
      key: 'workflow/id-token',
      related: inheriting.map((job) => ({ message: `job \`${job.id}\` inherits \`id-token: write\``, span: job.idSpan })),
      fix: moveIdTokenFix(workflow, inheriting),
    });
  },

  job(job, workflow, context) {
    const permissions = job.permissions;
    if (!permissions || !grantsIdTokenWrite(permissions)) return;
    const span = idTokenGrantSpan(permissions);
    if (!jobUsesOidc(job, workflow)) {
      // Actions we do not know may request a token themselves; say so rather than assert.
      const opaque = job.steps.filter((step) => step.uses && step.uses.kind !== 'reusable-workflow' && !isGitHubOwner(step.uses.owner));
      context.report({
        message: opaque.length
          ? `job \`${job.id}\` is granted \`id-token: write\` but no step is known to request an OIDC token; unless ${describeSteps(opaque)} ${opaque.length === 1 ? 'needs' : 'need'} it, every step can mint one for nothing in return. Remove the permission if so`
          : `job \`${job.id}\` is granted \`id-token: write\` but no step requests an OIDC token: every step can mint one for nothing in return. Remove the permission`,
        span,
        severity: 'medium',
        confidence: opaque.length ? 'low' : 'high',
        key: `${job.id}/id-token/unused`,
        fix: dropIdTokenFix(job, workflow),
      });
      return;
    }
    const others = job.steps.filter((step) => isExposingStep(step, job, workflow));
    if (!others.length) return;
    // Toolchain installers from the tool's own vendor are still code in the job, but a far smaller
    // bet than an arbitrary action: uv's own docs put setup-uv in the publishing job.
    const thirdParty = others.filter((step) => (step.uses?.kind === 'action' || step.uses?.kind === 'docker') && !TOOLCHAIN_SETUP.has(step.uses.slug ?? ''));
    context.report({
      message:
        `job \`${job.id}\` can mint OIDC tokens and also runs ${describeSteps(others)}; any of them can request a token and publish or send it away. ` +
        'Move the build into a job without `id-token: write`',
      span,
      severity: thirdParty.length ? 'high' : 'medium',
      key: `${job.id}/id-token/shared`,
      related: others.slice(0, 5).map((step) => ({ message: `${stepLabel(step)} shares the job with the OIDC permission`, span: step.span })),
      fix: splitPublishFix(job, workflow),
    });
  },

  gitlabPipeline(pipeline, context) {
    reportDefaultIdTokens(pipeline, context);
  },

  gitlabJob(job, _pipeline, context) {
    reportJobIdTokens(job, context);
  },
});

// ---- GitLab CI -------------------------------------------------------------------------------

/** `default: id_tokens:` hands the tokens to every job that does not declare its own. */
function reportDefaultIdTokens(pipeline: GitLabPipeline, context: RuleContext): void {
  const tokens = pipeline.default.idTokens;
  const first = tokens[0];
  if (!first) return;
  const names = tokens.map((token) => `\`$${token.name}\``).join(', ');
  const runnable = pipeline.jobs.filter((job) => !job.hidden);
  const inheriting = runnable.filter((job) => job.idTokens.length > 0 && job.idTokens.every((token) => token.fromDefault));
  if (inheriting.length === 0) {
    context.report({
      message: `GitLab CI \`default: id_tokens:\` (${names}) reaches no job today (each sets its own or opts out with \`inherit\`), but a job added later gets the tokens`,
      span: first.nameSpan,
      severity: 'low',
      key: 'gitlab/default/id_tokens',
    });
    return;
  }
  const idle = inheriting.filter((job) => !tokens.some((token) => idTokenUsed(job, token)));
  const list = (jobs: GitLabJob[]): string => jobs.slice(0, 5).map((job) => `\`${job.name}\``).join(', ') + (jobs.length > 5 ? ` and ${jobs.length - 5} more` : '');
  context.report({
    message:
      `GitLab CI \`default: id_tokens:\` puts ${names} into the environment of every job: ${inheriting.length === 1 ? 'job' : 'jobs'} ${list(inheriting)}` +
      (idle.length ? `; ${list(idle)} never ${idle.length === 1 ? 'uses' : 'use'} ${tokens.length === 1 ? 'it' : 'them'}` : '') +
      '. Declare `id_tokens:` only on the job that publishes',
    span: first.nameSpan,
    severity: idle.length || inheriting.length > 1 ? 'high' : 'medium',
    key: 'gitlab/default/id_tokens',
    related: inheriting.slice(0, 10).map((job) => ({ message: `job \`${job.name}\` gets the default ID tokens`, span: job.nameSpan })),
  });
}

/** A job's own `id_tokens:`: unused, on a job that never publishes, or beside build commands. */
function reportJobIdTokens(job: GitLabJob, context: RuleContext): void {
  const own = job.idTokens.filter((token) => !token.fromDefault);
  if (!own.length) return;
  const sites = gitlabJobPublishes(job);
  for (const token of own) {
    const audiences = token.audiences.map((aud) => aud.value).join(', ') || 'no `aud`';
    if (!idTokenUsed(job, token)) {
      context.report({
        message: `GitLab CI job \`${job.name}\` declares ID token \`$${token.name}\` (aud ${audiences}) but nothing in the job reads it: every command of the job gets a signed token for nothing in return. Remove it`,
        span: token.nameSpan,
        severity: 'medium',
        key: `gitlab/${job.name}/id_tokens/${token.name}/unused`,
      });
      continue;
    }
    if (!publishingIdTokens(job).includes(token)) continue;
    if (!sites.some((site) => site.index !== 'custom')) {
      context.report({
        message: `GitLab CI job \`${job.name}\` holds PyPI ID token \`$${token.name}\` but never publishes: any command of the job can exchange it for an upload token. Move it to the job that uploads`,
        span: token.nameSpan,
        severity: 'medium',
        confidence: 'medium',
        key: `gitlab/${job.name}/id_tokens/${token.name}/no-publish`,
      });
    }
  }
  const publishingTokens = own.filter((token) => publishingIdTokens(job).includes(token) && idTokenUsed(job, token));
  const token = publishingTokens[0];
  if (!token || !sites.length) return;
  const publishing = new Set(sites.map((site) => site.command));
  const commands = job.script.parsed().commands.filter((command) => !command.nested && !publishing.has(command) && !inertCommand(command) && !tokenCommand(command));
  const builds = commands.filter(buildCommand);
  const others = commands.filter((command) => !buildCommand(command) && !isPublishSetup(command));
  // A pipeline (`wget -qO- … | bash`) is one thing the job runs.
  const seen = new Set<ShellCommand>();
  const exposing = [...builds, ...others].filter((command) => !seen.has(command.pipeline[0]!) && seen.add(command.pipeline[0]!));
  if (!exposing.length) return;
  context.report({
    message:
      `GitLab CI job \`${job.name}\` holds ID token \`$${token.name}\` for publishing and also runs ${describeCommands(exposing)}; ` +
      (builds.length ? 'build backends and dependencies it installs run with the token in their environment. ' : 'each of them can read the token. ') +
      'Build in another job and pass the files as artifacts',
    span: token.nameSpan,
    severity: builds.length ? 'high' : 'medium',
    key: `gitlab/${job.name}/id_tokens/shared`,
    related: exposing.slice(0, 5).map((command) => ({ message: `\`${shorten(command)}\` shares the job with the ID token`, span: command.span })),
  });
}

/** The job reads the token: by name, through a tool that reads it itself, or through `secrets:`. */
function idTokenUsed(job: GitLabJob, token: IdToken): boolean {
  if (jobUsesVariable(job, token.name)) return true;
  const commands = [...job.script.parsed().commands, ...job.afterScript.parsed().commands];
  // `python -m id PYPI` reads `PYPI_ID_TOKEN`; twine (6.1+) reads it when it publishes.
  if (commands.some(tokenCommand) && /_ID_TOKEN$/.test(token.name)) return true;
  if (publishingIdTokens(job).includes(token) && gitlabJobPublishes(job).some((site) => site.auth === 'oidc')) return true;
  // With a single ID token, `secrets:` authenticates with it.
  return job.secrets.length > 0 && job.idTokens.length === 1;
}

/** Installing the upload tool itself (`pip install twine`) is part of publishing. */
function isPublishSetup(command: ShellCommand): boolean {
  const [program = '', sub = ''] = effectiveArgv(command);
  return /^(pip[0-9.]*|pipx|uv)$/.test(program) && /^(install|pip|tool)$/.test(sub);
}

function shorten(command: ShellCommand): string {
  const text = command.pipeline.map((member) => member.text).join(' | ');
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}

function describeCommands(commands: ShellCommand[]): string {
  return commands.slice(0, 3).map((command) => `\`${shorten(command)}\``).join(', ') + (commands.length > 3 ? ` and ${commands.length - 3} more commands` : '');
}

/** Steps other than publishing that could use the job's OIDC permission. */
function isExposingStep(step: Step, job: Job, workflow: Workflow): boolean {
  if (step.run) {
    // A script runs its own code besides publishing; the commands that publish, fetch or exchange
    // the token are the point of the permission.
    const commands = step.run.parsed().commands.filter((command) => !command.nested);
    const publishing = new Set(stepPublishes(step, job, workflow).map((site) => site.command));
    return commands.some((command) => !publishing.has(command) && !isInert(command.program) && !commandRequestsOidc(command.text));
  }
  if (stepUsesOidc(step, job, workflow)) return false;
  if (step.uses) {
    if (step.uses.kind === 'local' || step.uses.kind === 'docker') return true;
    return !isGitHubOwner(step.uses.owner);
  }
  return false;
}

/** Shell built-ins and file shuffling that run no third-party code. */
function isInert(program: string): boolean {
  return /^(echo|printf|ls|cat|mkdir|cp|mv|rm|cd|test|\[|true|false|export|set|shasum|sha256sum|find|tree|du|pwd)$/.test(program);
}

function stepLabel(step: Step): string {
  if (step.name) return `step “${step.name}”`;
  if (step.uses) return `\`${step.uses.raw}\``;
  // Name the first command that runs code, not a leading `set -e`.
  const command = step.run?.parsed().commands.find((candidate) => !candidate.nested && !isInert(candidate.program));
  const first = command?.text ?? step.run?.text.trim().split('\n')[0] ?? '';
  return `\`run: ${first.length > 40 ? `${first.slice(0, 40)}…` : first}\``;
}

function describeSteps(steps: Step[]): string {
  const labels = steps.slice(0, 3).map(stepLabel);
  return labels.join(', ') + (steps.length > 3 ? ` and ${steps.length - 3} more steps` : '');
}

// ---- fixes -------------------------------------------------------------------------------------

/**
 * Moves `id-token: write` from the workflow's `permissions:` to the inheriting jobs that use OIDC,
 * each getting the workflow's other scopes too (so nothing else changes for them); the workflow
 * keeps its other scopes, or `{}`. Unsafe when an inheriting job runs steps cordon cannot see into
 * (they lose the permission). `write-all` is left to excessive-permissions' fix.
 */
function moveIdTokenFix(workflow: Workflow, inheriting: readonly Job[]): Fix {
  const users = inheriting.filter((job) => idTokenUse(job, workflow) === 'uses');
  const unsure = inheriting.filter((job) => idTokenUse(job, workflow) === 'maybe');
  const names = (jobs: readonly Job[]) => jobs.map((job) => `\`${job.id}\``).join(', ');
  return {
    title: users.length
      ? `move \`id-token: write\` from the workflow to ${users.length === 1 ? 'job' : 'jobs'} ${names(users)}`
      : inheriting.length
        ? 'remove `id-token: write` from the workflow: no job uses it'
        : 'remove `id-token: write` from the workflow: every job sets its own permissions',
    safety: unsure.length ? 'unsafe' : 'safe',
    ...(unsure.length
      ? { followUp: [`${unsure.length === 1 ? 'Job' : 'Jobs'} ${names(unsure)} lost \`id-token: write\`; if ${describeSteps(unsure.flatMap(opaqueSteps))} mint${unsure.flatMap(opaqueSteps).length === 1 ? 's' : ''} OIDC tokens, give that job \`permissions: { id-token: write }\` (and what else it needs).`] }
      : {}),
    edits() {
      const permissions = workflow.permissions!;
      if (permissions.kind !== 'map') throw unfixableGrant(permissions);
      const editor = new YamlEditor(workflow.yaml);
      const edits: TextEdit[] = [removeScope(editor, permissions, 'id-token')];
      const others = copiedEntries(permissions, ['id-token']);
      for (const job of users) edits.push(insertJobPermissions(editor, job, [...others, { key: 'id-token', value: raw('write'), comment: idTokenComment(job, workflow) }]));
      return edits;
    },
  };
}

/** Removes `id-token: write` from a job that never requests a token. */
function dropIdTokenFix(job: Job, workflow: Workflow): Fix {
  const opaque = opaqueSteps(job);
  return {
    title: `remove \`id-token: write\` from job \`${job.id}\`: no step uses it`,
    safety: opaque.length ? 'unsafe' : 'safe',
    ...(opaque.length ? { followUp: [`If ${describeSteps(opaque)} mint${opaque.length === 1 ? 's' : ''} OIDC tokens, put \`id-token: write\` back on job \`${job.id}\`.`] } : {}),
    edits() {
      const permissions = job.permissions!;
      if (permissions.kind !== 'map') throw unfixableGrant(permissions);
      return [removeScope(new YamlEditor(workflow.yaml), permissions, 'id-token')];
    },
  };
}

function unfixableGrant(permissions: Permissions): FixUnavailableError {
  return new FixUnavailableError(
    permissions.kind === 'write-all' ? "`write-all` grants it; excessive-permissions' fix replaces `write-all` with least-privilege blocks" : 'the permissions are an expression cordon cannot edit',
  );
}

/** Removes one scope from a permissions mapping; the last one leaves `{}`. */
function removeScope(editor: YamlEditor, permissions: Permissions, scope: string): TextEdit {
  const pair = permissionsPair(editor, permissions);
  const map = pair.value;
  if (!isMap(map)) throw new FixUnavailableError('the permissions are not a mapping cordon can edit');
  if (map.flow) return editor.replaceValue(pair, mapping(copiedEntries(permissions, [scope])));
  return editor.removeEntry(map, scope, 'empty');
}
