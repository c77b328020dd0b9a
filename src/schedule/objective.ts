/**
 * The upload-scheduling objective: how many queries a closed-loop client
 * completes while its model uploads, and how fast, for a given ordered plan
 * (partitions of groups in upload order). It replays, in one synchronous
 * pass, what the simulator charges (`src/sim/simulate.ts`, `link.ts`, the
 * runtime client and server):
 *
 * - the client thinks `thinkMs` (the simulator's pre-processing), raises a
 *   query, waits for its result, and repeats while the clock is below the
 *   horizon; a query runs on the path of the partitions ACKed when it is
 *   raised ({@link pathCost}), plus two link latencies per server run;
 * - partition i is sent after the ACK of partition i − 1 (or, with an
 *   upload window of N, as soon as partition i − 1 is on the wire and at
 *   most N are unacknowledged): frame bytes (weights, header) at the uplink
 *   rate, one latency, the server's loading time (loads are serialized),
 *   the ACK frame on the downlink, one latency;
 * - the link is shared fairly (processor sharing, `link.ts` `"fair"`): a
 *   feature transfer gets half the rate while an upload frame is on the
 *   wire (each frame it overlaps, in turn) and the full rate between
 *   frames, and delays the frames by what it takes from them (the link is
 *   work-conserving).
 *
 * Not modelled (each well under 1 % on the zoo networks, see
 * `objective.test.ts`): a query that is already running does not pick up an
 * ACK that arrives meanwhile (the runtime re-decides per run); a server run
 * does not wait for a load in progress; result and ACK frames do not share
 * the downlink.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { pathCost, resolveCosts, type PathCost, type ResolvedCosts, type ScheduleCosts } from "./model.js";

/** A plan as the objective reads it: partitions in upload order, each a list of group indices. */
export type GroupPlan = readonly (readonly number[])[];

/** Options of {@link uploadObjective}. */
export interface ObjectiveOptions {
  /** Think time between a result and the next query (the simulator's pre-processing), ms (default 500). */
  readonly thinkMs?: number;
  /** Queries are raised while the clock is below this, ms (default 40 000). */
  readonly horizonMs?: number;
  /** The window T of the comparison metric, ms (default: the all-at-once upload completion of the same scenario, {@link allAtOnceCompletionMs}). */
  readonly windowMs?: number;
  /** Which uploaded groups a query runs on the server: `"best"` (shortest path over the uploaded groups; default) or `"all"` (every uploaded group). */
  readonly placement?: "best" | "all";
  /** Partitions in flight at once (pipelined upload; default 1 = send after each ACK). */
  readonly uploadWindow?: number;
  /** Also return every query's raise time and latency (default `false`). */
  readonly timeline?: boolean;
}

/** The objective's value for one plan. */
export interface ObjectiveValue {
  /** Queries completed by the upload completion (all queries raised in the horizon when nothing is uploaded), as the simulator's `queriesDuringUpload`. */
  readonly queriesDuringUpload: number;
  /** Queries raised within the horizon. */
  readonly queriesInHorizon: number;
  /** Mean latency of the queries raised within the horizon, ms. */
  readonly meanLatencyMs: number;
  /** When the last partition is ACKed, ms (null when the plan uploads nothing). */
  readonly uploadCompleteMs: number | null;
  /** The comparison window T, ms. */
  readonly windowMs: number;
  /** Queries completed by T (the comparison metric). */
  readonly queriesInWindow: number;
  /** `queriesInWindow` plus the fraction of the next query's cycle done by T: what the optimizer maximizes (ties of the integer count broken by progress). */
  readonly score: number;
  /** Completion time of the first query that ran layers on the server, ms (null when none did within the horizon). */
  readonly firstOffloadedQueryMs: number | null;
  /** ACK time of each partition, ms. */
  readonly ackMs: readonly number[];
  /** Expected query time (full link rate) after each partition, ms. */
  readonly expectedQueryMs: readonly number[];
  /** Each query raised within the horizon: raise time and latency, ms (with `timeline: true`). */
  readonly queries?: readonly {
    /** Raise time, ms. */
    readonly raisedAtMs: number;
    /** Raise to result, ms. */
    readonly latencyMs: number;
  }[];
}

/** Objective options with defaults resolved. */
export interface ResolvedObjectiveOptions {
  readonly thinkMs: number;
  readonly horizonMs: number;
  readonly windowMs: number;
  readonly placement: "best" | "all";
  readonly uploadWindow: number;
  readonly timeline: boolean;
}

