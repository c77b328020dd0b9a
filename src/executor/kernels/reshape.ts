/**
 * Layers that only change a tensor's shape: Flatten and Reshape (Caffe
 * semantics). The data buffer is shared, not copied. Part of the reference
 * executor that runs offloaded layers (IONN §4).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { FlattenParams, ReshapeParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct, formatShape } from "./util.js";

/** Shape after flattening dimensions `axis … endAxis` (both inclusive, negative counts from the end) into one. */
export function flattenOutputShape(input: Shape, params: FlattenParams): Shape {
  const axis = canonicalAxis(params.axis, input.length, "Flatten");
  const end = canonicalAxis(params.endAxis, input.length, "Flatten");
  if (end < axis) throw new InvalidModelError(`Flatten: end_axis ${params.endAxis} is before axis ${params.axis}`);
  return [...input.slice(0, axis), dimProduct(input, axis, end + 1), ...input.slice(end + 1)];
}

/**
 * Shape after a Caffe Reshape of the whole tensor: `0` copies the input
 * dimension at the same index, `-1` (at most one) is inferred from the count.
 *
 * @throws {@link InvalidModelError} when the element count cannot be kept.
 */
export function reshapeOutputShape(input: Shape, params: ReshapeParams): Shape {
  const count = dimProduct(input);
  let inferred = -1;
  const out = params.dims.map((d, i) => {
    if (d === 0) {
      if (i >= input.length) throw new InvalidModelError(`Reshape: dim ${i} is 0 but the input has rank ${input.length}`);
      return input[i]!;
    }
    if (d === -1) {
      if (inferred >= 0) throw new InvalidModelError("Reshape: more than one -1 dimension");
      inferred = i;
      return 1;
    }
    if (!(Number.isInteger(d) && d > 0)) throw new InvalidModelError(`Reshape: invalid dimension ${d}`);
    return d;
  });
  const known = dimProduct(out);
  if (inferred >= 0) {
    if (count % known !== 0) {
      throw new InvalidModelError(`Reshape: cannot reshape ${formatShape(input)} to [${params.dims.join(", ")}]`);
    }
    out[inferred] = count / known;
  } else if (known !== count) {
    throw new InvalidModelError(`Reshape: cannot reshape ${formatShape(input)} to [${params.dims.join(", ")}]`);
  }
  return out;
}

/** Flatten (shares the input buffer). */
export function flatten(input: Tensor, params: FlattenParams): Tensor {
  return { shape: flattenOutputShape(input.shape, params), data: input.data };
}

/** Reshape (shares the input buffer). */
export function reshape(input: Tensor, params: ReshapeParams): Tensor {
  return { shape: reshapeOutputShape(input.shape, params), data: input.data };
}
