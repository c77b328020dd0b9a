/**
 * Tests of the closed-loop scenario (IONN §6.1–6.4): determinism, the same
 * timeline with real kernels and with the virtual/shape-only executors,
 * energy by hand, the shapes of Figure 7 (all-at-once local until its ACK,
 * IONN falling within a few queries, both ending at the same best latency)
 * and Figure 8 (more queries during the upload). No wall time is asserted.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { zooNetwork } from "../model/zoo/index.js";
import { testNetworks } from "../runtime/test-fixtures.js";
import { deviceProfile } from "./devices/index.js";
import { ODROID_XU4_POWER } from "./energy.js";
import { allAtOncePolicy, ionnPolicy, type Policy } from "./policies.js";
import { clientEnergyBetween, simulate, simulationDocument, type SimulationResult } from "./simulate.js";
import { timelineSvg } from "./svg.js";

const timeline = (r: SimulationResult) => r.queries.map((q) => [q.raisedAtMs, q.latencyMs, q.serverLayerIndices.join(","), q.partitionsUploaded]);

describe("simulate: determinism", () => {
  it("same seed, same output; another seed changes the jittered timeline", async () => {
    const scenario = { network: "googlenet", policy: "ionn", K: 0.5, seconds: 8, preprocessingJitterMs: 100 } as const;
    const a = await simulate({ ...scenario, seed: 7 });
    const b = await simulate({ ...scenario, seed: 7 });
    const c = await simulate({ ...scenario, seed: 8 });
    expect(JSON.stringify(simulationDocument(a))).toBe(JSON.stringify(simulationDocument(b)));
    expect(a.queries.map((q) => q.raisedAtMs)).not.toEqual(c.queries.map((q) => q.raisedAtMs));
  });
});

describe("simulate: one code path, three executors", () => {
  it("the reference executor (real kernels, real weights) and the virtual and shape-only executors give the same timeline", async () => {
    const network = testNetworks()[0]!; // AlexNet-shaped, 3×35×35
    // Explicit costs: a slow client (20 ms per layer) and a fast server, on a 0.1 Mbps link, so
    // that the plan has several partitions and queries go collaborative during the upload.
    const costs = { clientMs: network.layers.map((l) => (l.type === "Input" ? 0 : 20)), serverMs: network.layers.map(() => 0.5) };
    const run = (execution: "virtual" | "shape-only" | "reference") =>
      simulate({ network, policy: ionnPolicy({ K: 0.5 }), mbps: 0.1, seconds: 6, costs, execution, seed: 3 });
    const [reference, virtual, shapeOnly] = [await run("reference"), await run("virtual"), await run("shape-only")];
    expect(reference.partitions.length).toBeGreaterThan(1);
    expect(reference.queries.some((q) => q.serverLayers > 0 && q.partitionsUploaded < reference.partitions.length)).toBe(true);
    expect(timeline(virtual)).toEqual(timeline(reference));
    expect(timeline(shapeOnly)).toEqual(timeline(reference));
    expect(virtual.uploadCompleteMs).toBe(reference.uploadCompleteMs);
    expect(virtual.clientEnergyJ).toBe(reference.clientEnergyJ);
    expect(virtual.bytes).toEqual(reference.bytes);
  });
});

describe("simulate: energy by hand", () => {
  it("local policy: two queries of 150 ms, the hello frame on the uplink, idle otherwise", async () => {
    const network = testNetworks()[0]!;
    const runnable = network.layers.filter((l) => l.type !== "Input").length;
    const clientMs = network.layers.map((l) => (l.type === "Input" ? 0 : 150 / runnable));
    const r = await simulate({ network, policy: "local", seconds: 1.5, costs: { clientMs, serverMs: clientMs }, mbps: 80, latencyMs: 0 });
    // raised at 500 and 500 + 150 + 500 = 1150; the next raise would be 1800 ≥ 1500: the run ends there.
    expect(r.queries.map((q) => q.raisedAtMs)).toEqual([500, 1150]);
    r.queries.forEach((q) => expect(q.latencyMs).toBeCloseTo(150, 9));
    expect(r.endMs).toBe(1800);
    expect(r.uploadCompleteMs).toBeNull();
    expect(r.queriesDuringUpload).toBe(2);
    const transmitMs = r.bytes.up / 10_000; // only the hello frame was sent, at 10 000 B/ms
    expect(r.bytes.down).toBeGreaterThan(0);
    const { idleW, transmittingW, computingW } = ODROID_XU4_POWER;
    const expected = (300 * computingW + transmitMs * transmittingW + (1800 - 300 - transmitMs) * idleW) / 1000;
    expect(r.energy.computingMs).toBeCloseTo(300, 9);
    expect(r.energy.transmittingMs).toBeCloseTo(transmitMs, 9);
    expect(r.clientEnergyJ).toBeCloseTo(expected, 9);
    expect(clientEnergyBetween(r, 0, 500).joules).toBeCloseTo((transmitMs * transmittingW + (500 - transmitMs) * idleW) / 1000, 9);
  });
});

describe("simulate: AlexNet at 80 Mbps (Figure 7 and 8 shapes)", () => {
  const network = zooNetwork("alexnet");
  const clientMs = deviceProfile("odroid-xu4", network);
  let localMs = 0;
  for (const layer of network.layers) if (layer.type !== "Input") localMs += clientMs[layer.index]!;

  it("all-at-once runs locally until its ACK, then at the best latency; IONN falls within the first queries and ends at the same best latency", async () => {
    const once = await simulate({ network, policy: allAtOncePolicy() });
    const ionn = await simulate({ network, policy: ionnPolicy({ K: 0.5 }) });
    expect(once.uploadCompleteMs).not.toBeNull();
    expect(ionn.uploadCompleteMs).not.toBeNull();
    const uploadDone = once.uploadCompleteMs!;
    for (const q of once.queries) {
      if (q.raisedAtMs + q.latencyMs <= uploadDone) expect(q.latencyMs).toBeCloseTo(localMs, 6);
    }
    const afterOnce = once.queries.filter((q) => q.raisedAtMs >= uploadDone);
    const afterIonn = ionn.queries.filter((q) => q.raisedAtMs >= ionn.uploadCompleteMs!);
    expect(afterOnce.length).toBeGreaterThan(5);
    expect(afterIonn.length).toBeGreaterThan(5);
    const best = afterOnce[0]!.latencyMs;
    expect(best).toBeLessThan(localMs / 5);
    for (const q of [...afterOnce, ...afterIonn]) expect(q.latencyMs).toBeCloseTo(best, 6);
    // IONN: by the third query, well below local; the first query already offloads something.
    expect(ionn.queries[0]!.serverLayers).toBeGreaterThan(0);
    expect(ionn.queries[2]!.latencyMs).toBeLessThan(0.6 * localMs);
    // Figure 8 / Table 2: more queries during the upload, a slightly later completion, similar energy.
    expect(ionn.queriesDuringUpload).toBeGreaterThan(once.queriesDuringUpload);
    expect(ionn.uploadCompleteMs!).toBeGreaterThan(uploadDone);
    expect(Math.abs(ionn.clientEnergyJ / once.clientEnergyJ - 1)).toBeLessThan(0.1);
    // The upload carries every parameter byte of the model once (plus frame headers).
    const paramBytes = once.partitions.reduce((s, p) => s + p.bytes, 0);
    expect(paramBytes).toBe(243_860_896);
    expect(ionn.partitions.reduce((s, p) => s + p.bytes, 0)).toBe(paramBytes);
  });

  it("neurosurgeon uploads its rear part once; local never uploads", async () => {
    const split = await simulate({ network, policy: "neurosurgeon", seconds: 10, mbps: 160 });
    expect(split.partitions).toHaveLength(1);
    const local = await simulate({ network, policy: "local", seconds: 5 });
    expect(local.partitions).toEqual([]);
    expect(local.queries.every((q) => q.serverLayers === 0 && Math.abs(q.latencyMs - localMs) < 1e-6)).toBe(true);
  });
});

describe("simulate: custom policies, published costs, input checks", () => {
  it("accepts a user policy object (upload only conv1, run it on the server)", async () => {
    const network = zooNetwork("alexnet");
    const conv1 = network.layers.find((l) => l.name === "conv1")!.index;
    const policy: Policy = { name: "conv1-only", decide: () => ({ partitions: [[conv1]] }) };
    const r = await simulate({ network, policy, seconds: 3 });
    expect(r.policy).toBe("conv1-only");
    expect(r.partitions[0]!.layers).toEqual(["conv1"]);
    expect(r.queries.at(-1)!.serverLayerIndices).toEqual([conv1]);
  });

  it("runs on the published profiles where they exist and refuses them elsewhere", async () => {
    const r = await simulate({ network: "alexnet", policy: "local", seconds: 2, costs: "published" });
    // Sum of the published AlexNet client profile (jinevening/IONN-client models/alexnet/prediction_model.txt)
    // over every row but the Input row "data" (the client never runs it): 70.6632 + 2.5688 + … + 0.0832.
    expect(r.queries[0]!.latencyMs).toBeCloseTo(821.704, 6);
    await expect(simulate({ network: "mobilenet-v1", costs: "published" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("rejects bad scenario fields with InvalidArgumentError", async () => {
    await expect(simulate({ network: "alexnet", mbps: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(simulate({ network: "alexnet", seconds: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(simulate({ network: "alexnet", policy: "greedy" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(simulate({ network: "alexnet", K: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(simulate({ network: "no-such-net" })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("timelineSvg", () => {
  it("draws one point per query and one dashed line per completed upload", async () => {
    const a = await simulate({ network: "mobilenet-v1", policy: "ionn", seconds: 4 });
    const b = await simulate({ network: "mobilenet-v1", policy: "local", seconds: 4 });
    const svg = timelineSvg([a, b]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<circle /g)!.length).toBe(a.queries.length + b.queries.length);
    expect(svg.match(/stroke-dasharray/g)!.length).toBe(1);
    expect(svg).toContain("ionn(K=0.5)");
    expect(() => timelineSvg([])).toThrow(InvalidArgumentError);
  });
});
