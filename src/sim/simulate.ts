/**
 * The paper's scenario end to end on a virtual clock (IONN §6.1–§6.4): a
 * client pre-processes a frame for 0.5 s, raises a DNN query, waits for its
 * result, and repeats (a closed loop), while it uploads its model to an edge
 * server following an offloading policy. Figure 7 (query latency over time),
 * Table 2 (upload completion time) and Figure 8 (queries and client energy
 * during the upload) are read off the result.
 *
 * One code path for simulated and real runs: the simulation drives the real
 * `OffloadingClient` and `EdgeServer` through `inMemoryTransport`. Only the
 * environment is simulated: a {@link VirtualClock} (time), a
 * {@link SimulatedLink} (bandwidth, latency, sharing), and timed executors
 * that charge each device's modelled layer times ({@link timedExecutor}).
 * By default the executors are virtual ({@link virtualExecutor}) and the
 * weights virtual ({@link virtualWeights}), so nothing is computed and no
 * model-sized memory is touched; `execution: "shape-only"` uses the executor
 * module's shape-only executor and `"reference"` runs the real kernels on
 * seeded weights; all three give the same timeline.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { mulberry32, randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { shapeOnlyExecutor } from "../executor/shape-only.js";
import { zooNetwork } from "../model/zoo/index.js";
import { type Layer, type Network, parameterBytes, tensorKey, tensorShape } from "../model/types.js";
import { referenceLoadMs } from "../plan/presets.js";
import { alignProfile } from "../profile/profile.js";
import { hasPublishedProfiles, publishedClientProfile, publishedServerProfile, PUBLISHED_PROFILE_NETWORKS } from "../profile/published.js";
import { OffloadingClient, type ClientEvent } from "../runtime/client.js";
import { inMemoryTransport } from "../runtime/memory-transport.js";
import { EdgeServer } from "../runtime/server.js";
import type { Executor, LayerWeights, Tensor } from "../runtime/types.js";
import { deviceProfile } from "./devices/index.js";
import { VirtualClock } from "./clock.js";
import { clientEnergy, ODROID_XU4_POWER, type EnergyBreakdown, type PowerModel } from "./energy.js";
import { SimulatedLink, type Interval, type LinkSharing } from "./link.js";
import { policyByName, type Policy, type PolicyDecision, type PolicyName } from "./policies.js";
import { timedExecutor } from "./timed-executor.js";
import { virtualExecutor } from "./virtual-executor.js";
import { virtualWeights } from "./virtual-weights.js";
import { CALIBRATION_NAMES, calibrationByName, withUploadOverhead, type Calibration, type CalibrationName } from "./scenarios/index.js";
import { AdaptiveController, type ReplanMode, type ReplanRecord, type ReplanSettings } from "./adaptive.js";
import { TraceLink } from "./trace-link.js";
import { rateAt, type BandwidthTrace } from "../link/trace.js";
import type { BandwidthEstimate } from "../link/estimator.js";

/**
 * Where the simulated devices' layer times come from: the device cost models
 * (`odroidXu4` client, `gtx1080Ti` server; every network), the IONN authors'
 * published profiles (AlexNet, GoogLeNet, ResNet-50 only), or explicit
 * per-runtime-layer arrays.
 */
export type CostSource =
  | "device-models"
  | "published"
  | {
      /** Client time of each runtime layer, ms (one entry per layer of the network). */
      readonly clientMs: ArrayLike<number>;
      /** Server time of each runtime layer, ms (one entry per layer of the network). */
      readonly serverMs: ArrayLike<number>;
      /** Label reported in {@link SimulationResult.settings} (default `"given per-layer times"`). */
      readonly name?: string;
    };

/** How a simulation executes layers (see {@link Scenario.execution}). */
export type Execution = "virtual" | "shape-only" | "reference";

