/**
 * Test fixtures for the runtime tests (IONN §4): three small networks shaped
 * like the paper's AlexNet (a chain), GoogLeNet (Inception modules: several
 * paths, Split and Concat) and ResNet (residual blocks: Eltwise sums over a
 * shortcut), written as Caffe prototxts with reduced input sizes; seeded
 * upload plans; a transport wrapper that holds each upload until released;
 * bitwise tensor comparison.
 *
 * @module
 * @internal
 */
import { importCaffePrototxt } from "../model/caffe/index.js";
import type { Network } from "../model/types.js";
import { mulberry32 } from "../executor/random-weights.js";
import type { PartitionUpload, Tensor, Transport, UploadAck, UploadSchedule } from "./types.js";

const conv = (name: string, bottom: string, top: string, out: number, kernel: number, stride = 1, pad = 0, group = 1) => `
layer { name: "${name}" type: "Convolution" bottom: "${bottom}" top: "${top}"
  convolution_param { num_output: ${out} kernel_size: ${kernel} stride: ${stride} pad: ${pad} group: ${group} } }`;
const relu = (name: string, blob: string) => `
layer { name: "${name}" type: "ReLU" bottom: "${blob}" top: "${blob}" }`;
const pool = (name: string, bottom: string, top: string, method: "MAX" | "AVE", kernel: number, stride: number, pad = 0) => `
layer { name: "${name}" type: "Pooling" bottom: "${bottom}" top: "${top}"
  pooling_param { pool: ${method} kernel_size: ${kernel} stride: ${stride} pad: ${pad} } }`;
const fc = (name: string, bottom: string, top: string, out: number) => `
layer { name: "${name}" type: "InnerProduct" bottom: "${bottom}" top: "${top}" inner_product_param { num_output: ${out} } }`;

/** AlexNet-shaped chain (conv/ReLU/LRN/pool ×2, grouped conv, fc/ReLU/Dropout, Softmax) on 3×35×35. */
export const ALEXNET_LIKE = `name: "AlexNetLike"
input: "data" input_dim: 1 input_dim: 3 input_dim: 35 input_dim: 35
${conv("conv1", "data", "conv1", 8, 5, 2)}${relu("relu1", "conv1")}
layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
${pool("pool1", "norm1", "pool1", "MAX", 3, 2)}
${conv("conv2", "pool1", "conv2", 12, 3, 1, 1, 2)}${relu("relu2", "conv2")}
${pool("pool2", "conv2", "pool2", "MAX", 3, 2)}
${conv("conv3", "pool2", "conv3", 16, 3, 1, 1)}${relu("relu3", "conv3")}
${fc("fc6", "conv3", "fc6", 32)}${relu("relu6", "fc6")}
layer { name: "drop6" type: "Dropout" bottom: "fc6" top: "fc6" dropout_param { dropout_ratio: 0.5 } }
${fc("fc7", "fc6", "fc7", 10)}
layer { name: "prob" type: "Softmax" bottom: "fc7" top: "prob" }
`;

const inception = (p: string, bottom: string, c1: number, c3r: number, c3: number, c5r: number, c5: number, cp: number) => `
${conv(`${p}/1x1`, bottom, `${p}/1x1`, c1, 1)}${relu(`${p}/relu_1x1`, `${p}/1x1`)}
${conv(`${p}/3x3_reduce`, bottom, `${p}/3x3_reduce`, c3r, 1)}${relu(`${p}/relu_3x3_reduce`, `${p}/3x3_reduce`)}
${conv(`${p}/3x3`, `${p}/3x3_reduce`, `${p}/3x3`, c3, 3, 1, 1)}${relu(`${p}/relu_3x3`, `${p}/3x3`)}
${conv(`${p}/5x5_reduce`, bottom, `${p}/5x5_reduce`, c5r, 1)}${relu(`${p}/relu_5x5_reduce`, `${p}/5x5_reduce`)}
${conv(`${p}/5x5`, `${p}/5x5_reduce`, `${p}/5x5`, c5, 5, 1, 2)}${relu(`${p}/relu_5x5`, `${p}/5x5`)}
${pool(`${p}/pool`, bottom, `${p}/pool`, "MAX", 3, 1, 1)}
${conv(`${p}/pool_proj`, `${p}/pool`, `${p}/pool_proj`, cp, 1)}${relu(`${p}/relu_pool_proj`, `${p}/pool_proj`)}
layer { name: "${p}/output" type: "Concat" bottom: "${p}/1x1" bottom: "${p}/3x3" bottom: "${p}/5x5" bottom: "${p}/pool_proj" top: "${p}/output" }`;

/** GoogLeNet-shaped multi-path network (two Inception modules, global average pooling) on 3×24×24. */
export const GOOGLENET_LIKE = `name: "GoogLeNetLike"
input: "data" input_dim: 1 input_dim: 3 input_dim: 24 input_dim: 24
${conv("conv1", "data", "conv1", 8, 3, 2, 1)}${relu("relu1", "conv1")}
${pool("pool1", "conv1", "pool1", "MAX", 3, 2)}
${inception("inc3a", "pool1", 4, 4, 6, 2, 3, 3)}
${inception("inc3b", "inc3a/output", 6, 4, 8, 2, 4, 4)}
layer { name: "pool5" type: "Pooling" bottom: "inc3b/output" top: "pool5" pooling_param { pool: AVE global_pooling: true } }
${fc("loss3", "pool5", "loss3", 10)}
layer { name: "prob" type: "Softmax" bottom: "loss3" top: "prob" }
`;

