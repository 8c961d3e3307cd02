import { defineDetector } from './detector.ts';
import { MIN_PYPI_LENGTH, PYPI_PATTERN, decodePypi, pypiCandidate } from './shared/pypi.ts';

export default defineDetector({
  meta: {
    id: 'pypi-token',
    summary: 'PyPI API token (user- or project-scoped macaroon)',
    severity: 'critical',
    confidence: 'high',
    docs: {
      why: `A PyPI API token (\`pypi-\` followed by a macaroon) uploads new releases of every project it is
scoped to: all projects of its owner for a user-scoped token, the named projects for a project-scoped one.
Tokens created on the account page never expire; they stay valid until someone deletes them. The scope is
written into the token, so cordon reads it offline (projects, project ids, user id) without contacting PyPI.
The Ultralytics compromise (December 2024) published two of its malicious releases with an API token that
had not been revoked.`,
      respond: [
        'Delete the token now: Account settings → API tokens (https://pypi.org/manage/account/) lists the account\'s tokens, each with a "Remove token" option; owners of a project also see the tokens scoped to it on https://pypi.org/manage/project/<name>/settings/. https://pypi.org/manage/account/token/ creates the replacement. Deletion takes effect at once.',
        'If you cannot tell which token it is, delete every token that could be it: the token id cordon decoded is the macaroon identifier, not the name shown on the page.',
        'Check every project in scope for releases and files uploaded since the log was written: the project\'s Security history (https://pypi.org/manage/project/<name>/history/) records each upload and how it was authenticated, and the account\'s Security history lists token events.',
        'Yank or delete releases you did not make and tell your users; PyPI\'s admins can help (security@pypi.org).',
        'Replace the token with Trusted Publishing (https://docs.pypi.org/trusted-publishers/) so no long-lived token is stored in CI, then delete the log (`gh api -X DELETE /repos/{owner}/{repo}/actions/runs/{run_id}/logs`).',
      ],
      references: [
        'https://pypi.org/help/#apitoken',
        'https://docs.pypi.org/trusted-publishers/',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
        'https://github.com/pypi/warehouse/blob/main/warehouse/macaroons/caveats/__init__.py',
      ],
    },
  },
  pattern: PYPI_PATTERN,
  keywords: ['pypi-'],
  validate(secret) {
    if (secret.length < MIN_PYPI_LENGTH) return false;
    const candidate = pypiCandidate(secret);
    if (candidate.location === 'test.pypi.org') return false;
    if (candidate.info?.kind === 'trusted-publishing') return false;
    return candidate.info !== undefined || candidate.location === 'pypi.org';
  },
  decode: (secret) => decodePypi(secret, 'PyPI API token'),
  confidence: (secret) => (pypiCandidate(secret).info ? 'high' : 'medium'),
});
