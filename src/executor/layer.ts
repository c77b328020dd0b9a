/**
 * Dispatch from a {@link Layer} to its reference kernel, and the shape rules
 * of every supported layer type (output shapes and learned-blob shapes), so
 * that the executor can check a layer's declared shapes and weights. Part of
 * the reference executor (IONN §4, Figure 3: the execution engine on client
 * and server).
 *
 * @module
 */
import { InvalidModelError, IonnError, UnsupportedLayerError } from "../errors.js";
import type {
  BatchNormParams,
  ConcatParams,
  ConvolutionParams,
  EltwiseParams,
  FlattenParams,
  InnerProductParams,
  Layer,
  LayerParams,
  LRNParams,
  PoolingParams,
  ReshapeParams,
  ScaleParams,
  Shape,
  SoftmaxParams,
} from "../model/types.js";
import type { LayerWeights, Tensor } from "./types.js";
import { dropout, relu } from "./kernels/activation.js";
import { concat, concatOutputShape, eltwise, split } from "./kernels/combine.js";
import { convolution, convolutionOutputShape, convolutionParamShapes } from "./kernels/convolution.js";
import { deconvolution, deconvolutionOutputShape, deconvolutionParamShapes } from "./kernels/deconvolution.js";
import type { ExpLogParams, PowerParams } from "./kernels/elementwise.js";
import { absVal, bnll, clip, elu, exp, log, power, prelu, sigmoid, swish, tanh, threshold } from "./kernels/elementwise.js";
import { innerProduct, innerProductOutputShape, innerProductParamShapes } from "./kernels/inner-product.js";
import { lrn } from "./kernels/lrn.js";
import { batchNorm, bias, scale } from "./kernels/normalization.js";
import { pooling, poolingOutputShape, poolingWindow } from "./kernels/pooling.js";
import type { CropParams, SliceParams, TileParams } from "./kernels/rearrange.js";
import { crop, cropOutputShape, slice, sliceOutputShapes, tile, tileOutputShape } from "./kernels/rearrange.js";
import type { ArgMaxParams, ReductionParams } from "./kernels/reduce.js";
import { argMax, argMaxOutputShape, reduction, reductionOutputShape } from "./kernels/reduce.js";
import { flatten, flattenOutputShape, reshape, reshapeOutputShape } from "./kernels/reshape.js";
import { softmax } from "./kernels/softmax.js";
import type { PadParams, ResizeParams } from "./kernels/imported.js";
import { axpy, forkBatchNorm, maxPoolMask, pad, padOutputShape, permute, permuteOutputShape, resize, resizeOutputShape, shuffleChannel, unpool } from "./kernels/imported.js";

/** The layer types the reference executor runs (Caffe vocabulary). */
export const SUPPORTED_LAYER_TYPES: ReadonlySet<string> = new Set([
  "Input",
  "Convolution",
  "Pooling",
  "InnerProduct",
  "ReLU",
  "LRN",
  "Softmax",
  "Dropout",
  "BatchNorm",
  "Scale",
  "Concat",
  "Eltwise",
  "Split",
  "Flatten",
  "Reshape",
  "Deconvolution",
  "Sigmoid",
  "TanH",
  "AbsVal",
  "BNLL",
  "Power",
  "Exp",
  "Log",
  "Clip",
  "Swish",
  "Threshold",
  "ELU",
  "PReLU",
  "Bias",
  "Slice",
  "Crop",
  "Tile",
  "ArgMax",
  "Reduction",
  "Silence",
  // Caffe forks and TF.js graph models (issue 14)
  "ConvolutionDepthwise",
  "Axpy",
  "BN",
  "Upsample",
  "ShuffleChannel",
  "Permute",
  "Pad",
  "Resize",
  "Identity",
]);

/**
 * Element-wise types whose output has the input's shape (one bottom, one top)
 * and no learned blobs.
 */
