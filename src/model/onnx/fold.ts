/**
 * Constant folding for ONNX import: evaluates the small tensors that
 * exporters compute at run time from constants and shapes (pads from
 * `Concat(Split(constant))`, Reshape targets from `Shape → Gather →
 * Unsqueeze → Concat`, `Range`, `ConstantOfShape`, …), so every shape that
 * depends only on constants is known after import (IONN §5.1 prices each
 * layer's output size).
 *
 * A folder runs when every input it reads has known values; it returns the
 * outputs' shapes and values (row-major), or `undefined` when it cannot
 * (an input without values, an attribute it does not handle, an output of
 * more than {@link FOLD_LIMIT} elements). Semantics follow the ONNX operator
 * specification ([Reference]: https://onnx.ai/onnx/operators/).
 *
 * @module
 */
import { normalizeAxis, sliceRanges } from "./axes.js";
import type { RuleContext, ValueInfo } from "./shapes.js";

/** Largest tensor (elements) whose values the importer computes. */
export const FOLD_LIMIT = 4096;

/** A tensor whose values are known. */
interface Known {
  readonly shape: readonly number[];
  readonly values: readonly number[];
  readonly dtype: number | undefined;
}

type Folder = (ctx: RuleContext) => (ValueInfo | undefined)[] | undefined;

const FLOAT_TYPES = new Set([1, 10, 11, 16]);

const isIntType = (dtype: number | undefined): boolean => dtype !== undefined && !FLOAT_TYPES.has(dtype);

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function known(ctx: RuleContext, i: number): Known | undefined {
  if (ctx.node.inputs[i] === undefined || ctx.node.inputs[i] === "") return undefined;
  const v = ctx.inputs[i];
  if (v?.shape === undefined || v.values === undefined || v.values.length !== product(v.shape)) return undefined;
  return { shape: v.shape, values: v.values, dtype: v.dtype };
}

function result(shape: readonly number[], values: readonly number[], dtype: number | undefined): ValueInfo | undefined {
  if (values.length > FOLD_LIMIT) return undefined;
  return { shape: [...shape], values: [...values], dtype };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

const axisOf = normalizeAxis;

/** Numpy broadcast of known tensors' shapes; `undefined` when incompatible. */
function broadcastTo(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const j = rank - s.length + i;
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else return undefined;
    }
  }
  return out;
}

/** The element of `t` read at output index `flat` of a broadcast to `shape`. */
function broadcastReader(t: Known, shape: readonly number[]): (flat: number) => number {
  const outStrides = stridesOf(shape);
  const inStrides = stridesOf(t.shape);
  const offset = shape.length - t.shape.length;
  return (flat) => {
    let index = 0;
    for (let i = 0; i < t.shape.length; i++) {
      const coordinate = Math.floor(flat / outStrides[i + offset]!) % shape[i + offset]!;
      index += (t.shape[i] === 1 ? 0 : coordinate) * inStrides[i]!;
    }
    return t.values[index]!;
  };
}

function elementwise(tensors: readonly Known[], op: (...xs: number[]) => number, dtype: number | undefined): ValueInfo | undefined {
  const shape = broadcastTo(tensors.map((t) => t.shape));
  if (shape === undefined || product(shape) > FOLD_LIMIT) return undefined;
  const readers = tensors.map((t) => broadcastReader(t, shape));
  const values: number[] = [];
  for (let k = 0; k < product(shape); k++) values.push(op(...readers.map((r) => r(k))));
  return result(shape, values, dtype);
}

const integerDiv = (a: number, b: number): number => Math.trunc(a / b);

const BINARY: Record<string, (a: number, b: number, int: boolean, fmod: boolean) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b, int) => (int ? integerDiv(a, b) : a / b),
  Pow: (a, b) => a ** b,
  Mod: (a, b, _int, fmod) => (fmod ? a % b : a - b * Math.floor(a / b)),
  Equal: (a, b) => Number(a === b),
  Less: (a, b) => Number(a < b),
  Greater: (a, b) => Number(a > b),
  LessOrEqual: (a, b) => Number(a <= b),
  GreaterOrEqual: (a, b) => Number(a >= b),
  And: (a, b) => Number(a !== 0 && b !== 0),
  Or: (a, b) => Number(a !== 0 || b !== 0),
  Xor: (a, b) => Number((a !== 0) !== (b !== 0)),
};

const COMPARISONS = new Set(["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not"]);

