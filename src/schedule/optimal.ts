/**
 * `optimalUploadPlan`: the order of the groups and the partition boundaries
 * that maximize the upload objective ({@link uploadObjective}: the queries
 * completed by the window T; ties: more queries in the horizon, the larger
 * fraction of the next query done by T, lower mean latency, fewer
 * partitions). Every prefix of a seed is scored too; after the search, the
 * best plan's prefixes, and the rest of the best collaborative path as a last
 * partition (kept when it costs no query by T).
 *
 * Method: depth-first branch and bound (Land & Doig 1960; the textbook
 * form in Papadimitriou & Steiglitz, "Combinatorial Optimization", ch. 18)
 * over ordered partitionings of the parameterized groups, exact when there
 * are at most `maxExactGroups` (default 20) of them:
 *
 * - Every parameter-free group travels in the first partition (it costs a
 *   few header bytes and no weights), so the search is over the
 *   parameterized groups and "exact" means optimal among the plans that do
 *   so. (A plan sending a parameter-free group later can gain by its header
 *   bytes and loading time, and brute force finds such cases when those are
 *   large; in the zoo they are 4–10 kB of headers per network in all and no
 *   loading time. The fast-check tests compare with brute force over that
 *   space and check the result never beats the unrestricted optimum.) Their expected query time and server set are
 *   tabulated once for all 2^m subsets (`O(2^m · n)`); the other path facts
 *   (feature bytes, server runs) come from `pathCost` for the subsets the
 *   search visits.
 * - Children of a prefix are the next partitions X of not-yet-uploaded
 *   groups such that the expected query time strictly drops and every group
 *   of X is on the best path once X is ACKed. Other partitions are dominated:
 *   a partition that does not lower the query time only delays the next
 *   one, and a group the new path does not use can travel later without
 *   changing any query before it is needed (NOTE: exact for the fluid count;
 *   for the discrete count the fast-check test compares against brute force
 *   over every ordered partitioning). With more than one partition in flight
 *   (`uploadWindow > 1`) this is no dominance (a partition that helps no
 *   query can go first so that its loading overlaps the next transfer), so
 *   there every non-empty subset of the rest is a child; so too with
 *   `children: "all"` (the filter is a heuristic dominance for the discrete
 *   count with link sharing: with loading times of seconds, moving a small
 *   frame past a long load, out of the feature transfers' way, can complete
 *   one more query; docs/schedule.md).
 * - Bound: from the moment the next partition could go on the wire, a query
 *   raised at s is charged the best expected query time of any superset of
 *   the uploaded groups whose effective bytes fit in the bytes the link can
 *   carry by s (a Pareto front of effective bytes vs query time), with link
 *   sharing and the query's latencies dropped. A subset's effective bytes
 *   are its weights and headers plus, for sequential uploads, its loading
 *   time at the uplink rate, and every non-empty increment adds one
 *   partition's fixed frame, two latencies and the ACK (any partitioning of
 *   it pays at least that once). The completion is made monotone
 *   (`c(r) = min_{s ≥ r} s + ℓ(s)`), so the relaxed closed loop completes at
 *   least as many queries, and at least as much of the next one, as any
 *   continuation. Nodes whose bound does not beat the incumbent are pruned.
 *   *The first query after the prefix may not wait* (sequential uploads, or
 *   the root): its raise r1 (the first at or after the prefix's last ACK) is
 *   exact in the dilated clock v of the link-sharing argument below (the
 *   queries before it replay exactly with the prefix's frames; a transfer
 *   still running at the ACK is slowed by the next frame exactly as much as
 *   it slows that frame, so its completion in v is the replay's), so it runs
 *   on a set available (in v) by r1: `r1 + ℓ(r1)`, no `min_{s ≥ r1}`. Later
 *   raises are only bounded below and keep the monotone `c`.
 * - Charged bound (sequential uploads; where the front bound does not prune a
 *   child, and on entering a node with its own front). With the dilation,
 *   truncation and gap budget G of the link-sharing paragraph below (G: two
 *   latencies and the ACK per group left, at most one partition each, plus
 *   their loading times), the continuation's tail queries split into N (raised
 *   before the last ACK, not the last such: their transfers τ overlap frames
 *   except in gaps, Σ x ≥ Σ τ − G), at most one straddler and F (raised after
 *   the last ACK, all on the final set S_f, no frame left). Two lower-bound
 *   trajectories: ẽ (the front's completions, no charge) and w ≥ ẽ + C (C:
 *   the N charges so far), `w' = c_τ(w + think)` over a second Pareto front
 *   of effective bytes vs query time plus τ (valid: ẽ' + C' ≥ c_τ(ẽ + think)
 *   + C ≥ c_τ(ẽ + C + think), since c_τ(x + C) ≤ c_τ(x) + C: the same wait
 *   shifted by C sees at least the same sets). Every query then completes by
 *   T only if max(ẽ, w − G) ≤ T (e ≥ ẽ + X ≥ ẽ + C − G). For each switch k
 *   (k N queries, optionally a straddler on the plain front) the F phase runs
 *   on one front point j available by its first raise x: first completion
 *   max(xẽ, xw − G, avail_j) + q_j, then one per think + q_j; the bound is the
 *   best k and j (`O(front + queries · log front)` per node: a point available
 *   by max(xẽ, xw − G) does best with the lowest q, a later one as soon as
 *   available, a suffix maximum). Folding C into w loses it where a query
 *   waits for a set (max(ẽ + C + think, avail) ≤ max(ẽ + think, avail) + C),
 *   still a lower bound.
 * - The front of the supersets of a node's uploaded set is built once per
 *   set and cached (when at most 2^16 supersets remain; else the parent's
 *   front, a weaker but valid relaxation), skipping a superset when dropping
 *   one of its new groups does not raise the query time (that subset is
 *   cheaper and no slower, so never off the front). On entering a node whose
 *   own front is available the node is re-bounded with it (only supersets of
 *   what is uploaded stay reachable) and pruned when that bound does not
 *   beat the incumbent.
 * - Nested relaxation: the i-th query runs on a set S_i with
 *   S_1 ⊆ S_2 ⊆ … (what is ACKed only grows), available once its effective
 *   bytes and one partition's overhead have crossed the link, at its
 *   expected query time plus its execute round trip, and may wait for a
 *   larger set (except the first query after the node's prefix, for
 *   sequential uploads or at the root, whose raise time is exact in the
 *   dilated clock: it only gets what can be ACKed by then). The earliest completion
 *   of the i-th query per set S_i is a DP over the subset lattice with one
 *   subset-minimum transform per query (the "sum over subsets" / zeta
 *   transform, Yates 1937; Knuth, TAOCP 4A §7.1.3), so it bounds the count
 *   by T of every plan (each real plan is one such chain, each real query is
 *   no faster). It runs on a lattice of at most `NESTED_BITS` groups, fewer
 *   when levels × lattice × queries would exceed `NESTED_WORK`; a lattice
 *   point stands for its set with any subset of the other (cheapest) groups,
 *   and a query on it takes whichever of those sets is available by its raise
 *   (the lattice forgets which: a further relaxation; per point the options
 *   are sorted by availability and an option no faster than an earlier one is
 *   merged into it with the better charge and gap budget of the two).
 * - Link sharing in the nested relaxation (sequential uploads, window 1).
 *   *Time dilation:* let X(t) be the time by which feature transfers and
 *   frames have slowed each other by t (under fair sharing an overlap of
 *   wall length w costs each side w/2) and v(t) = t − X(t) (increasing).
 *   With one partition in flight a frame overlaps at most one feature
 *   transfer (one query at a time) and nothing else runs on the upload side
 *   while it is on the wire (loads, latencies and the ACK come after it), so
 *   in v a frame takes bytes/up, a transfer bytes/up and every other step its
 *   own time: the run in v *is* the run without sharing (same order of events,
 *   so every query sees the same partitions), and query i completes at
 *   ẽ_i + X_i, ẽ_i its completion without sharing and X_i = Σ_{j ≤ i} x_j,
 *   x_j the (virtual) time transfer j overlaps frames. So the count by T is
 *   #{i : ẽ_i + X_i ≤ T}, and the lattice DP (a relaxation of the run
 *   without sharing) keeps ẽ while X is bounded on a second coordinate.
 *   *Truncation:* cutting a plan after the partition that completes the set
 *   of its last query counted by T loses no such query (both runs agree up
 *   to that ACK; after it no frame is on the wire and those queries run on
 *   that set), so it suffices to bound plans whose last set is the N-th
 *   query's. In such a plan every query raised before the last ACK except
 *   the last one (the straddler) finishes its transfer before that ACK;
 *   until then the link carries frames except in each partition's gap (two
 *   latencies, the ACK, the load), G ≤ load(S_N) + |S_N|·(2·latency + ACK)
 *   beyond the node's set, and transfers are disjoint, so Σ x_j ≥ Σ τ_j − G
 *   over those queries (τ_j: transfer at the full rate).
 *   *The first query's transfer* (sequential uploads): its raise r1 is exact
 *   in v, its set S_1 is ACKed by r1, and its feature bytes go as one
 *   transfer (as the objective sends them) over [a, a + τ_1] in v,
 *   a = r1 + prefix(S_1) (the path's client time before it; bounded above
 *   by the client time before its first parameterized server group). A gap it
 *   overlaps is a later partition's (a partition of S_1 is ACKed by r1 ≤ a),
 *   so it comes after the first later partition's frame, which starts at
 *   S_1's ACK ≥ avail(S_1) (the node's `fromMs` when S_1 is the node's set:
 *   its next partition goes then) and carries at least one group left: it
 *   ends at F ≥ avail(S_1) + (frame + least weights and headers of a group
 *   left)/up. So at most κ = min(τ_1, max(0, a + τ_1 − max(a, F))) of the
 *   transfer is free, and over free parts f_j ≤ τ_j, f_1 ≤ κ, Σ f ≤ G:
 *   X ≥ (τ_1 − κ) + max(0, κ + Σ_{j≥2} τ_j − G). The DP puts τ_1 − κ into
 *   the time coordinate (valid as the folded excess below) and κ into the
 *   levels, κ rounded up to whole levels of δ (at most the transfer's
 *   whole levels) and taken back from the time part, min(τ_1 − κ, τ_1 − kδ):
 *   never weaker than the transfer in levels alone; a lattice point's
 *   merged options keep the smaller time part and the smaller transfer over
 *   those available by r1 (h + max(0, s + R − G) is monotone in h and in
 *   h + s). Only the first query: later raises are only
 *   bounded below, and κ grows with the raise. (Inception-BN-21K at
 *   160 Mbps: the root's first query runs on the first partition's set,
 *   ACKed 7 ms before its raise, and every group left has a frame of
 *   130 ms or more, so its 30 ms transfer is charged in full; with the gap
 *   budget absorbing it the root said 9, the optimum is 8.) The DP carries
 *   three modes per set: N (the set is not final and the query is not the
 *   straddler: charged τ of the option's set), L (the straddler: free; only
 *   F may follow) and F (the final
 *   set: free, no growth), the charge in levels of δ (rounded down), and N
 *   queries are feasible when some F state has ẽ + max(0, charge − G(S)) ≤ T.
 *   Extra mode assignments only lower the minimum, so the bound stays valid.
 *   δ is the full path's transfer τ (in the zoo every offloading path sends
 *   the input: the common charge is a whole number of levels, no rounding
 *   loss), the levels span G + 12 τ (at most `SHARE_LEVELS`, δ widened then),
 *   and a charge beyond the top level is folded into the time coordinate
 *   (the state's time becomes ẽ + R, R the excess: valid as for w in the
 *   charged bound, and exact unless a later query waits for a set, which
 *   absorbs up to its wait of R; so the levels stay wide: with them only up
 *   to G the root of ResNet-50 at 80 Mbps said 9 instead of 8). With a
 *   window of several partitions loads run while frames are on the wire and
 *   the argument fails: no charge there (one level); at an inner node there
 *   the next partition can go before the node's last ACK, so a query may
 *   still run on a subset of the node's set and the execute round trip is
 *   not added (query time alone is monotone in the set). The property tests
 *   check the count against brute force (windows 1, 2, 4; large loading
 *   times; given groups), and every bound of the search at random prefixes
 *   against brute force over their continuations (`prefixBounds`).
 * - Where the nested relaxation runs: at the root, first (within
 *   `ROOT_NESTED_SHARE` of the search's time; when it does not
 *   beat the incumbent the search is skipped, proven, and the root's superset
 *   front is never built; once the search's incumbent
 *   reaches it the search stops, proven; its best chain, read back as
 *   partitions, is also a seed, and count + 1 caps the reported score
 *   `bound`), and, on networks with at most `INNER_NESTED_GROUPS`
 *   parameterized groups, at inner nodes from their exact prefix replay
 *   (pruned when it does not beat the incumbent's count): at every one with
 *   windows > 1; with one partition in flight only as `ALL_INNER` says (both
 *   searches of `children: "auto"`).
 * - `children: "auto"`: the improving search takes at most
 *   `AUTO_IMPROVING_SHARE` of the time, then the unfiltered search starts
 *   from its best plan (and its tables), also when the first did not finish.
 * - A bound on a node's children together (sequential uploads; before
 *   they are replayed one by one): a child x's frame goes on the wire at the
 *   node's last ACK a0 and is ACKed no sooner than
 *   a0 + (frame + effective bytes of x)/up + two latencies and the ACK, and
 *   until then every query runs on the node's set. So for the children
 *   ACKed no sooner than A, each query raised before A completes no sooner
 *   than its raise plus the node's latency, and one raised later no sooner
 *   than the node's front relaxation c (any superset of the node's set whose
 *   effective bytes and one overhead fit in what the link carries after a0),
 *   taken as the monotone hull min(r + latency, c(A)) before A; the replay
 *   starts at the node's own first raise after a0 with its count (a child
 *   only delays those). The count is non-increasing in A, so a bisection
 *   finds the A from which it does not beat the incumbent's count, and every
 *   child ACKed no sooner is pruned without its replay (its own plain bound
 *   is never higher: GoogLeNet at 40 Mbps, 213k of the 324k children
 *   generated are pruned so; the property tests compare with brute force).
 * - Ties in the count are not searched: a node is pruned when its bound on
 *   the count does not beat the incumbent's count, so "exact" is optimality
 *   of the count by T; the secondary keys order the plans the search meets.
 * - Subset bits run from the end of the chain (bit 0 the last parameterized
 *   group), so the table's Gray-code sweep flips the bits of late groups
 *   most often: short chain suffixes to recompute and nearby writes.
 * - Order: a node with at most `EAGER_CHILDREN` children scores them all
 *   and descends best bound first (the root of ResNet-50 and
 *   Inception-BN-21K has about 10^3 children); one with more descends into each child
 *   as soon as it is scored, children taken by query-time gain per effective
 *   byte, so a strong incumbent is found early (the anytime behaviour of
 *   depth-first branch and bound). The search's replays count the periodic
 *   queries after the last ACK in closed form (`objective.ts`).
 *
 * Once the count is proven, up to `POLISH_MS` of the budget left go to a local
 * search on the tie-breaks (a group moved to the adjacent partition, adjacent
 * partitions merged): the count cannot drop, it is the first key. When the
 * search runs out of time, the same local search runs in the budget's last
 * 50 ms (count and tie-breaks).
 *
 * Beyond `maxExactGroups`, or when the time budget runs out, a deterministic
 * heuristic: the best of the seeds (the caller's, e.g. Algorithm 1's plans,
 * the best path as one partition, and a greedy plan that adds the contiguous
 * range with the largest query-time gain per upload millisecond), improved
 * by merging adjacent partitions; it reports `exact: false` and an upper
 * bound from the same relaxation at the root (with a fractional-knapsack
 * lower bound on the query time instead of the subset table).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { pathCost, resolveCosts, type PathCost, type ResolvedCosts, type ScheduleCosts } from "./model.js";
import {
  boundScore,
  prefixLoop,
  prefixLoopAndBound,
  prefixModel,
  resolveObjectiveOptions,
  scoreOf,
  tailScore,
  type ForkState,
  type GroupPlan,
  type ObjectiveOptions,
  type ObjectiveValue,
  type PrefixModel,
  type ResolvedObjectiveOptions,
  type Tail,
} from "./objective.js";

/** Options of {@link optimalUploadPlan}. */
export interface OptimalPlanOptions extends ObjectiveOptions {
  /** Stop the exact search after this long and return the best plan found, `exact: false`, ms (default 900). */
  readonly timeBudgetMs?: number;
  /** Exact search when the network has at most this many parameterized groups (default 20). */
  readonly maxExactGroups?: number;
  /** Plans to start from (e.g. Algorithm 1's); the result is never worse than any of them. */
  readonly seeds?: readonly GroupPlan[];
  /**
   * Children of a search node with one partition in flight (`uploadWindow` 1). `"improving"`: only the partitions that
   * lower the expected query time and whose groups are all on the new best path, a dominance that is exact for the fluid
   * count but not always for the discrete count with link sharing and loading times (a plan that first sends a partition
   * that helps no query can complete one more query; docs/schedule.md), so `exact` then means optimal among such plans.
   * `"all"`: every non-empty subset of the rest (as always with several partitions in flight), so `exact` means optimal
   * among every ordered partitioning (parameter-free groups first), at a larger search. `"auto"` (default): the
   * `"improving"` search for the plan in at most half the budget, then, unless the root relaxation (which bounds every plan)
   * already proves its count, the `"all"` search from the best plan so far in the rest of the budget (also when the first
   * did not finish): `exact` as with `"all"`.
   */
  readonly children?: "auto" | "improving" | "all";
  /** Absolute deadline (`performance.now()` ms) overriding `timeBudgetMs` (a caller that spent part of the budget already). @internal */
  readonly deadlineMs?: number;
  /** Groups the nested relaxation keeps on its lattice, the cheapest others off it, waited for (default 14, fewer when the work cap needs; tests set it low). @internal */
  readonly nestedBits?: number;
  /** Work cap of one nested-relaxation run (levels × lattice points × bits × queries; default 1e8; tests set it low so that lattices are cut and the root's finer run happens). @internal */
  readonly nestedWork?: number;
  /** Where the unfiltered search runs the inner-node relaxation: networks of at least `minGroups` parameterized groups, nodes with at least `minLeft` left (default 9 and 5; tests set them low). @internal */
  readonly allInner?: { readonly minGroups: number; readonly minLeft: number };
}