/** The all-at-once baseline's upload completion (one frame with every group, queries local meanwhile), ms. `O(1)` once costs are resolved. */
export function allAtOnceCompletionMs(costs: ScheduleCosts | ResolvedCosts): number {
  const c = "n" in costs ? costs : resolveCosts(costs);
  return c.setupMs + (c.allAtOnceBytes + c.allAtOnceHeaderBytes + c.frameBytes) / c.up + c.latencyMs + c.allAtOnceLoadMs + c.ackBytes / c.down + c.latencyMs;
}

/**
 * Validate and default the objective options.
 * @throws {InvalidArgumentError} naming the option: horizon ≤ 0, think time < 0, window ≤ 0, upload window not a positive integer, unknown placement.
 */
export function resolveObjectiveOptions(costs: ResolvedCosts, options: ObjectiveOptions = {}): ResolvedObjectiveOptions {
  const thinkMs = options.thinkMs ?? 500;
  if (typeof thinkMs !== "number" || !Number.isFinite(thinkMs) || thinkMs < 0) {
    throw new InvalidArgumentError(`uploadObjective: thinkMs (think time between queries) must be a finite number ≥ 0 ms, got ${String(thinkMs)}`);
  }
  const horizonMs = options.horizonMs ?? 40_000;
  if (typeof horizonMs !== "number" || !Number.isFinite(horizonMs) || horizonMs <= 0) {
    throw new InvalidArgumentError(`uploadObjective: horizonMs (horizon) must be a finite number > 0 ms, got ${String(horizonMs)}`);
  }
  const windowMs = options.windowMs ?? allAtOnceCompletionMs(costs);
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw new InvalidArgumentError(`uploadObjective: windowMs (comparison window T) must be a finite number > 0 ms, got ${String(windowMs)}`);
  }
  const placement = options.placement ?? "best";
  if (placement !== "best" && placement !== "all") throw new InvalidArgumentError(`uploadObjective: placement must be "best" or "all", got ${String(placement)}`);
  const uploadWindow = options.uploadWindow ?? 1;
  if (!Number.isInteger(uploadWindow) || uploadWindow < 1) throw new InvalidArgumentError(`uploadObjective: uploadWindow must be an integer ≥ 1, got ${String(uploadWindow)}`);
  return { thinkMs, horizonMs, windowMs, placement, uploadWindow, timeline: options.timeline === true };
}

/** What the event loop needs per plan prefix: a path per number of ACKed partitions, and each partition's frame bytes and load time. */
export interface PrefixModel {
  /** `paths[i]`: the query path once partitions 0..i−1 are ACKed (`paths[0]`: nothing uploaded). */
  readonly paths: readonly PathCost[];
  /** Uplink bytes of each partition's frame. */
  readonly frameBytes: Float64Array;
  /** Server loading time of each partition, ms. */
  readonly loadMs: Float64Array;
}

/** Build the {@link PrefixModel} of a plan. `O(partitions · n)`. */
export function prefixModel(costs: ResolvedCosts, plan: GroupPlan, placement: "best" | "all"): PrefixModel {
  const n = costs.n;
  const uploaded = new Uint8Array(n);
  const paths: PathCost[] = [pathCost(costs, uploaded, placement)];
  const frameBytes = new Float64Array(plan.length);
  const loadMs = new Float64Array(plan.length);
  plan.forEach((partition, i) => {
    let bytes = costs.frameBytes;
    let load = 0;
    for (const g of partition) {
      if (!Number.isInteger(g) || g < 0 || g >= n) throw new InvalidArgumentError(`uploadObjective: partition ${i} names group ${String(g)}, not a group of this graph (0..${n - 1})`);
      if (uploaded[g]) throw new InvalidArgumentError(`uploadObjective: group ${g} is in two partitions`);
      uploaded[g] = 1;
      bytes += costs.paramBytes[g]! + costs.headerBytes[g]!;
      load += costs.loadMs[g]!;
    }
    frameBytes[i] = bytes;
    loadMs[i] = load;
    paths.push(pathCost(costs, uploaded, placement));
  });
  return { paths, frameBytes, loadMs };
}

/** Raw results of the event loop (see {@link runObjective}). */
interface LoopResult {
  readonly value: ObjectiveValue;
  /** When a partition after the last could go on the wire. */
  readonly nextStartMs: number;
}

