/**
 * The `paper-2018` calibration's report (issue 13): fits the link on Table
 * 2's all-at-once column, runs the five networks under all-at-once and IONN
 * (K = 0.1, 0.5; Algorithm 1 as printed) and local, and writes
 * docs/results-paper-2018.md, the generated Table 2 block of docs/results.md
 * (between its `paper-2018-table2` markers) and
 * docs/figures/fig7-paper-2018-{alexnet,inception-bn-21k}.svg. The numbers
 * are deterministic (virtual clock); only the date, machine and `uptime` line
 * depend on the run. A few seconds.
 *
 *   npx tsx bench/paper-2018.ts            # writes the files
 *   npx tsx bench/paper-2018.ts --stdout   # prints the markdown only
 */
import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, hostname, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { planNetwork } from "../src/plan/plan-network.js";
import { PAPER_2018, PAPER_2018_CALIBRATION, paper2018Costs } from "../src/sim/scenarios/paper-2018.js";
import { fitLink, PAPER_TABLE_2, type LinkFitCriterion } from "../src/sim/scenarios/link-fit.js";
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

const f = (v: number, d: number) => v.toFixed(d);
const label = (network: string) => PAPER_TABLE_2.find((r) => r.network === network)!.label;

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const cpu = cpus();
  const machine = `${hostname()}: ${cpu.length}× ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
  let uptime: string;
  try {
    uptime = execSync("uptime").toString().trim();
  } catch {
    uptime = `load average: ${loadavg().map((v) => v.toFixed(2)).join(", ")}`;
  }
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const fit = await fitPaper2018Link();
  const criteria: readonly LinkFitCriterion[] = ["relative-minimax", "relative-least-squares", "least-squares"];
  const fits = criteria.map((criterion) => fitLink(fit.points, criterion));
  const runs = await runAllPaper2018();
  const cells = table2Cells(runs);
  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  const pct = (r: number) => `${r >= 1 ? "+" : "−"}${f(Math.abs(r - 1) * 100, 1)} %`;
  const isWithin = (c: (typeof cells)[number]) => c.ratio !== null && Math.abs(c.ratio - 1) <= c.tolerance;

  out("# The paper's own scenario: the `paper-2018` calibration (issue 13)");
  out();
  out("Regenerate: `npx tsx bench/paper-2018.ts` (deterministic, a few seconds; it also rewrites the Table 2 block of docs/results.md). CLI: `ionn simulate <net> --scenario paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json`;");
  out("library: `simulate({ network, calibration: \"paper-2018\", … })`. The default calibration, `profiles-2019`, is unchanged (docs/results.md).");
  out(`Generated ${date} on ${machine}; \`uptime\`: ${uptime} (the simulations run on a virtual clock: the numbers do not depend on the load).`);
  out();
  out("## What the calibration is");
  out();
  out("| part | `profiles-2019` (default) | `paper-2018` |");
  out("| --- | --- | --- |");
  out("| client times | device model fitted to the authors' 2019 Odroid-XU4 profiles (AlexNet 829 ms) | the 2019 base × one device factor so that AlexNet takes **1300 ms** (§2: \"1.3 seconds\"): ×1300/821.7 on the published profiles (AlexNet, GoogLeNet, ResNet-50), ×1300/828.8 on the device model (Inception, MobileNet) |");
  out("| server times | GTX 1080 Ti model (AlexNet 1.64 ms) | the same construction to AlexNet **1 ms** (§2: \"about ~1 ms\"): ×1/1.640 published, ×1/1.641 model |");
  out(`| link | exactly the nominal Mbps, 1 ms one-way | nominal 80 Mbps told to the planner; the link delivers **${f(PAPER_2018.effectiveMbps, 2)} Mbps** and the upload session pays **${f(PAPER_2018.uploadOverheadMs, 1)} ms** once, on its first partition's ACK (both fitted, below); per partition: the ACK round trip and the server's loading time; 1 ms one-way |`);
  out("| energy | idle 3.977 W / transmitting 6.611 W / computing 7.239 W, computing overrides transmitting | same Odroid-XU4 levels, radio and CPU **add**: computing while transmitting draws 9.873 W |");
  out("| Algorithm 1 (`ionn` policy) | `paper` preset + final round at factor 0 | `paper` preset **as printed**: rounds while K^n ≥ 0.01, no final round |");
  out("| uploads | one partition at a time, each after its ACK | the same (§4: the paper's runtime; a pipelined window must be 1 here) |");
  out();
  out("## The link fit (Table 2, all-at-once column only)");
  out();
  out("Model: all-at-once completion = overhead + bytes / throughput + what the simulator adds by itself (hello, 1 ms latencies, the authors' server loading time, the ACK).");
  out("The bytes and the simulator's own time per network are measured on the simulator (`linkFitPoints`, `bench/paper-2018-lib.ts`: all-at-once with both parameters off, at 80 and 40 Mbps).");
  out("Two parameters on the five all-at-once values; the ten IONN values are not used and serve as validation.");
  out();
  out("**Criterion: the largest relative error, max |fitted / paper − 1| over the five, made as small as possible** (the Chebyshev or minimax fit; `fitLink(points, \"relative-minimax\")`,");
  out("`src/sim/scenarios/link-fit.ts`, exact: the optimum of the linear programme is a line on which three points reach the same error with alternating signs, and every such line is tried). Why:");
  out();
  out("- The acceptance is relative and per cell (each all-at-once cell within 5 %, each IONN cell within 8 %), so the fit is chosen in the norm it is judged by. A fit in seconds");
  out("  weighs each point by its squared seconds: a 0.1 s miss costs the same on AlexNet's 28.7 s (0.3 %) as on MobileNet's 2.3 s (4.3 %), and the line follows the three large models.");
  out("- The paper's values are measurements on a lab Wi-Fi printed to 0.1 s, with no repeat count or spread given; the rounding alone is a bounded error of up to ±2.2 % on");
  out("  MobileNet's 2.3 s, and for bounded errors the minimax line is the natural estimate (it centres the line in the band every point allows). Least squares of the relative");
  out("  residuals, the other relative criterion, is the estimate for Gaussian relative errors; it is reported next to it, as is ordinary least squares in seconds.");
  out();
  out("| criterion | overhead (ms) | throughput (Mbps) | fitted / paper: " + fit.points.map((p) => label(p.network)).join(", ") + " | largest \\|error\\| | RMSE (s) | all five within 5 % |");
  out("| --- | ---: | ---: | --- | ---: | ---: | --- |");
  for (const g of fits) {
    out(
      `| ${g.criterion}${g.criterion === "relative-minimax" ? " (**used**)" : ""} | ${f(g.overheadMs, 1)} | ${f(g.mbps, 3)} | ${g.residuals.map((r) => f(r.ratio, 4)).join(", ")} | ${f(g.maxRelativeError * 100, 2)} % | ${f(g.rmseS, 3)} | ${g.maxRelativeError <= 0.05 ? "yes" : `no (${g.residuals.filter((r) => Math.abs(r.ratio - 1) > 0.05).map((r) => `${label(r.network)} ${pct(r.ratio)}`).join(", ")})`} |`,
    );
  }
  out();
  out(`Fitted (used): **overhead ${f(fit.overheadMs, 1)} ms, effective throughput ${f(fit.mbps, 3)} Mbps** (${f((fit.mbps / 80) * 100, 1)} % of the nominal 80 Mbps); residuals:`);
  out();
  out("| network | bytes on the uplink | simulator's own time (ms) | paper (s) | fitted (s) | residual (s) | fitted / paper |");
  out("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  fit.residuals.forEach((r, i) => {
    const p = fit.points[i]!;
    out(`| ${label(r.network)} | ${Math.round(p.bytes).toLocaleString("en-US")} | ${f(p.otherMs, 1)} | ${r.paperS} | ${f(r.fittedS, 3)} | ${r.residualS >= 0 ? "+" : ""}${f(r.residualS, 3)} | ${f(r.ratio, 4)} |`);
  });
  out();
  const byNet = (n: string) => fit.points.find((p) => p.network === n)!;
  const slope = (a: string, b: string) => {
    const [p, q] = [byNet(a), byNet(b)];
    const sPerMB = (p.paperMs - p.otherMs - (q.paperMs - q.otherMs)) / 1000 / ((p.bytes - q.bytes) / 1e6);
    return { sPerMB, mbps: 8 / sPerMB };
  };
  const small = slope("googlenet", "mobilenet-v1");
  const large = slope("alexnet", "resnet50");
  const touching = fit.residuals.filter((r) => Math.abs(Math.abs(r.ratio - 1) - fit.maxRelativeError) < 1e-9).map((r) => `${label(r.network)} ${pct(r.ratio)}`);
  out(`No two-parameter line does better than ±${f(fit.maxRelativeError * 100, 2)} %: the paper's five times are not on one line in the bytes (GoogLeNet to MobileNet they fall by ${f(small.sPerMB, 3)} s/MB, ${f(small.mbps, 0)} Mbps;`);
  out(`AlexNet to ResNet by ${f(large.sPerMB, 3)} s/MB, ${f(large.mbps, 0)} Mbps), and the minimax line reaches the bound at ${touching.join(", ")}. The 5 % target is met with ${f(5 - fit.maxRelativeError * 100, 2)} points to spare,`);
  out("and only under this criterion: both least-squares lines leave one network outside (table above).");
  out();
  out("### Where the overhead is paid: once per session, not on every partition");
  out();
  out("The all-at-once column cannot tell the two apart (one partition each), so the choice rests on the paper's text. §4: the uploading thread sends a partition, the server");
  out("\"builds a DNN model with the delivered DNN partition and sends an acknowledgement message (ACK)\", then the next partition goes. §6.2: \"the total time to upload a DNN model");
  out("will increase due to the handling of more ACK messages … But the difference of the uploading completion time is small, meaning that the overhead of uploading multiple");
  out("partitions is insignificant.\" So there is a per-partition cost, and it is small against the upload. The fitted intercept is not small: on every partition, MobileNet's");
  const mob05 = pick(runs, "mobilenet-v1", "IONN(0.5)").result.partitions.length;
  out(`${mob05} partitions at K = 0.5 would pay ${f(((mob05 - 1) * PAPER_2018.uploadOverheadMs) / 1000, 2)} s more than all-at-once, ${f((((mob05 - 1) * PAPER_2018.uploadOverheadMs) / 2300) * 100, 0)} % of its 2.3 s. What the simulator charges on each partition is the cost the text`);
  out("describes, the ACK's round trip (2 ms) and the server's loading of the partition's layers (the authors' per-layer model), plus the link shared with the feature maps of");
  out("queries offloaded meanwhile; the intercept (connection set-up and whatever else the paper's client waited for once) is paid on the session's first partition.");
  out("Table 2's GoogLeNet row hints both ways: K = 0.5 ends 0.5 s after K = 0.1, but K = 0.1 ends with all-at-once (3.9 s) although it uploads more than one partition. Its 0.5 s is the size");
  out("of the variation the paper's own AlexNet row shows between uploads of one plan: AlexNet's K = 0.5 plan has no more partitions than its K = 0.1 plan (§6.2: K = 0.5 \"created more");
  const a1 = pick(runs, "alexnet", "IONN(0.1)").result.partitions;
  const a5 = pick(runs, "alexnet", "IONN(0.5)").result.partitions;
  const samePlan = a1.length === a5.length && a1.every((p, i) => p.layers.join() === a5[i]!.layers.join());
  out(`partitions than IONN (K=0.1) (except for AlexNet)\"; here both are the same ${a1.length} partitions${samePlan ? "" : " (not quite: they differ here)"}), yet they took 30.3 and 30.7 s (in the simulation both take ${f(pick(runs, "alexnet", "IONN(0.1)").result.uploadCompleteMs! / 1000, 2)} s).`);
  out();
  out("The other reading, the fitted overhead on **every** partition (`uploadOverheadPer: \"partition\"`; same fit, all-at-once unchanged), for comparison:");
  out();
  out("| network | IONN(0.1): paper / ours / ratio | IONN(0.5): paper / ours / ratio |");
  out("| --- | --- | --- |");
  const perPartition = { ...PAPER_2018_CALIBRATION, name: "paper-2018, overhead per partition", uploadOverheadPer: "partition" as const };
  let variantWithin = 0;
  const variantS = new Map<string, number>();
  for (const row of PAPER_TABLE_2) {
    const a = (await runVariant(row.network, 0.1, perPartition)).uploadCompleteMs! / 1000;
    const b = (await runVariant(row.network, 0.5, perPartition)).uploadCompleteMs! / 1000;
    variantS.set(`${row.network} IONN(0.1)`, a).set(`${row.network} IONN(0.5)`, b);
    const mark = (r: number) => (Math.abs(r - 1) <= 0.08 ? (variantWithin++, f(r, 3)) : `**${f(r, 3)}**`);
    out(`| ${row.label} | ${row.ionn01S} / ${f(a, 2)} / ${mark(a / row.ionn01S)} | ${row.ionn05S} / ${f(b, 2)} / ${mark(b / row.ionn05S)} |`);
  }
  out();
  out(`${variantWithin} of 10 IONN cells within 8 % this way (bold: outside), against ${cells.filter((c) => c.label !== "all-at-once" && isWithin(c)).length} of 10 with the overhead once per session (next section).`);
  out();

  out("## Table 2 under `paper-2018` (80 Mbps)");
  out();
  const table: string[] = [];
  table.push("| network | policy | paper (s) | ours (s) | ours / paper | target | |");
  table.push("| --- | --- | ---: | ---: | ---: | ---: | --- |");
  for (const c of cells) {
    table.push(`| ${label(c.network)} | ${c.label} | ${c.paperS} | ${c.oursS === null ? "—" : f(c.oursS, 2)} | ${c.ratio === null ? "—" : f(c.ratio, 3)} | ±${c.tolerance * 100} % | ${isWithin(c) ? "within" : "**outside**"} |`);
  }
  for (const t of table) out(t);
  const within = cells.filter(isWithin);
  const allAtOnceOk = within.filter((c) => c.label === "all-at-once").length;
  const countLine = `${allAtOnceOk} of 5 all-at-once cells within 5 % (fitted), ${within.length - allAtOnceOk} of 10 IONN cells within 8 % (not fitted: validation).`;
  out();
  out(`${countLine}${within.length < cells.length ? " The cells outside:" : ""}`);
  out();
  const g5 = pick(runs, "googlenet", "IONN(0.5)").result;
  const g1 = pick(runs, "googlenet", "IONN(0.1)").result;
  const misses: string[] = [];
  // The last query raised during both GoogLeNet uploads, and how long each upload's last partition takes.
  const q1 = g1.queries.filter((q) => q.raisedAtMs < g1.uploadCompleteMs!).at(-1)!;
  const q5 = g5.queries.find((q) => q.raisedAtMs === q1.raisedAtMs) ?? g5.queries.filter((q) => q.raisedAtMs < g5.uploadCompleteMs!).at(-1)!;
  const partsAt = (r: typeof g1, t: number) => r.partitions.filter((p) => p.ackedAtMs !== null && p.ackedAtMs! <= t).length;
  const lastMs = (r: typeof g1) => r.partitions.at(-1)!.ackedAtMs! - r.partitions.at(-2)!.ackedAtMs!;
  for (const c of cells.filter((c) => !within.includes(c))) {
    if (c.label === "all-at-once") {
      misses.push(`- ${label(c.network)} all-at-once (×${f(c.ratio!, 3)}): the link fit's own residual (above).`);
    } else if (c.network === "googlenet" && c.label === "IONN(0.5)") {
      misses.push(
        `- GoogLeNet IONN(0.5) (×${f(c.ratio!, 3)}): the paper's K = 0.5 upload takes 0.5 s more than its K = 0.1 upload (4.4 against 3.9 s), whose own time equals all-at-once's; here K = 0.5 uploads ${g5.partitions.length} partitions against K = 0.1's ${g1.partitions.length} and ends ${f((g1.uploadCompleteMs! - g5.uploadCompleteMs!) / 1000, 2)} s *before* it (the query raised at ${f(q1.raisedAtMs / 1000, 2)} s finds ${partsAt(g1, q1.raisedAtMs)} partition(s) on the server under K = 0.1 and takes ${f(q1.latencyMs, 0)} ms, its feature maps sharing the link with the last partition, which takes ${f(lastMs(g1), 0)} ms; under K = 0.5 it finds ${partsAt(g5, q5.raisedAtMs)}, takes ${f(q5.latencyMs, 0)} ms, and the last partition ${f(lastMs(g5), 0)} ms). With these plans (${g1.partitions.length} and ${g5.partitions.length} partitions) no constant per-partition cost gives both 3.9 = 3.9 and 3.9 → 4.4 (the paper does not list its partition counts): with the fitted overhead on every partition GoogLeNet is ${f(variantS.get("googlenet IONN(0.1)")! / 3.9, 3)} (K = 0.1) and ${f(variantS.get("googlenet IONN(0.5)")! / 4.4, 3)} (K = 0.5) of the paper. The paper's 0.5 s is of the size of its own AlexNet K = 0.1 / K = 0.5 difference (30.3 against 30.7 s) between uploads of plans with the same number of partitions (results-paper-2018.md, on where the overhead is paid).`,
      );
    } else {
      misses.push(`- ${label(c.network)} ${c.label} (×${f(c.ratio!, 3)}).`);
    }
  }
  for (const m of misses) out(m);
  if (misses.length > 0) out();

  // The generated block of docs/results.md: the fit, Table 2 and its misses.
  const block: string[] = [];
  block.push(`<!-- paper-2018-table2:begin (generated by \`npx tsx bench/paper-2018.ts\`; do not edit by hand) -->`);
  block.push(`Generated ${date} on ${machine}; \`uptime\`: ${uptime} (virtual clock: the numbers do not depend on the load).`);
  block.push("");
  block.push(
    `Link: an upload overhead of **${f(fit.overheadMs, 1)} ms**, paid once per upload session, and an effective throughput of **${f(fit.mbps, 2)} Mbps** (nominal 80), fitted to Table 2's all-at-once column alone by minimising the largest relative error (the acceptance is relative and per cell; the paper's values are bounded-error single runs printed to 0.1 s). Residuals (fitted / paper) ${fit.residuals.map((r) => `${label(r.network)} ${f(r.ratio, 4)}`).join(", ")}; largest ±${f(fit.maxRelativeError * 100, 2)} %, the least any two-parameter line reaches. For comparison: ${fits
      .filter((g) => g.criterion !== "relative-minimax")
      .map((g) => `${g.criterion} ${f(g.overheadMs, 1)} ms + ${f(g.mbps, 2)} Mbps, ratios ${g.residuals.map((r) => f(r.ratio, 3)).join(", ")}`)
      .join("; ")}. The overhead on every partition instead (the text calls the per-partition cost insignificant; ${f(fit.overheadMs, 0)} ms on each is not) leaves ${10 - variantWithin} of the 10 IONN cells outside 8 %. Details: results-paper-2018.md.`,
  );
  block.push("");
  block.push("Table 2 under `paper-2018` (80 Mbps; `ionn simulate <net> --scenario paper-2018 --policy all-at-once|ionn --K 0.1|0.5 --json`, checked cell by cell in test/paper-2018.test.ts):");
  block.push("");
  for (const t of table) block.push(t);
  block.push("");
  block.push(countLine);
  if (misses.length > 0) block.push("", ...misses);
  block.push("<!-- paper-2018-table2:end -->");

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
  {
    const pre = mob1.queries[1]!.raisedAtMs - (mob1.queries[0]!.raisedAtMs + mob1.queries[0]!.latencyMs); // pre-processing between queries
    const firstTwo = mob1.queries[0]!.latencyMs + mob1.queries[1]!.latencyMs;
    const secondEnds = mob1.queries[0]!.raisedAtMs + pre + firstTwo;
    const paperWindow = PAPER_TABLE_2.find((r) => r.network === "mobilenet-v1")!.ionn01S * 1000;
    const needed = paperWindow - mob1.queries[0]!.raisedAtMs - pre;
    out(
      `  Even in the paper's own K = 0.1 window (2.5 s) that second query would end inside it, ${f(paperWindow - secondEnds, 0)} ms early: the exception needs IONN's first two queries to take more than ${f(needed / 1000, 2)} s together (${f(needed / 2, 0)} ms each, against ${f(firstTwo / 2, 0)} ms here and ${f(mobA.queries[0]!.latencyMs, 0)} ms locally). The paper gives no MobileNet time; these are the device model's, scaled by AlexNet's factor, so the exception is not reproduced and this is the stated reason.`,
    );
  }
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
  else {
    writeFileSync(join(root, "docs", "results-paper-2018.md"), markdown);
    const resultsPath = join(root, "docs", "results.md");
    const results = readFileSync(resultsPath, "utf8");
    const begin = results.indexOf("<!-- paper-2018-table2:begin");
    const end = results.indexOf("<!-- paper-2018-table2:end -->");
    if (begin < 0 || end < begin) throw new Error("docs/results.md has no paper-2018-table2 markers; add <!-- paper-2018-table2:begin --> and <!-- paper-2018-table2:end --> where the block goes");
    writeFileSync(resultsPath, results.slice(0, begin) + block.join("\n") + results.slice(end + "<!-- paper-2018-table2:end -->".length));
  }
}

await main();
