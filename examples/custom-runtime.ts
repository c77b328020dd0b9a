/**
 * A custom Executor and a custom Transport plugged into the real runtime
 * (docs/guide-runtime.md walks through it):
 *
 * - `countingExecutor(inner)` wraps any {@link Executor} and counts how often
 *   each layer ran and how long the runs took; the edge server gets one per
 *   session (its `executorFactory`), the client one for its local layers;
 * - `messagePortTransport(port)` is a {@link Transport} over a
 *   `MessageChannel` port (the medium between a page and a Worker, or two
 *   worker threads): requests and replies are structured-cloned (so tensors
 *   and weights really are copied across), several may be in flight, and it
 *   counts the bytes it moves. `servePort(port, server)` is its server end.
 *
 * The client uploads a small network partition by partition while its
 * queries run collaboratively; every answer equals a local run bit for bit,
 * and every layer of every query ran exactly once, on one side or the other.
 *
 *   npx tsx examples/custom-runtime.ts
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import {
  EdgeServer,
  OffloadingClient,
  TransportError,
  deviceProfile,
  importCaffePrototxt,
  inMemoryTransport,
  planNetwork,
  randomWeights,
  referenceExecutor,
  runLocally,
  tensorKey,
  type ExecuteRequest,
  type Executor,
  type NetworkDeclaration,
  type PartitionUpload,
  type SessionInfo,
  type Tensor,
  type Transport,
  type UploadAck,
} from "../src/index.js";

// ---------------------------------------------------------------------------
// A custom Executor: count and time the layers another executor runs.
// ---------------------------------------------------------------------------

/** An {@link Executor} that counts, per runtime layer index, the runs of the executor it wraps. */
export interface CountingExecutor extends Executor {
  /** Runs per runtime layer index. */
  readonly runs: Map<number, number>;
  /** Wall time spent in `run`, ms. */
  readonly runMs: () => number;
}

/** Wrap `inner`: loading and running are delegated, every `run` is counted and timed. */
export function countingExecutor(inner: Executor): CountingExecutor {
  const runs = new Map<number, number>();
  let runMs = 0;
  return {
    runs,
    runMs: () => runMs,
    load: (layers, weights) => inner.load(layers, weights),
    async run(layers, inputs, outputs) {
      const started = performance.now();
      try {
        return await inner.run(layers, inputs, outputs);
      } finally {
        runMs += performance.now() - started;
        for (const index of layers) runs.set(index, (runs.get(index) ?? 0) + 1);
      }
    },
    loadedLayers: () => inner.loadedLayers(),
  };
}

// ---------------------------------------------------------------------------
// A custom Transport: the runtime's four calls over a MessagePort.
// ---------------------------------------------------------------------------

/** What the client end asks; a request is one of these plus its id. */
type Body =
  | { readonly op: "open"; readonly network: NetworkDeclaration }
  | { readonly op: "upload"; readonly partition: PartitionUpload }
  | { readonly op: "execute"; readonly request: ExecuteRequest }
  | { readonly op: "close" };

type Request = Body & { readonly id: number };

type Reply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** Bytes of float32 data in weights or tensors (what dominates what crosses the port). */
function floatBytes(arrays: Iterable<Float32Array>): number {
  let bytes = 0;
  for (const array of arrays) bytes += array.byteLength;
  return bytes;
}

/** A {@link Transport} over `port`, with byte counters. */
export interface MessagePortTransport extends Transport {
  /** Float32 bytes sent (weights and boundary tensors) and received (result tensors). */
  readonly bytes: () => { readonly up: number; readonly down: number };
}

/**
 * The client end: each call posts one request and resolves with the reply of
 * the same id. After `close` (or when the port closes) every pending and later
 * call rejects with a {@link TransportError}.
 */
export function messagePortTransport(port: MessagePort): MessagePortTransport {
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;
  let up = 0;
  let down = 0;
  const failAll = (why: string) => {
    closed = true;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new TransportError(`message port: ${why}`));
    }
  };
  port.on("message", (reply: Reply) => {
    const entry = pending.get(reply.id);
    if (entry === undefined) return;
    pending.delete(reply.id);
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(new TransportError(`message port: ${reply.error}`));
  });
  port.on("close", () => failAll("the port closed"));
  function call<T>(request: Body): Promise<T> {
    if (closed) return Promise.reject(new TransportError("message port: transport closed"));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      port.postMessage({ ...request, id });
    });
  }
  return {
    bytes: () => ({ up, down }),
    open: (network) => call<SessionInfo>({ op: "open", network }),
    async upload(partition) {
      up += floatBytes([...partition.weights.values()].flat());
      return call<UploadAck>({ op: "upload", partition });
    },
    async execute(request) {
      up += floatBytes([...request.inputs.values()].map((t) => t.data));
      const outputs = await call<Map<string, Tensor>>({ op: "execute", request });
      down += floatBytes([...outputs.values()].map((t) => t.data));
      return outputs;
    },
    async close() {
      if (closed) return;
      try {
        await call<void>({ op: "close" });
      } catch {
        // closing never fails
      }
      failAll("transport closed");
      port.close();
    },
  };
}

/**
 * The server end: answers the requests arriving on `port` with `server`
 * (through an in-process transport to it), concurrently, each reply tagged
 * with its request's id. Returns a function that stops serving.
 */