/** A scored plan. */
export interface ScoredPlan {
  /** Partitions in upload order (group indices, ascending within a partition). */
  readonly plan: number[][];
  /** Its objective value. */
  readonly objective: ObjectiveValue;
}

/** The result of {@link optimalUploadPlan}. */
export interface OptimalPlanResult extends ScoredPlan {
  /** True when the plan is proven optimal (exact search completed). */
  readonly exact: boolean;
  /** An upper bound on the score of any plan (present when not exact). */
  readonly bound?: number;
  /** Branch-and-bound nodes expanded (0 for the heuristic). */
  readonly nodes: number;
  /**
   * True when the count is proven among the plans whose every partition lowers the expected query time (the
   * `"improving"` search completed; implied by `exact` except with `children: "improving"`, where the two agree): with
   * `exact: false` it says the unfiltered proof ran out of budget after the filtered one succeeded.
   */
  readonly exactAmongImproving: boolean;
}

function better(a: ObjectiveValue, aParts: number, b: ObjectiveValue | undefined, bParts: number): boolean {
  if (b === undefined) return true;
  if (a.queriesInWindow !== b.queriesInWindow) return a.queriesInWindow > b.queriesInWindow;
  if (a.queriesInHorizon !== b.queriesInHorizon) return a.queriesInHorizon > b.queriesInHorizon;
  if (a.score > b.score + 1e-9) return true;
  if (a.score < b.score - 1e-9) return false;
  if (a.meanLatencyMs < b.meanLatencyMs - 1e-9) return true;
  if (a.meanLatencyMs > b.meanLatencyMs + 1e-9) return false;
  return aParts < bParts;
}

/** Validate the planner's own options. */
function budgetOf(options: OptimalPlanOptions): number {
  const budget = options.timeBudgetMs ?? 900;
  if (typeof budget !== "number" || Number.isNaN(budget) || budget <= 0) {
    throw new InvalidArgumentError(`optimalUploadPlan: timeBudgetMs (time budget) must be a number > 0 ms, got ${String(budget)}`);
  }
  return budget;
}

/** Evaluate a plan of groups under resolved options. */
export function scorePlan(costs: ResolvedCosts, plan: GroupPlan, options: ResolvedObjectiveOptions): ScoredPlan {
  const normalized = plan.filter((p) => p.length > 0).map((p) => [...p].sort((a, b) => a - b));
  return { plan: normalized, objective: prefixLoop(costs, prefixModel(costs, normalized, options.placement), options).value };
}

/**
 * The first index in `start..end` of `sorted` (ascending over `start..end − 1`) whose entry is above `x` (`end` if none), as a
 * binary search would find it, by stepping from `hint` (an earlier answer): amortized O(1) over a non-decreasing sequence
 * of `x` (the raises of a replay), exact for any. (No default parameters: the smaller, the more call sites V8 inlines.)
 */
function countAtMost(sorted: Float64Array, x: number, hint: number, start: number, end: number): number {
  let i = hint;
  while (i < end && sorted[i]! <= x) i++;
  while (i > start && !(sorted[i - 1]! <= x)) i--;
  return i;
}

/**
 * Earliest completion over a front (bytes ascending, query time `q` descending, `suffix[j]`: the least bytes / up + q from
 * j on) of a query raised at `raise`, as {@link FrontTail}: `lo`, the first point beyond the raise's byte budget (a
 * cursor); `waitFrom`, `fromMs − baseBytes / up` (a point j waited for completes at `waitFrom + suffix[j]`); waiting
 * allowed unless `noWait`.
 */
function frontDone(f: { bytes: Float64Array; q: Float64Array; suffix: Float64Array }, lo: number, waitFrom: number, currentQ: number, raise: number, noWait: boolean): number {
  let best = raise + (lo > 0 ? Math.min(currentQ, f.q[lo - 1]!) : currentQ);
  if (lo < f.bytes.length && !noWait) best = Math.min(best, waitFrom + f.suffix[lo]!);
  return best;
}

/** Queries completed by T, one think + `qq` apart, the first at `first`. */
function periodCount(first: number, qq: number, T: number, think: number): number {
  return first > T + 1e-9 ? 0 : Math.floor((T - first) / (think + qq) + 1e-9) + 1;
}

/**
 * The charged bound's F phase (see `chargedCount` in the search), where it exceeds `room`, else a value at most `room` (the
 * bound only asks whether a count beats its best so far): the queries completed by T when every F query runs on one
 * candidate set, the first of them not before `A` (max(xe, xw − G)); `i`: the last candidate available by then, which does
 * best among those with the lowest q; a later one as soon as available (`later` = `laterMax[i + 1]`; none when `noWait`:
 * the first charged query may not wait, `i` is then the last set available by xe). Skips the division when the count on
 * candidate i cannot exceed M = max(`room`, `later`): T − first below M − 1.5 periods (M ≥ 2; a margin of half a period,
 * far above rounding) means at most M − 1 queries; then the result is `later`, which is the count itself when above `room`.
 */
function phaseCountAbove(availQ: Float64Array, laterMax: Float64Array, i: number, A: number, room: number, T: number, think: number, noWait: boolean): number {
  const later = noWait ? 0 : laterMax[i + 1]!;
  const M = Math.max(room, later);
  const qq = availQ[i]!;
  const first = A + qq;
  if (first > T + 1e-9 || (M >= 2 && T - first < (M - 1.5) * (think + qq))) return later;
  // periodCount's count (first ≤ T + 1e-9 here), written out: V8 then inlines this whole function into the bound's loop
  return Math.max(Math.floor((T - first) / (think + qq) + 1e-9) + 1, later);
}

/** The monotone optimistic completion c(r) over a Pareto front (bytes ascending, query time descending). A class, not a closure (one per node). */
class FrontTail implements Tail {
  /** The first raise at or after `fromMs` and the queries completed by T before it (set by `begin`; NaN: no tail query). */
  firstRaise = Number.NaN;
  countBefore = 0;
  /** True while the next call is the first tail query's and it may not wait (sequential uploads; see the module comment). */
  private exactNext: boolean;
  /** The front index of the last call's budget (see {@link countAtMost}). */
  private cursor = 0;
  /** `fromMs − baseBytes / up`: a point j waited for completes at `waitFrom + bytes[j] / up + q[j]`. */
  private readonly waitFrom: number;
  constructor(
    private readonly front: { bytes: Float64Array; q: Float64Array; suffix: Float64Array },
    private readonly up: number,
    readonly fromMs: number,
    private readonly baseBytes: number,
    private readonly currentMs: number,
    exactFirst = false,
  ) {
    this.exactNext = exactFirst;
    this.waitFrom = fromMs - baseBytes / up;
  }

  begin(raise: number, countBefore: number): void {
    this.firstRaise = raise;
    this.countBefore = countBefore;
  }

  completion(raise: number): number {
    const noWait = this.exactNext;
    this.exactNext = false;
    const budget = this.baseBytes + Math.max(0, raise - this.fromMs) * this.up;
    // the first index with bytes > budget (the replay's raises only grow: a cursor, amortized O(1))
    this.cursor = countAtMost(this.front.bytes, budget, this.cursor, 0, this.front.bytes.length);
    return frontDone(this.front, this.cursor, this.waitFrom, this.currentMs, raise, noWait);
  }

  /** {@link Tail.scoreFrom}: the {@link completion} of each query in one loop (its state in locals). */
  scoreFrom(raiseMs: number, count: number, lastMs: number, stopMs: number, windowMs: number, thinkMs: number, asReplay: boolean): number {
    const { front, up, fromMs, baseBytes, currentMs, waitFrom } = this;
    const bytes = front.bytes;
    let noWait = this.exactNext;
    this.exactNext = false;
    let lo = this.cursor;
    let last = lastMs;
    let next = Number.NaN;
    for (let r = raiseMs, guard = 0; r < stopMs; guard++) {
      if (guard > 50_000_000) throw new InvalidArgumentError("uploadObjective: too many queries (think time and latencies near 0?)");
      lo = countAtMost(bytes, baseBytes + Math.max(0, r - fromMs) * up, lo, 0, bytes.length);
      const completion = frontDone(front, lo, waitFrom, currentMs, r, noWait);
      noWait = false;
      const done = asReplay ? r + (completion - r) : completion;
      if (done > windowMs) {
        next = done;
        break;
      }
      count++;
      last = done;
      r = done + thinkMs;
    }
    this.cursor = lo;
    return scoreOf(windowMs, count, last, next);
  }
}

function frontTail(front: { bytes: Float64Array; q: Float64Array; suffix: Float64Array }, up: number, fromMs: number, baseBytes: number, currentMs: number, exactFirst = false): FrontTail {
  return new FrontTail(front, up, fromMs, baseBytes, currentMs, exactFirst);
}

