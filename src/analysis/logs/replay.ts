import type { Lifetime } from '../../detectors/detector.ts';

/**
 * The replay window of a credential printed in a log: was it still accepted when the line was
 * written, for how long after, and is it still accepted now. The rules are the issuers' own:
 *
 * - a GitHub OIDC JWT (`singleUse`): PyPI accepts each token once (it records the `jti`) and
 *   only until `exp` (with 30 s of leeway); the publish step redeems it seconds after minting;
 * - a PyPI token minted by Trusted Publishing: `window`, reusable until `not_before + 900 s`;
 * - `ACTIONS_ID_TOKEN_REQUEST_TOKEN`/`_URL` (`job`): anyone can mint fresh OIDC tokens with them
 *   until the job ends, which a log shows as its last line;
 * - long-lived tokens (`until-revoked`): valid until someone revokes them.
 *
 * A public repository's log is readable as the step streams, so the exposure starts at the line's
 * own time ("readable since").
 */

export type ReplayStatus = 'until-revoked' | 'live' | 'expired' | 'dead-when-printed' | 'unknown';

export interface ReplayInput {
  lifetime: Lifetime;
  singleUse?: boolean;
  /**
   * Longest life the issuer allows a token whose own text does not state its expiry (`ghs_`
   * installation tokens: 1 h; the GITHUB_TOKEN: the job, at most 24 h). It was issued at the
   * latest when the line was printed, so it is dead by `printedAt + maxLifetimeSeconds`.
   */
  maxLifetimeSeconds?: number;
  /** Time of the log line, ms since the epoch; undefined for lines without a timestamp. */
  printedAt?: number;
  /** Time of the job's last log line. */
  jobEndedAt?: number;
  /** The job may still be running (a run that has not completed). */
  jobRunning?: boolean;
  /** When the assessment is made (the scan, or `--now`). */
  now: number;
}

export interface ReplayAssessment {
  status: ReplayStatus;
  lifetime: Lifetime['kind'];
  singleUse: boolean;
  printedAt: string | null;
  /** When the log line became readable: its own time (logs stream while the step runs). */
  readableSince: string | null;
  notBefore: string | null;
  /** When the credential stops being accepted: `exp`, or the job's end for job-scoped ones. */
  validUntil: string | null;
  /** Accepted at the time it was printed; null when the line has no time or the lifetime is unknown. */
  validWhenPrinted: boolean | null;
  /** Seconds it stayed accepted after it was printed; null when unbounded or unknown. */
  validForSecondsAfterPrinted: number | null;
  validNow: boolean | null;
  /** Seconds it is still accepted from `now`; null when unbounded or unknown. */
  remainingSeconds: number | null;
  assessedAt: string;
  /** One or two sentences for the finding's message. */
  summary: string;
}

/** PyPI's leeway on `exp`/`nbf`/`iat` when it verifies an OIDC token (warehouse/oidc/services.py). */
export const PYPI_JWT_LEEWAY_SECONDS = 30;

