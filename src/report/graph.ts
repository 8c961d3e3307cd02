import type { JobReach, PipelineGraph } from '../analysis/graph.ts';
import { stepLabel } from '../analysis/graph.ts';
import type { InputError } from '../findings/finding.ts';
import { redactSecrets } from '../findings/redact.ts';

export type GraphFormat = 'text' | 'json' | 'dot' | 'mermaid';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'json', 'dot', 'mermaid'];

export interface GraphReport {
  graph: PipelineGraph;
  reach: JobReach[];
  errors: InputError[];
}

export function renderGraph(report: GraphReport, format: GraphFormat): string {
  const output = { text: renderText, json: renderJson, dot: renderDot, mermaid: renderMermaid }[format](report);
  return redactSecrets(output);
}

/** The answer first (which jobs reach which publish, who shares their tokens), then the tree. */
function renderText(report: GraphReport): string {
  const lines: string[] = [];
  const byWorkflow = new Map<string, JobReach[]>();
  for (const item of report.reach) {
    const list = byWorkflow.get(item.workflow.path) ?? [];
    list.push(item);
    byWorkflow.set(item.workflow.path, list);
  }
  for (const [path, jobs] of byWorkflow) {
    const workflow = jobs[0]!.workflow;
    lines.push(`${path}${workflow.name ? `  (${workflow.name})` : ''}`);
    lines.push(`├─ on: ${workflow.triggers.map((trigger) => trigger.event).join(', ') || '(none)'}`);
    jobs.forEach((item, index) => {
      const last = index === jobs.length - 1;
      const branch = last ? '└─' : '├─';
      const pad = last ? '   ' : '│  ';
      const needs = item.job.needs.length ? `  ← needs ${item.job.needs.map((need) => need.value).join(', ')}` : '';
      lines.push(`${branch} job ${item.job.id}${needs}`);
      const facts: string[] = [];
      const credentials: string[] = [];
      if (item.oidc) credentials.push(`OIDC (id-token: write${item.oidc === 'workflow' ? ', inherited from the workflow' : ''})`);
      if (item.secrets.length) credentials.push(item.secrets.map((name) => (name === '*' ? 'every secret' : `secrets.${name}`)).join(', '));
      if (item.job.secretsInherit) credentials.push('every secret (secrets: inherit)');
      credentials.push(`GITHUB_TOKEN ${item.writeScopes.includes('default') ? 'with the repository default permissions' : item.writeScopes.length ? `write: ${item.writeScopes.join(', ')}` : 'read-only'}`);
      facts.push(`credentials: ${credentials.join('; ')}`);
      if (item.job.uses) facts.push(`calls ${item.job.uses.raw}${item.job.secretsInherit ? ' with every secret' : ''}`);
      for (const site of item.publishes) {
        facts.push(`publishes to ${site.ecosystem}${site.index === 'public' ? '' : ` (${site.index})`} with ${site.tool}, ${site.auth === 'oidc' ? 'Trusted Publishing' : site.auth === 'token' ? 'a stored token' : 'credentials not visible'} [line ${site.span.start.line}]`);
      }
      for (const destination of item.destinations) facts.push(`sends to ${destination.label} [line ${destination.line}]`);
      if (item.oidc && !item.publishes.length && !item.job.uses) facts.push('mints OIDC tokens but reaches no package index');
      if (item.sharedWith.length) facts.push(`third-party code holding these credentials: ${item.sharedWith.map((step) => `${stepLabel(step)} [line ${step.span.start.line}]`).join('; ')}`);
      if (item.exposures.length && (item.publishes.length || item.oidc || item.secrets.length)) facts.push(`can be started by: ${item.exposures.join(', ')}`);
      facts.forEach((fact, factIndex) => lines.push(`${pad}${factIndex === facts.length - 1 ? '└─' : '├─'} ${fact}`));
    });
    lines.push('');
  }
  lines.push(...summary(report));
  for (const error of report.errors) lines.push(`error[input]: ${error.path}:${error.line}: ${error.message}`);
  return `${lines.join('\n')}\n`;
}

