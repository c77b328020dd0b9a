/**
 * The `paper-2018` calibration (issue 13), checked against the paper's own
 * numbers: Table 2 through the CLI (`ionn simulate <net> --scenario
 * paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json`), the link fit
 * and its residuals, Algorithm 1 as printed uploading the whole model,
 * Figure 8's claims and Figure 7's shape. The expectations are the paper's
 * values and the tolerances; the one cell that misses (GoogLeNet
 * IONN(0.5)) is pinned to the cause docs/results-paper-2018.md gives, so a
 * change of the model that moves it fails here until the document is
 * regenerated. The CLI contract is checked twice: in-process (`main`) and as
 * the installed command (`node bin/ionn.js`, skipped with the reason when
 * dist/ is not built). Every simulation runs on the virtual clock.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { fitPaper2018Link, figure8Rows, midUploadRiseMs, modelBytes, NETWORKS, pick, runAllPaper2018, table2Cells, type Paper2018Run } from "../bench/paper-2018-lib.js";
import { main } from "../src/cli/main.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { planNetwork, runtimePartitions } from "../src/plan/plan-network.js";
import { alignProfile } from "../src/profile/profile.js";
import { publishedClientProfile, publishedServerProfile } from "../src/profile/published.js";
import { deviceProfile } from "../src/sim/devices/profile.js";
import { fitLink, PAPER_TABLE_2 } from "../src/sim/scenarios/link-fit.js";
import { PAPER_2018, PAPER_2018_CALIBRATION, paper2018Costs } from "../src/sim/scenarios/paper-2018.js";
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
  it("refitting (minimax relative error) gives the calibration's two constants; the overhead is paid once per session", async () => {
    const fit = await fitPaper2018Link();
    expect(fit.criterion).toBe("relative-minimax");
    expect(fit.overheadMs).toBeCloseTo(PAPER_2018.uploadOverheadMs, 2);
    expect(fit.mbps).toBeCloseTo(PAPER_2018.effectiveMbps, 3);
    expect(PAPER_2018_CALIBRATION.uploadOverheadMs).toBe(PAPER_2018.uploadOverheadMs);
    expect(PAPER_2018_CALIBRATION.linkEfficiency).toBeCloseTo(PAPER_2018.effectiveMbps / 80, 12);
    expect(PAPER_2018_CALIBRATION.uploadOverheadPer).toBe("session");
    // The residuals stated in docs/results-paper-2018.md.
    expect(fit.residuals.map((r) => Number(r.ratio.toFixed(3)))).toEqual([1.026, 1.004, 1.045, 0.955, 1.045]);
    expect(fit.maxRelativeError).toBeLessThan(0.05);
  }, 30_000);

  it("the minimax line is optimal by Chebyshev's criterion: three points in byte order reach the largest error with alternating signs", async () => {
    const fit = await fitPaper2018Link();
    const errors = fit.residuals.map((r, i) => ({ bytes: fit.points[i]!.bytes, e: r.ratio - 1 }));
    const extreme = errors.filter((x) => Math.abs(Math.abs(x.e) - fit.maxRelativeError) < 1e-9).sort((a, b) => a.bytes - b.bytes);
    expect(extreme.length).toBeGreaterThanOrEqual(3);
    let alternations = 0;
    for (let i = 1; i < extreme.length; i++) if (Math.sign(extreme[i]!.e) !== Math.sign(extreme[i - 1]!.e)) alternations++;
    expect(alternations).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it("both least-squares fits, reported for comparison, leave one all-at-once cell outside 5 % (the stated reason for the relative minimax)", async () => {
    const { points } = await fitPaper2018Link();
    const ls = fitLink(points, "least-squares");
    const rel = fitLink(points, "relative-least-squares");
    // Ordinary least squares: residuals sum to 0 and are orthogonal to the bytes.
    const res = ls.residuals.map((r) => r.residualS);
    expect(sum(res)).toBeCloseTo(0, 9);
    expect(sum(res.map((r, i) => r * points[i]!.bytes))).toBeCloseTo(0, 0);
    expect(ls.overheadMs).toBeCloseTo(390.4, 1);
    expect(ls.residuals.filter((r) => Math.abs(r.ratio - 1) > 0.05).map((r) => r.network)).toEqual(["mobilenet-v1"]);
    // Relative least squares: Σ r_i / paper_i = 0 and Σ r_i · bytes_i / paper_i = 0 with r_i the relative residual.
    const relRes = rel.residuals.map((r) => r.ratio - 1);
    expect(sum(relRes.map((r, i) => r / points[i]!.paperMs))).toBeCloseTo(0, 9);
    expect(sum(relRes.map((r, i) => (r * points[i]!.bytes) / points[i]!.paperMs))).toBeCloseTo(0, 3);
    expect(rel.residuals.filter((r) => Math.abs(r.ratio - 1) > 0.05).map((r) => r.network)).toEqual(["googlenet"]);
  }, 30_000);
});

/** The 15 cells as (network, label, argv after `simulate <net>`, paper s, tolerance). */
const CELLS = PAPER_TABLE_2.flatMap((row) => [
  { network: row.network, label: "all-at-once", args: ["--policy", "all-at-once"], paperS: row.allAtOnceS, tolerance: 0.05 },
  { network: row.network, label: "IONN(0.1)", args: ["--policy", "ionn", "--K", "0.1"], paperS: row.ionn01S, tolerance: 0.08 },
  { network: row.network, label: "IONN(0.5)", args: ["--policy", "ionn", "--K", "0.5"], paperS: row.ionn05S, tolerance: 0.08 },
]);
// The cell outside the tolerance, with the cause docs/results-paper-2018.md states.
const KNOWN_MISSES = new Set(["googlenet IONN(0.5)"]);

