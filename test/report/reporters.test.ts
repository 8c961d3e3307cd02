import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import AjvModule from 'ajv';
import type { Finding } from '../../src/findings/finding.ts';
import { escapeData, escapeProperty } from '../../src/report/github.ts';
import { reporters } from '../../src/report/index.ts';
import type { FormatName } from '../../src/report/index.ts';
import { GITHUB_LIMITS } from '../../src/report/sarif.ts';
import type { AuditReport } from '../../src/report/types.ts';
import type { RuleMeta } from '../../src/rules/rule.ts';

const Ajv = AjvModule.default;

const RELEASE = '.github/workflows/release.yml';
const OTHER = '.github/workflows/other dir/ci,1.yml';

const RELEASE_SOURCE = `name: release
on:
  push:
    tags: ['v*']
jobs:
  publish:
    permissions:
      id-token: write
      contents: read
    runs-on: ubuntu-latest
    steps:
      - run: |
          python -m build
          twine upload dist/*
        env:
          TWINE_PASSWORD: \${{ secrets.PYPI_TOKEN }}
`;

function rule(id: string, severity: RuleMeta['severity'], confidence: RuleMeta['confidence'], why = `Why ${id} matters.`): RuleMeta {
  return {
    id,
    summary: `Summary of ${id}`,
    severity,
    confidence,
    docs: { why, example: 'on: push', fix: `Fix ${id}.`, references: ['https://docs.pypi.org/trusted-publishers/'] },
  };
}

function sampleReport(overrides: Partial<AuditReport> = {}): AuditReport {
  const findings: Finding[] = [
    {
      rule: 'oidc-token-scope',
      severity: 'high',
      confidence: 'high',
      message: 'id-token: write is granted to the whole job. Every step can mint an OIDC token.',
      path: RELEASE,
      line: 7,
      column: 5,
      endLine: 7,
      endColumn: 16,
      fingerprint: 'a'.repeat(32),
      related: [
        { message: 'the id-token grant', line: 8, column: 7 },
        { message: 'triggered by tag pushes', line: 3, column: 3 },
      ],
    },
    {
      rule: 'secret-in-run',
      severity: 'medium',
      confidence: 'medium',
      message: 'The publish token reaches a run step',
      path: RELEASE,
      line: 12,
      column: 9,
      endLine: 16,
      endColumn: 1,
      fingerprint: 'b'.repeat(32),
      related: [],
    },
    {
      rule: 'debug-logging',
      severity: 'info',
      confidence: 'low',
      message: 'Step debug logging is on',
      path: OTHER,
      line: 4,
      column: 3,
      endLine: 4,
      endColumn: 10,
      fingerprint: 'c'.repeat(32),
      related: [],
    },
  ];
  return {
    tool: { name: 'cordon', version: '0.1.0', informationUri: 'https://github.com/example/cordon' },
    root: '/home/user/my project',
    findings,
    errors: [{ path: '.github/workflows/broken.yml', line: 3, message: 'bad indentation' }],
    summary: {
      filesAudited: 3,
      findings: 3,
      bySeverity: { critical: 0, high: 1, medium: 1, low: 0, info: 1 },
      ignored: 1,
      suppressed: 2,
      errors: 1,
    },
    rules: [rule('oidc-token-scope', 'high', 'high'), rule('secret-in-run', 'critical', 'medium'), rule('debug-logging', 'low', 'low')],
    sources: new Map([[RELEASE, RELEASE_SOURCE]]),
    ...overrides,
  };
}

const render = (format: FormatName, report: AuditReport, color = false): string => reporters[format](report, { color });

