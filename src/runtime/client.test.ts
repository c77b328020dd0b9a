/**
 * IONN §4 end to end: the collaborative output equals the local output bit
 * for bit after every partition of a plan, on AlexNet-, GoogLeNet- and
 * ResNet-shaped networks, through the in-memory and the TCP transport; a
 * server stopped mid-upload; reconnection to a new server.
 */
import { afterEach, describe, expect, it } from "vitest";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey, type Network } from "../model/types.js";
import { OffloadingClient, type ClientEvent } from "./client.js";
import { inMemoryTransport } from "./memory-transport.js";
import { EdgeServer, serveTcp, type TcpServerHandle } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { gated, randomInput, sameBits, scatteredPlan, testNetworks } from "./test-fixtures.js";
import type { Transport, UploadSchedule } from "./types.js";

const handles: TcpServerHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

async function tcpServer(): Promise<TcpServerHandle> {
  const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
  const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
  handles.push(handle);
  return handle;
}

/** The layers a query must run on the server once `acked` partitions are ACKed: every ACKed non-Input layer. */
function expectedServerLayers(network: Network, plan: UploadSchedule, acked: number): number[] {
  const layers = plan.partitions.slice(0, acked).flatMap((p) => p.layers);
  return layers.filter((i) => network.layers[i]!.type !== "Input").sort((a, b) => a - b);
}

const networks = testNetworks();
const transports: [string, (server: EdgeServer) => Promise<Transport>][] = [
  ["in-memory", async (server) => inMemoryTransport(server)],
  [
    "tcp",
    async (server) => {
      const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
      handles.push(handle);
      return tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 5000, uploadChunkBytes: 2048 });
    },
  ],
];

describe("OffloadingClient collaborative execution equals local execution bit for bit", () => {
  for (const network of networks) {
    for (const [transportName, makeTransport] of transports) {
      it(`${network.name} through the ${transportName} transport, after every partition`, async () => {
        const weights = randomWeights(network, 11);
        const inputs = [randomInput(network, 1), randomInput(network, 2)];
        const expected = await Promise.all(inputs.map((x) => runLocally(network, weights, x)));
        const outKey = tensorKey(network.outputs[0]!);
        const plan = scatteredPlan(network, 4, network.layers.length);
        const server = new EdgeServer({ executorFactory: () => referenceExecutor(), predictionFunctions: { conv: [1, 2] } });
        const transport = gated(await makeTransport(server));
        const acks: number[] = [];
        let ackWaiter: (() => void) | undefined;
        const client = new OffloadingClient({
          network,
          weights,
          local: referenceExecutor(),
          transport,
          plan,
          onEvent: (event: ClientEvent) => {
            if (event.type === "ack") {
              acks.push(event.partition);
              ackWaiter?.();
            }
          },
        });
        const session = await client.start();
        expect(session.sessionId).toMatch(/^[0-9a-f]{32}$/);
        expect(session.predictionFunctions).toEqual({ conv: [1, 2] });
        for (let acked = 0; acked <= plan.partitions.length; acked++) {
          for (const [q, input] of inputs.entries()) {
            const result = await client.query(input);
            expect(result.fellBack).toBe(false);
            expect(sameBits(result.outputs.get(outKey)!, expected[q]!.get(outKey)!)).toBe(true);
            expect([...result.serverLayers].sort((a, b) => a - b)).toEqual(expectedServerLayers(network, plan, acked));
          }
          if (acked < plan.partitions.length) {
            const ack = new Promise<void>((resolve) => (ackWaiter = resolve));
            transport.release();
            await ack;
          }
        }
        await client.whenUploaded();
        expect(acks).toEqual(plan.partitions.map((_, i) => i));
        expect(client.status().complete).toBe(true);
        await client.close();
      });
    }
  }
});

