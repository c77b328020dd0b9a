/**
 * Caffe layers that reduce a tensor: ArgMax (the indices, and optionally the
 * values, of the k largest entries) and Reduction (sum, sum of absolute
 * values, sum of squares or mean over the trailing axes). Deploy files use
 * ArgMax as the classifier's last layer. Part of the reference executor that
 * runs offloaded layers (IONN §4).
 *
 * Reference: BVLC Caffe `src/caffe/layers/{argmax,reduction}_layer.cpp`.
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct, formatShape } from "./util.js";

/** Parameters of {@link argMax} (the Caffe importer's normalised `argmax_param`). */
export interface ArgMaxParams {
  /** How many of the largest entries (Caffe default 1). */
  readonly topK: number;
  /** Also output the values (Caffe default false). */
  readonly outMaxVal: boolean;
  /** Search along this axis; absent: over all of each item's values (axes 1 … end). */
  readonly axis?: number;
}

/**
 * Output shape of an ArgMax: with `axis`, the input with that axis replaced
 * by `topK`; without, `[N, 1, topK]` (`[N, 2, topK]` with `outMaxVal`),
 * following the Caffe importer (Caffe itself pads this to the input's rank
 * with trailing 1s; the data layout is the same).
 *
 * @throws {@link InvalidModelError} when `topK` exceeds the values searched.
 */
export function argMaxOutputShape(input: Shape, params: ArgMaxParams): Shape {
  const { topK } = params;
  if (!(Number.isInteger(topK) && topK >= 1)) throw new InvalidModelError(`ArgMax: top_k must be a positive integer, got ${topK}`);
  if (params.axis !== undefined) {
    const axis = canonicalAxis(params.axis, input.length, "ArgMax");
    if (topK > input[axis]!) throw new InvalidModelError(`ArgMax: top_k ${topK} exceeds axis ${axis} of ${formatShape(input)}`);
    return input.map((d, a) => (a === axis ? topK : d));
  }
  const perItem = dimProduct(input, 1);
  if (topK > perItem) throw new InvalidModelError(`ArgMax: top_k ${topK} exceeds the ${perItem} values per item of ${formatShape(input)}`);
  return [input[0] ?? 1, params.outMaxVal ? 2 : 1, topK];
}

/**
 * Caffe ArgMax. For each item (without `axis`: each index of axis 0, over
 * all its values; with `axis`: each position of the other axes, along
 * `axis`) the entries are ranked by value, larger first, and among equal
 * values the larger index first (Caffe's `std::greater` on (value, index)
 * pairs). Output: the top-k indices (as floats); with `outMaxVal` and an
 * axis, the top-k values instead; with `outMaxVal` and no axis, the k
 * indices followed by the k values for each item.
 *
 * Cost: a sort of each searched row (`O(d log d)` for d values).
 *
 * @throws {@link InvalidModelError} as {@link argMaxOutputShape}.
 */
export function argMax(input: Tensor, params: ArgMaxParams): Tensor {
  const outShape = argMaxOutputShape(input.shape, params);
  const { topK, outMaxVal } = params;
  const hasAxis = params.axis !== undefined;
  let dim: number;
  let axisDist: number;
  if (hasAxis) {
    const axis = canonicalAxis(params.axis!, input.shape.length, "ArgMax");
    dim = input.shape[axis]!;
    axisDist = dimProduct(input.shape, axis) / dim;
  } else {
    dim = dimProduct(input.shape, 1);
    axisDist = 1;
  }
  const x = input.data;
  const num = x.length / dim;
  const out = new Float32Array(dimProduct(outShape));
  const order = new Array<number>(dim);
  for (let i = 0; i < num; i++) {
    const base = Math.floor(i / axisDist) * dim * axisDist + (i % axisDist);
    for (let j = 0; j < dim; j++) order[j] = j;
    const value = (j: number): number => x[base + j * axisDist]!;
    order.sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va !== vb) return va > vb ? -1 : 1;
      return b - a;
    });
    for (let j = 0; j < topK; j++) {
      const index = order[j]!;
      if (outMaxVal && !hasAxis) {
        out[2 * i * topK + j] = index;
        out[2 * i * topK + topK + j] = value(index);
      } else {
        out[Math.floor(i / axisDist) * topK * axisDist + j * axisDist + (i % axisDist)] = outMaxVal ? value(index) : index;
      }
    }
  }
  return { shape: outShape, data: out };
}

/** Parameters of {@link reduction} (the Caffe importer's normalised `reduction_param`). */
export interface ReductionParams {
  /** `sum`, `asum` (Σ|x|), `sumsq` (Σx²) or `mean` (Caffe default sum). */
  readonly operation: "sum" | "asum" | "sumsq" | "mean";
  /** First reduced axis: the axes from here to the end are reduced (may be negative; Caffe default 0). */
  readonly axis: number;
  /** Factor applied to every result (Caffe default 1). */
  readonly coeff: number;
}

/**
 * Output shape of a Reduction: the input's axes before `axis` (`[]`, a
 * scalar, for axis 0).
 *
 * @throws {@link InvalidModelError} for an axis out of range.
 */
export function reductionOutputShape(input: Shape, params: ReductionParams): Shape {
  return input.slice(0, canonicalAxis(params.axis, input.length, "Reduction"));
}

/**
 * Caffe Reduction: for each index of the axes before `axis`, reduces the
 * block of the axes from `axis` on to one value, then multiplies by the
 * float32 coefficient (`coeff`, divided by the block size for `mean`, as
 * Caffe does) unless it is 1. Sums accumulate in float32, in index order.
 *
 * Cost: one pass over the input.
 *
 * @throws {@link InvalidModelError} for an axis out of range or an unknown operation.
 */
export function reduction(input: Tensor, params: ReductionParams): Tensor {
  const outShape = reductionOutputShape(input.shape, params);
  const axis = canonicalAxis(params.axis, input.shape.length, "Reduction");
  const num = dimProduct(input.shape, 0, axis);
  const dim = dimProduct(input.shape, axis);
  const op = params.operation;
  if (op !== "sum" && op !== "asum" && op !== "sumsq" && op !== "mean") {
    throw new InvalidModelError(`Reduction: unknown operation ${String(op)}`);
  }
  let coeff = Math.fround(params.coeff);
  if (op === "mean") coeff = Math.fround(coeff / dim);
  const x = input.data;
  const out = new Float32Array(num);
  for (let i = 0; i < num; i++) {
    let sum = 0;
    const base = i * dim;
    for (let j = base; j < base + dim; j++) {
      const v = x[j]!;
      sum = Math.fround(sum + (op === "asum" ? Math.abs(v) : op === "sumsq" ? Math.fround(v * v) : v));
    }
    out[i] = coeff === 1 ? sum : sum * coeff;
  }
  return { shape: outShape, data: out };
}
