/**
 * Small hand-built networks for the executor's tests (AlexNet-, GoogLeNet-,
 * ResNet- and MobileNet-shaped, reduced to 3×32×32 inputs), built with the
 * executor's own shape rules. Not part of the public API: the model module's
 * importers build real networks; this only lets the executor be tested on
 * its own. (Reference executor, IONN §4.)
 *
 * @module
 * @internal
 */
import { InvalidModelError } from "../errors.js";
import type { Layer, LayerParams, Network, Shape, TensorRef } from "../model/types.js";
import { shapeSize, tensorKey } from "../model/types.js";
import type { LayerWeights, Tensor } from "./types.js";
import { layerOutputShapes, layerParamShapes } from "./layer.js";
import { mulberry32 } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";

/** Seeded uniform `[-1, 1)` tensors for every network input, keyed by `tensorKey`. */
export function randomInput(network: Network, seed: number): Map<string, Tensor> {
  const next = mulberry32(seed);
  const inputs = new Map<string, Tensor>();
  for (const ref of network.inputs) {
    const shape = network.layers[ref.layer]!.outputShapes[ref.top]!;
    inputs.set(tensorKey(ref), { shape, data: Float32Array.from({ length: shapeSize(shape) }, () => next() * 2 - 1) });
  }
  return inputs;
}

/** True when two tensors hold the same float32 bit patterns (NaN payloads included). */
export function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.data.length !== b.data.length) return false;
  const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const y = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Runs layers `[0, cut)` on one reference executor and `[cut, n)` on
 * another, handing over exactly the tensors that cross the cut; returns the
 * network outputs keyed by `tensorKey` (from whichever half produced them).
 */
export async function runSplit(
  network: Network,
  weights: ReadonlyMap<string, LayerWeights>,
  input: ReadonlyMap<string, Tensor>,
  cut: number,
): Promise<Map<string, Tensor>> {
  const front = network.layers.slice(0, cut);
  const rear = network.layers.slice(cut);
  const crossing = new Set<string>();
  for (const layer of rear) for (const ref of layer.inputs) if (ref.layer < cut) crossing.add(tensorKey(ref));
  for (const ref of network.outputs) if (ref.layer < cut) crossing.add(tensorKey(ref));
  const client = referenceExecutor();
  await client.load(front, weights);
  const boundary = await client.run(front.map((l) => l.index), input, [...crossing]);
  const server = referenceExecutor();
  await server.load(rear, weights);
  const wanted = network.outputs.map(tensorKey);
  const result = await server.run(rear.map((l) => l.index), boundary, wanted.filter((key) => !boundary.has(key)));
  return new Map(wanted.map((key) => [key, (result.get(key) ?? boundary.get(key))!]));
}

/** One layer as written in a test: Caffe-like name, type, bottoms, tops and normalised params. */
export interface LayerSketch {
  readonly name: string;
  readonly type: string;
  readonly bottoms?: readonly string[];
  readonly tops: readonly string[];
  readonly params?: LayerParams;
}

/**
 * Builds a {@link Network} from sketches: true-dataflow inputs (the last
 * writer of each bottom blob), shapes and parameter shapes from the executor's
 * shape rules, outputs = tensors no later layer reads.
 */
export function buildNetwork(name: string, sketches: readonly LayerSketch[]): Network {
  const lastWriter = new Map<string, TensorRef>();
  const layers: Layer[] = [];
  sketches.forEach((sketch, index) => {
    const bottoms = sketch.bottoms ?? [];
    const inputs = bottoms.map((blob) => {
      const ref = lastWriter.get(blob);
      if (ref === undefined) throw new InvalidModelError(`${name}: layer ${sketch.name} reads unknown blob ${blob}`);
      return ref;
    });
    const inputShapes = inputs.map((ref) => layers[ref.layer]!.outputShapes[ref.top]!);
    const params = sketch.params ?? {};
    const signature = { name: sketch.name, type: sketch.type, params };
    const outputShapes = layerOutputShapes(signature, inputShapes, sketch.tops.length);
    const paramShapes = layerParamShapes(signature, inputShapes);
    const parameters = paramShapes.reduce((sum: number, s: Shape) => sum + shapeSize(s), 0);
    const out = outputShapes[0] ?? [];
    const macs =
      sketch.type === "Convolution" || sketch.type === "InnerProduct"
        ? shapeSize(out) * (shapeSize(paramShapes[0]!) / paramShapes[0]![0]!)
        : 0;
    layers.push({
      index,
      name: sketch.name,
      type: sketch.type,
      bottoms,
      tops: sketch.tops,
      inputs,
      inputShapes,
      outputShapes,
      params,
      paramShapes,
      parameters,
      macs,
    });
    sketch.tops.forEach((blob, top) => lastWriter.set(blob, { layer: index, top }));
  });
  const read = new Set<string>();
  for (const layer of layers) for (const ref of layer.inputs) read.add(`${ref.layer}:${ref.top}`);
  const outputs: TensorRef[] = [];
  for (const layer of layers) {
    layer.tops.forEach((_, top) => {
      if (!read.has(`${layer.index}:${top}`)) outputs.push({ layer: layer.index, top });
    });
  }
  const inputs: TensorRef[] = layers.filter((l) => l.type === "Input").flatMap((l) => l.tops.map((_, top) => ({ layer: l.index, top })));
  return { name, layers, inputs, outputs };
}

