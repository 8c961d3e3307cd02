import { runnerKind } from '../analysis/runners.ts';
import { eventTrust, exposedTriggers, triggersReaching, type TriggerExposure } from '../analysis/triggers.ts';
import type { Severity } from '../findings/finding.ts';
import { severityRank } from '../findings/finding.ts';
import { defineRule } from './rule.ts';

interface Config {
  visibility?: 'public' | 'private';
  'hosted-labels'?: string[];
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']);

export default defineRule<Config>({
  meta: {
    id: 'self-hosted-runner',
    summary: 'self-hosted runner reachable from pull requests, comments or other events outsiders start',
    severity: 'high',
    confidence: 'medium',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        visibility: {
          enum: ['public', 'private'],
          description: 'Repository visibility, which cordon cannot see offline (default public).',
        },
        'hosted-labels': {
          type: 'array',
          items: { type: 'string' },
          description: 'Labels of GitHub-hosted larger runners named by your organization.',
        },
      },
    },
    docs: {
      why: `GitHub-hosted runners are fresh virtual machines, discarded after each job. A self-hosted runner is
a machine you keep, and unless it is ephemeral (\`--ephemeral\`, or an autoscaler that recreates it) the
next job runs where the previous one ran. GitHub's documentation advises against self-hosted runners
for public repositories for this reason: anyone who can open a pull request can make a \`pull_request\`
workflow run their code on the machine (after the approval GitHub requires from first-time
contributors, if it is on), and that code can leave a process behind, replace tools in the tool
cache, read other jobs' workspaces and secrets, and reach whatever the machine's network reaches.

- **high**: a \`pull_request\`, \`pull_request_target\` or \`pull_request_review*\` workflow on a
  self-hosted runner in a public repository (fork pull requests run there);
- **medium**: other events outsiders start (\`issue_comment\`, \`workflow_run\`, \`issues\`,
  \`discussion*\`, \`merge_group\`): they run the base repository's code, so the machine is exposed only
  through an injection or a checkout of pull request code, but on a machine that keeps state;
- with \`visibility: private\`, **medium** for pull request events and **low** for the rest: only people
  with read access can fork a private repository, and fork pull request workflows run only if the
  repository allows it.

Runners are recognised by the \`self-hosted\` label, a runner \`group:\` (which may also hold larger
GitHub-hosted runners; low confidence), or labels that are not GitHub-hosted ones (\`ubuntu-latest\`,
\`ubuntu-24.04-arm\`, \`windows-2025\`, \`macos-15-xlarge\`, \`ubuntu-latest-16-cores\`…). Labels computed
by an expression are skipped, and so are runners of services that start a fresh virtual machine
for every job (labels beginning \`depot-\`, \`namespace-profile-\`, \`blacksmith-\`, \`buildjet-\`,
\`ubicloud\`, \`warp-\`, \`runs-on\`): GitHub calls them self-hosted, but nothing persists between
jobs. A job whose \`if:\` admits only same-repository pull requests is not
reported.`,
      example: `on: pull_request
jobs:
  test:
    runs-on: [self-hosted, linux, gpu]
    steps:
      - uses: actions/checkout@<sha>
      - run: make test`,
      fix: `Run jobs that outsiders can start on GitHub-hosted runners, and keep self-hosted runners for
workflows started by pushes and releases:

\`\`\`yaml
jobs:
  test:
    runs-on: ubuntu-latest
  gpu-test:
    if: github.event_name == 'push'
    runs-on: [self-hosted, linux, gpu]
\`\`\`

If pull requests must reach the machine, make the runner ephemeral (a fresh one per job), require
approval for all outside contributors, and keep it off networks and credentials it does not need.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#hardening-for-self-hosted-runners',
        'https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/about-self-hosted-runners#self-hosted-runner-security',
        'https://docs.github.com/en/actions/using-github-hosted-runners/using-github-hosted-runners/about-github-hosted-runners#standard-github-hosted-runners-for-public-repositories',
        'https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/enabling-features-for-your-repository/managing-github-actions-settings-for-a-repository#controlling-changes-from-forks-to-workflows-in-private-repositories',
      ],
      options: `\`visibility\`: \`public\` (default) or \`private\`. Visibility cannot be read from the files; set
\`private\` for private or internal repositories to lower the severity.

\`hosted-labels\`: labels of GitHub-hosted larger runners that your organization named itself (for
example \`[linux-8-core]\`), so they are not taken for self-hosted ones.`,
    },
  },

  job(job, workflow, context) {
    const runner = runnerKind(job, workflow, context.config['hosted-labels'] ?? []);
    if (runner.kind !== 'self-hosted' || !runner.label) return;
    const reaching = new Set(triggersReaching(workflow, job));
    const exposures = exposedTriggers(workflow).filter(
      (exposure) => reaching.has(exposure.trigger) && exposure.kind !== 'unrestricted-push' && eventTrust(exposure.trigger.event, job.if?.value) !== 'trusted',
    );
    if (!exposures.length) return;
    const priv = context.config.visibility === 'private';
    let worst: { severity: Severity; exposure: TriggerExposure } | undefined;
    for (const exposure of exposures) {
      const pullRequest = PULL_REQUEST_EVENTS.has(exposure.trigger.event);
      const severity: Severity = pullRequest ? (priv ? 'medium' : 'high') : priv ? 'low' : 'medium';
      if (!worst || severityRank(severity) > severityRank(worst.severity)) worst = { severity, exposure };
    }
    const events = exposures.map((exposure) => `\`${exposure.trigger.event}\``).join(', ');
    const pullRequest = PULL_REQUEST_EVENTS.has(worst!.exposure.trigger.event);
    const consequence = pullRequest
      ? worst!.exposure.trigger.event === 'pull_request' || worst!.exposure.trigger.event.startsWith('pull_request_review')
        ? priv
          ? 'fork pull requests (from people with read access, if the repository runs their workflows) run their code on it'
          : 'anyone who opens a pull request runs their code on it'
        : 'a head checkout or an injected expression would run an outsider\'s code on it'
      : 'an injected expression or a checkout of pull request code would run an outsider\'s code on it';
    context.report({
      message: `job \`${job.id}\` runs on a self-hosted runner (${runner.reason}) and can be started by ${events}: ${consequence}, and unless the runner is ephemeral, what they leave behind stays for later jobs`,
      span: runner.label.span,
      severity: worst!.severity,
      confidence: runner.confidence,
      key: `${job.id}/runs-on`,
      related: exposures.map((exposure) => ({ message: `trigger \`${exposure.trigger.event}\``, span: exposure.trigger.span })),
    });
  },
});
