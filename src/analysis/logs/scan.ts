import { createHash } from 'node:crypto';
import type { DecodedCredential, DetectorMeta } from '../../detectors/detector.ts';
import type { Confidence, Finding, InputError, RelatedLocation, Severity } from '../../findings/finding.ts';
import { fingerprintSecret, redactSecrets } from '../../findings/redact.ts';
import { DEFAULT_MAX_LINE_BYTES, readLines, readLogBlocks, type LogLine } from '../../sources/logs/lines.ts';
import { OutputFile } from '../../sources/logs/output.ts';
import { STEP_HEADER, parseLineTime, stepHeaderOf, type LogPlace } from './context.ts';
import { assessReplay, duration, type ReplayAssessment } from './replay.ts';
import { MAY_MATCH, type LineCandidates, type LogLineScanner, type LogMatch, type LogScanner, type SkippingLineScanner } from './scanner.ts';

/**
 * The heart of `cordon logs`: reads each log line by line, asks the detectors what is on it,
 * remembers where each distinct secret was first printed (by fingerprint, never the secret
 * itself), writes the redacted copy as it goes, and at the end turns each distinct secret into
 * one finding with its replay window.
 */

/** The workflow run a log came from (`--repo`). */
export interface RunInfo {
  id: number;
  name: string | null;
  workflowPath: string | null;
  url: string;
  event: string;
  branch: string | null;
  status: string | null;
  conclusion: string | null;
  startedAt: string | null;
}

export interface LogDocument {
  /** Display path: `logs/build.txt`, `run.zip!build/3_Run tests.txt`. */
  path: string;
  place: LogPlace;
  run?: RunInfo;
  /** Absolute path for the redacted copy, when `--redact` is on. */
  redactTo?: string;
}

export interface LogScanOptions {
  scanner: LogScanner;
  maxLineBytes?: number;
  /** Fingerprints (`sha256:<hex>`) from `--known`. */
  known?: ReadonlySet<string>;
}

interface Place {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  time: number | undefined;
  place: LogPlace;
  step: string | undefined;
  run: RunInfo | undefined;
}

interface SecretGroup {
  detector: string;
  fingerprint: string;
  prefix: string;
  length: number;
  decoded: DecodedCredential | undefined;
  confidence: Confidence | undefined;
  encodings: Set<string>;
  firstEncoding: string;
  first: Place;
  count: number;
  others: Place[];
  /** Prints already counted (a line can be in a job's full log and in its step file). */
  seen: Set<string>;
}

const MAX_RELATED = 10;
/** Lines the block reader looks at for the step they start. */
const MARKERS = [STEP_HEADER];
/** More than the longest timestamp prefix (`2025-09-05T10:00:00.0230000Z `, 9 fraction digits at most). */
const TIMESTAMP_BYTES = 40;
const MAX_SEEN = 10_000;

export class LogScan {
  readonly errors: InputError[] = [];
  filesScanned = 0;
  linesScanned = 0;
  bytesScanned = 0;
  readonly redactedFiles: string[] = [];
  private readonly scanner: LogScanner;
  private readonly maxLineBytes: number;
  private readonly known: ReadonlySet<string>;
  private readonly groups = new Map<string, SecretGroup>();
  /** Last timestamp seen per job, and whether that job's run may still be going. */
  private readonly jobEnds = new Map<string, number>();
  private readonly runningJobs = new Set<string>();

  constructor(options: LogScanOptions) {
    this.scanner = options.scanner;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.known = options.known ?? new Set();
  }

  error(path: string, line: number, message: string): void {
    this.errors.push({ path, line, message });
  }

