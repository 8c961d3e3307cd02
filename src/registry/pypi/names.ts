import { normalizeName } from '../../models/python/pep508.ts';

export { normalizeName };

/** A valid project name (PEP 508 / core metadata). */
export function isValidName(name: string): boolean {
  return /^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i.test(name);
}

export type DistributionKind = 'wheel' | 'sdist' | 'egg' | 'other';

export interface DistributionFilename {
  kind: DistributionKind;
  /** Version as written in the file name, when it can be told. */
  version?: string;
}

const SDIST_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.Z', '.tgz', '.tbz', '.tar', '.zip'];

/**
 * The version in a distribution file name. Wheels (`name-ver(-build)?-py-abi-plat.whl`) and eggs
 * (`name-ver(-pyX.Y(-plat)?)?.egg`) have an escaped name without dashes; sdists may carry the name
 * as written (`python-dateutil-2.8.2.tar.gz`), so the split is found with the project's normalized
 * name.
 */
export function parseDistributionFilename(filename: string, normalizedProject: string): DistributionFilename {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    return parts.length >= 5 ? { kind: 'wheel', version: parts[1] } : { kind: 'wheel' };
  }
  if (filename.endsWith('.egg')) {
    const parts = filename.slice(0, -4).split('-');
    return parts.length >= 2 ? { kind: 'egg', version: parts[1] } : { kind: 'egg' };
  }
  const extension = SDIST_EXTENSIONS.find((ext) => filename.toLowerCase().endsWith(ext.toLowerCase()));
  if (!extension) return { kind: 'other' };
  const stem = filename.slice(0, -extension.length);
  for (let index = stem.indexOf('-'); index !== -1; index = stem.indexOf('-', index + 1)) {
    if (normalizeName(stem.slice(0, index)) === normalizedProject) return { kind: 'sdist', version: stem.slice(index + 1) };
  }
  // A name that does not match the project (renamed projects): the first dash before a digit.
  const match = /^(.+?)-(\d[^-]*(?:-\d[^-]*)?)$/.exec(stem);
  return match ? { kind: 'sdist', version: match[2] } : { kind: 'sdist' };
}
