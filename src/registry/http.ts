import { redactSecrets } from '../findings/redact.ts';

/**
 * HTTP with Node's own fetch (undici): a timeout on every request (reset while a body streams,
 * so a large download is not cut off as long as bytes keep coming), retries with exponential
 * backoff on network errors, timeouts, 429 and 5xx, and GitHub's rate-limit signals honoured:
 * `Retry-After` (seconds or an HTTP date) first, then `x-ratelimit-remaining: 0` with
 * `x-ratelimit-reset`. A wait longer than `maxWaitMs` fails at once with the time to come back.
 */

export interface HttpOptions {
  /** Per request: until the headers arrive, and between two chunks of a body. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff; doubled on each retry (with ±20 % jitter), at most 30 s. */
  backoffMs: number;
  /** The longest wait a `Retry-After` or rate-limit reset may ask for. */
  maxWaitMs: number;
  userAgent: string;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before each retry (the CLI prints it on stderr). */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

export const DEFAULT_HTTP_OPTIONS: Omit<HttpOptions, 'userAgent'> = {
  timeoutMs: 30_000,
  retries: 3,
  backoffMs: 1_000,
  maxWaitMs: 120_000,
};

/** A failure worth trying again; `delayMs` when the server said how long to wait. */
export class RetryableError extends Error {
  readonly delayMs: number | undefined;
  readonly status: number | undefined;
  constructor(message: string, options: { delayMs?: number; status?: number } = {}) {
    super(message);
    this.delayMs = options.delayMs;
    this.status = options.status;
  }
}

/** A failure that retrying will not fix (404, 401, a wait too long, a body too large…). */
export class HttpError extends Error {
  readonly status: number | undefined;
  /** No usable answer (network down, timeouts, 5xx after retries): a cache may stand in. */
  readonly unreachable: boolean;
  constructor(message: string, options: { status?: number; unreachable?: boolean } = {}) {
    super(message);
    this.status = options.status;
    this.unreachable = options.unreachable ?? false;
  }
}

/** A response whose body is still to be read; `touch` resets the idle timer, `done` clears it. */
export interface OpenResponse {
  response: Response;
  /** The body, with stalls and network failures turned into `RetryableError`. */
  chunks: AsyncIterable<Uint8Array>;
  touch(): void;
  done(): void;
}

/**
 * One attempt: fetch with a timer that aborts the request if the headers, or the next body chunk,
 * take longer than `timeoutMs`. Network errors and timeouts become `RetryableError`.
 */
export async function openRequest(url: string, init: RequestInit, options: HttpOptions): Promise<OpenResponse> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    timer.unref?.();
  };
  const done = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  arm();
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    done();
    if (timedOut) throw new RetryableError(`${describeUrl(url)}: no response within ${seconds(options.timeoutMs)}`);
    throw new RetryableError(`${describeUrl(url)}: ${networkReason(error)}`);
  }
  const body = response.body;
  if (body) {
    // Surface a body timeout as our own error rather than a bare AbortError.
    const wrapped = (async function* () {
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) yield chunk;
      } catch (error) {
        if (timedOut) throw new RetryableError(`${describeUrl(url)}: the body stalled for ${seconds(options.timeoutMs)}`);
        throw new RetryableError(`${describeUrl(url)}: ${networkReason(error)}`);
      } finally {
        done();
      }
    })();
    return { response, chunks: wrapped, touch: arm, done };
  }
  done();
  return { response, chunks: (async function* () {})(), touch: arm, done };
}

export async function bodyText(open: OpenResponse, maxBytes = 32 * 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of open.chunks) {
    open.touch();
    size += chunk.length;
    if (size > maxBytes) {
      open.done();
      throw new HttpError(`response larger than ${maxBytes} bytes`);
    }
    parts.push(Buffer.from(chunk));
  }
  open.done();
  return Buffer.concat(parts).toString('utf8');
}

/** Drops a body we will not read, so the connection can be reused. */
export async function discardBody(open: OpenResponse): Promise<void> {
  try {
    await open.response.body?.cancel();
  } catch {
    // already gone
  }
  open.done();
}

/**
 * Turns a non-success status into the right error: `RetryableError` for 429, 5xx and GitHub's
 * rate-limit 403, with the delay the headers ask for; `HttpError` for everything else, with
 * GitHub's own `message` when the body has one.
 */
export async function errorForStatus(url: string, open: OpenResponse, options: HttpOptions): Promise<Error> {
  const { response } = open;
  const status = response.status;
  const delayMs = waitFromHeaders(response.headers, options.now?.() ?? Date.now());
  const rateLimited = response.headers.get('x-ratelimit-remaining') === '0';
  let detail = '';
  try {
    const text = await bodyText(open, 64 * 1024);
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') detail = `: ${parsed.message}`;
  } catch {
    // not JSON; the status says enough
  }
  const what = `${describeUrl(url)}: HTTP ${status}${detail}`;
  if (status === 429 || status >= 500 || (status === 403 && (rateLimited || response.headers.has('retry-after')))) {
    return new RetryableError(rateLimited ? `${what} (rate limit exhausted)` : what, { ...(delayMs !== undefined ? { delayMs } : {}), status });
  }
  return new HttpError(what, { status });
}

/** What `Retry-After` or an exhausted rate limit asks us to wait, in ms. */
export function waitFromHeaders(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const trimmed = retryAfter.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 1000;
  }
  return undefined;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. */
export async function withRetries<T>(url: string, options: HttpOptions, attempt: (number: number) => Promise<T>): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let number = 0; ; number++) {
    try {
      return await attempt(number);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      const unreachable = error.status === undefined || error.status >= 500;
      if (number >= options.retries) {
        throw new HttpError(`${error.message} (gave up after ${number + 1} attempt${number === 0 ? '' : 's'})`, { ...(error.status !== undefined ? { status: error.status } : {}), unreachable });
      }
      const delayMs = error.delayMs ?? backoff(options.backoffMs, number);
      if (delayMs > options.maxWaitMs) {
        const until = new Date((options.now?.() ?? Date.now()) + delayMs).toISOString();
        throw new HttpError(`${error.message}; the server asks to wait until ${until}, longer than the ${seconds(options.maxWaitMs)} allowed (--max-wait); try again later${error.status === 403 || error.status === 429 ? ' or set GITHUB_TOKEN for a higher rate limit' : ''}`, {
          ...(error.status !== undefined ? { status: error.status } : {}),
        });
      }
      options.onRetry?.({ url, attempt: number + 1, delayMs, reason: error.message });
      await sleep(delayMs);
    }
  }
}

function backoff(base: number, attempt: number): number {
  const raw = Math.min(30_000, base * 2 ** attempt);
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `network error (${cause.code})`;
  if (cause?.message) return `network error (${cause.message})`;
  return `network error (${(error as Error).message ?? String(error)})`;
}

/** A URL fit for messages: no query string (signed download URLs carry credentials there). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return redactSecrets(`${parsed.origin}${parsed.pathname}`);
  } catch {
    return '<invalid URL>';
  }
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
