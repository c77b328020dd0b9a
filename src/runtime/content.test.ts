/**
 * Content-addressed uploads and handoff (issue 11) with in-process servers
 * sharing a store: a handed-off client sends no weight bytes the new server
 * can find; digests are verified; a session can only use records it names.
 */
import { describe, expect, it } from "vitest";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey, type Network } from "../model/types.js";
import { memoryStore } from "../store/memory.js";
import { OffloadingClient } from "./client.js";
import { digestLayer } from "./content.js";
import { inMemoryTransport } from "./memory-transport.js";
import { RemoteError } from "./protocol.js";
import { EdgeServer } from "./server.js";
import { randomInput, sameBits, scatteredPlan, testNetworks } from "./test-fixtures.js";
import type { LayerWeights, PartitionStore } from "../index.js";

const [alexLike, googLike] = testNetworks() as [Network, Network, Network];
const weightBytes = (network: Network) => network.layers.reduce((a, l) => a + l.paramShapes.reduce((b, s) => b + 4 * s.reduce((x, y) => x * y, 1), 0), 0);
const server = (store?: PartitionStore) => new EdgeServer({ executorFactory: () => referenceExecutor(), ...(store ? { store } : {}) });
const declaration = (n: Network) => ({ name: n.name, layers: n.layers.map((l) => ({ name: l.name, type: l.type })) });

async function client(network: Network, weights: Map<string, Float32Array[]>, target: EdgeServer, seed = 3) {
  const c = new OffloadingClient({ network, weights, local: referenceExecutor(), transport: inMemoryTransport(target), plan: scatteredPlan(network, 4, seed) });
  await c.start();
  return c;
}

describe("content-addressed uploads between servers sharing a store", () => {
  for (const network of [alexLike, googLike]) {
    it(`${network.name}: full upload to A, handoff to B sends 0 weight bytes, the first query after it is offloaded, answers equal local`, async () => {
      const shared = memoryStore();
      const a = server(shared);
      const b = server(shared);
      const weights = randomWeights(network, 5);
      const input = randomInput(network, 9);
      const expected = (await runLocally(network, weights, input)).get(tensorKey(network.outputs[0]!))!;
      const c = await client(network, weights, a);
      await c.whenUploaded();
      expect(c.stats().weightBytesSent).toBe(weightBytes(network));
      expect(a.stats().weightBytesReceived).toBe(weightBytes(network));
      const before = await c.query(input);
      expect(before.connection).toBe(0);
      expect(sameBits(before.outputs.get(tensorKey(network.outputs[0]!))!, expected)).toBe(true);

      await c.handoff(inMemoryTransport(b));
      const after = await c.query(input);
      expect(after.connection).toBe(1);
      expect(after.serverLayers.length).toBeGreaterThan(0);
      expect(sameBits(after.outputs.get(tensorKey(network.outputs[0]!))!, expected)).toBe(true);
      await c.whenUploaded();
      const stats = c.stats();
      expect(stats.connections[1]).toMatchObject({ weightBytesSent: 0, weightBytesReceivedByServer: 0, weightBytesReused: weightBytes(network) });
      expect(b.stats()).toMatchObject({ weightBytesReceived: 0, weightBytesReused: weightBytes(network) });
      expect(b.stats().content?.storeHits).toBeGreaterThan(0);
      expect(stats.weightBytesSent).toBe(weightBytes(network));
      await c.close();

      // A second client with the same model at B uploads nothing either (from B's memory now).
      const second = await client(network, weights, b, 8);
      await second.whenUploaded();
      expect(second.stats().weightBytesSent).toBe(0);
      const q = await second.query(input);
      expect(q.serverLayers.length).toBeGreaterThan(0);
      expect(sameBits(q.outputs.get(tensorKey(network.outputs[0]!))!, expected)).toBe(true);
      await second.close();
    });
  }

  it("without a shared store, a handoff re-uploads everything; other weights (another seed) are never taken from the cache", async () => {
    const a = server();
    const b = server();
    const weights = randomWeights(alexLike, 5);
    const c = await client(alexLike, weights, a);
    await c.whenUploaded();
    await c.handoff(inMemoryTransport(b));
    await c.whenUploaded();
    expect(c.stats().connections[1]!.weightBytesSent).toBe(weightBytes(alexLike));
    const other = await client(alexLike, randomWeights(alexLike, 6), b);
    await other.whenUploaded();
    expect(other.stats().weightBytesSent).toBe(weightBytes(alexLike));
    await c.close();
    await other.close();
  });
});

