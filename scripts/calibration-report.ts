/**
 * Writes docs/results-devices.md: the device-model calibration table, the
 * models on the uncalibrated zoo networks, the Table 3-like table of the
 * server install phase, and the §6.3 plan comparison.
 *
 *   npx tsx scripts/calibration-report.ts            # writes docs/results-devices.md
 *   npx tsx scripts/calibration-report.ts --stdout   # prints it instead
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { zooNetwork, ZOO_NAMES } from "../src/model/zoo/index.js";
import { planNetwork } from "../src/plan/index.js";
import { publishedClientProfile, publishedServerProfile, PUBLISHED_PROFILE_NETWORKS } from "../src/profile/published.js";
import { fitPredictionFunctions, predictLayerMs } from "../src/regression/fit.js";
import { fitResult, installPhaseSweep } from "../src/regression/install-phase.js";
import { serializePredictionFunctions } from "../src/regression/serialize.js";
import { deviceProfile, gtx1080Ti, odroidXu4 } from "../src/sim/devices/index.js";
import { CALIBRATION_NETWORKS, calibrationRow } from "./calibration.js";

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4));
/**
 * The report as markdown, and how many §6.3 plans differ. Deterministic.
 */
export function deviceReport(): { text: string; differ: number } {
  const out: string[] = [];

  out.push("# Device cost models and prediction functions: results");
  out.push("");
  out.push("Regenerate with `npx tsx scripts/calibration-report.ts` (deterministic; seed 1).");
  out.push("Constants: `src/sim/devices/odroid-xu4.ts`, `src/sim/devices/gtx-1080ti.ts`, fitted by");
  out.push("`npx tsx scripts/calibrate-devices.ts` (method: `scripts/calibration.ts`).");
  out.push("");
  out.push("## Calibration against the published profiles (IONN authors, jinevening/IONN-client)");
  out.push("");
  out.push("Layers matched to profile rows by runtime position. Error of a layer = |model − published| / published.");
  out.push("");
  out.push("| device | network | layers | published total (ms) | model total (ms) | total error | median layer error |");
  out.push("|---|---|---:|---:|---:|---:|---:|");
  for (const [model, side] of [[odroidXu4(), "client"], [gtx1080Ti(), "server"]] as const) {
    for (const net of CALIBRATION_NETWORKS) {
      const r = calibrationRow(model, side, net);
      out.push(`| ${model.name} | ${net} | ${r.layers} | ${ms(r.publishedTotalMs)} | ${ms(r.modelTotalMs)} | ${pct(r.totalError)} | ${pct(r.medianLayerError)} |`);
    }
  }
  out.push("");
  out.push("Targets: totals within 10%, median layer error under 25%.");
  out.push("");
  out.push("## Uncalibrated networks (no published profile; no fitting to them)");
  out.push("");
  out.push("Depthwise convolutions (MobileNet) use assumed constants (see the device files).");
  out.push("");
  out.push("| network | layers | odroid-xu4 total (ms) | gtx-1080ti total (ms) | ratio |");
  out.push("|---|---:|---:|---:|---:|");
  for (const name of ["mobilenet-v1", "inception-bn-21k"]) {
    const net = zooNetwork(name);
    const c = deviceProfile(odroidXu4(), net).reduce((a, b) => a + b, 0);
    const s = deviceProfile(gtx1080Ti(), net).reduce((a, b) => a + b, 0);
    out.push(`| ${name} | ${net.layers.length} | ${ms(c)} | ${ms(s)} | ${(c / s).toFixed(0)}× |`);
  }
  out.push("");

  // Install phase
  const samples = installPhaseSweep({ seed: 1, perType: 60 });
  const fitted = fitPredictionFunctions(samples);
  const result = fitResult(fitted);
  const serialized = serializePredictionFunctions(fitted);
  out.push("## Server install phase: Table 3-like table");
  out.push("");
  out.push("`runInstallPhase({ seed: 1, perType: 60 })`: 60 seeded random configurations per type timed on the");
  out.push("gtx-1080ti model with multiplicative noise exp(0.05·N(0,1)), fitted on Neurosurgeon's variables.");
  out.push("Paper's Table 3 for comparison (real GPU): Conv 0.428 / 0.025 ms, ReLU 0.999 / 0.001, Pooling 0.853 / 0.002,");
  out.push("LRN 1.000 / 0.009, Concat 1.000 / 0.018, FC 0.997 / 1.291, Softmax 1.000 / 0.256, BatchNorm 0.953 / 0.004,");
  out.push("Scale 0.953 / 0.002, Eltwise 0.991 / 0.002.");
  out.push("");
  out.push("| type | R² | RMSE (ms) | samples |");
  out.push("|---|---:|---:|---:|");
  for (const row of result.table) out.push(`| ${row.type} | ${row.r2?.toFixed(3)} | ${row.rmseMs?.toFixed(4)} | ${row.samples} |`);
  out.push("");
  out.push(`Serialized prediction functions (${result.table.length} types + fallback): **${new TextEncoder().encode(serialized).length} bytes**.`);
  out.push("");

  // §6.3
  out.push("## §6.3: plans from predicted vs true server times (80 Mbps)");
  out.push("");
  out.push("Client times: the published Odroid-XU4 profile where it exists, else the odroid-xu4 model. Predicted server");
  out.push("times: the install-phase functions above (`predictLayerMs`). True server times: the gtx-1080ti model, and");
  out.push("the published GPU profile where it exists. Preset `paper` with the final round at factor 0: the plans the simulator's `ionn`");
  out.push("policy runs (profiles-2019 calibration). Same = same partitions, same layers in each.");
  out.push("");
  out.push("| network | truth | K | partitions (true) | partitions (predicted) | same plan |");
  out.push("|---|---|---:|---:|---:|---|");
  const partitionsKey = (p: { partitions: readonly { layers: readonly number[] }[] }): string => JSON.stringify(p.partitions.map((x) => x.layers));
  let differ = 0;
  for (const name of ZOO_NAMES) {
    const net = zooNetwork(name);
    const published = (PUBLISHED_PROFILE_NETWORKS as readonly string[]).includes(name) ? (name as (typeof PUBLISHED_PROFILE_NETWORKS)[number]) : undefined;
    const clientMs = published ? publishedClientProfile(published).layers.map((l) => l.ms) : Array.from(deviceProfile(odroidXu4(), net));
    const predicted = net.layers.map((l) => predictLayerMs(fitted, l));
    const truths: Array<[string, number[]]> = [["gtx-1080ti model", Array.from(deviceProfile(gtx1080Ti(), net))]];
    if (published) truths.push(["published GPU profile", publishedServerProfile(published).layers.map((l) => l.ms)]);
    for (const [label, serverMs] of truths) {
      for (const K of [0.1, 0.5]) {
        // The plans the simulator runs: the ionn policy's paper preset with its final round (profiles-2019).
        const truePlan = planNetwork(net, { clientMs, serverMs }, { preset: "paper", mbps: 80, K, finalRound: true }).plan;
        const predPlan = planNetwork(net, { clientMs, serverMs: predicted }, { preset: "paper", mbps: 80, K, finalRound: true }).plan;
        const same = partitionsKey(truePlan) === partitionsKey(predPlan);
        if (!same) differ++;
        out.push(`| ${name} | ${label} | ${K} | ${truePlan.partitions.length} | ${predPlan.partitions.length} | ${same ? "yes" : "**no**"} |`);
      }
    }
  }
  out.push("");
  out.push(differ === 0 ? "All plans agree." : `${differ} case(s) differ (see the table).`);
  out.push("");
  return { text: out.join("\n"), differ };
}

/** Run as a script (not when imported by bench/experiments.ts). */
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { text, differ } = deviceReport();
  if (process.argv.includes("--stdout")) console.log(text);
  else {
    writeFileSync(new URL("../docs/results-devices.md", import.meta.url), text);
    console.log(`wrote docs/results-devices.md (${differ} differing plan(s))`);
  }
}
