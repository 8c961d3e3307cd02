import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildPipelineFile } from '../../src/models/github/build.ts';
import type { CompositeAction, Job, Step, Workflow } from '../../src/models/github/types.ts';
import { loadShellParser } from '../../src/models/shell/parse.ts';
import { YamlFile } from '../../src/models/yaml/document.ts';
import { assertConsistent, assertSpanIs, assertStartsAt, locate } from './spans.ts';

before(async () => {
  await loadShellParser();
});

function workflow(text: string): Workflow {
  const file = buildPipelineFile('.github/workflows/w.yml', YamlFile.parse(text), 'workflow');
  assert.equal(file.kind, 'workflow');
  return file as Workflow;
}

function action(text: string): CompositeAction {
  const file = buildPipelineFile('action.yml', YamlFile.parse(text), 'action');
  assert.equal(file.kind, 'action');
  return file as CompositeAction;
}

function job(file: Workflow, id: string): Job {
  const found = file.jobs.find((candidate) => candidate.id === id);
  assert.ok(found, `no job ${id}`);
  return found;
}

function step(owner: { steps: Step[] }, index: number): Step {
  const found = owner.steps[index];
  assert.ok(found, `no step ${index}`);
  return found;
}

const RELEASE = `name: Release
run-name: Release \${{ github.ref_name }}
on:
  push:
    branches: [main, 'release/**']
    tags:
      - v*
    paths:
      - src/**
  pull_request:
    types: [opened, synchronize]
    branches-ignore: [wip]
  workflow_dispatch:
    inputs:
      dry-run:
        type: boolean
        default: false
      channel:
        type: string
permissions:
  contents: read
  id-token: write
env:
  GLOBAL: \${{ vars.GLOBAL }}
  PLAIN: hello
defaults:
  run:
    shell: bash -euo pipefail {0}
jobs:
  build:
    name: Build
    runs-on: [self-hosted, linux]
    permissions: read-all
    environment: staging
    defaults:
      run:
        shell: sh
    env:
      JOB_ENV: \${{ secrets.JOB_SECRET }}
    strategy:
      matrix:
        node: [18, 20]
    container: node:20
    services:
      redis:
        image: redis:7
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: \${{ secrets.DB_PASSWORD }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          token: \${{ secrets.PAT }}
      - name: Test
        id: test
        if: \${{ github.event_name == 'push' }}
        env:
          STEP_ENV: \${{ matrix.node }}
        run: |
          npm ci
          npm test -- --node "\${{ matrix.node }}" | tee log.txt
      - shell: pwsh
        run: Write-Host hi
  publish:
    needs: [build]
    runs-on: ubuntu-latest
    permissions: {}
    environment:
      name: pypi
      url: https://pypi.org/p/x
    container:
      image: python:3.12
    steps:
      - run: echo hi
  call:
    uses: octo/repo/.github/workflows/release.yml@v1
    with:
      version: \${{ github.ref_name }}
    secrets: inherit
  call-local:
    uses: ./.github/workflows/local.yml
    secrets:
      token: \${{ secrets.TOKEN }}
  everything:
    permissions: write-all
    runs-on: ubuntu-latest
    steps: []
`;

