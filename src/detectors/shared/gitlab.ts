/**
 * Shared by the GitLab detectors: one slot for every `gl…-` prefix (and the legacy runner
 * registration token `GR1348941…`), told apart by the prefix. Routable tokens (GitLab 17.x+) end in
 * `.<2><7>`; instance-wide custom prefixes come before the standard one (`<instance>-glpat-…`).
 */
export const GITLAB_PATTERN =
  /(?<![A-Za-z0-9_])(?:(?:glpat|glcbt|gldt|glrt|glptt|glft|glimt|glagent|gloas|glsoat|glffct)-|GR1348941)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*/;

export function gitlabPrefix(secret: string): string | undefined {
  if (secret.startsWith('GR1348941')) return 'GR1348941';
  const dash = secret.indexOf('-');
  return dash === -1 ? undefined : secret.slice(0, dash + 1);
}

/** At least 20 characters after the prefix, and not all one kind of character. */
export function gitlabBodyOk(secret: string, prefix: string, minimum = 20): boolean {
  const body = secret.slice(prefix.length);
  if (body.length < minimum || body.length > 1024) return false;
  return /[0-9]/.test(body) || /[A-Z]/.test(body) || /[_-]/.test(body);
}

export const GITLAB_AUDIT =
  'Check the projects and groups in reach for changes since the log was written: the audit events (Secure → Audit events), pushes, tags, releases, new pipelines, package and container registry uploads, and new tokens or deploy keys.';

export const GITLAB_DELETE_LOG =
  'Erase the job log once the credential is revoked: the job page → Erase job log, or `POST /projects/:id/jobs/:job_id/erase`.';
