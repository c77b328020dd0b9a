/**
 * Partition-store benchmark (issue 11), on a private redis-server on
 * loopback, with baselines in the same run:
 *
 * 1. Store throughput: `redisStore` put/get of records of 1, 8, 64 and
 *    150 MiB (chunked at 8 MiB, sha256-verified on get) against raw ioredis
 *    SET/GET of one unchunked value of the same size (redis-benchmark style,
 *    no verification).
 * 2. Handoff time for AlexNet (every layer uploaded, `--final-round` plan) on
 *    loopback with a warm store: two TCP edge servers sharing the Redis, the
 *    client fully uploaded to A; time from `handoff(B)` to the end of the
 *    first query offloaded to B (issued right after the switch), against the same
 *    client handing off to a server with no store (it re-uploads 233 MiB).
 *
 * Run: `npx tsx bench/store.ts` (about a minute). Results: bench/README.md.
 */
import { cpus, loadavg } from "node:os";
import { Redis } from "ioredis";
import { randomWeights } from "../src/executor/random-weights.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { planNetwork, runtimePartitions } from "../src/plan/plan-network.js";
import { OffloadingClient } from "../src/runtime/client.js";
import { EdgeServer, serveTcp } from "../src/runtime/server.js";
import { tcpTransport } from "../src/runtime/tcp-transport.js";
import { simulationCosts } from "../src/sim/simulate.js";
import { digestOf } from "../src/store/record.js";
import { redisStore } from "../src/store/redis.js";
import { startRedis } from "../src/store/test-helpers.js";
import { randomInput } from "../src/runtime/test-fixtures.js";

const MiB = 2 ** 20;
const SIZES = process.env["STORE_BENCH_SIZES"] === "none" ? [] : [1 * MiB, 8 * MiB, 64 * MiB, 150 * MiB];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await startRedis(["--maxmemory", "0"]);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}; redis-server on 127.0.0.1:${redis.port}`);
try {
  const store = redisStore({ nodes: [{ host: "127.0.0.1", port: redis.port }], commandTimeoutMs: 30_000 });
  const raw = new Redis({ host: "127.0.0.1", port: redis.port });
  console.log("\n| size | store put MB/s | store get MB/s (verified) | raw SET MB/s | raw GET MB/s |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const size of SIZES) {
    const reps = size >= 64 * MiB ? 3 : 7;
    const put: number[] = [];
    const get: number[] = [];
    const set: number[] = [];
    const rget: number[] = [];
    for (let r = 0; r < reps; r++) {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 4096) bytes[i] = (i / 4096 + r * 31) & 255;
      const digest = digestOf(bytes);
      let t = performance.now();
      await store.put(digest, bytes);
      put.push(performance.now() - t);
      t = performance.now();
      const back = await store.get(digest);
      get.push(performance.now() - t);
      if (back?.length !== size) throw new Error("store get returned the wrong size");
      const key = `raw:${r}:${size}`;
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      t = performance.now();
      await raw.set(key, buffer);
      set.push(performance.now() - t);
      t = performance.now();
      const rawBack = await raw.getBuffer(key);
      rget.push(performance.now() - t);
      if (rawBack?.length !== size) throw new Error("raw GET returned the wrong size");
      await raw.flushall();
    }
    const mbps = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(0);
    console.log(`| ${size / MiB} MiB | ${mbps(median(put))} | ${mbps(median(get))} | ${mbps(median(set))} | ${mbps(median(rget))} |`);
  }
  raw.disconnect();

  // Handoff of an AlexNet client with a warm store.
  const network = zooNetwork("alexnet");
  const costs = simulationCosts(network);
  const planned = planNetwork(network, { clientMs: costs.clientMs, serverMs: costs.serverMs }, { mbps: 80, K: 0.5, finalRound: true });
  const plan = { partitions: runtimePartitions(network, planned).map((layers) => ({ layers })) };
  const weights = randomWeights(network, 1);
  const input = randomInput(network, 2);
  const local = referenceExecutor();
  await local.load(network.layers, weights);
  const rows: string[] = [];
  for (const [label, withStore] of [["warm shared store (Redis)", true], ["no store (re-upload)", false]] as const) {
    const times: number[] = [];
    const uploads: number[] = [];
    const switches: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      await redisCliFlush();
      const sharedA = withStore ? redisStore({ nodes: [{ host: "127.0.0.1", port: redis.port }], commandTimeoutMs: 30_000 }) : undefined;
      const sharedB = withStore ? redisStore({ nodes: [{ host: "127.0.0.1", port: redis.port }], commandTimeoutMs: 30_000 }) : undefined;
      const a = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor(), ...(sharedA ? { store: sharedA, storeTimeoutMs: 10_000 } : {}) }), port: 0, evictEveryMs: 0 });
      const b = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor(), ...(sharedB ? { store: sharedB, storeTimeoutMs: 10_000 } : {}) }), port: 0, evictEveryMs: 0 });
      const client = new OffloadingClient({ network, weights, local, localLoaded: true, plan, transport: tcpTransport({ host: "127.0.0.1", port: a.port, timeoutMs: 60_000 }), queryTimeoutMs: 60_000 });
      let t = performance.now();
      await client.start();
      await client.whenUploaded();
      uploads.push(performance.now() - t);
      t = performance.now();
      await client.handoff(tcpTransport({ host: "127.0.0.1", port: b.port, timeoutMs: 60_000 }));
      switches.push(performance.now() - t);
      const result = await client.query(input);
      if (result.connection !== 1 || result.serverLayers.length === 0) throw new Error("the first query after the handoff was not offloaded to B");
      times.push(performance.now() - t);
      await client.close();
      await a.close();
      await b.close();
      await sharedA?.close();
      await sharedB?.close();
    }
    rows.push(`| ${label} | ${median(uploads).toFixed(0)} | ${median(switches).toFixed(0)} | ${median(times).toFixed(0)} | ${times.map((x) => x.toFixed(0)).join(", ")} |`);
  }
  console.log("\nAlexNet (243.9 MB of weights, every layer in the plan), loopback TCP, 3 runs each:\n");
  console.log("| B has | full upload to A (ms, median) | handoff() until the switch (ms, median) | handoff → end of the first offloaded query on B (ms, median) | runs |");
  console.log("|---|---:|---:|---:|---|");
  for (const row of rows) console.log(row);
  await store.close();
} finally {
  await redis.stop();
}

async function redisCliFlush(): Promise<void> {
  const c = new Redis({ host: "127.0.0.1", port: redis.port });
  await c.flushall();
  c.disconnect();
}
