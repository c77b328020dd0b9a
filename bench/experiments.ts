/**
 * Reproduces the IONN paper's evaluation (§6: Table 1, Table 2, Figure 7,
 * Figure 8) on the simulator, plus a K sweep, a bandwidth sweep (5–160 Mbps)
 * and runs on the authors' published profiles, and writes docs/results.md
 * and the SVG figures in docs/figures/ (fig7-<network>.svg,
 * fig8-queries.svg, fig8-energy.svg, k-sweep.svg, bandwidth-latency.svg,
 * bandwidth-upload.svg). Deterministic (virtual clock, fixed seeds); the
 * date and machine line are the only run-dependent text.
 *
 *   npx tsx bench/experiments.ts            # writes docs/results.md and docs/figures/*.svg
 *   npx tsx bench/experiments.ts --stdout   # prints the markdown, writes nothing
 *
 * Also prints the wall time of the whole script and of one 40-simulated-second
 * AlexNet IONN(0.5) run (median of 7 after a warm-up) — see bench/README.md,
 * "Experiments".
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulate } from "../src/sim/simulate.js";
import { bandwidthSpec, figure7Spec, figure8Spec, kSweepSpec } from "../scripts/figures/paper-figures.js";
import { renderVegaLite } from "../scripts/figures/vega-svg.js";
import { resultsMarkdown, runExperiments } from "./experiments-lib.js";
import { deviceReport } from "../scripts/calibration-report.js";

const COMMAND = "npx tsx bench/experiments.ts";

async function alexnetWallMs(): Promise<{ median: number; min: number; queries: number }> {
  await simulate({ network: "alexnet", policy: "ionn", K: 0.5, seconds: 40 });
  const times: number[] = [];
  let queries = 0;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    const result = await simulate({ network: "alexnet", policy: "ionn", K: 0.5, seconds: 40 });
    times.push(performance.now() - start);
    queries = result.queries.length;
  }
  times.sort((a, b) => a - b);
  return { median: times[3]!, min: times[0]!, queries };
}

async function main(): Promise<void> {
  const stdout = process.argv.includes("--stdout");
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const started = performance.now();
  const data = await runExperiments();
  const simulatedMs = performance.now() - started;

  const figures: Record<string, string> = {};
  const svgs: [string, Promise<string>][] = [];
  for (const network of data.networks) svgs.push([`fig7-${network}`, renderVegaLite(figure7Spec(data.at80, network))]);
  svgs.push(["fig8-queries", renderVegaLite(figure8Spec(data, "queries"))]);
  svgs.push(["fig8-energy", renderVegaLite(figure8Spec(data, "energy"))]);
  svgs.push(["k-sweep", renderVegaLite(kSweepSpec(data))]);
  svgs.push(["bandwidth-latency", renderVegaLite(bandwidthSpec(data, "latency"))]);
  svgs.push(["bandwidth-upload", renderVegaLite(bandwidthSpec(data, "upload"))]);
  const cpu = cpus();
  const machine = `${cpu.length}× ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
  for (const [key] of svgs) figures[key] = `figures/${key}.svg`;
  // Issue 3's tables (device calibration, Table 3-like fit, §6.3) close the page, one heading level down.
  const devices = deviceReport()
    .text.replace(/^# .*\n/, "")
    .replace(/^(#+) /gm, "#$1 ");
  const markdown = `${resultsMarkdown(data, { command: COMMAND, date: new Date().toISOString().slice(0, 10), machine, figures })}\n## Device cost models and prediction functions (issue 3; also in [results-devices.md](results-devices.md))\n${devices}\n`;
  if (stdout) {
    process.stdout.write(markdown);
  } else {
    mkdirSync(join(root, "docs", "figures"), { recursive: true });
    for (const [key, svg] of svgs) writeFileSync(join(root, "docs", "figures", `${key}.svg`), await svg);
    writeFileSync(join(root, "docs", "results.md"), markdown);
  }
  await Promise.all(svgs.map(([, svg]) => svg));
  const totalMs = performance.now() - started;
  const runs = data.at80.length + data.bandwidth.length + data.published.length + data.seedChecks.reduce((s, c) => s + 2 * c.seeds.length, 0) + data.sharing.length;
  const alexnet = await alexnetWallMs();
  console.error(`${machine}; ${runs} simulations in ${(simulatedMs / 1000).toFixed(2)} s; whole script (simulations, figures, files) ${(totalMs / 1000).toFixed(2)} s`);
  console.error(`one 40-simulated-second AlexNet IONN(0.5) run (${alexnet.queries} queries): median ${alexnet.median.toFixed(1)} ms, min ${alexnet.min.toFixed(1)} ms of 7`);
  if (!stdout) console.error("wrote docs/results.md and docs/figures/{" + svgs.map(([k]) => k).join(",") + "}.svg");
}

await main();
