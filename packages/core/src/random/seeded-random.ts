/** Saved state of a {@link SeededRandom}; plain JSON so it can go into a checkpoint's state.json. */
export interface RandomState {
  readonly algorithm: 'mulberry32';
  /** The 32-bit generator state (an unsigned integer). */
  readonly state: number;
}

/**
 * Mixes a seed and any number of integer keys into one 32-bit seed (murmur3 finaliser per word), so independent
 * streams (`'split'`, `'init', layer`, `'epoch', 7`) come from one user seed without sharing a sequence.
 */
export function deriveSeed(seed: number, ...keys: ReadonlyArray<number | string>): number {
  let h = mix32(seed | 0);
  for (const key of keys) {
    if (typeof key === 'number') {
      h = mix32(h ^ (key | 0)) ^ mix32(Math.floor(key / 2 ** 32));
    } else {
      for (let i = 0; i < key.length; i += 1) {
        h = mix32(h ^ key.charCodeAt(i));
      }
    }
    h = mix32(h + 0x9e3779b9);
  }
  return h >>> 0;
}

function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Deterministic PRNG (mulberry32): one 32-bit word of state, so saving and restoring it for a checkpoint is free.
 * Quality is ample for shuffles, splits and dropout masks; it is not cryptographic. Use it wherever training must be
 * reproducible across processes and restarts instead of `Math.random`.
 */
export class SeededRandom {
  private state: number;

  private constructor(state: number) {
    this.state = state >>> 0;
  }

  /** A generator seeded from `seed` and optional stream keys (see {@link deriveSeed}). */
  static fromSeed(seed: number, ...keys: ReadonlyArray<number | string>): SeededRandom {
    return new SeededRandom(deriveSeed(seed, ...keys));
  }

  /** Continues exactly where the generator that produced `saved` stopped. */
  static fromState(saved: RandomState): SeededRandom {
    if (saved.algorithm !== 'mulberry32' || !Number.isInteger(saved.state)) {
      throw new Error(`unsupported random state: ${JSON.stringify(saved)}`);
    }
    return new SeededRandom(saved.state);
  }

  saveState(): RandomState {
    return { algorithm: 'mulberry32', state: this.state };
  }

  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(`nextInt bound must be an integer in 1..2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) {
        return x % n;
      }
    }
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T {
    for (let i = values.length - 1; i > 0; i -= 1) {
      const j = this.nextInt(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i += 1) {
      out[i] = i;
    }
    return this.shuffle(out);
  }
}
