/**
 * Tests shared by the detectors that capture a value by its name (`NAME=value`, `"key": "value"`,
 * `scheme://user:password@host`): the value must be something a person could use, not a mask, a
 * variable reference or an example.
 */

const PLACEHOLDERS = new Set([
  'password', 'passwd', 'pass', 'secret', 'token', 'changeme', 'change_me', 'example', 'test', 'testing',
  'postgres', 'postgresql', 'mysql', 'root', 'admin', 'guest', 'user', 'username', 'redis', 'mongo', 'mongodb',
  'rabbitmq', 'default', 'dummy', 'fake', 'none', 'null', 'undefined', 'xxx', 'xxxx', 'xxxxx', 'xxxxxx',
  'xxxxxxxx', 'foo', 'bar', 'foobar', 'secret123', 'password123', 'pwd', 'dev', 'local', 'sample', 'your_password',
  'yourpassword', 'mypassword', 'my_password', 'hunter2', 'pa55word', 'p4ssw0rd', 'letmein', 'abc123', '123456',
  '12345678', 'qwerty', 'redacted', 'masked', 'hidden', 'notasecret', 'not_a_secret', 'insecure',
]);

/** `***` (GitHub), `[MASKED]` (GitLab), `$VAR`, `${VAR}`, `${{ … }}`, `%VAR%`, `<password>`, `{{ x }}`… */
export function isMaskedOrReference(value: string): boolean {
  if (value.length === 0) return true;
  if (/^\*+$/.test(value) || value.includes('***') || value.includes('[MASKED]') || value.includes('[REDACTED]')) return true;
  const first = value.charCodeAt(0);
  // $ % < { ( and backtick start a reference or template in every shell/config syntax we see in logs.
  if (first === 36 || first === 37 || first === 60 || first === 123 || first === 40 || first === 96) return true;
  if (value.includes('${') || value.includes('$(') || value.includes('{{')) return true;
  return false;
}

export function isPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (PLACEHOLDERS.has(lower)) return true;
  if (/^(.)\1+$/.test(value)) return true; // aaaaaaa, 00000000
  if (/^(?:x+|\.+|-+|_+|\*+|#+)$/i.test(value)) return true;
  if (/(?:example|placeholder|changeme|your[_-]?(?:token|key|password|secret)|dummy|redacted)/i.test(value)) return true;
  return false;
}

/** A value that looks generated: several character classes, no long runs of one character. */
export function looksRandom(value: string, minClasses = 2): boolean {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let index = 0; index < value.length; index++) {
    const c = value.charCodeAt(index);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  if (lower + upper + digit + other < minClasses) return false;
  return shannonEntropy(value) >= 3;
}

/** Bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let index = 0; index < value.length; index++) {
    const c = value.charCodeAt(index);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Whether the character before `start` (if any) belongs to `alphabet` (the token's own characters). */
export function glued(line: string, start: number, alphabet: RegExp): boolean {
  return start > 0 && alphabet.test(line[start - 1]!);
}

/** JSON string unescape of a raw value (`\n`, `\"`, `\uXXXX`); returns the input when it is not valid JSON text. */
export function unescapeJson(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    const value: unknown = JSON.parse(`"${raw}"`);
    return typeof value === 'string' ? value : raw;
  } catch {
    return raw;
  }
}
