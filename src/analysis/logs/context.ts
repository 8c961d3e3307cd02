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

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z(?: |$)/;

/** The timestamp a line starts with, if any. */
export function parseLineTime(line: string): LineTime | undefined {
  // Cheap test before the regex: `YYYY-MM-DDT`.
  if (line.length < 20 || line.charCodeAt(4) !== 45 || line.charCodeAt(10) !== 84) return undefined;
  const match = TIMESTAMP.exec(line);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), ms);
  if (Number.isNaN(time)) return undefined;
  return { time, length: match[0].length };
}

const STEP_HEADER = '##[group]Run ';

/** `Run twine upload dist/*` for a `##[group]Run twine upload dist/*` line (after the timestamp). */
export function stepHeaderOf(content: string): string | undefined {
  if (!content.startsWith(STEP_HEADER)) return undefined;
  const text = content.slice(STEP_HEADER.length - 4).trim();
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
