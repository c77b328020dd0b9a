/**
 * Layers that combine or duplicate tensors: Concat (along an axis), Eltwise
 * (sum with coefficients, product, max) and Split (Caffe's inserted fan-out
 * layer). GoogLeNet's Inception modules and ResNet's shortcuts are built from
 * them. Part of the reference executor that runs offloaded layers (IONN §4).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { ConcatParams, EltwiseParams, Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct, formatShape, sameShape } from "./util.js";

/**
 * Output shape of a concatenation: the inputs' common shape with the `axis`
 * dimensions summed.
 *
 * @throws {@link InvalidModelError} when the inputs differ off the axis.
 */
export function concatOutputShape(inputs: readonly Shape[], params: ConcatParams): Shape {
  if (inputs.length === 0) throw new InvalidModelError("Concat: no inputs");
  const first = inputs[0]!;
  const axis = canonicalAxis(params.axis, first.length, "Concat");
  let total = 0;
  for (const s of inputs) {
    const ok = s.length === first.length && s.every((d, i) => i === axis || d === first[i]);
    if (!ok) {
      throw new InvalidModelError(`Concat: input ${formatShape(s)} does not match ${formatShape(first)} off axis ${axis}`);
    }
    total += s[axis]!;
  }
  const out = [...first];
  out[axis] = total;
  return out;
}

/**
 * Concatenates tensors along `axis` (Caffe default 1, channels).
 *
 * Cost: one copy of every input.
 */
export function concat(inputs: readonly Tensor[], params: ConcatParams): Tensor {
  const outShape = concatOutputShape(inputs.map((t) => t.shape), params);
  const axis = canonicalAxis(params.axis, outShape.length, "Concat");
  const outer = dimProduct(outShape, 0, axis);
  const inner = dimProduct(outShape, axis + 1);
  const outRow = outShape[axis]! * inner;
  const out = new Float32Array(dimProduct(outShape));
  let offset = 0;
  for (const t of inputs) {
    const row = t.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * row, (o + 1) * row), o * outRow + offset);
    offset += row;
  }
  return { shape: outShape, data: out };
}

/**
 * Element-wise combination of equally shaped tensors (Caffe `Eltwise`):
 * `sum` (`Σ coeff_i · x_i`, coefficients default 1), `prod` or `max`.
 *
 * Cost: one pass per input.
 *
 * @throws {@link InvalidModelError} on fewer than one input, mismatched shapes
 * or a wrong number of coefficients.
 */
export function eltwise(inputs: readonly Tensor[], params: EltwiseParams): Tensor {
  if (inputs.length === 0) throw new InvalidModelError("Eltwise: no inputs");
  const first = inputs[0]!;
  for (const t of inputs) {
    if (!sameShape(t.shape, first.shape)) {
      throw new InvalidModelError(`Eltwise: input ${formatShape(t.shape)} does not match ${formatShape(first.shape)}`);
    }
  }
  const coeffs = params.coeffs.length === 0 ? inputs.map(() => 1) : params.coeffs;
  if (params.operation === "sum" && coeffs.length !== inputs.length) {
    throw new InvalidModelError(`Eltwise: ${coeffs.length} coefficients for ${inputs.length} inputs`);
  }
  const n = first.data.length;
  const out = new Float32Array(n);
  switch (params.operation) {
    case "sum":
      // Caffe: y = c0·x0, then y += c_i·x_i (float32 after each input).
      inputs.forEach((t, index) => {
        const c = coeffs[index]!;
        const x = t.data;
        if (c === 1) for (let i = 0; i < n; i++) out[i] = out[i]! + x[i]!;
        else for (let i = 0; i < n; i++) out[i] = out[i]! + c * x[i]!;
      });
      break;
    case "prod":
      out.set(first.data);
      for (let t = 1; t < inputs.length; t++) {
        const x = inputs[t]!.data;
        for (let i = 0; i < n; i++) out[i] = out[i]! * x[i]!;
      }
      break;
    case "max":
      out.set(first.data);
      for (let t = 1; t < inputs.length; t++) {
        const x = inputs[t]!.data;
        for (let i = 0; i < n; i++) if (x[i]! > out[i]!) out[i] = x[i]!;
      }
      break;
    default:
      throw new InvalidModelError(`Eltwise: unknown operation ${String((params as EltwiseParams).operation)}`);
  }
  return { shape: [...first.shape], data: out };
}

/**
 * Split: `count` outputs that are all the input (the same buffer; kernels
 * never write into their inputs).
 */
export function split(input: Tensor, count: number): Tensor[] {
  const outs: Tensor[] = [];
  for (let i = 0; i < count; i++) outs.push({ shape: [...input.shape], data: input.data });
  return outs;
}