/** A simulation scenario. Every field but `network` has a default. */
export interface Scenario {
  /** The network, or a zoo name (`"alexnet"`, …). */
  readonly network: Network | string;
  /** The policy object or a built-in name (default `"ionn"`). */
  readonly policy?: Policy | PolicyName;
  /** K of the built-in `ionn` policy when `policy` is a name (default 0.5). */
  readonly K?: number;
  /** Uplink bandwidth, Mbps (default 80, the paper's Wi-Fi). */
  readonly mbps?: number;
  /** Downlink bandwidth, Mbps (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** Bits per megabit, link and planner alike (default `1e6`). */
  readonly megabit?: number;
  /** One-way link latency, ms (RTT / 2; default 1). */
  readonly latencyMs?: number;
  /** Bandwidth sharing between concurrent transfers (default `"fair"`; see `link.ts`). */
  readonly sharing?: LinkSharing;
  /** Simulated duration: queries are raised while the clock is below it, seconds (default 40). */
  readonly seconds?: number;
  /** Pre-processing before each query, ms (default 500, §6.1). */
  readonly preprocessingMs?: number;
  /** Each pre-processing time is drawn uniformly in `preprocessingMs ± this` from the seeded generator (default 0). */
  readonly preprocessingJitterMs?: number;
  /** Seed of every random choice (jitter; input and weights with `execution: "reference"`) (default 1). */
  readonly seed?: number;
  /** Layer-time source (default `"device-models"`). */
  readonly costs?: CostSource;
  /** Server loading time of a layer when its partition arrives, ms (default: the IONN authors' model, `referenceLoadMs`). */
  readonly serverLoadMs?: (layer: Layer) => number;
  /**
   * How layers are executed (time is charged the same way in every case):
   * `"virtual"` (default: nothing computed or allocated, the simulator's `virtualExecutor`),
   * `"shape-only"` (zero-filled tensors allocated per layer, the executor
   * module's `shapeOnlyExecutor`), both with virtual weights; or
   * `"reference"` (real kernels on weights seeded by `seed`).
   */
  readonly execution?: Execution;
  /** Client power levels (default {@link ODROID_XU4_POWER}). */
  readonly power?: PowerModel;
  /** The client's query timeout for a server call, ms (default 10 000, the runtime's). */
  readonly queryTimeoutMs?: number;
  /**
   * Device times, link, power and Algorithm 1 variant (default `"profiles-2019"`; CLI `--scenario`):
   * `"paper-2018"` is the paper's own scenario (see `src/sim/scenarios/`). The fields above override it.
   */
  readonly calibration?: CalibrationName | Calibration;
  /** Partitions in flight at once (pipelined upload; default 1: each after the previous ACK). */
  readonly uploadWindow?: number;
  /**
* The uplink follows this trace (`mbps` then only sets the first plan's
   * bandwidth; default: the trace's rate at 0). With a trace the client
   * estimates the bandwidth from its uplink transfers (partitions go in
   * 1 MiB pieces) and `replan` says what it does with it.
   */
  readonly bandwidthTrace?: BandwidthTrace;
  /** The downlink's trace (default: `bandwidthTrace`). */
  readonly downlinkTrace?: BandwidthTrace;
  /** Re-planning with a trace (default `"estimate"`; see `adaptive.ts`); needs the `ionn` policy. */
  readonly replan?: ReplanMode | ReplanSettings;
}

/** One query of the closed loop. */
export interface SimulatedQuery {
  /** When the query was raised (virtual ms since the start). */
  readonly raisedAtMs: number;
  /** Raise to result, ms. */
  readonly latencyMs: number;
  /** How many layers ran on the server. */
  readonly serverLayers: number;
  /** Runtime indices of the layers that ran on the server, ascending. */
  readonly serverLayerIndices: readonly number[];
  /** Partitions ACKed when the query was raised. */
  readonly partitionsUploaded: number;
  /** True when a server call failed and the client finished locally. */
  readonly fellBack: boolean;
}

