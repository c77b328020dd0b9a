/**
 * Softmax along an axis (Caffe `Softmax`), max-subtracted for stability. Part
 * of the reference executor (IONN §4); the output layer of the paper's
 * networks.
 *
 * @module
 */
import type { SoftmaxParams } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct } from "./util.js";

/**
 * `y_i = exp(x_i − max x) / Σ_j exp(x_j − max x)` along `axis` (default 1 in
 * the normalised params), independently for every other index.
 *
 * Cost: three passes over the input.
 *
 * @throws {@link InvalidModelError} when the axis is out of range.
 */
export function softmax(input: Tensor, params: SoftmaxParams): Tensor {
  const axis = canonicalAxis(params.axis, input.shape.length, "Softmax");
  const outer = dimProduct(input.shape, 0, axis);
  const channels = input.shape[axis]!;
  const inner = dimProduct(input.shape, axis + 1);
  const x = input.data;
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * channels * inner + i;
      let max = -Infinity;
      for (let c = 0; c < channels; c++) max = Math.max(max, x[base + c * inner]!);
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        const e = Math.exp(x[base + c * inner]! - max);
        out[base + c * inner] = e;
        sum += e;
      }
      for (let c = 0; c < channels; c++) out[base + c * inner] = out[base + c * inner]! / sum;
    }
  }
  return { shape: [...input.shape], data: out };
}