describe('workflow triggers', () => {
  test('`on` as a string', () => {
    const text = 'on: push\njobs: {}\n';
    const file = workflow(text);
    assert.deepEqual(
      file.triggers.map((trigger) => trigger.event),
      ['push'],
    );
    assertSpanIs(text, file.triggers[0]!.span, 'push');
    assertSpanIs(text, file.triggersSpan, 'on');
  });

  test('`on` as a list', () => {
    const text = 'name: x\non: [push, pull_request_target]\njobs: {}\n';
    const file = workflow(text);
    assert.deepEqual(
      file.triggers.map((trigger) => trigger.event),
      ['push', 'pull_request_target'],
    );
    assertSpanIs(text, file.triggers[1]!.span, 'pull_request_target');
    assert.deepEqual(file.triggers[1]!.span.start, { line: 2, column: 12 });
  });

  test('`on` as a block list', () => {
    const text = 'on:\n  - push\n  - workflow_dispatch\njobs: {}\n';
    const file = workflow(text);
    assertSpanIs(text, file.triggers[1]!.span, 'workflow_dispatch');
    assert.deepEqual(file.triggers[1]!.span.start, { line: 3, column: 5 });
  });

  test('`on` as a map with filters and inputs', () => {
    const file = workflow(RELEASE);
    assert.deepEqual(
      file.triggers.map((trigger) => trigger.event),
      ['push', 'pull_request', 'workflow_dispatch'],
    );
    const [push, pullRequest, dispatch] = file.triggers;
    assertSpanIs(RELEASE, push!.span, 'push');
    assert.deepEqual(push!.span.start, { line: 4, column: 3 });
    assert.deepEqual(
      push!.branches?.map((branch) => branch.value),
      ['main', 'release/**'],
    );
    assertSpanIs(RELEASE, push!.branches![0]!.span, 'main');
    // A quoted scalar's span includes its quotes.
    assertSpanIs(RELEASE, push!.branches![1]!.span, "'release/**'");
    assertSpanIs(RELEASE, push!.tags![0]!.span, 'v*');
    assert.deepEqual(push!.tags![0]!.span.start, { line: 7, column: 9 });
    assertSpanIs(RELEASE, push!.paths![0]!.span, 'src/**');
    assert.deepEqual(
      pullRequest!.types?.map((type) => type.value),
      ['opened', 'synchronize'],
    );
    assertSpanIs(RELEASE, pullRequest!.types![1]!.span, 'synchronize');
    assertSpanIs(RELEASE, pullRequest!.branchesIgnore![0]!.span, 'wip');
    assert.equal(pullRequest!.branches, undefined);
    assert.deepEqual(
      dispatch!.inputs?.map((input) => input.value),
      ['dry-run', 'channel'],
    );
    assertSpanIs(RELEASE, dispatch!.inputs![0]!.span, 'dry-run');
    assert.deepEqual(dispatch!.inputs![0]!.span.start, { line: 15, column: 7 });
  });

  test('workflow_call and workflow_run', () => {
    const text = `on:
  workflow_call:
    inputs:
      version: { type: string }
  workflow_run:
    workflows: [CI]
    types: [completed]
jobs: {}
`;
    const file = workflow(text);
    assertSpanIs(text, file.triggers[0]!.inputs![0]!.span, 'version');
    assertSpanIs(text, file.triggers[1]!.workflows![0]!.span, 'CI');
    assertSpanIs(text, file.triggers[1]!.types![0]!.span, 'completed');
  });
});

describe('permissions', () => {
  test('a map of scopes', () => {
    const file = workflow(RELEASE);
    const permissions = file.permissions!;
    assert.equal(permissions.kind, 'map');
    assert.deepEqual(permissions.route, ['permissions']);
    assert.equal(permissions.scopes.get('contents')?.value, 'read');
    assert.equal(permissions.scopes.get('id-token')?.value, 'write');
    // A scope's span covers `scope: level`.
    assertSpanIs(RELEASE, permissions.scopes.get('id-token')!.span, 'id-token: write');
    assert.deepEqual(permissions.scopes.get('id-token')!.span.start, { line: 22, column: 3 });
    assertStartsAt(RELEASE, permissions.span, 'contents: read');
  });

  test('read-all, write-all and {}', () => {
    const file = workflow(RELEASE);
    const build = job(file, 'build').permissions!;
    assert.equal(build.kind, 'read-all');
    assertSpanIs(RELEASE, build.span, 'read-all');
    assert.deepEqual(build.route, ['jobs', 'build', 'permissions']);
    const everything = job(file, 'everything').permissions!;
    assert.equal(everything.kind, 'write-all');
    assertSpanIs(RELEASE, everything.span, 'write-all');
    const publish = job(file, 'publish').permissions!;
    assert.equal(publish.kind, 'none');
    assert.equal(publish.scopes.size, 0);
    assertSpanIs(RELEASE, publish.span, '{}');
    assert.equal(job(file, 'call').permissions, undefined);
  });

  test('flow map of scopes and an empty value', () => {
    const text = 'on: push\npermissions: { id-token: write, contents: none }\njobs:\n  a:\n    permissions:\n    steps: []\n';
    const file = workflow(text);
    assert.equal(file.permissions?.kind, 'map');
    assertSpanIs(text, file.permissions!.scopes.get('id-token')!.span, 'id-token: write');
    assert.equal(file.permissions!.scopes.get('contents')?.value, 'none');
    assert.equal(job(file, 'a').permissions?.kind, 'none');
  });

  test('an expression', () => {
    const file = workflow('on: push\npermissions: ${{ fromJSON(vars.PERMS) }}\njobs: {}\n');
    assert.equal(file.permissions?.kind, 'expression');
  });
});

