/**
 * Real timings (IONN §4 "Install Phase (Client)" and "(Server)"): time each
 * layer of a network on a real {@link Executor} into an execution profile,
 * and turn a measured profile into regression samples so prediction
 * functions can be fitted on this machine's own measurements.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Network } from "../model/types.js";
import { tensorKey, tensorShape, shapeSize } from "../model/types.js";
import { alignProfile } from "../profile/profile.js";
import type { ExecutionProfile } from "../profile/profile.js";
import type { Executor, LayerWeights, Tensor } from "../executor/types.js";
import { DATA_FREE_TYPES, type RegressionSample } from "./fit.js";
import { mulberry32 } from "../random.js";

/** Options of {@link profileExecutor}. */
export interface ProfileExecutorOptions {
  /** Untimed runs of each layer before timing (default 1). */
  readonly warmup?: number;
  /** Timed runs of each layer; the median is kept (default 5; see `statistic`). */
  readonly repetitions?: number;
  /**
   * Which of the timed runs is the layer's entry (default `"median"`); `"min"`
   * is robust against a machine shared with other work (contention only adds time).
   */
  readonly statistic?: "median" | "min";
  /** Clock in milliseconds (default `performance.now`). Injected so tests need no real time. */
  readonly now?: () => number;
  /** Weights to load first (all layers are loaded); omit when the executor already holds every layer. */
  readonly weights?: ReadonlyMap<string, LayerWeights>;
  /** Network input tensors keyed by {@link tensorKey} (default: seeded uniform [0, 1) values). */
  readonly inputs?: ReadonlyMap<string, Tensor>;
  /** Seed of the default inputs (default 1). */
  readonly seed?: number;
  /** Device label stored in the profile (default `"executor"`). */
  readonly device?: string;
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Time every runtime layer of `network` on `executor`: one full run produces
 * every intermediate tensor, then each layer is run alone on its recorded
 * inputs `warmup` times untimed and `repetitions` times timed; its entry is
 * the median. Input layers are not run (0 ms): their tensors are the network
 * inputs.
 *
 * Cost: (warmup + repetitions + 1) forward passes, plus memory for every
 * intermediate tensor of one pass.
 *
 * @throws {@link InvalidArgumentError} for repetitions < 1 or warmup < 0, a
 *   missing network input, or layers the executor has not loaded (when no
 *   `weights` are given).
 * @example
 * ```ts
 * const profile = await profileExecutor(referenceExecutor(), network, { weights, repetitions: 5 });
 * const fns = fitPredictionFunctions(samplesFromProfile(network, profile));
 * ```
 */
export async function profileExecutor(executor: Executor, network: Network, options: ProfileExecutorOptions = {}): Promise<ExecutionProfile> {
  const warmup = options.warmup ?? 1;
  const repetitions = options.repetitions ?? 5;
  const now = options.now ?? (() => performance.now());
  const statistic = options.statistic ?? "median";
  if (statistic !== "median" && statistic !== "min") throw new InvalidArgumentError(`profileExecutor: statistic must be "median" or "min", got ${String(statistic)}`);
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new InvalidArgumentError(`profileExecutor: repetitions must be an integer ≥ 1, got ${repetitions}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new InvalidArgumentError(`profileExecutor: warmup must be an integer ≥ 0, got ${warmup}`);

  const runnable = network.layers.filter((l) => l.type !== "Input");
  if (options.weights !== undefined) {
    await executor.load(runnable, options.weights);
  } else {
    const loaded = executor.loadedLayers();
    const missing = runnable.filter((l) => !loaded.has(l.name)).map((l) => l.name);
    if (missing.length > 0) {
      throw new InvalidArgumentError(`profileExecutor: the executor has not loaded ${missing.length} layer(s) of ${network.name} (first: "${missing[0]}") and no weights were given`);
    }
  }

  // Network inputs.
  const inputs = new Map<string, Tensor>();
  const random = mulberry32(options.seed ?? 1);
  for (const ref of network.inputs) {
    const key = tensorKey(ref);
    const given = options.inputs?.get(key);
    if (given !== undefined) {
      inputs.set(key, given);
    } else if (options.inputs !== undefined) {
      throw new InvalidArgumentError(`profileExecutor: no input tensor ${key} for network ${network.name}`);
    } else {
      const shape = tensorShape(network, ref);
      const data = new Float32Array(shapeSize(shape));
      for (let i = 0; i < data.length; i++) data[i] = random();
      inputs.set(key, { shape, data });
    }
  }

  // One full pass recording every tensor.
  const allOutputs: string[] = [];
  for (const layer of runnable) layer.outputShapes.forEach((_, top) => allOutputs.push(tensorKey({ layer: layer.index, top })));
  const produced = await executor.run(runnable.map((l) => l.index), inputs, allOutputs);
  const tensors = new Map<string, Tensor>([...inputs, ...produced]);

  const layers: { name: string; type: string; ms: number }[] = [];
  for (const layer of network.layers) {
    if (layer.type === "Input") {
      layers.push({ name: layer.name, type: layer.type, ms: 0 });
      continue;
    }
    const layerInputs = new Map<string, Tensor>();
    for (const ref of layer.inputs) {
      const key = tensorKey(ref);
      const t = tensors.get(key);
      if (t === undefined) throw new InvalidArgumentError(`profileExecutor: tensor ${key} read by layer "${layer.name}" was not produced`);
      layerInputs.set(key, t);
    }
    const outputs = layer.outputShapes.map((_, top) => tensorKey({ layer: layer.index, top }));
    for (let i = 0; i < warmup; i++) await executor.run([layer.index], layerInputs, outputs);
    const times: number[] = [];
    for (let i = 0; i < repetitions; i++) {
      const start = now();
      await executor.run([layer.index], layerInputs, outputs);
      times.push(Math.max(0, now() - start));
    }
    layers.push({ name: layer.name, type: layer.type, ms: statistic === "min" ? Math.min(...times) : medianOf(times) });
  }
  return { device: options.device ?? "executor", source: `profileExecutor:${network.name}`, layers };
}

/**
 * Regression samples from a measured profile of a network (aligned by
 * position, names checked): one sample per layer, with the layer attached so
 * every variable set can be computed. Data-free layers (Input, Split,
 * Reshape, Flatten) are left out unless `includeDataFree` is true.
 * @throws {@link ProfileMismatchError} when the profile does not fit the network.
 * @example
 * ```ts
 * const fns = fitPredictionFunctions(samplesFromProfile(network, parseProfile(text, "server.txt")));
 * ```
 */
export function samplesFromProfile(network: Network, profile: ExecutionProfile, options: { includeDataFree?: boolean } = {}): RegressionSample[] {
  const ms = alignProfile(network, profile);
  const samples: RegressionSample[] = [];
  network.layers.forEach((layer, i) => {
    if (!options.includeDataFree && DATA_FREE_TYPES.has(layer.type)) return;
    samples.push({ type: layer.type, layer, ms: ms[i]! });
  });
  return samples;
}
