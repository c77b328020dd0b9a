/**
 * Tests of Algorithm 1 (IONN §5.2), its presets, plan evaluation and the
 * baselines: Figure 5 by hand, the reference preset's round counts, bad
 * input, property tests on random DAGs, and the published AlexNet profiles.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from "../../test/shared.js";
import { collapseByDominators } from "../dominators/collapse.js";
import { InvalidArgumentError, InvalidModelError } from "../errors.js";
import { createCostedChain, groupLayers } from "../graph/chain.js";
import { createCostedDag } from "../graph/costed-dag.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { shortestPath } from "../graph/shortest-path.js";
import { handNetwork } from "../graph/testing.js";
import { importCaffePrototxt } from "../model/caffe/index.js";
import type { Network } from "../model/types.js";
import { zooNetwork } from "../model/zoo/index.js";
import { allAtOnce, localOnly, singleSplit } from "./baselines.js";
import { ALEXNET_CLIENT_MS, ALEXNET_LAYER_NAMES, ALEXNET_SERVER_MS } from "./fixtures/alexnet-profiles.js";
import { planNetwork } from "./plan-network.js";
import { referenceLoadMs } from "./presets.js";
import { computeUploadPlan, expectedQueryTime, roundFactors } from "./upload-plan.js";

/*
 * Figure 5: four layers A–D, K = 0.5, paper preset (factors 1, 0.5, …, 0.5^6).
 * Bandwidth 1 byte/ms both ways, so bytes read as milliseconds. All server
 * times are 0 (a fast server), so only transfers and uploads matter.
 *
 *   input 10 B → A (client 30, params 40, out 10)
 *              → B (client 100, params 20, out 10)
 *              → C (client 30, params 40, out 10)
 *              → D (client 5, params 4, out 100)
 *
 * Path lengths at upload factor f (up = upload input, dn = download output):
 *   all client:      30 + 100 + 30 + 5                      = 165
 *   B only:          30 + up 10 + 20f + dn 10 + 30 + 5      = 85 + 20f
 *   A, B:            up 10 + 40f + 20f + dn 10 + 30 + 5     = 55 + 60f
 *   B, C:            30 + up 10 + 20f + 40f + dn 10 + 5     = 55 + 60f
 *   A, B, C:         up 10 + 40f + 20f + 40f + dn 10 + 5    = 25 + 100f
 *   A, B, C, D:      up 10 + 104f + dn 100                  ≥ 110 (D's output is large)
 * f = 1:   B only 105 < A,B 115 = B,C 115 < A,B,C 125 < 165 → plan {B}       → partition [B]
 * f = 0.5: A,B,C 75 < A,B 85 = B,C 85 < B only 95         → plan {A, B, C} → partition [A, C]
 * f ≤ 0.25: A,B,C stays the shortest (25 + 100f vs 85 + 20f, 55 + 60f) → same plan, not kept.
 * D is never uploaded: even at f = 0, running D on the server costs its
 * 100-byte download against 10 (C's output) + 5 on the client.
 */
const fig5 = createCostedChain(10, [
  { name: "A", clientMs: 30, serverMs: 0, paramBytes: 40, outputBytes: 10 },
  { name: "B", clientMs: 100, serverMs: 0, paramBytes: 20, outputBytes: 10 },
  { name: "C", clientMs: 30, serverMs: 0, paramBytes: 40, outputBytes: 10 },
  { name: "D", clientMs: 5, serverMs: 0, paramBytes: 4, outputBytes: 100 },
]);
const fig5Graph = buildExecutionGraph(fig5, { uplinkBytesPerMs: 1, downlinkBytesPerMs: 1 });

