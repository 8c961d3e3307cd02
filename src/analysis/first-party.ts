/** Owners of the actions GitHub itself publishes (`actions/checkout`, `github/codeql-action`). */
const GITHUB_OWNERS = new Set(['actions', 'github']);

/** Whether an action's owner is GitHub itself (as written: owners are compared case-sensitively). */
export function isGitHubOwner(owner: string | undefined): boolean {
  return GITHUB_OWNERS.has(owner ?? '');
}
