/**
 * TF.js graph-model importer: turns a `model.json` of format `graph-model`
 * (what tfjs-converter writes from a SavedModel or frozen graph: a GraphDef
 * in JSON form under `modelTopology.node`, weights in the shards of the
 * `weightsManifest`) into the shared {@link Network}, so IONN can partition
 * it (IONN §4 install phase, §5.1 execution graph).
 *
 * Decisions (docs/import.md has the details):
 * - `Const` nodes take their values from the manifest (the weight of the same
 *   name). Nodes whose inputs are all constants are folded: their outputs
 *   become constants (values computed for tensors up to 4096 elements), so
 *   shape sub-graphs (Shape → StridedSlice → Pack → Reshape) give concrete
 *   shapes and no layer. Every other node is one {@link Layer}.
 * - A constant read at a data position (a kernel, a bias, a Mul operand) is
 *   a parameter of its first consumer; constants read as shape arguments
 *   (Reshape's shape, Pad's paddings, Mean's axes, ConcatV2's axis, …) are
 *   not parameters, as in a layers model.
 * - Types map onto Caffe's vocabulary where the node is the same thing, so
 *   the reference executor runs them: Placeholder → Input; Conv2D,
 *   DepthwiseConv2dNative and their fused forms → Convolution (learned blobs
 *   in Caffe's order `[Cout, Cin/group, kh, kw]`, fused BiasAdd/Relu/Relu6/…
 *   in `params.activation`); MatMul with a constant right operand →
 *   InnerProduct; MaxPool/AvgPool → Pooling; Mean over H, W → global Pooling
 *   (keep_dims) or Reduction; Relu → ReLU; Relu6 → Clip; Add/AddV2/Mul/Sub of
 *   two tensors → Eltwise; BiasAdd → Bias; Softmax; ConcatV2 → Concat;
 *   Reshape/Squeeze/ExpandDims → Reshape; Pad → Pad; ResizeBilinear /
 *   ResizeNearestNeighbor → Resize; Identity → Identity. Other known ops keep
 *   their TensorFlow name; unknown ops are opaque layers (warned).
 * - Control-flow ops (Switch, Merge, Enter, Exit, NextIteration, LoopCond,
 *   If, While, TensorArray*, TensorList*) are an {@link UnsupportedLayerError}
 *   naming the node.
 * - Shapes are inferred in the graph's NHWC layout, then recorded NCHW like
 *   the layers importer (`layout: "NHWC"` keeps them).
 *
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import type { Layer, LayerParams, Network, Shape, TensorRef } from "../types.js";
import { decodeWeights, type DecodedWeight } from "./weights.js";

/** Options of {@link importTfjsGraphModel}. */
export interface TfjsGraphImportOptions {
  /**
   * The weight shard files' bytes by manifest path (as listed in
   * `weightsManifest[].paths`). Needed for the values of small constants
   * (Reshape targets, paddings); without it (`undefined`) shapes that depend
   * on constant values are unknown, with a warning. A path the map lacks is
   * an {@link InvalidModelError}.
   */
  readonly shards?: ReadonlyMap<string, Uint8Array>;
  /**
   * Shapes of Placeholder inputs by node name, batch included, NHWC (e.g.
   * `{ input: [1, 224, 224, 3] }`); needed when a Placeholder leaves a
   * dimension other than the batch unknown. A name that is no Placeholder
   * is an {@link InvalidArgumentError}.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Layout of the recorded shapes (default `"NCHW"`, the {@link Network} contract; `"NHWC"` keeps TensorFlow's). */
  readonly layout?: "NCHW" | "NHWC";
}

/** Result of {@link importTfjsGraphModel}. */
export interface TfjsGraphImport {
  /** The network: Input layers for the Placeholders, then one layer per non-constant node in dependency order. */
  readonly network: Network;
  /** Opaque ops, unknown shapes, missing weights. */
  readonly warnings: readonly string[];
}

/** Control-flow and dynamic-structure ops, refused by name. */
export const TFJS_CONTROL_FLOW_OPS: readonly string[] = [
  "Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "If", "StatelessIf", "While", "StatelessWhile",
  "RefSwitch", "RefMerge", "RefEnter", "RefExit", "RefNextIteration", "PartitionedCall", "StatefulPartitionedCall",
];

const attrValue = z.record(z.string(), z.unknown());
const nodeSchema = z.object({
  name: z.string(),
  op: z.string(),
  input: z.array(z.string()).optional(),
  attr: z.record(z.string(), attrValue).optional(),
  device: z.string().optional(),
}).passthrough();

const graphJsonSchema = z.object({
  modelTopology: z.object({ node: z.array(nodeSchema) }).passthrough(),
  weightsManifest: z.array(z.object({
    paths: z.array(z.string()),
    weights: z.array(z.object({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      dtype: z.string().optional(),
      quantization: z.object({ dtype: z.string(), scale: z.number().optional(), min: z.number().optional() }).passthrough().optional(),
    }).passthrough()),
  })).optional(),
  format: z.string().optional(),
}).passthrough();

type GraphNode = z.infer<typeof nodeSchema>;

