import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { zooNetwork } from "../model/zoo/index.js";
import { deviceProfile } from "../sim/devices/index.js";
import { planNetwork, runtimePartitions } from "../plan/plan-network.js";
import { allAtOnce } from "../plan/baselines.js";
import {
  BandwidthEstimator,
  bandwidthTraceCsv,
  bestPlacement,
  graphAt,
  ionnReplanner,
  loadBandwidthTrace,
  meanRate,
  nextChangeAfter,
  outageTrace,
  parseBandwidthTraceCsv,
  parseTraceSpec,
  planningContext,
  randomWalkTrace,
  rateAt,
  replannerByName,
  TraceError,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "ionn-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("bandwidth traces", () => {
  it("parses a CSV trace with header, comments and blank lines; step-wise rates", async () => {
    const path = file("ok.csv", "timeMs,mbps\n# the paper's Wi-Fi, then a corridor\n0,80\n\n5000, 10\n9000,0\n");
    const trace = await loadBandwidthTrace(path);
    expect(trace.points).toEqual([
      { atMs: 0, mbps: 80 },
      { atMs: 5000, mbps: 10 },
      { atMs: 9000, mbps: 0 },
    ]);
    expect([rateAt(trace, 0), rateAt(trace, 4999.9), rateAt(trace, 5000), rateAt(trace, 1e9)]).toEqual([80, 80, 10, 0]);
    expect([nextChangeAfter(trace, 0), nextChangeAfter(trace, 5000), nextChangeAfter(trace, 9000)]).toEqual([5000, 9000, undefined]);
    // (80·5000 + 10·4000 + 0·1000) / 10000
    expect(meanRate(trace, 0, 10_000)).toBeCloseTo(44, 12);
    expect(parseBandwidthTraceCsv(bandwidthTraceCsv(trace), "x").points).toEqual(trace.points);
  });

  it.each([
    ["negative rate", "0,80\n5000,-3\n", 2, /rate must be ≥ 0/],
    ["non-numeric rate", "timeMs,mbps\n0,80\n5000,fast\n", 3, /rate "fast" is not a number/],
    ["non-numeric time", "0,80\nlater,10\n", 2, /expected the header|not a number/],
    ["unsorted times", "0,80\n5000,10\n4000,20\n", 3, /increase strictly: 4000 ms after 5000 ms/],
    ["three fields", "0,80,1\n", 1, /two fields/],
  ])("a trace file with a %s names the file and the line", async (_, text, line, message) => {
    const path = file(`bad-${line}-${text.length}.csv`, text);
    const error = await loadBandwidthTrace(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TraceError);
    expect((error as TraceError).message).toContain(`${path}:${line}: `);
    expect((error as TraceError).message).toMatch(message);
    expect((error as TraceError).line).toBe(line);
  });

  it("an empty trace file and a missing one are named", async () => {
    const empty = file("empty.csv", "timeMs,mbps\n\n# nothing\n");
    await expect(loadBandwidthTrace(empty)).rejects.toThrow(`${empty}: the trace file is empty`);
    const missing = join(dir, "nope.csv");
    await expect(loadBandwidthTrace(missing)).rejects.toThrow(`${missing}: no such trace file`);
  });

  it("step specs; bad items are named", () => {
    expect(parseTraceSpec("step:80@0,10@5000").points).toEqual([
      { atMs: 0, mbps: 80 },
      { atMs: 5000, mbps: 10 },
    ]);
    expect(() => parseTraceSpec("step:80@0,10")).toThrow(/item 2 "10" is not MBPS@MS/);
    expect(() => parseTraceSpec("step:80@0,-1@10")).toThrow(/rate must be ≥ 0/);
    expect(() => parseTraceSpec("step:80@10,1@5")).toThrow(/increase strictly/);
    expect(() => parseTraceSpec("walk:speed=3")).toThrow(/"speed=3" is not one of/);
    expect(() => parseTraceSpec("wave:1")).toThrow(TraceError);
  });

  it("the random walk is seeded, stays in its bounds and steps by at most maxStep", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), (seed, min, width, maxStep) => {
        const options = { seed, min, max: min + width, maxStep, durationMs: 20_000 };
        const a = randomWalkTrace(options);
        expect(randomWalkTrace(options)).toEqual(a);
        expect(a.points).toHaveLength(20);
        a.points.forEach((p, i) => {
          expect(p.atMs).toBe(i * 1000);
          expect(p.mbps).toBeGreaterThanOrEqual(min - 1e-3);
          expect(p.mbps).toBeLessThanOrEqual(min + width + 1e-3);
          if (i > 0) expect(Math.abs(p.mbps - a.points[i - 1]!.mbps)).toBeLessThanOrEqual(maxStep + 2e-3);
        });
      }),
      { numRuns: 60 },
    );
    expect(parseTraceSpec("walk:seed=3,min=5,max=100").points).toEqual(randomWalkTrace({ seed: 3, min: 5, max: 100 }).points);
    expect(randomWalkTrace({ seed: 1 }).points).not.toEqual(randomWalkTrace({ seed: 2 }).points);
  });

  it("outages alternate up and down, exactly without jitter", () => {
    expect(outageTrace({ mbps: 80, upMs: 5000, downMs: 2000, jitter: 0, durationMs: 15_000 }).points).toEqual([
      { atMs: 0, mbps: 80 },
      { atMs: 5000, mbps: 0 },
      { atMs: 7000, mbps: 80 },
      { atMs: 12000, mbps: 0 },
      { atMs: 14000, mbps: 80 },
    ]);
    const jittered = parseTraceSpec("outage:mbps=50,upMs=4000,downMs=1000,seed=9");
    jittered.points.forEach((p, i) => expect(p.mbps).toBe(i % 2 === 0 ? 50 : 0));
    for (let i = 1; i < jittered.points.length; i++) {
      const d = jittered.points[i]!.atMs - jittered.points[i - 1]!.atMs;
      const mean = i % 2 === 1 ? 4000 : 1000;
      expect(d).toBeGreaterThanOrEqual(mean * 0.5 - 1);
      expect(d).toBeLessThanOrEqual(mean * 1.5 + 1);
    }
  });
});

