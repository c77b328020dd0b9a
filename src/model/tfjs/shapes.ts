/**
 * Output shapes, parameter shapes and MACs of Keras / TF.js layers, computed
 * from their configs (IONN §5.1 prices each layer's output transfer and
 * parameter upload, so both sizes are needed).
 *
 * Shapes are in TF.js's own layout, batch first and set to 1: channels-last
 * `[1, H, W, C]` for the default `data_format: "channels_last"` (the layout
 * TF.js reports in `layer.outputShape`), `[1, C, H, W]` for
 * `channels_first`. Rules follow tfjs-layers / Keras
 * ([Reference]: https://js.tensorflow.org/api/latest/#Layers).
 *
 * @module
 */

import { broadcastShapes } from "../onnx/shapes.js";

/** A layer config as found in model.json (`config` of one entry of `layers`). */
export type KerasConfig = Readonly<Record<string, unknown>>;

/** What a rule returns for one layer call. */
export interface KerasLayerShapes {
  /** Output shape (batch 1), or `undefined` when the rule cannot tell. */
  readonly output?: readonly number[];
  /** Shapes of the learned weights, in Keras's order, as the config implies. */
  readonly weights: readonly (readonly number[])[];
  readonly macs: number;
}

type Rule = (config: KerasConfig, inputs: readonly (readonly number[] | undefined)[]) => KerasLayerShapes | undefined;

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function tuple(value: unknown, n: number, fallback: number): number[] {
  if (typeof value === "number") return new Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length > 0) return Array.from({ length: n }, (_, i) => Number(value[i] ?? value[0]));
  return new Array<number>(n).fill(fallback);
}

function channelsFirst(config: KerasConfig): boolean {
  return config["data_format"] === "channels_first";
}

/** Split a feature map shape into spatial dims and channels according to the data format. */
function splitChannels(shape: readonly number[], config: KerasConfig): { spatial: number[]; channels: number } {
  return channelsFirst(config)
    ? { spatial: shape.slice(2), channels: shape[1]! }
    : { spatial: shape.slice(1, -1), channels: shape[shape.length - 1]! };
}

function joinChannels(batch: number, spatial: readonly number[], channels: number, config: KerasConfig): number[] {
  return channelsFirst(config) ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
}

/** Output length of a sliding window along one axis (Keras `conv_output_length`). */
export function windowOutput(size: number, kernel: number, padding: string, stride: number, dilation = 1): number {
  const dk = (kernel - 1) * dilation + 1;
  if (padding === "same" || padding === "causal") return Math.ceil(size / stride);
  return Math.ceil((size - dk + 1) / stride);
}

function convGeometry(config: KerasConfig, x: readonly number[], rank: number) {
  const { spatial, channels } = splitChannels(x, config);
  const kernel = tuple(config["kernel_size"], rank, 1);
  const strides = tuple(config["strides"], rank, 1);
  const dilations = tuple(config["dilation_rate"], rank, 1);
  const padding = String(config["padding"] ?? "valid");
  const outSpatial = spatial.map((size, i) => windowOutput(size, kernel[i]!, padding, strides[i]!, dilations[i]!));
  return { spatial, channels, kernel, strides, dilations, padding, outSpatial };
}

const conv = (rank: number): Rule => (config, [x]) => {
  if (x === undefined) return undefined;
  const g = convGeometry(config, x, rank);
  const filters = Number(config["filters"]);
  const useBias = config["use_bias"] !== false;
  const weights = [[...g.kernel, g.channels, filters], ...(useBias ? [[filters]] : [])];
  return {
    output: joinChannels(x[0]!, g.outSpatial, filters, config),
    weights,
    macs: product(g.outSpatial) * filters * g.channels * product(g.kernel),
  };
};

const depthwise: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const g = convGeometry(config, x, 2);
  const multiplier = Number(config["depth_multiplier"] ?? 1);
  const out = g.channels * multiplier;
  const useBias = config["use_bias"] !== false;
  return {
    output: joinChannels(x[0]!, g.outSpatial, out, config),
    weights: [[...g.kernel, g.channels, multiplier], ...(useBias ? [[out]] : [])],
    macs: product(g.outSpatial) * out * product(g.kernel),
  };
};

