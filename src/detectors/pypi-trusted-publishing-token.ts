import { defineDetector } from './detector.ts';
import { MIN_PYPI_LENGTH, PYPI_PATTERN, decodePypi, pypiCandidate } from './shared/pypi.ts';

export default defineDetector({
  meta: {
    id: 'pypi-trusted-publishing-token',
    summary: 'PyPI upload token minted by Trusted Publishing (valid 15 minutes)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `Trusted Publishing exchanges a GitHub OIDC token for a PyPI upload token (\`POST /_/oidc/mint-token\`).
Unlike the OIDC token, which PyPI accepts once, the minted token can be used any number of times until it
expires, 900 seconds after it was minted (\`expires_at = not_before + 900\` in warehouse), for every project the
trusted publisher may publish. The window is written in the token, so cordon can tell whether it was still
open when the line was written and whether anyone reading the log live could have used it.
\`pypa/gh-action-pypi-publish\` masks the token it mints; a token in a log comes from a hand-written exchange
(\`curl …/_/oidc/mint-token\`) or from debug output.`,
      respond: [
        'If the 15-minute window is still open, remove the trusted publisher (https://pypi.org/manage/project/<name>/settings/publishing/) to stop new tokens being minted; the leaked token itself cannot be deleted from the account page and expires on its own.',
        'Check every project in scope for uploads made during the window: the project\'s Security history (https://pypi.org/manage/project/<name>/history/) records each upload and how it was authenticated; a release or file you did not upload means the token was used.',
        'Yank or delete unexpected releases and contact security@pypi.org.',
        'Fix the step that printed it: use pypa/gh-action-pypi-publish, or register the token with `echo "::add-mask::$TOKEN"` before anything prints it, and delete the log (`gh api -X DELETE /repos/{owner}/{repo}/actions/runs/{run_id}/logs`).',
      ],
      references: [
        'https://docs.pypi.org/trusted-publishers/internals/',
        'https://github.com/pypi/warehouse/blob/main/warehouse/oidc/views.py',
      ],
    },
  },
  pattern: PYPI_PATTERN,
  keywords: ['pypi-'],
  validate(secret) {
    if (secret.length < MIN_PYPI_LENGTH) return false;
    const candidate = pypiCandidate(secret);
    return candidate.info?.kind === 'trusted-publishing' && candidate.location !== 'test.pypi.org';
  },
  decode: (secret) => decodePypi(secret, 'PyPI upload token minted by Trusted Publishing'),
});
