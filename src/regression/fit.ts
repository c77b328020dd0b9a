/**
 * Prediction functions of the edge server (IONN §4 "Install Phase (Server)",
 * §6.3 Table 3): per layer type, a least-squares linear fit of layer time on
 * that type's regression variables ({@link regressionVariableNames}), with R²,
 * RMSE and sample count; and their evaluation on a {@link Layer}.
 *
 * @module
 */
import { RegressionError, UnsupportedLayerError } from "../errors.js";
import type { Layer } from "../model/types.js";
import { LeastSquaresDegenerate, leastSquares } from "./least-squares.js";
import {
  FALLBACK_VARIABLE,
  VARIABLE_SETS,
  regressionVariableNames,
  variableValue,
  type VariableName,
  type VariableSet,
} from "./variables.js";

/** One timed layer: its type, its time, and either its variables or the layer itself. */
export interface RegressionSample {
  /** Layer type (Caffe vocabulary: `Convolution`, `ReLU`, …). */
  readonly type: string;
  /** Measured time in milliseconds. */
  readonly ms: number;
  /** Values of the regression variables by name; takes precedence over `layer`. */
  readonly variables?: Readonly<Partial<Record<VariableName, number>>>;
  /** The layer, from which missing variables are computed. */
  readonly layer?: Layer;
}

/** A fitted (or read) linear prediction function `ms = intercept + Σ coefficients[i]·variables[i]`, clamped at ≥ 0. */
export interface PredictionFunction {
  /** Layer type it predicts. */
  readonly type: string;
  /** Names of its variables (empty for a constant). */
  readonly variables: readonly VariableName[];
  /** One coefficient per variable (ms per unit). */
  readonly coefficients: readonly number[];
  /** Constant term (ms). */
  readonly intercept: number;
  /** Coefficient of determination of the fit on its samples; `null` when unknown (read from a file). */
  readonly r2: number | null;
  /** Root-mean-square error in ms, √(SSE / n); `null` when unknown. */
  readonly rmseMs: number | null;
  /** Number of samples fitted (0 for a read or fallback function). */
  readonly samples: number;
  /** True when the type had no samples and this is the pooled input-size fit. */
  readonly fallback: boolean;
}

/** A set of prediction functions, one per type, plus an optional fallback for unlisted types. */
export interface PredictionFunctions {
  /** The variable set the functions were fitted with. */
  readonly variableSet: VariableSet;
  /** Functions sorted by type. */
  readonly functions: readonly PredictionFunction[];
  /**
   * Pooled fit of ms on input size over all samples (type `"*"`), used by
   * {@link predictLayerMs} for a type with no function; absent when it could
   * not be fitted or was not asked for.
   */
  readonly fallback?: PredictionFunction;
}

/** Options of {@link fitPredictionFunctions}. */
export interface FitOptions {
  /** Variable set (default `"neurosurgeon"`). */
  readonly variableSet?: VariableSet;
  /**
   * Types that must get a function even without samples; they receive the
   * pooled input-size fit marked `fallback: true` (default: none beyond the
   * sampled types).
   */
  readonly types?: readonly string[];
  /** Also fit and attach the pooled input-size fallback (default `true`; skipped silently if degenerate unless `types` needs it). */
  readonly withFallback?: boolean;
  /**
   * What to do with a type whose samples cannot be fitted (too few, constant
   * or collinear variables): `"throw"` a {@link RegressionError} (default), or
   * `"fallback"`: give it the pooled input-size fit marked `fallback: true`
   * (useful when fitting one network's profile, e.g. ResNet-50 has 2 Pooling
   * layers). NaN/infinite values always throw.
   */
  readonly degenerate?: "throw" | "fallback";
}

/**
 * Types that move no data in Caffe (they share or relabel blobs): predicted
 * 0 ms when no function for them exists.
 */
export const DATA_FREE_TYPES: ReadonlySet<string> = new Set(["Input", "Split", "Reshape", "Flatten"]);

interface Fitted {
  readonly coefficients: number[];
  readonly intercept: number;
  readonly r2: number;
  readonly rmseMs: number;
}

/**
 * Least-squares fit of `ms` on the given rows (intercept added), with R² and RMSE.
 *
 * R² = 1 − SSE/SST with SST = Σ(y − ȳ)²; when SST = 0 (all times equal) R² is
 * 1 if the fit is exact to rounding and 0 otherwise. RMSE = √(SSE/n). Both
 * describe the unclamped linear fit.
 */
