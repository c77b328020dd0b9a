/**
 * Upload-scheduling benchmark (issue 9): the five zoo networks × {5, 10,
 * 20, 40, 80, 160} Mbps, for local, all-at-once, neurosurgeon, ionn with
 * K ∈ {0.1, 0.5, 0.9}, enhanced (EMDL '19) and optimal, run through the
 * simulator with 500 ms think time (plus AlexNet at 80 Mbps back to back):
 * queries completed by T (the all-at-once upload completion of the same
 * cell, the comparison window), queries raised in 40 s, mean latency, first
 * offloaded query, upload completion, partitions and planning time. Then
 * planning time of `optimal` per zoo network and of the heuristic on a
 * 10^4-layer chain, and the objective's agreement with the simulator.
 *
 * Run: `npx tsx bench/schedule.ts [--quick] [--think 500,0] [--svg docs/figures/schedule-queries.svg]`
 * (`--think`: the think times of the grid, ms, comma-separated; default 500,
 * plus the AlexNet 80 Mbps back-to-back cell; `--planning-only`: only the
 * planning-time tables, `--repeat N` times each, default 3).
 * Results: bench/README.md and docs/results.md, "Upload scheduling (issue 9)".
 */
import { cpus, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { ZOO_NAMES } from "../src/model/zoo/index.js";
import { policyByName, ionnPolicy, type Policy } from "../src/sim/policies.js";
import { simulate, type SimulationResult } from "../src/sim/simulate.js";
import { schedulePolicy } from "../src/sim/schedule-policies.js";
import { createCostedChain } from "../src/graph/chain.js";
import { buildExecutionGraph } from "../src/graph/execution-graph.js";
import { planSchedule, planUpload } from "../src/schedule/planners.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { simulationCosts } from "../src/sim/simulate.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const svgIndex = args.indexOf("--svg");
const svgPath = svgIndex >= 0 ? args[svgIndex + 1] : undefined;
const RATES = quick ? [80] : [5, 10, 20, 40, 80, 160];
const NETWORKS = quick ? ["alexnet", "resnet50"] : [...ZOO_NAMES];
const planningOnly = args.includes("--planning-only");
const repeatIndex = args.indexOf("--repeat");
const REPEAT = repeatIndex >= 0 ? Number(args[repeatIndex + 1]) : 3;
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`--repeat: a whole number ≥ 1, got ${args[repeatIndex + 1]}`);
const thinkIndex = args.indexOf("--think");
const THINKS = thinkIndex >= 0 ? args[thinkIndex + 1]!.split(",").map(Number) : [500];
if (THINKS.some((t) => !Number.isFinite(t) || t < 0)) throw new Error(`--think: think times must be numbers ≥ 0 ms, got ${args[thinkIndex + 1]}`);

interface Row {
  policy: string;
  window: number;
  in40: number;
  meanMs: number;
  firstOffloadedS: number | null;
  uploadS: number | null;
  partitions: number;
  planningMs: number;
}

function timed(policy: Policy): { policy: Policy; ms: () => number } {
  let ms = 0;
  return {
    policy: { name: policy.name, decide: (ctx) => { const t = performance.now(); const d = policy.decide(ctx); ms = performance.now() - t; return d; } },
    ms: () => ms,
  };
}

function row(result: SimulationResult, T: number, planningMs: number): Row {
  const in40 = result.queries.filter((q) => q.raisedAtMs < 40_000);
  const offloaded = result.queries.find((q) => q.serverLayers > 0);
  return {
    policy: result.policy,
    window: result.queries.filter((q) => q.raisedAtMs + q.latencyMs <= T).length,
    in40: in40.length,
    meanMs: in40.reduce((s, q) => s + q.latencyMs, 0) / Math.max(1, in40.length),
    firstOffloadedS: offloaded ? (offloaded.raisedAtMs + offloaded.latencyMs) / 1000 : null,
    uploadS: result.uploadCompleteMs === null ? null : result.uploadCompleteMs / 1000,
    partitions: result.partitions.length,
    planningMs,
  };
}

async function cell(network: string, mbps: number, preprocessingMs: number): Promise<{ T: number; rows: Row[] }> {
  const once = await simulate({ network, mbps, policy: "all-at-once", preprocessingMs, seconds: 1e6 / 1000 });
  const T = once.uploadCompleteMs!;
  const seconds = Math.max(40, Math.ceil(T / 1000) + 1);
  const policies: Policy[] = [
    policyByName("local"),
    policyByName("all-at-once"),
    policyByName("neurosurgeon"),
    ionnPolicy({ K: 0.1 }),
    ionnPolicy({ K: 0.5 }),
    ionnPolicy({ K: 0.9 }),
    schedulePolicy("enhanced"),
    schedulePolicy("optimal"),
  ];
  const rows: Row[] = [];
  for (const p of policies) {
    const t = timed(p);
    const result = await simulate({ network, mbps, policy: t.policy, preprocessingMs, seconds });
    rows.push(row(result, T, t.ms()));
  }
  return { T, rows };
}

