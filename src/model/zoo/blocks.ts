/**
 * Building blocks for the built-in model zoo (IONN §6.1, Table 1): small
 * functions that each return one Caffe layer description
 * ({@link CaffeLayerSpec}, caffe.proto field names), plus the composite
 * "convolution → BatchNorm → Scale → ReLU" unit that the BN-era networks
 * repeat, and a tiny collector that keeps the layers in declaration order.
 *
 * The zoo builders (`alexnet.ts`, `googlenet.ts`, …) compose these in loops,
 * the way torchvision defines its models, instead of embedding prototxt text.
 * Nothing here applies Caffe's runtime rules (Input layer, Split insertion,
 * shape inference): that is `networkFromCaffeNet` in `../caffe/net.ts`.
 *
 * Defaults follow caffe.proto: a field left out here is left out of the
 * message, so Caffe's own default applies (stride 1, pad 0, group 1,
 * `bias_term: true`, LRN `k: 1`, BatchNorm `eps: 1e-5`, Eltwise `SUM`).
 *
 * @module
 */
import type { CaffeBlobShape, CaffeLayerSpec, CaffeMessage, CaffeNetSpec } from "../caffe/spec.js";

/** Geometry and options of a Caffe `Convolution` layer. */
export interface ConvolutionOptions {
  /** Number of output channels (`num_output`). */
  readonly numOutput: number;
  /** Square kernel size (`kernel_size`). */
  readonly kernel: number;
  /** Stride (default: left out, i.e. Caffe's 1). */
  readonly stride?: number;
  /** Zero padding on each side (default: left out, i.e. Caffe's 0). */
  readonly pad?: number;
  /** Number of groups; equal to the input channels for a depthwise convolution (default: left out, i.e. 1). */
  readonly group?: number;
  /** Whether the layer has a bias blob (default: left out, i.e. Caffe's `true`). */
  readonly biasTerm?: boolean;
  /** Extra `convolution_param` fields kept verbatim (e.g. `{ engine: "CAFFE" }`). */
  readonly extra?: CaffeMessage;
}

/** Options of a Caffe `Pooling` layer. */
export interface PoolingOptions {
  /** `MAX` or `AVE` (caffe.proto `PoolMethod`). */
  readonly method: "MAX" | "AVE";
  /** Square window size; omit with `global`. */
  readonly kernel?: number;
  /** Stride (default: left out, i.e. Caffe's 1). */
  readonly stride?: number;
  /** Padding (default: left out, i.e. Caffe's 0). */
  readonly pad?: number;
  /** Pool over the whole spatial extent (`global_pooling: true`); default `false`. */
  readonly global?: boolean;
}

/** Options of a Caffe `LRN` layer (across channels). */
export interface LrnOptions {
  readonly localSize: number;
  readonly alpha: number;
  readonly beta: number;
}

/**
 * A Caffe `Input` layer declaring one blob of the given shape (batch first).
 *
 * @example
 * ```ts
 * input("data", [1, 3, 227, 227]);
 * // { name: "data", type: "Input", top: ["data"], input_param: { shape: [{ dim: [1, 3, 227, 227] }] } }
 * ```
 */
export function input(name: string, shape: readonly number[]): CaffeLayerSpec {
  const blobShape: CaffeBlobShape = { dim: [...shape] };
  return { name, type: "Input", top: [name], input_param: { shape: [blobShape] } };
}

/**
 * A `Convolution` layer from `bottom` to `top`.
 *
 * @example
 * ```ts
 * convolution("conv1", "data", "conv1", { numOutput: 96, kernel: 11, stride: 4 });
 * ```
 */
export function convolution(
  name: string,
  bottom: string,
  top: string,
  options: ConvolutionOptions,
): CaffeLayerSpec {
  const param: Record<string, CaffeMessage[string]> = { num_output: options.numOutput };
  if (options.biasTerm !== undefined) param["bias_term"] = options.biasTerm;
  if (options.pad !== undefined) param["pad"] = options.pad;
  param["kernel_size"] = options.kernel;
  if (options.group !== undefined) param["group"] = options.group;
  if (options.stride !== undefined) param["stride"] = options.stride;
  if (options.extra !== undefined) Object.assign(param, options.extra);
  return { name, type: "Convolution", bottom: [bottom], top: [top], convolution_param: param };
}

/** An in-place `ReLU` on `blob`. */
export function relu(name: string, blob: string): CaffeLayerSpec {
  return { name, type: "ReLU", bottom: [blob], top: [blob] };
}

/**
 * A `BatchNorm` layer in inference mode (`use_global_stats: true`), in place
 * unless `top` is given. Caffe's BatchNorm holds 3 blobs: mean (C), variance
 * (C) and the moving-average factor (1).
 *
 * @param eps - `eps` written into the message; omitted by default (Caffe's 1e-5 applies).
 */
export function batchNorm(name: string, bottom: string, top: string = bottom, eps?: number): CaffeLayerSpec {
  const param: Record<string, CaffeMessage[string]> = { use_global_stats: true };
  if (eps !== undefined) param["eps"] = eps;
  return { name, type: "BatchNorm", bottom: [bottom], top: [top], batch_norm_param: param };
}

/** An in-place `Scale` layer on `blob`; `biasTerm` adds the per-channel bias (default `true`). */
export function scale(name: string, blob: string, biasTerm = true): CaffeLayerSpec {
  return { name, type: "Scale", bottom: [blob], top: [blob], scale_param: { bias_term: biasTerm } };
}

