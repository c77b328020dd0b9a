/**
 * The IONN edge server (IONN §4, Figure 3, server side): one session per
 * client connection, a model built incrementally as partitions arrive (each
 * ACKed once loaded), execution of the uploaded layers the client names.
 *
 * {@link EdgeServer} is transport-independent: it handles decoded
 * {@link Message}s on a {@link ServerConnection}. {@link serveTcp} puts it on
 * `node:net` with the binary protocol of `protocol.ts`; `inMemoryTransport`
 * calls it directly.
 *
 * Security model: a session id is 128 random bits and is bound to the
 * connection that opened it; a message on another connection naming it is
 * refused and that connection is closed. Sessions end with their connection.
 * Hostile input never throws out of the server: malformed frames close the
 * offending connection, bad requests get an `error` reply.
 *
 * @module
 */
// node:net is loaded by serveTcp only, so that EdgeServer bundles for the browser (ionn/planner).
import type { Server, Socket } from "node:net";
// In a variable so that bundlers for the browser do not try to resolve it.
const NODE_NET = "node:net";
import { constantTimeEqual, macrotask, randomHex } from "../platform/index.js";
import { IonnError, ProtocolError, TimeBudgetError } from "../errors.js";
import type { Layer } from "../model/types.js";
import {
  type ErrorCode,
  FrameDecoder,
  type Message,
  type MessageOf,
  type ProtocolLimits,
  encodeFrame,
  resolveLimits,
  tensorsByKey,
} from "./protocol.js";
import type { Clock, Executor, LayerWeights, NetworkDeclaration, Scheduler, Tensor } from "./types.js";
import { type WorkLimits, WorkLimitError, checkLayerWork, resolveWorkLimits } from "./work-limits.js";
import { type MemoryAccount, MemoryBudget } from "./memory-budget.js";
import { Admission, type AdmissionOptions, tokenMatches } from "./admission.js";

/** The execution load an {@link EdgeServer} reports (e.g. a worker pool's {@link PoolLoad}). */
export interface ExecutionLoad {
  /** Recent mean wait of requests in the execution queue (ms). */
  readonly queueDelayMs: number;
  /** Fraction of the execution capacity busy (0–1). */
  readonly utilization: number;
}
import type { PartitionStore } from "../store/index.js";
import { canonicalJson, type LayerRecord } from "../store/record.js";
import { ContentCache, type ContentStats, digestLayer, recordOfLayer } from "./content.js";
import { layerToJson } from "./protocol.js";

/** Options of {@link EdgeServer}. */
export interface EdgeServerOptions {
  /** Creates the (empty) executor of a new session, e.g. `() => referenceExecutor()`. */
  readonly executorFactory: () => Executor;
  /** Prediction functions shipped to clients in `hello-ok` (opaque JSON; default none). */
  readonly predictionFunctions?: unknown;
  /** Most weight bytes one session may hold, pending uploads included (default 1 GiB). */
  readonly maxSessionBytes?: number;
  /** Most concurrent sessions (default 64); idle ones are evicted first when full. */
  readonly maxSessions?: number;
  /** A session idle this long is evicted by {@link EdgeServer.evictIdle} (default 300 000 ms). */
  readonly idleTimeoutMs?: number;
  /** Time source for idleness (default `performance.now()`). */
  readonly clock?: Clock;
  /** Protocol limits (also bound every tensor shape a layer declares; default: the protocol's `DEFAULT_LIMITS` with `maxHeaderBytes` 1 MiB). */
  readonly limits?: Partial<ProtocolLimits>;
  /** Work limits every uploaded layer is checked against before it is accepted (default {@link DEFAULT_WORK_LIMITS}). */
  readonly workLimits?: Partial<WorkLimits>;
  /**
   * The server-wide memory budget (a {@link MemoryBudget} or its size in
   * bytes; default {@link defaultMemoryBudgetBytes}, half the machine's
   * memory). Weights, frames being assembled, request tensors and outbound
   * replies are charged to it; at the cap idle sessions are evicted (least
   * recently used first), then requests are refused with `memory-limit`.
   */
  readonly memory?: MemoryBudget | number;
  /** The execution load to report to clients in `hello-ok`, `ack` and `result` (e.g. `() => pool.load()`; default none). */
  readonly load?: () => ExecutionLoad;
  /** When set, `hello` must carry this token (see docs/protocol.md; default: no authentication). */
  readonly authToken?: string;
  /** A session idle at least this long may be evicted to admit a new session or to free memory (default 2 000 ms). */
  readonly minIdleBeforeEvictionMs?: number;
  /** A session whose connection dropped without `bye` stays resumable this long (default 30 000 ms; 0 disables resume). */
  readonly resumeGraceMs?: number;
  /**
   * Content addressing: a store shared with other edge servers (e.g.
   * `redisStore`); verified layer records are filed there and offered
   * digests looked up there (default: none, this server's memory only).
   */
  readonly store?: PartitionStore;
  /** This server's own record cache (default `memoryStore()`: 1 GiB, LRU by bytes). */
  readonly memoryStore?: PartitionStore;
  /** Each shared-store call is abandoned after this long (the client uploads instead; default 2000 ms). */
  readonly storeTimeoutMs?: number;
}

interface PendingBlob {
  readonly size: number;
  data: Float32Array | undefined;
  filled: number;
}

interface PendingPartition {
  readonly layers: Layer[];
  readonly blobs: Map<string, PendingBlob[]>;
  readonly bytes: number;
  nextPiece: number;
  /** Content addressing: digests the client named (layer name → digest), layers taken from offered records, byte counts. */
  digests?: Readonly<Record<string, string>>;
  cached?: ReadonlySet<string>;
  received?: number;
  reused?: number;
}

