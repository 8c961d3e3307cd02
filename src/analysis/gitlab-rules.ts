import type { GitLabJob, GitLabPipeline, GitLabRule, RefPolicy, SourceSpan } from '../models/gitlab/types.ts';

/**
 * When does a GitLab job run? `rules:if` expressions (and the older `only`/`except`) are
 * evaluated for a kind of pipeline, with three-valued logic: variables GitLab sets for that kind
 * of pipeline have known values, values the person starting it chooses (the source branch of a
 * merge request, a commit message) satisfy any comparison, and project variables are unknown.
 * A job is reported as reachable only when some rule certainly matches.
 */

/** The value of a variable in a kind of pipeline. */
type Value =
  | { kind: 'string'; value: string }
  | { kind: 'null' }
  /** Chosen by whoever starts the pipeline: any comparison can be made true. */
  | { kind: 'any' }
  /** Set, to a value other than any name the file compares it with (a branch nobody protected). */
  | { kind: 'other' }
  | { kind: 'unknown' };

type Truth = boolean | 'unknown';

export interface PipelineKind {
  name: 'merge-request' | 'branch-push';
  value(variable: string): Value;
}

const STRING = (value: string): Value => ({ kind: 'string', value });
const NULL: Value = { kind: 'null' };
const ANY: Value = { kind: 'any' };
const OTHER: Value = { kind: 'other' };
const UNKNOWN: Value = { kind: 'unknown' };

/** Values set in the file (global `variables:` without references) are known. */
function fileValue(pipeline: GitLabPipeline, name: string): Value | undefined {
  const variable = pipeline.variables.find((item) => item.name === name);
  if (!variable || variable.references.length) return undefined;
  return STRING(variable.value);
}

/**
 * A merge request pipeline started by the merge request's author: they choose the source branch,
 * title and commit messages; the pipeline is not on a tag or a protected ref.
 */
export function mergeRequestPipeline(pipeline: GitLabPipeline): PipelineKind {
  return {
    name: 'merge-request',
    value: (name) => {
      if (name === 'CI_PIPELINE_SOURCE') return STRING('merge_request_event');
      if (name === 'CI_COMMIT_TAG' || name === 'CI_COMMIT_BRANCH' || name.startsWith('CI_EXTERNAL_PULL_REQUEST_')) return NULL;
      if (name === 'CI_COMMIT_REF_PROTECTED') return STRING('false');
      if (name === 'CI' || name === 'GITLAB_CI') return STRING('true');
      if (name === 'CI_MERGE_REQUEST_EVENT_TYPE' || name === 'CI_MERGE_REQUEST_APPROVED') return UNKNOWN;
      if (name.startsWith('CI_MERGE_REQUEST_') || /^CI_COMMIT_(REF_NAME|REF_SLUG|MESSAGE|TITLE|DESCRIPTION|AUTHOR)$/.test(name) || name === 'CI_OPEN_MERGE_REQUESTS') return ANY;
      return fileValue(pipeline, name) ?? UNKNOWN;
    },
  };
}

/** A push to a branch nobody protected: whoever can push picks its name and the commit message. */
export function branchPushPipeline(pipeline: GitLabPipeline): PipelineKind {
  return {
    name: 'branch-push',
    value: (name) => {
      if (name === 'CI_PIPELINE_SOURCE') return STRING('push');
      if (name === 'CI_COMMIT_TAG' || name.startsWith('CI_MERGE_REQUEST_') || name.startsWith('CI_EXTERNAL_PULL_REQUEST_')) return NULL;
      if (name === 'CI_COMMIT_REF_PROTECTED') return STRING('false');
      if (name === 'CI' || name === 'GITLAB_CI') return STRING('true');
      if (name === 'CI_COMMIT_BRANCH' || name === 'CI_COMMIT_REF_NAME' || name === 'CI_COMMIT_REF_SLUG') return OTHER;
      if (/^CI_COMMIT_(MESSAGE|TITLE|DESCRIPTION|AUTHOR)$/.test(name)) return ANY;
      return fileValue(pipeline, name) ?? UNKNOWN;
    },
  };
}

// ---- expressions ---------------------------------------------------------------------------

