import type { DecodedCredential, DetectorMeta } from '../../../src/detectors/detector.ts';
import type { LogMatch, LogScanner } from '../../../src/analysis/logs/scanner.ts';

type Found = Pick<LogMatch, 'detector' | 'secret' | 'decoded'>;

/**
 * A stand-in for the real detectors in tests of the log machinery (reading, zips, timing,
 * redaction): `ghp_` tokens live until revoked, `pypi-` tokens get the lifetime the test gives
 * them, JWTs are single-use windows from their own `nbf`/`exp`, and any of them is also found
 * inside a (double) base64 run, which is reported over the whole run.
 */

const meta = (id: string, summary: string): DetectorMeta => ({
  id,
  summary,
  severity: 'critical',
  confidence: 'high',
  docs: { why: `${summary}.`, respond: [`Revoke the ${summary}.`, 'Check what it was used for.'], references: ['https://example.org/docs'] },
});

export const FAKE_DETECTORS: DetectorMeta[] = [meta('fake-pat', 'personal access token'), meta('fake-pypi', 'PyPI token'), meta('fake-jwt', 'OIDC token')];

const TOKEN = /ghp_[A-Za-z0-9]{36}|pypi-[A-Za-z0-9_-]{50,}|eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g;
const BASE64 = /[A-Za-z0-9+/]{40,}={0,2}/g;

export function fakeScanner(lifetimes: Map<string, DecodedCredential> = new Map()): LogScanner {
  const classify = (secret: string): Found => {
    if (secret.startsWith('ghp_')) return { detector: 'fake-pat', secret, decoded: { description: 'GitHub personal access token', lifetime: { kind: 'until-revoked' } } };
    if (secret.startsWith('pypi-')) return { detector: 'fake-pypi', secret, decoded: lifetimes.get(secret) ?? { description: 'PyPI API token', lifetime: { kind: 'until-revoked' } } };
    const payload = JSON.parse(Buffer.from(secret.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number; nbf?: number };
    return {
      detector: 'fake-jwt',
      secret,
      decoded: {
        description: 'GitHub Actions OIDC token',
        lifetime: { kind: 'window', expiresAt: new Date(payload.exp * 1000), ...(payload.nbf ? { notBefore: new Date(payload.nbf * 1000) } : {}) },
        singleUse: true,
      },
    };
  };
  const scan = (text: string, line: number): LogMatch[] => {
    const matches: LogMatch[] = [];
    const at = (start: number, end: number) => ({ line, endLine: line, start, end });
    for (const found of text.matchAll(TOKEN)) matches.push({ ...classify(found[0]), ...at(found.index!, found.index! + found[0].length), encoding: 'plain' });
    for (const run of text.matchAll(BASE64)) {
      let decoded = run[0];
      const layers: string[] = [];
      for (let depth = 0; depth < 2; depth++) {
        decoded = Buffer.from(decoded, 'base64').toString('latin1');
        layers.push('base64');
        for (const found of decoded.matchAll(TOKEN)) {
          matches.push({ ...classify(found[0]), ...at(run.index!, run.index! + run[0].length), encoding: layers.join('/') });
        }
        if (!/^[A-Za-z0-9+/=\s]+$/.test(decoded)) break;
      }
    }
    return matches;
  };
  return {
    detectors: FAKE_DETECTORS,
    lookback: 1,
    open() {
      let line = 0;
      return { push: (text: string) => scan(text, ++line), flush: () => [] };
    },
  };
}
