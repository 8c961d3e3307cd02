import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * An on-disk HTTP cache keyed by URL: `<dir>/github/<sha256(url)>.json` holds what we know about
 * the response (URL, time, ETag), `<…>.body` the body. Writes go to a temporary file first and
 * are renamed into place, so a run that is interrupted never leaves half a zip behind that a
 * later `--offline` run would trust. Files are created readable by the user only: run logs of
 * private repositories end up here.
 */

export interface CacheMeta {
  url: string;
  fetchedAt: string;
  etag?: string;
  lastModified?: string;
  contentType?: string;
  size: number;
}

export interface CacheHit {
  meta: CacheMeta;
  bodyPath: string;
}

/** `$CORDON_CACHE_DIR`, else `$XDG_CACHE_HOME/cordon`, else `~/.cache/cordon`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CORDON_CACHE_DIR) return path.resolve(env.CORDON_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'cordon');
  return path.join(homedir(), '.cache', 'cordon');
}

export class LimitExceededError extends Error {}

export class DiskCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.join(dir, 'github');
  }

  keyOf(url: string): string {
    return createHash('sha256').update(url).digest('hex');
  }

  private paths(url: string): { meta: string; body: string } {
    const key = this.keyOf(url);
    return { meta: path.join(this.dir, `${key}.json`), body: path.join(this.dir, `${key}.body`) };
  }

  async get(url: string): Promise<CacheHit | undefined> {
    const files = this.paths(url);
    try {
      const meta = JSON.parse(await readFile(files.meta, 'utf8')) as CacheMeta;
      if (meta.url !== url) return undefined;
      const info = await stat(files.body);
      if (info.size !== meta.size) return undefined;
      return { meta, bodyPath: files.body };
    } catch {
      return undefined;
    }
  }

  async getText(url: string): Promise<{ meta: CacheMeta; text: string } | undefined> {
    const hit = await this.get(url);
    if (!hit) return undefined;
    try {
      return { meta: hit.meta, text: await readFile(hit.bodyPath, 'utf8') };
    } catch {
      return undefined;
    }
  }

  async putText(url: string, text: string, meta: Omit<CacheMeta, 'url' | 'size' | 'fetchedAt'>): Promise<void> {
    const files = this.paths(url);
    await this.ensureDir();
    const body = Buffer.from(text, 'utf8');
    const tmp = `${files.body}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, files.body);
    await this.writeMeta(files.meta, { url, fetchedAt: new Date().toISOString(), size: body.length, ...meta });
  }

  /**
   * Streams a body into the cache. More than `maxBytes` aborts with `LimitExceededError` and
   * leaves nothing behind. `onChunk` runs for every chunk (the caller's idle timer).
   */
  async putStream(
    url: string,
    chunks: AsyncIterable<Uint8Array>,
    meta: Omit<CacheMeta, 'url' | 'size' | 'fetchedAt'>,
    options: { maxBytes: number; onChunk?: () => void },
  ): Promise<CacheHit> {
    const files = this.paths(url);
    await this.ensureDir();
    const tmp = `${files.body}.${randomBytes(6).toString('hex')}.tmp`;
    const size = await writeStreamToFile(tmp, chunks, options);
    await rename(tmp, files.body);
    const full: CacheMeta = { url, fetchedAt: new Date().toISOString(), size, ...meta };
    await this.writeMeta(files.meta, full);
    return { meta: full, bodyPath: files.body };
  }

  private async writeMeta(file: string, meta: CacheMeta): Promise<void> {
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, file);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }
}

/** Writes chunks to `file` with backpressure; removes the file and throws past `maxBytes`. */
export async function writeStreamToFile(file: string, chunks: AsyncIterable<Uint8Array>, options: { maxBytes: number; onChunk?: () => void }): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  let size = 0;
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  try {
    for await (const chunk of chunks) {
      options.onChunk?.();
      size += chunk.length;
      if (size > options.maxBytes) throw new LimitExceededError(`download is larger than ${options.maxBytes} bytes`);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
    out.end();
    await closed;
    return size;
  } catch (error) {
    out.destroy();
    await closed.catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
}
