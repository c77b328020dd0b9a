/**
 * Simulator benchmark (IONN §6): wall time of the paper's 40-simulated-second
 * AlexNet scenario under IONN (K = 0.5), with baselines from the same run
 * (the `local` policy, which fires the fewest events, and the same IONN run
 * with the executor module's allocating shape-only executor); then, for every
 * zoo network at 80 Mbps, the Table 2 / Figure 8 figures: upload completion
 * of all-at-once, IONN(0.1) and IONN(0.5), queries during the upload and
 * client energy during the upload.
 *
 * Run: `npx tsx bench/simulate.ts` (a few seconds). Results: bench/README.md, "Simulator".
 */
import { cpus } from "node:os";
import { ZOO_NAMES } from "../src/model/zoo/index.js";
import { simulate, type Scenario, type SimulationResult } from "../src/sim/simulate.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function wall(scenario: Scenario, repeats = 11): Promise<{ ms: number; min: number; events: number }> {
  await simulate(scenario); // warm-up (JIT, zoo cache)
  await simulate(scenario);
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const result = await simulate(scenario);
    times.push(performance.now() - start);
    events = result.events;
  }
  return { ms: median(times), min: Math.min(...times), events };
}

const s = (ms: number | null) => (ms === null ? "—" : (ms / 1000).toFixed(2));

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log("| scenario (AlexNet, 80 Mbps, 40 simulated s) | events | median wall ms | min wall ms |");
  console.log("|---|---|---|---|");
  for (const [label, scenario] of [
    ["baseline: local policy", { network: "alexnet", policy: "local" }],
    ["IONN K = 0.5, virtual executor (default)", { network: "alexnet", policy: "ionn", K: 0.5 }],
    ["IONN K = 0.5, shape-only executor", { network: "alexnet", policy: "ionn", K: 0.5, execution: "shape-only" }],
    ["all-at-once", { network: "alexnet", policy: "all-at-once" }],
  ] as const) {
    const r = await wall(scenario as Scenario);
    console.log(`| ${label} | ${r.events} | ${r.ms.toFixed(1)} | ${r.min.toFixed(1)} |`);
  }

  console.log("\n| network | all-at-once (s) | IONN 0.1 (s) | IONN 0.5 (s) | ratio 0.1 / 0.5 | partitions 0.1 / 0.5 | queries during upload A / 0.1 / 0.5 | energy J A / 0.1 / 0.5 | final latency ms A / 0.5 |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const network of ZOO_NAMES) {
    const runs: SimulationResult[] = [];
    for (const scenario of [{ policy: "all-at-once" }, { policy: "ionn", K: 0.1 }, { policy: "ionn", K: 0.5 }] as const) {
      runs.push(await simulate({ network, mbps: 80, seconds: 40, ...scenario }));
    }
    const [a, i1, i5] = runs as [SimulationResult, SimulationResult, SimulationResult];
    const ratio = (r: SimulationResult) => (r.uploadCompleteMs !== null && a.uploadCompleteMs !== null ? (r.uploadCompleteMs / a.uploadCompleteMs).toFixed(3) : "—");
    console.log(
      `| ${network} | ${s(a.uploadCompleteMs)} | ${s(i1.uploadCompleteMs)} | ${s(i5.uploadCompleteMs)} | ${ratio(i1)} / ${ratio(i5)} | ${i1.partitions.length} / ${i5.partitions.length} | ${a.queriesDuringUpload} / ${i1.queriesDuringUpload} / ${i5.queriesDuringUpload} | ${a.clientEnergyJ.toFixed(1)} / ${i1.clientEnergyJ.toFixed(1)} / ${i5.clientEnergyJ.toFixed(1)} | ${a.queries.at(-1)!.latencyMs.toFixed(1)} / ${i5.queries.at(-1)!.latencyMs.toFixed(1)} |`,
    );
  }
}

await main();
