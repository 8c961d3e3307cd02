import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fingerprintSecret, redactSecrets, redactSecretsPreservingLines } from '../../src/findings/redact.ts';
import { redactDetails } from '../../src/report/json.ts';

const MARKER = /([^\s…]{0,8})…\[sha256:([0-9a-f]{12})\]/;

function b64url(seed: string, length: number): string {
  let out = '';
  for (let index = 0; out.length < length; index++) out += createHash('sha512').update(`${seed}:${index}`).digest('base64url');
  return out.slice(0, length);
}

function alnum(seed: string, length: number): string {
  return b64url(seed, length * 2)
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, length);
}

function upperAlnum(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').toUpperCase().slice(0, length);
}

/** One realistic-format (never real) sample per pattern; `secret` is what must disappear. */
const SAMPLES: Array<{ name: string; text: string; secret: string; prefix: string }> = [
  (() => {
    const secret = `pypi-AgEIcHlwaS5vcmc${b64url('pypi', 160)}`;
    return { name: 'PyPI token', text: `TWINE_PASSWORD=${secret}`, secret, prefix: 'pypi-AgE' };
  })(),
  (() => {
    const secret = `pypi-AgENdGVzdC5weXBpLm9yZw${b64url('testpypi', 120)}`;
    return { name: 'TestPyPI token', text: `password: ${secret}`, secret, prefix: 'pypi-AgE' };
  })(),
  ...(['ghp', 'gho', 'ghu', 'ghs', 'ghr'] as const).map((kind) => {
    const secret = `${kind}_${alnum(kind, 36)}`;
    return { name: `GitHub ${kind} token`, text: `token ${secret} here`, secret, prefix: secret.slice(0, 8) };
  }),
  (() => {
    const secret = `github_pat_11ABCDEFG0${alnum('fine-grained', 30)}_${alnum('fine-grained-2', 40)}`;
    return { name: 'GitHub fine-grained PAT', text: `GH_TOKEN: "${secret}"`, secret, prefix: 'github_p' };
  })(),
  (() => {
    const secret = `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${b64url('jwt-payload', 80)}.${b64url('jwt-signature', 86)}`;
    return { name: 'JWT', text: `Authorization: Bearer ${secret}`, secret, prefix: 'eyJhbGci' };
  })(),
  (() => {
    const secret = `npm_${alnum('npm', 36)}`;
    return { name: 'npm token', text: `//registry.npmjs.org/:_authToken=${secret}`, secret, prefix: secret.slice(0, 8) };
  })(),
  (() => {
    const secret = `AKIA${upperAlnum('aws-akia', 16)}`;
    return { name: 'AWS key id (AKIA)', text: `aws_access_key_id = ${secret}`, secret, prefix: 'AKIA' + secret.slice(4, 5) };
  })(),
  (() => {
    const secret = `ASIA${upperAlnum('aws-asia', 16)}`;
    return { name: 'AWS key id (ASIA)', text: `AWS_ACCESS_KEY_ID=${secret}`, secret, prefix: 'ASIA' + secret.slice(4, 5) };
  })(),
  (() => {
    const secret = `glpat-${alnum('gitlab', 20)}`;
    // 26 characters: a quarter of it, 6, is shown.
    return { name: 'GitLab PAT', text: `GITLAB_TOKEN=${secret}`, secret, prefix: 'glpat-' };
  })(),
  (() => {
    const secret = `xoxb-1234567890-1234567890123-${alnum('slack', 24)}`;
    return { name: 'Slack token', text: `slack: ${secret}`, secret, prefix: 'xoxb-123' };
  })(),
  (() => {
    const secret = `sk-proj-${alnum('openai', 40)}0`;
    return { name: 'OpenAI key', text: `OPENAI_API_KEY=${secret}`, secret, prefix: 'sk-proj-' };
  })(),
  (() => {
    const secret = `sk-ant-api03-${b64url('anthropic', 80)}9`;
    return { name: 'Anthropic key', text: `ANTHROPIC_API_KEY=${secret}`, secret, prefix: 'sk-ant-a' };
  })(),
  (() => {
    const secret = `dckr_pat_${b64url('docker', 27)}`;
    return { name: 'Docker Hub PAT', text: `docker login -p ${secret}`, secret, prefix: 'dckr_pat' };
  })(),
  (() => {
    const secret = `-----BEGIN RSA PRIVATE KEY-----\n${b64url('pem-1', 64)}\n${b64url('pem-2', 64)}\n-----END RSA PRIVATE KEY-----`;
    return { name: 'PEM private key', text: `key: |\n${secret}\nafter: 1`, secret, prefix: '-----BEG' };
  })(),
  (() => {
    const secret = `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64url('ssh-1', 70)}\n${b64url('ssh-2', 70)}`;
    return { name: 'PEM private key cut off', text: `key: ${secret}`, secret, prefix: '-----BEG' };
  })(),
  (() => {
    const secret = 'c0rrect-h0rse-battery';
    return { name: 'URL password', text: `git clone https://deploy:${secret}@git.example.com/repo.git`, secret, prefix: '' };
  })(),
];

