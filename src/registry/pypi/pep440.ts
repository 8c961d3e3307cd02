/**
 * Just enough PEP 440 to match a locked version with the files of a release and to order
 * releases: parsing (with the spec's accepted spellings), `canonicalize_version`-style keys, and
 * comparison. Versions that do not parse ("legacy") sort before every valid one and compare as
 * strings, as `packaging_legacy` does for the Simple API.
 */

export interface Pep440Version {
  epoch: number;
  release: number[];
  pre?: { label: 'a' | 'b' | 'rc'; number: number };
  post?: number;
  dev?: number;
  local?: Array<string | number>;
}

const VERSION_RE =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

export function parseVersion(text: string): Pep440Version | undefined {
  const match = VERSION_RE.exec(text.trim());
  if (!match) return undefined;
  const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel, devNumber, local] = match;
  const version: Pep440Version = { epoch: epoch ? Number(epoch) : 0, release: release!.split('.').map(Number) };
  if (preLabel) {
    const label = preLabel.toLowerCase();
    version.pre = { label: label === 'alpha' || label === 'a' ? 'a' : label === 'beta' || label === 'b' ? 'b' : 'rc', number: Number(preNumber ?? 0) };
  }
  if (postImplicit !== undefined) version.post = Number(postImplicit);
  else if (postLabel) version.post = Number(postNumber ?? 0);
  if (devLabel) version.dev = Number(devNumber ?? 0);
  if (local) version.local = local.toLowerCase().split(/[-_.]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return version;
}

/** The normalized spelling (`1.0-RC1` → `1.0rc1`); legacy versions are lower-cased. */
export function normalizeVersion(text: string): string {
  const version = parseVersion(text);
  if (!version) return text.trim().toLowerCase();
  let out = version.epoch ? `${version.epoch}!` : '';
  out += version.release.join('.');
  if (version.pre) out += `${version.pre.label}${version.pre.number}`;
  if (version.post !== undefined) out += `.post${version.post}`;
  if (version.dev !== undefined) out += `.dev${version.dev}`;
  if (version.local) out += `+${version.local.join('.')}`;
  return out;
}

/** Equality key: normalized, with trailing `.0` release segments dropped (`1.0.0` ≡ `1`). */
export function versionKey(text: string): string {
  const version = parseVersion(text);
  if (!version) return `legacy:${text.trim().toLowerCase()}`;
  const release = [...version.release];
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  return normalizeVersion(text).replace(/^(\d+!)?[\d.]+/, `${version.epoch ? `${version.epoch}!` : ''}${release.join('.')}`);
}

export function sameVersion(a: string, b: string): boolean {
  return versionKey(a) === versionKey(b);
}

/** Negative when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) {
    if (left) return 1;
    if (right) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  const length = Math.max(left.release.length, right.release.length);
  for (let i = 0; i < length; i++) {
    const difference = (left.release[i] ?? 0) - (right.release[i] ?? 0);
    if (difference !== 0) return difference;
  }
  const pre = compareTuple(preKey(left), preKey(right));
  if (pre !== 0) return pre;
  const post = (left.post ?? -1) - (right.post ?? -1);
  if (post !== 0) return post;
  const dev = (left.dev ?? Infinity) - (right.dev ?? Infinity);
  if (dev !== 0 && Number.isFinite(dev)) return dev;
  if (left.dev === undefined && right.dev !== undefined) return 1;
  if (left.dev !== undefined && right.dev === undefined) return -1;
  return compareLocal(left.local, right.local);
}

/** A release without a pre-release segment sorts after its pre-releases, except a bare dev release (`1.0.dev1`), which sorts before them. */
function preKey(version: Pep440Version): number[] {
  if (version.pre) return [1, { a: 0, b: 1, rc: 2 }[version.pre.label], version.pre.number];
  if (version.post === undefined && version.dev !== undefined) return [0];
  return [2];
}

function compareTuple(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function compareLocal(a: Array<string | number> | undefined, b: Array<string | number> | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
    } else if (typeof x === 'number') return 1;
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** A version with a pre-release or dev segment. */
export function isPrerelease(text: string): boolean {
  const version = parseVersion(text);
  return version !== undefined && (version.pre !== undefined || version.dev !== undefined);
}
