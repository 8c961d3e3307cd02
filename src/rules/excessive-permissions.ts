import { effectivePermissions } from '../analysis/credentials.ts';
import { HIGH_RISK_WRITE_SCOPES } from '../analysis/data/token-permissions.ts';
import { describeNeeds, neededPermissions, permissionsBlock, type NeededPermissions } from '../analysis/permissions.ts';
import type { Severity } from '../findings/finding.ts';
import type { Job, Workflow } from '../models/github/types.ts';
import { defineRule } from './rule.ts';

/** `id-token` is oidc-token-scope's business; this rule leaves it alone. */
const SKIP = ['id-token'];

export default defineRule({
  meta: {
    id: 'excessive-permissions',
    summary: 'GITHUB_TOKEN granted write scopes the job does not use, `write-all`, or the repository default',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `Every job gets a GITHUB_TOKEN, and every step of the job can use it: the runner hands it to actions
that ask for \`github.token\` (many default an input to it), \`actions/checkout\` writes it into
\`.git/config\`, and any code that runs on the runner can read it from there or from the runner's memory.
What the token can do is what \`permissions:\` says:

- **No \`permissions:\` at all** (neither on the workflow nor on the job): the token gets the
  repository's default. GitHub made that read-only (\`contents: read\`, \`packages: read\`) for repositories
  and organisations created from February 2023; older ones, and any where an owner chose it, still
  default to read **and write** on every scope. The workflow file does not say which, so the next
  reader cannot tell what a compromised step could do.
- **\`write-all\`**: write on every scope — push commits and tags (tags start release workflows), publish
  packages to GitHub Packages, dispatch and cancel workflows, approve and merge pull requests.
- **A \`write\` scope no step uses**: with \`contents: write\` a compromised build tool or action can push a
  commit or a tag to the repository; with \`packages: write\` it can replace a container image; with
  \`actions: write\` it can start other workflows (\`workflow_dispatch\`), which a GITHUB_TOKEN otherwise cannot.

cordon works out what each job needs from what its steps are (a knowledge file of well-known actions,
and the \`gh\`, \`git push\`, \`docker push\`, \`npm publish\` and \`mkdocs gh-deploy\` commands of its scripts) and
names the least-privilege block. Where a step's needs are unknown — an action cordon has no entry for
(an action can default an input to \`github.token\` without the workflow saying so), \`actions/github-script\`,
\`gh api\`, a script that is handed the token — cordon still reports write scopes no known step needs, one
severity lower and with low confidence, and names the step to check. \`id-token\` is left to
\`oidc-token-scope\`. Workflows triggered only by \`workflow_call\` are not reported for missing
\`permissions:\`: a called workflow gets its caller's token and can only narrow it.`,
      example: `on: push
jobs:
  build:                      # no permissions: the repository default
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@<sha>
      - run: make
  release:
    permissions:
      contents: write
      packages: write         # nothing in this job pushes a package
    steps:
      - uses: actions/checkout@<sha>
      - run: gh release create "$GITHUB_REF_NAME" dist/*`,
      fix: `Set \`permissions: {}\` at the top of the workflow and give each job the block cordon names:

\`\`\`yaml
permissions: {}
jobs:
  build:
    permissions:
      contents: read          # for actions/checkout
  release:
    permissions:
      contents: write         # for gh release create
\`\`\`

Where cordon says a step's needs are unknown, read that action's documentation for the scopes it
needs and add only those.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token',
        'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions',
        'https://github.blog/changelog/2023-02-02-github-actions-updating-the-default-github_token-permissions-to-read-only/',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#considering-cross-repository-access',
      ],
    },
  },

  workflow(workflow, context) {
    const permissions = workflow.permissions;
    if (permissions?.kind === 'write-all') {
      const inheriting = workflow.jobs.filter((job) => !job.permissions);
      context.report({
        message: inheriting.length
          ? `\`permissions: write-all\` gives ${inheriting.length === 1 ? 'job' : 'jobs'} ${names(inheriting)} a GITHUB_TOKEN that can write to every scope (push commits and tags, publish packages, start workflows). Least privilege: \`permissions: {}\` here, then ${leastPrivilegeList(inheriting, workflow)}`
          : '`permissions: write-all` at the top of the workflow: every job sets its own permissions today, but a job added later without them gets write access to every scope. Use `permissions: {}`',
        span: permissions.span,
        severity: inheriting.length ? 'high' : 'low',
        key: 'workflow/write-all',
        related: inheriting.map((job) => ({ message: `job \`${job.id}\` inherits \`write-all\``, span: job.idSpan })),
      });
      return;
    }
    if (permissions || isReusableOnly(workflow)) return;
    const without = workflow.jobs.filter((job) => !job.permissions);
    if (!without.length) return;
    if (without.length === workflow.jobs.length && without.length > 1) {
      context.report({
        message:
          `no \`permissions:\` in this workflow: jobs ${names(without)} get the repository's default GITHUB_TOKEN permissions (${DEFAULT_NOTE}). ` +
          `Least privilege: \`permissions: {}\` at the top, then ${leastPrivilegeList(without, workflow)}`,
        span: without[0]!.idSpan,
        confidence: 'medium',
        key: 'workflow/default-permissions',
        related: without.slice(1).map((job) => ({ message: `job \`${job.id}\` has no \`permissions:\` either`, span: job.idSpan })),
      });
      return;
    }
    for (const job of without) {
      const needed = neededPermissions(job, workflow);
      context.report({
        message:
          `job \`${job.id}\` sets no \`permissions:\` and neither does the workflow, so its GITHUB_TOKEN gets the repository's default permissions (${DEFAULT_NOTE}). ` +
          suggestion(job, needed),
        span: job.idSpan,
        confidence: 'medium',
        key: `${job.id}/default-permissions`,
      });
    }
  },

  job(job, workflow, context) {
    if (job.permissions?.kind === 'write-all') {
      context.report({
        message: `job \`${job.id}\` has \`permissions: write-all\`: its GITHUB_TOKEN can write to every scope (push commits and tags, publish packages, start workflows). ${suggestion(job, neededPermissions(job, workflow))}`,
        span: job.permissions.span,
        severity: 'high',
        key: `${job.id}/write-all`,
      });
      return;
    }
    const permissions = effectivePermissions(job, workflow);
    if (!permissions || permissions.kind !== 'map' || job.uses) return;
    const needed = neededPermissions(job, workflow);
    const unused = [...permissions.scopes.entries()].filter(([scope, level]) => level.value === 'write' && !SKIP.includes(scope) && needed.scopes.get(scope)?.level !== 'write');
    if (!unused.length) return;
    const inherited = !job.permissions;
    const list = unused.map(([scope]) => `\`${scope}: write\`${needed.scopes.get(scope)?.level === 'read' ? ' (read is enough)' : ''}`).join(', ');
    const plural = unused.length > 1;
    let severity: Severity = unused.some(([scope]) => HIGH_RISK_WRITE_SCOPES.has(scope)) ? 'high' : 'medium';
    const unknown = needed.unknown.length > 0;
    if (unknown) severity = severity === 'high' ? 'medium' : 'low';
    const needs = needsPhrase(needed);
    const unknownNote = unknown
      ? ` — unless ${describeUnknown(needed)} ${needed.unknown.length === 1 ? 'uses' : 'use'} the token for ${plural ? 'them' : 'it'}: cordon does not know what ${needed.unknown.length === 1 ? 'it needs' : 'they need'}`
      : '';
    const message = inherited
      ? `job \`${job.id}\` inherits ${list} from the workflow's \`permissions:\` but needs ${needs}${unknownNote}. Give the job its own \`permissions: ${permissionsBlock(needed)}\``
      : `job \`${job.id}\` needs ${needs}; ${list} ${plural ? 'are' : 'is'} unused${unknownNote}. Least privilege: \`permissions: ${permissionsBlock(needed)}\``;
    context.report({
      message,
      span: inherited ? job.idSpan : unused[0]![1].span,
      severity,
      confidence: unknown ? 'low' : 'high',
      key: `${job.id}/unused-write`,
      related: inherited
        ? unused.map(([scope, level]) => ({ message: `\`${scope}: write\` granted to every job without its own \`permissions:\``, span: level.span }))
        : unused.slice(1).map(([scope, level]) => ({ message: `\`${scope}: write\` is unused too`, span: level.span })),
    });
  },
});