/** What the importer knows about one tensor. */
interface Info {
  readonly shape?: readonly number[] | undefined;
  readonly values?: readonly number[] | undefined;
  /** Produced by a layer (else a constant). */
  readonly ref?: TensorRef;
  /** Constant tensors: claimed by a layer as parameters already. */
  claimed?: boolean;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const FOLD_LIMIT = 4096;

// ------------------------------------------------------------------ attributes

class Attrs {
  constructor(private readonly node: GraphNode) {}
  private get(name: string): Record<string, unknown> | undefined {
    return this.node.attr?.[name];
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  ints(name: string): number[] | undefined {
    const list = this.get(name)?.["list"] as { i?: unknown[] } | undefined;
    return list === undefined ? undefined : (list.i ?? []).map(Number);
  }
  int(name: string, fallback: number): number {
    const v = this.get(name)?.["i"];
    return v === undefined ? fallback : Number(v);
  }
  float(name: string, fallback: number): number {
    const v = this.get(name)?.["f"];
    return v === undefined ? fallback : Number(v);
  }
  bool(name: string, fallback: boolean): boolean {
    const v = this.get(name)?.["b"];
    return v === undefined ? fallback : v === true || v === "true";
  }
  string(name: string, fallback: string): string {
    const v = this.get(name)?.["s"];
    return typeof v === "string" ? decodeBase64(v) : fallback;
  }
  strings(name: string): string[] {
    const list = this.get(name)?.["list"] as { s?: unknown[] } | undefined;
    return (list?.s ?? []).map((s) => decodeBase64(String(s)));
  }
  /** A `shape` attribute's dims (-1 unknown); `undefined` for unknown rank. */
  shape(name: string): number[] | undefined {
    const s = this.get(name)?.["shape"] as { dim?: { size?: unknown }[]; unknownRank?: boolean } | undefined;
    if (s === undefined || s.unknownRank === true) return undefined;
    return (s.dim ?? []).map((d) => Number(d.size ?? -1));
  }
}

function decodeBase64(text: string): string {
  return Buffer.from(text, "base64").toString("utf8");
}

// ------------------------------------------------------------------ shape helpers

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function broadcast(shapes: readonly (readonly number[] | undefined)[]): number[] | undefined {
  let rank = 0;
  for (const s of shapes) {
    if (s === undefined) return undefined;
    rank = Math.max(rank, s.length);
  }
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s!.length; i++) {
      const j = rank - s!.length + i;
      const d = s![i]!;
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else return undefined;
    }
  }
  return out;
}

/** Output size and padding of a TensorFlow window op along one axis. */
function windowAxis(size: number, kernel: number, stride: number, dilation: number, padding: string, explicit: readonly [number, number] | undefined): { out: number; before: number; after: number } {
  const extent = (kernel - 1) * dilation + 1;
  if (padding === "SAME") {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + extent - size, 0);
    return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
  }
  const [before, after] = padding === "EXPLICIT" && explicit !== undefined ? explicit : [0, 0];
  return { out: Math.floor((size + before + after - extent) / stride) + 1, before, after };
}

// ------------------------------------------------------------------ the importer

/** Op → input positions that are shape arguments (constants there are not parameters). */
const SHAPE_ARGUMENTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Pad: [1], PadV2: [1, 2], MirrorPad: [1], Mean: [1], Sum: [1], Max: [1], Min: [1], Prod: [1], ArgMax: [1], ArgMin: [1],
  ExpandDims: [1], Transpose: [1], ResizeBilinear: [1], ResizeNearestNeighbor: [1], StridedSlice: [1, 2, 3], Slice: [1, 2],
  Tile: [1], Fill: [0], Range: [0, 1, 2], Split: [0], SplitV: [1, 2], BroadcastTo: [1], OneHot: [1, 2, 3], GatherV2: [2],
};

interface NodeResult {
  /** Output shapes (NHWC), `undefined` entries unknown. */
  readonly shapes: (readonly number[] | undefined)[];
  /** Output values when computable (constant folding). */
  readonly values?: (readonly number[] | undefined)[];
  readonly macs: number;
  readonly type: string;
  readonly params: Record<string, unknown>;
  /** Learned blob shapes in Caffe's order, overriding the constant inputs' shapes. */
  readonly paramShapes?: Shape[];
}

/**
 * Import a TF.js graph model (the parsed `model.json` of format
 * `graph-model`) with its weight shards.
 *
 * Cost: O(nodes + weight bytes).
 *
 * @param modelJson the parsed model.json
 * @param source file name for messages and `Network.source` (default `"model.json"`)
 * @param options shards, input shapes, layout
 * @throws {InvalidModelError} malformed JSON fields (naming the field), a node
 *   reading a tensor nothing produces, a cycle, a missing shard, shards whose
 *   size differs from the manifest, an unknown dtype (naming file and node)
 * @throws {UnsupportedLayerError} control-flow ops (naming the node and op),
 *   NCHW data formats
 * @throws {InvalidArgumentError} an `inputShapes` name that is no Placeholder
 * @example
 * ```ts
 * const json = JSON.parse(readFileSync("model.json", "utf8"));
 * const shards = new Map(json.weightsManifest.flatMap((g) => g.paths).map((p) => [p, new Uint8Array(readFileSync(p))]));
 * const { network } = importTfjsGraphModel(json, "model.json", { shards });
 * ```
 */
