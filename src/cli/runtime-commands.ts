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
import { throttledTransport } from "../runtime/throttled-transport.js";
import type { Executor, Tensor, Transport } from "../runtime/types.js";
import { resolveCosts } from "./costs.js";
import {
  COST_HELP,
  COST_OPTIONS,
  costOptions,
  FINAL_ROUND_HELP,
  FINAL_ROUND_OPTIONS,
  finalRoundOption,
  MODEL_HELP,
  MODEL_OPTIONS,
  type Command,
  kOption,
  loadModel,
  mbpsOption,
  presetOption,
  printJson,
} from "./command.js";
import { fixed, layerRange, mib, plural, table } from "./format.js";
import { choiceOption, numberOption } from "./options.js";
import { type HandoffTarget, parseHandoff, storeOption, handoffDocument } from "./handoff-options.js";
import { plannerOption, preprocessingOption } from "./planner-options.js";
import { planUpload } from "../schedule/planners.js";
import { scheduleReplanner } from "../schedule/replanner.js";
import { ReplanController } from "../link/controller.js";
import { planningContext } from "../link/replan.js";
import { parameterBytes } from "../model/types.js";
import { explainQuery, type QueryExplanation } from "./query-explanation.js";

/** Executors `ionn serve --executor` can run partitions with. */
export const SERVER_EXECUTORS = ["reference", "ort"] as const;

/** An executor factory for the server: the reference executor, or ONNX Runtime (optional peer dependency, loaded here). */
async function serverExecutorFactory(name: (typeof SERVER_EXECUTORS)[number]): Promise<() => Executor> {
  if (name === "reference") return () => referenceExecutor();
  const { loadOrt } = await import("../executor/ort-executor.js");
  const { ortLayerExecutor } = await import("../executor/ort-layers.js");
  const ort = await loadOrt();
  return () => ortLayerExecutor({ ort });
}

/** A listen failure (EADDRINUSE, a host that does not resolve, …) as a typed error naming the option, not a stack trace. */
function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return error as Error;
  const why: Record<string, string> = {
    EADDRINUSE: `port ${port} is already in use on ${host} (pick another --port, or 0 for a free one)`,
    EACCES: `not allowed to listen on port ${port} (ports below 1024 need privileges)`,
    ENOTFOUND: `--host "${host}" does not resolve to an address of this machine`,
    EAI_AGAIN: `--host "${host}" could not be resolved (DNS lookup failed)`,
    EADDRNOTAVAIL: `--host "${host}" is not an address of this machine`,
  };
  return new InvalidArgumentError(`cannot listen on ${host}:${port}: ${why[code] ?? code}`, { cause: error });
}

function portOption(values: Record<string, unknown>, fallback: number): number {
  return numberOption(values, "port", fallback, (v) => Number.isInteger(v) && v >= 0 && v <= 65535, "a TCP port (0–65535)");
}

