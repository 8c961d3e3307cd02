import type { Job, Workflow } from '../models/github/types.ts';
import { effectivePermissions, jobCanMintOidc, jobSecrets } from './credentials.ts';

export type TokenAccess =
  /** At least one scope is `write` (or `write-all`). */
  | 'write'
  /** `read-all`, `{}` or a map without `write`. */
  | 'read'
  /** No `permissions:` anywhere (or an expression): the repository or organization default applies. */
  | 'default';

/**
 * What the job's `GITHUB_TOKEN` can do, as far as the file says. Without `permissions:` the token
 * gets the repository's default: read and write to most scopes in repositories and organizations
 * created before February 2023 that never changed it, read-only (`contents`, `packages`) since.
 */
export function tokenAccess(job: Job, workflow: Workflow): TokenAccess {
  const permissions = effectivePermissions(job, workflow);
  if (!permissions || permissions.kind === 'expression') return 'default';
  if (permissions.kind === 'write-all') return 'write';
  if (permissions.kind === 'read-all' || permissions.kind === 'none') return 'read';
  return [...permissions.scopes.values()].some((scope) => scope.value === 'write') ? 'write' : 'read';
}

export interface JobPrivileges {
  /** Secret names the job reads (not `GITHUB_TOKEN`); `*` for all. */
  secrets: string[];
  /** `secrets: inherit` on a reusable-workflow call. */
  inheritsSecrets: boolean;
  idToken: boolean;
  token: TokenAccess;
}

export function jobPrivileges(job: Job, workflow: Workflow): JobPrivileges {
  return {
    secrets: [...new Set(jobSecrets(job, workflow).map((use) => use.name))],
    inheritsSecrets: job.secretsInherit !== undefined,
    idToken: jobCanMintOidc(job, workflow),
    token: tokenAccess(job, workflow),
  };
}

/** `secrets.PYPI_TOKEN, OIDC minting and a write token`, for messages; empty when it holds nothing. */
export function describePrivileges(privileges: JobPrivileges, options: { includeToken?: boolean } = {}): string {
  const parts: string[] = [];
  if (privileges.secrets.includes('*')) parts.push('every secret');
  const named = privileges.secrets.filter((name) => name !== '*');
  if (named.length) parts.push(named.slice(0, 3).map((name) => `\`secrets.${name}\``).join(', ') + (named.length > 3 ? ` and ${named.length - 3} more secrets` : ''));
  if (privileges.inheritsSecrets) parts.push('every secret (`secrets: inherit`)');
  if (privileges.idToken) parts.push('`id-token: write` (OIDC minting)');
  if (options.includeToken !== false) {
    if (privileges.token === 'write') parts.push('a `GITHUB_TOKEN` with write scopes');
    else if (privileges.token === 'default') parts.push('a `GITHUB_TOKEN` with the repository default permissions (no `permissions:` block; read-write in older repositories)');
  }
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