export function importTfjsGraphModel(modelJson: unknown, source = "model.json", options: TfjsGraphImportOptions = {}): TfjsGraphImport {
  const parsed = graphJsonSchema.safeParse(modelJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidModelError(`${source}: not a TF.js graph model.json: field ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const nodes = parsed.data.modelTopology.node;
  const warnings: string[] = [];
  for (const node of nodes) {
    if (TFJS_CONTROL_FLOW_OPS.includes(node.op) || node.op.startsWith("TensorArray") || node.op.startsWith("TensorList")) {
      throw new UnsupportedLayerError(`${source}: node "${node.name}" is a ${node.op} (control flow / dynamic structure), which IONN cannot partition; convert the model with control flow removed (e.g. a frozen inference graph)`);
    }
  }
  const manifest = parsed.data.weightsManifest ?? [];
  if (options.shards === undefined && manifest.length > 0) {
    warnings.push(`${source}: no weight shards given: constant values are unknown, so shapes that depend on them (Reshape targets, paddings) may be unknown`);
  }
  const weights = decodeWeights(manifest, source, options.shards, FOLD_LIMIT);

  const placeholders = nodes.filter((n) => n.op === "Placeholder").map((n) => n.name);
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!placeholders.includes(name)) throw new InvalidArgumentError(`${source}: inputShapes names "${name}", which is not a Placeholder of the graph (inputs: ${placeholders.join(", ")})`);
  }

  const order = topologicalOrder(nodes, source);
  const info = new Map<string, Info>();
  const layers: Layer[] = [];
  const opaque = new Map<string, string[]>();
  const unknown: string[] = [];
  const inputs: TensorRef[] = [];
  const readers = new Map<string, number>();
  for (const node of nodes) for (const input of node.input ?? []) if (!input.startsWith("^")) readers.set(tensorName(input), (readers.get(tensorName(input)) ?? 0) + 1);

  for (const node of order) {
    const attrs = new Attrs(node);
    const inputNames = (node.input ?? []).filter((i) => !i.startsWith("^")).map(tensorName);
    const operands = inputNames.map((name) => {
      const i = info.get(name);
      if (i === undefined) throw new InvalidModelError(`${source}: node "${node.name}" (${node.op}) reads "${name}", which no node produces`);
      return i;
    });
    if (node.op === "Const") {
      const weight = weights.get(node.name);
      const inline = inlineConstant(attrs);
      if (weight === undefined && inline === undefined) warnings.push(`${source}: Const node "${node.name}" has no weight in the manifest; its value is unknown`);
      info.set(`${node.name}:0`, { shape: weight?.shape ?? inline?.shape ?? attrs.shape("value"), values: weight?.values ?? inline?.values, claimed: false });
      continue;
    }
    if (node.op === "Placeholder") {
      const shape = placeholderShape(node, attrs, options.inputShapes?.[node.name], warnings, source);
      const index = layers.length;
      layers.push(baseLayer(index, node.name, "Input", [], [], [shape], { shapes: [shape ?? []], tf: { op: "Placeholder" } }, [], 0, [`${node.name}:0`]));
      info.set(`${node.name}:0`, { shape, ref: { layer: index, top: 0 } });
      inputs.push({ layer: index, top: 0 });
      continue;
    }
    const rule = RULES[node.op];
    const dataFormat = attrs.string("data_format", "NHWC");
    if (dataFormat !== "NHWC" && dataFormat !== "NDHWC" && attrs.has("data_format") && rule !== undefined && ["Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "MaxPool", "AvgPool", "BiasAdd"].includes(node.op)) {
      throw new UnsupportedLayerError(`${source}: node "${node.name}" (${node.op}) has data_format ${dataFormat}; only NHWC graphs are supported`);
    }
    const result = rule?.({ node, attrs, operands, name: node.name });
    const allConstant = operands.length > 0 && operands.every((o) => o.ref === undefined);
    const outputCount = Math.max(1, result?.shapes.length ?? 1);
    if (allConstant && result !== undefined) {
      // Constant folding: the node computes a constant.
      for (let k = 0; k < outputCount; k++) info.set(`${node.name}:${k}`, { shape: result.shapes[k], values: result.values?.[k], claimed: false });
      continue;
    }
    if (rule === undefined) opaque.set(node.op, [...(opaque.get(node.op) ?? []), node.name]);
    const index = layers.length;
    const bottoms: string[] = [];
    const refs: TensorRef[] = [];
    const inputShapes: Shape[] = [];
    const constantShapes: Shape[] = [];
    let parameters = 0;
    const shapeArgs = SHAPE_ARGUMENTS[node.op] ?? (node.op === "ConcatV2" ? [inputNames.length - 1] : []);
    inputNames.forEach((name, position) => {
      const o = operands[position]!;
      if (o.ref !== undefined) {
        bottoms.push(name);
        refs.push(o.ref);
        inputShapes.push(o.shape ?? []);
      } else if (!shapeArgs.includes(position) && !o.claimed && !(result?.params["folded"] as number[] | undefined)?.includes(position)) {
        o.claimed = true;
        constantShapes.push(o.shape ?? []);
        parameters += product(o.shape ?? []);
      }
    });
    const shapes = result?.shapes ?? [undefined];
    const tops = shapes.map((_, k) => `${node.name}:${k}`);
    const unknownOutputs: number[] = [];
    shapes.forEach((shape, k) => {
      info.set(tops[k]!, { shape, values: result?.values?.[k], ref: { layer: index, top: k } });
      if (shape === undefined) unknownOutputs.push(k);
    });
    if (unknownOutputs.length > 0 && rule !== undefined) unknown.push(`${node.name} (${node.op})`);
    const { folded: _folded, ...params } = result?.params ?? {};
    void _folded;
    // Caffe's blob order when the rule gives it and it accounts for exactly the constants claimed.
    const paramShapes = result?.paramShapes !== undefined && result.paramShapes.reduce((s, p) => s + product(p), 0) === parameters ? result.paramShapes : constantShapes;
    layers.push({
      ...baseLayer(index, node.name, result?.type ?? node.op, bottoms, refs, shapes, { ...params, tf: { op: node.op } }, paramShapes, parameters, tops),
      inputShapes,
      macs: result?.macs ?? 0,
      ...(rule === undefined ? { opaque: true } : {}),
      ...(unknownOutputs.length > 0 ? { unknownOutputs } : {}),
    });
  }

  if (opaque.size > 0) {
    warnings.push(`${source}: ops without a shape rule imported as opaque layers (output shapes unknown, MACs 0): ${[...opaque].map(([op, names]) => `${op} ×${names.length} (${names.slice(0, 3).join(", ")})`).join("; ")}`);
  }
  if (unknown.length > 0) warnings.push(`${source}: ${unknown.length} layer(s) with unknown output shape, first: ${unknown.slice(0, 5).join(", ")}`);

  const read = new Set<string>();
  for (const layer of layers) for (const ref of layer.inputs) read.add(`${ref.layer}:${ref.top}`);
  const outputs: TensorRef[] = [];
  for (const layer of layers) {
    layer.tops.forEach((top, k) => {
      if (!read.has(`${layer.index}:${k}`) && (k === 0 || readers.has(top) || layer.tops.length === 1) && layer.type !== "Input") outputs.push({ layer: layer.index, top: k });
    });
  }
  const nchw = (options.layout ?? "NCHW") === "NCHW";
  const recorded = nchw ? layers.map(toChannelsFirst) : layers;
  return { network: { name: baseName(source), layers: recorded, inputs, outputs, source }, warnings };
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  const file = parts[parts.length - 1] || path;
  return file === "model.json" && parts.length > 1 ? parts[parts.length - 2]! : file;
}

function baseLayer(index: number, name: string, type: string, bottoms: string[], inputs: TensorRef[], shapes: readonly (readonly number[] | undefined)[], params: LayerParams, paramShapes: Shape[], parameters: number, tops: string[]): Layer {
  return {
    index, name, type, bottoms, tops, inputs, inputShapes: [], outputShapes: shapes.map((s) => s ?? []), params, paramShapes, parameters, macs: 0,
    ...(shapes.some((s) => s === undefined) ? { unknownOutputs: shapes.flatMap((s, k) => (s === undefined ? [k] : [])) } : {}),
  };
}

/** `name:k` for a GraphDef input (`name` means output 0). */
function tensorName(input: string): string {
  const match = /^(.*):(\d+)$/.exec(input);
  return match ? input : `${input}:0`;
}

function nodeOfTensor(input: string): string {
  const clean = input.startsWith("^") ? input.slice(1) : input;
  const match = /^(.*):(\d+)$/.exec(clean);
  return match ? match[1]! : clean;
}

function topologicalOrder(nodes: readonly GraphNode[], source: string): GraphNode[] {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (index.has(n.name)) throw new InvalidModelError(`${source}: two nodes are named "${n.name}"`);
    index.set(n.name, i);
  });
  const pending = nodes.map(() => 0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const input of n.input ?? []) {
      const p = index.get(nodeOfTensor(input));
      if (p === undefined) throw new InvalidModelError(`${source}: node "${n.name}" (${n.op}) reads "${input}", which no node produces`);
      pending[i]!++;
      consumers[p]!.push(i);
    }
  });
  const ready = pending.flatMap((c, i) => (c === 0 ? [i] : []));
  const order: GraphNode[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) if (--pending[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => pending[i]! > 0)!;
    throw new InvalidModelError(`${source}: the graph has a cycle through node "${stuck.name}" (${stuck.op})`);
  }
  return order;
}

/** A Const node's value stored in the node itself (scalars and small int lists some converters inline). */
function inlineConstant(attrs: Attrs): { shape: number[]; values?: number[] } | undefined {
  const tensor = (attrs as unknown as { node: GraphNode }).node.attr?.["value"]?.["tensor"] as
    | { tensorShape?: { dim?: { size?: unknown }[] }; intVal?: unknown[]; floatVal?: unknown[]; int64Val?: unknown[] }
    | undefined;
  if (tensor === undefined) return undefined;
  const shape = (tensor.tensorShape?.dim ?? []).map((d) => Number(d.size ?? 0));
  const raw = tensor.intVal ?? tensor.int64Val ?? tensor.floatVal;
  if (raw === undefined || raw.length === 0) return { shape };
  const values = raw.map(Number);
  const n = product(shape);
  return { shape, values: values.length === n ? values : new Array<number>(n).fill(values[0]!) };
}

function placeholderShape(node: GraphNode, attrs: Attrs, override: readonly number[] | undefined, warnings: string[], source: string): number[] | undefined {
  const declared = attrs.shape("shape");
  if (override !== undefined) {
    if (override.some((d) => !(Number.isInteger(d) && d > 0))) throw new InvalidArgumentError(`${source}: inputShapes.${node.name} must be positive integers, got [${override.join(",")}]`);
    if (declared !== undefined) {
      if (declared.length !== override.length) throw new InvalidArgumentError(`${source}: inputShapes.${node.name} has rank ${override.length}, Placeholder "${node.name}" has rank ${declared.length}`);
      declared.forEach((d, i) => {
        if (i > 0 && d > 0 && d !== override[i]) throw new InvalidArgumentError(`${source}: inputShapes.${node.name}[${i}] = ${override[i]} contradicts the Placeholder's fixed dimension ${d}`);
      });
    }
    return [...override];
  }
  if (declared === undefined) {
    warnings.push(`${source}: Placeholder "${node.name}" has no shape; give it (inputShapes / --input-shape ${node.name}=…)`);
    return undefined;
  }
  const shape = declared.map((d, i) => (d > 0 ? d : i === 0 ? 1 : -1));
  if (shape.includes(-1)) {
    warnings.push(`${source}: Placeholder "${node.name}" has unknown dimensions ([${declared.join(",")}]); give its shape (inputShapes / --input-shape ${node.name}=1,…) to infer the shapes that depend on it`);
    return undefined;
  }
  return shape;
}

