/**
 * A local package index for tests and the bench: serves the Simple API (JSON and HTML), the JSON
 * API and the Integrity API on 127.0.0.1, with responses built from the documented shapes (see
 * docs/lock.md and the research notes §2) and the behaviours that matter: a 301 to the
 * normalized name, `X-PyPI-Last-Serial`, `Vary: Accept`, ETags with 304s, `yanked` copied onto
 * every file, a `provenance` key on every file (URL or null), 404 for removed projects and
 * releases, PEP 792 `project-status` with quarantined projects' files hidden, and scripted faults
 * (429 with Retry-After, 500, slow responses).
 *
 * No real package data: names, files and digests are made up; digests are SHA-256 of the text
 * `fake:<filename>` unless a test gives its own.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePublisher {
  kind: string;
  repository?: string;
  workflow?: string;
  workflow_filepath?: string;
  environment?: string | null;
  email?: string;
}

export interface FakeFile {
  filename: string;
  /** ISO 8601 UTC. */
  uploadTime: string;
  /** Hex SHA-256; default `sha256("fake:" + filename)`. */
  sha256?: string;
  requiresPython?: string | null;
  size?: number;
  /** Who published the file (PEP 740); absent or null: no provenance. */
  provenance?: { publisher: FakePublisher; subjectSha256?: string } | null;
}

export interface FakeRelease {
  version: string;
  files: FakeFile[];
  /** `true` or the reason. */
  yanked?: boolean | string;
  /** Deleted from the index: gone from every API. */
  removed?: boolean;
}

export interface FakeProject {
  /** Name as the project spells it. */
  name: string;
  status?: 'active' | 'archived' | 'quarantined' | 'deprecated';
  statusReason?: string;
  releases: FakeRelease[];
  /** Deleted: every API answers 404. */
  removed?: boolean;
}

export type Fault = { status: 429 | 500 | 502 | 503; retryAfter?: string } | { delayMs: number } | { reset: true };

export interface RecordedRequest {
  path: string;
  accept: string;
  status: number;
  authorization?: string;
}

export interface FakeIndexOptions {
  /** Send only HTML from the Simple API (an old private index). */
  htmlOnly?: boolean;
  /** Leave PEP 700/740/792 fields out of Simple responses (API 1.0). */
  apiVersion?: '1.0' | '1.1' | '1.4';
  /** Answer 404 on /pypi/ and /integrity/ (an index without those APIs). */
  simpleOnly?: boolean;
  /** Require this `Authorization` header on every request. */
  authorization?: string;
}

export function fakeSha256(filename: string): string {
  return createHash('sha256').update(`fake:${filename}`).digest('hex');
}

