import { jobCacheUses, runsOf, type CacheUse } from '../analysis/caches.ts';
import { stepRunsWorkspaceCode, untrustedCheckoutsOf } from '../analysis/checkout.ts';
import { evaluateValue, truthy, UNKNOWN } from '../analysis/evaluate.ts';
import { jobPublishes, type Ecosystem } from '../analysis/publish.ts';
import { eventTrust, isUnrestrictedPush, triggersReaching } from '../analysis/triggers.ts';
import type { Confidence, Severity } from '../findings/finding.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { Repository } from '../models/repository.ts';
import { defineRule } from './rule.ts';

/**
 * Events whose runs execute on the default branch (their cache scope is the default branch's)
 * while people without write access start them. `pull_request_review*` runs on the pull
 * request's merge ref, so its caches stay with that pull request.
 */
const DEFAULT_SCOPE_EVENTS: Record<string, string> = {
  pull_request_target: 'pull_request_target',
  issue_comment: 'issue_comment',
  workflow_run: 'workflow_run',
  issues: 'issues',
  discussion: 'discussion',
  discussion_comment: 'discussion_comment',
};

const INDEX_NAMES: Record<Ecosystem, string> = { pypi: 'PyPI', npm: 'npm', cargo: 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet' };

interface Writer {
  workflow: Workflow;
  job: Job;
  /** `default`: writes the default branch's scope, which every branch and tag restores from. `branch`: a pushed branch's own scope. */
  scope: 'default' | 'branch';
  event: string;
  /** The job runs code a pull request author controls, so it can write any cache entry it likes. */
  untrustedCode?: string;
  saves: CacheUse[];
}

interface Release {
  /** "publishes to PyPI (`pypa/gh-action-pypi-publish`)" */
  what: string;
  /** "publishes to PyPI", for the jobs that build what this one ships. */
  short: string;
  severity: Severity;
}

export default defineRule({
  meta: {
    id: 'cache-poisoning',
    summary: 'release or publishing job restores a cache that less trusted workflow runs can write',
    severity: 'high',
    confidence: 'medium',
    docs: {
      why: `GitHub Actions caches are shared by scope, not by workflow: a run can restore caches saved by runs
on its own branch or tag and on the repository's **default branch**, whatever workflow saved them. Caches
saved on the default branch are therefore restored by every branch and every tag — including the tag a
release is built from. Runs started by \`pull_request_target\`, \`issue_comment\`, \`workflow_run\`, \`issues\`
and \`discussion\` events execute on the default branch, so what they save lands in that shared scope, and
any code that runs in them (a pull request's code checked out by \`pull_request_target\`, an injected
command) can save cache entries of its own with the runner's cache token, under the key a release job
will look for. The release job then restores the planted dependencies or build outputs and ships them.

This is how the Ultralytics compromise of December 2024 worked: a \`pull_request_target\` workflow ran
code from an attacker's branch name, the attacker poisoned the GitHub Actions cache, and the project's
own Trusted Publishing workflow built and uploaded two malicious releases (8.3.41 and 8.3.42) to PyPI.
Trusted Publishing did its job — the upload came from the right workflow — which is why the build
inputs of a publishing job matter as much as its credentials.

cordon reports a job that publishes to a package index (high), or that creates GitHub release assets
or pushes container images (medium), or that builds the artifacts such a job ships, when it restores a
cache **and** another run can write the same scope: a job of a default-branch event above that saves a
cache or runs a pull request's code, or — when the release job itself runs on pushes to any branch — a
push workflow that saves caches. A writer that only saves caches from base-branch code (no pull request
code) is reported one level lower with low confidence. Cache inputs are evaluated for the release's
own runs: \`cache: \${{ !startsWith(github.ref, 'refs/tags/') && 'pip' || '' }}\` does not cache on tag
releases, and \`enable-cache: false\` turns setup-uv's default off. \`actions/setup-node\`'s implicit npm
cache (v5+, when \`package.json\` names npm in \`packageManager\`) is not reported: cordon does not read
\`package.json\`.`,
      example: `# .github/workflows/format.yml
on: pull_request_target
jobs:
  format:
    steps:
      - uses: actions/checkout@<sha>
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-python@<sha>
        with: { cache: pip }        # saves into the default branch's scope
      - run: pip install -e . && make format

# .github/workflows/release.yml
on:
  release:
    types: [published]
jobs:
  publish:
    permissions: { id-token: write }
    steps:
      - uses: actions/checkout@<sha>
      - uses: actions/setup-python@<sha>
        with: { cache: pip }        # restores what format.yml saved
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@<sha>`,
      fix: `Do not restore caches in jobs that build or publish releases; a release build can afford to
download its dependencies. Turn the cache off for release runs only if the same workflow also runs on
branches:

\`\`\`yaml
      - uses: actions/setup-python@<sha>
        with:
          python-version: "3.12"
          cache: \${{ !startsWith(github.ref, 'refs/tags/') && 'pip' || '' }}
      - uses: astral-sh/setup-uv@<sha>
        with:
          enable-cache: false
\`\`\`

And keep pull request code out of \`pull_request_target\` and \`workflow_run\` jobs, which write the default
branch's cache scope.`,
      references: [
        'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/caching-dependencies-to-speed-up-workflows#restrictions-for-accessing-a-cache',
        'https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/',
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
      ],
    },
  },

  repository(repository, context) {
    const writers = findWriters(repository);
    if (!writers.length) return;
    for (const workflow of repository.workflows) {
      const releases = releaseJobs(workflow);
      const root = repositoryRoot(workflow.path);
      for (const [job, release] of releases) {
        const runs = runsOf(workflow, job);
        const restores = jobCacheUses(job, workflow, runs).filter((use) => use.restores);
        if (!restores.length) continue;
        const onBranches = triggersReaching(workflow, job).some(isUnrestrictedPush);
        // Caches are per repository: a scan of several repositories keeps their writers apart.
        const relevant = writers.filter((writer) => repositoryRoot(writer.workflow.path) === root && (writer.scope === 'default' || onBranches));
        if (!relevant.length) continue;
        const strong = relevant.filter((writer) => writer.scope === 'branch' || writer.untrustedCode);
        let severity = release.severity;
        let confidence: Confidence = strong.some((writer) => writer.untrustedCode) ? 'high' : 'medium';
        if (!strong.length) {
          severity = lower(severity);
          confidence = 'low';
        }
        const shown = (strong.length ? strong : relevant).slice(0, 3);
        const writerText = shown.map((writer) => describeWriter(writer, workflow, job)).join('; ') + (relevant.length > shown.length ? `; and ${relevant.length - shown.length} more` : '');
        for (const use of restores) {
          const useConfidence: Confidence = use.certainty === 'maybe' ? 'low' : confidence;
          context.report({
            path: workflow.path,
            message:
              `job \`${job.id}\` ${release.what} and restores a cache with \`${use.action}\`${use.how ? ` (${use.how}${use.certainty === 'maybe' ? ', if that applies here' : ''})` : ''} ` +
              `that less trusted runs can write: ${writerText}. ` +
              explanation(relevant, strong) +
              'Turn caching off in release jobs',
            span: use.span,
            severity,
            confidence: useConfidence,
            key: `${job.id}/steps/${use.step.index}/cache`,
            related: shown
              .filter((writer) => writer.workflow === workflow)
              .map((writer) => ({ message: `job \`${writer.job.id}\` can write the cache (${writer.event})`, span: (writer.saves[0]?.span ?? writer.job.idSpan) })),
          });
        }
      }
    }
  },
});

function explanation(relevant: readonly Writer[], strong: readonly Writer[]): string {
  if (!strong.length) return 'Those runs use only base-branch code today, but anything that executes in them can save cache entries for the release to restore. ';
  const parts: string[] = [];
  if (strong.some((writer) => writer.scope === 'default')) {
    parts.push('caches saved on the default branch are restored by every branch and tag, so what such a run plants ends up in the release, as in the Ultralytics PyPI compromise');
  }
  if (relevant.some((writer) => writer.scope === 'branch')) {
    parts.push('this job also runs on pushes to any branch, where it restores what earlier, unreviewed pushes to that branch saved');
  }
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}. `;
}

/** The folder holding a workflow's `.github/workflows/` (`''` for the scanned repository and loose files). */
function repositoryRoot(path: string): string {
  const index = path.lastIndexOf('.github/workflows/');
  return index > 0 ? path.slice(0, index) : '';
}

function lower(severity: Severity): Severity {
  return severity === 'critical' ? 'high' : severity === 'high' ? 'medium' : 'low';
}

function describeWriter(writer: Writer, releaseWorkflow: Workflow, releaseJob: Job): string {
  const where = writer.workflow === releaseWorkflow ? (writer.job === releaseJob ? 'this job' : `job \`${writer.job.id}\``) : `\`${writer.workflow.path}\` job \`${writer.job.id}\``;
  if (writer.scope === 'branch') {
    return `${where} on pushes to any branch (saves with ${writer.saves.map((use) => `\`${use.action}\``).join(', ')})`;
  }
  const how = writer.untrustedCode ? `runs the pull request's code: ${writer.untrustedCode}` : `saves a cache with ${writer.saves.map((use) => `\`${use.action}\``).join(', ')}`;
  return `${where} (${writer.event}, ${how})`;
}

