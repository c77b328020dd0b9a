/**
 * Runs a whole network on the reference executor: the local-execution oracle
 * for "collaborative output equals local output" (IONN §4: the client can
 * always fall back to running every layer itself).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Network } from "../model/types.js";
import { tensorKey } from "../model/types.js";
import type { LayerWeights, Tensor, TensorMap } from "./types.js";
import { referenceExecutor } from "./reference.js";

/**
 * Loads every layer of `network` with `weights` into a fresh
 * {@link referenceExecutor} and runs them all. `input` is the tensor of the
 * network's single input, or a map keyed by `tensorKey` of
 * {@link Network.inputs} for several. Returns the network's outputs
 * ({@link Network.outputs}) keyed by `tensorKey`.
 *
 * Cost: one forward pass of the network.
 *
 * @throws {@link InvalidArgumentError} when a single tensor is given to a
 * network with several inputs, or an input is missing or of the wrong size.
 * @example
 * ```ts
 * const weights = randomWeights(network, 7);
 * const outputs = await runLocally(network, weights, { shape: [1, 3, 32, 32], data });
 * const probabilities = outputs.get(tensorKey(network.outputs[0]!));
 * ```
 */
export async function runLocally(
  network: Network,
  weights: ReadonlyMap<string, LayerWeights>,
  input: Tensor | TensorMap,
): Promise<Map<string, Tensor>> {
  let inputs: TensorMap;
  if (!isTensor(input)) {
    inputs = input;
  } else {
    if (network.inputs.length !== 1) {
      throw new InvalidArgumentError(
        `runLocally: network ${network.name} has ${network.inputs.length} inputs; pass a map keyed by ${network.inputs.map(tensorKey).join(", ")}`,
      );
    }
    inputs = new Map([[tensorKey(network.inputs[0]!), input as Tensor]]);
  }
  const executor = referenceExecutor();
  await executor.load(network.layers, weights);
  return executor.run(
    network.layers.map((layer) => layer.index),
    inputs,
    network.outputs.map(tensorKey),
  );
}

function isTensor(value: Tensor | TensorMap): value is Tensor {
  return "data" in value && (value as Tensor).data instanceof Float32Array && Array.isArray((value as Tensor).shape);
}
