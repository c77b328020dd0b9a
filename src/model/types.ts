/**
 * The network description every module shares: a list of layers in the
 * framework's *runtime* order (for Caffe: the Input layer, every declared
 * layer, and the Split layers Caffe inserts where one blob has several
 * consumers), each with its blobs, shapes, parameters and MACs.
 *
 * Shapes are at batch 1 (`[1, C, H, W]` for feature maps, `[1, N]` for
 * vectors). Tensors are identified by {@link TensorRef} (the producing layer
 * and the index of its top), which stays unambiguous with in-place layers
 * (a ReLU that reads and writes blob `conv1`).
 *
 * @module
 */

/** A tensor shape, outermost dimension first (batch included, = 1). */
export type Shape = readonly number[];

/** Identifies a tensor: the output `top` of the layer at runtime index `layer`. */
export interface TensorRef {
  /** Runtime index of the producing layer. */
  readonly layer: number;
  /** Index among that layer's tops. */
  readonly top: number;
}

/** Normalised Convolution parameters (Caffe `convolution_param`). */
export interface ConvolutionParams {
  readonly numOutput: number;
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  /** Number of groups (= input channels for a depthwise convolution). */
  readonly group: number;
  readonly biasTerm: boolean;
}

/** Normalised Pooling parameters (Caffe `pooling_param`). */
export interface PoolingParams {
  readonly method: "max" | "average";
  readonly kernelH: number;
  readonly kernelW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  /** Pool over the whole spatial extent (kernel = input size). */
  readonly global: boolean;
  /** Output size rounding: Caffe rounds up (`ceil`); other frameworks floor. */
  readonly rounding: "ceil" | "floor";
}

/** Normalised InnerProduct (fully connected) parameters. */
export interface InnerProductParams {
  readonly numOutput: number;
  readonly biasTerm: boolean;
  /** First axis flattened into the input vector (Caffe default 1). */
  readonly axis: number;
}

/** Local response normalisation (Caffe `lrn_param`). */
export interface LRNParams {
  readonly localSize: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  readonly region: "across_channels" | "within_channel";
}

/** Element-wise combination of several inputs. */
export interface EltwiseParams {
  readonly operation: "sum" | "prod" | "max";
  /** Per-input coefficients for `sum` (default all 1). */
  readonly coeffs: readonly number[];
}

/** Concatenation along an axis (default 1, channels). */
export interface ConcatParams {
  readonly axis: number;
}

/** Caffe BatchNorm: normalises with stored mean/variance (3 blobs: mean C, variance C, scale factor 1). */
export interface BatchNormParams {
  readonly eps: number;
}

/** Caffe Scale: per-channel multiply (and add with bias). */
export interface ScaleParams {
  readonly biasTerm: boolean;
  readonly axis: number;
}

/** Softmax along an axis (default 1). */
export interface SoftmaxParams {
  readonly axis: number;
}

/** Dropout (identity at inference). */
export interface DropoutParams {
  readonly ratio: number;
}

/** Reshape to `dims` (Caffe semantics: 0 copies the input dimension, -1 is inferred). */
export interface ReshapeParams {
  readonly dims: readonly number[];
}

/** Flatten dimensions `axis … endAxis` into one. */
export interface FlattenParams {
  readonly axis: number;
  readonly endAxis: number;
}

/** Input declaration: the shapes of the network's input blobs. */
export interface InputParams {
  readonly shapes: readonly Shape[];
}

/** Parameters of a layer, by type. Types without parameters (ReLU, Split, …) carry `{}`. */
export type LayerParams =
  | ConvolutionParams
  | PoolingParams
  | InnerProductParams
  | LRNParams
  | EltwiseParams
  | ConcatParams
  | BatchNormParams
  | ScaleParams
  | SoftmaxParams
  | DropoutParams
  | ReshapeParams
  | FlattenParams
  | InputParams
  | Readonly<Record<string, unknown>>;

/** One layer of a network, at its place in the runtime order. */
export interface Layer {
  /** Runtime index (position in {@link Network.layers}). */
  readonly index: number;
  /** Layer name, unique in the network (Caffe's names, e.g. `pool1_pool1_0_split`). */
  readonly name: string;
  /**
   * Layer type, in Caffe's vocabulary where one exists: `Input`, `Convolution`,
   * `Pooling`, `InnerProduct`, `ReLU`, `LRN`, `Dropout`, `Concat`, `Eltwise`,
   * `BatchNorm`, `Scale`, `Softmax`, `Split`, `Flatten`, `Reshape`. Importers of
   * other formats map onto these, or keep their own name for opaque layers.
   */
  readonly type: string;
  /** Input blob names as declared (Caffe `bottom`; after split insertion for Caffe). */
  readonly bottoms: readonly string[];
  /** Output blob names (Caffe `top`); an in-place layer's top equals its bottom. */
  readonly tops: readonly string[];
  /** The tensor each bottom reads: the last writer of that blob before this layer (true dataflow). */
  readonly inputs: readonly TensorRef[];
  /** Shapes of the inputs, one per bottom. */
  readonly inputShapes: readonly Shape[];
  /** Shapes of the outputs, one per top. */
  readonly outputShapes: readonly Shape[];
  /** Normalised type-specific parameters. */
  readonly params: LayerParams;
  /** Shapes of the learned parameter blobs, in the framework's order (e.g. conv: weights, bias). */
  readonly paramShapes: readonly Shape[];
  /** Number of learned parameters (sum of the param blob element counts). */
  readonly parameters: number;
  /** Multiply–accumulate operations of one forward pass at batch 1. */
  readonly macs: number;
  /** True for layers that produce nothing a consumer needs to be uploaded for (e.g. opaque imports); default false. */
  readonly opaque?: boolean;
}

/** A network: layers in runtime order plus its input and output tensors. */
export interface Network {
  /** Network name (from the file, or the zoo name). */
  readonly name: string;
  /** Layers in runtime order; `layers[i].index === i`. */
  readonly layers: readonly Layer[];
  /** The network's input tensors (produced by its Input layer(s)). */
  readonly inputs: readonly TensorRef[];
  /** The network's output tensors: tops that no later layer reads. */
  readonly outputs: readonly TensorRef[];
  /** Where the description came from (file path, zoo name), for error messages. */
  readonly source?: string;
}

/** Bytes of float32 parameters of a layer (4 × {@link Layer.parameters}). */
export function parameterBytes(layer: Layer): number {
  return layer.parameters * 4;
}

/** Number of elements of a shape (1 for the empty shape). */
export function shapeSize(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Bytes of a float32 tensor of this shape. */
export function shapeBytes(shape: Shape): number {
  return shapeSize(shape) * 4;
}

/** The shape of a tensor of the network. */
export function tensorShape(network: Network, ref: TensorRef): Shape {
  const layer = network.layers[ref.layer];
  const shape = layer?.outputShapes[ref.top];
  if (shape === undefined) {
    throw new RangeError(`no tensor ${ref.layer}:${ref.top} in network ${network.name}`);
  }
  return shape;
}

/** A stable string key for a tensor reference (`"<layer>:<top>"`). */
export function tensorKey(ref: TensorRef): string {
  return `${ref.layer}:${ref.top}`;
}

/** Total learned parameters of a network. */
export function totalParameters(network: Network): number {
  let total = 0;
  for (const layer of network.layers) total += layer.parameters;
  return total;
}

/** Total MACs of a network. */
export function totalMacs(network: Network): number {
  let total = 0;
  for (const layer of network.layers) total += layer.macs;
  return total;
}
