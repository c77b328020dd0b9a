/**
 * TF.js layers-model importer: turns a `model.json` (format `layers-model`:
 * `modelTopology` holding a Keras Sequential or functional model config,
 * plus a `weightsManifest`) into the shared {@link Network}, so IONN can
 * partition it (IONN §4 install phase, §5.1 execution graph).
 *
 * Decisions (docs/import.md has the details):
 * - One {@link Layer} per layer call (a shared layer called twice gives two
 *   layers, `name` and `name_call1`; its parameters are counted on the first).
 *   A Sequential model without an InputLayer gets one, named
 *   `<first layer>_input` as TF.js names it.
 * - Shapes have batch 1 and, by default, the shared contract's channels-first
 *   layout: a channels-last model's rank ≥ 3 tensors `[1, H, W, C]` (what
 *   TF.js reports as `layer.outputShape`) are recorded as `[1, C, H, W]`
 *   (the last axis moves to position 1; Concat/Softmax axes follow). Option
 *   `layout: "NHWC"` keeps TF.js's own layout. Shapes are computed in the
 *   model's own layout first; only the recorded shapes are permuted, so sizes
 *   (what the planner prices) are the same either way.
 * - Parameters come from the `weightsManifest`: each weight is matched to
 *   the layer whose name is the longest prefix of the weight name followed by
 *   `/` (`Conv1/kernel` → `Conv1`). Without a manifest the shapes implied by
 *   the layer configs are used. Quantized weights (uint8/uint16 in the file)
 *   count as parameters like any other; `parameterBytes` assumes float32.
 * - Types map onto Caffe's vocabulary where the layer is the same thing
 *   (InputLayer → Input, Conv2D/DepthwiseConv2D → Convolution, Dense →
 *   InnerProduct, Max/AveragePooling2D and Global* → Pooling,
 *   BatchNormalization → BatchNorm, Add → Eltwise sum, Multiply → Eltwise
 *   prod, Maximum → Eltwise max, Concatenate → Concat, Activation('relu') and
 *   ReLU → ReLU, Activation('softmax') and Softmax → Softmax, Flatten,
 *   Reshape, Dropout); others keep their Keras class name.
 * - Unknown classes become opaque layers (`opaque: true`, shape `[]`), listed
 *   in the warnings of {@link importTfjsLayersModelDetailed}.
 *
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import type { Layer, LayerParams, Network, Shape, TensorRef } from "../types.js";
import { KERAS_RULES, type KerasConfig, type KerasLayerShapes } from "./shapes.js";

const weightSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.string().optional(),
  quantization: z.object({ dtype: z.string() }).passthrough().optional(),
});

const manifestSchema = z.array(z.object({ paths: z.array(z.string()), weights: z.array(weightSchema) }));

const layerSchema = z
  .object({
    class_name: z.string(),
    config: z.record(z.string(), z.unknown()),
    name: z.string().optional(),
    inbound_nodes: z.array(z.unknown()).optional(),
  })
  .passthrough();

const modelConfigSchema = z.object({
  class_name: z.string(),
  config: z.union([
    z.object({
      name: z.string().optional(),
      layers: z.array(layerSchema),
      input_layers: z.array(z.unknown()).optional(),
      output_layers: z.array(z.unknown()).optional(),
    }).passthrough(),
    z.array(layerSchema),
  ]),
});

const modelJsonSchema = z
  .object({
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: manifestSchema.optional(),
    format: z.string().optional(),
  })
  .passthrough();

/** One weight of a TF.js weights manifest. */
export interface TfjsWeightSpec {
  /** The weight's name (`<layer>/<variable>`). */
  name: string;
  /** Its dimensions. */
  shape: number[];
  /** Element type (default float32). */
  dtype?: string;
  /** Quantization of the stored values, if any. */
  quantization?: { dtype: string; [key: string]: unknown };
}
// The schema accepts exactly the plain type (mutual assignability and the same keys).
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const weightSchemaAgrees: Agree<z.output<typeof weightSchema>, TfjsWeightSpec> = true;
void weightSchemaAgrees;