interface Session {
  readonly id: string;
  readonly network: NetworkDeclaration;
  readonly executor: Executor;
  readonly loaded: Map<number, Layer>;
  readonly pending: Map<number, PendingPartition>;
  bytes: number;
  lastActive: number;
  connection: ServerConnection;
  queue: Promise<unknown>;
  /** The session's share of the server's memory budget. */
  readonly account: MemoryAccount;
  /** Lets the client resume the session on a new connection. */
  readonly resumeSecret: string;
  /** Requests of this session being handled (a busy session is never evicted). */
  busy: number;
  /** Set while the session has no connection (dropped without bye), waiting to be resumed. */
  detachedAt: number | undefined;
  /** Records this session offered by digest and the server holds: the only records it may use. */
  offered?: Map<string, LayerRecord>;
}

/** Statistics of an {@link EdgeServer}. */
export interface EdgeServerStats {
  /** Open sessions. */
  readonly sessions: number;
  /** Weight bytes held by all sessions (pending uploads included). */
  readonly bytes: number;
  /** Sessions evicted for idleness so far. */
  readonly evicted: number;
  /** Partitions ACKed so far (all sessions). */
  readonly acks: number;
  /** Bytes charged to the memory budget now (weights, frames, tensors, outbound replies). */
  readonly memoryBytes: number;
  /** Most bytes charged at once so far. */
  readonly memoryPeakBytes: number;
  /** Charges the memory budget refused so far. */
  readonly memoryRefusals: number;
  /** Sessions evicted to admit another session or to free memory. */
  readonly evictedForRoom: number;
  /** Sessions resumed on a new connection. */
  readonly resumed: number;
  /** Weight bytes received in upload frames so far (all sessions). */
  readonly weightBytesReceived?: number;
  /** Weight bytes taken from memory or the shared store instead (all sessions). */
  readonly weightBytesReused?: number;
  /** Content-addressing counters. */
  readonly content?: ContentStats;
}

const defaultClock: Clock = { now: () => performance.now() };

