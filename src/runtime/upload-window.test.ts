/**
 * Pipelined uploads (issue 9): with a window of N partitions in flight over
 * real TCP loopback, collaborative results stay bit-identical to local
 * execution, and a server killed mid-window loses nothing: the client
 * records only ACKed partitions and re-sends the rest to a new server.
 */
import { afterEach, describe, expect, it } from "vitest";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey } from "../model/types.js";
import { OffloadingClient } from "./client.js";
import { EdgeServer, serveTcp, type TcpServerHandle } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { randomInput, sameBits, scatteredPlan, testNetworks } from "./test-fixtures.js";
import { runUploadWindow } from "./upload-window.js";

const handles: TcpServerHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

async function tcpServer(): Promise<{ handle: TcpServerHandle; server: EdgeServer }> {
  const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
  const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
  handles.push(handle);
  return { handle, server };
}

describe("runUploadWindow", () => {
  it("keeps at most N sends in flight, starts them in order, stops after a failure", async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    await runUploadWindow([0, 1, 2, 3, 4, 5], 3, async (i) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return i !== 2;
    });
    expect(most).toBe(3);
    expect(started.slice(0, 3)).toEqual([0, 1, 2]);
    expect(started).not.toContain(5);
    await expect(runUploadWindow([0], 0, async () => true)).rejects.toThrow(/uploadWindow/);
  });
});

describe("pipelined upload over TCP loopback", () => {
  for (const network of testNetworks()) {
    it(`${network.name}: window 3, results bit-identical to local; a server killed mid-window loses nothing`, async () => {
      const weights = randomWeights(network, 5);
      const input = randomInput(network, 3);
      const expected = (await runLocally(network, weights, input)).get(tensorKey(network.outputs[0]!))!;
      const plan = scatteredPlan(network, 6, 17);
      const first = await tcpServer();
      const local = referenceExecutor();
      const acks: number[] = [];
      const client = new OffloadingClient({
        network,
        weights,
        local,
        uploadWindow: 3,
        transport: tcpTransport({ host: "127.0.0.1", port: first.handle.port, timeoutMs: 5000, uploadChunkBytes: 1024 }),
        plan,
        onEvent: (e) => {
          if (e.type === "ack") acks.push(e.partition);
          // kill the server after the second ACK, with later partitions in flight
          if (e.type === "ack" && acks.length === 2) void first.handle.close();
        },
      });
      await client.start();
      await client.whenUploaded();
      const partial = client.status();
      expect(partial.ackedPartitions.length).toBeLessThan(plan.partitions.length);
      const during = await client.query(input);
      expect(sameBits(during.outputs.get(tensorKey(network.outputs[0]!))!, expected)).toBe(true);
      const second = await tcpServer();
      await client.reconnect(tcpTransport({ host: "127.0.0.1", port: second.handle.port, timeoutMs: 5000 }));
      await client.whenUploaded();
      expect(client.status().complete).toBe(true);
      const after = await client.query(input);
      expect(after.serverLayers.length).toBeGreaterThan(0);
      expect(sameBits(after.outputs.get(tensorKey(network.outputs[0]!))!, expected)).toBe(true);
      await client.close();
    });
  }
});
