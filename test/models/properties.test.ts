import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify, type ToStringOptions } from 'yaml';
import { buildPipelineFile } from '../../src/models/github/build.ts';
import { analyzeExpression, findExpressions } from '../../src/models/github/expressions.ts';
import type { GitHubFile as PipelineFile, Step } from '../../src/models/github/types.ts';
import { loadShellParser, parseShell } from '../../src/models/shell/parse.ts';
import { YamlFile, YamlInputError, type Span } from '../../src/models/yaml/document.ts';
import { assertConsistent } from './spans.ts';

before(async () => {
  await loadShellParser();
});

/** Reads the whole model the way rules do, parsing every run script. */
function touchEverything(file: PipelineFile): void {
  const steps: Step[] = file.kind === 'workflow' ? file.jobs.flatMap((job) => job.steps) : file.steps;
  for (const step of steps) step.run?.parsed();
  file.yaml.comments();
}

/** Parses and models `text`; anything thrown but a YamlInputError fails the property. */
function modelOrRefuse(text: string): PipelineFile[] {
  const files: PipelineFile[] = [];
  const started = performance.now();
  for (const kind of ['workflow', 'action'] as const) {
    try {
      const file = buildPipelineFile('f.yml', YamlFile.parse(text), kind);
      touchEverything(file);
      files.push(file);
    } catch (error) {
      if (!(error instanceof YamlInputError)) throw error;
      assert.ok(Number.isInteger(error.line) && error.line >= 1, `line ${error.line}`);
    }
  }
  assert.ok(performance.now() - started < 2000, `modelling took ${performance.now() - started} ms`);
  return files;
}

const WORKFLOW_KEYS = [
  'on',
  'jobs',
  'steps',
  'run',
  'uses',
  'with',
  'env',
  'permissions',
  'secrets',
  'defaults',
  'shell',
  'strategy',
  'matrix',
  'container',
  'services',
  'environment',
  'runs',
  'using',
  'image',
  'inputs',
  'needs',
  'if',
  'name',
  'runs-on',
  'id-token',
  'contents',
  '<<',
];
const WORKFLOW_VALUES = [
  'push',
  'read',
  'write',
  'none',
  'read-all',
  'write-all',
  'inherit',
  'composite',
  'docker://alpine@sha256:00',
  'actions/checkout@v4',
  './local',
  'bash',
  'pwsh',
  '${{ secrets.TOKEN }}',
  "${{ github.event_name == 'push' && '}}' || secrets[matrix.x] }}",
  'echo "$TOKEN" | curl -d @- https://x',
  'npm ci\nnpm publish\n',
  "bash -c 'echo ${{ inputs.x }}' > out",
  'cat <<EOF\nbody\nEOF\n',
  '',
];

/** Nested objects shaped a bit like workflows, so the builder's branches are reached. */
const yamlish: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...WORKFLOW_VALUES),
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...WORKFLOW_KEYS), fc.string({ maxLength: 8 })), tie('node'), { maxKeys: 5 }),
  ),
})).node;

const looseMap = fc.dictionary(fc.constantFrom(...WORKFLOW_KEYS), yamlish, { maxKeys: 6 });
/** Documents with the outline of a workflow or an action and random insides. */
const pipelineish: fc.Arbitrary<unknown> = fc.oneof(
  yamlish,
  fc.record({
    on: yamlish,
    permissions: yamlish,
    env: looseMap,
    jobs: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.tuple(looseMap, fc.array(looseMap, { maxLength: 4 })).map(([job, steps]) => ({ ...job, steps })), { maxKeys: 3 }),
  }),
  fc.record({ name: yamlish, inputs: looseMap, runs: fc.tuple(looseMap, fc.array(looseMap, { maxLength: 4 })).map(([runs, steps]) => ({ ...runs, steps })) }),
);

const stringifyOptions: fc.Arbitrary<ToStringOptions> = fc.record({
  collectionStyle: fc.constantFrom('any', 'block', 'flow'),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
  indent: fc.integer({ min: 1, max: 4 }),
  lineWidth: fc.constantFrom(0, 20, 80),
}) as fc.Arbitrary<ToStringOptions>;

