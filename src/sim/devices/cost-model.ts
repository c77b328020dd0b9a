/**
 * Analytic per-layer cost models of the simulated devices (IONN §2 and §6.1:
 * an Odroid-XU4 client running Caffe on its ARM CPU, a GTX 1080 Ti edge
 * server). A layer's time is a fixed per-layer cost plus linear terms in the
 * work it does (MACs, window elements, elements) and the bytes it moves
 * (weights, activations), with one small set of named constants per layer
 * type ({@link DeviceConstants}). The constants of each device are calibrated
 * against the IONN authors' published per-layer profiles by
 * `scripts/calibrate-devices.ts`.
 *
 * @module
 */
import type { ConvolutionParams, Layer, LRNParams, PoolingParams } from "../../model/types.js";
import { parameterBytes, shapeSize } from "../../model/types.js";

/** Cost of a convolution with dense (or few-group) filters. */
export interface ConvolutionConstants {
  /** Fixed cost per layer, ms (kernel launches, im2col set-up). */
  readonly fixedMs: number;
  /** ns per multiply–accumulate (1 / effective GMAC/s). */
  readonly nsPerMac: number;
  /** ns per byte of float32 weights (GEMM with a small spatial side re-reads the weights). */
  readonly nsPerWeightByte: number;
  /** ns per byte of input + output feature maps (im2col traffic). */
  readonly nsPerActivationByte: number;
}

/** Cost of a depthwise convolution (group = input channels > 1, MobileNet). */
export interface DepthwiseConstants {
  /** Fixed cost per layer, ms. */
  readonly fixedMs: number;
  /** ns per multiply–accumulate. */
  readonly nsPerMac: number;
  /** Cost per group, ms: Caffe runs one im2col + GEMM per group. */
  readonly msPerGroup: number;
}

/** Cost of a fully connected layer: memory-bound, it streams its weights once. */
export interface InnerProductConstants {
  /** Fixed cost per layer, ms. */
  readonly fixedMs: number;
  /** ns per byte of float32 weights (1 / effective GB/s). */
  readonly nsPerWeightByte: number;
}

/** Cost of pooling: window reads plus one pass over the input. */
export interface PoolingConstants {
  /** Fixed cost per layer, ms. */
  readonly fixedMs: number;
  /** ns per window element read (output elements × kernelH × kernelW). */
  readonly nsPerWindowElement: number;
  /** ns per input element. */
  readonly nsPerInputElement: number;
}

/** Cost of a layer whose work is proportional to its elements. */
export interface ElementConstants {
  /** Fixed cost per layer, ms. */
  readonly fixedMs: number;
  /** ns per element (see {@link elementCount} for what is counted per type). */
  readonly nsPerElement: number;
}

/** All the named constants of a device cost model. */
export interface DeviceConstants {
  readonly convolution: ConvolutionConstants;
  readonly depthwiseConvolution: DepthwiseConstants;
  readonly innerProduct: InnerProductConstants;
  readonly pooling: PoolingConstants;
  /** LRN: per input element × local_size. */
  readonly lrn: ElementConstants;
  readonly relu: ElementConstants;
  readonly batchNorm: ElementConstants;
  readonly scale: ElementConstants;
  /** Eltwise: per input element (all inputs). */
  readonly eltwise: ElementConstants;
  /** Concat: per output element copied. */
  readonly concat: ElementConstants;
  readonly softmax: ElementConstants;
  readonly dropout: ElementConstants;
  /** Any other computing type (TanH, Sigmoid, opaque layers …): per output element. Not calibrated: ReLU's constants. */
  readonly other: ElementConstants;
  /** Input, Split, Reshape, Flatten: they share or relabel blobs; a fixed cost, ms. */
  readonly dataFreeMs: number;
}

/** A simulated device: per-layer time from type, work and bytes. */
export interface DeviceModel {
  /** Device name as used on the command line (`odroid-xu4`, `gtx-1080ti`). */
  readonly name: string;
  /** One-line description (hardware, software stack). */
  readonly description: string;
  /** The constants the model evaluates. */
  readonly constants: DeviceConstants;
  /** Modelled time of one forward pass of the layer at batch 1, ms (≥ 0). */
  layerMs(layer: Layer): number;
}

const DATA_FREE = new Set(["Input", "Split", "Reshape", "Flatten"]);

/** True for a depthwise convolution: more than one group and one input channel per group. */
export function isDepthwise(layer: Layer): boolean {
  if (layer.type !== "Convolution") return false;
  const p = layer.params as ConvolutionParams;
  const cin = layer.inputShapes[0]?.[1] ?? 0;
  return p.group > 1 && p.group === cin;
}

function sumSizes(shapes: readonly (readonly number[])[]): number {
  let n = 0;
  for (const s of shapes) n += shapeSize(s);
  return n;
}

