/**
 * An {@link Executor} that runs the library's own layers (Caffe semantics:
 * any network from the zoo, a prototxt, …) with ONNX Runtime. For each set
 * of layers it is asked to run, it writes an ONNX model of those layers
 * (opset 13) with their uploaded weights as initializers, creates an ONNX
 * Runtime session for it (cached per layer set and outputs) and runs it.
 *
 * This is what `ionn serve --executor ort` uses: the edge server then
 * computes its layers many times faster than the client's reference
 * executor, as a GPU server would be in the paper's setting (IONN §6).
 *
 * Supported types: Input, Convolution, ReLU (leaky too), LRN
 * (across channels), Pooling (max; average when Caffe's window clipping
 * agrees with ONNX's), InnerProduct, Dropout, Softmax, Concat, Split,
 * Eltwise, Flatten, Reshape, BatchNorm, Scale (one input). Others are an
 * {@link UnsupportedLayerError} at `load`.
 *
 * @module
 */
import { InvalidArgumentError, UnsupportedLayerError } from "../errors.js";
import { LITTLE_ENDIAN_HOST } from "../platform/index.js";
import type {
  ConcatParams,
  ConvolutionParams,
  EltwiseParams,
  InnerProductParams,
  Layer,
  LRNParams,
  PoolingParams,
  ScaleParams,
  Shape,
  SoftmaxParams,
} from "../model/types.js";
import type { Ort, OrtSession, OrtTensor } from "./ort-executor.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "./types.js";

/** Layer types {@link ortLayerExecutor} runs. */
export const ORT_LAYER_TYPES: readonly string[] = [
  "Input",
  "Convolution",
  "ReLU",
  "LRN",
  "Pooling",
  "InnerProduct",
  "Dropout",
  "Softmax",
  "Concat",
  "Split",
  "Eltwise",
  "Flatten",
  "Reshape",
  "BatchNorm",
  "Scale",
];

/** Options of {@link ortLayerExecutor}. */
export interface OrtLayerExecutorOptions {
  /** The onnxruntime-node module (`loadOrt()` from `ionn/onnxruntime`). */
  readonly ort: Ort;
  /** Threads per session (default 1). */
  readonly intraOpNumThreads?: number;
  /** Sessions kept (least recently used dropped first; default 8). */
  readonly maxSessions?: number;
}

// ---------------------------------------------------------------- protobuf writing

/** A minimal protobuf writer (varints, fixed32 floats, length-delimited fields). */
class Pb {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }
  private varint(value: number): this {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return this.push(Uint8Array.from(out));
  }
  int(field: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`ortLayerExecutor: ${value} is not a non-negative integer`);
    return this.varint(field * 8).varint(value);
  }
  float(field: number, value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.varint(field * 8 + 5).push(bytes);
  }
  bytes(field: number, bytes: Uint8Array): this {
    return this.varint(field * 8 + 2).varint(bytes.length).push(bytes);
  }
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

type Attribute = { name: string; ints?: readonly number[]; i?: number; f?: number };

function attribute(a: Attribute): Uint8Array {
  const pb = new Pb().string(1, a.name);
  if (a.f !== undefined) pb.float(2, a.f).int(20, 1);
  else if (a.i !== undefined) pb.int(3, a.i).int(20, 2);
  else {
    for (const v of a.ints ?? []) pb.int(8, v);
    pb.int(20, 7);
  }
  return pb.finish();
}

function node(op: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Attribute[] = []): Uint8Array {
  const pb = new Pb();
  for (const i of inputs) pb.string(1, i);
  for (const o of outputs) pb.string(2, o);
  pb.string(3, outputs[0]!).string(4, op);
  for (const a of attributes) pb.bytes(5, attribute(a));
  return pb.finish();
}

function floatTensor(name: string, dims: readonly number[], data: Float32Array): Uint8Array {
  const pb = new Pb();
  for (const d of dims) pb.int(1, d);
  pb.int(2, 1).string(8, name);
  return pb.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).finish();
}

function int64Tensor(name: string, values: readonly number[]): Uint8Array {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  const pb = new Pb().int(1, values.length).int(2, 7).string(8, name);
  return pb.bytes(9, new Uint8Array(data.buffer)).finish();
}

function valueInfo(name: string): Uint8Array {
  const tensorType = new Pb().int(1, 1).finish();
  return new Pb().string(1, name).bytes(2, new Pb().bytes(1, tensorType).finish()).finish();
}

// ---------------------------------------------------------------- layers → nodes

function params<T>(layer: Layer, defaults: Partial<T>): T {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(layer.params)) if (value !== undefined) out[key] = value;
  return out as T;
}

