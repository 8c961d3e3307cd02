import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEVERITIES } from '../../src/findings/finding.ts';
import { fingerprintSecret } from '../../src/findings/redact.ts';
import { detectorById, detectors } from '../../src/detectors/index.ts';
import { LineScanner, scanLine } from '../../src/detectors/scanner.ts';
import { badChecksumToken, checksummedToken, githubOidcClaims, jwt, pypi, seededAlnum, seededBytes, seededUuid } from './builders.ts';

const TS = '2025-09-05T10:00:00.0230000Z ';

interface Positive {
  line: string;
  secret: string;
  /** Extra check on the match. */
  check?: (match: ReturnType<typeof scanLine>[number]) => void;
}

const b64 = (seed: string, length: number): string => seededBytes(seed, length).toString('base64').replace(/[+/=]/g, 'x').slice(0, length);
const ghFine = `github_pat_${seededAlnum('fg1', 22)}_${seededAlnum('fg2', 59)}`;
const ghsStateless = `ghs_123456_${jwt({ iss: 'https://github.com', exp: 1_777_777_777, iat: 1_777_774_177, installation_id: 42 }, { alg: 'RS256', typ: 'JWT' }, 'stateless')}`;
const oidc = jwt(githubOidcClaims());
const otherJwt = jwt({ iss: 'https://login.example-idp.dev', aud: 'api://octo', sub: 'service-1', exp: 1_900_000_000, iat: 1_899_996_400 });
const runtimeJwt = jwt({ iss: 'https://vstoken.actions.githubusercontent.com', aud: 'vso:abc', nbf: 1_757_066_000, exp: 1_757_088_000 }, undefined, 'runtime');
const awsSecret = `${seededAlnum('aws-secret', 18)}/${seededAlnum('aws-secret-2', 10)}+${seededAlnum('aws-secret-3', 10)}`;
const awsId = `AKIA${seededAlnum('aws-id', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
const asiaId = `ASIA${seededAlnum('asia-id', 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
const sessionToken = `IQoJb3JpZ2luX2VjE${seededBytes('session', 300).toString('base64').replace(/=+$/, '')}`;
const openaiProject = `sk-proj-${seededAlnum('oa1', 74)}T3BlbkFJ${seededAlnum('oa2', 74)}`;
const openaiLegacy = `sk-${seededAlnum('oa3', 20)}T3BlbkFJ${seededAlnum('oa4', 20)}`;
const anthropic = `sk-ant-api03-${seededAlnum('an', 93)}AA`;
const pem = (label: string, lines = 6): string[] => [
  `-----BEGIN ${label}-----`,
  ...Array.from({ length: lines }, (_, index) => seededBytes(`pem${index}`, 48).toString('base64')),
  `-----END ${label}-----`,
];

/** One entry per detector id: lines that must report it (with the exact secret) and lines that must not. */
const CASES: Record<string, { positive: Positive[]; negative: string[] }> = {
  'pypi-token': {
    positive: [
      { line: `${TS}TWINE_PASSWORD=${pypi.user()}`, secret: pypi.user(), check: (m) => assert.equal(m.decoded?.claims?.kind, 'user') },
      {
        line: `password = ${pypi.project(['octo', 'octo-cli'])}`,
        secret: pypi.project(['octo', 'octo-cli']),
        check: (m) => assert.deepEqual(m.decoded?.scope?.slice(0, 2), ['octo', 'octo-cli']),
      },
      { line: `"${pypi.legacyUser()}"`, secret: pypi.legacyUser() },
      { line: `token: ${pypi.legacyProject(['legacy-proj'])}`, secret: pypi.legacyProject(['legacy-proj']) },
      // Cut off in the log: still a PyPI token by its prefix, with medium confidence.
      { line: `x ${pypi.user().slice(0, 120)} y`, secret: pypi.user().slice(0, 120), check: (m) => assert.equal(m.confidence, 'medium') },
    ],
    negative: [
      `${TS}##[group]Run pypa/gh-action-pypi-publish@release/v1`,
      `uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc`,
      `pypi-${seededAlnum('not-a-macaroon', 90)}`,
      `x${pypi.user()}`,
      `pypi-AgEIcHlwaS5vcmc`,
    ],
  },
  'pypi-trusted-publishing-token': {
    positive: [
      {
        line: `${TS}{"success": true, "token": "${pypi.trustedPublishing(1_795_344_668)}", "expires": 1795345568}`,
        secret: pypi.trustedPublishing(1_795_344_668),
        check: (m) => {
          assert.equal(m.decoded?.lifetime.kind, 'window');
          if (m.decoded?.lifetime.kind === 'window') {
            assert.equal(m.decoded.lifetime.expiresAt.getTime() - m.decoded.lifetime.notBefore!.getTime(), 900_000);
          }
          assert.equal(m.secret.length, 285);
        },
      },
    ],
    negative: [`${pypi.user('tp-neg')}`],
  },
  'testpypi-token': {
    positive: [
      { line: `TEST_PYPI_TOKEN=${pypi.user('t', 'test.pypi.org')}`, secret: pypi.user('t', 'test.pypi.org') },
      { line: `minted ${pypi.trustedPublishing(1_795_344_668, 'ttp', 'test.pypi.org')}`, secret: pypi.trustedPublishing(1_795_344_668, 'ttp', 'test.pypi.org') },
    ],
    negative: [`${pypi.project(['real'])}`],
  },
  'github-pat': {
    positive: [{ line: `${TS}GH_TOKEN=${checksummedToken('ghp_', 'pat')}`, secret: checksummedToken('ghp_', 'pat') }],
    negative: [`GH_TOKEN=${badChecksumToken('ghp_', 'pat')}`, `x${checksummedToken('ghp_', 'pat')}`, 'ghp_ tokens are classic tokens', `ghp_${seededAlnum('short', 20)}`],
  },
  'github-fine-grained-pat': {
    positive: [{ line: `GITHUB_TOKEN: "${ghFine}"`, secret: ghFine }],
    negative: ['github_pat_ is the prefix', `github_pat_${seededAlnum('short', 30)}`],
  },
  'github-oauth-token': {
    positive: [{ line: `$ gh auth token\n${checksummedToken('gho_', 'oauth')}`, secret: checksummedToken('gho_', 'oauth') }],
    negative: [badChecksumToken('gho_', 'oauth')],
  },
  'github-app-user-token': {
    positive: [{ line: `access_token=${checksummedToken('ghu_', 'user')}&expires_in=28800`, secret: checksummedToken('ghu_', 'user') }],
    negative: [badChecksumToken('ghu_', 'user')],
  },
  'github-app-installation-token': {
    positive: [
      { line: `https://x-access-token:${checksummedToken('ghs_', 'inst')}@github.com/octo/repo`, secret: checksummedToken('ghs_', 'inst') },
      {
        line: `token ${ghsStateless}.`,
        secret: ghsStateless,
        check: (m) => {
          assert.equal(m.decoded?.claims?.appId, '123456');
          assert.equal(m.decoded?.lifetime.kind, 'window');
        },
      },
    ],
    negative: [badChecksumToken('ghs_', 'inst'), `ghs_12_${'a'.repeat(10)}`],
  },
  'github-app-refresh-token': {
    positive: [{ line: `refresh_token=${checksummedToken('ghr_', 'refresh')}`, secret: checksummedToken('ghr_', 'refresh') }],
    negative: [badChecksumToken('ghr_', 'refresh')],
  },
  'github-oidc-jwt': {
    positive: [
      {
        line: `${TS}{"count":1,"value":"${oidc}"}`,
        secret: oidc,
        check: (m) => {
          assert.equal(m.decoded?.claims?.repository, 'octo-org/octo-repo');
          assert.equal(m.decoded?.claims?.job_workflow_ref, 'octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3');
          assert.equal(m.decoded?.singleUse, true);
          assert.equal(m.decoded?.lifetime.kind, 'window');
        },
      },
    ],
    negative: [otherJwt],
  },
  jwt: {
    positive: [{ line: `Authorization: Bearer ${otherJwt}`, secret: otherJwt, check: (m) => assert.equal(m.decoded?.claims?.iss, 'https://login.example-idp.dev') }],
    negative: [
      'eyJhbGciOiJIUzI1NiJ9',
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`,
      `eyJub3QganNvbg.eyJub3QganNvbg.${seededAlnum('sig', 40)}`,
      jwt({ sub: 'unsigned' }, { alg: 'none' }),
    ],
  },
  'actions-id-token-request-token': {
    positive: [
      {
        line: `${TS}ACTIONS_ID_TOKEN_REQUEST_TOKEN=${runtimeJwt}`,
        secret: runtimeJwt,
        check: (m) => assert.equal(m.decoded?.lifetime.kind, 'job'),
      },
    ],
    negative: [
      `${TS}ACTIONS_ID_TOKEN_REQUEST_TOKEN=***`,
      `${TS}  curl -sSL -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi"`,
      `export ACTIONS_ID_TOKEN_REQUEST_TOKEN="\${ACTIONS_ID_TOKEN_REQUEST_TOKEN}"`,
    ],
  },
  'actions-id-token-request-url': {
    positive: [
      {
        line: `ACTIONS_ID_TOKEN_REQUEST_URL=https://pipelinesghubeus6.actions.githubusercontent.com/abc123/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/${seededUuid('plan')}/jobs/${seededUuid('job')}/idtoken?api-version=2.0`,
        secret: `https://pipelinesghubeus6.actions.githubusercontent.com/abc123/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/${seededUuid('plan')}/jobs/${seededUuid('job')}/idtoken?api-version=2.0`,
      },
    ],
    negative: ['curl "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=pypi"', 'ACTIONS_ID_TOKEN_REQUEST_URL=***'],
  },
  'actions-runtime-token': {
    positive: [{ line: `ACTIONS_RUNTIME_TOKEN=${runtimeJwt}`, secret: runtimeJwt }],
    negative: ['ACTIONS_RUNTIME_TOKEN=***', 'ACTIONS_RUNTIME_TOKEN: ${{ env.X }}'],
  },
  'actions-runner-secret': {
    positive: [
      {
        line: `"DEPLOY_PASSWORD":{"value":"hunter2-but-longer-Zx9","isSecret":true}`,
        secret: 'hunter2-but-longer-Zx9',
        check: (m) => assert.equal(m.decoded?.claims?.name, 'DEPLOY_PASSWORD'),
      },
      { line: String.raw`"K":{"value":"line1\nline2 \"quoted\"","isSecret":true}`, secret: 'line1\nline2 "quoted"' },
    ],
    negative: ['"X":{"value":"***","isSecret":true}', '"X":{"value":"visible","isSecret":false}'],
  },
  'npm-token': {
    positive: [
      { line: `${TS}NODE_AUTH_TOKEN=${checksummedToken('npm_', 'npm')}`, secret: checksummedToken('npm_', 'npm') },
      { line: `//registry.npmjs.org/:_authToken=${checksummedToken('npm_', 'npmrc')}`, secret: checksummedToken('npm_', 'npmrc') },
      { line: `//registry.npmjs.org/:_authToken=${seededUuid('legacy-npm')}`, secret: seededUuid('legacy-npm') },
    ],
    negative: [
      'npm_config_cache=/home/runner/.npm',
      badChecksumToken('npm_', 'npm'),
      '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
      // actions/setup-node's placeholder NODE_AUTH_TOKEN.
      '//npm.pkg.github.com/:_authToken=XXXXX-XXXXX-XXXXX-XXXXX-XXXXX',
    ],
  },
  'aws-access-key-id': {
    positive: [
      { line: `AWS_ACCESS_KEY_ID=${awsId}`, secret: awsId, check: (m) => assert.equal(m.decoded?.lifetime.kind, 'until-revoked') },
      { line: `"AccessKeyId": "${asiaId}",`, secret: asiaId, check: (m) => assert.equal(m.decoded?.maxLifetimeSeconds, 36 * 3600) },
    ],
    negative: ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', `x${awsId}`, `${awsId}X`, 'AKIA is the prefix'],
  },
  'aws-secret-access-key': {
    positive: [
      { line: `aws_secret_access_key = ${awsSecret}`, secret: awsSecret },
      { line: `${TS}AWS_SECRET_ACCESS_KEY=${awsSecret}`, secret: awsSecret },
      { line: `    "SecretAccessKey": "${awsSecret}",`, secret: awsSecret },
      { line: `${awsId},${awsSecret}`, secret: awsSecret },
    ],
    negative: [
      `AWS_SECRET_ACCESS_KEY=***`,
      `aws_secret_access_key = ${'0123456789abcdef'.repeat(3).slice(0, 40)}`,
      `just some base64 ${awsSecret} on its own`,
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ],
  },
  'aws-session-token': {
    positive: [{ line: `AWS_SESSION_TOKEN=${sessionToken}`, secret: sessionToken }],
    negative: ['AWS_SESSION_TOKEN=***', 'aws_session_token = short'],
  },
  'docker-hub-token': {
    positive: [
      { line: `echo ${'dckr_pat_' + seededAlnum('docker', 27)} | docker login -u octo --password-stdin`, secret: `dckr_pat_${seededAlnum('docker', 27)}` },
      { line: `DOCKER_TOKEN=dckr_oat_${seededAlnum('oat', 32)}`, secret: `dckr_oat_${seededAlnum('oat', 32)}` },
    ],
    negative: ['dckr_pat_short', `xdckr_pat_${seededAlnum('docker', 27)}`],
  },
  'cloudflare-api-token': {
    positive: [
      { line: `CLOUDFLARE_API_TOKEN=${seededAlnum('cf', 40)}`, secret: seededAlnum('cf', 40) },
      { line: `  CF_API_TOKEN: ${seededAlnum('cf2', 40)}`, secret: seededAlnum('cf2', 40) },
      { line: `token cfut_${seededAlnum('cfut', 48)}`, secret: `cfut_${seededAlnum('cfut', 48)}` },
    ],
    negative: [`CLOUDFLARE_ACCOUNT_ID=${seededBytes('acct', 16).toString('hex')}`, 'CLOUDFLARE_API_TOKEN=***', seededAlnum('cf', 40)],
  },
  'gitlab-pat': {
    positive: [
      { line: `PRIVATE-TOKEN: glpat-${seededAlnum('glpat', 20)}`, secret: `glpat-${seededAlnum('glpat', 20)}` },
      { line: `glpat-${seededAlnum('routable', 40)}.01.${seededAlnum('r2', 9).toLowerCase()}`, secret: `glpat-${seededAlnum('routable', 40)}.01.${seededAlnum('r2', 9).toLowerCase()}` },
    ],
    negative: ['glpat-short', `xglpat-${seededAlnum('glpat', 20)}`],
  },
  'gitlab-ci-job-token': {
    positive: [{ line: `CI_JOB_TOKEN=glcbt-64_${seededAlnum('job', 20)}`, secret: `glcbt-64_${seededAlnum('job', 20)}` }],
    negative: ['glcbt-'],
  },
  'gitlab-deploy-token': {
    positive: [{ line: `gldt-${seededAlnum('deploy', 20)}`, secret: `gldt-${seededAlnum('deploy', 20)}` }],
    negative: ['gldt-abc'],
  },
  'gitlab-runner-token': {
    positive: [
      { line: `token = "glrt-t1_${seededAlnum('runner', 20)}"`, secret: `glrt-t1_${seededAlnum('runner', 20)}` },
      { line: `--registration-token GR1348941${seededAlnum('reg', 20)}`, secret: `GR1348941${seededAlnum('reg', 20)}` },
    ],
    negative: ['glrt-abc'],
  },
  'gitlab-pipeline-trigger-token': {
    positive: [{ line: `-F token=glptt-${seededBytes('trigger', 20).toString('hex')}`, secret: `glptt-${seededBytes('trigger', 20).toString('hex')}` }],
    negative: ['glptt-'],
  },
  'gitlab-token': {
    positive: [{ line: `feed_token=glft-${seededAlnum('feed', 20)}`, secret: `glft-${seededAlnum('feed', 20)}` }],
    negative: ['glft-'],
  },
  'slack-token': {
    positive: [{ line: `SLACK_BOT_TOKEN=xoxb-1234567890-1234567890123-${seededAlnum('slack', 24)}`, secret: `xoxb-1234567890-1234567890123-${seededAlnum('slack', 24)}` }],
    negative: ['xoxb-notarealtokenatall', 'xoxb-'],
  },
  'slack-webhook-url': {
    positive: [
      {
        line: `curl -X POST https://hooks.slack.com/services/T0${seededAlnum('t', 8)}/B0${seededAlnum('b', 8)}/${seededAlnum('w', 24)} -d @msg.json`,
        secret: `https://hooks.slack.com/services/T0${seededAlnum('t', 8)}/B0${seededAlnum('b', 8)}/${seededAlnum('w', 24)}`,
      },
    ],
    negative: ['see https://hooks.slack.com/services/ for details'],
  },
  'anthropic-api-key': {
    positive: [{ line: `ANTHROPIC_API_KEY=${anthropic}`, secret: anthropic, check: (m) => assert.equal(m.confidence, 'high') }],
    negative: ['sk-ant-short'],
  },
  'openai-api-key': {
    positive: [
      { line: `OPENAI_API_KEY=${openaiProject}`, secret: openaiProject },
      { line: `openai.api_key = "${openaiLegacy}"`, secret: openaiLegacy },
    ],
    negative: ['pip install sk-learn', `sk-${seededAlnum('no-marker', 48)}`, 'task-runner'],
  },
  'private-key': {
    positive: [
      {
        line: `{"key": "${pem('RSA PRIVATE KEY').join('\\n')}\\n"}`,
        secret: pem('RSA PRIVATE KEY').join('\\n'),
        check: (m) => {
          assert.equal(m.confidence, 'high');
          assert.match(m.decoded?.description ?? '', /RSA/);
        },
      },
    ],
    negative: ['-----BEGIN CERTIFICATE-----', '-----BEGIN PUBLIC KEY-----', 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
  },
  'database-url': {
    positive: [
      {
        line: `DATABASE_URL=postgres://app:${seededAlnum('pg', 16)}@db-1.internal.octo.dev:5432/app`,
        secret: seededAlnum('pg', 16),
        check: (m) => {
          assert.equal(m.decoded?.claims?.host, 'db-1.internal.octo.dev');
          assert.equal(m.decoded?.claims?.user, 'app');
          assert.ok(!JSON.stringify(m.decoded).includes(seededAlnum('pg', 16)));
        },
      },
      { line: `mongodb+srv://admin:${seededAlnum('mongo', 20)}@cluster0.ab1cd.mongodb.net/?retryWrites=true`, secret: seededAlnum('mongo', 20) },
      { line: `REDIS_URL=rediss://:${seededAlnum('redis', 24)}@cache.octo.dev:6380/0`, secret: seededAlnum('redis', 24) },
      { line: `amqps://worker:${seededAlnum('amqp', 12)}@mq.octo.dev/vhost`, secret: seededAlnum('amqp', 12) },
    ],
    negative: [
      'DATABASE_URL=postgres://postgres:postgres@localhost:5432/test',
      `postgresql://app:${seededAlnum('local', 16)}@127.0.0.1:5432/app`,
      'DATABASE_URL=postgres://app:***@db.octo.dev/app',
      'postgres://db.octo.dev/app',
      `https://user:${seededAlnum('http', 16)}@github.com/octo/repo`,
      'mysql://root:password@db.octo.dev/app',
      'postgres://user:${DB_PASSWORD}@db.octo.dev/app',
    ],
  },
};

function matchesOf(line: string): ReturnType<typeof scanLine> {
  // Multi-line fixtures go through the LineScanner.
  if (!line.includes('\n')) return scanLine(line);
  const scanner = new LineScanner();
  return [...line.split('\n').flatMap((part) => scanner.push(part)), ...scanner.flush()];
}

describe('detector list', () => {
  it('has unique kebab-case ids and complete docs', () => {
    const ids = new Set<string>();
    for (const detector of detectors) {
      const { id, severity, confidence, docs, summary } = detector.meta;
      assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, id);
      assert.ok(!ids.has(id), `duplicate id ${id}`);
      ids.add(id);
      assert.ok(SEVERITIES.includes(severity), id);
      assert.ok(['low', 'medium', 'high'].includes(confidence), id);
      assert.ok(summary.length > 10, id);
      assert.ok(docs.why.length > 100, `${id}: why`);
      assert.ok(docs.respond.length >= 2, `${id}: respond`);
      assert.ok(docs.references.length >= 1 && docs.references.every((ref) => ref.startsWith('https://')), `${id}: references`);
      assert.ok(detector.keywords.length > 0, id);
      assert.equal(detectorById(id), detector);
    }
  });

  it('has positive and negative cases for every detector', () => {
    assert.deepEqual(Object.keys(CASES).sort(), detectors.map((detector) => detector.meta.id).sort());
  });

  it('keeps the per-line keyword search fast: few distinct first characters', () => {
    // `scanLine` searches all keywords as one literal alternation, which V8 runs at ~750 MB/s with
    // up to ~16 distinct first characters and at less than half that beyond (measured; see
    // scanner.ts). It runs on every line when a log is read line by line (`--redact`).
    const first = new Set(detectors.flatMap((detector) => detector.keywords.map((keyword) => keyword[0])));
    assert.ok(first.size <= 16, `${first.size} distinct first characters: ${[...first].join(' ')}`);
  });

  it('keywords suit the WebAssembly prefilter: printable ASCII, 3 to 255 characters, 128 at most', () => {
    const keywords = new Set(detectors.flatMap((detector) => detector.keywords));
    for (const keyword of keywords) assert.match(keyword, /^[\x20-\x7e]{3,255}$/, keyword);
    assert.ok(keywords.size <= 127, `${keywords.size} keywords`);
  });
});

for (const [id, { positive, negative }] of Object.entries(CASES)) {
  describe(`detector ${id}`, () => {
    positive.forEach((example, index) => {
      it(`finds positive #${index + 1}`, () => {
        const matches = matchesOf(example.line);
        const match = matches.find((m) => m.detector === id);
        assert.ok(match, `no ${id} in ${JSON.stringify(matches.map((m) => m.detector))}`);
        assert.equal(match.secret, example.secret);
        assert.equal(match.fingerprint, fingerprintSecret(example.secret));
        assert.equal(match.encoding, 'plain');
        if (!example.line.includes('\n') && id !== 'actions-runner-secret') {
          assert.equal(example.line.slice(match.start, match.end), example.secret, 'exact span');
        }
        // The keyword contract: every match holds one of the detector's keywords.
        const detector = detectorById(id)!;
        const raw = example.line.includes('\n') ? example.line : example.line.slice(Math.max(0, match.start - 40), match.end + 40);
        assert.ok(detector.keywords.some((keyword) => raw.includes(keyword)), 'keyword in match');
        // Nothing but `secret` carries the secret.
        const { secret: _secret, ...rest } = match;
        assert.ok(!JSON.stringify(rest).includes(example.secret), 'secret leaked outside `secret`');
        example.check?.(match);
      });
    });
    negative.forEach((line, index) => {
      it(`ignores negative #${index + 1}`, () => {
        const matches = matchesOf(line).filter((m) => m.detector === id);
        assert.deepEqual(matches.map((m) => m.secret.slice(0, 12)), []);
      });
    });
  });
}