type Token = { type: 'var'; name: string } | { type: 'string'; value: string } | { type: 'regex'; source: string; flags: string } | { type: 'null' } | { type: 'op'; value: string };

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const variable = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
    if (variable) {
      tokens.push({ type: 'var', name: (variable[1] ?? variable[2])! });
      i += variable[0].length;
      continue;
    }
    const string = /^"((?:[^"\\]|\\.)*)"|^'((?:[^'\\]|\\.)*)'/.exec(rest);
    if (string) {
      tokens.push({ type: 'string', value: (string[1] ?? string[2] ?? '').replace(/\\(.)/g, '$1') });
      i += string[0].length;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    if (rest.startsWith('/') && previous?.type === 'op' && (previous.value === '=~' || previous.value === '!~')) {
      const regex = /^\/((?:[^/\\]|\\.)*)\/([a-z]*)/.exec(rest);
      if (!regex) return null;
      tokens.push({ type: 'regex', source: regex[1]!, flags: regex[2]! });
      i += regex[0].length;
      continue;
    }
    if (/^null\b/.test(rest)) {
      tokens.push({ type: 'null' });
      i += 4;
      continue;
    }
    const op = /^(==|!=|=~|!~|&&|\|\||\(|\))/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', value: op[1]! });
      i += op[1]!.length;
      continue;
    }
    return null;
  }
  return tokens;
}

type Expr =
  | { type: 'operand'; token: Token }
  | { type: 'compare'; op: string; left: Token; right: Token }
  | { type: 'and' | 'or'; left: Expr; right: Expr };

function parse(tokens: Token[]): Expr | null {
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isOp = (value: string): boolean => {
    const token = peek();
    return token?.type === 'op' && token.value === value;
  };
  const or = (): Expr | null => {
    let left = and();
    while (left && isOp('||')) {
      position++;
      const right = and();
      if (!right) return null;
      left = { type: 'or', left, right };
    }
    return left;
  };
  const and = (): Expr | null => {
    let left = primary();
    while (left && isOp('&&')) {
      position++;
      const right = primary();
      if (!right) return null;
      left = { type: 'and', left, right };
    }
    return left;
  };
  const primary = (): Expr | null => {
    if (isOp('(')) {
      position++;
      const inner = or();
      if (!inner || !isOp(')')) return null;
      position++;
      return inner;
    }
    const left = peek();
    if (!left || left.type === 'op') return null;
    position++;
    const op = peek();
    if (op?.type === 'op' && /^(==|!=|=~|!~)$/.test(op.value)) {
      position++;
      const right = peek();
      if (!right || right.type === 'op') return null;
      position++;
      return { type: 'compare', op: op.value, left, right };
    }
    return { type: 'operand', token: left };
  };
  const expression = or();
  return expression && position === tokens.length ? expression : null;
}

function valueOf(token: Token, kind: PipelineKind): Value {
  if (token.type === 'var') return kind.value(token.name);
  if (token.type === 'string') return STRING(token.value);
  if (token.type === 'null') return NULL;
  return UNKNOWN;
}

function truthy(value: Value): Truth {
  if (value.kind === 'string') return value.value !== '';
  if (value.kind === 'null') return false;
  if (value.kind === 'any' || value.kind === 'other') return true;
  return 'unknown';
}

function equals(left: Value, right: Value): Truth {
  if (left.kind === 'any' || right.kind === 'any') return true;
  if (left.kind === 'unknown' || right.kind === 'unknown') return 'unknown';
  if (left.kind === 'null' || right.kind === 'null') return left.kind === right.kind;
  if (left.kind === 'other' || right.kind === 'other') return 'unknown';
  return left.value === right.value;
}

function notEquals(left: Value, right: Value): Truth {
  if (left.kind === 'any' || right.kind === 'any') return true;
  if (left.kind === 'unknown' || right.kind === 'unknown') return 'unknown';
  if (left.kind === 'null' || right.kind === 'null') return left.kind !== right.kind;
  // A branch nobody protected is named differently from the one the file names.
  if (left.kind === 'other' || right.kind === 'other') return true;
  return left.value !== right.value;
}

function matches(left: Value, pattern: Token, negated: boolean): Truth {
  if (left.kind === 'any') return true;
  if (left.kind === 'null') return negated;
  if (left.kind !== 'string' || pattern.type !== 'regex') return 'unknown';
  let regex: RegExp;
  try {
    regex = new RegExp(pattern.source, pattern.flags.replace(/[^imsu]/g, ''));
  } catch {
    return 'unknown';
  }
  return regex.test(left.value) !== negated;
}

function evaluate(expr: Expr, kind: PipelineKind): Truth {
  if (expr.type === 'operand') return truthy(valueOf(expr.token, kind));
  if (expr.type === 'compare') {
    const left = valueOf(expr.left, kind);
    if (expr.op === '=~' || expr.op === '!~') return matches(left, expr.right, expr.op === '!~');
    const right = valueOf(expr.right, kind);
    return expr.op === '==' ? equals(left, right) : notEquals(left, right);
  }
  const left = evaluate(expr.left, kind);
  const right = evaluate(expr.right, kind);
  if (expr.type === 'and') {
    if (left === false || right === false) return false;
    return left === true && right === true ? true : 'unknown';
  }
  if (left === true || right === true) return true;
  return left === false && right === false ? false : 'unknown';
}

