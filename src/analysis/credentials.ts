import type { ContextRef, Expression } from '../models/github/expressions.ts';
import { secretName } from '../models/github/expressions.ts';
import type { EnvEntry, Job, Permissions, Step, Workflow } from '../models/github/types.ts';
import type { Span } from '../models/yaml/document.ts';

/** The permissions block in force for a job: its own, else the workflow's, else none written. */
export function effectivePermissions(job: Job, workflow: Workflow): Permissions | undefined {
  return job.permissions ?? workflow.permissions;
}

export function grantsIdTokenWrite(permissions: Permissions | undefined): boolean {
  if (!permissions) return false;
  if (permissions.kind === 'write-all') return true;
  return permissions.scopes.get('id-token')?.value === 'write';
}

/** Where `id-token: write` is written in a permissions block (the scope, or `write-all`). */
export function idTokenGrantSpan(permissions: Permissions): Span {
  return permissions.scopes.get('id-token')?.span ?? permissions.span;
}

export function jobCanMintOidc(job: Job, workflow: Workflow): boolean {
  return grantsIdTokenWrite(effectivePermissions(job, workflow));
}

export interface SecretUse {
  /** Secret name, `*` for all secrets (`toJSON(secrets)`, `secrets[expr]`). */
  name: string;
  span: Span;
}

const GITHUB_TOKEN_NAMES = new Set(['GITHUB_TOKEN']);

/** Secrets a job reads: its own expressions, its steps', and the workflow-level env it inherits. */
const jobSecretsMemo = new WeakMap<Job, Map<string, SecretUse[]>>();

export function jobSecrets(job: Job, workflow: Workflow, options: { includeGithubToken?: boolean } = {}): SecretUse[] {
  // Rules ask once per step; without the memo a job of n steps costs n².
  const key = options.includeGithubToken ? 'with-token' : 'without-token';
  let byOption = jobSecretsMemo.get(job);
  if (!byOption) jobSecretsMemo.set(job, (byOption = new Map()));
  const cached = byOption.get(key);
  if (cached) return cached;
  const expressions: Expression[] = [...workflow.env.flatMap((entry) => entry.expressions), ...job.expressions, ...job.steps.flatMap((step) => step.expressions)];
  const uses = secretsIn(expressions, options);
  byOption.set(key, uses);
  return uses;
}

export function stepSecrets(step: Step, options: { includeGithubToken?: boolean } = {}): SecretUse[] {
  return secretsIn(step.expressions, options);
}

/**
 * Contexts whose data the expression can yield. `secrets.X != ''` or `secrets.X && 'yes' || 'no'`
 * reads a secret but yields a boolean or a literal, so nothing secret reaches the script or env.
 * The model's value flow stops at an index on a call result (`fromJSON(secrets.CFG).token`), so
 * such expressions keep every context they read.
 */
export function dataContexts(expression: Pick<Expression, 'text' | 'contexts' | 'valueContexts'>): ContextRef[] {
  return /\)\s*(\.|\[)/.test(expression.text) ? expression.contexts : expression.valueContexts;
}

export function secretsIn(expressions: readonly Expression[], options: { includeGithubToken?: boolean } = {}): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const expression of expressions) {
    for (const ref of dataContexts(expression)) {
      const name = secretName(ref);
      if (name === null) continue;
      if (!options.includeGithubToken && GITHUB_TOKEN_NAMES.has(name)) continue;
      uses.push({ name, span: expression.span });
    }
  }
  return uses;
}

export function readsAllSecrets(expressions: readonly Expression[]): boolean {
  return expressions.some((expression) => dataContexts(expression).some((ref) => secretName(ref) === '*'));
}

/** A job holds credentials worth stealing: secrets other than GITHUB_TOKEN, or OIDC minting. */
export function jobHoldsCredentials(job: Job, workflow: Workflow): boolean {
  return jobCanMintOidc(job, workflow) || jobSecrets(job, workflow).length > 0 || job.secretsInherit !== undefined;
}

/**
 * What a job holds, for messages: "can mint OIDC tokens and reads secrets.PYPI_TOKEN"; undefined
 * when it holds nothing worth stealing (the GitHub counterpart of `describeHoldings` for GitLab).
 */
export function describeJobCredentials(job: Job, workflow: Workflow): string | undefined {
  const parts: string[] = [];
  if (jobCanMintOidc(job, workflow)) parts.push('can mint OIDC tokens');
  const secrets = [...new Set(jobSecrets(job, workflow).map((use) => use.name))];
  if (secrets.includes('*')) parts.push('reads every secret');
  else if (secrets.length) parts.push(`reads ${secrets.slice(0, 3).map((name) => `secrets.${name}`).join(', ')}${secrets.length > 3 ? '…' : ''}`);
  if (job.secretsInherit) parts.push('inherits every secret');
  return parts.length ? parts.join(' and ') : undefined;
}

export interface EnvBinding {
  entry: EnvEntry;
  level: 'workflow' | 'job' | 'step';
}

/** Environment visible to a step's script: step env over job env over workflow env. */
export function stepEnvironment(step: Step, job: Job | undefined, workflow: Workflow | undefined): Map<string, EnvBinding> {
  const env = new Map<string, EnvBinding>();
  for (const entry of workflow?.env ?? []) env.set(entry.name, { entry, level: 'workflow' });
  for (const entry of job?.env ?? []) env.set(entry.name, { entry, level: 'job' });
  for (const entry of step.env) env.set(entry.name, { entry, level: 'step' });
  return env;
}

/** Secret names an env value carries (`${{ secrets.X }}`, `${{ toJSON(secrets) }}`). */
export function envSecrets(binding: EnvBinding | undefined): SecretUse[] {
  return binding ? secretsIn(binding.entry.expressions, { includeGithubToken: true }) : [];
}

/** Runner-provided variables that are credentials in their own right. */
export const RUNNER_CREDENTIAL_VARIABLES = new Set(['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL']);
