/**
 * Independent, deliberately naive implementations of the convolution and the
 * pooling, written straight from the definitions: the oracles the fast
 * kernels are tested against and the baseline of `bench/conv.ts`. Not part of
 * the public API. (Reference executor, IONN §4.)
 *
 * @module
 * @internal
 */
import type { ConvolutionParams, PoolingParams } from "../model/types.js";
import type { Tensor } from "./types.js";

/**
 * Direct convolution by the definition: for every output (n, o, y, x),
 * `bias[o] + Σ_{c in o's group, i, j} w[o, c, i, j] · in[n, g·Cin/G + c, y·s − p + i·d, x·s − p + j·d]`,
 * reading zero outside the image. Seven nested loops, no scratch memory.
 */
export function naiveConvolution(input: Tensor, weights: Float32Array, bias: Float32Array | undefined, p: ConvolutionParams): Tensor {
  const [n, cin, h, w] = input.shape as [number, number, number, number];
  const ho = Math.floor((h + 2 * p.padH - (p.dilationH * (p.kernelH - 1) + 1)) / p.strideH) + 1;
  const wo = Math.floor((w + 2 * p.padW - (p.dilationW * (p.kernelW - 1) + 1)) / p.strideW) + 1;
  const cout = p.numOutput;
  const cinPerGroup = cin / p.group;
  const coutPerGroup = cout / p.group;
  const out = new Float32Array(n * cout * ho * wo);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / coutPerGroup);
      for (let y = 0; y < ho; y++) {
        for (let x = 0; x < wo; x++) {
          let sum = bias === undefined ? 0 : bias[o]!;
          for (let c = 0; c < cinPerGroup; c++) {
            for (let i = 0; i < p.kernelH; i++) {
              for (let j = 0; j < p.kernelW; j++) {
                const iy = y * p.strideH - p.padH + i * p.dilationH;
                const ix = x * p.strideW - p.padW + j * p.dilationW;
                const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                const value = inside ? input.data[((b * cin + g * cinPerGroup + c) * h + iy) * w + ix]! : 0;
                sum += weights[((o * cinPerGroup + c) * p.kernelH + i) * p.kernelW + j]! * value;
              }
            }
          }
          out[((b * cout + o) * ho + y) * wo + x] = sum;
        }
      }
    }
  }
  return { shape: [n, cout, ho, wo], data: out };
}

/**
 * Pooling written from Caffe's rules cell by cell, visiting every cell of the
 * padded window: for max, the largest in-image value; for average, the sum of
 * in-image values over the number of window cells that lie inside the padded
 * image `[-pad, in + pad)`. Output size: `ceil`/`floor((in + 2·pad − k)/s) + 1`,
 * dropping a last window that starts at or beyond `in + pad` when padded.
 */
export function naivePooling(input: Tensor, p: PoolingParams): Tensor {
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const kh = p.global ? h : p.kernelH;
  const kw = p.global ? w : p.kernelW;
  const sh = p.global ? 1 : p.strideH;
  const sw = p.global ? 1 : p.strideW;
  const ph = p.global ? 0 : p.padH;
  const pw = p.global ? 0 : p.padW;
  const round = p.rounding === "ceil" ? Math.ceil : Math.floor;
  let ho = round((h + 2 * ph - kh) / sh) + 1;
  let wo = round((w + 2 * pw - kw) / sw) + 1;
  if (ph > 0 && (ho - 1) * sh >= h + ph) ho -= 1;
  if (pw > 0 && (wo - 1) * sw >= w + pw) wo -= 1;
  const out = new Float32Array(n * c * ho * wo);
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < ho; y++) {
      for (let x = 0; x < wo; x++) {
        let max = -3.4028234663852886e38;
        let sum = 0;
        let cellsInPaddedImage = 0;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const iy = y * sh - ph + i;
            const ix = x * sw - pw + j;
            if (iy < h + ph && ix < w + pw) cellsInPaddedImage++;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              const v = input.data[plane * h * w + iy * w + ix]!;
              max = Math.max(max, v);
              sum += v;
            }
          }
        }
        let divisor = cellsInPaddedImage;
        if (divisor === 0) {
          // A window with no cell inside (only when kernel < stride): Caffe divides by the product of
          // the per-axis extents clipped to in + pad, which is then ≤ 0 (giving -0 or NaN).
          divisor = (Math.min(y * sh - ph + kh, h + ph) - (y * sh - ph)) * (Math.min(x * sw - pw + kw, w + pw) - (x * sw - pw));
        }
        out[(plane * ho + y) * wo + x] = p.method === "max" ? max : sum / divisor;
      }
    }
  }
  return { shape: [n, c, ho, wo], data: out };
}
