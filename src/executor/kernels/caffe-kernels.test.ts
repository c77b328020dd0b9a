/**
 * Tests of the kernels for Caffe's rarer layer types (element-wise neurons,
 * PReLU, Bias, Slice, Crop, Tile, ArgMax, Reduction, Deconvolution): tiny
 * cases computed by hand (the arithmetic is written next to each
 * expectation) and a fast-check comparison of the deconvolution with a
 * direct scatter loop written from the definition.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidModelError } from "../../errors.js";
import type { ConvolutionParams } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { mulberry32 } from "../random-weights.js";
import { deconvolution, deconvolutionOutputShape } from "./deconvolution.js";
import { absVal, bnll, clip, elu, exp, log, power, prelu, sigmoid, swish, tanh, threshold } from "./elementwise.js";
import { bias } from "./normalization.js";
import { crop, slice, tile } from "./rearrange.js";
import { argMax, reduction } from "./reduce.js";

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });
const row = (values: number[]): Tensor => t([1, values.length], values);
const close = (actual: Float32Array, expected: number[], digits = 6): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) expect(actual[i]).toBeNaN();
    else if (!Number.isFinite(e)) expect(actual[i]).toBe(e);
    else expect(actual[i]).toBeCloseTo(e, digits);
  });
};
const LN2 = Math.log(2);
const LN3 = Math.log(3);

describe("element-wise neurons", () => {
  it("Sigmoid: 1/(1+e^-x) at 0, ln 3, -ln 3 is 1/2, 1/(1+1/3) = 3/4, 1/(1+3) = 1/4; no overflow at ±1000", () => {
    close(sigmoid(row([0, LN3, -LN3, 1000, -1000])).data, [0.5, 0.75, 0.25, 1, 0]);
  });

  it("TanH: tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6; AbsVal: |x|", () => {
    close(tanh(row([0, LN2, -LN2])).data, [0, 0.6, -0.6]);
    expect([...absVal(row([-2, 0, 3.5])).data]).toEqual([2, 0, 3.5]);
  });

  it("BNLL: log(1+e^x): ln 2 at 0, ln 4 at ln 3, ln(4/3) at −ln 3; 100 at 100 and 0 at −100 (Caffe's stable form)", () => {
    close(bnll(row([0, LN3, -LN3, 100, -100])).data, [LN2, Math.log(4), Math.log(4 / 3), 100, 0]);
  });

  it("Power: (1 + 3x)^2 at 0, 1, −1 is 1, 16, 4; scale 0 gives the constant shift^power; power 0 gives 1; (−1)^0.5 is NaN", () => {
    expect([...power(row([0, 1, -1]), { power: 2, scale: 3, shift: 1 }).data]).toEqual([1, 16, 4]);
    expect([...power(row([5, -7]), { power: 3, scale: 0, shift: 2 }).data]).toEqual([8, 8]); // 2^3
    expect([...power(row([5, -7]), { power: 0, scale: 4, shift: 2 }).data]).toEqual([1, 1]);
    close(power(row([-1, 4]), { power: 0.5, scale: 1, shift: 0 }).data, [NaN, 2]);
  });

  it("Exp: 2^(1 + x) at 0, 1, 2 is 2, 4, 8; base −1 (e) with scale 2: e^(2x) at 0 and 0.5 is 1 and e", () => {
    close(exp(row([0, 1, 2]), { base: 2, scale: 1, shift: 1 }).data, [2, 4, 8], 5);
    close(exp(row([0, 0.5]), { base: -1, scale: 2, shift: 0 }).data, [1, Math.E]);
    expect(() => exp(row([0]), { base: 0, scale: 1, shift: 0 })).toThrow(InvalidModelError);
  });

  it("Log: log10 of 1, 10, 100 is 0, 1, 2; ln(1 + 2x) at 0 and (e − 1)/2 is 0 and 1; log 0 = −∞, log −1 = NaN", () => {
    close(log(row([1, 10, 100]), { base: 10, scale: 1, shift: 0 }).data, [0, 1, 2], 5);
    close(log(row([0, (Math.E - 1) / 2]), { base: -1, scale: 2, shift: 1 }).data, [0, 1]);
    close(log(row([0, -1]), { base: -1, scale: 1, shift: 0 }).data, [-Infinity, NaN]);
  });

  it("Clip to [−1, 2]: −3, −1, 0.5, 2, 7 → −1, −1, 0.5, 2, 2; NaN → min as with Caffe's std::max(min, std::min(x, max))", () => {
    close(clip(row([-3, -1, 0.5, 2, 7, NaN]), -1, 2).data, [-1, -1, 0.5, 2, 2, -1]);
    expect(() => clip(row([0]), 1, 0)).toThrow(InvalidModelError);
  });

  it("Swish: x·sigmoid(βx): ln 3·3/4 at ln 3, −ln 3/4 at −ln 3; β = 2 at ln 3 / 2 is (ln 3 / 2)·3/4", () => {
    close(swish(row([0, LN3, -LN3])).data, [0, LN3 * 0.75, -LN3 * 0.25]);
    close(swish(row([LN3 / 2]), 2).data, [(LN3 / 2) * 0.75]);
  });

  it("Threshold: x > t ? 1 : 0, strict; t is a float32 as in Caffe (float32(0.1) is not above 0.1f)", () => {
    expect([...threshold(row([0.4, 0.5, 0.6, -1]), 0.5).data]).toEqual([0, 0, 1, 0]);
    expect([...threshold(row([0.1, 0.11]), 0.1).data]).toEqual([0, 1]);
    expect([...threshold(row([-0.5, 0, 0.5])).data]).toEqual([0, 0, 1]);
  });

  it("ELU α = 2: 1 → 1, 0 → 0, −ln 2 → 2·(1/2 − 1) = −1; default α = 1: −∞ → −1", () => {
    close(elu(row([1, 0, -LN2]), 2).data, [1, 0, -1]);
    close(elu(row([-Infinity])).data, [-1]);
  });

  it("PReLU per channel: channels [−1, 2] and [−4, 3] with slopes 0.5, 0.25 → [−0.5, 2], [−1, 3]; shared slope 0.1 → [−0.1, 2], [−0.4, 3]", () => {
    const x = t([1, 2, 2], [-1, 2, -4, 3]);
    expect([...prelu(x, Float32Array.of(0.5, 0.25), false).data]).toEqual([-0.5, 2, -1, 3]);
    close(prelu(x, Float32Array.of(0.1), true).data, [-0.1, 2, -0.4, 3]);
    expect(() => prelu(x, Float32Array.of(1, 2, 3), false)).toThrow(/3 slopes for 2 channels/);
  });
});

describe("Bias", () => {
  const x = t([1, 2, 2], [1, 2, 3, 4]);
  it("adds [10, 20] per channel (axis 1): [1, 2, 3, 4] → [11, 12, 23, 24]; along axis 2: [11, 22, 13, 24]", () => {
    expect([...bias(x, t([2], [10, 20]), 1).data]).toEqual([11, 12, 23, 24]);
    expect([...bias(x, t([2], [10, 20]), 2).data]).toEqual([11, 22, 13, 24]);
  });
  it("a [2, 2] bias at axis 1 adds element-wise; a scalar bias at axis = rank adds to every element", () => {
    expect([...bias(x, t([2, 2], [1, 1, 2, 2]), 1).data]).toEqual([2, 3, 5, 6]);
    expect([...bias(x, t([], [0.5]), 3).data]).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(() => bias(x, t([3], [1, 2, 3]), 1)).toThrow(/does not match/);
  });
});

describe("Slice, Crop, Tile", () => {
  it("Slice [0 … 4] on axis 1 at points 1, 3 → [0], [1, 2], [3, 4]; a [4, 2] tensor in two equal parts on axis 0", () => {
    const parts = slice(t([1, 5], [0, 1, 2, 3, 4]), { axis: 1, slicePoints: [1, 3] }, 3);
    expect(parts.map((p) => p.shape)).toEqual([[1, 1], [1, 2], [1, 2]]);
    expect(parts.map((p) => [...p.data])).toEqual([[0], [1, 2], [3, 4]]);
    const halves = slice(t([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]), { axis: 0, slicePoints: [] }, 2);
    expect(halves.map((p) => [...p.data])).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    // Along the last axis of [2, 3]: rows [1, 2, 3] and [4, 5, 6] → columns 0 | 1–2.
    const cols = slice(t([2, 3], [1, 2, 3, 4, 5, 6]), { axis: -1, slicePoints: [1] }, 2);
    expect(cols.map((p) => [...p.data])).toEqual([[1, 4], [2, 3, 5, 6]]);
    expect(() => slice(t([1, 5], [0, 1, 2, 3, 4]), { axis: 1, slicePoints: [] }, 2)).toThrow(/does not split evenly/);
  });

  it("Crop a 4×4 grid 0 … 15 to 2×3 at offset (1, 1) → rows 1–2, columns 1–3: 5 6 7 / 9 10 11", () => {
    const grid = t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
    const out = crop(grid, [1, 1, 2, 3], { axis: 2, offsets: [1, 1] });
    expect(out.shape).toEqual([1, 1, 2, 3]);
    expect([...out.data]).toEqual([5, 6, 7, 9, 10, 11]);
    expect([...crop(grid, [1, 1, 2, 3], { axis: 2, offsets: [1] }).data]).toEqual([5, 6, 7, 9, 10, 11]);
    expect([...crop(grid, [1, 1, 2, 2], { axis: 2, offsets: [] }).data]).toEqual([0, 1, 4, 5]);
    expect(() => crop(grid, [1, 1, 2, 3], { axis: 2, offsets: [3, 0] })).toThrow(InvalidModelError);
  });

  it("Crop from axis 1 with offsets (1, 1, 0) on a [1, 2, 3, 3] tensor 0 … 17: channel 1 (base 9), rows 1–2, columns 0–1 → 12 13 15 16", () => {
    const x = t([1, 2, 3, 3], Array.from({ length: 18 }, (_, i) => i));
    expect([...crop(x, [1, 1, 2, 2], { axis: 1, offsets: [1, 1, 0] }).data]).toEqual([12, 13, 15, 16]);
  });

  it("Tile: [1, 2] three times on axis 1 → 1 2 1 2 1 2; [[1, 2], [3, 4]] twice on axis 0 → 1 2 3 4 1 2 3 4, on axis 1 → 1 2 1 2 3 4 3 4", () => {
    expect([...tile(t([1, 2], [1, 2]), { axis: 1, tiles: 3 }).data]).toEqual([1, 2, 1, 2, 1, 2]);
    const m = t([2, 2], [1, 2, 3, 4]);
    const rows = tile(m, { axis: 0, tiles: 2 });
    expect(rows.shape).toEqual([4, 2]);
    expect([...rows.data]).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect([...tile(m, { axis: 1, tiles: 2 }).data]).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
  });
});

describe("ArgMax and Reduction", () => {
  const x = t([2, 4], [3, 1, 4, 1, 5, 9, 2, 6]);
  it("ArgMax top 2 per item: [3, 1, 4, 1] → 4 at 2, 3 at 0; [5, 9, 2, 6] → 9 at 1, 6 at 3; with values: indices then values", () => {
    const indices = argMax(x, { topK: 2, outMaxVal: false });
    expect(indices.shape).toEqual([2, 1, 2]);
    expect([...indices.data]).toEqual([2, 0, 1, 3]);
    const withValues = argMax(x, { topK: 2, outMaxVal: true });
    expect(withValues.shape).toEqual([2, 2, 2]);
    expect([...withValues.data]).toEqual([2, 0, 4, 3, 1, 3, 9, 6]);
  });

  it("ArgMax ties go to the larger index (Caffe's std::greater on (value, index) pairs): [1, 7, 7, 2] → 2", () => {
    expect([...argMax(t([1, 4], [1, 7, 7, 2]), { topK: 1, outMaxVal: false }).data]).toEqual([2]);
  });

  it("ArgMax along axis 1 of [1, 3, 2] (channels [1, 5], [3, 2], [2, 8]): position 0 → 1, position 1 → 2; top 2 → [1, 2], then [2, 0]", () => {
    const y = t([1, 3, 2], [1, 5, 3, 2, 2, 8]);
    expect([...argMax(y, { topK: 1, outMaxVal: false, axis: 1 }).data]).toEqual([1, 2]);
    expect([...argMax(y, { topK: 1, outMaxVal: true, axis: 1 }).data]).toEqual([3, 8]);
    const top2 = argMax(y, { topK: 2, outMaxVal: false, axis: 1 });
    expect(top2.shape).toEqual([1, 2, 2]);
    expect([...top2.data]).toEqual([1, 2, 2, 0]);
  });

  it("Reduction over axis 1 of [[1, −2, 3], [4, 5, −6]]: sum 2, 3; asum 6, 15; sumsq 14, 77; mean × 2: 4/3, 2; over axis 0: sum 5 (a scalar)", () => {
    const m = t([2, 3], [1, -2, 3, 4, 5, -6]);
    expect([...reduction(m, { operation: "sum", axis: 1, coeff: 1 }).data]).toEqual([2, 3]);
    expect([...reduction(m, { operation: "asum", axis: 1, coeff: 1 }).data]).toEqual([6, 15]);
    expect([...reduction(m, { operation: "sumsq", axis: 1, coeff: 1 }).data]).toEqual([14, 77]);
    close(reduction(m, { operation: "mean", axis: 1, coeff: 2 }).data, [4 / 3, 2]);
    const all = reduction(m, { operation: "sum", axis: 0, coeff: -1 });
    expect(all.shape).toEqual([]);
    expect([...all.data]).toEqual([-5]);
  });
});

const deconvParams = (p: Partial<ConvolutionParams> & { numOutput: number; kernelH: number; kernelW: number }): ConvolutionParams => ({
  strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: false, ...p,
});

/** Transposed convolution by the definition: every input pixel adds weight × value to the output pixels its kernel taps reach. */
function naiveDeconvolution(input: Tensor, weights: Float32Array, bias: Float32Array | undefined, p: ConvolutionParams): Float64Array {
  const [n, cin, h, w] = input.shape as [number, number, number, number];
  const ho = p.strideH * (h - 1) + p.dilationH * (p.kernelH - 1) + 1 - 2 * p.padH;
  const wo = p.strideW * (w - 1) + p.dilationW * (p.kernelW - 1) + 1 - 2 * p.padW;
  const cout = p.numOutput;
  const cinG = cin / p.group;
  const coutG = cout / p.group;
  const out = new Float64Array(n * cout * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < cin; c++) {
      const g = Math.floor(c / cinG);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const v = input.data[((b * cin + c) * h + iy) * w + ix]!;
          for (let o = 0; o < coutG; o++) {
            for (let i = 0; i < p.kernelH; i++) {
              for (let j = 0; j < p.kernelW; j++) {
                const y = iy * p.strideH - p.padH + i * p.dilationH;
                const x = ix * p.strideW - p.padW + j * p.dilationW;
                if (y < 0 || y >= ho || x < 0 || x >= wo) continue;
                out[((b * cout + g * coutG + o) * ho + y) * wo + x]! += v * weights[((c * coutG + o) * p.kernelH + i) * p.kernelW + j]!;
              }
            }
          }
        }
      }
    }
  }
  if (bias !== undefined) for (let i = 0; i < out.length; i++) out[i]! += bias[Math.floor(i / (ho * wo)) % cout]!;
  return out;
}

