/**
 * Planners by name: `ionn` (Algorithm 1, IONN §5.2), `enhanced` (EMDL '19)
 * and `optimal` (objective-aware branch and bound), one result type
 * (partitions in upload order with the expected query time after each) and
 * one objective that scores every plan. The simulator, the real client and
 * the CLI take a planner by name through {@link planUpload}.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { CostedDag } from "../graph/costed-dag.js";
import type { ExecutionGraph } from "../graph/execution-graph.js";
import { groupLayers } from "../graph/chain.js";
import type { Layer, Network } from "../model/types.js";
import { computeUploadPlan } from "../plan/upload-plan.js";
import { planNetwork, type NetworkPlan, type PlanNetworkCosts } from "../plan/plan-network.js";
import type { PresetName } from "../plan/presets.js";
import { enhancedUploadPlan } from "./enhanced.js";
import { pathCost, resolveCosts, type ScheduleCosts } from "./model.js";
import { groupPlanToLayers, networkScheduleCosts } from "./network-costs.js";
import { resolveObjectiveOptions, type GroupPlan, type ObjectiveOptions, type ObjectiveValue } from "./objective.js";
import { optimalUploadPlan, scorePlan } from "./optimal.js";

/** The planner names every part of the library accepts. */
export const PLANNER_NAMES = ["ionn", "enhanced", "optimal"] as const;

/** A planner name: `ionn` (Algorithm 1), `enhanced` (EMDL '19), `optimal` (objective-aware). */
export type PlannerName = (typeof PLANNER_NAMES)[number];

/**
 * Check a planner name.
 * @throws {InvalidArgumentError} naming the option (`option`, default `planner`) and the valid names.
 */
export function plannerName(name: unknown, option = "planner"): PlannerName {
  if (typeof name !== "string" || !(PLANNER_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`${option} must be one of ${PLANNER_NAMES.join(", ")}, got "${String(name)}"`);
  }
  return name as PlannerName;
}

/** Options of {@link planSchedule} (graph level). */
export interface ScheduleOptions extends ObjectiveOptions {
  /** Algorithm 1's K for `ionn` (default 0.5). */
  readonly K?: number;
  /** Time budget of `optimal`'s exact search, ms (default 900). */
  readonly timeBudgetMs?: number;
  /** Exact search up to this many parameterized groups (default 20). */
  readonly maxExactGroups?: number;
  /** Plans `optimal` starts from, besides Algorithm 1's (K = 0.1 … 0.9) and the enhanced plan. */
  readonly seeds?: readonly GroupPlan[];
  /** Children of `optimal`'s search nodes: `"auto"` (default), `"improving"` (faster; exact only among plans whose every partition lowers the query time) or `"all"`, as the `children` option of {@link optimalUploadPlan}. */
  readonly children?: "auto" | "improving" | "all";
}

/** One partition of a scheduled plan. */
export interface ScheduledPartition {
  /** Groups in the partition (ascending). */
  readonly groups: readonly number[];
  /** Parameter bytes. */
  readonly bytes: number;
  /** Expected query time once partitions 0..i are uploaded (full link rate, the planner's path), ms. */
  readonly expectedQueryMs: number;
}

/** The common result of every planner. */
export interface ScheduleResult {
  /** The planner that made the plan. */
  readonly planner: PlannerName;
  /** Partitions in upload order. */
  readonly partitions: readonly ScheduledPartition[];
  /** The plan scored by the objective. */
  readonly objective: ObjectiveValue;
  /** Which uploaded groups a query runs on the server (`ionn`: all uploaded; `enhanced`, `optimal`: the best path over them). */
  readonly placement: "best" | "all";
  /** True when the plan is proven optimal for the objective (`optimal` only; Algorithm 1 and enhanced are heuristics: false). */
  readonly exact: boolean;
  /** Upper bound on the objective's score when `optimal` is not exact. */
  readonly bound?: number;
  /** `optimal` only: the count is proven among plans whose every partition lowers the expected query time (see `exactAmongImproving` of {@link optimalUploadPlan}'s result). */
  readonly exactAmongImproving?: boolean;
  /** Wall time of planning, ms. */
  readonly planningMs: number;
}

function ionnGroups(graph: ExecutionGraph, K: number): number[][] {
  return computeUploadPlan(graph, { K, finalRound: true }).partitions.map((p) => [...p.groups]);
}

