/**
 * Caffe's BatchNorm (inference, stored statistics), Scale and Bias layers, float32.
 * ResNet-50 and Inception-BN use them in pairs. Part of the reference
 * executor that runs offloaded layers (IONN §4).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { BatchNormParams, ScaleParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct, formatShape } from "./util.js";

/**
 * Caffe BatchNorm at inference (`use_global_stats`): with the three blobs
 * mean `[C]`, variance `[C]` and moving-average factor `[1]`,
 * `s = factor === 0 ? 0 : 1 / factor` and
 * `y = (x − s·mean) / sqrt(s·variance + eps)` per channel (axis 1).
 *
 * NOTE: a factor of 0 zeroes the statistics, exactly as Caffe's
 * `BatchNormLayer::Forward_cpu` does (`scale_factor = 0`), so the layer then
 * computes `x / sqrt(eps)`.
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the blobs do not match the channels.
 */
export function batchNorm(
  input: Tensor,
  mean: Float32Array,
  variance: Float32Array,
  factor: Float32Array,
  params: BatchNormParams,
): Tensor {
  if (input.shape.length < 2) {
    throw new InvalidModelError(`BatchNorm: input ${formatShape(input.shape)} has no channel axis`);
  }
  const outer = input.shape[0]!;
  const channels = input.shape[1]!;
  const inner = dimProduct(input.shape, 2);
  if (mean.length !== channels || variance.length !== channels || factor.length !== 1) {
    throw new InvalidModelError(
      `BatchNorm: blobs of ${mean.length}, ${variance.length}, ${factor.length} values do not fit ${channels} channels`,
    );
  }
  const f = factor[0]!;
  const s = f === 0 ? 0 : 1 / f;
  const x = input.data;
  const out = new Float32Array(x.length);
  for (let c = 0; c < channels; c++) {
    // Caffe stores s·mean and sqrt(s·var + eps) as float32 before using them.
    const m = Math.fround(s * mean[c]!);
    const sd = Math.fround(Math.sqrt(Math.fround(Math.fround(s * variance[c]!) + params.eps)));
    for (let b = 0; b < outer; b++) {
      const base = (b * channels + c) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = Math.fround(x[base + i]! - m) / sd;
    }
  }
  return { shape: [...input.shape], data: out };
}

/**
 * Caffe Scale: `y = x · scale (+ bias)`, the scale broadcast over the input
 * dimensions `axis … axis + rank(scale) − 1`. The scale is the layer's first
 * learned blob (one bottom) or the second bottom (two bottoms); `bias` is the
 * last learned blob when `bias_term` is set.
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the scale's shape does not match the input at `axis`.
 */
export function scale(input: Tensor, factors: Tensor, bias: Float32Array | undefined, params: ScaleParams): Tensor {
  const shape = input.shape;
  const axis = canonicalAxis(params.axis, shape.length, "Scale");
  const scaleShape: Shape = factors.shape;
  for (let i = 0; i < scaleShape.length; i++) {
    if (shape[axis + i] !== scaleShape[i]) {
      throw new InvalidModelError(
        `Scale: scale shape ${formatShape(scaleShape)} does not match input ${formatShape(shape)} at axis ${axis}`,
      );
    }
  }
  const outer = dimProduct(shape, 0, axis);
  const middle = dimProduct(scaleShape);
  const inner = dimProduct(shape, axis + scaleShape.length);
  if (factors.data.length !== middle) {
    throw new InvalidModelError(`Scale: scale blob has ${factors.data.length} values, expected ${middle}`);
  }
  if (bias !== undefined && bias.length !== middle) {
    throw new InvalidModelError(`Scale: bias blob has ${bias.length} values, expected ${middle}`);
  }
  const x = input.data;
  const out = new Float32Array(x.length);
  const f = factors.data;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < middle; c++) {
      const base = (o * middle + c) * inner;
      const a = f[c]!;
      if (bias === undefined) {
        for (let i = 0; i < inner; i++) out[base + i] = x[base + i]! * a;
      } else {
        const b = bias[c]!;
        for (let i = 0; i < inner; i++) out[base + i] = Math.fround(x[base + i]! * a) + b;
      }
    }
  }
  return { shape: [...shape], data: out };
}

/**
 * Caffe Bias: `y = x + bias`, the bias broadcast over the input dimensions
 * `axis … axis + rank(bias) − 1` (a scalar bias `[]` may use `axis = rank`
 * and adds to every element). The bias is the layer's learned blob (one
 * bottom) or the second bottom (two bottoms).
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} when the bias's shape does not match the input at `axis`.
 */
export function bias(input: Tensor, offsets: Tensor, axis: number): Tensor {
  const shape = input.shape;
  const biasShape: Shape = offsets.shape;
  const start = biasShape.length === 0 && (axis === shape.length || axis === -shape.length - 1)
    ? shape.length
    : canonicalAxis(axis, shape.length, "Bias");
  for (let i = 0; i < biasShape.length; i++) {
    if (shape[start + i] !== biasShape[i]) {
      throw new InvalidModelError(`Bias: bias shape ${formatShape(biasShape)} does not match input ${formatShape(shape)} at axis ${start}`);
    }
  }
  const outer = dimProduct(shape, 0, start);
  const middle = dimProduct(biasShape);
  const inner = dimProduct(shape, start + biasShape.length);
  if (offsets.data.length !== middle) {
    throw new InvalidModelError(`Bias: bias has ${offsets.data.length} values, expected ${middle}`);
  }
  const x = input.data;
  const b = offsets.data;
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < middle; c++) {
      const base = (o * middle + c) * inner;
      const v = b[c]!;
      for (let i = base; i < base + inner; i++) out[i] = x[i]! + v;
    }
  }
  return { shape: [...shape], data: out };
}
