import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { createCostedChain } from "../graph/chain.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { zooNetwork, ZOO_NAMES } from "../model/zoo/index.js";
import { planNetwork } from "../plan/plan-network.js";
import { simulate, simulationCosts } from "../sim/simulate.js";
import { enhancedUploadPlan } from "./enhanced.js";
import type { ExecutionGraph } from "../graph/execution-graph.js";
import { pathCost, resolveCosts, type ScheduleCosts } from "./model.js";
import { networkScheduleCosts } from "./network-costs.js";
import { boundScore, prefixLoop, prefixLoopAndBound, prefixModel, resolveObjectiveOptions, tailScore, uploadObjective, type ObjectiveOptions } from "./objective.js";
import { nestedRootBound, optimalUploadPlan, prefixBounds, tabulate } from "./optimal.js";
import { planSchedule, planUpload } from "./planners.js";
import { bruteForceUploadPlan } from "./brute-force.js";

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

/** A random small chain of `minGroups..maxGroups` groups, every group parameterized. */
const chainArb = (minGroups: number, maxGroups: number) =>
  fc
    .record({
      groups: fc.array(
        fc.record({ clientMs: fc.integer({ min: 5, max: 200 }), serverMs: fc.integer({ min: 1, max: 20 }), kb: fc.integer({ min: 10, max: 4000 }), outKb: fc.integer({ min: 1, max: 800 }) }),
        { minLength: minGroups, maxLength: maxGroups },
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

/**
 * Brute force, independent of the branch and bound (`optimal.ts`): {@link bruteForceUploadPlan} over every ordered
 * partitioning of every subset of the groups (`freeWithFirst`: only those that send every parameter-free group in the
 * first partition, the space the exact planner searches; `prefix`: only its continuations), each scored by the
 * objective's own event loop; the best plan found is re-scored through the public {@link uploadObjective} to check that
 * shortcut. Returns the best count of queries completed by T.
 */
function bruteForceBest(costs: ScheduleCosts, options: ObjectiveOptions, freeWithFirst = false, prefix: readonly (readonly number[])[] = []): { best: number; plan: number[][] } {
  const { queriesInWindow: best, plan } = bruteForceUploadPlan(costs, options, { freeFirst: freeWithFirst, prefix });
  expect(uploadObjective(costs, plan, options).queriesInWindow, "brute force's shortcut agrees with uploadObjective").toBe(best);
  return { best, plan };
}

describe("optimalUploadPlan", () => {
  const exactEqualsBruteForce = (horizonMs: number) => ({ graph, thinkMs }: { graph: ExecutionGraph; thinkMs: number }) => {
    const { best } = bruteForceBest({ graph }, { thinkMs, horizonMs });
    const result = optimalUploadPlan({ graph }, { thinkMs, horizonMs, timeBudgetMs: 60_000 });
    expect(result.exact).toBe(true);
    expect(result.objective.queriesInWindow).toBe(best);
  };
  it("the exact planner's objective equals brute-force enumeration of every ordered partitioning (fast-check, 1–6 groups, 60 runs)", () => {
    fc.assert(fc.property(chainArb(1, 6), exactEqualsBruteForce(20_000)), { numRuns: 60, seed: 9 });
  }, 120_000);
  it("the same at 7 groups (fast-check, 6 runs: ~95 000 plans each)", () => {
    fc.assert(fc.property(chainArb(7, 7), exactEqualsBruteForce(20_000)), { numRuns: 6, seed: 97 });
  }, 120_000);
  // 1.09 M plans per network: a 1 ms horizon keeps the event loop to the window T
  // (queries completed by T, the count compared, do not depend on the horizon; only tie-breaks do).
  it("the same at 8 groups (fast-check, 3 runs: ~1.09 M plans each, horizon 1 ms so each replay stops at T)", () => {
    fc.assert(fc.property(chainArb(8, 8), exactEqualsBruteForce(1)), { numRuns: 3, seed: 98 });
  }, 180_000);

  // The bound charges each partition's loading time, header bytes and fixed frame, latencies and ACK (optimal.ts): chains with
  // loading times, headers and latencies, against brute force, with one partition or several in flight (uploadWindow 2 and 4: there
  // a first partition that lowers no query time can win by overlapping its loading with the next transfer, as in the counterexample
  // 5 groups, latency 20 ms, think 0, [[4], [2, 3], [1]] = 10 queries that the children filter used to miss; optimal.ts drops the
  // filter for windows > 1).
  const withCosts = fc.record({
    loadMs: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 8, maxLength: 8 }),
    headerKb: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 8, maxLength: 8 }),
    latencyMs: fc.constantFrom(0, 1, 20),
    uploadWindow: fc.constantFrom(1, 2, 4),
  });
  const exactWithCosts = (horizonMs: number) => ([{ graph, thinkMs }, extra]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number; uploadWindow: number }]) => {
    const n = graph.chain.size;
    const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
    const options = { thinkMs, horizonMs, uploadWindow: extra.uploadWindow };
    const { best } = bruteForceBest(costs, options);
    const result = optimalUploadPlan(costs, { ...options, timeBudgetMs: 60_000 });
    expect(result.exact).toBe(true);
    expect(result.objective.queriesInWindow).toBe(best);
  };
  it("the same with loading times, header bytes and latencies (fast-check, 1–6 groups, 150 runs)", () => {
    fc.assert(fc.property(fc.tuple(chainArb(1, 6), withCosts), exactWithCosts(20_000)), { numRuns: 150, seed: 19 });
  }, 180_000);
  it("the same with the nested relaxation on 2 groups, the others off the lattice (fast-check, 1–6 groups, 100 runs)", () => {
    const check = ([{ graph, thinkMs }, extra]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number }]) => {
      const n = graph.chain.size;
      const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const { best } = bruteForceBest(costs, { thinkMs, horizonMs: 20_000 });
      const result = optimalUploadPlan(costs, { thinkMs, horizonMs: 20_000, timeBudgetMs: 60_000, nestedBits: 2 });
      expect(result.exact).toBe(true);
      expect(result.objective.queriesInWindow).toBe(best);
    };
    fc.assert(fc.property(fc.tuple(chainArb(1, 6), withCosts), check), { numRuns: 100, seed: 29 });
  }, 180_000);
  it("the same with the relaxation's lattices cut by a small work cap, so that the root also runs its finer lattice (fast-check, 1–6 groups, 100 runs)", () => {
    const check = ([{ graph, thinkMs }, extra]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number }]) => {
      const n = graph.chain.size;
      const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const { best } = bruteForceBest(costs, { thinkMs, horizonMs: 20_000 });
      for (const children of ["auto", "all"] as const) {
        const result = optimalUploadPlan(costs, { thinkMs, horizonMs: 20_000, timeBudgetMs: 60_000, nestedWork: 3000, children });
        expect(result.exact, children).toBe(true);
        expect(result.objective.queriesInWindow, children).toBe(best);
      }
      // the cut lattice's root bound (on fewer groups, the rest given away) and the finer one's both bound every plan
      for (const work of [3000, 12_000]) expect(nestedRootBound(costs, { thinkMs, horizonMs: 20_000, nestedWork: work })).toBeGreaterThanOrEqual(best);
    };
    fc.assert(fc.property(fc.tuple(chainArb(1, 6), withCosts), check), { numRuns: 100, seed: 31 });
  }, 180_000);
  it("with parameter-free groups (their headers and loading times too): equal to brute force over the plans that send them with the first partition (fast-check, 1–6 groups, 150 runs)", () => {
    const withFree = fc.tuple(chainArb(1, 6), withCosts, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }));
    const check = ([{ graph, thinkMs }, extra, free]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number; uploadWindow: number }, boolean[]]) => {
      const chain = graph.chain;
      const n = chain.size;
      const paramBytes = Float64Array.from({ length: n }, (_, g) => (free[g] ? 0 : chain.paramBytes[g]!));
      const freed = buildExecutionGraph(
        createCostedChain(chain.inputBytes[0]!, Array.from({ length: n }, (_, g) => ({ name: `g${g}`, clientMs: chain.clientMs[g]!, serverMs: chain.serverMs[g]!, paramBytes: paramBytes[g]!, outputBytes: chain.outputBytes[g]! }))),
        { mbps: graph.uplinkBytesPerMs / 125 },
      );
      const costs: ScheduleCosts = { graph: freed, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const options = { thinkMs, horizonMs: 20_000, uploadWindow: extra.uploadWindow };
      const { best } = bruteForceBest(costs, options, true);
      const result = optimalUploadPlan(costs, { ...options, timeBudgetMs: 60_000 });
      expect(result.exact).toBe(true);
      expect(result.objective.queriesInWindow).toBeGreaterThanOrEqual(best);
      // the heuristic seeds may leave that space (free groups later or never): then they are at least as good
      expect(result.objective.queriesInWindow).toBeLessThanOrEqual(bruteForceBest(costs, options).best);
    };
    fc.assert(fc.property(withFree, check), { numRuns: 150, seed: 31 });
  }, 180_000);
  it("the same at 7 groups with loading times and headers (fast-check, 6 runs)", () => {
    fc.assert(fc.property(fc.tuple(chainArb(7, 7), withCosts), exactWithCosts(1)), { numRuns: 6, seed: 23 });
  }, 180_000);

  // The nested relaxation charges link sharing (optimal.ts: time dilation, charge levels, gap budget, the first query that
  // cannot wait): its count must never be below the best plan's, with several partitions in flight too (no charge there),
  // on full lattices and with groups off the lattice. No fixed seed: FC_SEED=random explores (FC_RUNS_SCALE=k runs k times more).
  const runsScale = Number(process.env.FC_RUNS_SCALE ?? 1);
  it("the nested relaxation's count is at least brute force's best (fast-check, 1–6 groups, loading times, headers, latencies, windows 1/2/4)", () => {
    const check = ([{ graph, thinkMs }, extra, bits]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number; uploadWindow: number }, number]) => {
      const n = graph.chain.size;
      const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const options = { thinkMs, horizonMs: 20_000, uploadWindow: extra.uploadWindow };
      const { best } = bruteForceBest(costs, options);
      expect(nestedRootBound(costs, { ...options, nestedBits: bits })).toBeGreaterThanOrEqual(best);
    };
    fc.assert(fc.property(fc.tuple(chainArb(1, 6), withCosts, fc.constantFrom(2, 14)), check), { numRuns: 200 * runsScale });
  }, 300_000);
  it("the same with fast uplinks and large loading times (frames short against the gaps, feature transfers that fit in a gap)", () => {
    const bigLoads = fc.record({
      loadMs: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 8, maxLength: 8 }),
      headerKb: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 8, maxLength: 8 }),
      latencyMs: fc.constantFrom(0, 1, 20),
      uploadWindow: fc.constant(1),
    });
    const check = ([{ graph, thinkMs }, extra]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number; uploadWindow: number }]) => {
      const n = graph.chain.size;
      const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const options = { thinkMs, horizonMs: 20_000 };
      const { best } = bruteForceBest(costs, options);
      expect(nestedRootBound(costs, options)).toBeGreaterThanOrEqual(best);
      // In this regime (loads of seconds against frames of milliseconds) the children filter alone (`children: "improving"`:
      // a partition must lower the query time) can miss the optimum: 5 groups, think 0, 80 Mbps, loads [943, 6, 1863, 1510,
      // 2988] ms: [[1], [2], [4], [3]] completes 45 queries by T, the best filtered plan 44 (splitting {3, 4} moves the small
      // frame past the long load, out of the feature transfers' way). So it is never above brute force, and the default
      // (`"auto"`: the filtered search, then the unfiltered one to prove its count) and `"all"` are exact.
      expect(optimalUploadPlan(costs, { ...options, children: "improving", timeBudgetMs: 60_000 }).objective.queriesInWindow).toBeLessThanOrEqual(best);
      for (const children of ["auto", "all"] as const) {
        const result = optimalUploadPlan(costs, { ...options, children, timeBudgetMs: 60_000 });
        expect(result.exact, children).toBe(true);
        expect(result.objective.queriesInWindow, children).toBe(best);
      }
      // the unfiltered search with the inner-node relaxation at every node (by default only on networks of 9 or more groups)
      const everywhere = optimalUploadPlan(costs, { ...options, children: "all", allInner: { minGroups: 0, minLeft: 0 }, timeBudgetMs: 60_000 });
      expect(everywhere.exact).toBe(true);
      expect(everywhere.objective.queriesInWindow).toBe(best);
    };
    fc.assert(fc.property(fc.tuple(chainArb(1, 6), bigLoads), check), { numRuns: 100 * runsScale });
  }, 300_000);
  // The search's bounds at an inner node (optimal.ts: the superset front with the first query after the prefix's last ACK not
  // waiting; the charged bound with its N / straddler / F phases and the charge folded into a second time coordinate, with the
  // node's own front and with its parent's; the nested relaxation from the node) bound every continuation of the prefix, and
  // the family bound at each child's earliest ACK every continuation through that child.
  const prefixArb = fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 8, maxLength: 8 });
  const prefixOf = (n: number, slots: number[]): number[][] => {
    const parts: number[][] = [[], [], [], []];
    for (let g = 0; g < n; g++) if (slots[g]! >= 0) parts[slots[g]!]!.push(g);
    return parts.filter((p) => p.length > 0);
  };
  const boundsAtLeastBruteForce = (loadMax: number, headerKbMax: number) => {
    const extraArb = fc.record({
      loadMs: fc.array(fc.integer({ min: 0, max: loadMax }), { minLength: 8, maxLength: 8 }),
      headerKb: fc.array(fc.integer({ min: 0, max: headerKbMax }), { minLength: 8, maxLength: 8 }),
      latencyMs: fc.constantFrom(0, 1, 20),
      uploadWindow: fc.constantFrom(1, 1, 2, 4),
      bits: fc.constantFrom(2, 14),
    });
    const check = ([{ graph, thinkMs }, extra, slots]: [{ graph: ExecutionGraph; thinkMs: number }, { loadMs: number[]; headerKb: number[]; latencyMs: number; uploadWindow: number; bits: number }, number[]]) => {
      const n = graph.chain.size;
      const costs: ScheduleCosts = { graph, loadMs: extra.loadMs.slice(0, n), headerBytes: extra.headerKb.slice(0, n).map((kb) => kb * 1000), latencyMs: extra.latencyMs };
      const options = { thinkMs, horizonMs: 20_000, uploadWindow: extra.uploadWindow };
      const prefix = prefixOf(n, slots);
      const { best } = bruteForceBest(costs, options, false, prefix);
      const bounds = prefixBounds(costs, prefix, { ...options, nestedBits: extra.bits });
      expect(bounds.plain, "superset front").toBeGreaterThanOrEqual(best);
      expect(bounds.charged, "charged, own front").toBeGreaterThanOrEqual(best);
      expect(bounds.chargedParent, "charged, parent's front").toBeGreaterThanOrEqual(best);
      expect(bounds.nested, "nested").toBeGreaterThanOrEqual(best);
      // the family bound at a child's earliest ACK bounds every continuation that sends that child next
      for (const { partition, count } of bounds.family) {
        expect(count, `family bound, next partition [${partition.join(", ")}]`).toBeGreaterThanOrEqual(bruteForceBest(costs, options, false, [...prefix, [...partition]]).best);
      }
    };
    return fc.property(fc.tuple(chainArb(1, 6), extraArb, prefixArb), check);
  };
  it("the search's bounds at any node are at least brute force's best continuation (fast-check, 1–6 groups, random prefixes, loading times, headers, latencies, windows 1/2/4)", () => {
    fc.assert(boundsAtLeastBruteForce(400, 300), { numRuns: 300 * runsScale });
  }, 300_000);
  it("the same with large loading times (seconds) against short frames", () => {
    fc.assert(boundsAtLeastBruteForce(3000, 50), { numRuns: 200 * runsScale });
  }, 300_000);
  // The nested relaxation's first query after a node (optimal.ts: its feature transfer is free only after the first frame
  // beyond its set is off the wire): small frames against long feature transfers and think times, so that many sets are
  // available by its raise and the transfer often overlaps that frame in part; sequential uploads (the argument's case).
  it("the nested relaxation's first-query charge: bounds at any node with small frames and long feature transfers are at least brute force's best", () => {
    const smallFrames = fc
      .record({
        groups: fc.array(
          fc.record({ clientMs: fc.integer({ min: 5, max: 300 }), serverMs: fc.integer({ min: 1, max: 20 }), kb: fc.integer({ min: 1, max: 600 }), outKb: fc.integer({ min: 1, max: 900 }) }),
          { minLength: 1, maxLength: 6 },
        ),
        inKb: fc.integer({ min: 50, max: 1500 }),
        mbps: fc.constantFrom(20, 80, 160),
        thinkMs: fc.constantFrom(0, 30, 100, 500),
        loadMs: fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 6, maxLength: 6 }),
        latencyMs: fc.constantFrom(0, 1, 5),
        bits: fc.constantFrom(2, 14),
        // most groups left for the continuation (a negative slot: not in the prefix)
        slots: fc.array(fc.integer({ min: -3, max: 1 }), { minLength: 8, maxLength: 8 }),
      })
      .map((r) => ({
        ...r,
        graph: buildExecutionGraph(
          createCostedChain(r.inKb * 1000, r.groups.map((g, i) => ({ name: `g${i}`, clientMs: g.clientMs, serverMs: g.serverMs, paramBytes: g.kb * 1000, outputBytes: g.outKb * 1000 }))),
          { mbps: r.mbps },
        ),
      }));
    const check = (r: { graph: ExecutionGraph; thinkMs: number; loadMs: number[]; latencyMs: number; bits: number; slots: number[] }) => {
      const n = r.graph.chain.size;
      const costs: ScheduleCosts = { graph: r.graph, loadMs: r.loadMs.slice(0, n), latencyMs: r.latencyMs };
      const options = { thinkMs: r.thinkMs, horizonMs: 20_000 };
      const prefix = prefixOf(n, r.slots);
      const { best } = bruteForceBest(costs, options, false, prefix);
      expect(prefixBounds(costs, prefix, { ...options, nestedBits: r.bits }).nested).toBeGreaterThanOrEqual(best);
      if (prefix.length === 0) expect(nestedRootBound(costs, { ...options, nestedBits: r.bits })).toBeGreaterThanOrEqual(best);
    };
    fc.assert(fc.property(smallFrames, check), { numRuns: 300 * runsScale });
  }, 300_000);
  it("the subset table's query time, server groups and feature bytes agree with pathCost on every subset (fast-check)", () => {
    const check = ({ graph }: { graph: ExecutionGraph }, free: boolean[]) => {
      const c = resolveCosts({ graph });
      const o = resolveObjectiveOptions(c, {});
      const param: number[] = [];
      const freeGroups: number[] = [];
      for (let g = 0; g < c.n; g++) (free[g] ? freeGroups : param).push(g);
      param.reverse();
      const table = tabulate(c, o, param, freeGroups);
      for (let mask = 0; mask < 1 << param.length; mask++) {
        const uploaded = new Uint8Array(c.n);
        if (mask !== 0) for (const g of freeGroups) uploaded[g] = 1;
        param.forEach((g, i) => {
          if (mask & (1 << i)) uploaded[g] = 1;
        });
        const path = pathCost(c, uploaded, "best");
        expect(table.ms[mask]).toBeCloseTo(path.ms, 9);
        expect(table.upBytes[mask]).toBe(path.upBytes);
        let server = 0;
        param.forEach((g, i) => {
          if (path.onServer[g]) server |= 1 << i;
        });
        expect(table.server[mask]).toBe(server);
      }
    };
    fc.assert(fc.property(chainArb(1, 8), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), check), { numRuns: 100 * runsScale });
  }, 120_000);
  it("the search's replay (periodic tail in closed form) agrees with the full replay (fast-check, random plans)", () => {
    const check = ({ graph, thinkMs }: { graph: ExecutionGraph; thinkMs: number }, cuts: number[], order: number[], window: number) => {
      const c = resolveCosts({ graph, latencyMs: 1 });
      const o = resolveObjectiveOptions(c, { thinkMs, uploadWindow: window });
      const groups = Array.from({ length: c.n }, (_, g) => g).sort((a, b) => (order[a] ?? 0) - (order[b] ?? 0));
      const plan: number[][] = [];
      groups.forEach((g, i) => {
        if ((cuts[i] ?? 0) === 0) return; // left out
        if (plan.length === 0 || cuts[i] === 2) plan.push([]);
        plan[plan.length - 1]!.push(g);
      });
      const model = prefixModel(c, plan, "best");
      const lite = prefixLoop(c, model, o, true).value;
      const full = prefixLoop(c, model, o).value;
      expect(lite.queriesInWindow).toBe(full.queriesInWindow);
      expect(lite.queriesInHorizon).toBe(full.queriesInHorizon);
      expect(lite.score).toBeCloseTo(full.score, 9);
      expect(lite.meanLatencyMs).toBeCloseTo(full.meanLatencyMs, 9);
      // the search's single replay for a child's value and bound agrees with the two replays
      const tail = (fromMs: number) => ({ fromMs, completion: (raise: number) => raise + 20 + Math.max(0, fromMs + 300 - raise) / 4 });
      const both = prefixLoopAndBound(c, model, o, tail);
      expect(both.nextStartMs).toBe(prefixLoop(c, model, o, true).nextStartMs);
      expect(both.value.queriesInWindow).toBe(lite.queriesInWindow);
      expect(both.bound).toBeCloseTo(boundScore(c, model, o, tail(both.nextStartMs)), 9);
      // any tail scored from where the replay reached its last ACK (the search's own-front bound) is its replay, bit for bit
      if (both.fork !== undefined) expect(tailScore(o, both.fork, tail(both.nextStartMs), true)).toBe(boundScore(c, model, o, tail(both.nextStartMs)));
    };
    fc.assert(
      fc.property(chainArb(1, 8), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 8, maxLength: 8 }), fc.constantFrom(1, 2), check),
      { numRuns: 300 * runsScale },
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

describe("the root relaxation's finer lattice", () => {
  it("Inception-BN-21K at 10 Mbps: the work-capped root lattice bounds 78, the finer one 77, and the search proves the 77 it finds", () => {
    const network = zooNetwork("inception-bn-21k");
    const device = simulationCosts(network);
    const planned = planNetwork(network, { clientMs: device.clientMs, serverMs: device.serverMs }, { preset: "paper", mbps: 10, K: 0.5, finalRound: true });
    const costs = networkScheduleCosts(network, planned.graph);
    const options = { thinkMs: 500 };
    expect(nestedRootBound(costs, options)).toBe(78);
    expect(nestedRootBound(costs, { ...options, nestedWork: 4e8 })).toBe(77);
    const result = optimalUploadPlan(costs, { ...options, timeBudgetMs: 20_000 });
    expect(result.exact).toBe(true);
    expect(result.objective.queriesInWindow).toBe(77);
    expect(result.bound).toBeUndefined();
  }, 60_000);
});