describe('redactSecrets', () => {
  for (const sample of SAMPLES) {
    it(`redacts a ${sample.name}`, () => {
      const out = redactSecrets(sample.text);
      assert.ok(!out.includes(sample.secret), out);
      assert.ok(sample.prefix.length <= 8);
      const expected = `${sample.prefix}…[sha256:${fingerprintSecret(sample.secret).slice('sha256:'.length, 'sha256:'.length + 12)}]`;
      assert.ok(out.includes(expected), `${out} lacks ${expected}`);
      assert.equal(redactSecrets(out), out, 'idempotent');
    });
  }

  it('replaces the secret exactly, keeping the text around it', () => {
    const secret = `ghp_${alnum('exact', 36)}`;
    const out = redactSecrets(`before ${secret} after`);
    assert.match(out, /^before ghp_[A-Za-z0-9]{4}…\[sha256:[0-9a-f]{12}\] after$/);
  });

  it('redacts only the password of a URL', () => {
    const out = redactSecrets('url: https://user:s3cr3t-pass@example.com:8443/path?q=1');
    assert.match(out, /^url: https:\/\/user:…\[sha256:[0-9a-f]{12}\]@example\.com:8443\/path\?q=1$/);
  });

  it('redacts a PEM block up to its END line and no further', () => {
    const out = redactSecrets('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\nnext: line');
    assert.match(out, /^-----BEG…\[sha256:[0-9a-f]{12}\]\nnext: line$/);
  });

  it('keeps line numbers when asked to', () => {
    const text = 'a\n-----BEGIN EC PRIVATE KEY-----\nMHcC\nAQEE\n-----END EC PRIVATE KEY-----\nz';
    const out = redactSecretsPreservingLines(text);
    assert.equal(out.split('\n').length, text.split('\n').length);
    assert.equal(out.split('\n').at(-1), 'z');
    assert.ok(!out.includes('MHcC'));
    assert.equal(redactSecretsPreservingLines(out), out);
  });

  it('uses fewer prefix characters for short secrets', () => {
    const secret = `AKIA${upperAlnum('short', 16)}`;
    const match = MARKER.exec(redactSecrets(secret));
    assert.equal(match?.[1], secret.slice(0, 5));
  });

  it('leaves ordinary workflow text alone', () => {
    const texts = [
      'run: twine upload dist/*',
      'password: ${{ secrets.PYPI_API_TOKEN }}',
      'uses: pypa/gh-action-pypi-publish@release/v1',
      'ask-for-approval-before-deploying-to-production-always',
      'npm_config_registry=https://registry.npmjs.org/',
      'git@github.com:owner/repo.git',
      'https://github.com/owner/repo/blob/main/README.md',
      'mailto:someone@example.com',
      'token: ghp_short',
      'eyJhbGciOiJIUzI1NiJ9 alone',
      '',
    ];
    for (const text of texts) assert.equal(redactSecrets(text), text);
  });

  it('returns sha256 fingerprints', () => {
    assert.equal(fingerprintSecret('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is fast on long and adversarial input', () => {
    const inputs = [
      'a'.repeat(1_000_000),
      'sk-'.repeat(300_000),
      'ab-'.repeat(300_000),
      `https://${'a:'.repeat(300_000)}`,
      'x://'.repeat(250_000),
      `-----BEGIN PRIVATE KEY-----${'A'.repeat(500_000)}`,
      'eyJaaaaaaaaa.'.repeat(80_000),
      'pypi-'.repeat(200_000),
      `${'AKIA'.repeat(250_000)}`,
      `${'github_pat_'.repeat(90_000)}`,
    ];
    const started = performance.now();
    for (const input of inputs) redactSecrets(input);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5_000, `took ${elapsed.toFixed(0)} ms`);
  });
});

describe('redactSecrets properties', () => {
  const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
    fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((items) => items.join(''));
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const B64URL = `${ALNUM}_-`;
  const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

  /** Secrets of every kind, with the part that must never be printed. */
  const secretArb: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
    chars(B64URL, 50, 220).map((body) => `pypi-${body}`),
    fc.tuple(fc.constantFrom('ghp', 'gho', 'ghu', 'ghs', 'ghr'), chars(ALNUM, 36, 60)).map(([kind, body]) => `${kind}_${body}`),
    chars(`${ALNUM}_`, 60, 90).map((body) => `github_pat_${body}`),
    fc.tuple(chars(B64URL, 8, 40), chars(B64URL, 8, 80), chars(B64URL, 8, 60)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
    chars(ALNUM, 36, 36).map((body) => `npm_${body}`),
    fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER, 16, 16)).map(([kind, body]) => `${kind}${body}`),
    chars(B64URL, 20, 40).map((body) => `glpat-${body}`),
    fc.tuple(fc.constantFrom('a', 'b', 'p', 'o', 's', 'r'), chars(`${ALNUM}-`, 10, 60)).map(([kind, body]) => `xox${kind}-${body}`),
    fc.tuple(fc.boolean(), chars(B64URL, 31, 80), fc.constantFrom(...'0123456789'.split(''))).map(([ant, body, digit]) => `sk-${ant ? 'ant-' : ''}${body}${digit}`),
    chars(B64URL, 20, 40).map((body) => `dckr_pat_${body}`),
    chars(B64URL, 20, 200).map((body) => `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`),
  ).map((secret) => ({ text: secret, secret }));

  const passwordArb = chars(`${ALNUM}-_.~!$&'()*+;=%`, 12, 40).map((password) => ({
    text: `https://deploy:${password}@example.com/x`,
    secret: password,
  }));

  const separator = fc.constantFrom(' ', '\n', '\t', '"', "'", '=', ': ', '(', ',', '\r\n');

  it('never lets a secret embedded in random text through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), separator, fc.oneof(secretArb, passwordArb), separator, fc.string({ unit: 'binary', maxLength: 60 }), (before, open, item, close, after) => {
        const out = redactSecrets(`${before}${open}${item.text}${close}${after}`);
        assert.ok(!out.includes(item.secret), out);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets a secret glued to random text through', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), secretArb, fc.string({ maxLength: 30 }), (before, item, after) => {
        // Without a separator the `sk-` pattern needs a word start; the rest must hold anyway.
        fc.pre(!item.secret.startsWith('sk-'));
        assert.ok(!redactSecrets(`${before}${item.text}${after}`).includes(item.secret));
      }),
      { numRuns: 2_000 },
    );
  });

  it('is idempotent', () => {
    const textArb = fc
      .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), secretArb.map((item) => item.text), passwordArb.map((item) => item.text), separator), { maxLength: 8 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(textArb, (text) => {
        const once = redactSecrets(text);
        assert.equal(redactSecrets(once), once);
        const lines = redactSecretsPreservingLines(text);
        assert.equal(redactSecretsPreservingLines(lines), lines);
        assert.equal(lines.split('\n').length, text.split('\n').length);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('redactDetails', () => {
  const token = `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`;
  it('redacts keys and values at any depth, and keeps the parts without secrets as they are', () => {
    const untouched = { kind: 'until-revoked', seconds: 900, nested: ['a', 'b', { deep: true }] };
    const details = { first: 'plain', [token]: 1, list: ['x', `Bearer ${token}`, 3], same: untouched, last: { value: token } };
    const safe = redactDetails(details);
    const text = JSON.stringify(safe);
    assert.ok(!text.includes(token), text);
    assert.deepEqual(Object.keys(safe), ['first', redactSecrets(token), 'list', 'same', 'last']);
    assert.equal(safe.same, untouched);
    assert.equal(safe.list[0], 'x');
    assert.equal(safe.list[2], 3);
    assert.notEqual(safe, details);
    assert.equal(details[token as 'first'], 1, 'the input is not changed');
    assert.equal(redactDetails(untouched), untouched);
  });
});
