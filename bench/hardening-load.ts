/**
 * Load (issue 12): 10 concurrent clients on one `ionn serve` process, each
 * with MobileNet-v1 uploaded whole and then querying in a closed loop (every
 * query runs on the server), while an 11th client keeps uploading AlexNet's
 * fc6 (151 MiB) over and over, as a stranger walking by would. Two server
 * configurations in the same run:
 * - before: `--workers 0 --scheduler fifo` (execution on the event loop, as
 *   the first release did);
 * - pool only: `--workers 2 --scheduler fifo`;
 * - after: `--workers 2 --scheduler fair` (worker pool, deficit round robin).
 * Figures: aggregate queries/s of the 10 clients, p50/p99 latency (ms), and
 * p99/p50.
 *
 * Run: `npx tsc -p tsconfig.build.json && node --import tsx bench/hardening-load.ts [seconds=20]`
 * Results: bench/README.md, "Hardening (issue 12)".
 */
import { randomWeights } from "../src/executor/random-weights.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { tensorKey } from "../src/model/types.js";
import { OffloadingClient } from "../src/runtime/client.js";
import { tcpTransport } from "../src/runtime/tcp-transport.js";
import { percentile, startServer } from "./hardening-lib.js";

const seconds = Number(process.argv[2] ?? 20);
const network = zooNetwork("mobilenet-v1");
const weights = randomWeights(network, 3);
const input = { shape: network.layers[0]!.outputShapes[0]!, data: Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.cos(i) * 0.5) };
const all = network.layers.map((l) => l.index).filter((i) => i > 0);
const alexnet = zooNetwork("alexnet");
const fc6 = alexnet.layers.find((l) => l.name === "fc6")!;
const fc6Weights = randomWeights([fc6], 1);
const local = referenceExecutor();
await local.load(network.layers, weights);

async function run(label: string, args: string[]): Promise<Record<string, unknown>> {
  const server = await startServer(args);
  const clients = Array.from({ length: 10 }, () =>
    new OffloadingClient({
      network, weights, local, localLoaded: true, plan: { partitions: [{ layers: all }] },
      transport: tcpTransport({ host: "127.0.0.1", port: server.port, timeoutMs: 120_000 }),
      queryTimeoutMs: 120_000,
    }),
  );
  await Promise.all(clients.map((c) => c.start()));
  await Promise.all(clients.map((c) => c.whenUploaded()));
  if (!clients.every((c) => c.status().complete)) throw new Error(`${label}: not every upload completed`);
  let running = true;
  let uploads = 0;
  const uploader = (async () => {
    const declaration = { name: "alexnet", layers: alexnet.layers.map((l) => ({ name: l.name, type: l.type })) };
    while (running) {
      const t = tcpTransport({ host: "127.0.0.1", port: server.port, timeoutMs: 120_000 });
      try {
        await t.open(declaration);
        await t.upload({ index: 0, layers: [fc6], weights: fc6Weights });
        uploads++;
      } catch {
        // refused or cut: try again
      } finally {
        await t.close();
      }
    }
  })();
  const latencies: number[] = [];
  let offloaded = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const r = await c.query(input);
        latencies.push(r.latencyMs);
        if (r.serverLayers.length === all.length) offloaded++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  running = false;
  await uploader;
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return {
    config: label,
    queries: latencies.length,
    fullyOffloaded: offloaded,
    queriesPerSecond: +(latencies.length / elapsed).toFixed(2),
    p50Ms: Math.round(p50),
    p99Ms: Math.round(p99),
    p99OverP50: +(p99 / p50).toFixed(2),
    strangerUploads: uploads,
  };
}

console.log(JSON.stringify({ model: "mobilenet-v1", clients: 10, seconds, stranger: "AlexNet fc6, 151 MiB, re-uploaded in a loop" }));
console.log(JSON.stringify(await run("before: --workers 0 --scheduler fifo", ["--workers", "0", "--scheduler", "fifo"])));
console.log(JSON.stringify(await run("pool only: --workers 2 --scheduler fifo", ["--workers", "2", "--scheduler", "fifo"])));
console.log(JSON.stringify(await run("after: --workers 2 --scheduler fair", ["--workers", "2", "--scheduler", "fair"])));
