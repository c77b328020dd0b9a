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
  readonly placement?: (uploaded: ReadonlySet<number>) => Iterable<number>;
  /**
   * Content addressing (default `true`): before each partition, offer the
   * digests of its layers and send only the weights the server lacks
   * (needs a transport with `offer`; a server that refuses offers gets full uploads).
   */
  readonly contentAddressing?: boolean;
}

/** Per-connection counters of an {@link OffloadingClient} (see {@link OffloadingClient.stats}). */
export interface ConnectionStats {
  /** 0 for the transport given to the constructor, then one more per {@link OffloadingClient.reconnect} or {@link OffloadingClient.handoff}. */
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

/** Events reported through {@link OffloadingClientOptions.onEvent}. */
export type ClientEvent =
  | { readonly type: "connected"; readonly sessionId: string; readonly atMs: number }
  | { readonly type: "ack"; readonly partition: number; readonly layers: readonly number[]; readonly atMs: number }
  | { readonly type: "upload-complete"; readonly atMs: number }
  | { readonly type: "server-failed"; readonly error: Error; readonly atMs: number };

/** The outcome of one query. */
export interface QueryResult {
  /** The network's output tensors, by {@link tensorKey}. */
  readonly outputs: Map<string, Tensor>;
  /** Runtime indices of the layers that ran on the server, ascending. */
  readonly serverLayers: readonly number[];
  /** True when a server call failed and its layers ran locally instead. */
  readonly fellBack: boolean;
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
  /** Content addressing and handoff bookkeeping. */
  index: number;
  atMs: number;
  retired: boolean;
  planOrder: boolean;
  noOffer: boolean;
  weightBytesSent: number;
  weightBytesReceivedByServer: number;
  weightBytesReused: number;
  firstOffloadedQueryMs: number | undefined;
  activeFromMs: number | undefined;
  progress?: () => void;
}

const defaultClock: Clock = { now: () => performance.now() };
const defaultScheduler: Scheduler = {
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
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
  private readonly partitions: readonly (readonly number[])[];
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly queryTimeoutMs: number;
  private readonly onEvent: ((event: ClientEvent) => void) | undefined;
  private readonly placement: ((uploaded: ReadonlySet<number>) => Iterable<number>) | undefined;
  /** For each tensor key, the last runtime index that reads it (Infinity for network outputs). */
  private readonly lastUse = new Map<string, number>();
  /** Layers a query runs, in runtime order (Input layers excluded: their outputs are the query input). */
  private readonly runnable: readonly Layer[];
  /** Partitions ACKed by any server so far (the upload resumes from the first one not in here). */
  private readonly ackedEver = new Set<number>();
  private localReady: Promise<void> | undefined;
  private link: Link;
  private started = false;
  private readonly contentAddressing: boolean;
  private readonly digests = new Map<string, string>();
  private readonly links: Link[] = [];
  /** A connection being opened by {@link OffloadingClient.handoff}, not yet serving queries. */
  private incoming: Link | undefined;

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
    this.contentAddressing = options.contentAddressing ?? true;
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
    if (this.links.length === 0) this.links.push(this.link);
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
      index: this.links?.length ?? 0,
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
    this.links?.push(link);
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
    this.link = this.newLink(transport);
    this.link.activeFromMs = this.clock.now();
    return this.connect(this.link);
  }

  private async connect(link: Link): Promise<SessionInfo> {
    let info: SessionInfo;
    try {
      info = await link.transport.open(this.declaration());
    } catch (error) {
      this.markFailed(link, error as Error);
      throw error;
    }
    link.sessionId = info.sessionId;
    this.emit({ type: "connected", sessionId: info.sessionId, atMs: this.clock.now() });
    link.done = this.uploadLoop(link);
    return info;
  }

