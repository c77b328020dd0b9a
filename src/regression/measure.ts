/**
 * The server install phase measured on this machine (IONN §4 "Install Phase
 * (Server)", §6.3 Table 3): a seeded sweep of layer configurations of many
 * types ("running diverse DNN models with different layer parameters") is
 * executed on a real {@link Executor} (the reference executor, or any other
 * behind the same interface), each layer timed with warm-up runs and
 * repetitions (the fastest run by default), and the per-type regression is fitted on a training
 * split and scored (R², RMSE) on held-out configurations.
 *
 * Each configuration is a one-layer Caffe net (Input layers + the layer),
 * written as prototxt and imported, so shapes, parameters and regression
 * variables follow the importer's rules exactly.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { importCaffePrototxt } from "../model/caffe/index.js";
import type { Network } from "../model/types.js";
import type { Executor, LayerWeights } from "../runtime/types.js";
import { mulberry32 } from "../random.js";
import { fitPredictionFunctions, predictLayerMs, type PredictionFunctions, type RegressionSample } from "./fit.js";
import { INSTALL_PHASE_TYPES } from "./install-phase.js";
import { profileExecutor, samplesFromProfile } from "./profile-executor.js";
import type { VariableSet } from "./variables.js";

/** The layer types the measured sweep covers (Table 3's ten, plus Dropout, Sigmoid and TanH). */
export const MEASURED_TYPES = [...INSTALL_PHASE_TYPES, "Sigmoid", "TanH"] as const;

/** A measured layer type. */
export type MeasuredType = (typeof MEASURED_TYPES)[number];

/** Size limits of a sweep (the default one and the `quick` one). */
interface SweepSize {
  readonly channels: readonly number[];
  readonly sizes: readonly number[];
  readonly maxConvMacs: number;
  readonly maxFcMacs: number;
  readonly fcInputs: readonly number[];
  readonly fcOutputs: readonly number[];
}

const FULL: SweepSize = {
  channels: [3, 8, 16, 32, 48, 64, 96, 128, 192, 256],
  sizes: [7, 13, 14, 27, 28, 56],
  maxConvMacs: 1.2e8,
  maxFcMacs: 2.5e7,
  fcInputs: [256, 512, 1024, 2048, 4096, 9216],
  fcOutputs: [10, 100, 256, 512, 1000, 2048, 4096],
};

const QUICK: SweepSize = {
  channels: [3, 4, 8, 12, 16, 24, 32],
  sizes: [5, 7, 9, 13, 14],
  maxConvMacs: 3e6,
  maxFcMacs: 1e6,
  fcInputs: [64, 128, 256, 512, 1024],
  fcOutputs: [10, 32, 64, 100, 256, 512],
};

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

function inputLayer(name: string, shape: readonly number[]): string {
  return `layer { name: "${name}" type: "Input" top: "${name}" input_param { shape { ${shape.map((d) => `dim: ${d}`).join(" ")} } } }`;
}

