/**
 * What well-known actions and commands need from a job's `permissions:`, written from each
 * action's own documentation and source (cordon's knowledge, not copied from another tool's data
 * set). Each need carries a short reason that starts with "to", shown to users next to the
 * least-privilege block.
 *
 * Conventions:
 * - `needs: []` means the action does not use the GITHUB_TOKEN for anything that needs a scope
 *   (it may still take the token to raise API rate limits on public data).
 * - `needs: 'unknown'` means what it needs depends on what it is told to do (a script, an API path).
 * - `token` says how the action receives the GITHUB_TOKEN. Needs with `via: 'token'` (the default)
 *   apply only when the action actually receives it: a PAT or app token passed instead needs
 *   nothing from the job's token. Needs with `via: 'job'` (`id-token`) are granted to the job and
 *   do not travel through the token.
 * - Entries are matched on `owner/repo[/path]`, lower case; `*` matches the rest of a segment.
 */

export type PermissionLevel = 'read' | 'write';

export interface ScopeNeed {
  scope: string;
  level: PermissionLevel;
  /** Why, starting with "to". */
  reason: string;
  via?: 'token' | 'job';
}

/** How an action receives the GITHUB_TOKEN. */
export interface TokenChannel {
  /** The input that carries it. */
  input?: string;
  /** The environment variable it reads it from. */
  env?: string;
  /** The input defaults to `${{ github.token }}` (so the action holds the token unless given another). */
  default: boolean;
}

