/**
 * Re-planners for `enhanced` and `optimal` (issue 9 × issue 10's seam):
 * the registry, what a re-plan may name, and a re-planning simulation.
 */
import { describe, expect, it } from "vitest";
import { parseTraceSpec } from "../link/generators.js";
import { planningContext, replannerByName } from "../link/replan.js";
import { zooNetwork } from "../model/zoo/index.js";
import { simulate, simulationCosts } from "../sim/simulate.js";
import { planUpload } from "./planners.js";
import { registerScheduleReplanners, scheduleReplanner } from "./replanner.js";

describe("scheduleReplanner", () => {
  const network = zooNetwork("alexnet");
  const c = simulationCosts(network);
  const costs = { clientMs: c.clientMs, serverMs: c.serverMs };
  const context = planningContext(network, costs, { mbps: 80 });
  const everyLayer = network.layers.filter((l) => l.type !== "Input").map((l) => l.index);

  it("registered by name: replannerByName gives enhanced and optimal re-planners", () => {
    registerScheduleReplanners();
    for (const name of ["enhanced", "optimal"]) {
      const partitions = replannerByName(name)({ network, context, mbps: 80, held: new Set() });
      expect(partitions.length, name).toBeGreaterThan(0);
    }
  });

  it("the rest of an upload: never a held layer, each layer at most once, only layers of the network", () => {
    const first = planUpload("optimal", network, costs, { mbps: 80 });
    const held = new Set(first.layerPartitions[0]);
    for (const name of ["enhanced", "optimal"] as const) {
      for (const mbps of [5, 10, 80, 160]) {
        const rest = scheduleReplanner(name)({ network, context, mbps, held });
        const flat = rest.flat();
        expect(flat.filter((i) => held.has(i)), `${name} ${mbps}`).toEqual([]);
        expect(new Set(flat).size).toBe(flat.length);
        for (const i of flat) expect(everyLayer).toContain(i);
        expect(rest.every((p) => p.length > 0)).toBe(true);
      }
    }
    // nothing held: the optimal re-plan at 80 Mbps uploads the layers the optimal plan uploads
    const fresh = scheduleReplanner("optimal")({ network, context, mbps: 80, held: new Set() });
    expect(new Set(fresh.flat())).toEqual(new Set(first.layerPartitions.flat()));
  });

  it("typed errors naming the option", () => {
    expect(() => scheduleReplanner("ionn" as "optimal")).toThrow(/planner must be enhanced or optimal/);
    expect(() => scheduleReplanner("optimal", { timeBudgetMs: 0 })).toThrow(/timeBudgetMs/);
    expect(() => scheduleReplanner("optimal", { thinkMs: -1 })).toThrow(/thinkMs/);
    expect(() => scheduleReplanner("optimal", { horizonMs: 0 })).toThrow(/horizonMs/);
  });

  it("in the simulator (80 → 10 Mbps at 5 s, re-plan on the estimate with optimal): re-plans, nothing uploaded twice", async () => {
    const trace = parseTraceSpec("step:80@0,10@5000");
    const r = await simulate({ network: "alexnet", policy: "ionn", bandwidthTrace: trace, replan: { mode: "estimate", replanner: scheduleReplanner("optimal") }, seconds: 40 });
    expect(r.replans!.length).toBeGreaterThan(0);
    const names = r.partitions.flatMap((p) => p.layers);
    expect(new Set(names).size).toBe(names.length);
    expect(r.queries.length).toBeGreaterThan(0);
  });
});