/** Options of {@link importTfjsLayersModel}. */
export interface TfjsImportOptions {
  /**
   * Layout of the recorded shapes (default `"NCHW"`, the layout of
   * {@link Network}): `"NHWC"` keeps a channels-last model's shapes as
   * TF.js reports them. Models with a `channels_first` layer are never
   * permuted.
   */
  readonly layout?: "NCHW" | "NHWC";
  /**
   * Shapes of the model's inputs by InputLayer name, batch included, in the
   * model's own layout (NHWC for a channels-last model), e.g.
   * `{ input_1: [1, 224, 224, 3] }`: needed when an InputLayer leaves a
   * dimension other than the batch unknown (`[null, null, null, 3]`). A name
   * that is no InputLayer of the model is an {@link InvalidArgumentError}.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** Result of {@link importTfjsLayersModelDetailed}. */
export interface TfjsImport {
  /** The imported network, layers in topological order of their calls. */
  readonly network: Network;
  /** Opaque layers, weights matched to no layer, manifest/config disagreements. */
  readonly warnings: readonly string[];
}

/**
 * Import a TF.js layers model (the parsed `model.json`).
 *
 * Cost: O(layers + weights).
 *
 * @param modelJson the parsed model.json (`JSON.parse` of the file)
 * @param source file name for error messages and `Network.source` (default `"model.json"`)
 * @param options layout of the recorded shapes (default NCHW)
 * @returns the network; layers in topological order of their calls
 * @throws {InvalidModelError} when `modelTopology` or its model config is
 *   missing or malformed (naming the file and field), for a graph model, or
 *   when a layer reads a layer that does not exist
 * @throws {UnsupportedLayerError} for a nested model used as a layer
 * @example
 * ```ts
 * const json = JSON.parse(readFileSync("model.json", "utf8"));
 * const network = importTfjsLayersModel(json, "model.json");
 * console.log(network.layers.length, totalParameters(network));
 * ```
 */
export function importTfjsLayersModel(modelJson: unknown, source = "model.json", options: TfjsImportOptions = {}): Network {
  return importTfjsLayersModelDetailed(modelJson, source, options).network;
}

/**
 * {@link importTfjsLayersModel}, also returning the importer's warnings.
 *
 * @throws see {@link importTfjsLayersModel}
 */
export function importTfjsLayersModelDetailed(modelJson: unknown, source = "model.json", options: TfjsImportOptions = {}): TfjsImport {
  const parsed = modelJsonSchema.safeParse(modelJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new InvalidModelError(`${source}: not a TF.js layers model.json: field ${field}: ${issue.message}${field === "modelTopology" ? " (a layers model needs modelTopology)" : ""}`);
  }
  const topology = parsed.data.modelTopology;
  if (Array.isArray(topology["node"])) {
    throw new InvalidModelError(`${source}: modelTopology holds a TensorFlow graph (field modelTopology.node): this is a TF.js graph model: import it with importTfjsGraphModel (loadNetwork does so by itself)`);
  }
  const rawConfig = topology["model_config"] ?? (typeof topology["class_name"] === "string" ? topology : undefined);
  if (rawConfig === undefined) {
    throw new InvalidModelError(`${source}: modelTopology has no model_config (nor class_name/config): not a TF.js layers model`);
  }
  const configParse = modelConfigSchema.safeParse(rawConfig);
  if (!configParse.success) {
    const issue = configParse.error.issues[0]!;
    throw new InvalidModelError(`${source}: modelTopology.model_config.${issue.path.join(".")}: ${issue.message}`);
  }
  const modelConfig = configParse.data;
  const warnings: string[] = [];
  const calls = modelConfig.class_name === "Sequential" ? sequentialCalls(modelConfig.config, source) : functionalCalls(modelConfig.config, source);
  const modelName = Array.isArray(modelConfig.config) ? "sequential" : (modelConfig.config.name ?? "model");

  // Weights per layer name (longest prefix match).
  const weightsByLayer = new Map<string, number[][]>();
  const layerNames = [...new Set(calls.map((c) => c.layerName))].sort((a, b) => b.length - a.length);
  const manifest = parsed.data.weightsManifest;
  const unmatched: string[] = [];
  if (manifest !== undefined) {
    for (const group of manifest) {
      for (const weight of group.weights) {
        const owner = layerNames.find((n) => weight.name.startsWith(`${n}/`));
        if (owner === undefined) unmatched.push(weight.name);
        else weightsByLayer.set(owner, [...(weightsByLayer.get(owner) ?? []), weight.shape]);
      }
    }
  }
  if (unmatched.length > 0) warnings.push(`${source}: ${unmatched.length} weight(s) of the manifest match no layer name and are not counted: ${unmatched.slice(0, 5).join(", ")}`);

  const inputNames = calls.filter((c) => c.className === "InputLayer").map((c) => c.layerName);
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!inputNames.includes(name)) {
      throw new InvalidArgumentError(`${source}: inputShapes names "${name}", which is not an InputLayer of the model (inputs: ${inputNames.join(", ")})`);
    }
  }
  const layers: Layer[] = [];
  const refs = new Map<string, TensorRef>();
  const shapes = new Map<string, Shape | undefined>();
  const opaque = new Map<string, string[]>();
  const counted = new Set<string>();
  const usedNames = new Set<string>();
  for (const call of orderCalls(calls, source)) {
    const index = layers.length;
    const bottoms = call.inbound.map(tensorKeyOf);
    const inputRefs = bottoms.map((b) => refs.get(b)!);
    const inputShapes = bottoms.map((b) => shapes.get(b));
    let result: KerasLayerShapes | undefined;
    if (call.className === "InputLayer") result = { output: inputLayerShape(call.config, source, call.layerName, options.inputShapes?.[call.layerName]), weights: [], macs: 0 };
    else {
      const rule = KERAS_RULES[call.className];
      if (rule === undefined) opaque.set(call.className, [...(opaque.get(call.className) ?? []), call.layerName]);
      else result = rule(call.config, inputShapes);
    }
    // Parameters: counted once per layer (shared layers), from the manifest when it has the layer's weights.
    let paramShapes: Shape[] = [];
    if (!counted.has(call.layerName)) {
      counted.add(call.layerName);
      const fromManifest = weightsByLayer.get(call.layerName);
      const fromConfig = result?.weights ?? [];
      if (fromManifest !== undefined) {
        paramShapes = fromManifest;
        const a = fromManifest.reduce((s, w) => s + size(w), 0);
        const b = fromConfig.reduce((s, w) => s + size(w), 0);
        if (result !== undefined && a !== b) warnings.push(`${source}: layer "${call.layerName}" has ${a} parameters in the weights manifest, its config implies ${b}; using the manifest`);
      } else if (manifest === undefined || fromConfig.length === 0) paramShapes = fromConfig.map((w) => [...w]);
      else {
        paramShapes = [];
        warnings.push(`${source}: layer "${call.layerName}" should have weights (${fromConfig.map((w) => `[${w.join(",")}]`).join(" ")}) but the manifest has none for it`);
      }
    }
    let name = call.nodeIndex === 0 ? call.layerName : `${call.layerName}_call${call.nodeIndex}`;
    for (let k = 1; usedNames.has(name); k++) name = `${call.layerName}_${k}`;
    usedNames.add(name);
    const top = `${call.layerName}/${call.nodeIndex}/0`;
    refs.set(top, { layer: index, top: 0 });
    shapes.set(top, result?.output);
    const type = layerType(call.className, call.config);
    layers.push({
      index,
      name,
      type,
      bottoms,
      tops: [top],
      inputs: inputRefs,
      inputShapes: inputShapes.map((s) => s ?? []),
      outputShapes: [result?.output ?? []],
      params: type === "Input" ? { shapes: [result?.output ?? []] } : layerParams(type, call.className, call.config, inputShapes),
      paramShapes,
      parameters: paramShapes.reduce((s, w) => s + size(w), 0),
      macs: result?.macs ?? 0,
      ...(KERAS_RULES[call.className] === undefined && call.className !== "InputLayer" ? { opaque: true } : {}),
      ...(result?.output === undefined ? { unknownOutputs: [0] } : {}),
    });
  }
  if (opaque.size > 0) {
    warnings.push(`${source}: layer classes without a shape rule imported as opaque layers (output shapes unknown): ${[...opaque].map(([c, n]) => `${c} ×${n.length} (${n.slice(0, 3).join(", ")})`).join("; ")}`);
  }

  const outputSpecs = modelConfig.class_name === "Sequential" ? [calls[calls.length - 1]!].map((c) => ({ layerName: c.layerName, nodeIndex: 0, tensorIndex: 0 })) : outputRefs(modelConfig.config, source);
  const outputs = outputSpecs.map((o) => {
    const ref = refs.get(tensorKeyOf(o));
    if (ref === undefined) throw new InvalidModelError(`${source}: output layer "${o.layerName}" (node ${o.nodeIndex}) is not a layer of the model`);
    return ref;
  });
  const inputs = layers.filter((l) => l.type === "Input").map((l) => ({ layer: l.index, top: 0 }));
  const channelsFirst = calls.some((c) => c.config["data_format"] === "channels_first");
  const permuted = (options.layout ?? "NCHW") === "NCHW" && !channelsFirst ? layers.map(toChannelsFirst) : layers;
  return { network: { name: modelName, layers: permuted, inputs, outputs, source }, warnings };
}

