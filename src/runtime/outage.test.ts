/**
 * Issue 11, store outage: Redis killed in the middle of an upload. No query
 * fails or waits, the upload finishes from the client (the server falls back
 * to what the client sends), and a restarted Redis is used again. A store
 * that never answers delays nothing past the server's store timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey, type Network } from "../model/types.js";
import { redisStore } from "../store/redis.js";
import type { PartitionStore } from "../store/index.js";
import { redisUnavailable, startRedis, type RedisProcess } from "../store/test-helpers.js";
import { OffloadingClient } from "./client.js";
import { inMemoryTransport } from "./memory-transport.js";
import { EdgeServer, serveTcp, type TcpServerHandle } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { gated, randomInput, sameBits, scatteredPlan, testNetworks } from "./test-fixtures.js";
import type { Transport } from "./types.js";

const network = testNetworks()[1] as Network; // GoogLeNet-shaped: many layers with weights
const weightBytes = network.layers.reduce((a, l) => a + l.paramShapes.reduce((b, s) => b + 4 * s.reduce((x, y) => x * y, 1), 0), 0);
const plan = scatteredPlan(network, 6, 4);
const outKey = tensorKey(network.outputs[0]!);

describe.skipIf(redisUnavailable !== undefined)(`Redis killed mid-upload${redisUnavailable ? ` (skipped: ${redisUnavailable})` : ""}`, () => {
  let redis: RedisProcess;
  const handles: TcpServerHandle[] = [];
  const stores: PartitionStore[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    for (const s of stores) await s.close();
    await redis?.stop();
  });
  async function edge(): Promise<{ server: EdgeServer; transport: () => Transport }> {
    const store = redisStore({ nodes: [{ host: "127.0.0.1", port: redis.port }], commandTimeoutMs: 1000 });
    stores.push(store);
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), store, storeTimeoutMs: 500 });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    handles.push(handle);
    return { server, transport: () => tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 5000, uploadChunkBytes: 4096 }) };
  }

  it("no query fails, the upload completes from the client, and the restarted Redis is used again", async () => {
    const a = await edge();
    const weights = randomWeights(network, 21);
    const input = randomInput(network, 3);
    const expected = (await runLocally(network, weights, input)).get(outKey)!;
    const inner = a.transport();
    const transport = gated(inner);
    const client = new OffloadingClient({ network, weights, local: referenceExecutor(), transport: { ...transport, offer: inner.offer! }, plan, queryTimeoutMs: 3000 });
    await client.start();
    const answers: boolean[] = [];
    const ask = async () => {
      const started = performance.now();
      const r = await client.query(input);
      answers.push(sameBits(r.outputs.get(outKey)!, expected) && !r.fellBack);
      expect(performance.now() - started).toBeLessThan(3000);
    };
    transport.release(2);
    for (let i = 0; i < 2000 && client.status().ackedPartitions.length < 2; i++) {
      await ask();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(a.server.stats().content?.storePuts).toBeGreaterThan(0);
    await redis.kill(); // mid-upload
    transport.release(plan.partitions.length);
    for (let i = 0; i < 2000 && !client.status().complete; i++) {
      await ask();
      await new Promise((r) => setTimeout(r, 5));
    }
    await ask();
    expect(answers.length).toBeGreaterThan(2);
    expect(answers.every(Boolean)).toBe(true);
    expect(client.stats().weightBytesSent).toBe(weightBytes);
    expect(a.server.stats().weightBytesReceived).toBe(weightBytes);
    expect(a.server.stats().content?.storeFailures).toBeGreaterThan(0);
    await client.close();

    // Redis comes back: the same server files new records in it again, and a fresh server finds them.
    await redis.restart();
    const other = randomWeights(network, 22);
    let reused = false;
    for (let attempt = 0; attempt < 20 && !reused; attempt++) {
      const c2 = new OffloadingClient({ network, weights: other, local: referenceExecutor(), transport: a.transport(), plan });
      await c2.start();
      await c2.whenUploaded();
      await c2.close();
      const fresh = await edge();
      const c3 = new OffloadingClient({ network, weights: other, local: referenceExecutor(), transport: fresh.transport(), plan });
      await c3.start();
      await c3.whenUploaded();
      reused = c3.stats().weightBytesSent === 0 && fresh.server.stats().content!.storeHits > 0;
      await c3.close();
      if (!reused) await new Promise((r) => setTimeout(r, 200)); // the client reconnects in the background
    }
    expect(reused).toBe(true);
  }, 60_000);
});

describe("a store that never answers", () => {
  it("delays offers and ACKs by at most the store timeout; the upload completes from the client", async () => {
    const never = new Promise<never>(() => undefined);
    const hanging: PartitionStore = {
      label: "hanging",
      has: () => never,
      get: () => never,
      put: () => never,
      stats: () => ({ entries: undefined, bytes: undefined, hits: 0, misses: 0, puts: 0, evictions: 0, corrupt: 0, failures: 0 }),
      close: async () => undefined,
    };
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), store: hanging, storeTimeoutMs: 100 });
    const weights = randomWeights(network, 5);
    const client = new OffloadingClient({ network, weights, local: referenceExecutor(), transport: inMemoryTransport(server), plan: scatteredPlan(network, 3, 1) });
    const started = performance.now();
    await client.start();
    const q = await client.query(randomInput(network, 1)); // never waits for the store
    expect(q.latencyMs).toBeLessThan(1000);
    await client.whenUploaded();
    expect(client.status().complete).toBe(true);
    // 3 partitions: one offer (≤ 100 ms) and puts (≤ 100 ms + size term) each.
    expect(performance.now() - started).toBeLessThan(3 * 2 * 150 + 1500);
    expect(server.stats().content?.storeFailures).toBeGreaterThan(0);
    await client.close();
  });
});