describe("Table 2 via the CLI: ionn simulate <net> --scenario paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json", () => {
  const docs: Record<string, Awaited<ReturnType<typeof cli>>> = {};
  beforeAll(async () => {
    for (const cell of CELLS) docs[`${cell.network} ${cell.label}`] = await cli("simulate", cell.network, "--scenario", "paper-2018", ...cell.args);
  }, 60_000);

  it.each(PAPER_TABLE_2.map((r) => r.network))("%s: every cell within 5 % (all-at-once) / 8 % (IONN) of the paper, except the stated miss", (network) => {
    for (const cell of CELLS.filter((c) => c.network === network)) {
      const doc = docs[`${network} ${cell.label}`]!;
      expect(doc.settings.calibration).toBe("paper-2018");
      expect(doc.uploadCompleteMs).not.toBeNull();
      const ratio = doc.uploadCompleteMs! / 1000 / cell.paperS;
      if (KNOWN_MISSES.has(`${network} ${cell.label}`)) expect(Math.abs(ratio - 1)).toBeGreaterThan(cell.tolerance);
      else expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(cell.tolerance);
    }
  });

  it("all five all-at-once cells are the fitted line: overhead + bytes at the fitted throughput + the simulator's own time", async () => {
    const { points } = await fitPaper2018Link();
    for (const p of points) {
      const expectedMs = PAPER_2018.uploadOverheadMs + (p.bytes * 8) / (PAPER_2018.effectiveMbps * 1000) + p.otherMs;
      expect(docs[`${p.network} all-at-once`]!.uploadCompleteMs!).toBeCloseTo(expectedMs, 0);
    }
  }, 30_000);

  it("GoogLeNet IONN(0.5) misses because it ends before IONN(0.1) here, where the paper's took 0.5 s longer", () => {
    expect(docs["googlenet IONN(0.5)"]!.uploadCompleteMs!).toBeLessThan(docs["googlenet IONN(0.1)"]!.uploadCompleteMs!);
    expect(docs["googlenet IONN(0.5)"]!.uploadCompleteMs! / 4400).toBeLessThan(0.92);
  });

  it("the overhead on every partition instead (the variant in the docs) would put 6 of the 10 IONN cells outside 8 %", async () => {
    const { runVariant } = await import("../bench/paper-2018-lib.js");
    const perPartition = { ...PAPER_2018_CALIBRATION, name: "per partition", uploadOverheadPer: "partition" as const };
    let outside = 0;
    for (const cell of CELLS.filter((c) => c.label !== "all-at-once")) {
      const r = await runVariant(cell.network, cell.label === "IONN(0.1)" ? 0.1 : 0.5, perPartition);
      const sessionMs = docs[`${cell.network} ${cell.label}`]!.uploadCompleteMs!;
      const partitions = docs[`${cell.network} ${cell.label}`]!.partitions.length;
      // Every partition after the first pays the overhead once more (the queries' feature maps then meet the partitions at other
      // times, so the difference is not exactly (partitions − 1) × the overhead), and every IONN plan here has more than one partition.
      expect(partitions).toBeGreaterThan(1);
      expect(r.uploadCompleteMs! - sessionMs).toBeGreaterThan(0.5 * (partitions - 1) * PAPER_2018.uploadOverheadMs);
      if (Math.abs(r.uploadCompleteMs! / 1000 / cell.paperS - 1) > 0.08) outside++;
    }
    expect(outside).toBe(6);
  }, 60_000);

  it("the lib's Table 2 (docs/results-paper-2018.md) is the CLI's", async () => {
    const runs = await runAllPaper2018();
    for (const cell of table2Cells(runs)) expect(cell.oursS! * 1000).toBeCloseTo(docs[`${cell.network} ${cell.label}`]!.uploadCompleteMs!, 6); // s → ms round trip
  }, 30_000);
});

