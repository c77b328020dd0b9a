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
import { UnknownShapeError } from "../errors.js";

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
  /** Number of output channels. */
  readonly numOutput: number;
  /** Kernel height, in elements. */
  readonly kernelH: number;
  /** Kernel width, in elements. */
  readonly kernelW: number;
  /** Vertical stride (Caffe default 1). */
  readonly strideH: number;
  /** Horizontal stride (Caffe default 1). */
  readonly strideW: number;
  /** Zero padding added to the top and to the bottom (Caffe default 0). */
  readonly padH: number;
  /** Zero padding added to the left and to the right (Caffe default 0). */
  readonly padW: number;
  /** Vertical dilation of the kernel taps (Caffe default 1). */
  readonly dilationH: number;
  /** Horizontal dilation of the kernel taps (Caffe default 1). */
  readonly dilationW: number;
  /** Number of groups (= input channels for a depthwise convolution). */
  readonly group: number;
  /** Whether a bias blob follows the weights (Caffe default `true`). */
  readonly biasTerm: boolean;
}

/** Normalised Pooling parameters (Caffe `pooling_param`). */
export interface PoolingParams {
  /** Maximum or average over each window (Caffe default `max`). */
  readonly method: "max" | "average";
  /** Window height, in elements (the input height when `global`). */
  readonly kernelH: number;
  /** Window width, in elements (the input width when `global`). */
  readonly kernelW: number;
  /** Vertical stride (Caffe default 1). */
  readonly strideH: number;
  /** Horizontal stride (Caffe default 1). */
  readonly strideW: number;
  /** Padding added to the top and to the bottom (Caffe default 0). */
  readonly padH: number;
  /** Padding added to the left and to the right (Caffe default 0). */
  readonly padW: number;
  /** Pool over the whole spatial extent (kernel = input size). */
  readonly global: boolean;
  /** Output size rounding: Caffe rounds up (`ceil`); other frameworks floor. */
  readonly rounding: "ceil" | "floor";
}

/** Normalised InnerProduct (fully connected) parameters. */
export interface InnerProductParams {
  /** Number of outputs (length of the output vector). */
  readonly numOutput: number;
  /** Whether a bias blob follows the weights (Caffe default `true`). */
  readonly biasTerm: boolean;
  /** First axis flattened into the input vector (Caffe default 1). */
  readonly axis: number;
  /** Weights stored `[K, N]` instead of `[N, K]` (Caffe `transpose`, default `false`). */
  readonly transpose?: boolean;
}

/** Local response normalisation (Caffe `lrn_param`). */
export interface LRNParams {
  /** Window size `n`: channels summed across, or the side of the square window within a channel (odd; Caffe default 5). */
  readonly localSize: number;
  /** Scale `α` of the sum of squares, divided by `n` across channels (Caffe default 1). */
  readonly alpha: number;
  /** Exponent `β` (Caffe default 0.75). */
  readonly beta: number;
  /** Additive constant `k` across channels (Caffe default 1; within a channel Caffe uses 1). */
  readonly k: number;
  /** Normalise across neighbouring channels or within a spatial window of one channel (Caffe default `across_channels`). */
  readonly region: "across_channels" | "within_channel";
}

/** Element-wise combination of several inputs. */
export interface EltwiseParams {
  /** How the inputs are combined (Caffe default `sum`). */
  readonly operation: "sum" | "prod" | "max";
  /** Per-input coefficients for `sum` (default all 1). */
  readonly coeffs: readonly number[];
}

/** Concatenation along an axis (default 1, channels). */
export interface ConcatParams {
  /** Axis the inputs are joined along; every other dimension must match (default 1, channels). */
  readonly axis: number;
}

/** Caffe BatchNorm: normalises with stored mean/variance (3 blobs: mean C, variance C, scale factor 1). */
export interface BatchNormParams {
  /** Added to the variance before the square root (Caffe default `1e-5`). */
  readonly eps: number;
}

/** Caffe Scale: per-channel multiply (and add with bias). */
export interface ScaleParams {
  /** Whether a bias blob is added after the multiply (Caffe default `false`). */
  readonly biasTerm: boolean;
  /** First input axis the scale factors span (default 1, channels). */
  readonly axis: number;
}

/** Softmax along an axis (default 1). */
export interface SoftmaxParams {
  /** Axis the probabilities are normalised over (default 1). */
  readonly axis: number;
}

/** Dropout (identity at inference). */
export interface DropoutParams {
  /** Fraction of units dropped during training, in `[0, 1)` (Caffe default 0.5); not used at inference. */
  readonly ratio: number;
}

/** Reshape to `dims` (Caffe semantics: 0 copies the input dimension, -1 is inferred). */
export interface ReshapeParams {
  /**
   * Target dimensions of the whole output, batch included (`0` copies the
   * input dimension, `-1` infers one dimension). The Caffe importer stores the
   * fully resolved output shape here, so Caffe's `axis`/`num_axes` (reshaping
   * only part of the input) need no field of their own.
   */
  readonly dims: readonly number[];
}

/** Flatten dimensions `axis … endAxis` into one. */
export interface FlattenParams {
  /** First dimension flattened (default 1; negative counts from the end). */
  readonly axis: number;
  /** Last dimension flattened, inclusive (default -1, the last; negative counts from the end). */
  readonly endAxis: number;
}

/** Input declaration: the shapes of the network's input blobs. */
export interface InputParams {
  /** One shape per top of the Input layer, with the batch dimension forced to 1. */
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
  /**
   * Indices of the tops whose shape the importer could not infer. Their
   * {@link Layer.outputShapes} entry is `[]`, which otherwise means a scalar;
   * absent (or empty) when every output shape is known.
   */
  readonly unknownOutputs?: readonly number[];
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

/** Whether the shape of top `top` of a layer is known (see {@link Layer.unknownOutputs}). */
export function outputShapeKnown(layer: Layer, top = 0): boolean {
  return !(layer.unknownOutputs?.includes(top) ?? false);
}

/**
 * Throws when some layer's output shape is unknown (see
 * {@link Layer.unknownOutputs}): sizes, and so plans, would be wrong.
 *
 * @param what what needs the shapes, for the message (e.g. `"a plan"`)
 * @param hint how the caller can proceed (appended to the message)
 * @throws {@link UnknownShapeError} naming the count and the first layers
 */
export function assertShapesKnown(network: Network, what = "a plan", hint = "give the input shapes (inputShapes / --input-shape NAME=DIMS) or allow unknown shapes explicitly"): void {
  const unknown = layersWithUnknownShapes(network);
  if (unknown.length === 0) return;
  const names = unknown.slice(0, 5).map((l) => `${l.name} (${l.type})`).join(", ");
  throw new UnknownShapeError(
    `${network.source ?? network.name}: ${unknown.length} of ${network.layers.length} layers have unknown output shapes (first: ${names}${unknown.length > 5 ? ", …" : ""}), so ${what} would price them as empty; ${hint}`,
  );
}

/** The layers of a network with at least one output of unknown shape, in runtime order. */
export function layersWithUnknownShapes(network: Network): Layer[] {
  return network.layers.filter((layer) => (layer.unknownOutputs?.length ?? 0) > 0);
}
