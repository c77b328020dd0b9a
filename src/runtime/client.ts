/**
 * The IONN offloading client (IONN §4 "Runtime phase", Figure 3): an
 * uploading loop that sends the partitions of an upload plan one after the
 * other (partition i+1 after the ACK of partition i), and a query path that
 * executes collaboratively with whatever has been ACKed so far: it walks the
 * layers in runtime order, runs each maximal run of local layers on the local
 * executor, sends the boundary tensors of each maximal run of uploaded layers
 * to the server and continues with the result. A query never waits for an
 * upload; if the server fails or times out, the query finishes locally with
 * the same result, and the upload resumes after {@link OffloadingClient.reconnect}.
 *
 * @module
 */
import { InvalidArgumentError, TransportError } from "../errors.js";
import { type Network, type Layer, tensorKey, tensorShape } from "../model/types.js";
import { RemoteError } from "./protocol.js";
import type { ServerLoad } from "./types.js";
import { resumeOrder } from "./resume.js";
import { verifyResult, sameTensors } from "./verify.js";
import { runUploadWindow } from "./upload-window.js";
import { digestLayer } from "./content.js";
import type {
  Clock,
  Executor,
  LayerWeights,
  NetworkDeclaration,
  Scheduler,
  SessionInfo,
  Tensor,
  TensorMap,
  Transport,
  UploadSchedule,
} from "./types.js";

/** Options of {@link OffloadingClient}. */
export interface OffloadingClientOptions {
  /** The network (runtime layer order). */
  readonly network: Network;
  /** Parameter blobs by layer name. */
  readonly weights: ReadonlyMap<string, LayerWeights>;
  /** The client's own executor; the client loads every layer into it on first use unless `localLoaded`. */
  readonly local: Executor;
  /** Set when `local` already holds every layer (default `false`). */
  readonly localLoaded?: boolean;
  /** How to reach the server (opened by {@link OffloadingClient.start}). */
  readonly transport: Transport;
  /** The upload plan: partitions of runtime layer indices, in upload order. */
  readonly plan: UploadSchedule;
  /** Time source (default `performance.now()`). */
  readonly clock?: Clock;
  /** Timer source for the query timeout (default `setTimeout`). */
  readonly scheduler?: Scheduler;
  /** A server call of a query that takes longer fails over to local execution (default 10 000 ms). */
  readonly queryTimeoutMs?: number;
  /** Called on session, ACK, completion and failure events. */
  readonly onEvent?: (event: ClientEvent) => void;
  /**
   * Chooses which uploaded layers a query runs on the server, given the
   * runtime indices of the layers ACKed so far on the current connection
   * (default: all of them). Returned layers that are not uploaded are
   * ignored. Called when a query starts and again after each new ACK. Lets a
   * policy upload the whole model but offload only the best collaborative
   * path (the paper's all-at-once baseline, §6.2).
   */
  readonly placement?: (uploaded: ReadonlySet<number>, load?: ServerLoad) => Iterable<number>;
  /**
   * Check every server result before using it (default `"full"`). With
   * `"structure"` and `"full"`, the wanted tensors must all be there with the
   * declared shapes and sizes; a result that fails is replaced by local
   * execution and the server is distrusted. With `"full"`, a tensor that is
   * all zeros or holds NaN/±Infinity is also recomputed locally and compared
   * (such values are legal, but also what a broken or tampering server
   * sends). `"off"` trusts the server (a missing output then throws).
   * The simulator uses `"structure"`: its executors compute no real values.
   */
  readonly verify?: "full" | "structure" | "off";
  /**
   * Audit mode: recompute this fraction of the server runs locally and compare
   * (bit for bit when `tolerance` is 0, the default, which is right with the
   * reference executor on both sides; a relative tolerance otherwise). A
   * mismatch replaces the answer by the local one and distrusts the server.
   */
  readonly audit?: AuditOptions;
  /**
   * Yield to the event loop when a query starts, so back-to-back queries let
   * the upload progress (default `true`; never with an injected `scheduler`,
   * e.g. the simulator's virtual clock).
   */
  readonly yieldBetweenQueries?: boolean;
  /**
   * Reconnect by itself when the connection fails (not when the server was
   * distrusted or the client closed): makes a new transport with
   * `transport()` after a delay that doubles from `initialDelayMs` (default
   * 250) up to `maxDelayMs` (default 8 000), at most `maxAttempts` times in a
   * row (default unlimited). The new session resumes from what the server
   * still holds.
   */
  readonly reconnect?: ReconnectOptions;
  /**
   * Partitions in flight at once (pipelined upload, `upload-window.ts`): the
   * next partition is sent while the server still decodes and loads the
   * previous ones (default 1: each after the previous ACK, as the paper).
   */
  readonly uploadWindow?: number;
  /**
   * Decide the placement once per query, with the ACKs received when it is
   * raised (default `false`: re-decided per run). A planner whose paths are
   * not nested (the `optimal` and `enhanced` schedules) sets it, so a query
   * never switches to a path that ships an intermediate tensor up mid-way.
   */
  readonly placementPerQuery?: boolean;
  /**
   * Content addressing (default `true`): before each partition, offer the
   * digests of its layers and send only the weights the server lacks
   * (needs a transport with `offer`; a server that refuses offers gets full uploads).
   */
  readonly contentAddressing?: boolean;
}

