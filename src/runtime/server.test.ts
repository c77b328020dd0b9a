/**
 * The edge server under misuse and attack (IONN §4 server side): requests
 * outside the session's network or upload state get an error and the server
 * keeps serving; per-session memory limit; idle eviction on an injected
 * clock; a connection cannot use another connection's session; hostile TCP
 * input (fuzzed, truncated, oversized, unknown types) closes only the
 * offending connection, the server never crashes and its memory stays bounded.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { TransportError } from "../errors.js";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey, type Layer, type Network } from "../model/types.js";
import { OffloadingClient } from "./client.js";
import { inMemoryTransport } from "./memory-transport.js";
import { FrameDecoder, MESSAGE_CODES, RemoteError, encodeFrameBuffer, layerToJson as layerJson, type Message } from "./protocol.js";
import { EdgeServer, serveTcp, type TcpServerHandle } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { randomInput, sameBits, testNetworks } from "./test-fixtures.js";

const network: Network = testNetworks()[0]!; // AlexNet-shaped chain
const weights = randomWeights(network, 3);
const declaration = { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) };
const layer = (i: number): Layer => network.layers[i]!;
const weightsOf = (...indices: number[]) => new Map(indices.filter((i) => layer(i).paramShapes.length > 0).map((i) => [layer(i).name, weights.get(layer(i).name)!]));

function newServer(options: Partial<ConstructorParameters<typeof EdgeServer>[0]> = {}): EdgeServer {
  return new EdgeServer({ executorFactory: () => referenceExecutor(), ...options });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RemoteError);
  expect((error as RemoteError).code).toBe(code);
}

describe("EdgeServer requests outside the session", () => {
  it("refuses a partition for layers not declared in the session's network, then keeps serving", async () => {
    const server = newServer();
    const t = inMemoryTransport(server);
    await t.open(declaration);
    const foreign: Layer = { ...layer(1), name: "not-in-this-network" };
    await rejectsWith(t.upload({ index: 0, layers: [foreign], weights: new Map([["not-in-this-network", weights.get(layer(1).name)!]]) }), "unknown-layer");
    const outOfRange: Layer = { ...layer(1), index: 999 };
    await rejectsWith(t.upload({ index: 0, layers: [outOfRange], weights: weightsOf(1) }), "unknown-layer");
    const retyped: Layer = { ...layer(2), type: "Sigmoid" };
    await rejectsWith(t.upload({ index: 0, layers: [retyped], weights: new Map() }), "unknown-layer");
    expect(server.stats().bytes).toBe(0);
    // The same connection still works.
    expect(await t.upload({ index: 0, layers: [layer(1), layer(2)], weights: weightsOf(1, 2) })).toEqual({ index: 0, layers: [1, 2] });
    await rejectsWith(t.upload({ index: 1, layers: [layer(1)], weights: weightsOf(1) }), "bad-request"); // uploaded twice
  });

  it("refuses to execute layers that were not uploaded, and inputs of the wrong shape", async () => {
    const server = newServer();
    const t = inMemoryTransport(server);
    await t.open(declaration);
    await t.upload({ index: 0, layers: [layer(1), layer(2)], weights: weightsOf(1, 2) });
    const input = randomInput(network, 1);
    await rejectsWith(t.execute({ layers: [1, 2, 3], inputs: new Map([["0:0", input]]), outputs: ["3:0"] }), "not-uploaded");
    await rejectsWith(t.execute({ layers: [1], inputs: new Map([["0:0", { shape: [1, 3, 2, 2], data: new Float32Array(12) }]]), outputs: ["1:0"] }), "bad-request");
    await rejectsWith(t.execute({ layers: [1], inputs: new Map(), outputs: ["1:0"] }), "bad-request");
    await rejectsWith(t.execute({ layers: [1], inputs: new Map([["0:0", input]]), outputs: ["5:0"] }), "bad-request");
    const out = await t.execute({ layers: [1, 2], inputs: new Map([["0:0", input]]), outputs: ["2:0"] });
    expect(out.get("2:0")!.shape).toEqual(layer(2).outputShapes[0]);
  });

  it("enforces the per-session weight memory limit and releases the bytes of refused uploads", async () => {
    const conv1Bytes = layer(1).parameters * 4;
    const server = newServer({ maxSessionBytes: conv1Bytes + 100 });
    const t = inMemoryTransport(server, { uploadChunkBytes: 64 });
    await t.open(declaration);
    await t.upload({ index: 0, layers: [layer(1)], weights: weightsOf(1) });
    expect(server.stats().bytes).toBe(conv1Bytes);
    await rejectsWith(t.upload({ index: 1, layers: [layer(5)], weights: weightsOf(5) }), "memory-limit");
    expect(server.stats().bytes).toBe(conv1Bytes);
  });

  it("evicts idle sessions by the injected clock", async () => {
    let now = 0;
    const server = newServer({ idleTimeoutMs: 1000, clock: { now: () => now } });
    const idle = inMemoryTransport(server);
    const busy = inMemoryTransport(server);
    await idle.open(declaration);
    await busy.open(declaration);
    now = 900;
    await busy.upload({ index: 0, layers: [layer(2)], weights: new Map() });
    now = 1500;
    expect(server.evictIdle()).toBe(1);
    expect(server.stats().sessions).toBe(1);
    await expect(idle.upload({ index: 0, layers: [layer(2)], weights: new Map() })).rejects.toBeInstanceOf(TransportError);
    await busy.upload({ index: 1, layers: [layer(4)], weights: new Map() });
    expect(server.stats().evicted).toBe(1);
  });

  it("refuses a connection that presents another connection's session id, and keeps the owner's session intact", async () => {
    const server = newServer();
    const owner = server.connect();
    const hello = (await owner.handle({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] }))!;
    if (hello.type !== "hello-ok") throw new Error(hello.type);
    const stolen = hello.header.sessionId;
    // A connection with no session of its own.
    const thief = server.connect();
    const reply = await thief.handle({ type: "execute", header: { requestId: 2, tensors: [], sessionId: stolen, layers: [1], inputs: [], outputs: ["1:0"] }, tensors: [] });
    expect(reply?.type === "error" && reply.header.code).toBe("session-refused");
    expect(thief.closed).toBe(true);
    // A connection with its own session.
    const other = server.connect();
    await other.handle({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
    const reply2 = await other.handle({ type: "bye", header: { tensors: [], sessionId: stolen }, tensors: [] });
    expect(reply2?.type === "error" && reply2.header.code).toBe("session-refused");
    expect(other.closed).toBe(true);
    // Guessing a random id gets nothing.
    const guesser = server.connect();
    const reply3 = await guesser.handle({ type: "execute", header: { requestId: 2, tensors: [], sessionId: "ab".repeat(16), layers: [1], inputs: [], outputs: ["1:0"] }, tensors: [] });
    expect(reply3?.type === "error" && reply3.header.code).toBe("no-session");
    expect(server.stats().sessions).toBe(1);
    const ok = await owner.handle({ type: "execute", header: { requestId: 3, tensors: [], sessionId: stolen, layers: [1], inputs: [], outputs: ["1:0"] }, tensors: [] });
    expect(ok?.type === "error" && ok.header.code).toBe("not-uploaded"); // the owner still has its (empty) session
  });
});

/** Send bytes on a fresh socket; collect the frames the server sends until it closes the socket. */
function rawExchange(port: number, bytes: Uint8Array, end = true): Promise<{ messages: Message[]; protocolError: boolean }> {
  return new Promise((resolve) => {
    const decoder = new FrameDecoder();
    const messages: Message[] = [];
    let protocolError = false;
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.write(bytes);
      if (end) socket.end();
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        messages.push(...decoder.push(chunk));
      } catch {
        protocolError = true;
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve({ messages, protocolError }));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}

/** An interactive raw connection: send messages, await the server's frames one by one. */
async function interactive(port: number): Promise<{ send(m: Message): void; next(): Promise<Message>; close(): void }> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  const decoder = new FrameDecoder();
  const queue: Message[] = [];
  const waiters: ((m: Message) => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    for (const m of decoder.push(chunk)) {
      const waiter = waiters.shift();
      if (waiter) waiter(m);
      else queue.push(m);
    }
  });
  socket.on("error", () => undefined);
  return {
    send: (m) => socket.write(encodeFrameBuffer(m)),
    next: () => new Promise<Message>((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(resolve))),
    close: () => socket.end(),
  };
}

