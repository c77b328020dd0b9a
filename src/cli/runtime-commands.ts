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
import { readToken } from "../runtime/admission.js";
import { loadAwarePlacement } from "../runtime/load-aware.js";
import { DEFAULT_MEMORY_FRACTION, MemoryBudget, defaultMemoryBudgetBytes } from "../runtime/memory-budget.js";
import type { Transport } from "../runtime/types.js";
import type { Tensor } from "../runtime/types.js";
import { resolveCosts } from "./costs.js";
import { MODEL_OPTIONS, type Command, kOption, loadModel, mbpsOption, printJson } from "./command.js";
import { fixed, layerRange, mib, plural, table } from "./format.js";
import { numberOption } from "./options.js";

function portOption(values: Record<string, unknown>, fallback: number): number {
  return numberOption(values, "port", fallback, (v) => Number.isInteger(v) && v >= 0 && v <= 65535, "a TCP port (0–65535)");
}

/** `ionn serve --port P [--host 127.0.0.1]`: runs until interrupted. */
export const serveCommand: Command = {
  summary: "run an edge server over TCP that builds models incrementally as partitions arrive",
  usage:
    "--port P [--host 127.0.0.1] [--max-session-mib 1024] [--max-memory-mib M] [--workers N] [--time-budget-ms 30000] [--scheduler fair|fifo] " +
    "[--max-connections 512] [--max-connections-per-address 256] [--hello-timeout-ms 5000] [--token-file F] [--json]",
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "max-session-mib": { type: "string" },
    "max-memory-mib": { type: "string" },
    workers: { type: "string" },
    "time-budget-ms": { type: "string" },
    scheduler: { type: "string" },
    "max-connections": { type: "string" },
    "max-connections-per-address": { type: "string" },
    "hello-timeout-ms": { type: "string" },
    "token-file": { type: "string" },
  },
  help: {
    port: "TCP port to listen on (0: any free port, printed at start)",
    host: "interface to bind (default 127.0.0.1)",
    "max-session-mib": "most memory one session may hold, MiB (default 1024)",
    "max-memory-mib": `memory budget of the whole server, MiB: weights, frames, tensors, outbound replies (default ${DEFAULT_MEMORY_FRACTION * 100} % of this machine's memory)`,
    workers: "worker threads executing requests (default: the machine's cores; 0: run on the event loop, no time budget)",
    "time-budget-ms": "a request still running after this many ms is cancelled and its worker replaced (default 30000)",
    scheduler: "order of requests across sessions: fair (deficit round robin by estimated work, default) or fifo",
    "max-connections": "most open connections; the oldest one without a session is closed to admit a new one (default 512)",
    "max-connections-per-address": "most open connections from one address (default 256)",
    "hello-timeout-ms": "a connection that has not sent hello after this many ms is closed (default 5000)",
    "token-file": "require clients to present the token in this file's first line (default: env IONN_TOKEN if set, else no authentication)",
  },
  async run(context) {
    if (context.values["port"] === undefined) throw new InvalidArgumentError(`missing --port; usage: ionn serve ${this.usage}`);
    const port = portOption(context.values, 0);
    const host = typeof context.values["host"] === "string" ? (context.values["host"] as string) : "127.0.0.1";
    const maxMiB = numberOption(context.values, "max-session-mib", 1024, (v) => v > 0, "a size in MiB greater than 0");
    const memoryMiB = numberOption(context.values, "max-memory-mib", defaultMemoryBudgetBytes() / 2 ** 20, (v) => v > 0, "a size in MiB greater than 0");
    const { availableParallelism } = await import("node:os");
    const workers = numberOption(context.values, "workers", availableParallelism(), (v) => Number.isInteger(v) && v >= 0, "a whole number ≥ 0");
    const timeBudgetMs = numberOption(context.values, "time-budget-ms", 30_000, (v) => v > 0, "a number of milliseconds > 0");
    const scheduler = context.values["scheduler"] ?? "fair";
    if (scheduler !== "fair" && scheduler !== "fifo") throw new InvalidArgumentError(`--scheduler must be fair or fifo, got "${String(scheduler)}"`);
    const whole = (v: number) => Number.isInteger(v) && v >= 1;
    const maxConnections = numberOption(context.values, "max-connections", 512, whole, "a whole number ≥ 1");
    const maxConnectionsPerAddress = numberOption(context.values, "max-connections-per-address", 256, whole, "a whole number ≥ 1");
    const helloTimeoutMs = numberOption(context.values, "hello-timeout-ms", 5000, (v) => v > 0, "a number of milliseconds > 0");
    const authToken = await readToken(context.values["token-file"] as string | undefined);
    if (authToken === undefined && !/^(127\.|::1$|localhost$)/.test(host)) {
      context.stderr(`warning: serving on ${host} without a token: anyone who can reach it may upload and execute (see --token-file)\n`);
    }
    // The server's install phase: prediction functions shipped to clients on connect (§4).
    const predictionFunctions = runInstallPhase({ seed: 1 }).functions;
    const { workerPool } = await import("../executor/worker-pool.js");
    const pool = workers > 0 ? workerPool({ size: workers, timeBudgetMs, fair: scheduler === "fair" }) : undefined;
    const server = new EdgeServer({
      executorFactory: pool === undefined ? () => referenceExecutor() : () => pool.executor(),
      predictionFunctions,
      maxSessionBytes: maxMiB * 2 ** 20,
      memory: new MemoryBudget(memoryMiB * 2 ** 20),
      ...(pool === undefined ? {} : { load: () => pool.load() }),
      ...(authToken === undefined ? {} : { authToken }),
    });
    const handle = await serveTcp({ server, port, host, admission: { maxConnections, maxConnectionsPerAddress, helloTimeoutMs } });
    if (context.json) printJson(context, { host: handle.host, port: handle.port });
    else context.stdout(`ionn edge server listening on ${handle.host}:${handle.port} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void handle.close().then(() => pool?.close()).then(resolve);
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
  usage:
    "--connect HOST:PORT <model> [--K 0.5] [--mbps 80] [--queries 10] [--interval-ms 500] [--seed 1] [--timeout-ms 120000] " +
    "[--audit 0] [--reconnect on|off] [--load-aware on|off] [--token-file F] [--json]",
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
    audit: { type: "string" },
    reconnect: { type: "string" },
    "load-aware": { type: "string" },
    "token-file": { type: "string" },
  },
  help: {
    audit: "fraction of server runs recomputed locally and compared bit for bit; a mismatch distrusts the server (0–1, default 0)",
    reconnect: "reconnect by itself with exponential backoff when the server goes away, resuming from what it still holds (default on)",
    "load-aware": "choose the layers to offload with the server's reported load (queue delay, utilization): a busy server gets fewer (default on)",
    "token-file": "token to present to a server that requires one, first line of the file (default: env IONN_TOKEN if set)",
  },
  async run(context) {
    const { host, port } = parseConnect(context.values["connect"]);
    const auditFraction = numberOption(context.values, "audit", 0, (v) => v >= 0 && v <= 1, "a fraction within [0, 1]");
    const onOff = (name: string): boolean => {
      const value = context.values[name] ?? "on";
      if (value !== "on" && value !== "off") throw new InvalidArgumentError(`--${name} must be on or off, got "${String(value)}"`);
      return value === "on";
    };
    const reconnect = onOff("reconnect");
    const loadAware = onOff("load-aware");
    const token = await readToken(context.values["token-file"] as string | undefined);
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
    const planned = planNetwork(network, costs, { preset, mbps, K });
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
    const transport = (): Transport => tcpTransport({ host, port, timeoutMs: Math.min(timeoutMs, 30_000), ...(token === undefined ? {} : { token }) });
    const auditRandom = mulberry32(seed + 2);
    const client = new OffloadingClient({
      network,
      weights,
      local,
      localLoaded: true,
      transport: transport(),
      plan: { partitions: partitions.map((layers) => ({ layers })) },
      clock,
      ...(reconnect ? { reconnect: { transport } } : {}),
      ...(auditFraction > 0 ? { audit: { fraction: auditFraction, random: auditRandom } } : {}),
      ...(loadAware ? { placement: loadAwarePlacement(network, { clientMs: costs.clientMs, serverMs: costs.serverMs, mbps }) } : {}),
      onEvent: (event) => {
        if (event.type === "distrusted") context.stderr(`warning: server ${host}:${port} distrusted: ${event.reason}; running locally\n`);
        if (event.type === "reconnecting" && !context.json) context.stderr(`reconnecting to ${host}:${port} in ${event.delayMs} ms (attempt ${event.attempt})\n`);
      },
    });
    try {
      await client.start();
    } catch (error) {
      // A refused, busy or absent server: the queries run locally (and the client keeps trying when --reconnect is on).
      context.stderr(`warning: ${host}:${port}: ${(error as Error).message}; running locally\n`);
    }
    const results: { raisedAtMs: number; latencyMs: number; serverLayers: string[]; matchesLocal: boolean; fellBack: boolean }[] = [];
    for (let q = 0; q < queries; q++) {
      if (q > 0 && intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      const result = await client.query(input);
      results.push({
        raisedAtMs: result.raisedAtMs,
        latencyMs: result.latencyMs,
        serverLayers: names(result.serverLayers),
        matchesLocal: outputKeys.every((key) => sameBits(result.outputs.get(key), reference.get(key))),
        fellBack: result.fellBack,
      });
      if (!context.json) {
        const r = results[results.length - 1]!;
        context.stderr(`query ${q + 1}: ${fixed(r.latencyMs, 1)} ms, ${r.serverLayers.length} layers on the server, matches local: ${r.matchesLocal}\n`);
      }
    }
    let uploadCompleteMs: number | null = null;
    await Promise.race([client.whenUploaded(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    uploadCompleteMs = client.status().completedAtMs ?? null;
    const status = client.status();
    await client.close();
    const document = {
      model: network.name,
      server: `${host}:${port}`,
      K,
      mbps,
      partitions: plan.partitions.map((p, i) => ({ layers: names(partitions[i]!), bytes: p.bytes, expectedQueryMs: p.expectedQueryMs })),
      uploadCompleteMs,
      queries: results,
      weightBytesSent: status.weightBytesSent,
      reconnects: status.reconnects,
      distrusted: status.distrusted,
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
