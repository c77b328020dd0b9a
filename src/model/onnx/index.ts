/**
 * ONNX importer: turns an `.onnx` file (a `ModelProto`) into the shared
 * {@link Network} so IONN can partition it (IONN §4, install phase; §5.1,
 * the NN execution graph needs each layer's parameters and output sizes).
 *
 * Decisions, in short (docs/import.md has the details):
 * - Decoding: our own protobuf wire reader (wire.ts, proto.ts), no runtime
 *   dependency; large weight blobs are viewed, never copied.
 * - One {@link Layer} per ONNX node, except `Constant` nodes: a Constant is
 *   folded, like an initializer, into the parameters of its FIRST consumer
 *   in runtime order (so each constant tensor is counted exactly once and
 *   the network's parameter count equals the sum of all initializer and
 *   Constant tensor elements that some node reads). A layer's `bottoms` are
 *   its data inputs only; `paramShapes` lists the constant inputs it owns,
 *   in input order; `params.onnx.inputs` keeps the full ONNX input list.
 * - Each graph input that is not an initializer becomes an `Input` layer
 *   (one per graph input, named after it).
 * - Layer types use Caffe's vocabulary where the operator is the same thing
 *   (Conv → Convolution, Gemm → InnerProduct, MatMul with a constant 2-D
 *   right operand → InnerProduct, Relu → ReLU, MaxPool/AveragePool/Global*Pool
 *   → Pooling, BatchNormalization → BatchNorm, Add/Sum → Eltwise sum,
 *   Mul → Eltwise prod, Concat, Softmax, Flatten, Reshape, Dropout, LRN);
 *   every other operator keeps its ONNX name (`Clip`, `HardSigmoid`, …).
 * - Shapes: from `value_info` / graph outputs when fully numeric (a symbolic
 *   first dimension counts as batch 1), otherwise by our own inference
 *   (shapes.ts), which also evaluates the small Shape/Gather/Slice/Concat
 *   integer sub-graphs that feed Reshape. Symbolic input dimensions other
 *   than the batch must be given in `options.inputShapes`.
 * - Operators without a shape rule become opaque layers (`opaque: true`,
 *   unknown output shapes recorded as `[]`), listed in the warnings.
 *   Control flow (If, Loop, Scan, or any node with a sub-graph attribute)
 *   is an {@link UnsupportedLayerError} naming the node.
 *
 * @module
 */
