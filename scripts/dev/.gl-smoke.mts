import { buildGitLabPipeline, parseGitLabYaml } from '../../src/models/gitlab/build.ts';
import { loadShellParser } from '../../src/models/shell/parse.ts';
await loadShellParser();
const files: Record<string,string> = {
  'ci/templates.yml': `.base:\n  image: python:3.12\n  before_script:\n    - pip install twine\n  variables:\n    A: "1"\n    B: $A\n`,
};
const text = `include:
  - local: /ci/templates.yml
  - project: group/proj
    ref: main
    file: /x.yml
  - remote: https://example.com/x.yml
  - component: gitlab.com/a/b/c@1.0
variables:
  GLOBAL: x
default:
  id_tokens:
    TOK:
      aud: pypi
.setup:
  script:
    - echo setup
publish:
  extends: .base
  stage: deploy
  variables:
    B: override
  script:
    - !reference [.setup, script]
    - |
      twine upload \\
        -p $PYPI_TOKEN dist/*
  environment:
    name: pypi
    url: https://pypi.org/p/x
  rules:
    - if: $CI_COMMIT_TAG
`;
const p = await buildGitLabPipeline('.gitlab-ci.yml', parseGitLabYaml(text), { resolver: { read: (p) => files[p] ? { ok: true, path: p, text: files[p]! } : { ok: false, message: 'missing' } } });
console.log(p.errors, p.includes.map(i => [i.kind, i.target, i.ref?.value, i.resolved]));
for (const job of p.jobs) {
  console.log(job.name, job.hidden, job.stage.value, job.image, job.extendsChain, job.variables.map(v=>[v.name,v.value,v.references, v.span.path, v.span.start.line]), job.idTokens.map(t=>t.name));
  console.log(job.script.text);
  for (const c of job.script.parsed().commands) console.log('  ', c.program, c.span.start, (c.span as any).path, c.args.map(a => [a.text, a.span.start.line, (a.span as any).path]));
}