const binary: Folder = (ctx) => {
  const a = known(ctx, 0);
  const b = known(ctx, 1);
  if (a === undefined || b === undefined) return undefined;
  const int = isIntType(a.dtype) && isIntType(b.dtype);
  const op = BINARY[ctx.node.opType]!;
  const fmod = ctx.attrs.int("fmod", 0) === 1;
  const dtype = COMPARISONS.has(ctx.node.opType) ? 9 : a.dtype;
  return [elementwise([a, b], (x, y) => (int ? Math.trunc(op(x, y, int, fmod)) : op(x, y, int, fmod)), dtype)];
};

const variadic = (reduce: (xs: number[]) => number): Folder => (ctx) => {
  const all = ctx.node.inputs.map((_, i) => known(ctx, i));
  if (all.length === 0 || all.some((t) => t === undefined)) return undefined;
  const tensors = all as Known[];
  const int = tensors.every((t) => isIntType(t.dtype));
  return [elementwise(tensors, (...xs) => (int ? Math.trunc(reduce(xs)) : reduce(xs)), tensors[0]!.dtype)];
};

const UNARY: Record<string, (x: number) => number> = {
  Neg: (x) => -x,
  Abs: Math.abs,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; // half to even
  },
  Sqrt: Math.sqrt,
  Reciprocal: (x) => 1 / x,
  Relu: (x) => Math.max(0, x),
  Sign: Math.sign,
  Not: (x) => Number(x === 0),
  Exp: Math.exp,
  Log: Math.log,
};

const unary: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  const op = UNARY[ctx.node.opType]!;
  return [result(x.shape, x.values.map(op), ctx.node.opType === "Not" ? 9 : x.dtype)];
};

const cast: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  const to = ctx.attrs.int("to", 1);
  const values = to === 9 ? x.values.map((v) => Number(v !== 0)) : isIntType(to) ? x.values.map(Math.trunc) : x.values;
  return [result(x.shape, values, to)];
};

const concat: Folder = (ctx) => {
  const all = ctx.node.inputs.map((_, i) => known(ctx, i));
  if (all.length === 0 || all.some((t) => t === undefined)) return undefined;
  const tensors = all as Known[];
  const rank = tensors[0]!.shape.length;
  const axis = axisOf(ctx.attrs.int("axis", 0), rank);
  if (axis < 0 || axis >= rank || tensors.some((t) => t.shape.length !== rank)) return undefined;
  const outer = product(tensors[0]!.shape.slice(0, axis));
  const shape = [...tensors[0]!.shape];
  shape[axis] = tensors.reduce((s, t) => s + t.shape[axis]!, 0);
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of tensors) {
      const block = product(t.shape.slice(axis));
      for (let k = 0; k < block; k++) values.push(t.values[o * block + k]!);
    }
  }
  return [result(shape, values, tensors[0]!.dtype)];
};

/** Values of the sub-tensor `[starts[i], starts[i] + sizes[i]) step steps[i]` on every axis. */
function window(t: Known, starts: readonly number[], sizes: readonly number[], steps: readonly number[]): number[] {
  const strides = stridesOf(t.shape);
  const values: number[] = [];
  const total = product(sizes);
  const sizeStrides = stridesOf(sizes);
  for (let k = 0; k < total; k++) {
    let index = 0;
    for (let i = 0; i < sizes.length; i++) {
      const c = Math.floor(k / sizeStrides[i]!) % sizes[i]!;
      index += (starts[i]! + c * steps[i]!) * strides[i]!;
    }
    values.push(t.values[index]!);
  }
  return values;
}

const split: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  const rank = x.shape.length;
  const axis = axisOf(ctx.attrs.int("axis", 0), rank);
  if (axis < 0 || axis >= rank) return undefined;
  const count = ctx.node.outputs.length;
  let parts: readonly number[] | undefined;
  if (ctx.opset >= 13) {
    if (ctx.node.inputs[1]) {
      parts = known(ctx, 1)?.values;
      if (parts === undefined) return undefined;
    }
  } else parts = ctx.attrs.ints("split");
  const dim = x.shape[axis]!;
  if (parts === undefined || parts.length === 0) {
    const each = Math.ceil(dim / count);
    parts = Array.from({ length: count }, (_, i) => Math.max(0, Math.min(each, dim - each * i)));
  }
  if (parts.length !== count || parts.reduce((a, b) => a + b, 0) !== dim) return undefined;
  let offset = 0;
  return parts.map((p) => {
    const starts = x.shape.map((_, i) => (i === axis ? offset : 0));
    const sizes = x.shape.map((d, i) => (i === axis ? p : d));
    offset += p;
    return result(sizes, window(x, starts, sizes, x.shape.map(() => 1)), x.dtype);
  });
};

