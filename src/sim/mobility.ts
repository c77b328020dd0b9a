/**
 * Mobility (issue 11): a client walking past several edge servers, each with
 * its own link, staying `dwellMs` at each. At every arrival the client hands
 * off to the next server and runs the runtime's upload loop there (plan
 * order; with a store, it offers each partition's digests and uploads only
 * what the server cannot fetch). Three policies:
 *
 * - `none`: no shared store, every server starts empty (re-upload at each);
 * - `shared`: servers share a content-addressed store: what the client
 *   uploaded anywhere is fetched by the new server over the backhaul;
 * - `proactive`: as `shared`, and while the client is at server i the
 *   system predicts the next server and pushes the client's partitions to
 *   it ahead of the arrival (PerDNN, ICDCS '20); the prediction is right
 *   with probability `predictionAccuracy` (seeded), a wrong one pushes to a
 *   server the client never visits (wasted backhaul bytes).
 *
 * Queries are the paper's closed loop (pre-process `preprocessingMs`, raise,
 * wait, repeat); a query raised while the current server holds partitions
 * 0..k takes the planner's expected query time after partition k (the
 * local time before the first), so this model uses the plan's cost model,
 * not the event-level link simulation of `simulate` (upload and query
 * traffic do not contend). Reported: queries served over the walk, per
 * server the cold start (arrival until the first partition is usable, and
 * whether the server held nothing at arrival), bytes over the air (client
 * uploads) and between servers (store writes, fetches, pushes).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { mulberry32 } from "../executor/random-weights.js";
import type { Network } from "../model/types.js";
import { planNetwork } from "../plan/plan-network.js";
import type { UploadPlan } from "../plan/upload-plan.js";
import { simulationCosts, type CostSource } from "./simulate.js";

/** The mobility policies. */
export const MOBILITY_POLICIES = ["none", "shared", "proactive"] as const;
/** A mobility policy name (see the module comment). */
export type MobilityPolicy = (typeof MOBILITY_POLICIES)[number];

/** One stop of the walk. */
export interface WalkStop {
  /** Time at this server, ms. */
  readonly dwellMs: number;
  /** Uplink bandwidth at this server, Mbps (default: the scenario's `mbps`). */
  readonly mbps?: number;
}

/** A mobility scenario. */
export interface MobilityScenario {
  /** The network. */
  readonly network: Network;
  /** The stops in visiting order. */
  readonly walk: readonly WalkStop[];
  /** Policy (default `"shared"`). */
  readonly policy?: MobilityPolicy;
  /** Default uplink bandwidth, Mbps (default 80). */
  readonly mbps?: number;
  /** Backhaul bandwidth between servers and the store, Mbps (default 1000). */
  readonly backhaulMbps?: number;
  /** Round trip of one offer/have or handoff exchange, ms (default 2). */
  readonly rttMs?: number;
  /** Client pre-processing before each query, ms (default 500). */
  readonly preprocessingMs?: number;
  /** Algorithm 1's K (default 0.5). */
  readonly K?: number;
  /** Plan with a last round at upload factor 0 (default true, as `planNetwork`). */
  readonly finalRound?: boolean;
  /** Probability that the proactive push goes to the right next server (default 1). */
  readonly predictionAccuracy?: number;
  /** Seed of the prediction draws (default 1). */
  readonly seed?: number;
  /** Layer-time source (default the device models). */
  readonly costs?: CostSource;
}

/** What happened at one server of the walk. */
export interface MobilityServer {
  /** Position of the server along the walk (0 = first). */
  readonly index: number;
  /** When the client arrived, ms from the start of the walk. */
  readonly arrivalMs: number;
  /** How long the client stayed, ms. */
  readonly dwellMs: number;
  /** Uplink bandwidth at this server, Mbps. */
  readonly mbps: number;
  /** The server held no partition of the client's model at arrival. */
  readonly coldStart: boolean;
  /** Arrival until the first partition was usable (0 if warm at arrival; null if never within the dwell). */
  readonly coldStartMs: number | null;
  /** Partitions usable at the end of the dwell. */
  readonly partitionsHeld: number;
  /** Queries raised while at this server. */
  readonly queries: number;
  /** Of those, queries that ran at least one partition on the server. */
  readonly offloadedQueries: number;
  /** Weight bytes the client uploaded to this server. */
  readonly bytesOverAir: number;
  /** Bytes fetched from the store or pushed to this server. */
  readonly bytesIn: number;
  /** Whether the proactive push toward this server was predicted right (null for other policies and the first server). */
  readonly predictedRight: boolean | null;
}

