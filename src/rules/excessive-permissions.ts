import { effectivePermissions } from '../analysis/credentials.ts';
import { HIGH_RISK_WRITE_SCOPES } from '../analysis/data/token-permissions.ts';
import { describeNeeds, neededPermissions, permissionsBlock, type NeededPermissions } from '../analysis/permissions.ts';
import type { Severity } from '../findings/finding.ts';
import type { Job, Workflow } from '../models/github/types.ts';
import type { Fix, TextEdit } from '../fixes/types.ts';
import { insertJobPermissions, leastPrivilegeEntries, permissionsPair } from '../fixes/github.ts';
import { mapping, raw, YamlEditor, type YamlEntry } from '../fixes/yaml-edit.ts';
import { isMap, isScalar } from '../models/yaml/document.ts';
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
        fix: leastPrivilegeFix(workflow, inheriting, 'replace'),
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
        fix: leastPrivilegeFix(workflow, without, 'insert'),
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
        fix: leastPrivilegeFix(workflow, [job], 'keep'),
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
        fix: leastPrivilegeFix(workflow, [job], 'keep'),
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
      fix: inherited
        ? leastPrivilegeFix(workflow, [job], 'keep')
        : narrowingFix(
            job,
            workflow,
            unused.map(([scope]) => scope),
            needed,
          ),
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

// ---- fixes -------------------------------------------------------------------------------------

/**
 * Writes each job's least-privilege block (with a comment per scope saying which step needs it),
 * replacing `write-all` or the implicit repository default. `top`: what happens to the workflow's
 * own block: `replace` it with `{}`, `insert` a `permissions: {}`, or `keep` it. Unsafe when a
 * job has steps whose needs cordon does not know: the block is then a lower bound.
 */
function leastPrivilegeFix(workflow: Workflow, jobs: readonly Job[], top: 'replace' | 'insert' | 'keep'): Fix {
  const unknown = jobs.flatMap((job) => neededPermissions(job, workflow).unknown);
  const labels = [...new Set(unknown.map((item) => item.what))];
  const jobsText = `${jobs.length === 1 ? 'job' : 'jobs'} ${names(jobs)}`;
  return {
    title:
      top === 'keep'
        ? `give ${jobsText} least-privilege \`permissions:\``
        : `set \`permissions: {}\` for the workflow${jobs.length ? ` and least-privilege \`permissions:\` for ${jobsText}` : ''}`,
    safety: unknown.length ? 'unsafe' : 'safe',
    ...(unknown.length
      ? { followUp: [`Check what ${labels.slice(0, 3).join(', ')}${labels.length > 3 ? ` and ${labels.length - 3} more` : ''} ${labels.length === 1 ? 'needs' : 'need'} from the GITHUB_TOKEN and add it: cordon wrote only what the steps it knows need.`] }
      : {}),
    edits() {
      const editor = new YamlEditor(workflow.yaml);
      const edits: TextEdit[] = [];
      if (top === 'replace' && workflow.permissions) edits.push(editor.replaceValue(permissionsPair(editor, workflow.permissions), mapping([])));
      if (top === 'insert') edits.push(editor.insertEntry(editor.mapAt([]), { key: 'permissions', value: mapping([]) }, { before: ['jobs'], spaced: true }));
      for (const job of jobs) {
        const { entries } = leastPrivilegeEntries(job, workflow, job.permissions ?? workflow.permissions);
        if (job.permissions) edits.push(editor.replaceValue(permissionsPair(editor, job.permissions), mapping(entries)));
        else edits.push(insertJobPermissions(editor, job, entries));
      }
      return edits;
    },
  };
}

/** Lowers unused `write` scopes of a job's own block to `read` (when read is needed) or removes them. */
function narrowingFix(job: Job, workflow: Workflow, scopes: readonly string[], needed: NeededPermissions): Fix {
  const change = scopes.map((scope) => (needed.scopes.get(scope)?.level === 'read' ? `\`${scope}: write\` → \`read\`` : `\`${scope}: write\` removed`)).join(', ');
  return {
    title: `narrow job \`${job.id}\`'s permissions: ${change}`,
    safety: needed.unknown.length ? 'unsafe' : 'safe',
    ...(needed.unknown.length ? { followUp: [`Check that ${describeUnknown(needed)} ${needed.unknown.length === 1 ? 'does' : 'do'} not need ${scopes.map((scope) => `\`${scope}: write\``).join(', ')}.`] } : {}),
    edits() {
      const editor = new YamlEditor(workflow.yaml);
      const pair = permissionsPair(editor, job.permissions!);
      const map = pair.value;
      if (!isMap(map)) return [];
      const keep: YamlEntry[] = [];
      const edits: Array<() => TextEdit> = [];
      for (const item of map.items) {
        const scope = isScalar(item.key) ? String(item.key.value) : '';
        const level = isScalar(item.value) ? String(item.value.value) : '';
        if (!scopes.includes(scope)) {
          keep.push({ key: scope, value: raw(level) });
          continue;
        }
        if (needed.scopes.get(scope)?.level === 'read') {
          keep.push({ key: scope, value: raw('read') });
          const value = item.value;
          if (isScalar(value)) edits.push(() => editor.replaceScalar(value, 'read'));
        } else edits.push(() => editor.removeEntry(map, scope));
      }
      // A flow mapping, or one left empty, is written anew.
      if (map.flow || keep.length === 0) return [editor.replaceValue(pair, mapping(keep))];
      return edits.map((edit) => edit());
    },
  };
}
