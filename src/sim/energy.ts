/**
 * Client energy (IONN §6.4, Figure 8): the client board's power in three
 * states, integrated over time. Power constants are those of the IONN
 * authors' code (`reference/ionn-reference-conventions.md`): idle 3.977 W,
 * transmitting 6.611 W, computing 7.239 W.
 *
 * Accounting: the client is *computing* while its executor runs layers,
 * *transmitting* while its uplink is serializing at least one message
 * (partition uploads, feature maps, requests) and not computing, and *idle*
 * otherwise (pre-processing, waiting for the server or for the downlink
 * included). When both overlap, by default computing wins: the states are
 * whole-board power levels, not additive components. With
 * `overlap: "add"` (the `paper-2018` calibration) the radio's and the CPU's
 * draws above idle add up: computing while transmitting costs
 * `computingW + transmittingW − idleW`.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Interval } from "./link.js";

/** Whole-board power of the client in each state, watts. */
export interface PowerModel {
  /** Power while neither computing nor transmitting (pre-processing, waiting), W. */
  readonly idleW: number;
  /** Power while the uplink transmits and the executor is not computing, W. */
  readonly transmittingW: number;
  /** Power while the executor runs layers (overrides transmitting unless `overlap` is `"add"`), W. */
  readonly computingW: number;
  /**
   * Computing and transmitting at once (default `"computing-wins"`): the
   * computing level alone, or `"add"`: both increments over idle added,
   * `computingW + transmittingW − idleW`.
   */
  readonly overlap?: "computing-wins" | "add";
}

/** The Odroid-XU4 power levels of the IONN authors' code. */
export const ODROID_XU4_POWER: PowerModel = Object.freeze({ idleW: 3.977, transmittingW: 6.611, computingW: 7.239 });

/**
 * The same Odroid-XU4 levels with the radio's and the CPU's draws adding up
 * (`overlap: "add"`; the `paper-2018` calibration): idle 3.977 W, transmitting
 * 6.611 W, computing 7.239 W, both 9.873 W.
 */
export const ODROID_XU4_POWER_ADDITIVE: PowerModel = Object.freeze({ idleW: 3.977, transmittingW: 6.611, computingW: 7.239, overlap: "add" as const });

/** Time spent in each state over a window, and the energy. */
export interface EnergyBreakdown {
  /** Window start, ms. */
  readonly fromMs: number;
  /** Window end, ms. */
  readonly toMs: number;
  /** ms computing. */
  readonly computingMs: number;
  /** ms transmitting and not computing. */
  readonly transmittingMs: number;
  /** ms in neither state. */
  readonly idleMs: number;
  /** ms computing and transmitting at once (included in `computingMs`; with `overlap: "add"` it also draws the radio's increment). */
  readonly bothMs: number;
  /** Energy, joules. */
  readonly joules: number;
}

/** Sort and merge intervals, clipped to `[from, to]`. */
function normalise(intervals: readonly Interval[], from: number, to: number): [number, number][] {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const interval of clipped) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval[0] <= last[1]) last[1] = Math.max(last[1], interval[1]);
    else merged.push([interval[0], interval[1]]);
  }
  return merged;
}

function total(intervals: readonly (readonly [number, number])[]): number {
  let sum = 0;
  for (const [a, b] of intervals) sum += b - a;
  return sum;
}

/** Length of the intersection of two merged interval lists. */
function overlap(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[]): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (hi > lo) sum += hi - lo;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return sum;
}

/**
 * Client energy over `[fromMs, toMs]` given when it computed and when its
 * uplink was busy (intervals may overlap and be unsorted). `O(n log n)`.
 *
 * @throws {InvalidArgumentError} when the window is reversed or not finite.
 * @example
 * ```ts
 * // 1 s window: 200 ms computing, 300 ms transmitting (100 ms of it while computing)
 * clientEnergy([[0, 200]], [[100, 400]], 0, 1000).joules;
 * // = 0.2·7.239 + 0.2·6.611 + 0.6·3.977 = 5.1562
 * ```
 */
export function clientEnergy(
  computing: readonly Interval[],
  transmitting: readonly Interval[],
  fromMs: number,
  toMs: number,
  power: PowerModel = ODROID_XU4_POWER,
): EnergyBreakdown {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new InvalidArgumentError(`clientEnergy: window [${fromMs}, ${toMs}] must be finite with from ≤ to`);
  }
  const compute = normalise(computing, fromMs, toMs);
  const transmit = normalise(transmitting, fromMs, toMs);
  if (power.overlap !== undefined && power.overlap !== "computing-wins" && power.overlap !== "add") {
    throw new InvalidArgumentError(`clientEnergy: power.overlap must be "computing-wins" or "add", got ${String(power.overlap)}`);
  }
  const computingMs = total(compute);
  const bothMs = overlap(compute, transmit);
  const transmittingMs = total(transmit) - bothMs;
  const idleMs = Math.max(0, toMs - fromMs - computingMs - transmittingMs);
  const radioOnTopW = power.overlap === "add" ? power.transmittingW - power.idleW : 0;
  const joules = (computingMs * power.computingW + transmittingMs * power.transmittingW + idleMs * power.idleW + bothMs * radioOnTopW) / 1000;
  return { fromMs, toMs, computingMs, transmittingMs, idleMs, bothMs, joules };
}
