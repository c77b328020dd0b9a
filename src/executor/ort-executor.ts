/**
 * An {@link Executor} that runs layers of an imported ONNX model with ONNX
 * Runtime (the optional dependency `onnxruntime-node`), so the IONN runtime
 * (§4, Figure 3: the edge server runs the uploaded partitions, the client the
 * rest) can execute real ONNX models.
 *
 * For each set of layers it is asked to run, it writes a sub-model: the
 * selected nodes copied verbatim from the file, the Constant nodes and
 * initializers they read, one graph input per tensor produced outside the
 * set, one graph output per requested tensor. Sessions are cached per
 * (layers, outputs). Weights come from the file itself: the `weights`
 * argument of {@link Executor.load} is ignored.
 *
 * Tensors cross the interface as float32 ({@link Tensor}); integer tensors
 * (the Shape → Reshape arithmetic of some exporters) are converted at the
 * boundary, exact for the small integers they hold.
 *
 * @module
 */
import { InvalidArgumentError, InvalidModelError, MissingDependencyError } from "../errors.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "./types.js";
import type { Layer, Network } from "../model/types.js";
import { decodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxTensor } from "../model/onnx/proto.js";
import { WireWriter } from "../model/onnx/wire.js";

// The slice of onnxruntime-node's API used here, declared structurally so that
// this file compiles without the optional dependency installed.
/** An ONNX Runtime tensor (structural subset of `ort.Tensor`). */
export interface OrtTensor {
  /** Dimensions, outermost first. */
  readonly dims: readonly number[];
  /** The elements (a typed array of the tensor's element type). */
  readonly data: unknown;
}
/** An ONNX Runtime inference session (structural subset). */
export interface OrtSession {
  /** Names of the model's graph inputs. */
  readonly inputNames: readonly string[];
  /** Names of the model's graph outputs. */
  readonly outputNames: readonly string[];
  /** Run the model on named input tensors; resolves with the named outputs. */
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
/** The `ort.Tensor` constructor (structural subset). */
export interface OrtTensorConstructor {
  /** A tensor of element type `type` (e.g. `"float32"`) with `data` and `dims`. */
  new (type: string, data: ArrayLike<number> | ArrayLike<bigint>, dims: readonly number[]): OrtTensor;
}
/** The onnxruntime-node module (structural subset). */
export interface Ort {
  /** Session factory. */
  readonly InferenceSession: {
    /** Create a session from serialized ONNX model bytes. */
    create(model: Uint8Array, options?: { intraOpNumThreads?: number; graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all" }): Promise<OrtSession>;
  };
  /** Tensor constructor: element type name, data, dims. */
  readonly Tensor: OrtTensorConstructor;
}

/** Kept in a variable so that TypeScript does not try to resolve the optional module. */
const ORT_MODULE = "onnxruntime-node";

/** Options of {@link onnxRuntimeExecutor}. */
export interface OnnxRuntimeExecutorOptions {
  /**
   * The onnxruntime-node module (default: `import("onnxruntime-node")`);
   * pass it when it is bundled or loaded another way.
   */
  readonly ort?: Ort;
  /** Threads per session (default 1, so that several sessions share the machine fairly). */
  readonly intraOpNumThreads?: number;
}

const ELEMENT_TYPES: Readonly<Record<number, "float32" | "int64" | "int32" | "bool" | "float64" | "uint8" | "int8">> = {
  1: "float32",
  2: "uint8",
  3: "int8",
  6: "int32",
  7: "int64",
  9: "bool",
  11: "float64",
};

/**
 * Create an ONNX Runtime executor for a network imported with
 * `importOnnx` (from `ionn`) from `bytes`.
 *
 * Cost: building a session per distinct (layers, outputs) request, then
 * ONNX Runtime's own execution.
 *
 * @param bytes the same `.onnx` bytes the network was imported from
 * @param network the imported network (layer tops are the ONNX tensor names)
 * @param options the onnxruntime-node module, threads
 * @throws {MissingDependencyError} when onnxruntime-node is not installed
 *   (it is an optional peer dependency: `npm install onnxruntime-node`)
 * @throws {InvalidArgumentError} when a run names layers not loaded
 * @throws {InvalidModelError} when the network does not come from this file
 * @example
 * ```ts
 * const { network } = importOnnx(bytes, "cls.onnx", { inputShapes: { x: [1, 3, 48, 192] } });
 * const executor = await onnxRuntimeExecutor(bytes, network);
 * await executor.load(network.layers, new Map());
 * const out = await executor.run(network.layers.map((l) => l.index), new Map([["0:0", input]]), [tensorKey(network.outputs[0]!)]);
 * ```
 */
export async function onnxRuntimeExecutor(bytes: Uint8Array, network: Network, options: OnnxRuntimeExecutorOptions = {}): Promise<Executor> {
  const ort = options.ort ?? (await loadOrt());
  const model = decodeOnnxModel(bytes, network.source ?? "<onnx>");
  return new OnnxRuntimeExecutor(ort, model, network, options.intraOpNumThreads ?? 1);
}

/** The typed error for a missing onnxruntime-node, naming the package and how to install it. */
function missingOrt(cause: unknown, moduleName: string = ORT_MODULE): MissingDependencyError {
  return new MissingDependencyError(
    moduleName,
    `the ONNX Runtime executor needs the optional peer dependency "${moduleName}", which is not installed (${(cause as Error)?.message ?? String(cause)}); install it with \`npm install ${moduleName}\` (ONNXRUNTIME_NODE_INSTALL=skip skips its CUDA download)`,
    { cause },
  );
}

/**
 * Load onnxruntime-node (the optional peer dependency).
 *
 * @param moduleName the module to import (default `"onnxruntime-node"`)
 * @throws {MissingDependencyError} when it is not installed
 */
export async function loadOrt(moduleName: string = ORT_MODULE): Promise<Ort> {
  try {
    const loaded = (await import(moduleName)) as Ort & { default?: Ort };
    return loaded.InferenceSession ? loaded : (loaded.default as Ort);
  } catch (error) {
    throw missingOrt(error, moduleName);
  }
}

class OnnxRuntimeExecutor implements Executor {
  private readonly loaded = new Set<string>();
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  private readonly nodeByLayer = new Map<number, OnnxNode>();
  private readonly constants = new Map<string, { node?: OnnxNode; tensor?: OnnxTensor }>();

  constructor(
    private readonly ort: Ort,
    private readonly model: OnnxModel,
    private readonly network: Network,
    private readonly threads: number,
  ) {
    const byFirstOutput = new Map<string, OnnxNode>();
    for (const node of model.graph.nodes) {
      if (node.opType === "Constant" && node.domain === "") this.constants.set(node.outputs[0] ?? "", { node });
      else byFirstOutput.set(node.outputs.join("\u0000"), node);
    }
    for (const t of model.graph.initializers) this.constants.set(t.name, { tensor: t });
    for (const layer of network.layers) {
      if (layer.type === "Input") continue;
      const node = byFirstOutput.get(layer.tops.join("\u0000"));
      if (node === undefined) throw new InvalidModelError(`${network.source ?? network.name}: layer "${layer.name}" matches no node of the ONNX file (was the network imported from these bytes?)`);
      this.nodeByLayer.set(layer.index, node);
    }
  }

  async load(layers: readonly Layer[], _weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
    for (const layer of layers) this.loaded.add(layer.name);
  }

  loadedLayers(): ReadonlySet<string> {
    return this.loaded;
  }

  async run(layers: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
    const indices = [...new Set(layers)].sort((a, b) => a - b);
    for (const i of indices) {
      const layer = this.network.layers[i];
      if (layer === undefined) throw new InvalidArgumentError(`onnxRuntimeExecutor.run: no layer ${i} in ${this.network.name}`);
      if (!this.loaded.has(layer.name)) throw new InvalidArgumentError(`onnxRuntimeExecutor.run: layer "${layer.name}" is not loaded`);
    }
    const selected = new Set(indices);
    const result = new Map<string, Tensor>();
    const computed = outputs.filter((key) => {
      const passed = inputs.get(key);
      if (passed !== undefined && !selected.has(Number(key.split(":")[0]))) {
        result.set(key, passed);
        return false;
      }
      return true;
    });
    const nodes = indices.map((i) => this.nodeByLayer.get(i)).filter((n): n is OnnxNode => n !== undefined);
    if (nodes.length === 0 || computed.length === 0) {
      for (const key of computed) {
        const t = inputs.get(key);
        if (t === undefined) throw new InvalidArgumentError(`onnxRuntimeExecutor.run: output ${key} is neither produced by these layers nor given`);
        result.set(key, t);
      }
      return result;
    }
    // Boundary inputs: tensors read by the selected nodes and produced by a layer outside the set.
    const produced = new Set(nodes.flatMap((n) => n.outputs));
    const feedKeys = new Map<string, string>(); // ONNX name → tensor key
    for (const i of indices) {
      const layer = this.network.layers[i]!;
      layer.inputs.forEach((ref, k) => {
        const name = layer.bottoms[k]!;
        if (!produced.has(name)) feedKeys.set(name, `${ref.layer}:${ref.top}`);
      });
    }
    const fetchNames = computed.map((key) => {
      const [layerIndex, top] = key.split(":").map(Number);
      const name = this.network.layers[layerIndex!]?.tops[top!];
      if (name === undefined || !produced.has(name)) throw new InvalidArgumentError(`onnxRuntimeExecutor.run: output ${key} is not produced by the layers run`);
      return name;
    });
    const cacheKey = `${indices.join(",")}|${fetchNames.join(",")}`;
    let session = this.sessions.get(cacheKey);
    if (session === undefined) {
      const bytes = this.subModel(nodes, [...feedKeys], fetchNames);
      session = this.ort.InferenceSession.create(bytes, { intraOpNumThreads: this.threads, graphOptimizationLevel: "all" });
      this.sessions.set(cacheKey, session);
    }
    const feeds: Record<string, OrtTensor> = {};
    for (const [name, key] of feedKeys) {
      const tensor = inputs.get(key);
      if (tensor === undefined) throw new InvalidArgumentError(`onnxRuntimeExecutor.run: missing input tensor ${key} ("${name}")`);
      feeds[name] = this.toOrt(tensor, this.elementType(key));
    }
    const out = await (await session!).run(feeds);
    computed.forEach((key, k) => {
      const t = out[fetchNames[k]!]!;
      result.set(key, { shape: [...t.dims], data: Float32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v)) });
    });
    return result;
  }

