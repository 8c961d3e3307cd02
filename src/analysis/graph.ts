import type { Job, Step, Workflow } from '../models/github/types.ts';
import type { Repository } from '../models/repository.ts';
import { effectivePermissions, grantsIdTokenWrite, secretsIn } from './credentials.ts';
import { networkSends } from './network.ts';
import { stepUsesOidc } from './oidc.ts';
import { stepPublishes, type PublishSite } from './publish.ts';
import { exposedTriggers, exposuresReaching } from './triggers.ts';
import { isGitHubOwner } from './first-party.ts';

/**
 * The reachability graph: trigger → workflow → job (needs, reusable calls) → step →
 * credentials the step can reach → where they can go. Built from the same analyses the rules
 * use, so `cordon graph` shows the paths the findings talk about.
 */
export type NodeKind = 'trigger' | 'workflow' | 'job' | 'step' | 'credential' | 'destination';
export type EdgeKind = 'starts' | 'contains' | 'needs' | 'calls' | 'holds' | 'sends';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  path?: string;
  line?: number;
  /** Facts about the node: a trigger's exposure, a step's third-party status, a token's scopes. */
  attributes: Record<string, string | number | boolean | string[]>;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
}

export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** One answer to "what can this job's credentials reach, and who shares them". */
export interface JobReach {
  workflow: Workflow;
  job: Job;
  jobNode: string;
  /** OIDC (`id-token: write`), whether inherited from the workflow or granted on the job. */
  oidc: 'job' | 'workflow' | false;
  secrets: string[];
  writeScopes: string[];
  publishes: PublishSite[];
  /** Other destinations: cloud logins, container registries, releases, network sends. */
  destinations: Array<{ id: string; label: string; step: Step; line: number }>;
  /** Third-party actions and scripts that run in a job holding credentials. */
  sharedWith: Step[];
  exposures: string[];
}


/** Non-package destinations recognised by action. */
const ACTION_DESTINATIONS: Record<string, { id: string; label: string }> = {
  'aws-actions/configure-aws-credentials': { id: 'cloud:aws', label: 'AWS' },
  'google-github-actions/auth': { id: 'cloud:gcp', label: 'Google Cloud' },
  'azure/login': { id: 'cloud:azure', label: 'Azure' },
  'docker/build-push-action': { id: 'registry:container', label: 'container registry' },
  'docker/login-action': { id: 'registry:container', label: 'container registry' },
  'softprops/action-gh-release': { id: 'github:releases', label: 'GitHub releases' },
  'ncipollo/release-action': { id: 'github:releases', label: 'GitHub releases' },
  'actions/deploy-pages': { id: 'github:pages', label: 'GitHub Pages' },
  'peaceiris/actions-gh-pages': { id: 'github:pages', label: 'GitHub Pages' },
  'cloudflare/wrangler-action': { id: 'cloud:cloudflare', label: 'Cloudflare' },
};

const COMMAND_DESTINATIONS: Array<{ pattern: RegExp; id: string; label: string }> = [
  { pattern: /^docker push$|^podman push$/, id: 'registry:container', label: 'container registry' },
  { pattern: /^gh release$/, id: 'github:releases', label: 'GitHub releases' },
  { pattern: /^aws (s3|ecr|lambda|cloudformation|ecs|deploy)$/, id: 'cloud:aws', label: 'AWS' },
  { pattern: /^gcloud /, id: 'cloud:gcp', label: 'Google Cloud' },
  { pattern: /^az /, id: 'cloud:azure', label: 'Azure' },
];