export function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export class FakeIndex {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new Map<string, Fault[]>();
  private projects = new Map<string, FakeProject>();
  private serial = 1000;
  private server?: http.Server;
  private base = '';

  constructor(
    projects: FakeProject[],
    readonly options: FakeIndexOptions = {},
  ) {
    this.setProjects(projects);
  }

  setProjects(projects: FakeProject[]): void {
    this.projects = new Map(projects.map((project) => [normalize(project.name), project]));
    this.serial++;
  }

  /** Replace or add one project (bumps the serial, so ETags change). */
  setProject(project: FakeProject): void {
    this.projects.set(normalize(project.name), project);
    this.serial++;
  }

  /** Queue faults for a path (`/simple/foo/`); each request takes the next one. */
  fault(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  get url(): string {
    return this.base;
  }

  get simpleUrl(): string {
    return `${this.base}simple/`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}/`;
    return this.base;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  requestsTo(prefix: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path.startsWith(prefix));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = decodeURI(new URL(request.url ?? '/', 'http://x').pathname);
    const accept = request.headers.accept ?? '';
    const record = (status: number) => {
      const entry: RecordedRequest = { path, accept, status };
      if (request.headers.authorization) entry.authorization = request.headers.authorization;
      this.requests.push(entry);
    };
    const queue = this.faults.get(path);
    const fault = queue?.shift();
    if (fault && 'delayMs' in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (response.destroyed || request.destroyed) return record(0);
    } else if (fault && 'status' in fault) {
      record(fault.status);
      response.writeHead(fault.status, { 'content-type': 'text/plain', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) });
      response.end(`fault ${fault.status}`);
      return;
    } else if (fault && 'reset' in fault) {
      record(0);
      request.socket.destroy();
      return;
    }
    if (this.options.authorization && request.headers.authorization !== this.options.authorization) {
      record(401);
      response.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' });
      response.end('unauthorized');
      return;
    }
    const reply = this.route(path, accept);
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.status === 200 && reply.etag) {
      headers.etag = reply.etag;
      if (request.headers['if-none-match'] === reply.etag) {
        record(304);
        response.writeHead(304, headers);
        response.end();
        return;
      }
    }
    record(reply.status);
    response.writeHead(reply.status, headers);
    response.end(reply.body);
  }

  private route(path: string, accept: string): Reply {
    let match = /^\/simple\/([^/]+)(\/?)$/.exec(path);
    if (match) {
      const [, name, slash] = match;
      const normalized = normalize(name!);
      if (normalized !== name || !slash) return redirect(`/simple/${normalized}/`);
      return this.simple(normalized, accept);
    }
    match = /^\/pypi\/([^/]+)\/([^/]+)\/json\/?$/.exec(path);
    if (match) {
      if (this.options.simpleOnly) return notFound();
      const [, name, version] = match;
      const normalized = normalize(name!);
      if (normalized !== name) return redirect(`/pypi/${normalized}/${version}/json`);
      return this.releaseJson(normalized, version!);
    }
    match = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance\/?$/.exec(path);
    if (match) {
      if (this.options.simpleOnly) return notFound();
      if (accept && !/application\/(vnd\.pypi\.integrity\.v1\+)?json|\*\/\*/.test(accept)) {
        return { status: 406, headers: { 'content-type': 'application/json', vary: 'Accept' }, body: JSON.stringify({ message: 'Request not acceptable' }) };
      }
      const [, name, version, filename] = match;
      return this.provenance(normalize(name!), version!, filename!);
    }
    match = /^\/files\/([^/]+)$/.exec(path);
    if (match) return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: `fake:${match[1]}` };
    return notFound();
  }

  private live(normalized: string): FakeProject | undefined {
    const project = this.projects.get(normalized);
    return project && !project.removed ? project : undefined;
  }

  private simple(normalized: string, accept: string): Reply {
    const project = this.live(normalized);
    if (!project) return notFound();
    const quarantined = project.status === 'quarantined';
    const releases = quarantined ? [] : project.releases.filter((release) => !release.removed);
    const api = this.options.apiVersion ?? '1.4';
    const files = releases.flatMap((release) => release.files.map((file) => ({ release, file })));
    const wantsJson = !this.options.htmlOnly && accept.includes('application/vnd.pypi.simple.v1+json');
    const headers = { vary: 'Accept', 'x-pypi-last-serial': String(this.serial) };
    const etag = `"${createHash('sha256').update(`${this.serial}:${normalized}:${wantsJson}:${api}`).digest('hex').slice(0, 16)}"`;
    if (wantsJson) {
      const document: Record<string, unknown> = { meta: { 'api-version': api, '_last-serial': this.serial }, name: normalized };
      if (api === '1.4') document['project-status'] = project.statusReason ? { status: project.status ?? 'active', reason: project.statusReason } : { status: project.status ?? 'active' };
      if (api !== '1.0') document.versions = releases.map((release) => release.version);
      document.files = files.map(({ release, file }) => {
        const entry: Record<string, unknown> = {
          filename: file.filename,
          url: `${this.base}files/${file.filename}`,
          hashes: { sha256: file.sha256 ?? fakeSha256(file.filename) },
          'requires-python': file.requiresPython ?? null,
        };
        if (api !== '1.0') {
          entry.size = file.size ?? 1000;
          entry['upload-time'] = file.uploadTime;
        }
        entry.yanked = release.yanked === undefined || release.yanked === false ? false : release.yanked;
        entry['data-dist-info-metadata'] = false;
        entry['core-metadata'] = false;
        if (api === '1.4') entry.provenance = file.provenance ? `${this.base}integrity/${normalized}/${release.version}/${file.filename}/provenance` : null;
        return entry;
      });
      return { status: 200, etag, headers: { ...headers, 'content-type': 'application/vnd.pypi.simple.v1+json' }, body: `${JSON.stringify(document)}\n` };
    }
    const anchors = files.map(({ release, file }) => {
      const attributes = [`href="${this.base}files/${file.filename}#sha256=${file.sha256 ?? fakeSha256(file.filename)}"`];
      if (file.requiresPython) attributes.push(`data-requires-python="${escapeHtml(file.requiresPython)}"`);
      if (release.yanked) attributes.push(`data-yanked="${release.yanked === true ? '' : escapeHtml(release.yanked)}"`);
      if (api === '1.4' && file.provenance) attributes.push(`data-provenance="${this.base}integrity/${normalized}/${release.version}/${file.filename}/provenance"`);
      return `    <a ${attributes.join(' ')}>${escapeHtml(file.filename)}</a><br />`;
    });
    const metas = [`    <meta name="pypi:repository-version" content="${api}">`];
    if (api === '1.4') metas.push(`    <meta name="pypi:project-status" content="${project.status ?? 'active'}">`);
    const body = [
      '<!DOCTYPE html>',
      '<html>',
      '  <head>',
      ...metas,
      `    <title>Links for ${escapeHtml(normalized)}</title>`,
      '  </head>',
      '  <body>',
      `    <h1>Links for ${escapeHtml(normalized)}</h1>`,
      ...anchors,
      '  </body>',
      '</html>',
      `<!--SERIAL ${this.serial}-->`,
      '',
    ].join('\n');
    return { status: 200, etag, headers: { ...headers, 'content-type': 'text/html' }, body };
  }

  private releaseJson(normalized: string, version: string): Reply {
    const project = this.live(normalized);
    const release = project && project.status !== 'quarantined' ? project.releases.find((item) => item.version === version && !item.removed) : undefined;
    if (!project || !release) return { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) };
    const yanked = Boolean(release.yanked);
    const reason = typeof release.yanked === 'string' ? release.yanked : null;
    const urls = release.files.map((file) => {
      const sha256 = file.sha256 ?? fakeSha256(file.filename);
      const md5 = createHash('md5').update(`fake:${file.filename}`).digest('hex');
      return {
        comment_text: '',
        'core-metadata': false,
        digests: { blake2b_256: createHash('sha256').update(`blake:${file.filename}`).digest('hex'), md5, sha256 },
        downloads: -1,
        filename: file.filename,
        has_sig: false,
        md5_digest: md5,
        packagetype: file.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
        python_version: file.filename.endsWith('.whl') ? 'py3' : 'source',
        requires_python: file.requiresPython ?? null,
        size: file.size ?? 1000,
        upload_time: file.uploadTime.replace(/\.\d+Z$|Z$/, ''),
        upload_time_iso_8601: file.uploadTime,
        url: `${this.base}files/${file.filename}`,
        yanked,
        yanked_reason: reason,
      };
    });
    const document = {
      info: { name: project.name, version: release.version, requires_dist: null, yanked, yanked_reason: reason, summary: 'A made-up project' },
      last_serial: this.serial,
      urls,
      vulnerabilities: [],
      ownership: { roles: [{ role: 'Owner', user: 'someone' }], organization: null },
    };
    return { status: 200, headers: { 'content-type': 'application/json', 'x-pypi-last-serial': String(this.serial) }, body: `${JSON.stringify(document)}\n` };
  }

  private provenance(normalized: string, version: string, filename: string): Reply {
    const project = this.live(normalized);
    const release = project?.releases.find((item) => item.version === version && !item.removed);
    const file = release?.files.find((item) => item.filename === filename);
    if (!file?.provenance) {
      return { status: 404, headers: { 'content-type': 'application/json', vary: 'Accept' }, body: JSON.stringify({ message: `No provenance available for ${filename}` }) };
    }
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: filename, digest: { sha256: file.provenance.subjectSha256 ?? file.sha256 ?? fakeSha256(filename) } }],
      predicateType: 'https://docs.pypi.org/attestations/publish/v1',
      predicate: null,
    };
    const document = {
      version: 1,
      attestation_bundles: [
        {
          publisher: { claims: null, ...file.provenance.publisher },
          attestations: [
            {
              version: 1,
              verification_material: {
                certificate: Buffer.from(`fake certificate for ${filename}`).toString('base64'),
                transparency_entries: [{ logIndex: '1', kindVersion: { kind: 'dsse', version: '0.0.1' }, integratedTime: '1700000000' }],
              },
              envelope: { statement: Buffer.from(JSON.stringify(statement)).toString('base64'), signature: Buffer.from('fake signature').toString('base64') },
            },
          ],
        },
      ],
    };
    return { status: 200, headers: { 'content-type': 'application/vnd.pypi.integrity.v1+json', vary: 'Accept' }, body: JSON.stringify(document) };
  }
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  etag?: string;
}

function redirect(location: string): Reply {
  return { status: 301, headers: { location }, body: '' };
}

function notFound(): Reply {
  return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A wheel and an sdist for `name==version`, uploaded a few seconds apart at `time`. */
export function release(name: string, version: string, time: string, options: { publisher?: FakePublisher | null; extra?: FakeFile[]; yanked?: boolean | string } = {}): FakeRelease {
  const escaped = normalize(name).replace(/-/g, '_');
  const provenance = options.publisher ? { publisher: options.publisher } : null;
  const later = new Date(Date.parse(time) + 2000).toISOString();
  const result: FakeRelease = {
    version,
    files: [
      { filename: `${escaped}-${version}-py3-none-any.whl`, uploadTime: time, provenance },
      { filename: `${escaped}-${version}.tar.gz`, uploadTime: later, provenance },
      ...(options.extra ?? []),
    ],
  };
  if (options.yanked !== undefined) result.yanked = options.yanked;
  return result;
}

export const GITHUB_PUBLISHER: FakePublisher = { kind: 'GitHub', repository: 'example-org/example', workflow: 'release.yml', environment: 'pypi' };