const conv = (
  numOutput: number,
  kernel: number,
  stride = 1,
  pad = 0,
  group = 1,
  dilation = 1,
  biasTerm = true,
): LayerParams => ({
  numOutput, kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padH: pad, padW: pad,
  dilationH: dilation, dilationW: dilation, group, biasTerm,
});
const pool = (method: "max" | "average", kernel: number, stride: number, pad = 0, global = false): LayerParams => ({
  method, kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padH: pad, padW: pad, global, rounding: "ceil",
});
const fc = (numOutput: number): LayerParams => ({ numOutput, biasTerm: true, axis: 1 });
const lrnAcross: LayerParams = { localSize: 5, alpha: 1e-4, beta: 0.75, k: 1, region: "across_channels" };
const input = (c: number, h: number, w: number): LayerSketch => ({
  name: "data", type: "Input", tops: ["data"], params: { shapes: [[1, c, h, w]] },
});
const op = (name: string, type: string, bottom: string | string[], top: string | string[], params: LayerParams = {}): LayerSketch => ({
  name, type, bottoms: typeof bottom === "string" ? [bottom] : bottom, tops: typeof top === "string" ? [top] : top, params,
});

/** AlexNet's layer sequence (conv/ReLU in place/LRN/pool, grouped conv2/4/5, fc with Dropout, Softmax) on 3×32×32. */
export function tinyAlexNet(): Network {
  return buildNetwork("tiny-alexnet", [
    input(3, 32, 32),
    op("conv1", "Convolution", "data", "conv1", conv(16, 5, 2, 1)),
    op("relu1", "ReLU", "conv1", "conv1"),
    op("norm1", "LRN", "conv1", "norm1", lrnAcross),
    op("pool1", "Pooling", "norm1", "pool1", pool("max", 3, 2)),
    op("conv2", "Convolution", "pool1", "conv2", conv(32, 5, 1, 2, 2)),
    op("relu2", "ReLU", "conv2", "conv2"),
    op("norm2", "LRN", "conv2", "norm2", lrnAcross),
    op("pool2", "Pooling", "norm2", "pool2", pool("max", 3, 2)),
    op("conv3", "Convolution", "pool2", "conv3", conv(48, 3, 1, 1)),
    op("relu3", "ReLU", "conv3", "conv3"),
    op("conv4", "Convolution", "conv3", "conv4", conv(48, 3, 1, 1, 2)),
    op("relu4", "ReLU", "conv4", "conv4"),
    op("conv5", "Convolution", "conv4", "conv5", conv(32, 3, 1, 1, 2)),
    op("relu5", "ReLU", "conv5", "conv5"),
    op("pool5", "Pooling", "conv5", "pool5", pool("max", 3, 2)),
    op("fc6", "InnerProduct", "pool5", "fc6", fc(64)),
    op("relu6", "ReLU", "fc6", "fc6"),
    op("drop6", "Dropout", "fc6", "fc6", { ratio: 0.5 }),
    op("fc7", "InnerProduct", "fc6", "fc7", fc(64)),
    op("relu7", "ReLU", "fc7", "fc7"),
    op("drop7", "Dropout", "fc7", "fc7", { ratio: 0.5 }),
    op("fc8", "InnerProduct", "fc7", "fc8", fc(10)),
    op("prob", "Softmax", "fc8", "prob", { axis: 1 }),
  ]);
}

