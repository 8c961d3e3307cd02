import type { Job, Step, Trigger, Workflow } from '../models/github/types.ts';
import type { Span } from '../models/yaml/document.ts';
import { evaluateValue, truthy, UNKNOWN, type KnownContexts } from './evaluate.ts';
import { guardOf, triggersReaching } from './triggers.ts';
import { actionVersion, atLeast } from './versions.ts';

/**
 * Which steps restore or save GitHub Actions caches, with inputs evaluated for the kind of run
 * in question: `cache: ${{ !startsWith(github.ref, 'refs/tags/') && 'pip' || '' }}` caches on
 * branches and not on tags; `enable-cache: false` turns setup-uv's default off.
 */
export interface CacheUse {
  step: Step;
  /** `actions/setup-python`, `Swatinem/rust-cache`… */
  action: string;
  restores: boolean;
  saves: boolean;
  /** `maybe` when an input could not be evaluated or the default depends on a version cordon cannot see. */
  certainty: 'yes' | 'maybe';
  /** What turns the cache on ("`cache: pip`", "setup-uv caches by default…"); empty for cache actions themselves. */
  how: string;
  /** The input that turns it on, else the `uses:`. */
  span: Span;
}

type State = 'yes' | 'no' | 'maybe';

/** The cache use of one step for the given kinds of run (at least one), or null. */
export function cacheUseOf(step: Step, job: Job, workflow: Workflow, runs: readonly KnownContexts[]): CacheUse | null {
  const uses = step.uses;
  if (!uses || uses.kind !== 'action' || !uses.slug) return null;
  const target = uses.path ? `${uses.slug}/${uses.path.toLowerCase()}` : uses.slug;
  const action = uses.raw.split('@')[0] ?? target;
  const input = (name: string) => step.with.find((candidate) => candidate.name === name);
  const make = (state: State, how: string, span: Span, restores = true, saves = true): CacheUse | null =>
    state === 'no' ? null : { step, action, restores, saves, certainty: state, how, span };
  /** A string input that turns caching on when non-empty (`cache: pip`). */
  const named = (name: string) => {
    const found = input(name);
    if (!found) return null;
    return make(stringState(found.value, runs), `\`${name}: ${found.value.trim()}\``, found.span);
  };
  /** A boolean input with a default. */
  const flag = (name: string, byDefault: State, defaultHow: string) => {
    const found = input(name);
    if (!found || found.value.trim() === '') return make(byDefault, defaultHow, uses.span);
    return make(booleanState(found.value, runs), `\`${name}: ${found.value.trim()}\``, found.span);
  };

  switch (target) {
    case 'actions/cache': {
      const lookupOnly = input('lookup-only');
      if (lookupOnly && booleanState(lookupOnly.value, runs) === 'yes') return null;
      return make('yes', '', uses.span);
    }
    case 'actions/cache/restore':
      return make('yes', '', uses.span, true, false);
    case 'actions/cache/save':
      return make('yes', '', uses.span, false, true);
    case 'actions/setup-python':
    case 'actions/setup-node':
    case 'actions/setup-java':
      // setup-node v5 also caches npm when package.json names it in `packageManager`; cordon does not
      // read package.json, so only an explicit `cache:` counts.
      return named('cache');
    case 'actions/setup-dotnet':
      return flag('cache', 'no', '');
    case 'actions/setup-go': {
      // `cache` defaults to true since setup-go v4.
      const v4 = atLeast(actionVersion(step, workflow.yaml), 4);
      return flag('cache', v4 === undefined ? 'maybe' : v4 ? 'yes' : 'no', 'setup-go caches by default since v4');
    }
    case 'astral-sh/setup-uv': {
      const found = input('enable-cache');
      const value = found?.value.trim().toLowerCase();
      if (found && value && value !== 'auto') return make(booleanState(found.value, runs), `\`enable-cache: ${found.value.trim()}\``, found.span);
      // `auto` (the default since v5): on for GitHub-hosted runners, off for self-hosted ones.
      if (job.runsOn.some((label) => /self-hosted/i.test(label.value))) return null;
      const v5 = atLeast(actionVersion(step, workflow.yaml), 5);
      return make(v5 === undefined ? 'maybe' : v5 ? 'yes' : 'no', 'setup-uv caches by default on GitHub-hosted runners since v5', found?.span ?? uses.span);
    }
    case 'swatinem/rust-cache': {
      const saveIf = input('save-if');
      const saves = saveIf ? booleanState(saveIf.value, runs) !== 'no' : true;
      return make('yes', '', uses.span, true, saves);
    }
    case 'pyo3/maturin-action': {
      const found = input('sccache');
      return found ? make(booleanState(found.value, runs), `\`sccache: ${found.value.trim()}\``, found.span) : null;
    }
    case 'ruby/setup-ruby': {
      const found = input('bundler-cache');
      return found ? make(booleanState(found.value, runs), `\`bundler-cache: ${found.value.trim()}\``, found.span) : null;
    }
    case 'gradle/actions/setup-gradle':
    case 'gradle/gradle-build-action': {
      const disabled = input('cache-disabled');
      if (disabled && booleanState(disabled.value, runs) === 'yes') return null;
      // Writes only from the default branch unless `cache-read-only: false`.
      const readOnly = input('cache-read-only');
      const saves = readOnly ? booleanState(readOnly.value, runs) !== 'yes' : false;
      return make('yes', 'on by default', uses.span, true, saves);
    }
    case 'jdx/mise-action':
      return flag('cache', 'yes', 'mise-action caches by default');
    case 'awalsh128/cache-apt-pkgs-action':
      return make('yes', '', uses.span);
    case 'docker/build-push-action': {
      const from = input('cache-from');
      const to = input('cache-to');
      const restores = from !== undefined && /type=gha/.test(from.value);
      const saves = to !== undefined && /type=gha/.test(to.value);
      if (!restores && !saves) return null;
      return make('yes', restores ? '`cache-from: type=gha`' : '`cache-to: type=gha`', (restores ? from : to)!.span, restores, saves);
    }
    default:
      return null;
  }
}