/** The graph pieces of one layer. */
interface Pieces {
  nodes: Uint8Array[];
  initializers: Uint8Array[];
}

const tensorName = (layer: number, top: number) => `t${layer}_${top}`;

function positiveAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** ONNX nodes and initializers computing `layer` (its inputs named by producer, its outputs `t<index>_<top>`). */
function layerPieces(layer: Layer, weights: LayerWeights): Pieces {
  const ins = layer.inputs.map((ref) => tensorName(ref.layer, ref.top));
  const outs = layer.tops.map((_, top) => tensorName(layer.index, top));
  const out: Pieces = { nodes: [], initializers: [] };
  const w = (blob: number, dims: readonly number[] = layer.paramShapes[blob] ?? [weights[blob]!.length]) => {
    const name = `w${layer.index}_${blob}`;
    const data = weights[blob];
    if (data === undefined) throw new InvalidArgumentError(`ortLayerExecutor: layer "${layer.name}" has no weight blob ${blob}`);
    out.initializers.push(floatTensor(name, dims, data));
    return name;
  };
  const inputShape = layer.inputShapes[0] ?? [];
  switch (layer.type) {
    case "Convolution": {
      const p = params<ConvolutionParams>(layer, { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: true });
      const inputs = [ins[0]!, w(0), ...(p.biasTerm ? [w(1)] : [])];
      out.nodes.push(
        node("Conv", inputs, outs, [
          { name: "kernel_shape", ints: [p.kernelH, p.kernelW] },
          { name: "strides", ints: [p.strideH, p.strideW] },
          { name: "pads", ints: [p.padH, p.padW, p.padH, p.padW] },
          { name: "dilations", ints: [p.dilationH, p.dilationW] },
          { name: "group", i: p.group },
        ]),
      );
      break;
    }
    case "ReLU": {
      const slope = Number((layer.params as { negativeSlope?: number; negative_slope?: number }).negativeSlope ?? (layer.params as { negative_slope?: number }).negative_slope ?? 0);
      out.nodes.push(slope === 0 ? node("Relu", ins, outs) : node("LeakyRelu", ins, outs, [{ name: "alpha", f: slope }]));
      break;
    }
    case "LRN": {
      const p = params<LRNParams>(layer, { localSize: 5, alpha: 1, beta: 0.75, k: 1, region: "across_channels" });
      if (p.region !== "across_channels") throw new UnsupportedLayerError(`ortLayerExecutor: layer "${layer.name}": LRN within_channel has no ONNX operator`);
      // Caffe and ONNX both divide α by the window size n.
      out.nodes.push(node("LRN", ins, outs, [{ name: "size", i: p.localSize }, { name: "alpha", f: p.alpha }, { name: "beta", f: p.beta }, { name: "bias", f: p.k }]));
      break;
    }
    case "Pooling": {
      const p = params<PoolingParams>(layer, { rounding: "ceil", global: false, padH: 0, padW: 0, strideH: 1, strideW: 1 });
      if (p.global) {
        out.nodes.push(node(p.method === "max" ? "GlobalMaxPool" : "GlobalAveragePool", ins, outs));
        break;
      }
      // Explicit end padding reproduces Caffe's output size (ceil rounding, clipped last window) with ONNX's floor.
      const output = layer.outputShapes[0]!;
      const endH = (output[2]! - 1) * p.strideH + p.kernelH - inputShape[2]! - p.padH;
      const endW = (output[3]! - 1) * p.strideW + p.kernelW - inputShape[3]! - p.padW;
      if (endH < 0 || endW < 0 || (p.method === "average" && (endH > p.padH || endW > p.padW))) {
        throw new UnsupportedLayerError(`ortLayerExecutor: layer "${layer.name}": this pooling's Caffe window clipping has no ONNX equivalent`);
      }
      const attributes: Attribute[] = [
        { name: "kernel_shape", ints: [p.kernelH, p.kernelW] },
        { name: "strides", ints: [p.strideH, p.strideW] },
        { name: "pads", ints: [p.padH, p.padW, endH, endW] },
      ];
      if (p.method === "average") attributes.push({ name: "count_include_pad", i: 1 });
      out.nodes.push(node(p.method === "max" ? "MaxPool" : "AveragePool", ins, outs, attributes));
      break;
    }
    case "InnerProduct": {
      const p = params<InnerProductParams>(layer, { axis: 1, biasTerm: true });
      const flat = `${outs[0]}_flat`;
      out.nodes.push(node("Flatten", ins, [flat], [{ name: "axis", i: positiveAxis(p.axis, inputShape.length) }]));
      out.nodes.push(node("Gemm", [flat, w(0), ...(p.biasTerm ? [w(1)] : [])], outs, [{ name: "transB", i: p.transpose ? 0 : 1 }]));
      break;
    }
    case "Dropout":
      out.nodes.push(node("Identity", ins, outs));
      break;
    case "Split":
      outs.forEach((o) => out.nodes.push(node("Identity", [ins[0]!], [o])));
      break;
    case "Softmax": {
      const p = params<SoftmaxParams>(layer, { axis: 1 });
      out.nodes.push(node("Softmax", ins, outs, [{ name: "axis", i: positiveAxis(p.axis, inputShape.length) }]));
      break;
    }
    case "Concat": {
      const p = params<ConcatParams>(layer, { axis: 1 });
      out.nodes.push(node("Concat", ins, outs, [{ name: "axis", i: positiveAxis(p.axis, inputShape.length) }]));
      break;
    }
    case "Eltwise": {
      const p = params<EltwiseParams>(layer, { operation: "sum", coeffs: [] });
      if (p.operation === "prod") out.nodes.push(node("Mul", ins, outs));
      else if (p.operation === "max") out.nodes.push(node("Max", ins, outs));
      else if (p.coeffs.every((c) => c === 1)) out.nodes.push(node("Sum", ins, outs));
      else {
        const scaled = ins.map((name, k) => {
          const coeff = `c${layer.index}_${k}`;
          out.initializers.push(floatTensor(coeff, [], Float32Array.of(p.coeffs[k] ?? 1)));
          out.nodes.push(node("Mul", [name, coeff], [`${coeff}_x`]));
          return `${coeff}_x`;
        });
        out.nodes.push(node("Sum", scaled, outs));
      }
      break;
    }
    case "Flatten":
    case "Reshape": {
      const shapeName = `s${layer.index}`;
      out.initializers.push(int64Tensor(shapeName, layer.outputShapes[0]!));
      out.nodes.push(node("Reshape", [ins[0]!, shapeName], outs));
      break;
    }
    case "BatchNorm": {
      const channels = inputShape[1]!;
      const factor = weights[2]?.[0] ?? 1;
      const s = factor === 0 ? 0 : 1 / factor;
      const mean = Float32Array.from(weights[0]!, (v) => v * s);
      const variance = Float32Array.from(weights[1]!, (v) => v * s);
      const eps = Number((layer.params as { eps?: number }).eps ?? 1e-5);
      const names = [`bn${layer.index}_scale`, `bn${layer.index}_bias`, `bn${layer.index}_mean`, `bn${layer.index}_var`];
      out.initializers.push(
        floatTensor(names[0]!, [channels], new Float32Array(channels).fill(1)),
        floatTensor(names[1]!, [channels], new Float32Array(channels)),
        floatTensor(names[2]!, [channels], mean),
        floatTensor(names[3]!, [channels], variance),
      );
      out.nodes.push(node("BatchNormalization", [ins[0]!, ...names], outs, [{ name: "epsilon", f: eps }]));
      break;
    }
    case "Scale": {
      const p = params<ScaleParams>(layer, { axis: 1, biasTerm: false });
      if (ins.length !== 1 || positiveAxis(p.axis, inputShape.length) !== 1) {
        throw new UnsupportedLayerError(`ortLayerExecutor: layer "${layer.name}": only a one-input Scale along channels is supported`);
      }
      const broadcast = [inputShape[1]!, ...inputShape.slice(2).map(() => 1)];
      const gamma = w(0, broadcast);
      if (p.biasTerm) {
        const mid = `${outs[0]}_mul`;
        out.nodes.push(node("Mul", [ins[0]!, gamma], [mid]), node("Add", [mid, w(1, broadcast)], outs));
      } else out.nodes.push(node("Mul", [ins[0]!, gamma], outs));
      break;
    }
    default:
      throw new UnsupportedLayerError(`ortLayerExecutor: layer "${layer.name}" of type ${layer.type} is not supported (supported: ${ORT_LAYER_TYPES.join(", ")})`);
  }
  return out;
}

