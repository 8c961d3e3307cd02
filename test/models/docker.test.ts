import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { imageReference, isDockerfileName, parseDockerfile } from '../../src/models/docker/dockerfile.ts';
import { loadShellParser } from '../../src/models/shell/parse.ts';

before(async () => {
  await loadShellParser();
});

const MULTI_STAGE = `# syntax=docker/dockerfile:1.7
# check=error=true

ARG PYTHON_VERSION=3.12
ARG REGISTRY=docker.io
ARG UNSET
FROM --platform=$BUILDPLATFORM \${REGISTRY}/library/python:\${PYTHON_VERSION}-slim AS Build
WORKDIR /src
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache \\
    # a comment line inside the instruction is dropped
    pip install --require-hashes \\
        -r requirements.txt

FROM build AS test
RUN ["python", "-m", "pytest"]

FROM python:3.12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ENV PIP_NO_CACHE_DIR=1 PATH="/venv/bin:$PATH"
COPY --from=build /src/dist /dist
RUN <<EOF
set -e
pip install /dist/*.whl
EOF
RUN python3 <<-PY
	print("hello")
	PY
FROM \${UNSET}
FROM scratch
`;

describe('Dockerfile model', () => {
  test('directives, stages, FROM images resolved through ARG defaults', () => {
    const file = parseDockerfile('Dockerfile', MULTI_STAGE);
    assert.deepEqual(
      file.directives.map((item) => [item.name, item.value, item.line]),
      [
        ['syntax', 'docker/dockerfile:1.7', 1],
        ['check', 'error=true', 2],
      ],
    );
    assert.deepEqual([...file.globalArgs.keys()], ['PYTHON_VERSION', 'REGISTRY', 'UNSET']);
    const froms = file.stages.map((stage) => stage.from);
    assert.deepEqual(
      froms.map((from) => [from.image.resolved, from.image.registry, from.image.repository, from.image.tag, from.image.digest?.slice(0, 10), from.alias, from.stageRef, from.scratch, from.instruction.line]),
      [
        ['docker.io/library/python:3.12-slim', 'docker.io', 'library/python', '3.12-slim', undefined, 'build', undefined, false, 7],
        ['build', undefined, 'build', undefined, undefined, 'test', 0, false, 15],
        ['python:3.12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', undefined, 'python', '3.12-slim', 'sha256:012', undefined, undefined, false, 18],
        ['', undefined, '', undefined, undefined, undefined, undefined, false, 28],
        ['scratch', undefined, 'scratch', undefined, undefined, undefined, undefined, true, 29],
      ],
    );
    assert.equal(froms[0]!.platform, '$BUILDPLATFORM');
    assert.deepEqual(froms[3]!.image.unresolved, ['UNSET']);
    // The image span points at the reference as written.
    assert.equal(froms[0]!.image.span.start.line, 7);
    assert.equal(MULTI_STAGE.slice(froms[0]!.image.span.offset, froms[0]!.image.span.endOffset), '${REGISTRY}/library/python:${PYTHON_VERSION}-slim');
    assert.equal(file.stages[2]!.env.get('PIP_NO_CACHE_DIR')?.value, '1');
    assert.equal(file.stages[2]!.env.get('PATH')?.value, '/venv/bin:$PATH');
    assert.deepEqual(file.errors, []);
  });

  test('RUN: continuation lines joined, comment lines dropped, flags read, shell parsed with file spans', () => {
    const file = parseDockerfile('Dockerfile', MULTI_STAGE);
    const run = file.stages[0]!.runs[0]!;
    assert.equal(run.instruction.line, 10);
    assert.equal(run.instruction.endLine, 13);
    assert.deepEqual(run.mounts.map((mount) => mount.value), ['type=cache,target=/root/.cache']);
    const [pip] = run.parsed().commands;
    assert.equal(pip!.program, 'pip');
    assert.deepEqual(pip!.args.map((arg) => arg.text), ['install', '--require-hashes', '-r', 'requirements.txt']);
    assert.equal(pip!.span.start.line, 12);
    assert.equal(pip!.args[3]!.span.start.line, 13);
    assert.equal(MULTI_STAGE.slice(pip!.args[3]!.span.offset, pip!.args[3]!.span.endOffset), 'requirements.txt');
  });

  test('exec form and here-documents', () => {
    const file = parseDockerfile('Dockerfile', MULTI_STAGE);
    const exec = file.stages[1]!.runs[0]!;
    assert.equal(exec.instruction.form, 'exec');
    assert.deepEqual(exec.instruction.exec, ['python', '-m', 'pytest']);
    assert.equal(exec.parsed().commands[0]!.program, 'python');
    const [heredoc, stdin] = file.stages[2]!.runs;
    assert.equal(heredoc!.instruction.heredocs[0]!.delimiter, 'EOF');
    assert.equal(heredoc!.instruction.endLine, 24);
    const commands = heredoc!.parsed().commands;
    assert.deepEqual(commands.map((command) => command.program), ['set', 'pip']);
    assert.equal(commands[1]!.span.start.line, 23);
    assert.equal(stdin!.instruction.heredocs[0]!.stripTabs, true);
    assert.equal(stdin!.instruction.heredocs[0]!.body, 'print("hello")\n');
    assert.deepEqual(stdin!.parsed().commands.map((command) => command.program), ['python3']);
  });

  test('the escape directive switches continuation to a backtick', () => {
    const file = parseDockerfile('Dockerfile', '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\n');
    assert.equal(file.escape, '`');
    assert.equal(file.stages[0]!.runs[0]!.instruction.endLine, 4);
    assert.equal(file.stages[0]!.runs[0]!.instruction.arguments, 'powershell -Command     Write-Host hi');
  });

  test('unknown instructions and unclosed here-documents are recorded, not thrown', () => {
    const file = parseDockerfile('Dockerfile', 'FROM alpine\nFROBNICATE x\nRUN <<EOF\necho never closed\n');
    assert.deepEqual(
      file.errors.map((error) => error.line),
      [2, 4],
    );
  });

  test('image references and names', () => {
    const span = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, offset: 0, endOffset: 0 };
    const local = imageReference('localhost:5000/app:1.0', 'localhost:5000/app:1.0', [], span);
    assert.deepEqual([local.registry, local.repository, local.tag], ['localhost:5000', 'app', '1.0']);
    const port = imageReference('registry:5000/team/app', 'registry:5000/team/app', [], span);
    assert.deepEqual([port.registry, port.repository, port.tag], ['registry:5000', 'team/app', undefined]);
    assert.ok(isDockerfileName('Dockerfile'));
    assert.ok(isDockerfileName('Dockerfile.dev'));
    assert.ok(isDockerfileName('api.Dockerfile'));
    assert.ok(isDockerfileName('Containerfile'));
    assert.ok(!isDockerfileName('Dockerfile-notes.md'));
    assert.ok(!isDockerfileName('dockerfile.go'));
  });
});
