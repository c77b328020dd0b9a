import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { createHash } from "node:crypto";
import {
  canonicalJson,
  decodeLayerRecord,
  digestOf,
  encodeLayerRecord,
  layerDigest,
  memoryStore,
  parseRedisUrl,
  redisStore,
  StoreConfigError,
  StoreIntegrityError,
  StoreUnavailableError,
  type PartitionStore,
} from "./index.js";
import { redisCli, redisUnavailable, startCluster, startRedis, type RedisProcess } from "./test-helpers.js";

const definition = (name: string, shapes: number[][]) => ({ name, type: "InnerProduct", paramShapes: shapes, params: { num_output: shapes[0]?.[0] ?? 0 } });
function record(seed: number, sizes: number[]): { record: Uint8Array; digest: string; weights: Float32Array[] } {
  const weights = sizes.map((n, j) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + j * 31 + i)));
  const def = definition(`fc${seed}`, sizes.map((n) => [n]));
  const bytes = encodeLayerRecord(def, weights);
  return { record: bytes, digest: digestOf(bytes), weights };
}

describe("layer records", () => {
  it("digest is sha256 of the record; layerDigest computes it without the record", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 40 }), fc.array(fc.float({ noNaN: true }), { maxLength: 5 }), (a, b) => {
        const weights = [Float32Array.from(a), Float32Array.from(b)];
        const def = { paramShapes: [[a.length], [b.length]], name: "x", type: "T" };
        const bytes = encodeLayerRecord(def, weights);
        const independent = createHash("sha256").update(bytes).digest("hex");
        expect(layerDigest(def, weights)).toBe(independent);
        const back = decodeLayerRecord(bytes, independent);
        expect(back.weights.map((w) => [...w])).toEqual(weights.map((w) => [...w]));
        expect(JSON.parse(back.definitionJson)).toEqual(def);
      }),
      { numRuns: 60 },
    );
  });

  it("canonical JSON sorts keys at every level, so key order does not change the digest", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    const w = [Float32Array.of(1, 2)];
    expect(layerDigest({ name: "a", paramShapes: [[2]] }, w)).toBe(layerDigest({ paramShapes: [[2]], name: "a" }, w));
    expect(layerDigest({ name: "a", paramShapes: [[2]] }, w)).not.toBe(layerDigest({ name: "b", paramShapes: [[2]] }, w));
  });

  it("fuzzed records (truncated, extended, flipped, wrong lengths) are detected", () => {
    const { record: bytes, digest } = record(3, [50, 7]);
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: bytes.length }), (at, xor, cut) => {
        const flipped = bytes.slice();
        flipped[at]! ^= xor;
        expect(() => decodeLayerRecord(flipped, digest)).toThrow(StoreIntegrityError);
        if (cut < bytes.length) {
          expect(() => decodeLayerRecord(bytes.subarray(0, cut), digest)).toThrow(StoreIntegrityError);
          expect(() => decodeLayerRecord(bytes.subarray(0, cut))).toThrow(StoreIntegrityError); // structure alone
        }
      }),
      { numRuns: 100 },
    );
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => decodeLayerRecord(longer)).toThrow(/weight bytes, paramShapes say/);
  });
});

async function contract(store: PartitionStore): Promise<void> {
  const a = record(1, [1000, 10]);
  const b = record(2, [5]);
  expect(await store.has([a.digest, b.digest])).toEqual([false, false]);
  expect(await store.get(a.digest)).toBeUndefined();
  await store.put(a.digest, a.record);
  expect(await store.has([a.digest, b.digest])).toEqual([true, false]);
  const got = await store.get(a.digest);
  expect(got && Buffer.from(got).equals(Buffer.from(a.record))).toBe(true);
  // A blob whose bytes do not match its digest is refused and not stored.
  await expect(store.put(b.digest, a.record)).rejects.toThrow(StoreIntegrityError);
  expect(await store.has([b.digest])).toEqual([false]);
  await expect(store.put("not-a-digest", a.record)).rejects.toThrow(StoreIntegrityError);
}

describe("memoryStore", () => {
  it("meets the store contract", async () => contract(memoryStore()));

  it("evicts least recently used records beyond maxBytes, and by TTL", async () => {
    let now = 0;
    const r = [record(1, [100]), record(2, [100]), record(3, [100])];
    const size = r[0]!.record.length;
    const store = memoryStore({ maxBytes: size * 2, ttlMs: 1000, clock: { now: () => now } });
    await store.put(r[0]!.digest, r[0]!.record);
    await store.put(r[1]!.digest, r[1]!.record);
    await store.get(r[0]!.digest); // 0 is now the most recent
    await store.put(r[2]!.digest, r[2]!.record); // evicts 1
    expect(await store.has(r.map((x) => x.digest))).toEqual([true, false, true]);
    expect(store.stats()).toMatchObject({ entries: 2, bytes: size * 2, evictions: 1 });
    now = 1500;
    expect(await store.has(r.map((x) => x.digest))).toEqual([false, false, false]);
  });

  it("rejects bad options with a typed error naming the option", () => {
    expect(() => memoryStore({ maxBytes: 0 })).toThrow(/maxBytes/);
    expect(() => memoryStore({ ttlMs: -1 })).toThrow(StoreConfigError);
  });
});