const SHAPE_PRESERVING = new Set([
  "ReLU", "LRN", "Softmax", "Dropout", "BatchNorm", "Scale", "Eltwise", "Bias", "PReLU",
  "Sigmoid", "TanH", "AbsVal", "BNLL", "Power", "Exp", "Log", "Clip", "Swish", "Threshold", "ELU",
  "BN", "ShuffleChannel", "Identity",
]);

/**
 * Explicit `[top, bottom, left, right]` padding of a window layer whose end
 * padding differs from its begin padding (TF.js `SAME`, ONNX `pads`):
 * `padEndH`/`padEndW` in the params; `undefined` when symmetric.
 */
function asymmetricPads(params: LayerParams): [number, number, number, number] | undefined {
  const p = params as { padH?: number; padW?: number; padEndH?: number; padEndW?: number };
  const top = p.padH ?? 0;
  const left = p.padW ?? 0;
  const bottom = p.padEndH ?? top;
  const right = p.padEndW ?? left;
  return bottom === top && right === left ? undefined : [top, bottom, left, right];
}

/** NCHW pads for {@link pad} from `[top, bottom, left, right]`. */
function spatialPads([top, bottom, left, right]: readonly number[]): PadParams {
  return { pads: [0, 0, top!, left!, 0, 0, bottom!, right!] };
}

/** The layer's params with the padding moved into an explicit pad (pads 0). */
function unpadded<T extends LayerParams>(params: T): T {
  return { ...params, padH: 0, padW: 0, padEndH: 0, padEndW: 0 };
}

/** A fused activation (`params.activation`: TF.js layers and graph models) applied after the layer. */
function activate(layer: LayerSignature, t: Tensor): Tensor {
  const p = layer.params as { activation?: unknown; negativeSlope?: unknown };
  switch (p.activation) {
    case undefined:
    case null:
    case "linear":
      return t;
    case "relu":
      return relu(t);
    case "relu6":
      return clip(t, 0, 6);
    case "leakyrelu":
      return relu(t, typeof p.negativeSlope === "number" ? p.negativeSlope : 0.2);
    case "sigmoid":
      return sigmoid(t);
    case "tanh":
      return tanh(t);
    case "elu":
      return elu(t, 1);
    case "swish":
      return swish(t, 1);
    case "softmax":
      return softmax(t, { axis: 1 });
    default:
      throw new UnsupportedLayerError(`fused activation "${String(p.activation)}" is not supported by the reference executor`);
  }
}

/** A layer's type, parameters and name: what the shape rules need. */
export type LayerSignature = Pick<Layer, "name" | "type" | "params">;

/** Normalised params with Caffe's defaults filled in for optional fields an importer may leave out. */
function withDefaults<T>(params: LayerParams, defaults: Partial<T>): T {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = value;
  return out as T;
}

function poolingParams(params: LayerParams): PoolingParams {
  return withDefaults<PoolingParams>(params, { rounding: "ceil", global: false, padH: 0, padW: 0, strideH: 1, strideW: 1 });
}
function convolutionParams(params: LayerParams): ConvolutionParams {
  return withDefaults<ConvolutionParams>(params, {
    strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: true,
  });
}
function innerProductParams(params: LayerParams): InnerProductParams {
  return withDefaults<InnerProductParams>(params, { axis: 1, biasTerm: true });
}
function scaleParams(params: LayerParams): ScaleParams {
  return withDefaults<ScaleParams>(params, { axis: 1, biasTerm: false });
}
function lrnParams(params: LayerParams): LRNParams {
  return withDefaults<LRNParams>(params, { localSize: 5, alpha: 1, beta: 0.75, k: 1, region: "across_channels" });
}
function eltwiseParams(params: LayerParams): EltwiseParams {
  return withDefaults<EltwiseParams>(params, { operation: "sum", coeffs: [] });
}
function powerParams(params: LayerParams): PowerParams {
  return withDefaults<PowerParams>(params, { power: 1, scale: 1, shift: 0 });
}
function expLogParams(params: LayerParams): ExpLogParams {
  return withDefaults<ExpLogParams>(params, { base: -1, scale: 1, shift: 0 });
}
function sliceParams(params: LayerParams): SliceParams {
  return withDefaults<SliceParams>(params, { axis: 1, slicePoints: [] });
}
function cropParams(params: LayerParams): CropParams {
  return withDefaults<CropParams>(params, { axis: 2, offsets: [] });
}
function tileParams(params: LayerParams): TileParams {
  return withDefaults<TileParams>(params, { axis: 1, tiles: 1 });
}
function argMaxParams(params: LayerParams): ArgMaxParams {
  return withDefaults<ArgMaxParams>(params, { topK: 1, outMaxVal: false });
}
function reductionParams(params: LayerParams): ReductionParams {
  return withDefaults<ReductionParams>(params, { operation: "sum", axis: 0, coeff: 1 });
}
/** Bias (and the executor's own test networks) may give `numAxes` (Caffe's `num_axes`, default 1; -1: all remaining axes). */
function biasParams(params: LayerParams): { axis: number; numAxes: number } {
  return withDefaults<{ axis: number; numAxes: number }>(params, { axis: 1, numAxes: 1 });
}
/** A numeric field of the params, or the fallback. */
function numberParam(params: LayerParams, field: string, fallback: number): number {
  const value = (params as Record<string, unknown>)[field];
  return typeof value === "number" ? value : fallback;
}

