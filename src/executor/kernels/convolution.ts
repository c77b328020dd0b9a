/**
 * Convolution (Caffe `Convolution`), float32 NCHW: groups, depthwise,
 * dilation, stride and padding. General case: im2col followed by the blocked
 * {@link sgemm}; 1×1 stride-1 unpadded convolutions skip im2col; depthwise
 * convolutions (one input and one output channel per group) use a direct loop.
 * Part of the reference executor that runs offloaded layers (IONN §4).
 *
 * Reference: K. Chellapilla, S. Puri, P. Simard, "High performance
 * convolutional neural networks for document processing" (im2col), 2006;
 * Caffe's `ConvolutionLayer` / `im2col_cpu` for the exact semantics.
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { ConvolutionParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { sgemm } from "./gemm.js";
import { formatShape } from "./util.js";

/**
 * Output spatial size of a convolution along one axis (Caffe:
 * `(in + 2·pad − (dilation·(kernel − 1) + 1)) / stride + 1`, floored).
 */
export function convolutionOutputSize(input: number, kernel: number, stride: number, pad: number, dilation: number): number {
  const extent = dilation * (kernel - 1) + 1;
  return Math.floor((input + 2 * pad - extent) / stride) + 1;
}

/**
 * Output shape `[N, numOutput, Ho, Wo]` of a convolution on an NCHW input.
 *
 * @throws {@link InvalidModelError} when the input is not NCHW, the channels
 * are not divisible by the group, or the output would be empty.
 */
export function convolutionOutputShape(input: Shape, params: ConvolutionParams): Shape {
  if (input.length !== 4) {
    throw new InvalidModelError(`Convolution: expected an NCHW input, got ${formatShape(input)}`);
  }
  const [n, c, h, w] = input as [number, number, number, number];
  const group = params.group;
  if (!(group >= 1) || c % group !== 0 || params.numOutput % group !== 0) {
    throw new InvalidModelError(
      `Convolution: ${c} input channels and ${params.numOutput} outputs are not divisible by group ${group}`,
    );
  }
  const ho = convolutionOutputSize(h, params.kernelH, params.strideH, params.padH, params.dilationH);
  const wo = convolutionOutputSize(w, params.kernelW, params.strideW, params.padW, params.dilationW);
  if (!(ho >= 1 && wo >= 1)) {
    throw new InvalidModelError(`Convolution: kernel larger than the padded input ${formatShape(input)}`);
  }
  return [n, params.numOutput, ho, wo];
}

/** Shapes of the learned blobs: weights `[Cout, Cin/group, kh, kw]`, then bias `[Cout]` if any. */
export function convolutionParamShapes(input: Shape, params: ConvolutionParams): Shape[] {
  const cin = input[1]!;
  const shapes: Shape[] = [[params.numOutput, cin / params.group, params.kernelH, params.kernelW]];
  if (params.biasTerm) shapes.push([params.numOutput]);
  return shapes;
}

let columnScratch = new Float32Array(0);
/** Scratch kept between calls; a larger buffer is released after the call that needed it (4 Mi floats = 16 MiB). */
const SCRATCH_KEEP_FLOATS = 4 * 2 ** 20;

/**
 * Runs a convolution. `weights` is `[Cout, Cin/group, kh, kw]` row-major,
 * `bias` `[Cout]` (or undefined without bias).
 *
 * Cost: `N·Cout·Ho·Wo·(Cin/group)·kh·kw` MACs; im2col needs
 * `(Cin/group)·kh·kw·Ho·Wo` floats of scratch.
 *
 * @throws {@link InvalidModelError} on inconsistent shapes.
 * @example
 * ```ts
 * const out = convolution(input, weights, bias, { numOutput: 96, kernelH: 11, kernelW: 11, strideH: 4, strideW: 4,
 *   padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: true });
 * ```
 */