/** One Inception module with Caffe's inserted Split (4 branches, Concat). */
function inception(prefix: string, bottom: string, sizes: [number, number, number, number, number, number]): LayerSketch[] {
  const [c1, r3, c3, r5, c5, proj] = sizes;
  const s = (i: number): string => `${bottom}_${prefix}_split_${i}`;
  return [
    op(`${prefix}_split`, "Split", bottom, [s(0), s(1), s(2), s(3)]),
    op(`${prefix}/1x1`, "Convolution", s(0), `${prefix}/1x1`, conv(c1, 1)),
    op(`${prefix}/relu_1x1`, "ReLU", `${prefix}/1x1`, `${prefix}/1x1`),
    op(`${prefix}/3x3_reduce`, "Convolution", s(1), `${prefix}/3x3_reduce`, conv(r3, 1)),
    op(`${prefix}/relu_3x3_reduce`, "ReLU", `${prefix}/3x3_reduce`, `${prefix}/3x3_reduce`),
    op(`${prefix}/3x3`, "Convolution", `${prefix}/3x3_reduce`, `${prefix}/3x3`, conv(c3, 3, 1, 1)),
    op(`${prefix}/relu_3x3`, "ReLU", `${prefix}/3x3`, `${prefix}/3x3`),
    op(`${prefix}/5x5_reduce`, "Convolution", s(2), `${prefix}/5x5_reduce`, conv(r5, 1)),
    op(`${prefix}/relu_5x5_reduce`, "ReLU", `${prefix}/5x5_reduce`, `${prefix}/5x5_reduce`),
    op(`${prefix}/5x5`, "Convolution", `${prefix}/5x5_reduce`, `${prefix}/5x5`, conv(c5, 5, 1, 2)),
    op(`${prefix}/relu_5x5`, "ReLU", `${prefix}/5x5`, `${prefix}/5x5`),
    op(`${prefix}/pool`, "Pooling", s(3), `${prefix}/pool`, pool("max", 3, 1, 1)),
    op(`${prefix}/pool_proj`, "Convolution", `${prefix}/pool`, `${prefix}/pool_proj`, conv(proj, 1)),
    op(`${prefix}/relu_pool_proj`, "ReLU", `${prefix}/pool_proj`, `${prefix}/pool_proj`),
    op(`${prefix}/output`, "Concat", [`${prefix}/1x1`, `${prefix}/3x3`, `${prefix}/5x5`, `${prefix}/pool_proj`], `${prefix}/output`, { axis: 1 }),
  ];
}

/** GoogLeNet's shape: stem, two Inception modules (multi-path with Split/Concat), global average pool, fc, Softmax, on 3×32×32. */
export function tinyGoogLeNet(): Network {
  return buildNetwork("tiny-googlenet", [
    input(3, 32, 32),
    op("conv1/7x7_s2", "Convolution", "data", "conv1/7x7_s2", conv(16, 7, 2, 3)),
    op("conv1/relu_7x7", "ReLU", "conv1/7x7_s2", "conv1/7x7_s2"),
    op("pool1/3x3_s2", "Pooling", "conv1/7x7_s2", "pool1/3x3_s2", pool("max", 3, 2)),
    op("pool1/norm1", "LRN", "pool1/3x3_s2", "pool1/norm1", lrnAcross),
    ...inception("inception_3a", "pool1/norm1", [8, 8, 12, 4, 4, 4]),
    ...inception("inception_3b", "inception_3a/output", [12, 8, 16, 4, 8, 8]),
    op("pool5/7x7_s1", "Pooling", "inception_3b/output", "pool5/7x7_s1", pool("average", 1, 1, 0, true)),
    op("pool5/drop_7x7_s1", "Dropout", "pool5/7x7_s1", "pool5/7x7_s1", { ratio: 0.4 }),
    op("loss3/classifier", "InnerProduct", "pool5/7x7_s1", "loss3/classifier", fc(10)),
    op("prob", "Softmax", "loss3/classifier", "prob", { axis: 1 }),
  ]);
}

/** A ResNet bottleneck block: Split, projection or identity shortcut, BatchNorm + Scale after each conv, Eltwise sum, ReLU. */
function bottleneck(name: string, bottom: string, mid: number, out: number, stride: number, project: boolean): LayerSketch[] {
  const bnScale = (conv: string): LayerSketch[] => [
    op(`bn${name}_${conv}`, "BatchNorm", `res${name}_${conv}`, `res${name}_${conv}`, { eps: 1e-5 }),
    op(`scale${name}_${conv}`, "Scale", `res${name}_${conv}`, `res${name}_${conv}`, { biasTerm: true, axis: 1 }),
  ];
  const left = `${bottom}_split_0`;
  const right = `${bottom}_split_1`;
  const shortcut: LayerSketch[] = project
    ? [op(`res${name}_branch1`, "Convolution", left, `res${name}_branch1`, conv(out, 1, stride, 0, 1, 1, false)), ...bnScale("branch1")]
    : [];
  return [
    op(`${bottom}_split`, "Split", bottom, [left, right]),
    ...shortcut,
    op(`res${name}_branch2a`, "Convolution", right, `res${name}_branch2a`, conv(mid, 1, stride, 0, 1, 1, false)),
    ...bnScale("branch2a"),
    op(`res${name}_branch2a_relu`, "ReLU", `res${name}_branch2a`, `res${name}_branch2a`),
    op(`res${name}_branch2b`, "Convolution", `res${name}_branch2a`, `res${name}_branch2b`, conv(mid, 3, 1, 1, 1, 1, false)),
    ...bnScale("branch2b"),
    op(`res${name}_branch2b_relu`, "ReLU", `res${name}_branch2b`, `res${name}_branch2b`),
    op(`res${name}_branch2c`, "Convolution", `res${name}_branch2b`, `res${name}_branch2c`, conv(out, 1, 1, 0, 1, 1, false)),
    ...bnScale("branch2c"),
    op(`res${name}`, "Eltwise", [project ? `res${name}_branch1` : left, `res${name}_branch2c`], `res${name}`, { operation: "sum", coeffs: [] }),
    op(`res${name}_relu`, "ReLU", `res${name}`, `res${name}`),
  ];
}

