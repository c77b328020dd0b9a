/**
 * Calibration of the device cost models (src/sim/devices) against the IONN
 * authors' published per-layer profiles (IONN §2, §6.1; profiles from
 * jinevening/IONN-client, shipped in src/profile/published.ts), and the
 * error figures reported in docs/results-devices.md.
 *
 * Fit: for each device and each cost class (convolution, pooling, …) a
 * non-negative least-squares fit of the published times on the class's
 * features ({@link costFeatures}), weighted by 1/time so that the squared
 * *relative* errors are minimised (a 0.01 ms ReLU counts as much as a 200 ms
 * fc6). Non-negativity is enforced by trying every subset of the features
 * (at most 4 → 16 subsets) and keeping the best all-non-negative solution.
 * The relative-error fit shrinks predictions, so each class's coefficients
 * are then scaled by (published total / modelled total) of that class over
 * the three networks.
 * Layers are matched to the published rows by position (runtime order).
 *
 * @module
 */
import { leastSquares } from "../src/regression/least-squares.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import type { Layer, Network } from "../src/model/types.js";
import { publishedClientProfile, publishedServerProfile } from "../src/profile/published.js";
import type { ExecutionProfile } from "../src/profile/profile.js";
import {
  classCoefficients,
  costFeatures,
  type CostClass,
  type DeviceConstants,
  type DeviceModel,
} from "../src/sim/devices/cost-model.js";

/** The calibration networks (they have published profiles). */
export const CALIBRATION_NETWORKS = ["alexnet", "googlenet", "resnet50"] as const;

/** Which published profile calibrates which device. */
export type CalibrationSide = "client" | "server";

/** A layer with its published time. */
export interface CalibrationPoint {
  readonly network: string;
  readonly layer: Layer;
  readonly ms: number;
}

/** Published times matched to layers by position. */
export function calibrationPoints(side: CalibrationSide): CalibrationPoint[] {
  const points: CalibrationPoint[] = [];
  for (const name of CALIBRATION_NETWORKS) {
    const network = zooNetwork(name);
    const profile: ExecutionProfile = side === "client" ? publishedClientProfile(name) : publishedServerProfile(name);
    if (profile.layers.length !== network.layers.length) {
      throw new Error(`${name}: profile has ${profile.layers.length} rows, network ${network.layers.length} layers`);
    }
    network.layers.forEach((layer, i) => points.push({ network: name, layer, ms: profile.layers[i]!.ms }));
  }
  return points;
}

/**
 * Non-negative weighted least squares by subset enumeration: minimise
 * Σ ((f·β − y)/y)² subject to β ≥ 0. Returns β (zeros for unused features).
 */
export function nonNegativeRelativeFit(rows: readonly number[][], ys: readonly number[]): number[] {
  const p = rows[0]!.length;
  let best: { beta: number[]; loss: number } | undefined;
  for (let mask = 1; mask < 1 << p; mask++) {
    const cols = [...Array(p).keys()].filter((j) => (mask >> j) & 1);
    if (rows.length < cols.length) continue;
    const x = new Float64Array(rows.length * cols.length);
    const y = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      cols.forEach((j, k) => (x[i * cols.length + k] = r[j]! / ys[i]!));
      y[i] = 1;
    });
    let sol;
    try {
      sol = leastSquares(x, y, rows.length, cols.length);
    } catch {
      continue;
    }
    if (Array.from(sol.coefficients).some((b) => b < 0)) continue;
    if (best === undefined || sol.residualSumOfSquares < best.loss - 1e-15) {
      const beta = new Array<number>(p).fill(0);
      cols.forEach((j, k) => (beta[j] = sol.coefficients[k]!));
      best = { beta, loss: sol.residualSumOfSquares };
    }
  }
  if (best === undefined) throw new Error("no non-negative fit");
  return best.beta;
}

/** Fit every cost class present in the points; classes absent keep `base`'s constants. */
export function calibrate(points: readonly CalibrationPoint[], base: DeviceConstants): Map<CostClass, number[]> {
  const byClass = new Map<CostClass, { rows: number[][]; ys: number[] }>();
  for (const pt of points) {
    const { cls, features } = costFeatures(pt.layer);
    let g = byClass.get(cls);
    if (g === undefined) byClass.set(cls, (g = { rows: [], ys: [] }));
    g.rows.push(features);
    g.ys.push(pt.ms);
  }
  const out = new Map<CostClass, number[]>();
  for (const [cls, g] of byClass) {
    if (g.rows.length < 1) {
      out.set(cls, classCoefficients(base, cls));
      continue;
    }
    const beta = nonNegativeRelativeFit(g.rows, g.ys);
    // The relative-error fit shrinks predictions (it underestimates the GPU
    // convolution total by 24%); rescale so the class total over the three
    // networks equals the published total.
    let predicted = 0;
    let published = 0;
    g.rows.forEach((r, i) => {
      predicted += r.reduce((s, v, j) => s + v * beta[j]!, 0);
      published += g.ys[i]!;
    });
    const scale = predicted > 0 ? published / predicted : 1;
    out.set(cls, beta.map((b) => b * scale));
  }
  return out;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One row of the calibration table. */
export interface CalibrationRow {
  readonly device: string;
  readonly network: string;
  readonly publishedTotalMs: number;
  readonly modelTotalMs: number;
  readonly totalError: number;
  readonly medianLayerError: number;
  readonly layers: number;
}

/** Compare a model with the published profile of one network. */
export function calibrationRow(model: DeviceModel, side: CalibrationSide, network: (typeof CALIBRATION_NETWORKS)[number]): CalibrationRow {
  const net: Network = zooNetwork(network);
  const profile = side === "client" ? publishedClientProfile(network) : publishedServerProfile(network);
  let published = 0;
  let modelled = 0;
  const errors: number[] = [];
  net.layers.forEach((layer, i) => {
    const y = profile.layers[i]!.ms;
    const m = model.layerMs(layer);
    published += y;
    modelled += m;
    errors.push(Math.abs(m - y) / y);
  });
  return {
    device: model.name,
    network,
    publishedTotalMs: published,
    modelTotalMs: modelled,
    totalError: (modelled - published) / published,
    medianLayerError: median(errors),
    layers: net.layers.length,
  };
}