/**
 * The event loop of the objective on a prefix model. `O(queries + partitions)`.
 * @internal
 */
export function runObjective(costs: ResolvedCosts, model: PrefixModel, options: ResolvedObjectiveOptions): ObjectiveValue {
  return loop(costs, model, options).value;
}

/**
 * An optimistic continuation for bounds: queries raised at or after
 * `fromMs` complete at `completion(raise)` (a non-decreasing function, at
 * most the true completion of any continuation of the plan).
 * @internal
 */
export interface Tail {
  readonly fromMs: number;
  readonly completion: (raiseMs: number) => number;
  /** Called once, before the first `completion`: the first raise at or after `fromMs` and the queries completed by T before it. */
  readonly begin?: (raiseMs: number, countBefore: number) => void;
  /**
   * Optional, for speed: {@link tailScore}'s loop over the tail's queries in one call, with the same result. From the first
   * tail raise `raiseMs` (after `begin`) with `count` queries completed by T before it, the last at `lastMs`: each query
   * completes at `completion(raise)` (`asReplay`: raise + (completion − raise)), the next is raised one think later, until
   * the first completion after T or a raise at `stopMs`; returns the score ({@link scoreOf}).
   */
  readonly scoreFrom?: (raiseMs: number, count: number, lastMs: number, stopMs: number, windowMs: number, thinkMs: number, asReplay: boolean) => number;
}

/** The event loop with an optimistic tail: an upper bound on the score of every plan that starts with this prefix. @internal */
export function boundScore(costs: ResolvedCosts, model: PrefixModel, options: ResolvedObjectiveOptions, tail: Tail): number {
  return loop(costs, model, options, tail, true).value.score;
}

/**
 * Where a plain replay of a sequential upload reached its last ACK: what a bound's replay ({@link boundScore}) with a tail
 * from the last ACK on has counted by then, so that any such tail can be scored from here ({@link tailScore}) without
 * replaying the prefix again (the two replays agree until the tail's first query).
 * @internal
 */
export interface ForkState {
  /** The first raise at or after the last ACK (NaN: none before the run ends; then no tail query). */
  readonly raise: number;
  /** Queries completed by T before it. */
  readonly count: number;
  /** The last completion by T before it (0: none). */
  readonly last: number;
  /** The first completion after T before it (NaN: none yet; otherwise a bound's replay ended there, before its tail). */
  readonly next: number;
}

/** `count` plus the fraction of the next query's cycle done by T (the score's form, see {@link ObjectiveValue}). @internal */
export function scoreOf(windowMs: number, count: number, last: number, next: number): number {
  let part = 0;
  if (!Number.isNaN(next) && next > last) part = Math.min(1, Math.max(0, (windowMs - last) / (next - last)));
  return count + part;
}

/**
 * The score of a bound's replay with the tail `tail` (its `fromMs`: the last ACK) resumed at a {@link ForkState}: the same
 * value as {@link boundScore} on the plan prefix (`asReplay`: its latency arithmetic, completion − raise added to the
 * raise) or as {@link prefixLoopAndBound}'s fork (the tail's completions as they are). `O(tail queries)`.
 * @internal
 */
export function tailScore(options: ResolvedObjectiveOptions, state: ForkState, tail: Tail, asReplay: boolean): number {
  const { thinkMs, horizonMs, windowMs } = options;
  const stopMs = Math.max(horizonMs, windowMs);
  let { count, last, next } = state;
  // a bound's replay stops at the first completion after T: when that came before the tail, the tail never begins
  if (!Number.isNaN(state.raise) && (Number.isNaN(next) || !asReplay)) {
    tail.begin?.(state.raise, count);
    // (the fork's bound begins its tail even after a completion after T, and then counts no tail query)
    if (tail.scoreFrom !== undefined && Number.isNaN(next)) return tail.scoreFrom(state.raise, count, last, stopMs, windowMs, thinkMs, asReplay);
    for (let r = state.raise, guard = 0; Number.isNaN(next) && r < stopMs; guard++) {
      if (guard > 50_000_000) throw new InvalidArgumentError("uploadObjective: too many queries (think time and latencies near 0?)");
      const done = asReplay ? r + (tail.completion(r) - r) : tail.completion(r);
      if (done <= windowMs) {
        count++;
        last = done;
      } else next = done;
      r = done + thinkMs;
    }
  }
  return scoreOf(windowMs, count, last, next);
}

