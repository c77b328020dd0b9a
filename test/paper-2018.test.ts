/**
 * The `paper-2018` calibration (issue 13), checked against the paper's own
 * numbers: Table 2 through the CLI (`ionn simulate <net> --scenario
 * paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json`), the link fit
 * and its residuals, Algorithm 1 as printed uploading the whole model,
 * Figure 8's claims and Figure 7's shape. The expectations are the paper's
 * values and the tolerances; the two cells that miss are pinned to
 * the cause docs/results-paper-2018.md gives, so a change of the model
 * that moves them fails here until the document is regenerated.
 * Every simulation runs on the virtual clock (milliseconds each).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fitPaper2018Link, figure8Rows, midUploadRiseMs, modelBytes, NETWORKS, pick, runAllPaper2018, table2Cells, type Paper2018Run } from "../bench/paper-2018-lib.js";
import { main } from "../src/cli/main.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { planNetwork, runtimePartitions } from "../src/plan/plan-network.js";
import { alignProfile } from "../src/profile/profile.js";
import { publishedClientProfile, publishedServerProfile } from "../src/profile/published.js";
import { deviceProfile } from "../src/sim/devices/profile.js";
import { PAPER_TABLE_2 } from "../src/sim/scenarios/link-fit.js";
import { PAPER_2018, paper2018Costs } from "../src/sim/scenarios/paper-2018.js";
import { simulate } from "../src/sim/simulate.js";

const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main([...argv, "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as { uploadCompleteMs: number | null; settings: { calibration: string; linkMbps: number }; partitions: { bytes: number }[]; queriesDuringUpload: number; clientEnergyJ: number };
}

describe("paper-2018 costs: AlexNet 1.3 s on the client and 1 ms on the server, one device factor for every network", () => {
  it("AlexNet sums to 1300 ms and 1 ms", () => {
    const c = paper2018Costs(zooNetwork("alexnet"));
    expect(sum(c.clientMs)).toBeCloseTo(1300, 9);
    expect(sum(c.serverMs)).toBeCloseTo(1, 12);
  });
  it("GoogLeNet and ResNet-50 are their published profiles × 1300/821.7 (client) and × 1/1.640 (server)", () => {
    const alex = zooNetwork("alexnet");
    const clientFactor = 1300 / sum(alignProfile(alex, publishedClientProfile("alexnet")));
    const serverFactor = 1 / sum(alignProfile(alex, publishedServerProfile("alexnet")));
    for (const name of ["googlenet", "resnet50"] as const) {
      const net = zooNetwork(name);
      const c = paper2018Costs(net);
      const client = alignProfile(net, publishedClientProfile(name));
      const server = alignProfile(net, publishedServerProfile(name));
      for (let i = 0; i < net.layers.length; i++) {
        expect(c.clientMs[i]).toBeCloseTo(client[i]! * clientFactor, 9);
        expect(c.serverMs[i]).toBeCloseTo(server[i]! * serverFactor, 12);
      }
    }
  });
  it("Inception and MobileNet (no published profile) are the device models × the factor that makes the model's AlexNet 1.3 s / 1 ms", () => {
    const alex = zooNetwork("alexnet");
    const cf = 1300 / sum(deviceProfile("odroid-xu4", alex));
    const sf = 1 / sum(deviceProfile("gtx-1080ti", alex));
    for (const name of ["inception-bn-21k", "mobilenet-v1"]) {
      const net = zooNetwork(name);
      const c = paper2018Costs(net);
      expect(sum(c.clientMs)).toBeCloseTo(sum(deviceProfile("odroid-xu4", net)) * cf, 6);
      expect(sum(c.serverMs)).toBeCloseTo(sum(deviceProfile("gtx-1080ti", net)) * sf, 9);
    }
  });
});

describe("the link fit on Table 2's all-at-once column", () => {
  it("refitting gives the calibration's two constants (overhead, effective throughput)", async () => {
    const fit = await fitPaper2018Link();
    expect(fit.overheadMs).toBeCloseTo(PAPER_2018.uploadOverheadMs, 2);
    expect(fit.mbps).toBeCloseTo(PAPER_2018.effectiveMbps, 3);
    // The residuals stated in docs/results-paper-2018.md.
    expect(fit.residuals.map((r) => Number(r.ratio.toFixed(3)))).toEqual([1.001, 0.983, 1.025, 0.952, 1.055]);
    // The fit is least squares: residuals sum to 0 and are orthogonal to the bytes.
    const res = fit.residuals.map((r) => r.residualS);
    expect(sum(res)).toBeCloseTo(0, 9);
    expect(sum(res.map((r, i) => r * fit.points[i]!.bytes))).toBeCloseTo(0, 0);
  }, 30_000);
});

describe("Table 2 via the CLI: ionn simulate <net> --scenario paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json", () => {
  // Cells outside the tolerance, with the cause docs/results-paper-2018.md states.
  const KNOWN_MISSES = new Set(["mobilenet-v1 all-at-once", "googlenet IONN(0.5)"]);
  const docs: Record<string, Awaited<ReturnType<typeof cli>>> = {};
  beforeAll(async () => {
    for (const row of PAPER_TABLE_2) {
      docs[`${row.network} all-at-once`] = await cli("simulate", row.network, "--scenario", "paper-2018", "--policy", "all-at-once");
      docs[`${row.network} IONN(0.1)`] = await cli("simulate", row.network, "--scenario", "paper-2018", "--policy", "ionn", "--K", "0.1");
      docs[`${row.network} IONN(0.5)`] = await cli("simulate", row.network, "--scenario", "paper-2018", "--policy", "ionn", "--K", "0.5");
    }
  }, 60_000);

  it.each(PAPER_TABLE_2.map((r) => r.network))("%s: every cell within 5 % (all-at-once) / 8 % (IONN) of the paper, except the stated misses", (network) => {
    const row = PAPER_TABLE_2.find((r) => r.network === network)!;
    for (const [label, paperS, tolerance] of [
      ["all-at-once", row.allAtOnceS, 0.05],
      ["IONN(0.1)", row.ionn01S, 0.08],
      ["IONN(0.5)", row.ionn05S, 0.08],
    ] as const) {
      const doc = docs[`${network} ${label}`]!;
      expect(doc.settings.calibration).toBe("paper-2018");
      expect(doc.uploadCompleteMs).not.toBeNull();
      const ratio = doc.uploadCompleteMs! / 1000 / paperS;
      if (KNOWN_MISSES.has(`${network} ${label}`)) expect(Math.abs(ratio - 1)).toBeGreaterThan(tolerance);
      else expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(tolerance);
    }
  });

  it("MobileNet all-at-once misses by exactly the link fit's residual (+5.5 %): the simulator reproduces the fitted line", async () => {
    const fit = await fitPaper2018Link();
    for (const r of fit.residuals) expect(docs[`${r.network} all-at-once`]!.uploadCompleteMs! / 1000).toBeCloseTo(r.fittedS, 2);
    expect(docs["mobilenet-v1 all-at-once"]!.uploadCompleteMs! / 2300).toBeCloseTo(1.055, 3);
  }, 30_000);

  it("GoogLeNet IONN(0.5) misses because it ends before IONN(0.1) here, where the paper's took 0.5 s longer", () => {
    expect(docs["googlenet IONN(0.5)"]!.uploadCompleteMs!).toBeLessThan(docs["googlenet IONN(0.1)"]!.uploadCompleteMs!);
    expect(docs["googlenet IONN(0.5)"]!.uploadCompleteMs! / 4400).toBeLessThan(0.92);
  });

  it("the lib's Table 2 (docs/results-paper-2018.md) is the CLI's", async () => {
    const runs = await runAllPaper2018();
    for (const cell of table2Cells(runs)) expect(cell.oursS! * 1000).toBeCloseTo(docs[`${cell.network} ${cell.label}`]!.uploadCompleteMs!, 6); // s → ms round trip
  }, 30_000);
});

describe("Algorithm 1 as printed, Figure 8 and Figure 7 under paper-2018", () => {
  let runs: Paper2018Run[] = [];
  beforeAll(async () => {
    runs = await runAllPaper2018();
  }, 60_000);

  it.each(NETWORKS)("%s: the ionn policy runs the paper preset without a final round and uploads the whole model at K = 0.1 and 0.5", (network) => {
    const net = zooNetwork(network);
    for (const K of [0.1, 0.5] as const) {
      const run = pick(runs, network, K === 0.1 ? "IONN(0.1)" : "IONN(0.5)");
      const planned = planNetwork(net, paper2018Costs(net), { preset: "paper", K, mbps: 80, finalRound: false });
      expect(planned.plan.rounds.every((r) => r.factor >= 0.01 * (1 - 1e-9))).toBe(true); // no factor-0 round
      expect(planned.plan.rounds).toHaveLength(K === 0.1 ? 3 : 7);
      expect(run.result.partitions.map((p) => p.layers)).toEqual(runtimePartitions(net, planned).map((layers) => layers.map((i) => net.layers[i]!.name)));
      expect(run.uploadedBytes).toBe(modelBytes(network));
      expect(run.result.uploadCompleteMs).not.toBeNull();
    }
  });

  it("Figure 8: more queries than all-at-once during the upload, and energy at or below all-at-once's, on AlexNet, Inception, ResNet, GoogLeNet (both K)", () => {
    for (const row of figure8Rows(runs).filter((r) => r.network !== "mobilenet-v1")) {
      for (const label of ["IONN(0.1)", "IONN(0.5)"] as const) {
        expect(row.queries[label]).toBeGreaterThan(row.queries["all-at-once"]);
        expect(row.energyJ[label]).toBeLessThanOrEqual(row.energyJ["all-at-once"]);
      }
    }
  });

  it("Figure 8: the MobileNet exception does not appear with these costs (IONN 2 queries against 1), as documented", () => {
    const mobile = figure8Rows(runs).find((r) => r.network === "mobilenet-v1")!;
    expect(mobile.queries["all-at-once"]).toBe(1);
    expect(mobile.queries["IONN(0.1)"]).toBe(2);
  });

  it("Figure 7: IONN ends at all-at-once's best latency; AlexNet's and Inception's interference during the last partition is a flat plateau, not a rise", () => {
    for (const network of ["alexnet", "inception-bn-21k"]) {
      const once = pick(runs, network, "all-at-once").result;
      const inc = pick(runs, network, "IONN(0.5)").result;
      expect(inc.queries.at(-1)!.latencyMs).toBeCloseTo(once.queries.at(-1)!.latencyMs, 6);
      expect(midUploadRiseMs(inc)).toBeLessThan(0.01); // flat to the hundredth of a ms (the paper: a rise of hundreds of ms)
    }
    const alex = pick(runs, "alexnet", "IONN(0.5)").result;
    const plateau = alex.queries.filter((q) => q.partitionsUploaded === 2);
    expect(plateau.length).toBeGreaterThan(20);
    expect(plateau[0]!.latencyMs).toBeGreaterThan(alex.partitions[1]!.expectedQueryMs!); // slowed by the shared link
  });
});

describe("profiles-2019 stays the default", () => {
  it("without a calibration: exact link, no overhead, computing-wins energy, final round (AlexNet IONN(0.5) uploads everything)", async () => {
    const r = await simulate({ network: "alexnet", policy: "ionn", K: 0.5 });
    expect(r.settings.calibration).toBe("profiles-2019");
    expect(r.settings.linkMbps).toBe(80);
    expect(r.settings.uploadOverheadMs).toBe(0);
    expect(r.uploadCompleteMs! / 1000).toBeCloseTo(26.15, 2); // docs/results.md, Table 2
    expect(r.energy.joules).toBeCloseTo(178.1, 1);
  });
  it("--scenario with an unknown name is an error naming the option", async () => {
    let stderr = "";
    const code = await main(["simulate", "alexnet", "--scenario", "paper-2017"], { stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--scenario must be one of profiles-2019, paper-2018/);
  });
});

describe("clientEnergyBetween follows the run's calibration", () => {
  it("a paper-2018 run's window energy uses the additive power model (equal to the run's own energy over the upload window)", async () => {
    const { clientEnergyBetween } = await import("../src/sim/simulate.js");
    const r = await simulate({ network: "googlenet", policy: "ionn", K: 0.5, calibration: "paper-2018" });
    expect(clientEnergyBetween(r, 0, r.uploadCompleteMs!).joules).toBeCloseTo(r.clientEnergyJ, 9);
    expect(r.energy.bothMs).toBeGreaterThan(0);
  });
});
