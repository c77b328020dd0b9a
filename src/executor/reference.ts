/**
 * The bundled in-process reference executor: runs loaded layers with the
 * float32 kernels of `./kernels/`, deterministically (same inputs, same
 * weights, same bits). It is the execution engine of both the IONN client
 * and the edge server in this library (IONN §4, Figure 3), and the oracle for
 * "collaborative output equals local output".
 *
 * @module
 */
import type { Layer } from "../model/types.js";
import type { Executor, LayerWeights, Tensor } from "./types.js";
import { createEngine } from "./engine.js";
import { forwardLayer } from "./layer.js";
import { randomWeights } from "./random-weights.js";

/** Options of {@link referenceExecutor}. */
export interface ReferenceExecutorOptions {
  /**
   * When set, a layer loaded without a weights entry gets the weights
   * {@link randomWeights} generates for it with this seed, instead of an
   * error (default: unset, missing weights are an error).
   */
  readonly seed?: number;
  /** Check every computed output shape against {@link Layer.outputShapes} (default `true`). */
  readonly checkShapes?: boolean;
}

/**
 * Creates an empty reference executor.
 *
 * - `load(layers, weights)` checks every layer's type (else
 *   `UnsupportedLayerError` naming it) and its blobs against
 *   {@link Layer.paramShapes} (count and sizes; else `InvalidArgumentError`
 *   naming the layer); a failed load loads nothing. Loading a layer index
 *   again replaces it.
 * - `run(indices, inputs, outputs)` runs the given loaded layers in ascending
 *   index order. Tensors a layer reads come from earlier layers of the run or
 *   from `inputs` (keyed by `tensorKey`, e.g. `"3:0"`); an Input layer's
 *   tensors come from `inputs` under its own keys. Intermediate tensors are
 *   dropped after their last reader. Returns exactly the requested `outputs`
 *   (`InvalidArgumentError` naming the tensor or layer when one is missing or
 *   a layer is not loaded).
 *
 * Returned tensors may share buffers with each other or with `inputs`
 * (Split, Dropout, Flatten and Reshape do not copy); treat them as read-only.
 *
 * Cost: the layers' MACs at the kernels' speed (see bench/README.md); memory
 * is the loaded weights plus the live tensors of one run.
 *
 * @example
 * ```ts
 * const executor = referenceExecutor();
 * await executor.load(network.layers, randomWeights(network, 1));
 * const input = { shape: [1, 3, 32, 32], data: new Float32Array(3 * 32 * 32) };
 * const out = await executor.run(network.layers.map((l) => l.index), new Map([["0:0", input]]), ["7:0"]);
 * ```
 */
export function referenceExecutor(options: ReferenceExecutorOptions = {}): Executor {
  const seed = options.seed;
  return createEngine({
    label: "reference executor",
    compute: (layer: Layer, inputs: readonly Tensor[], weights: LayerWeights) => forwardLayer(layer, inputs, weights),
    missingWeights: seed === undefined ? undefined : (layer: Layer) => randomWeights([layer], seed).get(layer.name) ?? [],
    checkOutputShapes: options.checkShapes ?? true,
  });
}