function fitRows(label: string, rows: readonly (readonly number[])[], ys: readonly number[], names: readonly VariableName[]): Fitted {
  const n = rows.length;
  const cols = names.length + 1;
  if (n < 2) {
    throw new RegressionError(`prediction function for ${label}: ${n} sample(s); at least 2 are needed (and one more per extra variable)`);
  }
  const x = new Float64Array(n * cols);
  const y = Float64Array.from(ys);
  rows.forEach((row, i) => {
    x[i * cols] = 1;
    for (let j = 0; j < names.length; j++) x[i * cols + 1 + j] = row[j]!;
  });
  let result;
  try {
    result = leastSquares(x, y, n, cols);
  } catch (e) {
    if (e instanceof LeastSquaresDegenerate) {
      const detail =
        e.reason === "rank-deficient" && e.column >= 1
          ? `variable ${names[e.column - 1]} is constant or a linear combination of the others over the ${n} samples`
          : e.reason === "too-few-rows"
            ? `${n} samples for ${cols} unknowns`
            : e.message;
      throw new RegressionError(`prediction function for ${label}: cannot fit (${detail})`, { cause: e });
    }
    throw e;
  }
  const sse = result.residualSumOfSquares;
  let mean = 0;
  for (const v of ys) mean += v;
  mean /= n;
  let sst = 0;
  for (const v of ys) sst += (v - mean) * (v - mean);
  const exact = sse <= 1e-24 * Math.max(1, mean * mean) * n;
  const r2 = sst > 0 ? 1 - sse / sst : exact ? 1 : 0;
  const coefficients = Array.from(result.coefficients.subarray(1));
  return { coefficients, intercept: result.coefficients[0]!, r2, rmseMs: Math.sqrt(sse / n) };
}

function sampleVariable(sample: RegressionSample, name: VariableName, index: number): number {
  const given = sample.variables?.[name];
  if (given !== undefined) return given;
  if (sample.layer !== undefined) return variableValue(name, sample.layer);
  throw new RegressionError(`sample ${index} (${sample.type}): variable ${name} is neither given nor computable (no layer)`);
}

function validateSample(sample: RegressionSample, index: number): void {
  if (typeof sample.type !== "string" || sample.type === "") {
    throw new RegressionError(`sample ${index}: missing layer type`);
  }
  if (!Number.isFinite(sample.ms)) {
    throw new RegressionError(`sample ${index} (${sample.type}): time ${sample.ms} ms is not a finite number`);
  }
}

/**
 * Fit one prediction function per layer type by least squares (IONN §4
 * "Install Phase (Server)"; Neurosurgeon's regression per layer type).
 *
 * Samples are grouped by type; each group is fitted on the type's variables
 * in `options.variableSet` (see {@link regressionVariableNames}) plus an
 * intercept. Unless `withFallback` is false, a pooled fit of ms on input size
 * over all samples is attached as {@link PredictionFunctions.fallback}, and
 * every type in `options.types` without samples gets a copy of it marked
 * `fallback: true`.
 *
 * Cost: O(n) for n samples (at most 3 unknowns per fit).
 *
 * @throws {@link RegressionError} naming the type when a group cannot be
 *   fitted: fewer than 2 samples or fewer samples than unknowns, a variable
 *   that is constant or collinear with another (rank-deficient), a NaN or
 *   infinite time or variable; or when `options.types` needs the fallback and
 *   it cannot be fitted.
 * @example
 * ```ts
 * const functions = fitPredictionFunctions(
 *   [
 *     { type: "ReLU", variables: { inputSize: 1000 }, ms: 0.012 },
 *     { type: "ReLU", variables: { inputSize: 5000 }, ms: 0.020 },
 *     { type: "ReLU", variables: { inputSize: 9000 }, ms: 0.028 },
 *   ],
 *   { variableSet: "neurosurgeon" },
 * );
 * functions.functions[0]; // { type: "ReLU", coefficients: [2e-6], intercept: 0.01, r2: 1, … }
 * ```
 */