// ---------------------------------------------------------------- the executor

class OrtLayerExecutor implements Executor {
  private readonly layers = new Map<number, Layer>();
  private readonly weights = new Map<number, LayerWeights>();
  private readonly names = new Set<string>();
  private readonly sessions = new Map<string, Promise<OrtSession>>();

  constructor(
    private readonly ort: Ort,
    private readonly threads: number,
    private readonly maxSessions: number,
  ) {}

  async load(layers: readonly Layer[], weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
    for (const layer of layers) {
      if (!ORT_LAYER_TYPES.includes(layer.type)) {
        throw new UnsupportedLayerError(`ortLayerExecutor: layer "${layer.name}" of type ${layer.type} is not supported (supported: ${ORT_LAYER_TYPES.join(", ")})`);
      }
      const blobs = weights.get(layer.name) ?? [];
      if (blobs.length < layer.paramShapes.length) throw new InvalidArgumentError(`ortLayerExecutor: layer "${layer.name}" needs ${layer.paramShapes.length} weight blobs, got ${blobs.length}`);
      this.layers.set(layer.index, layer);
      this.weights.set(layer.index, blobs);
      this.names.add(layer.name);
    }
    this.sessions.clear();
  }

  loadedLayers(): ReadonlySet<string> {
    return this.names;
  }