describe("computeUploadPlan(graph, options) — Figure 5", () => {
  const plan = computeUploadPlan(fig5Graph, { K: 0.5 });

  it("gives partitions [[B], [A, C]] and never uploads D", () => {
    expect(plan.partitions.map((p) => p.groups.map((g) => fig5.names[g]))).toEqual([["B"], ["A", "C"]]);
    expect(plan.partitions.flatMap((p) => p.groups)).not.toContain(3);
  });

  it("runs 7 rounds (0.5^n ≥ 0.01 for n ≤ 6) with the path lengths by hand", () => {
    expect(plan.rounds.map((r) => r.factor)).toEqual([1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625]);
    expect(plan.rounds.map((r) => r.pathMs)).toEqual([105, 75, 50, 37.5, 31.25, 28.125, 26.5625]);
    expect(plan.rounds.map((r) => r.kept)).toEqual([true, true, false, false, false, false, false]);
  });

  it("reports bytes and expected query times per partition", () => {
    // after [B]: 30 + 10 + 0 + 10 + 30 + 5 = 85; after [A, C] too: 10 + 0 + 0 + 0 + 10 + 5 = 25
    expect(plan.partitions.map((p) => p.bytes)).toEqual([20, 80]);
    expect(plan.partitions.map((p) => p.expectedQueryMs)).toEqual([85, 25]);
    expect(plan.localMs).toBe(165);
    expect(expectedQueryTime(fig5Graph, [1])).toBe(85);
    expect(expectedQueryTime(fig5Graph, [0, 1, 2, 3])).toBe(25);
  });

  it("serializes to JSON with rounds' server groups and the group descriptions", () => {
    const json = JSON.parse(JSON.stringify(plan)) as { rounds: { serverGroups: number[] }[]; groups: { name: string; bytes: number }[] };
    expect(json.rounds.map((r) => r.serverGroups)).toEqual([[1], [0, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 2], [0, 1, 2]]);
    expect(json.groups.map((g) => [g.name, g.bytes])).toEqual([["A", 40], ["B", 20], ["C", 40], ["D", 4]]);
  });

  it("gives the same plan when uploaded groups are charged nothing (alreadyUploaded: free)", () => {
    const free = computeUploadPlan(fig5Graph, { K: 0.5, alreadyUploaded: "free" });
    expect(free.partitions.map((p) => p.groups)).toEqual([[1], [0, 2]]);
  });

  it("baselines: local, all at once, single split", () => {
    expect(localOnly(fig5Graph).queryMs).toBe(165);
    const all = allAtOnce(fig5Graph);
    expect(all.queryMs).toBe(25);
    expect(all.serverGroups).toEqual([0, 1, 2]);
    expect(all.uploadBytes).toBe(104);
    // Splits (front on client, rear on server, no upload cost): p = 0: 10 + 0 + 100 = 110;
    // p = 1: 30 + 10 + 100 = 140; p = 2: 130 + 10 + 100; p = 3: 160 + 10 + 100; p = 4: 165 → p = 0.
    const split = singleSplit(fig5Graph);
    expect(split.splitIndex).toBe(0);
    expect(split.queryMs).toBe(110);
  });
});

describe("roundFactors / rounds per K (ionn-reference: float32, threshold 0.001, factor 0 last)", () => {
  const expected: [number, number][] = [
    [0.1, 4],
    [0.3, 7],
    [0.5, 11],
    [0.8, 32],
    [0.9, 67],
  ];
  for (const [K, rounds] of expected) {
    it(`K = ${K} runs ${rounds} rounds`, () => {
      const f = roundFactors(K, { threshold: 0.001, float32: true });
      expect(f.length).toBe(rounds);
      expect(f[f.length - 1]).toBe(0);
      expect(f[0]).toBe(1);
      const g32 = buildExecutionGraph(fig5, { uplinkBytesPerMs: 1, float32: true });
      expect(computeUploadPlan(g32, { K, threshold: 0.001 }).rounds.length).toBe(rounds);
    });
  }
  it("K = 0.1 in float64 with a final round runs one more (5)", () => {
    expect(roundFactors(0.1, { threshold: 0.001, finalRound: true })).toEqual([1, 0.1, 0.010000000000000002, 0.0010000000000000002, 0]);
  });
  it("stores the factor as float32(1 − float32(1 − K^level))", () => {
    const f = roundFactors(0.3, { threshold: 0.001, float32: true });
    expect(f[1]).toBe(Math.fround(1 - Math.fround(1 - 0.3)));
    expect(f[1]).not.toBe(0.3);
  });
});

describe("bad input", () => {
  for (const K of [0, 1, -0.5, NaN, 1.5]) {
    it(`K = ${K} is an InvalidArgumentError naming K`, () => {
      expect(() => computeUploadPlan(fig5Graph, { K })).toThrow(InvalidArgumentError);
      expect(() => computeUploadPlan(fig5Graph, { K })).toThrow(/K must be in \(0, 1\)/);
    });
  }
  it("threshold outside (0, 1] is rejected", () => {
    expect(() => computeUploadPlan(fig5Graph, { K: 0.5, threshold: 0 })).toThrow(/threshold/);
  });
  it("bandwidth 0 or negative through planNetwork names mbps", () => {
    const net = zooNetwork("alexnet");
    for (const mbps of [0, -1, NaN]) {
      expect(() => planNetwork(net, { clientMs: ALEXNET_CLIENT_MS, serverMs: ALEXNET_SERVER_MS }, { mbps })).toThrow(/mbps/);
    }
  });
  it("a cycle is an InvalidModelError naming a layer on it", () => {
    const base = handNetwork("cyc", [
      { name: "data", type: "Input", tops: ["data"] },
      { name: "p", type: "ReLU", bottoms: ["data"], tops: ["p"] },
      { name: "q", type: "ReLU", bottoms: ["p"], tops: ["q"] },
      { name: "r", type: "ReLU", bottoms: ["q"], tops: ["r"] },
    ]);
    // p reads r's output: p → q → r → p
    const layers = base.layers.map((l) => (l.name === "p" ? { ...l, inputs: [{ layer: 3, top: 0 }] } : l));
    const c = [0, 1, 1, 1];
    expect(() => planNetwork({ ...base, layers }, { clientMs: c, serverMs: c })).toThrow(InvalidModelError);
    expect(() => planNetwork({ ...base, layers }, { clientMs: c, serverMs: c })).toThrow(/cycle through layer "(p|q|r)"/);
  });
  it("an unknown preset is rejected", () => {
    const c = new Array(24).fill(1);
    expect(() => planNetwork(zooNetwork("alexnet"), { clientMs: c, serverMs: c }, { preset: "nope" as "paper" })).toThrow(/preset/);
  });
});

