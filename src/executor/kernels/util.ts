/**
 * Small helpers shared by the reference kernels: axis normalisation, shape
 * products, shape checks. Part of the reference executor (IONN §4, Figure 3:
 * the execution engine that runs layers on both client and server).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";

/**
 * Normalises a possibly negative axis (Caffe's `CanonicalAxisIndex`).
 *
 * @throws {@link InvalidModelError} when the axis is outside `[-rank, rank)`.
 */
export function canonicalAxis(axis: number, rank: number, what: string): number {
  const canonical = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(canonical) || canonical < 0 || canonical >= rank) {
    throw new InvalidModelError(`${what}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return canonical;
}

/** Product of `shape[from] … shape[to - 1]` (1 for an empty range). */
export function dimProduct(shape: Shape, from = 0, to = shape.length): number {
  let product = 1;
  for (let i = from; i < to; i++) product *= shape[i]!;
  return product;
}

/** True when two shapes have the same rank and dimensions. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `"[1, 3, 224, 224]"`, for messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Checks that a tensor is rank 4 (NCHW) and returns its dimensions.
 *
 * @throws {@link InvalidModelError} otherwise.
 */
export function nchw(tensor: Tensor, what: string): [number, number, number, number] {
  const s = tensor.shape;
  if (s.length !== 4) {
    throw new InvalidModelError(`${what}: expected an NCHW tensor, got shape ${formatShape(s)}`);
  }
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

/** A zero-filled tensor of the given shape. */
export function zeros(shape: Shape): Tensor {
  return { shape: [...shape], data: new Float32Array(dimProduct(shape)) };
}
