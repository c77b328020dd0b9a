/**
 * Caffe layers that move data without arithmetic: Slice (one tensor cut into
 * several along an axis), Crop (a window of bottom 0 the size of bottom 1)
 * and Tile (an axis repeated). FCN-style and multi-task networks use them.
 * Part of the reference executor that runs offloaded layers (IONN §4).
 *
 * Reference: BVLC Caffe `src/caffe/layers/{slice,crop,tile}_layer.cpp`.
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { Shape } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { canonicalAxis, dimProduct, formatShape } from "./util.js";

/** Parameters of {@link slice} (the Caffe importer's normalised `slice_param`). */
export interface SliceParams {
  /** The axis to cut (may be negative; Caffe default 1). */
  readonly axis: number;
  /**
   * Strictly increasing cut positions inside `(0, size of axis)`, one fewer
   * than the tops; empty: equal parts, one per top.
   */
  readonly slicePoints: readonly number[];
}

/**
 * Output shapes of a Slice into `topCount` parts.
 *
 * @throws {@link InvalidModelError} when the slice points are not strictly
 * increasing inside the axis, their number is not `topCount − 1`, or (without
 * points) the axis does not divide evenly.
 */
export function sliceOutputShapes(input: Shape, params: SliceParams, topCount: number): Shape[] {
  const axis = canonicalAxis(params.axis, input.length, "Slice");
  const dim = input[axis]!;
  const bounds = sliceBounds(dim, params.slicePoints, topCount, `Slice of ${formatShape(input)} on axis ${axis}`);
  const shapes: Shape[] = [];
  for (let t = 0; t < topCount; t++) {
    const out = [...input];
    out[axis] = bounds[t + 1]! - bounds[t]!;
    shapes.push(out);
  }
  return shapes;
}

function sliceBounds(dim: number, points: readonly number[], tops: number, what: string): number[] {
  if (!(Number.isInteger(tops) && tops >= 1)) throw new InvalidModelError(`${what}: needs at least one top, got ${tops}`);
  const bounds = [0];
  if (points.length > 0) {
    if (points.length !== tops - 1) throw new InvalidModelError(`${what}: ${points.length} slice points for ${tops} tops`);
    for (const p of points) {
      if (!Number.isInteger(p) || p <= bounds[bounds.length - 1]! || p >= dim) {
        throw new InvalidModelError(`${what}: slice points [${points.join(", ")}] must increase strictly within (0, ${dim})`);
      }
      bounds.push(p);
    }
  } else {
    if (dim % tops !== 0) throw new InvalidModelError(`${what}: size ${dim} does not split evenly into ${tops} tops`);
    for (let t = 1; t < tops; t++) bounds.push((dim / tops) * t);
  }
  bounds.push(dim);
  return bounds;
}

/**
 * Caffe Slice: cuts the input along `axis` at the slice points (or into
 * `topCount` equal parts) and returns one tensor per part, in order.
 *
 * Cost: one copy of the input.
 *
 * @throws {@link InvalidModelError} as {@link sliceOutputShapes}.
 */
export function slice(input: Tensor, params: SliceParams, topCount: number): Tensor[] {
  const shapes = sliceOutputShapes(input.shape, params, topCount);
  const axis = canonicalAxis(params.axis, input.shape.length, "Slice");
  const outer = dimProduct(input.shape, 0, axis);
  const inner = dimProduct(input.shape, axis + 1);
  const inRow = input.shape[axis]! * inner;
  const outs: Tensor[] = [];
  let offset = 0;
  for (const shape of shapes) {
    const row = shape[axis]! * inner;
    const data = new Float32Array(outer * row);
    for (let o = 0; o < outer; o++) data.set(input.data.subarray(o * inRow + offset, o * inRow + offset + row), o * row);
    outs.push({ shape, data });
    offset += row;
  }
  return outs;
}

/** Parameters of {@link crop} (the Caffe importer's normalised `crop_param`). */
export interface CropParams {
  /** First cropped axis (may be negative; Caffe default 2). */
  readonly axis: number;
  /**
   * Offsets into bottom 0: one per cropped axis (`axis … rank − 1`), or a
   * single offset for all of them, or none (all 0).
   */
  readonly offsets: readonly number[];
}