function summary(report: GraphReport): string[] {
  const oidcJobs = report.reach.filter((item) => item.oidc);
  const publishing = report.reach.filter((item) => item.publishes.length);
  const oidcPublishing = oidcJobs.filter((item) => item.publishes.length);
  const name = (item: JobReach) => `${item.workflow.path}#${item.job.id}`;
  const lines = [
    `${publishing.length} job${publishing.length === 1 ? '' : 's'} publish${publishing.length === 1 ? 'es' : ''} to a package index${publishing.length ? `: ${publishing.map(name).join(', ')}` : ''}`,
    `${oidcJobs.length} job${oidcJobs.length === 1 ? '' : 's'} can mint OIDC tokens; ${oidcPublishing.length} of them publish${oidcJobs.length > oidcPublishing.length ? `; not publishing: ${oidcJobs.filter((item) => !item.publishes.length).map(name).join(', ')}` : ''}`,
  ];
  const shared = report.reach.filter((item) => item.sharedWith.length);
  if (shared.length) lines.push(`${shared.length} job${shared.length === 1 ? ' runs' : 's run'} third-party code next to credentials: ${shared.map(name).join(', ')}`);
  return lines;
}

function renderJson(report: GraphReport): string {
  const jobs = report.reach.map((item) => ({
    workflow: item.workflow.path,
    job: item.job.id,
    node: item.jobNode,
    oidc: item.oidc,
    secrets: item.secrets,
    secretsInherit: item.job.secretsInherit !== undefined,
    githubTokenWrite: item.writeScopes,
    publishes: item.publishes.map((site) => ({ ecosystem: site.ecosystem, index: site.index, tool: site.tool, auth: site.auth, line: site.span.start.line })),
    destinations: item.destinations.map((destination) => ({ id: destination.id, label: destination.label, line: destination.line })),
    thirdPartySharingCredentials: item.sharedWith.map((step) => ({ step: stepLabel(step), line: step.span.start.line })),
    exposedTo: item.exposures,
  }));
  return `${JSON.stringify({ version: 1, nodes: report.graph.nodes, edges: report.graph.edges, jobs, errors: report.errors }, null, 2)}\n`;
}

function dotId(id: string): string {
  return `"${id.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const DOT_SHAPES: Record<string, string> = {
  trigger: 'shape=cds,style=filled,fillcolor="#fde2e2"',
  workflow: 'shape=folder,style=filled,fillcolor="#e8eefc"',
  job: 'shape=box,style="rounded,filled",fillcolor="#eef6ee"',
  step: 'shape=box,fontsize=10',
  credential: 'shape=note,style=filled,fillcolor="#fff4d6"',
  destination: 'shape=box3d,style=filled,fillcolor="#f3e8fc"',
};

function renderDot(report: GraphReport): string {
  const lines = ['digraph cordon {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const node of report.graph.nodes) {
    const thirdParty = node.attributes.thirdParty === true ? ',color=red' : '';
    lines.push(`  ${dotId(node.id)} [label=${dotId(node.label)},${DOT_SHAPES[node.kind]}${thirdParty}];`);
  }
  for (const edge of report.graph.edges) {
    const style = edge.kind === 'holds' ? ',style=dashed' : edge.kind === 'sends' ? ',color="#7a3db8"' : '';
    lines.push(`  ${dotId(edge.from)} -> ${dotId(edge.to)} [label=${dotId(edge.label ?? edge.kind)}${style}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function renderMermaid(report: GraphReport): string {
  const ids = new Map<string, string>();
  const idOf = (id: string): string => {
    let short = ids.get(id);
    if (!short) {
      short = `n${ids.size}`;
      ids.set(id, short);
    }
    return short;
  };
  const text = (label: string) => label.replace(/"/g, '#quot;').replace(/[<>]/g, '');
  const shapes: Record<string, [string, string]> = {
    trigger: ['>', ']'],
    workflow: ['[[', ']]'],
    job: ['(', ')'],
    step: ['[', ']'],
    credential: ['[/', '/]'],
    destination: ['[(', ')]'],
  };
  const lines = ['flowchart LR'];
  for (const node of report.graph.nodes) {
    const [open, close] = shapes[node.kind]!;
    lines.push(`  ${idOf(node.id)}${open}"${text(node.label)}"${close}`);
  }
  for (const edge of report.graph.edges) {
    const arrow = edge.kind === 'holds' ? '-.->' : '-->';
    lines.push(`  ${idOf(edge.from)} ${arrow}|${text(edge.label ?? edge.kind)}| ${idOf(edge.to)}`);
  }
  return `${lines.join('\n')}\n`;
}
