import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { createCostedChain } from "../graph/chain.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { bruteForceUploadPlan } from "./brute-force.js";
import type { ScheduleCosts } from "./model.js";
import { uploadObjective } from "./objective.js";
import { optimalUploadPlan } from "./optimal.js";

/** A random chain of 1..6 groups; a group has no parameters with probability 1/4. */
const costsArb = fc
  .record({
    groups: fc.array(
      fc.record({ clientMs: fc.integer({ min: 5, max: 200 }), serverMs: fc.integer({ min: 1, max: 20 }), kb: fc.oneof(fc.constant(0), fc.integer({ min: 10, max: 4000 }), fc.integer({ min: 10, max: 4000 }), fc.integer({ min: 10, max: 4000 })), outKb: fc.integer({ min: 1, max: 800 }) }),
      { minLength: 1, maxLength: 6 },
    ),
    inKb: fc.integer({ min: 10, max: 800 }),
    mbps: fc.constantFrom(5, 20, 80),
    thinkMs: fc.constantFrom(0, 100, 500),
  })
  .map(({ groups, inKb, mbps, thinkMs }) => ({
    costs: {
      graph: buildExecutionGraph(
        createCostedChain(inKb * 1000, groups.map((g, i) => ({ name: `g${i}`, clientMs: g.clientMs, serverMs: g.serverMs, paramBytes: g.kb * 1000, outputBytes: g.outKb * 1000 }))),
        { mbps },
      ),
    } satisfies ScheduleCosts,
    thinkMs,
  }));

describe("bruteForceUploadPlan", () => {
  it("its plan scores its count through the public objective, sends every parameter-free group first, and the exact planner proves at least its count (equal without free groups)", () => {
    fc.assert(
      fc.property(costsArb, ({ costs, thinkMs }) => {
        const brute = bruteForceUploadPlan(costs, { thinkMs, placement: "best" });
        expect(uploadObjective(costs, brute.plan, { thinkMs, placement: "best" }).queriesInWindow).toBe(brute.queriesInWindow);
        const chain = costs.graph.chain;
        const free = Array.from({ length: chain.size }, (_, g) => g).filter((g) => chain.paramBytes[g] === 0);
        if (brute.plan.length > 0) for (const g of free) expect(brute.plan[0]).toContain(g);
        // the exact planner proves optimality among the same space (free groups first) and may return a better plan from
        // outside it (a seed sending a free group later or never); without free groups the space is every plan
        const optimal = optimalUploadPlan(costs, { thinkMs, placement: "best", timeBudgetMs: 5000 });
        expect(optimal.exact).toBe(true);
        expect(optimal.objective.queriesInWindow).toBeGreaterThanOrEqual(brute.queriesInWindow);
        if (free.length === 0) expect(optimal.objective.queriesInWindow).toBe(brute.queriesInWindow);
      }),
      { numRuns: 60 },
    );
  });

  it("with one parameterized group the space is {local, everything at once}: the better of the two, counted independently", () => {
    const graph = buildExecutionGraph(
      createCostedChain(150_000, [
        { name: "conv", clientMs: 120, serverMs: 4, paramBytes: 2_000_000, outputBytes: 40_000 },
        { name: "relu", clientMs: 3, serverMs: 1, paramBytes: 0, outputBytes: 40_000 },
      ]),
      { mbps: 20 },
    );
    for (const thinkMs of [0, 500]) {
      const local = uploadObjective({ graph }, [], { thinkMs, placement: "best" }).queriesInWindow;
      const all = uploadObjective({ graph }, [[0, 1]], { thinkMs, placement: "best" }).queriesInWindow;
      const brute = bruteForceUploadPlan({ graph }, { thinkMs, placement: "best" });
      expect(brute.plans).toBe(2);
      expect(brute.queriesInWindow).toBe(Math.max(local, all));
    }
  });

  it("refuses more groups than maxGroups and a repeated prefix group, naming the option", () => {
    const graph = buildExecutionGraph(
      createCostedChain(1000, Array.from({ length: 4 }, (_, i) => ({ name: `g${i}`, clientMs: 10, serverMs: 1, paramBytes: 1000, outputBytes: 100 }))),
      { mbps: 80 },
    );
    expect(() => bruteForceUploadPlan({ graph }, {}, { maxGroups: 3 })).toThrow(InvalidArgumentError);
    expect(() => bruteForceUploadPlan({ graph }, {}, { maxGroups: 3 })).toThrow(/maxGroups \(3\)/);
    expect(() => bruteForceUploadPlan({ graph }, {}, { prefix: [[0], [0]] })).toThrow(/prefix group 0/);
  });
});


describe("optimalUploadPlan's children option against brute force", () => {
  // Found by a random search over chains like the property tests' (loading times up to 400 ms): the filtered search alone
  // ("improving": each partition must lower the query time) proves 9 among its plans, while [[0, 1], [2]] completes 10 by T.
  const groups = [
    { name: "g0", clientMs: 151, serverMs: 11, paramBytes: 357_000, outputBytes: 46_000 },
    { name: "g1", clientMs: 17, serverMs: 2, paramBytes: 493_000, outputBytes: 337_000 },
    { name: "g2", clientMs: 155, serverMs: 3, paramBytes: 2_689_000, outputBytes: 17_000 },
    { name: "g3", clientMs: 125, serverMs: 19, paramBytes: 3_221_000, outputBytes: 501_000 },
    { name: "g4", clientMs: 6, serverMs: 5, paramBytes: 1_661_000, outputBytes: 757_000 },
    { name: "g5", clientMs: 141, serverMs: 16, paramBytes: 1_166_000, outputBytes: 259_000 },
  ];
  const costs: ScheduleCosts = {
    graph: buildExecutionGraph(createCostedChain(45_000, groups), { mbps: 20 }),
    loadMs: [115, 369, 72, 105, 200, 187],
    headerBytes: [34_000, 5000, 7000, 29_000, 27_000, 33_000],
    latencyMs: 0,
  };
  const options = { thinkMs: 100, horizonMs: 20_000 };

  it("brute force finds 10; the default (auto) and all find and prove it; improving alone stops at 9", () => {
    const brute = bruteForceUploadPlan(costs, { ...options, placement: "best" });
    expect(brute.queriesInWindow).toBe(10);
    expect(uploadObjective(costs, [[0, 1], [2]], { ...options, placement: "best" }).queriesInWindow).toBe(10);
    for (const children of [undefined, "all"] as const) {
      const result = optimalUploadPlan(costs, { ...options, timeBudgetMs: 30_000, ...(children ? { children } : {}) });
      expect(result.exact, String(children)).toBe(true);
      expect(result.objective.queriesInWindow, String(children)).toBe(10);
    }
    const improving = optimalUploadPlan(costs, { ...options, children: "improving", timeBudgetMs: 30_000 });
    expect(improving.objective.queriesInWindow).toBe(9);
    // what it proves is optimality among the improving plans only
    expect(improving.exact).toBe(true);
    expect(improving.exactAmongImproving).toBe(true);
  });

  it("an unknown children value is a typed error naming the option", () => {
    expect(() => optimalUploadPlan(costs, { ...options, children: "some" as "all" })).toThrow(InvalidArgumentError);
    expect(() => optimalUploadPlan(costs, { ...options, children: "some" as "all" })).toThrow(/children must be "auto", "improving" or "all"/);
  });
});
