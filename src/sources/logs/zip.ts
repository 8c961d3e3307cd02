import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Zip archives as GitHub serves run logs, read with yauzl from a file on disk (random access to
 * the central directory, entries inflated as streams). Zip bombs are bounded: every entry's
 * inflated bytes are counted as they stream, and an entry past `maxEntryBytes`, or an archive past
 * `maxTotalBytes`, is cut off and reported (yauzl also refuses entries that inflate to more than
 * they declare). Entry names that climb out of the archive (`../x`, `/etc/x`) are refused by yauzl.
 */

export interface ZipLimits {
  /** Inflated bytes of one entry. */
  maxEntryBytes: number;
  /** Inflated bytes of all entries of one archive together. */
  maxTotalBytes: number;
  /** Entries in one archive. */
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 1024 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxEntries: 20_000,
};

export class ZipLimitError extends Error {}
/** yauzl or zlib failed on an entry's data (as opposed to a bug in the visitor). */
export class ZipEntryError extends Error {}

export interface ZipEntryInfo {
  /** Path inside the archive, forward slashes. */
  name: string;
  /** Size the entry declares. */
  size: number;
}

export interface ZipVisitor {
  /** Reads one entry; returning early (or throwing) stops its stream. */
  entry(info: ZipEntryInfo, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** An entry that could not be read; the archive goes on unless `fatal`. */
  error(name: string | undefined, message: string): void;
}

/**
 * Visits the text entries of `file` in a stable order: entries in folders (GitHub's per-step
 * files) before top-level ones, and by their `N_` step number within a folder.
 */
export async function readZip(file: string, limits: ZipLimits, visitor: ZipVisitor): Promise<{ entries: number }> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true, strictFileNames: false });
  } catch (error) {
    visitor.error(undefined, `not a readable zip archive: ${(error as Error).message}`);
    return { entries: 0 };
  }
  try {
    const entries: yauzl.Entry[] = [];
    try {
      for await (const entry of zip.eachEntry()) {
        if (entry.fileName.endsWith('/')) continue;
        if (entries.length >= limits.maxEntries) {
          visitor.error(undefined, `more than ${limits.maxEntries} entries; the rest of the archive was not read`);
          break;
        }
        entries.push(entry);
      }
    } catch (error) {
      visitor.error(undefined, `archive refused: ${(error as Error).message}`);
      return { entries: 0 };
    }
    entries.sort((a, b) => compareEntryNames(a.fileName, b.fileName));

    let total = 0;
    let read = 0;
    for (const entry of entries) {
      const name = entry.fileName;
      if (total >= limits.maxTotalBytes) {
        visitor.error(name, `not read: the archive already inflated to the ${limits.maxTotalBytes}-byte limit (--max-archive-size); possible zip bomb`);
        continue;
      }
      if (entry.isEncrypted()) {
        visitor.error(name, 'encrypted entry; not read');
        continue;
      }
      if (!entry.canDecodeFileData()) {
        visitor.error(name, `unsupported compression method ${entry.compressionMethod}; not read`);
        continue;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        visitor.error(name, `declares ${entry.uncompressedSize} bytes inflated, more than the ${limits.maxEntryBytes}-byte limit (--max-entry-size); not read (possible zip bomb)`);
        continue;
      }
      let stream: Readable;
      try {
        stream = await zip.openReadStreamPromise(entry);
      } catch (error) {
        visitor.error(name, `cannot be read: ${(error as Error).message}`);
        continue;
      }
      let entryBytes = 0;
      const budget = Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total);
      const counted = (async function* () {
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            entryBytes += chunk.length;
            if (entryBytes > budget) {
              const which = budget === limits.maxEntryBytes ? `the ${limits.maxEntryBytes}-byte entry limit (--max-entry-size)` : `the ${limits.maxTotalBytes}-byte archive limit (--max-archive-size)`;
              throw new ZipLimitError(`inflates past ${which}; the rest was not read (possible zip bomb)`);
            }
            yield chunk;
          }
        } catch (error) {
          if (error instanceof ZipLimitError) throw error;
          throw new ZipEntryError(`corrupt entry: ${(error as Error).message}`);
        } finally {
          stream.destroy();
        }
      })();
      try {
        await visitor.entry({ name, size: entry.uncompressedSize }, counted);
        read++;
      } catch (error) {
        if (error instanceof ZipLimitError) {
          read++;
          visitor.error(name, error.message);
        } else if (error instanceof ZipEntryError) visitor.error(name, error.message);
        else throw error;
      } finally {
        stream.destroy();
        total += entryBytes;
      }
    }
    return { entries: read };
  } finally {
    zip.close();
  }
}

/** Folders first, then natural order (`2_x` before `10_x`). */
export function compareEntryNames(a: string, b: string): number {
  const depthA = a.includes('/') ? 0 : 1;
  const depthB = b.includes('/') ? 0 : 1;
  if (depthA !== depthB) return depthA - depthB;
  return a.localeCompare(b, 'en', { numeric: true });
}
