/**
 * InnerProduct (fully connected, Caffe `InnerProduct`): flattens the input
 * from `axis` and multiplies by the `[N, K]` weight matrix, plus bias. Part of
 * the reference executor that runs offloaded layers (IONN §4).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { InnerProductParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct } from "./util.js";

/** Output shape: the input dimensions before `axis`, then `numOutput`. */
export function innerProductOutputShape(input: Shape, params: InnerProductParams): Shape {
  const axis = canonicalAxis(params.axis, input.length, "InnerProduct");
  return [...input.slice(0, axis), params.numOutput];
}

/** Shapes of the learned blobs: weights `[N, K]` (`[K, N]` with `transpose`; K = product of the input dimensions from `axis`), bias `[N]`. */
export function innerProductParamShapes(input: Shape, params: InnerProductParams): Shape[] {
  const axis = canonicalAxis(params.axis, input.length, "InnerProduct");
  const k = dimProduct(input, axis);
  const shapes: Shape[] = [params.transpose ? [k, params.numOutput] : [params.numOutput, k]];
  if (params.biasTerm) shapes.push([params.numOutput]);
  return shapes;
}

/**
 * Runs a fully connected layer: `y[m, n] = Σ_k x[m, k]·W[n, k] + b[n]`
 * (`W[k, n]` with `params.transpose`, Caffe's `transpose: true`).
 *
 * Cost: `M·N·K` MACs (memory-bound at batch 1: every weight is read once).
 *
 * @throws {@link InvalidModelError} when the weights do not match the input.
 */
export function innerProduct(input: Tensor, weights: Float32Array, bias: Float32Array | undefined, params: InnerProductParams): Tensor {
  const axis = canonicalAxis(params.axis, input.shape.length, "InnerProduct");
  const outer = dimProduct(input.shape, 0, axis);
  const k = dimProduct(input.shape, axis);
  const n = params.numOutput;
  if (weights.length !== n * k) {
    throw new InvalidModelError(`InnerProduct: weights have ${weights.length} values, expected ${n}×${k}`);
  }
  if (bias !== undefined && bias.length !== n) {
    throw new InvalidModelError(`InnerProduct: bias has ${bias.length} values, expected ${n}`);
  }
  const x = input.data;
  const out = new Float32Array(outer * n);
  if (params.transpose) {
    // W is [K, N]: accumulate row by row of W, which is contiguous in n.
    for (let m = 0; m < outer; m++) {
      const xBase = m * k;
      const acc = new Float64Array(n);
      for (let p = 0; p < k; p++) {
        const xv = x[xBase + p]!;
        const wBase = p * n;
        for (let row = 0; row < n; row++) acc[row] += weights[wBase + row]! * xv;
      }
      for (let row = 0; row < n; row++) out[m * n + row] = acc[row]! + (bias === undefined ? 0 : bias[row]!);
    }
    return { shape: innerProductOutputShape(input.shape, params), data: out };
  }
  const k4 = k - (k % 4);
  for (let m = 0; m < outer; m++) {
    const xBase = m * k;
    for (let row = 0; row < n; row++) {
      const wBase = row * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let p = 0;
      for (; p < k4; p += 4) {
        s0 += weights[wBase + p]! * x[xBase + p]!;
        s1 += weights[wBase + p + 1]! * x[xBase + p + 1]!;
        s2 += weights[wBase + p + 2]! * x[xBase + p + 2]!;
        s3 += weights[wBase + p + 3]! * x[xBase + p + 3]!;
      }
      for (; p < k; p++) s0 += weights[wBase + p]! * x[xBase + p]!;
      out[m * n + row] = s0 + s1 + (s2 + s3) + (bias === undefined ? 0 : bias[row]!);
    }
  }
  return { shape: innerProductOutputShape(input.shape, params), data: out };
}
