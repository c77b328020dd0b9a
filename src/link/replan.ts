/**
 * Re-planning the rest of an upload when the bandwidth changes, and the
 * placement of queries at the current bandwidth.
 *
 * The planner is a seam: a {@link Replanner} maps (network costs, a
 * bandwidth, the layers the server already holds) to the partitions still to
 * upload. {@link ionnReplanner} is IONN's Algorithm 1 with the held groups
 * charged no upload; other planners (e.g. `enhanced`, `optimal`) plug in
 * with {@link registerReplanner} under their name.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { CostedChain } from "../graph/chain.js";
import { buildExecutionGraph, type ExecutionGraph } from "../graph/execution-graph.js";
import { shortestPath } from "../graph/shortest-path.js";
import type { Network } from "../model/types.js";
import { planNetwork, runtimePartitions, type NetworkPlan, type PlanNetworkCosts } from "../plan/plan-network.js";
import type { PresetName } from "../plan/presets.js";
import { computeUploadPlan } from "../plan/upload-plan.js";

/** Bandwidths at or below this are treated as an outage (nothing goes to the server), Mbps. */
export const OUTAGE_MBPS = 0.01;

/** What a {@link Replanner} is given. */
export interface ReplanRequest {
  /** The network (runtime layer order). */
  readonly network: Network;
  /** The planning context made once per network by {@link planningContext} (chain, presets). */
  readonly context: PlanningContext;
  /** Uplink bandwidth to plan for, Mbps (> {@link OUTAGE_MBPS}). */
  readonly mbps: number;
  /** Downlink bandwidth, Mbps (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** Runtime indices of the layers the server holds or is receiving: never in the answer. */
  readonly held: ReadonlySet<number>;
}

/** A re-planner: the partitions still to upload (runtime layer indices, upload order), none naming a held layer. */
export type Replanner = (request: ReplanRequest) => number[][];

/** The bandwidth-independent part of planning a network, made once: costs, preset, groups. */
export interface PlanningContext {
  /** The network planned. */
  readonly network: Network;
  /** The plan at the initial bandwidth (its chain and DAG are bandwidth-independent). */
  readonly initial: NetworkPlan;
  /** Bits per megabit. */
  readonly megabit: number;
  /** Algorithm 1's K. */
  readonly K: number;
  /** The preset's threshold. */
  readonly threshold: number;
  /** Whether the planner runs a final round at factor 0. */
  readonly finalRound: boolean;
}

/** Options of {@link planningContext}. */
export interface PlanningContextOptions {
  /** Initial uplink bandwidth, Mbps. */
  readonly mbps: number;
  /** Initial downlink bandwidth, Mbps (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** K (default 0.5). */
  readonly K?: number;
  /** Preset (default `"paper"`). */
  readonly preset?: PresetName;
  /** Final round at factor 0 (default `true`, as the simulator's `ionn` policy). */
  readonly finalRound?: boolean;
  /** Bits per megabit (default: the preset's). */
  readonly megabit?: number;
}

/** Build the {@link PlanningContext} of a network with per-layer costs. */
export function planningContext(network: Network, costs: PlanNetworkCosts, options: PlanningContextOptions): PlanningContext {
  const K = options.K ?? 0.5;
  const finalRound = options.finalRound ?? true;
  const initial = planNetwork(network, costs, {
    preset: options.preset ?? "paper",
    mbps: options.mbps,
    ...(options.downlinkMbps !== undefined ? { downlinkMbps: options.downlinkMbps } : {}),
    ...(options.megabit !== undefined ? { megabit: options.megabit } : {}),
    K,
    finalRound,
  });
  return { network, initial, megabit: options.megabit ?? initial.preset.megabit, K, threshold: initial.preset.threshold, finalRound };
}

const graphCache = new WeakMap<CostedChain, Map<string, ExecutionGraph>>();

