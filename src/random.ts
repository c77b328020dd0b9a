/**
 * The one seeded pseudo-random generator of the library. Nothing in `src/`
 * calls `Math.random`: randomness (weights, sweeps, jitter, test networks) is
 * drawn from a generator created from a seed the caller passes in.
 *
 * [Reference]: T. Ettinger, "mulberry32" (public-domain 32-bit generator).
 *
 * @module
 */

/**
 * The mulberry32 generator: a function returning uniform numbers in `[0, 1)`,
 * fully determined by the 32-bit `seed`.
 *
 * @example
 * ```ts
 * const next = mulberry32(42);
 * next(); // same value on every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

