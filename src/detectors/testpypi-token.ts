import { defineDetector } from './detector.ts';
import { MIN_PYPI_LENGTH, PYPI_PATTERN, decodePypi, pypiCandidate } from './shared/pypi.ts';

export default defineDetector({
  meta: {
    id: 'testpypi-token',
    summary: 'TestPyPI API token or minted upload token (test.pypi.org)',
    severity: 'medium',
    confidence: 'high',
    docs: {
      why: `A token for test.pypi.org (\`pypi-AgENdGVzdC5weXBpLm9yZw…\`) uploads to PyPI's test index only: it cannot
publish to pypi.org. It still lets anyone publish under your project names there, which matters to users who
install from TestPyPI (\`--index-url https://test.pypi.org/simple/\`, often with \`--extra-index-url\` pointing at
PyPI, a recipe for dependency confusion). API tokens live until deleted; tokens minted by Trusted Publishing
for TestPyPI expire after 15 minutes, as on PyPI.`,
      respond: [
        'Delete the token in Account settings → API tokens on https://test.pypi.org/manage/account/ (project-scoped tokens also on https://test.pypi.org/manage/project/<name>/settings/).',
        'Check the projects in scope on test.pypi.org for uploads you did not make and delete them.',
        'Make sure nothing installs from TestPyPI in production, and delete the log (`gh api -X DELETE /repos/{owner}/{repo}/actions/runs/{run_id}/logs`).',
      ],
      references: ['https://test.pypi.org/help/#apitoken', 'https://packaging.python.org/en/latest/guides/using-testpypi/'],
    },
  },
  pattern: PYPI_PATTERN,
  keywords: ['pypi-'],
  validate(secret) {
    if (secret.length < MIN_PYPI_LENGTH) return false;
    return pypiCandidate(secret).location === 'test.pypi.org';
  },
  decode: (secret) => decodePypi(secret, 'TestPyPI token'),
  confidence: (secret) => (pypiCandidate(secret).info ? 'high' : 'medium'),
});
