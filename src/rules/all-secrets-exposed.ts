import { classifyContext } from '../analysis/data/contexts.ts';
import type { Severity } from '../findings/finding.ts';
import type { Expression } from '../models/github/expressions.ts';
import { secretName } from '../models/github/expressions.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { defineRule } from './rule.ts';
import { isGitHubOwner } from '../analysis/first-party.ts';


/** Where in the file an expression sits, which decides who can read what it yields. */
type Place =
  | { kind: 'run'; step: Step }
  | { kind: 'input'; step: Step; name: string }
  | { kind: 'step-env'; step: Step; name: string }
  | { kind: 'job-env'; job: Job; name: string }
  | { kind: 'workflow-env'; name: string }
  | { kind: 'call'; job: Job }
  | { kind: 'other' };

export default defineRule({
  meta: {
    id: 'all-secrets-exposed',
    summary: '`toJSON(secrets)` or `secrets[…]` makes every secret of the repository available to the job',
    severity: 'high',
    confidence: 'high',
    docs: {
      why: `GitHub sends a job only the secrets its workflow names (\`secrets.PYPI_TOKEN\`), and the runner masks
those values in the log. When the workflow reads the \`secrets\` context as a whole (\`toJSON(secrets)\`)
or indexes it with a value computed at run time (\`secrets[matrix.name]\`,
\`secrets[format('{0}_TOKEN', inputs.target)]\`), GitHub cannot know which ones are needed and makes
every repository, organization and environment secret available to the job. Any step that can read
the expression's value, or the runner's memory, then holds all of them at once. The Shai-Hulud worm's
workflow did exactly this: \`CONTENTS: \${{ toJSON(secrets) }}\`, posted to webhook.site and printed
double-base64-encoded so that masking missed it.

- **critical** when \`toJSON(secrets)\` goes into a \`run:\` script, an environment variable a script or
  third-party action can read, or an input of a third-party action;
- **high** for \`toJSON(secrets)\` elsewhere (a condition, a reusable-workflow call), and for a computed
  index chosen by text an outsider controls;
- **medium** for \`secrets[matrix.x]\` and other computed indexes: each run reads one secret, but which
  one is decided at run time, and all of them are loaded.`,
      example: `jobs:
  deploy:
    strategy:
      matrix:
        target: [PYPI, TESTPYPI]
    steps:
      - run: ./deploy.sh
        env:
          ALL: \${{ toJSON(secrets) }}
          TOKEN: \${{ secrets[format('{0}_TOKEN', matrix.target)] }}`,
      fix: `Name each secret the step needs. For a matrix, map the leg to the secret explicitly:

\`\`\`yaml
    env:
      TOKEN: \${{ matrix.target == 'PYPI' && secrets.PYPI_TOKEN || secrets.TESTPYPI_TOKEN }}
\`\`\`

or split the jobs so each names its own secret. If you did not write a \`toJSON(secrets)\` step,
treat every secret as stolen and rotate them.`,
      references: [
        'https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow',
        'https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/accessing-contextual-information-about-workflow-runs#secrets-context',
        'https://blog.pypi.org/posts/2025-11-26-pypi-and-shai-hulud/',
      ],
    },
  },

  workflow(workflow, context) {
    for (const { expression, place } of placedExpressions(workflow)) {
      const refs = expression.contexts.filter((ref) => secretName(ref) === '*');
      if (!refs.length) continue;
      const whole = refs.some((ref) => ref.path === 'secrets' || (ref.path === 'secrets.*' && !ref.dynamic));
      const indexContexts = expression.contexts.filter((ref) => secretName(ref) === null);
      let severity: Severity;
      let message: string;
      const where = describePlace(place);
      if (whole) {
        const reachable = readableByCode(place, workflow);
        severity = reachable ? 'critical' : 'high';
        message = `\`\${{ ${expression.text} }}\` reads the whole \`secrets\` context, so every secret of the repository and organization is loaded into the job${where}` +
          (reachable ? `, where ${reachable} can read all of them at once` : '') +
          '. Name the secrets the job needs instead';
      } else {
        const fromMatrix = indexContexts.length > 0 && indexContexts.every((ref) => ref.path.startsWith('matrix.') || ref.path.startsWith('strategy.'));
        const outsider = indexContexts.find((ref) => classifyContext(ref.path).kind === 'free-text');
        if (outsider) {
          severity = 'high';
          message = `\`\${{ ${expression.text} }}\` picks a secret by \`${outsider.path}\`, text an outsider writes, so they choose which secret the step gets; and every secret is loaded into the job${where} to make that possible`;
        } else if (fromMatrix) {
          severity = 'medium';
          message = `\`\${{ ${expression.text} }}\` picks a secret by a matrix value: each matrix leg reads one secret chosen at run time, but GitHub cannot tell which, so every secret of the repository is loaded into each leg${where}. Map each leg to a named secret`;
        } else {
          severity = 'medium';
          const by = indexContexts.length ? ` by \`${indexContexts[0]!.path}\`` : '';
          message = `\`\${{ ${expression.text} }}\` picks a secret${by} at run time, so every secret of the repository is loaded into the job${where}. Name the secrets instead`;
        }
      }
      context.report({ message, span: expression.span, severity, key: `${placeKey(place)}/${expression.text}` });
    }
  },
});

