/**
 * Kernel tests: hand-computed tiny cases (the arithmetic is written next to
 * each expectation) and fast-check comparisons with the independent naive
 * implementations in ../naive.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidModelError } from "../../errors.js";
import type { ConvolutionParams, PoolingParams } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { mulberry32 } from "../random-weights.js";
import { naiveConvolution, naivePooling } from "../naive.js";
import { dropout, relu } from "./activation.js";
import { concat, eltwise, split } from "./combine.js";
import { convolution } from "./convolution.js";
import { sgemm, sgemmBackend } from "./gemm.js";
import { javascriptTileKernel, TILE_COLS, TILE_ROWS, wasmTileKernel } from "./wasm-simd.js";
import { innerProduct } from "./inner-product.js";
import { lrn } from "./lrn.js";
import { batchNorm, scale } from "./normalization.js";
import { pooling, poolingOutputShape } from "./pooling.js";
import { flatten, reshape } from "./reshape.js";
import { softmax } from "./softmax.js";

const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });
const f32 = (values: number[]): Float32Array => Float32Array.from(values);
const convParams = (p: Partial<ConvolutionParams> & { numOutput: number; kernelH: number; kernelW: number }): ConvolutionParams => ({
  strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: false, ...p,
});
const poolParams = (p: Partial<PoolingParams>): PoolingParams => ({
  method: "max", kernelH: 2, kernelW: 2, strideH: 1, strideW: 1, padH: 0, padW: 0, global: false, rounding: "ceil", ...p,
});
const close = (actual: Float32Array, expected: number[], digits = 6): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
};
/**
 * Worst-case error of a float32 sum of n products against the exact value:
 * γ_(n+1) · Σ|terms| with γ_m = m·u/(1 − m·u), u = 2^-24 (Higham, "Accuracy and
 * Stability of Numerical Algorithms", §3.1), plus one rounding of the result.
 * The fast kernels accumulate in float32 (≈1e-7 relative per operation).
 */
function float32SumBound(n: number, sumAbs: number): number {
  const u = 2 ** -24;
  const gamma = ((n + 2) * u) / (1 - (n + 2) * u);
  return gamma * sumAbs + 1e-30;
}
const grid3 = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe("sgemm", () => {
  it("computes a 2×2 product: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]", () => {
    const c = new Float32Array(4);
    sgemm(2, 2, 2, f32([1, 2, 3, 4]), 0, 2, f32([5, 6, 7, 8]), 0, 2, c, 0, 2);
    expect([...c]).toEqual([19, 22, 43, 50]);
  });

  it("equals a naive triple loop within the float32 summation bound, on random sizes past the block sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 1100 }), fc.integer({ min: 1, max: 300 }), fc.integer(), (m, n, k, seed) => {
        fc.pre(m * n * k <= 2e6);
        const next = mulberry32(seed);
        const a = Float32Array.from({ length: m * k }, () => next() * 2 - 1);
        const b = Float32Array.from({ length: k * n }, () => next() * 2 - 1);
        const c = new Float32Array(m * n);
        sgemm(m, n, k, a, 0, k, b, 0, n, c, 0, n);
        let violations = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            let sumAbs = 0;
            for (let p = 0; p < k; p++) {
              sum += a[i * k + p]! * b[p * n + j]!;
              sumAbs += Math.abs(a[i * k + p]! * b[p * n + j]!);
            }
            if (!(Math.abs(c[i * n + j]! - sum) <= float32SumBound(k, sumAbs))) violations++;
          }
        }
        expect(violations).toBe(0);
      }),
      { numRuns: 25 },
    );
  });
});