/**
 * Plan on an execution graph by planner name and score the plan with the
 * objective. `ionn` uses Algorithm 1 with a final round at factor 0 (as the
 * simulator's ionn policy).
 *
 * @throws {InvalidArgumentError} on an unknown planner name or bad options (horizon ≤ 0, think time < 0, time budget ≤ 0, …), naming the option.
 * @example
 * ```ts
 * const result = planSchedule("optimal", { graph }, { thinkMs: 500 });
 * result.partitions.map((p) => p.groups);
 * ```
 */
export function planSchedule(name: PlannerName | string, costs: ScheduleCosts, options: ScheduleOptions = {}): ScheduleResult {
  const planner = plannerName(name);
  const started = performance.now();
  const c = resolveCosts(costs);
  const K = options.K ?? 0.5;
  if (typeof K !== "number" || !(K > 0 && K < 1)) throw new InvalidArgumentError(`planUpload: K must be in (0, 1), got ${String(K)}`);
  if (options.timeBudgetMs !== undefined && !(options.timeBudgetMs > 0)) {
    throw new InvalidArgumentError(`planUpload: timeBudgetMs (time budget) must be a number > 0 ms, got ${String(options.timeBudgetMs)}`);
  }
  let plan: number[][];
  let placement: "best" | "all";
  let exact = false;
  let bound: number | undefined;
  let exactAmongImproving: boolean | undefined;
  let objective: ObjectiveValue;
  if (planner === "ionn") {
    placement = options.placement ?? "all";
    plan = ionnGroups(c.graph, K);
    objective = scorePlan(c, plan, resolveObjectiveOptions(c, { ...options, placement })).objective;
  } else if (planner === "enhanced") {
    placement = options.placement ?? "best";
    plan = enhancedUploadPlan(costs).plan;
    objective = scorePlan(c, plan, resolveObjectiveOptions(c, { ...options, placement })).objective;
  } else {
    placement = options.placement ?? "best";
    const seeds: GroupPlan[] = [...(options.seeds ?? [])];
    if (c.n <= 5000) seeds.push(enhancedUploadPlan(costs).plan);
    for (const k of [0.1, 0.3, 0.5, 0.7, 0.9]) seeds.push(ionnGroups(c.graph, k));
    // one budget for the whole planner: the seeds' time counts
    const result = optimalUploadPlan(costs, { ...options, placement, seeds, deadlineMs: started + (options.timeBudgetMs ?? 900) });
    plan = result.plan;
    objective = result.objective;
    exact = result.exact;
    exactAmongImproving = result.exactAmongImproving;
    if (result.bound !== undefined) bound = result.bound;
  }
  const uploaded = new Uint8Array(c.n);
  const partitions = plan.map((groups) => {
    let bytes = 0;
    for (const g of groups) {
      uploaded[g] = 1;
      bytes += c.paramBytes[g]!;
    }
    return { groups, bytes, expectedQueryMs: pathCost(c, uploaded, placement).ms };
  });
  return {
    planner,
    partitions,
    objective,
    placement,
    exact,
    ...(bound !== undefined ? { bound } : {}),
    ...(exactAmongImproving !== undefined ? { exactAmongImproving } : {}),
    planningMs: performance.now() - started,
  };
}

/** Options of {@link planUpload} (network level). */
export interface PlanUploadOptions extends ScheduleOptions {
  /** Planner preset (default `"paper"`). */
  readonly preset?: PresetName;
  /** Uplink bandwidth, Mbps (default 80). */
  readonly mbps?: number;
  /** Downlink bandwidth, Mbps (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** Bits per megabit (default: the preset's). */
  readonly megabit?: number;
  /** One-way link latency, ms (default 1, the simulator's). */
  readonly latencyMs?: number;
  /** Server loading time of a layer, ms (default: the IONN authors' model, as the simulator). */
  readonly serverLoadMs?: (layer: Layer) => number;
}

/** The network-level result of {@link planUpload}: the common result plus the runtime's partitions. */
export interface NetworkSchedule extends ScheduleResult {
  /** Runtime layer indices of each partition, in upload order (what `OffloadingClient` takes). */
  readonly layerPartitions: readonly (readonly number[])[];
  /** Runtime layer names of each partition. */
  readonly layerNames: readonly (readonly string[])[];
  /** Runtime layers a query runs on the server given the uploaded ones (pass to `OffloadingClient`'s `placement`). */
  readonly placementFn: (uploaded: ReadonlySet<number>) => number[];
  /** The planner pipeline's graph and chain. */
  readonly planned: NetworkPlan;
}