function buildFront(pairs: { bytes: number; q: number }[], up: number): { bytes: Float64Array; q: Float64Array; suffix: Float64Array } {
  const n = pairs.length;
  const bytes = new Float64Array(n);
  const q = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    bytes[j] = pairs[j]!.bytes;
    q[j] = pairs[j]!.q;
  }
  return paretoFront(bytes, q, n, up, new Uint32Array(n));
}

/**
 * The Pareto front (bytes ascending, query time strictly descending) of the first `n` points of `bytes`/`q`, with each
 * point's suffix minimum of `bytes / up + q`. `order` is scratch of at least `n` entries; the inputs are not changed.
 */
function paretoFront(bytes: Float64Array, q: Float64Array, n: number, up: number, order: Uint32Array): { bytes: Float64Array; q: Float64Array; suffix: Float64Array } {
  const idx = order.subarray(0, n);
  for (let j = 0; j < n; j++) idx[j] = j;
  idx.sort((a, b) => bytes[a]! - bytes[b]! || q[a]! - q[b]! || a - b);
  let kept = 0;
  let bestQ = Number.POSITIVE_INFINITY;
  let lastBytes = Number.NaN;
  // kept points are written back over `order`'s front as indices (kept ≤ j, so no unread entry is overwritten)
  for (let j = 0; j < n; j++) {
    const i = idx[j]!;
    if (q[i]! < bestQ - 1e-12) {
      bestQ = q[i]!;
      if (kept > 0 && lastBytes === bytes[i]) idx[kept - 1] = i;
      else {
        idx[kept++] = i;
        lastBytes = bytes[i]!;
      }
    }
  }
  const outBytes = new Float64Array(kept);
  const outQ = new Float64Array(kept);
  const suffix = new Float64Array(kept);
  let min = Number.POSITIVE_INFINITY;
  for (let j = kept - 1; j >= 0; j--) {
    const i = idx[j]!;
    outBytes[j] = bytes[i]!;
    outQ[j] = q[i]!;
    min = Math.min(min, bytes[i]! / up + q[i]!);
    suffix[j] = min;
  }
  return { bytes: outBytes, q: outQ, suffix };
}

/**
 * The plan that maximizes {@link uploadObjective}'s queries completed by T;
 * ties: more queries in the horizon, more progress of the next query by T,
 * lower mean latency, fewer partitions. Exact branch and bound when the graph has
 * at most `maxExactGroups` parameterized groups and the search ends within
 * the time budget; otherwise the heuristic's plan with `exact: false` and an
 * upper `bound` on the score. See the module comment for the method.
 *
 * @throws {InvalidArgumentError} on bad options, naming the option (time budget ≤ 0, horizon ≤ 0, think time < 0, …).
 * @example
 * ```ts
 * const result = optimalUploadPlan({ graph }, { thinkMs: 500 });
 * result.plan;                       // [[3, 4], [0, 1, 2]]
 * result.objective.queriesInWindow;  // ≥ that of any other plan
 * ```
 */
export function optimalUploadPlan(costs: ScheduleCosts, options: OptimalPlanOptions = {}): OptimalPlanResult {
  const started = performance.now();
  const budget = budgetOf(options);
  childrenOption(options); // validated up front, also where the search does not run
  const maxExact = options.maxExactGroups ?? 20;
  if (!Number.isInteger(maxExact) || maxExact < 0 || maxExact > 24) throw new InvalidArgumentError(`optimalUploadPlan: maxExactGroups must be an integer in 0..24, got ${String(maxExact)}`);
  const c = resolveCosts(costs);
  const o = resolveObjectiveOptions(c, options);
  const n = c.n;
  let best: ScoredPlan | undefined;
  const consider = (candidate: ScoredPlan): void => {
    if (better(candidate.objective, candidate.plan.length, best?.objective, best?.plan.length ?? 0)) best = candidate;
  };
  const end = options.deadlineMs ?? started + budget;
  consider(scorePlan(c, [], o));
  // every prefix of a seed is a plan too (a seed that uploads more than pays by T loses to one of its prefixes)
  for (const seed of options.seeds ?? []) for (let k = seed.length; k >= 1; k--) consider(scorePlan(c, seed.slice(0, k), o));
  const all: number[] = [];
  for (let g = 0; g < n; g++) all.push(g);
  const full = pathCost(c, new Uint8Array(n).fill(1), "best");
  const bestPath = all.filter((g) => full.onServer[g]);
  if (bestPath.length > 0) consider(scorePlan(c, [bestPath], o));
  // After the search: the best plan's prefixes, and the rest of the best collaborative path as one last partition, kept when it
  // costs no query by T (it wins queries in the horizon once the window has passed).
  const withTail = (): void => {
    const found = best!.plan;
    for (let k = found.length - 1; k >= 1; k--) consider(scorePlan(c, found.slice(0, k), o));
    const have = new Set(best!.plan.flat());
    const rest = bestPath.filter((g) => !have.has(g));
    if (rest.length > 0) consider(scorePlan(c, [...best!.plan, rest], o));
  };
  const param: number[] = [];
  const free: number[] = [];
  for (let g = 0; g < n; g++) (c.paramBytes[g]! > 0 ? param : free).push(g);
  // bit i of a subset mask is param[i], the last parameterized group first: the subset table's Gray-code sweep then flips
  // the low bits (groups near the end of the chain) most often, so it recomputes short chain suffixes and writes nearby
  param.reverse();
  if (n <= 400) consider(heuristic(c, o, greedyPlan(c, o), performance.now() + Math.max(0, end - performance.now()) / 4));
  if (param.length <= maxExact) {
    const mode = childrenOption(options);
    const searchEnd = end - Math.min(50, budget / 10);
    const bits = nestedOption(options);
    const allInner = options.allInner ?? ALL_INNER;
    // auto: the improving search gets at most AUTO_IMPROVING_SHARE of the time, so that the unfiltered one always runs too
    const certify = mode === "auto" && o.uploadWindow <= 1;
    const firstEnd = certify ? performance.now() + Math.max(0, searchEnd - performance.now()) * AUTO_IMPROVING_SHARE : searchEnd;
    // (the root's relaxation, shared by both searches, may take its share of the whole search's time in the first)
    let exact = branchAndBound(c, o, param, free, best!, firstEnd, bits, allInner, mode === "all" ? "all" : "improving", undefined, undefined, searchEnd, !certify);
    consider(exact.best);
    const exactAmongImproving = exact.complete;
    if (certify && !exact.rootProven) {
      // the improving search proved its count among improving plans only, or ran out of its share: prove the count among all
      // plans from the best found so far (or report the bound)
      const certified = branchAndBound(c, o, param, free, best!, searchEnd, bits, allInner, "all", undefined, exact.facts);
      consider(certified.best);
      exact = { ...certified, nodes: exact.nodes + certified.nodes };
    }
    if (exact.complete) {
      withTail();
      // the count is proven; ties in it are not searched, so a short local search improves the tie-breaks (score, latency)
      consider(polish(c, o, best!, Math.min(end, performance.now() + POLISH_MS)));
      return { ...best!, exact: true, exactAmongImproving: true, nodes: exact.nodes };
    }
    consider(polish(c, o, best!, Math.max(end, performance.now() + 1)));
    withTail();
    return { ...best!, exact: false, exactAmongImproving, bound: Math.max(exact.rootBound, best!.objective.score), nodes: exact.nodes };
  }
  consider(heuristic(c, o, best!, end));
  withTail();
  return { ...best!, exact: false, exactAmongImproving: false, bound: Math.max(rootBoundFractional(c, o), best!.objective.score), nodes: 0 };
}

/**
 * The nested relaxation's bound on the queries completed by T at the root (link sharing charged for sequential uploads; see
 * the module comment), over the plans that send the parameter-free groups with the first partition: for property tests
 * against brute force. `O(levels · 2^r · r · queries)`.
 * @internal
 */
export function nestedRootBound(costs: ScheduleCosts, options: OptimalPlanOptions = {}): number {
  return prefixBounds(costs, [], options).nested;
}

/** Upper bounds on the queries completed by T of every plan that starts with a given prefix (see {@link prefixBounds}). @internal */
export interface PrefixBounds {
  /** The superset front's bound (link sharing dropped; the first query after the prefix's last ACK may not wait, sequential uploads). */
  readonly plain: number;
  /** The charged bound (link sharing charged; sequential uploads), with the node's own superset front. */
  readonly charged: number;
  /** The same with the parent's front (as the search scores a child). */
  readonly chargedParent: number;
  /** The nested relaxation's count. */
  readonly nested: number;
  /** The family bound at each child's earliest ACK (the next partition, parameterized groups; none at the root or with windows > 1). */
  readonly family: readonly { readonly partition: readonly number[]; readonly count: number }[];
}

/**
 * The search's bounds at the node of a prefix (partitions of group indices; the parameter-free groups go with the first
 * partition, as in the search): for property tests against brute force over every continuation.
 * @internal
 */
export function prefixBounds(costs: ScheduleCosts, prefix: readonly (readonly number[])[], options: OptimalPlanOptions = {}): PrefixBounds {
  const c = resolveCosts(costs);
  const o = resolveObjectiveOptions(c, options);
  const param: number[] = [];
  const free: number[] = [];
  for (let g = 0; g < c.n; g++) (c.paramBytes[g]! > 0 ? param : free).push(g);
  param.reverse();
  const none = scorePlan(c, [], o);
  return branchAndBound(c, o, param, free, none, Number.POSITIVE_INFINITY, nestedOption(options), options.allInner ?? ALL_INNER, childrenOption(options) === "all" ? "all" : "improving", prefix).probed!;
}

/** Local search: merge adjacent partitions while the score improves (deterministic, first improvement in order). */
function heuristic(c: ResolvedCosts, o: ResolvedObjectiveOptions, start: ScoredPlan, deadline: number): ScoredPlan {
  let current = start;
  for (let improved = true; improved && performance.now() < deadline; ) {
    improved = false;
    for (let i = 0; i + 1 < current.plan.length; i++) {
      const merged = current.plan.slice(0, i).concat([[...current.plan[i]!, ...current.plan[i + 1]!]], current.plan.slice(i + 2));
      const candidate = scorePlan(c, merged, o);
      if (better(candidate.objective, candidate.plan.length, current.objective, current.plan.length)) {
        current = candidate;
        improved = true;
        break;
      }
    }
  }
  return current;
}

/** Time the exact planner spends improving the tie-breaks of a proven plan (at most; within the budget), ms. */
const POLISH_MS = 30;

/**
 * Local search on the tie-breaks: move one parameterized group of a partition to the previous or the next partition (or
 * merge two adjacent partitions) while the plan gets better (deterministic, first improvement in order). The count by T
 * never drops (it is the first key).
 */
function polish(c: ResolvedCosts, o: ResolvedObjectiveOptions, start: ScoredPlan, deadline: number): ScoredPlan {
  let current = heuristic(c, o, start, deadline);
  for (let improved = true; improved && performance.now() < deadline; ) {
    improved = false;
    const plan = current.plan;
    search: for (let i = 0; i < plan.length; i++) {
      for (const g of plan[i]!) {
        if (c.paramBytes[g]! <= 0) continue;
        for (const j of [i - 1, i + 1]) {
          if (j < 0 || performance.now() >= deadline) continue;
          const moved = plan.map((p) => p.filter((h) => h !== g));
          if (j < plan.length) moved[j]!.push(g);
          else moved.push([g]);
          const candidate = scorePlan(c, moved, o);
          if (better(candidate.objective, candidate.plan.length, current.objective, current.plan.length)) {
            current = candidate;
            improved = true;
            break search;
          }
        }
      }
    }
  }
  return current;
}

/** Greedy: repeatedly upload the contiguous range with the largest query-time gain per upload millisecond. `O(n³)` per partition. */
function greedyPlan(c: ResolvedCosts, o: ResolvedObjectiveOptions): ScoredPlan {
  const n = c.n;
  const uploaded = new Uint8Array(n);
  const trial = new Uint8Array(n);
  const plan: number[][] = [];
  let currentMs = pathCost(c, uploaded, o.placement).ms;
  for (let stage = 0; stage < n; stage++) {
    let bestRatio = 0;
    let bestRange: number[] | undefined;
    let bestMs = currentMs;
    for (let a = 0; a < n; a++) {
      trial.set(uploaded);
      let bytes = c.frameBytes;
      let load = 0;
      const range: number[] = [];
      for (let b = a; b < n; b++) {
        if (!uploaded[b]) {
          trial[b] = 1;
          range.push(b);
          bytes += c.paramBytes[b]! + c.headerBytes[b]!;
          load += c.loadMs[b]!;
        }
        if (range.length === 0 || (uploaded[b] && b > a)) continue;
        const ms = pathCost(c, trial, o.placement).ms;
        const gain = currentMs - ms;
        const ratio = gain / (bytes / c.up + load + 2 * c.latencyMs);
        if (gain > 1e-9 && ratio > bestRatio + 1e-12) {
          bestRatio = ratio;
          bestRange = [...range];
          bestMs = ms;
        }
      }
    }
    if (bestRange === undefined) break;
    for (const g of bestRange) uploaded[g] = 1;
    plan.push(bestRange);
    currentMs = bestMs;
  }
  return scorePlan(c, plan, o);
}

