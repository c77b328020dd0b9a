/**
 * Pipelined uploads (issue 9): a 20-partition ResNet-50 upload against the
 * same model in one partition, with 1, 2 and 4 partitions in flight.
 *
 * 1. Simulator (80 Mbps, 1 ms one-way latency, the IONN authors' loading
 *    times): upload completion with queries kept local (no feature traffic:
 *    the per-partition cost alone) and with queries offloading every
 *    uploaded layer (their feature transfers share the link).
 * 2. Real TCP loopback: the runtime client and edge server (reference
 *    executor on the server: real decode and load; weights are zero-filled
 *    views of the real sizes, 102 MB on the wire), median of 5 runs each.
 *
 * Run: `npx tsx bench/pipeline.ts`. Results: bench/README.md, "Upload scheduling (issue 9)".
 */
import { cpus, loadavg } from "node:os";
import { zooNetwork } from "../src/model/zoo/index.js";
import { parameterBytes, type Network } from "../src/model/types.js";
import { simulate } from "../src/sim/simulate.js";
import { virtualWeights } from "../src/sim/virtual-weights.js";
import { referenceExecutor, shapeOnlyExecutor } from "../src/executor/index.js";
import { EdgeServer, OffloadingClient, serveTcp, tcpTransport } from "../src/runtime/index.js";

function chunks(network: Network, n: number): number[][] {
  const layers = network.layers.filter((l) => l.type !== "Input");
  const total = layers.reduce((s, l) => s + parameterBytes(l), 0);
  const parts: number[][] = [];
  let current: number[] = [];
  let acc = 0;
  let k = 1;
  for (const l of layers) {
    current.push(l.index);
    acc += parameterBytes(l);
    if (acc >= (total * k) / n && parts.length < n - 1) {
      parts.push(current);
      current = [];
      k++;
    }
  }
  parts.push(current);
  return parts.filter((p) => p.length > 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function tcpUpload(network: Network, partitions: number[][], window: number, contentAddressing: boolean): Promise<number> {
  const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
  const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
  try {
    const client = new OffloadingClient({
      network,
      weights: virtualWeights(network),
      local: shapeOnlyExecutor(),
      localLoaded: true,
      transport: tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 60_000 }),
      plan: { partitions: partitions.map((layers) => ({ layers })) },
      uploadWindow: window,
      contentAddressing,
    });
    const start = performance.now();
    await client.start();
    await client.whenUploaded();
    const ms = performance.now() - start;
    if (!client.status().complete) throw new Error("upload did not complete");
    await client.close();
    return ms;
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  const network = zooNetwork("resnet50");
  const twenty = chunks(network, 20);
  const all = chunks(network, 1);
  const once = await simulate({ network, policy: "all-at-once" });
  console.log(`Simulator, ResNet-50 at 80 Mbps: all-at-once ${(once.uploadCompleteMs! / 1000).toFixed(3)} s\n`);
  console.log("| partitions | window | queries | upload done (s) | vs all-at-once |");
  console.log("|---|---|---|---|---|");
  for (const window of [1, 2, 4]) {
    for (const local of [true, false]) {
      const r = await simulate({ network, uploadWindow: window, policy: { name: "20", decide: () => ({ partitions: twenty, ...(local ? { placement: () => [] } : {}) }) } });
      console.log(`| ${twenty.length} | ${window} | ${local ? "local (no feature traffic)" : "offloading"} | ${(r.uploadCompleteMs! / 1000).toFixed(3)} | ${(((r.uploadCompleteMs! / once.uploadCompleteMs!) - 1) * 100).toFixed(2)} % |`);
    }
  }
  for (const contentAddressing of [true, false]) {
    console.log(`\nTCP loopback, ResNet-50 (102 MB), reference executor on the server, content addressing ${contentAddressing ? "on (default: digest offer before each partition)" : "off"}, median of 5:\n`);
    console.log("| partitions | window | upload ms (median) | min | vs one partition |");
    console.log("|---|---|---|---|---|");
    const runs = 5;
    const base: number[] = [];
    await tcpUpload(network, all, 1, contentAddressing); // warm-up
    for (let i = 0; i < runs; i++) base.push(await tcpUpload(network, all, 1, contentAddressing));
    console.log(`| 1 | 1 | ${median(base).toFixed(0)} | ${Math.min(...base).toFixed(0)} | — |`);
    for (const window of [1, 2, 4]) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await tcpUpload(network, twenty, window, contentAddressing));
      console.log(`| ${twenty.length} | ${window} | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${(((median(times) / median(base)) - 1) * 100).toFixed(1)} % |`);
    }
  }
  console.log(`\nload at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

await main();
