/**
 * CLI glue for the planners by name (`--planner ionn|enhanced|optimal`):
 * parsing the options and the extra fields of `ionn plan --json`
 * (`planner`, `objective`, `exact`, `bound`, `planningMs`).
 *
 * @module
 */
import type { Network } from "../model/types.js";
import type { NetworkPlan } from "../plan/plan-network.js";
import { networkScheduleCosts } from "../schedule/network-costs.js";
import { groupPlanToLayers } from "../schedule/network-costs.js";
import { resolveCosts } from "../schedule/model.js";
import { resolveObjectiveOptions } from "../schedule/objective.js";
import { scorePlan } from "../schedule/optimal.js";
import { planSchedule, plannerName, type PlannerName, type ScheduleResult } from "../schedule/planners.js";
import { numberOption } from "./options.js";

/** The planner option (`--planner`, default `ionn`). @throws {InvalidArgumentError} naming `--planner`. */
export function plannerOption(values: Record<string, unknown>): PlannerName {
  return values["planner"] === undefined ? "ionn" : plannerName(values["planner"], "--planner");
}

/** `--preprocessing-ms` (think time between queries; default 500). */
export function preprocessingOption(values: Record<string, unknown>): number {
  return numberOption(values, "preprocessing-ms", 500, (v) => v >= 0, "a think time in ms ≥ 0");
}

/** `--time-budget-ms` (optimal planner's exact search; default 900). */
export function timeBudgetOption(values: Record<string, unknown>): number {
  return numberOption(values, "time-budget-ms", 900, (v) => v > 0, "a time budget in ms > 0");
}

/** Objective fields for `ionn plan`: the planner's plan on the CLI's graph, scored by the objective (`layerPartitions` made on first access). */
export function schedulePlanFields(
  network: Network,
  result: NetworkPlan,
  planner: PlannerName,
  options: { thinkMs: number; horizonMs: number; timeBudgetMs: number; K: number; children?: "auto" | "improving" | "all" },
): { fields: Record<string, unknown>; schedule: ScheduleResult; layerPartitions: number[][] } {
  const costs = networkScheduleCosts(network, result.graph);
  const seeds = planner === "optimal" ? [result.plan.partitions.map((p) => [...p.groups])] : [];
  let schedule: ScheduleResult;
  if (planner === "ionn") {
    // the plan the command computed (its preset, K, threshold, final round), scored as the runtime runs it (every uploaded layer on the server)
    const started = performance.now();
    const c = resolveCosts(costs);
    const scored = scorePlan(c, result.plan.partitions.map((p) => [...p.groups]), resolveObjectiveOptions(c, { thinkMs: options.thinkMs, horizonMs: options.horizonMs, placement: "all" }));
    schedule = {
      planner,
      partitions: result.plan.partitions.map((p) => ({ groups: p.groups, bytes: p.bytes, expectedQueryMs: p.expectedQueryMs })),
      objective: scored.objective,
      placement: "all",
      exact: false,
      planningMs: performance.now() - started,
    };
  } else {
    schedule = planSchedule(planner, costs, { thinkMs: options.thinkMs, horizonMs: options.horizonMs, timeBudgetMs: options.timeBudgetMs, K: options.K, seeds, ...(options.children !== undefined ? { children: options.children } : {}) });
  }
  const fields: Record<string, unknown> = {
    planner,
    objective: {
      queriesDuringUpload: schedule.objective.queriesDuringUpload,
      queriesInHorizon: schedule.objective.queriesInHorizon,
      meanLatencyMs: schedule.objective.meanLatencyMs,
      uploadCompleteMs: schedule.objective.uploadCompleteMs,
      queriesInWindow: schedule.objective.queriesInWindow,
      windowMs: schedule.objective.windowMs,
    },
    exact: schedule.exact,
    ...(schedule.bound !== undefined ? { bound: schedule.bound } : {}),
    ...(schedule.exactAmongImproving !== undefined ? { exactAmongImproving: schedule.exactAmongImproving } : {}),
    planningMs: schedule.planningMs,
  };
  // the runtime partitions are O(layers) arrays that `ionn plan` reads only for the objective-aware planners: made on first access
  let layerPartitions: number[][] | undefined;
  return {
    fields,
    schedule,
    get layerPartitions() {
      return (layerPartitions ??= groupPlanToLayers(network, result.graph, result.dag, schedule.partitions.map((p) => p.groups)));
    },
  };
}
