/**
 * CLI start-up and end-to-end benchmark (issue 15): whole-process wall times
 * of `node bin/ionn.js inspect|plan <model> --json` on the zoo and on
 * generated Caffe prototxts of 10^4, 10^5 and 10^6 layers, with `node -e 0`
 * (the floor: starting Node itself) measured in the same run, interleaved.
 * For the generated networks, a child process also reports where the time
 * goes, phase by phase as `plan` runs them: module import, reading + parsing
 * the prototxt, building the network (Caffe runtime rules, shapes), the
 * device-model costs, planning (Algorithm 1), the plan document, the
 * objective's score and the JSON text, each with its GC time; and its peak
 * RSS.
 *
 * Needs dist/ (`npx tsc -p tsconfig.build.json`). Run:
 *   npx tsx bench/cli.ts [--runs 7] [--max 1000000]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option("--runs", 7);
const MAX = option("--max", 1_000_000);
const ROOT = new URL("..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/ionn.js");

/**
 * An Inception-like Caffe net of about `layers` prototxt layers: modules of
 * 4 branches (conv; conv+relu; conv+relu; pool+conv) joined by a Concat,
 * 8 layers per module, on a 1×8×8×8 input (Caffe adds a Split per module
 * at run time, so the runtime list has 9 layers per module plus the Input).
 */