class RequestError extends IonnError {
  override name = "RequestError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fatal = false,
  ) {
    super(message);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function parseKey(key: string): [number, number] {
  const colon = key.indexOf(":");
  return [Number(key.slice(0, colon)), Number(key.slice(colon + 1))];
}

/**
 * The transport-independent edge server: sessions, incremental model
 * building, execution. Create one per process; give each client connection
 * its own {@link ServerConnection} via {@link EdgeServer.connect}.
 *
 * @example
 * ```ts
 * const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
 * const tcp = await serveTcp({ server, port: 7070 });
 * // … later
 * await tcp.close();
 * ```
 */
export class EdgeServer {
  /** Resolved protocol limits. */
  readonly limits: ProtocolLimits;
  /** Resolved work limits (see {@link checkLayerWork}). */
  readonly workLimits: WorkLimits;
  private readonly options: EdgeServerOptions;
  private readonly clock: Clock;
  private readonly maxSessionBytes: number;
  private readonly maxSessions: number;
  private readonly idleTimeoutMs: number;
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<ServerConnection>();
  private evictedCount = 0;
  private ackCount = 0;
  private evictedForRoomCount = 0;
  private resumedCount = 0;
  /** The server-wide memory budget. */
  readonly memory: MemoryBudget;
  private readonly minIdleMs: number;
  private readonly resumeGraceMs: number;
  private readonly content: ContentCache;
  private weightBytesReceived = 0;
  private weightBytesReused = 0;

  /**
   * Creates a server with no sessions (defaults in {@link EdgeServerOptions}).
   * @throws {@link ProtocolError} when a protocol limit is not a positive integer or `maxFrameBytes` exceeds 2^32 − 1.
   */
  constructor(options: EdgeServerOptions) {
    this.options = options;
    // Headers: 1 MiB by default on the server (the largest legitimate one, a whole Inception-BN-21k partition, is 110 KB).
    this.limits = resolveLimits({ maxHeaderBytes: 2 ** 20, ...options.limits });
    this.workLimits = resolveWorkLimits(options.workLimits);
    this.clock = options.clock ?? defaultClock;
    this.maxSessionBytes = options.maxSessionBytes ?? 2 ** 30;
    this.maxSessions = options.maxSessions ?? 64;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.memory = options.memory instanceof MemoryBudget ? options.memory : new MemoryBudget(options.memory);
    this.memory.reclaim = (needed, requester) => this.reclaim(needed, requester);
    this.minIdleMs = options.minIdleBeforeEvictionMs ?? 2000;
    this.resumeGraceMs = options.resumeGraceMs ?? 30_000;
    this.content = new ContentCache(options.store, options.memoryStore, options.storeTimeoutMs ?? 2000);
  }

  /**
   * Evict idle sessions, least recently used first, until `needed` bytes are
   * free (sessions busy with a request, idle less than
   * `minIdleBeforeEvictionMs`, or owning `requester` are kept). Returns the bytes freed.
   */
  private reclaim(needed: number, requester?: MemoryAccount): number {
    const now = this.clock.now();
    const candidates = [...this.sessions.values()]
      .filter((s) => s.account !== requester && s.busy === 0 && s.account.bytes > 0 && (s.detachedAt !== undefined || now - s.lastActive >= this.minIdleMs))
      .sort((a, b) => (a.detachedAt === undefined ? 1 : 0) - (b.detachedAt === undefined ? 1 : 0) || a.lastActive - b.lastActive);
    let freed = 0;
    for (const session of candidates) {
      if (freed >= needed) break;
      freed += session.account.bytes;
      this.evictForRoom(session);
    }
    return freed;
  }

  private evictForRoom(session: Session): void {
    this.dropSession(session);
    if (session.detachedAt === undefined) session.connection.close();
    this.evictedForRoomCount++;
  }

  private loadReport(): { load?: { queueMs: number; utilization: number } } {
    if (this.options.load === undefined) return {};
    try {
      const load = this.options.load();
      const queueMs = Number.isFinite(load.queueDelayMs) && load.queueDelayMs >= 0 ? load.queueDelayMs : 0;
      const utilization = Number.isFinite(load.utilization) ? Math.min(1, Math.max(0, load.utilization)) : 0;
      return { load: { queueMs, utilization } };
    } catch {
      return {};
    }
  }

  /** Open a connection context (one per client connection). */
  connect(): ServerConnection {
    const connection = new ServerConnection(this);
    this.connections.add(connection);
    return connection;
  }

  /** Current statistics. */
  stats(): EdgeServerStats {
    let bytes = 0;
    for (const s of this.sessions.values()) bytes += s.bytes;
    return {
      sessions: this.sessions.size,
      bytes,
      evicted: this.evictedCount,
      acks: this.ackCount,
      memoryBytes: this.memory.used,
      memoryPeakBytes: this.memory.peak,
      memoryRefusals: this.memory.refused,
      evictedForRoom: this.evictedForRoomCount,
      resumed: this.resumedCount,
      weightBytesReceived: this.weightBytesReceived,
      weightBytesReused: this.weightBytesReused,
      content: this.content.stats(),
    };
  }

  /**
   * Evict the sessions idle for longer than `idleTimeoutMs` (by the injected
   * clock) and close their connections. Returns how many were evicted.
   * Cost: O(sessions).
   */
  evictIdle(): number {
    const now = this.clock.now();
    let evicted = 0;
    for (const session of [...this.sessions.values()]) {
      const detachedTooLong = session.detachedAt !== undefined && now - session.detachedAt > this.resumeGraceMs;
      if (now - session.lastActive > this.idleTimeoutMs || detachedTooLong) {
        this.dropSession(session);
        if (session.detachedAt === undefined) session.connection.close();
        evicted++;
      }
    }
    this.evictedCount += evicted;
    return evicted;
  }

  /** Close every connection and drop every session. */
  close(): void {
    for (const connection of [...this.connections]) connection.close();
    for (const session of [...this.sessions.values()]) this.dropSession(session);
  }

  /** @internal */
  forget(connection: ServerConnection): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (session === undefined || this.sessions.get(session.id) !== session || session.connection !== connection) return;
    if (this.resumeGraceMs > 0 && !connection.byeReceived && session.account.bytes > 0) {
      // Keep the session's state for a while: the client may resume it on a new connection.
      session.detachedAt = this.clock.now();
      for (const pending of session.pending.values()) {
        session.bytes -= pending.bytes;
        session.account.release(pending.bytes);
      }
      session.pending.clear();
      return;
    }
    this.dropSession(session);
  }

  private dropSession(session: Session): void {
    this.sessions.delete(session.id);
    session.pending.clear();
    session.loaded.clear();
    session.offered?.clear();
    session.bytes = 0;
    session.account.close();
  }

  /** @internal Handle one message of `connection`; returns the reply, if any. */
  async handle(connection: ServerConnection, message: Message): Promise<Message | undefined> {
    const requestId = "requestId" in message.header ? message.header.requestId : undefined;
    try {
      switch (message.type) {
        case "hello":
          return this.hello(connection, message);
        case "upload":
        case "execute": {
          const session = connection.session;
          if (session !== undefined) session.busy++;
          try {
            return message.type === "upload" ? await this.upload(connection, message) : await this.execute(connection, message);
          } finally {
            if (session !== undefined) session.busy--;
          }
        }
        case "offer":
          return await this.offer(connection, message);
        case "bye": {
          connection.byeReceived = true;
          const session = connection.session;
          if (session !== undefined) {
            if (message.header.sessionId !== undefined) this.owned(connection, message.header.sessionId);
            this.dropSession(session);
          }
          connection.close();
          return undefined;
        }
        default:
          throw new RequestError("bad-request", `server: a client may not send "${message.type}" messages`, true);
      }
    } catch (error) {
      const fatal = error instanceof RequestError ? error.fatal : false;
      const code: ErrorCode = error instanceof RequestError ? error.code : "execution-failed";
      const text = error instanceof Error ? error.message : String(error);
      if (fatal) connection.close();
      return {
        type: "error",
        header: { ...(requestId === undefined ? {} : { requestId }), tensors: [], code, message: text.slice(0, 4000) },
        tensors: [],
      };
    }
  }

  private hello(connection: ServerConnection, message: MessageOf<"hello">): Message {
    if (connection.session !== undefined) {
      throw new RequestError("bad-request", `server: this connection already has session ${connection.session.id}`);
    }
    const { network } = message.header;
    if (this.options.authToken !== undefined && !tokenMatches(this.options.authToken, message.header.token)) {
      throw new RequestError("unauthorized", `server: this server requires a valid token in hello (see docs/protocol.md)`, true);
    }
    if (network.layers.length > this.limits.maxLayers) {
      throw new RequestError("bad-request", `server: network "${network.name}" declares ${network.layers.length} layers, limit ${this.limits.maxLayers}`);
    }
    if (message.header.resume !== undefined) {
      const resumed = this.resume(connection, message);
      if (resumed !== undefined) return resumed;
    }
    if (this.sessions.size >= this.maxSessions) this.evictIdle();
    if (this.sessions.size >= this.maxSessions) {
      // Make room by evicting the least recently used idle session (squatters cannot hold every slot).
      const now = this.clock.now();
      let victim: Session | undefined;
      for (const s of this.sessions.values()) {
        const idle = s.detachedAt !== undefined || now - s.lastActive >= this.minIdleMs;
        if (idle && s.busy === 0 && (victim === undefined || s.lastActive < victim.lastActive)) victim = s;
      }
      if (victim !== undefined) this.evictForRoom(victim);
    }
    if (this.sessions.size >= this.maxSessions) {
      throw new RequestError("server-busy", `server: ${this.sessions.size} sessions open, limit ${this.maxSessions}`);
    }
    const id = randomHex(16);
    const session: Session = {
      id,
      network: { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) },
      executor: this.options.executorFactory(),
      loaded: new Map(),
      pending: new Map(),
      bytes: 0,
      lastActive: this.clock.now(),
      connection,
      queue: Promise.resolve(),
      account: this.memory.account(`session ${id.slice(0, 8)}…`, this.maxSessionBytes),
      resumeSecret: randomHex(16),
      busy: 0,
      detachedAt: undefined,
    };
    this.sessions.set(session.id, session);
    connection.session = session;
    return this.helloOk(message.header.requestId, session);
  }

  private helloOk(requestId: number, session: Session): Message {
    return {
      type: "hello-ok",
      header: {
        requestId,
        tensors: [],
        sessionId: session.id,
        ...(this.options.predictionFunctions === undefined ? {} : { predictionFunctions: this.options.predictionFunctions }),
        ...(this.resumeGraceMs > 0 ? { resumeSecret: session.resumeSecret } : {}),
        holds: [...session.loaded.keys()].sort((a, b) => a - b),
        ...this.loadReport(),
      },
      tensors: [],
    };
  }

  /**
   * Reattach a detached session to `connection` when the resume secret
   * matches and the network is the same; `undefined` (open a new session)
   * when the session is gone. Cost O(layers).
   */
  private resume(connection: ServerConnection, message: MessageOf<"hello">): Message | undefined {
    const { sessionId, secret } = message.header.resume!;
    const session = this.sessions.get(sessionId);
    if (session === undefined || !tokenMatches(session.resumeSecret, secret)) return undefined;
    const layers = message.header.network.layers;
    const same = layers.length === session.network.layers.length && layers.every((l, i) => l.name === session.network.layers[i]!.name && l.type === session.network.layers[i]!.type);
    if (!same) return undefined;
    if (session.detachedAt === undefined) {
      // The old connection may not have noticed yet that it is gone: the secret proves ownership.
      const old = session.connection;
      session.connection = connection;
      old.session = undefined;
      old.close();
    }
    session.detachedAt = undefined;
    session.connection = connection;
    session.lastActive = this.clock.now();
    connection.session = session;
    this.resumedCount++;
    return this.helloOk(message.header.requestId, session);
  }

  /** The connection's session, checking that `sessionId` names it. */
  private owned(connection: ServerConnection, sessionId: string): Session {
    const session = connection.session;
    if (session === undefined) {
      // The id may belong to another connection: refuse and close.
      if (this.sessions.has(sessionId)) {
        throw new RequestError("session-refused", `server: session ${sessionId.slice(0, 8)}… belongs to another connection`, true);
      }
      throw new RequestError("no-session", `server: no session on this connection (send hello first)`);
    }
    if (!constantTimeEqual(session.id, sessionId)) {
      throw new RequestError("session-refused", `server: this connection may only use its own session`, true);
    }
    if (this.sessions.get(session.id) !== session) {
      throw new RequestError("no-session", `server: session ${session.id.slice(0, 8)}… was evicted or closed`);
    }
    session.lastActive = this.clock.now();
    return session;
  }

  private checkLayer(session: Session, layer: Layer, seen: Set<number>): number {
    const declared = session.network.layers[layer.index];
    if (declared === undefined || declared.name !== layer.name || declared.type !== layer.type) {
      throw new RequestError(
        "unknown-layer",
        `server: layer ${layer.index} "${layer.name}" (${layer.type}) is not declared in the session's network "${session.network.name}"`,
      );
    }
    if (seen.has(layer.index) || session.loaded.has(layer.index)) {
      throw new RequestError("bad-request", `server: layer ${layer.index} "${layer.name}" is uploaded twice`);
    }
    for (const pending of session.pending.values()) {
      if (pending.layers.some((l) => l.index === layer.index)) {
        throw new RequestError("bad-request", `server: layer ${layer.index} "${layer.name}" is already in a pending upload`);
      }
    }
    seen.add(layer.index);
    if (layer.inputs.length !== layer.inputShapes.length || layer.bottoms.length !== layer.inputs.length) {
      throw new RequestError("bad-request", `server: layer "${layer.name}" has ${layer.inputs.length} inputs, ${layer.inputShapes.length} input shapes, ${layer.bottoms.length} bottoms`);
    }
    if (layer.tops.length !== layer.outputShapes.length) {
      throw new RequestError("bad-request", `server: layer "${layer.name}" has ${layer.tops.length} tops but ${layer.outputShapes.length} output shapes`);
    }
    for (const ref of layer.inputs) {
      if (ref.layer >= layer.index) {
        throw new RequestError("bad-request", `server: layer "${layer.name}" reads tensor ${ref.layer}:${ref.top}, which is not produced before it`);
      }
    }
    try {
      checkLayerWork(layer, this.workLimits);
    } catch (error) {
      if (error instanceof WorkLimitError) throw new RequestError("over-limit", `server: ${error.message}`);
      throw error;
    }
    const maxElements = this.limits.maxFrameBytes / 4;
    for (const shape of [...layer.inputShapes, ...layer.outputShapes]) {
      let n = 1;
      for (const d of shape) n *= d;
      if (n > maxElements) {
        throw new RequestError("bad-request", `server: layer "${layer.name}" declares a tensor of shape [${shape.join(", ")}], over the frame limit`);
      }
    }
    let bytes = 0;
    for (const shape of layer.paramShapes) bytes += 4 * shape.reduce((a, b) => a * b, 1);
    return bytes;
  }

  private async upload(connection: ServerConnection, message: MessageOf<"upload">): Promise<Message | undefined> {
    const { header } = message;
    const receivedAtMs = this.clock.now();
    const session = this.owned(connection, header.sessionId);
    try {
      let pending = session.pending.get(header.partition);
      if (header.piece === 0) {
        if (pending !== undefined) throw new RequestError("bad-request", `server: partition ${header.partition} is already being uploaded`);
        if (header.layers === undefined) throw new RequestError("bad-request", `server: piece 0 of partition ${header.partition} carries no layer definitions`);
        const seen = new Set<number>();
        let bytes = 0;
        const layers = header.layers as Layer[];
        for (const layer of layers) bytes += this.checkLayer(session, layer, seen);
        if (session.bytes + bytes > this.maxSessionBytes) {
          throw new RequestError(
            "memory-limit",
            `server: partition ${header.partition} needs ${bytes} weight bytes; the session holds ${session.bytes} of ${this.maxSessionBytes}`,
          );
        }
        if (!session.account.tryCharge(bytes)) {
          throw new RequestError(
            "memory-limit",
            `server: partition ${header.partition} needs ${bytes} weight bytes; the server's memory budget has ${Math.max(0, this.memory.total - this.memory.used)} of ${this.memory.total} bytes free`,
          );
        }
        const blobs = new Map<string, PendingBlob[]>();
        for (const layer of layers) {
          if (layer.paramShapes.length > 0) {
            blobs.set(layer.name, layer.paramShapes.map((s) => ({ size: s.reduce((a, b) => a * b, 1), data: undefined, filled: 0 })));
          }
        }
        pending = { layers: [...layers].sort((a, b) => a.index - b.index), blobs, bytes, nextPiece: 0 };
        this.adoptCached(session, pending, header);
        session.pending.set(header.partition, pending);
        session.bytes += bytes;
      } else if (pending === undefined || header.piece !== pending.nextPiece) {
        throw new RequestError("bad-request", `server: unexpected piece ${header.piece} of partition ${header.partition}`);
      } else if (header.layers !== undefined) {
        throw new RequestError("bad-request", `server: only piece 0 may carry layer definitions`);
      }
      if (header.blobs.length !== message.tensors.length) {
        throw new RequestError("bad-request", `server: ${header.blobs.length} blob descriptors for ${message.tensors.length} tensors`);
      }
      header.blobs.forEach((descriptor, i) => {
        const tensor = message.tensors[i]!;
        pending!.received = (pending!.received ?? 0) + tensor.data.length * 4;
        const blob = pending!.blobs.get(descriptor.layer)?.[descriptor.blob];
        if (blob === undefined) {
          throw new RequestError("bad-request", `server: partition ${header.partition} has no blob ${descriptor.blob} of layer "${descriptor.layer}"`);
        }
        if (tensor.shape.length !== 1 || descriptor.offset !== blob.filled || blob.filled + tensor.data.length > blob.size) {
          throw new RequestError("bad-request", `server: slice of "${descriptor.layer}" blob ${descriptor.blob} at ${descriptor.offset} does not continue the blob (filled ${blob.filled} of ${blob.size})`);
        }
        // Blobs are assembled in shared memory: the frame's buffer is not kept alive, and a worker-pool
        // executor adopts the blob without another copy.
        blob.data ??= new Float32Array(new SharedArrayBuffer(blob.size * 4));
        blob.data.set(tensor.data, blob.filled);
        blob.filled += tensor.data.length;
      });
      pending.nextPiece++;
      if (!header.last) {
        return header.progress
          ? { type: "ack", header: { requestId: header.requestId, tensors: [], partition: header.partition, layers: [], piece: header.piece, serverAtMs: receivedAtMs }, tensors: [] }
          : undefined;
      }
      const weights = new Map<string, LayerWeights>();
      for (const [layerName, blobs] of pending.blobs) {
        for (const [i, blob] of blobs.entries()) {
          if (blob.filled !== blob.size) {
            throw new RequestError("bad-request", `server: blob ${i} of layer "${layerName}" got ${blob.filled} of ${blob.size} values`);
          }
        }
        weights.set(layerName, blobs.map((b) => b.data ?? new Float32Array(0)));
      }
      const done = pending;
      const verified = this.verifyDigests(done, weights);
      session.pending.delete(header.partition);
      try {
        await this.serialized(session, () => session.executor.load(done.layers, weights));
      } catch (error) {
        session.bytes -= done.bytes;
        session.account.release(done.bytes);
        throw new RequestError("execution-failed", `server: loading partition ${header.partition} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (this.sessions.get(session.id) !== session) {
        throw new RequestError("no-session", `server: session closed during the upload`);
      }
      for (const layer of done.layers) session.loaded.set(layer.index, layer);
      this.ackCount++;
      // File the verified layers (memory, then the shared store, bounded) before the ACK,
      // so a server the client moves to next finds them.
      await Promise.all(verified.map(([digest, layer]) => this.content.publish(digest, recordOfLayer(layer, weights.get(layer.name)!))));
      for (const name of done.cached ?? []) session.offered?.delete(done.digests![name]!);
      this.weightBytesReceived += done.received ?? 0;
      this.weightBytesReused += done.reused ?? 0;
      return {
        type: "ack",
        header: {
          requestId: header.requestId,
          tensors: [],
          partition: header.partition,
          layers: done.layers.map((l) => l.index),
          ...this.loadReport(),
          serverMs: Math.max(0, this.clock.now() - receivedAtMs),
          ...(header.piece > 0 ? { serverAtMs: receivedAtMs } : {}),
          // Content-addressed uploads (the client named digests) learn what the server counted.
          ...(Object.keys(done.digests ?? {}).length > 0 ? { weightBytesReceived: done.received ?? 0, weightBytesReused: done.reused ?? 0 } : {}),
        },
        tensors: [],
      };
    } catch (error) {
      const pending = session.pending.get(header.partition);
      if (pending !== undefined) {
        session.pending.delete(header.partition);
        session.bytes -= pending.bytes;
        session.account.release(pending.bytes);
      }
      throw error;
    }
  }

  /** Content addressing, `offer`: look the digests up (memory, then the store) and reserve the records found for this session. */
  private async offer(connection: ServerConnection, message: MessageOf<"offer">): Promise<Message> {
    const { header } = message;
    const session = this.owned(connection, header.sessionId);
    session.offered ??= new Map();
    if (session.offered.size + header.digests.length > this.limits.maxLayers) {
      throw new RequestError("bad-request", `server: more than ${this.limits.maxLayers} digests offered and not yet used`);
    }
    const found = await this.content.lookup(header.digests);
    if (this.sessions.get(session.id) !== session) throw new RequestError("no-session", `server: session closed during the offer`);
    for (const [digest, record] of found) session.offered.set(digest, record);
    return { type: "have", header: { requestId: header.requestId, tensors: [], partition: header.partition, have: [...found.keys()] }, tensors: [] };
  }

  /** Piece 0 of a content-addressed upload: fill the `cached` layers' blobs from the records this session was offered. */
  private adoptCached(session: Session, pending: PendingPartition, header: MessageOf<"upload">["header"]): void {
    const digests = header.digests ?? {};
    pending.digests = digests;
    pending.received = 0;
    pending.reused = 0;
    const cached = new Set(header.cached ?? []);
    pending.cached = cached;
    for (const name of cached) {
      const layer = pending.layers.find((l) => l.name === name);
      const blobs = pending.blobs.get(name);
      if (layer === undefined || blobs === undefined) throw new RequestError("bad-request", `server: cached layer "${name}" is not a layer with weights in partition ${header.partition}`);
      const digest = digests[name];
      if (digest === undefined) throw new RequestError("bad-request", `server: cached layer "${name}" names no digest`);
      const record = session.offered?.get(digest);
      if (record === undefined) {
        throw new RequestError("blob-missing", `server: layer "${name}": digest ${digest.slice(0, 12)}… was not offered by this session or is not held; send its weights`);
      }
      if (record.definitionJson !== canonicalJson(layerToJson(layer)) || record.weights.length !== blobs.length || record.weights.some((w, i) => w.length !== blobs[i]!.size)) {
        throw new RequestError("digest-mismatch", `server: layer "${name}" does not match the record of digest ${digest.slice(0, 12)}…`);
      }
      record.weights.forEach((w, i) => {
        blobs[i]!.data = w;
        blobs[i]!.filled = w.length;
      });
      pending.reused! += record.weights.reduce((a, w) => a + w.byteLength, 0);
    }
  }

  /** Check every received layer the client named a digest for; returns them for filing. @throws RequestError `digest-mismatch`. */
  private verifyDigests(pending: PendingPartition, weights: Map<string, LayerWeights>): [string, Layer][] {
    const verified: [string, Layer][] = [];
    for (const layer of pending.layers) {
      const digest = pending.digests?.[layer.name];
      if (digest === undefined || layer.paramShapes.length === 0 || pending.cached?.has(layer.name)) continue;
      const actual = digestLayer(layer, weights.get(layer.name)!);
      if (actual !== digest) {
        throw new RequestError("digest-mismatch", `server: layer "${layer.name}": received bytes hash to ${actual.slice(0, 12)}…, the client named ${digest.slice(0, 12)}…; refused, not stored`);
      }
      verified.push([digest, layer]);
    }
    return verified;
  }

  private serialized<T>(session: Session, work: () => Promise<T>): Promise<T> {
    const run = session.queue.then(work, work);
    session.queue = run.catch(() => undefined);
    return run;
  }

  private async execute(connection: ServerConnection, message: MessageOf<"execute">): Promise<Message> {
    const { header } = message;
    const receivedAtMs = this.clock.now();
    const session = this.owned(connection, header.sessionId);
    if (header.layers.length > this.limits.maxLayers) {
      throw new RequestError("bad-request", `server: ${header.layers.length} layers requested, limit ${this.limits.maxLayers}`);
    }
    const run = [...new Set(header.layers)].sort((a, b) => a - b);
    const inRun = new Set(run);
    let inputs: Map<string, Tensor>;
    try {
      inputs = tensorsByKey(header.inputs, message.tensors, "server: execute");
    } catch (error) {
      throw new RequestError("bad-request", (error as Error).message);
    }
    const needed = new Map<string, Tensor>();
    for (const index of run) {
      const layer = session.loaded.get(index);
      if (layer === undefined) {
        const declared = session.network.layers[index];
        throw new RequestError("not-uploaded", `server: layer ${index}${declared ? ` "${declared.name}"` : ""} is not uploaded in this session`);
      }
      layer.inputs.forEach((ref, j) => {
        if (inRun.has(ref.layer)) return;
        const k = `${ref.layer}:${ref.top}`;
        const tensor = inputs.get(k);
        if (tensor === undefined) throw new RequestError("bad-request", `server: layer "${layer.name}" needs input tensor ${k}, which was not sent`);
        if (!sameShape(tensor.shape, layer.inputShapes[j]!)) {
          throw new RequestError("bad-request", `server: input ${k} of layer "${layer.name}" has shape [${tensor.shape.join(", ")}], expected [${layer.inputShapes[j]!.join(", ")}]`);
        }
        needed.set(k, tensor);
      });
    }
    for (const k of header.outputs) {
      const [producer, top] = parseKey(k);
      const layer = session.loaded.get(producer);
      if (!(inRun.has(producer) && layer !== undefined && top < layer.tops.length) && !needed.has(k)) {
        throw new RequestError("bad-request", `server: output ${k} is not produced by the requested layers`);
      }
    }
    // Tensors of the run (an upper bound: every output of every layer run), charged while it runs.
    let tensorBytes = 0;
    for (const index of run) for (const shape of session.loaded.get(index)!.outputShapes) tensorBytes += 4 * shape.reduce((a, b) => a * b, 1);
    let outputs: Map<string, Tensor>;
    let charged = false;
    try {
      outputs = await this.serialized(session, () => {
        // Charged when the run starts (runs of a session are serial), so queued requests hold only their frames.
        if (!session.account.tryCharge(tensorBytes)) {
          throw new RequestError("memory-limit", `server: running layers ${run[0]}…${run[run.length - 1]} needs ${tensorBytes} tensor bytes; over the session's share or the server's memory budget`);
        }
        charged = true;
        return session.executor.run(run, needed, header.outputs);
      });
    } catch (error) {
      if (error instanceof RequestError) throw error;
      if (error instanceof TimeBudgetError) throw new RequestError("time-budget", `server: running layers ${run[0]}…${run[run.length - 1]}: ${error.message}`);
      throw new RequestError("execution-failed", `server: running layers ${run[0]}…${run[run.length - 1]} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (charged) session.account.release(tensorBytes);
    }
    const keys: string[] = [];
    const tensors: Tensor[] = [];
    for (const k of header.outputs) {
      const tensor = outputs.get(k);
      if (tensor === undefined) throw new RequestError("execution-failed", `server: the executor did not return ${k}`);
      keys.push(k);
      tensors.push(tensor);
    }
    return { type: "result", header: { requestId: header.requestId, tensors: [], outputs: keys, ...this.loadReport(), serverMs: Math.max(0, this.clock.now() - receivedAtMs) }, tensors };
  }
}

/**
 * One client connection to an {@link EdgeServer}: at most one session, bound
 * to it. A transport feeds it decoded messages and sends back the replies;
 * when the server closes it (protocol violation, refused session, eviction,
 * bye), the `onClose` listeners fire and the transport should drop the link.
 */
export class ServerConnection {
  /** @internal */
  session: Session | undefined;
  /** @internal The client said `bye` (its session is not kept for resume). */
  byeReceived = false;
  private isClosed = false;
  private readonly listeners: (() => void)[] = [];

  /** @internal */
  constructor(private readonly server: EdgeServer) {}

  /** True once closed (by either side). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The session id, once `hello` succeeded. */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  /**
   * Handle one decoded message; resolves with the reply (or `undefined` when
   * none is due: a non-final upload piece, `bye`). Never rejects. A message on
   * a closed connection is answered with an `error`.
   */
  async handle(message: Message): Promise<Message | undefined> {
    if (this.isClosed) {
      const requestId = "requestId" in message.header ? message.header.requestId : undefined;
      return {
        type: "error",
        header: { ...(requestId === undefined ? {} : { requestId }), tensors: [], code: "no-session", message: "server: connection closed" },
        tensors: [],
      };
    }
    return this.server.handle(this, message);
  }

  /** Register a listener called once when the connection closes. */
  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.listeners.push(listener);
  }

  /** Close the connection and drop its session (at once); `onClose` listeners run on the next turn. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.server.forget(this);
    // Listeners (e.g. "end the socket") run after the current replies are
    // handed to the transport, so the error that explains the close is sent.
    const listeners = this.listeners.splice(0);
    macrotask(() => {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // a listener's failure must not break the server
        }
      }
    });
  }
}

/** Options of {@link serveTcp}. */
export interface ServeTcpOptions {
  /** The server core. */
  readonly server: EdgeServer;
  /** TCP port (default 0: any free port; read it from the handle). */
  readonly port?: number;
  /** Interface to bind (default `"127.0.0.1"`). */
  readonly host?: string;
  /** Close a socket silent this long (default 600 000 ms; 0 disables). */
  readonly socketIdleTimeoutMs?: number;
  /** Run {@link EdgeServer.evictIdle} this often (default 10 000 ms; 0 disables). */
  readonly evictEveryMs?: number;
  /** Timer source for the eviction sweep (default `setTimeout`). */
  readonly scheduler?: Scheduler;
  /** Most requests handled concurrently per connection before reading pauses (default 16). */
  readonly maxInFlight?: number;
  /** Connection admission: caps and the hello deadline (see {@link Admission}; defaults there). */
  readonly admission?: AdmissionOptions;
  /**
   * A connection whose unsent replies exceed this stops being read and gets
   * no new request started until its peer reads (default 16 MiB). Outbound
   * bytes are charged to the server's memory budget; a peer that lets them
   * pass its share is disconnected.
   */
  readonly maxOutboundBytes?: number;
  /** Most bytes one connection may hold in frames being assembled, queued requests and outbound replies (default 1 GiB, within the server's budget). */
  readonly maxConnectionBytes?: number;
}

/** A running TCP edge server. */
export interface TcpServerHandle {
  /** The bound host. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** The server core. */
  readonly server: EdgeServer;
  /** Open sockets. */
  connections(): number;
  /** Stop listening, close every connection (sessions end). */
  close(): Promise<void>;
}

const realScheduler: Scheduler = {
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/**
 * Serve an {@link EdgeServer} over TCP with the binary protocol. Each socket
 * is a {@link ServerConnection}. A malformed frame gets an `error` frame and
 * the socket is closed; other sockets are unaffected. Reading pauses while a
 * reply waits for `drain` or too many requests are in flight (backpressure).
 *
 * @throws {TransportError}-like `Error` from `listen` (port in use …), as a rejected promise.
 * @example
 * ```ts
 * const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
 * const { port, close } = await serveTcp({ server, port: 0 });
 * ```
 */
export async function serveTcp(options: ServeTcpOptions): Promise<TcpServerHandle> {
  const { server } = options;
  const host = options.host ?? "127.0.0.1";
  const idleMs = options.socketIdleTimeoutMs ?? 600_000;
  const maxInFlight = options.maxInFlight ?? 16;
  const sockets = new Set<Socket>();
  const { createServer } = (await import(NODE_NET)) as typeof import("node:net");
  const tcp: Server = createServer((socket) => serveSocket(socket));

  const admission = new Admission(options.admission);
  const maxOutbound = options.maxOutboundBytes ?? 16 * 2 ** 20;
  const maxConnectionBytes = options.maxConnectionBytes ?? 2 ** 30;

  function refuse(socket: Socket, code: ErrorCode, text: string): void {
    try {
      for (const piece of encodeFrame({ type: "error", header: { tensors: [], code, message: text }, tensors: [] })) socket.write(piece);
    } catch {
      // nothing to add
    }
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  function serveSocket(socket: Socket): void {
    const decision = admission.admit(socket.remoteAddress ?? "unknown", () => socket.destroy());
    if (!decision.admitted) {
      socket.on("error", () => undefined);
      refuse(socket, "server-busy", decision.reason);
      return;
    }
    for (const victim of decision.displaced) victim.close();
    const admitted = decision.connection;
    sockets.add(socket);
    socket.setNoDelay(true);
    if (idleMs > 0) socket.setTimeout(idleMs, () => socket.destroy());
    const helloTimer = setTimeout(() => {
      if (connection.sessionId === undefined) socket.destroy();
    }, admission.helloTimeoutMs);
    helloTimer.unref();
    const account = server.memory.account("connection", maxConnectionBytes);
    /** Frame lengths charged by the decoder, in arrival order, not yet attached to a decoded message. */
    const frameCharges: number[] = [];
    let refusedForMemory = false;
    const decoder = new FrameDecoder(server.limits, {
      admit: (frameLength) => {
        if (!account.tryCharge(frameLength)) {
          refusedForMemory = true;
          throw new ProtocolError(`server: a frame of ${frameLength} bytes does not fit in this connection's share or the server's memory budget`);
        }
        frameCharges.push(frameLength);
      },
    });
    const connection = server.connect();
    const inbox: { message: Message; bytes: number }[] = [];
    let inFlight = 0;
    let blockedOnDrain = false;
    let outboundCharged = 0;
    const syncOutbound = (): boolean => {
      const now = socket.destroyed ? 0 : socket.writableLength;
      if (now > outboundCharged) {
        if (!account.tryCharge(now - outboundCharged)) return false;
      } else account.release(outboundCharged - now);
      outboundCharged = now;
      return true;
    };
    const overOutbound = () => !socket.destroyed && socket.writableLength > maxOutbound;
    const updateFlow = () => {
      if (socket.destroyed) return;
      if (blockedOnDrain || inFlight >= maxInFlight || inbox.length > 0 || overOutbound()) socket.pause();
      else socket.resume();
    };
    const send = (message: Message) => {
      if (socket.destroyed || !socket.writable) return;
      let pieces: Uint8Array[];
      try {
        pieces = encodeFrame(message, server.limits);
      } catch (error) {
        pieces = encodeFrame({
          type: "error",
          header: { ...("requestId" in message.header && message.header.requestId !== undefined ? { requestId: message.header.requestId } : {}), tensors: [], code: "execution-failed", message: `server: reply too large: ${(error as Error).message}` },
          tensors: [],
        });
      }
      let ok = true;
      for (const piece of pieces) ok = socket.write(piece);
      if (!syncOutbound()) {
        // A peer that does not read cannot make the server hold more than its share.
        connection.close();
        socket.destroy();
        return;
      }
      if (!ok && !blockedOnDrain) {
        blockedOnDrain = true;
        updateFlow();
        socket.once("drain", () => {
          blockedOnDrain = false;
          syncOutbound();
          pump();
        });
      }
    };
    const pump = () => {
      while (inbox.length > 0 && inFlight < maxInFlight && !overOutbound() && !connection.closed) {
        const { message, bytes } = inbox.shift()!;
        inFlight++;
        void connection.handle(message).then((reply) => {
          inFlight--;
          account.release(bytes);
          if (reply !== undefined) {
            if (reply.type === "hello-ok") admitted.hasSession = true;
            send(reply);
          }
          pump();
        });
      }
      updateFlow();
    };
    connection.onClose(() => {
      // Let queued replies (e.g. the error that explains the close) flush first.
      if (!socket.destroyed) socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    socket.on("data", (chunk: Buffer) => {
      if (connection.closed) return;
      let messages: Message[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        const text = error instanceof ProtocolError ? error.message : String(error);
        send({ type: "error", header: { tensors: [], code: refusedForMemory ? "memory-limit" : "protocol", message: text.slice(0, 4000) }, tensors: [] });
        connection.close();
        return;
      }
      for (const message of messages) inbox.push({ message, bytes: frameCharges.shift() ?? 0 });
      pump();
    });
    socket.on("error", () => {
      // peer reset etc.: the close handler cleans up
    });
    socket.on("close", () => {
      clearTimeout(helloTimer);
      sockets.delete(socket);
      admission.release(admitted);
      inbox.length = 0;
      frameCharges.length = 0;
      connection.close();
      // Everything this connection held goes now (releases of requests still running are clamped at 0).
      account.close();
      outboundCharged = 0;
    });
  }

  const evictEveryMs = options.evictEveryMs ?? 10_000;
  const scheduler = options.scheduler ?? realScheduler;
  let cancelSweep: (() => void) | undefined;
  const sweep = () => {
    server.evictIdle();
    cancelSweep = scheduler.schedule(evictEveryMs, sweep);
  };
  if (evictEveryMs > 0) cancelSweep = scheduler.schedule(evictEveryMs, sweep);

  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(options.port ?? 0, host, () => {
      tcp.off("error", reject);
      resolve();
    });
  });
  tcp.on("error", () => {
    // accept errors (EMFILE …) must not crash the process
  });
  const address = tcp.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  return {
    host,
    port,
    server,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        cancelSweep?.();
        tcp.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