describe("tile kernels", () => {
  it("the WebAssembly SIMD and the JavaScript tile kernels give the same bits", () => {
    const floats = 1 << 16;
    const wasm = wasmTileKernel(floats);
    // Node 20 has WebAssembly SIMD; sgemm uses it.
    expect(wasm?.kind).toBe("wasm-simd");
    expect(sgemmBackend()).toBe("wasm-simd");
    const js = javascriptTileKernel(floats);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 300 }), fc.integer(), (mStrips, nStrips, kc, seed) => {
        const next = mulberry32(seed);
        const packed = (mStrips * TILE_ROWS + nStrips * TILE_COLS) * kc;
        for (let i = 0; i < packed; i++) {
          const v = next() * 2 - 1;
          wasm!.heap[i] = v;
          js.heap[i] = v;
        }
        const cOff = packed;
        wasm!.tiles(0, mStrips * TILE_ROWS * kc, cOff, mStrips, nStrips, kc);
        js.tiles(0, mStrips * TILE_ROWS * kc, cOff, mStrips, nStrips, kc);
        const size = mStrips * TILE_ROWS * nStrips * TILE_COLS;
        const a = new Uint32Array(wasm!.heap.buffer, wasm!.heap.byteOffset + cOff * 4, size);
        const b = new Uint32Array(js.heap.buffer, cOff * 4, size);
        expect([...a]).toEqual([...b]);
      }),
      { numRuns: 30 },
    );
  });
});

