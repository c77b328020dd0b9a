/**
 * Deconvolution (Caffe `Deconvolution`, the transposed convolution), float32
 * NCHW with groups, stride, padding and dilation. As in Caffe, the forward
 * pass is the convolution's backward-data pass: per group, the columns
 * `Wᵀ · x` (one GEMM with the blocked {@link sgemm}) are scattered back onto
 * the output by col2im, then the bias is added. FCN-style segmentation
 * networks upsample with it. Part of the reference executor that runs
 * offloaded layers (IONN §4).
 *
 * Reference: BVLC Caffe `DeconvolutionLayer::Forward_cpu`,
 * `BaseConvolutionLayer::backward_cpu_gemm` and `col2im_cpu`.
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { ConvolutionParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { sgemm } from "./gemm.js";
import { formatShape } from "./util.js";

/**
 * Output shape `[N, numOutput, Ho, Wo]` of a deconvolution, with
 * `Ho = strideH·(H − 1) + dilationH·(kernelH − 1) + 1 − 2·padH` (likewise W).
 *
 * @throws {@link InvalidModelError} when the input is not NCHW, the channels
 * are not divisible by the group, or the output would be empty.
 */
export function deconvolutionOutputShape(input: Shape, params: ConvolutionParams): Shape {
  if (input.length !== 4) throw new InvalidModelError(`Deconvolution: expected an NCHW input, got ${formatShape(input)}`);
  const [n, c, h, w] = input as [number, number, number, number];
  const group = params.group;
  if (!(group >= 1) || c % group !== 0 || params.numOutput % group !== 0) {
    throw new InvalidModelError(`Deconvolution: ${c} input channels and ${params.numOutput} outputs are not divisible by group ${group}`);
  }
  const ho = params.strideH * (h - 1) + params.dilationH * (params.kernelH - 1) + 1 - 2 * params.padH;
  const wo = params.strideW * (w - 1) + params.dilationW * (params.kernelW - 1) + 1 - 2 * params.padW;
  if (!(ho >= 1 && wo >= 1)) throw new InvalidModelError(`Deconvolution: output ${ho}x${wo} of input ${formatShape(input)} is empty (padding too large)`);
  return [n, params.numOutput, ho, wo];
}

/** Shapes of a deconvolution's learned blobs: weights `[Cin, Cout/group, kh, kw]`, then bias `[Cout]` if any. */
export function deconvolutionParamShapes(input: Shape, params: ConvolutionParams): Shape[] {
  const shapes: Shape[] = [[input[1]!, params.numOutput / params.group, params.kernelH, params.kernelW]];
  if (params.biasTerm) shapes.push([params.numOutput]);
  return shapes;
}

let transposedScratch = new Float32Array(0);
let columnScratch = new Float32Array(0);

/**
 * Runs a deconvolution. `weights` is `[Cin, Cout/group, kh, kw]` row-major
 * (Caffe's layout), `bias` `[Cout]` (or undefined without bias). Output
 * pixel `(o, y, x)` receives `w[c, o, i, j] · in[c, iy, ix]` for every input
 * channel `c` of `o`'s group and tap `(i, j)` with
 * `y = iy·strideH − padH + i·dilationH` and `x = ix·strideW − padW + j·dilationW`.
 *
 * Cost: `N·Cin·H·W·(Cout/group)·kh·kw` MACs; scratch of
 * `(Cout/group)·kh·kw·(H·W + Cin/group)` floats.
 *
 * @throws {@link InvalidModelError} on inconsistent shapes or blob sizes.
 */
export function deconvolution(
  input: Tensor,
  weights: Float32Array,
  bias: Float32Array | undefined,
  params: ConvolutionParams,
): Tensor {
  const outShape = deconvolutionOutputShape(input.shape, params);
  const [batch, cin, h, w] = input.shape as [number, number, number, number];
  const [, cout, ho, wo] = outShape as [number, number, number, number];
  const { kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw } = params;
  const group = params.group;
  const cinG = cin / group;
  const coutG = cout / group;
  const rows = coutG * kh * kw; // rows of the column buffer (and of Wᵀ)
  const spatial = h * w;
  if (weights.length !== cin * rows) {
    throw new InvalidModelError(`Deconvolution: weights have ${weights.length} values, expected ${cin * rows}`);
  }
  if (bias !== undefined && bias.length !== cout) {
    throw new InvalidModelError(`Deconvolution: bias has ${bias.length} values, expected ${cout}`);
  }
  if (transposedScratch.length < rows * cinG) transposedScratch = new Float32Array(rows * cinG);
  if (columnScratch.length < rows * spatial) columnScratch = new Float32Array(rows * spatial);
  const wt = transposedScratch;
  const col = columnScratch;
  const outPlane = ho * wo;
  const out = new Float32Array(batch * cout * outPlane);
  for (let g = 0; g < group; g++) {
    // Wᵀ of group g: [rows, cinG], wt[r, k] = w[g·cinG + k, r].
    for (let k = 0; k < cinG; k++) {
      const src = (g * cinG + k) * rows;
      for (let r = 0; r < rows; r++) wt[r * cinG + k] = weights[src + r]!;
    }
    for (let b = 0; b < batch; b++) {
      col.fill(0, 0, rows * spatial);
      sgemm(rows, spatial, cinG, wt, 0, cinG, input.data, (b * cin + g * cinG) * spatial, spatial, col, 0, spatial);
      // col2im: row (c·kh + i)·kw + j, column (iy, ix) lands on output (c, iy·sh − ph + i·dh, ix·sw − pw + j·dw).
      let r = 0;
      for (let c = 0; c < coutG; c++) {
        const plane = (b * cout + g * coutG + c) * outPlane;
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++, r++) {
            const colBase = r * spatial;
            for (let iy = 0; iy < h; iy++) {
              const oy = iy * sh - ph + i * dh;
              if (oy < 0 || oy >= ho) continue;
              const rowOut = plane + oy * wo;
              const rowCol = colBase + iy * w;
              for (let ix = 0; ix < w; ix++) {
                const ox = ix * sw - pw + j * dw;
                if (ox >= 0 && ox < wo) out[rowOut + ox] += col[rowCol + ix]!;
              }
            }
          }
        }
      }
    }
  }
  if (bias !== undefined) {
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < cout; o++) {
        const v = bias[o]!;
        const base = (b * cout + o) * outPlane;
        for (let i = base; i < base + outPlane; i++) out[i] = out[i]! + v;
      }
    }
  }
  // Release scratch over 16 MiB (4 Mi floats) so one large request does not pin it for the process's life.
  if (columnScratch.length > 4 * 2 ** 20) columnScratch = new Float32Array(0);
  if (transposedScratch.length > 4 * 2 ** 20) transposedScratch = new Float32Array(0);
  return { shape: outShape, data: out };
}