describe('text reporter', () => {
  it('prints compiler-style diagnostics, errors and a summary', () => {
    const expected = [
      'error[oidc-token-scope]: id-token: write is granted to the whole job. Every step can mint an OIDC token.',
      ' --> .github/workflows/release.yml:7:5',
      '  |',
      '6 |   publish:',
      '7 |     permissions:',
      '  |     ^^^^^^^^^^^ id-token: write is granted to the whole job.',
      '8 |       id-token: write',
      '  |',
      '  = severity: high · confidence: high · docs: docs/rules/oidc-token-scope.md',
      '  = note: the id-token grant at 8:7',
      '  = note: triggered by tag pushes at 3:3',
      '',
      'warning[secret-in-run]: The publish token reaches a run step',
      '  --> .github/workflows/release.yml:12:9',
      '   |',
      '11 |     steps:',
      '12 |       - run: |',
      '   |         ^^^^^^',
      '13 |           python -m build',
      '14 |           twine upload dist/*',
      '15 |         env:',
      '16 |           TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}',
      '   |',
      '   = severity: medium · confidence: medium · docs: docs/rules/secret-in-run.md',
      '',
      'note[debug-logging]: Step debug logging is on',
      ' --> .github/workflows/other dir/ci,1.yml:4:3',
      '  = severity: info · confidence: low · docs: docs/rules/debug-logging.md',
      '',
      'error[input]: .github/workflows/broken.yml:3: bad indentation',
      '',
      '3 findings (1 high, 1 medium, 1 info) in 3 files; 1 ignored, 2 suppressed; 1 file could not be read',
      '',
    ].join('\n');
    assert.equal(render('text', sampleReport()), expected);
  });

  it('uses no escape codes without colour, and ANSI colours with it', () => {
    const plain = render('text', sampleReport());
    assert.doesNotMatch(plain, /\x1b/);
    const colored = render('text', sampleReport(), true);
    assert.ok(colored.includes('\x1b[1m\x1b[31merror[oidc-token-scope]'), 'red bold error');
    assert.ok(colored.includes('\x1b[1m\x1b[33mwarning[secret-in-run]'), 'yellow warning');
    assert.ok(colored.includes('\x1b[1m\x1b[36mnote[debug-logging]'), 'cyan note');
    assert.ok(colored.includes('\x1b[1m\x1b[34m-->'), 'blue gutter');
    assert.equal(colored.replace(/\x1b\[[0-9;]*m/g, ''), plain);
  });

  it('keeps escape sequences from scanned files off the terminal', () => {
    const source = RELEASE_SOURCE.replace('    permissions:', '    permissions: \x1b[2J\x1b]0;pwned\x07');
    const report = sampleReport({ sources: new Map([[RELEASE, source]]) });
    report.findings[0]!.message = 'bad \x1b[31mred\x1b[0m message';
    const out = render('text', report);
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.ok(out.includes('permissions: \\x1b[2J\\x1b]0;pwned\\x07'));
  });

  it('cuts long spans and marks columns to the end of line on multi-line spans', () => {
    const lines = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`);
    const report = sampleReport({
      findings: [{ ...sampleReport().findings[1]!, line: 3, column: 3, endLine: 12, endColumn: 4 }],
      errors: [],
      sources: new Map([[RELEASE, lines.join('\n')]]),
    });
    const out = render('text', report).split('\n');
    assert.deepEqual(out.slice(1, 14), [
      '  --> .github/workflows/release.yml:3:3',
      '   |',
      ' 2 | line 2',
      ' 3 | line 3',
      '   |   ^^^^',
      ' 4 | line 4',
      ' 5 | line 5',
      ' 6 | line 6',
      ' 7 | line 7',
      '...',
      '12 | line 12',
      '13 | line 13',
      '   |',
    ]);
  });

  it('says so when there is nothing to report', () => {
    const report = sampleReport({
      findings: [],
      errors: [],
      summary: { filesAudited: 5, findings: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, ignored: 0, suppressed: 0, errors: 0 },
    });
    assert.equal(render('text', report), 'no findings in 5 files\n');
  });
});

describe('json reporter', () => {
  it('has exactly the documented keys, in order', () => {
    const out = render('json', sampleReport());
    assert.ok(out.startsWith('{\n  "version": 1,\n  "findings": [\n    {\n      "rule": '));
    assert.ok(out.endsWith('}\n'));
    const document = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(document), ['version', 'findings', 'errors', 'summary']);
    const findings = document.findings as Array<Record<string, unknown>>;
    assert.equal(findings.length, 3);
    for (const finding of findings) {
      assert.deepEqual(Object.keys(finding), ['rule', 'severity', 'confidence', 'message', 'path', 'line', 'column', 'endLine', 'endColumn', 'fingerprint']);
    }
    assert.deepEqual(findings[0], {
      rule: 'oidc-token-scope',
      severity: 'high',
      confidence: 'high',
      message: 'id-token: write is granted to the whole job. Every step can mint an OIDC token.',
      path: RELEASE,
      line: 7,
      column: 5,
      endLine: 7,
      endColumn: 16,
      fingerprint: 'a'.repeat(32),
    });
    assert.deepEqual(document.errors, [{ path: '.github/workflows/broken.yml', line: 3, message: 'bad indentation' }]);
    assert.deepEqual(document.summary, sampleReport().summary);
  });
});

describe('github reporter', () => {
  it('prints one workflow command per finding and error', () => {
    assert.equal(
      render('github', sampleReport()),
      [
        '::error file=.github/workflows/release.yml,line=7,col=5,endLine=7,endColumn=16,title=oidc-token-scope (high)::id-token: write is granted to the whole job. Every step can mint an OIDC token.',
        // GitHub takes columns only on single-line annotations.
        '::warning file=.github/workflows/release.yml,line=12,endLine=16,title=secret-in-run (medium)::The publish token reaches a run step',
        '::notice file=.github/workflows/other dir/ci%2C1.yml,line=4,col=3,endLine=4,endColumn=10,title=debug-logging (info)::Step debug logging is on',
        '::error file=.github/workflows/broken.yml,line=3::bad indentation',
        '',
      ].join('\n'),
    );
  });

  it('escapes data and properties as actions/toolkit does', () => {
    assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext%3A a%2Cb');
    const report = sampleReport({ errors: [] });
    report.findings = [{ ...report.findings[2]!, path: 'dir:a,b/%x.yml', message: 'line one\nline two: 50%\r\n::error::injected' }];
    const out = render('github', report);
    assert.equal(out.split('\n').length, 2, 'one line per finding');
    assert.equal(
      out,
      '::notice file=dir%3Aa%2Cb/%25x.yml,line=4,col=3,endLine=4,endColumn=10,title=debug-logging (info)::line one%0Aline two: 50%25%0D%0A::error::injected\n',
    );
  });

  it('prints nothing when there is nothing to report', () => {
    assert.equal(render('github', sampleReport({ findings: [], errors: [] })), '');
  });
});

describe('sarif reporter', () => {
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  function validator(): (data: unknown) => void {
    // The OASIS schema is draft-04 (`id`, draft-04 `$schema`); every keyword it uses means the
    // same in draft-07, Ajv's default, so only the two header keywords are translated.
    const { $schema: _metaSchema, id, ...rest } = schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('uri', (value: string) => isUri(value));
    ajv.addFormat('uri-reference', (value: string) => isUriReference(value));
    ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
    const validate = ajv.compile({ $id: String(id), ...rest });
    return (data) => {
      const valid = validate(data);
      assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    };
  }

  it('is valid SARIF 2.1.0 by the official schema', () => {
    const validate = validator();
    validate(JSON.parse(render('sarif', sampleReport())));
    validate(JSON.parse(render('sarif', sampleReport({ findings: [], errors: [], rules: [] }))));
    // The schema is strict enough to catch a broken log.
    const broken = JSON.parse(render('sarif', sampleReport())) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    broken.runs[0]!.results[0]!.level = 'fatal';
    assert.throws(() => validate(broken));
  });

  it('describes the tool, its rules and each result for GitHub code scanning', () => {
    const log = JSON.parse(render('sarif', sampleReport()));
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    const driver = run.tool.driver;
    assert.equal(driver.name, 'cordon');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.semanticVersion, '0.1.0');
    assert.equal(driver.informationUri, 'https://github.com/example/cordon');
    assert.deepEqual(
      driver.rules.map((descriptor: { id: string }) => descriptor.id),
      ['oidc-token-scope', 'secret-in-run', 'debug-logging'],
    );
    assert.deepEqual(driver.rules[1], {
      id: 'secret-in-run',
      name: 'secret-in-run',
      shortDescription: { text: 'Summary of secret-in-run' },
      fullDescription: { text: 'Why secret-in-run matters.' },
      help: {
        text: 'Why secret-in-run matters.\n\nFix:\nFix secret-in-run.\n\nReferences:\n- https://docs.pypi.org/trusted-publishers/',
        markdown: 'Why secret-in-run matters.\n\n## Fix\n\nFix secret-in-run.\n\n## References\n\n- https://docs.pypi.org/trusted-publishers/',
      },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'ci'], 'security-severity': '9.5', precision: 'medium' },
      helpUri: 'https://github.com/example/cordon/blob/main/docs/rules/secret-in-run.md',
    });
    assert.equal(driver.rules[0].properties['security-severity'], '8.0');
    assert.equal(driver.rules[2].properties['security-severity'], '3.0');
    assert.equal(driver.rules[2].defaultConfiguration.level, 'note');

    assert.deepEqual(run.originalUriBaseIds, { SRCROOT: { uri: 'file:///home/user/my%20project/' } });
    assert.deepEqual(run.invocations, [
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'bad indentation' },
            locations: [{ physicalLocation: { artifactLocation: { uri: '.github/workflows/broken.yml', uriBaseId: 'SRCROOT' }, region: { startLine: 3 } } }],
          },
        ],
      },
    ]);

    const [first, second, third] = run.results;
    assert.deepEqual(first, {
      ruleId: 'oidc-token-scope',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'id-token: write is granted to the whole job. Every step can mint an OIDC token.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: '.github/workflows/release.yml', uriBaseId: 'SRCROOT' },
            region: { startLine: 7, startColumn: 5, endLine: 7, endColumn: 16 },
          },
        },
      ],
      relatedLocations: [
        {
          id: 1,
          physicalLocation: { artifactLocation: { uri: '.github/workflows/release.yml', uriBaseId: 'SRCROOT' }, region: { startLine: 8, startColumn: 7 } },
          message: { text: 'the id-token grant' },
        },
        {
          id: 2,
          physicalLocation: { artifactLocation: { uri: '.github/workflows/release.yml', uriBaseId: 'SRCROOT' }, region: { startLine: 3, startColumn: 3 } },
          message: { text: 'triggered by tag pushes' },
        },
      ],
      partialFingerprints: { 'cordonFingerprint/v1': 'a'.repeat(32) },
      properties: { severity: 'high', confidence: 'high' },
    });
    // The result's own severity wins over the rule default (a config override, say).
    assert.equal(second.level, 'warning');
    assert.equal(second.ruleIndex, 1);
    assert.equal(second.relatedLocations, undefined);
    assert.equal(third.level, 'note');
    assert.equal(third.ruleIndex, 2);
    assert.equal(third.locations[0].physicalLocation.artifactLocation.uri, '.github/workflows/other%20dir/ci%2C1.yml');
  });

  it('stays within what GitHub code scanning accepts', () => {
    const validate = validator();
    const longWhy = 'x'.repeat(3_000);
    const report = sampleReport({ rules: [rule('oidc-token-scope', 'high', 'high', longWhy)] });
    const log = JSON.parse(render('sarif', report));
    validate(log);
    const rules = log.runs[0].tool.driver.rules;
    assert.equal(rules[0].fullDescription.text.length, 1_024);
    assert.equal(rules[0].help.text.startsWith(longWhy), true, 'help keeps the whole text');
    // Rules the report did not list still get a descriptor, so ruleIndex always resolves.
    assert.deepEqual(
      rules.map((descriptor: { id: string }) => descriptor.id),
      ['oidc-token-scope', 'secret-in-run', 'debug-logging'],
    );
    for (const result of log.runs[0].results) assert.equal(rules[result.ruleIndex].id, result.ruleId);
    for (const descriptor of rules) {
      for (const text of [descriptor.shortDescription.text, descriptor.fullDescription.text, descriptor.help.text]) assert.notEqual(text.trim(), '');
      assert.ok(descriptor.shortDescription.text.length <= 1_024);
      assert.ok(descriptor.name.length <= 255);
    }

    const many = sampleReport({ errors: [] });
    const base = many.findings[2]!;
    many.findings = Array.from({ length: GITHUB_LIMITS.resultsPerRun + 5 }, (_, index) => ({ ...base, line: index + 1, endLine: index + 1 }));
    many.findings.push({ ...many.findings[0]!, severity: 'critical', line: 1 });
    const big = JSON.parse(render('sarif', many));
    assert.equal(big.runs[0].results.length, GITHUB_LIMITS.resultsPerRun);
    assert.equal(big.runs[0].results[0].properties.severity, 'critical', 'the most severe are kept');
    assert.equal(big.runs[0].invocations[0].toolExecutionNotifications[0].level, 'warning');
  });
});

describe('canaries', () => {
  const pypi = `pypi-AgEIcHlwaS5vcmc${createHash('sha512').update('canary-1').digest('base64url')}${createHash('sha512').update('canary-2').digest('base64url')}`;
  const ghp = `ghp_${createHash('sha256').update('canary-3').digest('hex').slice(0, 36)}`;
  const jwt = [
    'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9',
    Buffer.from(JSON.stringify({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:example/cordon:ref:refs/tags/v1', aud: 'pypi' })).toString('base64url'),
    createHash('sha512').update('canary-4').digest('base64url'),
  ].join('.');
  const aws = 'AKIAQ2TCANARY7X4WZ9M';
  const canaries = { pypi, ghp, jwt, aws };

  it('are realistic', () => {
    assert.ok(pypi.length >= 180);
    assert.match(ghp, /^ghp_[A-Za-z0-9]{36}$/);
    assert.match(jwt, /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
    assert.match(aws, /^AKIA[A-Z0-9]{16}$/);
  });

  it('never reach any output format', () => {
    const source = RELEASE_SOURCE.replace('${{ secrets.PYPI_TOKEN }}', pypi)
      .replace('    permissions:', `    permissions: # ${jwt}`)
      .replace('      contents: read', `      contents: read # ${aws}`)
      .replace('python -m build', `python -m build --token ${ghp}`);
    const report = sampleReport({ sources: new Map([[RELEASE, source]]) });
    const [first, second, third] = report.findings;
    first!.message = `Token ${pypi} is in the workflow. Also ${ghp}.`;
    first!.related[0]!.message = `grant next to ${jwt}`;
    second!.message = `AWS key ${aws} and JWT ${jwt}`;
    third!.path = `.github/workflows/${aws}.yml`;
    report.errors = [{ path: '.github/workflows/broken.yml', line: 3, message: `cannot parse value ${pypi} / ${ghp} / ${jwt} / ${aws}` }];

    for (const format of ['text', 'json', 'sarif', 'github'] as const) {
      for (const color of [false, true]) {
        const out = render(format, report, color);
        for (const [name, canary] of Object.entries(canaries)) {
          assert.ok(!out.includes(canary), `${format} (color ${color}) leaks the ${name} canary`);
        }
      }
    }
    const text = render('text', report);
    assert.ok(text.includes('pypi-AgE…[sha256:'), 'the frame shows the redacted token');
    // The frame still shows the finding's lines, with the secrets replaced in place.
    assert.ok(text.includes('\n7 |     permissions: # eyJhbGci…[sha256:'));
    assert.ok(text.includes('16 |           TWINE_PASSWORD: pypi-AgE…[sha256:'));
  });
});

function isUri(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    new URL(value);
    return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value);
  } catch {
    return false;
  }
}

/** RFC 3986 URI reference: only unreserved, reserved and percent-encoded characters. */
function isUriReference(value: string): boolean {
  if (!/^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/.test(value)) return false;
  try {
    new URL(value, 'file:///base/');
    return true;
  } catch {
    return false;
  }
}