  /** Reads one log to the end. Errors of the source (a zip entry past its limit) propagate. */
  async scanDocument(document: LogDocument, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const output = document.redactTo ? await OutputFile.create(document.redactTo) : undefined;
    const jobKey = document.place.jobKey;
    if (document.run && document.run.status !== 'completed') this.runningJobs.add(jobKey);
    const lineScanner = this.scanner.open();
    if (!output && lineScanner.skipping) {
      const stats = await this.scanBlocks(document, chunks, lineScanner, lineScanner.skipping);
      if (stats.binary) {
        this.error(document.path, 0, 'binary data (NUL bytes in the first 8 KiB), not a text log; skipped');
        return;
      }
      this.finishDocument(document, stats);
      return;
    }
    // Time and step of the last `lookback` lines: a multi-line match is reported on its last
    // line but belongs to its first.
    const size = Math.max(2, this.scanner.lookback + 1);
    const times: Array<number | undefined> = new Array(size);
    const steps: Array<string | undefined> = new Array(size);
    let step: string | undefined;
    let current = 0;
    const redactor = output ? new RedactionQueue(size, 2 * this.maxLineBytes + 1024 * 1024) : undefined;

    const handle = (matches: readonly LogMatch[]) => {
      for (const match of matches) {
        const back = current - match.line;
        const known = back >= 0 && back < size;
        const time = known ? times[match.line % size] : times[current % size];
        const at = known ? steps[match.line % size] : step;
        this.record(document, match, time, at);
        redactor?.add(match);
      }
    };

    try {
      const stats = await readLines(chunks, { maxLineBytes: this.maxLineBytes }, async (lines: LogLine[]) => {
        for (const line of lines) {
          current = line.number;
          const stamp = parseLineTime(line.text);
          if (stamp) {
            const previous = this.jobEnds.get(jobKey);
            if (previous === undefined || stamp.time > previous) this.jobEnds.set(jobKey, stamp.time);
          }
          const header = stepHeaderOf(line.text, stamp?.length ?? 0);
          if (header !== undefined) step = header;
          times[current % size] = stamp?.time;
          steps[current % size] = step;
          redactor?.push(line, stamp?.length ?? 0);
          handle(lineScanner.push(line.text));
        }
        if (output && redactor) {
          const text = redactor.drain(false);
          if (text) await output.write(text);
        }
      });
      if (stats.binary) {
        await output?.discard();
        this.error(document.path, 0, 'binary data (NUL bytes in the first 8 KiB), not a text log; skipped');
        return;
      }
      handle(lineScanner.flush());
      if (output && redactor) {
        const text = redactor.drain(true);
        if (text) await output.write(text);
      }
      this.finishDocument(document, stats);
      if (output) {
        await output.close();
        this.redactedFiles.push(output.path);
      }
    } catch (error) {
      await output?.discard();
      throw error;
    }
  }

  private finishDocument(document: LogDocument, stats: { lines: number; bytes: number; longLines: number; firstLongLine?: number }): void {
    this.filesScanned++;
    this.linesScanned += stats.lines;
    this.bytesScanned += stats.bytes;
    if (stats.longLines > 0) {
      this.error(
        document.path,
        stats.firstLongLine ?? 0,
        `${stats.longLines === 1 ? 'a line is' : `${stats.longLines} lines are`} longer than ${this.maxLineBytes} bytes: only the first ${this.maxLineBytes} bytes of ${stats.longLines === 1 ? 'it were' : 'each were'} scanned`,
      );
    }
  }

