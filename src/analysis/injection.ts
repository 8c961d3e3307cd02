import type { ContextRef, Expression } from '../models/github/expressions.ts';
import { analyzeExpression } from '../models/github/expressions.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { stepEnvironment, type EnvBinding } from './credentials.ts';
import { CODE_INPUTS, classifyContext, type ContextClass } from './data/contexts.ts';
import { nodeAt } from './yaml-node.ts';
import { isMap, isScalar } from '../models/yaml/document.ts';

/** Where a step turns an expression's value into code. */
export interface InjectionSink {
  /** `run:` or `` `script:` of actions/github-script ``. */
  label: string;
  expressions: Expression[];
}

/** The places of a step where `${{ }}` is pasted into code before it runs. */
export function injectionSinks(step: Step): InjectionSink[] {
  const sinks: InjectionSink[] = [];
  if (step.run && step.run.expressions.length) sinks.push({ label: '`run:`', expressions: step.run.expressions });
  const slug = step.uses?.slug;
  if (slug) {
    const key = step.uses?.path ? `${slug}/${step.uses.path.toLowerCase()}` : slug;
    const known = CODE_INPUTS[key];
    if (known) {
      for (const input of step.with) {
        if (!known.inputs.includes(input.name.toLowerCase()) || !input.expressions.length) continue;
        sinks.push({ label: `\`${input.name}:\` of \`${step.uses!.raw.split('@')[0]}\` (${known.runs})`, expressions: input.expressions });
      }
    }
  }
  return sinks;
}

/** A context an expression can yield, with how it got there. */
export interface Taint {
  ref: ContextRef;
  class: ContextClass;
  /** `env.TITLE` → `github.event.issue.title`: the names followed to reach it. */
  via: string[];
}

export interface TaintScope {
  step: Step;
  job?: Job;
  workflow?: Workflow;
}

/**
 * Contexts whose value the expression can yield, following `env.X` through the visible env
 * blocks and `steps.<id>.outputs.<name>` through a `run:` step of the same job that writes
 * `<name>=${{ … }}` to `$GITHUB_OUTPUT`. Only value flow counts (`valueContexts`), so
 * `inputs.x && '--x' || ''` or `contains(github.event.issue.title, 'x')` yield nothing.
 */
export function expressionTaints(expression: Pick<Expression, 'valueContexts'>, scope: TaintScope, depth = 0, via: string[] = []): Taint[] {
  const taints: Taint[] = [];
  for (const ref of expression.valueContexts) {
    const kind = classifyContext(ref.path);
    if (kind.kind === 'env' && kind.name && depth < 4) {
      const binding = envBinding(scope, kind.name);
      if (binding) {
        for (const inner of binding.entry.expressions) taints.push(...expressionTaints(inner, scope, depth + 1, [...via, `env.${kind.name}`]));
        continue;
      }
    }
    if (kind.kind === 'step-output' && depth < 4) {
      const written = stepOutputExpressions(ref.path, scope);
      if (written) {
        for (const inner of written) taints.push(...expressionTaints(inner, scope, depth + 1, [...via, ref.path]));
        continue;
      }
    }
    taints.push({ ref, class: kind, via });
  }
  return taints;
}

function envBinding(scope: TaintScope, name: string): EnvBinding | undefined {
  const env = stepEnvironment(scope.step, scope.job, scope.workflow);
  return env.get(name) ?? [...env.values()].find((binding) => binding.entry.name.toLowerCase() === name);
}

/**
 * `steps.<id>.outputs.<name>`: when step `<id>` is a `run:` script of the same job, the
 * expressions on its lines that write `<name>=` to `$GITHUB_OUTPUT`, plus the env values those
 * lines expand. Undefined when the producer is not visible (an action, another job).
 */
function stepOutputExpressions(path: string, scope: TaintScope): Array<Pick<Expression, 'valueContexts'>> | undefined {
  const match = /^steps\.([^.]+)\.outputs\.([^.]+)$/.exec(path.toLowerCase());
  if (!match || !scope.job) return undefined;
  const [, id, name] = match;
  const producer = scope.job.steps.find((candidate) => candidate.id?.toLowerCase() === id);
  if (!producer?.run) return undefined;
  const found: Array<Pick<Expression, 'valueContexts'>> = [];
  const env = stepEnvironment(producer, scope.job, scope.workflow);
  for (const line of producer.run.text.split('\n')) {
    if (!/GITHUB_OUTPUT/.test(line) || !new RegExp(`(^|[\\s"'])${escape(name!)}=`, 'i').test(line)) continue;
    for (const body of line.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) found.push(analyzeExpression(body[1]!));
    for (const variable of line.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const binding = env.get(variable[1]!);
      if (binding) found.push(...binding.entry.expressions);
    }
  }
  return found;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Declared types of a workflow's `workflow_dispatch` and `workflow_call` inputs (`string` when
 * omitted). `boolean`, `number` and `choice` values are checked by GitHub before the run starts,
 * so only `string` (and `environment`, a name) inputs can carry arbitrary text.
 */
export function workflowInputTypes(workflow: Workflow): Map<string, string> {
  const types = new Map<string, string>();
  for (const onKey of ['on', 'true']) {
    for (const event of ['workflow_dispatch', 'workflow_call']) {
      const inputs = nodeAt(workflow.yaml, [onKey, event, 'inputs']);
      if (!inputs || !isMap(inputs)) continue;
      for (const { key, value } of workflow.yaml.entries(inputs)) {
        const definition = workflow.yaml.resolve(value);
        let type = 'string';
        if (definition && isMap(definition)) {
          const typeEntry = workflow.yaml.entries(definition).find((entry) => String(entry.key.value) === 'type');
          const typeNode = workflow.yaml.resolve(typeEntry?.value);
          if (typeNode && isScalar(typeNode)) type = String(typeNode.value).toLowerCase();
        }
        const name = String(key.value).toLowerCase();
        // Declared by both events with different types: the loosest wins.
        if (!types.has(name) || type === 'string') types.set(name, type);
      }
    }
  }
  return types;
}
