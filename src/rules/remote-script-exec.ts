import { describeJobCredentials, jobHoldsCredentials } from '../analysis/credentials.ts';
import { describeHoldings, holdsCredentials } from '../analysis/gitlab.ts';
import { remoteExecutions, type RemoteExecution } from '../analysis/remote-exec.ts';
import type { FindingDraft, Severity } from '../findings/finding.ts';
import { perLine } from './gitlab-report.ts';
import { defineRule, type RuleContext } from './rule.ts';

export default defineRule({
  meta: {
    id: 'remote-script-exec',
    summary: 'script downloaded and executed in one step (`curl … | sh`, `bash <(curl …)`, `eval "$(curl …)"`)',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `\`curl https://example.com/install.sh | sh\` runs whatever the server sends at that moment. Nothing pins
the content: the script's owner, anyone who takes over the domain, the CDN or a compromised release
can change it, and the job runs the new version with everything it holds. The same goes for
\`wget -qO- … | bash\`, \`bash <(curl …)\`, \`source <(curl …)\`, \`eval "$(curl …)"\` and
\`python3 -c "$(curl …)"\`. Nothing records which version ran, so after an incident there is no way
to tell what the script did. The Codecov bash uploader compromise (2021) worked exactly so: the
uploader that thousands of pipelines piped into \`bash\` was modified to send their environment
variables, tokens included, to the attacker for two months.

In a GitHub Actions job that can mint OIDC tokens or reads secrets, or a GitLab CI job with
\`id_tokens:\` or credential variables, the downloaded script can read them (on GitLab every
CI/CD variable is in the script's environment). Severity is high there, medium elsewhere.
poutine reports the same pattern as \`unverified_script_exec\`.`,
      example: `# GitHub Actions
      - run: curl -LsSf https://astral.sh/uv/install.sh | sh
# GitLab CI
release:
  script:
    - wget -qO- https://example.com/setup.sh | bash`,
      fix: `Download to a file, check it against a checksum you recorded (or a signature), then run it;
or better, use a pinned release artifact, a package manager, or an action/image pinned by digest:

\`\`\`yaml
      - run: |
          curl -LsSf -o install.sh https://astral.sh/uv/0.8.0/install.sh
          echo "<sha256>  install.sh" | sha256sum -c -
          sh install.sh
\`\`\`

Keep such setup out of jobs that hold publishing credentials.`,
      references: [
        'https://about.codecov.io/security-update/',
        'https://boostsecurityio.github.io/poutine/rules/unverified_script_exec',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions',
        'https://docs.gitlab.com/ci/pipelines/pipeline_security/',
      ],
    },
  },

  step(step, scope, context) {
    if (!step.run) return;
    const job = scope.kind === 'job' ? scope.job : undefined;
    const workflow = scope.kind === 'job' ? scope.workflow : undefined;
    const holds = job && workflow ? jobHoldsCredentials(job, workflow) : false;
    let place = ', in whichever job uses this action';
    if (job && workflow) {
      const held = describeJobCredentials(job, workflow);
      place = held ? `, in job \`${job.id}\` which ${held}` : '';
    }
    for (const execution of remoteExecutions(step.run.parsed())) {
      report(execution, holds ? 'high' : 'medium', place, `${step.route.join('/')}`, context);
    }
  },

  gitlabPipeline(pipeline, context) {
    perLine(pipeline, context, (job, lines) => {
      const held = describeHoldings(job);
      const place = `, in GitLab CI job \`${job.name}\`${held ? ` which ${held}` : ''}`;
      for (const script of [job.script, job.afterScript]) {
        for (const execution of remoteExecutions(script.parsed())) {
          lines.add(job, `${execution.fetcher}/${execution.url ?? execution.command.text.slice(0, 80)}`, draft(execution, holdsCredentials(job) ? 'high' : 'medium', place));
        }
      }
    });
  },
});

function report(execution: RemoteExecution, severity: Severity, place: string, where: string, context: RuleContext): void {
  context.report({ ...draft(execution, severity, place), key: `${where}/${execution.fetcher}/${execution.url ?? execution.command.text.slice(0, 80)}` });
}

function draft(execution: RemoteExecution, severity: Severity, place: string): Omit<FindingDraft, 'key'> {
  const source = execution.host ? `\`${execution.host}\`` : execution.url ? `\`${execution.url}\`` : 'a URL';
  const how =
    execution.form === 'pipe'
      ? `pipes a download from ${source} into \`${execution.interpreter}\``
      : execution.form === 'process-substitution'
        ? `runs a download from ${source} with \`${execution.interpreter} <(${execution.fetcher} …)\``
        : `runs a download from ${source} with \`${execution.interpreter}\` on \`$(${execution.fetcher} …)\``;
  return {
    message: `\`${execution.fetcher}\` ${how}: whatever the server sends runs, unchecked and unrecorded${place}. Download to a file and verify a checksum or signature first`,
    span: execution.span,
    severity,
  };
}