describe("convolution", () => {
  it("3×3 input, 2×2 kernel [[1,2],[3,4]], stride 1: each output = 1·a + 2·b + 3·c + 4·d of its window", () => {
    // (0,0): 1·1+2·2+3·4+4·5 = 37; (0,1): 2+6+15+24 = 47; (1,0): 4+10+21+32 = 67; (1,1): 5+12+24+36 = 77
    const out = convolution(grid3, f32([1, 2, 3, 4]), undefined, convParams({ numOutput: 1, kernelH: 2, kernelW: 2 }));
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect([...out.data]).toEqual([37, 47, 67, 77]);
  });

  it("pad 1, stride 2: windows start at -1 and 1, padding reads zero", () => {
    // size floor((3+2-2)/2)+1 = 2. (0,0): only pixel 1 under weight 4 → 4; (0,1): 2·3 + 3·4 = 18;
    // (1,0): 4·2 + 7·4 = 36; (1,1): 5·1 + 6·2 + 8·3 + 9·4 = 77
    const out = convolution(grid3, f32([1, 2, 3, 4]), undefined, convParams({ numOutput: 1, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 1, padW: 1 }));
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect([...out.data]).toEqual([4, 18, 36, 77]);
  });

  it("groups: 2 groups of 1 channel vs one group mixing both, with bias", () => {
    const x = t([1, 2, 1, 1], [2, 3]);
    // group 2: [5·2 + 1, 7·3 − 1] = [11, 20]
    const grouped = convolution(x, f32([5, 7]), f32([1, -1]), convParams({ numOutput: 2, kernelH: 1, kernelW: 1, group: 2, biasTerm: true }));
    expect([...grouped.data]).toEqual([11, 20]);
    // group 1, W = [[1,2],[3,4]]: [1·2 + 2·3, 3·2 + 4·3] = [8, 18]
    const full = convolution(x, f32([1, 2, 3, 4]), undefined, convParams({ numOutput: 2, kernelH: 1, kernelW: 1 }));
    expect([...full.data]).toEqual([8, 18]);
  });

  it("dilation 2 on a row: taps 2 apart", () => {
    // kernel [1, 10] spans 3 pixels: [1 + 10·3, 2 + 10·4, 3 + 10·5] = [31, 42, 53]
    const out = convolution(t([1, 1, 1, 5], [1, 2, 3, 4, 5]), f32([1, 10]), undefined, convParams({ numOutput: 1, kernelH: 1, kernelW: 2, dilationW: 2 }));
    expect(out.shape).toEqual([1, 1, 1, 3]);
    expect([...out.data]).toEqual([31, 42, 53]);
  });

  it("depthwise (group = channels): each channel with its own filter", () => {
    // ch0 [[1,2],[3,4]] · ones = 10, + bias 0.5 = 10.5; ch1 [[5,6],[7,8]] · [[1,0],[0,1]] = 5 + 8 = 13
    const x = t([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const out = convolution(x, f32([1, 1, 1, 1, 1, 0, 0, 1]), f32([0.5, 0]), convParams({ numOutput: 2, kernelH: 2, kernelW: 2, group: 2, biasTerm: true }));
    expect(out.shape).toEqual([1, 2, 1, 1]);
    expect([...out.data]).toEqual([10.5, 13]);
  });

  it("rejects weights of the wrong size and channels not divisible by the group", () => {
    expect(() => convolution(grid3, f32([1, 2, 3]), undefined, convParams({ numOutput: 1, kernelH: 2, kernelW: 2 }))).toThrow(InvalidModelError);
    expect(() => convolution(t([1, 3, 1, 1], [1, 2, 3]), f32([1, 2, 3]), undefined, convParams({ numOutput: 2, kernelH: 1, kernelW: 1, group: 2 }))).toThrow(/group/);
  });

  it("equals the naive 7-loop convolution within the float32 summation bound on random shapes (groups, depthwise, stride, pad, dilation)", () => {
    const shape = fc.record({
      groups: fc.integer({ min: 1, max: 3 }),
      cinPerGroup: fc.integer({ min: 1, max: 5 }),
      coutPerGroup: fc.integer({ min: 1, max: 6 }),
      h: fc.integer({ min: 1, max: 12 }),
      w: fc.integer({ min: 1, max: 12 }),
      kh: fc.integer({ min: 1, max: 5 }),
      kw: fc.integer({ min: 1, max: 5 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      ph: fc.integer({ min: 0, max: 3 }),
      pw: fc.integer({ min: 0, max: 3 }),
      dh: fc.integer({ min: 1, max: 3 }),
      dw: fc.integer({ min: 1, max: 3 }),
      bias: fc.boolean(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(shape, (s) => {
        const extentH = s.dh * (s.kh - 1) + 1;
        const extentW = s.dw * (s.kw - 1) + 1;
        fc.pre(s.h + 2 * s.ph >= extentH && s.w + 2 * s.pw >= extentW);
        const next = mulberry32(s.seed);
        const cin = s.groups * s.cinPerGroup;
        const cout = s.groups * s.coutPerGroup;
        const params = convParams({
          numOutput: cout, kernelH: s.kh, kernelW: s.kw, strideH: s.sh, strideW: s.sw, padH: s.ph, padW: s.pw,
          dilationH: s.dh, dilationW: s.dw, group: s.groups, biasTerm: s.bias,
        });
        const x: Tensor = { shape: [1, cin, s.h, s.w], data: Float32Array.from({ length: cin * s.h * s.w }, () => next() * 2 - 1) };
        const weights = Float32Array.from({ length: cout * s.cinPerGroup * s.kh * s.kw }, () => next() * 2 - 1);
        const bias = s.bias ? Float32Array.from({ length: cout }, () => next() - 0.5) : undefined;
        const fast = convolution(x, weights, bias, params);
        const slow = naiveConvolution(x, weights, bias, params);
        // Σ|w·x| + |b| per output: the naive convolution of the absolute values.
        const abs = (v: Float32Array): Float32Array => v.map(Math.abs);
        const magnitude = naiveConvolution({ shape: x.shape, data: abs(x.data) }, abs(weights), bias && abs(bias), params);
        const depth = s.cinPerGroup * s.kh * s.kw;
        expect(fast.shape).toEqual(slow.shape);
        for (let i = 0; i < slow.data.length; i++) {
          expect(Math.abs(fast.data[i]! - slow.data[i]!)).toBeLessThanOrEqual(float32SumBound(depth + 1, magnitude.data[i]!));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("pooling", () => {
  const grid4 = t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));

  it("max 3×3 stride 2 with ceil rounding keeps a clipped last window; floor drops it", () => {
    // ceil((4-3)/2)+1 = 2; windows at rows/cols {0..2} and {2..3}: max 11, 12, 15, 16
    const out = pooling(grid4, poolParams({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2 }));
    expect(out.shape).toEqual([1, 1, 2, 2]);
    expect([...out.data]).toEqual([11, 12, 15, 16]);
    // floor((4-3)/2)+1 = 1
    expect([...pooling(grid4, poolParams({ kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, rounding: "floor" })).data]).toEqual([11]);
  });

  it("average 3×3 stride 2 pad 1 divides by the window clipped to the padded bounds", () => {
    // size ceil((4+2-3)/2)+1 = 3. Per axis the windows start at -1, 1, 3 and cover image rows {0,1}, {1,2,3}, {3}
    // with divisors 3, 3, 2 (ends clipped to 4 + pad = 5). With v(r,c) = 4r + c + 1:
    // sums 14, 30, 12 / 57, 99, 36 / 27, 45, 16 over divisors 9, 9, 6 / 9, 9, 6 / 6, 6, 4.
    const out = pooling(grid4, poolParams({ method: "average", kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 }));
    expect(out.shape).toEqual([1, 1, 3, 3]);
    close(out.data, [14 / 9, 30 / 9, 2, 57 / 9, 11, 6, 4.5, 7.5, 4]);
  });

  it("applies Caffe's clip rule: a last window starting at or past in + pad is dropped", () => {
    // 3×3 input, k2 s2 p1: ceil((3+2-2)/2)+1 = 3, but (3-1)·2 = 4 ≥ 3 + 1 → 2.
    // Windows rows {0}, {1,2}: max 1, 3 / 7, 9
    expect(poolingOutputShape([1, 1, 3, 3], poolParams({ strideH: 2, strideW: 2, padH: 1, padW: 1 }))).toEqual([1, 1, 2, 2]);
    expect([...pooling(grid3, poolParams({ strideH: 2, strideW: 2, padH: 1, padW: 1 })).data]).toEqual([1, 3, 7, 9]);
  });

  it("global average and max pool the whole plane", () => {
    const x = t([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    // (1+2+3+4)/4 = 2.5, (5+6+7+8)/4 = 6.5
    expect([...pooling(x, poolParams({ method: "average", global: true })).data]).toEqual([2.5, 6.5]);
    expect([...pooling(x, poolParams({ global: true })).data]).toEqual([4, 8]);
  });

  it("equals the naive pooling on random shapes", () => {
    const shape = fc.record({
      c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 13 }),
      w: fc.integer({ min: 1, max: 13 }),
      kh: fc.integer({ min: 1, max: 5 }),
      kw: fc.integer({ min: 1, max: 5 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      ph: fc.integer({ min: 0, max: 2 }),
      pw: fc.integer({ min: 0, max: 2 }),
      method: fc.constantFrom("max" as const, "average" as const),
      rounding: fc.constantFrom("ceil" as const, "floor" as const),
      global: fc.boolean(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(shape, (s) => {
        fc.pre(s.global || (s.ph < s.kh && s.pw < s.kw && s.h + 2 * s.ph >= s.kh && s.w + 2 * s.pw >= s.kw));
        const next = mulberry32(s.seed);
        const x: Tensor = { shape: [1, s.c, s.h, s.w], data: Float32Array.from({ length: s.c * s.h * s.w }, () => next() * 2 - 1) };
        const params = poolParams({ ...s, kernelH: s.kh, kernelW: s.kw, strideH: s.sh, strideW: s.sw, padH: s.ph, padW: s.pw });
        const fast = pooling(x, params);
        const slow = naivePooling(x, params);
        expect(fast.shape).toEqual(slow.shape);
        for (let i = 0; i < slow.data.length; i++) {
          // A window entirely outside the image (kernel < stride with ceil rounding) gives Caffe's
          // 0 / (non-positive extent): NaN or -0, in both implementations.
          if (Number.isNaN(slow.data[i]!)) expect(fast.data[i]).toBeNaN();
          else if (Object.is(slow.data[i], -0)) expect(Object.is(fast.data[i], -0)).toBe(true);
          else expect(Math.abs(fast.data[i]! - slow.data[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(slow.data[i]!)));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("inner product, activations, LRN, softmax", () => {
  it("InnerProduct: W = [[1,0,-1],[2,1,0]], x = [1,2,3], b = [0.5,-1] → [1-3+0.5, 2+2-1] = [-1.5, 3]", () => {
    const out = innerProduct(t([1, 3, 1, 1], [1, 2, 3]), f32([1, 0, -1, 2, 1, 0]), f32([0.5, -1]), { numOutput: 2, biasTerm: true, axis: 1 });
    expect(out.shape).toEqual([1, 2]);
    expect([...out.data]).toEqual([-1.5, 3]);
  });

  it("ReLU clamps negatives, or scales them by negative_slope", () => {
    expect([...relu(t([3], [-2, 0, 3])).data]).toEqual([0, 0, 3]);
    close(relu(t([3], [-2, 0, 3]), 0.1).data, [-0.2, 0, 3]);
    const x = t([2], [1, -1]);
    expect(dropout(x).data).toBe(x.data);
  });

  it("LRN across channels: size 3, α = 3 (α/n = 1), β = 1, k = 1 on channels [1, 2, 3]", () => {
    // c0: 1/(1 + 1² + 2²) = 1/6; c1: 2/(1 + 1 + 4 + 9) = 2/15; c2: 3/(1 + 4 + 9) = 3/14
    const out = lrn(t([1, 3, 1, 1], [1, 2, 3]), { localSize: 3, alpha: 3, beta: 1, k: 1, region: "across_channels" });
    close(out.data, [1 / 6, 2 / 15, 3 / 14]);
  });

  it("LRN within channel: x / (1 + α·avg(x²))^β, the average over the padded 3×3 window (divisor 9)", () => {
    // row [1,2,3]: sums of squares 1+4 = 5, 14, 4+9 = 13, each over 9 cells:
    // 1/(1 + 3·5/9) = 3/8, 2/(1 + 3·14/9) = 6/17, 3/(1 + 3·13/9) = 9/16
    const out = lrn(t([1, 1, 1, 3], [1, 2, 3]), { localSize: 3, alpha: 3, beta: 1, k: 1, region: "within_channel" });
    close(out.data, [3 / 8, 6 / 17, 9 / 16]);
  });

  it("Softmax: exp of [0, ln 2, ln 3] normalised is [1, 2, 3]/6; along axis 1 of a 1×2×1×2 tensor", () => {
    close(softmax(t([1, 3], [0, Math.log(2), Math.log(3)]), { axis: 1 }).data, [1 / 6, 2 / 6, 3 / 6]);
    // position 0: channels [0, ln 3] → [1/4, 3/4]; position 1: [0, 0] → [1/2, 1/2]
    close(softmax(t([1, 2, 1, 2], [0, 0, Math.log(3), 0]), { axis: 1 }).data, [0.25, 0.5, 0.75, 0.5]);
    // large inputs do not overflow (max subtracted)
    close(softmax(t([1, 2], [1000, 1000]), { axis: -1 }).data, [0.5, 0.5]);
  });
});

describe("BatchNorm and Scale", () => {
  it("BatchNorm divides the stored mean and variance by the factor", () => {
    // factor 2: mean [4,2]/2 = [2,1], var [8,18]/2 = [4,9], sd [2,3]:
    // c0 [(3-2)/2, (5-2)/2] = [0.5, 1.5]; c1 [(0-1)/3, (4-1)/3] = [-1/3, 1]
    const out = batchNorm(t([1, 2, 1, 2], [3, 5, 0, 4]), f32([4, 2]), f32([8, 18]), f32([2]), { eps: 0 });
    close(out.data, [0.5, 1.5, -1 / 3, 1]);
  });

  it("BatchNorm with factor 0 zeroes the statistics as Caffe does: x / sqrt(eps)", () => {
    // eps 0.25 → x / 0.5
    const out = batchNorm(t([1, 1, 1, 2], [1, -3]), f32([7]), f32([9]), f32([0]), { eps: 0.25 });
    expect([...out.data]).toEqual([2, -6]);
  });

  it("Scale multiplies per channel and adds the bias; with two bottoms the scale is the second input", () => {
    const x = t([1, 2, 1, 2], [1, 2, 3, 4]);
    // c0 [1,2]·2 + 1 = [3,5]; c1 [3,4]·(-1) + 0 = [-3,-4]
    expect([...scale(x, t([2], [2, -1]), f32([1, 0]), { biasTerm: true, axis: 1 }).data]).toEqual([3, 5, -3, -4]);
    // axis 0, scale of shape [1, 2] covers dims 0..1: [2, 4, -3, -4]
    expect([...scale(x, t([1, 2], [2, -1]), undefined, { biasTerm: false, axis: 0 }).data]).toEqual([2, 4, -3, -4]);
    expect(() => scale(x, t([3], [1, 2, 3]), undefined, { biasTerm: false, axis: 1 })).toThrow(InvalidModelError);
  });
});

describe("Concat, Eltwise, Split, Flatten, Reshape", () => {
  it("Concat along channels and along width", () => {
    const a = t([1, 1, 1, 2], [1, 2]);
    const b = t([1, 2, 1, 2], [3, 4, 5, 6]);
    const channels = concat([a, b], { axis: 1 });
    expect(channels.shape).toEqual([1, 3, 1, 2]);
    expect([...channels.data]).toEqual([1, 2, 3, 4, 5, 6]);
    // width: rows [1 | 3,4] and [2 | 5,6]
    const width = concat([t([1, 1, 2, 1], [1, 2]), t([1, 1, 2, 2], [3, 4, 5, 6])], { axis: -1 });
    expect(width.shape).toEqual([1, 1, 2, 3]);
    expect([...width.data]).toEqual([1, 3, 4, 2, 5, 6]);
    expect(() => concat([a, t([1, 1, 2, 2], [1, 2, 3, 4])], { axis: 1 })).toThrow(InvalidModelError);
  });

  it("Eltwise sum with coefficients, product and max", () => {
    const a = t([3], [1, 2, -3]);
    const b = t([3], [4, -5, 6]);
    // 2a - b = [2-4, 4+5, -6-6]
    expect([...eltwise([a, b], { operation: "sum", coeffs: [2, -1] }).data]).toEqual([-2, 9, -12]);
    expect([...eltwise([a, b], { operation: "sum", coeffs: [] }).data]).toEqual([5, -3, 3]);
    expect([...eltwise([a, b], { operation: "prod", coeffs: [] }).data]).toEqual([4, -10, -18]);
    expect([...eltwise([a, b], { operation: "max", coeffs: [] }).data]).toEqual([4, 2, 6]);
    expect(() => eltwise([a, t([2], [1, 2])], { operation: "sum", coeffs: [] })).toThrow(InvalidModelError);
  });

  it("Split returns the input once per top, Flatten and Reshape only change the shape", () => {
    const x = t([1, 2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    const tops = split(x, 3);
    expect(tops).toHaveLength(3);
    for (const top of tops) expect(top.data).toBe(x.data);
    expect(flatten(x, { axis: 1, endAxis: -1 }).shape).toEqual([1, 24]);
    expect(flatten(x, { axis: 2, endAxis: 3 }).shape).toEqual([1, 2, 12]);
    expect(reshape(x, { dims: [0, -1, 4] }).shape).toEqual([1, 6, 4]);
    expect(() => reshape(x, { dims: [2, -1, -1] })).toThrow(InvalidModelError);
    expect(() => reshape(x, { dims: [5, -1] })).toThrow(InvalidModelError);
  });
});
