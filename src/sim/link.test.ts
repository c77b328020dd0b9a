/** Tests of the simulated link (IONN §6.1–6.2): shared uplink, fair vs FIFO sharing, latency, busy intervals; times computed by hand. */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { VirtualClock } from "./clock.js";
import { SimulatedLink } from "./link.js";

// 80 Mbps with SI megabits = 80e6 / 8 bytes per s = 10 000 bytes per ms.
async function finishTimes(link: SimulatedLink, clock: VirtualClock, transfers: [startMs: number, bytes: number, dir: "up" | "down"][]): Promise<number[]> {
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

describe("SimulatedLink", () => {
  it("charges bytes / bandwidth for a lone transfer (80 Mbps SI = 10 000 bytes/ms)", async () => {
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80 });
    expect(link.uplinkBytesPerMs).toBe(10_000);
    expect(await finishTimes(link, clock, [[0, 25_000, "up"]])).toEqual([2.5]);
  });

  it("fair sharing: two concurrent transfers split the bandwidth (hand-computed)", async () => {
    // A = 10 000 B and B = 30 000 B start at 0: each gets 5 000 B/ms; A ends at 2 ms
    // (B has 20 000 B left), then B alone at 10 000 B/ms ends at 4 ms.
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80 });
    expect(await finishTimes(link, clock, [[0, 10_000, "up"], [0, 30_000, "up"]])).toEqual([2, 4]);
  });

  it("fair sharing: a transfer joining late slows the first one down (hand-computed)", async () => {
    // A = 40 000 B from 0; B = 10 000 B from 1 ms. 0–1: A alone, 10 000 B sent (30 000 left).
    // From 1: 5 000 B/ms each; B ends at 3 ms (A has 20 000 left); A alone ends at 5 ms.
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80 });
    expect(await finishTimes(link, clock, [[0, 40_000, "up"], [1, 10_000, "up"]])).toEqual([5, 3]);
  });

  it("fifo sharing: the second transfer waits for the first", async () => {
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80, sharing: "fifo" });
    expect(await finishTimes(link, clock, [[0, 40_000, "up"], [1, 10_000, "up"]])).toEqual([4, 5]);
  });

  it("uplink and downlink are independent, each with its own bandwidth", async () => {
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80, downlinkMbps: 40 });
    expect(await finishTimes(link, clock, [[0, 10_000, "up"], [0, 10_000, "down"]])).toEqual([1, 2]);
  });

  it("adds the one-way latency after serialization; latency does not hold bandwidth", async () => {
    // A and B share the uplink: 20 000 B at 10 000 B/ms → both serialized at 2 ms, delivered at 2 + 3 ms.
    // C starts at 2 ms (after serialization of A and B, while they propagate) and gets the full bandwidth.
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 80, latencyMs: 3 });
    expect(await finishTimes(link, clock, [[0, 10_000, "up"], [0, 10_000, "up"], [2, 10_000, "up"]])).toEqual([5, 5, 6]);
  });

  it("records busy intervals and bytes per direction; the megabit is configurable", async () => {
    const clock = new VirtualClock();
    const link = new SimulatedLink(clock, { mbps: 8, megabit: 2 ** 20 }); // 8 × 2^20 / 8000 = 1048.576 B/ms
    await finishTimes(link, clock, [[0, 1048.576, "up"], [5, 2097.152, "up"]]);
    expect(link.busyIntervals("up")).toEqual([[0, 1], [5, 7]]);
    expect(link.busyIntervals("down")).toEqual([]);
    expect(link.bytesSent("up")).toBeCloseTo(3145.728, 9);
  });

  it("rejects bad parameters with InvalidArgumentError", () => {
    const clock = new VirtualClock();
    expect(() => new SimulatedLink(clock, { mbps: 0 })).toThrow(InvalidArgumentError);
    expect(() => new SimulatedLink(clock, { latencyMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new SimulatedLink(clock, { sharing: "round-robin" as never })).toThrow(InvalidArgumentError);
  });
});