/** The prototxt of one random configuration of `type` (one layer named `l` on Input layers). */
function configuration(type: MeasuredType, random: () => number, size: SweepSize): string {
  const c = pick(random, size.channels);
  const h = pick(random, size.sizes);
  const feature = [1, c, h, h];
  switch (type) {
    case "Convolution": {
      for (let attempt = 0; ; attempt++) {
        const cin = pick(random, size.channels);
        const hin = pick(random, size.sizes);
        const kernel = pick(random, [1, 1, 3, 3, 5, 7]);
        const stride = pick(random, [1, 1, 2]);
        const out = pick(random, size.channels.slice(1));
        const pad = kernel >> 1;
        const hout = Math.floor((hin + 2 * pad - kernel) / stride) + 1;
        const macs = cin * out * kernel * kernel * hout * hout;
        if (macs > size.maxConvMacs && attempt < 1000) continue;
        return `${inputLayer("data", [1, cin, hin, hin])}\nlayer { name: "l" type: "Convolution" bottom: "data" top: "l" convolution_param { num_output: ${out} kernel_size: ${kernel} stride: ${stride} pad: ${pad} } }`;
      }
    }
    case "InnerProduct": {
      for (let attempt = 0; ; attempt++) {
        const inputs = pick(random, size.fcInputs);
        const outputs = pick(random, size.fcOutputs);
        if (inputs * outputs > size.maxFcMacs && attempt < 1000) continue;
        return `${inputLayer("data", [1, inputs])}\nlayer { name: "l" type: "InnerProduct" bottom: "data" top: "l" inner_product_param { num_output: ${outputs} } }`;
      }
    }
    case "Pooling": {
      const kernel = Math.min(h, pick(random, [2, 3, 3, 5]));
      const stride = pick(random, [1, 2, 2, 3]);
      const method = pick(random, ["MAX", "AVE"]);
      return `${inputLayer("data", feature)}\nlayer { name: "l" type: "Pooling" bottom: "data" top: "l" pooling_param { pool: ${method} kernel_size: ${kernel} stride: ${stride} } }`;
    }
    case "LRN":
      return `${inputLayer("data", feature)}\nlayer { name: "l" type: "LRN" bottom: "data" top: "l" lrn_param { local_size: ${pick(random, [3, 5])} alpha: 0.0001 beta: 0.75 } }`;
    case "BatchNorm":
      return `${inputLayer("data", feature)}\nlayer { name: "l" type: "BatchNorm" bottom: "data" top: "l" batch_norm_param { use_global_stats: true } }`;
    case "Scale":
      return `${inputLayer("data", feature)}\nlayer { name: "l" type: "Scale" bottom: "data" top: "l" scale_param { bias_term: true } }`;
    case "Eltwise": {
      const n = pick(random, [2, 2, 3]);
      const op = pick(random, ["SUM", "PROD", "MAX"]);
      const inputs = Array.from({ length: n }, (_, i) => inputLayer(`in${i}`, feature)).join("\n");
      const bottoms = Array.from({ length: n }, (_, i) => `bottom: "in${i}"`).join(" ");
      return `${inputs}\nlayer { name: "l" type: "Eltwise" ${bottoms} top: "l" eltwise_param { operation: ${op} } }`;
    }
    case "Concat": {
      const n = pick(random, [2, 3, 4]);
      const inputs = Array.from({ length: n }, (_, i) => inputLayer(`in${i}`, [1, pick(random, size.channels), h, h])).join("\n");
      const bottoms = Array.from({ length: n }, (_, i) => `bottom: "in${i}"`).join(" ");
      return `${inputs}\nlayer { name: "l" type: "Concat" ${bottoms} top: "l" }`;
    }
    case "Softmax": {
      const shape = random() < 0.5 ? [1, pick(random, [10, 100, 1000, 4096, 21841])] : feature;
      return `${inputLayer("data", shape)}\nlayer { name: "l" type: "Softmax" bottom: "data" top: "l" }`;
    }
    case "Dropout":
      return `${inputLayer("data", random() < 0.5 ? [1, pick(random, size.fcOutputs)] : feature)}\nlayer { name: "l" type: "Dropout" bottom: "data" top: "l" dropout_param { dropout_ratio: 0.5 } }`;
    default:
      // ReLU, Sigmoid, TanH
      return `${inputLayer("data", feature)}\nlayer { name: "l" type: "${type}" bottom: "data" top: "l" }`;
  }
}

/** One configuration of the sweep. */
export interface MeasurementNetwork {
  /** The layer type it measures. */
  readonly type: MeasuredType;
  /** Input layers and one layer of that type. */
  readonly network: Network;
}

/**
 * The sweep's networks: `perType` seeded configurations of each type, each a
 * one-layer net. Deterministic for a seed. `O(types × perType)`.
 * @throws {InvalidArgumentError} for perType < 4.
 */
export function measurementNetworks(options: { readonly perType?: number; readonly seed?: number; readonly quick?: boolean; readonly types?: readonly MeasuredType[] } = {}): MeasurementNetwork[] {
  const perType = options.perType ?? (options.quick ? 8 : 60);
  if (!Number.isInteger(perType) || perType < 4) throw new InvalidArgumentError(`measurementNetworks: perType must be an integer ≥ 4 (3 to fit, 1 held out), got ${perType}`);
  const random = mulberry32(options.seed ?? 1);
  const size = options.quick ? QUICK : FULL;
  const out: MeasurementNetwork[] = [];
  for (const type of options.types ?? MEASURED_TYPES) {
    if (!(MEASURED_TYPES as readonly string[]).includes(type)) throw new InvalidArgumentError(`measurementNetworks: unknown type "${type}" (expected ${MEASURED_TYPES.join(", ")})`);
    for (let i = 0; i < perType; i++) {
      const text = `name: "sweep-${type}-${i}"\n${configuration(type, random, size)}\n`;
      out.push({ type, network: importCaffePrototxt(text, `sweep-${type}-${i}.prototxt`) });
    }
  }
  return out;
}