describe("the bandwidth estimator", () => {
  it("is bytes over busy time in the window (the byte-weighted harmonic mean)", () => {
    const e = new BandwidthEstimator({ windowMs: 1000, minSampleBytes: 0 });
    expect(e.mbps()).toBeUndefined();
    // 1 MB in 100 ms = 80 Mbps
    expect(e.record({ startMs: 0, endMs: 100, bytes: 1_000_000 })).toBeCloseTo(80, 12);
    // + 0.25 MB in 200 ms: (1.25e6·8/1e6) / 0.3 s = 33.33 Mbps
    expect(e.record({ startMs: 100, endMs: 300, bytes: 250_000 })).toBeCloseTo(10 / 0.3, 10);
    // an overlapping transfer: union [100, 400] ∪ [0, 100] = 400 ms, 1.5 MB → 30 Mbps
    expect(e.record({ startMs: 250, endMs: 400, bytes: 250_000 })).toBeCloseTo(30, 10);
    // at 1350 the window is (350, 1350]: only [250, 400] and [1300, 1350] are in it, 0.375 MB in 200 ms
    expect(e.record({ startMs: 1300, endMs: 1350, bytes: 125_000 })).toBeCloseTo(15, 10);
    expect(e.history().map((h) => h.atMs)).toEqual([100, 300, 400, 1350]);
  });

  it("ignores tiny and zero-length samples and reports to its listener", () => {
    const seen: number[] = [];
    const e = new BandwidthEstimator({ minSampleBytes: 1000, onEstimate: (x) => seen.push(x.mbps) });
    expect(e.record({ startMs: 0, endMs: 1, bytes: 999 })).toBeUndefined();
    expect(e.record({ startMs: 5, endMs: 5, bytes: 5000 })).toBeUndefined();
    expect(e.record({ startMs: 0, endMs: 8, bytes: 10_000 })).toBeCloseTo(10, 12);
    expect(seen).toEqual([e.mbps()]);
    expect(() => e.record({ startMs: 3, endMs: 2, bytes: 5000 })).toThrow(/before startMs/);
    expect(() => new BandwidthEstimator({ windowMs: 0 })).toThrow(/windowMs/);
  });

  it("tops a window with too little busy time up with the newest older samples", () => {
    // five 100 kB pieces at 80 Mbps (10 ms each) back to back, then, 2 s later, one 100 kB transfer timed at 20 ms (40 Mbps)
    const pieces = (e: BandwidthEstimator) => {
      for (let i = 0; i < 5; i++) e.record({ startMs: 10 * i, endMs: 10 * i + 10, bytes: 100_000 });
      return e.record({ startMs: 2050, endMs: 2070, bytes: 100_000 });
    };
    // alone: 0.8 Mbit in 20 ms
    expect(pieces(new BandwidthEstimator({ windowMs: 1000, minSampleBytes: 0, minBusyMs: 0 }))).toBeCloseTo(40, 10);
    // topped up to 50 ms of busy time: the lone 20 ms + the three newest pieces (30 ms): 4 × 0.8 Mbit in 50 ms
    expect(pieces(new BandwidthEstimator({ windowMs: 1000, minSampleBytes: 0, minBusyMs: 50 }))).toBeCloseTo(64, 10);
    // the default (50 ms) does the same
    expect(pieces(new BandwidthEstimator({ windowMs: 1000, minSampleBytes: 0 }))).toBeCloseTo(64, 10);
    // more than enough in the window: nothing older is used
    const e = new BandwidthEstimator({ windowMs: 1000, minSampleBytes: 0, minBusyMs: 20 });
    expect(pieces(e)).toBeCloseTo(40, 10);
    expect(() => new BandwidthEstimator({ minBusyMs: -1 })).toThrow(/minBusyMs/);
  });

  it("recovers a constant rate exactly from back-to-back transfers of any sizes", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 500, noNaN: true }), fc.array(fc.integer({ min: 20_000, max: 5_000_000 }), { minLength: 1, maxLength: 40 }), (mbps, sizes) => {
        const e = new BandwidthEstimator({ windowMs: 1000 });
        let t = 0;
        for (const bytes of sizes) {
          const ms = (bytes * 8) / (mbps * 1000);
          e.record({ startMs: t, endMs: t + ms, bytes });
          t += ms;
        }
        expect(e.mbps()!).toBeCloseTo(mbps, 6);
      }),
      { numRuns: 50 },
    );
  });
});