  async run(layers: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
    const indices = [...new Set(layers)].sort((a, b) => a - b).filter((i) => {
      const layer = this.layers.get(i);
      if (layer === undefined) throw new InvalidArgumentError(`ortLayerExecutor.run: layer ${i} is not loaded`);
      return layer.type !== "Input";
    });
    const selected = new Set(indices);
    const result = new Map<string, Tensor>();
    const computed: string[] = [];
    for (const key of outputs) {
      const producer = Number(key.split(":")[0]);
      if (selected.has(producer)) computed.push(key);
      else {
        const given = inputs.get(key);
        if (given === undefined) throw new InvalidArgumentError(`ortLayerExecutor.run: output ${key} is neither produced by these layers nor given`);
        result.set(key, given);
      }
    }
    if (computed.length === 0) return result;
    const feeds = new Map<string, string>(); // ONNX name → tensor key
    for (const i of indices) {
      for (const ref of this.layers.get(i)!.inputs) if (!selected.has(ref.layer)) feeds.set(tensorName(ref.layer, ref.top), `${ref.layer}:${ref.top}`);
    }
    const fetches = computed.map((key) => {
      const [layer, top] = key.split(":").map(Number);
      return tensorName(layer!, top!);
    });
    const cacheKey = `${indices.join(",")}|${fetches.join(",")}`;
    let session = this.sessions.get(cacheKey);
    if (session === undefined) {
      session = this.ort.InferenceSession.create(this.model(indices, [...feeds.keys()], fetches), { intraOpNumThreads: this.threads, graphOptimizationLevel: "all" });
      if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    } else this.sessions.delete(cacheKey);
    this.sessions.set(cacheKey, session);
    const feedTensors: Record<string, OrtTensor> = {};
    for (const [name, key] of feeds) {
      const tensor = inputs.get(key);
      if (tensor === undefined) throw new InvalidArgumentError(`ortLayerExecutor.run: missing input tensor ${key}`);
      feedTensors[name] = new this.ort.Tensor("float32", tensor.data, [...tensor.shape]);
    }
    const out = await (await session).run(feedTensors);
    computed.forEach((key, k) => {
      const t = out[fetches[k]!]!;
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
      result.set(key, { shape: [...t.dims] as Shape, data });
    });
    return result;
  }

  /** The ONNX model of `indices` with graph inputs `feeds` and outputs `fetches`. */
  private model(indices: readonly number[], feeds: readonly string[], fetches: readonly string[]): Uint8Array {
    const graph = new Pb();
    const initializers: Uint8Array[] = [];
    for (const i of indices) {
      const pieces = layerPieces(this.layers.get(i)!, this.weights.get(i)!);
      for (const n of pieces.nodes) graph.bytes(1, n);
      initializers.push(...pieces.initializers);
    }
    graph.string(2, "ionn_partition");
    for (const t of initializers) graph.bytes(5, t);
    for (const f of feeds) graph.bytes(11, valueInfo(f));
    for (const f of fetches) graph.bytes(12, valueInfo(f));
    const opset = new Pb().string(1, "").int(2, 13).finish();
    return new Pb().int(1, 8).string(2, "ionn").bytes(7, graph.finish()).bytes(8, opset).finish();
  }
}

/**
 * An executor running the library's layers with ONNX Runtime.
 *
 * @throws {InvalidArgumentError} on a big-endian host (weights are written little-endian as ONNX requires)
 * @example
 * ```ts
 * import { loadOrt, ortLayerExecutor } from "ionn/onnxruntime";
 * const server = new EdgeServer({ executorFactory: () => ortLayerExecutor({ ort }) }); // ort = await loadOrt()
 * ```
 */
export function ortLayerExecutor(options: OrtLayerExecutorOptions): Executor {
  if (!LITTLE_ENDIAN_HOST) throw new InvalidArgumentError("ortLayerExecutor: big-endian hosts are not supported");
  return new OrtLayerExecutor(options.ort, options.intraOpNumThreads ?? 1, options.maxSessions ?? 8);
}
