/**
 * `--known FILE`: fingerprints of credentials you hold (one `sha256:<64 hex>` per line, as
 * `cordon logs` prints them; `#` starts a comment; blank lines are skipped). A leak whose
 * fingerprint is listed is marked as matching your inventory.
 */

export class KnownFileError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

const FINGERPRINT = /^sha256:([0-9a-f]{64})$/i;

export function parseKnownFingerprints(text: string): Set<string> {
  const known = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const hash = raw.indexOf('#');
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (line === '') return;
    // A line may carry a label after the fingerprint: `sha256:… PYPI_TOKEN of project x`.
    const first = line.split(/\s+/)[0]!;
    const match = FINGERPRINT.exec(first);
    // The line is not echoed: it may be a credential pasted by mistake.
    if (!match) throw new KnownFileError(index + 1, "expected 'sha256:' and 64 hex digits (a fingerprint as cordon prints it, not the credential itself)");
    known.add(`sha256:${match[1]!.toLowerCase()}`);
  });
  return known;
}
