/**
 * Mobility experiment (issue 11): a 5-server walk, 20 s dwell at each, 80
 * Mbps, on AlexNet, ResNet-50 and MobileNet v1 (device cost models), for the
 * three policies (no store, shared store, proactive push with a prediction
 * right 80 % of the time and, for reference, always right). Prints markdown
 * tables and writes docs/figures/mobility.svg.
 *
 * Run: `npx tsx bench/mobility.ts` (under a second).
 */
import { writeFileSync } from "node:fs";
import { zooNetwork } from "../src/model/zoo/index.js";
import { MOBILITY_POLICIES, simulateMobility, type MobilityResult } from "../src/sim/mobility.js";
import { mobilitySvg } from "../src/sim/mobility-svg.js";

const walk = Array.from({ length: 5 }, () => ({ dwellMs: 20_000 }));
const groups: { model: string; runs: MobilityResult[] }[] = [];
for (const accuracy of [0.8, 1]) {
  console.log(`\nprediction accuracy ${accuracy} (seed 1), backhaul 1000 Mbps\n`);
  console.log("| model | policy | queries served | offloaded | cold starts | mean cold start (ms) | per-server cold start (ms) | MB over the air | MB between servers |");
  console.log("|---|---|---:|---:|---:|---:|---|---:|---:|");
  for (const name of ["alexnet", "resnet50", "mobilenet-v1"]) {
    const runs = MOBILITY_POLICIES.map((policy) => simulateMobility({ network: zooNetwork(name), walk, policy, mbps: 80, predictionAccuracy: accuracy, seed: 1 }));
    if (accuracy === 0.8) groups.push({ model: name, runs });
    for (const r of runs) {
      console.log(
        `| ${name} | ${r.policy} | ${r.queriesServed} | ${r.offloadedQueries} | ${r.coldStarts} | ${r.meanColdStartMs.toFixed(0)} | ${r.servers.map((s) => (s.coldStartMs === null ? "—" : s.coldStartMs.toFixed(0))).join(" / ")} | ${(r.bytesOverAir / 1e6).toFixed(1)} | ${(r.bytesBetweenServers / 1e6).toFixed(1)} |`,
      );
    }
  }
}
writeFileSync(new URL("../docs/figures/mobility.svg", import.meta.url), mobilitySvg(groups, "5 edge servers, 20 s dwell, 80 Mbps, proactive prediction right 80 %"));
console.log("\nwrote docs/figures/mobility.svg");
