/**
 * PEP 440 versions and specifiers, through `@renovatebot/pep440` (4.x: CommonJS, Node 20) with
 * its exclusive-comparison shortcut replaced.
 *
 * The library answers `<V` and `>V` with "false whenever the release segments are equal", so
 * `satisfies('1.0', '<1.0.post1')` and `satisfies('1.0.post2', '>1.0.post1')` come out false
 * where PEP 440 (and Python's `packaging`) say true. Those two operators are evaluated here, by
 * the rules of PEP 440's "Exclusive ordered comparison"; every other operator goes to the library.
 */
import { compare as libraryCompare, explain, satisfies as librarySatisfies, valid, validRange } from '@renovatebot/pep440';

export interface SpecifierClause {
  operator: '===' | '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>';
  /** The version as written (`1.2.*` keeps its `.*`). */
  version: string;
}

const CLAUSE = /^\s*(===|~=|==|!=|<=|>=|<|>)\s*(\S(?:.*\S)?)\s*$/;

/** A version string PEP 440 accepts (`1.0`, `v1.0rc1`, `1!2.0.post1.dev3+local`). */
export function isVersion(text: string): boolean {
  return valid(text.trim()) !== null;
}

/** Orders two versions; undefined when either is not a PEP 440 version. */
export function compareVersions(a: string, b: string): number | undefined {
  if (!isVersion(a) || !isVersion(b)) return undefined;
  return Math.sign(libraryCompare(a.trim(), b.trim()));
}

/**
 * A key under which equal versions meet (`1.0`, `1.0.0`, `v1.0` and `1.0-0`… differ only in
 * spelling): PEP 440's normal form with trailing zero release segments dropped. Text that is not
 * PEP 440 keeps its own lower-cased spelling under a `legacy:` prefix.
 */
export function versionKey(text: string): string {
  const parts = explain(text.trim());
  if (!parts) return `legacy:${text.trim().toLowerCase()}`;
  const release = [...parts.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  let key = `${parts.epoch ? `${parts.epoch}!` : ''}${release.join('.')}`;
  if (parts.pre) key += `${parts.pre[0]}${parts.pre[1]}`;
  if (parts.post !== null) key += `.post${parts.post}`;
  if (parts.dev !== null) key += `.dev${parts.dev}`;
  if (parts.local) key += `+${parts.local}`;
  return key;
}

/**
 * Orders any two version strings, as release lists on an index need: PEP 440 order for valid
 * versions, which sort after every non-PEP 440 ("legacy") one; legacy ones compare as text.
 */
export function compareAnyVersions(a: string, b: string): number {
  const ordered = compareVersions(a, b);
  if (ordered !== undefined) return ordered;
  const validA = isVersion(a);
  const validB = isVersion(b);
  if (validA !== validB) return validA ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `>=1.0, <2` → its clauses; undefined when any clause is not PEP 440. An empty text has none. */
export function parseSpecifier(text: string): SpecifierClause[] | undefined {
  if (!text.trim()) return [];
  if (!validRange(text)) return undefined;
  const clauses: SpecifierClause[] = [];
  for (const part of text.split(',')) {
    const match = CLAUSE.exec(part);
    if (!match) return undefined;
    clauses.push({ operator: match[1] as SpecifierClause['operator'], version: match[2]! });
  }
  return clauses;
}

export function isValidSpecifier(text: string): boolean {
  return parseSpecifier(text) !== undefined;
}

/**
 * Pinned as pip means it in hash-checking mode (`is_pinned`): exactly one clause, `==` or `===`.
 * `==1.2.*` counts too, as it does for pip.
 */
export function isPinnedSpecifier(text: string): boolean {
  const clauses = parseSpecifier(text);
  return clauses !== undefined && clauses.length === 1 && (clauses[0]!.operator === '==' || clauses[0]!.operator === '===');
}

/** The exact version a `==V` / `===V` specifier names (not for `==1.2.*`). */
export function pinnedVersion(text: string): string | undefined {
  const clauses = parseSpecifier(text);
  if (!clauses || clauses.length !== 1) return undefined;
  const [clause] = clauses;
  if ((clause!.operator === '==' || clause!.operator === '===') && !clause!.version.endsWith('.*')) return clause!.version;
  return undefined;
}

export interface SatisfiesOptions {
  /**
   * Admit pre-releases. Defaults to true: checking that a locked version satisfies the range it
   * was resolved from, or evaluating a marker, must not reject `2.0b1` against `>=1.0`.
   */
  prereleases?: boolean;
}

/** Does `version` satisfy every clause of `specifier`? False for text that is not PEP 440. */
export function satisfies(version: string, specifier: string, options: SatisfiesOptions = {}): boolean {
  const prereleases = options.prereleases ?? true;
  const clauses = parseSpecifier(specifier);
  if (!clauses) return false;
  if (clauses.length === 0) return isVersion(version) && (prereleases || !explain(version)?.is_prerelease);
  return clauses.every((clause) => {
    // `===` compares strings; every other operator needs a PEP 440 version.
    if (clause.operator === '===') return version.trim().toLowerCase() === clause.version.toLowerCase();
    if (!isVersion(version)) return false;
    if (clause.operator === '<' || clause.operator === '>') return exclusive(version, clause, prereleases);
    try {
      return librarySatisfies(version, `${clause.operator}${clause.version}`, { prereleases });
    } catch {
      return false;
    }
  });
}

/**
 * PEP 440: `<V` does not admit pre-releases of V's release unless V is one; `>V` does not admit
 * post-releases of V's release unless V is one, nor local versions of V.
 */
function exclusive(version: string, clause: SpecifierClause, prereleases: boolean): boolean {
  const candidate = explain(version);
  const spec = explain(clause.version);
  if (!candidate || !spec) return false;
  if (candidate.is_prerelease && !prereleases && !spec.is_prerelease) return false;
  const order = libraryCompare(candidate.public, spec.public);
  const sameBase = libraryCompare(candidate.base_version, spec.base_version) === 0;
  if (clause.operator === '<') {
    if (order >= 0) return false;
    if (!spec.is_prerelease && candidate.is_prerelease && sameBase) return false;
    return true;
  }
  if (order <= 0) return false;
  if (!spec.is_postrelease && candidate.is_postrelease && sameBase) return false;
  if (candidate.local && sameBase) return false;
  return true;
}
