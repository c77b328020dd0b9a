/**
 * The simulator's fastest executor (IONN §6: only layer *times* and tensor
 * *sizes* matter to the scenario): it computes nothing and allocates nothing
 * per run. Every output tensor is a zero-valued view, of the layer's declared
 * output shape, on one shared zero-filled buffer as large as the network's
 * largest tensor. Same `Executor` contract as the shape-only executor
 * (layers must be loaded; requested outputs must be produced by the run or
 * passed in), so the runtime cannot tell them apart; the timeline is
 * identical (checked in simulate.test.ts).
 *
 * NOTE: the returned tensors are read-only views sharing memory; the runtime
 * and the other simulated parts never write into tensors they receive.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Layer } from "../model/types.js";
import { shapeSize } from "../model/types.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "../runtime/types.js";

function parseKey(key: string): [number, number] {
  const colon = key.indexOf(":");
  return [Number(key.slice(0, colon)), Number(key.slice(colon + 1))];
}

/**
 * An empty virtual executor. `load` records layers (weights are not kept, not
 * checked); `run` checks that every named layer is loaded and that every
 * requested output is produced by one of them or given in `inputs`, and
 * returns zero-valued views of the declared shapes.
 *
 * Cost: `O(layers + outputs)` per run, no tensor allocation (the shared
 * buffer grows to the largest tensor seen, once).
 *
 * @throws {InvalidArgumentError} (from `run`) naming an unloaded layer or an output the run does not produce.
 * @example
 * ```ts
 * const executor = virtualExecutor();
 * await executor.load(network.layers, new Map());
 * const out = await executor.run([1, 2], new Map([["0:0", image]]), ["2:0"]);
 * out.get("2:0")!.shape; // network.layers[2].outputShapes[0]
 * ```
 */
export function virtualExecutor(): Executor {
  const loaded = new Map<number, Layer>();
  const names = new Set<string>();
  let zeros = new Float32Array(0);
  return {
    async load(layers: readonly Layer[], _weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
      for (const layer of layers) {
        loaded.set(layer.index, layer);
        names.add(layer.name);
      }
    },
    async run(layers: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
      const inRun = new Set<number>();
      for (const index of layers) {
        if (!loaded.has(index)) throw new InvalidArgumentError(`virtual executor: layer ${index} is not loaded`);
        inRun.add(index);
      }
      const result = new Map<string, Tensor>();
      for (const key of outputs) {
        const given = inputs.get(key);
        if (given !== undefined) {
          result.set(key, given);
          continue;
        }
        const [producer, top] = parseKey(key);
        const layer = loaded.get(producer);
        const shape = layer?.outputShapes[top];
        if (!inRun.has(producer) || shape === undefined) {
          throw new InvalidArgumentError(`virtual executor: output ${key} is not produced by the layers run (${layers.length} layers)`);
        }
        const size = shapeSize(shape);
        if (size > zeros.length) zeros = new Float32Array(size);
        result.set(key, { shape, data: zeros.subarray(0, size) });
      }
      return result;
    },
    loadedLayers(): ReadonlySet<string> {
      return names;
    },
  };
}
