/**
 * The costed layer DAG: the low-level, typed-array form of a network that the
 * planner works on (IONN §5.1 and §5.3). One node per planned layer, plus a
 * source node standing for the network input (always node 0, on the client)
 * and a single sink (always the last node; a virtual one when the network
 * has several outputs). Adjacency is stored twice in CSR form (predecessors
 * and successors); per-node costs are `Float64Array`s.
 *
 * Nodes are numbered in a topological order that keeps the input order
 * (runtime order) whenever that order is already topological.
 *
 * @module
 */
import { InvalidArgumentError, InvalidModelError } from "../errors.js";

/** A directed graph in compressed sparse row form (both directions). */
export interface CsrGraph {
  /** Number of nodes. */
  readonly size: number;
  /** `predIndices[predOffsets[v] .. predOffsets[v + 1])` are the predecessors of `v`. */
  readonly predOffsets: Int32Array;
  /** Predecessor lists, concatenated. */
  readonly predIndices: Int32Array;
  /** `succIndices[succOffsets[v] .. succOffsets[v + 1])` are the successors of `v`. */
  readonly succOffsets: Int32Array;
  /** Successor lists, concatenated. */
  readonly succIndices: Int32Array;
}

/**
 * A costed layer DAG. Node 0 ({@link CostedDag.source}) is the network input:
 * it is on the client, belongs to no group, and its costs are ignored; its
 * {@link CostedDag.outputBytes} is the size of the input sent when the first
 * group runs on the server. The last node ({@link CostedDag.sink}) is the only
 * node without successors.
 */
export interface CostedDag extends CsrGraph {
  /** Node names (layer names; `<input>` / `<output>` for virtual nodes). */
  readonly names: readonly string[];
  /** The input node: always 0. */
  readonly source: number;
  /** The only node without successors: always `size - 1`. */
  readonly sink: number;
  /** Client execution time of each node (ms). */
  readonly clientMs: Float64Array;
  /** Server execution time of each node (ms). */
  readonly serverMs: Float64Array;
  /** Server loading time of each node once uploaded (ms; 0 unless a preset charges it). */
  readonly loadMs: Float64Array;
  /** Bytes of learned parameters to upload for each node. */
  readonly paramBytes: Float64Array;
  /** Bytes of the node's output tensor that consumers read (what a transfer of its result costs). */
  readonly outputBytes: Float64Array;
  /** 1 for virtual nodes (an input node without a layer, a virtual sink), 0 otherwise. */
  readonly virtual: Uint8Array;
  /** `memberLayers[memberOffsets[v] .. memberOffsets[v + 1])`: runtime layer indices node `v` stands for. */
  readonly memberOffsets: Int32Array;
  /** Runtime layer indices, concatenated per node. */
  readonly memberLayers: Int32Array;
  /** Runtime layer names by runtime index, when the DAG was built from a network. */
  readonly layerNames?: readonly string[];
  /** Runtime layers left out of the DAG (times dropped), in runtime order. */
  readonly omittedLayers?: readonly number[];
}

/** What {@link createCostedDag} needs: the real nodes, their edges and costs. */
export interface CostedDagSpec {
  /** Names of the real nodes (layers), in runtime order. */
  readonly names: readonly string[];
  /**
   * Edges between real nodes, as indices into {@link CostedDagSpec.names}:
   * either a flat array `[from0, to0, from1, to1, …]` or a list of pairs.
   * A `from` of `-1` is the input node. Nodes without predecessors are fed
   * by the input node.
   */
  readonly edges: ArrayLike<number> | readonly (readonly [number, number])[];
  /** Client time per node (ms). */
  readonly clientMs: ArrayLike<number>;
  /** Server time per node (ms). */
  readonly serverMs: ArrayLike<number>;
  /** Server loading time per node (ms; default 0). */
  readonly loadMs?: ArrayLike<number>;
  /** Parameter bytes per node (default 0). */
  readonly paramBytes?: ArrayLike<number>;
  /** Output bytes per node. */
  readonly outputBytes: ArrayLike<number>;
  /** Bytes of the network input (the input node's output). */
  readonly inputBytes: number;
  /** Runtime layers each node stands for (default: node `i` stands for layer `i`). */
  readonly members?: readonly (readonly number[])[];
  /** One runtime layer per node (node `i` stands for layer `memberLayer[i]`), a flat alternative to {@link CostedDagSpec.members} (ignored when `members` is given). */
  readonly memberLayer?: ArrayLike<number>;
  /** Name of the input node (default `<input>`). */
  readonly inputName?: string;
  /** Runtime layers the input node stands for (e.g. the Input layers; default none, i.e. virtual). */
  readonly inputMembers?: readonly number[];
  /** Runtime layer names by runtime index. */
  readonly layerNames?: readonly string[];
  /** Runtime layers left out of the DAG. */
  readonly omittedLayers?: readonly number[];
}

