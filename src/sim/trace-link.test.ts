/** Tests of the trace-following link: transfers across rate steps and outages (times by hand), and agreement with SimulatedLink on a constant trace. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTraceSpec } from "../link/generators.js";
import type { TransferSample } from "../link/estimator.js";
import { VirtualClock } from "./clock.js";
import { SimulatedLink } from "./link.js";
import { TraceLink } from "./trace-link.js";

// 80 Mbps = 10 000 bytes/ms; 10 Mbps = 1 250 bytes/ms (SI megabits).
async function finishTimes(link: { transfer(bytes: number, dir: "up" | "down"): Promise<void> }, clock: VirtualClock, transfers: [startMs: number, bytes: number, dir: "up" | "down"][]): Promise<number[]> {
  return clock.run(async () =>
    Promise.all(
      transfers.map(async ([start, bytes, dir]) => {
        await clock.sleep(start);
        await link.transfer(bytes, dir);
        return clock.now();
      }),
    ),
  );
}

describe("TraceLink", () => {
  it("a transfer spanning a step 80 → 10 Mbps (hand-computed)", async () => {
    // 20 MB from 4 s: 10 MB by 5 s at 80 Mbps, the other 10 MB at 1 250 B/ms = 8 000 ms → 13 s.
    const clock = new VirtualClock();
    const link = new TraceLink(clock, { uplink: parseTraceSpec("step:80@0,10@5000") });
    expect(await finishTimes(link, clock, [[4000, 10_000_000, "up"], [4000, 0, "down"]])).toEqual([5000, 4000]);
    const clock2 = new VirtualClock();
    const link2 = new TraceLink(clock2, { uplink: parseTraceSpec("step:80@0,10@5000") });
    expect(await finishTimes(link2, clock2, [[4000, 20_000_000, "up"]])).toEqual([13_000]);
  });

  it("an outage stops a transfer and it resumes when the rate returns; the downlink follows its own trace", async () => {
    // 20 MB from 0 at 80 Mbps: 10 MB by 1 s, nothing during [1 s, 3 s), the rest by 4 s.
    const clock = new VirtualClock();
    const samples: [string, TransferSample][] = [];
    const link = new TraceLink(clock, {
      uplink: parseTraceSpec("step:80@0,0@1000,80@3000"),
      downlink: parseTraceSpec("step:8@0"),
      latencyMs: 1,
      onThroughput: (d, s) => samples.push([d, s]),
    });
    // downlink: 1 000 B/ms → 50 000 B take 50 ms + 1 ms latency
    expect(await finishTimes(link, clock, [[0, 20_000_000, "up"], [10, 50_000, "down"]])).toEqual([4001, 61]);
    expect(link.busyIntervals("up")).toEqual([[0, 4000]]);
    expect(link.bytesSent("up")).toBe(20_000_000);
    // one report per finished message: what the channel carried since it became busy
    expect(samples).toEqual([
      ["down", { startMs: 10, endMs: 60, bytes: 50_000 }],
      ["up", { startMs: 0, endMs: 4000, bytes: 20_000_000 }],
    ]);
  });

  it("fair sharing across a step (hand-computed)", async () => {
    // A = 30 000 B, B = 10 000 B at 0 on 80 Mbps until 1 ms, then 40 Mbps (5 000 B/ms).
    // 0–1 ms: 5 000 B each (A 25 000, B 5 000 left). From 1: 2 500 B/ms each: B done at 3 ms (A 20 000 left);
    // A alone at 5 000 B/ms → 7 ms.
    const clock = new VirtualClock();
    const link = new TraceLink(clock, { uplink: parseTraceSpec("step:80@0,40@1") });
    expect(await finishTimes(link, clock, [[0, 30_000, "up"], [0, 10_000, "up"]])).toEqual([7, 3]);
  });

  it("on a constant trace it times transfers like SimulatedLink", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom("fair" as const, "fifo" as const),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200_000 }), fc.constantFrom("up" as const, "down" as const)), { minLength: 1, maxLength: 8 }),
        async (mbps, sharing, transfers) => {
          const c1 = new VirtualClock();
          const c2 = new VirtualClock();
          const a = await finishTimes(new SimulatedLink(c1, { mbps, sharing, latencyMs: 1 }), c1, transfers);
          const b = await finishTimes(new TraceLink(c2, { uplink: parseTraceSpec(`step:${mbps}@0`), sharing, latencyMs: 1 }), c2, transfers);
          b.forEach((t, i) => expect(t).toBeCloseTo(a[i]!, 6));
        },
      ),
      { numRuns: 40 },
    );
  });
});