describe('env, with and secrets', () => {
  test('env at workflow, job and step level', () => {
    const file = workflow(RELEASE);
    assert.deepEqual(
      file.env.map((entry) => [entry.name, entry.value]),
      [
        ['GLOBAL', '${{ vars.GLOBAL }}'],
        ['PLAIN', 'hello'],
      ],
    );
    const global = file.env[0]!;
    assertSpanIs(RELEASE, global.nameSpan, 'GLOBAL');
    assertSpanIs(RELEASE, global.span, '${{ vars.GLOBAL }}');
    assert.deepEqual(global.route, ['env', 'GLOBAL']);
    assert.equal(global.expressions.length, 1);
    assertSpanIs(RELEASE, global.expressions[0]!.span, '${{ vars.GLOBAL }}');
    assert.deepEqual(
      global.expressions[0]!.contexts.map((ref) => ref.path),
      ['vars.GLOBAL'],
    );
    assert.deepEqual(file.env[1]!.expressions, []);

    const build = job(file, 'build');
    const jobEnv = build.env[0]!;
    assert.equal(jobEnv.name, 'JOB_ENV');
    assertSpanIs(RELEASE, jobEnv.nameSpan, 'JOB_ENV');
    assertSpanIs(RELEASE, jobEnv.span, '${{ secrets.JOB_SECRET }}');
    assert.deepEqual(jobEnv.route, ['jobs', 'build', 'env', 'JOB_ENV']);
    assert.ok(build.expressions.some((expression) => expression.text === 'secrets.JOB_SECRET'));

    const test = step(build, 1);
    const stepEnv = test.env[0]!;
    assert.equal(stepEnv.name, 'STEP_ENV');
    assertSpanIs(RELEASE, stepEnv.span, '${{ matrix.node }}');
    assert.deepEqual(stepEnv.route, ['jobs', 'build', 'steps', 1, 'env', 'STEP_ENV']);
  });

  test('with inputs of a step', () => {
    const checkout = step(job(workflow(RELEASE), 'build'), 0);
    assert.deepEqual(
      checkout.with.map((input) => [input.name, input.value]),
      [
        ['fetch-depth', '0'],
        ['token', '${{ secrets.PAT }}'],
      ],
    );
    assertSpanIs(RELEASE, checkout.with[0]!.nameSpan, 'fetch-depth');
    assertSpanIs(RELEASE, checkout.with[0]!.span, '0', locateNth(RELEASE, '0', 'fetch-depth: 0'));
    assertSpanIs(RELEASE, checkout.with[1]!.span, '${{ secrets.PAT }}');
    assertSpanIs(RELEASE, checkout.with[1]!.expressions[0]!.span, '${{ secrets.PAT }}');
    assert.deepEqual(checkout.with[1]!.route, ['jobs', 'build', 'steps', 0, 'with', 'token']);
  });

  test('reusable-workflow jobs: uses, with, secrets: inherit and a secrets map', () => {
    const file = workflow(RELEASE);
    const call = job(file, 'call');
    assert.equal(call.uses?.kind, 'reusable-workflow');
    assert.equal(call.uses?.slug, 'octo/repo');
    assert.equal(call.uses?.path, '.github/workflows/release.yml');
    assert.equal(call.uses?.ref, 'v1');
    assertSpanIs(RELEASE, call.uses!.span, 'octo/repo/.github/workflows/release.yml@v1');
    assertSpanIs(RELEASE, call.with[0]!.span, '${{ github.ref_name }}', 1);
    assertSpanIs(RELEASE, call.secretsInherit, 'inherit');
    assert.deepEqual(call.secrets, []);
    assert.deepEqual(call.steps, []);

    const local = job(file, 'call-local');
    assert.equal(local.uses?.kind, 'local-reusable-workflow');
    assertSpanIs(RELEASE, local.uses!.span, './.github/workflows/local.yml');
    assert.equal(local.secretsInherit, undefined);
    assert.equal(local.secrets[0]!.name, 'token');
    assertSpanIs(RELEASE, local.secrets[0]!.nameSpan, 'token', locateNth(RELEASE, 'token', 'token: ${{ secrets.TOKEN }}'));
    assertSpanIs(RELEASE, local.secrets[0]!.span, '${{ secrets.TOKEN }}');
    assert.deepEqual(local.secrets[0]!.route, ['jobs', 'call-local', 'secrets', 'token']);
    assert.ok(local.expressions.some((expression) => expression.text === 'secrets.TOKEN'));
  });
});

