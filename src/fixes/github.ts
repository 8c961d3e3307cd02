/**
 * Building blocks the GitHub Actions fixes share: least-privilege `permissions:` entries with a
 * comment per scope, whether a job needs `id-token: write`, and where new keys go in a job.
 */
import type { Pair } from 'yaml';
import { TOOLCHAIN_INSTALLERS, jobUsesOidc } from '../analysis/oidc.ts';
import { actionKnowledge, neededPermissions, type NeededPermissions } from '../analysis/permissions.ts';
import type { Job, Permissions, Step, Workflow } from '../models/github/types.ts';
import { FixUnavailableError, type TextEdit } from './types.ts';
import { mapping, raw, type YamlEditor, type YamlEntry } from './yaml-edit.ts';
import { isGitHubOwner } from '../analysis/first-party.ts';

/**
 * Third-party actions known not to mint OIDC tokens on their own (toolchain installers), or whose
 * OIDC use `stepUsesOidc` already decides from their inputs.
 */
const KNOWN_OIDC_BEHAVIOUR = new Set([...TOOLCHAIN_INSTALLERS, 'hynek/build-and-inspect-python-package']);

/** Keys a new job-level key is written before, in this order of preference. */
export const JOB_BODY_KEYS = ['steps', 'uses', 'with', 'secrets', 'strategy', 'services', 'container', 'outputs'];

/**
 * Does the job need `id-token: write`? `uses`: a step is known to request OIDC tokens; `maybe`:
 * a step cordon knows nothing about (a third-party action without a knowledge entry, a local or
 * docker action) could; `no`: none of its steps can.
 */
export function idTokenUse(job: Job, workflow: Workflow): 'uses' | 'maybe' | 'no' {
  if (jobUsesOidc(job, workflow)) return 'uses';
  return opaqueSteps(job).length ? 'maybe' : 'no';
}

/** Scripts that may mint a token through a tool or a script cordon does not read (`pnpm run ci-publish`). */
const MAYBE_OIDC_SCRIPT = /\b(publish|release|deploy|upload|login|attest|sign|oidc|id-token)\b/i;

/**
 * Steps whose use of the job's token and OIDC permission cordon cannot tell: third-party actions
 * without a knowledge entry, local and docker actions, and scripts that publish, deploy or log in
 * through tools cordon does not recognise.
 */
export function opaqueSteps(job: Job): Step[] {
  return job.steps.filter((step) => {
    if (step.run) return MAYBE_OIDC_SCRIPT.test(step.run.text);
    const uses = step.uses;
    if (!uses) return false;
    if (uses.kind === 'local' || uses.kind === 'docker') return true;
    if (uses.kind !== 'action') return false;
    return !isGitHubOwner(uses.owner) && !KNOWN_OIDC_BEHAVIOUR.has(uses.slug ?? '') && !actionKnowledge(step);
  });
}

/** `contents: read # to fetch the repository (actions/checkout)` and the like, in GitHub's order. */
export function neededEntries(needed: NeededPermissions, options: { skip?: readonly string[] } = {}): YamlEntry[] {
  const entries: YamlEntry[] = [];
  for (const scope of needed.scopes.values()) {
    if (options.skip?.includes(scope.scope)) continue;
    const reasons = scope.reasons.filter((item) => item.level === scope.level);
    const sources = [...new Set(reasons.map((item) => item.source.replace(/`/g, '')))];
    const shown = sources.slice(0, 2).join(', ') + (sources.length > 2 ? ` and ${sources.length - 2} more` : '');
    entries.push({ key: scope.scope, value: raw(scope.level), comment: `${reasons[0]?.reason ?? 'needed'} (${shown})` });
  }
  return entries;
}

export const ID_TOKEN_COMMENT = 'to mint OIDC tokens (Trusted Publishing, cloud logins)';

/**
 * The least-privilege block for a job: what its steps need, `id-token` left as it is granted now
 * (`oidc-token-scope` decides about it) unless no step of the job can use it.
 */
export function leastPrivilegeEntries(job: Job, workflow: Workflow, granted: Permissions | undefined): { entries: YamlEntry[]; needed: NeededPermissions } {
  const needed = neededPermissions(job, workflow);
  if (needed.reusable) throw new FixUnavailableError(`job \`${job.id}\` calls the reusable workflow \`${job.uses?.raw ?? ''}\`; what it needs is that workflow's business`);
  const entries = neededEntries(needed, { skip: ['id-token'] });
  const idToken = granted ? grantsIdToken(granted) : false;
  if (idToken && idTokenUse(job, workflow) !== 'no') entries.push({ key: 'id-token', value: raw('write'), comment: idTokenComment(job, workflow) });
  return { entries, needed };
}

export function grantsIdToken(permissions: Permissions): boolean {
  return permissions.kind === 'write-all' || permissions.scopes.get('id-token')?.value === 'write';
}

/** Why a job keeps `id-token: write`: the step that uses it. */
export function idTokenComment(job: Job, workflow: Workflow): string {
  const needed = neededPermissions(job, workflow).scopes.get('id-token');
  const reason = needed?.reasons[0];
  if (reason) return `${reason.reason} (${reason.source.replace(/`/g, '')})`;
  return jobUsesOidc(job, workflow) ? ID_TOKEN_COMMENT : 'kept: a step cordon does not know may mint OIDC tokens';
}

/** The value of a permissions block written for a job: a mapping, or `{}` with a comment. */
export function permissionsEntry(entries: YamlEntry[], options: { explain?: boolean } = {}): YamlEntry {
  if (entries.length) return { key: 'permissions', value: mapping(entries) };
  return { key: 'permissions', value: mapping([]), ...(options.explain === false ? {} : { comment: 'no step needs the GITHUB_TOKEN' }) };
}

/** Inserts `permissions:` into a job (before its steps). */
export function insertJobPermissions(editor: YamlEditor, job: Job, entries: YamlEntry[]): TextEdit {
  const map = editor.mapAt(job.route);
  return editor.insertEntry(map, permissionsEntry(entries), { before: ['steps', 'uses', 'with', 'secrets'] });
}

/** Copies the scopes of a permissions mapping as entries (values as written), except some. */
export function copiedEntries(permissions: Permissions, except: readonly string[]): YamlEntry[] {
  const entries: YamlEntry[] = [];
  for (const [scope, level] of permissions.scopes) if (!except.includes(scope)) entries.push({ key: scope, value: raw(level.value) });
  return entries;
}

/** The pair of a permissions block (`permissions: …`) in its owner's mapping. */
export function permissionsPair(editor: YamlEditor, permissions: Permissions): Pair<unknown, unknown> {
  const owner = editor.mapAt(permissions.route.slice(0, -1));
  const pair = editor.pair(owner, 'permissions');
  if (!pair) throw new FixUnavailableError('the `permissions:` key comes from a merge key; edit it by hand');
  return pair;
}

/** `release.yml`: what PyPI's trusted publisher form calls the workflow. */
export function workflowFileName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** The workflow can only be called by other workflows. */
export function isReusableOnly(workflow: Workflow): boolean {
  return workflow.triggers.length > 0 && workflow.triggers.every((trigger) => trigger.event === 'workflow_call');
}