const INDEX_LABELS: Record<string, string> = { pypi: 'PyPI', npm: 'npm', cargo: 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet' };

const reachMemo = new WeakMap<Workflow, Map<Job, JobReach>>();

/**
 * One job's answer from the graph of its workflow, built once per workflow. Rules read paths
 * (what a job publishes, who can start it, which third-party code shares its credentials) here
 * instead of deriving them again.
 */
export function jobReach(job: Job, workflow: Workflow): JobReach {
  let byJob = reachMemo.get(workflow);
  if (!byJob) {
    const { reach } = buildGraph({ workflows: [workflow], actions: [], gitlabPipelines: [], scannedWorkflowFolder: false });
    byJob = new Map(reach.map((item) => [item.job, item]));
    reachMemo.set(workflow, byJob);
  }
  const found = byJob.get(job);
  if (!found) throw new Error(`job ${job.id} is not in workflow ${workflow.path}`);
  return found;
}

export function buildGraph(repository: Repository): { graph: PipelineGraph; reach: JobReach[] } {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const reach: JobReach[] = [];
  const add = (node: GraphNode): string => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  const link = (from: string, to: string, kind: EdgeKind, label?: string): void => {
    if (!edges.some((edge) => edge.from === from && edge.to === to && edge.kind === kind)) edges.push({ from, to, kind, ...(label ? { label } : {}) });
  };
  const localWorkflows = new Map(repository.workflows.map((workflow) => [workflow.path.replace(/^\.\//, ''), workflow]));

  for (const workflow of repository.workflows) {
    const workflowId = add({ id: `workflow:${workflow.path}`, kind: 'workflow', label: workflow.name ?? workflow.path, path: workflow.path, line: 1, attributes: {} });
    const exposureByEvent = new Map(exposedTriggers(workflow).map((exposure) => [exposure.trigger.event, exposure]));
    for (const trigger of workflow.triggers) {
      const exposure = exposureByEvent.get(trigger.event);
      const triggerId = add({
        id: `trigger:${workflow.path}:${trigger.event}`,
        kind: 'trigger',
        label: trigger.event,
        path: workflow.path,
        line: trigger.span.start.line,
        attributes: exposure ? { exposure: exposure.kind, reason: exposure.reason } : {},
      });
      link(triggerId, workflowId, 'starts');
    }
    for (const job of workflow.jobs) {
      const jobId = `job:${workflow.path}#${job.id}`;
      const permissions = effectivePermissions(job, workflow);
      const oidc: JobReach['oidc'] = grantsIdTokenWrite(permissions) ? (job.permissions ? 'job' : 'workflow') : false;
      const writeScopes =
        permissions?.kind === 'write-all'
          ? ['write-all']
          : permissions
            ? [...permissions.scopes].filter(([scope, level]) => level.value === 'write' && scope !== 'id-token').map(([scope]) => scope)
            : ['default'];
      add({ id: jobId, kind: 'job', label: job.name ?? job.id, path: workflow.path, line: job.idSpan.start.line, attributes: { oidc: oidc !== false, writeScopes } });
      link(workflowId, jobId, 'contains');
      for (const need of job.needs) link(`job:${workflow.path}#${need.value}`, jobId, 'needs');
      if (job.uses) {
        const target = job.uses.kind === 'local-reusable-workflow' ? localWorkflows.get(job.uses.raw.replace(/^\.\//, '')) : undefined;
        const calleeId = target
          ? `workflow:${target.path}`
          : add({ id: `workflow:${job.uses.raw}`, kind: 'workflow', label: job.uses.raw, attributes: { external: true } });
        link(jobId, calleeId, 'calls', job.secretsInherit ? 'secrets: inherit' : undefined);
      }

      const githubToken = (): string => add({
        id: `credential:${workflow.path}#${job.id}:github-token`,
        kind: 'credential',
        label: `GITHUB_TOKEN (${writeScopes.length ? writeScopes.join(', ') : 'read'})`,
        attributes: { type: 'github-token', writeScopes },
      });
      const oidcId = oidc ? add({ id: `credential:oidc:${workflow.path}`, kind: 'credential', label: `OIDC token for ${workflow.path}`, attributes: { type: 'oidc' } }) : undefined;
      const jobEnvSecrets = secretNames(secretsIn([...workflow.env, ...job.env].flatMap((entry) => entry.expressions)));
      if (job.secretsInherit) link(jobId, add({ id: 'credential:secret:*', kind: 'credential', label: 'every secret', attributes: { type: 'secret' } }), 'holds', 'secrets: inherit');

      const jobReach: JobReach = {
        workflow,
        job,
        jobNode: jobId,
        oidc,
        secrets: [],
        writeScopes,
        publishes: [],
        destinations: [],
        sharedWith: [],
        exposures: exposuresReaching(workflow, job).map((exposure) => exposure.trigger.event),
      };
      const jobSecrets = new Set<string>(jobEnvSecrets);
      for (const step of job.steps) {
        const stepId = add({
          id: `step:${workflow.path}#${job.id}/${step.index}`,
          kind: 'step',
          label: stepLabel(step),
          path: workflow.path,
          line: step.span.start.line,
          attributes: { thirdParty: isThirdParty(step), ...(step.uses ? { uses: step.uses.raw } : {}) },
        });
        link(jobId, stepId, 'contains');
        const stepSecrets = new Set([...jobEnvSecrets, ...secretNames(secretsIn(step.expressions))]);
        for (const name of stepSecrets) {
          jobSecrets.add(name);
          link(stepId, add({ id: `credential:secret:${name}`, kind: 'credential', label: name === '*' ? 'every secret' : `secrets.${name}`, attributes: { type: 'secret' } }), 'holds');
        }
        if (oidcId) link(stepId, oidcId, 'holds', stepUsesOidc(step, job, workflow) ? 'requests' : 'can request');
        if (referencesGithubToken(step)) link(stepId, githubToken(), 'holds');

        for (const site of stepPublishes(step, job, workflow)) {
          jobReach.publishes.push(site);
          const index = `index:${site.ecosystem}${site.index === 'public' ? '' : `:${site.index}`}`;
          add({ id: index, kind: 'destination', label: `${INDEX_LABELS[site.ecosystem]}${site.index === 'test' ? ' (test)' : site.index === 'custom' ? ' (private index)' : ''}`, attributes: { type: 'package-index' } });
          link(stepId, index, 'sends', `${site.tool} (${site.auth === 'oidc' ? 'Trusted Publishing' : site.auth === 'token' ? 'stored token' : 'credentials not visible'})`);
        }
        for (const destination of stepDestinations(step)) {
          add({ id: destination.id, kind: 'destination', label: destination.label, attributes: { type: destination.id.split(':')[0]! } });
          link(stepId, destination.id, 'sends');
          jobReach.destinations.push({ ...destination, step, line: step.span.start.line });
        }
        for (const send of networkSends(step, job, workflow)) {
          const host = send.host ?? '(computed at run time)';
          const id = `destination:host:${host}`;
          add({ id, kind: 'destination', label: host, attributes: { type: 'network' } });
          link(stepId, id, 'sends', send.command.program);
          jobReach.destinations.push({ id, label: host, step, line: send.command.span.start.line });
        }
      }
      jobReach.secrets = [...jobSecrets];
      const holds = oidc !== false || jobReach.secrets.length > 0 || job.secretsInherit !== undefined;
      // The publishing action itself is the intended holder; everything else third-party is sharing.
      if (holds) jobReach.sharedWith = job.steps.filter((step) => isThirdParty(step) && stepPublishes(step, job, workflow).length === 0);
      reach.push(jobReach);
    }
  }
  // `needs:` may name a job that does not exist; GitHub rejects that, and the graph drops it.
  return { graph: { nodes: [...nodes.values()], edges: edges.filter((edge) => nodes.has(edge.from) && nodes.has(edge.to)) }, reach };
}

function secretNames(uses: Array<{ name: string }>): string[] {
  return [...new Set(uses.map((use) => use.name))];
}

function referencesGithubToken(step: Step): boolean {
  return step.expressions.some((expression) => expression.contexts.some((ref) => ref.path === 'github.token' || ref.path === 'secrets.GITHUB_TOKEN'));
}

/** Code not written by the repository or GitHub: third-party actions, docker images. */
export function isThirdParty(step: Step): boolean {
  if (!step.uses) return false;
  if (step.uses.kind === 'docker') return true;
  if (step.uses.kind === 'local' || step.uses.kind === 'local-reusable-workflow') return false;
  return !isGitHubOwner(step.uses.owner);
}

function stepDestinations(step: Step): Array<{ id: string; label: string }> {
  const found: Array<{ id: string; label: string }> = [];
  if (step.uses?.slug) {
    const destination = ACTION_DESTINATIONS[step.uses.slug];
    const pushes = step.uses.slug !== 'docker/build-push-action' || step.with.some((input) => input.name === 'push' && !/^false$/i.test(input.value.trim()));
    if (destination && pushes) found.push(destination);
  }
  for (const command of step.run?.parsed().commands ?? []) {
    const words = `${command.program} ${command.args[0]?.text ?? ''}`;
    const destination = COMMAND_DESTINATIONS.find((candidate) => candidate.pattern.test(words));
    if (destination && !found.some((item) => item.id === destination.id)) found.push({ id: destination.id, label: destination.label });
  }
  return found;
}

export function stepLabel(step: Step): string {
  if (step.name) return step.name;
  if (step.uses) return step.uses.raw;
  const first = (step.run?.text ?? '').trim().split('\n')[0] ?? '';
  return `run: ${first.length > 50 ? `${first.slice(0, 50)}…` : first}`;
}
