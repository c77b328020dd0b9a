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
  it("its plan scores its count through the public objective, sends every parameter-free group first, and the exact planner agrees when it proves its count", () => {
    fc.assert(
      fc.property(costsArb, ({ costs, thinkMs }) => {
        const brute = bruteForceUploadPlan(costs, { thinkMs, placement: "best" });
        expect(uploadObjective(costs, brute.plan, { thinkMs, placement: "best" }).queriesInWindow).toBe(brute.queriesInWindow);
        const chain = costs.graph.chain;
        const free = Array.from({ length: chain.size }, (_, g) => g).filter((g) => chain.paramBytes[g] === 0);
        if (brute.plan.length > 0) for (const g of free) expect(brute.plan[0]).toContain(g);
        const optimal = optimalUploadPlan(costs, { thinkMs, placement: "best", timeBudgetMs: 5000 });
        expect(optimal.objective.queriesInWindow).toBeLessThanOrEqual(brute.queriesInWindow);
        if (optimal.exact) expect(optimal.objective.queriesInWindow).toBe(brute.queriesInWindow);
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

  it("refuses more parameterized groups than maxGroups, naming the option", () => {
    const graph = buildExecutionGraph(
      createCostedChain(1000, Array.from({ length: 4 }, (_, i) => ({ name: `g${i}`, clientMs: 10, serverMs: 1, paramBytes: 1000, outputBytes: 100 }))),
      { mbps: 80 },
    );
    expect(() => bruteForceUploadPlan({ graph }, {}, 3)).toThrow(InvalidArgumentError);
    expect(() => bruteForceUploadPlan({ graph }, {}, 3)).toThrow(/maxGroups \(3\)/);
  });
});