/**
 * One replay for both: the plain event loop's value (`lite`) and when the next partition could go on the wire, and the
 * bound's score with the tail `tailFrom(fromMs)` from then on ({@link boundScore}), for sequential uploads (the two replays
 * agree until the last ACK, after which the plain one is periodic). Falls back to two replays otherwise. `fork`: where the
 * plain replay reached the last ACK ({@link tailScore} scores any other tail from there; undefined after two replays).
 * @internal
 */
export function prefixLoopAndBound(
  costs: ResolvedCosts,
  model: PrefixModel,
  options: ResolvedObjectiveOptions,
  tailFrom: (fromMs: number) => Tail,
): { value: ObjectiveValue; nextStartMs: number; bound: number; fork: ForkState | undefined } {
  if (options.uploadWindow > 1 || model.frameBytes.length === 0 || options.timeline) {
    const plain = loop(costs, model, options, undefined, true);
    return { ...plain, bound: loop(costs, model, options, tailFrom(plain.nextStartMs), true).value.score, fork: undefined };
  }
  const fork: Fork = { reached: false, state: undefined };
  const plain = loop(costs, model, options, undefined, true, fork);
  // no periodic tail after the last ACK: the bound's own replay
  if (fork.state === undefined) return { ...plain, bound: loop(costs, model, options, tailFrom(plain.nextStartMs), true).value.score, fork: undefined };
  return { ...plain, bound: tailScore(options, fork.state, tailFrom(plain.nextStartMs), false), fork: fork.state };
}

/** What a plain replay reports to {@link prefixLoopAndBound}: whether it reached the last ACK, and its {@link ForkState} (undefined: it reached it with no periodic tail). */
interface Fork {
  reached: boolean;
  state: ForkState | undefined;
}

/** The plain event loop and when a partition after the prefix could go on the wire (ms). @internal */
export function prefixLoop(costs: ResolvedCosts, model: PrefixModel, options: ResolvedObjectiveOptions, lite = false): { value: ObjectiveValue; nextStartMs: number } {
  return loop(costs, model, options, undefined, lite);
}

/**
 * The upload frames of one event-loop run: `advance(t)` finalizes every frame off the wire by t (its load, after the
 * previous one's, and its ACK) and schedules the next frame. A class, not closures, so a run allocates no functions.
 */
class Frames {
  frontier = 0;
  private loadEnd = 0;
  private readonly k: number;
  constructor(
    private readonly model: PrefixModel,
    private readonly txStart: Float64Array,
    private readonly txEnd: Float64Array,
    private readonly ack: Float64Array,
    private readonly up: number,
    private readonly lat: number,
    private readonly ackDown: number,
    private readonly uploadWindow: number,
  ) {
    this.k = model.frameBytes.length;
  }

  advance(t: number): void {
    const { txStart, txEnd, ack, k, uploadWindow } = this;
    // a later window slot may be gated by an ACK that is itself final already
    while (this.frontier < k && txEnd[this.frontier]! <= t) {
      const i = this.frontier;
      const loadStart = Math.max(txEnd[i]! + this.lat, this.loadEnd);
      this.loadEnd = loadStart + this.model.loadMs[i]!;
      ack[i] = this.loadEnd + this.ackDown + this.lat;
      this.frontier++;
      if (this.frontier < k) {
        const j = this.frontier;
        // the next frame goes on the wire when this one is off it and fewer than `uploadWindow` are unACKed
        const start = uploadWindow <= 1 ? ack[i]! : Math.max(txEnd[i]!, j - uploadWindow >= 0 ? ack[j - uploadWindow]! : 0);
        txStart[j] = start;
        txEnd[j] = start + this.model.frameBytes[j]! / this.up;
      }
    }
  }
}

/**
 * The frame arrays of lite event-loop runs (the search's replays, one per node: no allocation each). `busy` while a run
 * uses them, so that a run started meanwhile (from a tail's callback) allocates its own; a run that throws leaves them
 * busy (later runs allocate).
 */
const liteScratch = { txStart: new Float64Array(16), txEnd: new Float64Array(16), ack: new Float64Array(16), busy: false };