/** `[1, H, W, C]` → `[1, C, H, W]` (any rank ≥ 3: the last axis moves to position 1). */
function channelsFirstShape(shape: Shape): Shape {
  return shape.length >= 3 ? [shape[0]!, shape[shape.length - 1]!, ...shape.slice(1, -1)] : shape;
}

/** A channels-last axis of a rank-`rank` tensor, in the channels-first layout. */
function channelsFirstAxis(axis: number, rank: number): number {
  if (rank < 3) return axis;
  const a = axis < 0 ? axis + rank : axis;
  return a === rank - 1 ? 1 : a === 0 ? 0 : a + 1;
}

function toChannelsFirst(layer: Layer): Layer {
  let params = layer.params;
  if ((layer.type === "Concat" || layer.type === "Softmax") && "axis" in params) {
    params = { ...params, axis: channelsFirstAxis(Number(params.axis), layer.outputShapes[0]?.length ?? 0) };
  }
  if (layer.type === "Input") params = { ...params, shapes: layer.outputShapes.map(channelsFirstShape) };
  return {
    ...layer,
    inputShapes: layer.inputShapes.map(channelsFirstShape),
    outputShapes: layer.outputShapes.map(channelsFirstShape),
    params,
  };
}

interface InboundRef {
  readonly layerName: string;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

interface LayerCall {
  readonly layerName: string;
  readonly className: string;
  readonly config: KerasConfig;
  readonly nodeIndex: number;
  readonly inbound: readonly InboundRef[];
  /** Position in the config's layer list, for a stable order. */
  readonly order: number;
}

type LayerEntry = z.infer<typeof layerSchema>;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const tensorKeyOf = (r: InboundRef): string => `${r.layerName}/${r.nodeIndex}/${r.tensorIndex}`;

function entryName(entry: LayerEntry): string {
  return entry.name ?? String(entry.config["name"] ?? "");
}

function checkNotNested(entry: LayerEntry, source: string): void {
  if (["Sequential", "Model", "Functional"].includes(entry.class_name)) {
    throw new UnsupportedLayerError(`${source}: layer "${entryName(entry)}" is a nested ${entry.class_name}; flatten the model before importing`);
  }
}

function sequentialCalls(config: { layers: LayerEntry[] } | LayerEntry[], source: string): LayerCall[] {
  const entries = Array.isArray(config) ? config : config.layers;
  if (entries.length === 0) throw new InvalidModelError(`${source}: modelTopology.model_config.config.layers is empty`);
  const calls: LayerCall[] = [];
  const first = entries[0]!;
  if (first.class_name !== "InputLayer") {
    const shape = first.config["batch_input_shape"] ?? first.config["batch_shape"];
    if (!Array.isArray(shape)) throw new InvalidModelError(`${source}: the first layer "${entryName(first)}" of the Sequential model has no batch_input_shape and there is no InputLayer`);
    calls.push({ layerName: `${entryName(first)}_input`, className: "InputLayer", config: { batch_input_shape: shape }, nodeIndex: 0, inbound: [], order: -1 });
  }
  entries.forEach((entry, i) => {
    checkNotNested(entry, source);
    const previous = calls[calls.length - 1];
    calls.push({
      layerName: entryName(entry),
      className: entry.class_name,
      config: entry.config,
      nodeIndex: 0,
      inbound: previous === undefined ? [] : [{ layerName: previous.layerName, nodeIndex: 0, tensorIndex: 0 }],
      order: i,
    });
  });
  return calls;
}

/** Parse one inbound node (Keras 2: `[[name, node, tensor, kwargs], …]`; Keras 3: `{args, kwargs}` with `keras_history`). */
function parseInboundNode(node: unknown, layer: string, source: string): InboundRef[] {
  if (Array.isArray(node)) {
    return node.map((ref) => {
      if (!Array.isArray(ref) || typeof ref[0] !== "string") throw new InvalidModelError(`${source}: layer "${layer}" has a malformed inbound node entry ${JSON.stringify(ref)}`);
      return { layerName: ref[0], nodeIndex: Number(ref[1] ?? 0), tensorIndex: Number(ref[2] ?? 0) };
    });
  }
  if (node !== null && typeof node === "object" && "args" in node) {
    const found: InboundRef[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value !== null && typeof value === "object") {
        const history = (value as { config?: { keras_history?: unknown } }).config?.keras_history;
        if (Array.isArray(history) && typeof history[0] === "string") found.push({ layerName: history[0], nodeIndex: Number(history[1] ?? 0), tensorIndex: Number(history[2] ?? 0) });
        else Object.values(value).forEach(visit);
      }
    };
    visit((node as { args: unknown }).args);
    return found;
  }
  throw new InvalidModelError(`${source}: layer "${layer}" has a malformed inbound node ${JSON.stringify(node)}`);
}

