import type { Step } from '../models/github/types.ts';
import type { YamlFile } from '../models/yaml/document.ts';

export interface ActionVersion {
  major: number;
  minor?: number;
  patch?: number;
  /** Read from the `# v4.2.2` comment next to a SHA, not from the ref itself. */
  fromComment: boolean;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;
const COMMENT_VERSION = /#\s*(?:tag[=:]\s*)?v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\b/;

/**
 * The version of the action a step runs, from its ref (`@v4`, `@v4.2.2`) or, for a commit SHA,
 * from the version comment Dependabot and Renovate keep next to it (`@<sha> # v4.2.2`).
 * Undefined for branches and uncommented SHAs.
 */
export function actionVersion(step: Step, yaml: YamlFile | undefined): ActionVersion | undefined {
  const ref = step.uses?.ref;
  if (!ref) return undefined;
  const direct = VERSION.exec(ref);
  if (direct) return toVersion(direct, false);
  if (!/^[0-9a-f]{40}$/i.test(ref) || !yaml) return undefined;
  const line = yaml.lineText(step.uses!.span.start.line);
  const comment = COMMENT_VERSION.exec(line.slice(line.indexOf(ref) + ref.length));
  return comment ? toVersion(comment, true) : undefined;
}

/** `version >= major.minor` (undefined when the version is not known). */
export function atLeast(version: ActionVersion | undefined, major: number, minor = 0): boolean | undefined {
  if (!version) return undefined;
  if (version.major !== major) return version.major > major;
  // `@v4` floats to the newest v4.x.
  if (version.minor === undefined) return true;
  return version.minor >= minor;
}

function toVersion(match: RegExpExecArray, fromComment: boolean): ActionVersion {
  return {
    major: Number(match[1]),
    minor: match[2] === undefined ? undefined : Number(match[2]),
    patch: match[3] === undefined ? undefined : Number(match[3]),
    fromComment,
  };
}