/** ResNet's shape: 7×7 stem with BatchNorm/Scale, max pool, a projection and an identity bottleneck, global average pool, fc, Softmax, on 3×32×32. */
export function tinyResNet(): Network {
  return buildNetwork("tiny-resnet", [
    input(3, 32, 32),
    op("conv1", "Convolution", "data", "conv1", conv(16, 7, 2, 3)),
    op("bn_conv1", "BatchNorm", "conv1", "conv1", { eps: 1e-5 }),
    op("scale_conv1", "Scale", "conv1", "conv1", { biasTerm: true, axis: 1 }),
    op("conv1_relu", "ReLU", "conv1", "conv1"),
    op("pool1", "Pooling", "conv1", "pool1", pool("max", 3, 2)),
    ...bottleneck("2a", "pool1", 8, 32, 1, true),
    ...bottleneck("2b", "res2a", 8, 32, 1, false),
    ...bottleneck("3a", "res2b", 16, 64, 2, true),
    op("pool5", "Pooling", "res3a", "pool5", pool("average", 1, 1, 0, true)),
    op("fc10", "InnerProduct", "pool5", "fc10", fc(10)),
    op("prob", "Softmax", "fc10", "prob", { axis: 1 }),
  ]);
}

/**
 * A MobileNet-like network that also exercises the rarer paths: depthwise and
 * dilated convolutions, leaky ReLU, within-channel LRN, average pooling with
 * padding, Eltwise product and max with coefficients elsewhere, two-bottom
 * Scale, Flatten, Reshape, and two outputs.
 */
export function tinyMixedNet(): Network {
  return buildNetwork("tiny-mixed", [
    input(3, 20, 20),
    op("conv1", "Convolution", "data", "conv1", conv(8, 3, 2, 1)),
    op("relu1", "ReLU", "conv1", "conv1", { negativeSlope: 0.1 }),
    op("dw", "Convolution", "conv1", "dw", conv(8, 3, 1, 1, 8)),
    op("dilated", "Convolution", "dw", "dilated", conv(8, 3, 1, 2, 1, 2)),
    op("dilated_split", "Split", "dilated", ["d0", "d1", "d2", "d3"]),
    op("prod", "Eltwise", ["d0", "d1"], "prod", { operation: "prod", coeffs: [] }),
    op("max", "Eltwise", ["prod", "d2"], "max", { operation: "max", coeffs: [] }),
    op("weighted", "Eltwise", ["max", "d3"], "weighted", { operation: "sum", coeffs: [0.5, -2] }),
    op("norm", "LRN", "weighted", "norm", { localSize: 3, alpha: 0.5, beta: 0.75, k: 1, region: "within_channel" }),
    op("apool", "Pooling", "norm", "apool", pool("average", 3, 2, 1)),
    op("apool_split", "Split", "apool", ["a0", "a1"]),
    op("gate", "Pooling", "a0", "gate", pool("max", 1, 1, 0, true)),
    op("gate_flat", "Flatten", "gate", "gate_flat", { axis: 1, endAxis: -1 }),
    op("scaled", "Scale", ["a1", "gate_flat"], "scaled", { biasTerm: true, axis: 0 }),
    op("flat", "Flatten", "scaled", "flat", { axis: 1, endAxis: -1 }),
    op("fc", "InnerProduct", "flat", "fc", fc(12)),
    op("reshaped", "Reshape", "fc", "reshaped", { dims: [0, 3, -1] }),
    op("prob", "Softmax", "reshaped", "prob", { axis: 2 }),
    op("fc_out", "InnerProduct", "flat", "fc_out", fc(4)),
  ]);
}
