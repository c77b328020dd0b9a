/**
 * One edge server, many clients, some hostile (issue 12 "Must show", the
 * parts that fit in a test of modest duration; the 20-AlexNet memory run, the
 * 10^5-frame fuzz and the 10-client load run are bench scripts, see
 * bench/README.md):
 * - a tampering server (NaN, zeros, wrong shape, missing output, 1-ulp change
 *   in audit mode) never makes the client return a wrong answer silently, and
 *   the CLI exits 0 with answers equal to local execution;
 * - 500 stalled connections and 64 squatting sessions do not lock a
 *   legitimate client out;
 * - a slow reader cannot hold more than its share;
 * - at the memory cap excess sessions are refused cleanly and their clients
 *   answer locally, bit-exact;
 * - a client whose path to the server drops resumes the session and re-sends
 *   only what the server lacks; the CLI client reconnects by itself to a
 *   server killed and restarted on the same port;
 * - back-to-back queries let the upload progress; a loaded server makes the
 *   load-aware placement keep more layers.
 */
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { importCaffePrototxt } from "../model/caffe/index.js";
import { tensorKey, type Layer, type Network } from "../model/types.js";
import { type ClientEvent, OffloadingClient } from "./client.js";
import { loadAwarePlacement } from "./load-aware.js";
import { inMemoryTransport } from "./memory-transport.js";
import { FrameDecoder, decodeFrame, encodeFrameBuffer, layerToJson, type Message } from "./protocol.js";
import { EdgeServer, serveTcp } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { randomInput, sameBits, testNetworks } from "./test-fixtures.js";
import { tcpProxy } from "./test-proxy.js";
import type { Tensor } from "./types.js";

const network: Network = testNetworks()[0]!; // AlexNet-shaped chain, 15 layers
const weights = randomWeights(network, 11);
const outKey = tensorKey(network.outputs[0]!);
const plan = { partitions: [{ layers: [1, 2, 3, 4] }, { layers: [5, 6, 7] }, { layers: [8, 9, 10, 11, 12, 13, 14] }] };
const TINY = new URL("../../test/fixtures/tiny-cnn.prototxt", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function newClient(port: number, extra: Partial<ConstructorParameters<typeof OffloadingClient>[0]> = {}): OffloadingClient {
  return new OffloadingClient({
    network, weights, local: referenceExecutor(), plan,
    transport: tcpTransport({ host: "127.0.0.1", port, timeoutMs: 5000 }),
    ...extra,
  });
}

type Tamper = "nan" | "zeros" | "wrong-shape" | "missing-output" | "one-ulp";
function tamperResult(mode: Tamper) {
  return (message: Message): Message | undefined => {
    if (message.type !== "result" || message.tensors.length === 0) return message;
    const tensors: Tensor[] = message.tensors.map((t) => ({ shape: [...t.shape], data: t.data.slice() }));
    const first = tensors[0]!;
    switch (mode) {
      case "nan":
        first.data[0] = Number.NaN;
        break;
      case "zeros":
        first.data.fill(0);
        break;
      case "wrong-shape":
        tensors[0] = { shape: [first.data.length], data: first.data };
        break;
      case "missing-output":
        return { type: "result", header: { ...message.header, outputs: [] }, tensors: [] };
      case "one-ulp": {
        const bits = new Uint32Array(first.data.buffer, first.data.byteOffset, first.data.length);
        bits[0] = bits[0]! ^ 1;
        break;
      }
    }
    return { type: "result", header: message.header, tensors };
  };
}

describe("a tampering server", () => {
  it.each<Tamper>(["nan", "zeros", "wrong-shape", "missing-output", "one-ulp"])("%s: the client answers bit-exactly from local execution and distrusts the server", async (mode) => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    const proxy = await tcpProxy(handle.port, { tamper: tamperResult(mode) });
    try {
      const events: ClientEvent[] = [];
      const client = newClient(proxy.port, {
        onEvent: (e) => events.push(e),
        ...(mode === "one-ulp" ? { audit: { fraction: 1 } } : {}),
      });
      await client.start();
      await client.whenUploaded();
      const input = randomInput(network, 21);
      const expected = (await runLocally(network, weights, input)).get(outKey)!;
      const result = await client.query(input);
      expect(sameBits(result.outputs.get(outKey)!, expected)).toBe(true);
      expect(result.fellBack).toBe(true);
      expect(client.status().distrusted).toBe(true);
      expect(events.some((e) => e.type === "distrusted")).toBe(true);
      expect(proxy.tampered()).toBeGreaterThan(0);
      // Later queries run locally (the server is no longer used), still exact.
      const again = await client.query(input);
      expect(again.serverLayers).toEqual([]);
      expect(sameBits(again.outputs.get(outKey)!, expected)).toBe(true);
      await client.close();
    } finally {
      await proxy.close();
      await handle.close();
    }
  });

  it("the CLI client behind a server sending wrong shapes or missing outputs exits 0 and every answer equals the local one", async () => {
    for (const mode of ["wrong-shape", "missing-output"] as const) {
      const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
      const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
      const proxy = await tcpProxy(handle.port, { tamper: tamperResult(mode) });
      try {
        const result = await cli("client", "--connect", `127.0.0.1:${proxy.port}`, TINY, "--queries", "3", "--interval-ms", "20", "--mbps", "5000", "--reconnect", "off", "--json");
        expect(result.code).toBe(0);
        const doc = JSON.parse(result.stdout);
        expect(doc.queries.every((q: { matchesLocal: boolean }) => q.matchesLocal)).toBe(true);
        expect(doc.distrusted).toBe(true);
        expect(result.stderr).toMatch(/distrusted/);
      } finally {
        await proxy.close();
        await handle.close();
      }
    }
  });
});

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.on("error", () => undefined);
  });
}

