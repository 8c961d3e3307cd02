/**
 * PEP 740 provenance as served by PyPI's Integrity API
 * (`GET /integrity/<project>/<version>/<filename>/provenance`). We read who published the file
 * (each bundle's `publisher`) and what the attestations name (the in-toto statement's subjects),
 * without verifying signatures: that needs Sigstore and is left to `pypi-attestations`.
 */

export const INTEGRITY_ACCEPT = 'application/vnd.pypi.integrity.v1+json, application/json;q=0.9';

/** A Trusted Publisher identity as PEP 740 publisher objects give it (open-ended, per `kind`). */
export interface Publisher {
  kind: string;
  repository?: string;
  /** GitHub: workflow file name; GitLab: `workflow_filepath`. */
  workflow?: string;
  /** Empty when the publisher has none (`""`, `null` and a missing key are the same). */
  environment: string;
  email?: string;
  /** Comparison key: same key, same publisher. */
  identity: string;
  /** For people: `GitHub owner/repo, workflow release.yml, environment pypi`. */
  label: string;
}

export interface AttestationSubject {
  name: string;
  sha256?: string;
}

export interface Provenance {
  publishers: Publisher[];
  subjects: AttestationSubject[];
}

export class ProvenanceParseError extends Error {}

export function parseProvenance(body: string, url: string): Provenance {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new ProvenanceParseError(`invalid JSON from ${url}: ${(error as Error).message}`);
  }
  if (!isObject(document) || !Array.isArray(document.attestation_bundles)) {
    throw new ProvenanceParseError(`${url} is not a PEP 740 provenance object (no "attestation_bundles")`);
  }
  const publishers: Publisher[] = [];
  const subjects: AttestationSubject[] = [];
  for (const bundle of document.attestation_bundles) {
    if (!isObject(bundle)) continue;
    if (isObject(bundle.publisher)) {
      const publisher = readPublisher(bundle.publisher);
      if (publisher && !publishers.some((known) => known.identity === publisher.identity)) publishers.push(publisher);
    }
    for (const attestation of Array.isArray(bundle.attestations) ? bundle.attestations : []) {
      if (!isObject(attestation) || !isObject(attestation.envelope) || typeof attestation.envelope.statement !== 'string') continue;
      subjects.push(...statementSubjects(attestation.envelope.statement));
    }
  }
  return { publishers, subjects };
}

export function readPublisher(raw: Record<string, unknown>): Publisher | undefined {
  if (typeof raw.kind !== 'string' || !raw.kind) return undefined;
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' && raw[key] !== '' ? (raw[key] as string) : undefined);
  const kind = raw.kind;
  const environment = text('environment') ?? '';
  const lower = kind.toLowerCase();
  if (lower === 'github' || lower === 'gitlab') {
    const repository = text('repository');
    const workflow = lower === 'github' ? text('workflow') : text('workflow_filepath') ?? text('workflow');
    // GitHub compares repository and environment without case (PyPI lowercases both); GitLab's
    // environment comparison is case-sensitive.
    const identity = JSON.stringify([lower, repository?.toLowerCase() ?? '', workflow ?? '', lower === 'github' ? environment.toLowerCase() : environment]);
    const parts = [`${kind} ${repository ?? '(no repository)'}`, `workflow ${workflow ?? '(none)'}`, environment ? `environment ${environment}` : 'no environment'];
    const publisher: Publisher = { kind, environment, identity, label: parts.join(', ') };
    if (repository) publisher.repository = repository;
    if (workflow) publisher.workflow = workflow;
    return publisher;
  }
  if (lower === 'google') {
    const email = text('email');
    const publisher: Publisher = { kind, environment, identity: JSON.stringify([lower, email?.toLowerCase() ?? '']), label: `${kind} ${email ?? '(no email)'}` };
    if (email) publisher.email = email;
    return publisher;
  }
  const fields = Object.keys(raw)
    .filter((key) => key !== 'kind' && key !== 'claims' && typeof raw[key] === 'string' && raw[key] !== '')
    .sort()
    .map((key) => [key, raw[key] as string]);
  return { kind, environment, identity: JSON.stringify([lower, ...fields.flat()]), label: [kind, ...fields.map(([key, value]) => `${key} ${value}`)].join(', ') };
}

/** Which of repository, workflow and environment differ, for messages. */
export function publisherDifferences(a: Publisher, b: Publisher): string[] {
  if (a.kind.toLowerCase() !== b.kind.toLowerCase()) return ['kind'];
  const differences: string[] = [];
  if ((a.repository ?? '').toLowerCase() !== (b.repository ?? '').toLowerCase()) differences.push('repository');
  if ((a.workflow ?? '') !== (b.workflow ?? '')) differences.push('workflow');
  if (a.environment.toLowerCase() !== b.environment.toLowerCase() || (a.kind.toLowerCase() === 'gitlab' && a.environment !== b.environment)) differences.push('environment');
  if ((a.email ?? '').toLowerCase() !== (b.email ?? '').toLowerCase()) differences.push('email');
  return differences.length > 0 ? differences : a.identity === b.identity ? [] : ['identity'];
}

/** Subjects of a base64 in-toto statement; nothing when it does not decode. */
function statementSubjects(statement: string): AttestationSubject[] {
  try {
    const decoded = JSON.parse(Buffer.from(statement, 'base64').toString('utf8')) as unknown;
    if (!isObject(decoded) || !Array.isArray(decoded.subject)) return [];
    return decoded.subject.filter(isObject).flatMap((subject) => {
      if (typeof subject.name !== 'string') return [];
      const digest = isObject(subject.digest) && typeof subject.digest.sha256 === 'string' ? subject.digest.sha256.toLowerCase() : undefined;
      return [digest ? { name: subject.name, sha256: digest } : { name: subject.name }];
    });
  } catch {
    return [];
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