/** Jobs in the repository that can write the cache scope a release restores from. */
function findWriters(repository: Repository): Writer[] {
  const writers: Writer[] = [];
  for (const workflow of repository.workflows) {
    for (const job of workflow.jobs) {
      for (const trigger of triggersReaching(workflow, job)) {
        const event = DEFAULT_SCOPE_EVENTS[trigger.event];
        if (event) {
          if (eventTrust(trigger.event, job.if?.value) === 'trusted') continue;
          const run = new Map<string, string>([['github.event_name', trigger.event]]);
          const saves = jobCacheUses(job, workflow, [run]).filter((use) => use.saves);
          const untrustedCode = runsPullRequestCode(job);
          if (saves.length || untrustedCode) writers.push({ workflow, job, scope: 'default', event, untrustedCode, saves });
          continue;
        }
        if (isUnrestrictedPush(trigger)) {
          const run = new Map<string, string>([['github.event_name', 'push'], ['github.ref_type', 'branch']]);
          const saves = jobCacheUses(job, workflow, [run]).filter((use) => use.saves);
          if (saves.length) writers.push({ workflow, job, scope: 'branch', event: 'push', saves });
        }
      }
    }
  }
  // One entry per job and scope.
  const seen = new Set<string>();
  return writers.filter((writer) => {
    const key = `${writer.workflow.path}\0${writer.job.id}\0${writer.scope}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Why a job runs code from a pull request (an untrusted checkout followed by a step that runs it), or undefined. */
function runsPullRequestCode(job: Job): string | undefined {
  for (const checkout of untrustedCheckoutsOf(job)) {
    const later = job.steps.filter((step) => step.index >= checkout.step.index);
    for (const step of later) {
      // The checkout command's own step runs whatever follows it in the script.
      const why = stepRunsWorkspaceCode(step);
      if (why && !(step === checkout.step && checkout.kind === 'action')) return `${checkout.reason ?? 'checks out the pull request'}, then ${why}`;
    }
  }
  return undefined;
}

/** Jobs that ship something, with what and how bad: publishers, release-asset uploaders, image pushers, and the jobs that build what they ship. */
function releaseJobs(workflow: Workflow): Map<Job, Release> {
  const releases = new Map<Job, Release>();
  for (const job of workflow.jobs) {
    const sites = jobPublishes(job, workflow);
    if (sites.length) {
      const indexes = [...new Set(sites.map((site) => INDEX_NAMES[site.ecosystem]))].join(', ');
      const tools = [...new Set(sites.map((site) => `\`${site.tool}\``))].slice(0, 2).join(', ');
      releases.set(job, { what: `publishes to ${indexes} (${tools})`, short: `publishes to ${indexes}`, severity: 'high' });
      continue;
    }
    const artifact = job.steps.map(releaseArtifact).find((what) => what !== null);
    if (artifact) releases.set(job, { what: artifact, short: 'ships', severity: 'medium' });
  }
  // Jobs whose uploaded artifacts a releasing job ships.
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  for (const [releaser, release] of [...releases]) {
    if (!releaser.steps.some((step) => step.uses?.slug === 'actions/download-artifact')) continue;
    const upstream = new Set<Job>();
    const visit = (job: Job) => {
      for (const need of job.needs) {
        const dependency = byId.get(need.value);
        if (!dependency || upstream.has(dependency)) continue;
        upstream.add(dependency);
        visit(dependency);
      }
    };
    visit(releaser);
    for (const builder of upstream) {
      if (releases.has(builder) || !builder.steps.some((step) => step.uses?.slug === 'actions/upload-artifact')) continue;
      releases.set(builder, { what: `builds what job \`${releaser.id}\` ${release.short}`, short: release.short, severity: release.severity });
    }
  }
  return releases;
}

