// What the benchmark scripts share: their seeded PRNG and their option checks.

/**
 * mulberry32: 32 random bits per call from a 32-bit seed. The generated corpora, logs and indexes
 * are defined by its output, so it must never change.
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Seeded draws; the generators extend it with what they need. */
export class SeededRandom {
  constructor(seed) {
    this.u32 = mulberry32(seed);
  }
  /** A number in [0, 1). */
  next() {
    return this.u32() / 4294967296;
  }
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }
  /** [[weight, value], …] */
  weighted(pairs) {
    const total = pairs.reduce((sum, [w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [w, value] of pairs) {
      r -= w;
      if (r < 0) return value;
    }
    return pairs[pairs.length - 1][1];
  }
}

/** `--name` (from `parseArgs` values) as a whole number ≥ 1; otherwise a message and exit code 2. */
export function positiveOption(values, name) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} must be a positive integer\n`);
    process.exit(2);
  }
  return value;
}
