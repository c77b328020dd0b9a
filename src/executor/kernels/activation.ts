/**
 * Element-wise activations of the reference executor: ReLU (with Caffe's
 * optional `negative_slope`, a leaky ReLU) and Dropout (the identity at
 * inference, Caffe scales at training time). Part of the reference executor
 * that runs offloaded layers (IONN §4).
 *
 * @module
 */
import type { Tensor } from "../types.js";

/**
 * `y = x > 0 ? x : negativeSlope·x` (Caffe ReLU; default slope 0).
 *
 * Cost: one pass over the input.
 */
export function relu(input: Tensor, negativeSlope = 0): Tensor {
  const x = input.data;
  const out = new Float32Array(x.length);
  if (negativeSlope === 0) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : 0;
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 ? v : negativeSlope * v;
    }
  }
  return { shape: [...input.shape], data: out };
}

/**
 * Dropout at inference: the identity (Caffe's inverted dropout scales only at
 * training time). The result shares the input's buffer (kernels never write
 * into their inputs).
 */
export function dropout(input: Tensor): Tensor {
  return { shape: [...input.shape], data: input.data };
}