export function fitPredictionFunctions(samples: readonly RegressionSample[], options: FitOptions = {}): PredictionFunctions {
  const variableSet = options.variableSet ?? "neurosurgeon";
  if (!VARIABLE_SETS.includes(variableSet)) {
    throw new RegressionError(`unknown variable set "${String(variableSet)}" (expected ${VARIABLE_SETS.join(" or ")})`);
  }
  const byType = new Map<string, { rows: number[][]; ys: number[] }>();
  samples.forEach((sample, index) => {
    validateSample(sample, index);
    const names = regressionVariableNames(variableSet, sample.type);
    let group = byType.get(sample.type);
    if (group === undefined) {
      group = { rows: [], ys: [] };
      byType.set(sample.type, group);
    }
    group.rows.push(names.map((name) => sampleVariable(sample, name, index)));
    group.ys.push(sample.ms);
  });

  const functions: PredictionFunction[] = [];
  const missing = (options.types ?? []).filter((t) => !byType.has(t));
  const degenerate: string[] = [];
  for (const [type, group] of byType) {
    const names = regressionVariableNames(variableSet, type);
    try {
      const fit = fitRows(`type ${type}`, group.rows, group.ys, names);
      functions.push({ type, variables: names, ...fit, samples: group.rows.length, fallback: false });
    } catch (e) {
      const nonFinite = e instanceof RegressionError && e.cause instanceof LeastSquaresDegenerate && e.cause.reason === "non-finite";
      if (options.degenerate !== "fallback" || nonFinite) throw e;
      degenerate.push(type);
    }
  }

  let fallback: PredictionFunction | undefined;
  if (options.withFallback !== false || missing.length > 0 || degenerate.length > 0) {
    const rows: number[][] = [];
    const ys: number[] = [];
    samples.forEach((sample, index) => {
      const given = sample.variables?.[FALLBACK_VARIABLE];
      if (given === undefined && sample.layer === undefined) return;
      rows.push([sampleVariable(sample, FALLBACK_VARIABLE, index)]);
      ys.push(sample.ms);
    });
    try {
      const fit = fitRows(`the input-size fallback (pooled over ${rows.length} samples)`, rows, ys, [FALLBACK_VARIABLE]);
      fallback = { type: "*", variables: [FALLBACK_VARIABLE], ...fit, samples: rows.length, fallback: true };
    } catch (e) {
      if (missing.length > 0) {
        throw new RegressionError(`types ${missing.join(", ")} have no samples and the input-size fallback cannot be fitted: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  if (degenerate.length > 0 && fallback === undefined) {
    throw new RegressionError(`types ${degenerate.join(", ")} cannot be fitted and the input-size fallback cannot be fitted either`);
  }
  for (const type of missing) functions.push({ ...fallback!, type, samples: 0 });
  for (const type of degenerate) functions.push({ ...fallback!, type, samples: byType.get(type)!.rows.length });
  functions.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return fallback === undefined ? { variableSet, functions } : { variableSet, functions, fallback };
}

/** The function for a type, or undefined. Cost: O(number of types). */
export function findPredictionFunction(functions: PredictionFunctions, type: string): PredictionFunction | undefined {
  return functions.functions.find((f) => f.type === type);
}

/**
 * Evaluate a prediction function on variable values, clamped at ≥ 0.
 * @throws {@link RegressionError} when the number of values does not match.
 */
export function evaluatePredictionFunction(fn: PredictionFunction, values: readonly number[]): number {
  if (values.length !== fn.variables.length) {
    throw new RegressionError(`prediction function for ${fn.type}: expected ${fn.variables.length} variable value(s), got ${values.length}`);
  }
  let ms = fn.intercept;
  for (let i = 0; i < values.length; i++) ms += fn.coefficients[i]! * values[i]!;
  return ms > 0 ? ms : 0;
}

/**
 * Predicted server time (ms, ≥ 0) of a layer: the function for its type,
 * else 0 for the data-free types (`Input`, `Split`, `Reshape`, `Flatten`), else the fallback,
 * else `uncovered(layer)` when given (e.g. a device model for types a regression file lacks).
 *
 * @throws {@link UnsupportedLayerError} naming the layer when its type has no
 *   function, no fallback and no `uncovered`, or when its variables cannot be computed.
 * @example
 * ```ts
 * const ms = predictLayerMs(functions, network.layers[1]!);
 * ```
 */
export function predictLayerMs(functions: PredictionFunctions, layer: Layer, uncovered?: (layer: Layer) => number): number {
  let fn = findPredictionFunction(functions, layer.type);
  if (fn === undefined) {
    if (DATA_FREE_TYPES.has(layer.type)) return 0;
    fn = functions.fallback;
  }
  if (fn === undefined && uncovered !== undefined) return uncovered(layer);
  if (fn === undefined) {
    const known = functions.functions.map((f) => f.type).join(", ");
    throw new UnsupportedLayerError(`no prediction function for layer "${layer.name}" of type ${layer.type} (functions exist for: ${known || "none"}) and no fallback`);
  }
  return evaluatePredictionFunction(
    fn,
    fn.variables.map((name) => variableValue(name, layer)),
  );
}