const separable: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const g = convGeometry(config, x, 2);
  const multiplier = Number(config["depth_multiplier"] ?? 1);
  const filters = Number(config["filters"]);
  const useBias = config["use_bias"] !== false;
  const mid = g.channels * multiplier;
  return {
    output: joinChannels(x[0]!, g.outSpatial, filters, config),
    weights: [[...g.kernel, g.channels, multiplier], [1, 1, mid, filters], ...(useBias ? [[filters]] : [])],
    macs: product(g.outSpatial) * (mid * product(g.kernel) + mid * filters),
  };
};

const convTranspose: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const kernel = tuple(config["kernel_size"], 2, 1);
  const strides = tuple(config["strides"], 2, 1);
  const padding = String(config["padding"] ?? "valid");
  const filters = Number(config["filters"]);
  const outSpatial = spatial.map((size, i) => (padding === "same" ? size * strides[i]! : size * strides[i]! + Math.max(kernel[i]! - strides[i]!, 0)));
  const useBias = config["use_bias"] !== false;
  return {
    output: joinChannels(x[0]!, outSpatial, filters, config),
    weights: [[...kernel, filters, channels], ...(useBias ? [[filters]] : [])],
    macs: product(spatial) * channels * filters * product(kernel),
  };
};

const dense: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const units = Number(config["units"]);
  const k = x[x.length - 1]!;
  const useBias = config["use_bias"] !== false;
  return {
    output: [...x.slice(0, -1), units],
    weights: [[k, units], ...(useBias ? [[units]] : [])],
    macs: product(x.slice(0, -1)) * k * units,
  };
};

const pool = (rank: number): Rule => (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const size = tuple(config["pool_size"], rank, 2);
  const strides = config["strides"] == null ? size : tuple(config["strides"], rank, 1);
  const padding = String(config["padding"] ?? "valid");
  const outSpatial = spatial.map((s, i) => windowOutput(s, size[i]!, padding, strides[i]!));
  const output = joinChannels(x[0]!, outSpatial, channels, config);
  return { output, weights: [], macs: product(output) * product(size) };
};

const globalPool: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const output = config["keepdims"] === true ? joinChannels(x[0]!, spatial.map(() => 1), channels, config) : [x[0]!, channels];
  return { output, weights: [], macs: product(x) };
};

const same: Rule = (_config, [x]) => (x === undefined ? undefined : { output: x, weights: [], macs: product(x) });
const sameNoMacs: Rule = (_config, [x]) => (x === undefined ? undefined : { output: x, weights: [], macs: 0 });

const batchNorm: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const axis = Number(Array.isArray(config["axis"]) ? (config["axis"] as unknown[])[0] : (config["axis"] ?? -1));
  const c = x[axis < 0 ? x.length + axis : axis]!;
  const weights: number[][] = [];
  if (config["scale"] !== false) weights.push([c]);
  if (config["center"] !== false) weights.push([c]);
  weights.push([c], [c]);
  return { output: x, weights, macs: product(x) };
};

const prelu: Rule = (_config, [x]) => (x === undefined ? undefined : { output: x, weights: [x.slice(1)], macs: product(x) });


const merge: Rule = (_config, inputs) => {
  const output = broadcastShapes(inputs);
  return output === undefined ? undefined : { output, weights: [], macs: product(output) * Math.max(inputs.length - 1, 1) };
};

const concatenate: Rule = (config, inputs) => {
  if (inputs.length === 0 || inputs.some((s) => s === undefined)) return undefined;
  const first = inputs[0]!;
  const rawAxis = Number(config["axis"] ?? -1);
  const axis = rawAxis < 0 ? first.length + rawAxis : rawAxis;
  const output = [...first];
  output[axis] = inputs.reduce((sum, s) => sum + s![axis]!, 0);
  return { output, weights: [], macs: 0 };
};

