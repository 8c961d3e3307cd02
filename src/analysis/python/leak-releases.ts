import type { ProjectLookup } from '../../registry/pypi/index.ts';

/** A file uploaded to a project while a leaked token could still publish to it. */
export interface UploadInWindow {
  project: string;
  version?: string;
  filename: string;
  uploadTime: string;
  /** PEP 740: a URL (an attestation exists), null (none), undefined (the index does not say). */
  provenance?: string | null;
}

export interface WindowCheck {
  project: string;
  uploads: UploadInWindow[];
  /** Why the project could not be checked (not found, offline cache miss…). */
  error?: string;
}

/**
 * Which files the index received for each project between `from` and `to` (open-ended for a
 * token valid until revoked). A release uploaded with a leaked token shows up here; one with
 * no attestation where the project's other releases have one is the likeliest suspect.
 */
export async function uploadsInWindow(
  lookup: (project: string) => Promise<ProjectLookup>,
  projects: readonly string[],
  from: Date,
  to: Date | null,
): Promise<WindowCheck[]> {
  const checks: WindowCheck[] = [];
  for (const project of projects) {
    let found: ProjectLookup;
    try {
      found = await lookup(project);
    } catch (error) {
      checks.push({ project, uploads: [], error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (found.status !== 'found') {
      checks.push({ project, uploads: [], error: `not found on the index (HTTP ${found.httpStatus})` });
      continue;
    }
    const uploads = found.project.files
      .filter((file) => file.uploadTime !== undefined && file.uploadTime >= from && (to === null || file.uploadTime <= to))
      .map((file) => ({
        project: found.project.name,
        ...(file.version !== undefined ? { version: file.version } : {}),
        filename: file.filename,
        uploadTime: file.uploadTime!.toISOString(),
        ...(file.provenance !== undefined ? { provenance: file.provenance } : {}),
      }));
    checks.push({ project: found.project.name, uploads });
  }
  return checks;
}

/** Project names a decoded PyPI token is limited to (`project-id:`/`user:` scopes cannot be listed). */
export function projectNamesOf(scope: readonly string[] | undefined): string[] {
  return (scope ?? []).filter((entry) => !/^(project-id|user):/.test(entry));
}