/** One partition of the policy's plan and when it was ACKed. */
export interface SimulatedPartition {
  /** Runtime layer names, runtime order. */
  readonly layers: readonly string[];
  /** Parameter bytes (float32). */
  readonly bytes: number;
  /** ACK time, ms, or null when it was not ACKed within the run. */
  readonly ackedAtMs: number | null;
  /** The planner's expected query time once this partition is uploaded, when the policy knows it. */
  readonly expectedQueryMs: number | null;
}

/** The outcome of {@link simulate}. */
export interface SimulationResult {
  /** Network name. */
  readonly network: string;
  /** Policy name. */
  readonly policy: string;
  /** The resolved scenario settings. */
  readonly settings: {
    /** Uplink bandwidth, Mbps. */
    readonly mbps: number;
    /** Downlink bandwidth, Mbps. */
    readonly downlinkMbps: number;
    /** Bits per megabit. */
    readonly megabit: number;
    /** One-way link latency, ms. */
    readonly latencyMs: number;
    /** Bandwidth sharing between concurrent transfers. */
    readonly sharing: LinkSharing;
    /** Simulated duration, seconds. */
    readonly seconds: number;
    /** Pre-processing before each query, ms. */
    readonly preprocessingMs: number;
    /** Half-width of the uniform pre-processing jitter, ms. */
    readonly preprocessingJitterMs: number;
    /** Seed of every random choice. */
    readonly seed: number;
    /** Description of the layer-time source (e.g. `"device models (odroid-xu4, gtx-1080ti)"`). */
    readonly costs: string;
    /** How layers were executed. */
    readonly execution: Execution;
    /** The calibration's name. */
    readonly calibration: string;
    /** Throughput the link delivers, Mbps (`mbps` × the calibration's link efficiency; the planner is told `mbps`). */
    readonly linkMbps: number;
    /** Fixed time before an upload's ACK, ms (on the first upload or on each, see {@link SimulationResult.settings.uploadOverheadPer}). */
    readonly uploadOverheadMs: number;
    /** Which uploads pay `uploadOverheadMs`: `"session"` (the first) or `"partition"` (each). */
    readonly uploadOverheadPer: "session" | "partition";
  };
  /** The closed loop's queries in raise order. */
  readonly queries: readonly SimulatedQuery[];
  /** The policy's partitions in upload order. */
  readonly partitions: readonly SimulatedPartition[];
  /** When the last partition was ACKed, ms; null when the policy uploads nothing or the upload did not finish within the run. */
  readonly uploadCompleteMs: number | null;
  /** Queries that finished by the end of the upload window (`uploadCompleteMs`, or the end of the run when it is null). */
  readonly queriesDuringUpload: number;
  /** Client energy over the upload window `[0, uploadCompleteMs ?? endMs]`, joules. */
  readonly clientEnergyJ: number;
  /** The energy's breakdown by state over that window. */
  readonly energy: EnergyBreakdown;
  /** When the run stopped (the first raise time at or past the horizon), ms. */
  readonly endMs: number;
  /** Intervals when the client computed and when its uplink was busy (for {@link clientEnergyBetween}). */
  readonly activity: {
    /** `[start, end]` ms intervals when the client's executor ran layers, in order. */
    readonly computing: readonly Interval[];
    /** Non-overlapping `[start, end]` ms intervals when the uplink carried at least one transfer, in order. */
    readonly transmitting: readonly Interval[];
  };
  /** Bytes sent on the uplink and the downlink. */
  readonly bytes: {
    /** Bytes sent client → server (partitions, feature maps, requests). */
    readonly up: number;
    /** Bytes sent server → client (handshake replies, ACKs, results, errors). */
    readonly down: number;
  };
  /** Virtual-clock events fired (a measure of the simulation's work). */
  readonly events: number;
  /** With a bandwidth trace: the client's bandwidth estimates, in order. */
  readonly bandwidthEstimates?: readonly BandwidthEstimate[];
  /** With a bandwidth trace: the re-plans made, in order. */
  readonly replans?: readonly ReplanRecord[];
}

