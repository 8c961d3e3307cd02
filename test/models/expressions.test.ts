import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeExpression, expressionRanges, expressionsInValue, findExpressions, secretName, type ContextRef } from '../../src/models/github/expressions.ts';
import type { Span } from '../../src/models/yaml/document.ts';

const paths = (refs: ContextRef[]): string[] => refs.map((ref) => ref.path);

const offsets = (start: number, end: number): Span => ({
  start: { line: 1, column: start + 1 },
  end: { line: 1, column: end + 1 },
  offset: start,
  endOffset: end,
});

describe('analyzeExpression', () => {
  test('contexts read, in order, deduplicated', () => {
    const result = analyzeExpression(' github.event.pull_request.title == secrets.X || github.event.pull_request.title ');
    assert.equal(result.text, 'github.event.pull_request.title == secrets.X || github.event.pull_request.title');
    assert.deepEqual(result.contexts, [
      { path: 'github.event.pull_request.title', dynamic: false },
      { path: 'secrets.X', dynamic: false },
    ]);
    assert.equal(result.parseError, undefined);
  });

  test('literal indexes become path segments', () => {
    assert.deepEqual(paths(analyzeExpression("secrets['NPM_TOKEN']").contexts), ['secrets.NPM_TOKEN']);
    assert.deepEqual(paths(analyzeExpression("steps.build.outputs['dist-path']").contexts), ['steps.build.outputs.dist-path']);
    assert.deepEqual(paths(analyzeExpression("github['event']['pull_request']").contexts), ['github.event.pull_request']);
    // A number picks an element, written literally: not dynamic.
    assert.deepEqual(analyzeExpression('github.event.commits[0].message').contexts, [{ path: 'github.event.commits.*.message', dynamic: false }]);
    assert.deepEqual(analyzeExpression('github.event.commits.*.author').contexts, [{ path: 'github.event.commits.*.author', dynamic: false }]);
  });

  test('computed indexes are dynamic and read contexts of their own', () => {
    const result = analyzeExpression('secrets[matrix.name]');
    assert.deepEqual(result.contexts, [
      { path: 'secrets.*', dynamic: true },
      { path: 'matrix.name', dynamic: false },
    ]);
    assert.deepEqual(result.valueContexts, [{ path: 'secrets.*', dynamic: true }]);
    assert.equal(secretName(result.contexts[0]!), '*');
    const formatted = analyzeExpression("secrets[format('{0}_TOKEN', inputs.registry)]");
    assert.deepEqual(paths(formatted.contexts), ['secrets.*', 'inputs.registry']);
    assert.equal(formatted.contexts[0]!.dynamic, true);
    assert.deepEqual(formatted.functions, ['format']);
  });

  test('toJSON(secrets) reads every secret', () => {
    const result = analyzeExpression('toJSON(secrets)');
    assert.deepEqual(result.contexts, [{ path: 'secrets', dynamic: false }]);
    assert.deepEqual(result.valueContexts, [{ path: 'secrets', dynamic: false }]);
    assert.deepEqual(result.functions, ['tojson']);
    assert.equal(secretName(result.valueContexts[0]!), '*');
  });

  test('ternary idiom: `inputs.foo && ... || ...` yields only literals', () => {
    const result = analyzeExpression("inputs.foo && '--foo' || ''");
    assert.deepEqual(paths(result.contexts), ['inputs.foo']);
    assert.deepEqual(result.valueContexts, []);
    const mixed = analyzeExpression("matrix.os == 'linux' && secrets.LINUX_TOKEN || secrets.OTHER_TOKEN");
    assert.deepEqual(paths(mixed.contexts), ['matrix.os', 'secrets.LINUX_TOKEN', 'secrets.OTHER_TOKEN']);
    assert.deepEqual(paths(mixed.valueContexts), ['secrets.LINUX_TOKEN', 'secrets.OTHER_TOKEN']);
    assert.deepEqual(paths(analyzeExpression("inputs.tag || 'latest'").valueContexts), ['inputs.tag']);
    assert.deepEqual(paths(analyzeExpression('(github.head_ref)').valueContexts), ['github.head_ref']);
  });

  test('comparisons, negation and boolean functions yield no values', () => {
    for (const text of [
      "github.event_name == 'push'",
      "secrets.TOKEN != ''",
      '!secrets.TOKEN',
      'github.run_number > 5',
      "contains(github.event.pull_request.labels.*.name, 'release')",
      "startsWith(github.ref, 'refs/tags/')",
      "hashFiles('**/package-lock.json')",
      'success() && secrets.X != null',
    ]) {
      const result = analyzeExpression(text);
      assert.deepEqual(result.valueContexts, [], text);
      assert.equal(result.parseError, undefined, text);
    }
  });

  test('format() and join() pass their arguments through', () => {
    const result = analyzeExpression("format('{0}:{1}', github.actor, secrets.TOKEN)");
    assert.deepEqual(paths(result.valueContexts), ['github.actor', 'secrets.TOKEN']);
    assert.deepEqual(result.functions, ['format']);
    assert.deepEqual(paths(analyzeExpression("join(github.event.commits.*.message, ' ')").valueContexts), ['github.event.commits.*.message']);
  });

  test('an index on a call result still carries the call arguments', () => {
    const result = analyzeExpression('fromJSON(steps.meta.outputs.json).tags[0]');
    assert.deepEqual(paths(result.contexts), ['steps.meta.outputs.json']);
    assert.deepEqual(paths(result.valueContexts), ['steps.meta.outputs.json']);
  });

  test('context names are case-insensitive', () => {
    assert.deepEqual(paths(analyzeExpression('SECRETS.NPM_TOKEN').contexts), ['secrets.NPM_TOKEN']);
    assert.equal(secretName(analyzeExpression('Secrets.X').contexts[0]!), 'X');
  });

  test('parse errors fall back to regex contexts', () => {
    const result = analyzeExpression('secrets.A + github.event.issue.title');
    assert.ok(result.parseError);
    assert.deepEqual(paths(result.contexts), ['secrets.A', 'github.event.issue.title']);
    assert.deepEqual(result.valueContexts, result.contexts);
    const indexed = analyzeExpression("secrets[matrix.x] ((( secrets['B'] github.event.commits[0].id");
    assert.ok(indexed.parseError);
    assert.deepEqual(indexed.contexts, [
      { path: 'secrets.*', dynamic: true },
      { path: 'matrix.x', dynamic: false },
      { path: 'secrets.B', dynamic: false },
      { path: 'github.event.commits.*.id', dynamic: false },
    ]);
    // Whole words only: `environment` is not the env context.
    assert.deepEqual(paths(analyzeExpression('environment.url +').contexts), []);
    // Unknown names are parse errors too.
    assert.ok(analyzeExpression('fromJSON(x)').parseError);
  });

  test('empty and odd input never throws', () => {
    for (const text of ['', '   ', '(', "'unterminated", '}}', '${{', 'a.b.c', '1 +', '\u0000', 'secrets..x', '[*]']) {
      assert.doesNotThrow(() => analyzeExpression(text), text);
    }
  });
});