/** One simulated query of the walk. */
export interface MobilityQuery {
  /** Raise time, ms from the start of the walk. */
  readonly raisedAtMs: number;
  /** Latency, ms (the plan's expected query time for the partitions held; local time with none). */
  readonly latencyMs: number;
  /** Index of the server the client was at. */
  readonly server: number;
  /** Partitions (a plan prefix) the server held when the query was raised. */
  readonly partitions: number;
}

/** The result of {@link simulateMobility}. */
export interface MobilityResult {
  /** Network name. */
  readonly network: string;
  /** The policy simulated. */
  readonly policy: MobilityPolicy;
  /** Length of the walk, ms (sum of the dwell times). */
  readonly totalMs: number;
  /** Queries completed over the walk. */
  readonly queriesServed: number;
  /** Queries that ran at least one partition on a server. */
  readonly offloadedQueries: number;
  /** Arrivals at a server that held none of the client's partitions. */
  readonly coldStarts: number;
  /** Mean of the servers' `coldStartMs` (never-usable servers count their whole dwell). */
  readonly meanColdStartMs: number;
  /** Weight bytes the client uploaded over the air, all servers. */
  readonly bytesOverAir: number;
  /** Bytes moved between servers and the store (store writes, fetches, pushes, wasted pushes included). */
  readonly bytesBetweenServers: number;
  /** The plan's partitions (bytes and expected query time after each). */
  readonly partitions: readonly {
    /** Parameter bytes of the partition. */
    readonly bytes: number;
    /** Expected query time once partitions 0..i are uploaded, ms. */
    readonly expectedQueryMs: number;
  }[];
  /** Expected query time with nothing uploaded, ms. */
  readonly localMs: number;
  /** Per-server outcome, in walk order. */
  readonly servers: readonly MobilityServer[];
  /** Every query of the walk. */
  readonly queries: readonly MobilityQuery[];
}

const bitsMs = (bytes: number, mbps: number) => (bytes * 8) / (mbps * 1000);

/**
 * Simulate a walk (see the module comment). Deterministic for a seed.
 * `O(servers · partitions + queries)`.
 *
 * @throws {InvalidArgumentError} naming the bad field (empty walk, dwell ≤ 0, bandwidth ≤ 0, accuracy outside [0, 1]).
 * @example
 * const r = simulateMobility({ network: zooNetwork("alexnet"), walk: Array(5).fill({ dwellMs: 20_000 }), policy: "proactive" });
 * r.queriesServed; r.coldStarts;
 */