  private async uploadLoop(link: Link): Promise<void> {
    const all = this.partitions.map((_, i) => i);
    const order = link.planOrder ? all : [...all.filter((i) => !this.ackedEver.has(i)), ...all.filter((i) => this.ackedEver.has(i))];
    for (const index of order) {
      if (link.failed || link.retired) return;
      const layers = this.partitions[index]!.map((i) => this.network.layers[i]!).filter((l) => l.type !== "Input");
      const weights = new Map<string, LayerWeights>();
      for (const layer of layers) {
        if (layer.paramShapes.length === 0) continue;
        const blobs = this.weights.get(layer.name);
        if (blobs === undefined) {
          this.markFailed(link, new InvalidArgumentError(`OffloadingClient: no weights for layer "${layer.name}"`));
          return;
        }
        weights.set(layer.name, blobs);
      }
      try {
        const ack = await this.sendPartition(link, index, layers, weights);
        link.weightBytesReceivedByServer += ack.weightBytesReceived ?? 0;
        link.weightBytesReused += ack.weightBytesReused ?? 0;
      } catch (error) {
        this.markFailed(link, error as Error);
        return;
      }
      if (link.failed) return;
      for (const i of this.partitions[index]!) link.serverLayers.add(i);
      link.acked.push(index);
      this.ackedEver.add(index);
      const atMs = this.clock.now();
      this.emit({ type: "ack", partition: index, layers: this.partitions[index]!, atMs });
      if (link.acked.length === this.partitions.length) {
        link.completedAtMs = atMs;
        this.emit({ type: "upload-complete", atMs });
      }
      link.progress?.();
    }
  }

  /**
   * Upload one partition; with content addressing, offer its digests first
   * and leave out the weights the server holds. A `blob-missing` refusal
   * (the server lost a record between offer and upload) is retried once with
   * every weight.
   */
  private async sendPartition(link: Link, index: number, layers: Layer[], weights: Map<string, LayerWeights>) {
    const bytesOf = (names: Iterable<string>) => {
      let n = 0;
      for (const name of names) for (const blob of weights.get(name) ?? []) n += blob.byteLength;
      return n;
    };
    if (!this.contentAddressing || link.noOffer || link.transport.offer === undefined || weights.size === 0) {
      link.weightBytesSent += bytesOf(weights.keys());
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
      link.weightBytesSent += bytesOf(weights.keys());
      return link.transport.upload({ index, layers, weights });
    }
    const cached = new Set([...digests].filter(([, d]) => have.has(d)).map(([name]) => name));
    const sent = new Map([...weights].filter(([name]) => !cached.has(name)));
    try {
      link.weightBytesSent += bytesOf(sent.keys());
      return await link.transport.upload({ index, layers, weights: sent, digests, cached });
    } catch (error) {
      if (!(error instanceof RemoteError && error.code === "blob-missing")) throw error;
      link.weightBytesSent += bytesOf(weights.keys());
      return link.transport.upload({ index, layers, weights, digests });
    }
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
    await this.ensureLocal();
    const serverLayers: number[] = [];
    let fellBack = false;
    let connection = this.link.index;
    const layers = this.runnable;
    let position = 0;
    while (position < layers.length) {
      const link = this.link;
      const placed = this.placed(link);
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
          result = await this.callServer(link, run, inputs, outputs);
          serverLayers.push(...run);
          connection = link.index;
          link.firstOffloadedQueryMs ??= raisedAtMs;
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
    return { outputs: result, serverLayers, fellBack, raisedAtMs, latencyMs: this.clock.now() - raisedAtMs, connection };
  }

  /** The uploaded layers a query runs on the server (see {@link OffloadingClientOptions.placement}). */
  private placed(link: Link): ReadonlySet<number> {
    if (this.placement === undefined) return link.serverLayers;
    if (link.placed === undefined || link.placedFor !== link.serverLayers.size) {
      const chosen = new Set<number>();
      for (const index of this.placement(link.serverLayers)) if (link.serverLayers.has(index)) chosen.add(index);
      link.placed = chosen;
      link.placedFor = link.serverLayers.size;
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
    this.link.failed = true;
    if (this.incoming !== undefined) {
      this.incoming.failed = true;
      await this.incoming.transport.close().catch(() => undefined);
    }
    await this.link.transport.close().catch(() => undefined);
  }
}
