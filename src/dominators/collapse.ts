/**
 * Collapsing a layer DAG into a chain of groups by the dominators of its
 * output, IONN §5.3 and Figure 6 (b): "we build NN execution graph as if
 * layers in between two neighboring dominators and the latter dominator are
 * just one layer". As in the IONN authors' code (conventions file), every
 * non-dominator node is merged into the group of the *next* dominator in
 * topological (runtime) order.
 *
 * @module
 */
import type { CostedChain } from "../graph/chain.js";
import type { CostedDag } from "../graph/costed-dag.js";
import { immediateDominators, type CsrArrays } from "./dominator-tree.js";

/**
 * Collapses a {@link CostedDag} into a {@link CostedChain}: one group per
 * dominator of the sink (the input node excluded), each holding its
 * dominator (the *head*) and the non-dominator nodes since the previous
 * dominator. A group's client/server/load times and parameter bytes are the
 * sums over its nodes; its input bytes are the previous head's output bytes
 * (counted once however many members read them; group 0: the network input,
 * i.e. the input node's output bytes); its output bytes are its head's.
 * Runs in `O(n + e)` after the dominator tree.
 *
 * @example
 * const chain = collapseByDominators(costedDagFromNetwork(net, costs));
 * chain.names; // e.g. ["conv1", "norm1", …]
 */
export function collapseByDominators(dag: CostedDag): CostedChain {
  return collapseDag(dag);
}

/** The fields of a costed DAG {@link collapseDag} reads, in any array form. @internal */
export interface CollapsibleDag extends CsrArrays {
  readonly source: number;
  readonly sink: number;
  readonly names: readonly string[];
  readonly clientMs: ArrayLike<number>;
  readonly serverMs: ArrayLike<number>;
  readonly loadMs: ArrayLike<number>;
  readonly paramBytes: ArrayLike<number>;
  readonly outputBytes: ArrayLike<number>;
  readonly memberOffsets: ArrayLike<number>;
  readonly memberLayers: ArrayLike<number>;
  readonly layerNames?: readonly string[];
}

/**
 * {@link collapseByDominators} of a DAG in any array form (the planner
 * pipeline's plain-array DAG, `PlainCostedDag`); its scratch state is in
 * plain arrays, the chain in typed arrays as {@link CostedChain} says.
 * @internal
 */
export function collapseDag(dag: CollapsibleDag): CostedChain {
  // one function per pass: V8 optimizes each loop on its own feedback
  const n = dag.size;
  const isDominator = dominatorFlags(dag);
  const { groupOfNode, groups } = groupNumbers(dag, isDominator);
  const sums = groupSums(dag, isDominator, groupOfNode, groups);
  const { layerOffsets, layers } = groupLayerLists(dag, sums.memberOffsets, groups);
  const firstNode = dag.source + 1;
  let memberNodeList: Int32Array | undefined;
  let groupOfNodeList: Int32Array | undefined;
  return {
    size: groups,
    names: sums.names,
    clientMs: sums.clientMs,
    serverMs: sums.serverMs,
    loadMs: sums.loadMs,
    paramBytes: sums.paramBytes,
    inputBytes: sums.inputBytes,
    outputBytes: sums.outputBytes,
    layerOffsets,
    layers,
    ...(dag.layerNames ? { layerNames: dag.layerNames } : {}),
    heads: sums.heads,
    memberOffsets: sums.memberOffsets,
    get memberNodes() {
      if (memberNodeList === undefined) {
        memberNodeList = new Int32Array(Math.max(0, n - firstNode));
        for (let k = 0; k < memberNodeList.length; k++) memberNodeList[k] = firstNode + k;
      }
      return memberNodeList;
    },
    get groupOfNode() {
      return (groupOfNodeList ??= Int32Array.from(groupOfNode));
    },
  };
}

