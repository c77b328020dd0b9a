/**
 * Shape inference for ONNX operators, and evaluation of the small integer
 * sub-graphs (Shape → Gather/Slice → Concat → Reshape) that exporters emit to
 * compute shapes at run time. IONN's execution graph (§5.1) needs every
 * layer's output size to price the transfer of its output, so the importer
 * infers shapes itself when the file carries no `value_info`.
 *
 * Each rule takes the node's attributes and its inputs (shape, and the
 * values when the input is a constant or was computed from shapes) and
 * returns the output shapes (`undefined` = unknown) and, for shape
 * arithmetic, the output values. Semantics follow the ONNX operator
 * specification ([Reference]: https://onnx.ai/onnx/operators/).
 *
 * @module
 */
import { normalizeAxis, sliceRanges } from "./axes.js";
import { FOLDERS } from "./fold.js";
import type { OnnxAttribute, OnnxNode } from "./proto.js";

/** What the importer knows about one tensor. */
export interface ValueInfo {
  /** Shape, batch included; `undefined` when unknown. */
  readonly shape?: readonly number[];
  /** Element values for small tensors known at import time (constants, shape arithmetic). */
  readonly values?: readonly number[];
  /** `TensorProto.DataType` when known (1 float32, 6 int32, 7 int64, …). */
  readonly dtype?: number;
}

/** Result of a shape rule: one entry per node output. */
export interface InferResult {
  readonly outputs: readonly ValueInfo[];
  /** Multiply–accumulates of one forward pass, when the rule knows them. */
  readonly macs?: number;
}

/** Attribute accessors for one node. */
export class Attributes {
  private readonly byName = new Map<string, OnnxAttribute>();
  constructor(readonly node: OnnxNode) {
    for (const a of node.attributes) this.byName.set(a.name, a);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  int(name: string, fallback: number): number {
    return this.byName.get(name)?.i ?? fallback;
  }
  float(name: string, fallback: number): number {
    return this.byName.get(name)?.f ?? fallback;
  }
  string(name: string, fallback: string): string {
    return this.byName.get(name)?.s ?? fallback;
  }
  ints(name: string): readonly number[] | undefined {
    const a = this.byName.get(name);
    return a === undefined ? undefined : a.ints;
  }
  floats(name: string): readonly number[] | undefined {
    const a = this.byName.get(name);
    return a === undefined ? undefined : a.floats;
  }
  /** All attributes as plain values (for {@link Layer.params}). */
  toRecord(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const a of this.node.attributes) {
      if (a.f !== undefined) out[a.name] = a.f;
      else if (a.i !== undefined) out[a.name] = a.i;
      else if (a.s !== undefined) out[a.name] = a.s;
      else if (a.t !== undefined) out[a.name] = { dims: a.t.dims, dataType: a.t.dataType };
      else if (a.ints.length > 0) out[a.name] = [...a.ints];
      else if (a.floats.length > 0) out[a.name] = [...a.floats];
      else if (a.strings.length > 0) out[a.name] = [...a.strings];
      else out[a.name] = [];
    }
    return out;
  }
}

/** Inputs of one node as seen by a rule (`undefined` for an absent optional input). */
export interface RuleContext {
  readonly node: OnnxNode;
  readonly attrs: Attributes;
  readonly inputs: readonly (ValueInfo | undefined)[];
  /** Opset of the node's domain. */
  readonly opset: number;
}

type Rule = (ctx: RuleContext) => InferResult | undefined;

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export { normalizeAxis, sliceRanges } from "./axes.js";

/** Numpy-style broadcast of shapes; `undefined` when incompatible or unknown. */
export function broadcastShapes(shapes: readonly (readonly number[] | undefined)[]): number[] | undefined {
  let rank = 0;
  for (const s of shapes) {
    if (s === undefined) return undefined;
    rank = Math.max(rank, s.length);
  }
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const offset = rank - s!.length;
    for (let i = 0; i < s!.length; i++) {
      const d = s![i]!;
      const o = out[offset + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[offset + i] = d;
      else return undefined;
    }
  }
  return out;
}

function shapeOf(ctx: RuleContext, i: number): readonly number[] | undefined {
  return ctx.inputs[i]?.shape;
}

function valuesOf(ctx: RuleContext, i: number): readonly number[] | undefined {
  return ctx.inputs[i]?.values;
}