/** Per-connection counters of an {@link OffloadingClient} (see {@link OffloadingClient.stats}). */
export interface ConnectionStats {
  /** 0 for the transport given to the constructor, then one more per reconnect or {@link OffloadingClient.handoff}. */
  readonly connection: number;
  /** Clock time the connection was requested (the handoff or reconnect call). */
  readonly atMs: number;
  /** Weight bytes this client sent on it. */
  readonly weightBytesSent: number;
  /** Weight bytes the server said it received on it (from its ACKs). */
  readonly weightBytesReceivedByServer: number;
  /** Weight bytes the server took from its memory or store instead (from its ACKs). */
  readonly weightBytesReused: number;
  /** Raise time of the first query that ran layers on this server, if any. */
  readonly firstOffloadedQueryMs: number | undefined;
  /** Clock time the client switched its queries to this connection. */
  readonly activeFromMs: number | undefined;
}

/** Counters of an {@link OffloadingClient}. */
export interface ClientStats {
  /** Weight bytes sent over all connections. */
  readonly weightBytesSent: number;
  /** One entry per connection, oldest first. */
  readonly connections: readonly ConnectionStats[];
}

/** Audit mode of {@link OffloadingClientOptions.audit}. */
export interface AuditOptions {
  /** Fraction of server runs recomputed locally (0–1). */
  readonly fraction: number;
  /** Relative tolerance per element; 0 (default) compares bits. */
  readonly tolerance?: number;
  /** Random source in [0, 1) deciding which runs are audited (default `Math.random`; pass a seeded one for reproducible runs). */
  readonly random?: () => number;
}

/** Automatic reconnection of {@link OffloadingClientOptions.reconnect}. */
export interface ReconnectOptions {
  /** Makes the transport of each new attempt. */
  readonly transport: () => Transport;
  /** Delay before the first attempt, doubled after each failed one (ms, default 250). */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts (ms, default 8 000). */
  readonly maxDelayMs?: number;
  /** Most attempts in a row before giving up (default unlimited). */
  readonly maxAttempts?: number;
}

/** Events reported through {@link OffloadingClientOptions.onEvent}. */
export type ClientEvent =
  | { readonly type: "connected"; readonly sessionId: string; readonly atMs: number }
  | { readonly type: "ack"; readonly partition: number; readonly layers: readonly number[]; readonly atMs: number }
  | { readonly type: "upload-complete"; readonly atMs: number }
  | { readonly type: "server-failed"; readonly error: Error; readonly atMs: number }
  | { readonly type: "distrusted"; readonly reason: string; readonly atMs: number }
  | { readonly type: "reconnecting"; readonly attempt: number; readonly delayMs: number; readonly atMs: number }
  | { readonly type: "resumed"; readonly heldPartitions: readonly number[]; readonly atMs: number };

/** The outcome of one query. */
export interface QueryResult {
  /** The network's output tensors, by {@link tensorKey}. */
  readonly outputs: Map<string, Tensor>;
  /** Runtime indices of the layers that ran on the server, ascending. */
  readonly serverLayers: readonly number[];
  /** True when a server call failed, or its result was refused by verification or audit, and its layers ran locally instead. */
  readonly fellBack: boolean;
  /** True when at least one server run of this query was recomputed locally and compared (audit or suspicious values). */
  readonly audited?: boolean;
  /** Clock time when the query was raised. */
  readonly raisedAtMs: number;
  /** Clock time from raise to result. */
  readonly latencyMs: number;
  /** The connection ({@link ConnectionStats.connection}) whose server ran `serverLayers` (the current one when none ran there). */
  readonly connection: number;
}

/** Upload progress on the current connection. */
export interface UploadStatus {
  /** Session id on the current connection, if open. */
  readonly sessionId: string | undefined;
  /** Partition indices ACKed by the current server, in ACK order. */
  readonly ackedPartitions: readonly number[];
  /** Every partition was ACKed by the current server. */
  readonly complete: boolean;
  /** Clock time of the last ACK that completed the plan, if it did. */
  readonly completedAtMs: number | undefined;
  /** The current connection failed (queries run locally until {@link OffloadingClient.reconnect}). */
  readonly failed: boolean;
  /** A server call timed out and its answer is still due: queries run locally meanwhile, the upload goes on. */
  readonly stalled: boolean;
  /** Weight bytes handed to transports for upload so far (all connections). */
  readonly weightBytesSent: number;
  /** A server result failed verification or audit: the client no longer uses that server. */
  readonly distrusted: boolean;
  /** Connections opened after the first (automatic or {@link OffloadingClient.reconnect}). */
  readonly reconnects: number;
}

