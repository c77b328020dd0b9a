/**
 * Simulator policies backed by the objective-aware planners of
 * `src/schedule/`: `optimal` (branch and bound on the upload objective) and
 * `enhanced` (EMDL '19). The scenario's think time (pre-processing),
 * latency, horizon and loading-time model reach the planner, so the plan
 * optimizes the scenario it runs in; queries run the best path over the
 * uploaded groups.
 *
 * @module
 */
import type { PresetName } from "../plan/presets.js";
import { planUpload, type PlannerName } from "../schedule/planners.js";
import type { Policy } from "./policies.js";

/** Options of {@link schedulePolicy}. */
export interface SchedulePolicyOptions {
  /** Planner preset (default `"paper"`). */
  readonly preset?: PresetName;
  /** Time budget of the `optimal` planner's exact search, ms (default 900). */
  readonly timeBudgetMs?: number;
  /** K of the `ionn` planner (default 0.5). */
  readonly K?: number;
}

/**
 * A policy that plans with a named planner of `src/schedule/` (`planUpload`)
 * for the scenario's costs, bandwidth, latency, think time and horizon.
 * @example
 * ```ts
 * simulate({ network: "alexnet", policy: schedulePolicy("optimal"), preprocessingMs: 0 });
 * ```
 */
export function schedulePolicy(planner: PlannerName, options: SchedulePolicyOptions = {}): Policy {
  return {
    name: planner,
    decide(context) {
      const result = planUpload(planner, context.network, { clientMs: context.clientMs, serverMs: context.serverMs }, {
        preset: options.preset ?? "paper",
        mbps: context.mbps,
        downlinkMbps: context.downlinkMbps,
        megabit: context.megabit,
        ...(options.K !== undefined ? { K: options.K } : {}),
        ...(options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {}),
        ...(context.latencyMs !== undefined ? { latencyMs: context.latencyMs } : {}),
        ...(context.preprocessingMs !== undefined ? { thinkMs: context.preprocessingMs } : {}),
        ...(context.horizonMs !== undefined ? { horizonMs: context.horizonMs } : {}),
        ...(context.serverLoadMs !== undefined ? { serverLoadMs: context.serverLoadMs } : {}),
        ...(context.uploadWindow !== undefined ? { uploadWindow: context.uploadWindow } : {}),
      });
      return {
        partitions: result.layerPartitions,
        placement: result.placementFn,
        placementPerQuery: true,
        planned: result.planned,
        expectedQueryMs: result.partitions.map((p) => p.expectedQueryMs),
      };
    },
  };
}
