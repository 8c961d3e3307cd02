import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { isSeq, stringify } from 'yaml';
import { audit } from '../../src/engine/audit.ts';
import { buildGitLabPipeline, parseGitLabYaml } from '../../src/models/gitlab/build.ts';
import type { GitLabJob, GitLabPipeline, IncludeResolver } from '../../src/models/gitlab/types.ts';
import { loadShellParser } from '../../src/models/shell/parse.ts';
import { YamlFile, YamlInputError } from '../../src/models/yaml/document.ts';
import { rules } from '../../src/rules/index.ts';
import { assertConsistent, assertSpanIs, assertStartsAt, locate } from './spans.ts';
import { wildcard } from '../../src/sources/gitlab-includes.ts';

before(async () => {
  await loadShellParser();
});

/** An in-memory repository: paths relative to its root, as `include: local` writes them. */
function repository(files: Record<string, string>): IncludeResolver {
  return {
    read: (path) => {
      const key = path.replace(/^\/+/, '');
      const text = files[key];
      return text === undefined ? { ok: false, message: 'no such file in the repository' } : { ok: true, path: key, text };
    },
    glob: (pattern) => {
      const regex = wildcard(pattern.replace(/^\/+/, ''));
      return Object.keys(files)
        .filter((name) => regex.test(name))
        .sort();
    },
  };
}

async function pipeline(text: string, files: Record<string, string> = {}): Promise<GitLabPipeline> {
  return buildGitLabPipeline('.gitlab-ci.yml', parseGitLabYaml(text), { resolver: repository(files) });
}

function job(file: GitLabPipeline, name: string): GitLabJob {
  const found = file.jobs.find((candidate) => candidate.name === name);
  assert.ok(found, `no job ${name}`);
  return found;
}

function errors(file: GitLabPipeline): string[] {
  return file.errors.map((error) => `${error.path}:${error.line}:${error.column}: ${error.message}`);
}

const RELEASE = `stages: [build, deploy]

variables:
  PACKAGE: example
  TOKEN_ALIAS: $PYPI_TOKEN
  LITERAL:
    value: "$NOT_EXPANDED"
    expand: false

default:
  image: python:3.12
  before_script:
    - python -V
  id_tokens:
    SHARED_TOKEN:
      aud: https://vault.example.com

workflow:
  name: release
  rules:
    - if: $CI_COMMIT_TAG

build:
  stage: build
  services:
    - postgres:16
    - name: redis:7
      alias: cache
  script:
    - pip install build
    - |
      python -m build \\
        --wheel
  artifacts:
    paths: [dist/]

publish:
  stage: deploy
  image:
    name: python:3.12-slim
    entrypoint: [""]
  needs:
    - build
    - job: lint
      artifacts: false
  rules:
    - if: $CI_COMMIT_TAG
      when: manual
    - changes:
        - pyproject.toml
  environment:
    name: pypi
    url: https://pypi.org/p/example
    deployment_tier: production
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  secrets:
    DEPLOY_KEY:
      vault: deploy/key@secret
      token: $PYPI_ID_TOKEN
  variables:
    TWINE_USERNAME: __token__
  tags: [docker]
  script:
    - twine upload dist/*

legacy:
  only:
    refs: [main, tags]
    variables:
      - $RELEASE == "yes"
  except: [schedules]
  inherit:
    default: [image]
    variables: [PACKAGE]
  trigger:
    project: acme/downstream
    branch: main
`;

