import type { Confidence } from '../../findings/finding.ts';
import type { DecodedCredential, DetectorMeta } from '../../detectors/detector.ts';
import type { LineCandidates } from '../../detectors/scanner.ts';

export { HAS_KEYWORD, HAS_RUN, MARKER, MAY_MATCH, type LineCandidates } from '../../detectors/scanner.ts';

/**
 * What `cordon logs` needs from the detectors (`src/detectors/scanner.ts` `LineScanner` has this
 * shape): a scanner per log, fed every line in order (timestamp included), returning the
 * credentials each line completes. A credential that spans lines (a PEM block) is returned when
 * its last line is pushed, with `line` at its first line; `start` is an offset in `line`, `end`
 * in `endLine` (0-based UTF-16, end exclusive). For a secret found inside base64, the offsets
 * point into the encoded run.
 */
export interface LogMatch {
  detector: string;
  /** The whole credential: never stored, printed or written; only fingerprinted. */
  secret: string;
  /** `sha256:<hex>` of `secret`, when the scanner computed it already. */
  fingerprint?: string;
  /** 1-based numbers of the lines pushed to this scanner. */
  line: number;
  endLine: number;
  start: number;
  end: number;
  /** `plain`, `base64`, `base64x2`… */
  encoding: string;
  decoded?: DecodedCredential;
  /** When this match is surer or less sure than the detector usually is. */
  confidence?: Confidence;
}

export interface LogLineScanner {
  push(line: string): readonly LogMatch[];
  /** Credentials still open at the end of the log (a PEM block without its END line). */
  flush(): readonly LogMatch[];
  /**
   * Optional: lets the reader skip the lines on which nothing can be found (most of a log)
   * without decoding them. Absent where it cannot run (the reader goes line by line).
   */
  skipping?: SkippingLineScanner;
}

export interface SkippingLineScanner {
  /**
   * The lines of `bytes` worth a look (whole lines of the log as read: UTF-8, `\n` between
   * them, none after the last), appended to `out` in order, each once: a `MAY_MATCH` bit for
   * every line `push` could find something on (when no multi-line credential is open), `MARKER`
   * for lines holding one of `markers`. Returns the number of line breaks in `bytes`.
   */
  candidates(bytes: Uint8Array, out: LineCandidates, markers?: readonly string[]): number;
  /**
   * `push` for line `number`; the lines skipped since the last push count as pushed and empty.
   * `reason`: the line's `MAY_MATCH` bits from `candidates` (default: all).
   */
  pushAt(number: number, line: string, reason?: number): readonly LogMatch[];
  /** A multi-line credential is open: the next line must be pushed. */
  readonly inBlock: boolean;
}

export interface LogScanner {
  detectors: readonly DetectorMeta[];
  /** How many lines back a match may start (the longest multi-line credential), at least 1. */
  lookback: number;
  open(): LogLineScanner;
}