/** The occurrence index of the last `needle` inside the first occurrence of `context`. */
function locateNth(text: string, needle: string, context: string): number {
  const target = locate(text, context).offset + context.lastIndexOf(needle);
  let nth = 0;
  for (let offset = text.indexOf(needle); offset !== -1 && offset < target; offset = text.indexOf(needle, offset + 1)) nth++;
  return nth;
}

describe('jobs and steps', () => {
  test('job spans, ids, names and routes', () => {
    const file = workflow(RELEASE);
    assert.deepEqual(
      file.jobs.map((candidate) => candidate.id),
      ['build', 'publish', 'call', 'call-local', 'everything'],
    );
    const build = job(file, 'build');
    assertSpanIs(RELEASE, build.idSpan, 'build');
    assert.deepEqual(build.idSpan.start, { line: 30, column: 3 });
    // A job's span runs from its id to the end of its body.
    assertStartsAt(RELEASE, build.span, 'build:');
    assert.ok(RELEASE.slice(build.span.offset, build.span.endOffset).trimEnd().endsWith('run: Write-Host hi'));
    assertConsistent(RELEASE, build.span);
    assert.deepEqual(build.route, ['jobs', 'build']);
    assert.equal(build.name, 'Build');
    assert.deepEqual(
      build.runsOn.map((label) => label.value),
      ['self-hosted', 'linux'],
    );
    assertSpanIs(RELEASE, build.runsOn[1]!.span, 'linux');
    assert.deepEqual(
      job(file, 'publish').needs.map((need) => need.value),
      ['build'],
    );
    assertSpanIs(RELEASE, job(file, 'publish').needs[0]!.span, 'build', locateNth(RELEASE, 'build', 'needs: [build]'));
  });

  test('environment as a string and as a map with url', () => {
    const file = workflow(RELEASE);
    const staging = job(file, 'build').environment!;
    assert.equal(staging.name, 'staging');
    assertSpanIs(RELEASE, staging.span, 'staging');
    const pypi = job(file, 'publish').environment!;
    assert.equal(pypi.name, 'pypi');
    assert.equal(pypi.url, 'https://pypi.org/p/x');
    assertStartsAt(RELEASE, pypi.span, 'name: pypi');
    assertConsistent(RELEASE, pypi.span);
  });

  test('matrix, container (string and map) and services', () => {
    const file = workflow(RELEASE);
    const build = job(file, 'build');
    assert.equal(build.hasMatrix, true);
    assert.equal(job(file, 'publish').hasMatrix, false);
    assertSpanIs(RELEASE, build.container!.span, 'node:20');
    assertSpanIs(RELEASE, job(file, 'publish').container!.span, 'python:3.12');
    assert.deepEqual(
      build.services.map((service) => service.value),
      ['redis:7', 'postgres:16'],
    );
    assertSpanIs(RELEASE, build.services[1]!.span, 'postgres:16');
    // Expressions in services count as the job's.
    const password = build.expressions.find((expression) => expression.text === 'secrets.DB_PASSWORD');
    assertSpanIs(RELEASE, password?.span, '${{ secrets.DB_PASSWORD }}');
  });

  test('step spans, uses, run, if and ids', () => {
    const build = job(workflow(RELEASE), 'build');
    assert.equal(build.steps.length, 3);
    const checkout = step(build, 0);
    assert.equal(checkout.index, 0);
    assert.deepEqual(checkout.route, ['jobs', 'build', 'steps', 0]);
    assertStartsAt(RELEASE, checkout.span, 'uses: actions/checkout@v4');
    assertConsistent(RELEASE, checkout.span);
    assertSpanIs(RELEASE, checkout.uses!.span, 'actions/checkout@v4');
    assert.deepEqual(checkout.uses!.span.start, { line: 52, column: 15 });
    assert.equal(checkout.uses!.kind, 'action');
    assert.equal(checkout.uses!.slug, 'actions/checkout');
    assert.equal(checkout.uses!.ref, 'v4');

    const test = step(build, 1);
    assert.equal(test.name, 'Test');
    assert.equal(test.id, 'test');
    assertStartsAt(RELEASE, test.span, 'name: Test');
    assertSpanIs(RELEASE, test.if!.span, "${{ github.event_name == 'push' }}");
    assert.equal(test.run!.text, 'npm ci\nnpm test -- --node "${{ matrix.node }}" | tee log.txt\n');
    assertStartsAt(RELEASE, test.run!.span, '|\n          npm ci');
    // Step expressions: if, env and run, each with its exact `${{ }}` span.
    assert.deepEqual(
      test.expressions.map((expression) => expression.text),
      ["github.event_name == 'push'", 'matrix.node', 'matrix.node'],
    );
    assertSpanIs(RELEASE, test.expressions[2]!.span, '${{ matrix.node }}', 1);
    assertSpanIs(RELEASE, test.run!.expressions[0]!.span, '${{ matrix.node }}', 1);
  });

  test('default shells: workflow, job and step', () => {
    const file = workflow(RELEASE);
    assert.equal(file.defaultShell?.value, 'bash -euo pipefail {0}');
    assertSpanIs(RELEASE, file.defaultShell!.span, 'bash -euo pipefail {0}');
    const build = job(file, 'build');
    assert.equal(build.defaultShell?.value, 'sh');
    assertSpanIs(RELEASE, build.defaultShell!.span, 'sh', locateNth(RELEASE, 'sh', 'shell: sh'));
    // The job default wins over the workflow's.
    assert.equal(step(build, 1).run!.shell, 'sh');
    assert.equal(step(build, 1).run!.shellExplicit, true);
    assertSpanIs(RELEASE, step(build, 1).run!.shellSpan, 'sh', locateNth(RELEASE, 'sh', 'shell: sh'));
    // A step's own shell wins over both.
    const pwsh = step(build, 2).run!;
    assert.equal(pwsh.shell, 'pwsh');
    assertSpanIs(RELEASE, pwsh.shellSpan, 'pwsh');
    assert.deepEqual(pwsh.parsed().commands, []);
    // Without a job default, the workflow's applies.
    const publish = job(file, 'publish');
    assert.equal(step(publish, 0).run!.shell, 'bash -euo pipefail {0}');
    assert.equal(step(publish, 0).run!.parsed().commands[0]?.program, 'echo');
  });

  test('no shell anywhere: bash, not explicit', () => {
    const run = step(job(workflow('on: push\njobs:\n  a:\n    steps:\n      - run: echo hi\n'), 'a'), 0).run!;
    assert.equal(run.shell, 'bash');
    assert.equal(run.shellExplicit, false);
    assert.equal(run.shellSpan, undefined);
  });

  test('steps that are not maps are skipped; indexes stay those of the file', () => {
    const file = workflow('on: push\njobs:\n  a:\n    steps:\n      - just a string\n      - run: echo\n');
    assert.equal(job(file, 'a').steps.length, 1);
    assert.equal(step(job(file, 'a'), 0).index, 1);
    assert.deepEqual(step(job(file, 'a'), 0).route, ['jobs', 'a', 'steps', 1]);
  });
});

