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
  readonly name: string;
  readonly type: string;
  readonly bottom?: readonly string[];
  readonly top?: readonly string[];
  readonly convolution_param?: CaffeMessage;
  readonly pooling_param?: CaffeMessage;
  readonly inner_product_param?: CaffeMessage;
  readonly lrn_param?: CaffeMessage;
  readonly eltwise_param?: CaffeMessage;
  readonly concat_param?: CaffeMessage;
  readonly batch_norm_param?: CaffeMessage;
  readonly scale_param?: CaffeMessage;
  readonly softmax_param?: CaffeMessage;
  readonly dropout_param?: CaffeMessage;
  readonly reshape_param?: CaffeMessage;
  readonly flatten_param?: CaffeMessage;
  readonly input_param?: { readonly shape: readonly CaffeBlobShape[] };
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
  readonly name?: string;
  readonly input?: readonly string[];
  readonly input_dim?: readonly number[];
  readonly input_shape?: readonly CaffeBlobShape[];
  /**
   * The net state (`NetState`: `phase`, `level`, `stage`) declared in the file,
   * if any. The runtime list is always built for the TEST phase; `level` and
   * `stage` from here are honoured (default level 0, no stages).
   */
  readonly state?: CaffeMessage;
  readonly layer: readonly CaffeLayerSpec[];
}
