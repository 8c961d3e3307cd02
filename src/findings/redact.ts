import { createHash } from 'node:crypto';

/**
 * Never leak what we find: every string a reporter prints goes through `redactSecrets`, which
 * swaps anything credential-shaped for `<prefix>…[sha256:<12 hex>]`. The prefix (at most 8
 * characters, fewer for short secrets, none for URL passwords) tells people what kind of secret
 * it was; the hash lets them match it against a rotated credential without printing it.
 */

/** `sha256:<64 hex>` of the secret, for reports that need the full identity. */
export function fingerprintSecret(secret: string): string {
  return `sha256:${sha256Hex(secret)}`;
}

/**
 * Reports repeat many short strings (a detector's playbook in each of its findings): results for
 * strings up to `RECENT_MAX_LENGTH` that hold a hint are kept, at most `RECENT_LIMIT` of them.
 */
const recent = new Map<string, string>();
const RECENT_LIMIT = 2048;
const RECENT_MAX_LENGTH = 4096;

/** Replaces every credential-looking substring of `text`; idempotent. */
export function redactSecrets(text: string): string {
  // Most strings of a report (keys, times, numbers, prose) hold no hint: one search settles them.
  if (!ANY_HINT.test(text)) return text;
  if (text.length > RECENT_MAX_LENGTH) return redact(text, false);
  let result = recent.get(text);
  if (result === undefined) {
    result = redact(text, false);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(text, result);
  }
  return result;
}

/**
 * Like `redactSecrets`, but a redacted span that crossed line breaks (a PEM block) keeps its
 * line breaks after the marker, so line numbers of the text stay true. For code frames.
 */
export function redactSecretsPreservingLines(text: string): string {
  return redact(text, true);
}

interface SecretPattern {
  /** Cheap test: the pattern cannot match unless the text contains one of these. */
  hints: readonly string[];
  regex: RegExp;
  /** Prefix length for a secret of this length. */
  prefix: (length: number) => number;
  /** For patterns that match around the secret: which group is the secret (default: all). */
  build?: (groups: ReadonlyArray<string | undefined>, redactPart: (secret: string) => string) => string;
}

const tokenPrefix = (length: number): number => Math.min(8, Math.floor(length / 4));