// ------------------------------------------------------------------ NCHW recording

function channelsFirstShape(shape: Shape): Shape {
  return shape.length >= 3 ? [shape[0]!, shape[shape.length - 1]!, ...shape.slice(1, -1)] : shape;
}

function channelsFirstAxis(axis: number, rank: number): number {
  if (rank < 3) return axis;
  const a = axis < 0 ? axis + rank : axis;
  return a === rank - 1 ? 1 : a === 0 ? 0 : a + 1;
}

function toChannelsFirst(layer: Layer): Layer {
  const p = layer.params as Record<string, unknown>;
  let params: Record<string, unknown> = p;
  const rank = layer.outputShapes[0]?.length ?? 0;
  if ((layer.type === "Concat" || layer.type === "Softmax") && typeof p["axis"] === "number") params = { ...p, axis: channelsFirstAxis(p["axis"], rank) };
  if (layer.type === "Reduction" && typeof p["axis"] === "number") params = { ...p, axis: 2 };
  if (layer.type === "Input") params = { ...p, shapes: layer.outputShapes.map(channelsFirstShape) };
  if (layer.type === "Reshape") params = { ...p, dims: channelsFirstShape(layer.outputShapes[0] ?? []) };
  if (layer.type === "Pad" && Array.isArray(p["pads"]) && rank >= 3) {
    const pads = p["pads"] as number[];
    const before = pads.slice(0, rank);
    const after = pads.slice(rank);
    params = { ...p, pads: [...channelsFirstShape(before), ...channelsFirstShape(after)] };
  }
  return { ...layer, inputShapes: layer.inputShapes.map(channelsFirstShape), outputShapes: layer.outputShapes.map(channelsFirstShape), params };
}