/** The execution graph of the context's chain at a bandwidth (cached per chain and rate). */
export function graphAt(context: PlanningContext, mbps: number, downlinkMbps = mbps): ExecutionGraph {
  const chain = context.initial.chain;
  let byRate = graphCache.get(chain);
  if (byRate === undefined) graphCache.set(chain, (byRate = new Map()));
  const key = `${mbps}/${downlinkMbps}`;
  let graph = byRate.get(key);
  if (graph === undefined) {
    graph = buildExecutionGraph(chain, { mbps, downlinkMbps, megabit: context.megabit, float32: context.initial.graph.float32 });
    if (byRate.size > 256) byRate.clear();
    byRate.set(key, graph);
  }
  return graph;
}

/** Groups all of whose runtime layers are in `layers`. */
export function groupsHeld(chain: CostedChain, layers: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let g = 0; g < chain.size; g++) {
    let all = true;
    for (let q = chain.layerOffsets[g]!; q < chain.layerOffsets[g + 1]!; q++) if (!layers.has(chain.layers[q]!)) all = false;
    if (all) out.push(g);
  }
  return out;
}

/**
 * IONN's Algorithm 1 for the rest of an upload: the held groups cost no
 * upload in every round and are in no partition; layers of a partly held
 * group that are not held are uploaded with the group's partition.
 */
export function ionnReplanner(): Replanner {
  return ({ network, context, mbps, downlinkMbps, held }) => {
    const graph = graphAt(context, mbps, downlinkMbps ?? mbps);
    const plan = computeUploadPlan(graph, { K: context.K, threshold: context.threshold, finalRound: context.finalRound, heldGroups: groupsHeld(context.initial.chain, held) });
    return runtimePartitions(network, { plan, dag: context.initial.dag })
      .map((layers) => layers.filter((i) => !held.has(i)))
      .filter((layers) => layers.length > 0);
  };
}

const REPLANNERS = new Map<string, () => Replanner>([["ionn", ionnReplanner]]);

/** Make a re-planner available by name (for planners built elsewhere, e.g. `enhanced`, `optimal`). */
export function registerReplanner(name: string, factory: () => Replanner): void {
  REPLANNERS.set(name, factory);
}

/** Names of the registered re-planners. */
export function replannerNames(): string[] {
  return [...REPLANNERS.keys()];
}

/** A registered re-planner by name. @throws {InvalidArgumentError} naming the known names. */
export function replannerByName(name: string): Replanner {
  const factory = REPLANNERS.get(name);
  if (factory === undefined) throw new InvalidArgumentError(`unknown planner "${name}" (expected one of ${replannerNames().join(", ")})`);
  return factory();
}

/**
 * The best placement of a query at a bandwidth, given the uploaded layers:
 * the shortest path of the execution graph where uploaded groups cost no
 * upload and the others cannot run on the server. Returns runtime indices.
 * At an outage ({@link OUTAGE_MBPS} or less) nothing runs on the server.
 */
export function bestPlacement(context: PlanningContext, mbps: number, uploaded: ReadonlySet<number>, downlinkMbps = mbps): number[] {
  if (!(mbps > OUTAGE_MBPS) || !(downlinkMbps > OUTAGE_MBPS)) return [];
  const graph = graphAt(context, mbps, downlinkMbps);
  const chain = context.initial.chain;
  const factors = new Float64Array(chain.size).fill(Infinity);
  for (const g of groupsHeld(chain, uploaded)) factors[g] = 0;
  const path = shortestPath(graph, factors);
  const out: number[] = [];
  for (const g of path.serverGroups) for (let q = chain.layerOffsets[g]!; q < chain.layerOffsets[g + 1]!; q++) out.push(chain.layers[q]!);
  // Layers the planner's DAG left out (ionn-reference plumbing) run where their inputs are.
  const inChain = new Set(chain.layers);
  const placed = new Set(out);
  for (const layer of context.network.layers) {
    if (inChain.has(layer.index) || !uploaded.has(layer.index)) continue;
    if (layer.inputs.length > 0 && layer.inputs.every((ref) => placed.has(ref.layer))) {
      placed.add(layer.index);
      out.push(layer.index);
    }
  }
  return out.sort((a, b) => a - b);
}