  /**
   * The fast way through a log when no redacted copy is written: the text is decoded a block of
   * lines at a time, the scanner points at the few lines that can hold a credential (a keyword, a
   * long base64 run) and only those, the lines of an open PEM block, and the step headers are cut
   * out and looked at; the other lines are only counted. Timestamps are read on those lines and
   * on the last line of each block (for when the job ended).
   */
  private async scanBlocks(
    document: LogDocument,
    chunks: AsyncIterable<Uint8Array>,
    lineScanner: LogLineScanner,
    skipping: SkippingLineScanner,
  ): Promise<{ lines: number; bytes: number; binary: boolean; longLines: number; firstLongLine?: number }> {
    const jobKey = document.place.jobKey;
    const size = Math.max(2, this.scanner.lookback + 1);
    // Time and step of the lines looked at lately, by line number modulo `size`.
    const numbers = new Float64Array(size);
    const times: Array<number | undefined> = new Array(size);
    const steps: Array<string | undefined> = new Array(size);
    let step: string | undefined;
    let lastTime: number | undefined;
    let lines = 0;
    let longLines = 0;
    let firstLongLine: number | undefined;
    const found: LineCandidates = { index: [], start: [], reason: [] };

    const noteTime = (time: number) => {
      const previous = this.jobEnds.get(jobKey);
      if (previous === undefined || time > previous) this.jobEnds.set(jobKey, time);
    };
    const handle = (matches: readonly LogMatch[], current: number) => {
      for (const match of matches) {
        const back = current - match.line;
        const slot = match.line % size;
        const known = back >= 0 && back < size && numbers[slot] === match.line;
        this.record(document, match, known ? times[slot] : lastTime, known ? steps[slot] : step);
      }
    };
    /** A step header's line, looked at only for the step's name. */
    const noteStep = (text: string) => {
      const header = stepHeaderOf(text, parseLineTime(text)?.length ?? 0);
      if (header !== undefined) step = header;
    };
    /** Looks at line `number` in full (`reason`: what the scanner may find there). */
    const look = (text: string, number: number, reason: number) => {
      const stamp = parseLineTime(text);
      if (stamp) noteTime(stamp.time);
      const header = stepHeaderOf(text, stamp?.length ?? 0);
      if (header !== undefined) step = header;
      const slot = number % size;
      numbers[slot] = number;
      times[slot] = lastTime = stamp?.time;
      steps[slot] = step;
      handle(skipping.pushAt(number, text, reason), number);
    };

    const stats = await readLogBlocks(chunks, { maxLineBytes: this.maxLineBytes }, (block) => {
      if (block.single) {
        const number = ++lines;
        if (block.cutBytes > 0) {
          longLines++;
          firstLongLine ??= number;
        }
        look(block.text, number, MAY_MATCH);
        return;
      }
      const bytes = block.bytes;
      found.index.length = 0;
      found.start.length = 0;
      found.reason.length = 0;
      const breaks = skipping.candidates(bytes, found, MARKERS);
      /** The text of the line that starts at `start`, and where the next line starts. */
      const lineAt = (start: number): [text: string, next: number] => {
        const newline = bytes.indexOf(10, start);
        const end = newline === -1 ? bytes.length : newline;
        return [block.line(start, end > start && bytes[end - 1] === 13 ? end - 1 : end), end + 1];
      };
      // The next line not looked at yet: its index in the block and where it starts.
      let index = 0;
      let position = 0;
      let next = 0;
      // The last step header passed and not read yet: only the one before a line looked at, and
      // the block's last, are read.
      let header = -1;
      const readHeader = () => {
        if (header !== -1) noteStep(lineAt(header)[0]);
        header = -1;
      };
      for (;;) {
        let reason = MAY_MATCH;
        if (!skipping.inBlock) {
          while (next < found.index.length && found.index[next]! < index) next++;
          if (next === found.index.length) break;
          index = found.index[next]!;
          position = found.start[next]!;
          reason = found.reason[next]!;
        } else if (position > bytes.length) break;
        if ((reason & MAY_MATCH) !== 0) {
          const [text, after] = lineAt(position);
          readHeader();
          look(text, lines + 1 + index, reason & MAY_MATCH);
          position = after;
        } else {
          header = position;
          const newline = bytes.indexOf(10, position);
          position = newline === -1 ? bytes.length + 1 : newline + 1;
        }
        index++;
      }
      readHeader();
      // When the job ended: the last timestamp of the block (lines are in time order).
      for (let stop = bytes.length; ; ) {
        const start = stop === 0 ? 0 : bytes.lastIndexOf(10, stop - 1) + 1;
        // A timestamp is ASCII and short: its first bytes are enough (a log without timestamps
        // has every line of the block tried).
        const end = stop > start && bytes[stop - 1] === 13 ? stop - 1 : stop;
        const stamp = parseLineTime(bytes.toString('latin1', start, Math.min(end, start + TIMESTAMP_BYTES)));
        if (stamp) {
          noteTime(stamp.time);
          break;
        }
        if (start === 0) break;
        stop = start - 1;
      }
      lines += breaks + 1;
    });
    if (!stats.binary) handle(lineScanner.flush(), lines);
    return { ...stats, lines, longLines, ...(firstLongLine !== undefined ? { firstLongLine } : {}) };
  }