import { z } from "zod";
import { InvalidModelError, InvalidArgumentError, UnsupportedLayerError } from "../../errors.js";
import type { Layer, LayerParams, Network, Shape, TensorRef } from "../types.js";
import { decodeOnnxModel, tensorElements, tensorValues, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from "./proto.js";
import { Attributes, SHAPE_RULES, windowGeometry, type InferResult, type ValueInfo } from "./shapes.js";

/** Options of {@link importOnnx}. */
export interface OnnxImportOptions {
  /**
   * Concrete shapes for graph inputs, by input name, batch included (e.g.
   * `{ x: [1, 3, 48, 192] }`). Needed when an input declares symbolic
   * dimensions other than the batch (default: none; a symbolic or missing
   * first dimension is taken as batch 1, any other symbolic dimension leaves
   * the shapes that depend on it unknown, with a warning).
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /** Network name (default: the graph's name, else the file name). */
  readonly name?: string;
}

/** Result of {@link importOnnx}: the network and what the importer could not do exactly. */
export interface OnnxImport {
  /** The imported network: an Input layer per graph input, then one layer per node in the file's order (made topological when it is not), Constant nodes folded. */
  readonly network: Network;
  /** Human-readable warnings: opaque operators, unknown shapes, value_info disagreements, unused constants. */
  readonly warnings: readonly string[];
}

/** Control-flow operators, refused with {@link UnsupportedLayerError}. */
export const ONNX_CONTROL_FLOW_OPS: readonly string[] = ["If", "Loop", "Scan", "SequenceMap"];

const optionsSchema = z
  .object({
    inputShapes: z.record(z.string(), z.array(z.number().int().positive())).optional(),
    name: z.string().optional(),
  })
  .strict();

/** ONNX op → Caffe layer type, where the operator is the same thing. */
const CAFFE_TYPES: Readonly<Record<string, string>> = {
  Conv: "Convolution",
  Gemm: "InnerProduct",
  Relu: "ReLU",
  MaxPool: "Pooling",
  AveragePool: "Pooling",
  GlobalAveragePool: "Pooling",
  GlobalMaxPool: "Pooling",
  BatchNormalization: "BatchNorm",
  Concat: "Concat",
  Add: "Eltwise",
  Sum: "Eltwise",
  Mul: "Eltwise",
  Softmax: "Softmax",
  Flatten: "Flatten",
  Reshape: "Reshape",
  Dropout: "Dropout",
  LRN: "LRN",
};

type Producer =
  | { readonly kind: "layer"; readonly ref: TensorRef }
  | { readonly kind: "constant"; readonly tensor: OnnxTensor; claimed: boolean };

/**
 * Import an ONNX model.
 *
 * Cost: O(file size + nodes); no weight data is copied.
 *
 * @param bytes the `.onnx` file's contents
 * @param source file name, used in error messages and as `Network.source` (default `"<onnx>"`)
 * @param options input shapes for symbolic dimensions, network name
 * @returns the network (layers in the file's node order, Constant nodes
 *   folded) and warnings
 * @throws {InvalidModelError} truncated or malformed protobuf (naming the
 *   file and byte offset), a node input that nothing produces, a cycle
 * @throws {UnsupportedLayerError} a control-flow node (If/Loop/Scan), naming it
 * @throws {InvalidArgumentError} malformed options
 * @example
 * ```ts
 * const bytes = new Uint8Array(readFileSync("cls.onnx"));
 * const { network, warnings } = importOnnx(bytes, "cls.onnx", { inputShapes: { x: [1, 3, 48, 192] } });
 * console.log(network.layers.length, totalParameters(network), warnings);
 * ```
 */
export function importOnnx(bytes: Uint8Array, source = "<onnx>", options: OnnxImportOptions = {}): OnnxImport {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${source}: importOnnx expects the file's bytes as a Uint8Array`);
  }
  const parsedOptions = optionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw new InvalidArgumentError(`${source}: invalid ONNX import options: ${parsedOptions.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const model = decodeOnnxModel(bytes, source);
  const graph = model.graph;
  const warnings: string[] = [];
  const defaultOpset = model.opsets.get("") ?? 13;

  for (const node of graph.nodes) {
    if (ONNX_CONTROL_FLOW_OPS.includes(node.opType) || node.attributes.some((a) => a.hasGraph)) {
      throw new UnsupportedLayerError(
        `${source}: node "${node.name || "(unnamed)"}" is ${/^[AEIOU]/.test(node.opType) ? "an" : "a"} ${node.opType} (control flow with a sub-graph), which IONN cannot partition; export the model with control flow unrolled`,
      );
    }
  }

  const declared = new Map<string, OnnxValueInfo>();
  for (const vi of [...graph.valueInfo, ...graph.outputs]) declared.set(vi.name, vi);

  const producers = new Map<string, Producer>();
  const info = new Map<string, ValueInfo>();
  for (const t of graph.initializers) {
    producers.set(t.name, { kind: "constant", tensor: t, claimed: false });
    info.set(t.name, { shape: t.dims, values: tensorValues(t), dtype: t.dataType });
  }
  const computeNodes: OnnxNode[] = [];
  for (const node of graph.nodes) {
    if (node.opType === "Constant" && node.domain === "") {
      const tensor = constantTensor(node, source);
      const name = node.outputs[0] ?? "";
      producers.set(name, { kind: "constant", tensor, claimed: false });
      info.set(name, { shape: tensor.dims, values: tensorValues(tensor), dtype: tensor.dataType });
    } else computeNodes.push(node);
  }

  const layers: Layer[] = [];
  const usedNames = new Set<string>();
  const uniqueName = (wanted: string): string => {
    let name = wanted;
    for (let k = 1; usedNames.has(name); k++) name = `${wanted}_${k}`;
    usedNames.add(name);
    return name;
  };

  // Input layers.
  const networkInputs: TensorRef[] = [];
  const inputOverrides = parsedOptions.data.inputShapes ?? {};
  for (const input of graph.inputs) {
    if (producers.has(input.name)) continue; // an initializer listed as input (IR < 4)
    const shape = resolveInputShape(input, inputOverrides[input.name], warnings, source);
    const ref = { layer: layers.length, top: 0 };
    layers.push({
      index: layers.length,
      name: uniqueName(input.name),
      type: "Input",
      bottoms: [],
      tops: [input.name],
      inputs: [],
      inputShapes: [],
      outputShapes: [shape ?? []],
      params: { shapes: [shape ?? []], onnx: { opType: "Input", outputTypes: [input.elemType || 1] } },
      paramShapes: [],
      parameters: 0,
      macs: 0,
      ...(shape === undefined ? { unknownOutputs: [0] } : {}),
    });
    producers.set(input.name, { kind: "layer", ref });
    info.set(input.name, { shape, dtype: input.elemType });
    networkInputs.push(ref);
  }
  for (const name of Object.keys(inputOverrides)) {
    if (!graph.inputs.some((i) => i.name === name)) {
      throw new InvalidArgumentError(`${source}: options.inputShapes names "${name}", which is not a graph input (inputs: ${graph.inputs.map((i) => i.name).join(", ")})`);
    }
  }

  const ordered = topologicalOrder(computeNodes, producers, source);
  const opaque = new Map<string, string[]>();
  const unknownShape: string[] = [];

  for (const node of ordered) {
    const opset = model.opsets.get(node.domain) ?? defaultOpset;
    const attrs = new Attributes(node);
    const layerIndex = layers.length;
    const name = uniqueName(node.name || `${node.opType}_${layerIndex}`);
    const bottoms: string[] = [];
    const refs: TensorRef[] = [];
    const inputShapes: Shape[] = [];
    const paramShapes: Shape[] = [];
    let parameters = 0;
    const constantOperands: number[] = [];
    node.inputs.forEach((inputName, position) => {
      if (inputName === "") return;
      const producer = producers.get(inputName)!;
      if (producer.kind === "layer") {
        bottoms.push(inputName);
        refs.push(producer.ref);
        inputShapes.push(info.get(inputName)?.shape ?? []);
      } else {
        constantOperands.push(position);
        if (!producer.claimed) {
          producer.claimed = true;
          paramShapes.push(producer.tensor.dims);
          parameters += tensorElements(producer.tensor);
        }
      }
    });

    const rule = node.domain === "" ? SHAPE_RULES[node.opType] : undefined;
    const inputsInfo = node.inputs.map((n) => (n === "" ? undefined : info.get(n)));
    let inferred: InferResult | undefined;
    if (rule !== undefined) inferred = rule({ node, attrs, inputs: inputsInfo, opset });
    else opaque.set(node.opType, [...(opaque.get(node.opType) ?? []), name]);

    const unknownOutputs: number[] = [];
    const outputShapes: Shape[] = node.outputs.map((outputName, k) => {
      const fromFile = declaredShape(declared.get(outputName));
      const ours = inferred?.outputs[k]?.shape;
      if (fromFile !== undefined && ours !== undefined && !sameShape(fromFile, ours)) {
        warnings.push(`${source}: node "${name}" (${node.opType}) output "${outputName}": value_info says [${fromFile.join(",")}], inference gives [${ours.join(",")}]; using value_info`);
      }
      const shape = fromFile ?? ours;
      info.set(outputName, { shape, values: inferred?.outputs[k]?.values, dtype: inferred?.outputs[k]?.dtype });
      producers.set(outputName, { kind: "layer", ref: { layer: layerIndex, top: k } });
      if (shape === undefined && rule !== undefined && k === 0) unknownShape.push(`${name} (${node.opType})`);
      if (shape === undefined && outputName !== "") unknownOutputs.push(k);
      return shape ?? [];
    });

    const type = layerType(node, constantOperands);
    layers.push({
      index: layerIndex,
      name,
      type,
      bottoms,
      tops: [...node.outputs],
      inputs: refs,
      inputShapes,
      outputShapes,
      params: layerParams(node, type, attrs, inputsInfo, constantOperands, opset, node.outputs.map((o) => info.get(o)?.dtype ?? 1)),
      paramShapes,
      parameters,
      macs: inferred?.macs ?? 0,
      ...(rule === undefined ? { opaque: true } : {}),
      ...(unknownOutputs.length > 0 ? { unknownOutputs } : {}),
    });
  }

  const outputs: TensorRef[] = [];
  for (const output of graph.outputs) {
    const producer = producers.get(output.name);
    if (producer === undefined) throw new InvalidModelError(`${source}: graph output "${output.name}" is produced by no node`);
    if (producer.kind === "layer") outputs.push(producer.ref);
    else warnings.push(`${source}: graph output "${output.name}" is a constant; it is not a network output`);
  }

  if (opaque.size > 0) {
    const list = [...opaque].map(([op, names]) => `${op} ×${names.length} (${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""})`);
    warnings.push(`${source}: operators without a shape rule imported as opaque layers (output shapes unknown, MACs 0): ${list.join("; ")}`);
  }
  if (unknownShape.length > 0) {
    warnings.push(`${source}: ${unknownShape.length} layer(s) with unknown output shape (recorded as [], listed in Layer.unknownOutputs), first: ${unknownShape.slice(0, 5).join(", ")}`);
  }
  const unused = [...producers].filter(([, p]) => p.kind === "constant" && !p.claimed).map(([n]) => n);
  if (unused.length > 0) {
    warnings.push(`${source}: ${unused.length} constant tensor(s) read by no node are not counted as parameters: ${unused.slice(0, 5).join(", ")}`);
  }

  const network: Network = {
    name: parsedOptions.data.name ?? (graph.name || basename(source)),
    layers,
    inputs: networkInputs,
    outputs,
    source,
  };
  return { network, warnings };
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A declared (value_info) shape when fully numeric; a symbolic first dimension is batch 1. */
function declaredShape(vi: OnnxValueInfo | undefined): number[] | undefined {
  if (vi?.shape === undefined) return undefined;
  const shape: number[] = [];
  for (let i = 0; i < vi.shape.length; i++) {
    const d = vi.shape[i];
    if (typeof d === "number" && d > 0) shape.push(d);
    else if (i === 0) shape.push(1);
    else return undefined;
  }
  return shape;
}

function resolveInputShape(input: OnnxValueInfo, override: readonly number[] | undefined, warnings: string[], source: string): number[] | undefined {
  if (override !== undefined) {
    if (input.shape !== undefined) {
      if (override.length !== input.shape.length) {
        throw new InvalidArgumentError(`${source}: options.inputShapes.${input.name} has rank ${override.length}, the graph input has rank ${input.shape.length}`);
      }
      input.shape.forEach((d, i) => {
        if (typeof d === "number" && d > 0 && d !== override[i]) {
          throw new InvalidArgumentError(`${source}: options.inputShapes.${input.name}[${i}] = ${override[i]} contradicts the file's fixed dimension ${d}`);
        }
      });
    }
    return [...override];
  }
  if (input.shape === undefined) {
    warnings.push(`${source}: graph input "${input.name}" declares no shape; pass options.inputShapes to infer shapes`);
    return undefined;
  }
  const shape: number[] = [];
  const symbolic: string[] = [];
  input.shape.forEach((d, i) => {
    if (typeof d === "number" && d > 0) shape.push(d);
    else if (i === 0) shape.push(1);
    else symbolic.push(String(d ?? "?"));
  });
  if (symbolic.length > 0) {
    warnings.push(`${source}: graph input "${input.name}" has symbolic dimensions (${symbolic.join(", ")}); pass options.inputShapes, e.g. { "${input.name}": [1, …] }, to infer the shapes that depend on them`);
    return undefined;
  }
  return shape;
}

