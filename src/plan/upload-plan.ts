/**
 * The uploading plan, IONN §5.2, Algorithm 1 ("DNN Partitioning
 * Algorithm"): search the shortest path on the NN execution graph while the
 * layer upload time is scaled by K^n, n = 0, 1, …; each round's path gives
 * the groups on the server, and the groups newly on the server form the next
 * partition. Also the plan's evaluation ({@link expectedQueryTime}).
 *
 * Options cover both the paper as printed and the IONN authors' code
 * (`reference/ionn-reference-conventions.md`): threshold, a final round at
 * factor 0, float32 factors, and what to charge for groups already uploaded.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { groupCosts, groupLayers } from "../graph/chain.js";
import type { ExecutionGraph } from "../graph/execution-graph.js";
import { shortestPath, shortestPathScratch, type ShortestPathScratch } from "../graph/shortest-path.js";

/** Options of {@link computeUploadPlan}. */
export interface UploadPlanOptions {
  /** The decay of the upload factor per round, in (0, 1). */
  readonly K: number;
  /**
   * Rounds run while the factor is ≥ `threshold` (default `0.01`, Algorithm 1 line 5), compared with a
   * relative tolerance of {@link THRESHOLD_RELATIVE_TOLERANCE} so that rounding in `K^n` does not drop a round.
   */
  readonly threshold?: number;
  /** Run one more round at factor 0 (default `false`; the authors' code does; the last plan is then the optimal collaborative path). */
  readonly finalRound?: boolean;
  /**
   * Compute factors as the authors' code does (default: the graph's
   * `float32`): `k = 1 − K^level` in double stored as float32, factor =
   * float32(1 − k); when `k > 1 − threshold` the factor is 0 and that round
   * is the last.
   */
  readonly float32?: boolean;
  /**
   * What the path charges for groups already in a kept plan (default
   * `"decay"`): `"decay"` scales their upload time like the others'
   * (Algorithm 1 as printed); `"free"` charges nothing (they are uploaded).
   */
  readonly alreadyUploaded?: "decay" | "free";
  /**
   * Groups already on the server before the plan starts (a re-plan of the
   * rest of an upload): they cost no upload in every round and are in no
   * partition (default none).
   */
  readonly heldGroups?: Iterable<number>;
}

/** One partition of an uploading plan. */
export interface UploadPartition {
  /** Groups in the partition (ascending = runtime order). */
  readonly groups: readonly number[];
  /** Runtime layer indices (merged layers included), runtime order. */
  readonly layers: readonly number[];
  /** Runtime layer names, when the chain knows them (made on first access; included by `JSON.stringify`). */
  readonly layerNames?: readonly string[];
  /** Parameter bytes to upload. */
  readonly bytes: number;
  /** Expected query time (ms) once partitions 0..i are uploaded. */
  readonly expectedQueryMs: number;
}

/** One round of Algorithm 1. */
export interface PlanRound {
  /** Round number n (0-based). */
  readonly level: number;
  /** Upload factor used (K^n, or 0 for the final round). */
  readonly factor: number;
  /** Groups on the server in this round's shortest path (made on first access; included by `JSON.stringify`). */
  readonly serverGroups: readonly number[];
  /** Length of the shortest path (ms). */
  readonly pathMs: number;
  /** Whether this round's plan was kept (non-empty and different from the previous kept plan). */
  readonly kept: boolean;
}

/** A group of the plan's chain, for reports. */
export interface PlanGroup {
  readonly index: number;
  readonly name: string;
  readonly layers: readonly number[];
  readonly layerNames?: readonly string[];
  readonly clientMs: number;
  readonly serverMs: number;
  readonly loadMs: number;
  readonly bytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
}

/** The result of {@link computeUploadPlan}. */
export interface UploadPlan {
  /** The K used. */
  readonly K: number;
  /** Partitions in upload order; never empty partitions. */
  readonly partitions: readonly UploadPartition[];
  /** The chain's groups (described on first access; included by `JSON.stringify`). */
  readonly groups: readonly PlanGroup[];
  /** Every round, kept or not. */
  readonly rounds: readonly PlanRound[];
  /** Expected query time with nothing uploaded (all on the client) (ms). */
  readonly localMs: number;
}

/**
 * Relative tolerance of Algorithm 1's threshold test (`K^n ≥ threshold`, line 5) in float64:
 * a factor counts as reaching the threshold when `K^n ≥ threshold · (1 − 1e-9)`. Without it,
 * `K = 0.01^(1/5)` computes `K^5 = 0.009999999999999995` and loses its 6th round. The `float32`
 * rule reproduces the authors' code and compares exactly.
 */
export const THRESHOLD_RELATIVE_TOLERANCE = 1e-9;