describe('shell commands map back to the file', () => {
  test('literal block (`|`): exact line and column', () => {
    const run = step(job(workflow(RELEASE), 'build'), 1).run!;
    const commands = run.parsed().commands;
    assert.deepEqual(
      commands.map((command) => command.program),
      ['npm', 'npm', 'tee'],
    );
    assertSpanIs(RELEASE, commands[0]!.span, 'npm ci');
    assert.deepEqual(commands[0]!.span.start, { line: 62, column: 11 });
    assertSpanIs(RELEASE, commands[1]!.span, 'npm test -- --node "${{ matrix.node }}"');
    assertSpanIs(RELEASE, commands[2]!.span, 'tee log.txt');
    assert.equal(commands[2]!.pipelineIndex, 1);
    // Words too, including the one holding an expression.
    const nodeArg = commands[1]!.args[3]!;
    assertSpanIs(RELEASE, nodeArg.span, '"${{ matrix.node }}"');
    assert.deepEqual(
      nodeArg.expressions.map((expression) => expression.text),
      ['matrix.node'],
    );
  });

  test('literal block with blank lines, deeper indentation, a header comment and CRLF line ends', () => {
    const lf = `on: push
jobs:
  a:
    steps:
      - run: |   # build it
          set -e

          if true; then
            make   all
          fi
          curl -s https://example.com/é | sh
`;
    for (const text of [lf, lf.replace(/\n/g, '\r\n')]) {
      const run = step(job(workflow(text), 'a'), 0).run!;
      const commands = run.parsed().commands;
      assert.deepEqual(
        commands.map((command) => command.text),
        ['set -e', 'true', 'make   all', 'curl -s https://example.com/é', 'sh'],
      );
      assertSpanIs(text, commands[0]!.span, 'set -e');
      assertSpanIs(text, commands[1]!.span, 'true');
      assertSpanIs(text, commands[2]!.span, 'make   all');
      assert.deepEqual(commands[2]!.span.start, { line: 9, column: 13 });
      assertSpanIs(text, commands[3]!.span, 'curl -s https://example.com/é');
      assertSpanIs(text, commands[4]!.span, 'sh', locateNth(text, 'sh', '| sh'));
      assert.deepEqual(run.expressions, []);
    }
  });

  test('literal block with an indentation indicator and keep chomping', () => {
    const text = 'on: push\njobs:\n  a:\n    steps:\n      - run: |2+\n           indented\n          echo two\n\n';
    const commands = step(job(workflow(text), 'a'), 0).run!.parsed().commands;
    assertSpanIs(text, commands[0]!.span, 'indented');
    assertSpanIs(text, commands[1]!.span, 'echo two');
  });

  test('folded block (`>`): the right lines', () => {
    const text = `on: push
jobs:
  a:
    steps:
      - run: >
          echo folded
          --flag

          curl -s https://x
`;
    const commands = step(job(workflow(text), 'a'), 0).run!.parsed().commands;
    assert.deepEqual(
      commands.map((command) => command.text),
      ['echo folded --flag', 'curl -s https://x'],
    );
    assertStartsAt(text, commands[0]!.span, 'echo folded');
    assert.deepEqual(commands[0]!.span.end, { line: 7, column: 17 });
    assertSpanIs(text, commands[0]!.args[1]!.span, '--flag');
    assertSpanIs(text, commands[1]!.span, 'curl -s https://x');
  });

  test('plain multi-line scalar', () => {
    const text = 'on: push\njobs:\n  a:\n    steps:\n      - run: echo plain\n          && ls -la\n';
    const commands = step(job(workflow(text), 'a'), 0).run!.parsed().commands;
    assertSpanIs(text, commands[0]!.span, 'echo plain');
    assertSpanIs(text, commands[1]!.span, 'ls -la');
  });

  test('double-quoted scalar with escapes', () => {
    const text = 'on: push\njobs:\n  a:\n    steps:\n      - run: "echo \\"hi\\"\\ncurl -s https://x | sh"\n';
    const run = step(job(workflow(text), 'a'), 0).run!;
    assert.equal(run.text, 'echo "hi"\ncurl -s https://x | sh');
    const commands = run.parsed().commands;
    assert.deepEqual(
      commands.map((command) => command.program),
      ['echo', 'curl', 'sh'],
    );
    for (const command of commands) assert.equal(command.span.start.line, 5);
    assertStartsAt(text, commands[0]!.span, 'echo');
    assertSpanIs(text, commands[1]!.span, 'curl -s https://x');
    assertSpanIs(text, commands[2]!.span, 'sh', locateNth(text, 'sh', '| sh'));
  });

  test('single-quoted scalar', () => {
    const text = "on: push\njobs:\n  a:\n    steps:\n      - run: 'echo ''quoted'' && ls'\n";
    const run = step(job(workflow(text), 'a'), 0).run!;
    assert.equal(run.text, "echo 'quoted' && ls");
    const commands = run.parsed().commands;
    assertStartsAt(text, commands[0]!.span, 'echo');
    assertSpanIs(text, commands[1]!.span, 'ls');
  });

  test('an expression in a quoted run keeps its exact span', () => {
    const text = 'on: push\njobs:\n  a:\n    steps:\n      - run: "echo ${{ github.head_ref }}"\n';
    const run = step(job(workflow(text), 'a'), 0).run!;
    assertSpanIs(text, run.expressions[0]!.span, '${{ github.head_ref }}');
    assertSpanIs(text, run.parsed().commands[0]!.args[0]!.span, '${{ github.head_ref }}');
  });
});