interface Link {
  readonly transport: Transport;
  sessionId: string | undefined;
  readonly acked: number[];
  readonly serverLayers: Set<number>;
  failed: boolean;
  /**
   * A server call timed out and its answer has not arrived yet: queries run
   * locally until it does (the upload goes on; a slow link is not a lost server).
   */
  stalled: boolean;
  completedAtMs: number | undefined;
  done: Promise<void>;
  /** The placement's answer for `serverLayers` of size `placedFor` (undefined: not computed yet). */
  placed?: ReadonlySet<number>;
  placedFor?: number;
  placedLoad?: ServerLoad | undefined;
  /** What lets the next connection resume this session. */
  resume?: { readonly sessionId: string; readonly secret: string };
  placedVersion?: number;
  /** The upload loop is running. */
  looping?: boolean;
  /** Partitions being uploaded on this connection (at most the upload window). */
  readonly sending: Set<number>;
  /** Content addressing and handoff bookkeeping. */
  index: number;
  atMs: number;
  /** A handoff is moving away from this connection: finish what is in flight, upload no more. */
  retired: boolean;
  /** Upload in plan order (a handoff's new server), not the resume order. */
  planOrder: boolean;
  /** The server refused an offer: plain uploads from now on. */
  noOffer: boolean;
  weightBytesSent: number;
  weightBytesReceivedByServer: number;
  weightBytesReused: number;
  firstOffloadedQueryMs: number | undefined;
  activeFromMs: number | undefined;
  progress?: (() => void) | undefined;
}

