/**
 * The cost model of upload scheduling: what the runtime and the simulator
 * charge per partition and per query, on the chain of groups of an NN
 * execution graph (IONN §5.1). Shared by the objective, the optimizer and
 * the enhanced planner.
 *
 * Per partition (mirroring `OffloadingClient`'s upload loop, the in-memory
 * transport and `EdgeServer.upload`): the upload frame (weights + the JSON
 * header with the layer definitions) is serialized on the uplink, then one
 * link latency, the server loads the layers (the IONN authors' loading-time
 * model by default, as the simulator charges), the ACK frame comes back on
 * the downlink, and one more latency. Per query: the path's client and
 * server times, each feature transfer at the link rate, plus two latencies
 * per server run (the execute request and its result).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { ExecutionGraph } from "../graph/execution-graph.js";

/** Per-partition and per-message costs the objective charges, beyond the execution graph. */
export interface ScheduleCosts {
  /** The NN execution graph (groups, bandwidths; IONN §5.1). */
  readonly graph: ExecutionGraph;
  /** Server loading time of each group once uploaded, ms (default: the chain's `loadMs`). */
  readonly loadMs?: ArrayLike<number>;
  /** Bytes each group adds to an upload frame's header (its layer definitions as JSON, blob descriptors), per group (default: 0). */
  readonly headerBytes?: ArrayLike<number>;
  /** Fixed bytes of every upload frame (prefix, session id, request id; default 160). */
  readonly frameBytes?: number;
  /** Bytes of an ACK frame (default 160). */
  readonly ackBytes?: number;
  /** One-way link latency per message, ms (default 1, the simulator's). */
  readonly latencyMs?: number;
  /** Time from the start to the first upload (session `hello` round trip), ms (default `2 × latencyMs`). */
  readonly setupMs?: number;
  /** Parameter bytes of the all-at-once baseline (default: the sum over groups). */
  readonly allAtOnceBytes?: number;
  /** Header bytes of the all-at-once baseline's one frame (default: the sum of `headerBytes`). */
  readonly allAtOnceHeaderBytes?: number;
  /** Server loading time of the all-at-once baseline, ms (default: the sum of `loadMs`). */
  readonly allAtOnceLoadMs?: number;
}

/** Costs with every default resolved, as typed arrays. */
export interface ResolvedCosts {
  /** The execution graph. */
  readonly graph: ExecutionGraph;
  /** Number of groups. */
  readonly n: number;
  /** Client time per group, ms. */
  readonly clientMs: Float64Array;
  /** Server time per group, ms. */
  readonly serverMs: Float64Array;
  /** Bytes entering each group. */
  readonly inputBytes: Float64Array;
  /** Bytes leaving each group. */
  readonly outputBytes: Float64Array;
  /** Parameter bytes per group. */
  readonly paramBytes: Float64Array;
  /** Server loading time per group, ms. */
  readonly loadMs: Float64Array;
  /** Upload-frame header bytes per group. */
  readonly headerBytes: Float64Array;
  /** Uplink rate, bytes per ms. */
  readonly up: number;
  /** Downlink rate, bytes per ms. */
  readonly down: number;
  /** Fixed bytes of an upload frame. */
  readonly frameBytes: number;
  /** Bytes of an ACK frame. */
  readonly ackBytes: number;
  /** One-way latency, ms. */
  readonly latencyMs: number;
  /** Time before the first upload, ms. */
  readonly setupMs: number;
  /** Parameter bytes of the all-at-once baseline. */
  readonly allAtOnceBytes: number;
  /** Header bytes of the all-at-once baseline's frame. */
  readonly allAtOnceHeaderBytes: number;
  /** Loading time of the all-at-once baseline, ms. */
  readonly allAtOnceLoadMs: number;
}

