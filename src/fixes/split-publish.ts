/**
 * Splits a job that builds and publishes into a build job that uploads the distributions as an
 * artifact and a publishing job that only downloads them and publishes, PyPA's recommended
 * layout. Only done where it is mechanical: the publishing steps are `pypa/gh-action-pypi-publish`
 * at the end of the job, reading one known folder; everything else is explained, not guessed.
 */
import { isMap, isScalar, isSeq, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { stepUsesOidc } from '../analysis/oidc.ts';
import { stepSecrets } from '../analysis/credentials.ts';
import type { Job, Step, Workflow } from '../models/github/types.ts';
import { FixUnavailableError, type Fix, type TextEdit } from './types.ts';
import { copiedEntries, permissionsEntry } from './github.ts';
import { renderScalar, YamlEditor } from './yaml-edit.ts';

/** The artifact actions the new steps use, pinned like the hardened example (`examples/hardened-release`). */
export const UPLOAD_ARTIFACT = 'actions/upload-artifact@65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08 # v4.6.0';
export const DOWNLOAD_ARTIFACT = 'actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8';

const PYPI_PUBLISH = 'pypa/gh-action-pypi-publish';
/** Job keys the build job takes over as written. */
const COPIED_KEYS = new Set(['runs-on', 'needs', 'if', 'env', 'defaults', 'container', 'services', 'timeout-minutes', 'continue-on-error', 'strategy']);

type Ranged = { range?: [number, number, number] | null };

export function splitPublishFix(job: Job, workflow: Workflow): Fix {
  const buildId = freeJobId(workflow, job);
  return {
    title: `split job \`${job.id}\`: build in a new job \`${buildId}\` that uploads the distributions, publish from \`${job.id}\` after downloading them`,
    safety: 'unsafe',
    followUp: splitFollowUp(job, workflow, buildId),
    edits: () => splitEdits(job, workflow, buildId),
  };
}

/** Why the split cannot be done mechanically, or null when it can. */
export function splitBlocker(job: Job, workflow: Workflow): string | null {
  try {
    plan(job, workflow);
    return null;
  } catch (error) {
    if (error instanceof FixUnavailableError) return error.message;
    throw error;
  }
}

interface Plan {
  build: Step[];
  publish: Step[];
  folder: string;
}

function plan(job: Job, workflow: Workflow): Plan {
  const manual = (why: string): never => {
    throw new FixUnavailableError(`${why}; split job \`${job.id}\` by hand: build and upload the distributions in one job, download and publish them in another that alone has \`id-token: write\``);
  };
  if (job.uses) manual('it calls a reusable workflow');
  if (job.hasMatrix) manual('it is a matrix job');
  const first = job.steps.findIndex((step) => stepUsesOidc(step, job, workflow));
  const publish = job.steps.slice(Math.max(first, 0));
  const build = job.steps.slice(0, Math.max(first, 0));
  if (publish[0]?.run) manual('the upload runs in a `run:` script, which needs the tools the build steps install');
  for (const step of publish) {
    if (step.uses?.slug !== PYPI_PUBLISH) manual(`${step.uses ? `\`${step.uses.raw.split('@')[0]}\`` : 'a `run:` script'} runs at or after the first upload step and is not \`${PYPI_PUBLISH}\``);
  }
  if (first <= 0) manual('no step before the upload to move');
  const folders = new Set(publish.map((step) => (step.with.find((input) => input.name === 'packages-dir' || input.name === 'packages_dir')?.value.trim() || 'dist').replace(/\/+$/, '')));
  if (folders.size !== 1) manual('its upload steps read different folders');
  const folder = [...folders][0]!;
  if (folder.includes('${{') || folder.startsWith('/') || folder.includes('..')) manual(`the distributions folder \`${folder}\` is not a plain path in the workspace`);
  const ids = new Set(build.map((step) => step.id?.toLowerCase()).filter((id): id is string => id !== undefined));
  for (const step of publish) {
    for (const expression of step.expressions) {
      const refersToBuild = expression.contexts.some((ref) => ids.has(/^steps\.([^.]+)/.exec(ref.path.toLowerCase())?.[1] ?? ''));
      if (refersToBuild) manual(`\`${expression.text}\` in the upload step reads an output of a build step`);
      if (expression.contexts.some((ref) => ref.path.toLowerCase().startsWith('env.')) && build.some((candidate) => /GITHUB_ENV|GITHUB_PATH/.test(candidate.run?.text ?? ''))) {
        manual('the upload step reads environment variables a build step may set through `$GITHUB_ENV`');
      }
    }
  }
  if (build.some((step) => step.uses?.slug === 'actions/upload-artifact' || step.uses?.slug === 'hynek/build-and-inspect-python-package')) {
    manual('a build step already uploads an artifact; let the publishing job download that one');
  }
  return { build, publish, folder };
}

function splitFollowUp(job: Job, workflow: Workflow, buildId: string): string[] {
  const notes = [`Job \`${buildId}\` now builds and uploads the distributions as an artifact; \`${job.id}\` only downloads and publishes them. Check that the build steps write to the folder the upload step reads.`];
  const secrets = new Set<string>();
  for (const step of job.steps.filter((step) => !stepUsesOidc(step, job, workflow))) for (const use of stepSecrets(step)) secrets.add(use.name);
  if (job.environment && secrets.size) {
    notes.push(`The build steps read ${[...secrets].map((name) => `\`secrets.${name}\``).join(', ')}; if ${secrets.size === 1 ? 'it is a secret' : 'they are secrets'} of the \`${job.environment.name}\` environment, job \`${buildId}\` no longer gets ${secrets.size === 1 ? 'it' : 'them'}.`);
  }
  return notes;
}