// ------------------------------------------------------------------ rules

interface RuleContext {
  readonly node: GraphNode;
  readonly attrs: Attrs;
  readonly operands: readonly Info[];
  readonly name: string;
}

type Rule = (ctx: RuleContext) => NodeResult | undefined;

const shapeOf = (ctx: RuleContext, i: number): readonly number[] | undefined => ctx.operands[i]?.shape;
const valuesOf = (ctx: RuleContext, i: number): readonly number[] | undefined => {
  const o = ctx.operands[i];
  return o?.values !== undefined && o.shape !== undefined && o.values.length === product(o.shape) ? o.values : undefined;
};

function single(type: string, shape: readonly number[] | undefined, macs: number, params: Record<string, unknown> = {}, values?: readonly number[]): NodeResult {
  return { shapes: [shape], ...(values !== undefined && values.length <= FOLD_LIMIT ? { values: [values] } : {}), macs, type, params };
}

const ACTIVATIONS: Readonly<Record<string, string>> = { Relu: "relu", Relu6: "relu6", Elu: "elu", Sigmoid: "sigmoid", Tanh: "tanh", LeakyRelu: "leakyrelu", Selu: "selu" };

function fusedActivation(ctx: RuleContext): { activation: string; ok: boolean; alpha?: number } {
  const ops = ctx.attrs.strings("fused_ops");
  const rest = ops.filter((o) => o !== "BiasAdd");
  if (rest.length === 0) return { activation: "linear", ok: ops.every((o) => o === "BiasAdd") };
  if (rest.length === 1 && ACTIVATIONS[rest[0]!] !== undefined) return { activation: ACTIVATIONS[rest[0]!]!, ok: true, alpha: ctx.attrs.float("leakyrelu_alpha", 0.2) };
  return { activation: rest.join("+"), ok: false };
}

const conv: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const w = shapeOf(ctx, 1);
  if (x === undefined || w === undefined || x.length !== 4 || w.length !== 4) return undefined;
  const depthwise = ctx.node.op.includes("Depthwise");
  const [kh, kw, cin, k3] = w as [number, number, number, number];
  const strides = ctx.attrs.ints("strides") ?? [1, 1, 1, 1];
  const dilations = ctx.attrs.ints("dilations") ?? [1, 1, 1, 1];
  const padding = ctx.attrs.string("padding", "VALID");
  const explicit = ctx.attrs.ints("explicit_paddings") ?? [];
  const h = windowAxis(x[1]!, kh, strides[1] ?? 1, dilations[1] ?? 1, padding, [explicit[2] ?? 0, explicit[3] ?? 0]);
  const wd = windowAxis(x[2]!, kw, strides[2] ?? 1, dilations[2] ?? 1, padding, [explicit[4] ?? 0, explicit[5] ?? 0]);
  const cout = depthwise ? cin * k3 : k3;
  const group = depthwise ? cin : Math.max(1, x[3]! / cin);
  const fused = ctx.node.op.startsWith("_Fused") || ctx.node.op.startsWith("Fused");
  const act = fused ? fusedActivation(ctx) : { activation: "linear", ok: true };
  const biasTerm = fused && ctx.attrs.strings("fused_ops").includes("BiasAdd");
  const out = [x[0]!, h.out, wd.out, cout];
  const macs = h.out * wd.out * cout * (x[3]! / group) * kh * kw * x[0]!;
  const weightShape: Shape = [cout, x[3]! / group, kh, kw];
  return {
    shapes: [out],
    macs,
    type: act.ok ? "Convolution" : ctx.node.op,
    params: {
      numOutput: cout, kernelH: kh, kernelW: kw, strideH: strides[1] ?? 1, strideW: strides[2] ?? 1,
      padH: h.before, padW: wd.before, padEndH: h.after, padEndW: wd.after,
      dilationH: dilations[1] ?? 1, dilationW: dilations[2] ?? 1, group, biasTerm,
      activation: act.activation, ...(act.activation === "leakyrelu" ? { negativeSlope: act.alpha } : {}), padding,
    },
    paramShapes: biasTerm ? [weightShape, [cout]] : [weightShape],
  };
};

const matmul: Rule = (ctx) => {
  const a = shapeOf(ctx, 0);
  const b = shapeOf(ctx, 1);
  if (a === undefined || b === undefined || a.length !== 2 || b.length !== 2) return undefined;
  const ta = ctx.attrs.bool("transpose_a", false);
  const tb = ctx.attrs.bool("transpose_b", false);
  const [m, k] = ta ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const n = tb ? b[0]! : b[1]!;
  const constantB = ctx.operands[1]?.ref === undefined;
  const fused = ctx.node.op === "_FusedMatMul";
  const act = fused ? fusedActivation(ctx) : { activation: "linear", ok: true };
  const biasTerm = fused && ctx.attrs.strings("fused_ops").includes("BiasAdd");
  const inner = constantB && !ta && act.ok;
  return {
    shapes: [[m, n]],
    macs: m * k * n,
    type: inner ? "InnerProduct" : ctx.node.op,
    params: inner ? { numOutput: n, biasTerm, axis: 1, transpose: !tb, activation: act.activation } : { transposeA: ta, transposeB: tb, activation: act.activation },
    ...(inner ? { paramShapes: biasTerm ? [tb ? [n, k] : [k, n], [n]] : [tb ? [n, k] : [k, n]] } : {}),
  };
};

const FLOAT_BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b, AddV2: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, RealDiv: (a, b) => a / b, Div: (a, b) => a / b,
  FloorDiv: (a, b) => Math.floor(a / b), FloorMod: (a, b) => a - b * Math.floor(a / b), Maximum: Math.max, Minimum: Math.min, Pow: (a, b) => a ** b,
  SquaredDifference: (a, b) => (a - b) ** 2, Equal: (a, b) => Number(a === b), Less: (a, b) => Number(a < b), Greater: (a, b) => Number(a > b),
};