function out(shape: readonly number[] | undefined, extra?: Omit<ValueInfo, "shape">): ValueInfo {
  return { shape, ...extra };
}

/** Spatial output sizes for convolution / pooling windows (ONNX `auto_pad`, `pads`, `ceil_mode`). */
export interface WindowGeometry {
  readonly outSpatial: number[];
  readonly padsBegin: number[];
  readonly padsEnd: number[];
}

/**
 * Output spatial sizes of a sliding window (Conv, MaxPool, AveragePool).
 * `ceil_mode` drops a last window that would start inside the end padding
 * (PyTorch's and ONNX Runtime's rule).
 */
export function windowGeometry(
  inSpatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  pads: readonly number[] | undefined,
  autoPad: string,
  ceilMode: boolean,
): WindowGeometry {
  const n = inSpatial.length;
  const outSpatial: number[] = [];
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = inSpatial[i]!;
    const s = strides[i] ?? 1;
    const dk = ((kernel[i] ?? 1) - 1) * (dilations[i] ?? 1) + 1;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      const o = Math.ceil(size / s);
      const total = Math.max((o - 1) * s + dk - size, 0);
      const small = Math.floor(total / 2);
      padsBegin.push(autoPad === "SAME_UPPER" ? small : total - small);
      padsEnd.push(autoPad === "SAME_UPPER" ? total - small : small);
      outSpatial.push(o);
      continue;
    }
    const pb = autoPad === "VALID" ? 0 : (pads?.[i] ?? 0);
    const pe = autoPad === "VALID" ? 0 : (pads?.[i + n] ?? 0);
    const span = size + pb + pe - dk;
    let o = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceilMode && (o - 1) * s >= size + pb) o -= 1;
    padsBegin.push(pb);
    padsEnd.push(pe);
    outSpatial.push(o);
  }
  return { outSpatial, padsBegin, padsEnd };
}

const unary: Rule = (ctx) => {
  const s = shapeOf(ctx, 0);
  return { outputs: ctx.node.outputs.map(() => out(s)), macs: s === undefined ? undefined : product(s) };
};

const passValues: Rule = (ctx) => {
  const x = ctx.inputs[0];
  const to = ctx.node.opType === "Cast" ? ctx.attrs.int("to", 1) : x?.dtype;
  let values = x?.values;
  if (values !== undefined && to !== undefined && to !== 1 && to !== 10 && to !== 11 && to !== 16) values = values.map(Math.trunc);
  return { outputs: [out(x?.shape, { values, dtype: to })], macs: 0 };
};

const isInt = (dtype: number | undefined): boolean => dtype !== undefined && dtype !== 1 && dtype !== 10 && dtype !== 11 && dtype !== 16;

const binaryOps: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Max: Math.max,
  Min: Math.min,
};

const broadcast: Rule = (ctx) => {
  const present = ctx.inputs.filter((v): v is ValueInfo => v !== undefined);
  const shape = broadcastShapes(present.map((v) => v.shape));
  let values: number[] | undefined;
  const op = binaryOps[ctx.node.opType];
  if (op !== undefined && present.length === 2 && shape !== undefined) {
    const a = present[0]!.values;
    const b = present[1]!.values;
    const n = product(shape);
    if (a !== undefined && b !== undefined && (a.length === n || a.length === 1) && (b.length === n || b.length === 1)) {
      const intResult = isInt(present[0]!.dtype) && isInt(present[1]!.dtype);
      values = [];
      for (let k = 0; k < n; k++) {
        const v = op(a[a.length === 1 ? 0 : k]!, b[b.length === 1 ? 0 : k]!);
        values.push(intResult ? Math.trunc(v) : v);
      }
    }
  }
  const compare = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not"].includes(ctx.node.opType);
  return {
    outputs: [out(shape, { values, dtype: compare ? 9 : present[0]?.dtype })],
    macs: shape === undefined ? undefined : values !== undefined ? 0 : product(shape),
  };
};

const where: Rule = (ctx) => {
  const shape = broadcastShapes([shapeOf(ctx, 0), shapeOf(ctx, 1), shapeOf(ctx, 2)]);
  return { outputs: [out(shape, { dtype: ctx.inputs[1]?.dtype })], macs: shape === undefined ? undefined : product(shape) };
};

