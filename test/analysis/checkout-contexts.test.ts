import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkoutsOf, stepRunsWorkspaceCode } from '../../src/analysis/checkout.ts';
import { classifyContext } from '../../src/analysis/data/contexts.ts';
import { isGithubHostedLabel } from '../../src/analysis/runners.ts';
import { eventTrust, guardOfCondition } from '../../src/analysis/triggers.ts';
import { buildPipelineFile } from '../../src/models/github/build.ts';
import type { Workflow } from '../../src/models/github/types.ts';
import { loadShellParser } from '../../src/models/shell/parse.ts';
import { YamlFile } from '../../src/models/yaml/document.ts';
import { auditText } from '../helpers/audit.ts';

function workflow(text: string): Workflow {
  return buildPipelineFile('w.yml', YamlFile.parse(text), 'workflow') as Workflow;
}

test('checkoutsOf: untrusted refs, fork repositories, commands and persisted credentials', async () => {
  await loadShellParser();
  const wf = workflow(`on: pull_request_target
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.head_ref || github.ref }}
          persist-credentials: false
          path: pr
      - uses: actions/checkout@v4
        with:
          repository: \${{ github.event.pull_request.head.repo.full_name }}
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
          persist-credentials: \${{ inputs.persist }}
      - uses: actions/checkout@v4
        with:
          ref: \${{ steps.pr.outputs.head_sha }}
      - uses: actions/checkout@v4
        with:
          ref: main
      - run: |
          gh pr checkout 12
          git fetch origin pull/\${{ github.event.number }}/head:pr
          git -C sub pull origin \${{ github.event.workflow_run.head_branch }}
          git log --oneline
`);
  const checkouts = checkoutsOf(wf.jobs[0]!);
  assert.deepEqual(
    checkouts.map((c) => [c.kind, c.untrusted, c.persistCredentials, c.confidence, c.path ?? null]),
    [
      ['action', false, true, 'high', null],
      ['action', true, false, 'high', 'pr'],
      ['action', true, true, 'high', null],
      ['action', true, true, 'high', null],
      ['action', true, true, 'medium', null],
      ['action', false, true, 'high', null],
      ['command', true, false, 'high', null],
      ['command', true, false, 'high', null],
      ['command', true, false, 'high', null],
    ],
  );
  assert.equal(typeof checkouts[1]!.ref === 'object' && checkouts[1]!.ref.text, 'github.head_ref || github.ref');
  assert.equal(checkouts[5]!.ref, 'main');
});

test('stepRunsWorkspaceCode: inert commands, scripts, local and executing actions', async () => {
  await loadShellParser();
  const wf = workflow(`on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo hi
          git diff --stat
          cat README.md | grep -c x
      - run: npm ci
      - run: ./build.sh
      - uses: ./.github/actions/test
      - uses: docker/build-push-action@v6
      - uses: actions/upload-artifact@v4
      - run: cat .env >> "$GITHUB_ENV"
      - shell: pwsh
        run: ./build.ps1
`);
  assert.deepEqual(
    wf.jobs[0]!.steps.map((step) => stepRunsWorkspaceCode(step) !== null),
    [false, true, true, true, true, false, true, true],
  );
});

test('classifyContext: free text, fixed values, inputs, outputs, env', () => {
  const kind = (path: string) => classifyContext(path).kind;
  for (const path of ['github.event.issue.title', 'github.head_ref', 'github.event.commits.*.message', 'github.event.pull_request.head.ref', 'github.event', 'github.event.Issue.Body']) {
    assert.equal(kind(path), 'free-text', path);
  }
  for (const path of ['github.sha', 'github.event.pull_request.head.sha', 'needs.build.result', 'steps.x.outcome', 'github.event.issue.number', 'github.actor', 'github.event.pull_request.head.repo.full_name', 'github.ref_name', 'job.status', 'runner.os', 'matrix.os', 'vars.x', 'github.event.pull_request.updated_at']) {
    assert.equal(kind(path), 'fixed', path);
  }
  assert.equal(kind('inputs.tag'), 'caller-input');
  assert.equal(kind('github.event.inputs.tag'), 'caller-input');
  assert.equal(kind('steps.x.outputs.y'), 'step-output');
  assert.equal(kind('env.TITLE'), 'env');
  assert.deepEqual(classifyContext('github.event.comment.body').freeText?.events, ['issue_comment', 'pull_request_review_comment', 'discussion_comment', 'commit_comment']);
});

test('guardOfCondition and eventTrust read the guards people write', () => {
  assert.equal(guardOfCondition("contains(fromJSON('[\"alice\",\"bob\"]'), github.actor) && (github.event_name == 'issues' || github.event_name == 'issue_comment')").trustedActorOnly, true);
  assert.equal(guardOfCondition("github.actor == 'dependabot[bot]'").trustedActorOnly, false);
  assert.equal(eventTrust('pull_request_target', 'github.event.pull_request.head.repo.full_name == github.repository'), 'trusted');
  assert.equal(eventTrust('pull_request_target', "contains(github.event.pull_request.labels.*.name, 'ok')"), 'approved');
  assert.equal(eventTrust('issue_comment', "github.event.comment.author_association == 'OWNER' || github.event.comment.author_association == 'MEMBER'"), 'approved');
  assert.equal(eventTrust('issue_comment', "github.event.comment.author_association == 'OWNER' || github.actor == 'x'"), 'open');
  assert.equal(eventTrust('workflow_run', "github.event.workflow_run.event != 'pull_request'"), 'trusted');
  assert.equal(eventTrust('issue_comment', "contains(github.event.comment.body, '/run')"), 'open');
});

test('isGithubHostedLabel', () => {
  for (const label of ['ubuntu-latest', 'ubuntu-24.04-arm', 'ubuntu-latest-16-cores', 'ubuntu-22.04-16core', 'windows-2025', 'windows-11-arm', 'macos-15-xlarge', 'macos-14-large', 'macos-latest', 'ubuntu-slim']) {
    assert.ok(isGithubHostedLabel(label), label);
  }
  for (const label of ['self-hosted', 'linux', 'x64', 'gpu', 'ubuntu', 'my-ubuntu-latest']) assert.ok(!isGithubHostedLabel(label), label);
});

test('self-hosted-runner: visibility private lowers the severity; hosted-labels names larger runners', async () => {
  const text = `on: [pull_request, issue_comment]
permissions: {}
jobs:
  a:
    runs-on: [self-hosted, linux]
    steps: [{ run: make }]
  b:
    if: github.event_name == 'issue_comment'
    runs-on: [self-hosted]
    steps: [{ run: make }]
  c:
    runs-on: linux-8-core
    steps: [{ run: make }]
`;
  const severities = async (config: Record<string, unknown>) =>
    (await auditText(text, { ruleIds: ['self-hosted-runner'], config: { rules: { 'self-hosted-runner': { config } } } })).findings.map((f) => `${f.line}:${f.severity}`);
  assert.deepEqual(await severities({}), ['5:high', '9:medium', '12:high']);
  assert.deepEqual(await severities({ visibility: 'private', 'hosted-labels': ['linux-8-core'] }), ['5:medium', '9:low']);
});