/** One row of a held-out Table 3. */
export interface HeldOutRow {
  /** Layer type. */
  readonly type: string;
  /** R² on the held-out configurations (1 − SSE/SST about their mean); null when they have no variance. */
  readonly r2: number | null;
  /** RMSE on the held-out configurations, ms. */
  readonly rmseMs: number;
  /** Configurations fitted. */
  readonly samples: number;
  /** Configurations held out. */
  readonly heldOut: number;
  /** R² of the fit on its own (training) samples. */
  readonly trainR2: number | null;
  /** RMSE on the training samples, ms. */
  readonly trainRmseMs: number | null;
  /** Mean measured time of the held-out configurations, ms (scale of the RMSE). */
  readonly meanMs: number;
}

/** A per-type fit scored on held-out samples. */
export interface HeldOutFit {
  /** Per type, sorted by type. */
  readonly table: readonly HeldOutRow[];
  /** The functions fitted on the training split. */
  readonly functions: PredictionFunctions;
}

/**
 * Split the samples of each type (seeded shuffle) into a training part and
 * a held-out part of `round(heldOutFraction × n)` (at least 1, leaving at
 * least 3 to fit), fit the training part per type
 * ({@link fitPredictionFunctions}), and score each type's function on its
 * held-out samples. Types with fewer than 4 samples are left out.
 * `O(samples)`.
 *
 * @throws {InvalidArgumentError} for a fraction outside (0, 1).
 * @throws {RegressionError} when a type's training part cannot be fitted.
 */
export function heldOutFit(samples: readonly RegressionSample[], options: { readonly heldOutFraction?: number; readonly seed?: number; readonly variableSet?: VariableSet } = {}): HeldOutFit {
  const fraction = options.heldOutFraction ?? 0.25;
  if (!(fraction > 0 && fraction < 1)) throw new InvalidArgumentError(`heldOutFit: heldOutFraction must be in (0, 1), got ${fraction}`);
  const random = mulberry32(options.seed ?? 1);
  const byType = new Map<string, RegressionSample[]>();
  for (const s of samples) {
    if (s.layer === undefined) throw new InvalidArgumentError(`heldOutFit: sample of type ${s.type} has no layer (needed to evaluate its function)`);
    const list = byType.get(s.type) ?? [];
    list.push(s);
    byType.set(s.type, list);
  }
  const train: RegressionSample[] = [];
  const test = new Map<string, RegressionSample[]>();
  for (const [type, list] of [...byType].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (list.length < 4) continue;
    const order = list.map((s) => ({ s, key: random() }));
    order.sort((a, b) => a.key - b.key);
    const k = Math.min(list.length - 3, Math.max(1, Math.round(fraction * list.length)));
    test.set(type, order.slice(0, k).map((o) => o.s));
    train.push(...order.slice(k).map((o) => o.s));
  }
  const functions = fitPredictionFunctions(train, { variableSet: options.variableSet ?? "neurosurgeon", withFallback: false });
  const table: HeldOutRow[] = [];
  for (const [type, held] of test) {
    const fn = functions.functions.find((f) => f.type === type)!;
    let sse = 0;
    let mean = 0;
    for (const s of held) mean += s.ms;
    mean /= held.length;
    let sst = 0;
    for (const s of held) {
      const e = predictLayerMs(functions, s.layer!) - s.ms;
      sse += e * e;
      sst += (s.ms - mean) ** 2;
    }
    table.push({
      type,
      r2: sst > 0 ? 1 - sse / sst : null,
      rmseMs: Math.sqrt(sse / held.length),
      samples: fn.samples,
      heldOut: held.length,
      trainR2: fn.r2,
      trainRmseMs: fn.rmseMs,
      meanMs: mean,
    });
  }
  return { table, functions };
}