const built = existsSync("dist/cli/main.js") && existsSync("bin/ionn.js");
describe.skipIf(!built)(
  `Table 2 through the installed command, node bin/ionn.js simulate <net> --scenario paper-2018 … --json${built ? "" : " (skipped: dist/ is not built: npm run build)"}`,
  () => {
    it("each of the 15 cells within its tolerance (5 % all-at-once, 8 % IONN), except the stated miss", async () => {
      const run = promisify(execFile);
      const results = new Map<string, number>();
      // Three processes at a time (a 2-core machine).
      for (let i = 0; i < CELLS.length; i += 3) {
        await Promise.all(
          CELLS.slice(i, i + 3).map(async (cell) => {
            const { stdout } = await run(process.execPath, ["bin/ionn.js", "simulate", cell.network, "--scenario", "paper-2018", ...cell.args, "--json"], { maxBuffer: 64 * 2 ** 20 });
            const doc = JSON.parse(stdout) as { uploadCompleteMs: number | null; settings: { calibration: string } };
            expect(doc.settings.calibration).toBe("paper-2018");
            expect(doc.uploadCompleteMs).not.toBeNull();
            results.set(`${cell.network} ${cell.label}`, doc.uploadCompleteMs! / 1000 / cell.paperS);
          }),
        );
      }
      const failures: string[] = [];
      for (const cell of CELLS) {
        const key = `${cell.network} ${cell.label}`;
        const ratio = results.get(key)!;
        const inside = Math.abs(ratio - 1) <= cell.tolerance;
        if (inside === KNOWN_MISSES.has(key)) failures.push(`${key}: ${ratio.toFixed(3)} (tolerance ${cell.tolerance})`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  },
);

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

  it("Figure 8: the MobileNet exception does not appear with these costs (IONN 2 queries against 1), as documented: IONN's first two queries together take less than the 1.5 s that would push the second past even the paper's 2.5 s window", () => {
    const mobile = figure8Rows(runs).find((r) => r.network === "mobilenet-v1")!;
    expect(mobile.queries["all-at-once"]).toBe(1);
    expect(mobile.queries["IONN(0.1)"]).toBe(2);
    const q = pick(runs, "mobilenet-v1", "IONN(0.1)").result.queries;
    // Query 1 is raised after 0.5 s of pre-processing, query 2 0.5 s after query 1 ends: query 2 ends at 1.0 s + both latencies.
    expect(q[0]!.raisedAtMs).toBeCloseTo(500, 6);
    expect(q[1]!.raisedAtMs).toBeCloseTo(q[0]!.raisedAtMs + q[0]!.latencyMs + 500, 6);
    expect(q[0]!.latencyMs + q[1]!.latencyMs).toBeLessThan(2500 - 1000);
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
