/**
 * The NN execution graph, IONN §5.1 and Figure 4: for each group `g` of a
 * {@link CostedChain}, a client node, a server-in node and a server-out node;
 * plus an input node and an output node, both on the client (3n + 2 nodes).
 *
 * Node ids (topological order): input = 0; group g: client = 3g + 1,
 * server-in = 3g + 2, server-out = 3g + 3; output = 3n + 1. Edges (DESIGN.md):
 *
 * | kind | from → to | weight |
 * |---|---|---|
 * | `input` | input → client(0) | 0 |
 * | `client` | client(g) → client(g+1) / output | client time of g |
 * | `upload-input` | client(g) → server-in(g) | bytes entering g / uplink |
 * | `server` | server-in(g) → server-out(g) | server time + (upload time + load time) × factor |
 * | `server-server` | server-out(g) → server-in(g+1) | 0 |
 * | `download-output` | server-out(g) → client(g+1) / output | output bytes of g / downlink |
 *
 * The graph is held three ways: per-group weights ({@link ExecutionGraph.perGroup},
 * what the shortest path's chain recurrence reads), typed-array edge lists
 * (sorted by source node; built on first access) for generic edge
 * relaxation, and a graphology `DirectedGraph` (built on first access) whose
 * nodes and edges carry their role, kind and weight components so a user can
 * inspect or export it.
 *
 * @module
 */
import { DirectedGraph } from "graphology";
import { InvalidArgumentError } from "../errors.js";
import type { CostedChain } from "./chain.js";

/** Kinds of edges of the execution graph, indexed by {@link ExecutionGraph.edgeKind}. */
export const EDGE_KINDS = ["input", "client", "upload-input", "server", "server-server", "download-output"] as const;
/** An edge kind. */
export type EdgeKind = (typeof EDGE_KINDS)[number];
/** Numeric codes of {@link EDGE_KINDS}. */
export const EdgeKindCode = {
  /** input → client(0). */
  input: 0,
  /** client(g) → client(g+1) or output. */
  client: 1,
  /** client(g) → server-in(g). */
  "upload-input": 2,
  /** server-in(g) → server-out(g). */
  server: 3,
  /** server-out(g) → server-in(g+1). */
  "server-server": 4,
  /** server-out(g) → client(g+1) or output. */
  "download-output": 5,
} as const satisfies Record<EdgeKind, number>;

/** Attributes of a graphology node of the execution graph. */
export interface ExecutionNodeAttributes {
  /** `input`, `client`, `server-in`, `server-out` or `output`. */
  readonly role: "input" | "client" | "server-in" | "server-out" | "output";
  /** `client` or `server`. */
  readonly side: "client" | "server";
  /** Group index (−1 for input and output). */
  readonly group: number;
  /** Readable label, e.g. `conv1 (server-in)`. */
  readonly label: string;
}

/** Attributes of a graphology edge of the execution graph; the weight is `executionMs + transferMs + (uploadMs + loadMs) × factor`. */
export interface ExecutionEdgeAttributes {
  /** The edge's kind, one of {@link EDGE_KINDS}. */
  readonly kind: EdgeKind;
  /** Group index the edge belongs to (−1 for the input edge). */
  readonly group: number;
  /** Execution time on this edge (client or server time). */
  readonly executionMs: number;
  /** Feature transfer time on this edge. */
  readonly transferMs: number;
  /** Parameter upload time (server edges only; scaled by the upload factor). */
  readonly uploadMs: number;
  /** Server loading time (server edges only; scaled by the upload factor). */
  readonly loadMs: number;
  /** The weight at upload factor 1. */
  readonly weight: number;
}

/** Bandwidth and precision options of {@link buildExecutionGraph}. */
export interface ExecutionGraphOptions {
  /** Uplink bandwidth in megabits per second (used when `uplinkBytesPerMs` is not given). */
  readonly mbps?: number;
  /** Bits in a megabit: `1e6` (SI, preset `paper`; default) or `1048576` (2^20, preset `ionn-reference`). */
  readonly megabit?: number;
  /** Uplink bandwidth in bytes per millisecond (overrides `mbps`). */
  readonly uplinkBytesPerMs?: number;
  /** Downlink bandwidth in bytes per millisecond (default: the uplink's). */
  readonly downlinkBytesPerMs?: number;
  /** Downlink bandwidth in megabits per second (default: the uplink's). */
  readonly downlinkMbps?: number;
  /** Store weights as float32 and sum paths in float32, as the IONN authors' code does (default `false`). */
  readonly float32?: boolean;
}