/** Root upper bound with a fractional-knapsack lower bound on the query time (any n). `O(n log n + queries)`. */
function rootBoundFractional(c: ResolvedCosts, o: ResolvedObjectiveOptions): number {
  const n = c.n;
  const local = pathCost(c, new Uint8Array(n), o.placement).ms;
  const bestAll = pathCost(c, new Uint8Array(n).fill(1), "best").ms;
  const items: { bytes: number; saving: number }[] = [];
  let freeSaving = 0;
  for (let g = 0; g < n; g++) {
    const saving = Math.max(0, c.clientMs[g]! - c.serverMs[g]!);
    if (saving <= 0) continue;
    if (c.paramBytes[g]! <= 0) freeSaving += saving;
    else items.push({ bytes: c.paramBytes[g]!, saving });
  }
  items.sort((a, b) => b.saving / b.bytes - a.saving / a.bytes);
  // conservative steps: from the first byte of item j on, credit all of item j's saving
  const pairs: { bytes: number; q: number }[] = [{ bytes: 0, q: Math.max(bestAll, local - freeSaving) }];
  let bytes = 0;
  let saving = freeSaving;
  for (const item of items) {
    saving += item.saving;
    pairs.push({ bytes: bytes + 1e-9, q: Math.max(bestAll, local - saving) });
    bytes += item.bytes;
  }
  const front = buildFront(pairs, c.up);
  const empty = prefixModel(c, [], o.placement);
  return boundScore(c, empty, o, frontTail(front, c.up, c.setupMs, 0, local));
}

/** @internal */
export interface SubsetTable {
  /** Expected query time once the subset is uploaded, ms. */
  readonly ms: Float64Array;
  /** The parameterized groups (bits) the path runs on the server. */
  readonly server: Int32Array;
  /** Feature bytes the subset's path sends up (`PathCost.upBytes`). */
  readonly upBytes: Float64Array;
}

/**
 * Query time and server groups of every subset of the parameterized groups
 * (free groups uploaded with any non-empty subset): the chain DP of
 * `pathCost` run forward with the server set carried along (same
 * tie-breaks: ties go to the client), over the subsets in Gray-code order
 * with bit 0 on the last parameterized group, so each subset recomputes only
 * the chain after the group whose bit changed (amortized `O(n / m)` per
 * subset; `O(2^m · n)` worst case). The other path facts are computed by
 * `pathCost` for the few subsets the search visits. The `"all"` placement is
 * tabulated directly.
 * @internal
 */
export function tabulate(c: ResolvedCosts, o: ResolvedObjectiveOptions, param: readonly number[], free: readonly number[]): SubsetTable {
  const m = param.length;
  const size = 1 << m;
  const n = c.n;
  const table: SubsetTable = {
    ms: new Float64Array(size),
    server: new Int32Array(size),
    upBytes: new Float64Array(size),
  };
  const bitOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < m; i++) bitOf[param[i]!] = i;
  const uploaded = new Uint8Array(n);
  if (o.placement === "all") {
    for (let mask = 0; mask < size; mask++) {
      uploaded.fill(0);
      if (mask !== 0) for (const g of free) uploaded[g] = 1;
      for (let i = 0; i < m; i++) if (mask & (1 << i)) uploaded[param[i]!] = 1;
      const path = pathCost(c, uploaded, "all");
      table.ms[mask] = path.ms;
      table.server[mask] = mask;
      table.upBytes[mask] = path.upBytes;
    }
    return table;
  }
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  for (let g = 0; g < n; g++) {
    up[g] = c.inputBytes[g]! / c.up;
    down[g] = c.outputBytes[g]! / c.down;
  }
  const flagOf = new Int32Array(n);
  for (let g = 0; g < n; g++) flagOf[g] = bitOf[g]! >= 0 ? 1 << bitOf[g]! : 0;
  const order = new Int32Array(m);
  for (let b = 0; b < m; b++) order[b] = param[b]!;
  grayTabulate(n, m, c.clientMs, c.serverMs, up, down, c.inputBytes, flagOf, order, Int32Array.from(free), uploaded, table.ms, table.server, table.upBytes);
  return table;
}

/**
 * The Gray-code sweep of {@link tabulate} ("best" placement): the chain DP (client side C, server side S before each group,
 * with the server bits and the feature bytes sent up carried along) recomputed from the group whose bit flips. A plain
 * function over typed arrays so that V8 keeps one optimized version of the hot loop.
 */
function grayTabulate(
  n: number,
  m: number,
  clientMs: Float64Array,
  serverMs: Float64Array,
  up: Float64Array,
  down: Float64Array,
  inputBytes: Float64Array,
  flagOf: Int32Array,
  order: Int32Array,
  free: Int32Array,
  uploaded: Uint8Array,
  outMs: Float64Array,
  outServer: Int32Array,
  outUp: Float64Array,
): void {
  const cCost = new Float64Array(n + 1);
  const cSrv = new Int32Array(n + 1);
  const cUp = new Float64Array(n + 1);
  const sCost = new Float64Array(n + 1);
  const sSrv = new Int32Array(n + 1);
  const sUp = new Float64Array(n + 1);
  cCost[0] = 0;
  sCost[0] = Number.POSITIVE_INFINITY;
  const size = 1 << m;
  let gray = 0;
  let mask = 0;
  for (let i = 0; i < size; i++) {
    let from = 0;
    if (i > 0) {
      const bit = 31 - Math.clz32(i & -i);
      const wasEmpty = gray === 0;
      gray ^= 1 << bit;
      mask = gray;
      const g = order[bit]!;
      uploaded[g] = gray & (1 << bit) ? 1 : 0;
      if (wasEmpty || gray === 0) {
        for (let f = 0; f < free.length; f++) uploaded[free[f]!] = gray === 0 ? 0 : 1;
      } else {
        from = g;
      }
    }
    for (let g = from; g < n; g++) {
      // client state entering g: stay, or download the previous output (strictly better only)
      let inCost = cCost[g]!;
      let inSrv = cSrv[g]!;
      let inUp = cUp[g]!;
      const sc = sCost[g]!;
      const viaDown = sc + (g > 0 ? down[g - 1]! : 0);
      if (viaDown < inCost) {
        inCost = viaDown;
        inSrv = sSrv[g]!;
        inUp = sUp[g]!;
      }
      cCost[g + 1] = inCost + clientMs[g]!;
      cSrv[g + 1] = inSrv;
      cUp[g + 1] = inUp;
      if (uploaded[g] === 1) {
        const flag = flagOf[g]!;
        const viaUp = inCost + up[g]! + serverMs[g]!;
        const stay = sc + serverMs[g]!;
        if (viaUp <= stay) {
          sCost[g + 1] = viaUp;
          sSrv[g + 1] = inSrv | flag;
          sUp[g + 1] = inUp + inputBytes[g]!;
        } else {
          sCost[g + 1] = stay;
          sSrv[g + 1] = sSrv[g]! | flag;
          sUp[g + 1] = sUp[g]!;
        }
      } else {
        sCost[g + 1] = Number.POSITIVE_INFINITY;
        sSrv[g + 1] = 0;
      }
    }
    const endS = sCost[n]! + (n > 0 ? down[n - 1]! : 0);
    if (endS < cCost[n]!) {
      outMs[mask] = endS;
      outServer[mask] = sSrv[n]!;
      outUp[mask] = sUp[n]!;
    } else {
      outMs[mask] = cCost[n]!;
      outServer[mask] = cSrv[n]!;
      outUp[mask] = cUp[n]!;
    }
  }
}

/** Charge levels of the nested relaxation's link-sharing coordinate (at most). */
const SHARE_LEVELS = 40;

/** Feature transfers the nested relaxation's charge levels span beyond the gap budget (the charge beyond is folded into time). */
const SHARE_SPAN = 12;

/** Work cap of one run of the nested relaxation (levels × lattice points × bits × queries); the lattice shrinks to fit. */
const NESTED_WORK = 1e8;

/**
 * When the root's relaxation does not prove the incumbent and its lattice was cut to fit `NESTED_WORK` (its cheapest
 * groups given away free), it runs once more on a lattice that fits `ROOT_NESTED_ESCALATION` × that work, within the
 * root's time share, and its count replaces the first only when it is lower (the second run stops as soon as it cannot
 * be). With `children: "auto"` only the second search does so, from the first one's best plan (a weak incumbent at the
 * first search's root would make the finer run useless work: Inception-BN-21K at 40 Mbps, 29 found by then, 30 the
 * optimum and the first bound). Inception-BN-21K at 10 Mbps: 78 on the cut lattice, 77 (= the plan found) on the finer one, in ~0.33 s.
 */
const ROOT_NESTED_ESCALATION = 4;

/** Runs of the inner nodes' nested relaxation kept for replay (per search, or per pair of searches in the `"auto"` mode). */
const NESTED_RUNS = 1 << 16;

/** Share of the search's time the root's nested relaxation may take. */
const ROOT_NESTED_SHARE = 0.75;

/**
 * With `children: "auto"`, the share of the search's time the improving search may take before the unfiltered search
 * starts from its best plan. The improving search usually finds the optimum fast, but on some networks it is the slower
 * of the two or does not finish; `bench/search-children.ts` compares the modes (bench/README.md).
 */
const AUTO_IMPROVING_SHARE = 0.5;

/** Networks with at most this many parameterized groups also run the nested relaxation at every inner node (its lattice at most 2^(this − 1) points there). */
const INNER_NESTED_GROUPS = 13;

/**
 * With one partition in flight, both searches (improving and unfiltered) run the inner-node relaxation only on networks
 * with at least `minGroups` parameterized groups, at nodes with at least `minLeft` groups left. The subtrees of small
 * networks are cheap enough to search with the replay bounds alone: measured on AlexNet (8 groups) at 5–20 Mbps, the
 * relaxation there made the unfiltered proof 3–6× slower, and the improving search 1.7–2× slower at 40–80 Mbps with
 * back-to-back queries (bench/search-children.ts); on GoogLeNet (13 groups) at 40 Mbps it prunes about 95 % of the nodes
 * it runs at (r = 5 … 12 left; 413 of the 592 calls with 10 or more left, each about 0.3 ms), and without it at r ≥ 10
 * the proof takes 2.2 s instead of 0.95 s.
 */
const ALL_INNER = { minGroups: 9, minLeft: 5 } as const;

/** The nested relaxation's lattice bits and work cap from the (internal) options. */
function nestedOption(options: OptimalPlanOptions): { bits: number; work: number } {
  const work = options.nestedWork ?? NESTED_WORK;
  if (!(work > 0 && Number.isFinite(work))) throw new InvalidArgumentError(`optimalUploadPlan: nestedWork must be a finite number > 0, got ${String(work)}`);
  return { bits: options.nestedBits ?? NESTED_BITS, work };
}

/** The validated `children` option of {@link optimalUploadPlan}. */
function childrenOption(options: OptimalPlanOptions): "auto" | "improving" | "all" {
  const children = options.children ?? "auto";
  if (children !== "auto" && children !== "improving" && children !== "all") {
    throw new InvalidArgumentError(`optimalUploadPlan: children must be "auto", "improving" or "all", got ${JSON.stringify(children)}`);
  }
  return children;
}

/**
 * What a search computes at the root that does not depend on its children mode: the subset table and the root's nested
 * relaxation count (a bound on every plan), and the inner nodes' relaxation runs. The `"auto"` mode's second search reuses
 * the first one's.
 */
interface RootFacts {
  readonly table: SubsetTable;
  /** `undefined` until the root's relaxation has run (to its end: a run out of time leaves it undefined). */
  readonly rootNested?: number;
  /** Whether that run's lattice was cut to fit its work cap, and whether the finer run (`ROOT_NESTED_ESCALATION`) has answered. */
  readonly rootCut?: boolean;
  readonly rootRefined?: boolean;
  readonly nestedRuns?: Map<string, NestedRun>;
}

/** A run of the nested relaxation's DP: the steps at which some query was feasible, and whether it went to its end (else it stopped above its caller's `limit`). */
interface NestedRun {
  readonly feasibleSteps: readonly number[];
  readonly complete: boolean;
}

/** Lattice bits of the nested relaxation (at the root). */
const NESTED_BITS = 14;

/** Above this many children a node descends into each child as soon as it is scored (the best incumbent comes early). */
const EAGER_CHILDREN = 2048;

/** The number of set bits of a subset mask. */
function popcount(mask: number): number {
  let n = 0;
  for (let x = mask; x !== 0; x &= x - 1) n++;
  return n;
}

