/**
 * The two pluggable interfaces of the runtime (IONN §4, Figure 3): an
 * {@link Executor} runs layers on tensors, a {@link Transport} carries
 * partitions and execution requests from the client to an edge server.
 *
 * @module
 */
import type { LayerWeights, Tensor, TensorMap } from "../executor/types.js";
import type { Layer } from "../model/types.js";

// The execution types live in executor/ (below runtime/); re-exported so that
// existing imports from runtime/types.js keep working.
export type { Executor, LayerWeights, Tensor, TensorMap } from "../executor/types.js";

// ---------------------------------------------------------------------------
// Transport (IONN §4, Figure 3: the client's uploading and execution threads
// talk to the edge server through it).
// ---------------------------------------------------------------------------

/**
 * What a session declares about its network when it opens: the runtime
 * layer list (name and type at each runtime index). The server accepts
 * partitions only for these layers.
 */
export interface NetworkDeclaration {
  /** Network name (informational). */
  readonly name: string;
  /** One entry per runtime layer, in runtime order (`layers[i]` is runtime index `i`). */
  readonly layers: readonly {
    /** The layer's name. */
    readonly name: string;
    /** The layer's type (e.g. `"Convolution"`). */
    readonly type: string;
  }[];
}

/** What the server answers to `hello`. */
export interface SessionInfo {
  /** The session id the server chose (hex, ≥ 128 random bits); meaningful only on this connection. */
  readonly sessionId: string;
  /**
   * The server's prediction functions (IONN §4 "Runtime phase"), as opaque
   * JSON, or `undefined` when the server ships none.
   */
  readonly predictionFunctions?: unknown;
  /** Lets the client resume this session on a new connection ({@link OpenOptions.resume}), when the server allows it. */
  readonly resume?: ResumeToken;
  /** Runtime indices of the layers the session already holds (a resumed session), else empty or absent. */
  readonly holds?: readonly number[];
}

/** What resumes a session on a new connection (from `hello-ok`). */
export interface ResumeToken {
  /** The session to resume. */
  readonly sessionId: string;
  /** The secret the server gave with the session (hex). */
  readonly secret: string;
}

/** A server's load report as carried by its replies (issue 12). */
export interface ServerLoad {
  /** Recent mean wait in the server's execution queue (ms). */
  readonly queueMs: number;
  /** Fraction of the server's execution capacity busy (0–1). */
  readonly utilization: number;
}

/** Options of {@link Transport.open}. */
export interface OpenOptions {
  /** Ask the server to resume this earlier session (from {@link SessionInfo.resume}); it opens a new one when it cannot. */
  readonly resume?: ResumeToken;
}

/** One partition of an upload plan, ready to send: layer definitions plus weights. */
export interface PartitionUpload {
  /** Index of the partition in the plan (echoed in the ACK). */
  readonly index: number;
  /** Layer definitions, in runtime order. */
  readonly layers: readonly Layer[];
  /** Parameter blobs by layer name (layers without parameters need no entry). */
  readonly weights: ReadonlyMap<string, LayerWeights>;
  /** Content addressing: the record digest of each layer with parameters, by layer name (the server verifies what it receives against them). */
  readonly digests?: ReadonlyMap<string, string>;
  /** Content addressing: layers whose weights are not sent because the server said it has their digests (see {@link Transport.offer}). */
  readonly cached?: ReadonlySet<string>;
}

/** The server's acknowledgement of a partition: it is loaded and can run. */
export interface UploadAck {
  /** The partition index that was acknowledged. */
  readonly index: number;
  /** Runtime indices of the layers now loaded on the server. */
  readonly layers: readonly number[];
  /** Weight bytes of this partition the server says it received (content-addressing servers). */
  readonly weightBytesReceived?: number;
  /** Weight bytes of this partition the server took from its memory or store. */
  readonly weightBytesReused?: number;
}