function validateK(K: number): void {
  if (typeof K !== "number" || !(K > 0 && K < 1)) {
    throw new InvalidArgumentError(`computeUploadPlan: K must be in (0, 1), got ${String(K)}`);
  }
}

/**
 * The upload factors of Algorithm 1's rounds: `K^n` for n = 0, 1, … while
 * `K^n ≥ threshold` up to {@link THRESHOLD_RELATIVE_TOLERANCE} (then 0 when `finalRound`); with `float32`, the authors'
 * rule (see {@link UploadPlanOptions.float32}; the round at which the factor
 * drops to 0 is last). `O(rounds)`.
 *
 * @throws {InvalidArgumentError} when K is outside (0, 1) or threshold outside (0, 1].
 * @example
 * roundFactors(0.5, { threshold: 0.001, float32: true }).length; // 11
 */
export function roundFactors(K: number, options: { threshold?: number; finalRound?: boolean; float32?: boolean } = {}): number[] {
  validateK(K);
  const threshold = options.threshold ?? 0.01;
  if (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`computeUploadPlan: threshold must be in (0, 1], got ${String(threshold)}`);
  }
  const factors: number[] = [];
  if (options.float32) {
    for (let level = 0; ; level++) {
      const k = Math.fround(1 - Math.pow(K, level));
      if (k > 1 - threshold) {
        factors.push(0);
        break;
      }
      factors.push(Math.fround(1 - k));
    }
    return factors;
  }
  const least = threshold * (1 - THRESHOLD_RELATIVE_TOLERANCE);
  for (let level = 0; ; level++) {
    const f = Math.pow(K, level);
    if (!(f >= least)) break;
    factors.push(f);
  }
  if (options.finalRound) factors.push(0);
  return factors;
}

/**
 * Expected query time (ms) once `uploadedGroups` are on the server: the
 * shortest path where uploaded groups cost no upload and the others cannot
 * run on the server. `O(n)`.
 *
 * @example
 * expectedQueryTime(graph, []); // all-local time
 */
export function expectedQueryTime(graph: ExecutionGraph, uploadedGroups: Iterable<number> | Uint8Array): number {
  const factors = new Float64Array(graph.groups).fill(Infinity);
  if (uploadedGroups instanceof Uint8Array) {
    return queryTimeOfMask(graph, uploadedGroups, factors, shortestPathScratch(graph));
  } else {
    for (const g of uploadedGroups) {
      if (!Number.isInteger(g) || g < 0 || g >= graph.groups) {
        throw new InvalidArgumentError(`expectedQueryTime: group ${g} is not a group of this graph (0..${graph.groups - 1})`);
      }
      factors[g] = 0;
    }
  }
  return shortestPath(graph, factors).distanceMs;
}

/** Expected query time with the groups of `mask` uploaded, reusing buffers. `O(n)`. */
function queryTimeOfMask(graph: ExecutionGraph, mask: Uint8Array, factors: Float64Array, scratch: ShortestPathScratch): number {
  for (let g = 0; g < graph.groups; g++) factors[g] = mask[g] ? 0 : Infinity;
  return shortestPath(graph, factors, scratch).distanceMs;
}

/** Describes the chain's groups for a report. */
export function describeGroups(graph: ExecutionGraph): PlanGroup[] {
  const chain = graph.chain;
  const out: PlanGroup[] = [];
  for (let g = 0; g < chain.size; g++) {
    const layers = groupLayers(chain, g);
    out.push({
      index: g,
      name: chain.names[g]!,
      layers,
      ...(chain.layerNames ? { layerNames: layers.map((l) => chain.layerNames![l]!) } : {}),
      ...groupCosts(chain, g),
    });
  }
  return out;
}

/**
 * Algorithm 1: the uploading plan. Round n uses upload factor
 * {@link roundFactors}`[n]`; its shortest path's server groups form a plan;
 * a plan is kept when non-empty and different from the previous kept plan
 * (the first "previous" is the empty plan); each kept plan yields a
 * partition of the groups on the server in it and in no earlier kept plan
 * (runtime order; never empty). Runs in `O(rounds · n)`.
 *
 * @throws {InvalidArgumentError} when K is outside (0, 1) or threshold outside (0, 1].
 * @example
 * const plan = computeUploadPlan(graph, { K: 0.5 });
 * plan.partitions.map((p) => p.groups); // e.g. [[1], [0, 2]]
 */
