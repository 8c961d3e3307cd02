import type { UsesRef } from '../models/github/types.ts';
import { FixUnavailableError, type Fix, type FixServices, type TextEdit } from './types.ts';

/**
 * `unpinned-action`'s fix: `owner/repo@v4` → `owner/repo@<40-hex sha> # v4.2.2`, the comment
 * style Dependabot and Renovate keep up to date.
 *
 * - Only the ref inside the `uses:` scalar changes; quotes stay as written.
 * - A trailing comment stays. A version comment (`# v4`, `# v4.1.0 keep`, `# tag=v4`, or the ref
 *   itself) has its version replaced; any other comment follows the new version comment.
 * - `safe` for version refs (`v4`, `1.2.3`): pinning a tag to the commit it points to runs the
 *   same code. If the ref turns out to be a branch, the fix applies only when the run accepts
 *   unsafe fixes. Other refs (`main`, `release/v1`) are `unsafe`: pinning a branch freezes a
 *   moving target.
 * - `docker://` images need a registry to resolve a digest: their fix always says so.
 */

const VERSION_REF = /^[vV]?\d+(\.\d+)*$/;
/** First word of a comment that records a version: `v4`, `4.2.2`, `v4.2.2-rc.1`, `tag=v4`. */
const VERSION_WORD = /^(?:tag\s*=\s*)?[vV]?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.+-]*)?$/;

export function pinActionFix(uses: UsesRef, text: string | undefined): Fix | undefined {
  if (text === undefined) return undefined;
  if (uses.kind === 'docker') return dockerFix(uses);
  if (uses.kind !== 'action' && uses.kind !== 'reusable-workflow') return undefined;
  const ref = uses.ref;
  const at = uses.raw.lastIndexOf('@');
  if (!ref || at === -1) return undefined;
  const [owner = '', repo = ''] = uses.raw.slice(0, at).split('/');
  if (!owner || !repo) return undefined;
  const place = locate(uses, text, ref);
  if (!place) return undefined;
  const versionRef = VERSION_REF.test(ref);
  const safety = versionRef ? 'safe' : 'unsafe';
  const name = `${owner}/${repo}`;
  return {
    title: `pin ${uses.raw} to its commit SHA`,
    safety,
    ...(versionRef
      ? {}
      : { followUp: [`\`${ref}\` is not a version tag: if it is a branch, the pin freezes it at today's commit; Dependabot or Renovate can move the SHA when the branch moves`] }),
    async edits(services: FixServices): Promise<TextEdit[]> {
      if (!services.resolveActionRef) throw new FixUnavailableError('no way to resolve action refs in this run');
      const resolved = await services.resolveActionRef(owner, repo, ref);
      if (!resolved) throw new FixUnavailableError(`${name} has no tag or branch \`${ref}\` (or the repository is private: set GITHUB_TOKEN)`);
      if (!/^[0-9a-f]{40}$/i.test(resolved.sha)) throw new Error(`resolving ${name}@${ref} gave '${resolved.sha}', not a commit SHA`);
      if (resolved.kind === 'branch' && safety === 'safe' && !services.allowUnsafe) {
        throw new FixUnavailableError(`\`${ref}\` is a branch of ${name}, not a tag: pinning it freezes a moving target, an unsafe fix`);
      }
      const version = resolved.kind === 'commit' ? undefined : (resolved.tag ?? ref);
      return [pinEdit(text, place, resolved.sha.toLowerCase(), version, ref)];
    },
  };
}

function dockerFix(uses: UsesRef): Fix {
  return {
    title: `pin docker image ${uses.image ?? uses.raw} to a digest`,
    safety: 'safe',
    followUp: [`look the digest up with \`docker buildx imagetools inspect ${uses.image ?? ''}\` (or crane digest) and write \`docker://IMAGE@sha256:…\``],
    edits(): TextEdit[] {
      throw new FixUnavailableError('not fixable offline: an image digest has to come from its registry');
    },
  };
}

interface Place {
  /** The ref inside the scalar. */
  refStart: number;
  refEnd: number;
  /** The scalar's end (after a closing quote) and the end of its line. */
  scalarEnd: number;
  lineEnd: number;
}

/** Where the ref is written, when `uses:` is a plain or quoted scalar on one line. */
function locate(uses: UsesRef, text: string, ref: string): Place | undefined {
  const { offset, endOffset } = uses.span;
  const source = text.slice(offset, endOffset);
  if (/[\r\n]/.test(source)) return undefined;
  const quote = source[0] === '"' || source[0] === "'" ? source[0] : '';
  if (quote && (source.length < 2 || source.at(-1) !== quote)) return undefined;
  const inner = quote ? source.slice(1, -1) : source;
  const innerStart = offset + (quote ? 1 : 0);
  const leading = inner.length - inner.trimStart().length;
  if (inner.trim() !== uses.raw || !uses.raw.endsWith(`@${ref}`)) return undefined; // escapes, an alias, a block scalar
  const refStart = innerStart + leading + uses.raw.length - ref.length;
  const lineBreak = text.slice(endOffset).search(/[\r\n]/);
  return { refStart, refEnd: refStart + ref.length, scalarEnd: endOffset, lineEnd: lineBreak === -1 ? text.length : endOffset + lineBreak };
}

/** One edit from the ref to the end of the line: the SHA, the closing quote, the comment. */
function pinEdit(text: string, place: Place, sha: string, version: string | undefined, ref: string): TextEdit {
  const between = text.slice(place.refEnd, place.scalarEnd);
  const tail = text.slice(place.scalarEnd, place.lineEnd);
  const comment = /^(\s*)#(\s*)(.*)$/.exec(tail);
  if (!version) return { offset: place.refStart, endOffset: place.refEnd, text: sha };
  if (!comment && tail.trim() !== '') {
    // Flow syntax (`{ uses: a/b@v4, with: … }`): a comment cannot go right after the value.
    return { offset: place.refStart, endOffset: place.refEnd, text: sha };
  }
  let newTail: string;
  if (!comment) newTail = ` # ${version}`;
  else {
    const body = comment[3]!;
    const word = body.split(/\s+/)[0] ?? '';
    if (word && (word === ref || VERSION_WORD.test(word))) newTail = `${comment[1] || ' '}#${comment[2]}${version}${body.slice(word.length)}`;
    else newTail = ` # ${version}${tail.startsWith(' ') || tail.startsWith('\t') ? '' : ' '}${tail}`;
  }
  return { offset: place.refStart, endOffset: place.lineEnd, text: `${sha}${between}${newTail}` };
}
