import type { Job, Step, Workflow } from '../models/github/types.ts';
import { stepPublishes } from './publish.ts';

/**
 * Actions that request an OIDC token themselves. Keep to actions whose documentation says they
 * need `id-token: write`.
 */
const OIDC_ACTIONS = new Set([
  'pypa/gh-action-pypi-publish',
  'pyo3/maturin-action',
  'rubygems/release-gem',
  'rubygems/configure-rubygems-credentials',
  'js-devtools/npm-publish',
  'aws-actions/configure-aws-credentials',
  'google-github-actions/auth',
  'azure/login',
  'actions/attest-build-provenance',
  'actions/attest',
  'actions/attest-sbom',
  'sigstore/gh-action-sigstore-python',
  'sigstore/cosign-installer',
  'hashicorp/vault-action',
  'octo-sts/action',
  'codecov/codecov-action',
  'docker/login-action',
  'slsa-framework/slsa-github-generator',
  'rust-lang/crates-io-auth-action',
  // npm Trusted Publishing through `npm publish` inside the action.
  'changesets/action',
  // Exchanges the job's OIDC token for a GitHub App token.
  'anthropics/claude-code-action',
]);

const OIDC_SCRIPT = /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|getIDToken\s*\(|\bnpm\s+publish\b[^\n]*--provenance|\b(npm|pnpm)\s+(run\s+)?(publish|release)\b|\bchangeset\s+publish\b|\bcosign\s+(sign|attest)|\bgh\s+attestation\b|\buv\s+publish\b|\btrusted[-_]publishing\b/;

const OIDC_REQUEST = /ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|\/_\/oidc\/mint-token|getIDToken\s*\(/;

/** Vendors' installers of a language toolchain or package manager: they request no OIDC token. */
export const TOOLCHAIN_INSTALLERS: readonly string[] = [
  'astral-sh/setup-uv',
  'pnpm/action-setup',
  'oven-sh/setup-bun',
  'denoland/setup-deno',
  'dtolnay/rust-toolchain',
  'ruby/setup-ruby',
  'pdm-project/setup-pdm',
  'prefix-dev/setup-pixi',
  'graalvm/setup-graalvm',
];

/** Does one command of a script request an OIDC token or exchange one (`curl "$ACTIONS_ID_TOKEN_REQUEST_URL…"`)? */

export function commandRequestsOidc(text: string): boolean {
  return OIDC_REQUEST.test(text);
}

/** Does this step (plausibly) request an OIDC token? */
export function stepUsesOidc(step: Step, job: Job, workflow: Workflow): boolean {
  if (step.uses?.slug && OIDC_ACTIONS.has(step.uses.slug)) return true;
  if (step.uses?.slug === 'actions/github-script' && step.with.some((input) => input.name === 'script' && /getIDToken/.test(input.value))) return true;
  // build-and-inspect-python-package attests its artifacts when asked to.
  if (step.uses?.slug === 'hynek/build-and-inspect-python-package' && step.with.some((input) => /^attest/.test(input.name) && /^true$/i.test(input.value.trim()))) return true;
  if (step.run && OIDC_SCRIPT.test(step.run.text)) return true;
  return stepPublishes(step, job, workflow).some((site) => site.auth === 'oidc');
}

export function jobUsesOidc(job: Job, workflow: Workflow): boolean {
  // A reusable-workflow call passes the permission on; what the callee does is not visible here.
  if (job.uses) return true;
  return job.steps.some((step) => stepUsesOidc(step, job, workflow));
}