/**
 * The NN execution graph of a chain (IONN §5.1, Figure 4): `3n + 2` nodes,
 * ids in topological order: input 0; for group g client `3g + 1`, server-in
 * `3g + 2`, server-out `3g + 3`; output `3n + 1` (input and output on the
 * client). `5n` edges of the kinds in {@link EDGE_KINDS}; a server
 * edge weighs server time + (upload + load time) × the upload factor.
 */
export interface ExecutionGraph {
  /** The chain of groups it was built from. */
  readonly chain: CostedChain;
  /** Number of groups `n`. */
  readonly groups: number;
  /** Number of nodes, `3n + 2`. */
  readonly nodeCount: number;
  /** Number of edges, `5n`. */
  readonly edgeCount: number;
  /** Uplink bandwidth used (bytes per ms). */
  readonly uplinkBytesPerMs: number;
  /** Downlink bandwidth used (bytes per ms). */
  readonly downlinkBytesPerMs: number;
  /** True when weights are float32 values and path sums are rounded to float32. */
  readonly float32: boolean;
  /** `edges [edgeOffsets[u] .. edgeOffsets[u + 1])` leave node `u`. */
  readonly edgeOffsets: Int32Array;
  /** Source node of each edge (non-decreasing). */
  readonly edgeFrom: Int32Array;
  /** Target node of each edge. */
  readonly edgeTo: Int32Array;
  /** Kind code of each edge ({@link EdgeKindCode}). */
  readonly edgeKind: Uint8Array;
  /** Group of each edge (−1 for the input edge). */
  readonly edgeGroup: Int32Array;
  /** Execution component of each edge's weight (ms). */
  readonly executionMs: Float64Array;
  /** Transfer component (ms). */
  readonly transferMs: Float64Array;
  /** Upload component (ms; server edges). */
  readonly uploadMs: Float64Array;
  /** Load component (ms; server edges). */
  readonly loadMs: Float64Array;
  /** 0 for client-side nodes, 1 for server-side nodes. */
  readonly nodeSide: Uint8Array;
  /**
   * The same weights per group, contiguous for the shortest-path recurrence:
   * client edge, upload-input edge, server execution, the part scaled by the
   * upload factor (upload + load, rounded to float32 in float32 mode) and the
   * download-output edge (ms).
   */
  readonly perGroup: {
    /** Client execution time of group g (its `client` edge), ms. */
    readonly clientMs: Float64Array;
    /** Time to upload the features entering group g (its `upload-input` edge), ms. */
    readonly uploadInputMs: Float64Array;
    /** Server execution time of group g, ms. */
    readonly serverMs: Float64Array;
    /** Upload + load time of group g's parameters, multiplied by the upload factor on the `server` edge, ms. */
    readonly scaledMs: Float64Array;
    /** Time to download group g's output (its `download-output` edge), ms. */
    readonly downloadMs: Float64Array;
  };
  /** The graphology view (built on first access, `O(n)`; cached). */
  readonly graphology: DirectedGraph<ExecutionNodeAttributes, ExecutionEdgeAttributes>;
}

/** Bytes per millisecond of a bandwidth in megabits per second: `mbps × megabit / 8000`. */
export function bytesPerMs(mbps: number, megabit = 1e6): number {
  return (mbps * megabit) / 8000;
}

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !(v > 0) || v === Infinity) {
    throw new InvalidArgumentError(`buildExecutionGraph: ${name} must be a finite number > 0, got ${String(v)}`);
  }
  return v;
}

/** Node id of the client node of group `g`. */
export const clientNode = (g: number): number => 3 * g + 1;
/** Node id of the server-in node of group `g`. */
export const serverInNode = (g: number): number => 3 * g + 2;
/** Node id of the server-out node of group `g`. */
export const serverOutNode = (g: number): number => 3 * g + 3;

/**
 * Builds the execution graph of a chain at a bandwidth. Runs in `O(n)`
 * (typed arrays; the edge lists and the graphology view are built lazily on
 * first access).
 *
 * @throws {InvalidArgumentError} when no bandwidth is given or a bandwidth is ≤ 0, NaN or infinite (naming the option), or `megabit` is not positive.
 * @example
 * const graph = buildExecutionGraph(chain, { mbps: 80 });
 * graph.graphology.forEachEdge((e, attrs) => console.log(attrs.kind, attrs.weight));
 */