// Random DAG networks: n layers, forward edges, random costs and bandwidth.
const randomNetwork = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 2 * n }),
    client: fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { minLength: n, maxLength: n }),
    serverRatio: fc.array(fc.double({ min: 0.001, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
    params: fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: n, maxLength: n }),
    out: fc.array(fc.integer({ min: 4, max: 2_000_000 }), { minLength: n, maxLength: n }),
    load: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
    input: fc.integer({ min: 4, max: 1_000_000 }),
    mbps: fc.double({ min: 1, max: 500, noNaN: true }),
    K: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    float32: fc.boolean(),
    free: fc.boolean(),
  }),
);

describe("property tests on random DAG networks", () => {
  it("query time never increases across partitions; the final round reaches the optimum; each group is uploaded once", () => {
    fc.assert(
      fc.property(randomNetwork, (r) => {
        const dag = createCostedDag({
          names: Array.from({ length: r.n }, (_, i) => `l${i}`),
          edges: r.edges.filter(([a, b]) => a < b),
          clientMs: r.client,
          serverMs: r.client.map((c, i) => c * r.serverRatio[i]!),
          paramBytes: r.params,
          outputBytes: r.out,
          loadMs: r.load,
          inputBytes: r.input,
        });
        const chain = collapseByDominators(dag);
        const graph = buildExecutionGraph(chain, { mbps: r.mbps, float32: r.float32 });
        const plan = computeUploadPlan(graph, { K: r.K, finalRound: true, alreadyUploaded: r.free ? "free" : "decay" });
        let last = plan.localMs;
        for (const p of plan.partitions) {
          expect(p.groups.length).toBeGreaterThan(0);
          expect(p.expectedQueryMs).toBeLessThanOrEqual(last);
          last = p.expectedQueryMs;
        }
        const optimum = shortestPath(graph, 0).distanceMs;
        expect(last).toBe(optimum);
        const groups = plan.partitions.flatMap((p) => p.groups);
        expect(new Set(groups).size).toBe(groups.length);
        const layers = plan.partitions.flatMap((p) => p.layers);
        expect(new Set(layers).size).toBe(layers.length);
        for (const p of plan.partitions) {
          expect(p.layers).toEqual(p.groups.flatMap((g) => groupLayers(chain, g)).sort((a, b) => a - b));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The 13 groups of AlexNet under ionn-reference (conventions file), as runtime layer names. */
const ALEXNET_REFERENCE_GROUPS = [
  ["conv1"],
  ["relu1", "norm1"],
  ["pool1"],
  ["conv2"],
  ["relu2", "norm2"],
  ["pool2"],
  ["conv3"],
  ["relu3", "conv4"],
  ["relu4", "conv5"],
  ["relu5", "pool5"],
  ["fc6"],
  ["relu6", "drop6", "fc7"],
  ["relu7", "drop7", "fc8"],
];

function checkAlexNetReference(net: Network): void {
  expect(net.layers.map((l) => l.name)).toEqual([...ALEXNET_LAYER_NAMES]);
  const { plan, chain } = planNetwork(net, { clientMs: ALEXNET_CLIENT_MS, serverMs: ALEXNET_SERVER_MS }, { preset: "ionn-reference", mbps: 80, K: 0.5 });
  expect(chain.names).toEqual(["conv1", "norm1", "pool1", "conv2", "norm2", "pool2", "conv3", "conv4", "conv5", "pool5", "fc6", "fc7", "fc8"]);
  expect(plan.groups.map((g) => g.layerNames)).toEqual(ALEXNET_REFERENCE_GROUPS);
  // norm1 group: 35.954 + 2.5688 (conventions file)
  expect(chain.clientMs[1]).toBeCloseTo(38.5228, 10);
  // rounds kept at levels 0, 2, 7 of 11
  expect(plan.rounds.length).toBe(11);
  expect(plan.rounds.filter((r) => r.kept).map((r) => r.level)).toEqual([0, 2, 7]);
  expect(plan.partitions.map((p) => p.layerNames)).toEqual([
    ["conv1", "relu1", "norm1", "pool1", "conv2", "relu2", "norm2", "pool2"],
    ["conv3", "relu3", "conv4", "relu4", "conv5", "relu5", "pool5"],
    ["fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8"],
  ]);
  // parameter bytes: conv1+conv2 = (34944 + 307456)·4; conv3..5 = (885120 + 663936 + 442624)·4; fc = (37752832 + 16781312 + 4097000)·4
  expect(plan.partitions.map((p) => p.bytes)).toEqual([1369600, 7966720, 234524576]);
  // Server loading time (conventions): conv1 0.003·96 + 0.7; fc6 3e-7·4096·(9216·4 bytes) + 1.3
  expect(referenceLoadMs(net.layers[1]!)).toBeCloseTo(0.988, 12);
  expect(referenceLoadMs(net.layers[16]!)).toBeCloseTo(3e-7 * 4096 * 36864 + 1.3, 9);
}

describe("AlexNet with the published profiles, 80 Mbps, K = 0.5, ionn-reference", () => {
  it("zoo AlexNet: 13 groups and the authors' partitions [conv1…pool2], [conv3…pool5], [fc6…fc8]", () => {
    checkAlexNetReference(zooNetwork("alexnet"));
  });
  it.skipIf(!HAS_SHARED)(`../shared/models/alexnet.prototxt gives the same (${HAS_SHARED ? "present" : SHARED_SKIP_REASON})`, () => {
    checkAlexNetReference(importCaffePrototxt(readFileSync(sharedPath("models/alexnet.prototxt"), "utf8"), "alexnet.prototxt"));
  });
  it("the paper preset reads relu layers as nodes of the chain (23 groups: prob included)", () => {
    const { chain, plan } = planNetwork(zooNetwork("alexnet"), { clientMs: ALEXNET_CLIENT_MS, serverMs: ALEXNET_SERVER_MS }, { preset: "paper", mbps: 80, K: 0.5 });
    expect(chain.size).toBe(23);
    expect(plan.partitions.length).toBeGreaterThan(0);
    expect(plan.partitions[0]!.layerNames).toEqual(["conv1", "relu1", "norm1", "pool1", "conv2", "relu2", "norm2", "pool2"]);
  });
});

describe("planNetwork on the zoo networks (ionn-reference groups by hand)", () => {
  // Under blob-name edges the group heads are the layers every path passes
  // through, in-place layers excluded:
  // GoogLeNet: conv1/7x7_s2, pool1/3x3_s2, pool1/norm1, conv2/3x3_reduce, conv2/3x3, conv2/norm2,
  //   pool2/3x3_s2, inception_3a/output, inception_3b/output, pool3/3x3_s2, inception_4a…4e/output,
  //   pool4/3x3_s2, inception_5a/output, inception_5b/output, pool5/7x7_s1, loss3/classifier = 20.
  // ResNet-50: conv1, pool1, the 16 residual sums res2a … res5c, pool5, fc1000 = 20.
  const expected: [string, number, string[]][] = [
    ["googlenet", 20, ["conv1/7x7_s2", "pool1/3x3_s2", "pool1/norm1", "conv2/3x3_reduce", "conv2/3x3", "conv2/norm2", "pool2/3x3_s2", "inception_3a/output"]],
    ["resnet50", 20, ["conv1", "pool1", "res2a", "res2b", "res2c", "res3a"]],
  ];
  for (const [name, groups, first] of expected) {
    it(`${name}: ${groups} groups, a plan whose last partition reaches the optimum`, () => {
      const net = zooNetwork(name);
      const clientMs = net.layers.map((l) => l.macs / 5e5);
      const serverMs = net.layers.map((l) => l.macs / 5e8 + 0.005);
      const { chain, plan, graph } = planNetwork(net, { clientMs, serverMs }, { preset: "ionn-reference", mbps: 80, K: 0.5 });
      expect(chain.size).toBe(groups);
      expect(chain.names.slice(0, first.length)).toEqual(first);
      // every planned runtime layer is in exactly one group; Input, Split and prob are not
      const planned = Array.from(chain.layers);
      expect(new Set(planned).size).toBe(planned.length);
      const omitted = net.layers.filter((l) => !planned.includes(l.index)).map((l) => l.type);
      expect(new Set(omitted)).toEqual(new Set(["Input", "Split", "Softmax"]));
      const last = plan.partitions[plan.partitions.length - 1]!;
      expect(last.expectedQueryMs).toBe(shortestPath(graph, 0).distanceMs);
    });
  }
});