const slice: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  let starts: readonly number[] | undefined;
  let ends: readonly number[] | undefined;
  let axes: readonly number[] | undefined;
  let steps: readonly number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints("starts");
    ends = ctx.attrs.ints("ends");
    axes = ctx.attrs.ints("axes");
  } else {
    starts = known(ctx, 1)?.values;
    ends = known(ctx, 2)?.values;
    if (ctx.node.inputs[3]) axes = known(ctx, 3)?.values ?? [NaN];
    if (ctx.node.inputs[4]) steps = known(ctx, 4)?.values ?? [NaN];
  }
  if (starts === undefined || ends === undefined || axes?.some(Number.isNaN) || steps?.some(Number.isNaN)) return undefined;
  const ranges = sliceRanges(x.shape, starts, ends, axes, steps);
  if (ranges === undefined) return undefined;
  const sizes = ranges.map((r) => r.size);
  const begin = ranges.map((r) => r.start);
  const stepList = ranges.map((r) => r.step);
  return [result(sizes, window(x, begin, sizes, stepList), x.dtype)];
};

const gather: Folder = (ctx) => {
  const data = known(ctx, 0);
  const indices = known(ctx, 1);
  if (data === undefined || indices === undefined) return undefined;
  const rank = data.shape.length;
  const axis = axisOf(ctx.attrs.int("axis", 0), rank);
  if (axis < 0 || axis >= rank) return undefined;
  const dim = data.shape[axis]!;
  const outer = product(data.shape.slice(0, axis));
  const inner = product(data.shape.slice(axis + 1));
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.values) {
      const i = raw < 0 ? raw + dim : raw;
      if (i < 0 || i >= dim) return undefined;
      for (let k = 0; k < inner; k++) values.push(data.values[(o * dim + i) * inner + k]!);
    }
  }
  return [result(shape, values, data.dtype)];
};

const transpose: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  const rank = x.shape.length;
  const perm = ctx.attrs.ints("perm") ?? x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank) return undefined;
  const shape = perm.map((p) => x.shape[p]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const values: number[] = [];
  for (let k = 0; k < x.values.length; k++) {
    let index = 0;
    for (let i = 0; i < rank; i++) index += (Math.floor(k / outStrides[i]!) % shape[i]!) * inStrides[perm[i]!]!;
    values.push(x.values[index]!);
  }
  return [result(shape, values, x.dtype)];
};

const constantOfShape: Folder = (ctx) => {
  const shape = known(ctx, 0)?.values;
  if (shape === undefined || product(shape) > FOLD_LIMIT) return undefined;
  const value = ctx.attrs.node.attributes.find((a) => a.name === "value")?.t;
  let fill = 0;
  let dtype = 1;
  if (value !== undefined) {
    dtype = value.dataType;
    const v = value.floatData[0] ?? value.int64Data[0] ?? value.int32Data[0] ?? value.doubleData[0];
    if (v !== undefined) fill = v;
    else if (value.rawData !== undefined && value.rawData.length > 0) {
      const view = new DataView(value.rawData.buffer, value.rawData.byteOffset, value.rawData.byteLength);
      if (dtype === 1) fill = view.getFloat32(0, true);
      else if (dtype === 7 && view.byteLength >= 8) fill = Number(view.getBigInt64(0, true));
      else if (dtype === 6) fill = view.getInt32(0, true);
      else if (dtype === 9 || dtype === 2) fill = view.getUint8(0);
      else if (dtype === 11) fill = view.getFloat64(0, true);
      else return undefined;
    }
  }
  return [result(shape, new Array<number>(product(shape)).fill(fill), dtype)];
};

const range: Folder = (ctx) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => known(ctx, i)?.values[0]);
  if (start === undefined || limit === undefined || delta === undefined || delta === 0) return undefined;
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  if (count > FOLD_LIMIT) return [{ shape: [count], dtype: ctx.inputs[0]?.dtype }];
  return [result([count], Array.from({ length: count }, (_, i) => start + i * delta), ctx.inputs[0]?.dtype)];
};

const size: Folder = (ctx) => {
  const shape = ctx.inputs[0]?.shape;
  return shape === undefined ? undefined : [result([], [product(shape)], 7)];
};

