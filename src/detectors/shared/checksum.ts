/**
 * The checksum of GitHub's (2021) and npm's token formats: `<prefix>_` + 30 random base62
 * characters + the CRC-32 of those 30 characters, written as 6 base62 digits (alphabet
 * `0-9A-Za-z`, most significant first, zero-padded). Described in GitHub's blog post "Behind
 * GitHub's new authentication token formats" (2021-04-05); implemented from that description.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of the low byte of each UTF-16 unit; callers pass ASCII. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let index = 0; index < text.length; index++) {
    crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ text.charCodeAt(index)) & 0xff]!;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function base62(value: number, width = 6): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** `body` is what follows `ghp_`/`npm_`: 30 random characters and 6 checksum characters. */
export function hasValidChecksum(body: string): boolean {
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30))) === body.slice(30);
}