function checkCosts(name: string, values: ArrayLike<number> | undefined, n: number, names: readonly string[]): void {
  if (values === undefined) return;
  if (values.length !== n) {
    throw new InvalidArgumentError(`createCostedDag: ${name} has ${values.length} entries for ${n} nodes`);
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0) || v === Infinity) {
      throw new InvalidArgumentError(`createCostedDag: ${name}[${i}] (node ${names[i]}) is ${v}; expected a finite number ≥ 0`);
    }
  }
}

/**
 * Builds a {@link CostedDag} from real nodes and edges: adds the input node
 * (node 0, feeding every node without predecessors) and, when several nodes
 * have no successors, a virtual sink `<output>` whose output bytes are the sum
 * of theirs. Nodes keep their given order when it is topological; otherwise
 * they are renumbered in a topological order. Runs in `O(n + e)`.
 *
 * @throws {InvalidModelError} when the edges contain a cycle (the message names a node on it), or there are no nodes.
 * @throws {InvalidArgumentError} on costs of the wrong length, negative or NaN costs, or edge indices out of range.
 * @example
 * const dag = createCostedDag({
 *   names: ["a", "b"], edges: [[0, 1]], clientMs: [5, 7], serverMs: [1, 1],
 *   paramBytes: [400, 800], outputBytes: [40, 4], inputBytes: 100,
 * });
 * dag.size; // 3: <input> (node 0), a, b (the sink, node 2)
 */
export function createCostedDag(spec: CostedDagSpec): CostedDag {
  return typedCostedDag(createPlainCostedDag(spec));
}

/**
 * A {@link CostedDag} held in plain JS arrays: what the planner pipeline
 * builds for itself (a network of 10^6 layers needs hundreds of MB of
 * per-node arrays; as typed arrays that is external memory, and each 64 MB
 * of it makes V8 run a full GC over the whole heap). Same fields, same
 * values as the typed form ({@link typedCostedDag}).
 * @internal
 */
export interface PlainCostedDag {
  readonly size: number;
  readonly predOffsets: readonly number[];
  readonly predIndices: readonly number[];
  readonly succOffsets: readonly number[];
  readonly succIndices: readonly number[];
  readonly names: readonly string[];
  readonly source: number;
  readonly sink: number;
  readonly clientMs: readonly number[];
  readonly serverMs: readonly number[];
  readonly loadMs: readonly number[];
  readonly paramBytes: readonly number[];
  readonly outputBytes: readonly number[];
  readonly virtual: readonly number[];
  readonly memberOffsets: readonly number[];
  readonly memberLayers: readonly number[];
  readonly layerNames?: readonly string[];
  readonly omittedLayers?: readonly number[];
}

/** A plain array of `n` zeros. */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** The typed {@link CostedDag} of a {@link PlainCostedDag} (the same fields and values, in typed arrays). `O(n + e)`. @internal */
export function typedCostedDag(plain: PlainCostedDag): CostedDag {
  return {
    size: plain.size,
    predOffsets: new Int32Array(plain.predOffsets),
    predIndices: new Int32Array(plain.predIndices),
    succOffsets: new Int32Array(plain.succOffsets),
    succIndices: new Int32Array(plain.succIndices),
    names: plain.names,
    source: plain.source,
    sink: plain.sink,
    clientMs: new Float64Array(plain.clientMs),
    serverMs: new Float64Array(plain.serverMs),
    loadMs: new Float64Array(plain.loadMs),
    paramBytes: new Float64Array(plain.paramBytes),
    outputBytes: new Float64Array(plain.outputBytes),
    virtual: new Uint8Array(plain.virtual),
    memberOffsets: new Int32Array(plain.memberOffsets),
    memberLayers: new Int32Array(plain.memberLayers),
    ...(plain.layerNames ? { layerNames: plain.layerNames } : {}),
    ...(plain.omittedLayers ? { omittedLayers: plain.omittedLayers } : {}),
  };
}