export function simulateMobility(scenario: MobilityScenario): MobilityResult {
  const policy = scenario.policy ?? "shared";
  if (!(MOBILITY_POLICIES as readonly string[]).includes(policy)) throw new InvalidArgumentError(`simulateMobility: policy must be one of ${MOBILITY_POLICIES.join(", ")}, got "${String(policy)}"`);
  const mbps = scenario.mbps ?? 80;
  const backhaul = scenario.backhaulMbps ?? 1000;
  const rttMs = scenario.rttMs ?? 2;
  const pre = scenario.preprocessingMs ?? 500;
  const accuracy = scenario.predictionAccuracy ?? 1;
  if (scenario.walk.length === 0) throw new InvalidArgumentError(`simulateMobility: the walk needs at least one server`);
  scenario.walk.forEach((s, i) => {
    if (!(s.dwellMs > 0)) throw new InvalidArgumentError(`simulateMobility: walk[${i}].dwellMs must be > 0, got ${s.dwellMs}`);
    if (s.mbps !== undefined && !(s.mbps > 0)) throw new InvalidArgumentError(`simulateMobility: walk[${i}].mbps must be > 0, got ${s.mbps}`);
  });
  for (const [field, value] of Object.entries({ mbps, backhaulMbps: backhaul, preprocessingMs: pre + 1, rttMs: rttMs + 1 })) {
    if (!(value > 0)) throw new InvalidArgumentError(`simulateMobility: ${field} must be > 0 (≥ 0 for rttMs/preprocessingMs), got ${value}`);
  }
  if (!(accuracy >= 0 && accuracy <= 1)) throw new InvalidArgumentError(`simulateMobility: predictionAccuracy must be in [0, 1], got ${accuracy}`);
  const random = mulberry32(scenario.seed ?? 1);

  // The client plans once, for `mbps`, and keeps that plan (its partitions are what the store holds).
  const costs = simulationCosts(scenario.network, scenario.costs);
  const base = planNetwork(scenario.network, { clientMs: costs.clientMs, serverMs: costs.serverMs }, { mbps, K: scenario.K ?? 0.5, ...(scenario.finalRound === undefined ? {} : { finalRound: scenario.finalRound }) }).plan;
  const plan = base;
  const P = base.partitions.length;
  /** When each partition landed in the store (shared/proactive), Infinity if not yet. */
  const inStore = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
  let bytesOverAir = 0;
  let bytesBetween = 0;
  const servers: MobilityServer[] = [];
  const queries: MobilityQuery[] = [];
  let arrival = 0;
  let nextRaise = pre;
  /** Partitions pushed ahead to the next server: availability time per partition (proactive, right prediction). */
  let pushed: Float64Array | undefined;
  let predictedRight: boolean | null = null;

  for (const [i, stop] of scenario.walk.entries()) {
    const m = stop.mbps ?? mbps;
    const leave = arrival + stop.dwellMs;
    const ready = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
    let air = 0;
    let bytesIn = 0;
    // Pushed partitions that arrived before the client are there at once.
    const warmAtArrival = pushed !== undefined && pushed.some((t) => t <= arrival);
    // The runtime's upload loop at this server, in plan order, after the handoff exchange.
    let t = arrival + rttMs;
    for (let k = 0; k < P && t < leave; k++) {
      const bytes = plan.partitions[k]!.bytes;
      if (pushed !== undefined && pushed[k]! <= t) {
        t += rttMs; // offer → have: already here
        ready[k] = t;
        continue;
      }
      if (policy !== "none" && inStore[k]! <= t) {
        t += rttMs + bitsMs(bytes, backhaul); // offer → have, the server fetches it from the store
        bytesBetween += bytes;
        bytesIn += bytes;
      } else {
        // offer → have (none held; the runtime offers under every policy, a server without a store answers from its memory), upload over the air
        t += rttMs + bitsMs(bytes, m);
        if (t > leave) break; // the client left before this partition's ACK: it is lost
        air += bytes;
        if (policy !== "none" && inStore[k] === Number.POSITIVE_INFINITY) {
          inStore[k] = t + bitsMs(bytes, backhaul); // filed in the store before the ACK in the runtime; here after it
          bytesBetween += bytes;
        }
      }
      if (t > leave) break;
      ready[k] = t;
    }
    bytesOverAir += air;

    // Queries raised while at this server.
    let served = 0;
    let offloaded = 0;
    while (nextRaise < leave) {
      let k = 0;
      while (k < P && ready[k]! <= nextRaise) k++;
      const latency = k === 0 ? base.localMs : plan.partitions[k - 1]!.expectedQueryMs;
      queries.push({ raisedAtMs: nextRaise, latencyMs: latency, server: i, partitions: k });
      served++;
      if (k > 0) offloaded++;
      nextRaise += latency + pre;
    }
    const firstReady = ready[0]!;
    const coldStart = !warmAtArrival;
    const coldStartMs = firstReady === Number.POSITIVE_INFINITY ? null : firstReady - arrival;
    let held = 0;
    while (held < P && ready[held]! <= leave) held++;
    servers.push({
      index: i,
      arrivalMs: arrival,
      dwellMs: stop.dwellMs,
      mbps: m,
      coldStart,
      coldStartMs,
      partitionsHeld: held,
      queries: served,
      offloadedQueries: offloaded,
      bytesOverAir: air,
      bytesIn: bytesIn + (pushed === undefined ? 0 : pushedBytes(pushed, plan)),
      predictedRight,
    });

    // Proactive push toward the predicted next server, during this dwell.
    pushed = undefined;
    predictedRight = null;
    if (policy === "proactive" && i + 1 < scenario.walk.length) {
      const right = random() < accuracy;
      predictedRight = right;
      const push = new Float64Array(P).fill(Number.POSITIVE_INFINITY);
      let pipe = arrival;
      for (let k = 0; k < P; k++) {
        const landed = inStore[k]!;
        if (landed >= leave) continue; // not in the store before the client leaves
        const bytes = plan.partitions[k]!.bytes;
        pipe = Math.max(pipe, landed) + bitsMs(bytes, backhaul);
        bytesBetween += bytes;
        push[k] = pipe;
      }
      if (right) pushed = push; // a wrong prediction pushed to a server the client never visits
    }
    arrival = leave;
  }
  const meanColdStartMs = servers.reduce((a, s) => a + (s.coldStartMs ?? s.dwellMs), 0) / servers.length;
  return {
    network: scenario.network.name,
    policy,
    totalMs: arrival,
    queriesServed: queries.length,
    offloadedQueries: queries.filter((q) => q.partitions > 0).length,
    coldStarts: servers.filter((s) => s.coldStart).length,
    meanColdStartMs,
    bytesOverAir,
    bytesBetweenServers: bytesBetween,
    partitions: base.partitions.map((p) => ({ bytes: p.bytes, expectedQueryMs: p.expectedQueryMs })),
    localMs: base.localMs,
    servers,
    queries,
  };
}

