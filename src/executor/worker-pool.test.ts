/**
 * The worker pool (issue 12): results bit-identical to the in-process
 * reference executor; a request over its time budget is cancelled, its
 * worker replaced, and only that request fails; deficit round robin shares
 * work between flows whatever their job sizes.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Layer } from "../model/types.js";
import { testNetworks } from "../runtime/test-fixtures.js";
import { DeficitRoundRobin } from "./fair-queue.js";
import { randomWeights } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";
import { TimeBudgetError, workerPool } from "./worker-pool.js";

const network = testNetworks()[0]!;
const weights = randomWeights(network, 7);
const runnable = network.layers.filter((l) => l.type !== "Input");
const input = { shape: network.layers[0]!.outputShapes[0]!, data: Float32Array.from({ length: 3 * 35 * 35 }, (_, i) => Math.sin(i)) };
const outKey = `${runnable[runnable.length - 1]!.index}:0`;

function bits(a: Float32Array): number[] {
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

describe("DeficitRoundRobin", () => {
  it("serves backlogged flows equal work whatever their job sizes (within one max job)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 5 }), fc.integer({ min: 1, max: 40 }), (sizes, quantum) => {
        const queue = new DeficitRoundRobin<{ flow: number; cost: number }>(quantum);
        sizes.forEach((cost, flow) => {
          for (let i = 0; i < 400; i++) queue.push(String(flow), { flow, cost }, cost);
        });
        // Serve while every flow is still backlogged; work served per flow must agree within max cost + quantum.
        const served = sizes.map(() => 0);
        const left = sizes.map(() => 400);
        while (left.every((n) => n > 0)) {
          const job = queue.pop()!;
          served[job.flow]! += job.cost;
          left[job.flow]!--;
        }
        const spread = Math.max(...served) - Math.min(...served);
        expect(spread).toBeLessThanOrEqual(Math.max(...sizes) + quantum);
      }),
      { numRuns: 100 },
    );
  });

  it("pops every job exactly once, FIFO within a flow, and remove() drops a flow", () => {
    const queue = new DeficitRoundRobin<string>(10);
    queue.push("a", "a1", 25);
    queue.push("b", "b1", 5);
    queue.push("a", "a2", 1);
    queue.push("c", "c1", 1e12);
    expect(queue.remove("c")).toEqual(["c1"]);
    const order: string[] = [];
    for (let job = queue.pop(); job !== undefined; job = queue.pop()) order.push(job);
    expect(order.sort()).toEqual(["a1", "a2", "b1"]);
    expect(order.indexOf("a1")).toBeLessThan(order.indexOf("a2"));
    expect(queue.size).toBe(0);
  });
});

describe("workerPool", () => {
  const pool = workerPool({ size: 2, timeBudgetMs: 1500 });
  afterAll(() => pool.close());

  it("runs layers bit-identically to the in-process reference executor", async () => {
    const local = referenceExecutor();
    await local.load(runnable, weights);
    const expected = (await local.run(runnable.map((l) => l.index), new Map([["0:0", input]]), [outKey])).get(outKey)!;
    const executor = pool.executor();
    await executor.load(runnable, weights);
    const got = (await executor.run(runnable.map((l) => l.index), new Map([["0:0", input]]), [outKey])).get(outKey)!;
    expect(got.shape).toEqual(expected.shape);
    expect(bits(got.data)).toEqual(bits(expected.data));
    expect(input.data[1]).toBe(Math.fround(Math.sin(1))); // the caller's input is not detached
  });

  it("cancels a request over its time budget, replaces the worker, and only that request fails", async () => {
    // A layer that loops for many seconds: a big Tile of a tiny tensor (no work limits at this level).
    const slow: Layer = {
      index: 1, name: "slow", type: "Tile", bottoms: ["x"], tops: ["y"], inputs: [{ layer: 0, top: 0 }],
      inputShapes: [[1, 0]], outputShapes: [[1, 0]], params: { axis: 1, tiles: 2 ** 31 - 1 }, paramShapes: [], parameters: 0, macs: 0,
    };
    const attacker = pool.executor();
    await attacker.load([slow], new Map());
    const honest = pool.executor();
    await honest.load(runnable, weights);
    const started = performance.now();
    const stuck = attacker.run([1], new Map([["0:0", { shape: [1, 0], data: new Float32Array(0) }]]), ["1:0"]).then(() => "answered", (e: unknown) => e);
    // Meanwhile the other worker keeps answering.
    for (let i = 0; i < 3; i++) {
      const out = await honest.run(runnable.map((l) => l.index), new Map([["0:0", input]]), [outKey]);
      expect(out.get(outKey)!.data.length).toBe(10);
    }
    const outcome = await stuck;
    expect(outcome).toBeInstanceOf(TimeBudgetError);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(pool.stats().cancelled).toBe(1);
    // Both workers serve again.
    const outs = await Promise.all([0, 1, 2, 3].map(() => honest.run(runnable.map((l) => l.index), new Map([["0:0", input]]), [outKey])));
    expect(outs.every((o) => o.get(outKey)!.data.length === 10)).toBe(true);
    const load = pool.load();
    expect(load.workers).toBe(2);
    expect(load.utilization).toBeGreaterThan(0);
  });
});