/**
 * A `Pooling` layer.
 *
 * @example
 * ```ts
 * pooling("pool1", "norm1", "pool1", { method: "MAX", kernel: 3, stride: 2 });
 * pooling("pool6", "conv6/sep", "pool6", { method: "AVE", global: true });
 * ```
 */
export function pooling(name: string, bottom: string, top: string, options: PoolingOptions): CaffeLayerSpec {
  const param: Record<string, CaffeMessage[string]> = { pool: options.method };
  if (options.global === true) param["global_pooling"] = true;
  if (options.kernel !== undefined) param["kernel_size"] = options.kernel;
  if (options.stride !== undefined) param["stride"] = options.stride;
  if (options.pad !== undefined) param["pad"] = options.pad;
  return { name, type: "Pooling", bottom: [bottom], top: [top], pooling_param: param };
}

/** A cross-channel `LRN` layer. */
export function lrn(name: string, bottom: string, top: string, options: LrnOptions): CaffeLayerSpec {
  return {
    name,
    type: "LRN",
    bottom: [bottom],
    top: [top],
    lrn_param: { local_size: options.localSize, alpha: options.alpha, beta: options.beta },
  };
}

/** An `InnerProduct` (fully connected) layer with bias. */
export function innerProduct(name: string, bottom: string, top: string, numOutput: number): CaffeLayerSpec {
  return { name, type: "InnerProduct", bottom: [bottom], top: [top], inner_product_param: { num_output: numOutput } };
}

/** An in-place `Dropout` on `blob` (identity at inference). */
export function dropout(name: string, blob: string, ratio: number): CaffeLayerSpec {
  return { name, type: "Dropout", bottom: [blob], top: [blob], dropout_param: { dropout_ratio: ratio } };
}

/** A channel `Concat` of `bottoms`, in the given order. */
export function concat(name: string, bottoms: readonly string[], top: string): CaffeLayerSpec {
  return { name, type: "Concat", bottom: [...bottoms], top: [top] };
}

/** An element-wise sum (`Eltwise` with Caffe's default operation `SUM`). */
export function eltwiseSum(name: string, bottoms: readonly string[], top: string): CaffeLayerSpec {
  return { name, type: "Eltwise", bottom: [...bottoms], top: [top] };
}

/** A `Softmax` over channels. */
export function softmax(name: string, bottom: string, top: string): CaffeLayerSpec {
  return { name, type: "Softmax", bottom: [bottom], top: [top] };
}

/** Layer names of one {@link convBnScaleRelu} unit. */
export interface ConvUnitNames {
  /** The Convolution layer; its top blob has the same name. */
  readonly conv: string;
  /** The BatchNorm layer (in place on the convolution's blob). */
  readonly bn: string;
  /** The Scale layer (in place). */
  readonly scale: string;
  /** The ReLU layer (in place); omit for a unit without activation (ResNet's branch1 and branch2c). */
  readonly relu?: string;
}

/**
 * The unit the BN-era networks repeat: a Convolution whose top is named after
 * the layer, followed in place by BatchNorm (inference statistics), Scale
 * with bias (the learned γ and β), and optionally ReLU. Returns the layers in
 * that order; the unit's output blob is `names.conv`.
 *
 * Parameters: conv weights (+ bias unless `biasTerm: false`), BatchNorm
 * 2C + 1, Scale 2C.
 *
 * @example
 * ```ts
 * convBnScaleRelu(
 *   { conv: "res2a_branch2a", bn: "bn2a_branch2a", scale: "scale2a_branch2a", relu: "res2a_branch2a_relu" },
 *   "pool1",
 *   { numOutput: 64, kernel: 1, biasTerm: false },
 * ); // 4 layers
 * ```
 */
export function convBnScaleRelu(
  names: ConvUnitNames,
  bottom: string,
  options: ConvolutionOptions,
  bnEps?: number,
): CaffeLayerSpec[] {
  const blob = names.conv;
  const layers = [
    convolution(names.conv, bottom, blob, options),
    batchNorm(names.bn, blob, blob, bnEps),
    scale(names.scale, blob, true),
  ];
  if (names.relu !== undefined) layers.push(relu(names.relu, blob));
  return layers;
}

/**
 * Collects layers in declaration order and produces the {@link CaffeNetSpec}.
 * Builders call {@link NetSpecBuilder.add} as they walk the architecture.
 */
export class NetSpecBuilder {
  private readonly layers: CaffeLayerSpec[] = [];

  /**
   * @param name - The net's `name` field.
   * @param inputDeclaration - Old-style top-level input fields (`input`,
   *   `input_dim`) when the published file declares its input that way rather
   *   than with an `Input` layer (default: none).
   */
  constructor(
    private readonly name: string,
    private readonly inputDeclaration?: { readonly input: readonly string[]; readonly input_dim: readonly number[] },
  ) {}

  /** Appends layers (in order) and returns the builder for chaining. */
  add(...layers: readonly (CaffeLayerSpec | readonly CaffeLayerSpec[])[]): this {
    for (const item of layers) {
      if (Array.isArray(item)) this.layers.push(...(item as readonly CaffeLayerSpec[]));
      else this.layers.push(item as CaffeLayerSpec);
    }
    return this;
  }

  /** The finished net description (a fresh object; the builder can keep adding). */
  build(): CaffeNetSpec {
    const layer = [...this.layers];
    if (this.inputDeclaration === undefined) return { name: this.name, layer };
    return {
      name: this.name,
      input: [...this.inputDeclaration.input],
      input_dim: [...this.inputDeclaration.input_dim],
      layer,
    };
  }
}
