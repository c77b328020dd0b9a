/**
 * The IONN paper's evaluation claims (§6.2 Table 2 and Figure 7, §6.4
 * Figure 8), checked on the simulator with the same runs and summaries that
 * write docs/results.md (`bench/experiments-lib.ts`). The expectations are
 * the paper's statements, not our numbers:
 * - Table 2: upload completion All_at_once < IONN(K=0.1) ≤ IONN(K=0.5) on every network;
 * - Figure 8: IONN executes more queries than all-at-once during the upload
 *   on AlexNet, Inception, ResNet and GoogLeNet (the paper's exception is
 *   MobileNet), with a similar client energy (here: within ±10%);
 * - Figure 7: all-at-once runs at local latency until its upload ends, IONN's
 *   latency falls within the first few queries, and both end at the same best latency;
 * - determinism: the same options and seed give the same results document.
 * Each simulation takes milliseconds (virtual clock).
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  ALL_AT_ONCE,
  LOCAL,
  PAPER_NETWORKS,
  find,
  ionn,
  resultsMarkdown,
  runExperiments,
  runOne,
  type RunSummary,
} from "../bench/experiments-lib.js";

const NETWORKS = PAPER_NETWORKS.map((n) => n.zoo);
const POLICIES = [LOCAL, ALL_AT_ONCE, ionn(0.1), ionn(0.5)];

let runs: RunSummary[] = [];
beforeAll(async () => {
  runs = [];
  for (const network of NETWORKS) for (const policy of POLICIES) runs.push(await runOne({ network, policy }));
});

describe("Table 2: upload completion time at 80 Mbps", () => {
  it.each(NETWORKS)("%s: All_at_once < IONN(0.1) ≤ IONN(0.5), every upload finished", (network) => {
    const once = find(runs, network, ALL_AT_ONCE.label).uploadCompleteS;
    const k1 = find(runs, network, "IONN(0.1)").uploadCompleteS;
    const k5 = find(runs, network, "IONN(0.5)").uploadCompleteS;
    expect(once).not.toBeNull();
    expect(k1).not.toBeNull();
    expect(k5).not.toBeNull();
    expect(once!).toBeLessThan(k1!);
    expect(k1!).toBeLessThanOrEqual(k5!);
    // "the difference of the uploading completion time is small" (§6.2): the paper's largest ratio is 1.217 (MobileNet).
    expect(k5! / once!).toBeLessThan(1.25);
  });

  it("every policy that uploads carries every parameter byte once (IONN's partitions add up to all-at-once's)", () => {
    for (const network of NETWORKS) {
      const total = find(runs, network, ALL_AT_ONCE.label).uploadedMiB;
      expect(find(runs, network, "IONN(0.5)").uploadedMiB).toBeCloseTo(total, 9);
      expect(find(runs, network, "IONN(0.1)").uploadedMiB).toBeCloseTo(total, 9);
    }
  });
});

describe("Figure 8: queries and client energy during the upload at 80 Mbps", () => {
  const claimed = ["alexnet", "inception-bn-21k", "resnet50", "googlenet"] as const;
  for (const K of [0.1, 0.5]) {
    it.each(claimed)(`%s: IONN(${K}) runs more queries than all-at-once, energy within ±10%`, (network) => {
      const once = find(runs, network, ALL_AT_ONCE.label);
      const inc = find(runs, network, `IONN(${K})`);
      expect(inc.queriesDuringUpload).toBeGreaterThan(once.queriesDuringUpload);
      expect(Math.abs(inc.energyJ / once.energyJ - 1)).toBeLessThanOrEqual(0.1);
    });
  }
});

describe("Figure 7: the shape of the query timelines at 80 Mbps", () => {
  it.each(NETWORKS)("%s: all-at-once local until its ACK; IONN falls within the first few queries; both end at the same best latency", (network) => {
    const local = find(runs, network, LOCAL.label);
    const localMs = local.timeline[0]!.latencyMs;
    for (const p of local.timeline) expect(p.latencyMs).toBeCloseTo(localMs, 6);

    const once = find(runs, network, ALL_AT_ONCE.label);
    const doneS = once.uploadCompleteS!;
    const before = once.timeline.filter((p) => p.raisedS < doneS);
    const after = once.timeline.filter((p) => p.raisedS >= doneS);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(3);
    for (const p of before) expect(p.latencyMs).toBeCloseTo(localMs, 6);
    const best = after[0]!.latencyMs;
    expect(best).toBeLessThan(localMs / 2);
    // To 0.01 ms: a query right after the ACK can share the link with a few bytes of protocol traffic (8 B = 0.8 µs at 80 Mbps).
    for (const p of after) expect(p.latencyMs).toBeCloseTo(best, 2);

    for (const label of ["IONN(0.1)", "IONN(0.5)"]) {
      const inc = find(runs, network, label);
      // Offloading starts before all-at-once's upload is over, and by the third query the latency is well below local.
      expect(inc.firstOffloadedS!).toBeLessThan(doneS);
      expect(inc.timeline[2]!.latencyMs).toBeLessThan(0.7 * localMs);
      // Never slower than local, and ends at all-at-once's best latency.
      for (const p of inc.timeline) expect(p.latencyMs).toBeLessThanOrEqual(localMs + 1e-6);
      expect(inc.timeline.at(-1)!.latencyMs).toBeCloseTo(once.timeline.at(-1)!.latencyMs, 6);
      expect(inc.timeline.at(-1)!.latencyMs).toBeCloseTo(best, 2);
    }
  });
});

describe("determinism", () => {
  it("the same options and seeds give the same results document; another seed changes a jittered timeline", async () => {
    const options = { networks: ["googlenet", "mobilenet-v1"] as const, bandwidths: [40], publishedNetworks: [], seeds: [3], jitterMs: 100 };
    const context = { command: "test", date: "d", machine: "m" };
    const first = resultsMarkdown(await runExperiments(options), context);
    const second = resultsMarkdown(await runExperiments(options), context);
    expect(second).toBe(first);
    expect(first).toContain("## Table 2");

    const a = await runOne({ network: "googlenet", policy: ionn(0.5), seed: 3, preprocessingJitterMs: 100 });
    const b = await runOne({ network: "googlenet", policy: ionn(0.5), seed: 3, preprocessingJitterMs: 100 });
    const c = await runOne({ network: "googlenet", policy: ionn(0.5), seed: 4, preprocessingJitterMs: 100 });
    expect(b).toEqual(a);
    expect(c.timeline.map((p) => p.raisedS)).not.toEqual(a.timeline.map((p) => p.raisedS));
  });
});