const SPECIAL = ['\n', ' ', '\t', ':', '-', '[', ']', '{', '}', '&a', '*a', '!', '|', '>', '#', '"', "'", '\\', '%', '@', '`', '${{', '}}', '<<: *a', '\r', '\u0000', '\ufeff', '😀'];
const mutation = fc.record({
  at: fc.nat(),
  remove: fc.nat({ max: 5 }),
  insert: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 3, unit: 'binary' })),
});

function mutate(text: string, edits: Array<{ at: number; remove: number; insert: string }>): string {
  let result = text;
  for (const edit of edits) {
    const at = result.length === 0 ? 0 : edit.at % (result.length + 1);
    result = result.slice(0, at) + edit.insert + result.slice(at + edit.remove);
  }
  return result;
}

function within(span: Span, length: number): boolean {
  return span.offset >= 0 && span.offset <= span.endOffset && span.endOffset <= length;
}

describe('properties', () => {
  test('(a) arbitrary strings: only YamlInputError, and it finishes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ maxLength: 200 }), fc.string({ maxLength: 200, unit: 'grapheme' })), (text) => {
        modelOrRefuse(text);
      }),
      { numRuns: 300 },
    );
  });

  test('(a) YAML-ish documents, stringified and mutated: only YamlInputError, and it finishes', () => {
    let withSteps = 0;
    fc.assert(
      fc.property(pipelineish, stringifyOptions, fc.array(mutation, { maxLength: 4 }), (value, options, edits) => {
        let text: string;
        try {
          text = stringify(value, options);
        } catch {
          return; // some option combinations cannot render some values
        }
        const files = modelOrRefuse(text);
        if (files.some((file) => (file.kind === 'workflow' ? file.jobs.some((job) => job.steps.length > 0) : file.steps.length > 0))) withSteps++;
        modelOrRefuse(mutate(text, edits));
        // With anchors and merges sprinkled in.
        modelOrRefuse(`x: &a\n  k: v\n${mutate(text, [{ at: 0, remove: 0, insert: '' }])}`.replace(/^(\s*)- /m, '$1- *a\n$1- '));
      }),
      { numRuns: 250 },
    );
    // The generator must reach the builder's insides, not only its refusals.
    assert.ok(withSteps >= 10, `only ${withSteps} documents had steps`);
  });

  const identifier = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
  const envName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
  const envValue = fc.oneof(
    fc.constantFrom('plain', '${{ secrets.TOKEN }}', 'a ${{ github.actor }} b', "${{ inputs.x && 'y' || '' }}", 'with: colon', '# not a comment', "it's"),
    fc.string({ maxLength: 12 }),
  );
  const usesValue = fc.oneof(
    fc.tuple(identifier, identifier, fc.constantFrom('v4', 'main', '0123456789abcdef0123456789abcdef01234567')).map(([owner, repo, ref]) => `${owner}/${repo}@${ref}`),
    fc.constantFrom('./.github/actions/local', 'docker://alpine:3', 'owner/repo/path/to@v1'),
  );
  const runValue = fc.oneof(
    fc.constantFrom('echo hi', 'npm ci\nnpm publish --provenance\n', 'curl -s "$URL" | sh\necho "${{ github.head_ref }}"\n', 'A=1 B=2\nmake release', "bash -c 'twine upload dist/*'"),
    fc.array(fc.constantFrom('echo ok', 'ls -la', 'cat f | grep x', 'X=$(date)', 'printf "%s" "$Y" > out', 'if true; then echo y; fi'), { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n')),
  );
  const step = fc.oneof(
    fc.record({ uses: usesValue, with: fc.option(fc.dictionary(identifier, envValue, { maxKeys: 3 }), { nil: undefined }) }, { requiredKeys: ['uses'] }),
    fc.record(
      { name: fc.option(envValue, { nil: undefined }), run: runValue, env: fc.option(fc.dictionary(envName, envValue, { maxKeys: 3 }), { nil: undefined }), shell: fc.option(fc.constantFrom('bash', 'sh', 'pwsh', 'python'), { nil: undefined }) },
      { requiredKeys: ['run'] },
    ),
  );
  const permissions = fc.oneof(
    fc.constantFrom('read-all', 'write-all', {}),
    fc.dictionary(fc.constantFrom('contents', 'id-token', 'packages', 'pull-requests'), fc.constantFrom('read', 'write', 'none'), { maxKeys: 4 }),
  );
  const job = fc.record(
    {
      'runs-on': fc.constantFrom('ubuntu-latest', ['self-hosted', 'linux']),
      permissions: fc.option(permissions, { nil: undefined }),
      env: fc.option(fc.dictionary(envName, envValue, { maxKeys: 3 }), { nil: undefined }),
      environment: fc.option(fc.oneof(identifier, fc.record({ name: identifier, url: fc.constant('https://example.com') })), { nil: undefined }),
      steps: fc.array(step, { minLength: 1, maxLength: 4 }),
    },
    { requiredKeys: ['runs-on', 'steps'] },
  );
  const workflow = fc.record({
    on: fc.constantFrom('push', ['push', 'pull_request'], { push: { branches: ['main'] }, workflow_dispatch: null }),
    permissions: fc.option(permissions, { nil: undefined }),
    env: fc.option(fc.dictionary(envName, envValue, { maxKeys: 3 }), { nil: undefined }),
    jobs: fc.dictionary(identifier, job, { minKeys: 1, maxKeys: 3 }),
  });
  const blockOptions = fc.record({
    indent: fc.integer({ min: 2, max: 4 }),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
    collectionStyle: fc.constantFrom('any', 'block'),
    crlf: fc.boolean(),
  });

  test('(b) generated workflows: spans lie in the file and point at their values', () => {
    const checked = { uses: 0, exactCommands: 0, expressions: 0 };
    fc.assert(
      fc.property(workflow, blockOptions, (value, { crlf, ...options }) => {
        const clean = JSON.parse(JSON.stringify(value)) as typeof value;
        let text = stringify(clean, { ...(options as ToStringOptions), lineWidth: 0 });
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const file = buildPipelineFile('w.yml', YamlFile.parse(text), 'workflow');
        assert.equal(file.kind, 'workflow');
        if (file.kind !== 'workflow') return;
        assert.equal(file.jobs.length, Object.keys(clean.jobs).length);
        const reparse = (span: Span): unknown => YamlFile.parse(text.slice(span.offset, span.endOffset)).document.toJS();
        for (const job of file.jobs) {
          assert.ok(within(job.span, text.length));
          assertConsistent(text, job.span);
          assert.equal(text.slice(job.idSpan.offset, job.idSpan.endOffset).replace(/^["']|["']$/g, ''), job.id);
          const source = clean.jobs[job.id]!;
          assert.equal(job.steps.length, source.steps.length);
          for (const entry of [...job.env, ...file.env]) {
            assert.ok(within(entry.span, text.length));
            assert.equal(String(reparse(entry.span) ?? ''), entry.value);
            for (const expression of entry.expressions) assert.ok(text.startsWith('${{', expression.span.offset));
          }
          for (const [name, scope] of job.permissions?.scopes ?? []) {
            assert.ok(within(scope.span, text.length));
            assert.ok(text.slice(scope.span.offset, scope.span.endOffset).includes(name));
          }
          for (const step of job.steps) {
            assert.ok(within(step.span, text.length));
            assertConsistent(text, step.span);
            assert.ok(step.span.offset >= job.span.offset && step.span.endOffset <= job.span.endOffset, 'step inside its job');
            const written = source.steps[step.index]!;
            if ('uses' in written && written.uses !== undefined) {
              assert.ok(step.uses);
              assert.ok(within(step.uses.span, text.length));
              assert.ok(step.uses.span.offset >= step.span.offset && step.uses.span.endOffset <= step.span.endOffset);
              assert.equal(reparse(step.uses.span), written.uses);
              assert.equal(step.uses.raw, written.uses);
              checked.uses++;
            }
            if (step.run) {
              assert.ok(within(step.run.span, text.length));
              const literal = text[step.run.span.offset] === '|';
              for (const command of step.run.parsed().commands) {
                assert.ok(within(command.span, text.length));
                assertConsistent(text, command.span);
                assert.ok(command.span.offset >= step.run.span.offset && command.span.endOffset <= step.run.span.endOffset, 'command inside its run');
                // A literal block maps exactly; plain text on one line too.
                if (literal && !command.text.includes('\n')) {
                  assert.equal(text.slice(command.span.offset, command.span.endOffset), command.text);
                  checked.exactCommands++;
                }
              }
            }
            for (const expression of step.expressions) {
              assert.ok(text.startsWith('${{', expression.span.offset));
              assert.ok(text.slice(0, expression.span.endOffset).endsWith('}}'));
              checked.expressions++;
            }
          }
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(checked.uses > 20 && checked.exactCommands > 20 && checked.expressions > 20, JSON.stringify(checked));
  });

  const shellToken = fc.constantFrom(
    'echo',
    'curl',
    ' ',
    ' ',
    '\n',
    '|',
    '||',
    '&&',
    ';',
    '&',
    '$(',
    ')',
    '(',
    '`',
    "'",
    '"',
    '\\',
    '$X',
    '${Y}',
    '${{ secrets.A }}',
    '${{',
    '}}',
    'A=1',
    '>',
    '2>&1',
    '<<EOF\n',
    'EOF',
    '<<<',
    'bash -c ',
    'sh -c "',
    'if',
    'then',
    'fi',
    '{',
    '}',
    '#',
    'é',
    '😀',
    '!',
    '<(',
  );
  const shellish = fc.oneof(fc.string({ maxLength: 120, unit: 'binary' }), fc.array(shellToken, { maxLength: 60 }).map((tokens) => tokens.join('')));

  test('(c) parseShell never throws and command spans lie in the script', () => {
    const identity = (start: number, end: number): Span => ({ start: { line: 1, column: start + 1 }, end: { line: 1, column: end + 1 }, offset: start, endOffset: end });
    fc.assert(
      fc.property(shellish, (script) => {
        const result = parseShell(script, identity);
        for (const command of result.commands) {
          assert.ok(command.start >= 0 && command.start <= command.end && command.end <= script.length, `${command.start}..${command.end} of ${script.length}`);
          assert.equal(command.text, script.slice(command.start, command.end));
          assert.ok(command.pipeline.includes(command));
          assert.equal(command.pipeline[command.pipelineIndex], command);
          for (const word of command.args) assert.ok(word.start >= command.start - 1 && word.end <= script.length);
        }
        for (const assignment of result.assignments) assert.ok(assignment.start >= 0 && assignment.start <= script.length);
      }),
      { numRuns: 400 },
    );
  });

  const expressionToken = fc.constantFrom(
    'github',
    'secrets',
    'inputs',
    'matrix',
    'env',
    'steps',
    'SECRETS',
    '.',
    '.*',
    '[',
    ']',
    '(',
    ')',
    "'x'",
    "'",
    "''",
    '&&',
    '||',
    '==',
    '!=',
    '!',
    '<',
    ' ',
    '0',
    '1.5',
    'true',
    'null',
    'format',
    'toJSON',
    'fromJSON',
    'contains',
    'hashFiles',
    ',',
    '*',
    'name',
    'foo-bar',
    '}}',
    '${{',
  );
  const expressionish = fc.oneof(fc.string({ maxLength: 60, unit: 'binary' }), fc.array(expressionToken, { maxLength: 25 }).map((tokens) => tokens.join('')));

  test('(d) analyzeExpression never throws and returns well-formed refs', () => {
    fc.assert(
      fc.property(expressionish, (text) => {
        const result = analyzeExpression(text);
        assert.equal(result.text, text.trim());
        for (const ref of [...result.contexts, ...result.valueContexts]) {
          assert.equal(typeof ref.path, 'string');
          assert.equal(typeof ref.dynamic, 'boolean');
          assert.match(ref.path, /^(github|env|vars|job|jobs|steps|runner|secrets|strategy|matrix|needs|inputs)\b/);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('(e) findExpressions spans start with `${{` and end with `}}`', () => {
    const text = fc.array(fc.oneof(expressionToken, fc.constantFrom('${{ ', ' }}', 'a', '\n', '}', '{', '$')), { maxLength: 40 }).map((tokens) => tokens.join(''));
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (source, a, b) => {
        const start = a % (source.length + 1);
        const end = start + (b % (source.length - start + 1));
        const found = findExpressions(source, start, end, (offset, endOffset) => ({ start: { line: 1, column: offset + 1 }, end: { line: 1, column: endOffset + 1 }, offset, endOffset }));
        let previous = start;
        for (const expression of found) {
          const slice = source.slice(expression.span.offset, expression.span.endOffset);
          assert.ok(slice.startsWith('${{'), slice);
          assert.ok(slice.endsWith('}}'), slice);
          assert.ok(slice.length >= 5);
          assert.ok(expression.span.offset >= previous && expression.span.endOffset <= end);
          previous = expression.span.endOffset;
        }
      }),
      { numRuns: 500 },
    );
  });
});
