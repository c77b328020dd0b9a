/**
 * Stand-alone {@link Layer} descriptions built from a few numbers, for the
 * server install phase (IONN §4 "Install Phase (Server)": "running diverse
 * DNN models with different layer parameters"): the sweep times these layers
 * and fits prediction functions on them. Shapes, parameter counts and MACs
 * follow Caffe's conventions (batch 1, NCHW, floor output size for
 * convolution, ceil for pooling).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type {
  ConvolutionParams,
  InnerProductParams,
  Layer,
  LayerParams,
  PoolingParams,
  Shape,
} from "../model/types.js";
import { shapeSize } from "../model/types.js";

function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`synthetic layer: ${field} must be a positive integer, got ${value}`);
  return value;
}

function layer(
  name: string,
  type: string,
  inputShapes: Shape[],
  outputShapes: Shape[],
  params: LayerParams,
  paramShapes: Shape[],
  macs: number,
): Layer {
  const bottoms = inputShapes.map((_, i) => `${name}_in${i}`);
  return {
    index: 0,
    name,
    type,
    bottoms,
    tops: [name],
    inputs: inputShapes.map(() => ({ layer: 0, top: 0 })),
    inputShapes,
    outputShapes,
    params,
    paramShapes,
    parameters: paramShapes.reduce((n, s) => n + shapeSize(s), 0),
    macs,
  };
}

/** Options of {@link syntheticConvolution}. */
export interface SyntheticConvolution {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly numOutput: number;
  readonly kernel: number;
  /** (default 1) */
  readonly stride?: number;
  /** (default 0) */
  readonly pad?: number;
  /** (default 1; = channels = numOutput for depthwise) */
  readonly group?: number;
}

/**
 * A Caffe Convolution layer on a `[1, channels, height, width]` input.
 * @throws {@link InvalidArgumentError} for non-positive sizes, a kernel larger than the padded input, or channels not divisible by group.
 */
export function syntheticConvolution(o: SyntheticConvolution, name = "conv"): Layer {
  const stride = o.stride ?? 1;
  const pad = o.pad ?? 0;
  const group = o.group ?? 1;
  for (const [v, f] of [[o.channels, "channels"], [o.height, "height"], [o.width, "width"], [o.numOutput, "numOutput"], [o.kernel, "kernel"], [stride, "stride"], [group, "group"]] as const) positiveInt(v, f);
  if (o.channels % group !== 0 || o.numOutput % group !== 0) throw new InvalidArgumentError(`synthetic layer: channels and numOutput must be divisible by group ${group}`);
  const hOut = Math.floor((o.height + 2 * pad - o.kernel) / stride) + 1;
  const wOut = Math.floor((o.width + 2 * pad - o.kernel) / stride) + 1;
  if (hOut < 1 || wOut < 1) throw new InvalidArgumentError(`synthetic layer: kernel ${o.kernel} larger than padded input ${o.height}×${o.width}`);
  const params: ConvolutionParams = {
    numOutput: o.numOutput, kernelH: o.kernel, kernelW: o.kernel, strideH: stride, strideW: stride,
    padH: pad, padW: pad, dilationH: 1, dilationW: 1, group, biasTerm: true,
  };
  const weights: Shape = [o.numOutput, o.channels / group, o.kernel, o.kernel];
  const macs = o.numOutput * hOut * wOut * (o.channels / group) * o.kernel * o.kernel;
  return layer(name, "Convolution", [[1, o.channels, o.height, o.width]], [[1, o.numOutput, hOut, wOut]], params, [weights, [o.numOutput]], macs);
}

/** A Caffe InnerProduct layer with `inputs` input neurons (as `[1, inputs]`). */
export function syntheticInnerProduct(inputs: number, numOutput: number, name = "fc"): Layer {
  positiveInt(inputs, "inputs");
  positiveInt(numOutput, "numOutput");
  const params: InnerProductParams = { numOutput, biasTerm: true, axis: 1 };
  return layer(name, "InnerProduct", [[1, inputs]], [[1, numOutput]], params, [[numOutput, inputs], [numOutput]], inputs * numOutput);
}