function branchAndBound(
  c: ResolvedCosts,
  o: ResolvedObjectiveOptions,
  param: readonly number[],
  free: readonly number[],
  incumbent: ScoredPlan,
  deadline: number,
  nested: { readonly bits: number; readonly work: number },
  allInner: { readonly minGroups: number; readonly minLeft: number },
  childMode: "improving" | "all",
  probe?: readonly (readonly number[])[],
  reuse?: RootFacts,
  rootDeadline = deadline,
  refineRoot = true,
): { best: ScoredPlan; complete: boolean; nodes: number; rootBound: number; rootProven: boolean; probed?: PrefixBounds; facts: RootFacts } {
  const m = param.length;
  const nestedBits = nested.bits;
  const nestedWork = nested.work;
  const table = reuse?.table ?? tabulate(c, o, param, free);
  const size = 1 << m;
  const fullMask = size - 1;
  // Effective upload cost of each subset in link bytes: weights, headers and (sequential upload) loading time at the uplink rate;
  // every non-empty increment also pays at least one partition's fixed frame, two latencies and the ACK.
  const sequential = o.uploadWindow <= 1;
  const freeHeader0 = free.reduce((s, g) => s + c.headerBytes[g]!, 0);
  const freeLoad0 = free.reduce((s, g) => s + c.loadMs[g]!, 0);
  const bitCost = new Float64Array(m);
  for (let i = 0; i < m; i++) bitCost[i] = c.paramBytes[param[i]!]! + c.headerBytes[param[i]!]! + (sequential ? c.loadMs[param[i]!]! * c.up : 0);
  const freeCost = freeHeader0 + (sequential ? freeLoad0 * c.up : 0);
  const effBytes = new Float64Array(size);
  for (let mask = 1; mask < size; mask++) {
    const low = mask & -mask;
    const rest = mask ^ low;
    effBytes[mask] = effBytes[rest]! + bitCost[31 - Math.clz32(low)]! + (rest === 0 ? freeCost : 0);
  }
  const overheadBytes = c.frameBytes + (2 * c.latencyMs + c.ackBytes / c.down) * c.up;
  const fronts = new Map<number, Fronts>();
  // a subset's query time plus its feature transfer at the full rate (the link time a query on it takes from the frames)
  const chargedMs = (u: number): number => table.ms[u]! + table.upBytes[u]! / c.up;
  /**
   * The Pareto fronts (extra effective bytes vs query time; and vs query time plus feature transfer, for the charged bound) of
   * the supersets of `mask`. A superset S is skipped from a front when dropping one of its groups beyond `mask` does not raise
   * that front's value (that subset is no costlier and no worse). `O(2^r · r)`, r = groups left.
   */
  // a subset's query time plus its feature transfer, tabulated on first use (the charged front reads it r times per superset)
  let chargedTable: Float64Array | undefined;
  const chargedAll = (): Float64Array => {
    if (chargedTable === undefined) {
      chargedTable = new Float64Array(size);
      for (let u = 0; u < size; u++) chargedTable[u] = chargedMs(u);
    }
    return chargedTable;
  };
  // Per subset u, the groups i of u whose removal does not raise the value (ms[u minus i] <= ms[u]): a superset u of a set is
  // skipped from its front exactly when one of those groups lies beyond the set, one AND instead of a loop over its groups.
  // Tabulated on first use, O(2^m · m) once.
  let plainDropTable: Uint32Array | undefined;
  let chargedDropTable: Uint32Array | undefined;
  const dropTable = (value: Float64Array): Uint32Array => {
    const out = new Uint32Array(size);
    for (let u = 1; u < size; u++) {
      const q = value[u]!;
      let bits = 0;
      for (let y = u; y > 0; y &= y - 1) {
        const bit = y & -y;
        if (value[u ^ bit]! <= q) bits |= bit;
      }
      out[u] = bits;
    }
    return out;
  };
  // scratch for the fronts' candidate points, grown to the largest superset count asked for
  let scratchCap = 0;
  let plainBytes = new Float64Array(0);
  let plainQ = new Float64Array(0);
  let tauBytesBuf = new Float64Array(0);
  let tauQBuf = new Float64Array(0);
  let order = new Uint32Array(0);
  const frontOf = (mask: number): Fronts => {
    let front = fronts.get(mask);
    if (front !== undefined) return front;
    const comp = fullMask & ~mask;
    const need = 2 ** popcount(comp);
    if (need > scratchCap) {
      scratchCap = need;
      plainBytes = new Float64Array(need);
      plainQ = new Float64Array(need);
      tauBytesBuf = new Float64Array(need);
      tauQBuf = new Float64Array(need);
      order = new Uint32Array(need);
    }
    const base = effBytes[mask]!;
    const ms = table.ms;
    const charged = sequential ? chargedAll() : ms;
    plainBytes[0] = 0;
    plainQ[0] = ms[mask]!;
    tauBytesBuf[0] = 0;
    tauQBuf[0] = chargedMs(mask);
    let nPlain = 1;
    let nTau = 1;
    plainDropTable ??= dropTable(ms);
    const plainDrop = plainDropTable;
    const chargedDrop = sequential ? (chargedDropTable ??= dropTable(charged)) : plainDrop;
    for (let x = comp; x > 0; x = (x - 1) & comp) {
      const u = mask | x;
      if ((plainDrop[u]! & x) === 0) {
        plainBytes[nPlain] = effBytes[u]! - base + overheadBytes;
        plainQ[nPlain++] = ms[u]!;
      }
      if (sequential && (chargedDrop[u]! & x) === 0) {
        tauBytesBuf[nTau] = effBytes[u]! - base + overheadBytes;
        tauQBuf[nTau++] = charged[u]!;
      }
    }
    front = {
      plain: paretoFront(plainBytes, plainQ, nPlain, c.up, order),
      charged: paretoFront(tauBytesBuf, tauQBuf, nTau, c.up, order),
    };
    fronts.set(mask, front);
    return front;
  };
  type Front = ReturnType<typeof buildFront>;
  type Fronts = { plain: Front; charged: Front };
  let best = incumbent;
  let nodes = 0;
  let complete = true;
  const paths = new Map<number, PathCost>();
  const pathUploaded = new Uint8Array(c.n);
  /** The path facts of a subset (`pathCost`, cached: the search visits few subsets). */
  const pathOf = (mask: number): PathCost => {
    let path = paths.get(mask);
    if (path !== undefined) return path;
    pathUploaded.fill(0);
    if (mask !== 0) for (const g of free) pathUploaded[g] = 1;
    for (let i = 0; i < m; i++) if (mask & (1 << i)) pathUploaded[param[i]!] = 1;
    path = pathCost(c, pathUploaded, o.placement);
    paths.set(mask, path);
    return path;
  };
  // An upper bound on the client time before a subset's path's first feature transfer (`PathCost.prefixMs`): the client
  // times before its first parameterized group on the server (the path's first server group is that one or earlier), and
  // at most its query time less its transfer (the path's time includes both). O(1) per subset.
  const clientBefore = new Float64Array(c.n + 1);
  for (let g = 0; g < c.n; g++) clientBefore[g + 1] = clientBefore[g]! + c.clientMs[g]!;
  const prefixBoundOf = (mask: number): number => {
    const server = table.server[mask]!;
    const most = Math.max(0, table.ms[mask]! - table.upBytes[mask]! / c.up);
    return server === 0 ? most : Math.min(most, clientBefore[param[31 - Math.clz32(server)]!]!);
  };
  const freeHeader = free.reduce((s, g) => s + c.headerBytes[g]!, 0);
  const freeLoad = free.reduce((s, g) => s + c.loadMs[g]!, 0);
  const partitionBytes = (x: number, first: boolean): number => {
    let bytes = c.frameBytes + (first ? freeHeader : 0);
    for (let i = 0; i < m; i++) if (x & (1 << i)) bytes += c.paramBytes[param[i]!]! + c.headerBytes[param[i]!]!;
    return bytes;
  };
  const partitionLoad = (x: number, first: boolean): number => {
    let load = first ? freeLoad : 0;
    for (let i = 0; i < m; i++) if (x & (1 << i)) load += c.loadMs[param[i]!]!;
    return load;
  };
  const toPlan = (increments: readonly number[]): number[][] =>
    increments.map((x, k) => {
      const groups: number[] = k === 0 ? [...free] : [];
      for (let i = 0; i < m; i++) if (x & (1 << i)) groups.push(param[i]!);
      return groups.sort((a, b) => a - b);
    });
  // The search's prefix as a stack (the hot path's model without allocation): entry i of the buffers is partition i, and
  // `stackModels[k]` views the first k (paths beyond k are stale, never read by the lite replays that take these models).
  const stackPaths: PathCost[] = new Array<PathCost>(m + 1).fill(pathOf(0));
  const stackBytes = new Float64Array(m);
  const stackLoad = new Float64Array(m);
  const stackModels: PrefixModel[] = [];
  for (let k = 0; k <= m; k++) stackModels.push({ paths: stackPaths, frameBytes: stackBytes.subarray(0, k), loadMs: stackLoad.subarray(0, k) });
  /** Partition k of the stack is increment x (set u after it). */
  const setStack = (k: number, x: number, u: number): void => {
    stackPaths[k + 1] = pathOf(u);
    stackBytes[k] = partitionBytes(x, k === 0);
    stackLoad[k] = partitionLoad(x, k === 0);
  };
  const modelOf = (increments: readonly number[], masks: readonly number[]): PrefixModel => {
    const k = increments.length;
    const paths: PathCost[] = [pathOf(0)];
    const frameBytes = new Float64Array(k);
    const loadMs = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      paths.push(pathOf(masks[i]!));
      frameBytes[i] = partitionBytes(increments[i]!, i === 0);
      loadMs[i] = partitionLoad(increments[i]!, i === 0);
    }
    return { paths, frameBytes, loadMs };
  };
  // Nested-chain relaxation (see the module comment): the i-th query from `fromMs` on runs on a set S_i with
  // S_1 ⊆ S_2 ⊆ … (supersets of the node's uploaded set), available once its effective bytes and one partition's overhead
  // have crossed the link, at its expected query time, and may wait for a larger set. Earliest
  // completion per (query, set) by a DP over the lattice with a subset-min (sum over subsets, Yates 1937 / Knuth TAOCP 7.1.3)
  // per query. Groups beyond `maxBits` (the cheapest) are given away free: a further relaxation on a smaller lattice.
  const think = o.thinkMs;
  const windowMs = o.windowMs;
  // Link sharing is charged for sequential uploads only (the time-dilation argument of the module comment needs a link that is
  // idle for the upload between a frame's end and the next frame's start, and no load running while a frame is on the wire).
  const shareCharge = sequential;
  const gapPerPartition = 2 * c.latencyMs + c.ackBytes / c.down;
  /** The subset minimum of `a[offset, offset + count)` in place: afterwards a[offset + y] = min over z ⊆ y of the old a[offset + z]. */
  const subsetMin = (a: Float64Array, offset: number, r: number, count: number): void => {
    for (let b = 0; b < r; b++) {
      const bit = 1 << b;
      for (let y = bit; y < count; y = (y + 1) | bit) {
        const v = a[offset + y - bit]!;
        if (v < a[offset + y]!) a[offset + y] = v;
      }
    }
  };
  const maxTau = (mask: number): number => {
    let tau = 0;
    const comp = fullMask & ~mask;
    for (let x = comp; ; x = (x - 1) & comp) {
      tau = Math.max(tau, table.upBytes[mask | x]! / c.up);
      if (x === 0) break;
    }
    return tau;
  };
  // The nested relaxation's scratch buffers, shared by its runs (one at a time) and grown on demand: per lattice point its set,
  // gap budget and options (`optStart`), per option its facts, and the DP's buffers (+∞ between runs) with their levels' minima.
  const noLevels = (): Float64Array => new Float64Array(SHARE_LEVELS).fill(Number.POSITIVE_INFINITY);
  const scratchDp = (size: number): Float64Array => new Float64Array(size).fill(Number.POSITIVE_INFINITY);
  const nestedScratch = {
    pointSet: new Int32Array(0),
    pointGap: new Float64Array(0),
    optStart: new Int32Array(0),
    optAvail: new Float64Array(0),
    optQ: new Float64Array(0),
    optTau: new Float64Array(0),
    optGap: new Float64Array(0),
    // the first query's charge (options available by its raise): unabsorbable part (time) and absorbable part (levels)
    optHard: new Float64Array(0),
    optSoft: new Float64Array(0),
    optTauLevels: new Int32Array(0),
    optSoftLevels: new Int32Array(0),
    levelSlack: new Float64Array(SHARE_LEVELS),
    // per level of a step: whether its N (L, F) states can have a successor in the window
    openN: new Uint8Array(SHARE_LEVELS),
    openF: new Uint8Array(SHARE_LEVELS),
    modeN: scratchDp(0),
    modeL: scratchDp(0),
    modeF: scratchDp(0),
    nextN: scratchDp(0),
    nextL: scratchDp(0),
    nextF: scratchDp(0),
    lowN: noLevels(),
    lowL: noLevels(),
    lowF: noLevels(),
    nextLowN: noLevels(),
    nextLowL: noLevels(),
    nextLowF: noLevels(),
  };
  const nestedBuffers = (points: number, options: number, size: number): typeof nestedScratch => {
    const s = nestedScratch;
    if (s.optStart.length < points + 1) {
      s.pointSet = new Int32Array(points);
      s.pointGap = new Float64Array(points);
      s.optStart = new Int32Array(points + 1);
    }
    if (s.optAvail.length < options) {
      s.optAvail = new Float64Array(options);
      s.optQ = new Float64Array(options);
      s.optTau = new Float64Array(options);
      s.optGap = new Float64Array(options);
      s.optHard = new Float64Array(options);
      s.optSoft = new Float64Array(options);
      s.optTauLevels = new Int32Array(options);
      s.optSoftLevels = new Int32Array(options);
    }
    if (s.modeN.length < size) {
      s.modeN = scratchDp(size);
      s.modeL = scratchDp(size);
      s.modeF = scratchDp(size);
      s.nextN = scratchDp(size);
      s.nextL = scratchDp(size);
      s.nextF = scratchDp(size);
    }
    return s;
  };
  // runs of the nested relaxation's DP (not the root's recorded one) by their inputs (see `runKey`), shared with a reusing search
  const nestedRuns = reuse?.nestedRuns ?? new Map<string, NestedRun>();
  /**
   * What the run would return for `before` and `limit`: its test after each step, `before + done > limit` (`done` the last
   * feasible step so far), first fires after step 1 or at a feasible step; `undefined` when a stopped run does not tell.
   */
  const replayRun = (run: NestedRun, before: number, limit: number): number | undefined => {
    const steps = run.feasibleSteps;
    const afterFirst = before + (steps[0] === 1 ? 1 : 0);
    if (afterFirst > limit) return afterFirst;
    for (const step of steps) if (before + step > limit) return before + step;
    return run.complete ? before + (steps.length > 0 ? steps[steps.length - 1]! : 0) : undefined;
  };
  /** Upper bound on the queries completed by T of any plan with this prefix: exact replay before `fromMs`, the nested relaxation after. */
  let nestedChain: { increments: number[]; given: number } | undefined;
  /** Whether the last run's lattice was cut to fit its work cap (fewer groups than `maxBits` and those left). */
  let nestedCut = false;
  const nestedCount = (model: PrefixModel, mask: number, fromMs: number, maxBits: number, record = false, until = deadline, limit = Number.POSITIVE_INFINITY, work = nestedWork): number => {
    nestedCut = false;
    const layers: Float64Array[] = [];
    let firstRaise = Number.NaN;
    const probe: Tail = {
      fromMs,
      completion(raise: number): number {
        firstRaise = raise;
        return Number.POSITIVE_INFINITY;
      },
    };
    const before = Math.floor(boundScore(c, model, o, probe) + 1e-9);
    if (Number.isNaN(firstRaise)) return before;
    // The first relaxed query is raised at exactly `firstRaise` when no query came before it (it cannot wait for a set that is
    // not ACKed by then); later ones may wait (the relaxed completion before them is optimistic).
    // With one partition in flight the first relaxed query's raise is exact at any node, in the dilated time (see the module comment).
    const exactFirst = sequential || (before === 0 && Math.abs(firstRaise - think) < 1e-9);
    // The DP depends on the prefix only through these: a run with the same ones is replayed (different prefixes often reach the
    // same set at the same time; at GoogLeNet's inner nodes three runs in four repeat one)
    const runKey = record ? "" : `${mask} ${fromMs} ${firstRaise} ${exactFirst ? 1 : 0} ${maxBits} ${work}`;
    const seen = record ? undefined : nestedRuns.get(runKey);
    if (seen !== undefined) {
      const count = replayRun(seen, before, limit);
      if (count !== undefined) return count;
    }
    const comp = fullMask & ~mask;
    const bits: number[] = [];
    for (let y = comp; y > 0; y &= y - 1) bits.push(y & -y);
    bits.sort((a, b) => bitCost[31 - Math.clz32(b)]! - bitCost[31 - Math.clz32(a)]!);
    // charge levels (see below) and the lattice size: at most `maxBits` groups, fewer when the relaxation has many queries to run
    const tauRef = shareCharge ? table.upBytes[fullMask]! / c.up || maxTau(mask) : 0;
    let gapAll = mask === 0 ? freeLoad0 : 0;
    for (let x = comp; x > 0; x &= x - 1) gapAll += c.loadMs[param[31 - Math.clz32(x & -x)]!]! + gapPerPartition;
    // levels of δ cover the charge up to the gap budget; beyond it the charge is folded into the time coordinate
    // Levels of δ = τ (the full path's feature transfer, so that the common charge is a whole number of levels) cover the charge
    // up to the gap budget and SHARE_SPAN transfers beyond it; beyond the top level the charge is folded into the time
    // coordinate (valid, but a wait for a set then absorbs it: see the module comment, so the levels go well past the gap budget).
    let levels = 1;
    let delta = 1;
    if (shareCharge && tauRef > 0) {
      delta = tauRef;
      levels = Math.ceil((gapAll + SHARE_SPAN * tauRef) / delta - 1e-9) + 1;
      if (levels > SHARE_LEVELS) {
        levels = SHARE_LEVELS;
        delta = (gapAll + SHARE_SPAN * tauRef) / (levels - 1);
      }
    }
    const capCharge = (levels - 1) * delta;
    const steps = Math.max(1, (windowMs - firstRaise) / (think + table.ms[fullMask]!) + 1);
    let fit = maxBits;
    while (fit > 0 && steps * levels * (1 << fit) * (fit + 6) > work) fit--;
    nestedCut = fit < Math.min(maxBits, bits.length);
    let given = 0;
    while (bits.length > fit) given |= bits.pop()!;
    // lattice bits in mask order, so that consecutive points are nearby subsets (table reads stay in cache)
    bits.sort((a, b) => a - b);
    const r = bits.length;
    const count = 1 << r;
    const base = effBytes[mask]!;
    // Each lattice point y stands for the sets set(y) ∪ h, h ⊆ `given`: a query on y may run on any of them that is available
    // by its raise (the lattice forgets which h it took, a relaxation). Per point, its options sorted by availability with the
    // dominated ones merged into the option that dominates them (same or earlier availability, same or lower query time): the
    // merged option takes the fewer charge units and the larger gap budget, so it is at least as good as each it replaces.
    const hs: number[] = [];
    for (let h = given; ; h = (h - 1) & given) {
      hs.push(h);
      if (h === 0) break;
    }
    // effective bytes add up over disjoint groups, so every point orders its options alike: by the given groups' bytes
    hs.sort((a, b) => effBytes[a]! - effBytes[b]!);
    // gap budget beyond `mask`: one gap per partition (at most one per group) and every loading time; additive too
    const groupGap = (x: number): number => {
      let gap = 0;
      for (let z = x; z > 0; z &= z - 1) gap += c.loadMs[param[31 - Math.clz32(z & -z)]!]! + gapPerPartition;
      return gap;
    };
    const gapOfH = Float64Array.from(hs, groupGap);
    const roundTrip = sequential || mask === 0;
    // The first relaxed query (raise exact in the dilated clock): the part of its feature transfer no gap can take (see the
    // module comment: its transfer is [r1 + prefix, r1 + prefix + τ], and no gap comes before the first frame beyond its set
    // ends) goes into the time coordinate, the rest into the charge levels.
    const firstCap = (u: number, avail: number, tau: number): number => {
      const comp = fullMask & ~u;
      if (comp === 0 || tau <= 0) return tau;
      let minBytes = Number.POSITIVE_INFINITY;
      for (let z = comp; z > 0; z &= z - 1) {
        const g = param[31 - Math.clz32(z & -z)]!;
        minBytes = Math.min(minBytes, c.paramBytes[g]! + c.headerBytes[g]!);
      }
      const frameEnd = avail + (c.frameBytes + minBytes) / c.up;
      const start = firstRaise + prefixBoundOf(u);
      return Math.min(tau, Math.max(0, start + tau - Math.max(start, frameEnd)));
    };
    const scratch = nestedBuffers(count, count * hs.length, levels * count);
    const { optStart, optAvail, optQ, optTau, optGap, optHard, optSoft, optTauLevels, optSoftLevels, pointSet, pointGap } = scratch;
    let opts = 0;
    let gapMax = 0;
    // per lattice point its set and (link sharing) its groups' gap budget beyond `mask`, each from the point without its top
    // bit: the gap is the same sum in the same order as `groupGap` (low bits first)
    pointSet[0] = mask;
    pointGap[0] = 0;
    for (let y = 0; y < count; y++) {
      if (y > 0) {
        const top = 31 - Math.clz32(y);
        pointSet[y] = pointSet[y ^ (1 << top)]! | bits[top]!;
        pointGap[y] = shareCharge ? pointGap[y ^ (1 << top)]! + groupGap(bits[top]!) : 0;
      }
      const set = pointSet[y]!;
      const gapOfSet = pointGap[y]!;
      optStart[y] = opts;
      for (let i = 0; i < hs.length; i++) {
        const u = set | hs[i]!;
        const avail = u === mask ? fromMs : fromMs + (effBytes[u]! - base + overheadBytes) / c.up;
        if (avail > windowMs) break;
        // the execute round trip: a path with a parameterized group on the server has at least one run (only free groups: none).
        // Not at an inner node with several partitions in flight: there `fromMs` can come before the node's last ACK, so a query
        // may still run on a subset of the node's set, without the round trip (query time alone is monotone in the set).
        const q = table.ms[u]! + (table.server[u]! !== 0 && roundTrip ? 2 * c.latencyMs : 0);
        let tau = 0;
        let gap = 0;
        let soft = 0;
        const usableFirst = shareCharge && avail <= firstRaise;
        if (shareCharge) {
          tau = table.upBytes[u]! / c.up;
          gap = gapOfSet + gapOfH[i]! + (mask === 0 && u !== 0 ? freeLoad0 : 0);
          if (gap > gapMax) gapMax = gap;
          soft = usableFirst ? firstCap(u, avail, tau) : tau;
        }
        const last = opts - 1;
        if (last >= optStart[y]! && optQ[last]! <= q) {
          if (tau < optTau[last]!) optTau[last] = tau;
          if (gap > optGap[last]!) optGap[last] = gap;
          // an option not available by the first raise is never the first query's set: it leaves the first charge alone.
          // Merged: the smaller unabsorbable part and the smaller total (h + max(0, s + R − G) is monotone in h and h + s).
          if (usableFirst) {
            if (tau - soft < optHard[last]!) optHard[last] = tau - soft;
            if (tau < optSoft[last]!) optSoft[last] = tau;
          }
        } else {
          optAvail[opts] = avail;
          optQ[opts] = q;
          optTau[opts] = tau;
          optGap[opts] = gap;
          optHard[opts] = tau - soft;
          optSoft[opts] = tau;
          opts++;
        }
      }
    }
    optStart[count] = opts;
    // The first query's split in whole levels (optSoft holds the total till here): k levels with k = ⌈s/δ⌉ (at most the total's
    // whole levels) and the unabsorbable part min(h, total − kδ). Valid (at most h in time, at most the total in all) and, at a
    // large charge R of the others, as strong as the total in levels: never weaker than charging the total in levels.
    if (shareCharge) {
      for (let j = 0; j < opts; j++) {
        const total = optSoft[j]!;
        const hard = Math.min(optHard[j]!, total);
        const k = Math.max(0, Math.min(Math.ceil((total - hard) / delta - 1e-9), Math.floor(total / delta + 1e-9)));
        optHard[j] = Math.max(0, Math.min(hard, total - k * delta));
        optSoft[j] = k * delta;
      }
    }
    // per option its transfer in whole levels (first query, later ones), per level the charge beyond the largest gap budget
    for (let j = 0; j < opts; j++) {
      optSoftLevels[j] = Math.floor(optSoft[j]! / delta + 1e-9);
      optTauLevels[j] = Math.floor(optTau[j]! / delta + 1e-9);
    }
    const { levelSlack, openN, openF } = scratch;
    for (let l = 0; l < levels; l++) levelSlack[l] = Math.max(0, l * delta - gapMax);
    let qFastest = Number.POSITIVE_INFINITY;
    for (let j = 0; j < opts; j++) if (optQ[j]! < qFastest) qFastest = optQ[j]!;
    // the one more query an N state's successor needs (see below), none in the recorded run: adding zeros leaves its sums as
    // they are, and the loop has no branch on `record` (the optimized code of the root's run then also serves the inner runs)
    const thinkAhead = record ? 0 : think;
    const qAhead = record ? 0 : qFastest;
    // The DP's buffers (mode N, L, F: this step's and the next one's; see the module comment) are +∞ outside the levels with a
    // finite minimum (`lowN` …: each level's least value, kept as it is written), and every level is reset to +∞ after use,
    // so that they come and go +∞ (reused across runs, no fill per run).
    let { modeN, modeL, modeF, nextN, nextL, nextF, lowN, lowL, lowF, nextLowN, nextLowL, nextLowF } = scratch;
    // the virtual predecessor of the first relaxed query: it may start in any mode, on the node's set, so that the first step's
    // subset minimum is this value everywhere on level 0 (set here; the transforms start at step 2)
    modeN.fill(firstRaise - think, 0, count);
    modeL.fill(firstRaise - think, 0, count);
    lowN[0] = firstRaise - think;
    lowL[0] = firstRaise - think;
    let done = 0;
    const feasibleSteps: number[] = [];
    // the count to return before the last query (above `limit`, or +∞ past `until`)
    let early = Number.NaN;
    const combined = record ? new Float64Array(count) : undefined;
    const capTop = capCharge + 1e-9;
    for (let step = 1; step <= 1_000_000; step++) {
      // A level whose earliest state cannot complete its next query in the window, charge beyond the gap budget added (the
      // weakest test a successor must pass), is left alone: no successor would pass, so neither its subset minimum nor its
      // options are needed. (Rounding is monotone, so the sum with the least terms bounds every successor's.) Outside the
      // recorded root run (whose layers keep every successor), an N state's successor (N or L) counts only through an F query
      // after it, on no lower level: it is kept only if that one can be in the window, which changes no step's feasibility
      // (every state on a chain to a feasible F query passes) and ends the run when nothing but such dead ends is left.
      for (let l = 0; l < levels; l++) {
        openN[l] = lowN[l]! + think + qFastest + thinkAhead + qAhead + levelSlack[l]! <= windowMs ? 1 : 0;
        openF[l] = Math.min(lowL[l]!, lowF[l]!) + think + qFastest + levelSlack[l]! <= windowMs ? 1 : 0;
        if (step === 1) continue;
        if (openN[l]) subsetMin(modeN, l * count, r, count);
        if (openF[l] && lowL[l]! < Number.POSITIVE_INFINITY) subsetMin(modeL, l * count, r, count);
      }
      let alive = false;
      let feasible = false;
      if (combined) combined.fill(Number.POSITIVE_INFINITY);
      // the first query's options end at its raise (exact raise) and it charges its split transfer (time part, level part)
      const first = step === 1;
      const availTop = first && exactFirst ? firstRaise : Number.POSITIVE_INFINITY;
      const tauOf = first ? optSoft : optTau;
      const tauLevelsOf = first ? optSoftLevels : optTauLevels;
      for (let l = 0; l < levels; l++) {
        const hasN = openN[l] === 1;
        const hasF = openF[l] === 1;
        if (!hasN && !hasF) continue;
        const charged = l * delta;
        const slackN = levelSlack[l]!;
        const off = l * count;
        for (let y = 0; y < count; y++) {
          const fromN = hasN ? modeN[off + y]! : Number.POSITIVE_INFINITY;
          const fromF = hasF ? Math.min(modeL[off + y]!, modeF[off + y]!) : Number.POSITIVE_INFINITY;
          if (fromN === Number.POSITIVE_INFINITY && fromF === Number.POSITIVE_INFINITY) continue;
          for (let j = optStart[y]!, end = optStart[y + 1]!; j < end; j++) {
            const avail = optAvail[j]!;
            if (avail > availTop) break;
            const q = optQ[j]!;
            if (fromN < Number.POSITIVE_INFINITY) {
              const e = Math.max(fromN + think, avail) + q;
              if (e + thinkAhead + qAhead + slackN <= windowMs) {
                if (e < nextL[off + y]!) {
                  nextL[off + y] = e;
                  if (e < nextLowL[l]!) nextLowL[l] = e;
                }
                // the first query: its unabsorbable transfer in time, the rest in levels; later ones: all in levels
                const tau = tauOf[j]!;
                let l2 = levels - 1;
                let eN = first ? e + optHard[j]! : e;
                // the charge beyond the cap (the gap budget) goes into the time coordinate (see the module comment)
                if (charged + tau > capTop) eN += charged + tau - capCharge;
                else if (levels > 1) l2 = Math.min(levels - 1, l + tauLevelsOf[j]!);
                if (eN + levelSlack[l2]! <= windowMs && eN < nextN[l2 * count + y]!) {
                  nextN[l2 * count + y] = eN;
                  if (eN < nextLowN[l2]!) nextLowN[l2] = eN;
                }
                alive = true;
                if (combined && e < combined[y]!) combined[y] = e;
              }
            }
            if (fromF < Number.POSITIVE_INFINITY) {
              const e = Math.max(fromF + think, avail) + q;
              if (e + Math.max(0, charged - optGap[j]!) <= windowMs) {
                if (e < nextF[off + y]!) {
                  nextF[off + y] = e;
                  if (e < nextLowF[l]!) nextLowF[l] = e;
                }
                feasible = true;
                alive = true;
                if (combined && e < combined[y]!) combined[y] = e;
              }
            }
          }
        }
      }
      // this step's buffers become the next step's targets: back to +∞ where they hold values
      for (let l = 0; l < levels; l++) {
        const off = l * count;
        if (lowN[l]! < Number.POSITIVE_INFINITY) modeN.fill(Number.POSITIVE_INFINITY, off, off + count);
        if (lowL[l]! < Number.POSITIVE_INFINITY) modeL.fill(Number.POSITIVE_INFINITY, off, off + count);
        if (lowF[l]! < Number.POSITIVE_INFINITY) modeF.fill(Number.POSITIVE_INFINITY, off, off + count);
      }
      lowN.fill(Number.POSITIVE_INFINITY);
      lowL.fill(Number.POSITIVE_INFINITY);
      lowF.fill(Number.POSITIVE_INFINITY);
      [modeN, nextN] = [nextN, modeN];
      [modeL, nextL] = [nextL, modeL];
      [modeF, nextF] = [nextF, modeF];
      [lowN, nextLowN] = [nextLowN, lowN];
      [lowL, nextLowL] = [nextLowL, lowL];
      [lowF, nextLowF] = [nextLowF, lowF];
      if (feasible) {
        done = step;
        feasibleSteps.push(step);
      }
      // a caller that only asks whether the count beats `limit` has its answer (the count found so far is a lower bound of the result)
      if (before + done > limit) {
        early = before + done;
        break;
      }
      if (!alive) break;
      if (record && combined) layers.push(combined.slice());
      if (performance.now() > until) {
        early = Number.POSITIVE_INFINITY;
        break;
      }
    }
    if (!record && early !== Number.POSITIVE_INFINITY && (nestedRuns.size < NESTED_RUNS || nestedRuns.has(runKey))) {
      nestedRuns.set(runKey, { feasibleSteps, complete: Number.isNaN(early) });
    }
    // leave the buffers +∞ for the next run
    for (let l = 0; l < levels; l++) {
      const off = l * count;
      if (lowN[l]! < Number.POSITIVE_INFINITY) modeN.fill(Number.POSITIVE_INFINITY, off, off + count);
      if (lowL[l]! < Number.POSITIVE_INFINITY) modeL.fill(Number.POSITIVE_INFINITY, off, off + count);
      if (lowF[l]! < Number.POSITIVE_INFINITY) modeF.fill(Number.POSITIVE_INFINITY, off, off + count);
    }
    lowN.fill(Number.POSITIVE_INFINITY);
    lowL.fill(Number.POSITIVE_INFINITY);
    lowF.fill(Number.POSITIVE_INFINITY);
    if (!Number.isNaN(early)) return early;
    if (record && layers.length > done) layers.length = done;
    if (record && layers.length > 0) {
      // the relaxation's best chain (a seed plan): last layer's earliest set, then for each earlier query the subset it came from
      const last = layers[layers.length - 1]!;
      let y = 0;
      for (let z = 1; z < count; z++) if (last[z]! < last[y]!) y = z;
      const chain = [y];
      for (let i = layers.length - 2; i >= 0; i--) {
        const layer = layers[i]!;
        let arg = y;
        for (let z = y; ; z = (z - 1) & y) {
          if (layer[z]! < layer[arg]!) arg = z;
          if (z === 0) break;
        }
        y = arg;
        chain.push(y);
      }
      chain.reverse();
      const increments: number[] = [];
      let prev = 0;
      for (const z of chain) {
        if (z === prev) continue;
        let x = 0;
        for (let b = 0; b < r; b++) if ((z & ~prev) & (1 << b)) x |= bits[b]!;
        increments.push(x);
        prev = z;
      }
      nestedChain = { increments, given };
    }
    return before + done;
  };
  const rootModel = modelOf([], []);
  const rootLoop = prefixLoop(c, rootModel, o);
  // the superset front of the root (all 2^m subsets) and its bound, built only when the nested relaxation has not proven the count
  let rootBound = Number.POSITIVE_INFINITY;
  const childCache = new Map<number, Int32Array>();
  /** Ties between children go to the subset whose groups come first in the chain (bit i is param[i], the chain reversed). */
  const chainOrder = (x: number): number => {
    let v = 0;
    for (let y = x; y > 0; y &= y - 1) v |= 1 << (m - 1 - (31 - Math.clz32(y & -y)));
    return v;
  };
  // With a window of several partitions in flight the dominance behind the children filter fails: a partition that does not
  // lower the query time (or carries a group the new path does not use) can still go first so that its loading overlaps the
  // next transfer (brute force finds such plans). So every non-empty subset of the rest is a child then; only the bound prunes.
  // The same when the caller asks for every child (`children: "all"`: exact over every ordered partitioning).
  const pipelined = o.uploadWindow > 1 || childMode === "all";
  const childrenOf = (mask: number): Int32Array => {
    let list = childCache.get(mask);
    if (list !== undefined) return list;
    const out: number[] = [];
    const comp = fullMask & ~mask;
    const here = table.ms[mask]!;
    let others = 0;
    for (let x = comp; x > 0; x = (x - 1) & comp) {
      const u = mask | x;
      if ((table.server[u]! & x) === x && table.ms[u]! < here - 1e-9) out.push(x);
      else if (pipelined) others++;
    }
    const key = (x: number): number => (here - table.ms[mask | x]!) / (effBytes[mask | x]! - effBytes[mask]! + overheadBytes);
    const ranked = out.map((x) => ({ x, k: key(x), chain: chainOrder(x) })).sort((a, b) => b.k - a.k || a.chain - b.chain);
    // the filtered children first (best gain per byte first), then, for windows > 1, the others in enumeration order
    list = new Int32Array(ranked.length + others);
    for (let i = 0; i < ranked.length; i++) list[i] = ranked[i]!.x;
    if (pipelined) {
      let i = ranked.length;
      for (let x = comp; x > 0; x = (x - 1) & comp) {
        const u = mask | x;
        if (!((table.server[u]! & x) === x && table.ms[u]! < here - 1e-9)) list[i++] = x;
      }
    }
    childCache.set(mask, list);
    return list;
  };
  const increments: number[] = [];
  const masks: number[] = [];
  /** The superset front of `mask` when it has at most 2^16 supersets (cached per mask); else the parent's front. */
  /** Gap budget beyond `u`: every group left in its own partition (two latencies and the ACK each) and its loading time. */
  const gapLeft = (u: number): number => {
    let gap = u === 0 ? freeLoad0 : 0;
    for (let x = fullMask & ~u; x > 0; x &= x - 1) gap += c.loadMs[param[31 - Math.clz32(x & -x)]!]! + gapPerPartition;
    return gap;
  };
  /**
   * The charged bound (sequential uploads; see the module comment): an upper bound on the queries completed by T of every
   * continuation of the node with set `u`, from its first tail query (raised at `r1`, `before` queries counted already) on.
   * Queries before the continuation's last ACK (N) are charged their feature transfer in a second time coordinate w; then at
   * most one free straddler; then F queries on one set, available by the first of them. Returns early once above `limit`.
   * One loop over the charged queries with no closures (the search's hottest code): each front search steps a cursor
   * ({@link countAtMost}; the times only grow with the number of charged queries), the completions are {@link frontDone},
   * the F phase {@link phaseCountAbove}.
   */
  let scratchAvail = new Float64Array(64);
  let scratchQ = new Float64Array(64);
  let scratchMax = new Float64Array(65);
  const chargedCount = (front: Fronts, origin: number, u: number, fromMs: number, r1: number, before: number, limit: number): number => {
    const fq = front.plain;
    const ft = front.charged;
    const up = c.up;
    const baseBytes = effBytes[u]! - effBytes[origin]!;
    const waitFrom = fromMs - baseBytes / up;
    const curQ = table.ms[u]!;
    const curQT = chargedMs(u);
    const G = gapLeft(u);
    const T = windowMs;
    const thinkMs = think;
    if (scratchAvail.length < fq.bytes.length + 1) {
      scratchAvail = new Float64Array(fq.bytes.length + 1);
      scratchQ = new Float64Array(fq.bytes.length + 1);
      scratchMax = new Float64Array(fq.bytes.length + 2);
    }
    const avail = scratchAvail;
    const availQ = scratchQ;
    const laterMax = scratchMax;
    // F phase candidates: the current set (index 0) and the front's points by availability; `laterMax[i]`: the most F
    // queries completed by T when the first F query runs on a point ≥ i as soon as it is available
    const { bytes, q } = fq;
    let points = 1;
    avail[0] = fromMs;
    availQ[0] = curQ;
    for (let j = 0; j < bytes.length; j++) {
      const at = fromMs + Math.max(0, bytes[j]! - baseBytes) / up;
      if (at > T) break;
      avail[points] = at;
      availQ[points] = Math.min(curQ, q[j]!);
      points++;
    }
    laterMax[points] = 0;
    for (let i = points - 1; i >= 0; i--) laterMax[i] = Math.max(laterMax[i + 1]!, periodCount(avail[i]! + availQ[i]!, availQ[i]!, T, thinkMs));
    // the cursors: the last candidate available by the F phase's start (at once / after a straddler; at least the current
    // set), and the plain front's points within the budget at e and at w, the charged front's at w
    let byNow = 1;
    let byLater = 1;
    let atE = 0;
    let atW = 0;
    let atN = 0;
    let e = r1 - thinkMs;
    let w = r1 - thinkMs;
    let best = before;
    for (let k = 0; ; k++) {
      const noWait = k === 0;
      const xe = e + thinkMs;
      const xw = w + thinkMs;
      // switch after k charged queries: F at once, or one straddler (free, any set available) first
      const A = Math.max(xe, xw - G);
      byNow = countAtMost(avail, noWait ? xe : A, byNow, 1, points);
      const a = before + k + phaseCountAbove(availQ, laterMax, byNow - 1, A, best - before - k, T, thinkMs, noWait);
      if (a > best && (best = a) > limit) return best;
      atE = countAtMost(fq.bytes, baseBytes + Math.max(0, xe - fromMs) * up, atE, 0, fq.bytes.length);
      const eL = frontDone(fq, atE, waitFrom, curQ, xe, noWait);
      const budgetW = baseBytes + Math.max(0, xw - fromMs) * up;
      atW = countAtMost(fq.bytes, budgetW, atW, 0, fq.bytes.length);
      const wL = frontDone(fq, atW, waitFrom, curQ, xw, noWait);
      if (Math.max(eL, wL - G) <= T + 1e-9) {
        const AL = Math.max(eL + thinkMs, wL + thinkMs - G);
        byLater = countAtMost(avail, AL, byLater, 1, points);
        const b = before + k + 1 + phaseCountAbove(availQ, laterMax, byLater - 1, AL, best - before - k - 1, T, thinkMs, false);
        if (b > best && (best = b) > limit) return best;
      } else break;
      // one more charged query: its transfer at the full rate added in w
      atN = countAtMost(ft.bytes, budgetW, atN, 0, ft.bytes.length);
      const wN = frontDone(ft, atN, waitFrom, curQT, xw, noWait);
      if (Math.max(eL, wN - G) > T + 1e-9) break;
      e = eL;
      w = wN;
    }
    return best;
  };
  /** The earliest ACK of child `x` of the node with set `mask` whose last ACK is `fromMs` (sequential uploads: frame, load, gap). */
  const childAckFrom = (mask: number, x: number, fromMs: number): number => fromMs + (c.frameBytes + (effBytes[mask | x]! - effBytes[mask]!)) / c.up + gapPerPartition;
  /**
   * The family bound on a node's children (sequential uploads; see the module comment): an upper bound on the count by T
   * of every continuation whose next partition is ACKed no sooner than `A`, as the floored score of the relaxed run (NaN:
   * too many queries, no bound). `front` lists supersets of `origin`; `fromMs` is the node's last ACK, `fork` where its
   * own replay reached it (raise NaN, or a completion after T already: no bound, NaN). `O(queries)`.
   */
  const familyCount = (mask: number, front: Fronts, origin: number, fromMs: number, fork: ForkState, A: number): number => {
    if (!sequential || Number.isNaN(fork.raise) || !Number.isNaN(fork.next)) return Number.NaN;
    const fq = front.plain;
    const up = c.up;
    const base = effBytes[mask]! - effBytes[origin]!;
    const waitFrom = fromMs - base / up;
    const q0 = table.ms[mask]!;
    const path = pathOf(mask);
    const latency = path.ms + (path.runs > 0 ? 2 * c.latencyMs * path.runs : 0);
    // c(A): the front's monotone completion (c is non-decreasing, so min over s ≥ A of c(s) is c(A))
    const cA = frontDone(fq, countAtMost(fq.bytes, base + Math.max(0, A - fromMs) * up, 0, 0, fq.bytes.length), waitFrom, q0, A, false);
    let r = fork.raise;
    let count = fork.count;
    let last = fork.last;
    let next = Number.NaN;
    let at = 0;
    for (let guard = 0; r <= windowMs; guard++) {
      if (guard > 1_000_000) return Number.NaN;
      let done: number;
      if (r < A) done = Math.min(r + latency, cA);
      else {
        at = countAtMost(fq.bytes, base + Math.max(0, r - fromMs) * up, at, 0, fq.bytes.length);
        done = frontDone(fq, at, waitFrom, q0, r, false);
      }
      if (done > windowMs) {
        next = done;
        break;
      }
      count++;
      last = done;
      r = done + think;
    }
    return Math.floor(scoreOf(windowMs, count, last, next) + 1e-9);
  };
  /** Per set: its children's weight bytes beyond the set (frame and gap excluded), ascending; the order of their earliest ACKs. */
  const childBytesCache = new Map<number, Float64Array>();
  const childBytesOf = (mask: number, children: Int32Array): Float64Array => {
    let sorted = childBytesCache.get(mask);
    if (sorted !== undefined) return sorted;
    sorted = new Float64Array(children.length);
    for (let i = 0; i < children.length; i++) sorted[i] = effBytes[mask | children[i]!]! - effBytes[mask]!;
    sorted.sort();
    childBytesCache.set(mask, sorted);
    return sorted;
  };
  /**
   * The earliest ACK time among `children` from which the family bound does not beat `limit` (+∞: none such): every child
   * ACKed no sooner is pruned without its replay. The bound is non-increasing in the ACK time, so a binary search over
   * the children's ACK times (ascending) finds it in `log2(children) + 1` relaxed runs.
   */
  const childrenPrunedFrom = (mask: number, children: Int32Array, front: Fronts, origin: number, fromMs: number, fork: ForkState, limit: number): number => {
    if (children.length === 0) return Number.POSITIVE_INFINITY;
    const prunes = (A: number): boolean => {
      const count = familyCount(mask, front, origin, fromMs, fork, A);
      return !Number.isNaN(count) && count <= limit;
    };
    const sorted = childBytesOf(mask, children);
    // the same expression as childAckFrom, so the comparison against it is exact
    const ackAt = (i: number): number => fromMs + (c.frameBytes + sorted[i]!) / c.up + gapPerPartition;
    // the latest child first: when even it beats the incumbent, none is pruned
    let hi = sorted.length - 1;
    if (!prunes(ackAt(hi))) return Number.POSITIVE_INFINITY;
    let lo = -1; // invariant: index lo does not prune (or is before the first), index hi prunes
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (prunes(ackAt(mid))) hi = mid;
      else lo = mid;
    }
    return ackAt(hi);
  };
  const supersetFront = (mask: number, fallback: Fronts, fallbackOrigin: number): { front: Fronts; origin: number } => {
    const comp = fullMask & ~mask;
    let count = 0;
    for (let y = comp; y > 0; y &= y - 1) count++;
    if (count > 16) return { front: fallback, origin: fallbackOrigin };
    return { front: frontOf(mask), origin: mask };
  };
  // `front` lists supersets of `origin` by their weight bytes beyond `origin`'s
  const threshold = (): number => best.objective.queriesInWindow;
  // `front` lists supersets of `origin` by their effective bytes beyond `origin`'s; `fromMs`: when the next partition can go on the wire
  // the root's nested bound on the count: once the incumbent reaches it, the search is over (proven)
  let provenAt = Number.POSITIVE_INFINITY;
  let proven = false;
  const visit = (mask: number, front: Fronts, origin: number, fromMs: number, fork?: ForkState): void => {
    if (!complete || proven) return;
    if (origin === mask && mask !== 0) {
      // the node's own superset front (only supersets of what is uploaded remain reachable): a tighter bound than its parent's
      const model = stackModels[increments.length]!;
      const tail = frontTail(front.plain, c.up, fromMs, 0, table.ms[mask]!, sequential);
      // from where the node's own replay reached its last ACK, when known (the same score as a replay of its prefix)
      const own = fork !== undefined ? tailScore(o, fork, tail, true) : boundScore(c, model, o, tail);
      if (Math.floor(own + 1e-9) <= threshold()) return;
      if (sequential && !Number.isNaN(tail.firstRaise) && chargedCount(front, mask, mask, fromMs, tail.firstRaise, tail.countBefore, threshold()) <= threshold()) return;
    }
    // (when every child is searched at one partition in flight, only on larger networks and far from the leaves: see
    // `ALL_INNER`)
    if (mask !== 0 && m <= INNER_NESTED_GROUPS && (o.uploadWindow > 1 || (m >= allInner.minGroups && m - popcount(mask) >= allInner.minLeft))) {
      // the nested relaxation with link sharing from this node (exact replay of the prefix before `fromMs`)
      if (nestedCount(stackModels[increments.length]!, mask, fromMs, nestedBits, false, deadline, threshold()) <= threshold()) return;
    }
    const children = childrenOf(mask);
    const pruneFrom = mask !== 0 && fork !== undefined ? childrenPrunedFrom(mask, children, front, origin, fromMs, fork, threshold()) : Number.POSITIVE_INFINITY;
    // few children: score them all, then descend best bound first; many (near the root): descend in the cheap key order at once
    const eager = children.length <= EAGER_CHILDREN;
    const scored: { x: number; bound: number; fromMs: number; fork: ForkState | undefined; chain: number }[] = [];
    for (const x of children) {
      if (!complete || proven) return;
      if (performance.now() > deadline) {
        complete = false;
        return;
      }
      const u = mask | x;
      // pruned with its siblings ACKed no sooner (the family bound): no replay
      if (childAckFrom(mask, x, fromMs) >= pruneFrom) continue;
      nodes++;
      increments.push(x);
      masks.push(u);
      setStack(increments.length - 1, x, u);
      const model = stackModels[increments.length]!;
      // one replay: the child's value, when its next partition could go, and its bound (the superset front from then on)
      let tail: FrontTail | undefined;
      const result = prefixLoopAndBound(c, model, o, (from) => (tail = frontTail(front.plain, c.up, from, effBytes[u]! - effBytes[origin]!, table.ms[u]!, sequential)));
      if (better(result.value, increments.length, best.objective, best.plan.length)) {
        best = { plan: toPlan(increments), objective: prefixLoop(c, modelOf(increments, masks), o).value };
        if (best.objective.queriesInWindow >= provenAt) proven = true;
      }
      const bound = result.bound;
      // the charged bound (link sharing), where the plain one does not prune
      const charged = (): boolean =>
        !sequential || tail === undefined || Number.isNaN(tail.firstRaise) || chargedCount(front, origin, u, result.nextStartMs, tail.firstRaise, tail.countBefore, threshold()) > threshold();
      if (Math.floor(bound + 1e-9) > threshold() && charged()) {
        if (eager) scored.push({ x, bound, fromMs: result.nextStartMs, fork: result.fork, chain: chainOrder(x) });
        else {
          const next = supersetFront(u, front, origin);
          visit(u, next.front, next.origin, result.nextStartMs, result.fork);
        }
      }
      increments.pop();
      masks.pop();
    }
    scored.sort((a, b) => b.bound - a.bound || a.chain - b.chain);
    for (const { x, bound, fromMs, fork } of scored) {
      if (!complete || proven) return;
      if (Math.floor(bound + 1e-9) <= threshold()) continue;
      const u = mask | x;
      increments.push(x);
      masks.push(u);
      setStack(increments.length - 1, x, u);
      const next = supersetFront(u, front, origin);
      visit(u, next.front, next.origin, fromMs, fork);
      increments.pop();
      masks.pop();
    }
  };
  if (probe !== undefined) {
    // the bounds of one node (tests): the prefix's increments as masks, its replay, its own front and its parent's
    const bitOf = new Map(param.map((g, i) => [g, i]));
    let u = 0;
    let parent = 0;
    for (const part of probe) {
      let x = 0;
      for (const g of part) if (bitOf.has(g)) x |= 1 << bitOf.get(g)!;
      parent = u;
      u |= x;
      increments.push(x);
      masks.push(u);
      setStack(increments.length - 1, x, u);
    }
    const model = stackModels[increments.length]!;
    const fromMs = prefixLoop(c, model, o).nextStartMs;
    const own = frontOf(u);
    // the family bound at each child's earliest ACK (as the search prunes children; inner nodes of sequential uploads)
    const fork = prefixLoopAndBound(c, model, o, (from) => frontTail(own.plain, c.up, from, 0, table.ms[u]!, sequential)).fork;
    const family: { partition: number[]; count: number }[] = [];
    if (u !== 0 && fork !== undefined) {
      const comp = fullMask & ~u;
      for (let x = comp; x > 0; x = (x - 1) & comp) {
        const count = familyCount(u, own, u, fromMs, fork, childAckFrom(u, x, fromMs));
        if (!Number.isNaN(count)) family.push({ partition: toPlan([1, x])[1]!, count });
      }
    }
    const tail = frontTail(own.plain, c.up, fromMs, 0, table.ms[u]!, sequential || u === 0);
    const plain = Math.floor(boundScore(c, model, o, tail) + 1e-9);
    const chargedOf = (front: Fronts, origin: number): number => {
      const t = frontTail(front.plain, c.up, fromMs, effBytes[u]! - effBytes[origin]!, table.ms[u]!, sequential || u === 0);
      const value = Math.floor(boundScore(c, model, o, t) + 1e-9);
      if (!sequential || Number.isNaN(t.firstRaise)) return value;
      return Math.min(value, chargedCount(front, origin, u, fromMs, t.firstRaise, t.countBefore, Number.POSITIVE_INFINITY));
    };
    const parentFront = increments.length > 0 ? frontOf(parent) : own;
    return {
      best,
      complete: false,
      nodes: 0,
      rootBound,
      rootProven: false,
      facts: { table },
      probed: { plain, charged: chargedOf(own, u), chargedParent: chargedOf(parentFront, increments.length > 0 ? parent : u), nested: nestedCount(model, u, fromMs, nestedBits), family },
    };
  }
  // the root's relaxation gets at most ROOT_NESTED_SHARE of the time left (no bound when it runs out: the search goes on)
  const rootUntil = performance.now() + ROOT_NESTED_SHARE * Math.max(0, rootDeadline - performance.now());
  /** Seeds from the relaxation's chain: the groups it got free in the first partition, in the last, or left out. */
  const seedFromChain = (): void => {
    if (nestedChain === undefined || nestedChain.increments.length === 0) return;
    const { increments, given } = nestedChain;
    const variants = [[increments[0]! | given, ...increments.slice(1)], [...increments, given], increments];
    for (const variant of variants) {
      const plan = variant.filter((x) => x !== 0);
      for (let k = plan.length; k >= 1; k--) {
        const scored = scorePlan(c, toPlan(plan.slice(0, k)), o);
        if (better(scored.objective, scored.plan.length, best.objective, best.plan.length)) best = scored;
      }
    }
  };
  let rootNested = reuse?.rootNested;
  let rootCut = reuse?.rootCut ?? false;
  let rootRefined = reuse?.rootRefined ?? false;
  if (rootNested === undefined) {
    rootNested = nestedCount(rootModel, 0, rootLoop.nextStartMs, nestedBits, true, rootUntil);
    rootCut = nestedCut;
    seedFromChain();
  }
  if (refineRoot && !rootRefined && rootCut && rootNested < Number.POSITIVE_INFINITY && rootNested > best.objective.queriesInWindow && performance.now() < rootUntil) {
    // a finer lattice: kept only when it is tighter (it stops once it reaches the first count, which then stands)
    const limit = rootNested - 1;
    const finer = nestedCount(rootModel, 0, rootLoop.nextStartMs, nestedBits, false, rootUntil, limit, ROOT_NESTED_ESCALATION * nestedWork);
    if (finer < Number.POSITIVE_INFINITY) rootRefined = true;
    if (finer <= limit) rootNested = finer;
  }
  provenAt = rootNested;
  if (rootNested > best.objective.queriesInWindow) {
    const globalFront = frontOf(0);
    rootBound = boundScore(c, rootModel, o, frontTail(globalFront.plain, c.up, rootLoop.nextStartMs, 0, table.ms[0]!, true));
    if (Math.floor(rootBound + 1e-9) > best.objective.queriesInWindow) visit(0, globalFront, 0, rootLoop.nextStartMs);
  }
  // the nested relaxation bounds the count by T, so the score (count plus a fraction) by one more; it bounds every plan (not
  // only the children the search generates), so when it does not beat the count found the count is proven among all plans
  return { best, complete, nodes, rootBound: Math.min(rootBound, rootNested + 1), rootProven: rootNested <= best.objective.queriesInWindow, facts: { table, ...(rootNested < Number.POSITIVE_INFINITY ? { rootNested } : {}), rootCut, rootRefined, nestedRuns } };
}


