import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLineTime, stepHeaderOf } from '../../src/analysis/logs/context.ts';
import { assessReplay, duration } from '../../src/analysis/logs/replay.ts';
import { LogScan } from '../../src/analysis/logs/scan.ts';
import { fakeScanner } from './helpers/fake-scanner.ts';

const T = Date.parse('2025-09-05T10:00:00Z');
const MIN = 60_000;

async function* lines(...text: string[]): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`${text.join('\n')}\n`);
}

describe('log line context', () => {
  it('parses the runner timestamp prefix (seven fractional digits, UTC)', () => {
    assert.deepEqual(parseLineTime('2025-09-05T10:00:00.0230000Z ##[group]Run x'), { time: T + 23, length: 29 });
    assert.deepEqual(parseLineTime('2025-09-05T10:00:00Z hello'), { time: T, length: 21 });
    assert.deepEqual(parseLineTime('2025-09-05T10:00:00.1234567Z'), { time: T + 123, length: 28 });
    assert.equal(parseLineTime('2025-09-05 10:00:00 hello'), undefined);
    assert.equal(parseLineTime('no timestamp here at all'), undefined);
    assert.equal(parseLineTime('2025-13-45T99:00:00.0000000Zx'), undefined);
  });

  it('reads step headers', () => {
    assert.equal(stepHeaderOf('##[group]Run pypa/gh-action-pypi-publish@release/v1'), 'Run pypa/gh-action-pypi-publish@release/v1');
    assert.equal(stepHeaderOf('##[group]Operating System'), undefined);
    assert.equal(stepHeaderOf('echo ##[group]Run x'), undefined);
  });

  it('attributes a secret to the nearest preceding step header and times it from its line', async () => {
    const scan = new LogScan({ scanner: fakeScanner() });
    const pat = `ghp_${'Z'.repeat(30)}q1w2e3`;
    await scan.scanDocument(
      { path: 'job.log', place: { jobKey: 'job.log' } },
      lines(
        '2025-09-05T10:00:00.0000000Z ##[group]Run actions/checkout@v4',
        '2025-09-05T10:00:01.0000000Z ##[endgroup]',
        '2025-09-05T10:00:02.0000000Z ##[group]Run env | sort',
        `2025-09-05T10:00:03.5000000Z GH_PAT=${pat}`,
        `2025-09-05T10:02:00.0000000Z again ${pat}`,
        '2025-09-05T10:05:00.0000000Z ##[group]Run later',
      ),
    );
    const [finding] = scan.findings(T + 10 * MIN);
    assert.ok(finding);
    assert.equal(finding.line, 4);
    assert.equal(finding.column, 29 + 'GH_PAT='.length + 1);
    const details = finding.details as { occurrences: number; source: { step: string }; timing: { printedAt: string; readableSince: string } };
    assert.equal(details.source.step, 'Run env | sort');
    assert.equal(details.occurrences, 2);
    assert.equal(details.timing.printedAt, '2025-09-05T10:00:03.500Z');
    assert.equal(details.timing.readableSince, '2025-09-05T10:00:03.500Z');
    assert.deepEqual(finding.related.map((item) => item.line), [5]);
  });
});

