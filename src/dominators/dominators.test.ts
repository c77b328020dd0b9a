/**
 * Tests of the dominator tree (Cooper–Harvey–Kennedy) against a naive
 * iterative set-intersection implementation, and of the collapse by
 * dominators (IONN §5.3, Figure 6).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { buildCsr, createCostedDag } from "../graph/costed-dag.js";
import { groupLayers } from "../graph/chain.js";
import { collapseByDominators } from "./collapse.js";
import { dominatorTree, dominatorsOf } from "./dominator-tree.js";

/** Naive dominators: Dom(root) = {root}; Dom(v) = {v} ∪ ⋂ Dom(preds), iterated to a fixpoint. O(n²) memory. */
function naiveDominatorSets(size: number, from: Int32Array, to: Int32Array, root: number): (Set<number> | null)[] {
  const preds: number[][] = Array.from({ length: size }, () => []);
  for (let i = 0; i < from.length; i++) preds[to[i]!]!.push(from[i]!);
  // reachability
  const succ: number[][] = Array.from({ length: size }, () => []);
  for (let i = 0; i < from.length; i++) succ[from[i]!]!.push(to[i]!);
  const reach = new Set([root]);
  const stack = [root];
  while (stack.length) for (const w of succ[stack.pop()!]!) if (!reach.has(w)) (reach.add(w), stack.push(w));
  const all = new Set(reach);
  const dom: (Set<number> | null)[] = Array.from({ length: size }, (_, v) => (reach.has(v) ? new Set(v === root ? [root] : all) : null));
  let changed = true;
  while (changed) {
    changed = false;
    for (let v = 0; v < size; v++) {
      if (v === root || !reach.has(v)) continue;
      let inter: Set<number> | null = null as Set<number> | null;
      for (const p of preds[v]!) {
        if (!reach.has(p)) continue;
        const d: Set<number> = dom[p]!;
        inter = inter === null ? new Set(d) : new Set([...inter].filter((x: number) => d.has(x)));
      }
      const next = new Set(inter ?? []);
      next.add(v);
      if (next.size !== dom[v]!.size) {
        dom[v] = next;
        changed = true;
      }
    }
  }
  return dom;
}

const randomDag = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 3 * n }),
      root: fc.integer({ min: 0, max: n - 1 }),
    }),
  );