describe("admission", () => {
  it("500 stalled connections and 64 squatting sessions do not lock a legitimate CLI client out", async () => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), maxSessions: 64, minIdleBeforeEvictionMs: 200 });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0, admission: { maxConnections: 300, helloTimeoutMs: 60_000 } });
    const sockets: Socket[] = [];
    try {
      // 64 squatters: hello, then silence.
      const declaration = { name: "squat", layers: [{ name: "data", type: "Input" }] };
      const squatters = await Promise.all(Array.from({ length: 64 }, () => openSocket(handle.port)));
      for (const s of squatters) s.write(encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] }));
      sockets.push(...squatters);
      while (server.stats().sessions < 64) await sleep(10);
      // 500 silent connections (more than the cap of 300).
      for (let i = 0; i < 500; i++) sockets.push(await openSocket(handle.port));
      await sleep(300);
      expect(handle.connections()).toBeLessThanOrEqual(300);
      const result = await cli("client", "--connect", `127.0.0.1:${handle.port}`, TINY, "--queries", "3", "--interval-ms", "50", "--mbps", "5000", "--json");
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout);
      expect(doc.queries.every((q: { matchesLocal: boolean }) => q.matchesLocal)).toBe(true);
      // Served, not merely local: the session got a slot (a squatter was evicted) and layers ran on the server.
      expect(doc.queries.some((q: { serverLayers: string[] }) => q.serverLayers.length > 0)).toBe(true);
      expect(server.stats().evictedForRoom).toBeGreaterThanOrEqual(1);
    } finally {
      for (const s of sockets) s.destroy();
      await handle.close();
    }
  }, 60_000);

  it("the hello deadline reaps silent connections, and a token-protected server refuses a client without the token, which then runs locally with exit 0", async () => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), authToken: "s3cret-token" });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0, admission: { helloTimeoutMs: 200 } });
    try {
      const silent = await openSocket(handle.port);
      await sleep(50);
      expect(handle.connections()).toBe(1);
      await sleep(400);
      expect(handle.connections()).toBe(0);
      silent.destroy();
      const refused = await cli("client", "--connect", `127.0.0.1:${handle.port}`, TINY, "--queries", "2", "--interval-ms", "0", "--reconnect", "off", "--json");
      expect(refused.code).toBe(0);
      const doc = JSON.parse(refused.stdout);
      expect(doc.queries.every((q: { matchesLocal: boolean; serverLayers: string[] }) => q.matchesLocal && q.serverLayers.length === 0)).toBe(true);
      expect(refused.stderr).toMatch(/unauthorized|token/);
      // With the token (environment variable), the client is served.
      process.env["IONN_TOKEN"] = "s3cret-token";
      try {
        const served = await cli("client", "--connect", `127.0.0.1:${handle.port}`, TINY, "--queries", "3", "--interval-ms", "30", "--mbps", "5000", "--json");
        expect(served.code).toBe(0);
        expect(JSON.parse(served.stdout).queries.some((q: { serverLayers: string[] }) => q.serverLayers.length > 0)).toBe(true);
      } finally {
        delete process.env["IONN_TOKEN"];
      }
    } finally {
      await handle.close();
    }
  });
});

