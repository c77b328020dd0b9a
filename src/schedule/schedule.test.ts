import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { createCostedChain } from "../graph/chain.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { zooNetwork, ZOO_NAMES } from "../model/zoo/index.js";
import { planNetwork } from "../plan/plan-network.js";
import { simulate, simulationCosts } from "../sim/simulate.js";
import { enhancedUploadPlan } from "./enhanced.js";
import { resolveCosts } from "./model.js";
import { networkScheduleCosts } from "./network-costs.js";
import { resolveObjectiveOptions, uploadObjective } from "./objective.js";
import { optimalUploadPlan, scorePlan } from "./optimal.js";
import { planSchedule, planUpload } from "./planners.js";

const close = (a: number, b: number, relative: number) => Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));

describe("uploadObjective agrees with the simulator", () => {
  for (const name of ZOO_NAMES) {
    it(`${name} at 80 Mbps: local, all-at-once and ionn within 5 % (queries during the upload: 5 % or one query)`, async () => {
      const network = zooNetwork(name);
      const c = simulationCosts(network);
      const planned = planNetwork(network, { clientMs: c.clientMs, serverMs: c.serverMs }, { mbps: 80, K: 0.5, finalRound: true });
      const costs = networkScheduleCosts(network, planned.graph);
      const n = planned.graph.groups;
      const cases = [
        ["local", [], "best"],
        ["all-at-once", [Array.from({ length: n }, (_, g) => g)], "best"],
        ["ionn", planned.plan.partitions.map((p) => [...p.groups]), "all"],
      ] as const;
      for (const [policy, plan, placement] of cases) {
        const sim = await simulate({ network, policy, mbps: 80 });
        const value = uploadObjective(costs, plan, { placement });
        const mean = sim.queries.reduce((s, q) => s + q.latencyMs, 0) / sim.queries.length;
        expect(close(value.queriesInHorizon, sim.queries.length, 0.05), `${policy} queries`).toBe(true);
        expect(close(value.meanLatencyMs, mean, 0.05), `${policy} mean latency ${value.meanLatencyMs} vs ${mean}`).toBe(true);
        expect(Math.abs(value.queriesDuringUpload - sim.queriesDuringUpload) <= Math.max(1, 0.05 * sim.queriesDuringUpload), `${policy} during upload`).toBe(true);
        if (sim.uploadCompleteMs !== null) expect(close(value.uploadCompleteMs!, sim.uploadCompleteMs, 0.05), `${policy} upload`).toBe(true);
      }
    });
  }
});

/** A random small chain: every group parameterized. */
const chainArb = fc
  .record({
    groups: fc.array(
      fc.record({ clientMs: fc.integer({ min: 5, max: 200 }), serverMs: fc.integer({ min: 1, max: 20 }), kb: fc.integer({ min: 10, max: 4000 }), outKb: fc.integer({ min: 1, max: 800 }) }),
      { minLength: 1, maxLength: 6 },
    ),
    inKb: fc.integer({ min: 10, max: 800 }),
    mbps: fc.constantFrom(5, 20, 80),
    thinkMs: fc.constantFrom(0, 100, 500),
  })
  .map(({ groups, inKb, mbps, thinkMs }) => ({
    graph: buildExecutionGraph(
      createCostedChain(inKb * 1000, groups.map((g, i) => ({ name: `g${i}`, clientMs: g.clientMs, serverMs: g.serverMs, paramBytes: g.kb * 1000, outputBytes: g.outKb * 1000 }))),
      { mbps },
    ),
    thinkMs,
  }));

/** Every ordered partitioning of every subset of 0..n-1. */
function* orderedPartitions(items: number[]): Generator<number[][]> {
  yield [];
  if (items.length === 0) return;
  // choose a non-empty first block, then recurse on the rest
  const n = items.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const block = items.filter((_, i) => mask & (1 << i));
    const rest = items.filter((_, i) => !(mask & (1 << i)));
    for (const tail of orderedPartitions(rest)) yield [block, ...tail];
  }
}

