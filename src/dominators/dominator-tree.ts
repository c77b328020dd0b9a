/**
 * Dominator tree of a directed graph, IONN §5.3 ("we find dominators of the
 * output layer, which are layers that must be included in the path from the
 * input to the output").
 *
 * Algorithm: K. D. Cooper, T. J. Harvey and K. Kennedy, "A Simple, Fast
 * Dominance Algorithm", Software Practice & Experience 4:1–10, 2001
 * ([Reference]: https://www.cs.tufts.edu/comp/150FP/archive/keith-cooper/dom14.pdf).
 * Nodes are visited in reverse postorder of an iterative depth-first search;
 * `idom` is refined by intersecting the dominator-tree paths of the
 * processed predecessors until nothing changes. On a DAG one pass suffices
 * (every predecessor precedes its node in reverse postorder), plus one
 * confirming pass. All state lives in flat arrays of numbers.
 *
 * NOTE: the IONN authors' code computes dominators by iterative set
 * intersection (O(n²) memory); the result is the same, this is faster.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { CsrGraph } from "../graph/costed-dag.js";

/**
 * Immediate dominators of every node reachable from `root`: `idom[root] = root`,
 * `idom[v] = −1` for nodes not reachable from `root`. Runs in `O((n + e)·d)`
 * where `d` is the number of passes (2 on a DAG); memory `O(n)`.
 *
 * @throws {InvalidArgumentError} when `root` is not a node of the graph.
 * @example
 * const idom = dominatorTree(dag, dag.source);
 * // the dominators of the sink: dag.sink, idom[dag.sink], idom[idom[dag.sink]], …, dag.source
 */
export function dominatorTree(graph: CsrGraph, root: number): Int32Array {
  return Int32Array.from(immediateDominators(graph, root));
}

/** A CSR graph in any array form (typed, or plain as the planner pipeline holds it). @internal */
export interface CsrArrays {
  readonly size: number;
  readonly predOffsets: ArrayLike<number>;
  readonly predIndices: ArrayLike<number>;
  readonly succOffsets: ArrayLike<number>;
  readonly succIndices: ArrayLike<number>;
}

/**
 * {@link dominatorTree} on a graph in any array form, with its state and its
 * result in plain arrays (no typed arrays of the graph's size: see
 * `PlainCostedDag`).
 * @internal
 */
export function immediateDominators(graph: CsrArrays, root: number): number[] {
  const n = graph.size;
  if (!Number.isInteger(root) || root < 0 || root >= n) {
    throw new InvalidArgumentError(`dominatorTree: root ${root} is not a node of a graph of ${n} nodes`);
  }
  const { succOffsets, succIndices, predOffsets, predIndices } = graph;
  // Iterative DFS for postorder numbers.
  const postNumber = new Array<number>(n).fill(-1);
  const rpo = new Array<number>(n).fill(0); // filled from the back
  const visited = new Array<number>(n).fill(0);
  const stackNode = new Array<number>(n).fill(0);
  const stackEdge = new Array<number>(n).fill(0);
  let sp = 0;
  stackNode[0] = root;
  stackEdge[0] = succOffsets[root]!;
  visited[root] = 1;
  sp = 1;
  let post = 0;
  while (sp > 0) {
    const v = stackNode[sp - 1]!;
    const p = stackEdge[sp - 1]!;
    if (p < succOffsets[v + 1]!) {
      stackEdge[sp - 1] = p + 1;
      const w = succIndices[p]!;
      if (!visited[w]) {
        visited[w] = 1;
        stackNode[sp] = w;
        stackEdge[sp] = succOffsets[w]!;
        sp++;
      }
    } else {
      sp--;
      postNumber[v] = post++;
    }
  }
  const reachable = post;
  for (let v = 0; v < n; v++) if (postNumber[v]! >= 0) rpo[reachable - 1 - postNumber[v]!] = v;

  const idom = new Array<number>(n).fill(-1);
  idom[root] = root;
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 1; k < reachable; k++) {
      const v = rpo[k]!;
      let newIdom = -1;
      for (let p = predOffsets[v]!; p < predOffsets[v + 1]!; p++) {
        const u = predIndices[p]!;
        if (idom[u] === -1) continue; // unprocessed or unreachable
        if (newIdom === -1) {
          newIdom = u;
        } else {
          // intersect(u, newIdom)
          let f1 = u;
          let f2 = newIdom;
          while (f1 !== f2) {
            while (postNumber[f1]! < postNumber[f2]!) f1 = idom[f1]!;
            while (postNumber[f2]! < postNumber[f1]!) f2 = idom[f2]!;
          }
          newIdom = f1;
        }
      }
      if (idom[v] !== newIdom) {
        idom[v] = newIdom;
        changed = true;
      }
    }
  }
  return idom;
}

/**
 * The dominators of `node` from `node` up to the root (`node` first, the root
 * last), read off an `idom` array from {@link dominatorTree}. Empty when
 * `node` is unreachable. `O(depth)`.
 */
export function dominatorsOf(idom: Int32Array, node: number): number[] {
  const out: number[] = [];
  if (idom[node] === -1) return out;
  let v = node;
  for (;;) {
    out.push(v);
    const u = idom[v]!;
    if (u === v) break;
    v = u;
  }
  return out;
}
