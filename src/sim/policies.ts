/**
 * Offloading policies for the simulator (IONN §6.2): what a client uploads,
 * in which partitions, and which uploaded layers its queries run on the
 * server. Built in: `local`, `all-at-once`, `ionn` (Algorithm 1 with K) and
 * `neurosurgeon` (the best single split, rear part uploaded at once, [20] in
 * the paper). A {@link Policy} is a plain object, so users add their own.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Network } from "../model/types.js";
import { allAtOnce, singleSplit } from "../plan/baselines.js";
import { planNetwork, runtimePartitions, type NetworkPlan } from "../plan/plan-network.js";
import type { Layer } from "../model/types.js";
import type { PresetName } from "../plan/presets.js";
import { schedulePolicy } from "./schedule-policies.js";

/** What a policy is told about the scenario. */
export interface PolicyContext {
  /** The network (runtime layer order). */
  readonly network: Network;
  /** Client time per runtime layer, ms (the cost source the simulator charges). */
  readonly clientMs: ArrayLike<number>;
  /** Server time per runtime layer, ms. */
  readonly serverMs: ArrayLike<number>;
  /** Uplink bandwidth, Mbps. */
  readonly mbps: number;
  /** Downlink bandwidth, Mbps. */
  readonly downlinkMbps: number;
  /** Bits per megabit the link uses. */
  readonly megabit: number;
  /** One-way link latency, ms (the scenario's; absent when the caller does not say). */
  readonly latencyMs?: number;
  /** Think time between queries (the scenario's pre-processing), ms. */
  readonly preprocessingMs?: number;
  /** Queries are raised while the clock is below this, ms. */
  readonly horizonMs?: number;
  /** Server loading time of a layer, ms (the scenario's model). */
  readonly serverLoadMs?: (layer: Layer) => number;
  /** Partitions in flight at once (pipelined upload; 1 = after each ACK). */
  readonly uploadWindow?: number;
}

/** A policy's decision for one scenario. */
export interface PolicyDecision {
  /** Partitions in upload order, each a list of runtime layer indices (empty: upload nothing). */
  readonly partitions: readonly (readonly number[])[];
  /**
   * Which uploaded layers a query runs on the server, given the uploaded
   * ones (default: all uploaded layers). Passed to `OffloadingClient`.
   */
  readonly placement?: (uploaded: ReadonlySet<number>) => Iterable<number>;
  /** Decide the placement once per query (see `OffloadingClientOptions.placementPerQuery`; default false). */
  readonly placementPerQuery?: boolean;
  /** The planner's output when the policy used it (for reports). */
  readonly planned?: NetworkPlan;
  /** Expected query time (ms) after each partition is uploaded, when known. */
  readonly expectedQueryMs?: readonly number[];
}

/** An offloading policy: a name and a function from the scenario to a decision. */
export interface Policy {
  /** Name shown in results (e.g. `"ionn(K=0.5)"`). */
  readonly name: string;
  /** Decide partitions and placement. */
  decide(context: PolicyContext): PolicyDecision;
}

/** Names of the built-in policies. */
export const POLICY_NAMES = ["local", "all-at-once", "ionn", "neurosurgeon", "optimal", "enhanced"] as const;

/** A built-in policy name. */
export type PolicyName = (typeof POLICY_NAMES)[number];

function plannerGraph(context: PolicyContext, options: { preset?: PresetName; K?: number; finalRound?: boolean } = {}): NetworkPlan {
  return planNetwork(
    context.network,
    { clientMs: context.clientMs, serverMs: context.serverMs },
    {
      preset: options.preset ?? "paper",
      mbps: context.mbps,
      downlinkMbps: context.downlinkMbps,
      megabit: context.megabit,
      K: options.K ?? 0.5,
      ...(options.finalRound !== undefined ? { finalRound: options.finalRound } : {}),
    },
  );
}

function groupsToLayers(planned: NetworkPlan, groups: Iterable<number>): number[] {
  const layers: number[] = [];
  for (const g of groups) layers.push(...planned.plan.groups[g]!.layers);
  return layers.sort((a, b) => a - b);
}

/**
 * Local execution only: nothing is uploaded, every query runs on the client.
 * @example
 * ```ts
 * simulate({ network, policy: localPolicy() });
 * ```
 */
export function localPolicy(): Policy {
  return { name: "local", decide: () => ({ partitions: [] }) };
}

