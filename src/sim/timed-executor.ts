/**
 * Device time for the simulator (IONN §6.1: an Odroid-XU4 client and a
 * GTX 1080 Ti server): an {@link Executor} wrapper that runs the wrapped
 * executor (which takes no virtual time) and then charges the modelled time
 * of the layers it ran, and of the layers it loaded, on a
 * {@link VirtualClock}. Wrapping the shape-only executor gives a fast
 * simulator; wrapping the reference executor gives the same timeline with
 * real tensors.
 *
 * Server loading time (the IONN authors' model, see
 * `reference/ionn-reference-conventions.md`): Convolution
 * `0.003 × num_output + 0.7` ms, InnerProduct
 * `3e-7 × num_output × input_bytes + 1.3` ms, any other layer `0.00005` ms
 * ({@link referenceLoadMs}).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Layer } from "../model/types.js";
import { referenceLoadMs } from "../plan/presets.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "../runtime/types.js";
import type { VirtualClock } from "./clock.js";

/** What a timed executor was busy with. */
export type BusyKind = "run" | "load";

/** Options of {@link timedExecutor}. */
export interface TimedExecutorOptions {
  /** The clock the time is charged on. */
  readonly clock: VirtualClock;
  /** Modelled execution time of each runtime layer, ms, indexed by runtime layer index. */
  readonly layerMs: ArrayLike<number>;
  /** Modelled loading time of a layer when it is loaded, ms (default: 0, loading is free). */
  readonly loadMs?: (layer: Layer) => number;
  /** Called after each charged interval with its start and end (virtual ms). */
  readonly onBusy?: (startMs: number, endMs: number, kind: BusyKind) => void;
}

/**
 * Wrap `inner` so that `run(layers, …)` takes `Σ layerMs[i]` virtual ms over
 * the given runtime indices and `load(layers, …)` takes `Σ loadMs(layer)`.
 * Results are those of `inner`. Calls are not serialized here (the edge
 * server serializes its session's calls; the simulated client runs one query
 * at a time).
 *
 * Cost: `inner`'s cost plus `O(layers)` per call.
 *
 * @throws {InvalidArgumentError} when a run names a layer outside `layerMs` or a cost is negative or not finite.
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const client = timedExecutor(shapeOnlyExecutor(), { clock, layerMs: deviceProfile("odroid-xu4", network) });
 * const server = timedExecutor(shapeOnlyExecutor(), { clock, layerMs: deviceProfile("gtx-1080ti", network), loadMs: referenceLoadMs });
 * ```
 */
export function timedExecutor(inner: Executor, options: TimedExecutorOptions): Executor {
  const { clock, layerMs, onBusy } = options;
  const loadMs = options.loadMs;

  async function charge(ms: number, kind: BusyKind): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(`timedExecutor: modelled ${kind} time must be a finite number ≥ 0 ms, got ${ms}`);
    const start = clock.now();
    if (ms > 0) await clock.sleep(ms);
    onBusy?.(start, clock.now(), kind);
  }

  return {
    async load(layers: readonly Layer[], weights: ReadonlyMap<string, LayerWeights>): Promise<void> {
      await inner.load(layers, weights);
      if (loadMs !== undefined) {
        let ms = 0;
        for (const layer of layers) ms += loadMs(layer);
        await charge(ms, "load");
      }
    },
    async run(layers: readonly number[], inputs: TensorMap, outputs: readonly string[]): Promise<Map<string, Tensor>> {
      let ms = 0;
      for (const index of layers) {
        const cost = layerMs[index];
        if (cost === undefined) throw new InvalidArgumentError(`timedExecutor: no modelled time for runtime layer ${index} (${layerMs.length} layers costed)`);
        ms += cost;
      }
      const result = await inner.run(layers, inputs, outputs);
      await charge(ms, "run");
      return result;
    },
    loadedLayers(): ReadonlySet<string> {
      return inner.loadedLayers();
    },
  };
}

/** The server's per-layer loading time of the IONN authors' model (re-exported for the simulator; ms). */
export const serverLoadMs: (layer: Layer) => number = referenceLoadMs;