/** Every cache use of a job's steps. */
export function jobCacheUses(job: Job, workflow: Workflow, runs: readonly KnownContexts[]): CacheUse[] {
  return job.steps.map((step) => cacheUseOf(step, job, workflow, runs)).filter((use): use is CacheUse => use !== null);
}

function stringState(value: string, runs: readonly KnownContexts[]): State {
  return aggregate(runs.map((run) => {
    const result = evaluateValue(value, run);
    if (result === UNKNOWN) return 'maybe';
    const isTrue = truthy(result);
    if (!isTrue) return 'no';
    return /^\s*false\s*$/i.test(String(result)) ? 'no' : 'yes';
  }));
}

function booleanState(value: string, runs: readonly KnownContexts[]): State {
  return aggregate(runs.map((run) => {
    const result = evaluateValue(value, run);
    if (result === UNKNOWN) return 'maybe';
    if (typeof result === 'boolean') return result ? 'yes' : 'no';
    return /^\s*true\s*$/i.test(String(result)) ? 'yes' : 'no';
  }));
}

function aggregate(states: State[]): State {
  if (states.includes('yes')) return 'yes';
  if (states.includes('maybe')) return 'maybe';
  return 'no';
}

/** A placeholder tag ref: a condition that compares the exact tag cannot be decided anyway. */
const SOME_TAG = 'refs/tags/v0.0.0-cordon';

/**
 * The kinds of run in which a job runs, as context values an expression can be evaluated with:
 * one per trigger that reaches it (a tag push, a published release, a push to `main`…).
 */
export function runsOf(workflow: Workflow, job: Job): KnownContexts[] {
  const tagsOnly = guardOf(job.if?.value).tagsOnly;
  const runs: KnownContexts[] = [];
  for (const trigger of triggersReaching(workflow, job)) {
    for (const run of triggerRuns(trigger)) {
      if (tagsOnly && run.get('github.ref_type') !== 'tag') continue;
      runs.push(run);
    }
  }
  if (!runs.length) runs.push(new Map<string, string>(tagsOnly ? [['github.ref', SOME_TAG], ['github.ref_type', 'tag']] : []));
  return runs;
}

function triggerRuns(trigger: Trigger): KnownContexts[] {
  const event = trigger.event;
  const tag = (name: string) => new Map<string, string>([['github.event_name', name], ['github.ref', SOME_TAG], ['github.ref_type', 'tag']]);
  const branch = (name: string, branchName?: string) =>
    new Map<string, string>([['github.event_name', name], ['github.ref_type', 'branch'], ...(branchName ? [['github.ref', `refs/heads/${branchName}`] as [string, string]] : [])]);
  if (event === 'release') return [tag('release')];
  if (event === 'push' || event === 'create') {
    const tags = trigger.tags !== undefined || trigger.tagsIgnore !== undefined;
    const branches = trigger.branches !== undefined || trigger.branchesIgnore !== undefined;
    const runs: KnownContexts[] = [];
    if (tags || !branches) runs.push(tag(event));
    if (branches || !tags) {
      const literal = trigger.branches?.filter((item) => !/[*?[\]!]/.test(item.value)) ?? [];
      if (literal.length && literal.length === trigger.branches!.length) runs.push(...literal.map((item) => branch(event, item.value)));
      else runs.push(branch(event));
    }
    return runs;
  }
  return [new Map<string, string>([['github.event_name', event]])];
}