describe('GitLab model: keywords and spans', () => {
  test('jobs, stages, variables, default and workflow', async () => {
    const file = await pipeline(RELEASE);
    assert.deepEqual(file.errors, []);
    assert.equal(file.kind, 'gitlab');
    assert.deepEqual(
      file.stages.map((stage) => stage.value),
      ['build', 'deploy'],
    );
    assert.deepEqual(
      file.jobs.map((item) => item.name),
      ['build', 'publish', 'legacy'],
    );
    const [pkg, alias, literal] = file.variables;
    assertSpanIs(RELEASE, pkg!.nameSpan, 'PACKAGE');
    assert.deepEqual(alias!.references, ['PYPI_TOKEN']);
    assert.equal(literal!.expand, false);
    assert.deepEqual(literal!.references, []);
    assertSpanIs(RELEASE, literal!.span, '"$NOT_EXPANDED"');
    assert.equal(file.default.image?.name, 'python:3.12');
    assert.equal(file.workflow?.name?.value, 'release');
    assert.equal(file.workflow?.rules?.[0]?.if?.value, '$CI_COMMIT_TAG');
    assertSpanIs(RELEASE, file.default.idTokens[0]!.nameSpan, 'SHARED_TOKEN');
    for (const item of file.jobs) assertConsistent(RELEASE, item.nameSpan);
  });

  test('a job takes default keywords it does not set', async () => {
    const file = await pipeline(RELEASE);
    const build = job(file, 'build');
    assert.equal(build.stage.value, 'build');
    assert.equal(build.image?.name, 'python:3.12');
    assert.equal(build.image?.level, 'default');
    assert.deepEqual(
      build.services.map((service) => service.name),
      ['postgres:16', 'redis:7'],
    );
    assert.deepEqual(
      build.idTokens.map((token) => [token.name, token.fromDefault]),
      [['SHARED_TOKEN', true]],
    );
    assert.deepEqual(
      build.script.lines.map((line) => [line.section, line.text.trim().split('\n')[0]]),
      [
        ['before_script', 'python -V'],
        ['script', 'pip install build'],
        ['script', 'python -m build \\'],
      ],
    );
    // The job's own id_tokens replace the default ones.
    const publish = job(file, 'publish');
    assert.deepEqual(
      publish.idTokens.map((token) => [token.name, token.fromDefault, token.audiences.map((aud) => aud.value)]),
      [['PYPI_ID_TOKEN', false, ['pypi']]],
    );
    assert.equal(publish.image?.name, 'python:3.12-slim');
    assertSpanIs(RELEASE, publish.image?.span, 'python:3.12-slim');
  });

  test('script commands map back to their lines, block scalars included', async () => {
    const file = await pipeline(RELEASE);
    const commands = job(file, 'build').script.parsed().commands;
    const [python, pip, build] = commands;
    assertSpanIs(RELEASE, python!.span, 'python -V');
    assertSpanIs(RELEASE, pip!.span, 'pip install build');
    assert.equal(build!.program, 'python');
    assertStartsAt(RELEASE, build!.span, 'python -m build');
    const wheel = build!.args.find((arg) => arg.text === '--wheel');
    assertSpanIs(RELEASE, wheel!.span, '--wheel');
    assert.equal(wheel!.span.start.line, locate(RELEASE, '--wheel').line);
    assert.equal((wheel!.span as { path?: string }).path, '.gitlab-ci.yml');
  });

  test('rules, environment, needs, secrets, tags, only/except, inherit and trigger', async () => {
    const file = await pipeline(RELEASE);
    const publish = job(file, 'publish');
    assert.deepEqual(
      publish.rules?.map((rule) => [rule.if?.value, rule.when?.value, rule.changes.map((change) => change.value)]),
      [
        ['$CI_COMMIT_TAG', 'manual', []],
        [undefined, undefined, ['pyproject.toml']],
      ],
    );
    assertSpanIs(RELEASE, publish.rules?.[0]?.if?.span, '$CI_COMMIT_TAG', 1);
    assert.deepEqual(
      { name: publish.environment?.name, url: publish.environment?.url, tier: publish.environment?.deploymentTier },
      { name: 'pypi', url: 'https://pypi.org/p/example', tier: 'production' },
    );
    assert.deepEqual(
      publish.needs.map((need) => [need.job, need.artifacts]),
      [
        ['build', true],
        ['lint', false],
      ],
    );
    assert.deepEqual(
      publish.secrets.map((secret) => [secret.name, secret.provider, secret.token?.value]),
      [['DEPLOY_KEY', 'vault', '$PYPI_ID_TOKEN']],
    );
    assert.deepEqual(
      publish.tags.map((tag) => tag.value),
      ['docker'],
    );
    assert.deepEqual(
      publish.inheritedVariables.map((variable) => variable.name),
      ['PACKAGE', 'TOKEN_ALIAS', 'LITERAL'],
    );
    const legacy = job(file, 'legacy');
    assert.deepEqual(
      legacy.only?.refs.map((ref) => ref.value),
      ['main', 'tags'],
    );
    assert.deepEqual(
      legacy.only?.variables.map((item) => item.value),
      ['$RELEASE == "yes"'],
    );
    assert.deepEqual(
      legacy.except?.refs.map((ref) => ref.value),
      ['schedules'],
    );
    assert.deepEqual(legacy.inherit, { default: ['image'], variables: ['PACKAGE'] });
    assert.equal(legacy.image?.name, 'python:3.12');
    assert.deepEqual(legacy.script.lines, [], 'before_script is not in `inherit: default`');
    assert.deepEqual(legacy.idTokens, []);
    assert.deepEqual(
      legacy.inheritedVariables.map((variable) => variable.name),
      ['PACKAGE'],
    );
    assert.equal(legacy.trigger?.project?.value, 'acme/downstream');
    assert.equal(legacy.trigger?.branch?.value, 'main');
  });

  test('anchors, aliases and `<<` merge keys', async () => {
    const text = `.defaults: &defaults
  image: python:3.12
  variables: &vars
    A: "1"
.setup: &setup
  - echo setup
job:
  <<: *defaults
  variables:
    <<: *vars
    B: "2"
  script:
    - *setup
    - echo run
`;
    const file = await pipeline(text);
    assert.deepEqual(file.errors, []);
    const item = job(file, 'job');
    assert.equal(item.image?.name, 'python:3.12');
    assert.deepEqual(
      item.variables.map((variable) => [variable.name, variable.value]),
      [
        ['B', '2'],
        ['A', '1'],
      ],
    );
    // The aliased list is a nested list GitLab flattens; its line keeps the anchor's place.
    const [setup, run] = item.script.parsed().commands;
    assertSpanIs(text, setup!.span, 'echo setup');
    assertSpanIs(text, run!.span, 'echo run');
    assert.ok(file.jobs.find((candidate) => candidate.name === '.defaults')?.hidden);
  });
});