function prefix(type: number, length: number, headerLength = 2): Uint8Array {
  const frame = new Uint8Array(16);
  frame.set([0x49, 0x4f, 0x4e, 0x4e, 1, type], 0);
  new DataView(frame.buffer).setUint32(8, length, true);
  new DataView(frame.buffer).setUint32(12, headerLength, true);
  return frame;
}

describe("EdgeServer over TCP under hostile input", () => {
  let handle: TcpServerHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  it("answers or closes each hostile connection, never crashes, keeps serving a real client, and stays within bounded memory", async () => {
    const server = newServer({ maxSessionBytes: 2 ** 22 });
    handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    const { port } = handle;
    const input = randomInput(network, 8);
    const outKey = tensorKey(network.outputs[0]!);
    const expected = (await runLocally(network, weights, input)).get(outKey)!;
    const client = new OffloadingClient({
      network, weights, local: referenceExecutor(),
      transport: tcpTransport({ host: "127.0.0.1", port, timeoutMs: 5000 }),
      plan: { partitions: [{ layers: [1, 2, 3, 4] }, { layers: [5, 6, 7] }] },
    });
    await client.start();
    await client.whenUploaded();
    const sessionId = client.status().sessionId!;
    const before = process.memoryUsage().heapUsed;

    // Oversized length prefix: an error frame, then the server closes the connection.
    const oversized = await rawExchange(port, prefix(MESSAGE_CODES.hello, 0xfffffff0), false);
    expect(oversized.messages.map((m) => m.type === "error" && m.header.code)).toEqual(["protocol"]);
    // Unknown message type.
    const unknown = await rawExchange(port, prefix(42, 64), false);
    expect(unknown.messages.map((m) => m.type === "error" && m.header.code)).toEqual(["protocol"]);
    // Truncated frame, then the peer goes away: nothing to answer, the socket is cleaned up.
    const valid = encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
    const truncated = await rawExchange(port, valid.subarray(0, valid.length - 5));
    expect(truncated.messages).toEqual([]);
    // A client-bound message type sent to the server.
    const wrongWay = await rawExchange(port, encodeFrameBuffer({ type: "ack", header: { requestId: 1, tensors: [], partition: 0, layers: [] }, tensors: [] }), false);
    expect(wrongWay.messages.map((m) => m.type === "error" && m.header.code)).toEqual(["bad-request"]);
    // A second client that opens its own session, then presents the real client's session id.
    const thief = await rawExchange(
      port,
      Buffer.concat([
        valid,
        encodeFrameBuffer({ type: "execute", header: { requestId: 2, tensors: [], sessionId, layers: [1], inputs: ["0:0"], outputs: ["1:0"] }, tensors: [input] }),
      ]),
      false,
    );
    expect(thief.messages.map((m) => m.type)).toEqual(["hello-ok", "error"]);
    expect(thief.messages[1]!.type === "error" && thief.messages[1]!.header.code).toBe("session-refused");
    // A partition for layers that are not in the session's network, on a connection of its own:
    // an error, and that connection keeps working.
    const own = await interactive(port);
    own.send({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
    const ownHello = await own.next();
    if (ownHello.type !== "hello-ok") throw new Error(ownHello.type);
    const ownId = ownHello.header.sessionId;
    expect(ownId).not.toBe(sessionId);
    const evilLayer = { ...layer(1), name: "evil" };
    own.send({
      type: "upload",
      header: { requestId: 2, tensors: [], sessionId: ownId, partition: 0, piece: 0, last: true, layers: [layerJson(evilLayer)], blobs: [] },
      tensors: [],
    });
    const refusal = await own.next();
    expect(refusal.type === "error" && refusal.header.code).toBe("unknown-layer");
    own.send({
      type: "upload",
      header: { requestId: 3, tensors: [], sessionId: ownId, partition: 0, piece: 0, last: true, layers: [layerJson(layer(2))], blobs: [] },
      tensors: [],
    });
    const ack = await own.next();
    expect(ack.type === "ack" && ack.header.layers).toEqual([2]);
    own.close();

    // Fuzz burst: random bytes and mutated valid frames.
    const frames = [valid, encodeFrameBuffer({ type: "execute", header: { requestId: 2, tensors: [], sessionId, layers: [1], inputs: ["0:0"], outputs: ["1:0"] }, tensors: [input] })];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          fc.tuple(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([frame, edits]) => {
            const copy = frame.slice();
            for (const [i, b] of edits) copy[i % copy.length] = b;
            return copy;
          }),
        ),
        async (bytes) => {
          const { protocolError } = await rawExchange(port, bytes);
          expect(protocolError).toBe(false); // the server's own frames are always well-formed
        },
      ),
      { numRuns: 150 },
    );

    // The real client is unaffected.
    const result = await client.query(input);
    expect(result.fellBack).toBe(false);
    expect(result.serverLayers).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sameBits(result.outputs.get(outKey)!, expected)).toBe(true);
    // Hostile sessions are gone with their connections; memory stays bounded.
    while (handle.connections() > 1) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats().sessions).toBe(1);
    const growth = process.memoryUsage().heapUsed - before;
    expect(growth).toBeLessThan(64 * 2 ** 20);
    await client.close();
  });
});
