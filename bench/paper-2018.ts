/**
 * The `paper-2018` calibration's report (issue 13): fits the link on Table
 * 2's all-at-once column, runs the five networks under all-at-once and IONN
 * (K = 0.1, 0.5; Algorithm 1 as printed) and local, and writes
 * docs/results-paper-2018.md and docs/figures/fig7-paper-2018-{alexnet,
 * inception-bn-21k}.svg. Deterministic (virtual clock); a few seconds.
 *
 *   npx tsx bench/paper-2018.ts            # writes the files
 *   npx tsx bench/paper-2018.ts --stdout   # prints the markdown only
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { planNetwork } from "../src/plan/plan-network.js";
import { PAPER_2018, PAPER_2018_CALIBRATION, paper2018Costs } from "../src/sim/scenarios/paper-2018.js";
import { PAPER_TABLE_2 } from "../src/sim/scenarios/link-fit.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { parameterBytes } from "../src/model/types.js";
import { deviceProfile } from "../src/sim/devices/profile.js";
import { figure7Spec } from "../scripts/figures/paper-figures.js";
import { renderVegaLite } from "../scripts/figures/vega-svg.js";
import { summarize } from "./experiments-lib.js";
import {
  figure8Rows,
  fitPaper2018Link,
  midUploadRiseMs,
  NETWORKS,
  pick,
  POLICIES,
  runAllPaper2018,
  runVariant,
  table2Cells,
} from "./paper-2018-lib.js";

const MIB = 2 ** 20;

/**
 * The two link parameters that minimise the largest |fitted / paper − 1| (Chebyshev fit), for comparison with least squares:
 * a grid over the throughput (0.001 Mbps steps, 55–80 Mbps) and, for each, the intercept that balances the extreme relative errors (ternary search).
 */