function functionalCalls(config: { layers: LayerEntry[] } | LayerEntry[], source: string): LayerCall[] {
  if (Array.isArray(config)) throw new InvalidModelError(`${source}: modelTopology.model_config.config must be an object with layers for a functional model`);
  const calls: LayerCall[] = [];
  config.layers.forEach((entry, i) => {
    checkNotNested(entry, source);
    const name = entryName(entry);
    const nodes = entry.inbound_nodes ?? [];
    if (entry.class_name === "InputLayer" || nodes.length === 0) {
      calls.push({ layerName: name, className: entry.class_name, config: entry.config, nodeIndex: 0, inbound: [], order: i });
      return;
    }
    nodes.forEach((node, k) => {
      calls.push({ layerName: name, className: entry.class_name, config: entry.config, nodeIndex: k, inbound: parseInboundNode(node, name, source), order: i });
    });
  });
  return calls;
}

function outputRefs(config: { output_layers?: unknown[]; layers: LayerEntry[] } | LayerEntry[], source: string): InboundRef[] {
  if (Array.isArray(config) || !Array.isArray(config.output_layers)) throw new InvalidModelError(`${source}: functional model without modelTopology.model_config.config.output_layers`);
  const list = config.output_layers.length > 0 && typeof config.output_layers[0] === "string" ? [config.output_layers] : config.output_layers;
  return list.map((o) => {
    if (!Array.isArray(o) || typeof o[0] !== "string") throw new InvalidModelError(`${source}: malformed output_layers entry ${JSON.stringify(o)}`);
    return { layerName: o[0], nodeIndex: Number(o[1] ?? 0), tensorIndex: Number(o[2] ?? 0) };
  });
}

