/**
 * Exhaustive search over ordered partitionings, for verifying the exact
 * planner ({@link optimalUploadPlan}) on small networks: every ordered
 * partitioning of every subset of the groups, each scored by the
 * objective's own event loop ({@link runObjective}). By default every
 * parameter-free group travels in the first partition (the space the exact
 * planner searches, optimal.ts), so the enumeration is over the m
 * parameterized groups; `freeFirst: false` enumerates every group. A plan's
 * prefixes are plans too, so the count is `sum_k C(m,k)·Fubini(k)` (1 091 670
 * at m = 8). The path after each partition depends only on the set
 * uploaded, so it is tabulated once per subset (2^m). `O(plans · queries)`;
 * practical up to m = 8. It shares nothing with the branch and bound but the
 * objective.
 */
import { InvalidArgumentError } from "../errors.js";
import { pathCost, resolveCosts, type PathCost, type ScheduleCosts } from "./model.js";
import { resolveObjectiveOptions, runObjective, type GroupPlan, type ObjectiveOptions } from "./objective.js";

/** What {@link bruteForceUploadPlan} found. */
export interface BruteForceResult {
  /** The largest count of queries completed by the window T over every plan of the space. */
  readonly queriesInWindow: number;
  /** A plan with that count (groups per partition, upload order): the first found in enumeration order. */
  readonly plan: number[][];
  /** Plans scored. */
  readonly plans: number;
}

/** The space {@link bruteForceUploadPlan} enumerates. */
export interface BruteForceSpace {
  /** Every parameter-free group in the first partition (default true); false: every group is enumerated. */
  readonly freeFirst?: boolean;
  /** Only the continuations of this plan (itself included); its first partition gets the free groups when `freeFirst`. */
  readonly prefix?: GroupPlan;
  /** Refuse more enumerated groups than this (default 10). */
  readonly maxGroups?: number;
}

/**
 * The best count by T over every ordered partitioning of the space's groups.
 *
 * @throws {InvalidArgumentError} with more enumerated groups than `maxGroups`, or a prefix group outside them or repeated.
 */
export function bruteForceUploadPlan(costs: ScheduleCosts, options: ObjectiveOptions = {}, space: BruteForceSpace = {}): BruteForceResult {
  const c = resolveCosts(costs);
  const o = resolveObjectiveOptions(c, options);
  const freeFirst = space.freeFirst ?? true;
  const maxGroups = space.maxGroups ?? 10;
  const enumerated: number[] = [];
  const free: number[] = [];
  for (let g = 0; g < c.n; g++) (freeFirst && c.paramBytes[g] === 0 ? free : enumerated).push(g);
  const m = enumerated.length;
  if (m > maxGroups) throw new InvalidArgumentError(`bruteForceUploadPlan: ${m} groups to enumerate, more than maxGroups (${maxGroups})`);
  const full = (1 << m) - 1;
  // per subset of the enumerated groups (bit i = enumerated[i]): the path with it and every free group uploaded,
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
        const g = enumerated[i]!;
        uploaded[g] = 1;
        bytesOf[mask] += c.paramBytes[g]! + c.headerBytes[g]!;
        loadOf[mask] += c.loadMs[g]!;
      }
    }
    pathOf.push(pathCost(c, uploaded, o.placement));
  }
  const paths: PathCost[] = [pathCost(c, new Uint8Array(c.n), o.placement)];
  const frameBytes: number[] = [];
  const loadMs: number[] = [];
  const blocks: number[] = [];
  const push = (used: number, block: number): void => {
    const first = used === 0;
    paths.push(pathOf[used | block]!);
    frameBytes.push(c.frameBytes + bytesOf[block]! + (first ? freeBytes : 0));
    loadMs.push(loadOf[block]! + (first ? freeLoad : 0));
    blocks.push(block);
  };
  const pop = (): void => {
    paths.pop();
    frameBytes.pop();
    loadMs.pop();
    blocks.pop();
  };
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
      push(used, sub);
      visit(used | sub);
      pop();
    }
  };
  let used = 0;
  for (const part of space.prefix ?? []) {
    let block = 0;
    for (const g of part) {
      const i = enumerated.indexOf(g);
      if (i < 0 || block & (1 << i) || used & (1 << i)) throw new InvalidArgumentError(`bruteForceUploadPlan: prefix group ${g} is not an enumerated group, or repeated`);
      block |= 1 << i;
    }
    if (block === 0) continue;
    push(used, block);
    used |= block;
  }
  visit(used);
  const plan = bestBlocks.map((block, k) => [...(k === 0 ? free : []), ...enumerated.filter((_, i) => block & (1 << i))].sort((a, b) => a - b));
  return { queriesInWindow: best, plan, plans };
}