/** {@link createCostedDag} in plain arrays (see {@link PlainCostedDag}); same checks, same errors. @internal */
export function createPlainCostedDag(spec: CostedDagSpec): PlainCostedDag {
  const n = spec.names.length;
  const names = spec.names;
  if (n === 0) throw new InvalidModelError("createCostedDag: the network has no layers to plan (only input or omitted layers)");
  checkCosts("clientMs", spec.clientMs, n, names);
  checkCosts("serverMs", spec.serverMs, n, names);
  checkCosts("loadMs", spec.loadMs, n, names);
  checkCosts("paramBytes", spec.paramBytes, n, names);
  checkCosts("outputBytes", spec.outputBytes, n, names);
  if (!(spec.inputBytes >= 0) || spec.inputBytes === Infinity) {
    throw new InvalidArgumentError(`createCostedDag: inputBytes is ${spec.inputBytes}; expected a finite number ≥ 0`);
  }
  // one function per pass: V8 optimizes each loop on its own feedback
  const { flat, forward } = checkedFlatEdges(spec, n);
  // order[k] = original index of the k-th real node in topological order (none: the given order is topological).
  const order: Int32Array | undefined = forward ? undefined : topologicalOrder(n, flat, names);
  const { size, from, to } = completedEdges(n, flat, order);
  const csr = plainCsr(size, from, to);
  const { outNames, clientMs, serverMs, loadMs, paramBytes, outputBytes, virtual, memberOffsets, memberLayers } = nodeArrays(spec, size, order);
  if (size === n + 2) {
    // the virtual sink: its output is every sink's
    const s = size - 1;
    outNames[s] = "<output>";
    virtual[s] = 1;
    for (let p = csr.predOffsets[s]!; p < csr.predOffsets[s + 1]!; p++) outputBytes[s] += outputBytes[csr.predIndices[p]!]!;
    memberOffsets[s + 1] = memberOffsets[s]!;
  }
  return {
    ...csr,
    names: outNames,
    source: 0,
    sink: size - 1,
    clientMs,
    serverMs,
    loadMs,
    paramBytes,
    outputBytes,
    virtual,
    memberOffsets,
    memberLayers,
    ...(spec.layerNames ? { layerNames: spec.layerNames } : {}),
    ...(spec.omittedLayers ? { omittedLayers: spec.omittedLayers } : {}),
  };
}

/** The edges of a spec as a flat array, checked; `forward` when every edge goes to a later node. */
function checkedFlatEdges(spec: CostedDagSpec, n: number): { flat: ArrayLike<number>; forward: boolean } {
  let flat: ArrayLike<number>;
  const raw = spec.edges as ArrayLike<unknown>;
  if (raw.length > 0 && Array.isArray(raw[0])) {
    const pairs = spec.edges as readonly (readonly [number, number])[];
    const f = zeros(pairs.length * 2);
    for (let i = 0; i < pairs.length; i++) {
      f[2 * i] = pairs[i]![0];
      f[2 * i + 1] = pairs[i]![1];
    }
    flat = f;
  } else {
    flat = spec.edges as ArrayLike<number>;
  }
  if (flat.length % 2 !== 0) throw new InvalidArgumentError("createCostedDag: edges has an odd length");
  const e = flat.length / 2;
  let forward = true;
  for (let i = 0; i < e; i++) {
    const a = flat[2 * i]!;
    const b = flat[2 * i + 1]!;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < -1 || b < 0 || a >= n || b >= n) {
      throw new InvalidArgumentError(`createCostedDag: edge ${i} (${a} → ${b}) is out of range for ${n} nodes`);
    }
    if (a >= b) forward = false;
  }
  return { flat, forward };
}

/**
 * The DAG's edges in its node numbering (the input node 0, the real nodes
 * from 1 in `order`): the given edges, the input node to every real source,
 * and, when there are several real sinks, each of them to a virtual sink
 * (then `size` is `n + 2`, else `n + 1`).
 */
