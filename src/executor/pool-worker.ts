/**
 * The body of one worker thread of {@link workerPool}: receives a job (layer
 * definitions, weights in shared memory, boundary tensors), runs it with the
 * reference executor (the same kernels, hence the same bits, as in the main
 * thread) and posts the wanted tensors back, transferring their buffers.
 *
 * @module
 * @internal
 */
import { parentPort } from "node:worker_threads";
import type { Layer } from "../model/types.js";
import type { LayerWeights, Tensor } from "../runtime/types.js";
import { referenceExecutor } from "./reference.js";

/** A job as posted by the pool. */
export interface PoolJob {
  readonly id: number;
  readonly layers: readonly Layer[];
  readonly weights: readonly (readonly [string, LayerWeights])[];
  readonly run: readonly number[];
  readonly inputs: readonly (readonly [string, Tensor])[];
  readonly outputs: readonly string[];
}

/** A job's answer. */
export type PoolReply =
  | { readonly id: number; readonly ok: true; readonly outputs: readonly (readonly [string, Tensor])[] }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

const port = parentPort;
if (port !== null) {
  port.on("message", (job: PoolJob) => {
    void (async () => {
      try {
        const executor = referenceExecutor();
        await executor.load(job.layers, new Map(job.weights));
        const result = await executor.run(job.run, new Map(job.inputs), job.outputs);
        const outputs: [string, Tensor][] = [];
        const transfer = new Set<ArrayBuffer>();
        for (const key of job.outputs) {
          const tensor = result.get(key)!;
          let data = tensor.data;
          // Weights live in shared memory and must not be detached; copy anything that is not a private, whole buffer.
          if (!(data.buffer instanceof ArrayBuffer) || transfer.has(data.buffer)) data = data.slice();
          transfer.add(data.buffer as ArrayBuffer);
          outputs.push([key, { shape: [...tensor.shape], data }]);
        }
        const reply: PoolReply = { id: job.id, ok: true, outputs };
        port.postMessage(reply, [...transfer]);
      } catch (error) {
        const reply: PoolReply = {
          id: job.id,
          ok: false,
          name: error instanceof Error ? error.name : "Error",
          message: error instanceof Error ? error.message : String(error),
        };
        port.postMessage(reply);
      }
    })();
  });
}