describe("memory", () => {
  it("a slow reader pipelining executes with large replies cannot hold more than its share; a legitimate client keeps its answers", async () => {
    const share = 16 * 2 ** 20;
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0, maxOutboundBytes: 2 ** 20, maxConnectionBytes: share });
    const socket = await openSocket(handle.port);
    try {
      // A legal layer whose reply is 4 MiB for a 4 KiB request.
      const tile: Layer = {
        index: 1, name: "tile", type: "Tile", bottoms: ["data"], tops: ["tile"], inputs: [{ layer: 0, top: 0 }],
        inputShapes: [[1, 1024]], outputShapes: [[1, 2 ** 20]], params: { axis: 1, tiles: 1024 }, paramShapes: [], parameters: 0, macs: 0,
      };
      const declaration = { name: "expand", layers: [{ name: "data", type: "Input" }, { name: "tile", type: "Tile" }] };
      const decoder = new FrameDecoder();
      const replies: Message[] = [];
      socket.on("data", (chunk: Buffer) => replies.push(...decoder.push(chunk)));
      socket.write(encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] }));
      while (replies.length < 1) await sleep(5);
      const hello = replies[0]!;
      if (hello.type !== "hello-ok") throw new Error(hello.type);
      const sessionId = hello.header.sessionId;
      socket.write(encodeFrameBuffer({ type: "upload", header: { requestId: 2, tensors: [], sessionId, partition: 0, piece: 0, last: true, layers: [layerToJson(tile)], blobs: [] }, tensors: [] }));
      while (replies.length < 2) await sleep(5);
      expect(replies[1]!.type).toBe("ack");
      // Now stop reading and pipeline 300 executes (1.2 GiB of replies if the server held them all).
      socket.pause();
      socket.removeAllListeners("data");
      const input = { shape: [1, 1024], data: new Float32Array(1024).fill(1) };
      const rssBefore = process.memoryUsage().rss;
      for (let i = 0; i < 300; i++) {
        socket.write(encodeFrameBuffer({ type: "execute", header: { requestId: 10 + i, tensors: [], sessionId, layers: [1], inputs: ["0:0"], outputs: ["1:0"] }, tensors: [input] }));
      }
      await sleep(1500);
      // The server stopped working for it: what it holds for that connection is within the share.
      expect(server.stats().memoryPeakBytes).toBeLessThanOrEqual(share + 8 * 2 ** 20);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 2 ** 20);
      // A legitimate client is served meanwhile.
      const client = newClient(handle.port);
      await client.start();
      await client.whenUploaded();
      const q = randomInput(network, 3);
      const result = await client.query(q);
      expect(result.fellBack).toBe(false);
      expect(sameBits(result.outputs.get(outKey)!, (await runLocally(network, weights, q)).get(outKey)!)).toBe(true);
      await client.close();
    } finally {
      socket.destroy();
      await handle.close();
    }
  }, 30_000);

  it("at the server's memory cap excess sessions are refused with memory-limit and their clients answer locally, bit-exact", async () => {
    let modelBytes = 0;
    for (const layer of network.layers) for (const blob of weights.get(layer.name) ?? []) modelBytes += blob.length * 4;
    const budget = Math.floor(2.5 * modelBytes); // room for two sessions' weights, not three
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), memory: budget, minIdleBeforeEvictionMs: 60_000 });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    try {
      const clients = Array.from({ length: 6 }, () => newClient(handle.port));
      await Promise.all(clients.map((c) => c.start()));
      await Promise.all(clients.map((c) => c.whenUploaded()));
      const complete = clients.filter((c) => c.status().complete).length;
      expect(complete).toBeGreaterThanOrEqual(1);
      expect(complete).toBeLessThanOrEqual(2);
      expect(server.stats().memoryPeakBytes).toBeLessThanOrEqual(budget);
      expect(server.stats().memoryRefusals).toBeGreaterThan(0);
      const input = randomInput(network, 8);
      const expected = (await runLocally(network, weights, input)).get(outKey)!;
      for (const c of clients) {
        const r = await c.query(input);
        expect(sameBits(r.outputs.get(outKey)!, expected)).toBe(true);
      }
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      await handle.close();
    }
  });
});

