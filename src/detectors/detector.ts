import type { Confidence, Severity } from '../findings/finding.ts';

/**
 * A secret detector: one module per credential type, like an audit rule. The scanner ORs every
 * detector's pattern into one pass over each line, then asks the matching detector to validate
 * and decode what it found. Nothing here does IO.
 */
export interface DetectorMeta {
  /** Public id, used as `rule` in findings (e.g. `pypi-token`, `github-oidc-jwt`). */
  id: string;
  summary: string;
  severity: Severity;
  confidence: Confidence;
  docs: {
    /** What the credential grants and how long it lives, under the issuer's documented rules. */
    why: string;
    /** How to revoke it and what to check afterwards: the playbook printed with each leak. */
    respond: string[];
    references: string[];
  };
}

/** How long a leaked credential can be replayed. */
export type Lifetime =
  | { kind: 'until-revoked' }
  /** Valid between `notBefore` and `expiresAt` (JWTs, minted PyPI tokens). */
  | { kind: 'window'; notBefore?: Date; expiresAt: Date }
  /** Valid while the job that printed it runs (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`, `ACTIONS_RUNTIME_TOKEN`). */
  | { kind: 'job' }
  | { kind: 'unknown' };

/** What an offline decode tells about a credential; every field optional. */
export interface DecodedCredential {
  /** Human-readable type, e.g. "PyPI upload token minted by Trusted Publishing". */
  description: string;
  lifetime: Lifetime;
  /** Accepted once only by its consumer (PyPI's JTI check for OIDC JWTs). */
  singleUse?: boolean;
  /** Projects, repositories or scopes it is limited to. */
  scope?: string[];
  /** Issuer, audience, subject, repository, workflow ref, environment, event, run id … */
  claims?: Record<string, string | number | boolean>;
  /**
   * Upper bound, in seconds from when it was issued, of a lifetime the token itself does not
   * state (`ghs_` installation tokens: 3600; the `GITHUB_TOKEN`: the job, at most 24 h). The
   * issue time is at the latest the time the log line was written.
   */
  maxLifetimeSeconds?: number;
}

/** Where a candidate was found, for detectors that look around the secret. */
export interface MatchContext {
  /** The whole line (or decoded text) the secret was found in. */
  line: string;
  /** 0-based UTF-16 offsets of the secret in `line`. */
  start: number;
  end: number;
}

/** A credential that can span lines (PEM blocks): the scanner joins following lines. */
export interface MultilineSpec {
  /** The closing marker, searched on the same line first, then at the start of later lines. */
  end: RegExp;
  /** A line between the opening and the closing marker (after the log prefix is removed). */
  body: RegExp;
  /** Give up (and report what was read) after this many lines. */
  maxLines: number;
}

export interface Detector {
  meta: DetectorMeta;
  /**
   * What a candidate looks like, without anchors; flags other than `i` are ignored, named groups
   * and back-references are not allowed. The secret is the first capture group that matched if
   * there is one, else the whole match. Detectors whose patterns have the same source share one
   * slot of the combined expression and are tried in the order of the detector list; the first
   * whose `validate` accepts the candidate reports it.
   */
  pattern: RegExp;
  /**
   * Fixed strings of which at least one occurs in every match: lines without any are skipped, and
   * a keyword found on a line is what makes the scanner run `pattern`. Printable ASCII, 3 to 255
   * characters. Prefer specific ones: in a log every line holding a keyword is decoded and
   * matched (the WebAssembly prefilter finds the keywords, `scanner.ts`). Per line, all
   * detectors' keywords form one literal alternation; keep their first characters among the few
   * already used (a test caps the distinct first characters: V8 slows down past ~16).
   */
  keywords: string[];
  /**
   * Rejects look-alikes (checksums, entropy, surrounding text). Default: accept. `start` is the
   * secret's offset in `line` (the scanner always passes it).
   */
  validate?(secret: string, line: string, start?: number): boolean;
  /** Decodes what can be known offline; `context` is passed by the scanner. */
  decode?(secret: string, context?: MatchContext): DecodedCredential | undefined;
  /** Confidence of one match when it differs from `meta.confidence` (a failed decode, a legacy format). */
  confidence?(secret: string, context?: MatchContext): Confidence;
  /**
   * A catch-all that captures a value by its surroundings (`"NAME":{"value":"…","isSecret":true}`):
   * when a more specific detector recognizes something inside the value, that detector reports it
   * instead.
   */
  yieldsToSpecific?: boolean;
  /** The credential value of a raw match, when the log shows it escaped (JSON strings). */
  unescape?(raw: string): string;
  /** Set for credentials that span lines. */
  multiline?: MultilineSpec;
}

export function defineDetector(detector: Detector): Detector {
  return detector;
}
