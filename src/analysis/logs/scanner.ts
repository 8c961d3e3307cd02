import type { DecodedCredential, DetectorMeta } from '../../detectors/detector.ts';

/**
 * What `cordon logs` needs from the detectors: one call per log line (the text after the
 * timestamp) returning every credential on it. `start`/`end` are 0-based UTF-16 offsets into the
 * text; for a secret found only after decoding (a double-base64 dump), they cover the whole
 * encoded run, which is what `--redact` replaces.
 */
export interface LogMatch {
  detector: string;
  secret: string;
  start: number;
  end: number;
  decoded?: DecodedCredential;
  /** `plain`, or how the secret was wrapped (`base64`, `base64/base64`…). */
  encoding: string;
}

export interface LogScanner {
  detectors: readonly DetectorMeta[];
  scan(text: string): LogMatch[];
}