function minimaxLink(points: readonly { bytes: number; otherMs: number; paperMs: number }[]): { overheadMs: number; mbps: number; maxError: number; ratios: number[] } {
  const worst = (a: number, msPerByte: number) => Math.max(...points.map((p) => Math.abs((a + p.bytes * msPerByte + p.otherMs) / p.paperMs - 1)));
  let best = { overheadMs: 0, mbps: 0, maxError: Infinity };
  for (let mbps = 55; mbps <= 80; mbps += 0.001) {
    const msPerByte = 8 / (mbps * 1000);
    let lo = -2000;
    let hi = 2000;
    for (let i = 0; i < 100; i++) {
      const m1 = lo + (hi - lo) / 3;
      const m2 = hi - (hi - lo) / 3;
      if (worst(m1, msPerByte) <= worst(m2, msPerByte)) hi = m2;
      else lo = m1;
    }
    const e = worst(lo, msPerByte);
    if (e < best.maxError) best = { overheadMs: lo, mbps, maxError: e };
  }
  const msPerByte = 8 / (best.mbps * 1000);
  return { ...best, ratios: points.map((p) => (best.overheadMs + p.bytes * msPerByte + p.otherMs) / p.paperMs) };
}
const f = (v: number, d: number) => v.toFixed(d);
const label = (network: string) => PAPER_TABLE_2.find((r) => r.network === network)!.label;

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const fit = await fitPaper2018Link();
  const runs = await runAllPaper2018();
  const cells = table2Cells(runs);
  const lines: string[] = [];
  const out = (s = "") => lines.push(s);

  out("# The paper's own scenario: the `paper-2018` calibration (issue 13)");
  out();
  out("Regenerate: `npx tsx bench/paper-2018.ts` (deterministic, a few seconds). CLI: `ionn simulate <net> --scenario paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json`;");
  out("library: `simulate({ network, calibration: \"paper-2018\", … })`. The default calibration, `profiles-2019`, is unchanged (docs/results.md).");
  out();
  out("## What the calibration is");
  out();
  out("| part | `profiles-2019` (default) | `paper-2018` |");
  out("| --- | --- | --- |");
  out("| client times | device model fitted to the authors' 2019 Odroid-XU4 profiles (AlexNet 829 ms) | the 2019 base × one device factor so that AlexNet takes **1300 ms** (§2: \"1.3 seconds\"): ×1300/821.7 on the published profiles (AlexNet, GoogLeNet, ResNet-50), ×1300/828.8 on the device model (Inception, MobileNet) |");
  out("| server times | GTX 1080 Ti model (AlexNet 1.64 ms) | the same construction to AlexNet **1 ms** (§2: \"about ~1 ms\"): ×1/1.640 published, ×1/1.641 model |");
  out(`| link | exactly the nominal Mbps, 1 ms one-way | nominal 80 Mbps told to the planner; the link delivers **${f(PAPER_2018.effectiveMbps, 2)} Mbps** and the upload pays **${f(PAPER_2018.uploadOverheadMs, 0)} ms** once (both fitted, below); 1 ms one-way |`);
  out("| energy | idle 3.977 W / transmitting 6.611 W / computing 7.239 W, computing overrides transmitting | same Odroid-XU4 levels, radio and CPU **add**: computing while transmitting draws 9.873 W |");
  out("| Algorithm 1 (`ionn` policy) | `paper` preset + final round at factor 0 | `paper` preset **as printed**: rounds while K^n ≥ 0.01, no final round |");
  out("| uploads | one partition at a time, each after its ACK | the same (§4: the paper's runtime; a pipelined window must be 1 here) |");
  out();
  out("## The link fit (Table 2, all-at-once column)");
  out();
  out("Model: all-at-once completion = overhead + bytes / throughput + what the simulator adds by itself (hello, 1 ms latencies, the authors' server loading time, the ACK),");
  out("two parameters fitted by ordinary least squares on the five completion times in seconds (`fitLink`, `src/sim/scenarios/link-fit.ts`; the bytes and the simulator's own");
  out("time per network are measured on the simulator, `bench/paper-2018-lib.ts`).");
  out();
  out(`Fitted: **overhead ${f(fit.overheadMs, 1)} ms, effective throughput ${f(fit.mbps, 3)} Mbps** (${f((fit.mbps / 80) * 100, 1)} % of the nominal 80 Mbps); RMSE ${f(fit.rmseS, 3)} s.`);
  out();
  out("| network | bytes on the uplink | simulator's own time (ms) | paper (s) | fitted (s) | residual (s) | fitted / paper |");
  out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  fit.residuals.forEach((r, i) => {
    const p = fit.points[i]!;
    out(`| ${label(r.network)} | ${Math.round(p.bytes).toLocaleString("en-US")} | ${f(p.otherMs, 1)} | ${r.paperS} | ${f(r.fittedS, 3)} | ${r.residualS >= 0 ? "+" : ""}${f(r.residualS, 3)} | ${f(r.ratio, 3)} |`);
  });
  out();
  const minimax = minimaxLink(fit.points);
  out("Least squares in seconds weighs the large models most: between GoogLeNet (3.9 s for 28.1 MB) and MobileNet (2.3 s for 17.1 MB) the paper's times grow by");
  out(`0.146 s/MB (55 Mbps), across AlexNet–ResNet by 0.117 s/MB (68 Mbps), and the line follows the latter, leaving MobileNet at +${f((fit.residuals[4]!.ratio - 1) * 100, 1)} %.`);
  out(
    `For comparison only (not what the calibration uses): the line that minimises the largest *relative* error, ${f(minimax.overheadMs, 0)} ms + bytes at ${f(minimax.mbps, 2)} Mbps, keeps all five within ${f(minimax.maxError * 100, 2)} % (ratios ${minimax.ratios.map((r) => f(r, 3)).join(", ")}).`,
  );
  out();
  out("Where the overhead is paid: on the session's first upload only. The paper itself says the \"overhead of uploading multiple partitions is insignificant\" (§6.2)");
  out("and its GoogLeNet K = 0.1 upload (3 partitions) ends at the same 3.9 s as all-at-once; a 390 ms cost on every partition would add 0.8–1.6 s to every IONN cell.");
  out("Per partition the simulation charges the ACK round trip (2 ms) and the feature maps of offloaded queries, which share the link (fair sharing). The variant with the");
  out("overhead on every partition (the literal reading of \"per-transfer\") is run below for comparison.");
  out();

  out("## Table 2 under `paper-2018` (80 Mbps)");
  out();
  out("| network | policy | paper (s) | ours (s) | ours / paper | target | |");
  out("| --- | --- | ---: | ---: | ---: | ---: | --- |");
  for (const c of cells) {
    const ok = c.ratio !== null && Math.abs(c.ratio - 1) <= c.tolerance;
    out(`| ${label(c.network)} | ${c.label} | ${c.paperS} | ${c.oursS === null ? "—" : f(c.oursS, 2)} | ${c.ratio === null ? "—" : f(c.ratio, 3)} | ±${c.tolerance * 100} % | ${ok ? "within" : "**outside**"} |`);
  }
  const within = cells.filter((c) => c.ratio !== null && Math.abs(c.ratio - 1) <= c.tolerance);
  const allAtOnceOk = within.filter((c) => c.label === "all-at-once").length;
  out();
  out(`${allAtOnceOk} of 5 all-at-once cells within 5 %, ${within.length - allAtOnceOk} of 10 IONN cells within 8 %. The cells outside:`);
  out();
  const g5 = pick(runs, "googlenet", "IONN(0.5)").result;
  const g1 = pick(runs, "googlenet", "IONN(0.1)").result;
  for (const c of cells.filter((c) => !within.includes(c))) {
    if (c.label === "all-at-once") {
      out(`- ${label(c.network)} all-at-once (×${f(c.ratio!, 3)}): the least-squares residual of the link fit itself (above): the fit in seconds follows the large models; a minimax fit would pass, but is not the stated least squares.`);
    } else if (c.network === "googlenet" && c.label === "IONN(0.5)") {
      out(
        `- GoogLeNet IONN(0.5) (×${f(c.ratio!, 3)}): the paper's K = 0.5 upload takes 0.5 s more than its K = 0.1 upload (4.4 against 3.9 s) for one more partition (${g5.partitions.length} against ${g1.partitions.length} here), while its K = 0.1 upload takes no longer than all-at-once. A per-partition cost large enough for the first would break the second and every other IONN cell (see the variant below). Here K = 0.5 ends ${f((g1.uploadCompleteMs! - g5.uploadCompleteMs!) / 1000, 2)} s *before* K = 0.1: K = 0.1's 20 MiB second partition is on the link while two queries send their feature maps, K = 0.5's smaller partitions are not.`,
      );
    } else {
      out(`- ${label(c.network)} ${c.label} (×${f(c.ratio!, 3)}).`);
    }
  }
  out();
  out("Variant: the fitted overhead on **every** partition (`uploadOverheadPer: \"partition\"`; same fit, all-at-once unchanged):");
  out();
  out("| network | IONN(0.1): paper / ours / ratio | IONN(0.5): paper / ours / ratio |");
  out("| --- | --- | --- |");
  const perPartition = { ...PAPER_2018_CALIBRATION, name: "paper-2018, overhead per partition", uploadOverheadPer: "partition" as const };
  for (const row of PAPER_TABLE_2) {
    const a = (await runVariant(row.network, 0.1, perPartition)).uploadCompleteMs! / 1000;
    const b = (await runVariant(row.network, 0.5, perPartition)).uploadCompleteMs! / 1000;
    out(`| ${row.label} | ${row.ionn01S} / ${f(a, 2)} / ${f(a / row.ionn01S, 3)} | ${row.ionn05S} / ${f(b, 2)} / ${f(b / row.ionn05S, 3)} |`);
  }
  out();

  out("## Algorithm 1 as printed uploads the whole model");
  out();
  out("The `ionn` policy under `paper-2018` runs the `paper` preset without the final round (threshold 0.01 with its relative tolerance). Uploaded bytes against the model's:");
  out();
  out("| network | K | rounds (last factor) | partitions (MiB) | uploaded / model | expected ms after the last partition | all-at-once best (ms) |");
  out("| --- | ---: | --- | --- | ---: | ---: | ---: |");
  for (const network of NETWORKS) {
    const net = zooNetwork(network);
    const costs = paper2018Costs(net);
    for (const K of [0.1, 0.5]) {
      const planned = planNetwork(net, costs, { preset: "paper", K, mbps: 80 });
      const run = pick(runs, network, K === 0.1 ? "IONN(0.1)" : "IONN(0.5)");
      const rounds = planned.plan.rounds;
      const once = pick(runs, network, "all-at-once").result.partitions[0]!.expectedQueryMs!;
      out(
        `| ${label(network)} | ${K} | ${rounds.length} (${rounds.at(-1)!.factor.toPrecision(3)}) | ${run.result.partitions.map((p) => f(p.bytes / MIB, 2)).join(" + ")} | ${f(run.uploadedBytes / run.modelBytes, 4)} | ${f(run.result.partitions.at(-1)!.expectedQueryMs!, 1)} | ${f(once, 1)} |`,
      );
    }
  }
  out();
  out("The same algorithm (no final round) with the `profiles-2019` costs, for comparison (MiB uploaded of the model's):");
  out();
  out("| network | K = 0.1 | K = 0.5 |");
  out("| --- | ---: | ---: |");
  for (const network of NETWORKS) {
    const net = zooNetwork(network);
    const costs = { clientMs: deviceProfile("odroid-xu4", net), serverMs: deviceProfile("gtx-1080ti", net) };
    const total = net.layers.reduce((sum, l) => sum + parameterBytes(l), 0);
    const cell = (K: number) => {
      const bytes = planNetwork(net, costs, { preset: "paper", K, mbps: 80 }).plan.partitions.reduce((sum, p) => sum + p.bytes, 0);
      return `${f(bytes / MIB, 1)} of ${f(total / MIB, 1)}`;
    };
    out(`| ${label(network)} | ${cell(0.1)} | ${cell(0.5)} |`);
  }
  out();
  out("With the client at the paper's 1.3 s for AlexNet instead of 829 ms, the large layers pay off while the upload factor is still ≥ 0.01.");
  out();

  out("## Figure 8 under `paper-2018`: queries and client energy during the upload");
  out();
  out("| network | queries: all-at-once / IONN(0.1) / IONN(0.5) | energy (J): all-at-once / IONN(0.1) / IONN(0.5) | IONN / all-at-once energy: 0.1 / 0.5 |");
  out("| --- | --- | --- | --- |");
  const rows = figure8Rows(runs);
  for (const r of rows) {
    const e = r.energyJ;
    out(
      `| ${label(r.network)} | ${r.queries["all-at-once"]} / ${r.queries["IONN(0.1)"]} / ${r.queries["IONN(0.5)"]} | ${f(e["all-at-once"], 1)} / ${f(e["IONN(0.1)"], 1)} / ${f(e["IONN(0.5)"], 1)} | ${f(e["IONN(0.1)"] / e["all-at-once"], 3)} / ${f(e["IONN(0.5)"] / e["all-at-once"], 3)} |`,
    );
  }
  out();
  const four = rows.filter((r) => r.network !== "mobilenet-v1");
  const moreQueries = four.every((r) => r.queries["IONN(0.1)"] > r.queries["all-at-once"] && r.queries["IONN(0.5)"] > r.queries["all-at-once"]);
  const lessEnergy = four.every((r) => r.energyJ["IONN(0.1)"] <= r.energyJ["all-at-once"] && r.energyJ["IONN(0.5)"] <= r.energyJ["all-at-once"]);
  const mobile = rows.find((r) => r.network === "mobilenet-v1")!;
  out(`- More queries during the upload than all-at-once on AlexNet, Inception, ResNet and GoogLeNet, both K: **${moreQueries ? "holds" : "does not hold"}**.`);
  out(`- Energy of IONN at or below all-at-once's on those four, both K: **${lessEnergy ? "holds" : "does not hold"}**. With radio and CPU adding up, each second of`);
  out("  client computation that IONN moves to the server saves 3.262 W on top of the radio; IONN's longer upload window costs the radio's 6.611 W for a few tenths of a second.");
  out(
    `- MobileNet, the paper's exception (IONN no more queries than all-at-once): **${mobile.queries["IONN(0.1)"] > mobile.queries["all-at-once"] ? "does not appear" : "appears"}** (${mobile.queries["all-at-once"]} → ${mobile.queries["IONN(0.1)"]} / ${mobile.queries["IONN(0.5)"]}).`,
  );
  const mob1 = pick(runs, "mobilenet-v1", "IONN(0.1)").result;
  const mobA = pick(runs, "mobilenet-v1", "all-at-once").result;
  out(
    `  Cause: all-at-once ends at ${f(mobA.uploadCompleteMs! / 1000, 2)} s, so its second query (raised at ${f(mobA.queries[1]!.raisedAtMs / 1000, 2)} s, local, ${f(mobA.queries[1]!.latencyMs, 0)} ms) finishes after the upload;`,
  );
  out(
    `  IONN's first partition is ACKed at ${f(mob1.partitions[0]!.ackedAtMs! / 1000, 2)} s, and its first two queries take ${f(mob1.queries[0]!.latencyMs, 0)} ms each, so the second finishes at ${f((mob1.queries[1]!.raisedAtMs + mob1.queries[1]!.latencyMs) / 1000, 2)} s, inside IONN's ${f(mob1.uploadCompleteMs! / 1000, 2)} s window. The count is 1 against 2 on a window of two`);
  out("  queries, where a few hundred milliseconds decide the count; with these costs IONN's partly offloaded first queries are fast enough to fit a second one in.");
  out();

  out("## Figure 7 under `paper-2018` (AlexNet and Inception)");
  out();
  const summaries = runs.map((r) => summarize(r.result, r.label, "device-models"));
  for (const network of ["alexnet", "inception-bn-21k"]) {
    const spec = figure7Spec(summaries, network) as { title: { text: string; subtitle: string[] } };
    spec.title = { ...spec.title, text: `${label(network)}: query latency over time (paper-2018, 80 Mbps nominal)` };
    const svg = await renderVegaLite(spec as never);
    if (!process.argv.includes("--stdout")) writeFileSync(join(root, "docs", "figures", `fig7-paper-2018-${network}.svg`), svg);
    out(`![Figure 7 under paper-2018, ${label(network)}](figures/fig7-paper-2018-${network}.svg)`);
    out();
  }
  const riseA = midUploadRiseMs(pick(runs, "alexnet", "IONN(0.5)").result);
  const riseI = midUploadRiseMs(pick(runs, "inception-bn-21k", "IONN(0.5)").result);
  const alex = pick(runs, "alexnet", "IONN(0.5)").result;
  const plateau = alex.queries.filter((q) => q.partitionsUploaded === 2);
  out(
    `Mid-upload rise (the paper: AlexNet 10–30 s, Inception 8–16 s): largest increase between consecutive offloaded queries during the upload, AlexNet ${f(riseA, 1)} ms, Inception ${f(riseI, 1)} ms. ` +
      `AlexNet's IONN queries from ${f(plateau[0]!.raisedAtMs / 1000, 1)} s to ${f(plateau.at(-1)!.raisedAtMs / 1000, 1)} s all take ${f(plateau[0]!.latencyMs, 1)} ms (the planner expected ${f(alex.partitions[1]!.expectedQueryMs!, 1)} ms): ` +
      "the interference of the last, 224 MiB partition is there but flat, not a rise. The costs do not produce the rise because the simulated link shares its bandwidth evenly and " +
      "instantly between the partition and a feature map for the whole upload (processor sharing), so every query during it is slowed by the same amount; the paper's rise " +
      "after 10 s needs an interference that grows while the big partition is sent (a TCP sender's congestion window and the Wi-Fi queue filling up behind a long bulk transfer), which the link model does not have.",
  );
  out();
  out("Policies and runs: " + POLICIES.map((p) => p.label).join(", ") + `; ${runs.length} simulations.`);
  const markdown = `${lines.join("\n")}\n`;
  if (process.argv.includes("--stdout")) process.stdout.write(markdown);
  else writeFileSync(join(root, "docs", "results-paper-2018.md"), markdown);
}

await main();