describe('expressions in the model', () => {
  test('exact `${{ }}` spans, several on a line, and a `}}` inside a string literal', () => {
    const text = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: \${{ github.actor }} and \${{ format('{0}}}', github.ref) }}
        run: echo
`;
    const expressions = step(job(workflow(text), 'a'), 0).expressions;
    assert.deepEqual(
      expressions.map((expression) => expression.text),
      ['github.actor', "format('{0}}}', github.ref)"],
    );
    assertSpanIs(text, expressions[0]!.span, '${{ github.actor }}');
    assertSpanIs(text, expressions[1]!.span, "${{ format('{0}}}', github.ref) }}");
    assert.deepEqual(
      expressions[1]!.contexts.map((ref) => ref.path),
      ['github.ref'],
    );
  });

  test('comments are not read for expressions', () => {
    const text = `on: push
env:
  # OLD: \${{ secrets.OLD }}
  NEW: x
jobs:
  a:
    steps:
      # - run: echo \${{ secrets.GONE }}
      - run: | # \${{ secrets.HEADER }}
          echo ok
`;
    const file = workflow(text);
    assert.deepEqual(file.expressions, []);
    assert.deepEqual(step(job(file, 'a'), 0).expressions, []);
    assert.deepEqual(job(file, 'a').expressions, []);
  });

  test('single-quoted YAML: doubled quotes are unescaped before analysis', () => {
    const text = "on: push\njobs:\n  a:\n    steps:\n      - if: '${{ github.event_name == ''push'' && secrets.X }}'\n        run: echo\n";
    const [expression] = step(job(workflow(text), 'a'), 0).expressions;
    assert.equal(expression?.parseError, undefined);
    assert.equal(expression?.text, "github.event_name == 'push' && secrets.X");
    assertSpanIs(text, expression?.span, "${{ github.event_name == ''push'' && secrets.X }}");
  });

  test('workflow-level expressions: env, run-name, concurrency', () => {
    const file = workflow(RELEASE);
    assert.deepEqual(
      file.expressions.map((expression) => expression.text).sort(),
      ['github.ref_name', 'vars.GLOBAL'],
    );
    assertSpanIs(RELEASE, file.expressions.find((expression) => expression.text === 'github.ref_name')!.span, '${{ github.ref_name }}');
  });
});

describe('anchors, aliases and merge keys', () => {
  const text = `on: push
x-defaults: &defaults
  runs-on: ubuntu-latest
  env:
    SHARED: \${{ secrets.SHARED }}
x-more: &more
  runs-on: macos-latest
  timeout-minutes: 5
x-step: &checkout
  uses: actions/checkout@v4
jobs:
  a:
    <<: *defaults
    steps:
      - *checkout
      - run: echo a
  b:
    <<: [*defaults, *more]
    runs-on: windows-latest
    steps:
      - *checkout
  c:
    <<: [*more, *defaults]
    steps: []
  d:
    "<<": *defaults
    steps: []
`;

  test('merge keys bring in the anchored keys, with their spans at the anchor', () => {
    const file = workflow(text);
    const a = job(file, 'a');
    assert.deepEqual(
      a.runsOn.map((label) => label.value),
      ['ubuntu-latest'],
    );
    assertSpanIs(text, a.runsOn[0]!.span, 'ubuntu-latest');
    assert.equal(a.env[0]?.name, 'SHARED');
    assertSpanIs(text, a.env[0]!.span, '${{ secrets.SHARED }}');
    assert.ok(a.expressions.some((expression) => expression.text === 'secrets.SHARED'));
  });

  test('explicit keys win over merged ones; the first merged map wins over later ones', () => {
    const file = workflow(text);
    assert.deepEqual(
      job(file, 'b').runsOn.map((label) => label.value),
      ['windows-latest'],
    );
    assert.deepEqual(
      job(file, 'c').runsOn.map((label) => label.value),
      ['macos-latest'],
    );
    assert.equal(job(file, 'c').env[0]?.name, 'SHARED');
  });

  test('a quoted "<<" is an ordinary key, not a merge', () => {
    const d = job(workflow(text), 'd');
    assert.deepEqual(d.runsOn, []);
    assert.deepEqual(d.env, []);
  });

  test('aliased steps resolve to the anchored step', () => {
    const file = workflow(text);
    const first = step(job(file, 'a'), 0);
    assert.equal(first.uses?.raw, 'actions/checkout@v4');
    assertSpanIs(text, first.uses!.span, 'actions/checkout@v4');
    assert.deepEqual(first.route, ['jobs', 'a', 'steps', 0]);
    assert.equal(step(job(file, 'b'), 0).uses?.raw, 'actions/checkout@v4');
    assertSpanIs(text, step(job(file, 'a'), 1).run!.span, 'echo a');
  });

  test('spans of aliased jobs and scopes cover what is written, not the anchor', () => {
    const src = `x-job: &job
  runs-on: ubuntu-latest
  steps: []
x-level: &level write
on: push
permissions:
  id-token: *level
jobs:
  aliased: *job
`;
    const file = workflow(src);
    const aliased = job(file, 'aliased');
    assertSpanIs(src, aliased.span, 'aliased: *job');
    assert.deepEqual(
      aliased.runsOn.map((label) => label.value),
      ['ubuntu-latest'],
    );
    assert.equal(file.permissions!.scopes.get('id-token')?.value, 'write');
    assertSpanIs(src, file.permissions!.scopes.get('id-token')!.span, 'id-token: *level');
  });

  test('an aliased run script and aliased env values', () => {
    const src = `on: push
jobs:
  a:
    env:
      TOKEN: &token \${{ secrets.NPM_TOKEN }}
    steps:
      - run: &script |
          npm publish
      - run: *script
        env:
          AGAIN: *token
`;
    const a = job(workflow(src), 'a');
    const second = step(a, 1);
    assert.equal(second.run?.text, 'npm publish\n');
    assertSpanIs(src, second.run!.parsed().commands[0]!.span, 'npm publish');
    assert.equal(second.env[0]?.value, '${{ secrets.NPM_TOKEN }}');
    assert.deepEqual(
      second.env[0]!.expressions.map((expression) => expression.text),
      ['secrets.NPM_TOKEN'],
    );
    assert.ok(second.expressions.some((expression) => expression.text === 'secrets.NPM_TOKEN'));
  });
});

describe('actions', () => {
  test('composite action: using, inputs, steps, expressions', () => {
    const text = `name: My action
inputs:
  token:
    description: a token
    default: \${{ github.token }}
  verbose:
    required: false
outputs:
  out:
    value: \${{ steps.x.outputs.y }}
runs:
  using: composite
  steps:
    - uses: actions/setup-node@v4
      with:
        node-version: 20
    - id: x
      run: echo "\${{ inputs.token }}" > out.txt
      shell: bash
`;
    const file = action(text);
    assert.equal(file.using, 'composite');
    assertSpanIs(text, file.usingSpan, 'composite');
    assert.equal(file.name, 'My action');
    assert.deepEqual(
      file.inputs.map((input) => input.value),
      ['token', 'verbose'],
    );
    assertSpanIs(text, file.inputs[1]!.span, 'verbose');
    assert.equal(file.steps.length, 2);
    assert.deepEqual(step(file, 0).route, ['runs', 'steps', 0]);
    assertSpanIs(text, step(file, 0).uses!.span, 'actions/setup-node@v4');
    assertSpanIs(text, step(file, 0).with[0]!.span, '20');
    const run = step(file, 1).run!;
    assert.equal(run.shell, 'bash');
    assert.equal(run.shellExplicit, true);
    const [echo] = run.parsed().commands;
    assertSpanIs(text, echo!.span, 'echo "${{ inputs.token }}"');
    assert.deepEqual(echo!.redirects, [{ operator: '>', target: 'out.txt' }]);
    assertSpanIs(text, run.expressions[0]!.span, '${{ inputs.token }}');
    assert.deepEqual(
      file.expressions.map((expression) => expression.text).sort(),
      ['github.token', 'steps.x.outputs.y'],
    );
    assert.equal(file.image, undefined);
  });

  test('docker action with a docker:// image', () => {
    const text = `name: d
runs:
  using: docker
  image: docker://alpine:3.19@sha256:0123abcd
  args:
    - \${{ inputs.x }}
`;
    const file = action(text);
    assert.equal(file.using, 'docker');
    assert.equal(file.image?.kind, 'docker');
    assert.equal(file.image?.image, 'alpine:3.19@sha256:0123abcd');
    assert.equal(file.image?.digest, 'sha256:0123abcd');
    assertSpanIs(text, file.image!.span, 'docker://alpine:3.19@sha256:0123abcd');
    assert.deepEqual(file.steps, []);
    assertSpanIs(text, file.expressions[0]!.span, '${{ inputs.x }}');
  });

  test('docker action built from a Dockerfile has no image ref', () => {
    assert.equal(action('runs:\n  using: docker\n  image: Dockerfile\n').image, undefined);
  });

  test('docker:// in a workflow step', () => {
    const text = 'on: push\njobs:\n  a:\n    steps:\n      - uses: docker://ghcr.io/o/i:1\n';
    const uses = step(job(workflow(text), 'a'), 0).uses!;
    assert.equal(uses.kind, 'docker');
    assert.equal(uses.image, 'ghcr.io/o/i:1');
    assert.equal(uses.digest, undefined);
    assertSpanIs(text, uses.span, 'docker://ghcr.io/o/i:1');
  });
});
