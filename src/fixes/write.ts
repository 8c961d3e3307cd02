import { randomBytes } from 'node:crypto';
import { chmod, open, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces a file's content atomically: the new content goes to a temporary file in the same
 * directory (same filesystem, so `rename` is atomic), is flushed, gets the original file's mode,
 * and is renamed over the original. A reader sees the old file or the new one, never half of
 * either; a crash leaves at most a stray `.<name>.cordon-*.tmp`. A symbolic link is followed, so
 * the file it points to is replaced and the link stays.
 */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  const target = await realpath(file);
  const { mode } = await stat(target);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.cordon-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode & 0o7777);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // `open` applies the umask; set the mode exactly.
    await chmod(temporary, mode & 0o7777);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
