/**
 * Tests of the costed DAG construction (dataflow and blob-name edges), the
 * NN execution graph (IONN §5.1, Figure 4) and its shortest path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidModelError } from "../errors.js";
import { collapseByDominators } from "../dominators/collapse.js";
import { groupLayers, createCostedChain } from "./chain.js";
import { createCostedDag } from "./costed-dag.js";
import { buildExecutionGraph, bytesPerMs, EDGE_KINDS } from "./execution-graph.js";
import { costedDagFromNetwork } from "./from-network.js";
import { shortestPath, shortestPathByEdges } from "./shortest-path.js";
import { handNetwork } from "./testing.js";

// Figure 4: three layers A, B, C → nodes 0 (input), 1–3 (A), 4–6 (B), 7–9 (C), 10 (output).
// Uplink 2 bytes/ms, downlink 4 bytes/ms so transfers are easy to compute by hand.
const fig4 = createCostedChain(100, [
  { name: "A", clientMs: 10, serverMs: 1, paramBytes: 40, loadMs: 3, outputBytes: 20 },
  { name: "B", clientMs: 30, serverMs: 2, paramBytes: 400, outputBytes: 8 },
  { name: "C", clientMs: 5, serverMs: 0.5, paramBytes: 4, outputBytes: 40 },
]);

describe("buildExecutionGraph(chain, options) — Figure 4", () => {
  const graph = buildExecutionGraph(fig4, { uplinkBytesPerMs: 2, downlinkBytesPerMs: 4 });

  it("has 3n + 2 nodes and 5n edges", () => {
    expect(graph.nodeCount).toBe(11);
    expect(graph.edgeCount).toBe(15);
    expect(graph.graphology.order).toBe(11);
    expect(graph.graphology.size).toBe(15);
  });

  it("has the edges of Figure 4 with their kinds and weights by hand", () => {
    const edges = new Map<string, { kind: string; w: number }>();
    graph.graphology.forEachEdge((_e, a, s, t) => edges.set(`${s}-${t}`, { kind: a.kind, w: a.weight }));
    const expected: [string, string, number][] = [
      ["0-1", "input", 0],
      ["1-4", "client", 10], // A on the client
      ["1-2", "upload-input", 50], // 100 input bytes / 2
      ["2-3", "server", 1 + 40 / 2 + 3], // server + upload + load at factor 1
      ["3-4", "download-output", 5], // 20 bytes / 4
      ["3-5", "server-server", 0],
      ["4-7", "client", 30],
      ["4-5", "upload-input", 10], // A's output, 20 bytes / 2
      ["5-6", "server", 2 + 200],
      ["6-7", "download-output", 2],
      ["6-8", "server-server", 0],
      ["7-10", "client", 5],
      ["7-8", "upload-input", 4],
      ["8-9", "server", 0.5 + 2],
      ["9-10", "download-output", 10],
    ];
    expect(edges.size).toBe(expected.length);
    for (const [key, kind, w] of expected) {
      expect(edges.get(key), key).toEqual({ kind, w });
    }
    const sides = graph.graphology.mapNodes((_n, a) => a.side);
    expect(sides).toEqual(["client", "client", "server", "server", "client", "server", "server", "client", "server", "server", "client"]);
    expect(EDGE_KINDS).toContain("server-server");
  });

  it("keeps the weight components apart on server edges", () => {
    const a = graph.graphology.getEdgeAttributes("2", "3");
    expect(a).toMatchObject({ kind: "server", group: 0, executionMs: 1, transferMs: 0, uploadMs: 20, loadMs: 3 });
  });

  it("finds the shortest path by hand at factors 1 and 0", () => {
    // Factor 1: all local = 45; B on the server alone = 10 + 10 + 202 + 2 + 5 > 45; nothing beats 45.
    const p1 = shortestPath(graph, 1);
    expect(p1.distanceMs).toBe(45);
    expect(Array.from(p1.serverGroups)).toEqual([]);
    // Factor 0: A client (10) + up 10 + B server 2 + down 2 + C client 5 = 29;
    // all server: 50 + 1 + 2 + 0.5 + 10 = 63.5; B and C server: 10 + 10 + 2 + 0.5 + 10 = 32.5.
    const p0 = shortestPath(graph, 0);
    expect(p0.distanceMs).toBe(29);
    expect(Array.from(p0.serverGroups)).toEqual([1]);
    // Per-group factors: B forbidden → all local.
    expect(shortestPath(graph, [0, Infinity, 0]).distanceMs).toBe(45);
  });

  it("breaks ties in favour of the client", () => {
    // One group whose server route costs exactly its client time.
    const tie = createCostedChain(4, [{ name: "T", clientMs: 3, serverMs: 1, outputBytes: 4 }]);
    const g = buildExecutionGraph(tie, { uplinkBytesPerMs: 4 }); // 1 + 1 + 1 = 3
    const p = shortestPath(g, 1);
    expect(p.distanceMs).toBe(3);
    expect(Array.from(p.serverGroups)).toEqual([]);
  });

  it("converts megabits: 80 Mbps is 10000 bytes/ms (SI) or 10485.76 (2^20 bits)", () => {
    expect(bytesPerMs(80)).toBe(10000);
    expect(bytesPerMs(80, 1048576)).toBe(10485.76);
    expect(buildExecutionGraph(fig4, { mbps: 80, megabit: 1048576 }).uplinkBytesPerMs).toBe(10485.76);
  });

  it("rejects a bandwidth ≤ 0 or NaN, naming the option", () => {
    for (const bad of [0, -5, NaN]) {
      expect(() => buildExecutionGraph(fig4, { mbps: bad })).toThrow(InvalidArgumentError);
      expect(() => buildExecutionGraph(fig4, { mbps: bad })).toThrow(/mbps/);
      expect(() => buildExecutionGraph(fig4, { uplinkBytesPerMs: bad })).toThrow(/uplinkBytesPerMs/);
    }
    expect(() => buildExecutionGraph(fig4, { mbps: 10, downlinkMbps: 0 })).toThrow(/downlinkMbps/);
    expect(() => buildExecutionGraph(fig4, {})).toThrow(InvalidArgumentError);
  });
});

// A small AlexNet-like head with in-place layers and a branch through a Split.
//   data → conv1 → relu1 (in place) → norm1 → split → {a, b} → cat → prob
const small = handNetwork("small", [
  { name: "data", type: "Input", tops: ["data"], shapes: [[1, 3, 8, 8]] },
  { name: "conv1", type: "Convolution", bottoms: ["data"], tops: ["conv1"], shapes: [[1, 4, 4, 4]], parameters: 100 },
  { name: "relu1", type: "ReLU", bottoms: ["conv1"], tops: ["conv1"], shapes: [[1, 4, 4, 4]] },
  { name: "norm1", type: "LRN", bottoms: ["conv1"], tops: ["norm1"], shapes: [[1, 4, 4, 4]] },
  { name: "norm1_norm1_0_split", type: "Split", bottoms: ["norm1"], tops: ["norm1_s0", "norm1_s1"], shapes: [[1, 4, 4, 4]] },
  { name: "a", type: "Convolution", bottoms: ["norm1_s0"], tops: ["a"], shapes: [[1, 2, 4, 4]], parameters: 10 },
  { name: "b", type: "Convolution", bottoms: ["norm1_s1"], tops: ["b"], shapes: [[1, 2, 4, 4]], parameters: 20 },
  { name: "cat", type: "Concat", bottoms: ["a", "b"], tops: ["cat"], shapes: [[1, 4, 4, 4]] },
  { name: "prob", type: "Softmax", bottoms: ["cat"], tops: ["prob"], shapes: [[1, 4, 4, 4]] },
]);
const times = [0.5, 10, 1, 5, 0.25, 3, 4, 0.5, 0.125];
const costs = { clientMs: times, serverMs: times.map((t) => t / 10) };

describe("costedDagFromNetwork(network, costs, options)", () => {
  it("dataflow: the in-place ReLU is a node of the chain; Split and Softmax are nodes", () => {
    const dag = costedDagFromNetwork(small, costs, { edges: "dataflow" });
    expect(dag.names).toEqual(["data", "conv1", "relu1", "norm1", "norm1_norm1_0_split", "a", "b", "cat", "prob"]);
    const chain = collapseByDominators(dag);
    expect(chain.names).toEqual(["conv1", "relu1", "norm1", "norm1_norm1_0_split", "cat", "prob"]);
    expect(groupLayers(chain, 4)).toEqual([5, 6, 7]);
    expect(chain.inputBytes[0]).toBe(3 * 8 * 8 * 4);
    expect(chain.paramBytes[0]).toBe(400);
    // Split's output counts once.
    expect(chain.outputBytes[3]).toBe(4 * 4 * 4 * 4);
    expect(chain.inputBytes[4]).toBe(4 * 4 * 4 * 4);
  });

  it("blob-names: relu1 is bypassed and merged forward; Input, Split and output Softmax left out", () => {
    const dag = costedDagFromNetwork(small, costs, { edges: "blob-names" });
    expect(dag.names).toEqual(["data", "conv1", "relu1", "norm1", "a", "b", "cat"]); // node 0: the input (Input layer, time dropped)
    expect(dag.omittedLayers).toEqual([4, 8]);
    const chain = collapseByDominators(dag);
    expect(chain.names).toEqual(["conv1", "norm1", "cat"]);
    expect(groupLayers(chain, 1)).toEqual([2, 3]); // relu1 + norm1
    expect(groupLayers(chain, 2)).toEqual([5, 6, 7]); // a, b, cat (split contracted)
    expect(chain.clientMs[1]).toBe(1 + 5);
    // the Split's and prob's times are dropped, the input's too
    const total = Array.from(chain.clientMs).reduce((x, y) => x + y, 0);
    expect(total).toBe(10 + 1 + 5 + 3 + 4 + 0.5);
  });

  it("rejects costs that do not fit the network, naming the field", () => {
    expect(() => costedDagFromNetwork(small, { clientMs: [1], serverMs: times })).toThrow(/clientMs/);
    const bad = [...times];
    bad[3] = NaN;
    expect(() => costedDagFromNetwork(small, { clientMs: times, serverMs: bad })).toThrow(/norm1/);
  });

  it("rejects a cycle in the dataflow, naming a layer on it", () => {
    // Two layers that read each other's output: x reads y (a forward reference), y reads x.
    const base = handNetwork("cyc", [
      { name: "data", type: "Input", tops: ["data"] },
      { name: "x", type: "ReLU", bottoms: ["data"], tops: ["x"] },
      { name: "y", type: "ReLU", bottoms: ["x"], tops: ["y"] },
    ]);
    const layers = base.layers.map((l) => (l.name === "x" ? { ...l, inputs: [{ layer: 2, top: 0 }] } : l));
    const cyclic = { ...base, layers };
    const c = [0, 1, 1];
    expect(() => costedDagFromNetwork(cyclic, { clientMs: c, serverMs: c })).toThrow(InvalidModelError);
    expect(() => costedDagFromNetwork(cyclic, { clientMs: c, serverMs: c })).toThrow(/layer "(x|y)"/);
  });

  it("a network with nothing to plan is an InvalidModelError", () => {
    const only = handNetwork("only-input", [{ name: "data", type: "Input", tops: ["data"] }]);
    expect(() => costedDagFromNetwork(only, { clientMs: [0], serverMs: [0] })).toThrow(InvalidModelError);
  });

  it("createCostedDag renumbers a non-topological order and detects cycles", () => {
    const dag = createCostedDag({
      names: ["late", "early"],
      edges: [[1, 0]],
      clientMs: [1, 2],
      serverMs: [0, 0],
      outputBytes: [1, 1],
      inputBytes: 1,
    });
    expect(dag.names).toEqual(["<input>", "early", "late"]);
    expect(() =>
      createCostedDag({ names: ["p", "q", "r"], edges: [[0, 1], [1, 2], [2, 1]], clientMs: [1, 1, 1], serverMs: [0, 0, 0], outputBytes: [1, 1, 1], inputBytes: 1 }),
    ).toThrow(/cycle through layer "(q|r)"/);
  });
});

describe("shortestPath(graph, factor) — chain recurrence vs generic edge relaxation", () => {
  const group = fc.record({
    clientMs: fc.double({ min: 0, max: 100, noNaN: true }),
    serverMs: fc.double({ min: 0, max: 10, noNaN: true }),
    paramBytes: fc.integer({ min: 0, max: 1000 }),
    loadMs: fc.double({ min: 0, max: 5, noNaN: true }),
    outputBytes: fc.integer({ min: 0, max: 500 }),
  });
  // Small integers make ties frequent, so the tie rule is exercised too.
  const tieGroup = fc.record({
    clientMs: fc.integer({ min: 0, max: 4 }),
    serverMs: fc.integer({ min: 0, max: 2 }),
    paramBytes: fc.integer({ min: 0, max: 4 }),
    outputBytes: fc.integer({ min: 0, max: 4 }),
  });
  const factor = fc.oneof(fc.constant(0), fc.constant(Infinity), fc.double({ min: 0, max: 1, noNaN: true }));
  for (const [label, arb] of [
    ["random costs", group],
    ["tie-prone integer costs", tieGroup],
  ] as const) {
    it(`gives the same distance and server set (${label}, float64 and float32, uniform and per-group factors)`, () => {
      fc.assert(
        fc.property(
          fc.array(arb, { minLength: 1, maxLength: 25 }),
          fc.integer({ min: 0, max: 1000 }),
          fc.boolean(),
          fc.array(factor, { minLength: 25, maxLength: 25 }),
          (groups, input, float32, factors) => {
            const chain = createCostedChain(input, groups.map((g, i) => ({ name: `g${i}`, ...g })));
            const graph = buildExecutionGraph(chain, { uplinkBytesPerMs: 1, downlinkBytesPerMs: 2, float32 });
            for (const f of [factors[0]!, factors.slice(0, groups.length)]) {
              const a = shortestPath(graph, f);
              const b = shortestPathByEdges(graph, f);
              expect(a.distanceMs).toBe(b.distanceMs);
              expect(Array.from(a.serverGroups)).toEqual(Array.from(b.serverGroups));
            }
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});
