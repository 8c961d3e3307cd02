import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the GitHub REST API on 127.0.0.1, replaying the documented response
 * shapes: the run list (fixtures/runs.json), single runs, the logs endpoint's 302 to a signed zip
 * URL, and the zip itself, served by the same server under `/blob/`. Faults (status codes,
 * headers, delays) can be queued per path for the next requests.
 */

export interface Fault {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (for client timeouts). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeGitHub {
  /** Base URL of the API (with `prefix`, as GHES has `/api/v3`). */
  apiUrl: string;
  origin: string;
  requests: RecordedRequest[];
  /** Run id → zip body. */
  zips: Map<number, Buffer>;
  runs: { total_count: number; workflow_runs: Array<Record<string, unknown>> };
  /** Faults queued for a path (without query), used first-in first-out. */
  fail(pathname: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

export const RUNS_FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/runs.json', import.meta.url), 'utf8')) as FakeGitHub['runs'];

export async function startFakeGitHub(options: { prefix?: string } = {}): Promise<FakeGitHub> {
  const prefix = options.prefix ?? '';
  const requests: RecordedRequest[] = [];
  const zips = new Map<number, Buffer>();
  const faults = new Map<string, Fault[]>();
  const runs = structuredClone(RUNS_FIXTURE);
  const sockets = new Set<import('node:net').Socket>();
  let origin = '';

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: request.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: request.headers });
    const queued = faults.get(url.pathname);
    const fault = queued?.shift();
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.status) {
        if (response.destroyed) return;
        response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        response.end(fault.body ?? JSON.stringify({ message: http.STATUS_CODES[fault.status] ?? 'error' }));
        return;
      }
    }
    if (response.destroyed) return;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    const api = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : null;
    let match: RegExpExecArray | null;
    if (api !== null && (match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs$/.exec(api))) {
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const body = { total_count: runs.total_count, workflow_runs: runs.workflow_runs.slice(0, perPage) };
      const etag = `"runs-${perPage}-${runs.workflow_runs.length}"`;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag });
        response.end();
        return;
      }
      json(200, body, { etag, 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) });
      return;
    }
    if (api !== null && (match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/.exec(api))) {
      const run = runs.workflow_runs.find((item) => item.id === Number(match![3]));
      if (run) json(200, run);
      else json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run' });
      return;
    }
    if (api !== null && (match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/logs$/.exec(api))) {
      const id = Number(match[3]);
      if (!zips.has(id)) {
        json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/actions/workflow-runs#download-workflow-run-logs' });
        return;
      }
      response.writeHead(302, { location: `${origin}/blob/run-${id}.zip?sv=2025-01-01&se=2025-09-05T10%3A09%3A00Z&sig=c2lnbmVkLXVybC1zaWduYXR1cmU%3D` });
      response.end();
      return;
    }
    if ((match = /^\/blob\/run-(\d+)\.zip$/.exec(url.pathname))) {
      const zip = zips.get(Number(match[1]));
      if (!zip || !url.searchParams.get('sig')) {
        response.writeHead(403, { 'content-type': 'application/xml' });
        response.end('<Error><Code>AuthenticationFailed</Code></Error>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.length) });
      response.end(zip);
      return;
    }
    json(404, { message: 'Not Found' });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `${origin}${prefix}`,
    origin,
    requests,
    zips,
    runs,
    fail(pathname, ...items) {
      faults.set(pathname, [...(faults.get(pathname) ?? []), ...items]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