describe('replay windows', () => {
  it('a minted PyPI token printed at T and read at T+5 min is still valid for 10 min', () => {
    const replay = assessReplay({ lifetime: { kind: 'window', notBefore: new Date(T), expiresAt: new Date(T + 900_000) }, printedAt: T, now: T + 5 * MIN });
    assert.equal(replay.status, 'live');
    assert.equal(replay.validWhenPrinted, true);
    assert.equal(replay.validForSecondsAfterPrinted, 900);
    assert.equal(replay.validNow, true);
    assert.equal(replay.remainingSeconds, 600);
    assert.match(replay.summary, /reuse it for 15 min after it was printed, until 2025-09-05T10:15:00\.000Z\. It is still valid now, for 10 min\./);
  });

  it('the same token judged an hour later has expired, but was exposed for 15 min', () => {
    const replay = assessReplay({ lifetime: { kind: 'window', notBefore: new Date(T), expiresAt: new Date(T + 900_000) }, printedAt: T + 30_000, now: T + 60 * MIN });
    assert.equal(replay.status, 'expired');
    assert.equal(replay.validForSecondsAfterPrinted, 870);
    assert.equal(replay.validNow, false);
    assert.equal(replay.remainingSeconds, 0);
    assert.match(replay.summary, /for 14 min 30 s after it was printed.*It has expired since/);
  });

  it('an OIDC JWT is single-use and short; one printed after its exp was dead when printed', () => {
    const live = assessReplay({ lifetime: { kind: 'window', notBefore: new Date(T - 10 * MIN), expiresAt: new Date(T + 5 * MIN) }, singleUse: true, printedAt: T, now: T + MIN });
    assert.equal(live.status, 'live');
    assert.equal(live.validForSecondsAfterPrinted, 300);
    assert.match(live.summary, /accepts an OIDC token once \(it records the jti\).*within 5 min of it being printed/);

    const expired = assessReplay({ lifetime: { kind: 'window', expiresAt: new Date(T - MIN) }, singleUse: true, printedAt: T, now: T + MIN });
    assert.equal(expired.status, 'dead-when-printed');
    assert.equal(expired.validWhenPrinted, false);
    assert.equal(expired.validForSecondsAfterPrinted, 0);
    assert.equal(expired.validNow, false);
    assert.match(expired.summary, /had already expired when it was printed/);
  });

  it('the request token works until the job ends (its last log line)', () => {
    const ended = assessReplay({ lifetime: { kind: 'job' }, printedAt: T, jobEndedAt: T + 7 * MIN, now: T + 60 * MIN });
    assert.equal(ended.status, 'expired');
    assert.equal(ended.validForSecondsAfterPrinted, 420);
    assert.equal(ended.validUntil, '2025-09-05T10:07:00.000Z');
    assert.match(ended.summary, /mint new OIDC tokens.*while the job runs: that was 7 min after it was printed/);

    const running = assessReplay({ lifetime: { kind: 'job' }, printedAt: T, jobEndedAt: T + MIN, jobRunning: true, now: T + 2 * MIN });
    assert.equal(running.status, 'live');
    assert.equal(running.validNow, true);
  });

  it('long-lived tokens stay valid until revoked; a stated maximum lifetime bounds the others', () => {
    const forever = assessReplay({ lifetime: { kind: 'until-revoked' }, printedAt: T, now: T + 1e9 });
    assert.equal(forever.status, 'until-revoked');
    assert.equal(forever.validNow, true);
    assert.equal(forever.validForSecondsAfterPrinted, null);

    const installation = assessReplay({ lifetime: { kind: 'unknown' }, maxLifetimeSeconds: 3600, printedAt: T, now: T + 2 * 3600_000 });
    assert.equal(installation.status, 'expired');
    assert.equal(installation.validForSecondsAfterPrinted, 3600);
    assert.equal(installation.validUntil, '2025-09-05T11:00:00.000Z');

    const unknown = assessReplay({ lifetime: { kind: 'unknown' }, now: T });
    assert.equal(unknown.status, 'unknown');
    assert.equal(unknown.validNow, null);
  });

  it('a line without a timestamp still gets the credential\'s own expiry', () => {
    const replay = assessReplay({ lifetime: { kind: 'window', expiresAt: new Date(T + 900_000) }, now: T });
    assert.equal(replay.printedAt, null);
    assert.equal(replay.validWhenPrinted, null);
    assert.equal(replay.remainingSeconds, 900);
  });

  it('formats durations', () => {
    assert.equal(duration(45), '45 s');
    assert.equal(duration(900), '15 min');
    assert.equal(duration(630), '10 min 30 s');
    assert.equal(duration(3 * 3600 + 300), '3 h 5 min');
    assert.equal(duration(3 * 86400 + 7200), '3 d 2 h');
  });

  it('a credential dead when printed is reported low; the rest keep the detector severity', async () => {
    const scan = new LogScan({ scanner: fakeScanner() });
    const jwt = (exp: number) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: exp / 1000, iss: 'https://token.actions.githubusercontent.com' })).toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
    await scan.scanDocument({ path: 'j.log', place: { jobKey: 'j.log' } }, lines(`2025-09-05T10:00:00.0000000Z ${jwt(T - MIN)}`, `2025-09-05T10:00:00.0000000Z ${jwt(T + 5 * MIN)}`));
    const findings = scan.findings(T + 60 * MIN);
    assert.deepEqual(findings.map((finding) => finding.severity), ['low', 'critical']);
  });
});