/** Calls in dependency order (config order when it is already topological, as Keras writes it). */
function orderCalls(calls: readonly LayerCall[], source: string): LayerCall[] {
  const byKey = new Map<string, number>();
  calls.forEach((c, i) => byKey.set(`${c.layerName}/${c.nodeIndex}`, i));
  const pending = calls.map(() => 0);
  const consumers: number[][] = calls.map(() => []);
  calls.forEach((call, i) => {
    for (const ref of call.inbound) {
      const p = byKey.get(`${ref.layerName}/${ref.nodeIndex}`);
      if (p === undefined) throw new InvalidModelError(`${source}: layer "${call.layerName}" reads "${ref.layerName}" (node ${ref.nodeIndex}), which is not a layer of the model`);
      pending[i]!++;
      consumers[p]!.push(i);
    }
  });
  const ready = calls.map((_, i) => i).filter((i) => pending[i] === 0);
  const order: LayerCall[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(calls[i]!);
    for (const c of consumers[i]!) if (--pending[c]! === 0) ready.push(c);
  }
  if (order.length !== calls.length) throw new InvalidModelError(`${source}: the layer graph has a cycle`);
  return order;
}

function inputLayerShape(config: KerasConfig, source: string, name: string, override: readonly number[] | undefined): number[] {
  const shape = config["batch_input_shape"] ?? config["batch_shape"] ?? (Array.isArray(config["input_shape"]) ? [null, ...(config["input_shape"] as unknown[])] : undefined);
  if (override !== undefined) {
    if (override.some((d) => !(Number.isInteger(d) && d > 0))) throw new InvalidArgumentError(`${source}: inputShapes.${name} must be positive integers, got [${override.join(",")}]`);
    if (Array.isArray(shape)) {
      if (shape.length !== override.length) throw new InvalidArgumentError(`${source}: inputShapes.${name} has rank ${override.length}, InputLayer "${name}" has rank ${shape.length} ([${shape.map(String).join(",")}])`);
      shape.forEach((d, i) => {
        if (i > 0 && typeof d === "number" && d > 0 && d !== override[i]) {
          throw new InvalidArgumentError(`${source}: inputShapes.${name}[${i}] = ${override[i]} contradicts InputLayer "${name}"'s fixed dimension ${d}`);
        }
      });
    }
    return [...override];
  }
  if (!Array.isArray(shape)) throw new InvalidModelError(`${source}: InputLayer "${name}" has no batch_input_shape; give its shape (inputShapes / --input-shape ${name}=…)`);
  return shape.map((d, i) => {
    if (typeof d === "number" && d > 0) return d;
    if (i === 0) return 1;
    throw new InvalidModelError(`${source}: InputLayer "${name}" has an unknown dimension ${i} (${String(d)}) in [${shape.map(String).join(",")}]; give its shape, e.g. inputShapes { "${name}": [1, …] } (CLI: --input-shape ${name}=1,…)`);
  });
}