export function buildExecutionGraph(chain: CostedChain, options: ExecutionGraphOptions): ExecutionGraph {
  const megabit = positive("megabit", options.megabit) ?? 1e6;
  const mbps = positive("mbps", options.mbps);
  let up = positive("uplinkBytesPerMs", options.uplinkBytesPerMs);
  if (up === undefined) {
    if (mbps === undefined) throw new InvalidArgumentError("buildExecutionGraph: give mbps or uplinkBytesPerMs");
    up = bytesPerMs(mbps, megabit);
  }
  const downMbps = positive("downlinkMbps", options.downlinkMbps);
  let down = positive("downlinkBytesPerMs", options.downlinkBytesPerMs);
  if (down === undefined) down = downMbps !== undefined ? bytesPerMs(downMbps, megabit) : up;
  const float32 = options.float32 ?? false;
  const r = float32 ? Math.fround : (x: number) => x;

  const n = chain.size;
  const nodeCount = 3 * n + 2;
  const edgeCount = 5 * n;
  // The chain recurrence (shortestPath) reads only the per-group weights; the 5n typed edge lists
  // (tens of MB at 10^6 layers, external memory that makes V8 run full GCs) are built on first access.
  const perGroup = {
    clientMs: new Float64Array(n),
    uploadInputMs: new Float64Array(n),
    serverMs: new Float64Array(n),
    scaledMs: new Float64Array(n),
    downloadMs: new Float64Array(n),
  };
  for (let g = 0; g < n; g++) {
    perGroup.clientMs[g] = r(chain.clientMs[g]!);
    perGroup.uploadInputMs[g] = r(chain.inputBytes[g]! / up);
    perGroup.serverMs[g] = r(chain.serverMs[g]!);
    perGroup.scaledMs[g] = r(r(chain.paramBytes[g]! / up) + r(chain.loadMs[g]!));
    perGroup.downloadMs[g] = r(chain.outputBytes[g]! / down);
  }
  let edges: ExecutionEdges | undefined;
  const edgeLists = (): ExecutionEdges => (edges ??= buildEdges(chain, up, down, r));

  let cached: DirectedGraph<ExecutionNodeAttributes, ExecutionEdgeAttributes> | undefined;
  const graph: ExecutionGraph = {
    chain,
    groups: n,
    nodeCount,
    edgeCount,
    uplinkBytesPerMs: up,
    downlinkBytesPerMs: down,
    float32,
    get edgeOffsets() {
      return edgeLists().edgeOffsets;
    },
    get edgeFrom() {
      return edgeLists().edgeFrom;
    },
    get edgeTo() {
      return edgeLists().edgeTo;
    },
    get edgeKind() {
      return edgeLists().edgeKind;
    },
    get edgeGroup() {
      return edgeLists().edgeGroup;
    },
    get executionMs() {
      return edgeLists().executionMs;
    },
    get transferMs() {
      return edgeLists().transferMs;
    },
    get uploadMs() {
      return edgeLists().uploadMs;
    },
    get loadMs() {
      return edgeLists().loadMs;
    },
    get nodeSide() {
      return edgeLists().nodeSide;
    },
    perGroup,
    get graphology() {
      cached ??= toGraphology(graph);
      return cached;
    },
  };
  return graph;
}

/** The typed edge lists of an execution graph (see {@link ExecutionGraph}). */
interface ExecutionEdges {
  readonly edgeOffsets: Int32Array;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeKind: Uint8Array;
  readonly edgeGroup: Int32Array;
  readonly executionMs: Float64Array;
  readonly transferMs: Float64Array;
  readonly uploadMs: Float64Array;
  readonly loadMs: Float64Array;
  readonly nodeSide: Uint8Array;
}

