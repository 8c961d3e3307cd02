import type { Job, Located, Workflow } from '../models/github/types.ts';
import { isMap } from '../models/yaml/document.ts';
import { nodeAt } from './yaml-node.ts';

/**
 * Labels of GitHub-hosted runners: the standard images, arm64 and the `-large`/`-xlarge` macOS
 * runners, and the names GitHub's documentation uses for larger Linux and Windows runners
 * (`ubuntu-latest-16-cores`, `ubuntu-22.04-16core`, `windows-latest-8-cores`). Larger runners
 * are named by the organization, so a custom name is indistinguishable from a self-hosted label;
 * `hosted-labels` in the rule config lists them.
 */
const HOSTED = [
  /^ubuntu-(latest|slim|\d{2}\.\d{2})(-arm|-arm64)?(-\d+-?cores?)?$/,
  /^windows-(latest|\d{4}|11)(-arm|-arm64)?(-\d+-?cores?)?$/,
  /^macos-(latest|\d+(\.\d+)?)(-(large|xlarge|intel|arm64))?$/,
];

/**
 * Label prefixes of third-party services that run GitHub Actions jobs on a fresh virtual machine
 * per job (Depot, Namespace, Blacksmith, BuildJet, Ubicloud, WarpBuild, RunsOn). GitHub counts
 * them as self-hosted, but nothing persists between jobs, which is the risk `self-hosted-runner`
 * is about.
 */
const MANAGED_EPHEMERAL = /^(depot-|namespace-profile-|nscloud-|blacksmith-|buildjet-|ubicloud-|ubicloud$|warp-|runs-on[=/,])/;

export function isManagedEphemeralLabel(label: string): boolean {
  return MANAGED_EPHEMERAL.test(label.trim().toLowerCase());
}

export function isGithubHostedLabel(label: string): boolean {
  const lower = label.trim().toLowerCase();
  return HOSTED.some((pattern) => pattern.test(lower));
}

export interface RunnerKind {
  kind: 'github-hosted' | 'managed-ephemeral' | 'self-hosted' | 'unknown';
  /** `high` when `self-hosted` is written; `medium` for labels that are not GitHub's; `low` for a runner group. */
  confidence: 'high' | 'medium' | 'low';
  /** The label that decided it, for the finding's location. */
  label?: Located<string>;
  reason?: string;
}

/**
 * What runs a job: `self-hosted` written as a label, a runner `group:` (self-hosted runners or
 * larger GitHub-hosted ones), or labels that are not GitHub-hosted. A label computed by an
 * expression is `unknown`; so is a reusable-workflow call (the callee's jobs choose).
 */
export function runnerKind(job: Job, workflow: Workflow, extraHosted: readonly string[] = []): RunnerKind {
  if (job.uses || !job.runsOn.length) return { kind: 'unknown', confidence: 'low' };
  if (job.runsOn.some((label) => label.value.includes('${{'))) return { kind: 'unknown', confidence: 'low' };
  const selfHosted = job.runsOn.find((label) => label.value.trim().toLowerCase() === 'self-hosted');
  if (selfHosted) return { kind: 'self-hosted', confidence: 'high', label: selfHosted, reason: 'the `self-hosted` label' };
  const runsOn = nodeAt(workflow.yaml, [...job.route, 'runs-on']);
  if (runsOn && isMap(runsOn) && workflow.yaml.entries(runsOn).some((entry) => String(entry.key.value) === 'group')) {
    const group = job.runsOn.find((label) => !isGithubHostedLabel(label.value)) ?? job.runsOn[0]!;
    return { kind: 'self-hosted', confidence: 'low', label: group, reason: 'a runner group (self-hosted runners, or larger GitHub-hosted ones)' };
  }
  if (job.runsOn.some((label) => isManagedEphemeralLabel(label.value))) return { kind: 'managed-ephemeral', confidence: 'medium', label: job.runsOn[0] };
  const extra = new Set(extraHosted.map((label) => label.toLowerCase()));
  const foreign = job.runsOn.find((label) => !isGithubHostedLabel(label.value) && !extra.has(label.value.trim().toLowerCase()));
  if (foreign) return { kind: 'self-hosted', confidence: 'medium', label: foreign, reason: `the label \`${foreign.value}\`, which is not a GitHub-hosted runner's` };
  return { kind: 'github-hosted', confidence: 'high' };
}
