/**
 * `ionn serve` (a real edge server over TCP) and `ionn client` (a client that
 * plans, uploads in the background and keeps querying collaboratively; IONN
 * §4, Figure 3), both running real float32 tensors through the reference
 * executor.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { mulberry32, randomWeights, referenceExecutor, runLocally } from "../executor/index.js";
import { shapeSize, tensorKey } from "../model/types.js";
import { planNetwork, runtimePartitions } from "../plan/plan-network.js";
import { runInstallPhase } from "../regression/index.js";
import { EdgeServer, OffloadingClient, serveTcp, tcpTransport } from "../runtime/index.js";
import type { Tensor } from "../runtime/types.js";
import { resolveCosts } from "./costs.js";
import { MODEL_OPTIONS, type Command, kOption, loadModel, mbpsOption, printJson } from "./command.js";
import { fixed, layerRange, mib, plural, table } from "./format.js";
import { numberOption } from "./options.js";
import { parseHandoff, storeOption, handoffDocument } from "./handoff-options.js";

function portOption(values: Record<string, unknown>, fallback: number): number {
  return numberOption(values, "port", fallback, (v) => Number.isInteger(v) && v >= 0 && v <= 65535, "a TCP port (0–65535)");
}

/** `ionn serve --port P [--host 127.0.0.1]`: runs until interrupted. */
export const serveCommand: Command = {
  summary: "run an edge server over TCP that builds models incrementally as partitions arrive",
  usage: "--port P [--host 127.0.0.1] [--max-session-mib 1024] [--store memory|redis://HOST:PORT[,HOST:PORT…]] [--json]",
  options: { port: { type: "string" }, host: { type: "string" }, "max-session-mib": { type: "string" }, store: { type: "string" } },
  help: {
    store: "where verified layer records are shared: memory (this process only, default) or redis://HOST:PORT[,HOST:PORT…] (a Redis server; several nodes = Redis Cluster; needs the optional package ioredis)",
  },
  async run(context) {
    if (context.values["port"] === undefined) throw new InvalidArgumentError(`missing --port; usage: ionn serve ${this.usage}`);
    const port = portOption(context.values, 0);
    const host = typeof context.values["host"] === "string" ? (context.values["host"] as string) : "127.0.0.1";
    const maxMiB = numberOption(context.values, "max-session-mib", 1024, (v) => v > 0, "a size in MiB greater than 0");
    // The server's install phase: prediction functions shipped to clients on connect (§4).
    const predictionFunctions = runInstallPhase({ seed: 1 }).functions;
    const store = storeOption(context.values);
    const server = new EdgeServer({ executorFactory: () => referenceExecutor(), predictionFunctions, maxSessionBytes: maxMiB * 2 ** 20, ...(store ? { store } : {}) });
    const handle = await serveTcp({ server, port, host });
    if (context.json) printJson(context, { host: handle.host, port: handle.port });
    else context.stdout(`ionn edge server listening on ${handle.host}:${handle.port} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void handle.close().then(async () => {
          const stats = server.stats();
          context.stderr(`ionn serve: ${stats.acks} partitions ACKed, ${stats.weightBytesReceived ?? 0} weight bytes received, ${stats.weightBytesReused ?? 0} reused (${JSON.stringify(stats.content)})\n`);
          await store?.close();
          resolve();
        });
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  },
};

function parseConnect(value: unknown): { host: string; port: number } {
  const match = typeof value === "string" ? /^(.+):(\d+)$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port <= 65535)) {
    throw new InvalidArgumentError(`--connect must be HOST:PORT, got ${value === undefined ? "nothing" : `"${String(value)}"`}`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port };
}

function sameBits(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (a === undefined || b === undefined || a.data.length !== b.data.length) return false;
  const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const y = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** `ionn client --connect HOST:PORT <model>`. */
export const clientCommand: Command = {
  summary: "upload a model to an edge server incrementally while running queries collaboratively",
  usage: "--connect HOST:PORT <model> [--handoff HOST:PORT@MS] [--final-round] [--K 0.5] [--mbps 80] [--queries 10] [--interval-ms 500] [--seed 1] [--timeout-ms 120000] [--json]",
  options: {
    ...MODEL_OPTIONS,
    connect: { type: "string" },
    K: { type: "string" },
    mbps: { type: "string" },
    queries: { type: "string" },
    "interval-ms": { type: "string" },
    seed: { type: "string" },
    "timeout-ms": { type: "string" },
    "client-profile": { type: "string" },
    "server-profile": { type: "string" },
    preset: { type: "string" },
    handoff: { type: "string" },
    "final-round": { type: "boolean" },
  },
  help: {
    "final-round": "plan with a last round at upload factor 0, so the whole best collaborative path is uploaded (for AlexNet: every layer; default off)",
    handoff:
      "HOST:PORT@MS: at MS ms after the start, hand the client off to that server (queries go on meanwhile; it uploads only what the new server lacks); @upload instead of @MS: when the upload to the first server completes. The client keeps querying until one query has run after the switch",
  },
  async run(context) {
    const { host, port } = parseConnect(context.values["connect"]);
    const handoff = parseHandoff(context.values["handoff"]);
    const K = kOption(context.values);
    const mbps = mbpsOption(context.values);
    const queries = numberOption(context.values, "queries", 10, (v) => Number.isInteger(v) && v >= 1, "a whole number ≥ 1");
    const intervalMs = numberOption(context.values, "interval-ms", 500, (v) => v >= 0, "a number of milliseconds ≥ 0");
    const seed = numberOption(context.values, "seed", 1, Number.isInteger, "an integer");
    const timeoutMs = numberOption(context.values, "timeout-ms", 120_000, (v) => v > 0, "a number of milliseconds > 0");
    const network = await loadModel(context, `ionn client ${this.usage}`);
    const preset = context.values["preset"] === "ionn-reference" ? "ionn-reference" : "paper";
    const clientProfile = context.values["client-profile"] as string | undefined;
    const serverProfile = context.values["server-profile"] as string | undefined;
    const costs = await resolveCosts(network, { ...(clientProfile ? { clientProfile } : {}), ...(serverProfile ? { serverProfile } : {}) });
    for (const warning of costs.warnings) context.stderr(`warning: ${warning}\n`);
    const planned = planNetwork(network, costs, { preset, mbps, K, ...(context.values["final-round"] === true ? { finalRound: true } : {}) });
    const { plan } = planned;
    const partitions = runtimePartitions(network, planned);
    const names = (layers: readonly number[]) => layers.map((i) => network.layers[i]!.name);

    const weights = randomWeights(network, seed);
    if (network.inputs.length !== 1) throw new InvalidArgumentError(`ionn client: ${network.name} has ${network.inputs.length} inputs; only single-input networks are supported here`);
    const inputShape = network.layers[network.inputs[0]!.layer]!.outputShapes[network.inputs[0]!.top]!;
    const random = mulberry32(seed + 1);
    const input: Tensor = { shape: inputShape, data: Float32Array.from({ length: shapeSize(inputShape) }, () => random() * 2 - 1) };
    const reference = await runLocally(network, weights, input);
    const outputKeys = network.outputs.map(tensorKey);

    const start = performance.now();
    const clock = { now: () => performance.now() - start };
    const local = referenceExecutor();
    await local.load(network.layers, weights);
    const client = new OffloadingClient({
      network,
      weights,
      local,
      localLoaded: true,
      transport: tcpTransport({ host, port, timeoutMs: Math.min(timeoutMs, 30_000) }),
      plan: { partitions: partitions.map((layers) => ({ layers })) },
      clock,
    });
    await client.start();
    const servers = [`${host}:${port}`];
    const moving = handoff === undefined ? undefined : handoffDocument(client, handoff, clock, Math.min(timeoutMs, 30_000), servers);
    const results: { raisedAtMs: number; latencyMs: number; serverLayers: string[]; matchesLocal: boolean; server: string | null }[] = [];
    for (let q = 0; q < queries || (moving !== undefined && !moving.queriedAfter(results) && clock.now() < timeoutMs); q++) {
      if (q > 0 && intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      await moving?.ready(q >= queries);
      const result = await client.query(input);
      results.push({
        raisedAtMs: result.raisedAtMs,
        latencyMs: result.latencyMs,
        serverLayers: names(result.serverLayers),
        matchesLocal: outputKeys.every((key) => sameBits(result.outputs.get(key), reference.get(key))),
        server: result.serverLayers.length > 0 ? (servers[result.connection] ?? null) : null,
      });
      if (!context.json) {
        const r = results[results.length - 1]!;
        context.stderr(`query ${q + 1}: ${fixed(r.latencyMs, 1)} ms, ${r.serverLayers.length} layers on the server, matches local: ${r.matchesLocal}\n`);
      }
    }
    let uploadCompleteMs: number | null = null;
    await Promise.race([client.whenUploaded(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    await moving?.done();
    await Promise.race([client.whenUploaded(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    uploadCompleteMs = client.status().completedAtMs ?? null;
    await client.close();
    const document = {
      model: network.name,
      server: `${host}:${port}`,
      K,
      mbps,
      partitions: plan.partitions.map((p, i) => ({ layers: names(partitions[i]!), bytes: p.bytes, expectedQueryMs: p.expectedQueryMs })),
      uploadCompleteMs,
      weightBytesSent: client.stats().weightBytesSent,
      handoffs: moving?.entries() ?? [],
      queries: results,
    };
    if (context.json) return printJson(context, document);
    context.stdout(
      `${network.name}: ${plural(plan.partitions.length, "partition")} uploaded to ${host}:${port}; upload complete at ${uploadCompleteMs === null ? "—" : `${fixed(uploadCompleteMs, 0)} ms`}\n\n`,
    );
    context.stdout(
      `${table(
        [{ header: "#", align: "right" }, { header: "partition layers" }, { header: "bytes", align: "right" }],
        document.partitions.map((p, i) => [String(i + 1), layerRange(p.layers), mib(p.bytes)]),
      )}\n\n`,
    );
    context.stdout(
      `${table(
        [{ header: "query", align: "right" }, { header: "raised ms", align: "right" }, { header: "latency ms", align: "right" }, { header: "server layers", align: "right" }, { header: "= local" }],
        results.map((r, i) => [String(i + 1), fixed(r.raisedAtMs, 0), fixed(r.latencyMs, 1), String(r.serverLayers.length), r.matchesLocal ? "yes" : "NO"]),
      )}\n`,
    );
  },
};
