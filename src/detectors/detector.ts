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
}

export interface Detector {
  meta: DetectorMeta;
  /**
   * What a candidate looks like, without anchors; flags other than `i` are ignored. The secret is
   * the first capture group if there is one, else the whole match.
   */
  pattern: RegExp;
  /** Fixed strings of which at least one occurs in every match: lines without any are skipped. */
  keywords: string[];
  /** Rejects look-alikes (checksums, entropy, surrounding text). Default: accept. */
  validate?(secret: string, line: string): boolean;
  /** Decodes what can be known offline. */
  decode?(secret: string): DecodedCredential | undefined;
}

export function defineDetector(detector: Detector): Detector {
  return detector;
}