/** Per-axis offsets of a crop (0 on the uncropped axes), checked against the shapes. */
function cropOffsets(input: Shape, reference: Shape, params: CropParams): number[] {
  if (input.length !== reference.length) {
    throw new InvalidModelError(`Crop: bottom 0 ${formatShape(input)} and bottom 1 ${formatShape(reference)} differ in rank`);
  }
  const axis = canonicalAxis(params.axis, input.length, "Crop");
  const cropped = input.length - axis;
  const given = params.offsets;
  if (given.length > 1 && given.length !== cropped) {
    throw new InvalidModelError(`Crop: ${given.length} offsets; give none, one, or one per cropped axis (${cropped})`);
  }
  const offsets = new Array<number>(input.length).fill(0);
  for (let a = axis; a < input.length; a++) {
    const offset = given.length === 0 ? 0 : given.length === 1 ? given[0]! : given[a - axis]!;
    if (!(Number.isInteger(offset) && offset >= 0) || offset + reference[a]! > input[a]!) {
      throw new InvalidModelError(
        `Crop: on axis ${a}, offset ${offset} + size ${reference[a]} does not fit bottom 0 ${formatShape(input)}`,
      );
    }
    offsets[a] = offset;
  }
  return offsets;
}

/**
 * Output shape of a Crop: bottom 0's shape with the axes from `axis` on
 * taken from bottom 1 (the reference).
 *
 * @throws {@link InvalidModelError} when the ranks differ or a window does not fit.
 */
export function cropOutputShape(input: Shape, reference: Shape, params: CropParams): Shape {
  cropOffsets(input, reference, params);
  const axis = canonicalAxis(params.axis, input.length, "Crop");
  return input.map((d, a) => (a < axis ? d : reference[a]!));
}

/**
 * Caffe Crop: the window of `input` starting at the offsets (axes before
 * `axis` are kept whole) with the size of `reference` on the axes from
 * `axis` on. Only `reference`'s shape is used.
 *
 * Cost: one copy of the output.
 *
 * @throws {@link InvalidModelError} as {@link cropOutputShape}.
 */
export function crop(input: Tensor, reference: Shape, params: CropParams): Tensor {
  const offsets = cropOffsets(input.shape, reference, params);
  const outShape = cropOutputShape(input.shape, reference, params);
  const rank = outShape.length;
  const out = new Float32Array(dimProduct(outShape));
  if (out.length === 0) return { shape: outShape, data: out };
  if (rank === 0) {
    out[0] = input.data[0]!;
    return { shape: outShape, data: out };
  }
  // Input strides, then copy one contiguous row (the last axis) at a time.
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) strides[a] = strides[a + 1]! * input.shape[a + 1]!;
  const rowLength = outShape[rank - 1]!;
  const rows = out.length / rowLength;
  const index = new Array<number>(rank).fill(0); // current output index over axes 0 … rank − 2
  for (let r = 0; r < rows; r++) {
    let src = offsets[rank - 1]!;
    for (let a = 0; a < rank - 1; a++) src += (index[a]! + offsets[a]!) * strides[a]!;
    out.set(input.data.subarray(src, src + rowLength), r * rowLength);
    for (let a = rank - 2; a >= 0; a--) {
      if (++index[a]! < outShape[a]!) break;
      index[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** Parameters of {@link tile} (the Caffe importer's normalised `tile_param`). */
export interface TileParams {
  /** The axis to repeat (may be negative; Caffe default 1). */
  readonly axis: number;
  /** How many copies (at least 1). */
  readonly tiles: number;
}

/**
 * Output shape of a Tile: the `axis` dimension times `tiles`.
 *
 * @throws {@link InvalidModelError} for a bad axis or a non-positive `tiles`.
 */
export function tileOutputShape(input: Shape, params: TileParams): Shape {
  const axis = canonicalAxis(params.axis, input.length, "Tile");
  if (!(Number.isInteger(params.tiles) && params.tiles >= 1)) throw new InvalidModelError(`Tile: tiles must be a positive integer, got ${params.tiles}`);
  return input.map((d, a) => (a === axis ? d * params.tiles : d));
}

/**
 * Caffe Tile: for every index of the axes before `axis`, the block of the
 * axes from `axis` on is written `tiles` times in a row (so `[a, b]` tiled
 * twice on axis 1 of a `[1, 2]` tensor is `[a, b, a, b]`).
 *
 * Cost: one copy of the output.
 *
 * @throws {@link InvalidModelError} as {@link tileOutputShape}.
 */
export function tile(input: Tensor, params: TileParams): Tensor {
  const outShape = tileOutputShape(input.shape, params);
  const axis = canonicalAxis(params.axis, input.shape.length, "Tile");
  const outer = dimProduct(input.shape, 0, axis);
  const inner = dimProduct(input.shape, axis);
  const out = new Float32Array(dimProduct(outShape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    const block = input.data.subarray(i * inner, (i + 1) * inner);
    for (let t = 0; t < params.tiles; t++, o += inner) out.set(block, o);
  }
  return { shape: outShape, data: out };
}