export function inceptionPrototxt(layers: number): string {
  const modules = Math.max(1, Math.round(layers / 8));
  const out: string[] = ['name: "generated"', 'layer { name: "data" type: "Input" top: "m0" input_param { shape { dim: 1 dim: 8 dim: 8 dim: 8 } } }'];
  const conv = (name: string, bottom: string, top: string, n: number) =>
    `layer { name: "${name}" type: "Convolution" bottom: "${bottom}" top: "${top}" convolution_param { num_output: ${n} kernel_size: 1 } }`;
  for (let m = 0; m < modules; m++) {
    const x = `m${m}`;
    const y = `m${m + 1}`;
    out.push(conv(`m${m}_a`, x, `m${m}_a`, 2));
    out.push(conv(`m${m}_b`, x, `m${m}_b`, 2), `layer { name: "m${m}_b_relu" type: "ReLU" bottom: "m${m}_b" top: "m${m}_b" }`);
    out.push(conv(`m${m}_c`, x, `m${m}_c`, 2), `layer { name: "m${m}_c_relu" type: "ReLU" bottom: "m${m}_c" top: "m${m}_c" }`);
    out.push(`layer { name: "m${m}_p" type: "Pooling" bottom: "${x}" top: "m${m}_p" pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 1 } }`);
    out.push(conv(`m${m}_d`, `m${m}_p`, `m${m}_d`, 2));
    out.push(`layer { name: "m${m}_cat" type: "Concat" bottom: "m${m}_a" bottom: "m${m}_b" bottom: "m${m}_c" bottom: "m${m}_d" top: "${y}" }`);
  }
  return `${out.join("\n")}\n`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of one process, ms. */
function wall(argv: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Phases of `plan <file> --json` as the command runs them, measured in a child process (fresh module cache): module
 * import, parse, network, costs (device models), plan (planNetwork), document (planDocument), objective
 * (schedulePlanFields), JSON (stringify); each with its GC time (perf_hooks gc entries); and the peak RSS.
 */
function phases(file: string): Record<string, number> {
  const script = `
    import { PerformanceObserver } from "node:perf_hooks";
    let gc = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) gc += e.duration; }).observe({ entryTypes: ["gc"] });
    const out = {};
    let t = performance.now(), g = 0;
    const lap = async (name) => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 1)); // gc entries arrive asynchronously
      out[name + "Ms"] = performance.now() - t - 3; out[name + "GcMs"] = gc - g; t = performance.now(); g = gc;
    };
    const [{ readFileSync }, caffe, net, planning, costs, commands, scheduling] = await Promise.all([
      import("node:fs"), import("${ROOT}dist/model/caffe/prototxt.js"), import("${ROOT}dist/model/caffe/net.js"),
      import("${ROOT}dist/plan/plan-network.js"), import("${ROOT}dist/cli/costs.js"), import("${ROOT}dist/cli/commands.js"), import("${ROOT}dist/cli/planner-options.js")]);
    await lap("import");
    const spec = caffe.parsePrototxt(readFileSync(${JSON.stringify(file)}, "utf8"), "gen.prototxt");
    await lap("parse");
    const network = net.networkFromCaffeNet(spec, "gen.prototxt");
    await lap("network");
    const c = await costs.resolveCosts(network, {});
    await lap("costs");
    const result = planning.planNetwork(network, c, { preset: "paper", mbps: 80, K: 0.5, finalRound: true });
    await lap("plan");
    const base = commands.planDocument(network, result, { mbps: 80, K: 0.5, clientSource: c.clientSource, serverSource: c.serverSource });
    await lap("document");
    const scheduled = scheduling.schedulePlanFields(network, result, "ionn", { thinkMs: 500, horizonMs: 40000, timeBudgetMs: 900, K: 0.5 });
    await lap("objective");
    const text = JSON.stringify({ ...base, ...scheduled.fields }, null, 2);
    await lap("output");
    Object.assign(out, { runtimeLayers: network.layers.length, jsonMiB: text.length / 2 ** 20, rssMiB: process.resourceUsage().maxRSS / 1024 });
    process.stdout.write(JSON.stringify(out));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 30 });
  return JSON.parse(out.toString()) as Record<string, number>;
}

const dir = mkdtempSync(join(tmpdir(), "ionn-bench-cli-"));
try {
  const generated: [number, string][] = [];
  for (const n of [10_000, 100_000, 1_000_000].filter((n) => n <= MAX)) {
    const file = join(dir, `gen-${n}.prototxt`);
    writeFileSync(file, inceptionPrototxt(n));
    generated.push([n, file]);
  }
  console.log(`# bench/cli.ts — ${new Date().toISOString()}, Node ${process.version}, ${RUNS} runs each (median), load: ${execFileSync("uptime").toString().trim()}`);
  console.log("\n| command | median ms | min ms | × node -e 0 (median) |\n|---|---|---|---|");
  const cases: [string, string[]][] = [
    ["node -e 0", ["-e", "0"]],
    ["ionn --help", [BIN, "--help"]],
    ["ionn --version", [BIN, "--version"]],
    ...["alexnet", "googlenet", "resnet50"].flatMap((m): [string, string[]][] => [
      [`ionn inspect ${m} --json`, [BIN, "inspect", m, "--json"]],
      [`ionn plan ${m} --json`, [BIN, "plan", m, "--json"]],
    ]),
  ];
  // interleave the cases run by run so that load changes hit all of them alike
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < RUNS; r++) for (const [name, argv] of cases) times.get(name)!.push(wall(argv));
  const floor = median(times.get("node -e 0")!);
  for (const [name] of cases) {
    const t = times.get(name)!;
    console.log(`| \`${name}\` | ${median(t).toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${(median(t) / floor).toFixed(2)} |`);
  }
  console.log("\nGenerated Inception-like prototxts (whole process, then the phases in a child process):\n");
  console.log(
    "| prototxt layers | runtime layers | inspect ms | plan ms (whole process) | import ms | parse ms | network ms | costs ms | plan ms | document ms | objective ms | output ms | JSON MiB | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const [n, file] of generated) {
    const runs = n >= 1_000_000 ? 1 : 3;
    const inspect: number[] = [];
    const plan: number[] = [];
    for (let r = 0; r < runs; r++) {
      inspect.push(wall([BIN, "inspect", file, "--json"]));
      plan.push(wall([BIN, "plan", file, "--json"]));
    }
    const p = phases(file);
    const ms = (name: string) => `${p[`${name}Ms`]!.toFixed(0)} (gc ${p[`${name}GcMs`]!.toFixed(0)})`;
    console.log(
      `| ${n} | ${p["runtimeLayers"]} | ${median(inspect).toFixed(0)} | ${median(plan).toFixed(0)} | ${["import", "parse", "network", "costs", "plan", "document", "objective", "output"].map(ms).join(" | ")} | ${p["jsonMiB"]!.toFixed(1)} | ${p["rssMiB"]!.toFixed(0)} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