describe("OffloadingClient under server failure", () => {
  it("keeps answering locally with identical results when the server stops mid-upload, and a new server gets the rest of the plan on reconnect", async () => {
    const network = networks[1]!;
    const weights = randomWeights(network, 5);
    const input = randomInput(network, 9);
    const outKey = tensorKey(network.outputs[0]!);
    const expected = (await runLocally(network, weights, input)).get(outKey)!;
    const plan = scatteredPlan(network, 5, 3);

    const first = await tcpServer();
    const transport1 = gated(tcpTransport({ host: "127.0.0.1", port: first.port, timeoutMs: 2000 }));
    const events: ClientEvent[] = [];
    const client = new OffloadingClient({
      network,
      weights,
      local: referenceExecutor(),
      transport: transport1,
      plan,
      queryTimeoutMs: 2000,
      onEvent: (e) => events.push(e),
    });
    await client.start();
    transport1.release(2);
    while (client.status().ackedPartitions.length < 2) await new Promise((r) => setTimeout(r, 5));
    const during = await client.query(input);
    expect(during.serverLayers.length).toBeGreaterThan(0);
    expect(sameBits(during.outputs.get(outKey)!, expected)).toBe(true);

    // Stop the server while partition 2 is waiting to go out.
    await first.close();
    transport1.release(1);
    for (let i = 0; i < 3; i++) {
      const result = await client.query(input);
      expect(sameBits(result.outputs.get(outKey)!, expected)).toBe(true);
      if (i > 0) expect(result.serverLayers).toEqual([]);
    }
    await client.whenUploaded();
    expect(client.status().failed).toBe(true);
    expect(events.some((e) => e.type === "server-failed")).toBe(true);

    // A new server: the upload resumes with partition 2 (the first not ACKed), then backfills 0 and 1.
    const second = await tcpServer();
    const acksBefore = events.filter((e) => e.type === "ack").length;
    const transport2 = tcpTransport({ host: "127.0.0.1", port: second.port, timeoutMs: 2000 });
    await client.reconnect(transport2);
    await client.whenUploaded();
    const newAcks = events.slice().filter((e) => e.type === "ack").slice(acksBefore).map((e) => (e as { partition: number }).partition);
    expect(newAcks).toEqual([2, 3, 4, 0, 1]);
    expect(second.server.stats().acks).toBe(5);
    const after = await client.query(input);
    expect(after.fellBack).toBe(false);
    expect(sameBits(after.outputs.get(outKey)!, expected)).toBe(true);
    expect(after.serverLayers).toEqual(expectedServerLayers(network, plan, plan.partitions.length));
    await client.close();
  });

  it("finishes a query locally when the server times out, runs locally while the answer is due, then offloads again", async () => {
    const network = networks[0]!;
    const weights = randomWeights(network, 2);
    const input = randomInput(network, 4);
    const outKey = tensorKey(network.outputs[0]!);
    const expected = (await runLocally(network, weights, input)).get(outKey)!;
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const inner = inMemoryTransport(server);
    let stall = false;
    let release: (() => void) | undefined;
    const transport: Transport = {
      ...inner,
      open: (n) => inner.open(n),
      upload: (p) => inner.upload(p),
      close: () => inner.close(),
      // While stalled, an execute call answers only when the test releases it.
      execute: (r) =>
        stall
          ? new Promise((resolve, reject) => {
              release = () => void inner.execute(r).then(resolve, reject);
            })
          : inner.execute(r),
    };
    // A manual scheduler: the timeout fires when the test says so (no real waiting).
    const timers: (() => void)[] = [];
    const client = new OffloadingClient({
      network,
      weights,
      local: referenceExecutor(),
      transport,
      plan: { partitions: [{ layers: network.layers.slice(1).map((l) => l.index) }] },
      scheduler: { schedule: (_ms, cb) => (timers.push(cb), () => undefined) },
    });
    await client.start();
    await client.whenUploaded();
    stall = true;
    const pending = client.query(input);
    while (timers.length === 0) await new Promise((r) => setTimeout(r, 1));
    timers.shift()!();
    const result = await pending;
    expect(result.fellBack).toBe(true);
    expect(result.serverLayers).toEqual([]);
    expect(sameBits(result.outputs.get(outKey)!, expected)).toBe(true);
    // A slow answer is not a lost server: the connection is stalled, not failed.
    expect(client.status()).toMatchObject({ failed: false, stalled: true });
    // While the answer is due, the next query runs locally at once (no second timeout).
    const second = await client.query(input);
    expect(second).toMatchObject({ fellBack: false, serverLayers: [] });
    expect(timers).toHaveLength(0);
    expect(sameBits(second.outputs.get(outKey)!, expected)).toBe(true);
    // The late answer arrives: offloading resumes.
    stall = false;
    release!();
    while (client.status().stalled) await new Promise((r) => setTimeout(r, 1));
    const third = await client.query(input);
    expect(third.serverLayers.length).toBeGreaterThan(0);
    expect(sameBits(third.outputs.get(outKey)!, expected)).toBe(true);
  });
});