// Character classes are written out; none of them contains `…`, `[` or `]`, so a marker can
// never be matched again (idempotence) and a matched secret is always replaced whole.
const PATTERNS: readonly SecretPattern[] = [
  // PEM private keys: from BEGIN to the END line, or to the end of the text when it is cut off.
  {
    hints: ['PRIVATE KEY'],
    regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    prefix: tokenPrefix,
  },
  // PyPI and TestPyPI API tokens (macaroons): `pypi-AgEIcHlwaS5vcmc...`.
  { hints: ['pypi-'], regex: /pypi-[A-Za-z0-9_-]{50,}/g, prefix: tokenPrefix },
  // GitHub tokens: classic/OAuth/user/server/refresh, then fine-grained PATs.
  { hints: ['gh'], regex: /gh[pousr]_[A-Za-z0-9]{36,}/g, prefix: tokenPrefix },
  { hints: ['github_pat_'], regex: /github_pat_[A-Za-z0-9_]{60,}/g, prefix: tokenPrefix },
  // JSON Web Tokens (OIDC ID tokens, among others).
  { hints: ['eyJ'], regex: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, prefix: tokenPrefix },
  // npm access tokens.
  { hints: ['npm_'], regex: /npm_[A-Za-z0-9]{36,}/g, prefix: tokenPrefix },
  // AWS access key ids (long-term and temporary).
  { hints: ['AKIA', 'ASIA'], regex: /(?:AKIA|ASIA)[A-Z0-9]{16,}/g, prefix: tokenPrefix },
  // GitLab personal access tokens.
  { hints: ['glpat-'], regex: /glpat-[A-Za-z0-9_-]{20,}/g, prefix: tokenPrefix },
  // Slack tokens.
  { hints: ['xox'], regex: /xox[abposr]-[A-Za-z0-9-]{10,}/g, prefix: tokenPrefix },
  // OpenAI / Anthropic keys. Must start a word and hold a digit, so that prose such as
  // `ask-for-approval-before-deploying-anything` is left alone.
  {
    hints: ['sk-'],
    regex: /(?<![A-Za-z0-9_-])sk-(?:ant-)?(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{32,}/g,
    prefix: tokenPrefix,
  },
  // Docker Hub personal and organization access tokens.
  { hints: ['dckr_'], regex: /dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}/g, prefix: tokenPrefix },
  // GitLab's other token kinds (CI build, deploy, runner, trigger, feed, OAuth, SCIM …).
  { hints: ['gl'], regex: /gl(?:cbt|dt|rt|ptt|ft|imt|agent|oas|soat|ffct|sst)-[A-Za-z0-9_.-]{20,}/g, prefix: tokenPrefix },
  // Slack app-level tokens.
  { hints: ['xapp-'], regex: /xapp-[A-Za-z0-9-]{20,}/g, prefix: tokenPrefix },
  // Cloudflare user and account API tokens with their prefixes.
  { hints: ['cfut_', 'cfat_'], regex: /cf[ua]t_[A-Za-z0-9_-]{30,}/g, prefix: tokenPrefix },
  // Values that are credentials because of the name they are assigned to: AWS secret keys,
  // Cloudflare tokens without a prefix, the runner's own tokens in an `env` dump.
  {
    hints: ['_KEY', '_key', 'TOKEN'],
    regex: /((?:aws_secret_access_key|AWS_SECRET_ACCESS_KEY|CLOUDFLARE_API_TOKEN|CF_API_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_RUNTIME_TOKEN)["']?\s*[=:]\s*["']?)([A-Za-z0-9/+=_.-]{20,})/g,
    prefix: () => 0,
    build: (match, redactPart) => `${match[1]}${redactPart(match[2] ?? '')}`,
  },
  // Secrets in the runner's memory layout, as the tj-actions payload grepped them out.
  {
    hints: ['isSecret'],
    regex: /("value"\s*:\s*")([^"\\]{4,})("\s*,\s*"isSecret"\s*:\s*true)/g,
    prefix: () => 0,
    build: (match, redactPart) => `${match[1]}${redactPart(match[2] ?? '')}${match[3]}`,
  },
  // URLs with a password: only the password is replaced, with no prefix at all.
  {
    hints: ['://'],
    regex: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]+)@/g,
    prefix: () => 0,
    build: (match, redactPart) => `${match[1]}${match[2]}:${redactPart(match[3] ?? '')}@`,
  },
];

/** What a marker looks like; a "secret" that is already one is left as it is. */
const MARKER = /^[^\s…]{0,8}…\[sha256:[0-9a-f]{12}\]$/;

/** Every pattern's hints at once: most strings of a report (keys, numbers, prose) hold none. */
const ANY_HINT = new RegExp(PATTERNS.flatMap((pattern) => pattern.hints).map((hint) => hint.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));

function redact(text: string, preserveLines: boolean): string {
  if (!ANY_HINT.test(text)) return text;
  let out = text;
  for (const pattern of PATTERNS) {
    if (!pattern.hints.some((hint) => out.includes(hint))) continue;
    out = out.replace(pattern.regex, (...args: unknown[]) => {
      // (match, ...captures, offset, input): none of the patterns has named groups.
      const groups = args.slice(0, -2) as Array<string | undefined>;
      const whole = groups[0] ?? '';
      const redactPart = (secret: string): string => {
        if (secret === '' || MARKER.test(secret)) return secret;
        return marker(secret, pattern.prefix(secret.length));
      };
      const replaced = pattern.build ? pattern.build(groups, redactPart) : redactPart(whole);
      if (!preserveLines) return replaced;
      const lines = countNewlines(whole) - countNewlines(replaced);
      return lines > 0 ? replaced + '\n'.repeat(lines) : replaced;
    });
  }
  return out;
}

function marker(secret: string, prefixLength: number): string {
  return `${secret.slice(0, Math.max(0, Math.min(8, prefixLength)))}…[sha256:${sha256Hex(secret).slice(0, 12)}]`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