  private record(document: LogDocument, match: LogMatch, time: number | undefined, step: string | undefined): void {
    const fingerprint = match.fingerprint ?? fingerprintSecret(match.secret);
    const key = `${match.detector}\0${fingerprint}`;
    const place: Place = {
      path: document.path,
      line: match.line,
      column: match.start + 1,
      endLine: match.endLine,
      endColumn: match.end + 1,
      time,
      place: document.place,
      step,
      run: document.run,
    };
    let group = this.groups.get(key);
    if (!group) {
      group = {
        detector: match.detector,
        fingerprint,
        prefix: secretPrefix(match.secret),
        length: match.secret.length,
        decoded: match.decoded,
        confidence: match.confidence,
        encodings: new Set(),
        firstEncoding: match.encoding,
        first: place,
        count: 0,
        others: [],
        seen: new Set(),
      };
      this.groups.set(key, group);
    }
    group.encodings.add(match.encoding);
    // The same print seen twice (the job's full log and its step file) counts once.
    const identity = time !== undefined ? `${document.place.jobKey}\0${time}\0${place.column}` : `${document.path}\0${match.line}\0${place.column}`;
    if (group.seen.has(identity)) return;
    if (group.seen.size < MAX_SEEN) group.seen.add(identity);
    group.count++;
    if (group.first !== place && group.others.length < MAX_RELATED) group.others.push(place);
  }

  /** One finding per distinct secret, in the order they were first printed. */
  findings(now: number): Finding[] {
    const metas = new Map(this.scanner.detectors.map((meta) => [meta.id, meta]));
    const findings: Finding[] = [];
    // The request URL is not a credential: it mints nothing without the request token, and when
    // that token is printed it is reported (critical) on its own. Masked dumps print the URL
    // next to `***`, which is no leak at all.
    for (const group of this.groups.values()) {
      const meta = metas.get(group.detector) ?? fallbackMeta(group.detector);
      const jobKey = group.first.place.jobKey;
      if (group.detector === 'actions-id-token-request-url') continue;
      const lifetime = group.decoded?.lifetime ?? { kind: 'unknown' as const };
      const replay = assessReplay({
        lifetime,
        singleUse: group.decoded?.singleUse ?? false,
        ...(group.decoded?.maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds: group.decoded.maxLifetimeSeconds } : {}),
        ...(group.first.time !== undefined ? { printedAt: group.first.time } : {}),
        ...(this.jobEnds.has(jobKey) ? { jobEndedAt: this.jobEnds.get(jobKey)! } : {}),
        jobRunning: this.runningJobs.has(jobKey),
        now,
      });
      findings.push(buildFinding(group, meta, replay, this.known.has(group.fingerprint)));
    }
    return findings;
  }
}

/** At most 8 characters, and never more than a quarter of the secret. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, Math.min(8, Math.floor(secret.length / 4)));
}

/** `pypi-AgE…[sha256:0123456789ab]`: the marker reporters use for secrets. */
function shortMarker(group: SecretGroup): string {
  return `${group.prefix}…[${group.fingerprint.slice(0, 'sha256:'.length + 12)}]`;
}