/** Per-runtime-layer client and server times and a description of their source. */
export interface ResolvedSimulationCosts {
  readonly clientMs: Float64Array;
  readonly serverMs: Float64Array;
  readonly source: string;
}

/**
 * Resolve a {@link CostSource} for a network.
 *
 * @throws {InvalidArgumentError} when `"published"` is asked for a network
 * without published profiles, or arrays do not have one entry per runtime layer.
 * @throws {ProfileMismatchError} when a published profile does not match the network's layers.
 */
export function simulationCosts(network: Network, costs: CostSource = "device-models"): ResolvedSimulationCosts {
  if (costs === "device-models") {
    return { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network), source: "device models (odroid-xu4, gtx-1080ti)" };
  }
  if (costs === "published") {
    if (!hasPublishedProfiles(network.name)) {
      throw new InvalidArgumentError(
        `simulate: costs "published": the IONN authors published profiles only for ${PUBLISHED_PROFILE_NETWORKS.join(", ")}, not "${network.name}"; use costs "device-models"`,
      );
    }
    return {
      clientMs: alignProfile(network, publishedClientProfile(network.name)),
      serverMs: alignProfile(network, publishedServerProfile(network.name)),
      source: "published profiles (IONN authors)",
    };
  }
  if (typeof costs !== "object" || costs === null) throw new InvalidArgumentError(`simulate: unknown costs ${String(costs)}; expected "device-models", "published" or {clientMs, serverMs}`);
  for (const side of ["clientMs", "serverMs"] as const) {
    const values = costs[side];
    if (values === undefined || values.length !== network.layers.length) {
      throw new InvalidArgumentError(`simulate: costs.${side} has ${values?.length ?? 0} entries, network "${network.name}" has ${network.layers.length} runtime layers`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!(values[i]! >= 0) || !Number.isFinite(values[i]!)) throw new InvalidArgumentError(`simulate: costs.${side}[${i}] ("${network.layers[i]!.name}") must be a finite number ≥ 0, got ${values[i]}`);
    }
  }
  return { clientMs: Float64Array.from(costs.clientMs), serverMs: Float64Array.from(costs.serverMs), source: costs.name ?? "given per-layer times" };
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError(`simulate: ${name} must be a finite number ${allowZero ? "≥" : ">"} 0, got ${value}`);
  }
  return value;
}

function queryInputs(network: Network, execution: Execution, seed: number): Map<string, Tensor> {
  const next = mulberry32(seed ^ 0x5eed);
  const inputs = new Map<string, Tensor>();
  for (const ref of network.inputs) {
    const shape = tensorShape(network, ref);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (execution === "reference") for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    inputs.set(tensorKey(ref), { shape, data });
  }
  return inputs;
}

/**
 * Simulate the paper's closed-loop scenario (§6.1) on a virtual clock and
 * report the per-query timeline, upload completion, queries during the
 * upload and client energy during the upload.
 *
 * At virtual time 0 the client opens its session and starts uploading the
 * policy's partitions (each after the previous one's ACK). Then, while the
 * clock is below `seconds`: pre-process (`preprocessingMs`), raise a query,
 * wait for its result. Each query runs on the client the layers that are not
 * placed on the server, and sends the others to the server (via the link),
 * exactly as `OffloadingClient.query` does.
 *
 * Cost: wall time grows with the number of queries and partitions (tens of
 * milliseconds for a 40-second AlexNet run; see bench/README.md,
 * "Simulator"), not with model size.
 *
 * @throws {InvalidArgumentError} on a bad scenario field (unknown zoo name or policy, K outside (0, 1), bandwidth ≤ 0, …).
 * @throws {SimulationError} if the simulated code deadlocks.
 * @example
 * ```ts
 * const ionn = await simulate({ network: "alexnet", policy: "ionn", K: 0.5 });
 * const once = await simulate({ network: "alexnet", policy: "all-at-once" });
 * ionn.uploadCompleteMs;                              // ≈ 26 150 ms at 80 Mbps (all-at-once: ≈ 24 470)
 * ionn.queries.map((q) => Math.round(q.latencyMs));   // falls after the first partitions
 * ionn.queriesDuringUpload > once.queriesDuringUpload; // true
 * ```
 */
