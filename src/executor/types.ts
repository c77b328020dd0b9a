/**
 * The ground types of execution: a float32 {@link Tensor}, the weights of a
 * layer and the {@link Executor} interface every executor implements (the
 * reference executor, the ONNX Runtime adapter, the simulator's virtual
 * executors). The runtime imports them from here (`runtime/types.ts`
 * re-exports them).
 *
 * @module
 */
import type { Layer, Shape } from "../model/types.js";

/** A dense float32 tensor, row-major (NCHW for feature maps). */
export interface Tensor {
  /** Dimensions, outermost first (batch included). */
  readonly shape: Shape;
  /** The elements in row-major order; its length is the product of `shape`. */
  readonly data: Float32Array;
}

/**
 * Tensors keyed by {@link tensorKey} of their {@link TensorRef}
 * (`"<producer layer index>:<top index>"`).
 */
export type TensorMap = ReadonlyMap<string, Tensor>;

/** The learned parameter blobs of one layer, in {@link Layer.paramShapes} order. */
export type LayerWeights = readonly Float32Array[];

/**
 * Runs layers of one network. An executor starts empty; layers (their
 * definitions and weights) are loaded into it, then any set of loaded layers
 * can be run.
 *
 * @example
 * ```ts
 * const executor = referenceExecutor();
 * await executor.load(network.layers.slice(1, 4), weights);
 * const outputs = await executor.run([1, 2, 3], inputs);
 * ```
 */
export interface Executor {
  /**
   * Load (or replace) layers with their weights. `weights` maps a layer name
   * to its parameter blobs; layers with no parameters need no entry.
   */
  load(layers: readonly Layer[], weights: ReadonlyMap<string, LayerWeights>): Promise<void>;
  /**
   * Run the loaded layers whose runtime indices are given (any order; they
   * run in ascending index order). `inputs` must hold every tensor those
   * layers read that none of them produces. Returns the tensors named in
   * `outputs` (keys as {@link tensorKey}), each produced by one of these
   * layers or passed in `inputs`.
   */
  run(layers: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>>;
  /** Names of the loaded layers. */
  loadedLayers(): ReadonlySet<string>;
}