/** Convolution MACs computed from shapes (independent of the importer's MAC convention). */
export function convolutionMacs(layer: Layer): number {
  const p = layer.params as ConvolutionParams;
  const cin = layer.inputShapes[0]?.[1] ?? 0;
  return sumSizes(layer.outputShapes) * (cin / Math.max(1, p.group)) * p.kernelH * p.kernelW;
}

/**
 * The elements an element-cost layer is charged for: LRN input × local_size;
 * Eltwise all inputs; everything else its outputs.
 */
export function elementCount(layer: Layer): number {
  switch (layer.type) {
    case "LRN":
      return sumSizes(layer.inputShapes) * ((layer.params as LRNParams).localSize ?? 5);
    case "Eltwise":
      return sumSizes(layer.inputShapes);
    default:
      return sumSizes(layer.outputShapes);
  }
}

/**
 * The features a layer is charged on, by cost class: the independent
 * variables of the calibration fit and of {@link layerMsFromConstants}.
 * The first feature of each class is the constant 1 (the fixed cost).
 */
export type CostClass =
  | "convolution"
  | "depthwiseConvolution"
  | "innerProduct"
  | "pooling"
  | "lrn"
  | "relu"
  | "batchNorm"
  | "scale"
  | "eltwise"
  | "concat"
  | "softmax"
  | "dropout"
  | "other"
  | "dataFree";

/** The cost class of a layer. */
export function costClass(layer: Layer): CostClass {
  if (DATA_FREE.has(layer.type)) return "dataFree";
  switch (layer.type) {
    case "Convolution":
    case "Deconvolution":
      return isDepthwise(layer) ? "depthwiseConvolution" : "convolution";
    case "InnerProduct":
      return "innerProduct";
    case "Pooling":
      return "pooling";
    case "LRN":
      return "lrn";
    case "ReLU":
      return "relu";
    case "BatchNorm":
      return "batchNorm";
    case "Scale":
      return "scale";
    case "Eltwise":
      return "eltwise";
    case "Concat":
      return "concat";
    case "Softmax":
      return "softmax";
    case "Dropout":
      return "dropout";
    default:
      return "other";
  }
}

/**
 * Feature vector of a layer for its cost class, in the order of the class's
 * constants (fixed cost first, as 1; work terms in the units of the `ns…`
 * constants, scaled to ms by 1e-6).
 */
export function costFeatures(layer: Layer): { cls: CostClass; features: number[] } {
  const cls = costClass(layer);
  switch (cls) {
    case "convolution": {
      const activationBytes = 4 * (sumSizes(layer.inputShapes) + sumSizes(layer.outputShapes));
      return { cls, features: [1, convolutionMacs(layer) * 1e-6, parameterBytes(layer) * 1e-6, activationBytes * 1e-6] };
    }
    case "depthwiseConvolution":
      return { cls, features: [1, convolutionMacs(layer) * 1e-6, (layer.params as ConvolutionParams).group] };
    case "innerProduct":
      return { cls, features: [1, parameterBytes(layer) * 1e-6] };
    case "pooling": {
      const p = layer.params as PoolingParams;
      const window = sumSizes(layer.outputShapes) * p.kernelH * p.kernelW;
      return { cls, features: [1, window * 1e-6, sumSizes(layer.inputShapes) * 1e-6] };
    }
    case "dataFree":
      return { cls, features: [1] };
    default:
      return { cls, features: [1, elementCount(layer) * 1e-6] };
  }
}

/** The constants of a class as a vector matching {@link costFeatures}. */
export function classCoefficients(constants: DeviceConstants, cls: CostClass): number[] {
  switch (cls) {
    case "convolution": {
      const c = constants.convolution;
      return [c.fixedMs, c.nsPerMac, c.nsPerWeightByte, c.nsPerActivationByte];
    }
    case "depthwiseConvolution": {
      const c = constants.depthwiseConvolution;
      return [c.fixedMs, c.nsPerMac, c.msPerGroup];
    }
    case "innerProduct":
      return [constants.innerProduct.fixedMs, constants.innerProduct.nsPerWeightByte];
    case "pooling": {
      const c = constants.pooling;
      return [c.fixedMs, c.nsPerWindowElement, c.nsPerInputElement];
    }
    case "dataFree":
      return [constants.dataFreeMs];
    default: {
      const c = constants[cls];
      return [c.fixedMs, c.nsPerElement];
    }
  }
}

/**
 * Modelled time of a layer under the given constants, ms (≥ 0).
 * Cost: O(number of input/output dimensions).
 */
export function layerMsFromConstants(constants: DeviceConstants, layer: Layer): number {
  const { cls, features } = costFeatures(layer);
  const coefficients = classCoefficients(constants, cls);
  let ms = 0;
  for (let i = 0; i < features.length; i++) ms += features[i]! * coefficients[i]!;
  return ms > 0 ? ms : 0;
}

/** Build a {@link DeviceModel} from constants. */
export function deviceModel(name: string, description: string, constants: DeviceConstants): DeviceModel {
  return {
    name,
    description,
    constants,
    layerMs: (layer) => layerMsFromConstants(constants, layer),
  };
}