function splitEdits(job: Job, workflow: Workflow, buildId: string): TextEdit[] {
  const { build, publish, folder } = plan(job, workflow);
  const editor = new YamlEditor(workflow.yaml);
  const text = editor.text;
  const jobs = editor.mapAt(['jobs']);
  const jobPair = editor.pair(jobs, job.id);
  const jobMap = editor.mapAt(job.route);
  if (!jobPair || jobMap.flow) throw new FixUnavailableError(`job \`${job.id}\` is not a block mapping cordon can edit; split it by hand`);
  const stepsPair = editor.pair(jobMap, 'steps');
  const steps = stepsPair?.value as YAMLSeq<unknown> | undefined;
  if (!stepsPair || !isSeq(steps) || steps.flow) throw new FixUnavailableError(`the steps of job \`${job.id}\` are not a block sequence; split it by hand`);
  const keyColumn = editor.column((jobMap.items[0]!.key as Ranged).range![0]);
  const jobColumn = editor.column((jobPair.key as Ranged).range![0]);
  const firstStep = steps.items[build[0]!.index] as Ranged;
  const firstPublish = steps.items[publish[0]!.index] as Ranged;
  const dash = (item: Ranged): number => text.lastIndexOf('-', item.range![0]);
  const dashColumn = editor.column(dash(firstStep));
  const itemStart = (item: Ranged): number => {
    const line = editor.lineStart(dash(item));
    return aboveComments(text, line, dashColumn);
  };
  const buildStart = itemStart(firstStep);
  const publishStart = itemStart(firstPublish);
  const artifact = buildId === 'build' ? 'dist' : `${job.id}-dist`;
  const pad = (n: number) => ' '.repeat(n);
  const u = editor.unit;
  const stepLines = (uses: string, inputs: Array<[string, string]>) =>
    [`${pad(dashColumn)}- uses: ${uses}`, `${pad(dashColumn + 2)}with:`, ...inputs.map(([key, value]) => `${pad(dashColumn + 2 + u)}${key}: ${renderScalar(value)}`)].join('\n');

  // The build job: the job's settings as written, its permissions without `id-token`, the build steps and an upload.
  const lines: string[] = [`${pad(jobColumn)}${buildId}:`];
  for (const pair of jobMap.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'permissions' && job.permissions) {
      lines.push(editor.renderEntry(permissionsEntry(copiedEntries(job.permissions, ['id-token']), { explain: false }), keyColumn));
      continue;
    }
    if (!COPIED_KEYS.has(key)) continue;
    if (key === 'strategy' && isMap(pair.value) && editor.pair(pair.value, 'matrix')) continue;
    lines.push(text.slice(editor.lineStart((pair.key as Ranged).range![0]), editor.lineEnd(editor.pairEnd(pair as Pair<unknown, unknown>))));
  }
  lines.push(`${pad(keyColumn)}steps:`);
  lines.push(text.slice(buildStart, publishStart).replace(/\n+$/, ''));
  lines.push(stepLines(UPLOAD_ARTIFACT, [['name', artifact], ['path', `${folder}/`]]));
  const jobStart = aboveComments(text, editor.lineStart((jobPair.key as Ranged).range![0]), jobColumn);
  const spaced = jobStart >= 2 && text[jobStart - 1] === '\n' && text[jobStart - 2] === '\n';
  const edits: TextEdit[] = [{ offset: jobStart, endOffset: jobStart, text: `${lines.join('\n')}\n${spaced ? '\n' : ''}` }];

  // The publishing job: needs the build job, downloads the artifact instead of building.
  edits.push(needsEdit(editor, jobMap, buildId));
  edits.push({ offset: buildStart, endOffset: publishStart, text: `${stepLines(DOWNLOAD_ARTIFACT, [['name', artifact], ['path', `${folder}/`]])}\n` });
  return edits;
}

/** Adds the build job to `needs:` (a scalar becomes a flow list), or writes `needs:`. */
function needsEdit(editor: YamlEditor, jobMap: YAMLMap<unknown, unknown>, id: string): TextEdit {
  const pair = editor.pair(jobMap, 'needs');
  if (!pair) return editor.insertEntry(jobMap, { key: 'needs', value: { kind: 'scalar', value: id } }, { before: ['runs-on', 'environment', 'permissions', 'steps'] });
  const value = pair.value;
  if (isSeq(value)) {
    // Quote like the names already there.
    const last = value.items[value.items.length - 1];
    const style = isScalar(last) ? last.type : undefined;
    return editor.appendItem(value, style === 'QUOTE_DOUBLE' ? JSON.stringify(id) : style === 'QUOTE_SINGLE' ? `'${id}'` : renderScalar(id, value.flow === true));
  }
  if (isScalar(value)) return editor.replaceScalar(value, `[${editor.text.slice((value as Ranged).range![0], (value as Ranged).range![1])}, ${renderScalar(id, true)}]`);
  throw new FixUnavailableError('`needs:` is neither a name nor a list');
}

function aboveComments(text: string, lineStart: number, column: number): number {
  let at = lineStart;
  while (at > 0) {
    const previous = text.lastIndexOf('\n', at - 2) + 1;
    const line = text.slice(previous, at - 1);
    if (!/^ *#/.test(line) || line.indexOf('#') !== column) break;
    at = previous;
  }
  return at;
}

/** `build`, unless the workflow has one; then `<job>-build`, `<job>-build-2`… */
function freeJobId(workflow: Workflow, job: Job): string {
  const taken = new Set(workflow.jobs.map((candidate) => candidate.id));
  if (!taken.has('build')) return 'build';
  let id = `${job.id}-build`;
  for (let n = 2; taken.has(id); n++) id = `${job.id}-build-${n}`;
  return id;
}