function activationType(activation: unknown): string | undefined {
  if (activation === "relu") return "ReLU";
  if (activation === "softmax") return "Softmax";
  return undefined;
}

function layerType(className: string, config: KerasConfig): string {
  switch (className) {
    case "InputLayer": return "Input";
    case "Conv2D":
    case "DepthwiseConv2D": return "Convolution";
    case "Dense": return "InnerProduct";
    case "MaxPooling2D":
    case "AveragePooling2D":
    case "MaxPool2D":
    case "AvgPool2D":
    case "GlobalAveragePooling2D":
    case "GlobalMaxPooling2D":
    case "GlobalAvgPool2D":
    case "GlobalMaxPool2D": return "Pooling";
    case "BatchNormalization": return "BatchNorm";
    case "Add":
    case "Multiply":
    case "Maximum": return "Eltwise";
    case "Concatenate": return "Concat";
    case "ReLU": return "ReLU";
    case "Softmax": return "Softmax";
    case "Activation": return activationType(config["activation"]) ?? "Activation";
    case "Flatten":
    case "Reshape":
    case "Dropout": return className;
    default: return className;
  }
}

function pair(value: unknown, fallback: number): [number, number] {
  if (typeof value === "number") return [value, value];
  if (Array.isArray(value) && value.length > 0) return [Number(value[0]), Number(value[1] ?? value[0])];
  return [fallback, fallback];
}