/** `lite`: score, window count and mean latency only (no per-partition arrays, no count during the upload). */
function loop(
  costs: ResolvedCosts,
  model: PrefixModel,
  options: ResolvedObjectiveOptions,
  tail?: Tail,
  lite = false,
  fork?: Fork,
): LoopResult {
  const { thinkMs, horizonMs, windowMs, uploadWindow } = options;
  const k = model.frameBytes.length;
  const up = costs.up;
  const lat = costs.latencyMs;
  const ackDown = costs.ackBytes / costs.down;
  // a lite run (the search's) reuses the frame arrays of the previous ones; entries are read only once written
  const reuse = lite && !liteScratch.busy;
  if (reuse) {
    if (liteScratch.ack.length < k) {
      const size = Math.max(k, 2 * liteScratch.ack.length);
      liteScratch.txStart = new Float64Array(size);
      liteScratch.txEnd = new Float64Array(size);
      liteScratch.ack = new Float64Array(size);
    }
    liteScratch.busy = true;
  }
  const txStart = reuse ? liteScratch.txStart : new Float64Array(k);
  const txEnd = reuse ? liteScratch.txEnd : new Float64Array(k);
  const ack = reuse ? liteScratch.ack : new Float64Array(k);
  // partitions < frontier have a final txEnd and ACK (`frames.advance(t)` finalizes those whose frame is off the wire by t)
  const frames = new Frames(model, txStart, txEnd, ack, up, lat, ackDown, uploadWindow);
  if (k > 0) {
    txStart[0] = costs.setupMs;
    txEnd[0] = costs.setupMs + model.frameBytes[0]! / up;
  }
  const stopMs = Math.max(horizonMs, windowMs);
  let t = thinkMs;
  let acked = 0;
  let inHorizon = 0;
  let latencySum = 0;
  let inWindow = 0;
  let lastCompletionInWindow = 0;
  let nextCompletionAfterWindow = Number.NaN;
  let firstOffloaded: number | null = null;
  const completions: number[] = [];
  let tailBegun = false;
  const timeline: { raisedAtMs: number; latencyMs: number }[] = [];
  for (let guard = 0; t < stopMs; guard++) {
    if (guard > 50_000_000) throw new InvalidArgumentError("uploadObjective: too many queries (think time and latencies near 0?)");
    const raise = t;
    frames.advance(raise);
    while (acked < frames.frontier && ack[acked]! <= raise) acked++;
    const path = model.paths[acked]!;
    if (lite && tail === undefined && acked >= k && frames.frontier >= k && !options.timeline) {
      // Every partition is ACKed and no frame is left: each query from now on has the same latency (no link sharing), so
      // the rest of the run is periodic and counted in closed form (the search's replays; full replays keep the loop).
      const latency = path.ms + (path.runs > 0 ? 2 * lat * path.runs : 0);
      const period = latency + thinkMs;
      if (fork !== undefined && !fork.reached) {
        fork.reached = true;
        // the bound's replay from here on (raise ≥ the last ACK = when the next partition could go) is the tail's
        if (k > 0 && uploadWindow <= 1 && period > 1e-9) fork.state = { raise, count: inWindow, last: lastCompletionInWindow, next: nextCompletionAfterWindow };
      }
      if (period > 1e-9) {
        const raised = Math.max(0, Math.ceil((stopMs - raise) / period));
        const horizon = Math.min(raised, Math.max(0, Math.ceil((horizonMs - raise) / period)));
        inHorizon += horizon;
        latencySum += horizon * latency;
        if (firstOffloaded === null && path.runs > 0 && horizon > 0) firstOffloaded = raise + latency;
        const within = Math.min(raised, windowMs - raise - latency >= 0 ? Math.floor((windowMs - raise - latency) / period) + 1 : 0);
        if (within > 0) {
          inWindow += within;
          lastCompletionInWindow = raise + (within - 1) * period + latency;
        }
        if (within < raised && Number.isNaN(nextCompletionAfterWindow)) nextCompletionAfterWindow = raise + within * period + latency;
        break;
      }
    }
    let latency = path.ms;
    if (tail !== undefined && raise >= tail.fromMs) {
      if (!tailBegun) {
        tailBegun = true;
        tail.begin?.(raise, inWindow);
      }
      latency = tail.completion(raise) - raise;
    } else if (path.runs > 0) {
      latency += 2 * lat * path.runs;
      // The feature transfer shares the uplink fairly with every upload frame on the wire while it lasts.
      let t = raise + path.prefixMs;
      let left = path.upBytes;
      for (let step = 0; left > 1e-9 && step < 4 * k + 4; step++) {
        frames.advance(t);
        const frontier = frames.frontier;
        if (frontier < k && txStart[frontier]! <= t && t < txEnd[frontier]!) {
          const remaining = (txEnd[frontier]! - t) * up;
          if (left <= remaining) {
            txEnd[frontier] = txEnd[frontier]! + left / up;
            t += (2 * left) / up;
            left = 0;
          } else {
            txEnd[frontier] = t + (2 * remaining) / up;
            t = txEnd[frontier]!;
            left -= remaining;
          }
        } else {
          const nextStart = frontier < k ? txStart[frontier]! : Number.POSITIVE_INFINITY;
          const alone = Math.min(left / up, Math.max(0, nextStart - t));
          t += alone;
          left -= alone * up;
          if (alone === 0 && !(nextStart > t)) t = nextStart; // the next frame starts now
        }
      }
      latency += t - (raise + path.prefixMs) - path.upBytes / up;
    }
    const done = raise + latency;
    if (raise < horizonMs) {
      inHorizon++;
      latencySum += latency;
      if (!lite) completions.push(done);
      if (options.timeline) timeline.push({ raisedAtMs: raise, latencyMs: latency });
      if (firstOffloaded === null && path.runs > 0) firstOffloaded = done;
    }
    if (done <= windowMs) {
      inWindow++;
      lastCompletionInWindow = done;
    } else if (Number.isNaN(nextCompletionAfterWindow)) {
      nextCompletionAfterWindow = done;
      // a bound's replay only needs the score (the count by T and the next completion)
      if (tail !== undefined && lite) break;
    }
    t = done + thinkMs;
  }
  frames.advance(Number.POSITIVE_INFINITY);
  // no raise at or after the last ACK: a bound's replay is this one (it never reaches its tail)
  if (fork !== undefined && !fork.reached && k > 0 && uploadWindow <= 1) fork.state = { raise: Number.NaN, count: inWindow, last: lastCompletionInWindow, next: nextCompletionAfterWindow };
  const uploadCompleteMs = k > 0 ? ack[k - 1]! : null;
  const uploadEnd = uploadCompleteMs ?? Number.POSITIVE_INFINITY;
  let duringUpload = 0;
  for (const c of completions) if (c <= uploadEnd) duringUpload++;
  let fraction = 0;
  if (!Number.isNaN(nextCompletionAfterWindow) && nextCompletionAfterWindow > lastCompletionInWindow) {
    fraction = Math.min(1, Math.max(0, (windowMs - lastCompletionInWindow) / (nextCompletionAfterWindow - lastCompletionInWindow)));
  }
  let nextStartMs = costs.setupMs;
  if (k > 0) nextStartMs = uploadWindow <= 1 ? ack[k - 1]! : Math.max(txEnd[k - 1]!, k - uploadWindow >= 0 ? ack[k - uploadWindow]! : 0);
  if (reuse) liteScratch.busy = false;
  return {
    nextStartMs,
    value: {
      queriesDuringUpload: duringUpload,
      queriesInHorizon: inHorizon,
      meanLatencyMs: inHorizon > 0 ? latencySum / inHorizon : 0,
      uploadCompleteMs,
      windowMs,
      queriesInWindow: inWindow,
      score: inWindow + fraction,
      firstOffloadedQueryMs: firstOffloaded,
      ackMs: lite ? [] : Array.from(ack),
      expectedQueryMs: lite ? [] : model.paths.slice(1).map((p) => p.ms),
      ...(options.timeline ? { queries: timeline } : {}),
    },
  };
}

/**
 * The objective of an ordered plan: queries completed during the upload,
 * within the horizon and by the window T (default: the all-at-once upload
 * completion of the same scenario), mean latency and upload completion, with
 * every per-partition cost the runtime pays (see the module comment).
 * `O(partitions · n + queries)`.
 *
 * @throws {InvalidArgumentError} on bad options (horizon ≤ 0, think time < 0, …) or a plan naming a group twice or a group the graph lacks.
 * @example
 * ```ts
 * const { graph } = planNetwork(network, { clientMs, serverMs });
 * const value = uploadObjective({ graph, latencyMs: 1 }, [[3], [0, 1, 2]], { thinkMs: 500 });
 * value.queriesInWindow; // queries completed by the all-at-once upload time
 * ```
 */
export function uploadObjective(costs: ScheduleCosts, plan: GroupPlan, options: ObjectiveOptions = {}): ObjectiveValue {
  const resolved = resolveCosts(costs);
  const resolvedOptions = resolveObjectiveOptions(resolved, options);
  return runObjective(resolved, prefixModel(resolved, plan, resolvedOptions.placement), resolvedOptions);
}