describe("re-planning with the IONN planner", () => {
  const network = zooNetwork("alexnet");
  const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
  const context = planningContext(network, costs, { mbps: 80 });

  it("with nothing held it is Algorithm 1 at the new bandwidth", () => {
    const fresh = planNetwork(network, costs, { mbps: 10, K: 0.5, finalRound: true });
    expect(ionnReplanner()({ network, context, mbps: 10, held: new Set() })).toEqual(runtimePartitions(network, fresh));
    expect(replannerByName("ionn")({ network, context, mbps: 10, held: new Set() })).toEqual(runtimePartitions(network, fresh));
    expect(() => replannerByName("optimal")).toThrow(/unknown planner "optimal" \(expected one of ionn/);
  });

  it("never names a held layer nor a layer twice; at ≥ 50 Mbps (final path all on the server) uploads everything else", () => {
    const all = network.layers.filter((l) => l.type !== "Input").map((l) => l.index);
    fc.assert(
      fc.property(fc.subarray(all), fc.double({ min: 1, max: 200, noNaN: true }), (heldList, mbps) => {
        const held = new Set(heldList);
        const rest = ionnReplanner()({ network, context, mbps, held });
        const named = rest.flat();
        expect(new Set(named).size).toBe(named.length);
        for (const i of named) expect(held.has(i)).toBe(false);
        if (mbps >= 50) expect([...named, ...heldList].sort((a, b) => a - b)).toEqual(all);
        for (const p of rest) expect(p.length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it("places queries on the best path among the uploaded layers at the given bandwidth", () => {
    const all = new Set(network.layers.map((l) => l.index));
    for (const mbps of [1, 10, 80, 400]) {
      const graph = graphAt(context, mbps);
      const expected = allAtOnce(graph).serverGroups.flatMap((g) => [...context.initial.chain.layers.subarray(context.initial.chain.layerOffsets[g]!, context.initial.chain.layerOffsets[g + 1]!)]).sort((a, b) => a - b);
      expect(bestPlacement(context, mbps, all)).toEqual(expected);
    }
    const uploaded = new Set([1, 2, 3, 4]);
    for (const i of bestPlacement(context, 80, uploaded)) expect(uploaded.has(i)).toBe(true);
    expect(bestPlacement(context, 0, all)).toEqual([]);
  });
});
