/**
 * Plan AlexNet's upload with the simulated devices, then simulate the paper's
 * scenario (IONN §6.1) with that plan.
 *
 *   npx tsx examples/plan-and-simulate.ts
 */
import { deviceProfile, planNetwork, simulate, zooNetwork } from "../src/index.js";

const network = zooNetwork("alexnet");
const clientMs = deviceProfile("odroid-xu4", network);
const serverMs = deviceProfile("gtx-1080ti", network);
const { plan } = planNetwork(network, { clientMs, serverMs }, { preset: "paper", mbps: 80, K: 0.5, finalRound: true });
for (const partition of plan.partitions) {
  const names = partition.layers.map((i) => network.layers[i]!.name);
  console.log(`${names.join(" ")}: ${(partition.bytes / 2 ** 20).toFixed(2)} MiB, then ${partition.expectedQueryMs.toFixed(1)} ms per query`);
}

const run = await simulate({ network, policy: "ionn", K: 0.5, mbps: 80, seconds: 40 });
console.log(`upload complete at ${((run.uploadCompleteMs ?? NaN) / 1000).toFixed(2)} s, ${run.queriesDuringUpload} queries during it, ${run.clientEnergyJ.toFixed(1)} J`);
