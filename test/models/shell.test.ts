import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { blankExpressions, loadShellParser, parseShell } from '../../src/models/shell/parse.ts';
import type { ShellCommand, ShellScript } from '../../src/models/shell/types.ts';
import type { Span } from '../../src/models/yaml/document.ts';

before(async () => {
  await loadShellParser();
});

/** Offsets straight through: line 1, column = offset + 1. */
const identity = (start: number, end: number): Span => ({
  start: { line: 1, column: start + 1 },
  end: { line: 1, column: end + 1 },
  offset: start,
  endOffset: end,
});

function parse(script: string): ShellScript {
  return parseShell(script, identity);
}

function only(script: string, program: string): ShellCommand {
  const matches = parse(script).commands.filter((command) => command.program === program);
  assert.equal(matches.length, 1, `expected one ${program} in ${JSON.stringify(script)}`);
  return matches[0]!;
}

/** Every command's text is the script's text at its offsets. */
function assertOffsets(script: string, result: ShellScript): void {
  for (const command of result.commands) {
    assert.equal(script.slice(command.start, command.end), command.text);
    assert.equal(command.span.offset, command.start);
    for (const word of command.args) assert.equal(script.slice(word.start, word.end), word.raw);
  }
}

describe('parseShell', () => {
  test('refuses to run before the parser is loaded', async () => {
    // A second instance of the module, whose parser was never loaded.
    const fresh = (await import(`../../src/models/shell/parse.ts?unloaded=${Date.now()}`)) as typeof import('../../src/models/shell/parse.ts');
    assert.throws(() => fresh.parseShell('echo', identity), /loadShellParser/);
  });

  test('an empty script has no commands', () => {
    assert.deepEqual(parse('').commands, []);
    assert.equal(parse('').hasErrors, false);
    assert.deepEqual(parse('# only a comment\n\n').commands, []);
  });

  test('commands, names, programs and arguments', () => {
    const script = 'set -e\n/usr/bin/curl -fsSL https://example.com\nPython3 -m build';
    const result = parse(script);
    assert.deepEqual(
      result.commands.map((command) => [command.name, command.program]),
      [
        ['set', 'set'],
        ['/usr/bin/curl', 'curl'],
        ['Python3', 'python3'],
      ],
    );
    assert.deepEqual(
      result.commands[1]!.args.map((arg) => arg.text),
      ['-fsSL', 'https://example.com'],
    );
    assert.equal(result.commands[1]!.start, script.indexOf('/usr/bin/curl'));
    assert.equal(result.commands[1]!.nested, false);
    assertOffsets(script, result);
  });

  test('quotes are removed from arguments and from the command name', () => {
    const script = `"curl" -H 'Authorization: Bearer x' "a b" c\\ d $'e\\tf' "g"'h'i`;
    const curl = only(script, 'curl');
    assert.equal(curl.name, 'curl');
    assert.deepEqual(
      curl.args.map((arg) => arg.text),
      ['-H', 'Authorization: Bearer x', 'a b', 'c d', 'e\\tf', 'ghi'],
    );
    assert.deepEqual(
      curl.args.map((arg) => arg.raw),
      ['-H', "'Authorization: Bearer x'", '"a b"', 'c\\ d', "$'e\\tf'", `"g"'h'i`],
    );
    assertOffsets(script, parse(script));
  });

  test('variables a word expands', () => {
    const curl = only('curl -H "Authorization: token $TOKEN" ${URL}/x "$A$B" \'$NOT\' $1', 'curl');
    assert.deepEqual(
      curl.args.map((arg) => arg.variables),
      [[], ['TOKEN'], ['URL'], ['A', 'B'], [], []],
    );
    assert.deepEqual(only('echo $HOME', 'echo').args[0]!.variables, ['HOME']);
  });

  test('`${{ }}` is blanked for the shell but kept in word.expressions', () => {
    const script = 'echo "title: ${{ github.event.issue.title }}" ${{ secrets.TOKEN }}';
    const echo = only(script, 'echo');
    assert.equal(echo.args.length, 2);
    assert.equal(echo.args[0]!.raw, '"title: ${{ github.event.issue.title }}"');
    assert.match(echo.args[0]!.text, /^title: _+$/);
    assert.equal(echo.args[0]!.text.length, 'title: ${{ github.event.issue.title }}'.length);
    assert.deepEqual(
      echo.args[0]!.expressions.map((expression) => expression.contexts.map((ref) => ref.path)),
      [['github.event.issue.title']],
    );
    assert.deepEqual(
      echo.args[1]!.expressions.map((expression) => expression.text),
      ['secrets.TOKEN'],
    );
    assert.equal(echo.text, script);
    assertOffsets(script, parse(script));
  });

  test('an expression holding shell syntax does not break the command apart', () => {
    const script = `echo \${{ github.event_name == 'push' && '; rm -rf / |' || 'x' }} done`;
    const result = parse(script);
    assert.equal(result.commands.length, 1);
    assert.equal(result.commands[0]!.args.length, 2);
    assert.equal(result.commands[0]!.args[1]!.text, 'done');
  });

  test('blankExpressions keeps length and newlines, and honours quoted `}}`', () => {
    const script = "a ${{ x }} b ${{ format('}}', y)\n}} c";
    const blanked = blankExpressions(script);
    assert.equal(blanked.length, script.length);
    assert.equal(blanked, "a ________ b ___________________\n__ c");
    assert.equal(blankExpressions('no expressions'), 'no expressions');
  });

  test('pipelines: members, order and pipelineIndex', () => {
    const script = 'curl -s https://x | tee out.txt | sh\necho done';
    const result = parse(script);
    const [curl, tee, sh, echo] = result.commands;
    assert.deepEqual(
      result.commands.map((command) => command.program),
      ['curl', 'tee', 'sh', 'echo'],
    );
    for (const [index, command] of [curl, tee, sh].entries()) {
      assert.equal(command!.pipelineIndex, index);
      assert.deepEqual(
        command!.pipeline.map((member) => member.program),
        ['curl', 'tee', 'sh'],
      );
    }
    assert.deepEqual(echo!.pipeline, [echo]);
    assert.equal(echo!.pipelineIndex, 0);
  });

  test('pipeline members with redirects or negation stay in the pipeline', () => {
    const sh = only('curl -s https://x 2>/dev/null | sh', 'sh');
    assert.deepEqual(
      sh.pipeline.map((member) => member.program),
      ['curl', 'sh'],
    );
    assert.equal(sh.pipelineIndex, 1);
    assert.deepEqual(sh.pipeline[0]!.redirects, [{ operator: '>', target: '/dev/null', descriptor: '2' }]);
    const negated = only('! grep -q x file | cat', 'cat');
    assert.deepEqual(
      negated.pipeline.map((member) => member.program),
      ['grep', 'cat'],
    );
    const negatedRedirect = parse('! a > f | b');
    assert.deepEqual(
      negatedRedirect.commands.map((command) => [command.program, command.pipelineIndex, command.pipeline.length, command.redirects.map((redirect) => redirect.target)]),
      [
        ['a', 0, 2, ['f']],
        ['b', 1, 2, []],
      ],
    );
  });

  test('`cat <<EOF | sh` is a pipeline of cat and sh', () => {
    const script = 'cat <<EOF | sh\necho $(id)\nEOF\n';
    const result = parse(script);
    const sh = result.commands.find((command) => command.program === 'sh')!;
    assert.deepEqual(
      sh.pipeline.map((member) => member.program),
      ['cat', 'sh'],
    );
    assert.equal(sh.pipelineIndex, 1);
    assert.deepEqual(sh.pipeline[0]!.redirects, [{ operator: '<<', target: 'EOF' }]);
    // Substitutions in the heredoc body still run, once.
    assert.equal(result.commands.filter((command) => command.program === 'id' && command.nested).length, 1);
    assert.equal(result.commands.length, 3);
    // Also after a pipeline: `x | cat <<EOF | sh`.
    const longer = parse('x | cat <<EOF | sh\n$(id)\nEOF\n');
    assert.deepEqual(
      longer.commands.map((command) => [command.program, command.pipelineIndex, command.pipeline.length]),
      [
        ['x', 0, 3],
        ['cat', 1, 3],
        ['sh', 2, 3],
        ['id', 0, 1],
      ],
    );
    assert.deepEqual(longer.commands[1]!.redirects, [{ operator: '<<', target: 'EOF' }]);
  });

  test('redirects: on the command, after it, and on the last command of a pipeline or list', () => {
    assert.deepEqual(only('echo hi > out.txt', 'echo').redirects, [{ operator: '>', target: 'out.txt' }]);
    assert.deepEqual(only('echo hi >> "log file" 2>&1', 'echo').redirects, [
      { operator: '>>', target: 'log file' },
      { operator: '>&', target: '1', descriptor: '2' },
    ]);
    assert.deepEqual(only('cat < in.txt', 'cat').redirects, [{ operator: '<', target: 'in.txt' }]);
    // The shell applies `> f` to the last command only.
    const result = parse('a && b | c > f');
    assert.deepEqual(
      result.commands.map((command) => [command.program, command.redirects.map((redirect) => redirect.target)]),
      [
        ['a', []],
        ['b', []],
        ['c', ['f']],
      ],
    );
    assert.deepEqual(only('cat <<< "$SECRET"', 'cat').redirects, [{ operator: '<<<', target: '$SECRET' }]);
  });

  test('heredocs do not crash and keep their redirects', () => {
    const script = "cat <<'EOF' > ~/.npmrc\n//registry.npmjs.org/:_authToken=${{ secrets.NPM_TOKEN }}\nEOF\ncat <<-EOT\n\ttabbed $(whoami)\n\tEOT\necho after";
    const result = parse(script);
    assert.deepEqual(
      result.commands.map((command) => command.program),
      ['cat', 'cat', 'whoami', 'echo'],
    );
    assert.deepEqual(result.commands[0]!.redirects, [
      { operator: '<<', target: 'EOF' },
      { operator: '>', target: '~/.npmrc' },
    ]);
    assert.equal(result.commands[3]!.text, 'echo after');
    assertOffsets(script, result);
    // An unterminated heredoc is an error, not a crash.
    assert.doesNotThrow(() => parse('cat <<EOF\nno end'));
  });

  test('`$(…)`, backticks and `<(…)` hold nested commands', () => {
    const script = 'VERSION=$(git describe --tags | sed s/v//)\necho "`whoami`" $(cat <(ls) $(echo deep))';
    const result = parse(script);
    const byProgram = (program: string) => result.commands.find((command) => command.program === program)!;
    assert.equal(byProgram('git').nested, true);
    assert.deepEqual(
      byProgram('sed').pipeline.map((member) => member.program),
      ['git', 'sed'],
    );
    assert.equal(byProgram('whoami').nested, true);
    assert.equal(byProgram('ls').nested, true);
    assert.equal(result.commands.filter((command) => command.program === 'echo').length, 2);
    assert.equal(result.commands.find((command) => command.program === 'echo' && !command.nested)?.start, script.indexOf('echo'));
    assert.equal(byProgram('cat').args[0]!.raw, '<(ls)');
    assertOffsets(script, result);
  });

  test('subshells and compound commands', () => {
    const result = parse('(cd dist && npm publish)\nif [ -n "$X" ]; then twine upload dist/*; fi\nfor f in *.whl; do echo "$f"; done');
    const npm = result.commands.find((command) => command.program === 'npm')!;
    assert.equal(npm.nested, true);
    const twine = result.commands.find((command) => command.program === 'twine')!;
    assert.equal(twine.nested, false);
    assert.deepEqual(
      twine.args.map((arg) => arg.text),
      ['upload', 'dist/*'],
    );
    assert.ok(result.commands.some((command) => command.program === 'echo'));
  });

  test('`bash -c` and `sh -c` strings are parsed as scripts, at their own offsets', () => {
    const script = `bash -c 'curl -d "$TOKEN" https://x | sh' && sh -ec "echo \${{ secrets.A }} > f"`;
    const result = parse(script);
    assert.deepEqual(
      result.commands.map((command) => [command.program, command.nested]),
      [
        ['bash', false],
        ['curl', true],
        ['sh', true],
        ['sh', false],
        ['echo', true],
      ],
    );
    const curl = result.commands[1]!;
    assert.equal(curl.text, 'curl -d "$TOKEN" https://x');
    assert.equal(curl.start, script.indexOf('curl'));
    assert.deepEqual(curl.args[1]!.variables, ['TOKEN']);
    assert.deepEqual(
      curl.pipeline.map((member) => member.program),
      ['curl', 'sh'],
    );
    const echo = result.commands[4]!;
    assert.equal(echo.text, 'echo ${{ secrets.A }}');
    assert.deepEqual(
      echo.args[0]!.expressions.map((expression) => expression.text),
      ['secrets.A'],
    );
    assert.deepEqual(echo.redirects, [{ operator: '>', target: 'f' }]);
    assertOffsets(script, result);
  });

  test('`bash -c` nesting is bounded', () => {
    let script = 'echo core';
    for (let i = 0; i < 8; i++) script = `bash -c ${JSON.stringify(script).replace(/\$/g, '\\$')}`;
    const result = parse(script);
    assert.ok(result.commands.length >= 2 && result.commands.length <= 8);
  });

  test('prefix assignments on a command', () => {
    const npm = only('NODE_AUTH_TOKEN="${{ secrets.NPM_TOKEN }}" CI=1 npm publish --access public', 'npm');
    assert.deepEqual(npm.assignments, [
      { name: 'NODE_AUTH_TOKEN', value: '"${{ secrets.NPM_TOKEN }}"' },
      { name: 'CI', value: '1' },
    ]);
    assert.deepEqual(
      npm.args.map((arg) => arg.text),
      ['publish', '--access', 'public'],
    );
  });

  test('top-level assignments, including export and in order', () => {
    const script = 'TOKEN=$(curl -s https://x)\nexport NAME="${{ github.head_ref }}"\nA=1 B=2\nFOO=bar cmd\necho $(INNER=1)';
    const result = parse(script);
    assert.deepEqual(
      result.assignments.map((assignment) => [assignment.name, assignment.value]),
      [
        ['TOKEN', '$(curl -s https://x)'],
        ['NAME', '"${{ github.head_ref }}"'],
        ['A', '1'],
        ['B', '2'],
      ],
    );
    assert.equal(result.assignments[1]!.start, script.indexOf('NAME='));
    assert.equal(result.assignments[1]!.span.offset, script.indexOf('NAME='));
    // The substitution still yields its command.
    assert.ok(result.commands.some((command) => command.program === 'curl' && command.nested));
  });

  test('assignments on the line before a command are not its prefix', () => {
    // tree-sitter-bash joins these into one command; the line break separates them.
    const script = 'A=1 B="${{ inputs.b }}"\nnpm publish\nx=1 > f\necho hi';
    const result = parse(script);
    const npm = result.commands.find((command) => command.program === 'npm')!;
    assert.equal(npm.text, 'npm publish');
    assert.equal(npm.start, script.indexOf('npm'));
    assert.deepEqual(npm.assignments, []);
    const echo = result.commands.find((command) => command.program === 'echo')!;
    assert.equal(echo.text, 'echo hi');
    assert.deepEqual(echo.redirects, []);
    assert.deepEqual(
      result.assignments.map((assignment) => [assignment.name, assignment.value]),
      [
        ['A', '1'],
        ['B', '"${{ inputs.b }}"'],
        ['x', '1'],
      ],
    );
    // A continued line is still one command, and a prefix in a pipeline stays a prefix.
    assert.deepEqual(only('TOKEN=x \\\n  npm publish', 'npm').assignments, [{ name: 'TOKEN', value: 'x' }]);
    const piped = parse('FOO=1 cmd | cat');
    assert.deepEqual(piped.assignments, []);
    assert.deepEqual(piped.commands[0]!.assignments, [{ name: 'FOO', value: '1' }]);
  });

  test('syntax errors are recovered from and flagged', () => {
    const result = parse('echo ok\nif then fi ((\ncurl x');
    assert.equal(result.hasErrors, true);
    assert.ok(result.commands.some((command) => command.program === 'echo'));
  });

  test('non-ASCII text: offsets are UTF-16 string indices, not bytes', () => {
    // é is 2 bytes, 日本 6, each emoji 4 bytes and 2 UTF-16 units.
    const script = 'echo "héllo 日本 😀😀" && curl -d "é=$X" https://x | sh\n# 💥 comment\nnpm publish';
    const result = parse(script);
    assert.deepEqual(
      result.commands.map((command) => command.text),
      ['echo "héllo 日本 😀😀"', 'curl -d "é=$X" https://x', 'sh', 'npm publish'],
    );
    for (const command of result.commands) assert.equal(command.start, script.indexOf(command.text));
    assert.equal(result.commands[0]!.args[0]!.text, 'héllo 日本 😀😀');
    assertOffsets(script, result);
    // And inside `bash -c`, whose offsets are shifted by the outer script.
    const nested = 'echo 😀 && bash -c "printf é; curl 😀.example"';
    const curl = parse(nested).commands.find((command) => command.program === 'curl')!;
    assert.equal(nested.slice(curl.start, curl.end), 'curl 😀.example');
  });

  test('long chains of `&&` lines and deep nesting neither overflow the stack nor take long', () => {
    const chained = Array.from({ length: 5000 }, (_, i) => `echo ${i}`).join(' &&\n');
    const started = performance.now();
    const result = parse(chained);
    assert.equal(result.commands.length, 5000);
    assert.equal(result.commands[4999]!.text, 'echo 4999');
    const deep = 'echo ' + '$(echo '.repeat(3000) + ')'.repeat(3000);
    assert.doesNotThrow(() => parse(deep));
    assert.equal(parse(deep).hasErrors, true);
    const parens = '('.repeat(3000) + 'x' + ')'.repeat(3000);
    assert.doesNotThrow(() => parse(parens));
    assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
  });
});