describe('GitLab model: extends and !reference', () => {
  const TEXT = `.base:
  image: python:3.12
  variables:
    A: base
    B: base
  script:
    - echo base
  tags: [small]

.middle:
  extends: .base
  variables:
    B: middle
  before_script:
    - echo middle

.other:
  variables:
    C: other
  tags: [large]

job:
  extends: [.middle, .other]
  variables:
    D: job
  script:
    - echo job
    - !reference [.helpers, script]
    - !reference [.helpers, nested]

.helpers:
  script:
    - echo helper
  nested:
    - !reference [.base, script]
`;

  test('multi-level and list extends merge hashes and replace lists', async () => {
    const file = await pipeline(TEXT);
    assert.deepEqual(file.errors, []);
    const item = job(file, 'job');
    assert.deepEqual(
      item.extends.map((parent) => parent.value),
      ['.middle', '.other'],
    );
    assert.deepEqual(item.extendsChain, ['.base', '.middle', '.other']);
    assert.equal(item.image?.name, 'python:3.12');
    assert.equal(item.image?.level, 'job');
    assert.deepEqual(
      item.variables.map((variable) => [variable.name, variable.value]),
      [
        ['A', 'base'],
        ['B', 'middle'],
        ['C', 'other'],
        ['D', 'job'],
      ],
    );
    // Lists are replaced: `.other`'s tags win over `.base`'s, the job's script over `.base`'s.
    assert.deepEqual(
      item.tags.map((tag) => tag.value),
      ['large'],
    );
    assert.deepEqual(
      item.script.lines.map((line) => line.text),
      ['echo middle', 'echo job', 'echo helper', 'echo base'],
    );
  });

  test('inherited and referenced lines keep the span of the text that wrote them', async () => {
    const file = await pipeline(TEXT);
    const item = job(file, 'job');
    const [middle, own, helper, base] = item.script.parsed().commands;
    assertSpanIs(TEXT, middle!.span, 'echo middle');
    assertSpanIs(TEXT, own!.span, 'echo job');
    assertSpanIs(TEXT, helper!.span, 'echo helper');
    assertSpanIs(TEXT, base!.span, 'echo base');
    assertSpanIs(TEXT, item.variables.find((variable) => variable.name === 'A')!.nameSpan, 'A');
    assertSpanIs(TEXT, item.nameSpan, 'job');
  });

  test('!reference parses as a tagged sequence, without YAML errors', () => {
    const yaml = parseGitLabYaml('a:\n  script: [!reference [.b, script]]\n');
    const script = yaml.document.getIn(['a', 'script']);
    assert.ok(isSeq(script));
    const reference = script.items[0];
    assert.ok(isSeq(reference));
    assert.equal(reference.tag, '!reference');
    assert.deepEqual(yaml.document.warnings, []);
    // Without the option YamlFile behaves as before (the tag is only a warning).
    assert.doesNotThrow(() => YamlFile.parse('a: !reference [b, c]\n'));
  });

  test('cyclic extends, unknown templates and references are errors; other jobs are still modelled', async () => {
    const text = `a:
  extends: b
  script: [echo a]
b:
  extends: a
  script: [echo b]
c:
  extends: .missing
  script:
    - echo c
    - !reference [.nowhere, script]
d:
  script: [echo d]
`;
    const file = await pipeline(text);
    assert.deepEqual(errors(file), [
      '.gitlab-ci.yml:5:12: circular `extends:`: `a` → `b` → `a`',
      '.gitlab-ci.yml:8:12: `extends: .missing` names no job or template',
      '.gitlab-ci.yml:11:7: `!reference [.nowhere, script]` names nothing in the configuration',
    ]);
    for (const error of file.errors) assert.ok(error instanceof YamlInputError);
    assert.deepEqual(
      file.jobs.map((item) => item.name),
      ['a', 'b', 'c', 'd'],
    );
    assert.deepEqual(
      job(file, 'c').script.lines.map((line) => line.text),
      ['echo c'],
    );
    assert.deepEqual(
      job(file, 'd').script.lines.map((line) => line.text),
      ['echo d'],
    );
  });

  test('a reference to itself is an error, not a loop', async () => {
    const file = await pipeline('.a:\n  script:\n    - !reference [.a, script]\njob:\n  script: !reference [.a, script]\n');
    assert.ok(errors(file).some((message) => /refers to itself/.test(message)), errors(file).join('\n'));
  });
});

