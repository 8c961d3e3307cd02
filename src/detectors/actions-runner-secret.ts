import { defineDetector } from './detector.ts';
import { DELETE_LOG } from './shared/github.ts';
import { isMaskedOrReference, unescapeJson } from './shared/values.ts';

export default defineDetector({
  meta: {
    id: 'actions-runner-secret',
    summary: 'secret dumped from the Actions runner\'s memory ("NAME":{"value":"…","isSecret":true})',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `The runner keeps every secret of the job as \`"NAME":{"value":"…","isSecret":true}\` in the memory of its
\`Runner.Worker\` process. The tj-actions/changed-files compromise (CVE-2025-30066, March 2025) read that memory,
kept those entries and printed them, double-base64-encoded so the runner's masking would not catch them, into
thousands of public logs. Any such entry in a log is a secret of the job, whatever its format; when cordon
recognizes the value (a GitHub, PyPI, npm or AWS credential…) that detector reports it instead.`,
      respond: [
        'Rotate every secret named in the dump where it was issued (the finding names it), starting with publishing tokens and cloud keys; the GITHUB_TOKEN (`github_token`) expired with the job.',
        'Find out which step printed it: a compromised action (pin actions to commit SHAs) or debug output; then check what each secret can reach for use since the log was written.',
        DELETE_LOG,
      ],
      references: [
        'https://github.com/advisories/GHSA-mrrh-fwg8-r2c3',
        'https://github.com/tj-actions/changed-files/issues/2464',
      ],
    },
  },
  pattern: /\{"value":"((?:[^"\\]|\\.)+)","isSecret":true\}/,
  keywords: ['sSecret":true'],
  yieldsToSpecific: true,
  unescape: unescapeJson,
  validate: (secret) => !isMaskedOrReference(secret) && secret.length >= 4,
  decode(_secret, context) {
    // The secret's name is the JSON key before `{"value":`.
    let name: string | undefined;
    if (context) {
      const head = context.line.slice(Math.max(0, context.start - 140), context.start - '{"value":"'.length);
      name = /"([A-Za-z0-9_.-]{1,100})":$/.exec(head)?.[1];
    }
    return {
      description: name ? `secret ${name} of an Actions job (runner memory dump)` : 'secret of an Actions job (runner memory dump)',
      lifetime: name?.toLowerCase() === 'github_token' || name === 'system.github.token' ? { kind: 'job' } : { kind: 'unknown' },
      ...(name ? { claims: { name } } : {}),
    };
  },
});