const f1 = (x: number | null) => (x === null ? "—" : x.toFixed(1));

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  const figure: { network: string; rows: Row[] }[] = [];
  const summary: string[] = [];
  const cells: [string, number, number][] = [];
  for (const pre of THINKS) for (const network of NETWORKS) for (const mbps of RATES) cells.push([network, mbps, pre]);
  if (!THINKS.includes(0)) cells.push(["alexnet", 80, 0]);
  for (const [network, mbps, pre] of planningOnly ? [] : cells) {
    const { T, rows } = await cell(network, mbps, pre);
    console.log(`\n### ${network}, ${mbps} Mbps, think ${pre} ms, T = ${(T / 1000).toFixed(2)} s\n`);
    console.log("| policy | queries by T | queries in 40 s | mean latency ms | first offloaded (s) | upload done (s) | partitions | planning ms |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(`| ${r.policy} | ${r.window} | ${r.in40} | ${r.meanMs.toFixed(1)} | ${f1(r.firstOffloadedS)} | ${r.uploadS === null ? "—" : r.uploadS.toFixed(2)} | ${r.partitions} | ${r.planningMs.toFixed(0)} |`);
    const optimal = rows.find((r) => r.policy === "optimal")!;
    const others = rows.filter((r) => r.policy !== "optimal");
    const bestOther = others.reduce((a, b) => (b.window > a.window ? b : a));
    const ionn5 = rows.find((r) => r.policy === "ionn(K=0.5)")!;
    const enhanced = rows.find((r) => r.policy === "enhanced")!;
    summary.push(
      `| ${network} | ${mbps} | ${pre} | ${(T / 1000).toFixed(2)} | ${optimal.window} | ${bestOther.window} (${bestOther.policy}) | ${(optimal.window / Math.max(1, bestOther.window)).toFixed(3)} | ${(optimal.window / Math.max(1, ionn5.window)).toFixed(3)} | ${(enhanced.window / Math.max(1, ionn5.window)).toFixed(3)} | ${optimal.window >= bestOther.window ? "yes" : "**NO**"} |`,
    );
    if (mbps === 80 && pre === 500) figure.push({ network, rows });
  }
  if (!planningOnly) console.log("\n### Summary: queries completed by T (all-at-once upload completion)\n");
  if (!planningOnly) console.log("| network | Mbps | think ms | T (s) | optimal | best other | optimal / best other | optimal / ionn(0.5) | enhanced / ionn(0.5) | optimal ≥ all |");
  if (!planningOnly) console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const line of summary) console.log(line);

  // planning time: optimal on each zoo network (80 Mbps, 500 ms think time), heuristic on a 10^4-layer chain
  console.log(`\n### Planning time (optimal, 80 Mbps, 500 ms think time; median of ${REPEAT}, min, max)\n`);
  console.log("| network | groups | parameterized groups | exact | bound (score) | planning ms (median) | min | max |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const network of ZOO_NAMES) {
    const net = zooNetwork(network);
    const costs = simulationCosts(net);
    const times: number[] = [];
    let last: ReturnType<typeof planUpload> | undefined;
    for (let i = 0; i < REPEAT; i++) {
      last = planUpload("optimal", net, { clientMs: costs.clientMs, serverMs: costs.serverMs }, { mbps: 80 });
      times.push(last.planningMs);
    }
    const chain = last!.planned.graph.chain;
    const param = Array.from(chain.paramBytes).filter((b) => b > 0).length;
    console.log(`| ${network} | ${chain.size} | ${param} | ${last!.exact} | ${last!.bound === undefined ? "—" : `${last!.bound.toFixed(2)} (${last!.objective.score.toFixed(2)})`} | ${times.sort((x, y) => x - y)[Math.floor(REPEAT / 2)]!.toFixed(0)} | ${times[0]!.toFixed(0)} | ${times[REPEAT - 1]!.toFixed(0)} |`);
  }
  // the two 20-parameterized-group networks and AlexNet (8) and GoogLeNet (13) at every bandwidth of the grid (exact where the search finishes)
  console.log(`\n### Planning time per bandwidth (optimal, ResNet-50 and Inception-BN-21K: 20 parameterized groups, AlexNet: 8, GoogLeNet: 13; 500 ms think time; median of ${REPEAT}, min, max)\n`);
  console.log("| network | Mbps | exact | queries by T (objective) | bound (score) | planning ms (median) | min | max |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const network of ["resnet50", "inception-bn-21k", "alexnet", "googlenet"] as const) {
    const net = zooNetwork(network);
    const costs = simulationCosts(net);
    for (const mbps of RATES) {
      const times: number[] = [];
      const exact: boolean[] = [];
      let last: ReturnType<typeof planUpload> | undefined;
      for (let i = 0; i < REPEAT; i++) {
        last = planUpload("optimal", net, { clientMs: costs.clientMs, serverMs: costs.serverMs }, { mbps });
        times.push(last.planningMs);
        exact.push(last.exact);
      }
      const exactCount = exact.filter(Boolean).length;
      console.log(`| ${network} | ${mbps} | ${exactCount === REPEAT ? "true" : exactCount === 0 ? "false" : `${exactCount}/${REPEAT} runs`} | ${last!.objective.queriesInWindow} | ${last!.bound === undefined ? "—" : `${last!.bound.toFixed(2)} (${last!.objective.score.toFixed(2)})`} | ${times.sort((x, y) => x - y)[Math.floor(REPEAT / 2)]!.toFixed(0)} | ${times[0]!.toFixed(0)} | ${times[REPEAT - 1]!.toFixed(0)} |`);
    }
  }
  const layers = 10_000;
  const specs = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < layers; i++) specs.push({ name: `l${i}`, clientMs: 0.05 + 0.15 * rand(), serverMs: 0.005 + 0.015 * rand(), paramBytes: i % 3 === 0 ? Math.floor(6e4 * rand()) : 0, outputBytes: Math.floor(1e3 + 1e5 * rand()) });
  const graph = buildExecutionGraph(createCostedChain(600_000, specs), { mbps: 80 });
  const bigTimes: number[] = [];
  let big: ReturnType<typeof planSchedule> | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    big = planSchedule("optimal", { graph }, { thinkMs: 500 });
    bigTimes.push(performance.now() - start);
  }
  bigTimes.sort((x, y) => x - y);
  console.log(`| synthetic chain (heuristic) | ${layers} | ${Math.ceil(layers / 3)} | ${big!.exact} | ${big!.bound?.toFixed(2)} (${big!.objective.score.toFixed(2)}) | ${bigTimes[Math.floor(REPEAT / 2)]!.toFixed(0)} | ${bigTimes[0]!.toFixed(0)} | ${bigTimes[REPEAT - 1]!.toFixed(0)} |`);

  console.log(`\nend: load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${new Date().toISOString()}`);
  if (svgPath && !planningOnly) writeFileSync(svgPath, svg(figure));
}