describe("optimalUploadPlan", () => {
  it("the exact planner's objective equals brute-force enumeration of every ordered partitioning (fast-check, ≤ 6 groups)", () => {
    fc.assert(
      fc.property(chainArb, ({ graph, thinkMs }) => {
        const costs = { graph };
        const c = resolveCosts(costs);
        const o = resolveObjectiveOptions(c, { thinkMs, horizonMs: 20_000 });
        let best = -1;
        for (const plan of orderedPartitions(Array.from({ length: graph.groups }, (_, g) => g))) best = Math.max(best, scorePlan(c, plan, o).objective.queriesInWindow);
        const result = optimalUploadPlan(costs, { thinkMs, horizonMs: 20_000, timeBudgetMs: 60_000 });
        expect(result.exact).toBe(true);
        expect(result.objective.queriesInWindow).toBe(best);
      }),
      { numRuns: 60, seed: 9 },
    );
  }, 120_000);

  it("beyond maxExactGroups: exact false and an upper bound at least the score", () => {
    const network = zooNetwork("alexnet");
    const c = simulationCosts(network);
    const planned = planNetwork(network, { clientMs: c.clientMs, serverMs: c.serverMs }, { mbps: 80 });
    const result = optimalUploadPlan(networkScheduleCosts(network, planned.graph), { maxExactGroups: 2 });
    expect(result.exact).toBe(false);
    expect(result.bound!).toBeGreaterThanOrEqual(result.objective.score);
  });
});

describe("enhancedUploadPlan", () => {
  it("uploads only the steady-state target, each group once", () => {
    const network = zooNetwork("alexnet");
    const c = simulationCosts(network);
    const planned = planNetwork(network, { clientMs: c.clientMs, serverMs: c.serverMs }, { mbps: 80 });
    const { plan, target } = enhancedUploadPlan({ graph: planned.graph });
    const flat = plan.flat().sort((a, b) => a - b);
    expect(flat).toEqual([...target].sort((a, b) => a - b));
    expect(plan.every((p) => p.length > 0)).toBe(true);
  });
  it("a chain whose parameter-free range scores: no division by zero", () => {
    const graph = buildExecutionGraph(
      createCostedChain(1000, [
        { name: "a", clientMs: 50, serverMs: 1, paramBytes: 0, outputBytes: 1000 },
        { name: "b", clientMs: 50, serverMs: 1, paramBytes: 1e6, outputBytes: 1000 },
      ]),
      { mbps: 80 },
    );
    const { plan } = enhancedUploadPlan({ graph });
    expect(plan.flat().sort()).toEqual([0, 1]);
  });
});

describe("planners by name and bad input", () => {
  const network = zooNetwork("alexnet");
  const c = simulationCosts(network);
  it("planUpload gives one result type for ionn, enhanced and optimal", () => {
    for (const name of ["ionn", "enhanced", "optimal"] as const) {
      const r = planUpload(name, network, { clientMs: c.clientMs, serverMs: c.serverMs }, { mbps: 80 });
      expect(r.planner).toBe(name);
      expect(r.partitions.length).toBe(r.layerPartitions.length);
      expect(r.objective.queriesInWindow).toBeGreaterThan(0);
    }
  });
  it("typed errors naming the option", () => {
    const planned = planNetwork(network, { clientMs: c.clientMs, serverMs: c.serverMs }, { mbps: 80 });
    const costs = { graph: planned.graph };
    expect(() => uploadObjective(costs, [], { horizonMs: 0 })).toThrow(/horizonMs/);
    expect(() => uploadObjective(costs, [], { thinkMs: -1 })).toThrow(/thinkMs/);
    expect(() => optimalUploadPlan(costs, { timeBudgetMs: 0 })).toThrow(/timeBudgetMs/);
    expect(() => planSchedule("fastest", costs)).toThrow(/planner must be one of ionn, enhanced, optimal/);
    expect(() => planSchedule("fastest", costs)).toThrow(InvalidArgumentError);
    expect(() => uploadObjective(costs, [], { horizonMs: -5 })).toThrow(InvalidArgumentError);
  });
});