const DEFAULT_NOTE = 'read and write on every scope in repositories created before February 2023 unless an owner changed it, read-only since';

function isReusableOnly(workflow: Workflow): boolean {
  return workflow.triggers.length > 0 && workflow.triggers.every((trigger) => trigger.event === 'workflow_call');
}

function names(jobs: readonly Job[]): string {
  return jobs.map((job) => `\`${job.id}\``).join(', ');
}

function describeUnknown(needed: NeededPermissions): string {
  const labels = [...new Set(needed.unknown.map((item) => item.what))];
  return labels.slice(0, 3).join(', ') + (labels.length > 3 ? ` and ${labels.length - 3} more` : '');
}

/** `it needs only …: add `permissions: …`` with the unknown steps named. */
function suggestion(job: Job, needed: NeededPermissions): string {
  if (needed.reusable) return `What it needs depends on the called workflow \`${job.uses?.raw ?? ''}\`: grant only what that workflow's jobs need.`;
  if (needed.unknown.length) {
    return `Its known steps need ${describeNeeds(needed)}; check what ${describeUnknown(needed)} ${needed.unknown.length === 1 ? 'needs' : 'need'} and grant only that.`;
  }
  return `It needs ${needsPhrase(needed)}: add \`permissions: ${permissionsBlock(needed)}\`.`;
}

function needsPhrase(needed: NeededPermissions): string {
  return needed.scopes.size ? `only ${describeNeeds(needed)}` : 'no permissions';
}

function leastPrivilegeList(jobs: readonly Job[], workflow: Workflow): string {
  return jobs
    .map((job) => {
      const needed = neededPermissions(job, workflow);
      if (needed.reusable) return `\`${job.id}\`: what the called workflow needs`;
      const block = `\`${job.id}\`: \`${permissionsBlock(needed)}\``;
      return needed.unknown.length ? `${block} plus what ${describeUnknown(needed)} ${needed.unknown.length === 1 ? 'needs' : 'need'}` : block;
    })
    .join('; ');
}
