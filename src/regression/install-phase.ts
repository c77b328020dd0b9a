/**
 * The server install phase (IONN §4 "Install Phase (Server)"; §6.3 Table 3):
 * "linear regression on the execution data of DNN layers gathered by running
 * diverse DNN models with different layer parameters". Here a seeded sweep
 * of diverse layer configurations per type is timed on a device cost model
 * (default: the simulated GTX 1080 Ti) with seeded multiplicative measurement
 * noise, and fitted with {@link fitPredictionFunctions}.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Layer } from "../model/types.js";
import type { DeviceModel } from "../sim/devices/cost-model.js";
import { gtx1080Ti } from "../sim/devices/gtx-1080ti.js";
import { deviceByName } from "../sim/devices/profile.js";
import { fitPredictionFunctions, type PredictionFunctions, type RegressionSample } from "./fit.js";
import { serializePredictionFunctions, type SerializedPredictionFunctions } from "./serialize.js";
import {
  syntheticConcat,
  syntheticConvolution,
  syntheticElementwise,
  syntheticEltwise,
  syntheticInnerProduct,
  syntheticPooling,
} from "./synthetic-layers.js";
import type { VariableSet } from "./variables.js";
import { mulberry32 } from "../random.js";

/** The layer types the sweep covers (the paper's Table 3 lists 10; Dropout makes 11). */
export const INSTALL_PHASE_TYPES = [
  "Convolution",
  "InnerProduct",
  "Pooling",
  "LRN",
  "ReLU",
  "BatchNorm",
  "Scale",
  "Eltwise",
  "Concat",
  "Softmax",
  "Dropout",
] as const;

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