const RELEASE_ACTIONS: Record<string, string> = {
  'softprops/action-gh-release': 'uploads GitHub release assets',
  'ncipollo/release-action': 'uploads GitHub release assets',
  'actions/upload-release-asset': 'uploads GitHub release assets',
  'goreleaser/goreleaser-action': 'publishes release artifacts with GoReleaser',
};

/** What a step ships outside PyPI & co., or null. */
function releaseArtifact(step: Step): string | null {
  const slug = step.uses?.slug;
  if (slug && RELEASE_ACTIONS[slug]) return `${RELEASE_ACTIONS[slug]} (\`${slug}\`)`;
  if (slug === 'docker/build-push-action') {
    const push = step.with.find((input) => input.name === 'push');
    if (!push) return null;
    const value = evaluateValue(push.value, new Map());
    const on = value === UNKNOWN || (truthy(value) === true && !/^\s*false\s*$/i.test(String(value)));
    return on ? 'pushes a container image (`docker/build-push-action`)' : null;
  }
  if (!step.run) return null;
  for (const command of step.run.parsed().commands) {
    const words = command.args.map((word) => word.text).filter((word) => !word.startsWith('-'));
    if (command.program === 'gh' && words[0] === 'release' && (words[1] === 'create' || words[1] === 'upload')) return `uploads GitHub release assets (\`gh release ${words[1]}\`)`;
    if ((command.program === 'docker' || command.program === 'podman') && (words[0] === 'push' || (words[0] === 'image' && words[1] === 'push'))) return `pushes a container image (\`${command.program} push\`)`;
    if ((command.program === 'docker' || command.program === 'podman') && (words[0] === 'buildx' || words[0] === 'build') && command.args.some((word) => word.text === '--push')) {
      return 'pushes a container image (`docker buildx build --push`)';
    }
  }
  return null;
}