const conv: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const w = shapeOf(ctx, 1);
  if (x === undefined || w === undefined || x.length < 3) return undefined;
  const spatial = x.slice(2);
  const kernel = ctx.attrs.ints("kernel_shape") ?? w.slice(2);
  const n = spatial.length;
  const strides = ctx.attrs.ints("strides") ?? new Array(n).fill(1);
  const dilations = ctx.attrs.ints("dilations") ?? new Array(n).fill(1);
  const geometry = windowGeometry(spatial, kernel, strides, dilations, ctx.attrs.ints("pads"), ctx.attrs.string("auto_pad", "NOTSET"), false);
  const group = ctx.attrs.int("group", 1);
  const shape = [x[0]!, w[0]!, ...geometry.outSpatial];
  const macs = w[0]! * product(geometry.outSpatial) * (x[1]! / group) * product(kernel) * x[0]!;
  return { outputs: [out(shape)], macs };
};

const convTranspose: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const w = shapeOf(ctx, 1);
  if (x === undefined || w === undefined || x.length < 3) return undefined;
  const spatial = x.slice(2);
  const n = spatial.length;
  const kernel = ctx.attrs.ints("kernel_shape") ?? w.slice(2);
  const strides = ctx.attrs.ints("strides") ?? new Array(n).fill(1);
  const dilations = ctx.attrs.ints("dilations") ?? new Array(n).fill(1);
  const outputPadding = ctx.attrs.ints("output_padding") ?? new Array(n).fill(0);
  const pads = ctx.attrs.ints("pads") ?? new Array(2 * n).fill(0);
  const autoPad = ctx.attrs.string("auto_pad", "NOTSET");
  const group = ctx.attrs.int("group", 1);
  const explicit = ctx.attrs.ints("output_shape");
  const outSpatial = spatial.map((size, i) => {
    if (explicit !== undefined && explicit.length > 0) return explicit[explicit.length - n + i]!;
    const s = strides[i] ?? 1;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") return size * s;
    const dk = ((kernel[i] ?? 1) - 1) * (dilations[i] ?? 1) + 1;
    const pb = autoPad === "VALID" ? 0 : (pads[i] ?? 0);
    const pe = autoPad === "VALID" ? 0 : (pads[i + n] ?? 0);
    return s * (size - 1) + (outputPadding[i] ?? 0) + dk - pb - pe;
  });
  const outChannels = w[1]! * group;
  const macs = x[1]! * product(spatial) * (outChannels / group) * product(kernel) * x[0]!;
  return { outputs: [out([x[0]!, outChannels, ...outSpatial])], macs };
};

const pool: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined || x.length < 3) return undefined;
  const spatial = x.slice(2);
  const n = spatial.length;
  const kernel = ctx.attrs.ints("kernel_shape");
  if (kernel === undefined) return undefined;
  const strides = ctx.attrs.ints("strides") ?? new Array(n).fill(1);
  const dilations = ctx.attrs.ints("dilations") ?? new Array(n).fill(1);
  const geometry = windowGeometry(spatial, kernel, strides, dilations, ctx.attrs.ints("pads"), ctx.attrs.string("auto_pad", "NOTSET"), ctx.attrs.int("ceil_mode", 0) === 1);
  const shape = [x[0]!, x[1]!, ...geometry.outSpatial];
  const outputs = [out(shape)];
  if (ctx.node.outputs.length > 1) outputs.push(out(shape, { dtype: 7 }));
  return { outputs, macs: product(shape) * product(kernel) };
};

const globalPool: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined || x.length < 3) return undefined;
  return { outputs: [out([x[0]!, x[1]!, ...x.slice(2).map(() => 1)])], macs: product(x) };
};

const matmul: Rule = (ctx) => {
  const a = shapeOf(ctx, 0);
  const b = shapeOf(ctx, 1);
  if (a === undefined || b === undefined || a.length === 0 || b.length === 0) return undefined;
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k = a2[a2.length - 1]!;
  if (b2[b2.length - 2] !== k) return undefined;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (batch === undefined) return undefined;
  const m = a2[a2.length - 2]!;
  const nCols = b2[b2.length - 1]!;
  const shape = [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [nCols])];
  return { outputs: [out(shape)], macs: product(batch) * m * k * nCols };
};