/** Options of {@link syntheticPooling}. */
export interface SyntheticPooling {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly kernel: number;
  /** (default 1) */
  readonly stride?: number;
  /** (default 0) */
  readonly pad?: number;
  /** (default `"max"`) */
  readonly method?: "max" | "average";
  /** Pool the whole map (default false). */
  readonly global?: boolean;
}

/** A Caffe Pooling layer (ceil rounding, last window clipped to start inside the padded input). */
export function syntheticPooling(o: SyntheticPooling, name = "pool"): Layer {
  const stride = o.stride ?? 1;
  const pad = o.pad ?? 0;
  for (const [v, f] of [[o.channels, "channels"], [o.height, "height"], [o.width, "width"], [o.kernel, "kernel"], [stride, "stride"]] as const) positiveInt(v, f);
  const size = (n: number): number => {
    if (o.global) return 1;
    let out = Math.ceil((n + 2 * pad - o.kernel) / stride) + 1;
    if (pad > 0 && (out - 1) * stride >= n + pad) out -= 1;
    if (out < 1) throw new InvalidArgumentError(`synthetic layer: pooling kernel ${o.kernel} larger than input ${n}`);
    return out;
  };
  const kernelH = o.global ? o.height : o.kernel;
  const kernelW = o.global ? o.width : o.kernel;
  const params: PoolingParams = {
    method: o.method ?? "max", kernelH, kernelW, strideH: stride, strideW: stride, padH: pad, padW: pad,
    global: o.global ?? false, rounding: "ceil",
  };
  const hOut = size(o.height);
  const wOut = size(o.width);
  return layer(name, "Pooling", [[1, o.channels, o.height, o.width]], [[1, o.channels, hOut, wOut]], params, [], o.channels * hOut * wOut * kernelH * kernelW);
}

/**
 * A shape-preserving layer of `type` (`ReLU`, `LRN`, `BatchNorm`, `Scale`,
 * `Dropout`, `Softmax`, `TanH`, …) on a `[1, C, H, W]` (or `[1, N]` when
 * `shape` has 2 entries) input, with Caffe's parameter blobs.
 */
export function syntheticElementwise(type: string, shape: Shape, name = type.toLowerCase()): Layer {
  shape.forEach((d, i) => positiveInt(d, `shape[${i}]`));
  const c = shape[1] ?? 1;
  let params: LayerParams = {};
  let paramShapes: Shape[] = [];
  switch (type) {
    case "LRN":
      params = { localSize: 5, alpha: 1e-4, beta: 0.75, k: 1, region: "across_channels" };
      break;
    case "BatchNorm":
      params = { eps: 1e-5 };
      paramShapes = [[c], [c], [1]];
      break;
    case "Scale":
      params = { biasTerm: true, axis: 1 };
      paramShapes = [[c], [c]];
      break;
    case "Dropout":
      params = { ratio: 0.5 };
      break;
    case "Softmax":
      params = { axis: 1 };
      break;
  }
  const macs = type === "LRN" ? shapeSize(shape) * 5 : shapeSize(shape);
  return layer(name, type, [shape], [shape], params, paramShapes, macs);
}

/** A Caffe Eltwise (sum) layer of `inputs` tensors of `shape`. */
export function syntheticEltwise(shape: Shape, inputs = 2, name = "eltwise"): Layer {
  positiveInt(inputs, "inputs");
  const shapes = Array.from({ length: inputs }, () => shape);
  return layer(name, "Eltwise", shapes, [shape], { operation: "sum", coeffs: shapes.map(() => 1) }, [], shapeSize(shape) * (inputs - 1));
}

/** A Caffe Concat layer joining `[1, c_i, H, W]` inputs along channels. */
export function syntheticConcat(channels: readonly number[], height: number, width: number, name = "concat"): Layer {
  if (channels.length < 1) throw new InvalidArgumentError("synthetic layer: concat needs at least one input");
  const shapes = channels.map((c) => [1, positiveInt(c, "channels"), height, width] as Shape);
  const total = channels.reduce((a, b) => a + b, 0);
  return layer(name, "Concat", shapes, [[1, total, height, width]], { axis: 1 }, [], 0);
}
