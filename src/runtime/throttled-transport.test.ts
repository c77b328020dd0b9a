import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { VirtualClock } from "../sim/clock.js";
import { FairLink, throttledTransport } from "./throttled-transport.js";
import type { Transport } from "./types.js";

describe("FairLink (processor sharing on a virtual clock)", () => {
  it("one send of B bytes at R bytes/ms takes B/R ms; two concurrent equal sends each take 2B/R", async () => {
    const clock = new VirtualClock();
    const link = new FairLink(10, clock, clock); // 10 bytes/ms = 80 kbit/s
    const done: number[] = [];
    await clock.run(async () => {
      await link.send(1000).then(() => done.push(clock.now()));
      await Promise.all([link.send(1000), link.send(1000)].map((p) => p.then(() => done.push(clock.now()))));
    });
    expect(done[0]).toBeCloseTo(100, 9);
    // both end together at 100 + 2000/10
    expect(done[1]).toBeCloseTo(300, 9);
    expect(done[2]).toBeCloseTo(300, 9);
  });

  it("a small send started during a large one is not stuck behind it (fair, not FIFO)", async () => {
    const clock = new VirtualClock();
    const link = new FairLink(10, clock, clock);
    let small = NaN;
    let large = NaN;
    await clock.run(async () => {
      const big = link.send(10_000).then(() => (large = clock.now()));
      await clock.sleep(100); // 1000 bytes of the large one are through
      await link.send(100).then(() => (small = clock.now()));
      await big;
    });
    // the small send gets half the rate: 100 bytes at 5 bytes/ms = 20 ms
    expect(small).toBeCloseTo(120, 9);
    // total bytes 10_100 at 10 bytes/ms: the link is never idle
    expect(large).toBeCloseTo(1010, 9);
  });
});

describe("throttledTransport", () => {
  it("charges an upload its weight bytes plus the layer JSON before the inner upload, and an execute its input bytes", async () => {
    const clock = new VirtualClock();
    const calls: [string, number][] = [];
    const inner: Transport = {
      open: async () => ({ sessionId: "s" }),
      upload: async (p) => (calls.push(["upload", clock.now()]), { index: p.index, layers: [] }),
      execute: async () => (calls.push(["execute", clock.now()]), new Map()),
      close: async () => undefined,
    };
    const sends: number[] = [];
    // 8 Mbps = 1000 bytes/ms
    const transport = throttledTransport(inner, { mbps: 8, clock, scheduler: clock, onSend: (bytes) => sends.push(bytes) });
    await clock.run(async () => {
      await transport.upload({ index: 0, layers: [], weights: new Map([["fc", [new Float32Array(250_000)]]]) });
      await transport.execute({ layers: [1], inputs: new Map([["0:0", { shape: [1000], data: new Float32Array(1000) }]]), outputs: ["1:0"] });
    });
    // upload: 1_000_000 weight bytes + "[]" (2 bytes) → 1000.002 ms
    expect(sends[0]).toBe(1_000_002);
    expect(calls[0]![1]).toBeCloseTo(1000.002, 6);
    // execute: 4000 tensor bytes + 64 + 16 per layer = 4080 bytes → 4.08 ms later
    expect(sends[1]).toBe(4080);
    expect(calls[1]![1] - calls[0]![1]).toBeCloseTo(4.08, 6);
  });

  it("refuses a rate that is not > 0", () => {
    const inner = {} as Transport;
    expect(() => throttledTransport(inner, { mbps: 0 })).toThrow(InvalidArgumentError);
    expect(() => throttledTransport(inner, { mbps: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