function nonNegative(option: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`schedule: ${option} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

function perGroup(option: string, values: ArrayLike<number> | undefined, n: number, fallback: Float64Array | undefined): Float64Array {
  if (values === undefined) return fallback ? Float64Array.from(fallback) : new Float64Array(n);
  if (values.length !== n) throw new InvalidArgumentError(`schedule: ${option} has ${values.length} entries, the graph has ${n} groups`);
  const out = new Float64Array(n);
  for (let g = 0; g < n; g++) out[g] = nonNegative(`${option}[${g}]`, values[g]!);
  return out;
}

/** Resolve {@link ScheduleCosts} defaults. `O(n)`. */
export function resolveCosts(costs: ScheduleCosts): ResolvedCosts {
  const graph = costs.graph;
  if (graph === undefined || graph.chain === undefined) throw new InvalidArgumentError("schedule: costs.graph must be an execution graph (buildExecutionGraph)");
  const chain = graph.chain;
  const n = chain.size;
  const loadMs = perGroup("loadMs", costs.loadMs, n, chain.loadMs);
  const headerBytes = perGroup("headerBytes", costs.headerBytes, n, undefined);
  const latencyMs = nonNegative("latencyMs", costs.latencyMs ?? 1);
  let bytes = 0;
  let headers = 0;
  let loads = 0;
  for (let g = 0; g < n; g++) {
    bytes += chain.paramBytes[g]!;
    headers += headerBytes[g]!;
    loads += loadMs[g]!;
  }
  return {
    graph,
    n,
    clientMs: chain.clientMs,
    serverMs: chain.serverMs,
    inputBytes: chain.inputBytes,
    outputBytes: chain.outputBytes,
    paramBytes: chain.paramBytes,
    loadMs,
    headerBytes,
    up: graph.uplinkBytesPerMs,
    down: graph.downlinkBytesPerMs,
    frameBytes: nonNegative("frameBytes", costs.frameBytes ?? 160),
    ackBytes: nonNegative("ackBytes", costs.ackBytes ?? 160),
    latencyMs,
    setupMs: nonNegative("setupMs", costs.setupMs ?? 2 * latencyMs),
    allAtOnceBytes: nonNegative("allAtOnceBytes", costs.allAtOnceBytes ?? bytes),
    allAtOnceHeaderBytes: nonNegative("allAtOnceHeaderBytes", costs.allAtOnceHeaderBytes ?? headers),
    allAtOnceLoadMs: nonNegative("allAtOnceLoadMs", costs.allAtOnceLoadMs ?? loads),
  };
}

/** A query path once some groups are on the server. */
export interface PathCost {
  /** Expected query time at the full link rate (the execution graph's path length), ms. */
  readonly ms: number;
  /** Feature bytes the path sends up (inputs of its server runs). */
  readonly upBytes: number;
  /** Client time before the first feature transfer, ms. */
  readonly prefixMs: number;
  /** Number of server runs (each costs an execute round trip). */
  readonly runs: number;
  /** Per group: 1 when the path runs it on the server. */
  readonly onServer: Uint8Array;
}

/**
 * The query path once the groups of `uploaded` are on the server.
 * `placement: "best"`: the shortest path using any uploaded group (the
 * execution graph's DP; ties go to the client, as `shortestPath`);
 * `"all"`: every uploaded group runs on the server (the runtime's default
 * placement). `O(n)`.
 */
export function pathCost(costs: ResolvedCosts, uploaded: Uint8Array, placement: "best" | "all", out?: Uint8Array): PathCost {
  const n = costs.n;
  const onServer = out ?? new Uint8Array(n);
  if (placement === "all") {
    for (let g = 0; g < n; g++) onServer[g] = uploaded[g] ? 1 : 0;
  } else {
    // dp over the chain: c = best with the data on the client, s = on the server
    const fromC = new Uint8Array(n); // server state of group g reached from client (1) or server (0)
    const cFromS = new Uint8Array(n + 1); // client state after group g-1 reached from the server
    let c = 0;
    let s = Number.POSITIVE_INFINITY;
    for (let g = 0; g < n; g++) {
      // client state before group g: from client, or download the previous output
      const viaDown = s + (g > 0 ? costs.outputBytes[g - 1]! / costs.down : 0);
      let cIn = c;
      if (viaDown < c) {
        cIn = viaDown;
        cFromS[g] = 1;
      }
      const nextC = cIn + costs.clientMs[g]!;
      let nextS = Number.POSITIVE_INFINITY;
      if (uploaded[g]) {
        const viaUp = cIn + costs.inputBytes[g]! / costs.up + costs.serverMs[g]!;
        const stay = s + costs.serverMs[g]!;
        if (viaUp <= stay) {
          nextS = viaUp;
          fromC[g] = 1;
        } else {
          nextS = stay;
        }
      }
      c = nextC;
      s = nextS;
    }
    const endViaDown = s + (n > 0 ? costs.outputBytes[n - 1]! / costs.down : 0);
    // backtrack: the state after group g is on the server (onS) or the client
    let onS = endViaDown < c;
    for (let g = n - 1; g >= 0; g--) {
      onServer[g] = onS ? 1 : 0;
      onS = onS && !fromC[g] ? true : cFromS[g] === 1;
    }
  }
  let ms = 0;
  let upBytes = 0;
  let prefixMs = 0;
  let runs = 0;
  let sawServer = false;
  for (let g = 0; g < n; g++) {
    if (onServer[g]) {
      if (g === 0 || !onServer[g - 1]) {
        runs++;
        upBytes += costs.inputBytes[g]!;
        ms += costs.inputBytes[g]! / costs.up;
        sawServer = true;
      }
      ms += costs.serverMs[g]!;
      if (g === n - 1 || !onServer[g + 1]) ms += costs.outputBytes[g]! / costs.down;
    } else {
      ms += costs.clientMs[g]!;
      if (!sawServer) prefixMs += costs.clientMs[g]!;
    }
  }
  return { ms, upBytes, prefixMs, runs, onServer };
}