export function servePort(port: MessagePort, server: EdgeServer): () => void {
  const session = inMemoryTransport(server);
  port.on("message", async (request: Request) => {
    let reply: Reply;
    try {
      const value =
        request.op === "open"
          ? await session.open(request.network)
          : request.op === "upload"
            ? await session.upload(request.partition)
            : request.op === "execute"
              ? await session.execute(request.request)
              : await session.close();
      reply = { id: request.id, ok: true, value };
    } catch (error) {
      reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  return () => {
    void session.close();
    port.close();
  };
}

// ---------------------------------------------------------------------------
// Both, in the real EdgeServer and OffloadingClient.
// ---------------------------------------------------------------------------

/** What {@link runCustomRuntime} observed. */
export interface CustomRuntimeResult {
  /** Per query: layers that ran on the server, and whether the output equals a local run bit for bit. */
  readonly queries: readonly { readonly serverLayers: readonly number[]; readonly equalsLocal: boolean; readonly latencyMs: number }[];
  /** Runtime layer indices of the network's computing layers (all but its inputs). */
  readonly layers: readonly number[];
  /** Runs per layer index on the client's executor and on the server's. */
  readonly clientRuns: ReadonlyMap<number, number>;
  /** Runs per layer index on the server's executor(s). */
  readonly serverRuns: ReadonlyMap<number, number>;
  /** Float32 bytes the transport sent and received. */
  readonly bytes: { readonly up: number; readonly down: number };
  /** Weight bytes of the whole network (what the upload must carry). */
  readonly weightBytes: number;
}

/** The network of the example: 64×64 RGB, two conv blocks, a classifier. */
export const NETWORK_PROTOTXT = `name: "small"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 64 dim: 64 } } }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 32 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2" convolution_param { num_output: 64 kernel_size: 3 pad: 1 } }
layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "fc" type: "InnerProduct" bottom: "pool2" top: "fc" inner_product_param { num_output: 10 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }`;

/** Run the example: `queries` queries, `intervalMs` apart, each line of progress to `log`. */
export async function runCustomRuntime(options: { queries?: number; intervalMs?: number; log?: (line: string) => void } = {}): Promise<CustomRuntimeResult> {
  const queries = options.queries ?? 6;
  const intervalMs = options.intervalMs ?? 20;
  const log = options.log ?? (() => {});
  const network = importCaffePrototxt(NETWORK_PROTOTXT, "small.prototxt");

  // The server: every session gets its own counting executor over the reference one.
  const serverExecutors: CountingExecutor[] = [];
  const server = new EdgeServer({
    executorFactory: () => {
      const executor = countingExecutor(referenceExecutor());
      serverExecutors.push(executor);
      return executor;
    },
  });
  const channel = new MessageChannel();
  const stopServing = servePort(channel.port2, server);
  const transport = messagePortTransport(channel.port1);

  // The plan: modelled phone and GPU server, a fast link, so offloading pays for this small network.
  const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
  const { plan } = planNetwork(network, costs, { mbps: 2000, K: 0.5, finalRound: true });
  const weights = randomWeights(network, 1);
  const local = countingExecutor(referenceExecutor());
  const client = new OffloadingClient({ network, weights, local, transport, plan });
  const results: { serverLayers: readonly number[]; equalsLocal: boolean; latencyMs: number }[] = [];
  try {
    await client.start();
    const input = { shape: [1, 3, 64, 64], data: Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i)) };
    const outputKey = tensorKey(network.outputs[0]!);
    const expected = (await runLocally(network, weights, input)).get(outputKey)!;
    for (let q = 0; q < queries; q++) {
      const result = await client.query(input);
      const output = result.outputs.get(outputKey)!;
      const equalsLocal = output.data.length === expected.data.length && output.data.every((v, i) => Object.is(v, expected.data[i]));
      results.push({ serverLayers: result.serverLayers, equalsLocal, latencyMs: result.latencyMs });
      log(`query ${q + 1}: ${result.serverLayers.length} layers on the server, ${result.latencyMs.toFixed(1)} ms, equals local: ${equalsLocal}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    await client.close();
    stopServing();
    server.close();
  }
  const serverRuns = new Map<number, number>();
  for (const executor of serverExecutors) for (const [index, n] of executor.runs) serverRuns.set(index, (serverRuns.get(index) ?? 0) + n);
  const layers = network.layers.filter((layer) => layer.type !== "Input").map((layer) => layer.index);
  const bytes = transport.bytes();
  let weightBytes = 0;
  for (const blobs of weights.values()) for (const blob of blobs) weightBytes += blob.byteLength;
  const names = (runs: ReadonlyMap<number, number>) => layers.map((i) => `${network.layers[i]!.name}×${runs.get(i) ?? 0}`).join(" ");
  log(`client executor ran: ${names(local.runs)} (${local.runMs().toFixed(1)} ms)`);
  log(`server executor ran: ${names(serverRuns)}`);
  log(`message port carried ${(bytes.up / 2 ** 20).toFixed(2)} MiB up (weights ${(weightBytes / 2 ** 20).toFixed(2)} MiB + boundary tensors), ${(bytes.down / 1024).toFixed(1)} KiB down`);
  return { queries: results, layers, clientRuns: local.runs, serverRuns, bytes, weightBytes };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCustomRuntime({ log: (line) => console.log(line) });
}
