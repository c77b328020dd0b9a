/**
 * Exactness of `optimal` on a zoo network, against exhaustive search
 * (issue 9): for each bandwidth of the schedule grid and each think time,
 * `planSchedule("optimal")`'s count of queries completed by T (its default 900 ms
 * budget) against {@link bruteForceUploadPlan} (every ordered partitioning of
 * the parameterized groups, parameter-free groups first; about 10^6 plans
 * for AlexNet's 8). The brute force shares only the objective with the
 * branch and bound, so equal counts check the search's bounds, children
 * filter and pruning on a real network, not only on the random small ones of
 * the property tests.
 *
 * Run: `npx tsx bench/exactness.ts [--network alexnet] [--rates 5,10,20,40,80,160] [--think 500,0]`.
 * Results: bench/README.md, "Upload scheduling (issue 9)".
 */
import { cpus, loadavg } from "node:os";
import { zooNetwork, type ZooName } from "../src/model/zoo/index.js";
import { planNetwork } from "../src/plan/plan-network.js";
import { networkScheduleCosts } from "../src/schedule/network-costs.js";
import { planSchedule } from "../src/schedule/planners.js";
import { bruteForceUploadPlan } from "../src/schedule/brute-force.js";
import { simulationCosts } from "../src/sim/simulate.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const network = arg("--network", "alexnet") as ZooName;
const rates = arg("--rates", "5,10,20,40,80,160").split(",").map(Number);
const thinks = arg("--think", "500,0").split(",").map(Number);

console.log(`# bench/exactness.ts — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log(`| network | Mbps | think ms | optimal (exact?) | brute force | equal | plans | optimal ms | brute force s |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
const net = zooNetwork(network);
const device = simulationCosts(net);
let equal = 0;
let cells = 0;
for (const mbps of rates) {
  // the schedule costs as planUpload builds them (src/schedule/planners.ts)
  const planned = planNetwork(net, { clientMs: device.clientMs, serverMs: device.serverMs }, { preset: "paper", mbps, K: 0.5, finalRound: true });
  const costs = networkScheduleCosts(net, planned.graph);
  for (const thinkMs of thinks) {
    const t0 = performance.now();
    const optimal = planSchedule("optimal", costs, { thinkMs }); // seeds and the 900 ms budget as `ionn plan --planner optimal`
    const t1 = performance.now();
    const brute = bruteForceUploadPlan(costs, { thinkMs, placement: "best" });
    const t2 = performance.now();
    const same = optimal.objective.queriesInWindow === brute.queriesInWindow;
    cells++;
    if (same) equal++;
    console.log(
      `| ${network} | ${mbps} | ${thinkMs} | ${optimal.objective.queriesInWindow} (${optimal.exact}) | ${brute.queriesInWindow} | ${same ? "yes" : "**no**"} | ${brute.plans} | ${(t1 - t0).toFixed(0)} | ${((t2 - t1) / 1000).toFixed(1)} |`,
    );
  }
}
console.log(`\n${equal} of ${cells} cells equal; end load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${new Date().toISOString()}`);
