import { ValueError } from '../errors.js';

/** A seed: any finite number (its integer part is used). */
export type Seed = number;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The seeded random number generator behind every stochastic part of flowsentry
 * (sfc32, seeded through splitmix32). Same seed, same sequence, on every platform.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: Seed) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new ValueError('seed', 'a finite number', seed);
    }
    const mix = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform double in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new ValueError('n', 'an integer in [1, 2^32]', n);
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** A standard normal draw (Marsaglia's polar method). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + std * u * f;
  }

  /**
   * Shuffles `array` in place (Fisher-Yates) and returns it.
   * @typeParam T Any indexable array-like: a plain array or a typed array.
   * @param array The array to permute in place.
   * @returns The same `array`, permuted.
   */
  shuffle<
    T extends {
      /** Number of elements. */
      length: number;
      [i: number]: unknown;
    },
  >(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** `k` distinct indices drawn uniformly from 0..n-1, in draw order. */
  sampleWithoutReplacement(n: number, k: number): Int32Array {
    if (!Number.isInteger(k) || k < 0 || k > n) throw new ValueError('k', `an integer in [0, ${n}]`, k);
    const out = new Int32Array(k);
    if (k * 4 > n) {
      const p = this.permutation(n);
      out.set(p.subarray(0, k));
      return out;
    }
    // Floyd-like rejection with a set: O(k) expected for k << n.
    const seen = new Set<number>();
    for (let i = 0; i < k; i++) {
      let j = this.int(n);
      while (seen.has(j)) j = this.int(n);
      seen.add(j);
      out[i] = j;
    }
    return out;
  }

  /** A seed for another generator or a tfjs initializer, drawn from this one. */
  nextSeed(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** An independent generator derived from this one. */
  fork(): Rng {
    return new Rng(this.nextUint32() * 4096 + (this.nextUint32() & 0xfff));
  }
}

/** Resolves an optional seed: a given seed, or a fixed default so that results are reproducible. */
export function rngFrom(seed: Seed | Rng | undefined, defaultSeed = 0): Rng {
  if (seed instanceof Rng) return seed;
  return new Rng(seed ?? defaultSeed);
}