function placedExpressions(workflow: Workflow): Array<{ expression: Expression; place: Place }> {
  const placed: Array<{ expression: Expression; place: Place }> = [];
  const claimed = new Set<number>();
  const add = (expressions: readonly Expression[], place: Place) => {
    for (const expression of expressions) {
      if (claimed.has(expression.span.offset)) continue;
      claimed.add(expression.span.offset);
      placed.push({ expression, place });
    }
  };
  for (const entry of workflow.env) add(entry.expressions, { kind: 'workflow-env', name: entry.name });
  add(workflow.expressions, { kind: 'other' });
  for (const job of workflow.jobs) {
    for (const entry of job.env) add(entry.expressions, { kind: 'job-env', job, name: entry.name });
    if (job.uses) for (const entry of [...job.with, ...job.secrets]) add(entry.expressions, { kind: 'call', job });
    add(job.expressions, { kind: 'other' });
    for (const step of job.steps) {
      if (step.run) add(step.run.expressions, { kind: 'run', step });
      for (const input of step.with) add(input.expressions, { kind: 'input', step, name: input.name });
      for (const entry of step.env) add(entry.expressions, { kind: 'step-env', step, name: entry.name });
      add(step.expressions, { kind: 'other' });
    }
  }
  return placed;
}

/** Code outside GitHub's own actions that can read the value, described; null when none. */
function readableByCode(place: Place, workflow: Workflow): string | null {
  switch (place.kind) {
    case 'run':
      return 'the `run:` script';
    case 'input':
      return isThirdParty(place.step) ? `\`${place.step.uses!.raw.split('@')[0]}\`` : null;
    case 'step-env':
      return place.step.run ? 'the `run:` script' : isThirdParty(place.step) ? `\`${place.step.uses!.raw.split('@')[0]}\`` : null;
    case 'job-env':
      return codeIn(place.job.steps);
    case 'workflow-env':
      return codeIn(workflow.jobs.flatMap((job) => job.steps));
    default:
      return null;
  }
}

function codeIn(steps: readonly Step[]): string | null {
  const step = steps.find((candidate) => candidate.run || isThirdParty(candidate));
  if (!step) return null;
  return step.run ? 'every `run:` script' : `\`${step.uses!.raw.split('@')[0]}\``;
}

function isThirdParty(step: Step): boolean {
  const uses = step.uses;
  if (!uses) return false;
  if (uses.kind === 'local' || uses.kind === 'docker') return true;
  return !isGitHubOwner(uses.owner?.toLowerCase());
}

function describePlace(place: Place): string {
  switch (place.kind) {
    case 'run':
      return '';
    case 'input':
      return ` (input \`${place.name}\`)`;
    case 'step-env':
    case 'job-env':
    case 'workflow-env':
      return ` (env \`${place.name}\`)`;
    case 'call':
      return ` and passed to \`${place.job.uses!.raw}\``;
    default:
      return '';
  }
}

function placeKey(place: Place): string {
  switch (place.kind) {
    case 'run':
    case 'input':
    case 'step-env':
      return place.step.route.join('/');
    case 'job-env':
    case 'call':
      return place.job.route.join('/');
    case 'workflow-env':
      return 'env';
    default:
      return 'other';
  }
}
