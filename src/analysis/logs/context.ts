/**
 * What a GitHub Actions log line says about where and when it was printed.
 *
 * - Every line starts with the time the runner wrote it: `2025-09-05T10:00:00.0230000Z ` (ISO 8601,
 *   seven fractional digits, UTC).
 * - A step starts with `##[group]Run <action or first line of the script>`.
 * - A run-log archive has one folder per job holding `N_<step name>.txt` files, and/or one
 *   `N_<job name>.txt` file per job at the top level (the layout is not documented, so both are
 *   read).
 */

export interface LineTime {
  /** Milliseconds since the epoch. */
  time: number;
  /** Characters of the prefix, including the space after it. */
  length: number;
}

/** Two to four ASCII digits at `at`, or -1. */
function digits(line: string, at: number, count: number): number {
  let value = 0;
  for (let index = at; index < at + count; index++) {
    const code = line.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * The timestamp a line starts with, if any. Hand-parsed: it runs on many lines. `from`/`to`: the
 * line is `text.slice(from, to)` (without slicing it); `length` counts from `from`.
 */
export function parseLineTime(text: string, from = 0, to = text.length): LineTime | undefined {
  // `YYYY-MM-DDTHH:MM:SS`, then optional `.fraction`, then `Z` and a space or the end.
  const line = text;
  const o = from;
  if (to - o < 20 || line.charCodeAt(o + 4) !== 45 || line.charCodeAt(o + 7) !== 45 || line.charCodeAt(o + 10) !== 84 || line.charCodeAt(o + 13) !== 58 || line.charCodeAt(o + 16) !== 58) return undefined;
  const year = digits(line, o, 4);
  const month = digits(line, o + 5, 2);
  const day = digits(line, o + 8, 2);
  const hour = digits(line, o + 11, 2);
  const minute = digits(line, o + 14, 2);
  const second = digits(line, o + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let at = o + 19;
  let ms = 0;
  if (at < to && line.charCodeAt(at) === 46) {
    at++;
    const start = at;
    while (at < to && at - start < 9) {
      const code = line.charCodeAt(at) - 48;
      if (code < 0 || code > 9) break;
      if (at - start < 3) ms = ms * 10 + code;
      at++;
    }
    if (at === start) return undefined;
    for (let pad = at - start; pad < 3; pad++) ms *= 10;
  }
  if (at >= to || line.charCodeAt(at) !== 90) return undefined;
  at++;
  if (at < to) {
    if (line.charCodeAt(at) !== 32) return undefined;
    at++;
  }
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (Number.isNaN(time)) return undefined;
  return { time, length: at - o };
}

export const STEP_HEADER = '##[group]Run ';

/** `Run twine upload dist/*` for a `##[group]Run twine upload dist/*` line (from `offset`, after the timestamp). */
export function stepHeaderOf(line: string, offset = 0): string | undefined {
  if (!line.startsWith(STEP_HEADER, offset)) return undefined;
  const text = line.slice(offset + STEP_HEADER.length - 4).trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export interface LogPlace {
  /** Identity of the job the log belongs to (for "valid until the job ended"). */
  jobKey: string;
  job?: string;
  stepNumber?: number;
  /** From the file name of a per-step log. */
  stepName?: string;
}

const STEP_FILE = /^(\d+)_(.+?)(?:\.txt|\.log)?$/i;

/**
 * Where an archive entry sits: `build/3_Run tests.txt` is step 3, "Run tests", of job `build`;
 * a top-level `0_build.txt` is the whole log of job `build`.
 */
export function placeOfEntry(archive: string, entry: string): LogPlace {
  const slash = entry.lastIndexOf('/');
  const base = slash === -1 ? entry : entry.slice(slash + 1);
  const folder = slash === -1 ? undefined : entry.slice(0, slash);
  const step = STEP_FILE.exec(base);
  if (folder !== undefined) {
    return {
      jobKey: `${archive}!${folder}`,
      job: folder,
      ...(step ? { stepNumber: Number(step[1]), stepName: step[2]! } : { stepName: base.replace(/\.(txt|log)$/i, '') }),
    };
  }
  const job = step ? step[2]! : base.replace(/\.(txt|log)$/i, '');
  return { jobKey: `${archive}!${job}`, job };
}