function elementwiseValues(shapes: readonly (readonly number[])[], values: readonly (readonly number[])[], out: readonly number[], op: (...xs: number[]) => number): number[] | undefined {
  const n = product(out);
  if (n > FOLD_LIMIT) return undefined;
  const strides = (s: readonly number[]) => {
    const st = new Array<number>(s.length).fill(1);
    for (let i = s.length - 2; i >= 0; i--) st[i] = st[i + 1]! * s[i + 1]!;
    return st;
  };
  const outStrides = strides(out);
  const inStrides = shapes.map(strides);
  const result: number[] = [];
  for (let k = 0; k < n; k++) {
    const args = shapes.map((s, t) => {
      let index = 0;
      const offset = out.length - s.length;
      for (let i = 0; i < s.length; i++) {
        const c = Math.floor(k / outStrides[i + offset]!) % out[i + offset]!;
        index += (s[i] === 1 ? 0 : c) * inStrides[t]![i]!;
      }
      return values[t]![index]!;
    });
    result.push(op(...args));
  }
  return result;
}

const binary: Rule = (ctx) => {
  const a = shapeOf(ctx, 0);
  const b = shapeOf(ctx, 1);
  const out = broadcast([a, b]);
  const op = FLOAT_BINARY[ctx.node.op]!;
  const av = valuesOf(ctx, 0);
  const bv = valuesOf(ctx, 1);
  const values = out !== undefined && av !== undefined && bv !== undefined ? elementwiseValues([a!, b!], [av, bv], out, op) : undefined;
  const macs = out === undefined ? 0 : product(out);
  const dataA = ctx.operands[0]?.ref !== undefined;
  const dataB = ctx.operands[1]?.ref !== undefined;
  const sameShape = a !== undefined && b !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
  let type = ctx.node.op;
  let params: Record<string, unknown> = {};
  if (dataA && dataB && sameShape) {
    if (["Add", "AddV2"].includes(ctx.node.op)) [type, params] = ["Eltwise", { operation: "sum", coeffs: [] }];
    else if (ctx.node.op === "Sub") [type, params] = ["Eltwise", { operation: "sum", coeffs: [1, -1] }];
    else if (ctx.node.op === "Mul") [type, params] = ["Eltwise", { operation: "prod", coeffs: [] }];
    else if (ctx.node.op === "Maximum") [type, params] = ["Eltwise", { operation: "max", coeffs: [] }];
  } else if (dataA !== dataB && out !== undefined) {
    const constant = dataA ? 1 : 0;
    const c = ctx.operands[constant]!;
    const cv = valuesOf(ctx, constant);
    const x = dataA ? a! : b!;
    const scalar = c.shape !== undefined && product(c.shape) === 1;
    const perChannel = c.shape !== undefined && c.shape.length === 1 && c.shape[0] === x[x.length - 1] && x.length >= 2 && product(c.shape) > 1;
    const commutes = ["Add", "AddV2", "Mul"].includes(ctx.node.op) || (ctx.node.op === "Sub" && dataA) || (ctx.node.op === "RealDiv" && dataA);
    if (scalar && cv !== undefined && commutes) {
      const v = cv[0]!;
      const power = ctx.node.op === "Mul" ? { scale: v } : ctx.node.op === "RealDiv" ? { scale: 1 / v } : ctx.node.op === "Sub" ? { shift: -v } : { shift: v };
      [type, params] = ["Power", { power: 1, scale: 1, shift: 0, ...power, folded: [constant] }];
    } else if (perChannel && (ctx.node.op === "Mul")) [type, params] = ["Scale", { axis: 1, biasTerm: false }];
    else if (perChannel && ["Add", "AddV2"].includes(ctx.node.op)) [type, params] = ["Bias", { axis: 1, numAxes: 1 }];
  }
  return { shapes: [out], ...(values !== undefined ? { values: [values] } : {}), macs, type, params };
};

const unary = (type: string, params: Record<string, unknown> = {}, fn?: (x: number) => number): Rule => (ctx) => {
  const x = shapeOf(ctx, 0);
  const v = valuesOf(ctx, 0);
  return single(type, x, x === undefined ? 0 : product(x), params, v !== undefined && fn !== undefined ? v.map(fn) : undefined);
};

const biasAdd: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  return single(ctx.operands[1]?.ref === undefined ? "Bias" : "BiasAdd", x, x === undefined ? 0 : product(x), { axis: 1, numAxes: 1 });
};

const pool: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined || x.length !== 4) return undefined;
  const ksize = ctx.attrs.ints("ksize") ?? [1, 1, 1, 1];
  const strides = ctx.attrs.ints("strides") ?? [1, 1, 1, 1];
  const padding = ctx.attrs.string("padding", "VALID");
  const h = windowAxis(x[1]!, ksize[1]!, strides[1]!, 1, padding, undefined);
  const w = windowAxis(x[2]!, ksize[2]!, strides[2]!, 1, padding, undefined);
  const out = [x[0]!, h.out, w.out, x[3]!];
  return single("Pooling", out, product(out) * ksize[1]! * ksize[2]!, {
    method: ctx.node.op === "MaxPool" ? "max" : "average", kernelH: ksize[1], kernelW: ksize[2], strideH: strides[1], strideW: strides[2],
    padH: h.before, padW: w.before, padEndH: h.after, padEndW: w.after, global: false, rounding: "floor", countIncludePad: false, padding,
  });
};

