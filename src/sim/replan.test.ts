/**
 * Re-planning in the simulator (issue 10): fixed plan vs re-planning on the
 * client's own estimate vs the oracle that knows the trace, on AlexNet and
 * ResNet-50 over three traces; outages; what is never sent twice.
 */
import { describe, expect, it } from "vitest";
import { parseTraceSpec, randomWalkTrace } from "../link/generators.js";
import { rateAt, type BandwidthTrace } from "../link/trace.js";
import { zooNetwork } from "../model/zoo/index.js";
import { parameterBytes } from "../model/types.js";
import { simulate, type SimulationResult } from "./simulate.js";
import { deviceProfile } from "./devices/index.js";

const TRACES: [string, BandwidthTrace][] = [
  ["80 → 10 Mbps at 5 s", parseTraceSpec("step:80@0,10@5000")],
  ["10 → 80 Mbps at 5 s", parseTraceSpec("step:10@0,80@5000")],
  ["random walk 5–100 Mbps (seed 1)", randomWalkTrace({ seed: 1, min: 5, max: 100, durationMs: 60_000 })],
];

function served(r: SimulationResult): { count: number; meanMs: number } {
  const done = r.queries.filter((q) => q.raisedAtMs + q.latencyMs <= 60_000);
  return { count: done.length, meanMs: done.reduce((a, q) => a + q.latencyMs, 0) / done.length };
}

describe("re-planning on a changing link (simulator, 60 s)", () => {
  for (const model of ["alexnet", "resnet50"]) {
    for (const [name, trace] of TRACES) {
      it(`${model}, ${name}: re-planning serves ≥ the fixed plan and is within 10 % of the oracle`, async () => {
        const run = (replan: "none" | "estimate" | "oracle") => simulate({ network: model, policy: "ionn", bandwidthTrace: trace, replan, seconds: 60 });
        const [fixed, estimate, oracle] = await Promise.all([run("none"), run("estimate"), run("oracle")]);
        const f = served(fixed);
        const e = served(estimate);
        const o = served(oracle);
        expect(e.count).toBeGreaterThanOrEqual(f.count);
        expect(e.count).toBeGreaterThanOrEqual(Math.floor(0.9 * o.count));
        expect(e.meanMs).toBeLessThanOrEqual(1.1 * o.meanMs);
        // the fixed plan never re-plans; the oracle re-plans at steps only
        expect(fixed.replans).toEqual([]);
        for (const r of oracle.replans!) expect(trace.points.some((p) => Math.abs(p.atMs - r.atMs) < 1e-9)).toBe(true);
        // every plan names each layer at most once (nothing is uploaded twice)
        for (const r of [fixed, estimate, oracle]) {
          const names = r.partitions.flatMap((p) => p.layers);
          expect(new Set(names).size).toBe(names.length);
        }
      });
    }
  }

  it("the estimate follows the trace: within 15 % of the new rate within 3 s of each change", async () => {
    for (const spec of ["step:80@0,10@5000", "step:10@0,80@5000"]) {
      const trace = parseTraceSpec(spec);
      const r = await simulate({ network: "alexnet", policy: "ionn", bandwidthTrace: trace, replan: "estimate", seconds: 20 });
      const after = r.bandwidthEstimates!.filter((e) => e.atMs >= 8000 && e.atMs <= 20_000);
      expect(after.length).toBeGreaterThan(0);
      for (const e of after) expect(Math.abs(e.mbps - rateAt(trace, e.atMs)) / rateAt(trace, e.atMs)).toBeLessThan(0.15);
      const before = r.bandwidthEstimates!.filter((e) => e.atMs < 5000);
      for (const e of before) expect(e.mbps).toBeCloseTo(rateAt(trace, 0), 3);
      // at least one re-plan, made after the change
      expect(r.replans!.length).toBeGreaterThan(0);
      expect(r.replans![0]!.atMs).toBeGreaterThan(5000);
    }
  });

  it("after 80 → 10 Mbps re-planning places queries at the estimate at once (faster than the fixed plan after the change)", async () => {
    const trace = parseTraceSpec("step:80@0,10@5000");
    const fixed = await simulate({ network: "alexnet", policy: "ionn", bandwidthTrace: trace, replan: "none", seconds: 30 });
    const adaptive = await simulate({ network: "alexnet", policy: "ionn", bandwidthTrace: trace, replan: "estimate", seconds: 30 });
    const late = (r: SimulationResult) => r.queries.filter((q) => q.raisedAtMs > 10_000);
    const mean = (qs: readonly { latencyMs: number }[]) => qs.reduce((a, q) => a + q.latencyMs, 0) / qs.length;
    expect(mean(late(adaptive))).toBeLessThan(mean(late(fixed)));
  });

  it("an outage: queries fall back to local execution within the query timeout; the upload resumes and finishes, nothing sent twice", async () => {
    const network = zooNetwork("alexnet");
    const localMs = Array.from(deviceProfile("odroid-xu4", network)).reduce((a, b) => a + b, 0);
    const trace = parseTraceSpec("step:80@0,0@3000,80@8000");
    for (const replan of ["none", "estimate"] as const) {
      const r = await simulate({ network, policy: "ionn", bandwidthTrace: trace, replan, seconds: 40, queryTimeoutMs: 1000 });
      const during = r.queries.filter((q) => q.raisedAtMs >= 3000 && q.raisedAtMs < 8000);
      expect(during.length).toBeGreaterThan(0);
      for (const q of during) {
        // a server call waits at most the timeout, then the query finishes locally
        expect(q.latencyMs).toBeLessThanOrEqual(1000 + localMs + 1e-6);
      }
      expect(during.some((q) => q.fellBack)).toBe(true);
      // the upload finished after the link came back
      expect(r.uploadCompleteMs).not.toBeNull();
      expect(r.uploadCompleteMs!).toBeGreaterThan(8000);
      for (const p of r.partitions) expect(p.ackedAtMs).not.toBeNull();
      // uploaded weights: each layer once (the partitions are disjoint and cover the model)
      const total = network.layers.reduce((a, l) => a + parameterBytes(l), 0);
      expect(r.partitions.reduce((a, p) => a + p.bytes, 0)).toBe(total);
      // queries offload again once the link is back
      expect(r.queries.some((q) => q.raisedAtMs > 9000 && q.serverLayers > 0)).toBe(true);
    }
  });

  it("rejects a trace with a non-ionn policy and a bad replan mode", async () => {
    const trace = parseTraceSpec("step:80@0");
    await expect(simulate({ network: "alexnet", policy: "all-at-once", bandwidthTrace: trace })).rejects.toThrow(/needs the policy "ionn"/);
    await expect(simulate({ network: "alexnet", policy: "ionn", bandwidthTrace: trace, replan: "sometimes" as never })).rejects.toThrow(/replan must be one of none, estimate, oracle/);
  });
});