describe('GitLab model: includes', () => {
  const ROOT = `include:
  - local: /ci/templates.yml
  - project: acme/ci
    ref: v1.2.0
    file:
      - /a.yml
      - /b.yml
  - remote: https://example.com/ci.yml
  - template: Jobs/SAST.gitlab-ci.yml
  - component: gitlab.com/acme/components/lint@1.0.0
  - 'ci/extra.yml'

publish:
  extends: .upload
  variables:
    FROM_ROOT: "yes"
`;
  const TEMPLATES = `include: ci/nested.yml
.upload:
  image: python:3.12
  script:
    - twine upload dist/*
publish:
  stage: deploy
  variables:
    FROM_INCLUDE: "yes"
`;
  const NESTED = `lint:
  script:
    - ruff check .
`;
  const EXTRA = `publish:
  variables:
    FROM_EXTRA: "yes"
`;

  test('local includes are read, merged and keep their own paths', async () => {
    const file = await pipeline(ROOT, { 'ci/templates.yml': TEMPLATES, 'ci/nested.yml': NESTED, 'ci/extra.yml': EXTRA });
    assert.deepEqual(file.errors, []);
    assert.deepEqual(
      file.sources.map((source) => source.path),
      ['.gitlab-ci.yml', 'ci/templates.yml', 'ci/nested.yml', 'ci/extra.yml'],
    );
    const publish = job(file, 'publish');
    // Included job definitions are deep-merged under the root's.
    assert.equal(publish.stage.value, 'deploy');
    assert.deepEqual(
      publish.variables.map((variable) => [variable.name, variable.nameSpan.path]),
      [
        ['FROM_INCLUDE', 'ci/templates.yml'],
        ['FROM_EXTRA', 'ci/extra.yml'],
        ['FROM_ROOT', '.gitlab-ci.yml'],
      ],
    );
    assert.equal(publish.path, '.gitlab-ci.yml');
    const [upload] = publish.script.parsed().commands;
    assert.equal((upload!.span as { path?: string }).path, 'ci/templates.yml');
    assertSpanIs(TEMPLATES, upload!.span, 'twine upload dist/*');
    const lint = job(file, 'lint');
    assert.equal(lint.path, 'ci/nested.yml');
    assertSpanIs(NESTED, lint.nameSpan, 'lint');
  });

  test('other include kinds are recorded with their refs, not fetched', async () => {
    const file = await pipeline(ROOT, { 'ci/templates.yml': TEMPLATES, 'ci/nested.yml': NESTED, 'ci/extra.yml': EXTRA });
    const summary = file.includes.map((include) => [include.kind, include.target, include.ref?.value, include.files.map((item) => item.value), include.path]);
    assert.deepEqual(summary, [
      // In the order they are read: a file's includes right after the include that brought it.
      ['local', 'ci/templates.yml', undefined, [], '.gitlab-ci.yml'],
      ['local', 'ci/nested.yml', undefined, [], 'ci/templates.yml'],
      ['project', 'acme/ci', 'v1.2.0', ['/a.yml', '/b.yml'], '.gitlab-ci.yml'],
      ['remote', 'https://example.com/ci.yml', undefined, [], '.gitlab-ci.yml'],
      ['template', 'Jobs/SAST.gitlab-ci.yml', undefined, [], '.gitlab-ci.yml'],
      ['component', 'gitlab.com/acme/components/lint@1.0.0', '1.0.0', [], '.gitlab-ci.yml'],
      ['local', 'ci/extra.yml', undefined, [], '.gitlab-ci.yml'],
    ]);
    assertSpanIs(ROOT, file.includes[2]!.ref?.span, 'v1.2.0');
    assert.deepEqual(file.includes[0]!.resolved, ['ci/templates.yml']);
  });

  test('a missing include, a cycle and a broken include are errors with their line', async () => {
    const text = `include:
  - local: missing.yml
  - local: loop.yml
  - local: broken.yml
job:
  script: [echo ok]
`;
    const file = await pipeline(text, { 'loop.yml': 'include: /loop.yml\nother:\n  script: [echo other]\n', 'broken.yml': 'a: [\n' });
    assert.deepEqual(errors(file), [
      '.gitlab-ci.yml:2:12: local include `missing.yml`: no such file in the repository',
      'loop.yml:1:10: include cycle: `loop.yml` includes itself',
      'broken.yml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(
      file.jobs.map((item) => item.name),
      ['other', 'job'],
    );
  });

  test('without a resolver a local include is an error; wildcards expand through the resolver', async () => {
    const alone = await buildGitLabPipeline('.gitlab-ci.yml', parseGitLabYaml('include: a.yml\njob:\n  script: [x]\n'));
    assert.match(errors(alone)[0] ?? '', /^\.gitlab-ci\.yml:1:10: local include `a\.yml` cannot be read here/);
    const file = await pipeline("include: 'ci/*.yml'\n", { 'ci/a.yml': 'a:\n  script: [echo a]\n', 'ci/b.yml': 'b:\n  script: [echo b]\n', 'ci/sub/c.yml': 'c:\n  script: [x]\n' });
    assert.deepEqual(file.errors, []);
    assert.deepEqual(
      file.jobs.map((item) => item.name),
      ['a', 'b'],
    );
  });

  test('an alias bomb in a pipeline is refused', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `${levels.join('\n')}\njob:\n  script: *i\n`;
    await assert.rejects(() => pipeline(text), (error: unknown) => error instanceof YamlInputError && /alias/.test(error.message));
  });
});