function pushedBytes(pushed: Float64Array, plan: UploadPlan): number {
  let n = 0;
  pushed.forEach((t, k) => {
    if (t < Number.POSITIVE_INFINITY) n += plan.partitions[k]!.bytes;
  });
  return n;
}

/**
 * Parse a walk trace: one stop per line, `dwellMs [mbps]` (blank lines and
 * `#` comments ignored), or a JSON array of {@link WalkStop}.
 * @throws {InvalidArgumentError} naming the line.
 */
export function parseWalkTrace(text: string, source = "walk trace"): WalkStop[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InvalidArgumentError(`${source}: not valid JSON`);
    }
    return (parsed as unknown[]).map((s, i) => {
      const stop = s as WalkStop;
      if (typeof stop?.dwellMs !== "number" || !(stop.dwellMs > 0)) throw new InvalidArgumentError(`${source}: entry ${i} needs dwellMs > 0`);
      if (stop.mbps !== undefined && !(typeof stop.mbps === "number" && stop.mbps > 0)) throw new InvalidArgumentError(`${source}: entry ${i}: mbps must be > 0`);
      return stop.mbps === undefined ? { dwellMs: stop.dwellMs } : { dwellMs: stop.dwellMs, mbps: stop.mbps };
    });
  }
  const stops: WalkStop[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const [d, m, extra] = line.split(/\s+/);
    const dwellMs = Number(d);
    const mbps = m === undefined ? undefined : Number(m);
    if (extra !== undefined || !(dwellMs > 0) || (mbps !== undefined && !(mbps > 0))) {
      throw new InvalidArgumentError(`${source}:${i + 1}: expected "dwellMs [mbps]" with positive numbers, got "${raw.trim()}"`);
    }
    stops.push(mbps === undefined ? { dwellMs } : { dwellMs, mbps });
  });
  if (stops.length === 0) throw new InvalidArgumentError(`${source}: no stops`);
  return stops;
}
