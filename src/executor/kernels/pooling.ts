/**
 * Pooling (Caffe `Pooling`), float32 NCHW: max and average, Caffe's ceil
 * rounding with the clip rule, global pooling. Part of the reference executor
 * that runs offloaded layers (IONN §4).
 *
 * Semantics follow Caffe's `PoolingLayer::Reshape` / `Forward_cpu`:
 * - output size `ceil((in + 2·pad − kernel) / stride) + 1` (or floor), minus
 *   one when `pad > 0` and the last window would start at or after
 *   `in + pad` (it must start inside the image or the left padding);
 * - max: the window is clipped to the image, padding never wins (a window
 *   left empty, possible only when kernel < stride, gives `-FLT_MAX` as in Caffe);
 * - average: the divisor is the window clipped to the *padded* bounds
 *   (`min(start + kernel, in + pad) − start`), the sum runs over the window
 *   clipped to the image, so padded cells count as zeros (a window left
 *   entirely outside, possible only when kernel < stride, divides 0 by a
 *   non-positive extent product: NaN or -0, as in Caffe).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { PoolingParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { formatShape } from "./util.js";

/** Caffe's initial value of a max-pooling cell (`-FLT_MAX`); an empty window (possible only when kernel < stride) keeps it. */
const FLT_MAX = 3.4028234663852886e38;

/** The effective window of a pooling on a given input (global pooling resolved). */
export type PoolingWindow = Pick<PoolingParams, "kernelH" | "kernelW" | "strideH" | "strideW" | "padH" | "padW">;

/** Resolves global pooling (kernel = input size, stride 1, no padding) on an `[N, C, H, W]` input. */
export function poolingWindow(input: Shape, params: PoolingParams): PoolingWindow {
  if (params.global) {
    return { kernelH: input[2]!, kernelW: input[3]!, strideH: 1, strideW: 1, padH: 0, padW: 0 };
  }
  return params;
}

/** Output size along one axis, with Caffe's clip rule (see the module comment). */
export function pooledSize(input: number, kernel: number, stride: number, pad: number, rounding: "ceil" | "floor"): number {
  const span = (input + 2 * pad - kernel) / stride;
  let size = (rounding === "ceil" ? Math.ceil(span) : Math.floor(span)) + 1;
  if (pad > 0 && (size - 1) * stride >= input + pad) size--;
  return size;
}

/**
 * Output shape `[N, C, Ho, Wo]` of a pooling.
 *
 * @throws {@link InvalidModelError} when the input is not NCHW, the padding is
 * not smaller than the kernel, or the output is empty.
 */
export function poolingOutputShape(input: Shape, params: PoolingParams): Shape {
  if (input.length !== 4) {
    throw new InvalidModelError(`Pooling: expected an NCHW input, got ${formatShape(input)}`);
  }
  const win = poolingWindow(input, params);
  if (win.padH >= win.kernelH || win.padW >= win.kernelW) {
    throw new InvalidModelError(`Pooling: padding must be smaller than the kernel`);
  }
  const ho = pooledSize(input[2]!, win.kernelH, win.strideH, win.padH, params.rounding);
  const wo = pooledSize(input[3]!, win.kernelW, win.strideW, win.padW, params.rounding);
  if (!(ho >= 1 && wo >= 1)) {
    throw new InvalidModelError(`Pooling: kernel larger than the padded input ${formatShape(input)}`);
  }
  return [input[0]!, input[1]!, ho, wo];
}

/**
 * Runs a max or average pooling with Caffe's semantics (see the module comment).
 *
 * Cost: `N·C·Ho·Wo·kh·kw` comparisons or additions.
 *
 * @throws {@link InvalidModelError} on inconsistent shapes.
 * @example
 * ```ts
 * const pooled = pooling(input, { method: "max", kernelH: 3, kernelW: 3, strideH: 2, strideW: 2,
 *   padH: 0, padW: 0, global: false, rounding: "ceil" });
 * ```
 */
export function pooling(input: Tensor, params: PoolingParams): Tensor {
  const outShape = poolingOutputShape(input.shape, params);
  const [n, c, h, w] = input.shape as [number, number, number, number];
  const [, , ho, wo] = outShape as [number, number, number, number];
  const { kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw } = poolingWindow(input.shape, params);
  const data = input.data;
  const out = new Float32Array(n * c * ho * wo);
  const isMax = params.method === "max";
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < ho; oy++) {
      let y0 = oy * sh - ph;
      let y1 = Math.min(y0 + kh, h + ph);
      const divisorH = y1 - y0;
      y0 = Math.max(y0, 0);
      y1 = Math.min(y1, h);
      for (let ox = 0; ox < wo; ox++) {
        let x0 = ox * sw - pw;
        let x1 = Math.min(x0 + kw, w + pw);
        const divisorW = x1 - x0;
        x0 = Math.max(x0, 0);
        x1 = Math.min(x1, w);
        if (isMax) {
          let best = -FLT_MAX;
          for (let y = y0; y < y1; y++) {
            const row = base + y * w;
            for (let x = x0; x < x1; x++) {
              const v = data[row + x]!;
              if (v > best) best = v;
            }
          }
          out[o++] = best;
        } else {
          let sum = 0;
          for (let y = y0; y < y1; y++) {
            const row = base + y * w;
            for (let x = x0; x < x1; x++) sum += data[row + x]!;
          }
          out[o++] = sum / (divisorH * divisorW);
        }
      }
    }
  }
  return { shape: outShape, data: out };
}