/** The `5n` edges of the execution graph of `chain`, sorted by source node. `O(n)`. */
function buildEdges(chain: CostedChain, up: number, down: number, r: (x: number) => number): ExecutionEdges {
  const n = chain.size;
  const nodeCount = 3 * n + 2;
  const edgeCount = 5 * n;
  const output = nodeCount - 1;
  const edgeFrom = new Int32Array(edgeCount);
  const edgeTo = new Int32Array(edgeCount);
  const edgeKind = new Uint8Array(edgeCount);
  const edgeGroup = new Int32Array(edgeCount);
  const executionMs = new Float64Array(edgeCount);
  const transferMs = new Float64Array(edgeCount);
  const uploadMs = new Float64Array(edgeCount);
  const loadMs = new Float64Array(edgeCount);
  const edgeOffsets = new Int32Array(nodeCount + 1);
  const nodeSide = new Uint8Array(nodeCount);
  let e = 0;
  const add = (from: number, to: number, kind: number, group: number): number => {
    edgeFrom[e] = from;
    edgeTo[e] = to;
    edgeKind[e] = kind;
    edgeGroup[e] = group;
    return e++;
  };
  // Edges are added in order of their source node, so edgeOffsets is a running count.
  add(0, 1, EdgeKindCode.input, -1);
  edgeOffsets[1] = e;
  for (let g = 0; g < n; g++) {
    const c = clientNode(g);
    const si = serverInNode(g);
    const so = serverOutNode(g);
    const nextClient = g + 1 < n ? clientNode(g + 1) : output;
    nodeSide[si] = 1;
    nodeSide[so] = 1;
    // client node: client edge, then upload-input
    let k = add(c, nextClient, EdgeKindCode.client, g);
    executionMs[k] = r(chain.clientMs[g]!);
    k = add(c, si, EdgeKindCode["upload-input"], g);
    transferMs[k] = r(chain.inputBytes[g]! / up);
    edgeOffsets[c + 1] = e;
    k = add(si, so, EdgeKindCode.server, g);
    executionMs[k] = r(chain.serverMs[g]!);
    uploadMs[k] = r(chain.paramBytes[g]! / up);
    loadMs[k] = r(chain.loadMs[g]!);
    edgeOffsets[si + 1] = e;
    k = add(so, nextClient, EdgeKindCode["download-output"], g);
    transferMs[k] = r(chain.outputBytes[g]! / down);
    if (g + 1 < n) add(so, serverInNode(g + 1), EdgeKindCode["server-server"], g);
    edgeOffsets[so + 1] = e;
  }
  edgeOffsets[output + 1] = e;
  return { edgeOffsets, edgeFrom, edgeTo, edgeKind, edgeGroup, executionMs, transferMs, uploadMs, loadMs, nodeSide };
}

/**
 * The graphology view of an execution graph: node keys are the node ids as
 * strings (`"0"` … `"3n+1"`, as numbered in Figure 4), edge keys `"e<index>"`.
 * `O(n)`.
 */
export function toGraphology(graph: ExecutionGraph): DirectedGraph<ExecutionNodeAttributes, ExecutionEdgeAttributes> {
  const g = new DirectedGraph<ExecutionNodeAttributes, ExecutionEdgeAttributes>({ multi: false, allowSelfLoops: false });
  const names = graph.chain.names;
  const n = graph.groups;
  g.addNode("0", { role: "input", side: "client", group: -1, label: "input" });
  for (let k = 0; k < n; k++) {
    const name = names[k]!;
    g.addNode(String(clientNode(k)), { role: "client", side: "client", group: k, label: `${name} (client)` });
    g.addNode(String(serverInNode(k)), { role: "server-in", side: "server", group: k, label: `${name} (server-in)` });
    g.addNode(String(serverOutNode(k)), { role: "server-out", side: "server", group: k, label: `${name} (server-out)` });
  }
  g.addNode(String(graph.nodeCount - 1), { role: "output", side: "client", group: -1, label: "output" });
  for (let e = 0; e < graph.edgeCount; e++) {
    const executionMs = graph.executionMs[e]!;
    const transferMs = graph.transferMs[e]!;
    const uploadMs = graph.uploadMs[e]!;
    const loadMs = graph.loadMs[e]!;
    g.addDirectedEdgeWithKey(`e${e}`, String(graph.edgeFrom[e]), String(graph.edgeTo[e]), {
      kind: EDGE_KINDS[graph.edgeKind[e]!]!,
      group: graph.edgeGroup[e]!,
      executionMs,
      transferMs,
      uploadMs,
      loadMs,
      weight: executionMs + transferMs + uploadMs + loadMs,
    });
  }
  return g;
}