function completedEdges(n: number, flat: ArrayLike<number>, order: Int32Array | undefined): { size: number; from: number[]; to: number[] } {
  const e = flat.length / 2;
  // original → new (1-based, after the input node)
  let position: number[] | undefined;
  if (order !== undefined) {
    position = zeros(n);
    for (let k = 0; k < n; k++) position[order[k]!] = k + 1;
  }
  // Count degrees among real nodes to find sources and sinks.
  const indeg = zeros(n);
  const outdeg = zeros(n);
  for (let i = 0; i < e; i++) {
    const a = flat[2 * i]!;
    if (a >= 0) outdeg[a]++;
    indeg[flat[2 * i + 1]!]++;
  }
  let sinks = 0;
  let sources = 0;
  for (let i = 0; i < n; i++) {
    if (outdeg[i] === 0) sinks++;
    if (indeg[i] === 0) sources++;
  }
  const virtualSink = sinks !== 1;
  const size = n + 1 + (virtualSink ? 1 : 0);
  const totalEdges = e + sources + (virtualSink ? sinks : 0);
  const from = zeros(totalEdges);
  const to = zeros(totalEdges);
  let m = 0;
  for (let i = 0; i < e; i++) {
    const a = flat[2 * i]!;
    const b = flat[2 * i + 1]!;
    from[m] = a < 0 ? 0 : position === undefined ? a + 1 : position[a]!;
    to[m] = position === undefined ? b + 1 : position[b]!;
    m++;
  }
  for (let k = 0; k < n; k++) {
    const i = order === undefined ? k : order[k]!;
    if (indeg[i] === 0) {
      from[m] = 0;
      to[m] = k + 1;
      m++;
    }
  }
  if (virtualSink) {
    for (let k = 0; k < n; k++) {
      const i = order === undefined ? k : order[k]!;
      if (outdeg[i] === 0) {
        from[m] = k + 1;
        to[m] = size - 1;
        m++;
      }
    }
  }
  return { size, from, to };
}

/** The per-node arrays of the DAG (`size` nodes: the input node, the real nodes in `order`, maybe a virtual sink left for the caller). */
function nodeArrays(spec: CostedDagSpec, size: number, order: Int32Array | undefined) {
  const n = spec.names.length;
  const names = spec.names;
  const outNames: string[] = new Array<string>(size);
  outNames[0] = spec.inputName ?? "<input>";
  const clientMs = zeros(size);
  const serverMs = zeros(size);
  const loadMs = zeros(size);
  const paramBytes = zeros(size);
  const outputBytes = zeros(size);
  const virtual = zeros(size);
  outputBytes[0] = spec.inputBytes;
  const inputMembers = spec.inputMembers ?? [];
  virtual[0] = inputMembers.length === 0 ? 1 : 0;
  const memberOffsets = zeros(size + 1);
  let memberCount = inputMembers.length;
  for (let k = 0; k < n; k++) memberCount += spec.members ? spec.members[order === undefined ? k : order[k]!]!.length : 1;
  const memberLayers = zeros(memberCount);
  let mp = 0;
  for (const l of inputMembers) memberLayers[mp++] = l;
  memberOffsets[1] = mp;
  const specLoadMs = spec.loadMs;
  const specParamBytes = spec.paramBytes;
  const specMemberLayer = spec.memberLayer;
  for (let k = 0; k < n; k++) {
    const i = order === undefined ? k : order[k]!;
    const v = k + 1;
    outNames[v] = names[i]!;
    clientMs[v] = spec.clientMs[i]!;
    serverMs[v] = spec.serverMs[i]!;
    loadMs[v] = specLoadMs ? specLoadMs[i]! : 0;
    paramBytes[v] = specParamBytes ? specParamBytes[i]! : 0;
    outputBytes[v] = spec.outputBytes[i]!;
    if (spec.members) for (const l of spec.members[i]!) memberLayers[mp++] = l;
    else memberLayers[mp++] = specMemberLayer ? specMemberLayer[i]! : i;
    memberOffsets[v + 1] = mp;
  }
  return { outNames, clientMs, serverMs, loadMs, paramBytes, outputBytes, virtual, memberOffsets, memberLayers };
}