/** ReLU's negative slope, if the params carry one (`negativeSlope` or `negative_slope`), else 0. */
function negativeSlope(params: LayerParams): number {
  const p = params as { negativeSlope?: unknown; negative_slope?: unknown };
  const slope = p.negativeSlope ?? p.negative_slope;
  return typeof slope === "number" ? slope : 0;
}

/** Adds the layer's name to an error raised by a kernel. */
function named<T>(layer: LayerSignature, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof IonnError && !error.message.includes(`"${layer.name}"`)) {
      const Class = error instanceof UnsupportedLayerError ? UnsupportedLayerError : InvalidModelError;
      throw new Class(`layer "${layer.name}" (${layer.type}): ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * Checks that the reference kernels know a layer's type.
 *
 * @throws {@link UnsupportedLayerError} naming the layer otherwise.
 */
export function assertSupported(layer: LayerSignature): void {
  if (!SUPPORTED_LAYER_TYPES.has(layer.type)) unsupported(layer);
}

function unsupported(layer: LayerSignature): never {
  throw new UnsupportedLayerError(
    `layer "${layer.name}": type ${layer.type} is not supported by the reference executor ` +
      `(supported: ${[...SUPPORTED_LAYER_TYPES].join(", ")})`,
  );
}

/**
 * Output shapes of a layer given its input shapes (`topCount` is used by
 * Split and Slice). Input layers take their shapes from `params.shapes`;
 * Silence has no outputs.
 *
 * @throws {@link UnsupportedLayerError} for a type not in {@link SUPPORTED_LAYER_TYPES}.
 * @throws {@link InvalidModelError} naming the layer when the shapes do not fit.
 */
export function layerOutputShapes(layer: LayerSignature, inputShapes: readonly Shape[], topCount = 1): Shape[] {
  return named(layer, () => {
    const first = (): Shape => {
      const s = inputShapes[0];
      if (s === undefined) throw new InvalidModelError(`needs at least one input`);
      return s;
    };
    switch (layer.type) {
      case "Input":
        return (layer.params as { shapes: readonly Shape[] }).shapes.map((s) => [...s]);
      case "Convolution":
      case "ConvolutionDepthwise": {
        const pads = asymmetricPads(layer.params);
        if (pads === undefined) return [convolutionOutputShape(first(), convolutionParams(layer.params))];
        return [convolutionOutputShape(padOutputShape(first(), spatialPads(pads)), convolutionParams(unpadded(layer.params)))];
      }
      case "Pooling": {
        const pads = asymmetricPads(layer.params);
        if (pads === undefined && topCount === 2) {
          const shape = poolingOutputShape(first(), poolingParams(layer.params));
          return [shape, [...shape]];
        }
        if (pads === undefined) return [poolingOutputShape(first(), poolingParams(layer.params))];
        return [poolingOutputShape(padOutputShape(first(), spatialPads(pads)), poolingParams(unpadded(layer.params)))];
      }
      case "Axpy": {
        const x = inputShapes[1];
        if (x === undefined || inputShapes.length !== 3) throw new InvalidModelError(`needs three inputs (a, x, y)`);
        return [[...x]];
      }
      case "Upsample": {
        const p = layer.params as unknown as ResizeParams;
        if (inputShapes.length >= 2) return [[...first().slice(0, 2), p.height!, p.width!]];
        return [resizeOutputShape(first(), { ...p, mode: "nearest" })];
      }
      case "Resize":
        return [resizeOutputShape(first(), layer.params as unknown as ResizeParams)];
      case "Pad":
        return [padOutputShape(first(), layer.params as unknown as PadParams)];
      case "Permute":
        return [permuteOutputShape(first(), (layer.params as { order: number[] }).order)];
      case "InnerProduct":
        return [innerProductOutputShape(first(), innerProductParams(layer.params))];
      case "Deconvolution":
        return [deconvolutionOutputShape(first(), convolutionParams(layer.params))];
      case "Slice":
        return sliceOutputShapes(first(), sliceParams(layer.params), topCount);
      case "Crop": {
        const reference = inputShapes[1];
        if (reference === undefined) throw new InvalidModelError(`needs two inputs (the tensor and the reference shape)`);
        return [cropOutputShape(first(), reference, cropParams(layer.params))];
      }
      case "Tile":
        return [tileOutputShape(first(), tileParams(layer.params))];
      case "ArgMax":
        return [argMaxOutputShape(first(), argMaxParams(layer.params))];
      case "Reduction":
        return [reductionOutputShape(first(), reductionParams(layer.params))];
      case "Silence":
        first();
        return [];
      case "Concat":
        return [concatOutputShape(inputShapes, withDefaults<ConcatParams>(layer.params, { axis: 1 }))];
      case "Split":
        return Array.from({ length: topCount }, () => [...first()]);
      case "Flatten":
        return [flattenOutputShape(first(), withDefaults<FlattenParams>(layer.params, { axis: 1, endAxis: -1 }))];
      case "Reshape":
        return [reshapeOutputShape(first(), layer.params as ReshapeParams)];
      default:
        if (SHAPE_PRESERVING.has(layer.type)) return [[...first()]];
        return unsupported(layer);
    }
  });
}

/**
 * Shapes of a layer's learned blobs in Caffe's order (see {@link Layer.paramShapes}).
 *
 * @throws {@link UnsupportedLayerError} for a type not in {@link SUPPORTED_LAYER_TYPES}.
 */
export function layerParamShapes(layer: LayerSignature, inputShapes: readonly Shape[]): Shape[] {
  return named(layer, () => {
    const first = inputShapes[0] ?? [];
    switch (layer.type) {
      case "Convolution":
      case "ConvolutionDepthwise":
        return convolutionParamShapes(first, convolutionParams(layer.params));
      case "BN":
        return [[1, first[1]!, 1, 1], [1, first[1]!, 1, 1]];
      case "InnerProduct":
        return innerProductParamShapes(first, innerProductParams(layer.params));
      case "Deconvolution":
        return deconvolutionParamShapes(first, convolutionParams(layer.params));
      case "PReLU":
        return (layer.params as { channelShared?: boolean }).channelShared === true ? [[1]] : [[first[1] ?? 1]];
      case "Bias": {
        if (inputShapes.length >= 2) return [];
        const p = biasParams(layer.params);
        const axis = p.numAxes === 0 && (p.axis === first.length || p.axis === -first.length - 1)
          ? first.length
          : p.axis < 0 ? p.axis + first.length : p.axis;
        return [first.slice(axis, p.numAxes === -1 ? first.length : axis + p.numAxes)];
      }
      case "BatchNorm":
        return [[first[1]!], [first[1]!], [1]];
      case "Scale": {
        const p = scaleParams(layer.params);
        if (inputShapes.length >= 2) return p.biasTerm ? [[...inputShapes[1]!]] : [];
        const c = [first[p.axis < 0 ? p.axis + first.length : p.axis]!];
        return p.biasTerm ? [c, c] : [c];
      }
      default:
        if (!SUPPORTED_LAYER_TYPES.has(layer.type)) return unsupported(layer);
        return [];
    }
  });
}

/**
 * Runs one layer on its input tensors (one per bottom, in order) with its
 * learned blobs; returns one tensor per top. Input layers are not run here
 * (their tensors come from outside, see {@link referenceExecutor}).
 *
 * Outputs may share buffers with inputs (Split, Dropout, Flatten, Reshape);
 * kernels never write into their inputs.
 *
 * @throws {@link UnsupportedLayerError} naming the layer for an unknown type.
 * @throws {@link InvalidModelError} naming the layer on inconsistent shapes or weights.
 */
export function forwardLayer(layer: Layer, inputs: readonly Tensor[], weights: LayerWeights): Tensor[] {
  return named(layer, () => {
    const x = inputs[0];
    if (x === undefined && layer.type !== "Input") throw new InvalidModelError(`needs at least one input`);
    const input = x as Tensor;
    switch (layer.type) {
      case "Convolution":
      case "ConvolutionDepthwise": {
        const pads = asymmetricPads(layer.params);
        const p = convolutionParams(pads === undefined ? layer.params : unpadded(layer.params));
        const x = pads === undefined ? input : pad(input, spatialPads(pads));
        return [activate(layer, convolution(x, blob(layer, weights, 0), p.biasTerm ? blob(layer, weights, 1) : undefined, p))];
      }
      case "Pooling": {
        const pads = asymmetricPads(layer.params);
        if (pads === undefined && layer.tops.length === 2) {
          // Caffe's max pooling with a mask top (SegNet).
          const p = poolingParams(layer.params);
          const pooled = pooling(input, p);
          const win = poolingWindow(input.shape, p);
          const mask = maxPoolMask(input, pooled.shape[2]!, pooled.shape[3]!, win.kernelH, win.kernelW, win.strideH, win.strideW, win.padH, win.padW);
          return [pooled, mask];
        }
        if (pads === undefined) return [pooling(input, poolingParams(layer.params))];
        const p = poolingParams(unpadded(layer.params));
        if (p.method !== "max") throw new UnsupportedLayerError(`average pooling with unequal begin/end padding is not supported by the reference executor`);
        return [pooling(pad(input, { ...spatialPads(pads), value: -Infinity }), p)];
      }
      case "InnerProduct": {
        const p = innerProductParams(layer.params);
        return [activate(layer, innerProduct(input, blob(layer, weights, 0), p.biasTerm ? blob(layer, weights, 1) : undefined, p))];
      }
      case "Axpy":
        if (inputs.length !== 3) throw new InvalidModelError(`needs three inputs (a, x, y)`);
        return [axpy(inputs[0]!, inputs[1]!, inputs[2]!)];
      case "BN":
        return [forkBatchNorm(input, blob(layer, weights, 0), blob(layer, weights, 1))];
      case "Upsample": {
        const p = layer.params as unknown as ResizeParams;
        if (inputs.length >= 2) return [unpool(input, inputs[1]!, p.height!, p.width!)];
        return [resize(input, { ...p, mode: "nearest" })];
      }
      case "Resize":
        return [resize(input, layer.params as unknown as ResizeParams)];
      case "ShuffleChannel":
        return [shuffleChannel(input, numberParam(layer.params, "group", 1))];
      case "Permute":
        return [permute(input, (layer.params as { order: number[] }).order)];
      case "Pad":
        return [pad(input, layer.params as unknown as PadParams)];
      case "Identity":
        return [input];
      case "ReLU":
        return [relu(input, negativeSlope(layer.params))];
      case "LRN":
        return [lrn(input, lrnParams(layer.params))];
      case "Softmax":
        return [softmax(input, withDefaults<SoftmaxParams>(layer.params, { axis: 1 }))];
      case "Dropout":
        return [dropout(input)];
      case "BatchNorm":
        return [
          batchNorm(input, blob(layer, weights, 0), blob(layer, weights, 1), blob(layer, weights, 2),
            withDefaults<BatchNormParams>(layer.params, { eps: 1e-5 })),
        ];
      case "Scale": {
        const p = scaleParams(layer.params);
        if (inputs.length >= 2) {
          return [scale(input, inputs[1]!, p.biasTerm ? blob(layer, weights, 0) : undefined, p)];
        }
        const shape = layer.paramShapes[0] ?? layerParamShapes(layer, [input.shape])[0]!;
        const factors: Tensor = { shape, data: blob(layer, weights, 0) };
        return [scale(input, factors, p.biasTerm ? blob(layer, weights, 1) : undefined, p)];
      }
      case "Concat":
        return [concat(inputs, withDefaults<ConcatParams>(layer.params, { axis: 1 }))];
      case "Eltwise":
        return [eltwise(inputs, eltwiseParams(layer.params))];
      case "Split":
        return split(input, layer.tops.length);
      case "Flatten":
        return [flatten(input, withDefaults<FlattenParams>(layer.params, { axis: 1, endAxis: -1 }))];
      case "Reshape":
        return [reshape(input, layer.params as ReshapeParams)];
      case "Deconvolution": {
        const p = convolutionParams(layer.params);
        return [deconvolution(input, blob(layer, weights, 0), p.biasTerm ? blob(layer, weights, 1) : undefined, p)];
      }
      case "Sigmoid":
        return [sigmoid(input)];
      case "TanH":
        return [tanh(input)];
      case "AbsVal":
        return [absVal(input)];
      case "BNLL":
        return [bnll(input)];
      case "Power":
        return [power(input, powerParams(layer.params))];
      case "Exp":
        return [exp(input, expLogParams(layer.params))];
      case "Log":
        return [log(input, expLogParams(layer.params))];
      case "Clip": {
        const p = layer.params as { min?: number; max?: number };
        if (typeof p.min !== "number" || typeof p.max !== "number") throw new InvalidModelError(`params.min and params.max are required`);
        return [clip(input, p.min, p.max)];
      }
      case "Swish":
        return [swish(input, numberParam(layer.params, "beta", 1))];
      case "Threshold":
        return [threshold(input, numberParam(layer.params, "threshold", 0))];
      case "ELU":
        return [elu(input, numberParam(layer.params, "alpha", 1))];
      case "PReLU":
        return [prelu(input, blob(layer, weights, 0), (layer.params as { channelShared?: boolean }).channelShared === true)];
      case "Bias": {
        const axis = biasParams(layer.params).axis;
        if (inputs.length >= 2) return [bias(input, inputs[1]!, axis)];
        const shape = layer.paramShapes[0] ?? layerParamShapes(layer, [input.shape])[0]!;
        return [bias(input, { shape, data: blob(layer, weights, 0) }, axis)];
      }
      case "Slice":
        return slice(input, sliceParams(layer.params), layer.tops.length);
      case "Crop": {
        const reference = inputs[1];
        if (reference === undefined) throw new InvalidModelError(`needs two inputs (the tensor and the reference shape)`);
        return [crop(input, reference.shape, cropParams(layer.params))];
      }
      case "Tile":
        return [tile(input, tileParams(layer.params))];
      case "ArgMax":
        return [argMax(input, argMaxParams(layer.params))];
      case "Reduction":
        return [reduction(input, reductionParams(layer.params))];
      case "Silence":
        return [];
      case "Input":
        throw new InvalidModelError(`Input layers take their tensors from the run's inputs`);
      default:
        return unsupported(layer);
    }
  });
}

function blob(layer: Layer, weights: LayerWeights, index: number): Float32Array {
  const w = weights[index];
  if (w === undefined) throw new InvalidModelError(`missing learned blob ${index} (has ${weights.length})`);
  return w;
}
