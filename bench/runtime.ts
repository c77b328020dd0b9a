/**
 * Runtime benchmark (IONN §4, Figure 3 over real sockets): loopback TCP upload
 * throughput of a large partition, and the per-query protocol overhead of
 * collaborative execution against a direct local call, with baselines in the
 * same run (raw socket transfer of the same bytes; the executor called
 * directly). Client and server share this process and its event loop.
 *
 * Run: `npx tsx bench/runtime.ts` (about 30 s). Results: bench/README.md, "Runtime".
 */
import { once } from "node:events";
import { createServer, connect } from "node:net";
import { cpus } from "node:os";
import { randomWeights } from "../src/executor/random-weights.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { tensorKey, type Layer } from "../src/model/types.js";
import { OffloadingClient } from "../src/runtime/client.js";
import { inMemoryTransport } from "../src/runtime/memory-transport.js";
import { EdgeServer, serveTcp } from "../src/runtime/server.js";
import { tcpTransport } from "../src/runtime/tcp-transport.js";
import { randomInput, testNetworks } from "../src/runtime/test-fixtures.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MB = 1e6;

async function rawSocketMBps(bytes: number): Promise<number> {
  const sink = createServer((socket) => {
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) socket.end("k");
    });
  });
  sink.listen(0, "127.0.0.1");
  await once(sink, "listening");
  const port = (sink.address() as { port: number }).port;
  const payload = Buffer.alloc(4 * 2 ** 20, 7);
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  const start = performance.now();
  const done = once(socket, "data");
  for (let sent = 0; sent < bytes; sent += payload.length) {
    if (!socket.write(payload.subarray(0, Math.min(payload.length, bytes - sent)))) await once(socket, "drain");
  }
  await done;
  const ms = performance.now() - start;
  socket.destroy();
  sink.close();
  return bytes / MB / (ms / 1000);
}

async function uploadMBps(parameters: number, chunkBytes: number, repeats: number): Promise<number[]> {
  const inputs = parameters / 1024;
  const layer: Layer = {
    index: 1, name: "fc_big", type: "InnerProduct", bottoms: ["data"], tops: ["fc_big"], inputs: [{ layer: 0, top: 0 }],
    inputShapes: [[1, inputs]], outputShapes: [[1, 1024]], params: { numOutput: 1024, biasTerm: false, axis: 1 },
    paramShapes: [[1024, inputs]], parameters, macs: parameters,
  };
  const weights = new Map([["fc_big", [new Float32Array(parameters).fill(0.5)]]]);
  const declaration = { name: "big", layers: [{ name: "data", type: "Input" }, { name: "fc_big", type: "InnerProduct" }] };
  const server = new EdgeServer({ executorFactory: () => referenceExecutor(), maxSessionBytes: 2 ** 31 });
  const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const transport = tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 60_000, uploadChunkBytes: chunkBytes });
    await transport.open(declaration);
    const start = performance.now();
    await transport.upload({ index: 0, layers: [layer], weights });
    const ms = performance.now() - start;
    rates.push((parameters * 4) / MB / (ms / 1000));
    await transport.close();
  }
  await handle.close();
  return rates;
}

async function queryOverhead(): Promise<void> {
  const repeats = 200;
  console.log(`\n## Per-query protocol overhead (${repeats} queries each, median ms)`);
  console.log("| network | layers | boundary traffic per query | local run | in-memory (all on server) | TCP (all on server) | TCP overhead |");
  console.log("|---|---|---|---|---|---|---|");
  for (const network of testNetworks()) {
    const weights = randomWeights(network, 1);
    const input = randomInput(network, 2);
    const outKey = tensorKey(network.outputs[0]!);
    const all = network.layers.filter((l) => l.type !== "Input").map((l) => l.index);
    const plan = { partitions: [{ layers: all }] };
    const local = referenceExecutor();
    await local.load(network.layers, weights);
    const localMs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      await local.run(network.layers.map((l) => l.index), new Map([[tensorKey(network.inputs[0]!), input]]), [outKey]);
      localMs.push(performance.now() - t);
    }
    const measure = async (makeTransport: (server: EdgeServer) => Promise<{ transport: ReturnType<typeof tcpTransport>; stop(): Promise<void> }>) => {
      const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
      const { transport, stop } = await makeTransport(server);
      const client = new OffloadingClient({ network, weights, local: referenceExecutor(), transport, plan });
      await client.start();
      await client.whenUploaded();
      const ms: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const result = await client.query(input);
        if (result.serverLayers.length !== all.length) throw new Error("query did not run on the server");
        ms.push(result.latencyMs);
      }
      await client.close();
      await stop();
      return median(ms);
    };
    const memoryMs = await measure(async (server) => ({ transport: inMemoryTransport(server), stop: async () => undefined }));
    const tcpMs = await measure(async (server) => {
      const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
      return { transport: tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 10_000 }), stop: () => handle.close() };
    });
    const bytes = input.data.length * 4 + 10 * 4;
    console.log(
      `| ${network.name} | ${network.layers.length} | ${(bytes / 1024).toFixed(1)} KiB | ${median(localMs).toFixed(3)} | ${memoryMs.toFixed(3)} | ${tcpMs.toFixed(3)} | ${(tcpMs - median(localMs)).toFixed(3)} |`,
    );
  }
}

async function main(): Promise<void> {
  console.log(`# Runtime benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
  const parameters = 32 * 2 ** 20; // 128 MiB partition (one InnerProduct layer)
  console.log(`\n## Loopback upload of one ${(parameters * 4) / 2 ** 20} MiB partition (upload → ACK, median of 3, MB/s)`);
  console.log("| what | MB/s |");
  console.log("|---|---|");
  const raw = [await rawSocketMBps(parameters * 4), await rawSocketMBps(parameters * 4), await rawSocketMBps(parameters * 4)];
  console.log(`| baseline: raw node:net socket, same bytes, no protocol | ${median(raw).toFixed(0)} |`);
  for (const chunk of [2 ** 20, 4 * 2 ** 20, 16 * 2 ** 20]) {
    const rates = await uploadMBps(parameters, chunk, 3);
    console.log(`| tcpTransport.upload, ${chunk / 2 ** 20} MiB pieces (encode, send, decode, copy, load, ACK) | ${median(rates).toFixed(0)} |`);
  }
  await queryOverhead();
}

await main();