/**
 * Plan a network's upload by planner name: the planner pipeline of
 * `planNetwork` (groups by dominators, execution graph), the schedule costs
 * of the network (frame headers, loading times), the named planner, and the
 * runtime's partitions and placement.
 *
 * @throws {InvalidArgumentError} on an unknown planner name, bad costs or bad options, naming the option.
 * @example
 * ```ts
 * const plan = planUpload("optimal", network, { clientMs, serverMs }, { mbps: 80, thinkMs: 500 });
 * plan.objective.queriesInWindow;
 * new OffloadingClient({ ..., plan: { partitions: plan.layerPartitions.map((layers) => ({ layers })) }, placement: plan.placementFn });
 * ```
 */
export function planUpload(name: PlannerName | string, network: Network, costs: PlanNetworkCosts, options: PlanUploadOptions = {}): NetworkSchedule {
  const planner = plannerName(name);
  const started = performance.now();
  const planned = planNetwork(network, costs, {
    preset: options.preset ?? "paper",
    mbps: options.mbps ?? 80,
    ...(options.downlinkMbps !== undefined ? { downlinkMbps: options.downlinkMbps } : {}),
    ...(options.megabit !== undefined ? { megabit: options.megabit } : {}),
    K: options.K ?? 0.5,
    finalRound: true,
  });
  const scheduleCosts = networkScheduleCosts(network, planned.graph, {
    ...(options.serverLoadMs ? { serverLoadMs: options.serverLoadMs } : {}),
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
  });
  const result = planSchedule(planner, scheduleCosts, options);
  const layerPartitions = groupPlanToLayers(
    network,
    planned.graph,
    planned.dag,
    result.partitions.map((p) => p.groups),
  );
  const placementFn = schedulePlacement(network, planned.graph, planned.dag, scheduleCosts, result.placement);
  return {
    ...result,
    planningMs: performance.now() - started,
    layerPartitions,
    layerNames: layerPartitions.map((layers) => layers.map((i) => network.layers[i]!.name)),
    placementFn,
    planned,
  };
}

/**
 * The runtime placement of a schedule: given the runtime layers uploaded,
 * the groups fully uploaded, the path over them (`"best"`) or all of them
 * (`"all"`), and that path's runtime layers (plus uploaded layers the
 * preset left out of the DAG whose inputs are all on that path). `O(layers)`
 * per call.
 */
export function schedulePlacement(
  network: Network,
  graph: ExecutionGraph,
  dag: Pick<CostedDag, "omittedLayers"> | undefined,
  costs: ScheduleCosts,
  placement: "best" | "all",
): (uploaded: ReadonlySet<number>) => number[] {
  const c = resolveCosts(costs);
  const groupOf = new Int32Array(network.layers.length).fill(-1);
  for (let g = 0; g < c.n; g++) for (const l of groupLayers(graph.chain, g)) groupOf[l] = g;
  const omitted = new Set(dag?.omittedLayers ?? []);
  const consumers: number[][] = network.layers.map(() => []);
  for (const layer of network.layers) for (const ref of layer.inputs) consumers[ref.layer]!.push(layer.index);
  const splits = network.layers.filter((l) => l.type === "Split" && l.inputs.length === 1 && l.tops.length > 1);
  return (uploaded) => {
    const mask = new Uint8Array(c.n).fill(1);
    for (let g = 0; g < c.n; g++) {
      for (const l of groupLayers(graph.chain, g)) {
        if (network.layers[l]!.type !== "Input" && !uploaded.has(l)) mask[g] = 0;
      }
    }
    const path = pathCost(c, mask, placement);
    const out: number[] = [];
    const on = new Set<number>();
    for (const layer of network.layers) {
      const g = groupOf[layer.index]!;
      if (g >= 0 && path.onServer[g] && uploaded.has(layer.index)) {
        out.push(layer.index);
        on.add(layer.index);
      } else if (g < 0 && omitted.has(layer.index) && uploaded.has(layer.index) && layer.inputs.length > 0 && layer.inputs.every((r) => on.has(r.layer))) {
        out.push(layer.index);
        on.add(layer.index);
      }
    }
    // A Split copies one tensor to several consumers: run it on the side of its consumers, so one
    // tensor crosses the link instead of one per consumer (the chain model charges one).
    for (const split of splits) {
      const users = consumers[split.index]!;
      if (users.length === 0) continue;
      if (on.has(split.index) && users.every((u) => !on.has(u))) on.delete(split.index);
      else if (!on.has(split.index) && uploaded.has(split.index) && users.every((u) => on.has(u))) on.add(split.index);
    }
    return [...on].sort((a, b) => a - b);
  };
}