/**
 * All at once (the paper's baseline, §6.1): upload every layer but the
 * Input layers as one partition; queries run locally until its ACK, then on
 * the best collaborative path (the shortest path with every upload done,
 * `allAtOnce` of the planner), which may keep some layers on the client.
 */
export function allAtOncePolicy(options: { preset?: PresetName } = {}): Policy {
  return {
    name: "all-at-once",
    decide(context) {
      const planned = plannerGraph(context, options);
      const best = new Set(groupsToLayers(planned, allAtOnce(planned.graph).serverGroups));
      const everything = context.network.layers.filter((l) => l.type !== "Input").map((l) => l.index);
      return {
        partitions: everything.length > 0 ? [everything] : [],
        placement: (uploaded) => [...best].filter((i) => uploaded.has(i)),
        planned,
        expectedQueryMs: [allAtOnce(planned.graph).queryMs],
      };
    },
  };
}

/** Options of {@link ionnPolicy}. */
export interface IonnPolicyOptions {
  /** Algorithm 1's K in (0, 1) (default 0.5). */
  readonly K?: number;
  /** Planner preset (default `"paper"`). */
  readonly preset?: PresetName;
  /**
   * Run a last round at upload factor 0 (default `true`). With it the last
   * partition completes the optimal collaborative path, as in the paper's
   * measured runs (Table 2: IONN uploads the whole model; Figure 7: IONN
   * ends at all-at-once's best latency) and the authors' code; without it,
   * the `paper` preset's threshold 0.01 can stop before the large layers
   * (AlexNet's fc6–fc8 at K = 0.5) are ever uploaded.
   */
  readonly finalRound?: boolean;
}

/**
 * IONN (§5.2, Algorithm 1): the partitions of `planNetwork` with the
 * scenario's costs and bandwidth, uploaded one after another; each query
 * runs every layer uploaded so far on the server (the plan's kept paths are
 * nested, so this is the path the planner expected).
 *
 * @throws {InvalidArgumentError} (from `decide`) when K is outside (0, 1).
 * @example
 * ```ts
 * simulate({ network: zooNetwork("alexnet"), policy: ionnPolicy({ K: 0.1 }) });
 * ```
 */
export function ionnPolicy(options: IonnPolicyOptions = {}): Policy {
  const K = options.K ?? 0.5;
  if (!(K > 0 && K < 1)) throw new InvalidArgumentError(`ionnPolicy: K must be strictly between 0 and 1, got ${K}`);
  return {
    name: `ionn(K=${K})`,
    decide(context) {
      const planned = plannerGraph(context, { ...options, K, finalRound: options.finalRound ?? true });
      const partitions = runtimePartitions(context.network, planned);
      return { partitions, planned, expectedQueryMs: planned.plan.partitions.map((p) => p.expectedQueryMs) };
    },
  };
}

/**
 * Neurosurgeon's single split: the front part on the client, the rear part
 * (the best split point of `singleSplit`, upload cost ignored) uploaded as
 * one partition and run on the server once ACKed.
 */
export function neurosurgeonPolicy(options: { preset?: PresetName } = {}): Policy {
  return {
    name: "neurosurgeon",
    decide(context) {
      const planned = plannerGraph(context, options);
      const split = singleSplit(planned.graph);
      const rear = groupsToLayers(planned, split.serverGroups);
      return { partitions: rear.length > 0 ? [rear] : [], planned, expectedQueryMs: [split.queryMs] };
    },
  };
}

/**
 * A built-in policy by name (`ionn` takes `K` and `finalRound`, see {@link IonnPolicyOptions}).
 * @throws {InvalidArgumentError} naming the valid names.
 */
export function policyByName(name: string, options: { K?: number; finalRound?: boolean } = {}): Policy {
  switch (name) {
    case "local":
      return localPolicy();
    case "all-at-once":
      return allAtOncePolicy();
    case "ionn":
      return ionnPolicy({ ...(options.K === undefined ? {} : { K: options.K }), ...(options.finalRound === undefined ? {} : { finalRound: options.finalRound }) });
    case "neurosurgeon":
      return neurosurgeonPolicy();
    case "optimal":
    case "enhanced":
      return schedulePolicy(name);
    default:
      throw new InvalidArgumentError(`unknown policy "${name}" (expected one of ${POLICY_NAMES.join(", ")})`);
  }
}