const expand: Folder = (ctx) => {
  const x = known(ctx, 0);
  const target = known(ctx, 1)?.values;
  if (x === undefined || target === undefined) return undefined;
  return [elementwise([x, { shape: target, values: new Array(product(target)).fill(0), dtype: x.dtype }], (a) => a, x.dtype)];
};

const tile: Folder = (ctx) => {
  const x = known(ctx, 0);
  const repeats = known(ctx, 1)?.values;
  if (x === undefined || repeats === undefined || repeats.length !== x.shape.length) return undefined;
  const shape = x.shape.map((d, i) => d * repeats[i]!);
  if (product(shape) > FOLD_LIMIT) return undefined;
  const outStrides = stridesOf(shape);
  const inStrides = stridesOf(x.shape);
  const values: number[] = [];
  for (let k = 0; k < product(shape); k++) {
    let index = 0;
    for (let i = 0; i < shape.length; i++) index += ((Math.floor(k / outStrides[i]!) % shape[i]!) % x.shape[i]!) * inStrides[i]!;
    values.push(x.values[index]!);
  }
  return [result(shape, values, x.dtype)];
};

const REDUCERS: Record<string, (xs: number[]) => number> = {
  ReduceSum: (xs) => xs.reduce((a, b) => a + b, 0),
  ReduceProd: (xs) => xs.reduce((a, b) => a * b, 1),
  ReduceMin: (xs) => Math.min(...xs),
  ReduceMax: (xs) => Math.max(...xs),
  ReduceMean: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
};

const reduce: Folder = (ctx) => {
  const x = known(ctx, 0);
  if (x === undefined) return undefined;
  const sinceOpset = ctx.node.opType === "ReduceSum" ? 13 : 18;
  let axes: readonly number[] | undefined;
  if (ctx.opset >= sinceOpset) {
    if (ctx.node.inputs[1]) {
      axes = known(ctx, 1)?.values;
      if (axes === undefined) return undefined;
    }
  } else axes = ctx.attrs.ints("axes");
  const rank = x.shape.length;
  const keep = ctx.attrs.int("keepdims", 1) === 1;
  if ((axes === undefined || axes.length === 0) && ctx.attrs.int("noop_with_empty_axes", 0) === 1) return [result(x.shape, x.values, x.dtype)];
  const list = axes === undefined || axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => axisOf(a, rank));
  const kept = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const strides = stridesOf(x.shape);
  const keptStrides = stridesOf(kept);
  for (let k = 0; k < x.values.length; k++) {
    let index = 0;
    for (let i = 0; i < rank; i++) if (!list.includes(i)) index += (Math.floor(k / strides[i]!) % x.shape[i]!) * keptStrides[i]!;
    const g = groups.get(index);
    if (g === undefined) groups.set(index, [x.values[k]!]);
    else g.push(x.values[k]!);
  }
  const op = REDUCERS[ctx.node.opType]!;
  const values: number[] = [];
  for (let k = 0; k < product(kept); k++) {
    const v = op(groups.get(k) ?? []);
    values.push(isIntType(x.dtype) ? Math.trunc(v) : v);
  }
  const shape = keep ? kept : x.shape.filter((_, i) => !list.includes(i));
  return [result(shape, values, x.dtype)];
};

const whereFolder: Folder = (ctx) => {
  const c = known(ctx, 0);
  const a = known(ctx, 1);
  const b = known(ctx, 2);
  if (c === undefined || a === undefined || b === undefined) return undefined;
  return [elementwise([c, a, b], (cond, x, y) => (cond !== 0 ? x : y), a.dtype)];
};

/** Constant folders by ONNX op type (default domain). */
export const FOLDERS: Readonly<Record<string, Folder>> = {
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, binary])),
  ...Object.fromEntries(Object.keys(UNARY).map((op) => [op, unary])),
  Max: variadic((xs) => Math.max(...xs)),
  Min: variadic((xs) => Math.min(...xs)),
  Sum: variadic((xs) => xs.reduce((a, b) => a + b, 0)),
  Mean: variadic((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
  Cast: cast,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Transpose: transpose,
  ConstantOfShape: constantOfShape,
  Range: range,
  Size: size,
  Expand: expand,
  Tile: tile,
  Where: whereFolder,
  ...Object.fromEntries(Object.keys(REDUCERS).map((op) => [op, reduce])),
};