const bnScale = (p: string, blob: string) => `
layer { name: "bn_${p}" type: "BatchNorm" bottom: "${blob}" top: "${blob}" batch_norm_param { use_global_stats: true } }
layer { name: "scale_${p}" type: "Scale" bottom: "${blob}" top: "${blob}" scale_param { bias_term: true } }`;
const block = (p: string, bottom: string, channels: number, project: boolean, stride = 1) => `
${project ? `${conv(`res${p}_branch1`, bottom, `res${p}_branch1`, channels, 1, stride)}${bnScale(`${p}_branch1`, `res${p}_branch1`)}` : ""}
${conv(`res${p}_branch2a`, bottom, `res${p}_branch2a`, channels / 2, 1, stride)}${bnScale(`${p}_branch2a`, `res${p}_branch2a`)}${relu(`res${p}_branch2a_relu`, `res${p}_branch2a`)}
${conv(`res${p}_branch2b`, `res${p}_branch2a`, `res${p}_branch2b`, channels / 2, 3, 1, 1)}${bnScale(`${p}_branch2b`, `res${p}_branch2b`)}${relu(`res${p}_branch2b_relu`, `res${p}_branch2b`)}
${conv(`res${p}_branch2c`, `res${p}_branch2b`, `res${p}_branch2c`, channels, 1)}${bnScale(`${p}_branch2c`, `res${p}_branch2c`)}
layer { name: "res${p}" type: "Eltwise" bottom: "${project ? `res${p}_branch1` : bottom}" bottom: "res${p}_branch2c" top: "res${p}" }
${relu(`res${p}_relu`, `res${p}`)}`;

/** ResNet-shaped network (bottleneck blocks with projection and identity shortcuts, BatchNorm+Scale) on 3×20×20. */
export const RESNET_LIKE = `name: "ResNetLike"
input: "data" input_dim: 1 input_dim: 3 input_dim: 20 input_dim: 20
${conv("conv1", "data", "conv1", 8, 3, 2, 1)}${bnScale("conv1", "conv1")}${relu("conv1_relu", "conv1")}
${pool("pool1", "conv1", "pool1", "MAX", 3, 2)}
${block("2a", "pool1", 16, true)}
${block("2b", "res2a", 16, false)}
${block("3a", "res2b", 24, true, 2)}
layer { name: "pool5" type: "Pooling" bottom: "res3a" top: "pool5" pooling_param { pool: AVE global_pooling: true } }
${fc("fc10", "pool5", "fc10", 10)}
layer { name: "prob" type: "Softmax" bottom: "fc10" top: "prob" }
`;

/** The three test networks, imported with the Caffe importer. */
export function testNetworks(): Network[] {
  return [
    importCaffePrototxt(ALEXNET_LIKE, "alexnet-like.prototxt"),
    importCaffePrototxt(GOOGLENET_LIKE, "googlenet-like.prototxt"),
    importCaffePrototxt(RESNET_LIKE, "resnet-like.prototxt"),
  ];
}

/**
 * A seeded upload plan over every non-Input layer: the layers are shuffled
 * and cut into `count` partitions, so partitions are scattered and runs of
 * uploaded layers start and end anywhere (the hardest case for boundary
 * tensors).
 */
export function scatteredPlan(network: Network, count: number, seed: number): UploadSchedule {
  const random = mulberry32(seed);
  const layers = network.layers.filter((l) => l.type !== "Input").map((l) => l.index);
  for (let i = layers.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [layers[i], layers[j]] = [layers[j]!, layers[i]!];
  }
  const partitions: { layers: number[] }[] = [];
  const size = Math.ceil(layers.length / count);
  for (let p = 0; p < count; p++) {
    const part = layers.slice(p * size, (p + 1) * size).sort((a, b) => a - b);
    if (part.length > 0) partitions.push({ layers: part });
  }
  return { partitions };
}

/** A seeded input tensor of the network's (single) input shape, values in [-1, 1). */
export function randomInput(network: Network, seed: number): Tensor {
  const shape = network.layers[network.inputs[0]!.layer]!.outputShapes[network.inputs[0]!.top]!;
  const random = mulberry32(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1;
  return { shape, data };
}

/** True when two tensors have the same shape and the same bits (NaN and -0 included). */
export function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.equals(y);
}

/** A transport wrapper whose uploads wait for {@link GatedTransport.release}. */
export interface GatedTransport extends Transport {
  /** Let the next `n` uploads through (default 1). */
  release(n?: number): void;
}

/** Wrap a transport so that each upload is held until released (to observe every intermediate state). */
export function gated(inner: Transport): GatedTransport {
  let credits = 0;
  const waiting: (() => void)[] = [];
  const grant = () => {
    while (credits > 0 && waiting.length > 0) {
      credits--;
      waiting.shift()!();
    }
  };
  return {
    open: (network) => inner.open(network),
    execute: (request) => inner.execute(request),
    close: () => inner.close(),
    async upload(partition: PartitionUpload): Promise<UploadAck> {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        grant();
      });
      return inner.upload(partition);
    },
    release(n = 1) {
      credits += n;
      grant();
    },
  };
}