const defaultClock: Clock = { now: () => performance.now() };
const defaultScheduler: Scheduler = {
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A transport that never connects (stands for a transport factory that threw). */
const failedTransport: Transport = {
  open: () => Promise.reject(new TransportError("OffloadingClient: no transport")),
  upload: () => Promise.reject(new TransportError("OffloadingClient: no transport")),
  execute: () => Promise.reject(new TransportError("OffloadingClient: no transport")),
  close: () => Promise.resolve(),
};

/** Thrown internally when a server call exceeds the query timeout. */
class QueryTimeout extends TransportError {
  override name = "QueryTimeout";
}

/**
 * The offloading client. Create it, call {@link OffloadingClient.start} (opens
 * the session and starts the background upload), and call
 * {@link OffloadingClient.query} as queries arrive.
 *
 * @example
 * ```ts
 * const client = new OffloadingClient({
 *   network, weights, local: referenceExecutor(), plan,
 *   transport: tcpTransport({ host: "127.0.0.1", port: 7070, timeoutMs: 5000 }),
 * });
 * await client.start();
 * const { outputs, serverLayers } = await client.query(image);
 * await client.whenUploaded();
 * await client.close();
 * ```
 */
export class OffloadingClient {
  private readonly network: Network;
  private readonly weights: ReadonlyMap<string, LayerWeights>;
  private readonly local: Executor;
  /** The plan; entries from the first partition never started on can be replaced by {@link OffloadingClient.replan}. */
  private partitions: (readonly number[])[];
  private readonly contentAddressing: boolean;
  private readonly digests = new Map<string, string>();
  private readonly links: Link[] = [];
  /** A connection being opened by {@link OffloadingClient.handoff}, not yet serving queries. */
  private incoming: Link | undefined;
  /** Bumped by {@link OffloadingClient.placementChanged}: cached placements are recomputed. */
  private placementVersion = 0;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly queryTimeoutMs: number;
  private readonly onEvent: ((event: ClientEvent) => void) | undefined;
  private readonly placement: ((uploaded: ReadonlySet<number>, load?: ServerLoad) => Iterable<number>) | undefined;
  private readonly verify: "full" | "structure" | "off";
  private readonly audit: OffloadingClientOptions["audit"];
  private readonly yieldBetweenQueries: boolean;
  private readonly customScheduler: boolean;
  private readonly reconnectOptions: OffloadingClientOptions["reconnect"];
  private weightBytesSent = 0;
  private distrusted = false;
  private closed = false;
  private reconnects = 0;
  private reconnectAttempts = 0;
  private cancelReconnect: (() => void) | undefined;
  /** For each tensor key, the last runtime index that reads it (Infinity for network outputs). */
  private readonly lastUse = new Map<string, number>();
  /** Layers a query runs, in runtime order (Input layers excluded: their outputs are the query input). */
  private readonly runnable: readonly Layer[];
  /** Partitions ACKed by any server so far (the upload resumes from the first one not in here). */
  private readonly ackedEver = new Set<number>();
  private localReady: Promise<void> | undefined;
  private link: Link;
  private started = false;
  private readonly uploadWindow: number;
  private readonly placementPerQuery: boolean;

  /** @throws {InvalidArgumentError} when the plan names a layer twice or a layer the network does not have. */
  constructor(options: OffloadingClientOptions) {
    this.network = options.network;
    this.weights = options.weights;
    this.local = options.local;
    this.clock = options.clock ?? defaultClock;
    this.scheduler = options.scheduler ?? defaultScheduler;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.onEvent = options.onEvent;
    this.placement = options.placement;
    this.verify = options.verify ?? "full";
    this.audit = options.audit;
    if (this.audit !== undefined && !(this.audit.fraction >= 0 && this.audit.fraction <= 1)) {
      throw new InvalidArgumentError(`OffloadingClient: audit.fraction must be within [0, 1], got ${this.audit.fraction}`);
    }
    this.yieldBetweenQueries = options.yieldBetweenQueries ?? true;
    this.customScheduler = options.scheduler !== undefined;
    this.reconnectOptions = options.reconnect;
    this.contentAddressing = options.contentAddressing ?? true;
    this.uploadWindow = options.uploadWindow ?? 1;
    this.placementPerQuery = options.placementPerQuery ?? false;
    if (!Number.isInteger(this.uploadWindow) || this.uploadWindow < 1) throw new InvalidArgumentError(`OffloadingClient: uploadWindow must be an integer ≥ 1, got ${String(options.uploadWindow)}`);
    if (options.localLoaded) this.localReady = Promise.resolve();
    const layers = this.network.layers;
    const seen = new Set<number>();
    this.partitions = options.plan.partitions.map((partition, p) =>
      partition.layers.map((index) => {
        if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
          throw new InvalidArgumentError(`OffloadingClient: plan partition ${p} names layer ${index}, not in network "${this.network.name}" (${layers.length} layers)`);
        }
        if (seen.has(index)) throw new InvalidArgumentError(`OffloadingClient: plan names layer ${index} "${layers[index]!.name}" twice`);
        seen.add(index);
        return index;
      }),
    );
    for (const layer of layers) {
      for (const ref of layer.inputs) {
        const k = tensorKey(ref);
        this.lastUse.set(k, Math.max(this.lastUse.get(k) ?? -1, layer.index));
      }
    }
    for (const ref of this.network.outputs) this.lastUse.set(tensorKey(ref), Number.POSITIVE_INFINITY);
    const inputKeys = new Set(this.network.inputs.map(tensorKey));
    this.runnable = layers.filter(
      (layer) => !(layer.type === "Input" && layer.tops.every((_, top) => inputKeys.has(`${layer.index}:${top}`))),
    );
    this.link = this.newLink(options.transport);
    this.link.activeFromMs = 0;
  }

  private newLink(transport: Transport): Link {
    const link: Link = {
      transport,
      sessionId: undefined,
      acked: [],
      serverLayers: new Set(),
      failed: false,
      stalled: false,
      completedAtMs: undefined,
      done: Promise.resolve(),
      sending: new Set(),
      index: this.links.length,
      atMs: this.clock.now(),
      retired: false,
      planOrder: false,
      noOffer: false,
      weightBytesSent: 0,
      weightBytesReceivedByServer: 0,
      weightBytesReused: 0,
      firstOffloadedQueryMs: undefined,
      activeFromMs: undefined,
    };
    this.links.push(link);
    return link;
  }

  private declaration(): NetworkDeclaration {
    return { name: this.network.name, layers: this.network.layers.map((l) => ({ name: l.name, type: l.type })) };
  }

  private emit(event: ClientEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // a listener's failure must not stop the runtime
    }
  }

  private markFailed(link: Link, error: Error): void {
    if (link.failed) return;
    link.failed = true;
    this.emit({ type: "server-failed", error, atMs: this.clock.now() });
    void link.transport.close().catch(() => undefined);
    link.progress?.();
    if (link === this.link) this.scheduleReconnect();
  }

  /** Stop using the current server: a result failed verification or audit. */
  private distrust(link: Link, reason: string): void {
    if (!this.distrusted) {
      this.distrusted = true;
      this.emit({ type: "distrusted", reason, atMs: this.clock.now() });
    }
    this.markFailed(link, new TransportError(`OffloadingClient: server distrusted: ${reason}`));
  }

  /** Schedule an automatic reconnect with exponential backoff (see {@link OffloadingClientOptions.reconnect}). */
  private scheduleReconnect(): void {
    const options = this.reconnectOptions;
    if (options === undefined || this.closed || this.distrusted || this.cancelReconnect !== undefined) return;
    if (this.reconnectAttempts >= (options.maxAttempts ?? Number.POSITIVE_INFINITY)) return;
    const attempt = ++this.reconnectAttempts;
    const initial = options.initialDelayMs ?? 250;
    const delayMs = Math.min(options.maxDelayMs ?? 8000, initial * 2 ** (attempt - 1));
    this.emit({ type: "reconnecting", attempt, delayMs, atMs: this.clock.now() });
    this.cancelReconnect = this.scheduler.schedule(delayMs, () => {
      this.cancelReconnect = undefined;
      if (this.closed || this.distrusted) return;
      let transport: Transport;
      try {
        transport = options.transport();
      } catch (error) {
        this.markFailed(this.newLink(failedTransport), error as Error);
        this.scheduleReconnect();
        return;
      }
      void this.reconnect(transport).then(
        () => {
          this.reconnectAttempts = 0;
        },
        () => undefined, // connect() marked the link failed, which scheduled the next attempt
      );
    });
  }

  /** Load every runnable layer into the local executor (once). */
  private ensureLocal(): Promise<void> {
    this.localReady ??= this.local.load(this.runnable, this.weights);
    return this.localReady;
  }

  /**
   * Open the session on the transport given to the constructor and start the
   * background upload. Resolves with the session (prediction functions
   * included) once `hello` is answered; rejects with {@link TransportError}
   * if the server cannot be reached (queries then run locally).
   */
  async start(): Promise<SessionInfo> {
    if (this.started) throw new InvalidArgumentError("OffloadingClient.start: already started; use reconnect(transport)");
    this.started = true;
    return this.connect(this.link);
  }

  /**
   * Drop the current connection and continue with a new transport (a new
   * session): the upload resumes with the first partition not ACKed by any
   * server yet, then re-sends the partitions this server lacks (ACKed by a
   * previous server only). Queries meanwhile run with what the new server has.
   */
  async reconnect(transport: Transport): Promise<SessionInfo> {
    const old = this.link;
    old.failed = true;
    await old.transport.close().catch(() => undefined);
    this.started = true;
    this.reconnects++;
    this.link = this.newLink(transport);
    this.link.resume = old.resume;
    this.link.activeFromMs = this.clock.now();
    return this.connect(this.link);
  }

  private async connect(link: Link): Promise<SessionInfo> {
    let info: SessionInfo;
    try {
      info = await link.transport.open(this.declaration(), link.resume === undefined ? {} : { resume: link.resume });
    } catch (error) {
      this.markFailed(link, error as Error);
      throw error;
    }
    link.sessionId = info.sessionId;
    if (info.resume !== undefined) link.resume = info.resume;
    this.emit({ type: "connected", sessionId: info.sessionId, atMs: this.clock.now() });
    const isInput = (i: number) => this.network.layers[i]!.type === "Input";
    const { held } = resumeOrder(this.partitions, new Set(info.holds ?? []), this.ackedEver, isInput);
    for (const index of held) {
      for (const i of this.partitions[index]!) link.serverLayers.add(i);
      link.acked.push(index);
      this.ackedEver.add(index);
    }
    if (held.length > 0) this.emit({ type: "resumed", heldPartitions: held, atMs: this.clock.now() });
    if (held.length > 0 && link.acked.length === this.partitions.length) {
      link.completedAtMs = this.clock.now();
      this.emit({ type: "upload-complete", atMs: link.completedAtMs });
    }
    link.done = this.uploadLoop(link);
    return info;
  }

  /**
   * The next partition to upload on `link`: the first never ACKed, then those
   * only a previous server ACKed (the resume order, `resume.ts`), skipping
   * those ACKed on this link or in flight.
   */
  private nextPartition(link: Link): number | undefined {
    const done = new Set(link.acked);
    if (!link.planOrder) for (let i = 0; i < this.partitions.length; i++) if (!this.ackedEver.has(i) && !done.has(i) && !link.sending.has(i)) return i;
    for (let i = 0; i < this.partitions.length; i++) if (!done.has(i) && !link.sending.has(i)) return i;
    return undefined;
  }

  /** Upload what `link` lacks, at most {@link OffloadingClientOptions.uploadWindow} partitions in flight; the plan may change meanwhile ({@link OffloadingClient.replan}). */
  private async uploadLoop(link: Link): Promise<void> {
    link.looping = true;
    try {
      await runUploadWindow(() => (link.failed || link.retired ? undefined : this.nextPartition(link)), this.uploadWindow, (index) => this.sendPartition(link, index));
    } finally {
      link.looping = false;
      link.sending.clear();
    }
  }

  /** Upload one partition on `link`; `true` when it was ACKed. */
  private async sendPartition(link: Link, index: number): Promise<boolean> {
    if (link.failed) return false;
    link.sending.add(index);
    try {
      const layers = this.partitions[index]!.map((i) => this.network.layers[i]!).filter((l) => l.type !== "Input");
      const weights = new Map<string, LayerWeights>();
      for (const layer of layers) {
        if (layer.paramShapes.length === 0) continue;
        const blobs = this.weights.get(layer.name);
        if (blobs === undefined) {
          this.markFailed(link, new InvalidArgumentError(`OffloadingClient: no weights for layer "${layer.name}"`));
          return false;
        }
        weights.set(layer.name, blobs);
      }
      try {
        const ack = await this.transmit(link, index, layers, weights);
        link.weightBytesReceivedByServer += ack.weightBytesReceived ?? 0;
        link.weightBytesReused += ack.weightBytesReused ?? 0;
      } catch (error) {
        this.markFailed(link, error as Error);
        return false;
      }
      if (link.failed) return false;
      for (const i of this.partitions[index]!) link.serverLayers.add(i);
      link.acked.push(index);
      this.ackedEver.add(index);
      const atMs = this.clock.now();
      this.emit({ type: "ack", partition: index, layers: this.partitions[index]!, atMs });
      if (link.acked.length === this.partitions.length) {
        link.completedAtMs = atMs;
        this.emit({ type: "upload-complete", atMs });
      }
      return true;
    } finally {
      link.sending.delete(index);
      link.progress?.();
    }
  }

  /**
   * Send one partition's weights; with content addressing, offer its digests
   * first and leave out the weights the server holds. A `blob-missing`
   * refusal (the server lost a record between offer and upload) is retried
   * once with every weight.
   */
  private async transmit(link: Link, index: number, layers: Layer[], weights: Map<string, LayerWeights>) {
    const count = (names: Iterable<string>) => {
      let n = 0;
      for (const name of names) for (const blob of weights.get(name) ?? []) n += blob.byteLength;
      link.weightBytesSent += n;
      this.weightBytesSent += n;
    };
    if (!this.contentAddressing || link.noOffer || link.transport.offer === undefined || weights.size === 0) {
      count(weights.keys());
      return link.transport.upload({ index, layers, weights });
    }
    const digests = new Map<string, string>();
    for (const layer of layers) {
      const blobs = weights.get(layer.name);
      if (blobs === undefined) continue;
      let digest = this.digests.get(layer.name);
      if (digest === undefined) {
        digest = digestLayer(layer, blobs);
        this.digests.set(layer.name, digest);
      }
      digests.set(layer.name, digest);
    }
    let have: ReadonlySet<string>;
    try {
      have = await link.transport.offer(index, [...new Set(digests.values())]);
    } catch (error) {
      if (!(error instanceof RemoteError) || error.code === "session-refused" || error.code === "no-session") throw error;
      link.noOffer = true; // a server without content addressing: plain uploads from now on
      count(weights.keys());
      return link.transport.upload({ index, layers, weights });
    }
    const cached = new Set([...digests].filter(([, d]) => have.has(d)).map(([name]) => name));
    const sent = new Map([...weights].filter(([name]) => !cached.has(name)));
    try {
      count(sent.keys());
      return await link.transport.upload({ index, layers, weights: sent, digests, cached });
    } catch (error) {
      if (!(error instanceof RemoteError && error.code === "blob-missing")) throw error;
      count(weights.keys());
      return link.transport.upload({ index, layers, weights, digests });
    }
  }

  /**
   * Runtime indices of the layers the current server holds or is receiving
   * (ACKed partitions and the one in flight): what a re-plan must not send again.
   */
  heldLayers(): Set<number> {
    const held = new Set<number>(this.link.serverLayers);
    for (let i = 0; i < this.keptPrefix(); i++) for (const l of this.partitions[i]!) held.add(l);
    return held;
  }

  /** Partitions `0 .. keptPrefix() − 1` were started on or ACKed by some server; the rest can be re-planned. */
  private keptPrefix(): number {
    let p = 0;
    for (const i of this.ackedEver) p = Math.max(p, i + 1);
    for (const i of this.link.acked) p = Math.max(p, i + 1);
    for (const i of this.link.sending) p = Math.max(p, i + 1);
    return p;
  }

  /**
   * Replace the part of the plan not started yet with `partitions` (runtime
   * layer indices, upload order). Layers already held or in flight
   * ({@link OffloadingClient.heldLayers}) are dropped from them, empty
   * partitions are dropped, and the upload goes on with the new rest (the
   * partition in flight is not interrupted; nothing ACKed is sent again).
   * Returns the number of partitions left to upload.
   *
   * @throws {InvalidArgumentError} when a partition names a layer the network does not have, or names a layer twice.
   */
  replan(partitions: readonly (readonly number[])[]): number {
    const layers = this.network.layers;
    const keep = this.keptPrefix();
    const held = this.heldLayers();
    const seen = new Set<number>();
    const rest: number[][] = [];
    partitions.forEach((partition, p) => {
      const fresh: number[] = [];
      for (const index of partition) {
        if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
          throw new InvalidArgumentError(`OffloadingClient.replan: partition ${p} names layer ${index}, not in network "${this.network.name}" (${layers.length} layers)`);
        }
        if (seen.has(index)) throw new InvalidArgumentError(`OffloadingClient.replan: layer ${index} "${layers[index]!.name}" named twice`);
        seen.add(index);
        if (!held.has(index)) fresh.push(index);
      }
      if (fresh.length > 0) rest.push(fresh);
    });
    this.partitions = [...this.partitions.slice(0, keep), ...rest];
    const link = this.link;
    if (this.started && !link.looping && !link.failed && link.sessionId !== undefined && rest.length > 0) {
      link.completedAtMs = undefined;
      link.done = this.uploadLoop(link);
    }
    return rest.length;
  }

  /** The current plan: partitions of runtime layer indices in upload order (after any {@link OffloadingClient.replan}). */
  currentPlan(): (readonly number[])[] {
    return this.partitions.map((p) => [...p]);
  }

  /** Tell the client the placement function's answer may have changed (e.g. a new bandwidth estimate): the next server run asks it again. */
  placementChanged(): void {
    this.placementVersion++;
  }

  /** Resolves when the current connection's upload loop ends (all ACKed, or failed). */
  whenUploaded(): Promise<void> {
    return this.link.done;
  }

  /** Upload progress on the current connection. */
  status(): UploadStatus {
    const link = this.link;
    return {
      sessionId: link.sessionId,
      ackedPartitions: [...link.acked],
      complete: link.acked.length === this.partitions.length,
      completedAtMs: link.completedAtMs,
      failed: link.failed,
      stalled: link.stalled,
      weightBytesSent: this.weightBytesSent,
      distrusted: this.distrusted,
      reconnects: this.reconnects,
    };
  }

  private normaliseInput(input: Tensor | TensorMap): Map<string, Tensor> {
    const map = new Map<string, Tensor>();
    if ("shape" in input && "data" in input) {
      if (this.network.inputs.length !== 1) {
        throw new InvalidArgumentError(`OffloadingClient.query: network "${this.network.name}" has ${this.network.inputs.length} inputs; pass a map keyed by tensor key`);
      }
      map.set(tensorKey(this.network.inputs[0]!), input as Tensor);
    } else {
      for (const [k, v] of input as TensorMap) map.set(k, v);
    }
    for (const ref of this.network.inputs) {
      const k = tensorKey(ref);
      const tensor = map.get(k);
      const shape = tensorShape(this.network, ref);
      if (tensor === undefined) throw new InvalidArgumentError(`OffloadingClient.query: missing input ${k} ("${this.network.layers[ref.layer]!.name}")`);
      const expected = shape.reduce((a, b) => a * b, 1);
      if (tensor.data.length !== expected || tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new InvalidArgumentError(`OffloadingClient.query: input ${k} has shape [${tensor.shape.join(", ")}], the network expects [${shape.join(", ")}]`);
      }
    }
    return map;
  }

  /**
   * Run one query collaboratively (IONN §4): maximal runs of local layers on
   * the local executor, maximal runs of ACKed layers on the server, in
   * runtime order, deciding each run with the ACKs received so far. Never
   * waits for an upload. A failed or timed-out server call is redone locally
   * (same result). A failed call marks the connection failed (queries run
   * locally, the upload stops until {@link OffloadingClient.reconnect}); a
   * timed-out one only stalls it: later queries run locally until the late
   * answer arrives, and the upload goes on.
   *
   * @param input the input tensor (single-input networks) or a map keyed by {@link tensorKey}.
   * @throws {InvalidArgumentError} when the input does not match the network's input shapes.
   */
  async query(input: Tensor | TensorMap): Promise<QueryResult> {
    const raisedAtMs = this.clock.now();
    const live = this.normaliseInput(input);
    // Let I/O run (the upload's writes, ACKs) even when queries come back to back.
    // (Not under an injected scheduler: a virtual clock models time itself and has no I/O to let through.)
    if (this.yieldBetweenQueries && !this.customScheduler) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.ensureLocal();
    const serverLayers: number[] = [];
    let fellBack = false;
    let audited = false;
    let connection = this.link.index;
    const layers = this.runnable;
    let position = 0;
    const snapshot = this.placementPerQuery ? this.placed(this.link) : undefined;
    while (position < layers.length) {
      const link = this.link;
      const placed = snapshot ?? this.placed(link);
      const onServer = (layer: Layer) => !link.failed && !link.stalled && placed.has(layer.index);
      const remote = onServer(layers[position]!);
      const run: number[] = [];
      while (position < layers.length && onServer(layers[position]!) === remote) run.push(layers[position++]!.index);
      const inRun = new Set(run);
      const last = run[run.length - 1]!;
      const inputs = new Map<string, Tensor>();
      const outputs: string[] = [];
      for (const index of run) {
        const layer = this.network.layers[index]!;
        for (const ref of layer.inputs) {
          if (inRun.has(ref.layer)) continue;
          const k = tensorKey(ref);
          const tensor = live.get(k);
          if (tensor === undefined) throw new InvalidArgumentError(`OffloadingClient.query: tensor ${k} read by "${layer.name}" was never produced`);
          inputs.set(k, tensor);
        }
        layer.tops.forEach((_, top) => {
          const k = `${index}:${top}`;
          if ((this.lastUse.get(k) ?? -1) > last) outputs.push(k);
        });
      }
      if (outputs.length === 0) continue; // nothing downstream reads these layers
      let result: Map<string, Tensor> | undefined;
      if (remote) {
        try {
          const answer = await this.callServer(link, run, inputs, outputs);
          const check = await this.checked(link, run, inputs, outputs, answer);
          audited ||= check.recomputed;
          if (check.trusted) {
            result = answer;
            serverLayers.push(...run);
            connection = link.index;
            link.firstOffloadedQueryMs ??= raisedAtMs;
          } else {
            fellBack = true;
            result = check.local; // undefined: run locally below
          }
        } catch (error) {
          fellBack = true;
          // A timeout only stalls the link (see Link.stalled); transport errors and lost sessions fail it.
          if (!(error instanceof QueryTimeout) && (!(error instanceof RemoteError) || error.code === "session-refused" || error.code === "no-session")) {
            this.markFailed(link, error as Error);
          }
        }
      }
      result ??= await this.local.run(run, inputs, outputs);
      for (const k of outputs) {
        const tensor = result.get(k);
        if (tensor === undefined) throw new TransportError(`OffloadingClient.query: layers ${run[0]}…${last} did not return ${k}`);
        live.set(k, tensor);
      }
      for (const k of [...live.keys()]) if ((this.lastUse.get(k) ?? -1) <= last) live.delete(k);
    }
    const result = new Map<string, Tensor>();
    for (const ref of this.network.outputs) {
      const k = tensorKey(ref);
      const tensor = live.get(k);
      if (tensor === undefined) throw new InvalidArgumentError(`OffloadingClient.query: output ${k} was not produced`);
      result.set(k, tensor);
    }
    return { outputs: result, serverLayers, fellBack, audited, raisedAtMs, latencyMs: this.clock.now() - raisedAtMs, connection };
  }

  /**
   * Verify (and maybe audit) one server answer: returns it when it is
   * trusted, a local recomputation when it was suspicious or audited (the
   * server is distrusted when they differ), or `undefined` when it is
   * invalid (the server is distrusted; the caller runs the layers locally).
   */
  private async checked(
    link: Link,
    run: number[],
    inputs: Map<string, Tensor>,
    outputs: string[],
    answer: Map<string, Tensor>,
  ): Promise<{ trusted: boolean; recomputed: boolean; local?: Map<string, Tensor> }> {
    const where = `layers ${run[0]}…${run[run.length - 1]}`;
    let recompute: string | undefined;
    if (this.verify !== "off") {
      const verdict = verifyResult(this.network, outputs, answer);
      if (verdict.kind === "invalid") {
        this.distrust(link, `${where}: ${verdict.reason}`);
        return { trusted: false, recomputed: false };
      }
      if (verdict.kind === "suspicious" && this.verify === "full") recompute = verdict.reason;
    }
    if (recompute === undefined && this.audit !== undefined && this.audit.fraction > 0 && (this.audit.random ?? Math.random)() < this.audit.fraction) {
      recompute = "audit";
    }
    if (recompute === undefined) return { trusted: true, recomputed: false };
    const local = await this.local.run(run, inputs, outputs);
    if (sameTensors(outputs, answer, local, this.audit?.tolerance ?? 0)) return { trusted: true, recomputed: true };
    this.distrust(link, `${where}: the local result differs from the server's (${recompute})`);
    return { trusted: false, recomputed: true, local };
  }

  /** The uploaded layers a query runs on the server (see {@link OffloadingClientOptions.placement}). */
  private placed(link: Link): ReadonlySet<number> {
    if (this.placement === undefined) return link.serverLayers;
    const load = link.transport.serverLoad?.();
    if (link.placed === undefined || link.placedFor !== link.serverLayers.size || link.placedLoad !== load || link.placedVersion !== this.placementVersion) {
      const chosen = new Set<number>();
      for (const index of this.placement(link.serverLayers, load)) if (link.serverLayers.has(index)) chosen.add(index);
      link.placed = chosen;
      link.placedFor = link.serverLayers.size;
      link.placedLoad = load;
      link.placedVersion = this.placementVersion;
    }
    return link.placed;
  }

  private callServer(link: Link, layers: number[], inputs: Map<string, Tensor>, outputs: string[]): Promise<Map<string, Tensor>> {
    return new Promise<Map<string, Tensor>>((resolve, reject) => {
      let settled = false;
      const cancel = this.scheduler.schedule(this.queryTimeoutMs, () => {
        if (settled) return;
        settled = true;
        link.stalled = true;
        reject(new QueryTimeout(`OffloadingClient.query: the server did not answer within ${this.queryTimeoutMs} ms`));
      });
      link.transport.execute({ layers, inputs, outputs }).then(
        (value) => {
          link.stalled = false;
          if (settled) return;
          settled = true;
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          const failure = error instanceof Error ? error : new TransportError(String(error));
          if (settled) {
            // The late answer of a timed-out call: a lost connection still fails the link.
            link.stalled = false;
            if (!(failure instanceof RemoteError)) this.markFailed(link, failure);
            return;
          }
          settled = true;
          cancel();
          reject(failure);
        },
      );
    });
  }

  /**
   * Hand the client off to another edge server (issue 11): open a session on
   * `transport` while queries go on with the current server (or locally),
   * upload the plan to the new server in plan order (with content
   * addressing, only what it lacks: from a shared store it may need no
   * weights at all), and switch queries to it once it holds at least what the
   * old server held (at once if the old connection failed); then close the
   * old connection. Resolves at the switch with the new session.
   *
   * @throws {TransportError} when the new server cannot be reached (the client stays on the old one).
   * @throws {InvalidArgumentError} when called before {@link OffloadingClient.start} or during another handoff.
   */
  async handoff(transport: Transport): Promise<SessionInfo> {
    if (!this.started) throw new InvalidArgumentError("OffloadingClient.handoff: call start() first");
    if (this.incoming !== undefined) throw new InvalidArgumentError("OffloadingClient.handoff: a handoff is already under way");
    const old = this.link;
    old.retired = true; // finish the partition in flight, upload no more to the old server
    const next = this.newLink(transport);
    next.planOrder = true;
    this.incoming = next;
    let info: SessionInfo;
    try {
      info = await next.transport.open(this.declaration());
    } catch (error) {
      this.incoming = undefined;
      next.failed = true;
      old.retired = false;
      if (!old.failed) old.done = old.done.then(() => this.uploadLoop(old));
      throw error;
    }
    next.sessionId = info.sessionId;
    this.emit({ type: "connected", sessionId: info.sessionId, atMs: this.clock.now() });
    next.done = this.uploadLoop(next);
    let loopEnded = false;
    void next.done.finally(() => {
      loopEnded = true;
      next.progress?.();
    });
    await new Promise<void>((resolve) => {
      const check = () => {
        const caughtUp = [...old.serverLayers].every((i) => next.serverLayers.has(i));
        if (caughtUp || old.failed || next.failed || loopEnded) resolve();
      };
      next.progress = check;
      old.progress = check;
      check();
    });
    next.progress = undefined;
    old.progress = undefined;
    this.incoming = undefined;
    this.link = next;
    next.activeFromMs = this.clock.now();
    old.failed = true;
    void old.transport.close().catch(() => undefined);
    return info;
  }

  /** Weight bytes sent and per-connection counters (handoffs and reconnects included). */
  stats(): ClientStats {
    const connections = this.links.map((l) => ({
      connection: l.index,
      atMs: l.atMs,
      weightBytesSent: l.weightBytesSent,
      weightBytesReceivedByServer: l.weightBytesReceivedByServer,
      weightBytesReused: l.weightBytesReused,
      firstOffloadedQueryMs: l.firstOffloadedQueryMs,
      activeFromMs: l.activeFromMs,
    }));
    return { weightBytesSent: connections.reduce((a, c) => a + c.weightBytesSent, 0), connections };
  }

  /** Stop uploading and close the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
    if (this.incoming !== undefined) {
      this.incoming.failed = true;
      await this.incoming.transport.close().catch(() => undefined);
    }
    this.link.failed = true;
    await this.link.transport.close().catch(() => undefined);
  }
}