export function convolution(
  input: Tensor,
  weights: Float32Array,
  bias: Float32Array | undefined,
  params: ConvolutionParams,
): Tensor {
  const outShape = convolutionOutputShape(input.shape, params);
  const [batch, cin, h, w] = input.shape as [number, number, number, number];
  const [, cout, ho, wo] = outShape as [number, number, number, number];
  const { kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw } = params;
  const group = params.group;
  const cinG = cin / group;
  const coutG = cout / group;
  const kDepth = cinG * kh * kw;
  if (weights.length !== cout * kDepth) {
    throw new InvalidModelError(`Convolution: weights have ${weights.length} values, expected ${cout * kDepth}`);
  }
  if (bias !== undefined && bias.length !== cout) {
    throw new InvalidModelError(`Convolution: bias has ${bias.length} values, expected ${cout}`);
  }
  const spatial = ho * wo;
  const out = new Float32Array(batch * cout * spatial);
  if (bias !== undefined) {
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < cout; o++) out.fill(bias[o]!, (b * cout + o) * spatial, (b * cout + o + 1) * spatial);
    }
  }
  const data = input.data;
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0;
  if (cinG === 1 && coutG === 1 && !pointwise) {
    for (let b = 0; b < batch; b++) {
      for (let ch = 0; ch < cin; ch++) {
        depthwiseChannel(data, (b * cin + ch) * h * w, h, w, weights, ch * kh * kw, out, (b * cout + ch) * spatial, ho, wo, params);
      }
    }
    if (paddedScratch.length > SCRATCH_KEEP_FLOATS) paddedScratch = new Float32Array(0);
    return { shape: outShape, data: out };
  }
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < group; g++) {
      const inOffset = (b * cin + g * cinG) * h * w;
      const outOffset = (b * cout + g * coutG) * spatial;
      if (pointwise) {
        sgemm(coutG, spatial, kDepth, weights, g * coutG * kDepth, kDepth, data, inOffset, spatial, out, outOffset, spatial);
      } else {
        if (columnScratch.length < kDepth * spatial) columnScratch = new Float32Array(kDepth * spatial);
        im2col(data, inOffset, cinG, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo, columnScratch);
        sgemm(coutG, spatial, kDepth, weights, g * coutG * kDepth, kDepth, columnScratch, 0, spatial, out, outOffset, spatial);
      }
    }
  }
  if (columnScratch.length > SCRATCH_KEEP_FLOATS) columnScratch = new Float32Array(0);
  if (paddedScratch.length > SCRATCH_KEEP_FLOATS) paddedScratch = new Float32Array(0);
  return { shape: outShape, data: out };
}

/** Caffe's im2col: row `(c·kh + i)·kw + j` holds the input pixels that kernel tap (c, i, j) sees, zero outside. */
function im2col(
  data: Float32Array,
  offset: number,
  channels: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  ph: number,
  pw: number,
  dh: number,
  dw: number,
  ho: number,
  wo: number,
  col: Float32Array,
): void {
  let o = 0;
  for (let c = 0; c < channels; c++) {
    const channelBase = offset + c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const dx = j * dw - pw;
        // Output columns whose input column is inside [0, w): ox in [oxLo, oxHi).
        const oxLo = Math.min(wo, Math.max(0, Math.ceil(-dx / sw)));
        const oxHi = Math.max(oxLo, Math.min(wo, Math.floor((w - 1 - dx) / sw) + 1));
        for (let oy = 0; oy < ho; oy++) {
          const iy = oy * sh - ph + i * dh;
          if (iy < 0 || iy >= h) {
            col.fill(0, o, o + wo);
            o += wo;
            continue;
          }
          const rowBase = channelBase + iy * w + dx;
          let ox = 0;
          for (; ox < oxLo; ox++) col[o++] = 0;
          if (sw === 1) {
            for (; ox < oxHi; ox++) col[o++] = data[rowBase + ox]!;
          } else {
            for (; ox < oxHi; ox++) col[o++] = data[rowBase + ox * sw]!;
          }
          for (; ox < wo; ox++) col[o++] = 0;
        }
      }
    }
  }
}

let paddedScratch = new Float32Array(0);

/**
 * One channel of a depthwise convolution, accumulated onto `out` (which holds
 * the bias): the channel is copied into a zero-padded plane, then each kernel
 * tap adds `weight · shifted plane` to the whole output (float32 after every
 * tap, taps in row-major order).
 */
function depthwiseChannel(
  data: Float32Array,
  inBase: number,
  h: number,
  w: number,
  weights: Float32Array,
  wBase: number,
  out: Float32Array,
  outBase: number,
  ho: number,
  wo: number,
  p: ConvolutionParams,
): void {
  const { kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw } = p;
  const pwTotal = w + 2 * pw;
  const phTotal = h + 2 * ph;
  if (paddedScratch.length < pwTotal * phTotal) paddedScratch = new Float32Array(pwTotal * phTotal);
  const padded = paddedScratch;
  padded.fill(0, 0, pwTotal * phTotal);
  for (let y = 0; y < h; y++) padded.set(data.subarray(inBase + y * w, inBase + (y + 1) * w), (y + ph) * pwTotal + pw);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const weight = weights[wBase + i * kw + j]!;
      for (let oy = 0; oy < ho; oy++) {
        let src = (oy * sh + i * dh) * pwTotal + j * dw;
        const dst = outBase + oy * wo;
        if (sw === 1) {
          for (let ox = 0; ox < wo; ox++) out[dst + ox] += weight * padded[src + ox]!;
        } else {
          for (let ox = 0; ox < wo; ox++, src += sw) out[dst + ox] += weight * padded[src]!;
        }
      }
    }
  }
}