/** The `with:` inputs of a step, as the knowledge needs them. */
export interface ActionInputs {
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface ActionKnowledge {
  uses: string;
  token?: TokenChannel;
  needs: readonly ScopeNeed[] | 'unknown' | ((inputs: ActionInputs) => readonly ScopeNeed[] | 'unknown');
}

const truthy = (value: string | undefined): boolean => value !== undefined && /^(true|yes|on)$/i.test(value.trim());

export const ACTION_PERMISSIONS: readonly ActionKnowledge[] = [
  // GitHub's own actions.
  { uses: 'actions/checkout', token: { input: 'token', default: true }, needs: [{ scope: 'contents', level: 'read', reason: 'to fetch the repository' }] },
  { uses: 'actions/upload-artifact', needs: [] },
  { uses: 'actions/upload-artifact/merge', needs: [] },
  {
    uses: 'actions/download-artifact',
    token: { input: 'github-token', default: false },
    // Artifacts of the same run come through the runtime token; another run's need `actions: read`.
    needs: [{ scope: 'actions', level: 'read', reason: 'to download artifacts of another workflow run' }],
  },
  { uses: 'actions/cache', needs: [] },
  { uses: 'actions/cache/restore', needs: [] },
  { uses: 'actions/cache/save', needs: [] },
  // setup-* take the token only to download toolchains from github.com with a higher rate limit.
  { uses: 'actions/setup-*', needs: [] },
  { uses: 'actions/github-script', token: { input: 'github-token', default: true }, needs: 'unknown' },
  { uses: 'actions/create-release', token: { env: 'GITHUB_TOKEN', default: false }, needs: [{ scope: 'contents', level: 'write', reason: 'to create a release' }] },
  { uses: 'actions/upload-release-asset', token: { env: 'GITHUB_TOKEN', default: false }, needs: [{ scope: 'contents', level: 'write', reason: 'to upload release assets' }] },
  {
    uses: 'actions/attest-build-provenance',
    needs: [
      { scope: 'id-token', level: 'write', reason: 'to sign the attestation with a Sigstore certificate', via: 'job' },
      { scope: 'attestations', level: 'write', reason: 'to store the attestation' },
    ],
  },
  {
    uses: 'actions/attest',
    needs: [
      { scope: 'id-token', level: 'write', reason: 'to sign the attestation with a Sigstore certificate', via: 'job' },
      { scope: 'attestations', level: 'write', reason: 'to store the attestation' },
    ],
  },
  {
    uses: 'actions/attest-sbom',
    needs: [
      { scope: 'id-token', level: 'write', reason: 'to sign the attestation with a Sigstore certificate', via: 'job' },
      { scope: 'attestations', level: 'write', reason: 'to store the attestation' },
    ],
  },
  { uses: 'actions/upload-pages-artifact', needs: [] },
  { uses: 'actions/configure-pages', token: { input: 'token', default: true }, needs: [{ scope: 'pages', level: 'read', reason: 'to read the Pages site configuration' }] },
  {
    uses: 'actions/deploy-pages',
    token: { input: 'token', default: true },
    needs: [
      { scope: 'pages', level: 'write', reason: 'to deploy to GitHub Pages' },
      { scope: 'id-token', level: 'write', reason: 'to prove the deployment’s origin to Pages', via: 'job' },
    ],
  },
  {
    uses: 'actions/labeler',
    token: { input: 'repo-token', default: true },
    needs: [
      { scope: 'contents', level: 'read', reason: 'to read the labeler configuration' },
      { scope: 'pull-requests', level: 'write', reason: 'to label pull requests' },
    ],
  },
  {
    uses: 'actions/stale',
    token: { input: 'repo-token', default: true },
    needs: (inputs) => [
      { scope: 'issues', level: 'write', reason: 'to label, comment on and close stale issues' },
      { scope: 'pull-requests', level: 'write', reason: 'to label, comment on and close stale pull requests' },
      { scope: 'actions', level: 'write', reason: 'to replace the cache entry that keeps its state' },
      ...(truthy(inputs.get('delete-branch')) ? [{ scope: 'contents', level: 'write' as const, reason: 'to delete the branches of closed pull requests' }] : []),
    ],
  },
  {
    uses: 'actions/first-interaction',
    token: { input: 'repo-token', default: false },
    needs: [
      { scope: 'issues', level: 'write', reason: 'to greet first-time issue authors' },
      { scope: 'pull-requests', level: 'write', reason: 'to greet first-time contributors' },
    ],
  },
  {
    uses: 'actions/dependency-review-action',
    token: { input: 'repo-token', default: true },
    needs: (inputs) => [
      { scope: 'contents', level: 'read', reason: 'to read the dependency graph diff' },
      ...(inputs.has('comment-summary-in-pr') && !/^(never|false)$/i.test(inputs.get('comment-summary-in-pr')!.trim())
        ? [{ scope: 'pull-requests', level: 'write' as const, reason: 'to comment the summary on the pull request' }]
        : []),
    ],
  },
  {
    uses: 'github/codeql-action/*',
    token: { input: 'token', default: true },
    needs: [
      { scope: 'security-events', level: 'write', reason: 'to upload code scanning results' },
      { scope: 'actions', level: 'read', reason: 'to read the workflow run (private repositories)' },
      { scope: 'contents', level: 'read', reason: 'to read the repository (private repositories)' },
    ],
  },
  { uses: 'github/codeql-action/autobuild', needs: [] },
  // Publishing to indexes: OIDC, not the GITHUB_TOKEN.
  {
    uses: 'pypa/gh-action-pypi-publish',
    needs: (inputs) => (inputs.get('password')?.trim() ? [] : [{ scope: 'id-token', level: 'write', reason: 'to publish with Trusted Publishing', via: 'job' }]),
  },
  {
    uses: 'pyo3/maturin-action',
    needs: (inputs) =>
      /^(upload|publish)$/.test(inputs.get('command')?.trim() ?? '') ? [{ scope: 'id-token', level: 'write', reason: 'to publish with Trusted Publishing', via: 'job' }] : [],
  },
  { uses: 'rust-lang/crates-io-auth-action', needs: [{ scope: 'id-token', level: 'write', reason: 'to exchange an OIDC token for a crates.io token', via: 'job' }] },
  { uses: 'rubygems/release-gem', needs: [{ scope: 'id-token', level: 'write', reason: 'to publish with Trusted Publishing', via: 'job' }, { scope: 'contents', level: 'write', reason: 'to push the release tag' }] },
  // Containers.
  {
    uses: 'docker/login-action',
    token: { input: 'password', default: false },
    needs: (inputs) =>
      /(^|\/\/)ghcr\.io\b/i.test(inputs.get('registry') ?? '') ? [{ scope: 'packages', level: 'write', reason: 'to push images to ghcr.io with the GITHUB_TOKEN' }] : [],
  },
  { uses: 'docker/build-push-action', needs: [] },
  { uses: 'docker/setup-buildx-action', needs: [] },
  { uses: 'docker/setup-qemu-action', needs: [] },
  { uses: 'docker/metadata-action', needs: [] },
  // Releases and commits.
  { uses: 'softprops/action-gh-release', token: { input: 'token', default: true }, needs: [{ scope: 'contents', level: 'write', reason: 'to create the release and upload its assets' }] },
  { uses: 'ncipollo/release-action', token: { input: 'token', default: true }, needs: [{ scope: 'contents', level: 'write', reason: 'to create the release and upload its assets' }] },
  {
    uses: 'googleapis/release-please-action',
    token: { input: 'token', default: true },
    needs: [
      { scope: 'contents', level: 'write', reason: 'to push release branches and create releases' },
      { scope: 'pull-requests', level: 'write', reason: 'to open the release pull request' },
      { scope: 'issues', level: 'write', reason: 'to create and set the release labels' },
    ],
  },
  { uses: 'goreleaser/goreleaser-action', token: { env: 'GITHUB_TOKEN', default: false }, needs: [{ scope: 'contents', level: 'write', reason: 'to create the release and upload its assets' }] },
  {
    uses: 'peter-evans/create-pull-request',
    token: { input: 'token', default: true },
    needs: [
      { scope: 'contents', level: 'write', reason: 'to push the pull request branch' },
      { scope: 'pull-requests', level: 'write', reason: 'to open or update the pull request' },
    ],
  },
  { uses: 'stefanzweifel/git-auto-commit-action', needs: [{ scope: 'contents', level: 'write', reason: 'to push the commit (with the credentials checkout left behind)' }] },
  { uses: 'endbug/add-and-commit', token: { input: 'github_token', default: true }, needs: [{ scope: 'contents', level: 'write', reason: 'to push the commit' }] },
  {
    uses: 'peaceiris/actions-gh-pages',
    token: { input: 'github_token', default: false },
    needs: [{ scope: 'contents', level: 'write', reason: 'to push the site to the publishing branch' }],
  },
  {
    uses: 'jamesives/github-pages-deploy-action',
    token: { input: 'token', default: true },
    needs: (inputs) => (inputs.get('ssh-key')?.trim() ? [] : [{ scope: 'contents', level: 'write', reason: 'to push the site to the publishing branch' }]),
  },
  // Pull request helpers.
  { uses: 'dependabot/fetch-metadata', token: { input: 'github-token', default: true }, needs: [{ scope: 'pull-requests', level: 'read', reason: 'to read the Dependabot pull request' }] },
  { uses: 'marocchino/sticky-pull-request-comment', token: { input: 'GITHUB_TOKEN', default: true }, needs: [{ scope: 'pull-requests', level: 'write', reason: 'to comment on the pull request' }] },
  { uses: 'thollander/actions-comment-pull-request', token: { input: 'github-token', default: true }, needs: [{ scope: 'pull-requests', level: 'write', reason: 'to comment on the pull request' }] },
  { uses: 'amannn/action-semantic-pull-request', token: { env: 'GITHUB_TOKEN', default: false }, needs: [{ scope: 'pull-requests', level: 'read', reason: 'to read the pull request title' }] },
  {
    uses: 'reviewdog/action-*',
    token: { input: 'github_token', default: true },
    needs: [
      { scope: 'checks', level: 'write', reason: 'to report results as check annotations' },
      { scope: 'pull-requests', level: 'write', reason: 'to post review comments' },
    ],
  },
  // Toolchains and caches that use no scope.
  { uses: 'astral-sh/setup-uv', needs: [] },
  { uses: 'pnpm/action-setup', needs: [] },
  { uses: 'oven-sh/setup-bun', needs: [] },
  { uses: 'dtolnay/rust-toolchain', needs: [] },
  { uses: 'swatinem/rust-cache', needs: [] },
  { uses: 'ruby/setup-ruby', needs: [] },
  { uses: 'pre-commit/action', needs: [] },
  { uses: 'actions/create-github-app-token', needs: [] },
  // Coverage upload: the Codecov token, or OIDC when asked for.
  {
    uses: 'codecov/codecov-action',
    needs: (inputs) => (truthy(inputs.get('use_oidc')) ? [{ scope: 'id-token', level: 'write', reason: 'to authenticate to Codecov with OIDC', via: 'job' }] : []),
  },
  // Cloud logins: OIDC when no stored key is given.
  {
    uses: 'aws-actions/configure-aws-credentials',
    needs: (inputs) => (inputs.get('aws-access-key-id')?.trim() ? [] : [{ scope: 'id-token', level: 'write', reason: 'to assume the AWS role with OIDC', via: 'job' }]),
  },
  {
    uses: 'google-github-actions/auth',
    needs: (inputs) => (inputs.get('credentials_json')?.trim() ? [] : [{ scope: 'id-token', level: 'write', reason: 'to use workload identity federation', via: 'job' }]),
  },
  {
    uses: 'azure/login',
    needs: (inputs) => (inputs.get('creds')?.trim() ? [] : [{ scope: 'id-token', level: 'write', reason: 'to log in to Azure with OIDC', via: 'job' }]),
  },
];

/** A `gh` (GitHub CLI) command's needs, by `<group> <verb>`; `*` for any verb of the group. */
export const GH_COMMANDS: Readonly<Record<string, readonly ScopeNeed[] | 'unknown'>> = {
  'release create': [{ scope: 'contents', level: 'write', reason: 'to create a release' }],
  'release upload': [{ scope: 'contents', level: 'write', reason: 'to upload release assets' }],
  'release edit': [{ scope: 'contents', level: 'write', reason: 'to edit a release' }],
  'release delete': [{ scope: 'contents', level: 'write', reason: 'to delete a release' }],
  'release delete-asset': [{ scope: 'contents', level: 'write', reason: 'to delete a release asset' }],
  'release view': [{ scope: 'contents', level: 'read', reason: 'to read a release' }],
  'release list': [{ scope: 'contents', level: 'read', reason: 'to list releases' }],
  'release download': [{ scope: 'contents', level: 'read', reason: 'to download release assets' }],
  'pr create': [{ scope: 'pull-requests', level: 'write', reason: 'to open a pull request' }],
  'pr merge': [
    { scope: 'pull-requests', level: 'write', reason: 'to merge a pull request' },
    { scope: 'contents', level: 'write', reason: 'to merge a pull request' },
  ],
  'pr comment': [{ scope: 'pull-requests', level: 'write', reason: 'to comment on a pull request' }],
  'pr review': [{ scope: 'pull-requests', level: 'write', reason: 'to review a pull request' }],
  'pr edit': [{ scope: 'pull-requests', level: 'write', reason: 'to edit a pull request' }],
  'pr close': [{ scope: 'pull-requests', level: 'write', reason: 'to close a pull request' }],
  'pr reopen': [{ scope: 'pull-requests', level: 'write', reason: 'to reopen a pull request' }],
  'pr ready': [{ scope: 'pull-requests', level: 'write', reason: 'to mark a pull request ready' }],
  'pr view': [{ scope: 'pull-requests', level: 'read', reason: 'to read a pull request' }],
  'pr list': [{ scope: 'pull-requests', level: 'read', reason: 'to list pull requests' }],
  'pr diff': [{ scope: 'pull-requests', level: 'read', reason: 'to read a pull request' }],
  'pr checks': [{ scope: 'checks', level: 'read', reason: 'to read a pull request’s checks' }],
  'pr status': [{ scope: 'pull-requests', level: 'read', reason: 'to list pull requests' }],
  'issue create': [{ scope: 'issues', level: 'write', reason: 'to open an issue' }],
  'issue comment': [{ scope: 'issues', level: 'write', reason: 'to comment on an issue' }],
  'issue edit': [{ scope: 'issues', level: 'write', reason: 'to edit an issue' }],
  'issue close': [{ scope: 'issues', level: 'write', reason: 'to close an issue' }],
  'issue reopen': [{ scope: 'issues', level: 'write', reason: 'to reopen an issue' }],
  'issue view': [{ scope: 'issues', level: 'read', reason: 'to read an issue' }],
  'issue list': [{ scope: 'issues', level: 'read', reason: 'to list issues' }],
  'issue *': [{ scope: 'issues', level: 'write', reason: 'to change issues' }],
  'label *': [{ scope: 'issues', level: 'write', reason: 'to manage labels' }],
  'workflow run': [{ scope: 'actions', level: 'write', reason: 'to start a workflow' }],
  'run rerun': [{ scope: 'actions', level: 'write', reason: 'to re-run a workflow run' }],
  'run cancel': [{ scope: 'actions', level: 'write', reason: 'to cancel a workflow run' }],
  'run view': [{ scope: 'actions', level: 'read', reason: 'to read a workflow run' }],
  'run list': [{ scope: 'actions', level: 'read', reason: 'to list workflow runs' }],
  'run download': [{ scope: 'actions', level: 'read', reason: 'to download run artifacts' }],
  'cache delete': [{ scope: 'actions', level: 'write', reason: 'to delete caches' }],
  'cache list': [{ scope: 'actions', level: 'read', reason: 'to list caches' }],
  'attestation verify': [],
  'api *': 'unknown',
};

/** Scopes for which an unused write grant is high severity: push code and tags, push packages, start workflows. */
export const HIGH_RISK_WRITE_SCOPES = new Set(['contents', 'packages', 'actions']);

/** Every scope `permissions:` accepts (GitHub's workflow syntax), for messages and the fixer. */
export const TOKEN_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;
