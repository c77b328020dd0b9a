import fc from "fast-check";
import { Matrix, solve } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { LeastSquaresDegenerate, leastSquares } from "./least-squares.js";

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe("leastSquares (Householder QR)", () => {
  it("recovers y = 2 + 3t exactly", () => {
    const x = Float64Array.from([1, 0, 1, 1, 1, 2]);
    const y = Float64Array.from([2, 5, 8]);
    const { coefficients, residualSumOfSquares } = leastSquares(x, y, 3, 2);
    expect(coefficients[0]).toBeCloseTo(2, 12);
    expect(coefficients[1]).toBeCloseTo(3, 12);
    expect(residualSumOfSquares).toBeLessThan(1e-24);
  });

  it("matches the hand-computed fit of 4 noisy points", () => {
    // t = 1,2,3,4 ; y = 2,4,5,4.  mean t = 2.5, mean y = 3.75
    // Sxy = (-1.5)(-1.75)+(-0.5)(0.25)+(0.5)(1.25)+(1.5)(0.25) = 2.625+(-0.125)+0.625+0.375 = 3.5
    // Sxx = 2.25+0.25+0.25+2.25 = 5 → slope 0.7, intercept 3.75 − 1.75 = 2.0
    // fitted 2.7, 3.4, 4.1, 4.8 → residuals −0.7, 0.6, 0.9, −0.8 → RSS 0.49+0.36+0.81+0.64 = 2.3
    const x = Float64Array.from([1, 1, 1, 2, 1, 3, 1, 4]);
    const y = Float64Array.from([2, 4, 5, 4]);
    const r = leastSquares(x, y, 4, 2);
    expect(r.coefficients[0]).toBeCloseTo(2.0, 12);
    expect(r.coefficients[1]).toBeCloseTo(0.7, 12);
    expect(r.residualSumOfSquares).toBeCloseTo(2.3, 12);
  });

  it("recovers three coefficients of wildly different scales to 1e-9 relative", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1e-12, max: 1e-6, noNaN: true }),
        fc.double({ min: 1e-9, max: 1e-3, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e6 })), { minLength: 6, maxLength: 30 }),
        (b0, b1, b2, pts) => {
          const rows = pts.length;
          const x = new Float64Array(rows * 3);
          const y = new Float64Array(rows);
          pts.forEach(([u, v], i) => {
            x[i * 3] = 1;
            x[i * 3 + 1] = u;
            x[i * 3 + 2] = v;
            y[i] = b0 + b1 * u + b2 * v;
          });
          // Skip degenerate random draws (all u or v collinear) — covered elsewhere.
          let r;
          try {
            r = leastSquares(x, y, rows, 3);
          } catch (e) {
            if (e instanceof LeastSquaresDegenerate) return;
            throw e;
          }
          const scaleY = Math.max(...Array.from(y, Math.abs));
          // Predictions agree to 1e-9 of the data scale; coefficients to 1e-9 relative when well determined.
          for (let i = 0; i < rows; i++) {
            const fit = r.coefficients[0]! + r.coefficients[1]! * x[i * 3 + 1]! + r.coefficients[2]! * x[i * 3 + 2]!;
            expect(Math.abs(fit - y[i]!)).toBeLessThan(1e-9 * scaleY);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("agrees with ml-matrix's solver on an overdetermined noisy system", () => {
    const rows = 12;
    const x = new Float64Array(rows * 3);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const u = 1000 * (i + 1) + ((i * 37) % 11);
      const v = ((i * 13) % 7) + 0.5 * i;
      x.set([1, u, v], i * 3);
      y[i] = 0.3 + 2e-4 * u - 0.05 * v + (((i * 29) % 5) - 2) * 0.01;
    }
    const ours = leastSquares(x, y, rows, 3).coefficients;
    const X = new Matrix(rows, 3);
    for (let i = 0; i < rows; i++) for (let j = 0; j < 3; j++) X.set(i, j, x[i * 3 + j]!);
    const theirs = solve(X, Matrix.columnVector(Array.from(y)), true).to1DArray();
    for (let j = 0; j < 3; j++) expect(rel(ours[j]!, theirs[j]!)).toBeLessThan(1e-8);
  });

  it("rejects too few rows, NaN, Infinity and rank deficiency", () => {
    expect(() => leastSquares(Float64Array.from([1, 5]), Float64Array.from([1]), 1, 2)).toThrow(LeastSquaresDegenerate);
    expect(() => leastSquares(Float64Array.from([1, NaN, 1, 2]), Float64Array.from([1, 2]), 2, 2)).toThrow(/non-finite/);
    expect(() => leastSquares(Float64Array.from([1, 1, 1, 2]), Float64Array.from([1, Infinity]), 2, 2)).toThrow(/non-finite/);
    // all t equal: the t column is 7 × the intercept column
    try {
      leastSquares(Float64Array.from([1, 7, 1, 7, 1, 7]), Float64Array.from([1, 2, 3]), 3, 2);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LeastSquaresDegenerate);
      expect((e as LeastSquaresDegenerate).reason).toBe("rank-deficient");
      expect((e as LeastSquaresDegenerate).column).toBe(1);
    }
    // proportional variables u = 2v
    expect(() =>
      leastSquares(Float64Array.from([1, 2, 1, 1, 4, 2, 1, 6, 3, 1, 9, 4.5]), Float64Array.from([1, 2, 3, 4]), 4, 3),
    ).toThrow(/linear combination/);
  });
});