describe('findExpressions', () => {
  test('spans are exact, one per `${{ }}`', () => {
    const source = 'echo ${{ github.actor }} and ${{secrets.X}}!';
    const found = findExpressions(source, 0, source.length, offsets);
    assert.deepEqual(
      found.map((expression) => [expression.text, source.slice(expression.span.offset, expression.span.endOffset)]),
      [
        ['github.actor', '${{ github.actor }}'],
        ['secrets.X', '${{secrets.X}}'],
      ],
    );
  });

  test('only inside [start, end)', () => {
    const source = '${{ a.b }} ${{ github.x }} ${{ secrets.y }}';
    const start = source.indexOf('${{ github');
    const found = findExpressions(source, start, source.indexOf(' ${{ secrets'), offsets);
    assert.deepEqual(
      found.map((expression) => expression.text),
      ['github.x'],
    );
    // An expression that crosses the end is not taken.
    assert.deepEqual(findExpressions(source, 0, source.length - 1, offsets).length, 2);
  });

  test('`}}` inside a single-quoted literal does not close the expression', () => {
    const source = "${{ format('{{0}}', '}}') }} tail ${{ github.sha }}";
    const found = findExpressions(source, 0, source.length, offsets);
    assert.deepEqual(
      found.map((expression) => source.slice(expression.span.offset, expression.span.endOffset)),
      ["${{ format('{{0}}', '}}') }}", '${{ github.sha }}'],
    );
    assert.equal(found[0]!.parseError, undefined);
    // Escaped quotes ('') toggle twice and change nothing.
    const escaped = "${{ 'it''s }}' }}";
    assert.equal(findExpressions(escaped, 0, escaped.length, offsets)[0]!.text, "'it''s }}'");
  });

  test('an unclosed expression ends the scan', () => {
    const source = '${{ github.x ${{ secrets.Y }}';
    assert.deepEqual(
      findExpressions(source, 0, source.length, offsets).map((expression) => expression.text),
      ['github.x ${{ secrets.Y'],
    );
    assert.deepEqual(findExpressions('${{ never closed', 0, 16, offsets), []);
    assert.deepEqual(findExpressions("${{ 'open }}", 0, 12, offsets), []);
  });

  test('decode is applied to the body before analysis', () => {
    const source = "${{ github.ref == ''refs/heads/main'' }}";
    const [found] = findExpressions(source, 0, source.length, offsets, (body) => body.replace(/''/g, "'"));
    assert.equal(found!.text, "github.ref == 'refs/heads/main'");
    assert.equal(found!.parseError, undefined);
  });

  test('expressionRanges and expressionsInValue', () => {
    assert.deepEqual(expressionRanges('a ${{ x }} b'), [{ start: 2, end: 10 }]);
    assert.deepEqual(expressionRanges('${{}}'), [{ start: 0, end: 5 }]);
    assert.deepEqual(expressionRanges('${{ } }'), []);
    const span = offsets(3, 9);
    const found = expressionsInValue('x ${{ secrets.A }} ${{ env.B }}', span);
    assert.deepEqual(
      found.map((expression) => [expression.text, expression.span]),
      [
        ['secrets.A', span],
        ['env.B', span],
      ],
    );
  });
});