function buildFinding(group: SecretGroup, meta: DetectorMeta, replay: ReplayAssessment, known: boolean): Finding {
  const first = group.first;
  // A credential that had expired before it was printed exposes nothing: reported low.
  const severity: Severity = replay.status === 'dead-when-printed' ? 'low' : meta.severity;
  const description = group.decoded?.description ?? meta.summary;
  const otherEncodings = [...group.encodings].filter((encoding) => encoding !== group.firstEncoding && encoding !== 'plain');
  const where = describeWhere(first);
  const when = first.time !== undefined ? ` at ${shortTime(first.time)}` : '';
  const times = group.count > 1 ? ` (${group.count} times; the first is shown)` : '';
  const decodedNote =
    (group.firstEncoding !== 'plain' ? `, found after decoding ${group.firstEncoding}` : '') + (otherEncodings.length ? `${group.firstEncoding !== 'plain' ? ' (and' : ' (also'} printed encoded as ${otherEncodings.join(', ')})` : '');
  const readable = replay.readableSince
    ? ` Readable since ${shortTime(Date.parse(replay.readableSince))} by anyone who can read the run's logs (everyone, for a public repository).`
    : '';
  const inventory = known ? ' It matches a credential in your inventory (--known).' : '';
  const message = `${description} ${shortMarker(group)} printed ${where}${when}${times}${decodedNote}. ${replay.summary}${readable}${inventory}`;

  const notes = [
    `fingerprint: ${group.fingerprint}`,
    ...(replay.validForSecondsAfterPrinted !== null ? [`replay window after printing: ${duration(replay.validForSecondsAfterPrinted)}`] : []),
    ...meta.docs.respond.map((step, index) => `respond ${index + 1}/${meta.docs.respond.length}: ${step}`),
  ];

  const related: RelatedLocation[] = group.others.map((place) => ({
    message: `printed again${place.time !== undefined ? ` (${shortTime(place.time)})` : ''}`,
    line: place.line,
    column: place.column,
    ...(place.path !== first.path ? { path: place.path } : {}),
  }));

  const decoded = group.decoded;
  const details = {
    secret: { prefix: group.prefix, fingerprint: group.fingerprint, length: group.length, encodings: [...group.encodings] },
    credential: {
      description,
      lifetime: replay.lifetime,
      singleUse: replay.singleUse,
      ...(decoded?.scope ? { scope: decoded.scope } : {}),
      ...(decoded?.claims ? { claims: decoded.claims } : {}),
    },
    occurrences: group.count,
    source: {
      log: first.path,
      line: first.line,
      ...(first.run ? { workflow: first.run.workflowPath, workflowName: first.run.name, run: first.run } : {}),
      ...(first.place.job !== undefined ? { job: first.place.job } : {}),
      ...(first.step !== undefined ? { step: first.step } : {}),
      ...(first.place.stepName !== undefined ? { stepFile: first.place.stepNumber !== undefined ? `${first.place.stepNumber}_${first.place.stepName}` : first.place.stepName } : {}),
    },
    timing: {
      printedAt: replay.printedAt,
      readableSince: replay.readableSince,
      notBefore: replay.notBefore,
      validUntil: replay.validUntil,
      validWhenPrinted: replay.validWhenPrinted,
      validForSecondsAfterPrinted: replay.validForSecondsAfterPrinted,
      validNow: replay.validNow,
      remainingSeconds: replay.remainingSeconds,
      assessedAt: replay.assessedAt,
    },
    replay: { status: replay.status, summary: replay.summary },
    inventory: known,
    respond: meta.docs.respond,
  };

  return {
    rule: group.detector,
    severity,
    confidence: group.confidence ?? meta.confidence,
    message,
    path: first.path,
    line: first.line,
    column: first.column,
    endLine: first.endLine,
    endColumn: first.endColumn,
    fingerprint: createHash('sha256').update(`${group.detector}\0${group.fingerprint}`).digest('hex').slice(0, 32),
    related,
    details,
    notes,
    docs: 'docs/logs.md',
  };
}