/** `ionn serve --port P [--host 127.0.0.1]`: runs until interrupted. */
export const serveCommand: Command = {
  summary: "run an edge server over TCP that builds models incrementally as partitions arrive",
  usage:
    "--port P [--host 127.0.0.1] [--executor reference|ort] [--max-session-mib 1024] [--max-memory-mib M] [--workers N] [--time-budget-ms 30000] [--scheduler fair|fifo] " +
    "[--max-connections 512] [--max-connections-per-address 256] [--hello-timeout-ms 5000] [--token-file F] [--store memory|redis://HOST:PORT[,HOST:PORT…]] [--json]",
  options: {
    port: { type: "string" },
    host: { type: "string" },
    executor: { type: "string" },
    "max-session-mib": { type: "string" },
    "max-memory-mib": { type: "string" },
    workers: { type: "string" },
    "time-budget-ms": { type: "string" },
    scheduler: { type: "string" },
    "max-connections": { type: "string" },
    "max-connections-per-address": { type: "string" },
    "hello-timeout-ms": { type: "string" },
    "token-file": { type: "string" },
    store: { type: "string" },
  },
  help: {
    port: "TCP port to listen on, 0–65535; 0 picks a free port and prints it (required)",
    host: "address to listen on (default 127.0.0.1, loopback only; 0.0.0.0 for every interface)",
    executor:
      "what runs the uploaded layers: reference (the bundled TypeScript float32 executor, on --workers threads) or ort (ONNX Runtime, needs the optional peer dependency onnxruntime-node; many times faster, so offloading pays off on one machine; runs on ORT's own threads, no --workers/--time-budget-ms) (default reference)",
    "max-session-mib": "most memory one session's uploaded weights may take, MiB > 0 (default 1024)",
    "max-memory-mib": `memory budget of the whole server, MiB: weights, frames, tensors, outbound replies (default ${DEFAULT_MEMORY_FRACTION * 100} % of this machine's memory)`,
    workers: "worker threads executing requests with the reference executor (default: the machine's cores; 0: run on the event loop, no time budget)",
    "time-budget-ms": "a request still running after this many ms is cancelled and its worker replaced (default 30000)",
    scheduler: "order of requests across sessions: fair (deficit round robin by estimated work, default) or fifo",
    "max-connections": "most open connections; the oldest one without a session is closed to admit a new one (default 512)",
    "max-connections-per-address": "most open connections from one address (default 256)",
    "hello-timeout-ms": "a connection that has not sent hello after this many ms is closed (default 5000)",
    "token-file": "require clients to present the token in this file's first line (default: env IONN_TOKEN if set, else no authentication)",
    store: "where verified layer records are shared: memory (this process only, default) or redis://HOST:PORT[,HOST:PORT…] (a Redis server; several nodes = Redis Cluster; needs the optional package ioredis)",
  },
  example: "ionn serve --port 7000 --executor ort &\nionn client --connect 127.0.0.1:7000 alexnet --throttle-mbps 80\nionn serve --port 7000 --host 0.0.0.0 --token-file token.txt --workers 2",
  async run(context) {
    if (context.values["port"] === undefined) throw new InvalidArgumentError(`missing --port; usage: ionn serve ${this.usage}`);
    const port = portOption(context.values, 0);
    const host = typeof context.values["host"] === "string" ? (context.values["host"] as string) : "127.0.0.1";
    const maxMiB = numberOption(context.values, "max-session-mib", 1024, (v) => v > 0, "a size in MiB greater than 0");
    const executorName = choiceOption(context.values, "executor", SERVER_EXECUTORS, "reference");
    const memoryMiB = numberOption(context.values, "max-memory-mib", defaultMemoryBudgetBytes() / 2 ** 20, (v) => v > 0, "a size in MiB greater than 0");
    const { availableParallelism } = await import("node:os");
    const workers = numberOption(context.values, "workers", executorName === "ort" ? 0 : availableParallelism(), (v) => Number.isInteger(v) && v >= 0, "a whole number ≥ 0");
    if (executorName === "ort" && workers > 0) throw new InvalidArgumentError("--workers runs the reference executor on worker threads; with --executor ort leave it out (ORT has its own threads)");
    const timeBudgetMs = numberOption(context.values, "time-budget-ms", 30_000, (v) => v > 0, "a number of milliseconds > 0");
    const scheduler = choiceOption(context.values, "scheduler", ["fair", "fifo"] as const, "fair");
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
    const executorFactory = pool === undefined ? await serverExecutorFactory(executorName) : () => pool.executor();
    const store = storeOption(context.values);
    const server = new EdgeServer({
      executorFactory,
      ...(store ? { store } : {}),
      predictionFunctions,
      maxSessionBytes: maxMiB * 2 ** 20,
      memory: new MemoryBudget(memoryMiB * 2 ** 20),
      ...(pool === undefined ? {} : { load: () => pool.load() }),
      ...(authToken === undefined ? {} : { authToken }),
    });
    const handle = await serveTcp({ server, port, host, admission: { maxConnections, maxConnectionsPerAddress, helloTimeoutMs } }).catch(async (error: unknown) => {
      await pool?.close();
      await store?.close();
      throw listenError(error, host, port);
    });
    if (context.json) printJson(context, { host: handle.host, port: handle.port, executor: executorName, workers });
    else context.stdout(`ionn edge server listening on ${handle.host}:${handle.port}, executor ${executorName}${workers > 0 ? ` on ${plural(workers, "worker thread")}` : ""} (Ctrl-C or SIGTERM to stop)\n`);
    await new Promise<void>((resolve) => {
      // `npx ionn serve &` then `kill $!` signals npx's process; if our parent goes away
      // (we are re-parented), stop too instead of lingering as an orphan.
      const parent = process.ppid;
      const watch = setInterval(() => {
        if (process.ppid !== parent) stop();
      }, 500);
      watch.unref();
      const stop = () => {
        clearInterval(watch);
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        process.off("SIGHUP", stop);
        void handle.close().then(async () => {
          const stats = server.stats();
          context.stderr(`ionn serve: ${stats.acks} partitions ACKed, ${stats.weightBytesReceived ?? 0} weight bytes received, ${stats.weightBytesReused ?? 0} reused (${JSON.stringify(stats.content)})\n`);
          await pool?.close();
          await store?.close();
          resolve();
        });
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      process.on("SIGHUP", stop);
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

/** Largest |a − b| over the largest |b| (Infinity when the shapes differ). */
function relativeError(a: Tensor | undefined, b: Tensor | undefined): number {
  if (a === undefined || b === undefined || a.data.length !== b.data.length) return Infinity;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.data.length; i++) {
    worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return worst / (scale || 1);
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
    "--connect HOST:PORT <model> [--planner ionn|enhanced|optimal] [--upload-window 4] [--K 0.5] [--mbps 80] [--throttle-mbps N] [--queries 10] [--interval-ms 500] [--seed 1] [--timeout-ms 120000] [--handoff HOST:PORT@MS] [--preset paper|ionn-reference] [--no-final-round] " +
    "[--client-profile F] [--server-profile F | --server-regression F | --server-functions F] [--replan none|estimate] [--replan-band 0.25] [--upload-chunk-kib N] [--query-timeout-ms 10000] [--events] " +
    "[--audit 0] [--reconnect on|off] [--load-aware on|off] [--token-file F] [--json]",
  options: {
    ...MODEL_OPTIONS,
    ...COST_OPTIONS,
    ...FINAL_ROUND_OPTIONS,
    connect: { type: "string" },
    K: { type: "string" },
    mbps: { type: "string" },
    queries: { type: "string" },
    "interval-ms": { type: "string" },
    seed: { type: "string" },
    "timeout-ms": { type: "string" },
    preset: { type: "string" },
    costs: { type: "string" },
    "throttle-mbps": { type: "string" },
    audit: { type: "string" },
    reconnect: { type: "string" },
    "load-aware": { type: "string" },
    "token-file": { type: "string" },
    planner: { type: "string" },
    "upload-window": { type: "string" },
    replan: { type: "string" },
    "replan-band": { type: "string" },
    "upload-chunk-kib": { type: "string" },
    "query-timeout-ms": { type: "string" },
    events: { type: "boolean" },
    handoff: { type: "string" },
  },
  help: {
    ...MODEL_HELP,
    ...COST_HELP,
    ...FINAL_ROUND_HELP,
    connect: "the edge server, HOST:PORT (IPv6 as [::1]:PORT) (required)",
    K: "Algorithm 1's K in (0, 1) (default 0.5)",
    mbps: "bandwidth the plan assumes, Mbps; it shapes only the plan, not the real sends (see --throttle-mbps) (default 80)",
    "throttle-mbps":
      "limit this client's sends (uploads and query tensors) to this rate, Mbps > 0, fairly shared, so a loopback run behaves like the link it planned for; a demo aid, on top of the real link (default: no limit)",
    queries: "queries to run, whole number ≥ 1 (default 10)",
    "interval-ms": "pause between queries, ms ≥ 0 (default 500, the paper's pre-processing time)",
    seed: "seed of the random weights and input, integer (default 1)",
    "timeout-ms": "how long one server request (a partition upload, a query's execute) may take, and how long the client waits at the end for the upload to finish, ms > 0 (default 120000)",
    preset: "planner preset: paper or ionn-reference (default paper)",
    costs: "device-models or published (the authors' profiles: alexnet, googlenet, resnet50) for the plan; profile files override it (default device-models)",
    audit: "fraction of server runs recomputed locally and compared bit for bit; a mismatch distrusts the server (0–1, default 0)",
    reconnect: "reconnect by itself with exponential backoff when the server goes away, resuming from what it still holds (default on)",
    "load-aware": "choose the layers to offload with the server's reported load (queue delay, utilization): a busy server gets fewer (default on)",
    "token-file": "token to present to a server that requires one, first line of the file (default: env IONN_TOKEN if set)",
    planner: "ionn (Algorithm 1; default), enhanced (EMDL '19) or optimal (the objective-aware planner; think time = --interval-ms)",
    "upload-window": "partitions in flight at once (pipelined upload), whole number ≥ 1 (default 4, measured: bench/pipeline.ts)",
    replan:
      "none (default: keep the plan made for --mbps; bandwidth estimates are still measured and reported) or estimate (the client estimates the uplink from its upload pieces and feature transfers, places queries at the estimate at once, and re-plans the rest of the upload with the same --planner when the estimate leaves the band)",
    "replan-band": "hysteresis band of --replan estimate, relative: re-plan when the estimate leaves [plan/(1+b), plan×(1+b)] (default 0.25)",
    "upload-chunk-kib": "weight bytes per upload frame, KiB; each frame is a bandwidth sample (default 256 with --replan estimate, else 4096)",
    "query-timeout-ms": "a server call of a query that takes longer finishes locally, ms (default 10000)",
    events: "write one JSON line per client event (connected, ack, estimate, replan, query) to stderr",

    handoff:
      "HOST:PORT@MS: at MS ms after the start, hand the client off to that server (queries go on meanwhile; it uploads only what the new server lacks, nothing when a shared --store holds it); @upload instead of @MS: when the upload to the first server completes. The client keeps querying until one query has run after the switch (bounded by --timeout-ms) (default: no handoff)",
  },
  example:
    "ionn serve --port 7000 --executor ort &\nionn client --connect 127.0.0.1:7000 alexnet --throttle-mbps 80 --queries 60",
  async run(context) {
    const planner = plannerOption(context.values);
    // Default 4: over TCP loopback a 20-partition ResNet-50 upload is within noise of one partition from a window of 4 (bench/pipeline.ts).
    const uploadWindow = numberOption(context.values, "upload-window", 4, (v) => Number.isInteger(v) && v >= 1, "a whole number of partitions ≥ 1");
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
    const replanMode = context.values["replan"] ?? "none";
    if (replanMode !== "none" && replanMode !== "estimate") throw new InvalidArgumentError(`--replan must be one of none, estimate, got "${String(replanMode)}"`);
    const band = numberOption(context.values, "replan-band", 0.25, (v) => v > 0, "a relative band > 0 (0.25 = ±25 %)");
    const chunkKiB = numberOption(context.values, "upload-chunk-kib", replanMode === "estimate" ? 256 : 4096, (v) => Number.isInteger(v) && v >= 1, "a whole number of KiB ≥ 1");
    const queryTimeoutMs = numberOption(context.values, "query-timeout-ms", 10_000, (v) => v > 0, "a number of milliseconds > 0");
    const events = context.values["events"] === true;
    const event = (value: Record<string, unknown>) => {
      if (events) context.stderr(`${JSON.stringify(value)}\n`);
    };
    const handoff = parseHandoff(context.values["handoff"]);
    const K = kOption(context.values);
    const mbps = mbpsOption(context.values);
    const queries = numberOption(context.values, "queries", 10, (v) => Number.isInteger(v) && v >= 1, "a whole number ≥ 1");
    const intervalMs = numberOption(context.values, "interval-ms", 500, (v) => v >= 0, "a number of milliseconds ≥ 0");
    const seed = numberOption(context.values, "seed", 1, Number.isInteger, "an integer");
    const timeoutMs = numberOption(context.values, "timeout-ms", 120_000, (v) => v > 0, "a number of milliseconds > 0");
    const throttleMbps =
      context.values["throttle-mbps"] === undefined ? undefined : numberOption(context.values, "throttle-mbps", 80, (v) => v > 0, "a bandwidth in Mbps greater than 0");
    const preset = presetOption(context.values);
    const finalRound = finalRoundOption(context.values);
    const costName = choiceOption(context.values, "costs", ["device-models", "published"] as const, "device-models");
    const network = await loadModel(context, `ionn client ${this.usage}`);
    const costs = await resolveCosts(network, { ...costOptions(context.values), costs: costName });
    for (const warning of costs.warnings) context.stderr(`warning: ${warning}\n`);
    const planning = planningContext(network, costs, { preset, mbps, K, finalRound });
    const planned = planning.initial;
    const schedule =
      planner === "ionn" ? undefined : planUpload(planner, network, costs, { preset, mbps, K, thinkMs: context.values["interval-ms"] === undefined ? 500 : preprocessingOption({ "preprocessing-ms": context.values["interval-ms"] }) });
    const plan = schedule ?? planned.plan;
    const partitions = schedule ? schedule.layerPartitions.map((l) => [...l]) : runtimePartitions(network, planned);
    const names = (layers: readonly number[]) => layers.map((i) => network.layers[i]!.name);

    const weights = randomWeights(network, seed);
    if (network.inputs.length !== 1) throw new InvalidArgumentError(`ionn client: ${network.name} has ${network.inputs.length} inputs; only single-input networks are supported here`);
    const inputShape = network.layers[network.inputs[0]!.layer]!.outputShapes[network.inputs[0]!.top]!;
    const random = mulberry32(seed + 1);
    const input: Tensor = { shape: inputShape, data: Float32Array.from({ length: shapeSize(inputShape) }, () => random() * 2 - 1) };
    const reference = await runLocally(network, weights, input);
    const outputKeys = network.outputs.map(tensorKey);

    const local = referenceExecutor();
    await local.load(network.layers, weights);
    // The all-local latency on this machine (median of 3 after a warm-up): what each query is compared with.
    const everyLayer = network.layers.filter((l) => l.type !== "Input").map((l) => l.index);
    const inputs = new Map([[tensorKey(network.inputs[0]!), input]]);
    const localTimes: number[] = [];
    for (let r = 0; r < 4; r++) {
      const t0 = performance.now();
      await local.run(everyLayer, inputs, outputKeys);
      if (r > 0) localTimes.push(performance.now() - t0);
    }
    localTimes.sort((a, b) => a - b);
    const localMs = localTimes[1]!;

    const start = performance.now();
    const clock = { now: () => performance.now() - start };
    const startedAtEpochMs = Date.now();
    const controller = new ReplanController({
      context: planning,
      planMbps: mbps,
      band,
      adapt: replanMode === "estimate",
      estimator: { onEstimate: (e) => event({ event: "estimate", ...e }) },
      onReplan: (r) => event({ event: "replan", ...r }),
      // --planner enhanced|optimal: the rest of the upload is re-planned by the same planner; the first plan's layers are the schedule's.
      ...(schedule ? { replanner: scheduleReplanner(planner as "enhanced" | "optimal", { thinkMs: intervalMs }), firstPlanLayers: partitions.flat() } : {}),
    });
    const replanPlacement = controller.placement();
    // Every connection (the first, reconnects, a --handoff target) is timed for the estimator and throttled alike.
    const connectTo = (toHost: string, toPort: number): Transport => {
      const tcp = tcpTransport({
        host: toHost,
        port: toPort,
        timeoutMs,
        uploadChunkBytes: chunkKiB * 1024,
        now: clock.now,
        onTransfer: (sample) => controller.record(sample),
        ...(token === undefined ? {} : { token }),
      });
      return throttleMbps === undefined ? tcp : throttledTransport(tcp, { mbps: throttleMbps });
    };
    const transport = (): Transport => connectTo(host, port);
    const auditRandom = mulberry32(seed + 2);
    const client = new OffloadingClient({
      network,
      weights,
      local,
      localLoaded: true,
      transport: transport(),
      plan: { partitions: partitions.map((layers) => ({ layers })) },
      clock,
      queryTimeoutMs,
      ...(reconnect ? { reconnect: { transport } } : {}),
      ...(auditFraction > 0 ? { audit: { fraction: auditFraction, random: auditRandom } } : {}),
      ...(uploadWindow > 1 ? { uploadWindow } : {}),
      // A schedule's paths are not nested: its placement is decided once per query; else the re-planner's (at the
      // bandwidth estimate) with --replan estimate; else the load-aware one.
      ...(schedule
        ? { placement: replanPlacement ?? schedule.placementFn, placementPerQuery: true }
        : replanPlacement
          ? { placement: replanPlacement }
          : loadAware
            ? { placement: loadAwarePlacement(network, { clientMs: costs.clientMs, serverMs: costs.serverMs, mbps }) }
            : {}),
      onEvent: (e) => {
        event(e.type === "server-failed" ? { event: e.type, atMs: e.atMs, error: e.error.message } : { event: e.type, ...e, type: undefined });
        if (e.type === "distrusted") context.stderr(`warning: server ${host}:${port} distrusted: ${e.reason}; running locally\n`);
        if (e.type === "reconnecting" && !context.json) context.stderr(`reconnecting to ${host}:${port} in ${e.delayMs} ms (attempt ${e.attempt})\n`);
      },
    });
    controller.attach(client);
    try {
      await client.start();
    } catch (error) {
      // A refused, busy or absent server: the queries run locally (and the client keeps trying when --reconnect is on).
      context.stderr(`warning: ${host}:${port}: ${(error as Error).message}; running locally\n`);
    }
    const results: ({
      raisedAtMs: number;
      latencyMs: number;
      serverLayers: string[];
      matchesLocal: boolean;
      relativeErrorVsLocal: number;
      partitionsAcked: number;
      fellBack: boolean;
      server: string | null;
    } & QueryExplanation)[] = [];
    let previousServerLayers = 0;
    const servers = [`${host}:${port}`];
    const moving = handoff === undefined ? undefined : handoffDocument(client, handoff, clock, timeoutMs, servers, (target: HandoffTarget) => connectTo(target.host, target.port));
    // With --handoff, keep querying (bounded by --timeout-ms) until one query has run after the switch.
    for (let q = 0; q < queries || (moving !== undefined && !moving.queriedAfter(results) && clock.now() < timeoutMs); q++) {
      // Always yield to the event loop (even at --interval-ms 0): the upload and its throttle run on timers and socket events.
      if (q > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      await moving?.ready(q >= queries);
      const result = await client.query(input);
      const status = client.status();
      const partitionsAcked = status.ackedPartitions.length;
      const explanation = explainQuery({
        latencyMs: result.latencyMs,
        localMs,
        serverLayers: result.serverLayers.length,
        totalLayers: everyLayer.length,
        fellBack: result.fellBack,
        partitionsAcked,
        partitions: partitions.length,
        ...(throttleMbps !== undefined ? { throttleMbps } : {}),
        firstOnThisSplit: result.serverLayers.length !== previousServerLayers && result.serverLayers.length > 0,
        uploadInProgress: !status.complete,
      });
      previousServerLayers = result.serverLayers.length;
      results.push({
        raisedAtMs: result.raisedAtMs,
        latencyMs: result.latencyMs,
        serverLayers: names(result.serverLayers),
        // bit-identical to a local run (the reference executor on both ends); --executor ort agrees to float rounding
        matchesLocal: outputKeys.every((key) => sameBits(result.outputs.get(key), reference.get(key))),
        relativeErrorVsLocal: Math.max(0, ...outputKeys.map((key) => relativeError(result.outputs.get(key), reference.get(key)))),
        partitionsAcked,
        fellBack: result.fellBack,
        ...explanation,
        server: result.serverLayers.length > 0 ? (servers[result.connection] ?? null) : null,
      });
      event({ event: "query", ...results[results.length - 1]! });
      if (!context.json) {
        const r = results[results.length - 1]!;
        context.stderr(
          `query ${q + 1}: ${fixed(r.latencyMs, 1)} ms (${r.vsLocalMs <= 0 ? "" : "+"}${fixed(r.vsLocalMs, 1)} vs local), ${plural(r.serverLayers.length, "layer")} on the server, matches local: ${r.matchesLocal ? "bit for bit" : `within ${r.relativeErrorVsLocal.toExponential(1)} (relative)`} — ${r.why}\n`,
        );
      }
    }
    let uploadCompleteMs: number | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([client.whenUploaded(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    await moving?.done();
    await Promise.race([client.whenUploaded(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    uploadCompleteMs = client.status().completedAtMs ?? null;
    const status = client.status();
    await client.close();
    const document = {
      model: network.name,
      server: `${host}:${port}`,
      planner,
      K,
      mbps,
      throttleMbps: throttleMbps ?? null,
      finalRound,
      uploadWindow,
      costs: { client: costs.clientSource, server: costs.serverSource },
      localMs,
      partitions:
        controller.replans.length === 0
          ? plan.partitions.map((p, i) => ({ layers: names(partitions[i]!), bytes: p.bytes, expectedQueryMs: p.expectedQueryMs }))
          : client.currentPlan().map((layers) => ({ layers: names(layers), bytes: layers.reduce((a, i) => a + parameterBytes(network.layers[i]!), 0), expectedQueryMs: null })),
      uploadCompleteMs,
      // why an upload did not complete: the partitions ACKed, and whether the connection failed or stalled
      ackedPartitions: status.ackedPartitions,
      uploadFailed: status.failed,
      uploadStalled: status.stalled,
      handoffs: moving?.entries() ?? [],
      queries: results,
      weightBytesSent: status.weightBytesSent,
      reconnects: status.reconnects,
      distrusted: status.distrusted,
      replan: replanMode,
      startedAtEpochMs,
      bandwidthEstimates: controller.estimator.history(),
      replans: controller.replans,
    };
    if (context.json) return printJson(context, document);
    context.stdout(
      `${network.name}: ${plural(plan.partitions.length, "partition")} uploaded to ${host}:${port}${throttleMbps !== undefined ? ` (sends limited to ${throttleMbps} Mbps)` : ""}; upload complete at ${uploadCompleteMs === null ? "—" : `${fixed(uploadCompleteMs, 0)} ms`}\n`,
    );
    context.stdout(`plan costs: client ${costs.clientSource}, server ${costs.serverSource}; measured here: ${fixed(localMs, 1)} ms per all-local query (reference executor)\n\n`);
    context.stdout(
      `${table(
        [{ header: "#", align: "right" }, { header: "partition layers" }, { header: "bytes", align: "right" }, { header: "planned ms after", align: "right" }],
        document.partitions.map((p, i) => [String(i + 1), layerRange(p.layers), mib(p.bytes), p.expectedQueryMs === null ? "— (re-planned)" : fixed(p.expectedQueryMs, 1)]),
      )}\n\n`,
    );
    context.stdout(
      `${table(
        [
          { header: "query", align: "right" },
          { header: "raised ms", align: "right" },
          { header: "latency ms", align: "right" },
          { header: "vs local", align: "right" },
          { header: "ran on" },
          { header: "server layers", align: "right" },
          { header: "= local" },
        ],
        results.map((r, i) => [String(i + 1), fixed(r.raisedAtMs, 0), fixed(r.latencyMs, 1), `${r.vsLocalMs <= 0 ? "" : "+"}${fixed(r.vsLocalMs, 1)}`, r.ranOn, String(r.serverLayers.length), r.matchesLocal ? "yes" : r.relativeErrorVsLocal <= 1e-4 ? `≈ (${r.relativeErrorVsLocal.toExponential(0)})` : "NO"]),
      )}\n`,
    );
    const last = results[results.length - 1]!;
    context.stdout(`\nlast query: ${last.why}\n`);
  },
};