/** The tensor a Constant node holds (`value`, or `value_float(s)` / `value_int(s)`). */
function constantTensor(node: OnnxNode, source: string): OnnxTensor {
  const base = { name: node.outputs[0] ?? "", rawData: undefined, floatData: [], int32Data: [], int64Data: [], doubleData: [], external: false };
  for (const a of node.attributes) {
    if (a.name === "value" && a.t !== undefined) return { ...a.t, name: base.name };
    if (a.name === "value_float" && a.f !== undefined) return { ...base, dims: [], dataType: 1, floatData: [a.f] };
    if (a.name === "value_floats") return { ...base, dims: [a.floats.length], dataType: 1, floatData: a.floats };
    if (a.name === "value_int" && a.i !== undefined) return { ...base, dims: [], dataType: 7, int64Data: [a.i] };
    if (a.name === "value_ints") return { ...base, dims: [a.ints.length], dataType: 7, int64Data: a.ints };
  }
  throw new UnsupportedLayerError(`${source}: Constant node "${node.name || node.outputs[0]}" has no value, value_float(s) or value_int(s) attribute (sparse and string constants are not supported)`);
}

/** Nodes in dependency order (the file's order when it is already topological, as ONNX requires). */
function topologicalOrder(nodes: readonly OnnxNode[], known: ReadonlyMap<string, Producer>, source: string): OnnxNode[] {
  const producedBy = new Map<string, number>();
  nodes.forEach((node, i) => node.outputs.forEach((o) => o !== "" && producedBy.set(o, i)));
  const pending = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const input of node.inputs) {
      if (input === "") continue;
      const p = producedBy.get(input);
      if (p !== undefined) {
        pending[i]!++;
        consumers[p]!.push(i);
      } else if (!known.has(input)) {
        throw new InvalidModelError(`${source}: node "${node.name || node.opType}" reads "${input}", which no node, initializer or graph input produces`);
      }
    }
  });
  const order: OnnxNode[] = [];
  // Kahn's algorithm, always taking the smallest ready index: keeps file order when it is valid.
  const ready: number[] = [];
  pending.forEach((count, i) => count === 0 && ready.push(i));
  while (ready.length > 0) {
    ready.sort((a, b) => b - a);
    const i = ready.pop()!;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) if (--pending[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => pending[i]! > 0)!;
    throw new InvalidModelError(`${source}: the graph has a cycle through node "${stuck.name || stuck.opType}"`);
  }
  return order;
}