export async function simulate(scenario: Scenario): Promise<SimulationResult> {
  const network = typeof scenario.network === "string" ? zooNetwork(scenario.network) : scenario.network;
  const calibration = calibrationByName(scenario.calibration ?? "profiles-2019");
  const policyOption = scenario.policy ?? "ionn";
  const policy = typeof policyOption === "string" ? policyByName(policyOption, { ...(scenario.K === undefined ? {} : { K: scenario.K }), finalRound: calibration.ionnFinalRound }) : policyOption;
  const trace = scenario.bandwidthTrace;
  const mbps = positive("mbps", scenario.mbps ?? (trace ? rateAt(trace, 0) : 80));
  const downlinkMbps = positive("downlinkMbps", scenario.downlinkMbps ?? mbps);
  const megabit = positive("megabit", scenario.megabit ?? 1e6);
  const latencyMs = positive("latencyMs", scenario.latencyMs ?? calibration.latencyMs, true);
  const seconds = positive("seconds", scenario.seconds ?? 40);
  const preprocessingMs = positive("preprocessingMs", scenario.preprocessingMs ?? 500, true);
  const jitterMs = positive("preprocessingJitterMs", scenario.preprocessingJitterMs ?? 0, true);
  if (jitterMs > preprocessingMs) throw new InvalidArgumentError(`simulate: preprocessingJitterMs (${jitterMs}) must not exceed preprocessingMs (${preprocessingMs})`);
  const seed = scenario.seed ?? 1;
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`simulate: seed must be an integer, got ${seed}`);
  const sharing = scenario.sharing ?? "fair";
  const execution = scenario.execution ?? "virtual";
  if (execution !== "virtual" && execution !== "shape-only" && execution !== "reference") {
    throw new InvalidArgumentError(`simulate: execution must be "virtual", "shape-only" or "reference", got "${String(execution)}"`);
  }
  const power = scenario.power ?? calibration.power;
  const costs = simulationCosts(network, scenario.costs ?? calibration.costs?.(network));
  const loadMs = scenario.serverLoadMs ?? referenceLoadMs;

  const clock = new VirtualClock();
  let adaptive: AdaptiveController | undefined;
  if (trace !== undefined) {
    if (policyOption !== "ionn") throw new InvalidArgumentError(`simulate: a bandwidth trace needs the policy "ionn" (by name), got "${policy.name}"`);
    const replan = scenario.replan ?? "estimate";
    const settings: ReplanSettings = typeof replan === "string" ? { mode: replan } : replan;
    const K = scenario.K ?? 0.5;
    adaptive = new AdaptiveController({ network, clientMs: costs.clientMs, serverMs: costs.serverMs, uplink: trace, downlink: scenario.downlinkTrace ?? trace, planMbps: mbps, megabit, K, settings, clock });
  }
  const decision: PolicyDecision = adaptive
    ? { partitions: adaptive.initialPartitions, expectedQueryMs: adaptive.initialExpectedMs, ...(adaptive.placement() ? { placement: adaptive.placement()! } : {}) }
    : policy.decide({ network, clientMs: costs.clientMs, serverMs: costs.serverMs, mbps, downlinkMbps, megabit, latencyMs, preprocessingMs, horizonMs: seconds * 1000, serverLoadMs: loadMs, ...(scenario.uploadWindow !== undefined ? { uploadWindow: scenario.uploadWindow } : {}) });
  const linkMbps = mbps * calibration.linkEfficiency;
  // A trace gives the nominal rate; the calibration's link efficiency (paper-2018: 67.18/80) scales what is delivered, as it scales --mbps.
  const link = trace
    ? new TraceLink(clock, { uplink: trace, downlink: scenario.downlinkTrace ?? trace, megabit, latencyMs, sharing, efficiency: calibration.linkEfficiency, onThroughput: (d, sample) => adaptive!.delivered(d, sample) })
    : new SimulatedLink(clock, { mbps: linkMbps, downlinkMbps: downlinkMbps * calibration.linkEfficiency, megabit, latencyMs, sharing });
  const computing: Interval[] = [];
  const inner = (): Executor => (execution === "reference" ? referenceExecutor() : execution === "shape-only" ? shapeOnlyExecutor() : virtualExecutor());
  const server = new EdgeServer({
    executorFactory: () => timedExecutor(inner(), { clock, layerMs: costs.serverMs, loadMs }),
    clock,
    // One frame per partition: the link charges bytes, not frames; a whole
    // blob in one frame is adopted by the server without a copy.
    limits: { maxFrameBytes: 2 ** 32 - 1 },
  });
  const weights: Map<string, LayerWeights> = execution === "reference" ? randomWeights(network, seed) : virtualWeights(network);
  const acked = new Map<number, number>();
  let uploadCompleteMs: number | null = null;
  const client = new OffloadingClient({
    network,
    weights,
    local: timedExecutor(inner(), { clock, layerMs: costs.clientMs, onBusy: (start, end) => computing.push([start, end]) }),
    transport: withUploadOverhead(inMemoryTransport(server, { link, ...(trace ? { uploadChunkBytes: 2 ** 20 } : {}) }), clock, calibration.uploadOverheadMs, calibration.uploadOverheadPer),
    plan: { partitions: decision.partitions.map((layers) => ({ layers: [...layers] })) },
    clock,
    scheduler: clock,
    verify: "structure", // the simulator's executors compute no real values
    // One server and no shared store, as in the paper: plain uploads (no digest offers, whose SHA-256 over
    // model-sized virtual weights would also dominate a simulation's run time). Handoffs: simulateMobility.
    contentAddressing: false,
    ...(scenario.queryTimeoutMs !== undefined ? { queryTimeoutMs: positive("queryTimeoutMs", scenario.queryTimeoutMs) } : {}),
    ...(decision.placement !== undefined ? { placement: decision.placement } : {}),
    ...(scenario.uploadWindow !== undefined ? { uploadWindow: scenario.uploadWindow } : {}),
    ...(decision.placementPerQuery ? { placementPerQuery: true } : {}),
    onEvent: (event: ClientEvent) => {
      if (event.type === "ack") acked.set(event.partition, event.atMs);
      if (event.type === "upload-complete") uploadCompleteMs = event.atMs;
    },
  });
  adaptive?.attach(client);
  const inputs = queryInputs(network, execution, seed);
  const jitter = mulberry32(seed);
  const horizonMs = seconds * 1000;
  const queries: SimulatedQuery[] = [];

  const endMs = await clock.run(async () => {
    client.start().catch(() => undefined); // a failed start leaves queries local; recorded as no ACKs
    for (;;) {
      const pause = jitterMs > 0 ? preprocessingMs + (2 * jitter() - 1) * jitterMs : preprocessingMs;
      await clock.sleep(pause);
      if (clock.now() >= horizonMs) return clock.now();
      const partitionsUploaded = acked.size;
      const result = await client.query(inputs);
      queries.push({
        raisedAtMs: result.raisedAtMs,
        latencyMs: result.latencyMs,
        serverLayers: result.serverLayers.length,
        serverLayerIndices: result.serverLayers,
        partitionsUploaded,
        fellBack: result.fellBack,
      });
    }
  });

  const windowEnd = uploadCompleteMs ?? endMs;
  const transmitting = link.busyIntervals("up");
  const energy = clientEnergy(computing, transmitting, 0, windowEnd, power);
  const queriesDuringUpload = queries.filter((q) => q.raisedAtMs + q.latencyMs <= windowEnd).length;
  const partitions: SimulatedPartition[] = (adaptive ? client.currentPlan() : decision.partitions).map((layers, i) => {
    let bytes = 0;
    for (const index of layers) bytes += parameterBytes(network.layers[index]!);
    return {
      layers: layers.map((index) => network.layers[index]!.name),
      bytes,
      ackedAtMs: acked.get(i) ?? null,
      expectedQueryMs: adaptive && adaptive.replans.length > 0 ? null : (decision.expectedQueryMs?.[i] ?? null),
    };
  });
  return {
    network: network.name,
    policy: adaptive ? `${policy.name} replan=${adaptive.mode}` : policy.name,
    settings: { mbps, downlinkMbps, megabit, latencyMs, sharing, seconds, preprocessingMs, preprocessingJitterMs: jitterMs, seed, costs: costs.source, execution, calibration: calibration.name, linkMbps, uploadOverheadMs: calibration.uploadOverheadMs, uploadOverheadPer: calibration.uploadOverheadPer },
    queries,
    partitions,
    uploadCompleteMs,
    queriesDuringUpload,
    clientEnergyJ: energy.joules,
    energy,
    endMs,
    activity: { computing, transmitting },
    bytes: { up: link.bytesSent("up"), down: link.bytesSent("down") },
    events: clock.eventsFired(),
    ...(adaptive ? { bandwidthEstimates: adaptive.estimates(), replans: adaptive.replans } : {}),
  };
}

