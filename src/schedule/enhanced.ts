/**
 * `enhancedUploadPlan`: the authors' enhanced partitioning (Shin, Jeong,
 * Moon, "Enhanced Partitioning of DNN Layers for Uploading from Mobile
 * Devices to Edge Servers", EMDL '19, doi 10.1145/3325413.3329788), as
 * described in `reference/enhanced-partitioning.md`:
 *
 * 1. target: the shortest path with upload and loading scaled by 0.001;
 *    only its server runs are ever uploaded;
 * 2. candidates: every contiguous sub-range of those runs;
 * 3. score = gain / cost, gain = the range's client time minus its server
 *    route (send the input, execute, return the output), cost = its upload
 *    time (parameter bytes / bandwidth);
 * 4. first partition: the range with the largest gain − upload time, only if
 *    positive;
 * 5. each later stage: the best-scoring candidate, sub-partitioned (replaced
 *    by the best strictly smaller sub-range with a positive score and a
 *    different byte size, repeatedly), merged with adjacent uploaded runs;
 *    overlapping candidates dropped; adjacent candidates re-scored by
 *    marginal saving per own upload time;
 * 6. stop when every target group is uploaded.
 *
 * Pitfalls of the original, guarded here (see the reference's list):
 * - a range with no parameters would divide by zero: its cost is the
 *   per-partition overhead (frame bytes / bandwidth + two latencies), never 0;
 * - when no candidate scores above zero the original commits a −999
 *   sentinel; here the rest of the target goes up as one last partition;
 * - the descent accepted any positive score, so a piece could score worse
 *   than its parent; here a piece must score at least as well as its parent.
 * Prefix sums make scoring a range O(1); a stage is O(L²) over the L target
 * groups, O(L³) in all.
 *
 * @module
 */
import { shortestPath } from "../graph/shortest-path.js";
import { pathCost, resolveCosts, type ScheduleCosts } from "./model.js";

/** Options of {@link enhancedUploadPlan}. */
export interface EnhancedPlanOptions {
  /** Upload and loading scale of the steady-state target (default 0.001, as the authors' code). */
  readonly targetFactor?: number;
}

/** The result of {@link enhancedUploadPlan}. */
export interface EnhancedPlanResult {
  /** Partitions in upload order (group indices, ascending). */
  readonly plan: number[][];
  /** Groups of the steady-state target. */
  readonly target: readonly number[];
}

interface Range {
  readonly a: number;
  readonly b: number;
}

/**
 * The EMDL '19 enhanced partitioning plan (see the module comment). `O(L³)`
 * for L groups on the target's server runs.
 *
 * @example
 * ```ts
 * const { plan } = enhancedUploadPlan({ graph });
 * plan; // e.g. [[2], [3], [0, 1], [4, 5, 6]]
 * ```
 */
export function enhancedUploadPlan(costs: ScheduleCosts, options: EnhancedPlanOptions = {}): EnhancedPlanResult {
  const c = resolveCosts(costs);
  const n = c.n;
  const target = Array.from(shortestPath(c.graph, options.targetFactor ?? 0.001).serverGroups);
  if (target.length === 0) return { plan: [], target };
  const inTarget = new Uint8Array(n);
  for (const g of target) inTarget[g] = 1;
  // prefix sums over the chain
  const client = new Float64Array(n + 1);
  const server = new Float64Array(n + 1);
  const bytes = new Float64Array(n + 1);
  for (let g = 0; g < n; g++) {
    client[g + 1] = client[g]! + c.clientMs[g]!;
    server[g + 1] = server[g]! + c.serverMs[g]!;
    bytes[g + 1] = bytes[g]! + c.paramBytes[g]!;
  }
  const overheadMs = c.frameBytes / c.up + 2 * c.latencyMs;
  const uploadMs = (r: Range): number => (bytes[r.b + 1]! - bytes[r.a]!) / c.up;
  // Pitfall 1: a range with no parameters costs the per-partition overhead, never 0.
  const costMs = (r: Range): number => Math.max(uploadMs(r), overheadMs);
  const gainMs = (r: Range): number =>
    client[r.b + 1]! - client[r.a]! - (c.inputBytes[r.a]! / c.up + server[r.b + 1]! - server[r.a]! + c.outputBytes[r.b]! / c.down);
  const uploaded = new Uint8Array(n);
  const trial = new Uint8Array(n);
  const queryMs = (mask: Uint8Array): number => pathCost(c, mask, "best").ms;
  const candidates: Range[] = [];
  for (let a = 0; a < n; a++) {
    if (!inTarget[a]) continue;
    for (let b = a; b < n && inTarget[b]; b++) candidates.push({ a, b });
  }
  const overlaps = (r: Range): boolean => {
    for (let g = r.a; g <= r.b; g++) if (uploaded[g]) return true;
    return false;
  };
  const adjacent = (r: Range): boolean => (r.a > 0 && uploaded[r.a - 1] === 1) || (r.b + 1 < n && uploaded[r.b + 1] === 1);
  let current = queryMs(uploaded);
  const score = (r: Range): number => {
    if (adjacent(r)) {
      trial.set(uploaded);
      for (let g = r.a; g <= r.b; g++) trial[g] = 1;
      return (current - queryMs(trial)) / costMs(r);
    }
    return gainMs(r) / costMs(r);
  };
  const plan: number[][] = [];
  const commit = (r: Range): void => {
    const groups: number[] = [];
    for (let g = r.a; g <= r.b; g++) {
      if (!uploaded[g]) groups.push(g);
      uploaded[g] = 1;
    }
    if (groups.length > 0) plan.push(groups);
    current = queryMs(uploaded);
  };
  // 4. first partition: max gain − upload time, only if positive
  let first: Range | undefined;
  let firstValue = 0;
  for (const r of candidates) {
    const value = gainMs(r) - uploadMs(r);
    if (value > firstValue + 1e-12) {
      firstValue = value;
      first = r;
    }
  }
  if (first !== undefined) commit(first);
  // 5. later stages
  for (let stage = 0; stage < candidates.length; stage++) {
    let best: Range | undefined;
    let bestScore = 0;
    for (const r of candidates) {
      if (overlaps(r)) continue;
      const s = score(r);
      if (s > bestScore + 1e-12) {
        bestScore = s;
        best = r;
      }
    }
    if (best === undefined) break; // Pitfall 2: no −999 sentinel; the rest goes up below
    // sub-partitioning: the best strictly smaller sub-range with a positive score, a different byte size, and (pitfall 3) no worse a score
    for (let depth = 0; depth < n; depth++) {
      let piece: Range | undefined;
      let pieceScore = bestScore;
      const parentBytes = uploadMs(best);
      for (let a = best.a; a <= best.b; a++) {
        for (let b = a; b <= best.b; b++) {
          if (a === best.a && b === best.b) continue;
          const r = { a, b };
          if (Math.abs(uploadMs(r) - parentBytes) < 1e-12) continue;
          const s = score(r);
          if (s > 0 && s >= pieceScore - 1e-12 && (piece === undefined || s > pieceScore + 1e-12)) {
            piece = r;
            pieceScore = s;
          }
        }
      }
      if (piece === undefined) break;
      best = piece;
      bestScore = pieceScore;
    }
    commit(best);
  }
  const rest = target.filter((g) => !uploaded[g]);
  if (rest.length > 0) plan.push(rest);
  return { plan, target };
}

