/**
 * The in-memory form of a Caffe `NetParameter`: what the prototxt parser
 * yields and what the built-in zoo builders produce, before Caffe's net
 * construction rules (runtime layer list, split insertion, shape inference)
 * turn it into a {@link Network}.
 *
 * Field names follow caffe.proto (snake_case) so that a parsed prototxt maps
 * onto it directly. Repeated fields are arrays; a message is a plain object.
 *
 * @module
 */

/** A protobuf text-format value: scalar, enum identifier, nested message or a repeated list of them. */
export type CaffeValue = string | number | boolean | CaffeMessage | readonly CaffeValue[];

/** A protobuf text-format message: field name → value (repeated fields hold arrays). */
export interface CaffeMessage {
  readonly [field: string]: CaffeValue | undefined;
}

/** A `BlobShape`: `{ dim: [1, 3, 224, 224] }`. */
export interface CaffeBlobShape {
  readonly dim: readonly number[];
}

/** One `layer { … }` entry. Type-specific parameters stay in their caffe.proto sub-messages. */
export interface CaffeLayerSpec {
  /** Layer name; must be unique in the net. */
  readonly name: string;
  /** Caffe layer type, e.g. `Convolution`, `ReLU`, `Input`. */
  readonly type: string;
  /** Names of the blobs the layer reads (default none). */
  readonly bottom?: readonly string[];
  /** Names of the blobs the layer writes; a top equal to a bottom is computed in place (default none). */
  readonly top?: readonly string[];
  /** Caffe `convolution_param` (Convolution, Deconvolution). */
  readonly convolution_param?: CaffeMessage;
  /** Caffe `pooling_param` (Pooling). */
  readonly pooling_param?: CaffeMessage;
  /** Caffe `inner_product_param` (InnerProduct). */
  readonly inner_product_param?: CaffeMessage;
  /** Caffe `lrn_param` (LRN). */
  readonly lrn_param?: CaffeMessage;
  /** Caffe `eltwise_param` (Eltwise). */
  readonly eltwise_param?: CaffeMessage;
  /** Caffe `concat_param` (Concat). */
  readonly concat_param?: CaffeMessage;
  /** Caffe `batch_norm_param` (BatchNorm). */
  readonly batch_norm_param?: CaffeMessage;
  /** Caffe `scale_param` (Scale). */
  readonly scale_param?: CaffeMessage;
  /** Caffe `softmax_param` (Softmax). */
  readonly softmax_param?: CaffeMessage;
  /** Caffe `dropout_param` (Dropout). */
  readonly dropout_param?: CaffeMessage;
  /** Caffe `reshape_param` (Reshape). */
  readonly reshape_param?: CaffeMessage;
  /** Caffe `flatten_param` (Flatten). */
  readonly flatten_param?: CaffeMessage;
  /** Caffe `input_param` (Input): one shape for all tops, or one per top. */
  readonly input_param?: {
    /** Input shapes (`shape { dim: … }` entries). */
    readonly shape: readonly CaffeBlobShape[];
  };
  /** Phase/level/stage rules (`NetStateRule`): the layer runs only in a state meeting one of them. */
  readonly include?: readonly CaffeMessage[];
  /** Phase/level/stage rules (`NetStateRule`): the layer is left out in a state meeting any of them. */
  readonly exclude?: readonly CaffeMessage[];
  /** Any other caffe.proto field (kept, ignored where irrelevant to inference). */
  readonly [field: string]: unknown;
}

/**
 * A whole net. Inputs are declared either by an `Input` layer or by the old
 * top-level `input` / `input_dim` / `input_shape` fields.
 */
export interface CaffeNetSpec {
  /** Net name (optional; {@link networkFromCaffeNet} falls back to its `source` label). */
  readonly name?: string;
  /** Legacy input blob names, declared outside any layer. */
  readonly input?: readonly string[];
  /** Legacy input dimensions: 4 values (N, C, H, W) per name in `input`. */
  readonly input_dim?: readonly number[];
  /** Legacy input shapes: one per name in `input` (alternative to `input_dim`). */
  readonly input_shape?: readonly CaffeBlobShape[];
  /**
   * The net state (`NetState`: `phase`, `level`, `stage`) declared in the file,
   * if any. The runtime list is always built for the TEST phase; `level` and
   * `stage` from here are honoured (default level 0, no stages).
   */
  readonly state?: CaffeMessage;
  /** The layers, in file order. */
  readonly layer: readonly CaffeLayerSpec[];
}