const reduce: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const axesRaw = valuesOf(ctx, 1);
  if (x === undefined || axesRaw === undefined) return undefined;
  const axes = axesRaw.map((a) => normalizeAxis(a, x.length));
  const keep = ctx.attrs.bool("keep_dims", false);
  const out = keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
  const spatial = x.length === 4 && axes.length === 2 && axes.includes(1) && axes.includes(2);
  if (ctx.node.op === "Mean" && spatial) {
    if (keep) return single("Pooling", out, product(x), { method: "average", kernelH: x[1], kernelW: x[2], strideH: 1, strideW: 1, padH: 0, padW: 0, global: true, rounding: "floor" });
    return single("Reduction", out, product(x), { operation: "mean", axis: 2, coeff: 1 });
  }
  const v = valuesOf(ctx, 0);
  let values: number[] | undefined;
  if (v !== undefined && x.length === 1 && axes.length === 1) {
    const ops: Record<string, (xs: readonly number[]) => number> = { Sum: (xs) => xs.reduce((s, y) => s + y, 0), Prod: (xs) => xs.reduce((s, y) => s * y, 1), Max: (xs) => Math.max(...xs), Min: (xs) => Math.min(...xs), Mean: (xs) => xs.reduce((s, y) => s + y, 0) / xs.length };
    values = [ops[ctx.node.op]!(v)];
  }
  return single(ctx.node.op, out, product(x), {}, values);
};

function resolveReshape(input: readonly number[], target: readonly number[]): number[] | undefined {
  const known = target.filter((d) => d !== -1);
  if (target.length - known.length > 1) return undefined;
  const rest = product(known);
  const shape = target.map((d) => (d === -1 ? (rest === 0 ? 0 : product(input) / rest) : d));
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || product(shape) !== product(input)) return undefined;
  return shape;
}

const reshape: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const target = valuesOf(ctx, 1);
  if (x === undefined || target === undefined) return undefined;
  const out = resolveReshape(x, target.map((d, i) => (i === 0 && d === -1 && x[0] === 1 && target.filter((t) => t === -1).length > 1 ? 1 : d)));
  return out === undefined ? undefined : single("Reshape", out, 0, { dims: out }, valuesOf(ctx, 0));
};

const squeeze: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  if (x === undefined) return undefined;
  const dims = (ctx.attrs.ints("squeeze_dims") ?? ctx.attrs.ints("axis") ?? []).map((a) => normalizeAxis(a, x.length));
  const out = x.filter((d, i) => (dims.length === 0 ? d !== 1 : !dims.includes(i)));
  return single("Reshape", out, 0, { dims: out }, valuesOf(ctx, 0));
};

const expandDims: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const dim = valuesOf(ctx, 1)?.[0];
  if (x === undefined || dim === undefined) return undefined;
  const axis = normalizeAxis(dim, x.length + 1);
  const out = [...x.slice(0, axis), 1, ...x.slice(axis)];
  return single("Reshape", out, 0, { dims: out }, valuesOf(ctx, 0));
};

const concat: Rule = (ctx) => {
  const n = ctx.operands.length - 1;
  const axisValue = valuesOf(ctx, n)?.[0];
  const shapes = ctx.operands.slice(0, n).map((o) => o.shape);
  if (axisValue === undefined || shapes.some((s) => s === undefined) || n < 1) return undefined;
  const first = shapes[0]!;
  const axis = normalizeAxis(axisValue, first.length);
  const out = [...first];
  out[axis] = shapes.reduce((s, sh) => s + sh![axis]!, 0);
  let values: number[] | undefined;
  if (first.length === 1 && ctx.operands.slice(0, n).every((_, i) => valuesOf(ctx, i) !== undefined)) values = ctx.operands.slice(0, n).flatMap((_, i) => [...valuesOf(ctx, i)!]);
  return single("Concat", out, 0, { axis, folded: [n] }, values);
};

const pack: Rule = (ctx) => {
  const shapes = ctx.operands.map((o) => o.shape);
  if (shapes.some((s) => s === undefined) || shapes.length === 0) return undefined;
  const axis = normalizeAxis(ctx.attrs.int("axis", 0), shapes[0]!.length + 1);
  const out = [...shapes[0]!.slice(0, axis), shapes.length, ...shapes[0]!.slice(axis)];
  const values = shapes[0]!.length === 0 && ctx.operands.every((_, i) => valuesOf(ctx, i) !== undefined) ? ctx.operands.map((_, i) => valuesOf(ctx, i)![0]!) : undefined;
  return single("Pack", out, 0, {}, values);
};

const pad: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const pads = valuesOf(ctx, 1);
  if (x === undefined || pads === undefined || pads.length !== 2 * x.length) return undefined;
  const out = x.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
  const before = x.map((_, i) => pads[2 * i]!);
  const after = x.map((_, i) => pads[2 * i + 1]!);
  const value = ctx.node.op === "PadV2" ? (valuesOf(ctx, 2)?.[0] ?? 0) : 0;
  return single(ctx.node.op === "MirrorPad" ? "MirrorPad" : "Pad", out, 0, { pads: [...before, ...after], value, mode: ctx.node.op === "MirrorPad" ? ctx.attrs.string("mode", "REFLECT").toLowerCase() : "constant" });
};

const softmax: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  return single(ctx.node.op === "Softmax" ? "Softmax" : "LogSoftmax", x, x === undefined ? 0 : product(x), { axis: x === undefined ? -1 : x.length - 1 });
};

const resize: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const size = valuesOf(ctx, 1);
  if (x === undefined || size === undefined || x.length !== 4 || size.length !== 2) return undefined;
  const out = [x[0]!, size[0]!, size[1]!, x[3]!];
  return single("Resize", out, product(out), {
    mode: ctx.node.op === "ResizeBilinear" ? "bilinear" : "nearest",
    alignCorners: ctx.attrs.bool("align_corners", false),
    halfPixelCenters: ctx.attrs.bool("half_pixel_centers", false),
    height: size[0], width: size[1],
  });
};

const transpose: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const perm = valuesOf(ctx, 1);
  if (x === undefined || perm === undefined || perm.length !== x.length) return undefined;
  return single("Transpose", perm.map((p) => x[p]!), 0, { perm: [...perm] });
};

const shapeOp: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  return x === undefined ? undefined : single("Shape", [x.length], 0, {}, x);
};

const identity: Rule = (ctx) => single("Identity", shapeOf(ctx, 0), 0, {}, valuesOf(ctx, 0));