describe("digests are verified and a session uses only records it names", () => {
  const network = alexLike;
  const weights = randomWeights(network, 5);
  const fc = network.layers.find((l) => l.name === "fc6")!;
  const conv = network.layers.find((l) => l.name === "conv1")!;
  const w = (name: string) => new Map<string, LayerWeights>([[name, weights.get(name)!]]);

  it("a blob whose bytes do not match the digest the client names is refused (digest-mismatch) and not stored", async () => {
    const shared = memoryStore();
    const s = server(shared);
    const t = inMemoryTransport(s);
    await t.open(declaration(network));
    const wrong = digestLayer(fc, [weights.get("fc6")![0]!.map((x) => x + 1), weights.get("fc6")![1]!]);
    const error = await t.upload({ index: 0, layers: [fc], weights: w("fc6"), digests: new Map([["fc6", wrong]]) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe("digest-mismatch");
    expect(await shared.has([wrong, digestLayer(fc, weights.get("fc6")!)])).toEqual([false, false]);
    expect(s.stats().bytes).toBe(0);
    // Offering either digest now finds nothing.
    expect((await t.offer!(0, [wrong, digestLayer(fc, weights.get("fc6")!)])).size).toBe(0);
    // The right digest is accepted and filed.
    const right = digestLayer(fc, weights.get("fc6")!);
    await t.upload({ index: 0, layers: [fc], weights: w("fc6"), digests: new Map([["fc6", right]]) });
    expect(await shared.has([right])).toEqual([true]);
    await t.close();
  });

  it("another session's record is never used without naming it: not-uploaded, blob-missing without an offer, digest-mismatch for another layer", async () => {
    const s = server();
    const owner = inMemoryTransport(s);
    await owner.open(declaration(network));
    const digest = digestLayer(fc, weights.get("fc6")!);
    await owner.upload({ index: 0, layers: [fc], weights: w("fc6"), digests: new Map([["fc6", digest]]) });
    const intruder = inMemoryTransport(s);
    await intruder.open(declaration(network));
    const input = { shape: fc.inputShapes[0]!, data: new Float32Array(fc.inputShapes[0]!.reduce((a, b) => a * b, 1)) };
    const execute = await intruder.execute({ layers: [fc.index], inputs: new Map([[`${fc.inputs[0]!.layer}:${fc.inputs[0]!.top}`, input]]), outputs: [`${fc.index}:0`] }).catch((e: unknown) => e);
    expect((execute as RemoteError).code).toBe("not-uploaded");
    // Naming the layer as cached without having offered (and been answered) its digest: refused.
    const unoffered = await intruder.upload({ index: 0, layers: [fc], weights: new Map(), digests: new Map([["fc6", digest]]), cached: new Set(["fc6"]) }).catch((e: unknown) => e);
    expect((unoffered as RemoteError).code).toBe("blob-missing");
    // Offering fc6's digest but using it for conv1: the record's definition does not match.
    expect([...(await intruder.offer!(0, [digest]))]).toEqual([digest]);
    const misuse = await intruder.upload({ index: 0, layers: [conv], weights: new Map(), digests: new Map([["conv1", digest]]), cached: new Set(["conv1"]) }).catch((e: unknown) => e);
    expect((misuse as RemoteError).code).toBe("digest-mismatch");
    // Named correctly it is used, with no weight bytes sent.
    const ack = await intruder.upload({ index: 0, layers: [fc], weights: new Map(), digests: new Map([["fc6", digest]]), cached: new Set(["fc6"]) });
    expect(ack).toMatchObject({ weightBytesReceived: 0, weightBytesReused: weights.get("fc6")!.reduce((a, b) => a + b.byteLength, 0) });
    await owner.close();
    await intruder.close();
  });

  it("a client against a server whose offers fail (old server) falls back to full uploads", async () => {
    const s = server();
    const inner = inMemoryTransport(s);
    const transport = { ...inner, offer: async () => Promise.reject(new RemoteError("bad-request", "server: a client may not send \"offer\" messages")) };
    const c = new OffloadingClient({ network, weights, local: referenceExecutor(), transport, plan: scatteredPlan(network, 3, 2) });
    await c.start();
    await c.whenUploaded();
    expect(c.status().complete).toBe(true);
    expect(c.stats().weightBytesSent).toBe(weightBytes(network));
    await c.close();
  });
});