function layerParams(type: string, className: string, config: KerasConfig, inputs: readonly (Shape | undefined)[]): LayerParams {
  const keras = { className, config };
  const x = inputs[0];
  const channelsLast = config["data_format"] !== "channels_first";
  switch (type) {
    case "Convolution": {
      const [kh, kw] = pair(config["kernel_size"], 1);
      const [sh, sw] = pair(config["strides"], 1);
      const [dh, dw] = pair(config["dilation_rate"], 1);
      const inChannels = x === undefined ? 0 : channelsLast ? x[x.length - 1]! : x[1]!;
      const depthwise = className === "DepthwiseConv2D";
      const padding = String(config["padding"] ?? "valid");
      return {
        numOutput: depthwise ? inChannels * Number(config["depth_multiplier"] ?? 1) : Number(config["filters"]),
        kernelH: kh, kernelW: kw, strideH: sh, strideW: sw,
        padH: padding === "same" ? Math.floor(((kh - 1) * dh) / 2) : 0,
        padW: padding === "same" ? Math.floor(((kw - 1) * dw) / 2) : 0,
        dilationH: dh, dilationW: dw,
        group: depthwise ? inChannels : 1,
        biasTerm: config["use_bias"] !== false,
        padding, activation: config["activation"] ?? "linear", keras,
      };
    }
    case "Pooling": {
      const global = className.startsWith("Global");
      const [kh, kw] = global ? [x?.[channelsLast ? 1 : 2] ?? 1, x?.[channelsLast ? 2 : 3] ?? 1] : pair(config["pool_size"], 2);
      const [sh, sw] = config["strides"] == null ? [kh, kw] : pair(config["strides"], 1);
      return {
        method: className.includes("Max") ? "max" : "average",
        kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH: 0, padW: 0,
        global, rounding: "floor", padding: String(config["padding"] ?? "valid"), keras,
      };
    }
    case "InnerProduct":
      return { numOutput: Number(config["units"]), biasTerm: config["use_bias"] !== false, axis: -1, activation: config["activation"] ?? "linear", keras };
    case "BatchNorm":
      return { eps: Number(config["epsilon"] ?? 1e-3), keras };
    case "Eltwise":
      return { operation: className === "Add" ? "sum" : className === "Multiply" ? "prod" : "max", coeffs: [], keras };
    case "Concat":
      return { axis: Number(config["axis"] ?? -1), keras };
    case "Softmax":
      return { axis: Number(config["axis"] ?? -1), keras };
    case "Dropout":
      return { ratio: Number(config["rate"] ?? 0.5), keras };
    case "Flatten":
      return { axis: 1, endAxis: -1, keras };
    case "Reshape":
      return { dims: [1, ...((config["target_shape"] as number[] | undefined) ?? [])], keras };
    case "ReLU":
      return { maxValue: config["max_value"] ?? null, negativeSlope: Number(config["negative_slope"] ?? 0), threshold: Number(config["threshold"] ?? 0), keras };
    default:
      return { keras };
  }
}