describe("dominatorTree(graph, root)", () => {
  it("matches naive iterative set intersection on random DAGs", () => {
    fc.assert(
      fc.property(randomDag, ({ n, edges, root }) => {
        const forward = edges.filter(([a, b]) => a < b);
        const from = Int32Array.from(forward.map((e) => e[0]));
        const to = Int32Array.from(forward.map((e) => e[1]));
        const idom = dominatorTree(buildCsr(n, from, to), root);
        const naive = naiveDominatorSets(n, from, to, root);
        for (let v = 0; v < n; v++) {
          if (naive[v] === null) {
            expect(idom[v]).toBe(-1);
          } else {
            expect(new Set(dominatorsOf(idom, v))).toEqual(naive[v]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("matches the naive algorithm on random graphs with cycles too", () => {
    fc.assert(
      fc.property(randomDag, ({ n, edges, root }) => {
        const from = Int32Array.from(edges.map((e) => e[0]));
        const to = Int32Array.from(edges.map((e) => e[1]));
        const idom = dominatorTree(buildCsr(n, from, to), root);
        const naive = naiveDominatorSets(n, from, to, root);
        for (let v = 0; v < n; v++) {
          if (naive[v] === null) expect(idom[v]).toBe(-1);
          else expect(new Set(dominatorsOf(idom, v))).toEqual(naive[v]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("gives the diamond's immediate dominators by hand", () => {
    //   0 → 1 → 3 → 4
    //   0 → 2 → 3
    const idom = dominatorTree(buildCsr(5, Int32Array.from([0, 0, 1, 2, 3]), Int32Array.from([1, 2, 3, 3, 4])), 0);
    expect(Array.from(idom)).toEqual([0, 0, 0, 0, 3]);
  });

  it("rejects a root outside the graph", () => {
    expect(() => dominatorTree(buildCsr(2, new Int32Array(0), new Int32Array(0)), 5)).toThrow(InvalidArgumentError);
  });
});

describe("collapseByDominators(dag)", () => {
  // Figure 6: A's output feeds three layers X, Y, Z whose outputs are
  // concatenated by B; C follows.
  //
  //   input → A → X ─┐
  //             → Y ─┼→ B → C
  //             → Z ─┘
  const names = ["A", "X", "Y", "Z", "B", "C"];
  const dag = createCostedDag({
    names,
    edges: [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 5],
    ],
    clientMs: [10, 1, 2, 3, 4, 5],
    serverMs: [1, 0.1, 0.2, 0.3, 0.4, 0.5],
    paramBytes: [100, 10, 20, 30, 40, 50],
    loadMs: [0.5, 0.1, 0.1, 0.1, 0.1, 0.1],
    outputBytes: [1000, 300, 300, 400, 1000, 40],
    inputBytes: 600,
  });

  it("merges the layers between A and B with B (Figure 6 b)", () => {
    const chain = collapseByDominators(dag);
    expect(chain.names).toEqual(["A", "B", "C"]);
    expect(chain.size).toBe(3);
    expect(groupLayers(chain, 1)).toEqual([1, 2, 3, 4]); // X, Y, Z, B
    expect(Array.from(chain.clientMs)).toEqual([10, 1 + 2 + 3 + 4, 5]);
    expect(chain.serverMs[1]).toBeCloseTo(0.1 + 0.2 + 0.3 + 0.4, 12);
    expect(Array.from(chain.paramBytes)).toEqual([100, 100, 50]);
    expect(chain.loadMs[1]).toBeCloseTo(0.4, 12);
    // Input bytes: the network input for A; A's output once (not 3×) for the merged group.
    expect(Array.from(chain.inputBytes)).toEqual([600, 1000, 1000]);
    expect(Array.from(chain.outputBytes)).toEqual([1000, 1000, 40]);
    expect(Array.from(chain.groupOfNode!)).toEqual([-1, 0, 1, 1, 1, 1, 2]);
  });

  it("adds a virtual sink for two outputs and merges both branches into it", () => {
    //   input → A → B
    //             → C
    const two = createCostedDag({
      names: ["A", "B", "C"],
      edges: [
        [0, 1],
        [0, 2],
      ],
      clientMs: [1, 2, 3],
      serverMs: [0, 0, 0],
      outputBytes: [10, 20, 30],
      inputBytes: 5,
    });
    expect(two.size).toBe(5);
    expect(two.names[4]).toBe("<output>");
    expect(two.outputBytes[4]).toBe(50);
    const chain = collapseByDominators(two);
    expect(chain.names).toEqual(["A", "<output>"]);
    expect(groupLayers(chain, 1)).toEqual([1, 2]);
    expect(chain.outputBytes[1]).toBe(50);
  });

  it("merges two input branches into the first join (virtual source)", () => {
    //   input → P ─┐
    //   input → Q ─┴→ R
    const two = createCostedDag({
      names: ["P", "Q", "R"],
      edges: [
        [0, 2],
        [1, 2],
      ],
      clientMs: [1, 2, 3],
      serverMs: [0, 0, 0],
      outputBytes: [10, 20, 30],
      inputBytes: 7,
    });
    const chain = collapseByDominators(two);
    expect(chain.names).toEqual(["R"]);
    expect(chain.inputBytes[0]).toBe(7);
    expect(chain.clientMs[0]).toBe(6);
  });

  it("keeps total client, server and load time and parameter bytes on random DAGs", () => {
    fc.assert(
      fc.property(randomDag, fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 40, maxLength: 40 }), ({ n, edges }, costs) => {
        const forward = edges.filter(([a, b]) => a < b);
        const d = createCostedDag({
          names: Array.from({ length: n }, (_, i) => `n${i}`),
          edges: forward,
          clientMs: costs.slice(0, n),
          serverMs: costs.slice(0, n).map((x) => x / 7),
          loadMs: costs.slice(0, n).map((x) => x / 3),
          paramBytes: costs.slice(0, n).map((x) => Math.round(x * 1000)),
          outputBytes: costs.slice(0, n).map((x) => Math.round(x * 10)),
          inputBytes: 100,
        });
        const chain = collapseByDominators(d);
        const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
        expect(sum(chain.clientMs)).toBeCloseTo(sum(d.clientMs), 9);
        expect(sum(chain.serverMs)).toBeCloseTo(sum(d.serverMs), 9);
        expect(sum(chain.loadMs)).toBeCloseTo(sum(d.loadMs), 9);
        expect(sum(chain.paramBytes)).toBe(sum(d.paramBytes));
        // every real node in exactly one group
        expect(Array.from(chain.layers).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        // group heads are dominators: each group's head is its last member
        for (let g = 0; g < chain.size; g++) expect(chain.memberNodes![chain.memberOffsets![g + 1]! - 1]).toBe(chain.heads![g]);
      }),
      { numRuns: 200 },
    );
  });
});
