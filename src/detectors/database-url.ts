import type { Confidence } from '../findings/finding.ts';
import { defineDetector, type MatchContext } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { isMaskedOrReference, isPlaceholder } from './shared/values.ts';

const SCHEME_NAMES = ['postgresql', 'postgres', 'mysql', 'mariadb', 'mongodb', 'rediss', 'redis', 'amqps', 'amqp', 'mssql', 'sqlserver', 'cockroachdb', 'clickhouse'];
const SCHEMES = SCHEME_NAMES.join('|');

interface UrlParts {
  scheme: string;
  user: string;
  host: string;
  port?: string;
  database?: string;
}

/** The parts of the URL around a password found at `[start, end)` (the password itself excluded). */
function urlAround(context: MatchContext): UrlParts | undefined {
  const { line, start, end } = context;
  const separator = line.lastIndexOf('://', start);
  if (separator === -1) return undefined;
  let schemeStart = separator;
  while (schemeStart > 0 && /[A-Za-z0-9+.-]/.test(line[schemeStart - 1]!)) schemeStart--;
  const scheme = line.slice(schemeStart, separator).toLowerCase();
  const user = line.slice(separator + 3, start - 1);
  const after = /^@(\[[^\]\s]*\]|[^\s/:?#"'<>,]*)(?::([0-9]{1,5}))?(?:\/([^\s?#"'<>]*))?/.exec(line.slice(end));
  if (!after) return undefined;
  const parts: UrlParts = { scheme, user, host: (after[1] ?? '').toLowerCase() };
  if (after[2]) parts.port = after[2];
  if (after[3]) parts.database = after[3];
  return parts;
}

const LOCAL = /^(?:localhost|127\.[0-9.]+|0\.0\.0\.0|\[::1?\]|::1|host\.docker\.internal|[^.]*\.localhost)$/;

export default defineDetector({
  meta: {
    id: 'database-url',
    summary: 'Database or message-broker URL with a password (postgres, mysql, mongodb, redis, amqp…)',
    severity: 'high',
    confidence: 'medium',
    docs: {
      why: `A connection URL with \`user:password@\` logs in to the database or broker as that user, from anywhere the
server is reachable (managed databases are often reachable from the internet). The password lives until it is
changed. URLs pointing at the job's own service containers (\`localhost\`, \`127.0.0.1\`) and obvious placeholders
(\`postgres:postgres\`, \`password\`) are not reported; a URL to a single-label host (a container name) is
reported with low confidence.`,
      respond: [
        'Change the user\'s password on the server (`ALTER ROLE … PASSWORD …`, `ALTER USER … IDENTIFIED BY …`, `db.changeUserPassword()`, `ACL SETUSER`, `rabbitmqctl change_password`) or rotate it in your cloud\'s console, then update the secret everywhere it is used.',
        'Check the server\'s connection and audit logs for logins from unknown addresses since the log was written, and restrict network access to the hosts that need it.',
        DELETE_LOG,
      ],
      references: ['https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password'],
    },
  },
  // Only the password is the secret: the fingerprint then matches the same password anywhere else.
  pattern: new RegExp(String.raw`(?<![A-Za-z0-9+.-])(?:${SCHEMES})(?:\+[a-z0-9]+)?:\/\/[^\s:/?#@"'<>]*:([^\s/?#@"'<>]+)@`),
  // Each scheme with what follows it (`://`, or `+` and a driver): not `://`, which every line with
  // a URL holds, nor the bare names, which package names and image tags hold.
  keywords: SCHEME_NAMES.flatMap((scheme) => [`${scheme}://`, `${scheme}+`]),
  validate(secret, line, start) {
    if (isMaskedOrReference(secret) || isPlaceholder(secret) || secret.length < 4) return false;
    if (start === undefined) return true;
    const parts = urlAround({ line, start, end: start + secret.length });
    if (!parts) return false;
    if (LOCAL.test(parts.host) || parts.host === '') return false;
    if (isPlaceholder(parts.host) || /(?:^|\.)example\.(?:com|org|net)$/.test(parts.host)) return false;
    return true;
  },
  decode(_secret, context) {
    const parts = context ? urlAround(context) : undefined;
    const claims: Record<string, string> = {};
    if (parts) {
      claims.scheme = parts.scheme;
      if (parts.user) claims.user = decodeSafe(parts.user);
      claims.host = parts.host;
      if (parts.port) claims.port = parts.port;
      if (parts.database) claims.database = parts.database;
    }
    return {
      description: parts ? `password of ${parts.user ? `user ${decodeSafe(parts.user)} on ` : ''}${parts.scheme}://${parts.host}` : 'database password in a connection URL',
      lifetime: { kind: 'until-revoked' },
      ...(parts ? { claims, scope: [parts.host] } : {}),
    };
  },
  confidence(_secret, context): Confidence {
    const parts = context ? urlAround(context) : undefined;
    if (!parts) return 'medium';
    return parts.host.includes('.') || parts.host.startsWith('[') ? 'medium' : 'low';
  },
});

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