function layerType(node: OnnxNode, constantOperands: readonly number[]): string {
  if (node.domain !== "") return `${node.domain}.${node.opType}`;
  if (node.opType === "MatMul") return constantOperands.includes(1) ? "InnerProduct" : "MatMul";
  return CAFFE_TYPES[node.opType] ?? node.opType;
}

function layerParams(node: OnnxNode, type: string, attrs: Attributes, inputs: readonly (ValueInfo | undefined)[], constantOperands: readonly number[], opset: number, outputTypes: readonly number[]): LayerParams {
  const onnx = { opType: node.opType, domain: node.domain, attributes: attrs.toRecord(), inputs: [...node.inputs], constantInputs: [...constantOperands], outputTypes: [...outputTypes] };
  const x = inputs[0]?.shape;
  switch (type) {
    case "Convolution": {
      const w = inputs[1]?.shape;
      const kernel = attrs.ints("kernel_shape") ?? w?.slice(2) ?? [];
      const strides = attrs.ints("strides") ?? [1, 1];
      const dilations = attrs.ints("dilations") ?? [1, 1];
      const geometry = x !== undefined ? windowGeometry(x.slice(2), kernel, strides, dilations, attrs.ints("pads"), attrs.string("auto_pad", "NOTSET"), false) : undefined;
      const pads = geometry?.padsBegin ?? attrs.ints("pads") ?? [0, 0];
      const padsEnd = geometry?.padsEnd ?? attrs.ints("pads")?.slice(kernel.length) ?? [0, 0];
      return {
        numOutput: w?.[0] ?? 0,
        kernelH: kernel[0] ?? 1,
        kernelW: kernel[1] ?? 1,
        strideH: strides[0] ?? 1,
        strideW: strides[1] ?? 1,
        padH: pads[0] ?? 0,
        padW: pads[1] ?? 0,
        dilationH: dilations[0] ?? 1,
        dilationW: dilations[1] ?? 1,
        group: attrs.int("group", 1),
        biasTerm: node.inputs[2] !== undefined && node.inputs[2] !== "",
        padEndH: padsEnd[0] ?? 0,
        padEndW: padsEnd[1] ?? 0,
        onnx,
      };
    }
    case "Pooling": {
      const global = node.opType.startsWith("Global");
      const kernel = global ? (x?.slice(2) ?? []) : (attrs.ints("kernel_shape") ?? []);
      const strides = attrs.ints("strides") ?? [1, 1];
      const geometry = x !== undefined && !global ? windowGeometry(x.slice(2), kernel, strides, attrs.ints("dilations") ?? [1, 1], attrs.ints("pads"), attrs.string("auto_pad", "NOTSET"), attrs.int("ceil_mode", 0) === 1) : undefined;
      return {
        method: node.opType.includes("Max") ? "max" : "average",
        kernelH: kernel[0] ?? 1,
        kernelW: kernel[1] ?? 1,
        strideH: strides[0] ?? 1,
        strideW: strides[1] ?? 1,
        padH: geometry?.padsBegin[0] ?? 0,
        padW: geometry?.padsBegin[1] ?? 0,
        global,
        rounding: attrs.int("ceil_mode", 0) === 1 ? "ceil" : "floor",
        padEndH: geometry?.padsEnd[0] ?? 0,
        padEndW: geometry?.padsEnd[1] ?? 0,
        countIncludePad: attrs.int("count_include_pad", 0) === 1,
        onnx,
      };
    }
    case "InnerProduct": {
      const w = inputs[1]?.shape;
      const transB = node.opType === "Gemm" && attrs.int("transB", 0) === 1;
      return {
        numOutput: (transB ? w?.[0] : w?.[w.length - 1]) ?? 0,
        biasTerm: node.inputs[2] !== undefined && node.inputs[2] !== "",
        axis: 1,
        onnx,
      };
    }
    case "BatchNorm":
      return { eps: attrs.float("epsilon", 1e-5), onnx };
    case "Eltwise": {
      const shapes = inputs.filter((v) => v !== undefined).map((v) => v!.shape);
      const broadcast = shapes.some((s) => s === undefined || s.length !== shapes[0]?.length || s.some((d, i) => d !== shapes[0]![i]));
      return { operation: node.opType === "Mul" ? "prod" : "sum", coeffs: [], broadcast, onnx };
    }
    case "Concat":
      return { axis: attrs.int("axis", 1), onnx };
    case "Softmax":
      return { axis: attrs.int("axis", opset < 13 ? 1 : -1), onnx };
    case "Dropout":
      return { ratio: attrs.float("ratio", inputs[1]?.values?.[0] ?? 0.5), onnx };
    case "Flatten":
      return { axis: attrs.int("axis", 1), endAxis: -1, onnx };
    case "Reshape":
      return { dims: attrs.ints("shape") ?? inputs[1]?.values ?? [], onnx };
    case "LRN":
      return { localSize: attrs.int("size", 1), alpha: attrs.float("alpha", 1e-4), beta: attrs.float("beta", 0.75), k: attrs.float("bias", 1), region: "across_channels", onnx };
    default:
      return { onnx };
  }
}
