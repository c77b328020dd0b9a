/**
 * Simulator calibrations: which device times, link, power model and
 * Algorithm 1 variant a simulation uses unless the {@link Scenario} says
 * otherwise. Two are built in:
 * - `profiles-2019` (default): the device cost models calibrated to the IONN
 *   authors' 2019 published profiles (AlexNet 829 ms on the client, 1.64 ms
 *   on the server), an exact link at the nominal bandwidth, computing power
 *   overriding transmitting power, and Algorithm 1 with a final round at
 *   upload factor 0 (as the authors' code).
 * - `paper-2018`: the paper's own numbers (§2, §6.1): client and server
 *   times scaled to AlexNet's reported 1.3 s and about 1 ms, a link with an
 *   upload overhead (paid once per session) and an effective throughput
 *   fitted to Table 2's all-at-once column (smallest largest relative error), radio and CPU power adding up, and Algorithm 1 as
 *   printed (threshold 0.01, no final round). See `paper-2018.ts`.
 *
 * @module
 */
import { InvalidArgumentError } from "../../errors.js";
import type { Network } from "../../model/types.js";
import { ODROID_XU4_POWER, type PowerModel } from "../energy.js";
import { PAPER_2018_CALIBRATION } from "./paper-2018.js";
import type { UploadOverheadPer } from "./upload-overhead.js";

/** Per-runtime-layer times a calibration supplies. */
export interface CalibratedCosts {
  /** Client time of each runtime layer, ms. */
  readonly clientMs: Float64Array;
  /** Server time of each runtime layer, ms. */
  readonly serverMs: Float64Array;
  /** Description reported in the simulation's settings. */
  readonly name: string;
}

/** Everything a calibration fixes (a {@link Scenario}'s own fields take precedence). */
export interface Calibration {
  /** Name (`"profiles-2019"`, `"paper-2018"` or a custom one). */
  readonly name: string;
  /** One line on where the numbers come from. */
  readonly description: string;
  /** Layer times of a network; absent: the simulator's default (`costs: "device-models"`). */
  readonly costs?: (network: Network) => CalibratedCosts;
  /** The link's throughput as a fraction of the scenario's nominal bandwidth (the planner is told the nominal one); 1 = exact. */
  readonly linkEfficiency: number;
  /** Fixed time between an upload's bytes landing and its ACK, ms (0 = none); which uploads pay it: {@link Calibration.uploadOverheadPer}. */
  readonly uploadOverheadMs: number;
  /** `"session"`: only the session's first upload pays {@link Calibration.uploadOverheadMs}; `"partition"`: every partition does. */
  readonly uploadOverheadPer: UploadOverheadPer;
  /** One-way link latency, ms. */
  readonly latencyMs: number;
  /** Client power model. */
  readonly power: PowerModel;
  /** Whether the built-in `ionn` policy runs Algorithm 1's final round at upload factor 0. */
  readonly ionnFinalRound: boolean;
  /**
   * Partitions in flight: always 1 here, each partition sent after the
   * previous one's ACK as the paper's runtime did (a pipelined upload window,
   * where the runtime has one, must be 1 under these calibrations).
   */
  readonly partitionsInFlight: 1;
}

/** Names of the built-in calibrations. */
export const CALIBRATION_NAMES = ["profiles-2019", "paper-2018"] as const;

/** A built-in calibration name. */
export type CalibrationName = (typeof CALIBRATION_NAMES)[number];

/** The default calibration: today's device models and an exact link (see the module comment). */
export const PROFILES_2019_CALIBRATION: Calibration = Object.freeze({
  name: "profiles-2019",
  description: "device models calibrated to the IONN authors' 2019 published profiles; exact link; computing power overrides transmitting; Algorithm 1 with a final round",
  linkEfficiency: 1,
  uploadOverheadMs: 0,
  uploadOverheadPer: "session" as const,
  latencyMs: 1,
  power: ODROID_XU4_POWER,
  ionnFinalRound: true,
  partitionsInFlight: 1 as const,
});

/**
 * A built-in calibration by name, or the given object (checked).
 * @throws {InvalidArgumentError} naming the valid names, or the bad field of a custom calibration.
 * @example
 * ```ts
 * calibrationByName("paper-2018").uploadOverheadMs; // the fitted upload overhead (once per session)
 * ```
 */
export function calibrationByName(calibration: CalibrationName | Calibration | string): Calibration {
  if (typeof calibration === "object" && calibration !== null) {
    const c = calibration;
    if (!(c.linkEfficiency > 0) || !Number.isFinite(c.linkEfficiency)) throw new InvalidArgumentError(`calibration "${c.name}": linkEfficiency must be a finite number > 0, got ${c.linkEfficiency}`);
    if (!(c.uploadOverheadMs >= 0) || !Number.isFinite(c.uploadOverheadMs)) throw new InvalidArgumentError(`calibration "${c.name}": uploadOverheadMs must be a finite number ≥ 0, got ${c.uploadOverheadMs}`);
    if (c.uploadOverheadPer !== "session" && c.uploadOverheadPer !== "partition") throw new InvalidArgumentError(`calibration "${c.name}": uploadOverheadPer must be "session" or "partition", got ${String(c.uploadOverheadPer)}`);
    if (!(c.latencyMs >= 0) || !Number.isFinite(c.latencyMs)) throw new InvalidArgumentError(`calibration "${c.name}": latencyMs must be a finite number ≥ 0, got ${c.latencyMs}`);
    return c;
  }
  switch (calibration) {
    case "profiles-2019":
      return PROFILES_2019_CALIBRATION;
    case "paper-2018":
      return PAPER_2018_CALIBRATION;
    default:
      throw new InvalidArgumentError(`unknown calibration "${String(calibration)}" (expected one of ${CALIBRATION_NAMES.join(", ")})`);
  }
}

export { PAPER_2018, PAPER_2018_CALIBRATION, paper2018Costs } from "./paper-2018.js";
export { fitLink, PAPER_TABLE_2 } from "./link-fit.js";
export type { LinkFit, LinkFitCriterion, LinkFitPoint, LinkFitResidual, PaperTable2Row } from "./link-fit.js";
export { withUploadOverhead } from "./upload-overhead.js";
export type { Sleeper, UploadOverheadPer } from "./upload-overhead.js";