  private elementType(key: string): number {
    const [layerIndex, top] = key.split(":").map(Number);
    const params = this.network.layers[layerIndex!]?.params as { onnx?: { outputTypes?: number[] } } | undefined;
    return params?.onnx?.outputTypes?.[top!] ?? 1;
  }

  private toOrt(tensor: Tensor, elemType: number): OrtTensor {
    const dims = [...tensor.shape];
    switch (ELEMENT_TYPES[elemType] ?? "float32") {
      case "int64": return new this.ort.Tensor("int64", BigInt64Array.from(tensor.data, (v) => BigInt(Math.round(v))), dims);
      case "int32": return new this.ort.Tensor("int32", Int32Array.from(tensor.data, (v) => Math.round(v)), dims);
      case "bool": return new this.ort.Tensor("bool", Uint8Array.from(tensor.data, (v) => (v !== 0 ? 1 : 0)), dims);
      case "float64": return new this.ort.Tensor("float64", Float64Array.from(tensor.data), dims);
      default: return new this.ort.Tensor("float32", tensor.data, dims);
    }
  }

  /** Write a ModelProto holding `nodes` (verbatim), the constants they read, and the given inputs/outputs. */
  private subModel(nodes: readonly OnnxNode[], feeds: readonly [string, string][], fetches: readonly string[]): Uint8Array {
    const graph = new WireWriter();
    const constantsUsed = new Set<string>();
    for (const node of nodes) for (const input of node.inputs) if (this.constants.has(input)) constantsUsed.add(input);
    for (const name of constantsUsed) {
      const c = this.constants.get(name)!;
      if (c.node?.encoded) graph.bytes(1, c.node.encoded);
    }
    for (const node of nodes) {
      if (node.encoded === undefined) throw new InvalidModelError(`node "${node.name}" has no encoded form`);
      graph.bytes(1, node.encoded);
    }
    graph.string(2, "ionn_partition");
    for (const name of constantsUsed) {
      const tensor = this.constants.get(name)!.tensor;
      if (tensor?.encoded) graph.bytes(5, tensor.encoded);
    }
    for (const [name, key] of feeds) graph.bytes(11, valueInfo(name, this.elementType(key)));
    for (const name of fetches) {
      const ref = this.network.layers.find((l) => l.tops.includes(name))!;
      graph.bytes(12, valueInfo(name, this.elementType(`${ref.index}:${ref.tops.indexOf(name)}`)));
    }
    const model = new WireWriter().uint(1, this.model.irVersion || 8).string(2, "ionn");
    for (const opset of this.model.encodedOpsets) model.bytes(8, opset);
    model.bytes(7, graph.finish());
    return model.finish();
  }
}

/** A ValueInfoProto with an element type and no shape (ONNX Runtime takes the fed shape). */
function valueInfo(name: string, elemType: number): Uint8Array {
  const tensorType = new WireWriter().uint(1, elemType).finish();
  const type = new WireWriter().bytes(1, tensorType).finish();
  return new WireWriter().string(1, name).bytes(2, type).finish();
}
