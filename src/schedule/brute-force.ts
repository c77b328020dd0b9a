/**
 * Exhaustive search over ordered partitionings, for verifying the exact
 * planner ({@link optimalUploadPlan}) on small networks: every ordered
 * partitioning of every subset of the parameterized groups, with every
 * parameter-free group in the first partition (the space the exact planner
 * searches, optimal.ts), each scored by the objective's own event loop
 * ({@link runObjective}). A plan's prefixes are plans too, so the count is
 * `sum_k C(m,k)·Fubini(k)` for m parameterized groups (1 091 670 at 8). The
 * path after each partition depends only on the set uploaded, so it is
 * tabulated once per subset (2^m). `O(plans · queries)`; practical up to
 * m = 8. It shares nothing with the branch and bound but the objective.
 */
import { InvalidArgumentError } from "../errors.js";
import { pathCost, resolveCosts, type PathCost, type ScheduleCosts } from "./model.js";
import { resolveObjectiveOptions, runObjective, type ObjectiveOptions } from "./objective.js";

/** What {@link bruteForceUploadPlan} found. */
export interface BruteForceResult {
  /** The largest count of queries completed by the window T over every plan of the space. */
  readonly queriesInWindow: number;
  /** A plan with that count (groups per partition, upload order): the first found in enumeration order. */
  readonly plan: number[][];
  /** Plans scored. */
  readonly plans: number;
}

/**
 * The best count by T over every ordered partitioning of the parameterized
 * groups (parameter-free groups in the first partition).
 *
 * @throws {InvalidArgumentError} with more than `maxGroups` (default 10) parameterized groups.
 */
export function bruteForceUploadPlan(costs: ScheduleCosts, options: ObjectiveOptions = {}, maxGroups = 10): BruteForceResult {
  const c = resolveCosts(costs);
  const o = resolveObjectiveOptions(c, options);
  const param: number[] = [];
  const free: number[] = [];
  for (let g = 0; g < c.n; g++) (c.paramBytes[g]! > 0 ? param : free).push(g);
  const m = param.length;
  if (m > maxGroups) throw new InvalidArgumentError(`bruteForceUploadPlan: ${m} parameterized groups, more than maxGroups (${maxGroups})`);
  const full = (1 << m) - 1;
  // per subset of the parameterized groups (bit i = param[i]): the path with it and every free group uploaded,
  // and its frame bytes and loading time as one increment
  const pathOf: PathCost[] = [];
  const bytesOf = new Float64Array(full + 1);
  const loadOf = new Float64Array(full + 1);
  const freeBytes = free.reduce((s, g) => s + c.headerBytes[g]!, 0);
  const freeLoad = free.reduce((s, g) => s + c.loadMs[g]!, 0);
  for (let mask = 0; mask <= full; mask++) {
    const uploaded = new Uint8Array(c.n);
    for (const g of free) uploaded[g] = 1;
    for (let i = 0; i < m; i++) {
      if (mask & (1 << i)) {
        uploaded[param[i]!] = 1;
        bytesOf[mask] += c.paramBytes[param[i]!]! + c.headerBytes[param[i]!]!;
        loadOf[mask] += c.loadMs[param[i]!]!;
      }
    }
    pathOf.push(pathCost(c, uploaded, o.placement));
  }
  const none = new Uint8Array(c.n);
  const paths: PathCost[] = [pathCost(c, none, o.placement)];
  const frameBytes: number[] = [];
  const loadMs: number[] = [];
  const blocks: number[] = [];
  let best = -1;
  let bestBlocks: number[] = [];
  let plans = 0;
  const visit = (used: number): void => {
    plans++;
    const value = runObjective(c, { paths, frameBytes: Float64Array.from(frameBytes), loadMs: Float64Array.from(loadMs) }, o);
    if (value.queriesInWindow > best) {
      best = value.queriesInWindow;
      bestBlocks = [...blocks];
    }
    const rest = full & ~used;
    for (let sub = rest; sub > 0; sub = (sub - 1) & rest) {
      const first = used === 0 && blocks.length === 0;
      paths.push(pathOf[used | sub]!);
      frameBytes.push(c.frameBytes + bytesOf[sub]! + (first ? freeBytes : 0));
      loadMs.push(loadOf[sub]! + (first ? freeLoad : 0));
      blocks.push(sub);
      visit(used | sub);
      paths.pop();
      frameBytes.pop();
      loadMs.pop();
      blocks.pop();
    }
  };
  visit(0);
  const plan = bestBlocks.map((block, k) => [...(k === 0 ? free : []), ...param.filter((_, i) => block & (1 << i))].sort((a, b) => a - b));
  return { queriesInWindow: best, plan, plans };
}