const gemm: Rule = (ctx) => {
  const a = shapeOf(ctx, 0);
  const b = shapeOf(ctx, 1);
  if (a === undefined || b === undefined || a.length !== 2 || b.length !== 2) return undefined;
  const m = ctx.attrs.int("transA", 0) ? a[1]! : a[0]!;
  const k = ctx.attrs.int("transA", 0) ? a[0]! : a[1]!;
  const nCols = ctx.attrs.int("transB", 0) ? b[0]! : b[1]!;
  return { outputs: [out([m, nCols])], macs: m * k * nCols };
};

const concat: Rule = (ctx) => {
  const shapes = ctx.inputs.map((v) => v?.shape);
  if (shapes.some((s) => s === undefined) || shapes.length === 0) return undefined;
  const first = shapes[0]!;
  const axis = normalizeAxis(ctx.attrs.int("axis", 1), first.length);
  const shape = [...first];
  shape[axis] = shapes.reduce((sum, s) => sum + s![axis]!, 0);
  let values: number[] | undefined;
  if (first.length === 1 && ctx.inputs.every((v) => v?.values !== undefined)) values = ctx.inputs.flatMap((v) => [...v!.values!]);
  return { outputs: [out(shape, { values, dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const flatten: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const axis = normalizeAxis(ctx.attrs.int("axis", 1), x.length);
  return { outputs: [out([product(x.slice(0, axis)), product(x.slice(axis))], { values: valuesOf(ctx, 0) })], macs: 0 };
};

/** Resolve an ONNX Reshape target (0 copies the input dim unless `allowzero`, -1 is inferred). */
export function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const shape = target.map((d, i) => (d === 0 && !allowZero ? input[i]! : d));
  const known = shape.filter((d) => d !== -1);
  const unknownCount = shape.length - known.length;
  if (unknownCount > 1) return undefined;
  if (unknownCount === 1) {
    const rest = product(known);
    if (rest === 0) return undefined;
    const inferred = product(input) / rest;
    if (!Number.isInteger(inferred)) return undefined;
    return shape.map((d) => (d === -1 ? inferred : d));
  }
  return product(shape) === product(input) ? shape : undefined;
}

const reshape: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const target = ctx.opset < 5 ? ctx.attrs.ints("shape") : valuesOf(ctx, 1);
  if (x === undefined || target === undefined) return undefined;
  const shape = reshapeTarget(x, target, ctx.attrs.int("allowzero", 0) === 1);
  return shape === undefined ? undefined : { outputs: [out(shape, { values: valuesOf(ctx, 0), dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const transpose: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const perm = ctx.attrs.ints("perm") ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length) return undefined;
  return { outputs: [out(perm.map((p) => x[p]!))], macs: 0 };
};

function axesOf(ctx: RuleContext, inputIndex: number, sinceOpset: number): readonly number[] | undefined {
  if (ctx.opset >= sinceOpset) return ctx.node.inputs[inputIndex] ? valuesOf(ctx, inputIndex) : undefined;
  return ctx.attrs.ints("axes");
}

const squeeze: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const axes = axesOf(ctx, 1, 13)?.map((a) => normalizeAxis(a, x.length));
  const shape = x.filter((d, i) => (axes === undefined || axes.length === 0 ? d !== 1 : !axes.includes(i)));
  return { outputs: [out(shape, { values: valuesOf(ctx, 0), dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const unsqueeze: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const axes = axesOf(ctx, 1, 13);
  if (x === undefined || axes === undefined) return undefined;
  const rank = x.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis(a, rank));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(normalized.includes(i) ? 1 : x[k++]!);
  return { outputs: [out(shape, { values: valuesOf(ctx, 0), dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const shapeOp: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const start = normalizeAxis(ctx.attrs.int("start", 0), x.length);
  const end = ctx.attrs.has("end") ? normalizeAxis(ctx.attrs.int("end", x.length), x.length) : x.length;
  const values = x.slice(Math.max(0, start), Math.min(x.length, end));
  return { outputs: [out([values.length], { values, dtype: 7 })], macs: 0 };
};

const gather: Rule = (ctx) => {
  const data = shapeOf(ctx, 0);
  const indices = shapeOf(ctx, 1);
  if (data === undefined || indices === undefined) return undefined;
  const axis = normalizeAxis(ctx.attrs.int("axis", 0), data.length);
  const shape = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  let values: number[] | undefined;
  const dv = valuesOf(ctx, 0);
  const iv = valuesOf(ctx, 1);
  if (data.length === 1 && dv !== undefined && iv !== undefined) values = iv.map((i) => dv[i < 0 ? i + data[0]! : i]!);
  return { outputs: [out(shape, { values, dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const slice: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
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
    starts = valuesOf(ctx, 1);
    ends = valuesOf(ctx, 2);
    axes = ctx.node.inputs[3] ? valuesOf(ctx, 3) : undefined;
    steps = ctx.node.inputs[4] ? valuesOf(ctx, 4) : undefined;
    if ((ctx.node.inputs[3] && axes === undefined) || (ctx.node.inputs[4] && steps === undefined)) return undefined;
  }
  if (starts === undefined || ends === undefined) return undefined;
  const ranges = sliceRanges(x, starts, ends, axes, steps);
  if (ranges === undefined) return undefined;
  const shape = ranges.map((r) => r.size);
  let values: number[] | undefined;
  const xv = valuesOf(ctx, 0);
  if (x.length === 1 && xv !== undefined) {
    const r = ranges[0]!;
    values = [];
    for (let i = 0; i < r.size; i++) values.push(xv[r.start + i * r.step]!);
  }
  return { outputs: [out(shape, { values, dtype: ctx.inputs[0]?.dtype })], macs: 0 };
};

const resize: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  let scales: readonly number[] | undefined;
  let sizes: readonly number[] | undefined;
  if (ctx.node.opType === "Upsample") {
    scales = ctx.opset < 9 ? ctx.attrs.floats("scales") : valuesOf(ctx, 1);
  } else if (ctx.opset < 11) {
    scales = valuesOf(ctx, 1);
  } else {
    const s = ctx.node.inputs[2] ? valuesOf(ctx, 2) : undefined;
    scales = s !== undefined && s.length > 0 ? s : undefined;
    sizes = ctx.node.inputs[3] ? valuesOf(ctx, 3) : undefined;
  }
  let shape: number[] | undefined;
  if (sizes !== undefined && sizes.length === x.length) shape = [...sizes];
  else if (scales !== undefined && scales.length === x.length) shape = x.map((d, i) => Math.floor(d * scales![i]!));
  return shape === undefined ? undefined : { outputs: [out(shape)], macs: product(shape) };
};

const pad: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const pads = ctx.opset < 11 ? ctx.attrs.ints("pads") : valuesOf(ctx, 1);
  if (x === undefined || pads === undefined) return undefined;
  const axes = ctx.node.inputs[3] ? valuesOf(ctx, 3) : undefined;
  const axisList = axes?.map((a) => normalizeAxis(a, x.length)) ?? x.map((_, i) => i);
  const shape = [...x];
  axisList.forEach((axis, k) => {
    shape[axis] = x[axis]! + pads[k]! + pads[k + axisList.length]!;
  });
  return { outputs: [out(shape)], macs: 0 };
};

const reduce: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const sinceOpset = ctx.node.opType === "ReduceSum" ? 13 : 18;
  const axes = axesOf(ctx, 1, sinceOpset);
  if (ctx.opset >= sinceOpset && ctx.node.inputs[1] && axes === undefined) return undefined;
  const keep = ctx.attrs.int("keepdims", 1) === 1;
  const noop = ctx.attrs.int("noop_with_empty_axes", 0) === 1;
  const list = axes === undefined || axes.length === 0 ? (noop ? [] : x.map((_, i) => i)) : axes.map((a) => normalizeAxis(a, x.length));
  const shape: number[] = [];
  x.forEach((d, i) => {
    if (!list.includes(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return { outputs: [out(shape)], macs: product(x) };
};

const argReduce: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const axis = normalizeAxis(ctx.attrs.int("axis", 0), x.length);
  const keep = ctx.attrs.int("keepdims", 1) === 1;
  const shape = keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis);
  return { outputs: [out(shape, { dtype: 7 })], macs: product(x) };
};

const split: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const axis = normalizeAxis(ctx.attrs.int("axis", 0), x.length);
  const count = ctx.node.outputs.length;
  let parts = ctx.opset >= 13 ? (ctx.node.inputs[1] ? valuesOf(ctx, 1) : undefined) : ctx.attrs.ints("split");
  if (ctx.opset >= 13 && ctx.node.inputs[1] && parts === undefined) return undefined;
  if (parts === undefined || parts.length === 0) {
    const each = Math.ceil(x[axis]! / count);
    parts = Array.from({ length: count }, (_, i) => Math.min(each, x[axis]! - each * i));
  }
  return { outputs: parts.map((p) => out(x.map((d, i) => (i === axis ? p : d)))), macs: 0 };
};

const expand: Rule = (ctx) => {
  const target = valuesOf(ctx, 1);
  const shape = target === undefined ? undefined : broadcastShapes([shapeOf(ctx, 0), target]);
  return shape === undefined ? undefined : { outputs: [out(shape)], macs: 0 };
};

const tile: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const repeats = valuesOf(ctx, 1);
  if (x === undefined || repeats === undefined || repeats.length !== x.length) return undefined;
  return { outputs: [out(x.map((d, i) => d * repeats[i]!))], macs: 0 };
};

const constantOfShape: Rule = (ctx) => {
  const shape = valuesOf(ctx, 0);
  return shape === undefined ? undefined : { outputs: [out([...shape])], macs: 0 };
};

const firstOutputSameShape: Rule = (ctx) => {
  const s = shapeOf(ctx, 0);
  if (s === undefined) return undefined;
  const outputs: ValueInfo[] = [out(s)];
  for (let i = 1; i < ctx.node.outputs.length; i++) outputs.push(out(undefined));
  return { outputs, macs: product(s) };
};

const dropout: Rule = (ctx) => {
  const s = shapeOf(ctx, 0);
  return { outputs: ctx.node.outputs.map((_, i) => out(s, i === 0 ? {} : { dtype: 9 })), macs: 0 };
};

const UNARY_OPS = [
  "Relu", "Clip", "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Selu", "Celu",
  "Softplus", "Softsign", "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round",
  "Erf", "Gelu", "Sin", "Cos", "Sign", "Mish", "ThresholdedRelu", "Shrink", "IsNaN", "IsInf",
  "Softmax", "LogSoftmax", "Hardmax", "LRN", "InstanceNormalization", "MeanVarianceNormalization",
] as const;

const BROADCAST_OPS = [
  "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mean", "Sum", "Mod", "PRelu",
  "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "BitShift",
] as const;

const range: Rule = (ctx) => ({ outputs: [out(undefined, { dtype: ctx.inputs[0]?.dtype })], macs: 0 });

const sizeOp: Rule = () => ({ outputs: [out([], { dtype: 7 })], macs: 0 });

/**
 * A rule followed by constant folding ({@link FOLDERS}): when the folder can
 * evaluate the node, its shapes and values win and the node costs 0 MACs
 * (it computes a constant).
 */
function withFolding(op: string, rule: Rule): Rule {
  const folder = FOLDERS[op];
  if (folder === undefined) return rule;
  return (ctx) => {
    const inferred = rule(ctx);
    const folded = folder(ctx);
    if (folded === undefined || folded.every((f) => f === undefined)) return inferred;
    const outputs = ctx.node.outputs.map((_, k) => folded[k] ?? inferred?.outputs[k] ?? out(undefined));
    return { outputs, macs: 0 };
  };
}

const BASE_RULES: Readonly<Record<string, Rule>> = {
  ...Object.fromEntries(UNARY_OPS.map((op) => [op, unary])),
  ...Object.fromEntries(BROADCAST_OPS.map((op) => [op, broadcast])),
  Not: broadcast,
  Where: where,
  Identity: passValues,
  Cast: passValues,
  Dropout: dropout,
  BatchNormalization: firstOutputSameShape,
  LayerNormalization: firstOutputSameShape,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  MatMul: matmul,
  Gemm: gemm,
  Concat: concat,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shapeOp,
  Gather: gather,
  Slice: slice,
  Resize: resize,
  Upsample: resize,
  Pad: pad,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceProd: reduce,
  ReduceL1: reduce,
  ReduceL2: reduce,
  ReduceSumSquare: reduce,
  ReduceLogSumExp: reduce,
  ArgMax: argReduce,
  ArgMin: argReduce,
  Split: split,
  Expand: expand,
  Tile: tile,
  ConstantOfShape: constantOfShape,
  Range: range,
  Size: sizeOp,
};

/** Shape rules by ONNX op type (default domain), with constant folding. Ops absent here are imported as opaque layers. */
export const SHAPE_RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  Object.entries(BASE_RULES).map(([op, rule]) => [op, withFolding(op, rule)]),
);
