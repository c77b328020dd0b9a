/**
 * Fuzzing an `ionn serve` process while a legitimate client keeps querying
 * (issue 12): at least 10^5 hostile frames in the categories of the server
 * tests (random bytes, valid frames with random byte edits, oversized length
 * prefixes, unknown types, truncated frames, client-bound types sent to the
 * server, another connection's session id, poisoned layer definitions,
 * headers with too many values), 16 connections at a time. Figures: frames
 * sent, server crashes (the process must stay up), the server's RSS before,
 * at peak and after, and the share of the legitimate client's answers that
 * equal local execution bit for bit (and how many ran on the server).
 *
 * Run: `npx tsc -p tsconfig.build.json && node --import tsx bench/hardening-fuzz.ts [frames=100000]`
 * Results: bench/README.md, "Hardening (issue 12)".
 */
import { connect } from "node:net";
import { mulberry32, randomWeights } from "../src/executor/random-weights.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { runLocally } from "../src/executor/run-locally.js";
import { tensorKey, type Layer } from "../src/model/types.js";
import { OffloadingClient } from "../src/runtime/client.js";
import { encodeFrameBuffer, layerToJson } from "../src/runtime/protocol.js";
import { tcpTransport } from "../src/runtime/tcp-transport.js";
import { randomInput, testNetworks } from "../src/runtime/test-fixtures.js";
import { MiB, startServer } from "./hardening-lib.js";

const target = Number(process.argv[2] ?? 100_000);
const network = testNetworks()[0]!;
const weights = randomWeights(network, 5);
const outKey = tensorKey(network.outputs[0]!);
const declaration = { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) };
const random = mulberry32(12);
const int = (n: number) => Math.floor(random() * n);

const server = await startServer(["--max-memory-mib", "1024", "--workers", "2", "--hello-timeout-ms", "2000"]);
const rssStart = server.rss();

// The legitimate client.
const client = new OffloadingClient({
  network, weights, local: referenceExecutor(),
  transport: tcpTransport({ host: "127.0.0.1", port: server.port, timeoutMs: 10_000 }),
  plan: { partitions: [{ layers: [1, 2, 3, 4] }, { layers: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] }] },
  reconnect: { transport: () => tcpTransport({ host: "127.0.0.1", port: server.port, timeoutMs: 10_000 }) },
});
await client.start();
await client.whenUploaded();
const sessionId = client.status().sessionId!;
const input = randomInput(network, 9);
const expected = (await runLocally(network, weights, input)).get(outKey)!;
let queries = 0;
let exact = 0;
let onServer = 0;
let fuzzing = true;
const queryLoop = (async () => {
  while (fuzzing) {
    const r = await client.query(input);
    queries++;
    const got = r.outputs.get(outKey)!.data;
    const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
    const b = new Uint32Array(expected.data.buffer, expected.data.byteOffset, expected.data.length);
    if (a.length === b.length && a.every((v, i) => v === b[i])) exact++;
    if (r.serverLayers.length > 0) onServer++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();

// Frame factories.
const hello = encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
const execute = encodeFrameBuffer({ type: "execute", header: { requestId: 2, tensors: [], sessionId, layers: [1], inputs: ["0:0"], outputs: ["1:0"] }, tensors: [input] });
const tile: Layer = {
  index: 1, name: "conv1", type: "Tile", bottoms: ["data"], tops: ["conv1"], inputs: [{ layer: 0, top: 0 }],
  inputShapes: [[1, 0]], outputShapes: [[1, 0]], params: { axis: 1, tiles: 2 ** 31 - 1 }, paramShapes: [], parameters: 0, macs: 0,
};
const prefix = (type: number, length: number, headerLength = 2) => {
  const frame = new Uint8Array(16);
  frame.set([0x49, 0x4f, 0x4e, 0x4e, 1, type], 0);
  new DataView(frame.buffer).setUint32(8, length, true);
  new DataView(frame.buffer).setUint32(12, headerLength, true);
  return frame;
};
const categories = {
  "random-bytes": () => Uint8Array.from({ length: 1 + int(200) }, () => int(256)),
  "mutated-valid": () => {
    const copy = (random() < 0.5 ? hello : execute).slice();
    for (let e = 0; e < 1 + int(4); e++) copy[int(copy.length)] = int(256);
    return copy;
  },
  oversized: () => prefix(1, 0xfffffff0),
  "unknown-type": () => prefix(42 + int(200), 64),
  truncated: () => hello.subarray(0, 1 + int(hello.length - 1)),
  "wrong-way": () => encodeFrameBuffer({ type: "ack", header: { requestId: 1, tensors: [], partition: 0, layers: [] }, tensors: [] }),
  thief: () => Buffer.concat([hello, execute]),
  "poisoned-layer": () => {
    // hello, then the Tile upload against the fresh session id is not known here: a wrong session id, and the Tile
    // layer under the legitimate session's id (refused as session-refused before it is even checked).
    return Buffer.concat([hello, encodeFrameBuffer({ type: "upload", header: { requestId: 3, tensors: [], sessionId, partition: 9, piece: 0, last: true, layers: [layerToJson(tile)], blobs: [] }, tensors: [] })]);
  },
  "many-values": () => {
    const text = JSON.stringify({ requestId: 1, tensors: [], network: { name: "x", layers: [{ name: "a", type: "Input" }] }, pad: new Array(300_000).fill(0) });
    const json = new TextEncoder().encode(text);
    const padded = (json.length + 3) & ~3;
    const frame = new Uint8Array(16 + padded).fill(0x20);
    frame.set(prefix(1, 16 + padded, json.length));
    frame.set(json, 16);
    return frame;
  },
} as const;
type Category = keyof typeof categories;
const names = Object.keys(categories) as Category[];
const sent: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));

function exchange(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: server.port }, () => {
      socket.write(bytes);
      socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const started = performance.now();
let frames = 0;
let rssPeakDuring = 0;
async function worker(): Promise<void> {
  while (frames < target && server.alive()) {
    const category = names[int(names.length)]!;
    // Several frames per connection for the cheap categories that do not close the connection at once.
    const batch = category === "wrong-way" || category === "many-values" || category === "oversized" ? 1 : 1 + int(8);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < batch; i++) parts.push(categories[category]());
    const frameCount = category === "thief" || category === "poisoned-layer" ? 2 * batch : batch;
    frames += frameCount;
    sent[category]! += frameCount;
    await exchange(Buffer.concat(parts));
    rssPeakDuring = Math.max(rssPeakDuring, server.rss());
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
const fuzzMs = performance.now() - started;
fuzzing = false;
await queryLoop;
await new Promise((resolve) => setTimeout(resolve, 1000));
const report = {
  framesSent: frames,
  byCategory: sent,
  fuzzSeconds: +(fuzzMs / 1000).toFixed(1),
  serverCrashes: server.alive() ? 0 : 1,
  serverRssMiB: { start: +(rssStart / MiB).toFixed(0), peak: +(Math.max(rssPeakDuring, server.peakRss()) / MiB).toFixed(0), end: +(server.rss() / MiB).toFixed(0) },
  legitimateQueries: queries,
  bitExactShare: queries === 0 ? null : exact / queries,
  queriesOnServer: onServer,
};
await client.close();
await server.stop();
console.log(JSON.stringify(report, null, 1));
