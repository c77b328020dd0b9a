/**
 * The optimal planner's search order (issue 9): `children: "auto"` (the
 * improving search first, then the search over every ordered partitioning
 * to certify its count) against `"all"` (that search at once), at the
 * default 900 ms budget, on the four zoo networks the exact search applies
 * to (every schedule-grid bandwidth, think 500 and 0 ms) and on random
 * chains of 10 to 16 parameterized groups (seeded, reproducible). Per
 * cell: the count by T, whether it is proven, and the planning time of
 * each mode, interleaved (auto, all, auto, all, …) so load drifts hit both.
 *
 * Run: `npx tsx bench/search-children.ts [--repeat 3] [--random 24] [--seed 1]`.
 * Results: bench/README.md, "Upload scheduling (issue 9)".
 */
import { cpus, loadavg } from "node:os";
import { createCostedChain } from "../src/graph/chain.js";
import { buildExecutionGraph } from "../src/graph/execution-graph.js";
import { zooNetwork, type ZooName } from "../src/model/zoo/index.js";
import { planNetwork } from "../src/plan/plan-network.js";
import type { ScheduleCosts } from "../src/schedule/model.js";
import { networkScheduleCosts } from "../src/schedule/network-costs.js";
import { planSchedule } from "../src/schedule/planners.js";
import { simulationCosts } from "../src/sim/simulate.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const repeat = Number(arg("--repeat", "3"));
const randomCount = Number(arg("--random", "24"));
let seed = Number(arg("--seed", "1")) >>> 0 || 1;
/** xorshift32: the random chains are the same on every run with the same seed. */
const rand = (): number => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};
const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

type Cell = { name: string; costs: ScheduleCosts; thinkMs: number };
const cells: Cell[] = [];
for (const network of ["alexnet", "googlenet", "resnet50", "inception-bn-21k"] as ZooName[]) {
  const net = zooNetwork(network);
  const device = simulationCosts(net);
  for (const mbps of [5, 10, 20, 40, 80, 160]) {
    const planned = planNetwork(net, { clientMs: device.clientMs, serverMs: device.serverMs }, { preset: "paper", mbps, K: 0.5, finalRound: true });
    const costs = networkScheduleCosts(net, planned.graph);
    for (const thinkMs of [500, 0]) cells.push({ name: `${network} ${mbps} Mbps`, costs, thinkMs });
  }
}
for (let k = 0; k < randomCount; k++) {
  // a chain of 10..16 parameterized groups and a few parameter-free ones, sizes and times spread over two orders of magnitude
  const groups = [];
  const params = between(10, 16);
  const total = params + between(0, 4);
  let withParams = 0;
  for (let g = 0; g < total; g++) {
    const hasParams = withParams < params && (total - g <= params - withParams || rand() < 0.8);
    if (hasParams) withParams++;
    groups.push({
      name: `g${g}`,
      clientMs: between(2, 300),
      serverMs: between(1, 20),
      paramBytes: hasParams ? Math.round(10_000 * 10 ** (rand() * 3)) : 0,
      outputBytes: Math.round(5_000 * 10 ** (rand() * 2.5)),
    });
  }
  const mbps = [5, 20, 80][between(0, 2)]!;
  const thinkMs = [0, 100, 500][between(0, 2)]!;
  cells.push({ name: `random #${k} (${params} groups, ${mbps} Mbps)`, costs: { graph: buildExecutionGraph(createCostedChain(between(10, 800) * 1000, groups), { mbps }) }, thinkMs });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`# bench/search-children.ts — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, repeat ${repeat}\n`);
console.log(`| cell | think ms | auto: count (exact) | auto ms (median) | all: count (exact) | all ms (median) | all / auto |`);
console.log(`|---|---|---|---|---|---|---|`);
const ratios: number[] = [];
let exactAuto = 0;
let exactAll = 0;
let lowerAll = 0;
let higherAll = 0;
let slower = 0;
for (const cell of cells) {
  const runs = { auto: [] as number[], all: [] as number[] };
  const result: Record<"auto" | "all", { count: number; exact: boolean } | undefined> = { auto: undefined, all: undefined };
  for (let r = 0; r < repeat; r++) {
    for (const children of ["auto", "all"] as const) {
      const t0 = performance.now();
      const out = planSchedule("optimal", cell.costs, { thinkMs: cell.thinkMs, children });
      runs[children].push(performance.now() - t0);
      result[children] ??= { count: out.objective.queriesInWindow, exact: out.exact };
    }
  }
  const a = result.auto!;
  const b = result.all!;
  const ratio = median(runs.all) / median(runs.auto);
  ratios.push(ratio);
  if (a.exact) exactAuto++;
  if (b.exact) exactAll++;
  if (b.count < a.count) lowerAll++;
  if (b.count > a.count) higherAll++;
  if (ratio > 1.1) slower++;
  console.log(`| ${cell.name} | ${cell.thinkMs} | ${a.count} (${a.exact}) | ${median(runs.auto).toFixed(0)} | ${b.count} (${b.exact}) | ${median(runs.all).toFixed(0)} | ${ratio.toFixed(2)} |`);
}
const gm = Math.exp(ratios.reduce((s, x) => s + Math.log(x), 0) / ratios.length);
console.log(
  `\n${cells.length} cells: proven ${exactAuto} (auto) / ${exactAll} (all); all finds fewer queries in ${lowerAll}, more in ${higherAll}; ` +
    `time all/auto geometric mean ${gm.toFixed(3)}, median ${median(ratios).toFixed(3)}, worst ${Math.max(...ratios).toFixed(2)}, >1.1x slower in ${slower}; ` +
    `end load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${new Date().toISOString()}`,
);