/** 1 for each dominator of the sink (the source included), 0 for the other nodes. */
function dominatorFlags(dag: CollapsibleDag): number[] {
  const idom = immediateDominators(dag, dag.source);
  const isDominator = new Array<number>(dag.size).fill(0);
  for (let v = dag.sink; ; v = idom[v]!) {
    isDominator[v] = 1;
    if (v === dag.source) break;
  }
  return isDominator;
}

/** Each node's group: the next dominator's (in topological order); groups numbered from the input on. */
function groupNumbers(dag: CollapsibleDag, isDominator: readonly number[]): { groupOfNode: number[]; groups: number } {
  const n = dag.size;
  // Group numbers assigned from the back, then flipped.
  const groupOfNode = new Array<number>(n).fill(-1); // (the chain's Int32Array is made on first access)
  let groups = 0;
  for (let v = n - 1; v > dag.source; v--) {
    if (isDominator[v]) groups++;
    groupOfNode[v] = groups - 1;
  }
  for (let v = dag.source + 1; v < n; v++) groupOfNode[v] = groups - 1 - groupOfNode[v]!;
  return { groupOfNode, groups };
}

/** Per-group sums of the members' costs, the heads (and their names and output bytes), and the member ranges. */
function groupSums(dag: CollapsibleDag, isDominator: readonly number[], groupOfNode: readonly number[], groups: number) {
  const clientMs = new Float64Array(groups);
  const serverMs = new Float64Array(groups);
  const loadMs = new Float64Array(groups);
  const paramBytes = new Float64Array(groups);
  const inputBytes = new Float64Array(groups);
  const outputBytes = new Float64Array(groups);
  const heads = new Int32Array(groups);
  const memberOffsets = new Int32Array(groups + 1);
  const names: string[] = new Array(groups);
  // Nodes are in topological order and groups are contiguous ranges of it: member k of the
  // concatenated member lists is node source + 1 + k (memberNodes, made on first access).
  let m = 0;
  for (let v = dag.source + 1; v < dag.size; v++) {
    const g = groupOfNode[v]!;
    clientMs[g] += dag.clientMs[v]!;
    serverMs[g] += dag.serverMs[v]!;
    loadMs[g] += dag.loadMs[v]!;
    paramBytes[g] += dag.paramBytes[v]!;
    m++;
    memberOffsets[g + 1] = m;
    if (isDominator[v]) {
      heads[g] = v;
      names[g] = dag.names[v]!;
      outputBytes[g] = dag.outputBytes[v]!;
    }
  }
  for (let g = 0; g < groups; g++) inputBytes[g] = g === 0 ? dag.outputBytes[dag.source]! : outputBytes[g - 1]!;
  return { clientMs, serverMs, loadMs, paramBytes, inputBytes, outputBytes, heads, memberOffsets, names };
}

/** Runtime layers per group, sorted. */
function groupLayerLists(dag: CollapsibleDag, memberOffsets: Int32Array, groups: number): { layerOffsets: Int32Array; layers: Int32Array } {
  const firstNode = dag.source + 1;
  const layerOffsets = new Int32Array(groups + 1);
  let total = 0;
  for (let g = 0; g < groups; g++) {
    for (let k = memberOffsets[g]!; k < memberOffsets[g + 1]!; k++) {
      const v = firstNode + k;
      total += dag.memberOffsets[v + 1]! - dag.memberOffsets[v]!;
    }
    layerOffsets[g + 1] = total;
  }
  const layers = new Int32Array(total);
  for (let g = 0; g < groups; g++) {
    const start = layerOffsets[g]!;
    let p = start;
    let sorted = true;
    for (let k = memberOffsets[g]!; k < memberOffsets[g + 1]!; k++) {
      const v = firstNode + k;
      for (let q = dag.memberOffsets[v]!; q < dag.memberOffsets[v + 1]!; q++) {
        const layer = dag.memberLayers[q]!;
        if (p > start && layer < layers[p - 1]!) sorted = false;
        layers[p++] = layer;
      }
    }
    // (already ascending in runtime order, nearly always: no sort call per group)
    if (!sorted) layers.subarray(start, p).sort();
  }
  return { layerOffsets, layers };
}
