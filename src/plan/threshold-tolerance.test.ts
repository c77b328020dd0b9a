/**
 * Algorithm 1's threshold test `K^n ≥ 0.01` (line 5) with a relative
 * tolerance: K = 0.01^(1/5) reaches the threshold exactly at n = 5 in real
 * arithmetic, but Math.pow gives 0.009999999999999995; the round must stay.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundFactors, THRESHOLD_RELATIVE_TOLERANCE } from "./upload-plan.js";

describe("threshold comparison with a relative tolerance", () => {
  it("K = 0.01^(1/5) keeps its 6th round (n = 0..5) though K^5 rounds to just below 0.01", () => {
    const K = 0.01 ** (1 / 5);
    expect(Math.pow(K, 5)).toBeLessThan(0.01); // the rounding the tolerance absorbs
    const factors = roundFactors(K, { threshold: 0.01 });
    expect(factors.length).toBe(6);
    expect(factors[5]).toBeCloseTo(0.01, 12);
    expect(roundFactors(K, { threshold: 0.01, finalRound: true })).toHaveLength(7);
  });

  it("K = 0.1 keeps 3 rounds (1, 0.1, 0.01) and K = 0.5 keeps 7 (down to 0.015625)", () => {
    expect(roundFactors(0.1, { threshold: 0.01 })).toHaveLength(3);
    const half = roundFactors(0.5, { threshold: 0.01 });
    expect(half).toHaveLength(7);
    expect(half[6]).toBe(0.015625);
  });

  it("a factor clearly below the threshold still ends the rounds (K = 0.5, threshold 0.0157 > 0.5^6)", () => {
    expect(roundFactors(0.5, { threshold: 0.0157 })).toHaveLength(6);
  });

  it("for every K = t^(1/m), the rounds are exactly n = 0..m (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 0.5, noNaN: true }), fc.integer({ min: 1, max: 40 }), (t, m) => {
        const K = t ** (1 / m);
        fc.pre(K < 1 - 1e-6);
        const factors = roundFactors(K, { threshold: t });
        // Real arithmetic: K^m = t ≥ t and K^(m+1) = t·K < t·(1 − 1e-6), far outside the tolerance.
        return factors.length === m + 1;
      }),
      { numRuns: 300 },
    );
  });

  it("the tolerance is relative and tiny", () => {
    expect(THRESHOLD_RELATIVE_TOLERANCE).toBeGreaterThan(0);
    expect(THRESHOLD_RELATIVE_TOLERANCE).toBeLessThanOrEqual(1e-9);
  });
});