describe('GitLab pipelines in the engine', () => {
  test('findings land in the included file, where ignore comments apply too', async () => {
    const root = `include:
  - local: ci/release.yml
publish:
  extends: .release
  environment: pypi
  rules:
    - if: $CI_COMMIT_TAG
`;
    const release = `.release:
  script:
    - echo "$PYPI_TOKEN" | base64
    - set -x # cordon: ignore[debug-logging] tracing is fine here
`;
    const result = await audit([{ path: '.gitlab-ci.yml', text: root, kind: 'gitlab', includes: repository({ 'ci/release.yml': release }) }], { rules, config: {} });
    assert.deepEqual(result.errors, []);
    const leak = result.findings.find((finding) => finding.rule === 'token-in-log');
    assert.equal(leak?.path, 'ci/release.yml');
    assert.equal(leak?.line, 3);
    assert.equal(leak?.severity, 'critical');
    assert.ok(!result.findings.some((finding) => finding.rule === 'debug-logging'));
    assert.equal(result.ignored, 1);
  });

  test('problems in one part are errors with path and line; the rest is audited', async () => {
    const result = await audit(
      [
        {
          path: '.gitlab-ci.yml',
          text: 'include: gone.yml\nbad:\n  extends: bad\n  script: [echo]\nleak:\n  script:\n    - echo "$DEPLOY_TOKEN" | base64\n',
          kind: 'gitlab',
        },
      ],
      { rules, config: {} },
    );
    assert.deepEqual(
      result.errors.map((error) => `${error.path}:${error.line}`),
      ['.gitlab-ci.yml:1', '.gitlab-ci.yml:3'],
    );
    assert.ok(result.findings.some((finding) => finding.rule === 'token-in-log' && finding.line === 7));
    assert.equal(result.filesAudited, 1);
  });

  test('a document that is not a mapping is refused', async () => {
    const result = await audit([{ path: '.gitlab-ci.yml', text: '- just\n- a list\n', kind: 'gitlab' }], { rules, config: {} });
    assert.deepEqual(result.errors, [{ path: '.gitlab-ci.yml', line: 1, message: 'not a GitLab CI configuration: the document is not a mapping' }]);
    assert.equal(result.filesAudited, 0);
  });
});