/**
 * Client energy of a finished simulation over any window (e.g. to compare
 * policies over the same interval). `O(intervals log intervals)`. The default
 * power model is that of the run's built-in calibration (`paper-2018`: the
 * additive one), else {@link ODROID_XU4_POWER}.
 * @throws {InvalidArgumentError} when the window is reversed.
 */
export function clientEnergyBetween(result: SimulationResult, fromMs: number, toMs: number, power?: PowerModel): EnergyBreakdown {
  const builtIn = (CALIBRATION_NAMES as readonly string[]).includes(result.settings.calibration) ? calibrationByName(result.settings.calibration).power : ODROID_XU4_POWER;
  return clientEnergy(result.activity.computing, result.activity.transmitting, fromMs, toMs, power ?? builtIn);
}

/**
 * The `ionn simulate --json` document (DESIGN.md): `{queries: [{raisedAtMs,
 * latencyMs, serverLayers, partitionsUploaded}], uploadCompleteMs,
 * queriesDuringUpload, clientEnergyJ}` plus the network, policy, settings,
 * partitions (names and bytes, ACK times) and the energy breakdown.
 */
export function simulationDocument(result: SimulationResult) {
  return {
    /** Network name. */
    network: result.network,
    /** Policy name. */
    policy: result.policy,
    /** The resolved scenario settings ({@link SimulationResult.settings}). */
    settings: result.settings,
    /** The closed loop's queries in raise order. */
    queries: result.queries.map((q) => ({
      /** When the query was raised, ms. */
      raisedAtMs: q.raisedAtMs,
      /** Raise to result, ms. */
      latencyMs: q.latencyMs,
      /** How many layers ran on the server. */
      serverLayers: q.serverLayers,
      /** Partitions ACKed when the query was raised. */
      partitionsUploaded: q.partitionsUploaded,
    })),
    /** When the last partition was ACKed, ms, or null. */
    uploadCompleteMs: result.uploadCompleteMs,
    /** Queries that finished by the end of the upload window. */
    queriesDuringUpload: result.queriesDuringUpload,
    /** Client energy over the upload window, joules. */
    clientEnergyJ: result.clientEnergyJ,
    /** The energy's breakdown by state over that window. */
    energy: result.energy,
    /** The policy's partitions in upload order (layer names, bytes, ACK times). */
    partitions: result.partitions,
    /** When the run stopped, ms. */
    endMs: result.endMs,
    /** With a bandwidth trace: the client's estimates `[{atMs, mbps}]` (absent otherwise). */
    bandwidthEstimates: result.bandwidthEstimates,
    /** With a bandwidth trace: the re-plans `[{atMs, mbps, partitionsLeft}]` (absent otherwise). */
    replans: result.bandwidthEstimates ? (result.replans ?? []) : undefined,
  };
}
