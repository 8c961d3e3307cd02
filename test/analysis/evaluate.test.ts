import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateValue, truthy, UNKNOWN } from '../../src/analysis/evaluate.ts';

const tag = new Map<string, string>([['github.ref', 'refs/tags/v1.2.3'], ['github.ref_type', 'tag'], ['github.event_name', 'push']]);
const main = new Map<string, string>([['github.ref', 'refs/heads/main'], ['github.ref_type', 'branch'], ['github.event_name', 'push']]);

test('expressions are evaluated with the contexts known for a kind of run', () => {
  const cache = "${{ !startsWith(github.ref, 'refs/tags/') && 'pip' || '' }}";
  assert.equal(evaluateValue(cache, tag), '');
  assert.equal(evaluateValue(cache, main), 'pip');
  assert.equal(evaluateValue("${{ !startsWith(github.ref, 'refs/tags/') }}", tag), false);
  assert.equal(evaluateValue("${{ github.ref_type == 'TAG' }}", tag), true);
  assert.equal(evaluateValue("${{ format('{0}-{1}', github.event_name, 'x') }}", tag), 'push-x');
  assert.equal(evaluateValue('pip-${{ github.ref_type }}', tag), 'pip-tag');
});

test('anything that depends on an unknown context stays unknown', () => {
  assert.equal(evaluateValue('${{ matrix.cache }}', tag), UNKNOWN);
  assert.equal(evaluateValue("${{ inputs.cache && 'pip' || '' }}", tag), UNKNOWN);
  assert.equal(truthy(UNKNOWN), UNKNOWN);
  // Short-circuit: a known falsy left side decides `&&` whatever the right side is.
  assert.equal(evaluateValue("${{ startsWith(github.ref, 'refs/heads/') && matrix.cache }}", tag), false);
  assert.equal(evaluateValue('${{ not valid ( }}', tag), UNKNOWN);
});
