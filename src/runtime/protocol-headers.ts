/**
 * The JSON headers of the wire protocol's messages as plain TypeScript
 * types. `protocol.ts` validates incoming headers with zod schemas and checks
 * at compile time that what they accept is exactly these types; keeping the
 * public types free of zod's lets consumers type-check the package's `.d.ts`
 * files under any `moduleResolution` without `skipLibCheck`.
 *
 * @module
 */

/** A layer definition as an `upload` header carries it (the {@link Layer} fields, as JSON). */
export interface LayerJson {
  /** Runtime index of the layer in its network. */
  index: number;
  /** Layer name. */
  name: string;
  /** Layer type (e.g. `"Convolution"`). */
  type: string;
  /** Names of the blobs it reads. */
  bottoms: string[];
  /** Names of the blobs it writes. */
  tops: string[];
  /** The tensors it reads: producer runtime index and top index. */
  inputs: { layer: number; top: number }[];
  /** Shapes of its inputs. */
  inputShapes: number[][];
  /** Shapes of its outputs, one per top. */
  outputShapes: number[][];
  /** Type-specific parameters (JSON). */
  params: Record<string, unknown>;
  /** Shapes of its parameter blobs. */
  paramShapes: number[][];
  /** Number of parameters. */
  parameters: number;
  /** Multiply-accumulates of one forward pass. */
  macs: number;
  /** True when the importer kept the layer as an opaque operator. */
  opaque?: boolean;
}

/** A server's load report (issue 12), carried by `hello-ok`, `ack` and `result` when the server measures it. */
export interface LoadJson {
  /** Mean wait of recent requests in the server's execution queue (ms). */
  queueMs: number;
  /** Fraction of the server's execution capacity busy over its last window (0–1). */
  utilization: number;
}

/** Fields every header has. */
interface HeaderBase {
  /** Shapes of the message's tensor bodies, in order. */
  tensors: number[][];
}

/** The header of each message type (`HeaderOf<T>` is `MessageHeaders[T]`). */
export interface MessageHeaders {
  /** Client → server: open a session for a network. */
  hello: HeaderBase & {
    /** Request id, echoed in the reply. */
    requestId: number;
    /** The network's name and runtime layer list. */
    network: { name: string; layers: { name: string; type: string }[] };
    /** The shared token, when the server requires one (see docs/protocol.md). */
    token?: string | undefined;
    /** Reattach to a session this client opened before its connection dropped (secret from its `hello-ok`). */
    resume?: { sessionId: string; secret: string } | undefined;
  };
  /** Server → client: the session is open. */
  "hello-ok": HeaderBase & {
    /** Request id of the `hello`. */
    requestId: number;
    /** The session id (lowercase hex). */
    sessionId: string;
    /** The server's prediction functions (opaque JSON), if it ships any. */
    predictionFunctions?: unknown;
    /** Secret that lets this client resume the session after its connection drops. */
    resumeSecret?: string | undefined;
    /** Runtime indices of the layers the session already holds (non-empty only on a resumed session). */
    holds?: number[] | undefined;
    /** The server's load, when it measures it. */
    load?: LoadJson | undefined;
  };
  /** Client → server: one piece of a partition's upload. */
  upload: HeaderBase & {
    /** Request id. */
    requestId: number;
    /** Session id. */
    sessionId: string;
    /** Partition index in the plan. */
    partition: number;
    /** Piece number of this partition's upload, from 0. */
    piece: number;
    /** True on the partition's last piece: the server loads and ACKs after it. */
    last: boolean;
    /** On a piece that is not the last: ask for a progress `ack` (no layers) once the server has it (for bandwidth estimation). */
    progress?: boolean | undefined;
    /** Layer definitions; only on piece 0. */
    layers?: LayerJson[] | undefined;
    /** What each tensor body is: a 1-D slice of a parameter blob starting at `offset` elements. */
    blobs: { layer: string; blob: number; offset: number }[];
    /** Content addressing (piece 0): the digest of each named layer's record. */
    digests?: Record<string, string> | undefined;
    /** Content addressing (piece 0): layers whose weights are not sent, taken from the records the server said it has. */
    cached?: string[] | undefined;
  };
  /** Server → client: a partition is loaded. */
  ack: HeaderBase & {
    /** Request id of the partition's last piece. */
    requestId: number;
    /** The partition index. */
    partition: number;
    /** Runtime indices now loaded on the server. */
    layers: number[];
    /** The server's load, when it measures it. */
    load?: LoadJson | undefined;
    /** A progress reply to a piece that asked for one (not the partition's ACK): the piece number. */
    piece?: number | undefined;
    /** Server time between receiving the last piece and answering, ms. */
    serverMs?: number | undefined;
    /** The server's clock when it had the piece, ms. */
    serverAtMs?: number | undefined;
    /** Weight bytes of this partition the server received from the client. */
    weightBytesReceived?: number | undefined;
    /** Weight bytes of this partition the server took from its memory or the store. */
    weightBytesReused?: number | undefined;
  };
  /** Client → server: run uploaded layers. */
  execute: HeaderBase & {
    /** Request id. */
    requestId: number;
    /** Session id. */
    sessionId: string;
    /** Runtime indices to run. */
    layers: number[];
    /** Key of each tensor body, in order. */
    inputs: string[];
    /** Keys of the tensors wanted back. */
    outputs: string[];
  };
  /** Server → client: the tensors an `execute` asked for. */
  result: HeaderBase & {
    /** Request id of the `execute`. */
    requestId: number;
    /** Key of each tensor body, in order. */
    outputs: string[];
    /** The server's load, when it measures it. */
    load?: LoadJson | undefined;
    /** Server time between receiving the request and answering (queueing and execution), ms. */
    serverMs?: number | undefined;
  };
  /** Either way: a request failed (with `requestId`) or the connection is closing. */
  error: HeaderBase & {
    /** Request id of the failed request, if any. */
    requestId?: number;
    /** Error code (see `ErrorCode`). */
    code: string;
    /** Human-readable message. */
    message: string;
  };
  /** Client → server: end the session. */
  bye: HeaderBase & {
    /** Request id, if any. */
    requestId?: number;
    /** Session id, if one is open. */
    sessionId?: string;
  };
  /** Client → server (content addressing): the digests of the next partition's layers. */
  offer: HeaderBase & {
    /** Request id. */
    requestId: number;
    /** Session id. */
    sessionId: string;
    /** Partition index in the plan. */
    partition: number;
    /** SHA-256 digests (lowercase hex) of the partition's layer records. */
    digests: string[];
  };
  /** Server → client: the offered digests the server holds (memory or store), reserved for this session. */
  have: HeaderBase & {
    /** Request id of the `offer`. */
    requestId: number;
    /** Partition index. */
    partition: number;
    /** The digests held. */
    have: string[];
  };
}