/** Options of {@link measureInstallPhase}. */
export interface MeasureOptions {
  /** A fresh executor for one configuration (e.g. `() => referenceExecutor()`). */
  readonly executor: () => Executor;
  /** Weights of a configuration's network (e.g. `(n) => randomWeights(n, 1)`). */
  readonly weights: (network: Network) => ReadonlyMap<string, LayerWeights>;
  /** Small configurations and fewer of them, for tests (default false). */
  readonly quick?: boolean;
  /** Configurations per type (default 60; quick 8). */
  readonly perType?: number;
  /** Timed runs per layer (default 7; quick 3). */
  readonly repetitions?: number;
  /** Which timed run is kept (default `"min"`: contention on a shared machine only adds time; or `"median"`). */
  readonly statistic?: "median" | "min";
  /** Untimed warm-up runs per layer (default 2; quick 1). */
  readonly warmup?: number;
  /** Seed of the configurations, inputs and split (default 1). */
  readonly seed?: number;
  /** Share of each type's configurations held out (default 0.25). */
  readonly heldOutFraction?: number;
  /** Types to sweep (default {@link MEASURED_TYPES}). */
  readonly types?: readonly MeasuredType[];
  /** Clock, ms (default `performance.now`). */
  readonly now?: () => number;
  /** Name of the executor in the result (default `"executor"`). */
  readonly executorLabel?: string;
}

/** How each layer was timed. */
export interface MeasureTiming {
  /** Untimed runs before timing. */
  readonly warmup: number;
  /** Timed runs. */
  readonly repetitions: number;
  /** Which timed run is kept. */
  readonly statistic: "median" | "min";
}

/** What `ionn fit --measure --json` reports (besides the machine; the functions serialized). */
export interface MeasuredInstallPhase {
  /** Held-out R² and RMSE per type (Table 3 for this machine). */
  readonly table: readonly HeldOutRow[];
  /** The functions fitted on the training split. */
  readonly functions: PredictionFunctions;
  /** The executor's label. */
  readonly executor: string;
  /** How each layer was timed. */
  readonly timing: MeasureTiming;
  /** Configurations executed. */
  readonly configurations: number;
  /** Wall time of the sweep, ms. */
  readonly elapsedMs: number;
}

/**
 * Run the sweep on the executor, time every configuration's layer
 * ({@link profileExecutor}: warm-up, repetitions, the fastest or the median run), and fit and score
 * the per-type regression on a held-out split ({@link heldOutFit}).
 * Cost: the executor's time for `(1 + warmup + repetitions) × configurations`
 * layer runs; about a minute by default on a loaded 2-core machine with the
 * reference executor, about a second with `quick`.
 *
 * @throws {InvalidArgumentError} on a bad option.
 * @example
 * ```ts
 * const measured = await measureInstallPhase({ executor: () => referenceExecutor(), weights: (n) => randomWeights(n, 1), quick: true });
 * measured.table.find((r) => r.type === "ReLU")?.r2;
 * ```
 */
export async function measureInstallPhase(options: MeasureOptions): Promise<MeasuredInstallPhase> {
  const quick = options.quick ?? false;
  const repetitions = options.repetitions ?? (quick ? 3 : 7);
  const statistic = options.statistic ?? "min";
  const warmup = options.warmup ?? (quick ? 1 : 2);
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const networks = measurementNetworks({ quick, seed, ...(options.perType !== undefined ? { perType: options.perType } : {}), ...(options.types ? { types: options.types } : {}) });
  const samples: RegressionSample[] = [];
  for (const { network } of networks) {
    const executor = options.executor();
    const profile = await profileExecutor(executor, network, { warmup, repetitions, statistic, weights: options.weights(network), seed, now });
    samples.push(...samplesFromProfile(network, profile));
  }
  const fit = heldOutFit(samples, { seed, ...(options.heldOutFraction !== undefined ? { heldOutFraction: options.heldOutFraction } : {}) });
  return {
    table: fit.table,
    functions: fit.functions,
    executor: options.executorLabel ?? "executor",
    timing: { warmup, repetitions, statistic },
    configurations: networks.length,
    elapsedMs: now() - started,
  };
}