describe("Deconvolution", () => {
  const x = t([1, 1, 2, 2], [1, 2, 3, 4]);
  const w = Float32Array.of(1, 10, 100, 1000);
  it("stride 2, 2×2 kernel [[1, 10], [100, 1000]]: each input pixel paints its own 2×2 block of the 4×4 output", () => {
    const out = deconvolution(x, w, undefined, deconvParams({ numOutput: 1, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2 }));
    expect(out.shape).toEqual([1, 1, 4, 4]);
    expect([...out.data]).toEqual([1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000]);
  });

  it("stride 1: overlapping blocks add (centre = 1·1000 + 2·100 + 3·10 + 4·1 = 1234), plus bias 0.5", () => {
    const out = deconvolution(x, w, Float32Array.of(0.5), deconvParams({ numOutput: 1, kernelH: 2, kernelW: 2, biasTerm: true }));
    expect(out.shape).toEqual([1, 1, 3, 3]);
    // y0: 1, 10 + 2, 20; y1: 100 + 3, 1234, 2000 + 40; y2: 300, 3000 + 400, 4000.
    expect([...out.data]).toEqual([1, 12, 20, 103, 1234, 2040, 300, 3400, 4000].map((v) => v + 0.5));
  });

  it("rejects weights of the wrong size and padding that empties the output", () => {
    expect(() => deconvolution(x, new Float32Array(3), undefined, deconvParams({ numOutput: 1, kernelH: 2, kernelW: 2 }))).toThrow(/weights have 3 values/);
    expect(() => deconvolutionOutputShape([1, 1, 1, 1], deconvParams({ numOutput: 1, kernelH: 1, kernelW: 1, padH: 1, padW: 1 }))).toThrow(InvalidModelError);
  });

  it("equals the direct scatter loop within float32 rounding on random shapes (groups, stride, pad, dilation, bias)", () => {
    fc.assert(
      fc.property(
        fc.record({
          group: fc.integer({ min: 1, max: 3 }),
          cinG: fc.integer({ min: 1, max: 3 }),
          coutG: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 1, max: 6 }),
          w: fc.integer({ min: 1, max: 6 }),
          k: fc.integer({ min: 1, max: 4 }),
          stride: fc.integer({ min: 1, max: 3 }),
          dilation: fc.integer({ min: 1, max: 2 }),
          pad: fc.integer({ min: 0, max: 2 }),
          biasTerm: fc.boolean(),
          seed: fc.integer(),
        }),
        (c) => {
          const p = deconvParams({
            numOutput: c.group * c.coutG, kernelH: c.k, kernelW: c.k, strideH: c.stride, strideW: c.stride,
            padH: c.pad, padW: c.pad, dilationH: c.dilation, dilationW: c.dilation, group: c.group, biasTerm: c.biasTerm,
          });
          const cin = c.group * c.cinG;
          const extent = c.dilation * (c.k - 1) + 1;
          fc.pre(c.stride * (c.h - 1) + extent - 2 * c.pad >= 1 && c.stride * (c.w - 1) + extent - 2 * c.pad >= 1);
          const next = mulberry32(c.seed);
          const input = t([1, cin, c.h, c.w], Array.from({ length: cin * c.h * c.w }, () => next() * 2 - 1));
          const weights = Float32Array.from({ length: cin * c.coutG * c.k * c.k }, () => next() * 2 - 1);
          const b = c.biasTerm ? Float32Array.from({ length: p.numOutput }, () => next() - 0.5) : undefined;
          const fast = deconvolution(input, weights, b, p).data;
          const slow = naiveDeconvolution(input, weights, b, p);
          expect(fast.length).toBe(slow.length);
          // At most cinG·k² products of magnitude ≤ 1 plus a bias of ≤ 0.5 per output.
          const bound = (c.cinG * c.k * c.k + 2) * 2 ** -22;
          for (let i = 0; i < slow.length; i++) expect(Math.abs(fast[i]! - slow[i]!)).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 120 },
    );
  });
});