/** Evaluates one `if:` expression for a kind of pipeline; unparsable expressions are unknown. */
export function evaluateCondition(text: string, kind: PipelineKind): Truth {
  const tokens = tokenize(text);
  const expr = tokens ? parse(tokens) : null;
  return expr ? evaluate(expr, kind) : 'unknown';
}

// ---- rules, only/except, workflow ------------------------------------------------------------

export type Reach = { runs: 'yes'; span: SourceSpan; manual: boolean } | { runs: 'maybe' | 'no' };

/**
 * `rules:` are tried in order and the first that matches decides. A rule whose condition is
 * unknown and that would add the job does not stop a later certain match (either way the job
 * runs); an unknown `when: never` makes the outcome uncertain.
 */
export function rulesReach(rules: readonly GitLabRule[], kind: PipelineKind, jobWhen?: string): Reach {
  // An earlier rule of unknown outcome may have excluded the job, or may have added it.
  let mayExclude = false;
  let mayInclude = false;
  for (const rule of rules) {
    const truth = rule.if ? evaluateCondition(rule.if.value, kind) : true;
    const when = rule.when?.value ?? jobWhen ?? 'on_success';
    if (truth === false) continue;
    if (truth === 'unknown') {
      if (when === 'never') mayExclude = true;
      else mayInclude = true;
      continue;
    }
    if (when === 'never') return { runs: mayInclude ? 'maybe' : 'no' };
    return mayExclude ? { runs: 'maybe' } : { runs: 'yes', span: rule.if?.span ?? rule.span, manual: when === 'manual' };
  }
  return { runs: mayInclude ? 'maybe' : 'no' };
}

const REF_KEYWORDS = new Set(['branches', 'tags', 'merge_requests', 'api', 'external', 'pipelines', 'pushes', 'schedules', 'triggers', 'web', 'chat', 'external_pull_requests']);

/** Does an `only:`/`except:` ref list match this kind of pipeline? */
function refsMatch(policy: RefPolicy, kind: PipelineKind): Truth {
  if (!policy.refs.length) return true;
  let result: Truth = false;
  for (const ref of policy.refs) {
    const value = ref.value.trim();
    if (kind.name === 'merge-request') {
      if (value === 'merge_requests') return true;
      continue;
    }
    if (value === 'branches' || value === 'pushes') return true;
    if (REF_KEYWORDS.has(value)) continue;
    // A regex over branch names can match a branch the pusher names; a literal name is one branch.
    if (/^\/.*\/[a-z]*$/.test(value)) result = 'unknown';
  }
  return result;
}

function policyMatches(policy: RefPolicy, kind: PipelineKind): Truth {
  const refs = refsMatch(policy, kind);
  if (refs === false || !policy.variables.length) return refs;
  const variables = policy.variables.map((item) => evaluateCondition(item.value, kind));
  const anyVariable: Truth = variables.includes(true) ? true : variables.every((item) => item === false) ? false : 'unknown';
  if (anyVariable === false) return false;
  return refs === true && anyVariable === true ? true : 'unknown';
}

/** Is the job added to a pipeline of this kind (ignoring `workflow:`)? */
export function jobReach(job: GitLabJob, kind: PipelineKind): Reach {
  if (job.rules) return rulesReach(job.rules, kind, job.when?.value);
  const manual = job.when?.value === 'manual';
  if (job.when?.value === 'never') return { runs: 'no' };
  // Without rules, only or except GitLab uses `only: [branches, tags]`: never merge request pipelines.
  const only = job.only ?? { span: job.nameSpan, refs: [{ value: 'branches', span: job.nameSpan }, { value: 'tags', span: job.nameSpan }], variables: [], changes: [] };
  const included = policyMatches(only, kind);
  if (included === false) return { runs: 'no' };
  const excluded = job.except ? policyMatches(job.except, kind) : false;
  if (excluded === true) return { runs: 'no' };
  if (included === 'unknown' || excluded === 'unknown') return { runs: 'maybe' };
  return { runs: 'yes', span: job.only?.span ?? job.nameSpan, manual };
}

/** Does `workflow: rules` let GitLab create a pipeline of this kind? No rules: yes. */
export function workflowAllows(pipeline: GitLabPipeline, kind: PipelineKind): 'yes' | 'maybe' | 'no' {
  const rules = pipeline.workflow?.rules;
  if (!rules) return 'yes';
  return rulesReach(rules, kind).runs;
}
