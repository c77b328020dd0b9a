/**
 * Shortest input→output path on the NN execution graph, IONN §5.1–5.2: "We
 * can use a shortest path algorithm for DAG using topological sorting, whose
 * time complexity is O(n)". Node ids are already a topological order, so one
 * pass of edge relaxation in node order suffices; all state is typed arrays.
 *
 * Ties are broken deterministically in favour of the client: when two
 * routes reach a node at the same distance, the one arriving from a client
 * node wins, so a group goes to the server only for a strict gain.
 *
 * NOTE: the IONN authors' code runs Dijkstra ordered by (distance, node id)
 * with strict improvement; the conventions file notes that ties never decide
 * a partition on the published networks.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { EdgeKindCode, type ExecutionGraph } from "./execution-graph.js";

/** A shortest path: its length and the groups whose server edge it takes. */
export interface ShortestPath {
  /** Path length (ms): expected query time plus the scaled upload and load times of the server groups. */
  readonly distanceMs: number;
  /** Groups executed on the server, ascending. */
  readonly serverGroups: Int32Array;
  /** Per group: 1 when on the server. */
  readonly onServer: Uint8Array;
}

/** Reusable buffers for {@link shortestPath} (avoid re-allocating in a loop of rounds). */
export interface ShortestPathScratch {
  readonly distance: Float64Array;
  readonly predEdge: Int32Array;
}

/** Allocates scratch buffers sized for `graph`. */
export function shortestPathScratch(graph: ExecutionGraph): ShortestPathScratch {
  // `distance` only for the generic relaxation (shortestPathByEdges): made on first access
  let distance: Float64Array | undefined;
  return {
    get distance() {
      return (distance ??= new Float64Array(graph.nodeCount));
    },
    predEdge: new Int32Array(graph.nodeCount),
  };
}

/**
 * The shortest input→output path when each group's upload and load times
 * are scaled by an upload factor: one number for all groups, or one per
 * group. A factor of `Infinity` forbids the group on the server (its server
 * edge is removed); a factor of 0 means the group is already uploaded.
 * Path sums are rounded to float32 when the graph is. Runs in `O(n)`.
 *
 * @throws {InvalidArgumentError} on a negative or NaN factor, or a factor array of the wrong length.
 * @example
 * const initial = shortestPath(graph, 1);   // nothing uploaded yet
 * const optimal = shortestPath(graph, 0);   // everything uploaded: best collaborative path
 */
export function shortestPath(
  graph: ExecutionGraph,
  factor: number | ArrayLike<number>,
  scratch: ShortestPathScratch = shortestPathScratch(graph),
): ShortestPath {
  checkFactor(graph, factor);
  return chainShortestPath(graph, factor, scratch);
}

function checkFactor(graph: ExecutionGraph, factor: number | ArrayLike<number>): void {
  const n = graph.groups;
  if (typeof factor === "number") {
    if (!(factor >= 0)) throw new InvalidArgumentError(`shortestPath: factor must be ≥ 0, got ${factor}`);
  } else {
    if (factor.length !== n) {
      throw new InvalidArgumentError(`shortestPath: factor has ${factor.length} entries for ${n} groups`);
    }
    for (let g = 0; g < n; g++) {
      if (!(factor[g]! >= 0)) throw new InvalidArgumentError(`shortestPath: factor[${g}] must be ≥ 0, got ${factor[g]}`);
    }
  }
}

/**
 * The same shortest path as {@link shortestPath}, computed by generic edge
 * relaxation over the typed edge lists in node (topological) order; kept as
 * the plain statement of the algorithm and used to check the specialised
 * chain recurrence. `O(n)`, about 2–3× slower.
 *
 * @throws {InvalidArgumentError} on a negative or NaN factor, or a factor array of the wrong length.
 */