function describeWhere(place: Place): string {
  const parts: string[] = [];
  const step = place.step ?? (place.place.stepName !== undefined ? place.place.stepName : undefined);
  if (step !== undefined) parts.push(`by step \`${step}\``);
  if (place.place.job !== undefined) parts.push(`${parts.length ? 'of ' : 'by '}job \`${place.place.job}\``);
  if (place.run) {
    const workflow = place.run.workflowPath ?? place.run.name;
    parts.push(`${parts.length ? 'in ' : 'by '}${workflow ? `workflow \`${workflow}\` ` : ''}run ${place.run.id}`);
  }
  return parts.length ? parts.join(' ') : 'in the log';
}

function shortTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function fallbackMeta(id: string): DetectorMeta {
  return {
    id,
    summary: 'credential',
    severity: 'high',
    confidence: 'medium',
    docs: { why: '', respond: ['Revoke the credential with its issuer and check what it was used for.'], references: [] },
  };
}

interface PendingLine {
  line: LogLine;
  /** Length of the timestamp prefix, kept on lines a multi-line secret covers. */
  prefix: number;
  ranges: Array<{ start: number; end: number; fingerprint: string }>;
}

const BASE64_CHAR = /[A-Za-z0-9+/]/;

/**
 * Builds the redacted copy of a log. Lines wait in a short queue (as many as a multi-line
 * credential can span, and at most `maxChars` characters) so that a PEM block reported on its
 * END line can still be cut out of the lines before it; then each line is written with every
 * range replaced by `[REDACTED sha256:…]`. A secret found inside base64 replaces the whole run.
 */
export class RedactionQueue {
  private readonly pending: PendingLine[] = [];
  private chars = 0;
  private readonly maxLines: number;
  private readonly maxChars: number;

  constructor(maxLines: number, maxChars: number) {
    this.maxLines = maxLines;
    this.maxChars = maxChars;
  }

  push(line: LogLine, prefix: number): void {
    this.pending.push({ line, prefix, ranges: [] });
    this.chars += line.text.length;
  }

  add(match: LogMatch): void {
    const fingerprint = match.fingerprint ?? fingerprintSecret(match.secret);
    const first = this.pending[0]?.line.number ?? Number.POSITIVE_INFINITY;
    for (let number = match.line; number <= match.endLine; number++) {
      const entry = this.pending[number - first];
      if (!entry) continue;
      const text = entry.line.text;
      let start = number === match.line ? match.start : entry.prefix;
      let end = number === match.endLine ? match.end : text.length;
      if (match.encoding !== 'plain' && match.line === match.endLine) {
        while (start > 0 && BASE64_CHAR.test(text[start - 1]!)) start--;
        while (end < text.length && BASE64_CHAR.test(text[end]!)) end++;
        while (end < text.length && text[end] === '=') end++;
      }
      if (end > start) entry.ranges.push({ start, end, fingerprint });
    }
  }

  /** The lines that can no longer be touched by a match (all of them at the end), as text. */
  drain(all: boolean): string {
    const out: string[] = [];
    while (this.pending.length > 0 && (all || this.pending.length > this.maxLines || (this.chars > this.maxChars && this.pending.length > 1))) {
      const entry = this.pending.shift()!;
      this.chars -= entry.line.text.length;
      out.push(redactedText(entry));
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

function redactedText(entry: PendingLine): string {
  let text = entry.line.text;
  if (entry.ranges.length > 0) {
    const ranges = [...entry.ranges].sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Array<{ start: number; end: number; fingerprint: string }> = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && range.start < last.end) {
        if (range.end > last.end) last.end = range.end;
      } else merged.push({ ...range });
    }
    let out = '';
    let cursor = 0;
    for (const range of merged) {
      out += text.slice(cursor, range.start);
      out += `[REDACTED ${range.fingerprint}]`;
      cursor = range.end;
    }
    text = out + text.slice(cursor);
  }
  // Anything else credential-shaped, the way reports mask it.
  text = redactSecrets(text);
  if (entry.line.cutBytes > 0) text += ` [cordon: ${entry.line.cutBytes} more bytes of this line were not scanned and are left out]`;
  return text;
}
