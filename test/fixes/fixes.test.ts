/**
 * Each rule's fix on a small workflow, compared with the exact text it should produce: what
 * changes, and that everything around it (comments, quoting, blank lines) stays as written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteContext } from '../../src/fixes/injection.ts';
import { fixText, outcomes } from './helpers.ts';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

test('oidc-token-scope moves id-token to the publishing job; debug-logging and the environment follow; the rest waits for --unsafe', async () => {
  const input = lines(
    'on:',
    '  push:',
    "    tags: ['v*']",
    'permissions:',
    '  contents: read',
    '  id-token: write',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: |',
    '          set -ex',
    '          pytest',
    '  release:',
    '    needs: test',
    '    runs-on: ubuntu-latest',
    '    env:',
    '      ACTIONS_STEP_DEBUG: true',
    '    steps:',
    '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
    '        with:',
    '          persist-credentials: false',
    '      - run: python -m build',
    '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
    '        with:',
    '          user: __token__',
    '          password: ${{ secrets.PYPI_API_TOKEN }}',
  );
  const safe = await fixText(input);
  assert.equal(
    safe.text,
    lines(
      'on:',
      '  push:',
      "    tags: ['v*']",
      'permissions:',
      '  contents: read',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          set -e',
      '          pytest',
      '  release:',
      '    needs: test',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    permissions:',
      '      contents: read',
      '      id-token: write # to mint OIDC tokens (Trusted Publishing, cloud logins)',
      '    steps:',
      '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
      '        with:',
      '          persist-credentials: false',
      '      - run: python -m build',
      '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
      '        with:',
      '          user: __token__',
      '          password: ${{ secrets.PYPI_API_TOKEN }}',
    ),
  );
  const byRule = (rule: string) => safe.result.records.filter((record) => record.rule === rule).map((record) => record.outcome);
  assert.deepEqual(byRule('long-lived-publish-token'), ['unsafe']);
  // The move leaves the job that builds and publishes: the split is the unsafe follow-up.
  assert.deepEqual(
    safe.result.records.filter((record) => record.rule === 'oidc-token-scope').map((record) => [record.outcome, record.appeared ?? false]),
    [
      ['fixed', false],
      ['unsafe', true],
    ],
  );

  const unsafe = await fixText(input, { unsafe: true });
  assert.equal(
    unsafe.text,
    lines(
      'on:',
      '  push:',
      "    tags: ['v*']",
      'permissions:',
      '  contents: read',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          set -e',
      '          pytest',
      '  build:',
      '    needs: test',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '    steps:',
      '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
      '        with:',
      '          persist-credentials: false',
      '      - run: python -m build',
      '      - uses: actions/upload-artifact@65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08 # v4.6.0',
      '        with:',
      '          name: dist',
      '          path: dist/',
      '  release:',
      '    needs: [test, build]',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    permissions:',
      '      contents: read',
      '      id-token: write # to mint OIDC tokens (Trusted Publishing, cloud logins)',
      '    steps:',
      '      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8',
      '        with:',
      '          name: dist',
      '          path: dist/',
      '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
    ),
  );
  assert.ok(unsafe.result.records.every((record) => record.outcome === 'fixed' || record.outcome === 'resolved' || record.rule === 'unpinned-action' || record.outcome === 'no-fix'), outcomes(unsafe.result).join('\n'));
  const trusted = unsafe.result.records.find((record) => record.rule === 'long-lived-publish-token')!.fix!.trustedPublisher;
  // The environment added by another fix is what the trusted publisher must name.
  assert.deepEqual(trusted, { index: 'pypi', workflow: 'release.yml', job: 'release', environment: 'pypi' });
});

test('excessive-permissions replaces write-all with a commented least-privilege block per job, keeping id-token where it is used', async () => {
  const input = lines(
    'on: push',
    '',
    'permissions: write-all # everything',
    '',
    'jobs:',
    '  test:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
    '        with:',
    '          persist-credentials: false',
    '',
    '  publish:',
    '    runs-on: ubuntu-latest',
    '    environment: pypi',
    '    # upload',
    '    steps:',
    '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
  );
  const { text, result } = await fixText(input, { ruleIds: ['excessive-permissions'] });
  assert.equal(
    text,
    lines(
      'on: push',
      '',
      'permissions: {} # everything',
      '',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read # to fetch the repository (actions/checkout)',
      '    steps:',
      '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
      '        with:',
      '          persist-credentials: false',
      '',
      '  publish:',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    permissions:',
      '      id-token: write # to publish with Trusted Publishing (pypa/gh-action-pypi-publish)',
      '    # upload',
      '    steps:',
      '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
    ),
  );
  assert.deepEqual(outcomes(result), ['excessive-permissions:3 fixed']);
});

test('excessive-permissions narrows unused writes in place and is unsafe next to steps it does not know', async () => {
  const input = lines(
    'on: push',
    'permissions: {}',
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      contents: write # releases',
    '      packages: write',
    '    steps:',
    '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
    '        with:',
    '          persist-credentials: false',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    permissions: { contents: write, issues: write }',
    '    steps:',
    '      - uses: example-org/deploy@0123456789abcdef0123456789abcdef01234567 # v1',
  );
  const safe = await fixText(input, { ruleIds: ['excessive-permissions'] });
  assert.equal(
    safe.text,
    input.replace('      contents: write # releases\n      packages: write\n', '      contents: read # releases\n'),
  );
  assert.deepEqual(outcomes(safe.result), ['excessive-permissions:7 fixed', 'excessive-permissions:15 unsafe']);
  const unsafe = await fixText(input, { ruleIds: ['excessive-permissions'], unsafe: true });
  assert.match(unsafe.text, /permissions: \{\}\n {4}steps:\n {6}- uses: example-org/);
  assert.deepEqual(unsafe.result.records.find((record) => record.line === 15)?.fix?.followUp, [
    'Check that `example-org/deploy` does not need `contents: write`, `issues: write`.',
  ]);
});

test('debug-logging: debug variables, set -x in its forms, shell options, verbose flags', async () => {
  const input = lines(
    'on: push',
    'permissions: {}',
    'env:',
    '  ACTIONS_RUNNER_DEBUG: true',
    '  KEEP: 1',
    'jobs:',
    '  publish:',
    '    runs-on: ubuntu-latest',
    '    environment: pypi',
    '    permissions:',
    '      id-token: write',
    '    defaults:',
    '      run:',
    '        shell: bash -ex {0}',
    '    steps:',
    '      - env:',
    '          ACTIONS_STEP_DEBUG: ${{ vars.DEBUG }}',
    '        run: |',
    '          set -x; uv build   # trace',
    '          set -o xtrace',
    '          set -euxo pipefail',
    '          bash -x ./upload.sh',
    '          uv publish -v',
  );
  const { text, result } = await fixText(input, { ruleIds: ['debug-logging'] });
  assert.equal(
    text,
    lines(
      'on: push',
      'permissions: {}',
      'env:',
      '  KEEP: 1',
      'jobs:',
      '  publish:',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    permissions:',
      '      id-token: write',
      '    defaults:',
      '      run:',
      '        shell: bash -e {0}',
      '    steps:',
      '      - run: |',
      '          uv build   # trace',
      '          set -euo pipefail',
      '          bash ./upload.sh',
      '          uv publish',
    ),
  );
  assert.ok(result.records.every((record) => record.outcome === 'fixed'), outcomes(result).join('\n'));
});

test('persist-credentials: a new with:, an existing one, and unsafe when a later step pushes', async () => {
  const input = lines(
    'on: pull_request_target',
    'permissions: {}',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
    '      - uses: actions/upload-artifact@65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08 # v4.6.0',
    '        with: { path: ., include-hidden-files: true }',
    '  b:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2',
    '        with:',
    '          fetch-depth: 0',
    '      - uses: actions/upload-artifact@65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08 # v4.6.0',
    '        with: { path: ., include-hidden-files: true }',
    '      - run: git push origin HEAD:refs/heads/bump',
  );
  const { text, result } = await fixText(input, { ruleIds: ['persist-credentials'] });
  assert.equal(
    text,
    input.replace(
      '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2\n      - uses',
      '      - uses: actions/checkout@11bbf7e6cffac7ccf4f803d40255e0cd54c60236 # v4.2.2\n        with:\n          persist-credentials: false\n      - uses',
    ),
  );
  assert.deepEqual(outcomes(result), ['persist-credentials:7 fixed', 'persist-credentials:13 unsafe']);
  const unsafe = await fixText(input, { ruleIds: ['persist-credentials'], unsafe: true });
  assert.match(unsafe.text, / {10}fetch-depth: 0\n {10}persist-credentials: false\n/);
  assert.match(unsafe.result.records[1]!.fix!.followUp![0]!, /pushes or fetches with the credentials/);
});

test('publish-without-environment: the environment name comes from the config; the trusted publisher settings are given', async () => {
  const input = lines(
    'on:',
    '  release:',
    '    types: [published]',
    'permissions: {}',
    'jobs:',
    '  pypi:',
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      id-token: write',
    '    steps:',
    '      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8',
    '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
  );
  const config = { rules: { 'publish-without-environment': { config: { environment: 'release' } } } };
  const { text, result } = await fixText(input, { ruleIds: ['publish-without-environment'], config });
  assert.equal(text, input.replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    environment: release\n'));
  const fix = result.records[0]!.fix!;
  assert.deepEqual(fix.trustedPublisher, { index: 'pypi', workflow: 'release.yml', environment: 'release', job: 'pypi' });
  assert.ok(fix.followUp!.some((step) => step.includes('Settings → Environments → `release`')));
});

test('long-lived-publish-token switches the action to Trusted Publishing in each permissions shape', async () => {
  const job = (permissions: string[]) =>
    lines(
      'on: push',
      ...permissions,
      'jobs:',
      '  publish:',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    steps:',
      '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
      '        with:',
      '          repository-url: https://test.pypi.org/legacy/',
      '          password: ${{ secrets.TEST_PYPI_TOKEN }}',
    );
  const run = async (permissions: string[]) => (await fixText(job(permissions), { ruleIds: ['long-lived-publish-token'], unsafe: true })).text;
  assert.equal(
    await run(['permissions:', '  contents: read']),
    lines(
      'on: push',
      'permissions:',
      '  contents: read',
      'jobs:',
      '  publish:',
      '    runs-on: ubuntu-latest',
      '    environment: pypi',
      '    permissions:',
      '      contents: read',
      '      id-token: write # to publish with Trusted Publishing',
      '    steps:',
      '      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4',
      '        with:',
      '          repository-url: https://test.pypi.org/legacy/',
    ),
  );
  assert.match(await run(['permissions: {}']), /environment: pypi\n {4}permissions:\n {6}id-token: write # to publish with Trusted Publishing\n/);
  assert.match(await run(['permissions: write-all']), /environment: pypi\n {4}steps:/);
  const { result } = await fixText(job(['permissions: {}']), { ruleIds: ['long-lived-publish-token'], unsafe: true });
  const fix = result.records[0]!.fix!;
  assert.equal(fix.safety, 'unsafe');
  assert.deepEqual(fix.trustedPublisher, { index: 'testpypi', workflow: 'release.yml', environment: 'pypi', job: 'publish' });
  assert.ok(fix.followUp!.some((step) => step.includes('delete the secret `TEST_PYPI_TOKEN`')));
});

test('template-injection moves expressions into env:, quoted for where they stood', async () => {
  const input = lines(
    'on: [issues, pull_request_target]',
    'permissions: {}',
    'jobs:',
    '  triage:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: |',
    '          echo "Title: ${{ github.event.issue.title }}" ${{ github.event.issue.title }}',
    "          echo '${{ github.event.issue.body }}' 'x ${{ github.head_ref }} y'",
    '          cat <<EOF',
    '          ${{ github.event.issue.body }}',
    '          EOF',
    "          cat <<'EOF'",
    '          ${{ github.event.issue.body }}',
    '          EOF',
    '        env:',
    '          TOKEN: ${{ secrets.BOT }}',
    '      - shell: pwsh',
    '        run: Write-Host "${{ github.event.issue.title }}"',
  );
  const safe = await fixText(input, { ruleIds: ['template-injection'] });
  assert.equal(safe.text, input);
  const { text, result } = await fixText(input, { ruleIds: ['template-injection'], unsafe: true });
  assert.equal(
    text,
    lines(
      'on: [issues, pull_request_target]',
      'permissions: {}',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      '          echo "Title: ${ISSUE_TITLE}" "${ISSUE_TITLE}"',
      `          echo "\${ISSUE_BODY}" 'x '"\${GITHUB_HEAD_REF}"' y'`,
      '          cat <<EOF',
      '          ${ISSUE_BODY}',
      '          EOF',
      "          cat <<'EOF'",
      '          ${{ github.event.issue.body }}',
      '          EOF',
      '        env:',
      '          TOKEN: ${{ secrets.BOT }}',
      '          ISSUE_TITLE: ${{ github.event.issue.title }}',
      '          ISSUE_BODY: ${{ github.event.issue.body }}',
      '      - shell: pwsh',
      '        run: Write-Host "${{ github.event.issue.title }}"',
    ),
  );
  const left = result.records.filter((record) => record.outcome !== 'fixed').map((record) => `${record.line} ${record.outcome}: ${record.reason}`);
  assert.deepEqual(left, [
    '14 unavailable: `${{ github.event.issue.body }}` is in a quoted here-document, where a variable would not expand; move it by hand',
    '19 unavailable: the script runs in `pwsh`, not a POSIX shell; move the expression to `env:` by hand',
  ]);
});

test('the shell quoting context of a position', () => {
  const at = (script: string) => quoteContext(script.replace('@', 'x'), script.indexOf('@'));
  assert.equal(at('echo @'), 'plain');
  assert.equal(at('echo "a @"'), 'double');
  assert.equal(at("echo 'a @'"), 'single');
  assert.equal(at('echo "$(cmd @)"'), 'plain');
  assert.equal(at('echo "a\\" @"'), 'double');
  assert.equal(at("x='it''s' @"), 'plain');
  assert.equal(at('# comment @'), 'comment');
  assert.equal(at('echo a#b @'), 'plain');
  assert.equal(at('cat <<-EOF\n\t@\n\tEOF'), 'heredoc');
  assert.equal(at("cat <<'EOF' > f\n@\nEOF"), 'quoted-heredoc');
  assert.equal(at('cat <<EOF\nx\nEOF\necho @'), 'plain');
  assert.equal(at('cat <<< @'), 'plain');
});

test('split: refused, with the reason, where it is not mechanical', async () => {
  const input = lines(
    'on: push',
    'permissions: {}',
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-latest',
    '    environment: pypi',
    '    permissions:',
    '      id-token: write',
    '    steps:',
    '      - run: |',
    '          uv build',
    '          uv publish',
  );
  const { text, result } = await fixText(input, { ruleIds: ['oidc-token-scope'], unsafe: true });
  assert.equal(text, input);
  assert.match(result.records[0]!.reason!, /^the upload runs in a `run:` script, which needs the tools the build steps install; split job `release` by hand/);
});