export function assessReplay(input: ReplayInput): ReplayAssessment {
  const { lifetime, now, printedAt } = input;
  const singleUse = input.singleUse ?? false;
  const printed = iso(printedAt);
  const base = {
    lifetime: lifetime.kind,
    singleUse,
    printedAt: printed,
    readableSince: printed,
    assessedAt: iso(now)!,
  };

  const bounded = input.maxLifetimeSeconds !== undefined && printedAt !== undefined && lifetime.kind !== 'window' && !(lifetime.kind === 'job' && (input.jobEndedAt !== undefined || input.jobRunning));
  if (bounded) {
    const max = input.maxLifetimeSeconds!;
    const end = printedAt + max * 1000;
    const validNow = now < end ? null : false;
    return {
      ...base,
      status: validNow === false ? 'expired' : 'live',
      notBefore: null,
      validUntil: iso(end),
      validWhenPrinted: true,
      validForSecondsAfterPrinted: max,
      validNow,
      remainingSeconds: validNow === false ? 0 : seconds(end - now),
      summary: `Its issuer lets it live at most ${duration(max)} and it was issued before it was printed, so anyone who read the log could use it for up to ${duration(max)}, until ${iso(end)} at the latest. ${
        validNow === false ? 'It has expired since.' : `It may still be valid now, for up to ${duration(seconds(end - now))}.`
      }`,
    };
  }

  if (lifetime.kind === 'until-revoked') {
    return {
      ...base,
      status: 'until-revoked',
      notBefore: null,
      validUntil: null,
      validWhenPrinted: printedAt === undefined ? null : true,
      validForSecondsAfterPrinted: null,
      validNow: true,
      remainingSeconds: null,
      summary: 'It stays valid until it is revoked: anyone who read the log can still use it unless it has been revoked since.',
    };
  }

  if (lifetime.kind === 'unknown') {
    return {
      ...base,
      status: 'unknown',
      notBefore: null,
      validUntil: null,
      validWhenPrinted: null,
      validForSecondsAfterPrinted: null,
      validNow: null,
      remainingSeconds: null,
      summary: 'Its lifetime cannot be read offline: treat it as valid until it is revoked.',
    };
  }

  if (lifetime.kind === 'job') {
    const end = input.jobRunning ? undefined : input.jobEndedAt;
    const after = printedAt !== undefined && end !== undefined ? Math.max(0, seconds(end - printedAt)) : null;
    const validNow = input.jobRunning ? true : end !== undefined ? now < end : null;
    const remaining = validNow && end !== undefined ? Math.max(0, seconds(end - now)) : validNow === false ? 0 : null;
    const window = input.jobRunning
      ? 'the run has not completed, so it may still work now'
      : end === undefined
        ? 'when the job ended is not in the log'
        : after !== null
          ? `that was ${duration(after)} after it was printed, until the job's last log line at ${iso(end)}`
          : `until the job's last log line at ${iso(end)}`;
    return {
      ...base,
      status: validNow === false ? 'expired' : validNow ? 'live' : 'unknown',
      notBefore: null,
      validUntil: iso(end),
      validWhenPrinted: printedAt === undefined ? null : end === undefined || printedAt <= end,
      validForSecondsAfterPrinted: after,
      validNow,
      remainingSeconds: remaining,
      summary: `It lets anyone who reads the log mint new OIDC tokens for any audience (PyPI's included) while the job runs: ${window}.`,
    };
  }

  // A window: JWTs and minted PyPI tokens.
  const end = lifetime.expiresAt.getTime();
  const start = lifetime.notBefore?.getTime();
  const deadWhenPrinted = printedAt !== undefined && end <= printedAt;
  const after = printedAt !== undefined ? Math.max(0, seconds(end - printedAt)) : null;
  const validNow = now < end && (start === undefined || now >= start);
  const remaining = now < end ? seconds(end - now) : 0;
  const nowText = validNow ? `It is still valid now, for ${duration(remaining)}.` : now < end ? `It is not valid yet (from ${iso(start)}).` : `It has expired since (${iso(end)}).`;
  let summary: string;
  if (singleUse) {
    const window = deadWhenPrinted
      ? `it had already expired when it was printed (exp ${iso(end)})`
      : after !== null
        ? `within ${duration(after)} of it being printed (exp ${iso(end)}, plus PyPI's ${PYPI_JWT_LEEWAY_SECONDS} s leeway)`
        : `before it expires at ${iso(end)} (plus PyPI's ${PYPI_JWT_LEEWAY_SECONDS} s leeway)`;
    summary = `PyPI accepts an OIDC token once (it records the jti) and the publish step normally redeems it seconds after minting, so a replay needs someone who reads the log and redeems it first, ${window}.${deadWhenPrinted ? '' : ` ${nowText}`}`;
  } else if (deadWhenPrinted) {
    summary = `It had already expired when it was printed (${iso(end)}).`;
  } else {
    const window = after !== null ? `for ${duration(after)} after it was printed, until ${iso(end)}` : `until ${iso(end)}`;
    summary = `Anyone who read the log could reuse it ${window}. ${nowText}`;
  }
  return {
    ...base,
    status: deadWhenPrinted ? 'dead-when-printed' : validNow || now < end ? 'live' : 'expired',
    notBefore: iso(start),
    validUntil: iso(end),
    validWhenPrinted: printedAt === undefined ? null : !deadWhenPrinted && (start === undefined || printedAt >= start),
    validForSecondsAfterPrinted: after,
    validNow,
    remainingSeconds: remaining,
    summary,
  };
}

/** "15 min", "10 min 30 s", "45 s", "2 h 5 min", "3 d 4 h". */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) {
    const minutes = Math.floor(s / 60);
    const rest = s % 60;
    return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  if (s < 172_800) {
    const hours = Math.floor(s / 3600);
    const minutes = Math.floor((s % 3600) / 60);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  return hours ? `${days} d ${hours} h` : `${days} d`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
