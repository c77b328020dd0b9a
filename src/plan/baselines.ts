/**
 * Baseline offloading policies the paper compares IONN with (§6.2): local
 * execution only, uploading the whole model at once, and Neurosurgeon's
 * single split (front part on the client, rear part on the server, upload
 * cost ignored, [20] in the paper).
 *
 * @module
 */
import type { ExecutionGraph } from "../graph/execution-graph.js";
import { shortestPath } from "../graph/shortest-path.js";

/** What a baseline policy runs where and what it costs. */
export interface BaselineResult {
  /** Expected query time once the policy's upload is done (ms). */
  readonly queryMs: number;
  /** Groups run on the server (ascending). */
  readonly serverGroups: readonly number[];
  /** Groups uploaded (ascending). */
  readonly uploadedGroups: readonly number[];
  /** Parameter bytes uploaded. */
  readonly uploadBytes: number;
  /** Time to upload them at the graph's uplink bandwidth (ms; server loading times included). */
  readonly uploadMs: number;
}

function uploadCost(graph: ExecutionGraph, groups: readonly number[]): { bytes: number; ms: number } {
  let bytes = 0;
  let load = 0;
  for (const g of groups) {
    bytes += graph.chain.paramBytes[g]!;
    load += graph.chain.loadMs[g]!;
  }
  return { bytes, ms: bytes / graph.uplinkBytesPerMs + load };
}

/**
 * Local execution only: every group on the client, nothing uploaded. `O(n)`.
 * @example
 * localOnly(graph).queryMs; // sum of client times
 */
export function localOnly(graph: ExecutionGraph): BaselineResult {
  const path = shortestPath(graph, Infinity);
  return { queryMs: path.distanceMs, serverGroups: [], uploadedGroups: [], uploadBytes: 0, uploadMs: 0 };
}

/**
 * All at once: upload every group, then run the best collaborative path
 * (the shortest path with all upload factors 0). Until the upload ends,
 * queries run locally. `O(n)`.
 */
export function allAtOnce(graph: ExecutionGraph): BaselineResult {
  const path = shortestPath(graph, 0);
  const all: number[] = new Array<number>(graph.groups).fill(0);
  for (let g = 0; g < graph.groups; g++) all[g] = g;
  const cost = uploadCost(graph, all);
  return { queryMs: path.distanceMs, serverGroups: Array.from(path.serverGroups), uploadedGroups: all, uploadBytes: cost.bytes, uploadMs: cost.ms };
}

/**
 * Neurosurgeon's single split: the best point `p` such that groups `0..p−1`
 * run on the client and `p..n−1` on the server, upload cost ignored
 * (`p = n`: all local). Ties go to the larger `p` (more on the client).
 * The rear part is what must be uploaded. `O(n)`.
 */
export function singleSplit(graph: ExecutionGraph): BaselineResult & {
  /** The split point `p`: groups `0..p−1` on the client, `p..n−1` on the server (`n` = all local). */
  readonly splitIndex: number;
} {
  const n = graph.groups;
  const chain = graph.chain;
  const f32 = graph.float32;
  const r = f32 ? Math.fround : (x: number) => x;
  const up = graph.uplinkBytesPerMs;
  const down = graph.downlinkBytesPerMs;
  // suffix server sums
  const suffix = new Float64Array(n + 1);
  for (let g = n - 1; g >= 0; g--) suffix[g] = suffix[g + 1]! + r(chain.serverMs[g]!);
  let bestP = n;
  let clientPrefix = 0;
  let best = Infinity;
  const candidates = new Float64Array(n + 1);
  for (let p = 0; p <= n; p++) {
    candidates[p] = p === n ? clientPrefix : clientPrefix + r(chain.inputBytes[p]! / up) + suffix[p]! + r(chain.outputBytes[n - 1]! / down);
    if (p < n) clientPrefix += r(chain.clientMs[p]!);
  }
  for (let p = 0; p <= n; p++) {
    if (candidates[p]! <= best) {
      best = candidates[p]!;
      bestP = p;
    }
  }
  const server: number[] = [];
  for (let g = bestP; g < n; g++) server.push(g);
  const cost = uploadCost(graph, server);
  return { queryMs: best, serverGroups: server, uploadedGroups: server, uploadBytes: cost.bytes, uploadMs: cost.ms, splitIndex: bestP };
}
