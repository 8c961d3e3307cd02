import { exposuresReaching, type TriggerExposure } from '../analysis/triggers.ts';
import { jobReach as workflowJobReach } from '../analysis/graph.ts';
import { gitlabJobPublishes, holdsCredentials } from '../analysis/gitlab.ts';
import { branchPushPipeline, jobReach, mergeRequestPipeline, workflowAllows, type PipelineKind } from '../analysis/gitlab-rules.ts';
import type { GitLabJob, GitLabPipeline, SourceSpan } from '../models/gitlab/types.ts';
import { defineRule } from './rule.ts';

export default defineRule({
  meta: {
    id: 'publish-on-untrusted-trigger',
    summary: 'publishing job reachable from pull requests, comments, workflow_run or pushes to any branch',
    severity: 'high',
    confidence: 'medium',
    docs: {
      why: `A release should run only from code that was reviewed and merged, started by someone allowed to
release. Other triggers break that:

- \`pull_request_target\`, \`issue_comment\`, \`discussion\`, \`workflow_run\`, \`pull_request_review*\`
  and \`issues\` run in the base repository with its secrets and, if granted, \`id-token: write\`, but are
  started by people without write access. (Since March 2026 PyPI refuses OIDC tokens whose
  \`event_name\` is \`pull_request_target\`; stored tokens and the other events are not refused.)
- \`pull_request\` runs the pull request's code. From forks GitHub withholds secrets and OIDC by default,
  but from branches of the same repository it does not, so unreviewed code gets the publishing
  credentials.
- \`push\` without a branch or tag filter runs for a push to any branch: whoever can push (or holds a
  stolen token, as in the GhostAction campaign) can publish without review.

A job \`if:\` that limits the job to tags (\`startsWith(github.ref, 'refs/tags/')\`) or to specific
events is taken into account.

**GitLab CI.** A merge request pipeline runs the merge request's own \`.gitlab-ci.yml\` and code. For a
merge request from a branch of the same project it runs in the project, with its unprotected CI/CD
variables and ID tokens, started by whoever pushed the branch. A merge request from a fork runs in
the fork's project, without the parent's variables, unless a maintainer runs the pipeline in the
parent project; then the fork's code runs with the parent's credentials. A publishing job is
reported when its \`rules:\` add it to merge request pipelines (\`$CI_PIPELINE_SOURCE ==
"merge_request_event"\`, a catch-all rule, a condition on the source branch) or it has
\`only: merge_requests\`, and \`workflow: rules\` let such pipelines exist. It is also reported (medium)
when it runs for a push to any branch (no \`rules\`/\`only\` at all defaults to \`only: [branches, tags]\`).
Rules limited to tags (\`$CI_COMMIT_TAG\`), protected refs (\`$CI_COMMIT_REF_PROTECTED == "true"\`) or a
named branch are not reported; conditions on project variables are not guessed.`,
      example: `on:
  push:            # any branch
  pull_request:
jobs:
  publish:
    steps:
      - run: twine upload dist/*

# GitLab CI
publish:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_TAG
  script:
    - twine upload dist/*`,
      fix: `Publish from a separate workflow that runs only on release events or tags, and keep pull request
validation elsewhere:

\`\`\`yaml
on:
  release:
    types: [published]
\`\`\`

or guard the job: \`if: startsWith(github.ref, 'refs/tags/')\`.

On GitLab, run the publishing job only for tags (and protect the tags that release):

\`\`\`yaml
publish:
  rules:
    - if: $CI_COMMIT_TAG
\`\`\`

Keep "Run pipelines in the parent project" for fork merge requests to code you have reviewed.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request',
        'https://docs.pypi.org/trusted-publishers/security-model/',
        'https://docs.gitlab.com/ci/pipelines/merge_request_pipelines/#use-with-forked-projects',
        'https://docs.gitlab.com/ci/jobs/job_rules/',
        'https://docs.gitlab.com/user/project/protected_tags/',
      ],
    },
  },

  job(job, workflow, context) {
    const sites = workflowJobReach(job, workflow).publishes;
    if (!sites.length) return;
    // The job is exposed when at least one publish step is reachable from an exposed trigger.
    const reaching = new Map<string, TriggerExposure>();
    for (const site of sites) for (const exposure of exposuresReaching(workflow, job, site.step)) reaching.set(exposure.trigger.event, exposure);
    if (!reaching.size) return;
    const exposures = [...reaching.values()];
    const privileged = exposures.filter((exposure) => exposure.kind === 'privileged-untrusted');
    const onlyOidcToPyPI = sites.every((site) => site.auth === 'oidc' && site.ecosystem === 'pypi');
    const onlyPrTarget = privileged.length > 0 && privileged.every((exposure) => exposure.trigger.event === 'pull_request_target');
    const severity = privileged.length ? (onlyOidcToPyPI && onlyPrTarget ? 'medium' : 'high') : 'medium';
    const first = sites[0]!;
    const reasons = exposures.map((exposure) => `\`${exposure.trigger.event}\` (${exposure.reason})`).join('; ');
    context.report({
      message:
        `job \`${job.id}\` publishes with \`${first.tool}\` and can be started by ${reasons}` +
        (onlyOidcToPyPI && onlyPrTarget ? '. PyPI refuses OIDC tokens from `pull_request_target`, but the job still holds the OIDC permission' : ''),
      span: first.span,
      severity,
      confidence: privileged.length ? 'high' : 'medium',
      key: `${job.id}/${first.tool}`,
      related: exposures.map((exposure) => ({ message: `trigger \`${exposure.trigger.event}\``, span: exposure.trigger.span })),
    });
  },

  gitlabJob(job, pipeline, context) {
    const sites = gitlabJobPublishes(job);
    const first = sites[0];
    if (!first) return;
    const exposures = gitlabExposures(job, pipeline);
    if (!exposures.length) return;
    const mergeRequest = exposures.find((exposure) => exposure.kind === 'merge-request');
    const credentials = sites.some((site) => site.auth !== 'unknown') || holdsCredentials(job);
    const reasons = exposures.map((exposure) => exposure.reason).join('; ');
    context.report({
      message:
        `GitLab CI job \`${job.name}\` publishes with \`${first.tool}\` and ${reasons}` +
        (mergeRequest
          ? '. Merge requests from branches of the project run with its unprotected CI/CD variables and ID tokens; those from forks run in the fork unless a maintainer runs the pipeline in this project, which then runs the fork\'s code with this project\'s credentials'
          : '. Whoever can push a branch can publish, unless the credentials are protected variables or a protected environment gates the job'),
      span: first.span,
      severity: mergeRequest && credentials ? 'high' : 'medium',
      confidence: 'medium',
      key: `gitlab/${job.name}/${first.tool}`,
      related: exposures.map((exposure) => ({ message: exposure.label, span: exposure.span })),
    });
  },
});

interface GitLabExposure {
  kind: PipelineKind['name'];
  reason: string;
  label: string;
  span: SourceSpan;
}

/** Merge request pipelines and pushes to any branch that certainly include the job. */
function gitlabExposures(job: GitLabJob, pipeline: GitLabPipeline): GitLabExposure[] {
  const found: GitLabExposure[] = [];
  for (const kind of [mergeRequestPipeline(pipeline), branchPushPipeline(pipeline)]) {
    if (workflowAllows(pipeline, kind) === 'no') continue;
    const reach = jobReach(job, kind);
    if (reach.runs !== 'yes') continue;
    const manual = reach.manual ? ' (as a manual job)' : '';
    const how = job.rules ? 'its `rules:` add it' : job.only ? 'its `only:` adds it' : 'GitLab adds a job without `rules`/`only` to every branch pipeline';
    found.push(
      kind.name === 'merge-request'
        ? { kind: kind.name, reason: `runs in merge request pipelines${manual} (${how})`, label: 'adds the job to merge request pipelines', span: reach.span }
        : { kind: kind.name, reason: `runs for a push to any branch${manual} (${how})`, label: 'adds the job to pipelines of any branch', span: reach.span },
    );
  }
  return found;
}
