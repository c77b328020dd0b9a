/**
 * Memory under many uploads (issue 12): 20 clients upload AlexNet (232.6 MiB
 * of weights each) at once to one `ionn serve` process. Baseline in the same
 * run: the same server with an effectively unlimited budget
 * (`--max-memory-mib 1000000`). Figures: the server's peak RSS (sampled every
 * 50 ms, and the kernel's VmHWM), how many sessions completed their upload,
 * how many were refused with `memory-limit`, and whether every client's
 * answer equals local execution bit for bit.
 *
 * Run: `npx tsc -p tsconfig.build.json && node --import tsx bench/hardening-memory.ts [clients=20] [mib=2048]`
 * (a few minutes on 2 cores). Results: bench/README.md, "Hardening (issue 12)".
 */
import { randomWeights } from "../src/executor/random-weights.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { runLocally } from "../src/executor/run-locally.js";
import { zooNetwork } from "../src/model/zoo/index.js";
import { tensorKey } from "../src/model/types.js";
import { OffloadingClient } from "../src/runtime/client.js";
import { RemoteError } from "../src/runtime/protocol.js";
import { tcpTransport } from "../src/runtime/tcp-transport.js";
import { GiB, MiB, startServer } from "./hardening-lib.js";

const clients = Number(process.argv[2] ?? 20);
const capMiB = Number(process.argv[3] ?? 2048);
const network = zooNetwork("alexnet");
const weights = randomWeights(network, 1);
const input = { shape: network.layers[0]!.outputShapes[0]!, data: Float32Array.from({ length: 3 * 227 * 227 }, (_, i) => Math.sin(i) * 0.5) };
const outKey = tensorKey(network.outputs[0]!);
// Three partitions (conv layers, fc6, fc7–fc8), so a session is refused part-way when the budget runs out.
const fc6 = network.layers.findIndex((l) => l.name === "fc6");
const fc7 = network.layers.findIndex((l) => l.name === "fc7");
const all = network.layers.map((l) => l.index).filter((i) => i > 0);
const plan = { partitions: [{ layers: all.filter((i) => i < fc6) }, { layers: all.filter((i) => i >= fc6 && i < fc7) }, { layers: all.filter((i) => i >= fc7) }] };

const local = referenceExecutor();
await local.load(network.layers, weights);
const t0 = performance.now();
const expected = (await runLocally(network, weights, input)).get(outKey)!;
const localMs = performance.now() - t0;
const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && new Uint32Array(a.buffer, a.byteOffset, a.length).every((v, i) => v === new Uint32Array(b.buffer, b.byteOffset, b.length)[i]);

async function run(mib: number): Promise<Record<string, unknown>> {
  const server = await startServer(["--max-memory-mib", String(mib), "--workers", "2"]);
  const refusals: string[] = [];
  const started = performance.now();
  const list = Array.from({ length: clients }, () =>
    new OffloadingClient({
      network, weights, local, localLoaded: true, plan,
      transport: tcpTransport({ host: "127.0.0.1", port: server.port, timeoutMs: 120_000 }),
      onEvent: (e) => {
        if (e.type === "server-failed") refusals.push(e.error instanceof RemoteError ? e.error.code : e.error.name);
      },
    }),
  );
  await Promise.all(list.map((c) => c.start().catch(() => undefined)));
  await Promise.all(list.map((c) => c.whenUploaded()));
  const uploadMs = performance.now() - started;
  const peakAfterUpload = server.peakRss();
  let exact = 0;
  let offloaded = 0;
  for (const c of list) {
    const r = await c.query(input);
    if (sameBits(r.outputs.get(outKey)!.data, expected.data)) exact++;
    if (r.serverLayers.length > 0) offloaded++;
  }
  const complete = list.filter((c) => c.status().complete).length;
  await Promise.all(list.map((c) => c.close()));
  const result = {
    maxMemoryMiB: mib,
    clients,
    uploadsComplete: complete,
    refused: refusals.length,
    refusalCodes: [...new Set(refusals)],
    offloadedQueries: offloaded,
    bitExactAnswers: exact,
    serverPeakRssGiB: +(Math.max(peakAfterUpload, server.peakRss()) / GiB).toFixed(3),
    serverVmHwmGiB: +(server.hwm() / GiB).toFixed(3),
    uploadWallS: +(uploadMs / 1000).toFixed(1),
    serverAlive: server.alive(),
  };
  await server.stop();
  return result;
}

console.log(JSON.stringify({ model: "alexnet", weightMiB: +(network.layers.reduce((a, l) => a + l.parameters * 4, 0) / MiB).toFixed(1), localQueryMs: Math.round(localMs) }));
console.log(JSON.stringify(await run(capMiB)));
console.log(JSON.stringify(await run(1_000_000)));