function normal(random: () => number): number {
  // Box–Muller
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const CHANNELS = [3, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 832, 1024, 2048];
const SIZES = [7, 13, 14, 27, 28, 56, 112, 224];

/** One random layer of a type, from the ranges found in ImageNet CNNs. */
function randomLayer(type: (typeof INSTALL_PHASE_TYPES)[number], random: () => number, i: number): Layer {
  const size = pick(random, SIZES);
  const channels = pick(random, CHANNELS);
  const featureShape = [1, channels, size, size];
  switch (type) {
    case "Convolution": {
      for (;;) {
        const kernel = pick(random, [1, 1, 3, 3, 5, 7, 11]);
        const stride = pick(random, [1, 1, 1, 2, 4]);
        const h = pick(random, SIZES);
        const cin = pick(random, CHANNELS);
        const cout = pick(random, CHANNELS.slice(1));
        if (kernel > h || (cin * cout * kernel * kernel * h * h) / (stride * stride) > 2e9) continue;
        return syntheticConvolution({ channels: cin, height: h, width: h, numOutput: cout, kernel, stride, pad: kernel >> 1 }, `conv${i}`);
      }
    }
    case "InnerProduct":
      return syntheticInnerProduct(pick(random, [256, 512, 1024, 2048, 4096, 9216, 25088]), pick(random, [10, 100, 512, 1000, 2048, 4096]), `fc${i}`);
    case "Pooling": {
      const kernel = Math.min(size, pick(random, [2, 3, 3, 5, 7]));
      return syntheticPooling({ channels, height: size, width: size, kernel, stride: pick(random, [1, 2, 2, 3]), pad: pick(random, [0, 0, 1]), method: pick(random, ["max", "average"] as const) }, `pool${i}`);
    }
    case "Eltwise":
      return syntheticEltwise(featureShape, pick(random, [2, 2, 3]), `eltwise${i}`);
    case "Concat":
      return syntheticConcat(Array.from({ length: pick(random, [2, 3, 4]) }, () => pick(random, CHANNELS.slice(1, 10))), size, size, `concat${i}`);
    case "Softmax":
      return syntheticElementwise("Softmax", [1, pick(random, [10, 100, 1000, 4096, 21841])], `prob${i}`);
    case "Dropout":
      return random() < 0.5
        ? syntheticElementwise("Dropout", [1, pick(random, [1024, 2048, 4096])], `drop${i}`)
        : syntheticElementwise("Dropout", featureShape, `drop${i}`);
    default:
      return syntheticElementwise(type, featureShape, `${type.toLowerCase()}${i}`);
  }
}

/** Options of {@link installPhaseSweep} and {@link runInstallPhase}. */
export interface InstallPhaseOptions {
  /** The server's cost model, or its name (default: {@link gtx1080Ti}). */
  readonly device?: DeviceModel | string;
  /** Seed of the configurations and the noise (default 1). */
  readonly seed?: number;
  /** Layer configurations per type (default 60). */
  readonly perType?: number;
  /** Standard deviation σ of the multiplicative noise: ms × exp(σ·N(0,1)) (default 0.05). */
  readonly noise?: number;
  /** Types to sweep (default {@link INSTALL_PHASE_TYPES}). */
  readonly types?: readonly (typeof INSTALL_PHASE_TYPES)[number][];
  /** Variable set of the fit (default `"neurosurgeon"`). */
  readonly variableSet?: VariableSet;
}

/**
 * Time `perType` seeded random configurations of each type on the device
 * model, with seeded multiplicative noise. Deterministic for a given seed.
 * Cost: O(types × perType).
 * @throws {@link InvalidArgumentError} for perType < 3 or a negative/non-finite noise.
 */
export function installPhaseSweep(options: InstallPhaseOptions = {}): RegressionSample[] {
  const device = options.device === undefined ? gtx1080Ti() : typeof options.device === "string" ? deviceByName(options.device) : options.device;
  const perType = options.perType ?? 60;
  const sigma = options.noise ?? 0.05;
  if (!Number.isInteger(perType) || perType < 3) throw new InvalidArgumentError(`installPhaseSweep: perType must be an integer ≥ 3, got ${perType}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new InvalidArgumentError(`installPhaseSweep: noise must be a finite number ≥ 0, got ${sigma}`);
  const random = mulberry32(options.seed ?? 1);
  const samples: RegressionSample[] = [];
  for (const type of options.types ?? INSTALL_PHASE_TYPES) {
    for (let i = 0; i < perType; i++) {
      const layer = randomLayer(type, random, i);
      const ms = device.layerMs(layer) * Math.exp(sigma * normal(random));
      samples.push({ type, layer, ms });
    }
  }
  return samples;
}

/** One row of the Table 3-like table. */
export interface FitTableRow {
  /** Layer type. */
  readonly type: string;
  /** R² of the type's own fit; null when it has none (a `fallback` row). */
  readonly r2: number | null;
  /** RMSE of the type's own fit, ms; null when it has none (a `fallback` row). */
  readonly rmseMs: number | null;
  /** The type's samples. */
  readonly samples: number;
  /** True when the type could not be fitted and uses the pooled input-size fallback (whose R² is not this type's). */
  readonly fallback: boolean;
}

/** What `ionn fit --json` prints. */
export interface InstallPhaseResult {
  /** R², RMSE and sample count per type (sorted by type). */
  readonly table: readonly FitTableRow[];
  /** The serialized prediction functions ({@link serializePredictionFunctions}), as a JSON value. */
  readonly functions: SerializedPredictionFunctions;
}

/** The Table 3-like result of fitted prediction functions. */
export function fitResult(functions: PredictionFunctions): InstallPhaseResult {
  return {
    table: functions.functions.map((f) => ({ type: f.type, r2: f.fallback ? null : f.r2, rmseMs: f.fallback ? null : f.rmseMs, samples: f.samples, fallback: f.fallback })),
    functions: JSON.parse(serializePredictionFunctions(functions)) as SerializedPredictionFunctions,
  };
}

/**
 * The whole server install phase: {@link installPhaseSweep} then
 * {@link fitPredictionFunctions}; returns what `ionn fit --json` prints.
 * Cost: O(types × perType); about a millisecond per 100 samples.
 * @throws {@link RegressionError} if a type's sweep is degenerate (not with the default ranges).
 * @example
 * ```ts
 * const { table, functions } = runInstallPhase({ seed: 1, perType: 60 });
 * table.find((r) => r.type === "ReLU"); // { type: "ReLU", r2: 0.99…, rmseMs: …, samples: 60 }
 * ```
 */
export function runInstallPhase(options: InstallPhaseOptions = {}): InstallPhaseResult {
  const samples = installPhaseSweep(options);
  return fitResult(fitPredictionFunctions(samples, { variableSet: options.variableSet ?? "neurosurgeon" }));
}

function num(v: number | null, digits: number): string {
  return v === null ? "—" : v.toFixed(digits);
}

/**
 * The human-readable Table 3-like table (type, R², RMSE ms, samples), one
 * line per type, plus the serialized size.
 */
export function formatFitTable(result: InstallPhaseResult): string {
  const lines = [`${"type".padEnd(14)}${"R²".padStart(8)}${"RMSE (ms)".padStart(12)}${"samples".padStart(9)}`];
  for (const row of result.table) {
    const note = row.fallback ? "  not fitted: pooled input-size fallback" : "";
    lines.push(`${row.type.padEnd(14)}${num(row.r2, 3).padStart(8)}${num(row.rmseMs, 4).padStart(12)}${String(row.samples).padStart(9)}${note}`);
  }
  lines.push(`serialized prediction functions: ${JSON.stringify(result.functions).length} bytes for ${result.table.length} types`);
  return lines.join("\n");
}
