import { parseTime, type Yanked } from './simple.ts';

/**
 * PyPI's JSON API for one release, `GET /pypi/<project>/<version>/json` (warehouse
 * `legacy/api/json.py`). Used where the Simple API is not enough: upload times from indexes
 * without PEP 700, every digest (`sha256`, `md5`, `blake2b_256`) of each file, the release-level
 * yank reason, and `ownership`.
 */

export interface JsonReleaseFile {
  filename: string;
  url?: string;
  /** Algorithm (lower case) → lower-case hex digest. */
  digests: Record<string, string>;
  uploadTime?: Date;
  size?: number;
  packagetype?: string;
  yanked: Yanked;
}

export interface JsonRelease {
  name: string;
  version: string;
  yanked: Yanked;
  files: JsonReleaseFile[];
  lastSerial?: number;
  ownership?: { roles: Array<{ role: string; user: string }>; organization: string | null };
}

export class JsonApiParseError extends Error {}

export function parseReleaseJson(body: string, url: string): JsonRelease {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new JsonApiParseError(`invalid JSON from ${url}: ${(error as Error).message}`);
  }
  if (!isObject(document) || !isObject(document.info)) throw new JsonApiParseError(`${url} is not a JSON API release document (no "info")`);
  const info = document.info;
  const yanked: Yanked = info.yanked === true ? { reason: typeof info.yanked_reason === 'string' && info.yanked_reason ? info.yanked_reason : null } : false;
  const files: JsonReleaseFile[] = [];
  for (const raw of Array.isArray(document.urls) ? document.urls : []) {
    if (!isObject(raw) || typeof raw.filename !== 'string') continue;
    const digests: Record<string, string> = {};
    if (isObject(raw.digests)) {
      for (const [algorithm, digest] of Object.entries(raw.digests)) if (typeof digest === 'string' && digest) digests[algorithm.toLowerCase()] = digest.toLowerCase();
    }
    if (typeof raw.md5_digest === 'string' && raw.md5_digest && !digests.md5) digests.md5 = raw.md5_digest.toLowerCase();
    const file: JsonReleaseFile = {
      filename: raw.filename,
      digests,
      yanked: raw.yanked === true ? { reason: typeof raw.yanked_reason === 'string' && raw.yanked_reason ? raw.yanked_reason : null } : yanked,
    };
    if (typeof raw.url === 'string') file.url = raw.url;
    const time = typeof raw.upload_time_iso_8601 === 'string' ? raw.upload_time_iso_8601 : typeof raw.upload_time === 'string' ? raw.upload_time : undefined;
    if (time) file.uploadTime = parseTime(time);
    if (typeof raw.size === 'number') file.size = raw.size;
    if (typeof raw.packagetype === 'string') file.packagetype = raw.packagetype;
    files.push(file);
  }
  const release: JsonRelease = {
    name: typeof info.name === 'string' ? info.name : '',
    version: typeof info.version === 'string' ? info.version : '',
    yanked,
    files,
  };
  if (typeof document.last_serial === 'number') release.lastSerial = document.last_serial;
  if (isObject(document.ownership)) {
    const roles = Array.isArray(document.ownership.roles)
      ? document.ownership.roles.filter(isObject).map((role) => ({ role: String(role.role ?? ''), user: String(role.user ?? '') }))
      : [];
    release.ownership = { roles, organization: typeof document.ownership.organization === 'string' ? document.ownership.organization : null };
  }
  return release;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