function svg(data: { network: string; rows: Row[] }[]): string {
  const W = 900, H = 360, left = 50, top = 30, bottom = 70;
  const policies = data[0]?.rows.map((r) => r.policy) ?? [];
  const colors = ["#999", "#555", "#b07aa1", "#9ecae1", "#4292c6", "#08519c", "#f28e2b", "#e15759"];
  const max = Math.max(1, ...data.flatMap((d) => d.rows.map((r) => r.window)));
  const groupW = (W - left - 20) / Math.max(1, data.length);
  const barW = (groupW - 16) / Math.max(1, policies.length);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">Queries completed by the all-at-once upload time (80 Mbps, 500 ms think time, simulator)</text>`);
  parts.push(`<line x1="${left}" y1="${y(0)}" x2="${W - 10}" y2="${y(0)}" stroke="#000"/>`);
  for (let t = 0; t <= max; t += Math.max(1, Math.ceil(max / 6))) parts.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text><line x1="${left}" y1="${y(t)}" x2="${W - 10}" y2="${y(t)}" stroke="#eee"/>`);
  data.forEach((d, i) => {
    const x0 = left + 8 + i * groupW;
    d.rows.forEach((r, j) => {
      const x = x0 + j * barW;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(r.window).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(y(0) - y(r.window)).toFixed(1)}" fill="${colors[j % colors.length]}"><title>${r.policy}: ${r.window}</title></rect>`);
      parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y(r.window) - 3).toFixed(1)}" text-anchor="middle" font-size="9">${r.window}</text>`);
    });
    parts.push(`<text x="${(x0 + groupW / 2 - 8).toFixed(1)}" y="${y(0) + 16}" text-anchor="middle">${d.network}</text>`);
  });
  policies.forEach((p, j) => {
    const x = left + (j % 4) * 200;
    const yy = H - 30 + Math.floor(j / 4) * 14;
    parts.push(`<rect x="${x}" y="${yy - 9}" width="10" height="10" fill="${colors[j % colors.length]}"/><text x="${x + 14}" y="${yy}">${p}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

await main();