describe('GitLab model: robustness', () => {
  const KEYS = ['include', 'local', 'extends', 'script', 'before_script', 'after_script', 'variables', 'default', 'image', 'services', 'rules', 'if', 'when', 'only', 'except', 'environment', 'id_tokens', 'aud', 'secrets', 'needs', 'tags', 'trigger', 'inherit', 'stages', 'workflow', '.tpl', 'job', 'value', 'expand'];
  const leaf = fc.oneof(fc.constantFrom('echo $TOKEN | base64', '$CI_COMMIT_TAG', 'a.yml', '.tpl', 'job', 'pypi', 'true', '', '!reference'), fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 })),
  })).node;

  test('any mapping is modelled, or refused with a line, never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 6 }), async (config) => {
        const text = stringify(config);
        try {
          const file = await pipeline(text, { 'a.yml': text });
          for (const item of file.jobs) {
            item.script.parsed();
            item.afterScript.parsed();
            for (const command of item.script.parsed().commands) assert.ok(command.span.start.line >= 1);
          }
          for (const error of file.errors) assert.ok(error.line >= 1);
        } catch (error) {
          if (!(error instanceof YamlInputError)) throw error;
        }
      }),
      { numRuns: Number(process.env.CORDON_FUZZ_RUNS ?? 300) },
    );
  });
});
