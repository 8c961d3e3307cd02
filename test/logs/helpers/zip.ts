import { constants, crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';

/** A small zip writer for tests: stored or deflated entries, sizes that can lie. */

export interface ZipEntrySpec {
  name: string;
  data: Buffer | string;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Already-compressed bytes (for bombs built from a stream); `data` is ignored then. */
  compressed?: Buffer;
  /** Inflated size and CRC to write in the headers (default: the truth). */
  declaredSize?: number;
  crc?: number;
}

/** CRC-32 of the stored bytes, as zip headers carry it (zlib's, Node ≥ 20.15). */
export function crc32(data: Buffer): number {
  return zlibCrc32(data);
}

export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const method = entry.compressed ? 8 : entry.method ?? 8;
    const body = entry.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const size = entry.declaredSize ?? data.length;
    const crc = entry.crc ?? crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** `bytes` zeros (or a repeated `fill`), deflated a MiB at a time so the test never holds them all (a zip bomb's payload). */
export function deflatedZeros(bytes: number, fill: number | string = 0): Buffer {
  // Each piece is deflated on its own and ends with a sync flush (no final bit), so the pieces
  // concatenate into one valid stream; the last one finishes it.
  const mib = Buffer.alloc(1024 * 1024, fill);
  const pieces: Buffer[] = [];
  let left = bytes;
  while (left > 0) {
    const take = Math.min(left, mib.length);
    left -= take;
    pieces.push(deflateRawSync(mib.subarray(0, take), { finishFlush: left === 0 ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }));
  }
  return Buffer.concat(pieces);
}
