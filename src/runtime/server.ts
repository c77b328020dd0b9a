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
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { IonnError, ProtocolError } from "../errors.js";
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
  /** Protocol limits (also bound every tensor shape a layer declares). */
  readonly limits?: Partial<ProtocolLimits>;
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
  private readonly options: EdgeServerOptions;
  private readonly clock: Clock;
  private readonly maxSessionBytes: number;
  private readonly maxSessions: number;
  private readonly idleTimeoutMs: number;
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<ServerConnection>();
  private evictedCount = 0;
  private ackCount = 0;
  private readonly content: ContentCache;
  private weightBytesReceived = 0;
  private weightBytesReused = 0;

  /**
   * Creates a server with no sessions (defaults in {@link EdgeServerOptions}).
   * @throws {@link ProtocolError} when a protocol limit is not a positive integer or `maxFrameBytes` exceeds 2^32 − 1.
   */
  constructor(options: EdgeServerOptions) {
    this.options = options;
    this.limits = resolveLimits(options.limits);
    this.clock = options.clock ?? defaultClock;
    this.maxSessionBytes = options.maxSessionBytes ?? 2 ** 30;
    this.maxSessions = options.maxSessions ?? 64;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.content = new ContentCache(options.store, options.memoryStore, options.storeTimeoutMs ?? 2000);
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
      if (now - session.lastActive > this.idleTimeoutMs) {
        this.dropSession(session);
        session.connection.close();
        evicted++;
      }
    }
    this.evictedCount += evicted;
    return evicted;
  }

  /** Close every connection and drop every session. */
  close(): void {
    for (const connection of [...this.connections]) connection.close();
    this.sessions.clear();
  }

  /** @internal */
  forget(connection: ServerConnection): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (session !== undefined && this.sessions.get(session.id) === session) this.dropSession(session);
  }

  private dropSession(session: Session): void {
    this.sessions.delete(session.id);
    session.pending.clear();
    session.loaded.clear();
    session.offered?.clear();
    session.bytes = 0;
  }

  /** @internal Handle one message of `connection`; returns the reply, if any. */
  async handle(connection: ServerConnection, message: Message): Promise<Message | undefined> {
    const requestId = "requestId" in message.header ? message.header.requestId : undefined;
    try {
      switch (message.type) {
        case "hello":
          return this.hello(connection, message);
        case "upload":
          return await this.upload(connection, message);
        case "execute":
          return await this.execute(connection, message);
        case "offer":
          return await this.offer(connection, message);
        case "bye": {
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
    if (network.layers.length > this.limits.maxLayers) {
      throw new RequestError("bad-request", `server: network "${network.name}" declares ${network.layers.length} layers, limit ${this.limits.maxLayers}`);
    }
    if (this.sessions.size >= this.maxSessions) this.evictIdle();
    if (this.sessions.size >= this.maxSessions) {
      throw new RequestError("server-busy", `server: ${this.sessions.size} sessions open, limit ${this.maxSessions}`);
    }
    const session: Session = {
      id: randomBytes(16).toString("hex"),
      network: { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) },
      executor: this.options.executorFactory(),
      loaded: new Map(),
      pending: new Map(),
      bytes: 0,
      lastActive: this.clock.now(),
      connection,
      queue: Promise.resolve(),
    };
    this.sessions.set(session.id, session);
    connection.session = session;
    return {
      type: "hello-ok",
      header: {
        requestId: message.header.requestId,
        tensors: [],
        sessionId: session.id,
        ...(this.options.predictionFunctions === undefined ? {} : { predictionFunctions: this.options.predictionFunctions }),
      },
      tensors: [],
    };
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
    const a = Buffer.from(session.id, "utf8");
    const b = Buffer.from(sessionId, "utf8");
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
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
        if (blob.filled === 0 && tensor.data.length === blob.size) {
          blob.data = tensor.data; // whole blob in one slice: adopt it
        } else {
          blob.data ??= new Float32Array(blob.size);
          blob.data.set(tensor.data, blob.filled);
        }
        blob.filled += tensor.data.length;
      });
      pending.nextPiece++;
      if (!header.last) return undefined;
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
    let outputs: Map<string, Tensor>;
    try {
      outputs = await this.serialized(session, () => session.executor.run(run, needed, header.outputs));
    } catch (error) {
      throw new RequestError("execution-failed", `server: running layers ${run[0]}…${run[run.length - 1]} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const keys: string[] = [];
    const tensors: Tensor[] = [];
    for (const k of header.outputs) {
      const tensor = outputs.get(k);
      if (tensor === undefined) throw new RequestError("execution-failed", `server: the executor did not return ${k}`);
      keys.push(k);
      tensors.push(tensor);
    }
    return { type: "result", header: { requestId: header.requestId, tensors: [], outputs: keys }, tensors };
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
    setImmediate(() => {
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
  const tcp: Server = createServer((socket) => serveSocket(socket));

  function serveSocket(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    if (idleMs > 0) socket.setTimeout(idleMs, () => socket.destroy());
    const decoder = new FrameDecoder(server.limits);
    const connection = server.connect();
    let inFlight = 0;
    let blockedOnDrain = false;
    const updateFlow = () => {
      if (socket.destroyed) return;
      if (blockedOnDrain || inFlight >= maxInFlight) socket.pause();
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
      if (!ok && !blockedOnDrain) {
        blockedOnDrain = true;
        updateFlow();
        socket.once("drain", () => {
          blockedOnDrain = false;
          updateFlow();
        });
      }
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
        send({ type: "error", header: { tensors: [], code: "protocol", message: text.slice(0, 4000) }, tensors: [] });
        connection.close();
        return;
      }
      for (const message of messages) {
        inFlight++;
        updateFlow();
        void connection.handle(message).then((reply) => {
          inFlight--;
          if (reply !== undefined) send(reply);
          updateFlow();
        });
      }
    });
    socket.on("error", () => {
      // peer reset etc.: the close handler cleans up
    });
    socket.on("close", () => {
      sockets.delete(socket);
      connection.close();
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
