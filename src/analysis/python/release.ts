import type { PackageIndex, SimpleFile, SimpleProject } from '../../registry/pypi/index.ts';
import { compareAnyVersions as compareVersions, versionKey } from '../../models/python/pep440.ts';

/** The files of one release, as the Simple API lists them (grouped by their file names' version). */
export interface ReleaseFiles {
  /** Version as the first file spells it. */
  version: string;
  key: string;
  files: SimpleFile[];
  /** Earliest upload time of its files, when the index gives times. */
  firstUpload?: Date;
}

export type ReleaseLookup =
  | { status: 'project-missing'; httpStatus: number }
  | { status: 'found'; project: SimpleProject; release?: ReleaseFiles; releases: ReleaseFiles[]; listedVersion: boolean; filledFromJson: boolean };

/** Groups a project's files into releases, oldest first (by first upload, else by version). */
export function groupReleases(project: SimpleProject): ReleaseFiles[] {
  const byKey = new Map<string, ReleaseFiles>();
  for (const file of project.files) {
    if (!file.version) continue;
    const key = versionKey(file.version);
    let release = byKey.get(key);
    if (!release) byKey.set(key, (release = { version: file.version, key, files: [] }));
    release.files.push(file);
    if (file.uploadTime && (!release.firstUpload || file.uploadTime < release.firstUpload)) release.firstUpload = file.uploadTime;
  }
  return [...byKey.values()].sort(compareReleases);
}

export function compareReleases(a: ReleaseFiles, b: ReleaseFiles): number {
  if (a.firstUpload && b.firstUpload && a.firstUpload.getTime() !== b.firstUpload.getTime()) return a.firstUpload.getTime() - b.firstUpload.getTime();
  return compareVersions(a.version, b.version);
}

/**
 * A project's page and the files of `version`. Gaps the Simple API leaves (no PEP 700 upload
 * times, no SHA-256 on an index that sends only MD5) are filled from the JSON API when the index
 * has one; `needSha256`/`needTimes` say whether to bother.
 */
export async function lookupRelease(index: PackageIndex, name: string, version: string, need: { sha256?: boolean; times?: boolean } = {}): Promise<ReleaseLookup> {
  const page = await index.project(name);
  if (page.status === 'not-found') return { status: 'project-missing', httpStatus: page.httpStatus };
  const { project } = page;
  const releases = groupReleases(project);
  const key = versionKey(version);
  const release = releases.find((item) => item.key === key);
  const listedVersion = project.versions?.some((item) => versionKey(item) === key) ?? false;
  let filledFromJson = false;
  if (release) {
    const lacksSha = need.sha256 && release.files.some((file) => !file.hashes.sha256);
    const lacksTimes = need.times && release.files.some((file) => !file.uploadTime);
    if ((lacksSha || lacksTimes) && index.jsonApiBase) {
      // Only a fallback: when it cannot be read (offline, errors), the checks that need it skip.
      const json = await index.release(name, release.version).catch(() => undefined);
      if (json?.status === 'found') {
        const byName = new Map(json.release.files.map((file) => [file.filename, file]));
        for (const file of release.files) {
          const extra = byName.get(file.filename);
          if (!extra) continue;
          for (const [algorithm, digest] of Object.entries(extra.digests)) file.hashes[algorithm] ??= digest;
          if (!file.uploadTime && extra.uploadTime) file.uploadTime = extra.uploadTime;
          if (file.yanked === false && extra.yanked !== false) file.yanked = extra.yanked;
          else if (file.yanked && file.yanked.reason === null && extra.yanked && extra.yanked.reason) file.yanked = extra.yanked;
          filledFromJson = true;
        }
        for (const file of release.files) {
          if (file.uploadTime && (!release.firstUpload || file.uploadTime < release.firstUpload)) release.firstUpload = file.uploadTime;
        }
      }
    }
  }
  return { status: 'found', project, ...(release ? { release } : {}), releases, listedVersion, filledFromJson };
}

/** Releases published before `release`, newest first. */
export function earlierReleases(releases: ReleaseFiles[], release: ReleaseFiles): ReleaseFiles[] {
  return releases.filter((other) => other.key !== release.key && compareReleases(other, release) < 0).reverse();
}

/** Files an installer could use: wheels and sdists (not eggs or Windows installers). */
export function installableFiles(files: SimpleFile[]): SimpleFile[] {
  return files.filter((file) => file.kind === 'wheel' || file.kind === 'sdist');
}