describe("parseRedisUrl", () => {
  it("parses one node, several nodes (cluster) and rejects bad URLs naming the part", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379")).toEqual({ nodes: [{ host: "127.0.0.1", port: 6379 }], cluster: false });
    expect(parseRedisUrl("redis://a:1,b:2")).toEqual({ nodes: [{ host: "a", port: 1 }, { host: "b", port: 2 }], cluster: true });
    expect(parseRedisUrl("redis+cluster://a:1").cluster).toBe(true);
    expect(() => parseRedisUrl("http://a:1")).toThrow(StoreConfigError);
    expect(() => parseRedisUrl("redis://a:1,b")).toThrow(/"b" is not HOST:PORT/);
  });
});

describe.skipIf(redisUnavailable !== undefined)(`redisStore on a private redis-server${redisUnavailable ? ` (skipped: ${redisUnavailable})` : ""}`, () => {
  let redis: RedisProcess;
  let store: PartitionStore;
  beforeAll(async () => {
    redis = await startRedis();
    store = redisStore({ nodes: [{ host: "127.0.0.1", port: redis.port }], chunkBytes: 1024, commandTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  it("meets the store contract with chunked records", async () => {
    await contract(store);
    const a = record(1, [1000, 10]); // 4 KiB + head: 5 chunks of 1 KiB
    const meta = JSON.parse(redisCli(redis.port, "GET", `ionn:{${a.digest}}:m`)) as { n: number; bytes: number };
    expect(meta).toMatchObject({ v: 1, bytes: a.record.length, chunk: 1024, n: Math.ceil(a.record.length / 1024) });
    expect(Number(redisCli(redis.port, "STRLEN", `ionn:{${a.digest}}:0`).trim())).toBe(1024);
    expect(Number(redisCli(redis.port, "PTTL", `ionn:{${a.digest}}:0`).trim())).toBeGreaterThan(0);
  });

  it("detects fuzzed entries (truncated chunk, wrong lengths, missing chunk, bad meta) and drops them", async () => {
    const cases: [string, (d: string, n: number) => void][] = [
      ["truncated chunk", (d) => redisCli(redis.port, "SETRANGE", `ionn:{${d}}:1`, "0", "") && redisCli(redis.port, "SET", `ionn:{${d}}:1`, "short")],
      ["flipped byte", (d) => redisCli(redis.port, "SETRANGE", `ionn:{${d}}:0`, "20", "Z")],
      ["missing chunk", (d, n) => redisCli(redis.port, "DEL", `ionn:{${d}}:${n - 1}`)],
      ["wrong total length", (d, n) => redisCli(redis.port, "SET", `ionn:{${d}}:m`, JSON.stringify({ v: 1, bytes: 10, chunk: 1024, n }))],
      ["meta not JSON", (d) => redisCli(redis.port, "SET", `ionn:{${d}}:m`, "garbage")],
    ];
    for (const [seed, [what, damage]] of cases.entries()) {
      const r = record(100 + seed, [700]);
      await store.put(r.digest, r.record);
      const n = Math.ceil(r.record.length / 1024);
      damage(r.digest, n);
      await expect(store.get(r.digest), what).rejects.toThrow(StoreIntegrityError);
      expect(await store.has([r.digest]), what).toEqual([false]);
    }
    expect(store.stats().corrupt).toBe(cases.length);
  });

  it("an outage fails fast with StoreUnavailableError, and a restarted server is used again", async () => {
    const r = record(7, [300]);
    await redis.kill();
    const started = performance.now();
    await expect(store.put(r.digest, r.record)).rejects.toThrow(StoreUnavailableError);
    await expect(store.has([r.digest])).rejects.toThrow(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(4500);
    await redis.restart();
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await store.put(r.digest, r.record).then(() => true, () => false);
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ok).toBe(true);
    expect(await store.has([r.digest])).toEqual([true]);
  });

  it("rejects bad options with a typed error naming the option", () => {
    expect(() => redisStore({ nodes: [] })).toThrow(StoreConfigError);
    expect(() => redisStore({ nodes: [{ host: "127.0.0.1", port: 1 }], chunkBytes: 0 })).toThrow(/chunkBytes/);
  });
});

describe.skipIf(redisUnavailable !== undefined)(`redisStore on a three-node Redis Cluster${redisUnavailable ? ` (skipped: ${redisUnavailable})` : ""}`, () => {
  it("stores and reads chunked records across the cluster's slots", async () => {
    const cluster = await startCluster();
    const store = redisStore({ nodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })), chunkBytes: 512 });
    try {
      const records = Array.from({ length: 12 }, (_, i) => record(i + 1, [200 + i]));
      for (const r of records) await store.put(r.digest, r.record);
      expect(await store.has(records.map((r) => r.digest))).toEqual(records.map(() => true));
      for (const r of records) expect(Buffer.from((await store.get(r.digest))!).equals(Buffer.from(r.record))).toBe(true);
      const keysPerNode = cluster.ports.map((p) => Number(redisCli(p, "DBSIZE").trim()));
      expect(keysPerNode.filter((n) => n > 0).length).toBeGreaterThan(1); // spread over several masters
    } finally {
      await store.close();
      await cluster.stop();
    }
  }, 60_000);
});
