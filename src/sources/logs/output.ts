import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { redactSecrets } from '../../findings/redact.ts';

/** A text file written with backpressure: `write` waits when the stream's buffer is full. */
export class OutputFile {
  private readonly stream: WriteStream;
  private readonly closed: Promise<void>;
  private failure: Error | undefined;
  readonly path: string;

  private constructor(file: string) {
    this.path = file;
    this.stream = createWriteStream(file);
    this.closed = new Promise<void>((resolve) => {
      this.stream.on('close', () => resolve());
      this.stream.on('error', (error) => {
        this.failure = error;
        resolve();
      });
    });
  }

  static async create(file: string): Promise<OutputFile> {
    await mkdir(path.dirname(file), { recursive: true });
    return new OutputFile(file);
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
      });
      if (this.failure) throw this.failure;
    }
  }

  async close(): Promise<void> {
    this.stream.end();
    await this.closed;
    if (this.failure) throw this.failure;
  }

  /** Closes and deletes the file (a binary input, an input that failed half-way). */
  async discard(): Promise<void> {
    this.stream.destroy();
    await this.closed;
    await rm(this.path, { force: true });
  }
}

/**
 * Where the redacted copy of a log goes. Next to the input: `build.log` → `build.redacted.log`,
 * and entries of `logs.zip` → `logs.redacted/<entry>`. With `--redact-dir DIR`: the same names
 * under DIR, keeping the display path's folders. Never the input itself.
 */
export function redactedPathFor(input: { absolute?: string; display: string; entry?: string }, redactDir: string | undefined): string | undefined {
  if (input.entry !== undefined) {
    const archiveBase = (input.absolute ? path.basename(input.absolute) : path.basename(input.display)).replace(/\.zip$/i, '');
    const folder = redactDir
      ? path.join(redactDir, safeRelative(path.dirname(input.display.split('!')[0]!)), `${redactSecrets(archiveBase)}.redacted`)
      : input.absolute
        ? path.join(path.dirname(input.absolute), `${redactSecrets(archiveBase)}.redacted`)
        : undefined;
    if (!folder) return undefined;
    return path.join(folder, safeRelative(input.entry));
  }
  const withSuffix = (name: string) => {
    const extension = path.extname(name);
    return extension ? `${name.slice(0, -extension.length)}.redacted${extension}` : `${name}.redacted`;
  };
  if (redactDir) return path.join(redactDir, safeRelative(path.dirname(input.display)), withSuffix(redactSecrets(path.basename(input.display))));
  if (input.absolute) return path.join(path.dirname(input.absolute), withSuffix(redactSecrets(path.basename(input.absolute))));
  return undefined;
}

/** A relative path that stays inside its base: no root, no drive, no `..` segments. */
export function safeRelative(value: string): string {
  const parts = value
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..' && !/^[A-Za-z]:$/.test(part))
    // A file named after a token does not pass it on to its redacted copy.
    .map((part) => redactSecrets(part));
  return parts.join(path.sep);
}
