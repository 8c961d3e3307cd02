import { fingerprintSecret } from '../findings/redact.ts';
import type { RawMatch } from './scanner.ts';

/**
 * A line with every match replaced by a marker in the format of `src/findings/redact.ts`
 * (`<prefix>…[sha256:<12 hex>]`; the prefix is at most 8 characters, fewer for short secrets).
 * Encoded matches replace their whole encoded run. Spans are those of `scanLine` for this line.
 */
/** Secrets whose first characters are a published format prefix (kept in the marker to say what it was). */
const PUBLIC_PREFIX = /^(?:pypi-|gh[pousr]_|github_pat_|npm_|gl[a-z]+-|GR1348941|dckr_|cf[ua]t_|xox|xapp-|sk-|eyJ|AKIA|ASIA|-----BEGIN)/;

export function redactLine(line: string, matches: readonly RawMatch[]): string {
  if (matches.length === 0) return line;
  const spans = matches
    .map((match) => {
      const span = match.run ?? match;
      const prefix = match.encoding === 'plain' && PUBLIC_PREFIX.test(match.secret) ? match.secret.slice(0, Math.min(8, Math.floor(match.secret.length / 4))) : '';
      return { start: span.start, end: span.end, marker: `${prefix}…[${fingerprintSecret(match.secret).slice(0, 19)}]` };
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let position = 0;
  for (const span of spans) {
    if (span.end <= position) continue;
    if (span.start >= position) {
      out += line.slice(position, span.start) + span.marker;
    }
    position = Math.max(position, Math.min(line.length, span.end));
  }
  return out + line.slice(position);
}