describe("eviction and header limits", () => {
  it("when new work needs room, the least recently used idle session's state is evicted (by bytes, oldest first)", async () => {
    let now = 0;
    const clock = { now: () => now };
    const bytesOf = (layers: number[]) => layers.reduce((a, i) => a + (weights.get(network.layers[i]!.name) ?? []).reduce((b, w) => b + w.length * 4, 0), 0);
    const model = bytesOf(network.layers.map((l) => l.index));
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), memory: Math.floor(2.5 * model), clock, minIdleBeforeEvictionMs: 1000 });
    const upload = async (t: ReturnType<typeof inMemoryTransport>) => {
      await t.open({ name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) });
      for (const [index, p] of plan.partitions.entries()) {
        const layers = p.layers.map((i) => network.layers[i]!);
        await t.upload({ index, layers, weights: new Map(layers.filter((l) => l.paramShapes.length > 0).map((l) => [l.name, weights.get(l.name)!])) });
      }
    };
    const oldest = inMemoryTransport(server);
    const older = inMemoryTransport(server);
    await upload(oldest);
    now = 100;
    await upload(older);
    now = 5000; // both idle for more than a second
    const newcomer = inMemoryTransport(server);
    await upload(newcomer); // needs room: the least recently used session goes, the other stays
    expect(server.stats().evictedForRoom).toBe(1);
    expect(server.stats().sessions).toBe(2);
    await expect(oldest.execute({ layers: [1], inputs: new Map([["0:0", randomInput(network, 1)]]), outputs: ["1:0"] })).rejects.toThrow();
    const out = await older.execute({ layers: [1], inputs: new Map([["0:0", randomInput(network, 1)]]), outputs: ["1:0"] });
    expect(out.get("1:0")!.shape).toEqual(network.layers[1]!.outputShapes[0]);
    expect(server.stats().memoryPeakBytes).toBeLessThanOrEqual(Math.floor(2.5 * model));
  });

  it("a header with more JSON values than maxHeaderItems is refused before it is parsed", () => {
    const layers = Array.from({ length: 120_000 }, (_, i) => ({ name: `l${i}`, type: "ReLU" }));
    const frame = encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: { name: "x", layers } }, tensors: [] }, { maxHeaderBytes: 2 ** 23, maxFrameBytes: 2 ** 24, maxTensorsPerFrame: 8, maxLayers: 1e6, maxHeaderItems: 1e9 });
    const started = performance.now();
    expect(() => decodeFrame(frame, { maxHeaderBytes: 2 ** 23, maxFrameBytes: 2 ** 24, maxTensorsPerFrame: 8, maxLayers: 1e6, maxHeaderItems: 200_000 })).toThrow(/JSON values/);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe("resume and reconnect", () => {
  it("after the path drops mid-upload, the client reconnects by itself, resumes its session and re-sends only the partitions the server lacks", async () => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    let proxy = await tcpProxy(handle.port);
    const port = proxy.port;
    const bytesOf = (p: number) => plan.partitions[p]!.layers.reduce((a, i) => a + (weights.get(network.layers[i]!.name) ?? []).reduce((b, w) => b + w.length * 4, 0), 0);
    let cut: Promise<void> | undefined;
    const connectedAt: number[] = [];
    const events: ClientEvent[] = [];
    const client = newClient(port, {
      reconnect: { transport: () => tcpTransport({ host: "127.0.0.1", port, timeoutMs: 5000, uploadChunkBytes: 256 }), initialDelayMs: 100 },
      onEvent: (e) => {
        events.push(e);
        if (e.type === "connected") connectedAt.push(client.status().weightBytesSent);
        if (e.type === "ack" && e.partition === 0 && cut === undefined) {
          // Cut the path right after the first ACK, then bring it back on the same port.
          cut = proxy.close().then(async () => {
            await sleep(50);
            proxy = await tcpProxy(handle.port, { port });
          });
        }
      },
      transport: tcpTransport({ host: "127.0.0.1", port, timeoutMs: 5000, uploadChunkBytes: 256 }),
    });
    try {
      await client.start();
      const deadline = Date.now() + 10_000;
      while (!client.status().complete && Date.now() < deadline) await sleep(20);
      expect(client.status().complete).toBe(true);
      expect(client.status().reconnects).toBeGreaterThanOrEqual(1);
      expect(server.stats().resumed).toBeGreaterThanOrEqual(1);
      const resumed = events.find((e) => e.type === "resumed");
      expect(resumed !== undefined && resumed.type === "resumed" && resumed.heldPartitions).toContain(0);
      // Bytes sent after the last reconnect: exactly the partitions the server did not hold.
      const held = new Set(resumed !== undefined && resumed.type === "resumed" ? resumed.heldPartitions : []);
      const lacking = [0, 1, 2].filter((p) => !held.has(p)).reduce((a, p) => a + bytesOf(p), 0);
      expect(client.status().weightBytesSent - connectedAt[connectedAt.length - 1]!).toBe(lacking);
      const input = randomInput(network, 4);
      const r = await client.query(input);
      expect(r.fellBack).toBe(false);
      expect(sameBits(r.outputs.get(outKey)!, (await runLocally(network, weights, input)).get(outKey)!)).toBe(true);
    } finally {
      await client.close();
      await cut;
      await proxy.close();
      await handle.close();
    }
  });

  it("the CLI client reconnects by itself to a server killed and restarted on the same port and re-sends only what the new server lacks", async () => {
    const tiny = importCaffePrototxt(await (await import("node:fs/promises")).readFile(TINY, "utf8"));
    const tinyWeights = randomWeights(tiny, 1);
    let modelBytes = 0;
    for (const layer of tiny.layers) for (const blob of tinyWeights.get(layer.name) ?? []) modelBytes += blob.length * 4;
    const first = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0, evictEveryMs: 0 });
    const port = first.port;
    let second: Awaited<ReturnType<typeof serveTcp>> | undefined;
    const restart = (async () => {
      await sleep(700);
      await first.close();
      await sleep(300);
      second = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port, evictEveryMs: 0 });
    })();
    try {
      const result = await cli("client", "--connect", `127.0.0.1:${port}`, TINY, "--queries", "16", "--interval-ms", "120", "--mbps", "5000", "--K", "0.5", "--json");
      await restart;
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout);
      expect(doc.reconnects).toBeGreaterThanOrEqual(1);
      expect(doc.queries.every((q: { matchesLocal: boolean }) => q.matchesLocal)).toBe(true);
      expect(doc.queries[doc.queries.length - 1].serverLayers.length).toBeGreaterThan(0);
      // The first server got the whole model; the new one held nothing, so everything was sent once more, nothing else.
      const planned = doc.partitions.reduce((a: number, p: { bytes: number }) => a + p.bytes, 0);
      expect(planned).toBeLessThanOrEqual(modelBytes);
      expect(doc.weightBytesSent).toBe(2 * planned);
      expect(second!.server.stats().acks).toBe(doc.partitions.length);
    } finally {
      await restart;
      await second?.close();
    }
  }, 30_000);
});