/** A request to run uploaded layers on the server. */
export interface ExecuteRequest {
  /** Runtime indices of the layers to run (all uploaded and ACKed). */
  readonly layers: readonly number[];
  /** Boundary tensors: every tensor these layers read that none of them produces. */
  readonly inputs: TensorMap;
  /** Keys ({@link tensorKey}) of the tensors wanted back. */
  readonly outputs: readonly string[];
}

/**
 * Carries a session between an offloading client and an edge server: open,
 * upload partitions (each resolves on the server's ACK), execute layers,
 * close. Implementations: {@link inMemoryTransport} (direct, optional link
 * model) and {@link tcpTransport} (the binary protocol of `protocol.ts` over
 * `node:net`). Calls may overlap: an `execute` can be in flight while an
 * `upload` waits for its ACK.
 *
 * Failures reject with {@link TransportError} (peer gone, timeout, refused)
 * or {@link ProtocolError} (the peer sent something malformed); an error the
 * server reports for one request (e.g. a layer that is not uploaded) rejects
 * that request with a {@link TransportError} whose `code` names it.
 *
 * @example
 * ```ts
 * const transport = tcpTransport({ host: "127.0.0.1", port: 7070, timeoutMs: 5000 });
 * const { sessionId } = await transport.open({ name: net.name, layers: net.layers.map(l => ({ name: l.name, type: l.type })) });
 * await transport.upload({ index: 0, layers: [net.layers[1]], weights });
 * const out = await transport.execute({ layers: [1], inputs, outputs: ["1:0"] });
 * await transport.close();
 * ```
 */
export interface Transport {
  /** Open a session for a network; resolves with the session id and the server's prediction functions. */
  open(network: NetworkDeclaration, options?: OpenOptions): Promise<SessionInfo>;
  /** Send one partition; resolves when the server has loaded it and ACKed. */
  upload(partition: PartitionUpload): Promise<UploadAck>;
  /** Run uploaded layers on the server; resolves with the wanted tensors. */
  execute(request: ExecuteRequest): Promise<Map<string, Tensor>>;
  /**
   * Content addressing (optional): offer the record digests of a partition's
   * layers; resolves with those the server holds and has reserved for this
   * session (send them as {@link PartitionUpload.cached}).
   */
  offer?(partition: number, digests: readonly string[]): Promise<ReadonlySet<string>>;
  /** End the session (says `bye` when connected); never rejects. */
  close(): Promise<void>;
  /** The server's latest load report (queue delay ms, utilization 0–1), when it sends them (optional). */
  serverLoad?(): ServerLoad | undefined;
}

/**
 * The order in which the runtime uploads layers, as plain data (the runtime
 * does not depend on the planner): partitions in upload order, each a list of
 * runtime layer indices. The planner's `UploadPlan` fits it structurally;
 * `runtimePartitions` adds the layers a preset left out.
 */
export interface UploadSchedule {
  /** Partitions in upload order. */
  readonly partitions: readonly {
    /** Runtime indices of the partition's layers. */
    readonly layers: readonly number[];
  }[];
}

/** A source of time in milliseconds (real: `performance.now()`; simulated: a virtual clock). */
export interface Clock {
  /** Current time in milliseconds. */
  now(): number;
}

/** Schedules callbacks (real: `setTimeout`; simulated: the virtual clock's event queue). */
export interface Scheduler {
  /** Call `callback` after `ms` milliseconds; returns a function that cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

/** Direction of a transfer over a link, seen from the client. */
export type LinkDirection = "up" | "down";

/**
 * A link model hook for {@link inMemoryTransport}: each message is charged
 * through `transfer(bytes, direction)` before it is delivered (the simulator
 * charges bandwidth and latency on its virtual clock; a real-time test can
 * sleep). `bytes` is the message's encoded frame size.
 */
export interface LinkModel {
  /** Charge one message of `bytes` (encoded frame size) in `direction`; resolves when it has been delivered. */
  transfer(bytes: number, direction: LinkDirection): Promise<void>;
}