/** An array of numbers, typed or plain, as the CSR builder fills it. */
interface NumberList {
  [index: number]: number;
  readonly length: number;
  slice(start?: number, end?: number): NumberList;
}

/** Both CSR directions from parallel edge arrays, in arrays made by `alloc` (zero-filled). `O(n + e)`. */
function csrWith<A extends NumberList>(size: number, from: ArrayLike<number>, to: ArrayLike<number>, alloc: (n: number) => A): { size: number; predOffsets: A; predIndices: A; succOffsets: A; succIndices: A } {
  const e = from.length;
  const predOffsets = alloc(size + 1);
  const succOffsets = alloc(size + 1);
  for (let i = 0; i < e; i++) {
    succOffsets[from[i]! + 1]++;
    predOffsets[to[i]! + 1]++;
  }
  for (let v = 0; v < size; v++) {
    succOffsets[v + 1] += succOffsets[v]!;
    predOffsets[v + 1] += predOffsets[v]!;
  }
  const succIndices = alloc(e);
  const predIndices = alloc(e);
  const sFill = succOffsets.slice(0, size);
  const pFill = predOffsets.slice(0, size);
  for (let i = 0; i < e; i++) {
    const a = from[i]!;
    const b = to[i]!;
    succIndices[sFill[a]!++] = b;
    predIndices[pFill[b]!++] = a;
  }
  return { size, predOffsets, predIndices, succOffsets, succIndices };
}

/** {@link buildCsr} in plain arrays. */
function plainCsr(size: number, from: readonly number[], to: readonly number[]): { size: number; predOffsets: number[]; predIndices: number[]; succOffsets: number[]; succIndices: number[] } {
  return csrWith(size, from, to, zeros);
}

/** Builds both CSR directions from parallel edge arrays. `O(n + e)`. */
export function buildCsr(size: number, from: Int32Array, to: Int32Array): CsrGraph {
  return csrWith(size, from, to, (n) => new Int32Array(n));
}

/**
 * Kahn's topological sort of `n` nodes with flat edges; ties resolved by the
 * smallest original index (a binary heap), so a nearly sorted input keeps its
 * order. Throws {@link InvalidModelError} naming a node on a cycle.
 */
function topologicalOrder(n: number, flat: ArrayLike<number>, names: readonly string[]): Int32Array {
  let e = 0;
  for (let i = 0; i < flat.length; i += 2) if (flat[i]! >= 0) e++;
  const from = new Int32Array(e);
  const to = new Int32Array(e);
  for (let i = 0, j = 0; i < flat.length; i += 2) {
    if (flat[i]! < 0) continue;
    from[j] = flat[i]!;
    to[j] = flat[i + 1]!;
    j++;
  }
  const csr = buildCsr(n, from, to);
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) indeg[v] = csr.predOffsets[v + 1]! - csr.predOffsets[v]!;
  const heap = new Int32Array(n);
  let hs = 0;
  const push = (x: number): void => {
    let i = hs++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= x) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = x;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--hs]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= hs) break;
      if (c + 1 < hs && heap[c + 1]! < heap[c]!) c++;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let v = 0; v < n; v++) if (indeg[v] === 0) push(v);
  const order = new Int32Array(n);
  let k = 0;
  while (hs > 0) {
    const v = pop();
    order[k++] = v;
    for (let p = csr.succOffsets[v]!; p < csr.succOffsets[v + 1]!; p++) {
      const w = csr.succIndices[p]!;
      if (--indeg[w] === 0) push(w);
    }
  }
  if (k < n) {
    // Every node left has a predecessor left; walking predecessors backwards must revisit a node: it is on a cycle.
    let v = 0;
    while (indeg[v] === 0) v++;
    const seen = new Uint8Array(n);
    while (!seen[v]) {
      seen[v] = 1;
      let next = -1;
      for (let p = csr.predOffsets[v]!; p < csr.predOffsets[v + 1]!; p++) {
        const u = csr.predIndices[p]!;
        if (indeg[u]! > 0) {
          next = u;
          break;
        }
      }
      v = next;
    }
    throw new InvalidModelError(`the layer graph has a cycle through layer "${names[v]}"`);
  }
  return order;
}
