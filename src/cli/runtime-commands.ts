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
import { throttledTransport } from "../runtime/throttled-transport.js";
import type { Executor, Tensor } from "../runtime/types.js";
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
  usage: "--port P [--host 127.0.0.1] [--executor reference|ort] [--max-session-mib 1024] [--json]",
  options: { port: { type: "string" }, host: { type: "string" }, "max-session-mib": { type: "string" }, executor: { type: "string" } },
  help: {
    port: "TCP port to listen on, 0–65535; 0 picks a free port and prints it (required)",
    host: "address to listen on (default 127.0.0.1, loopback only; 0.0.0.0 for every interface)",
    "max-session-mib": "memory a session's uploaded weights may take, MiB > 0 (default 1024)",
    executor:
      "what runs the uploaded layers: reference (the bundled TypeScript float32 executor) or ort (ONNX Runtime, needs the optional peer dependency onnxruntime-node; many times faster, so offloading pays off on one machine) (default reference)",
  },
  example: "ionn serve --port 7000 --executor ort &\nionn client --connect 127.0.0.1:7000 alexnet --throttle-mbps 80",
  async run(context) {
    if (context.values["port"] === undefined) throw new InvalidArgumentError(`missing --port; usage: ionn serve ${this.usage}`);
    const port = portOption(context.values, 0);
    const host = typeof context.values["host"] === "string" ? (context.values["host"] as string) : "127.0.0.1";
    const maxMiB = numberOption(context.values, "max-session-mib", 1024, (v) => v > 0, "a size in MiB greater than 0");
    const executorName = choiceOption(context.values, "executor", SERVER_EXECUTORS, "reference");
    const executorFactory = await serverExecutorFactory(executorName);
    // The server's install phase: prediction functions shipped to clients on connect (§4).
    const predictionFunctions = runInstallPhase({ seed: 1 }).functions;
    const server = new EdgeServer({ executorFactory, predictionFunctions, maxSessionBytes: maxMiB * 2 ** 20 });
    const handle = await serveTcp({ server, port, host }).catch((error: unknown) => {
      throw listenError(error, host, port);
    });
    if (context.json) printJson(context, { host: handle.host, port: handle.port, executor: executorName });
    else context.stdout(`ionn edge server listening on ${handle.host}:${handle.port}, executor ${executorName} (Ctrl-C or SIGTERM to stop)\n`);
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
        void handle.close().then(resolve);
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
    "--connect HOST:PORT <model> [--K 0.5] [--mbps 80] [--throttle-mbps N] [--queries 10] [--interval-ms 500] [--seed 1] [--timeout-ms 120000] [--preset paper|ionn-reference] [--no-final-round] [--client-profile F] [--server-profile F | --server-regression F | --server-functions F] [--json]",
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
  },
  example:
    "ionn serve --port 7000 --executor ort &\nionn client --connect 127.0.0.1:7000 alexnet --throttle-mbps 80 --queries 60",
  async run(context) {
    const { host, port } = parseConnect(context.values["connect"]);
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
    const planned = planNetwork(network, costs, { preset, mbps, K, finalRound });
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
    const tcp = tcpTransport({ host, port, timeoutMs });
    const client = new OffloadingClient({
      network,
      weights,
      local,
      localLoaded: true,
      transport: throttleMbps === undefined ? tcp : throttledTransport(tcp, { mbps: throttleMbps }),
      plan: { partitions: partitions.map((layers) => ({ layers })) },
      clock,
    });
    await client.start();
    const results: ({
      raisedAtMs: number;
      latencyMs: number;
      serverLayers: string[];
      matchesLocal: boolean;
      relativeErrorVsLocal: number;
      partitionsAcked: number;
    } & QueryExplanation)[] = [];
    let previousServerLayers = 0;
    for (let q = 0; q < queries; q++) {
      // Always yield to the event loop (even at --interval-ms 0): the upload and its throttle run on timers and socket events.
      if (q > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
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
        ...explanation,
      });
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
    uploadCompleteMs = client.status().completedAtMs ?? null;
    await client.close();
    const document = {
      model: network.name,
      server: `${host}:${port}`,
      K,
      mbps,
      throttleMbps: throttleMbps ?? null,
      finalRound,
      costs: { client: costs.clientSource, server: costs.serverSource },
      localMs,
      partitions: plan.partitions.map((p, i) => ({ layers: names(partitions[i]!), bytes: p.bytes, expectedQueryMs: p.expectedQueryMs })),
      uploadCompleteMs,
      queries: results,
    };
    if (context.json) return printJson(context, document);
    context.stdout(
      `${network.name}: ${plural(plan.partitions.length, "partition")} uploaded to ${host}:${port}${throttleMbps !== undefined ? ` (sends limited to ${throttleMbps} Mbps)` : ""}; upload complete at ${uploadCompleteMs === null ? "—" : `${fixed(uploadCompleteMs, 0)} ms`}\n`,
    );
    context.stdout(`plan costs: client ${costs.clientSource}, server ${costs.serverSource}; measured here: ${fixed(localMs, 1)} ms per all-local query (reference executor)\n\n`);
    context.stdout(
      `${table(
        [{ header: "#", align: "right" }, { header: "partition layers" }, { header: "bytes", align: "right" }, { header: "planned ms after", align: "right" }],
        document.partitions.map((p, i) => [String(i + 1), layerRange(p.layers), mib(p.bytes), fixed(p.expectedQueryMs, 1)]),
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