const cast: Rule = (ctx) => {
  const v = valuesOf(ctx, 0);
  const to = String((ctx.node.attr?.["DstT"]?.["type"] as string | undefined) ?? "DT_FLOAT");
  return single("Cast", shapeOf(ctx, 0), 0, {}, v === undefined ? undefined : to.includes("INT") ? v.map(Math.trunc) : to === "DT_BOOL" ? v.map((a) => Number(a !== 0)) : v);
};

const stridedSlice: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const begin = valuesOf(ctx, 1);
  const end = valuesOf(ctx, 2);
  const strides = valuesOf(ctx, 3);
  if (x === undefined || begin === undefined || end === undefined || strides === undefined) return undefined;
  if (ctx.attrs.int("ellipsis_mask", 0) !== 0 || ctx.attrs.int("new_axis_mask", 0) !== 0) return undefined;
  const beginMask = ctx.attrs.int("begin_mask", 0);
  const endMask = ctx.attrs.int("end_mask", 0);
  const shrink = ctx.attrs.int("shrink_axis_mask", 0);
  const out: number[] = [];
  const picks: { start: number; step: number; size: number }[] = [];
  for (let i = 0; i < x.length; i++) {
    const dim = x[i]!;
    if (i >= begin.length) {
      out.push(dim);
      picks.push({ start: 0, step: 1, size: dim });
      continue;
    }
    const step = strides[i]!;
    if (step === 0) return undefined;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = begin[i]! < 0 ? begin[i]! + dim : begin[i]!;
    let e = end[i]! < 0 ? end[i]! + dim : end[i]!;
    if (shrink & (1 << i)) {
      picks.push({ start: s, step: 1, size: 1 });
      continue;
    }
    if (step > 0) {
      s = beginMask & (1 << i) ? 0 : clamp(s, 0, dim);
      e = endMask & (1 << i) ? dim : clamp(e, 0, dim);
    } else {
      s = beginMask & (1 << i) ? dim - 1 : clamp(s, -1, dim - 1);
      e = endMask & (1 << i) ? -1 : clamp(e, -1, dim - 1);
    }
    const size = Math.max(0, Math.ceil((e - s) / step));
    out.push(size);
    picks.push({ start: s, step, size });
  }
  const v = valuesOf(ctx, 0);
  let values: number[] | undefined;
  if (v !== undefined && x.length === 1) {
    const p = picks[0]!;
    values = Array.from({ length: p.size }, (_, k) => v[p.start + k * p.step]!);
  }
  return single("StridedSlice", out, 0, {}, values);
};

const fill: Rule = (ctx) => {
  const dims = valuesOf(ctx, 0);
  const value = valuesOf(ctx, 1)?.[0];
  if (dims === undefined) return undefined;
  return single("Fill", dims, 0, {}, value !== undefined && product(dims) <= FOLD_LIMIT ? new Array<number>(product(dims)).fill(value) : undefined);
};

const batchNorm: Rule = (ctx) => {
  const x = shapeOf(ctx, 0);
  const shapes: (readonly number[] | undefined)[] = [x, ...new Array<undefined>(5).fill(undefined).map(() => (x === undefined ? undefined : [x[x.length - 1]!]))];
  return { shapes: ctx.node.op === "FusedBatchNorm" ? shapes.slice(0, 5) : shapes, macs: x === undefined ? 0 : product(x), type: "FusedBatchNorm", params: { eps: ctx.attrs.float("epsilon", 1e-3) } };
};

const RULES: Readonly<Record<string, Rule>> = {
  Conv2D: conv,
  _FusedConv2D: conv,
  DepthwiseConv2dNative: conv,
  FusedDepthwiseConv2dNative: conv,
  MatMul: matmul,
  _FusedMatMul: matmul,
  ...Object.fromEntries(Object.keys(FLOAT_BINARY).map((op) => [op, binary])),
  BiasAdd: biasAdd,
  Relu: unary("ReLU", {}, (v) => Math.max(0, v)),
  Relu6: unary("Clip", { min: 0, max: 6 }, (v) => Math.min(6, Math.max(0, v))),
  LeakyRelu: (ctx) => unary("ReLU", { negativeSlope: ctx.attrs.float("alpha", 0.2) })(ctx),
  Elu: unary("ELU", { alpha: 1 }),
  Sigmoid: unary("Sigmoid"),
  Tanh: unary("TanH"),
  Selu: unary("Selu"),
  Softplus: unary("Softplus"),
  Square: unary("Square", {}, (v) => v * v),
  Sqrt: unary("Sqrt", {}, Math.sqrt),
  Rsqrt: unary("Rsqrt", {}, (v) => 1 / Math.sqrt(v)),
  Neg: unary("Neg", {}, (v) => -v),
  Abs: unary("AbsVal", {}, Math.abs),
  Exp: unary("Exp", {}, Math.exp),
  Log: unary("Log", {}, Math.log),
  Floor: unary("Floor", {}, Math.floor),
  AddN: (ctx) => {
    const out = broadcast(ctx.operands.map((o) => o.shape));
    return single("Eltwise", out, out === undefined ? 0 : product(out) * Math.max(1, ctx.operands.length - 1), { operation: "sum", coeffs: [] });
  },
  MaxPool: pool,
  AvgPool: pool,
  Mean: reduce,
  Sum: reduce,
  Max: reduce,
  Min: reduce,
  Prod: reduce,
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: concat,
  Pack: pack,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  Softmax: softmax,
  LogSoftmax: softmax,
  Identity: identity,
  StopGradient: identity,
  Snapshot: identity,
  ResizeBilinear: resize,
  ResizeNearestNeighbor: resize,
  Transpose: transpose,
  Shape: shapeOp,
  Cast: cast,
  StridedSlice: stridedSlice,
  Fill: fill,
  FusedBatchNorm: batchNorm,
  FusedBatchNormV3: batchNorm,
};

/** The GraphDef ops {@link importTfjsGraphModel} infers shapes for (others are opaque layers). */
export const TFJS_GRAPH_OPS: readonly string[] = ["Const", "Placeholder", ...Object.keys(RULES)];

/** @internal the decoded weight type, for tests */
export type { DecodedWeight };