const flatten: Rule = (_config, [x]) => (x === undefined ? undefined : { output: [x[0]!, product(x.slice(1))], weights: [], macs: 0 });

const reshape: Rule = (config, [x]) => {
  if (x === undefined || !Array.isArray(config["target_shape"])) return undefined;
  const target = (config["target_shape"] as unknown[]).map(Number);
  const total = product(x.slice(1));
  const known = product(target.filter((d) => d !== -1));
  const output = [x[0]!, ...target.map((d) => (d === -1 ? total / known : d))];
  return product(output.slice(1)) === total ? { output, weights: [], macs: 0 } : undefined;
};

const permute: Rule = (config, [x]) => {
  if (x === undefined || !Array.isArray(config["dims"])) return undefined;
  return { output: [x[0]!, ...(config["dims"] as unknown[]).map((d) => x[Number(d)]!)], weights: [], macs: 0 };
};

function padPairs(value: unknown, n: number): [number, number][] {
  if (typeof value === "number") return Array.from({ length: n }, () => [value, value]);
  if (Array.isArray(value)) {
    return Array.from({ length: n }, (_, i) => {
      const v = value[i] ?? value[0];
      return Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)];
    });
  }
  return Array.from({ length: n }, () => [1, 1]);
}

const zeroPadding: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const pads = padPairs(config["padding"], spatial.length);
  return { output: joinChannels(x[0]!, spatial.map((s, i) => s + pads[i]![0] + pads[i]![1]), channels, config), weights: [], macs: 0 };
};

const cropping: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const crops = padPairs(config["cropping"], spatial.length);
  return { output: joinChannels(x[0]!, spatial.map((s, i) => s - crops[i]![0] - crops[i]![1]), channels, config), weights: [], macs: 0 };
};

const upsampling: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const { spatial, channels } = splitChannels(x, config);
  const size = tuple(config["size"], spatial.length, 2);
  const output = joinChannels(x[0]!, spatial.map((s, i) => s * size[i]!), channels, config);
  return { output, weights: [], macs: product(output) };
};

const embedding: Rule = (config, [x]) => {
  if (x === undefined) return undefined;
  const dim = Number(config["output_dim"]);
  return { output: [...x, dim], weights: [[Number(config["input_dim"]), dim]], macs: 0 };
};

/** Shape rules by Keras class name. Classes absent here are imported as opaque layers. */
export const KERAS_RULES: Readonly<Record<string, Rule>> = {
  Conv1D: conv(1),
  Conv2D: conv(2),
  Conv3D: conv(3),
  Conv2DTranspose: convTranspose,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  MaxPooling1D: pool(1),
  MaxPooling2D: pool(2),
  AveragePooling1D: pool(1),
  AveragePooling2D: pool(2),
  MaxPool2D: pool(2),
  AvgPool2D: pool(2),
  GlobalAveragePooling1D: globalPool,
  GlobalAveragePooling2D: globalPool,
  GlobalMaxPooling1D: globalPool,
  GlobalMaxPooling2D: globalPool,
  GlobalAvgPool2D: globalPool,
  GlobalMaxPool2D: globalPool,
  BatchNormalization: batchNorm,
  Activation: same,
  ReLU: same,
  LeakyReLU: same,
  ELU: same,
  ThresholdedReLU: same,
  Softmax: same,
  PReLU: prelu,
  Dropout: sameNoMacs,
  SpatialDropout1D: sameNoMacs,
  SpatialDropout2D: sameNoMacs,
  AlphaDropout: sameNoMacs,
  GaussianDropout: sameNoMacs,
  GaussianNoise: sameNoMacs,
  Masking: sameNoMacs,
  Add: merge,
  Subtract: merge,
  Multiply: merge,
  Average: merge,
  Maximum: merge,
  Minimum: merge,
  Concatenate: concatenate,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  ZeroPadding2D: zeroPadding,
  Cropping2D: cropping,
  UpSampling2D: upsampling,
  Embedding: embedding,
};