export function shortestPathByEdges(
  graph: ExecutionGraph,
  factor: number | ArrayLike<number>,
  scratch: ShortestPathScratch = shortestPathScratch(graph),
): ShortestPath {
  checkFactor(graph, factor);
  const n = graph.groups;
  const N = graph.nodeCount;
  const { distance, predEdge } = scratch;
  const { edgeOffsets, edgeTo, edgeKind, edgeGroup, executionMs, transferMs, uploadMs, loadMs, nodeSide, edgeFrom } = graph;
  const f32 = graph.float32;
  const uniform = typeof factor === "number";
  const single = uniform ? factor : 0;
  const perGroup = uniform ? undefined : factor;
  distance.fill(Infinity, 0, N);
  predEdge.fill(-1, 0, N);
  distance[0] = 0;
  const serverKind = EdgeKindCode.server;
  for (let u = 0; u < N; u++) {
    const du = distance[u]!;
    if (du === Infinity) continue;
    const end = edgeOffsets[u + 1]!;
    for (let e = edgeOffsets[u]!; e < end; e++) {
      let w = executionMs[e]! + transferMs[e]!;
      if (edgeKind[e] === serverKind) {
        const f = uniform ? single : perGroup![edgeGroup[e]!]!;
        if (f === Infinity) continue;
        if (f !== 0) {
          const cost = uploadMs[e]! + loadMs[e]!;
          w += f32 ? Math.fround(Math.fround(cost) * f) : cost * f;
        }
        if (f32) w = Math.fround(w);
      }
      const v = edgeTo[e]!;
      const d = f32 ? Math.fround(du + w) : du + w;
      const dv = distance[v]!;
      if (d < dv) {
        distance[v] = d;
        predEdge[v] = e;
      } else if (d === dv && nodeSide[u] === 0 && predEdge[v]! >= 0 && nodeSide[edgeFrom[predEdge[v]!]!] === 1) {
        predEdge[v] = e; // tie: prefer arriving from the client
      }
    }
  }
  const onServer = new Uint8Array(n);
  let count = 0;
  for (let v = N - 1; v > 0; ) {
    const e = predEdge[v]!;
    if (e < 0) break;
    if (edgeKind[e] === serverKind) {
      onServer[edgeGroup[e]!] = 1;
      count++;
    }
    v = edgeFrom[e]!;
  }
  const serverGroups = new Int32Array(count);
  for (let g = 0, k = 0; g < n; g++) if (onServer[g]) serverGroups[k++] = g;
  return { distanceMs: distance[N - 1]!, serverGroups, onServer };
}

/**
 * The recurrence the execution graph's fixed layout allows (a chain of
 * groups; weights from {@link ExecutionGraph.perGroup}): per group, the best time to be on the client before it
 * (`C`) and on the server after it (`O`). Same arithmetic, same order of
 * float32 roundings and same tie rule as {@link shortestPathByEdges}.
 */
function chainShortestPath(graph: ExecutionGraph, factor: number | ArrayLike<number>, scratch: ShortestPathScratch): ShortestPath {
  const n = graph.groups;
  const { clientMs, uploadInputMs, serverMs, scaledMs, downloadMs } = graph.perGroup;
  const f32 = graph.float32;
  const uniform = typeof factor === "number";
  const single = uniform ? factor : 0;
  const perGroup = uniform ? undefined : factor;
  // scratch.predEdge doubles as the choice bits: bit 0 = server-in reached from the client, bit 1 = next client reached from the server.
  const choice = scratch.predEdge;
  let C = 0; // distance at client(g)
  let O = Infinity; // distance at server-out(g - 1)
  for (let g = 0; g < n; g++) {
    let bits = 0;
    // server-in(g): from server-out(g − 1) (+0), or from client(g) + upload-input; ties → client.
    const up = f32 ? Math.fround(C + uploadInputMs[g]!) : C + uploadInputMs[g]!;
    let S = O;
    if (up <= S) {
      S = up;
      bits = 1;
    }
    // server-out(g)
    const f = uniform ? single : perGroup![g]!;
    let Og = Infinity;
    if (f !== Infinity) {
      let w = serverMs[g]!;
      if (f !== 0) w += f32 ? Math.fround(scaledMs[g]! * f) : scaledMs[g]! * f;
      if (f32) w = Math.fround(w);
      Og = f32 ? Math.fround(S + w) : S + w;
    }
    // client(g + 1) or output: from client(g) + client time, or server-out(g) + download; ties → client.
    const viaClient = f32 ? Math.fround(C + clientMs[g]!) : C + clientMs[g]!;
    const viaServer = f32 ? Math.fround(Og + downloadMs[g]!) : Og + downloadMs[g]!;
    if (viaServer < viaClient) {
      C = viaServer;
      bits |= 2;
    } else {
      C = viaClient;
    }
    O = Og;
    choice[g] = bits;
  }
  // (the walk back in a function of its own: V8 optimizes each loop on its own feedback)
  return { distanceMs: C, ...chainServerGroups(choice, n) };
}

/** The groups on the server of {@link chainShortestPath}'s path, from its choice bits: walking back from the output. */
function chainServerGroups(choice: ArrayLike<number>, n: number): { serverGroups: Int32Array; onServer: Uint8Array } {
  const onServer = new Uint8Array(n);
  let count = 0;
  // Walk back from the output: on the client side after group g (at client(g + 1)), or on the server side at server-out(g).
  let server = false;
  for (let g = n - 1; g >= 0; g--) {
    const bits = choice[g]!;
    if (!server) server = (bits & 2) !== 0; // arrived at client(g + 1) from server-out(g)?
    if (server) {
      onServer[g] = 1;
      count++;
      server = (bits & 1) === 0; // server-in(g) reached from server-out(g − 1)?
    }
  }
  const serverGroups = new Int32Array(count);
  for (let g = 0, k = 0; g < n; g++) if (onServer[g]) serverGroups[k++] = g;
  return { serverGroups, onServer };
}
