/**
 * Re-planners for the objective-aware planners: the `enhanced` and
 * `optimal` planners behind the re-planning seam of `src/link/replan.ts`
 * ({@link Replanner}), so a client that re-plans the rest of its upload when
 * the bandwidth estimate moves (`--replan estimate`) can keep its planner.
 *
 * The rest of an upload is planned as a fresh upload of the same network at
 * the new bandwidth, with the groups the server already holds (or is
 * receiving) made free: no weight bytes, no header bytes, no loading time,
 * and no session set-up. The planners then put them in the first partition
 * (the optimizer sends every parameter-free group first), and they are
 * dropped from the answer, as `ionnReplanner` does. Approximation, stated:
 * the objective sees the held groups only once that first partition is
 * ACKed (the runtime uses them at once), and a group the server holds in
 * part is charged in full; the comparison window T is the all-at-once
 * upload of what is left.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { groupsHeld, registerReplanner, type Replanner } from "../link/replan.js";
import { groupPlanToLayers, networkScheduleCosts } from "./network-costs.js";
import { planSchedule } from "./planners.js";

/** Options of {@link scheduleReplanner}. */
export interface ScheduleReplannerOptions {
  /** Think time between queries, ms (default 500). */
  readonly thinkMs?: number;
  /** Horizon of the objective, ms (default 40 000). */
  readonly horizonMs?: number;
  /** Time budget of one re-plan of `optimal`, ms (default 250: a re-plan runs on the client's event loop while it uploads). */
  readonly timeBudgetMs?: number;
}

/**
 * A {@link Replanner} running the `enhanced` or `optimal` planner on the
 * rest of the upload (see the module comment for what it charges).
 *
 * @throws {InvalidArgumentError} on another planner name (`ionn` has its own, `ionnReplanner`) or bad options, naming the option.
 * @example
 * ```ts
 * const controller = new ReplanController({ context, planMbps: 80, replanner: scheduleReplanner("optimal", { thinkMs: 0 }) });
 * ```
 */
export function scheduleReplanner(name: "enhanced" | "optimal", options: ScheduleReplannerOptions = {}): Replanner {
  if (name !== "enhanced" && name !== "optimal") throw new InvalidArgumentError(`scheduleReplanner: planner must be enhanced or optimal, got "${String(name)}"`);
  const timeBudgetMs = options.timeBudgetMs ?? 250;
  if (typeof timeBudgetMs !== "number" || !(timeBudgetMs > 0)) throw new InvalidArgumentError(`scheduleReplanner: timeBudgetMs (time budget) must be a number > 0 ms, got ${String(timeBudgetMs)}`);
  const thinkMs = options.thinkMs ?? 500;
  if (typeof thinkMs !== "number" || !Number.isFinite(thinkMs) || thinkMs < 0) throw new InvalidArgumentError(`scheduleReplanner: thinkMs (think time between queries) must be a finite number ≥ 0 ms, got ${String(thinkMs)}`);
  const horizonMs = options.horizonMs ?? 40_000;
  if (typeof horizonMs !== "number" || !Number.isFinite(horizonMs) || horizonMs <= 0) throw new InvalidArgumentError(`scheduleReplanner: horizonMs (horizon) must be a finite number > 0 ms, got ${String(horizonMs)}`);
  return ({ network, context, mbps, downlinkMbps, held }) => {
    const chain = context.initial.chain;
    const heldGroups = groupsHeld(chain, held);
    const paramBytes = Float64Array.from(chain.paramBytes);
    for (const g of heldGroups) paramBytes[g] = 0;
    const graph = buildExecutionGraph({ ...chain, paramBytes }, { mbps, downlinkMbps: downlinkMbps ?? mbps, megabit: context.megabit, float32: context.initial.graph.float32 });
    const base = networkScheduleCosts(network, graph);
    const headerBytes = Float64Array.from(base.headerBytes!);
    const loadMs = Float64Array.from(base.loadMs!);
    for (const g of heldGroups) {
      headerBytes[g] = 0;
      loadMs[g] = 0;
    }
    // The all-at-once baseline of what is left: defaults (sums over the groups) once held groups are free.
    const costs = { graph, headerBytes, loadMs, latencyMs: base.latencyMs!, setupMs: 0 };
    const result = planSchedule(name, costs, { thinkMs, horizonMs, ...(name === "optimal" ? { timeBudgetMs } : {}) });
    return groupPlanToLayers(
      network,
      graph,
      context.initial.dag,
      result.partitions.map((p) => p.groups),
    )
      .map((layers) => layers.filter((i) => !held.has(i)))
      .filter((layers) => layers.length > 0);
  };
}

/** Register `enhanced` and `optimal` (default options) in the re-planner registry of `src/link/replan.ts` (`replannerByName`). Idempotent. */
export function registerScheduleReplanners(): void {
  registerReplanner("enhanced", () => scheduleReplanner("enhanced"));
  registerReplanner("optimal", () => scheduleReplanner("optimal"));
}