export function computeUploadPlan(graph: ExecutionGraph, options: UploadPlanOptions): UploadPlan {
  validateK(options.K);
  const alreadyUploaded = options.alreadyUploaded ?? "decay";
  if (alreadyUploaded !== "decay" && alreadyUploaded !== "free") {
    throw new InvalidArgumentError(`computeUploadPlan: alreadyUploaded must be "decay" or "free", got ${String(alreadyUploaded)}`);
  }
  const factors = roundFactors(options.K, {
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    finalRound: options.finalRound ?? false,
    float32: options.float32 ?? graph.float32,
  });
  const n = graph.groups;
  const scratch = shortestPathScratch(graph);
  const uploaded = new Uint8Array(n); // union of kept plans
  const held = new Uint8Array(n);
  for (const g of options.heldGroups ?? []) {
    if (!Number.isInteger(g) || g < 0 || g >= n) throw new InvalidArgumentError(`computeUploadPlan: held group ${g} is not a group of this graph (0..${n - 1})`);
    held[g] = 1;
    uploaded[g] = 1;
  }
  const anyHeld = held.includes(1);
  let previous: Int32Array = new Int32Array(0);
  let lastRoundServer: Int32Array = new Int32Array(0);
  const perGroup = alreadyUploaded === "free" || anyHeld ? new Float64Array(n) : undefined;
  const queryFactors = new Float64Array(n);
  const rounds: PlanRound[] = [];
  const partitions: UploadPartition[] = [];
  const chain = graph.chain;
  for (let level = 0; level < factors.length; level++) {
    const factor = factors[level]!;
    let path;
    if (perGroup) {
      for (let g = 0; g < n; g++) perGroup[g] = held[g] || (alreadyUploaded === "free" && uploaded[g]) ? 0 : factor;
      path = shortestPath(graph, perGroup, scratch);
    } else {
      path = shortestPath(graph, factor, scratch);
    }
    const server = path.serverGroups;
    const kept = server.length > 0 && !sameGroups(server, previous);
    // Consecutive rounds usually find the same plan: share one array (memory O(distinct plans · n)).
    if (!sameGroups(server, lastRoundServer)) lastRoundServer = server;
    rounds.push(makeRound(level, factor, lastRoundServer, path.distanceMs, kept));
    if (!kept) continue;
    previous = server;
    const fresh: number[] = [];
    for (let i = 0; i < server.length; i++) if (!uploaded[server[i]!]) fresh.push(server[i]!);
    if (fresh.length === 0) continue;
    let bytes = 0;
    let count = 0;
    for (const g of fresh) count += chain.layerOffsets[g + 1]! - chain.layerOffsets[g]!;
    // The groups' layers in ascending group order are usually ascending already (groups are runtime ranges): a plain
    // array, sorted only when they are not (a typed array per partition is external memory at 10^6 layers).
    let layers: number[] = new Array<number>(count).fill(0);
    let k = 0;
    let ascending = true;
    for (const g of fresh) {
      uploaded[g] = 1;
      bytes += chain.paramBytes[g]!;
      for (let q = chain.layerOffsets[g]!; q < chain.layerOffsets[g + 1]!; q++) {
        const layer = chain.layers[q]!;
        if (k > 0 && layer < layers[k - 1]!) ascending = false;
        layers[k++] = layer;
      }
    }
    if (!ascending) layers = Array.from(Int32Array.from(layers).sort());
    const expectedQueryMs = queryTimeOfMask(graph, uploaded, queryFactors, scratch);
    const layerNames = chain.layerNames;
    if (layerNames === undefined) partitions.push({ groups: fresh, layers, bytes, expectedQueryMs });
    else {
      // the names (one per runtime layer of the partition) are made on first access; an enumerable getter, so JSON.stringify includes them
      let names: string[] | undefined;
      partitions.push({
        groups: fresh,
        layers,
        get layerNames() {
          return (names ??= layers.map((l) => layerNames[l]!));
        },
        bytes,
        expectedQueryMs,
      });
    }
  }
  const plan = {
    K: options.K,
    partitions,
    rounds,
    localMs: shortestPath(graph, Infinity, scratch).distanceMs,
  } as unknown as UploadPlan;
  // The group descriptions are O(n) objects: built on first access (an enumerable getter, so JSON.stringify includes them).
  let groups: PlanGroup[] | undefined;
  Object.defineProperty(plan, "groups", {
    enumerable: true,
    get: () => (groups ??= describeGroups(graph)),
  });
  return plan;
}

/** A round record whose `serverGroups` array is made on first access from the (shared) typed array. */
function makeRound(level: number, factor: number, server: Int32Array, pathMs: number, kept: boolean): PlanRound {
  const round = { level, factor } as { -readonly [K in keyof PlanRound]: PlanRound[K] };
  let list: number[] | undefined;
  Object.defineProperty(round, "serverGroups", { enumerable: true, get: () => (list ??= Array.from(server)) });
  round.pathMs = pathMs;
  round.kept = kept;
  return round;
}

function sameGroups(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
