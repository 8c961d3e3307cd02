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

/**
 * Write scopes that only let the token talk (labels, comments, reviews): a bot on
 * `pull_request_target` needs them, and misused they cannot push code, move tags, publish or
 * start other workflows.
 */
export const CONVERSATION_SCOPES = new Set(['issues', 'pull-requests', 'discussions']);

/** Scopes granted `write` (`*` for `write-all`); empty when none or not written. */
export function writeScopes(job: Job, workflow: Workflow): string[] {
  const permissions = effectivePermissions(job, workflow);
  if (!permissions) return [];
  if (permissions.kind === 'write-all') return ['*'];
  return [...permissions.scopes].filter(([, level]) => level.value === 'write').map(([scope]) => scope);
}

export interface JobPrivileges {
  /** Secret names the job reads (not `GITHUB_TOKEN`); `*` for all. */
  secrets: string[];
  /** `secrets: inherit` on a reusable-workflow call. */
  inheritsSecrets: boolean;
  idToken: boolean;
  token: TokenAccess;
  /** Scopes granted `write`, `id-token` included; `*` for `write-all`. */
  writeScopes: string[];
}

/** A token that can change code, releases, packages or workflows: `write-all`, the repository default, or a write scope beyond conversation. */
export function holdsPowerfulToken(privileges: JobPrivileges): boolean {
  if (privileges.token === 'default') return true;
  return privileges.writeScopes.some((scope) => scope !== 'id-token' && !CONVERSATION_SCOPES.has(scope));
}

export function jobPrivileges(job: Job, workflow: Workflow): JobPrivileges {
  return {
    secrets: [...new Set(jobSecrets(job, workflow).map((use) => use.name))],
    inheritsSecrets: job.secretsInherit !== undefined,
    idToken: jobCanMintOidc(job, workflow),
    token: tokenAccess(job, workflow),
    writeScopes: writeScopes(job, workflow),
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
    const scopes = privileges.writeScopes.filter((scope) => scope !== 'id-token');
    if (scopes.includes('*')) parts.push('a `GITHUB_TOKEN` with `write-all`');
    else if (scopes.length) parts.push(`a \`GITHUB_TOKEN\` that can write ${scopes.map((scope) => `\`${scope}\``).join(', ')}`);
    else if (privileges.token === 'default') parts.push('a `GITHUB_TOKEN` with the repository default permissions (no `permissions:` block; read-write in older repositories)');
  }
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