describe("client pacing and load-aware placement", () => {
  it("back-to-back queries let the upload progress (the client yields at each query start)", async () => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    try {
      const client = newClient(handle.port, { transport: tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 5000, uploadChunkBytes: 512 }) });
      await client.start();
      const input = randomInput(network, 2);
      let offloaded = 0;
      for (let q = 0; q < 20; q++) if ((await client.query(input)).serverLayers.length > 0) offloaded++;
      expect(offloaded).toBeGreaterThan(0);
      await client.close();
    } finally {
      await handle.close();
    }
  });

  it("a loaded server makes the placement keep more layers on the client", () => {
    const clientMs = network.layers.map((l) => (l.type === "Input" ? 0 : 10));
    const serverMs = network.layers.map((l) => (l.type === "Input" ? 0 : 1));
    const placement = loadAwarePlacement(network, { clientMs, serverMs, mbps: 1000 });
    const all = new Set(network.layers.map((l) => l.index).filter((i) => i > 0));
    const idle = placement(all, { queueMs: 0, utilization: 0 });
    const loaded = placement(all, { queueMs: 5000, utilization: 0.9 });
    const busy = placement(all, { queueMs: 40, utilization: 0.9 });
    expect(idle.size).toBe(all.size);
    expect(loaded.size).toBe(0);
    expect(busy.size).toBeLessThanOrEqual(idle.size);
    // Only uploaded layers are ever placed on the server.
    const some = new Set([1, 2, 3]);
    for (const i of placement(some, { queueMs: 0, utilization: 0 })) expect(some.has(i)).toBe(true);
  });
});
