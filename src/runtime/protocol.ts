/**
 * The IONN wire protocol (IONN §4, Figure 3: the messages between the client's
 * uploading/execution threads and the edge server): length-prefixed binary
 * frames with a zod-validated JSON header and raw float32 tensor bodies. The
 * normative description is docs/protocol.md; in short:
 *
 * ```
 * offset size  field
 *  0     4     magic "IONN" (0x49 0x4F 0x4E 0x4E)
 *  4     1     protocol version (PROTOCOL_VERSION = 1)
 *  5     1     message type (1 hello, 2 hello-ok, 3 upload, 4 ack,
 *              5 execute, 6 result, 7 error, 8 bye, 9 offer, 10 have)
 *  6     2     reserved, 0
 *  8     4     frame length, u32 little-endian, the whole frame (prefix included)
 * 12     4     header length H, u32 little-endian (JSON bytes, padding excluded)
 * 16     H     header: UTF-8 JSON object, then 0–3 spaces so tensors start 4-aligned
 *  …           tensor bodies: float32 little-endian, row-major, in the order of
 *              header.tensors (their shapes); nothing else may follow
 * ```
 *
 * A decoder rejects (with {@link ProtocolError}) bad magic, an unknown version
 * or type, a nonzero reserved field, a frame length over
 * {@link ProtocolLimits.maxFrameBytes} or under the prefix size, a header over
 * {@link ProtocolLimits.maxHeaderBytes}, invalid UTF-8/JSON, a header that does
 * not match its message type's schema, more than
 * {@link ProtocolLimits.maxTensorsPerFrame} tensors, and tensor bodies whose
 * total size differs from what the shapes say. It never buffers more than one
 * frame of at most `maxFrameBytes`.
 *
 * @module
 */
import { z } from "zod";
import type { LayerJson, MessageHeaders } from "./protocol-headers.js";
import { ProtocolError, TransportError } from "../errors.js";
import type { Layer, Shape } from "../model/types.js";
import type { Tensor } from "./types.js";
import { LITTLE_ENDIAN_HOST, utf8Length } from "../platform/index.js";

/** The four magic bytes that open every frame: ASCII "IONN". */
export const MAGIC = Uint8Array.of(0x49, 0x4f, 0x4e, 0x4e);
/** The protocol version this implementation speaks. */
export const PROTOCOL_VERSION = 1;
/** Size of the fixed frame prefix in bytes. */
export const PREFIX_BYTES = 16;

/** Message type codes on the wire. */
export const MESSAGE_CODES = {
  hello: 1,
  "hello-ok": 2,
  upload: 3,
  ack: 4,
  execute: 5,
  result: 6,
  error: 7,
  bye: 8,
  offer: 9,
  have: 10,
} as const;

/** A message type name. */
export type MessageType = keyof typeof MESSAGE_CODES;

const TYPE_BY_CODE = new Map<number, MessageType>(
  Object.entries(MESSAGE_CODES).map(([name, code]) => [code, name as MessageType]),
);

/** Size limits enforced by encoder and decoder. */
export interface ProtocolLimits {
  /** Largest frame, prefix included (default 512 MiB). */
  readonly maxFrameBytes: number;
  /** Largest JSON header (default 4 MiB). */
  readonly maxHeaderBytes: number;
  /** Most tensors in one frame (default 4096). */
  readonly maxTensorsPerFrame: number;
  /** Most layers a network declaration or request may name (default 100 000). */
  readonly maxLayers: number;
  /**
   * Most JSON values (objects, arrays, array elements) a header may hold,
   * counted by a byte scan before the header is parsed (default 200 000; the largest legitimate upload header of the zoo, Inception-BN-21k in one partition, has about 12 000).
   */
  readonly maxHeaderItems: number;
}

/** The default {@link ProtocolLimits}. */
export const DEFAULT_LIMITS: ProtocolLimits = Object.freeze({
  maxFrameBytes: 512 * 2 ** 20,
  maxHeaderBytes: 4 * 2 ** 20,
  maxTensorsPerFrame: 4096,
  maxLayers: 100_000,
  maxHeaderItems: 200_000,
});

/** Fill in defaults for partial limits. @throws {ProtocolError} on a non-positive or non-integer limit. */
export function resolveLimits(limits: Partial<ProtocolLimits> = {}): ProtocolLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [field, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ProtocolError(`protocol limits: ${field} must be a positive integer, got ${String(value)}`);
    }
  }
  if (resolved.maxFrameBytes > 2 ** 32 - 1) {
    throw new ProtocolError(`protocol limits: maxFrameBytes ${resolved.maxFrameBytes} exceeds the u32 length field`);
  }
  return resolved;
}

// ---------------------------------------------------------------------------
// Header schemas (zod at the boundary; internal code uses the inferred types)
// ---------------------------------------------------------------------------

const MAX_DIMS = 8;
const dim = z.number().int().nonnegative().max(2 ** 31 - 1);
const shapeSchema = z.array(dim).max(MAX_DIMS);
const name = z.string().min(1).max(1024);
const key = z.string().regex(/^\d{1,9}:\d{1,6}$/, "tensor key must be <layer>:<top>");
const requestId = z.number().int().nonnegative().max(2 ** 53 - 1);
const sessionId = z.string().regex(/^[0-9a-f]{32,128}$/, "session id must be lowercase hex");
const index = z.number().int().nonnegative().max(1e9);
const finite = z.number().finite();
/** A server's load report (issue 12), carried by `hello-ok`, `ack` and `result` when the server measures it. */
const loadSchema = z.object({
  /** Mean wait of recent requests in the server's execution queue (ms). */
  queueMs: finite.nonnegative(),
  /** Fraction of the server's execution capacity busy over its last window (0–1). */
  utilization: z.number().min(0).max(1),
});
/** A sha256 content digest of a layer record (see `src/store/record.ts`), lowercase hex. */
const digest = z.string().regex(/^[0-9a-f]{64}$/, "digest must be 64 lowercase hex digits (sha256)");

/** Schema of a layer definition as carried by `upload` (the {@link Layer} fields). */
const layerSchema = z.object({
  index,
  name,
  type: name,
  bottoms: z.array(z.string().max(1024)).max(1024),
  tops: z.array(z.string().max(1024)).min(1).max(1024),
  inputs: z.array(z.object({ layer: index, top: index })).max(1024),
  inputShapes: z.array(shapeSchema).max(1024),
  outputShapes: z.array(shapeSchema).min(1).max(1024),
  params: z.record(z.string(), z.unknown()),
  paramShapes: z.array(shapeSchema).max(64),
  parameters: finite.nonnegative(),
  macs: finite.nonnegative(),
  opaque: z.boolean().optional(),
});

const tensorsField = z.array(shapeSchema).default([]);

/** Header schemas per message type (internal: the public types are {@link MessageHeaders}). */
const HEADER_SCHEMAS = {
  hello: z.object({
    requestId,
    tensors: tensorsField,
    network: z.object({
      name: z.string().max(1024),
      layers: z.array(z.object({ name, type: name })).min(1),
    }),
    /** The shared token, when the server requires one (see docs/protocol.md). */
    token: z.string().max(1024).optional(),
    /** Reattach to a session this client opened before its connection dropped (secret from its `hello-ok`). */
    resume: z.object({ sessionId, secret: z.string().regex(/^[0-9a-f]{32,128}$/) }).optional(),
  }),
  "hello-ok": z.object({
    requestId,
    tensors: tensorsField,
    sessionId,
    predictionFunctions: z.unknown().optional(),
    /** Secret that lets this client resume the session after its connection drops. */
    resumeSecret: z.string().max(128).optional(),
    /** Runtime indices of the layers the session already holds (non-empty only on a resumed session). */
    holds: z.array(index).optional(),
    load: loadSchema.optional(),
  }),
  upload: z.object({
    requestId,
    tensors: tensorsField,
    sessionId,
    partition: index,
    /** Piece number of this partition's upload, from 0. */
    piece: index,
    /** True on the partition's last piece: the server loads and ACKs after it. */
    last: z.boolean(),
    /** On a piece that is not the last: ask for a progress `ack` (no layers) once the server has it (for bandwidth estimation; default no reply). */
    progress: z.boolean().optional(),
    /** Layer definitions; only on piece 0. */
    layers: z.array(layerSchema).optional(),
    /** What each tensor body is: a 1-D slice of a parameter blob starting at `offset` elements. */
    blobs: z.array(z.object({ layer: name, blob: z.number().int().nonnegative().max(63), offset: dim })),
    /** Content addressing (piece 0): the digest of each named layer's record; the server verifies the layers it receives against them. */
    digests: z.record(name, digest).optional(),
    /** Content addressing (piece 0): layers whose weights are not sent, taken from the records the server said it has (`have`) for these digests. */
    cached: z.array(name).max(100_000).optional(),
  }),
  ack: z.object({
    requestId,
    tensors: tensorsField,
    partition: index,
    layers: z.array(index),
    load: loadSchema.optional(),
    /** A progress reply to a piece that asked for one (not the partition's ACK): the piece number. */
    piece: index.optional(),
    /** Server time between receiving the last piece and answering (decode, queueing, loading), ms; lets the client time the transfer alone. */
    serverMs: z.number().nonnegative().optional(),
    /** The server's clock when it had the piece (progress replies and ACKs), ms; differences time the pieces on the receiving side. */
    serverAtMs: z.number().optional(),
    /** Weight bytes of this partition the server received from the client. */
    weightBytesReceived: z.number().int().nonnegative().optional(),
    /** Weight bytes of this partition the server took from its memory or the store (`cached` layers). */
    weightBytesReused: z.number().int().nonnegative().optional(),
  }),
  execute: z.object({
    requestId,
    tensors: tensorsField,
    sessionId,
    layers: z.array(index).min(1),
    /** Key of each tensor body, in order. */
    inputs: z.array(key),
    outputs: z.array(key).min(1),
  }),
  result: z.object({
    requestId,
    tensors: tensorsField,
    /** Key of each tensor body, in order. */
    outputs: z.array(key),
    load: loadSchema.optional(),
    /** Server time between receiving the request and answering (queueing and execution), ms. */
    serverMs: z.number().nonnegative().optional(),
  }),
  error: z.object({
    requestId: requestId.optional(),
    tensors: tensorsField,
    code: z.string().max(64),
    message: z.string().max(4096),
  }),
  bye: z.object({
    requestId: requestId.optional(),
    tensors: tensorsField,
    sessionId: sessionId.optional(),
  }),
  /** Content addressing: the client offers the digests of the next partition's layers. */
  offer: z.object({
    requestId,
    tensors: tensorsField,
    sessionId,
    partition: index,
    digests: z.array(digest).max(100_000),
  }),
  /** The server's answer to `offer`: the offered digests it holds (memory or store) and reserved for this session. */
  have: z.object({
    requestId,
    tensors: tensorsField,
    partition: index,
    have: z.array(digest).max(100_000),
  }),
} as const;

/** The header of a message of type `T` (what decoding validates). */
export type HeaderOf<T extends MessageType> = MessageHeaders[T];
// The schemas accept exactly the plain header types (an error here names the message type whose schema and type drifted apart).
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const headersAgree: { [T in MessageType]: Agree<z.output<(typeof HEADER_SCHEMAS)[T]>, MessageHeaders[T]> } & { layer: Agree<z.output<typeof layerSchema>, LayerJson> } =
  { hello: true, "hello-ok": true, upload: true, ack: true, execute: true, result: true, error: true, bye: true, offer: true, have: true, layer: true };
void headersAgree;

/** A decoded (or to-be-encoded) message: its type, JSON header and tensor bodies. */
export type Message = {
  [T in MessageType]: { readonly type: T; readonly header: HeaderOf<T>; readonly tensors: readonly Tensor[] };
}[MessageType];

/** Narrow a message to one type. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** Error codes the server sends in `error` messages. */
export type ErrorCode =
  | "bad-request"
  | "no-session"
  | "session-refused"
  | "unknown-layer"
  | "not-uploaded"
  | "memory-limit"
  | "execution-failed"
  | "protocol"
  | "server-busy"
  | "over-limit"
  | "time-budget"
  | "unauthorized"
  | "digest-mismatch"
  | "blob-missing";

/**
 * The server refused one request (its `error` reply): `code` says why
 * (e.g. `not-uploaded`, `unknown-layer`, `memory-limit`, `session-refused`).
 */
export class RemoteError extends TransportError {
  override name = "RemoteError";
  constructor(
    /** The server's error code. */
    readonly code: string,
    message: string,
  ) {
    super(`${message} [${code}]`);
  }
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function elementCount(shape: Shape, limitElements: number, where: string): number {
  if (shape.includes(0)) return 0;
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > limitElements) {
      throw new ProtocolError(`${where}: tensor of shape [${shape.join(", ")}] exceeds the frame size limit`);
    }
  }
  return count;
}

function tensorBytes(tensor: Tensor): Uint8Array {
  const { data } = tensor;
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/**
 * Encode a message into frame pieces (prefix + header, then one view per
 * tensor body, no copy on little-endian hosts), ready for `socket.write` in
 * order. The header's `tensors` field is filled from `message.tensors`.
 * Cost: O(header size); tensor bodies are not copied.
 *
 * @throws {ProtocolError} when the frame would exceed `limits`, or a tensor's
 *   data length does not match its shape.
 */
export function encodeFrame(message: Message, limits: ProtocolLimits = DEFAULT_LIMITS): Uint8Array[] {
  const { tensors } = message;
  if (tensors.length > limits.maxTensorsPerFrame) {
    throw new ProtocolError(`encode ${message.type}: ${tensors.length} tensors exceed maxTensorsPerFrame ${limits.maxTensorsPerFrame}`);
  }
  let bodyBytes = 0;
  for (const tensor of tensors) {
    const count = elementCount(tensor.shape, limits.maxFrameBytes / 4, `encode ${message.type}`);
    if (count !== tensor.data.length) {
      throw new ProtocolError(
        `encode ${message.type}: tensor data has ${tensor.data.length} elements, shape [${tensor.shape.join(", ")}] says ${count}`,
      );
    }
    bodyBytes += count * 4;
  }
  const header = { ...message.header, tensors: tensors.map((t) => [...t.shape]) };
  const json = textEncoder.encode(JSON.stringify(header));
  if (json.length > limits.maxHeaderBytes) {
    throw new ProtocolError(`encode ${message.type}: header of ${json.length} bytes exceeds maxHeaderBytes ${limits.maxHeaderBytes}`);
  }
  const padded = (json.length + 3) & ~3;
  const frameLength = PREFIX_BYTES + padded + bodyBytes;
  if (frameLength > limits.maxFrameBytes) {
    throw new ProtocolError(`encode ${message.type}: frame of ${frameLength} bytes exceeds maxFrameBytes ${limits.maxFrameBytes}`);
  }
  const head = new Uint8Array(PREFIX_BYTES + padded);
  head.set(MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint8(4, PROTOCOL_VERSION);
  view.setUint8(5, MESSAGE_CODES[message.type]);
  view.setUint16(6, 0, true);
  view.setUint32(8, frameLength, true);
  view.setUint32(12, json.length, true);
  head.set(json, PREFIX_BYTES);
  head.fill(0x20, PREFIX_BYTES + json.length);
  return [head, ...tensors.map(tensorBytes)];
}

/** Encode a message into one contiguous buffer (copies; see {@link encodeFrame}). */
export function encodeFrameBuffer(message: Message, limits: ProtocolLimits = DEFAULT_LIMITS): Uint8Array {
  const pieces = encodeFrame(message, limits);
  let total = 0;
  for (const p of pieces) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of pieces) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Size in bytes the message would take on the wire, without encoding the
 * tensor bodies (the in-memory transport charges its link model with it).
 */
export function frameSize(message: Message): number {
  let body = 0;
  for (const tensor of message.tensors) body += tensor.data.length * 4;
  const header = { ...message.header, tensors: message.tensors.map((t) => t.shape) };
  const jsonBytes = utf8Length(JSON.stringify(header));
  return PREFIX_BYTES + ((jsonBytes + 3) & ~3) + body;
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

interface Prefix {
  readonly type: MessageType;
  readonly frameLength: number;
  readonly headerLength: number;
}

function parsePrefix(bytes: Uint8Array, limits: ProtocolLimits): Prefix {
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new ProtocolError(`frame: bad magic bytes (expected "IONN")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, PREFIX_BYTES);
  const version = view.getUint8(4);
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(`frame: unsupported protocol version ${version} (this side speaks ${PROTOCOL_VERSION})`);
  }
  const code = view.getUint8(5);
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) throw new ProtocolError(`frame: unknown message type ${code}`);
  if (view.getUint16(6, true) !== 0) throw new ProtocolError(`frame: reserved field must be 0`);
  const frameLength = view.getUint32(8, true);
  const headerLength = view.getUint32(12, true);
  if (frameLength > limits.maxFrameBytes) {
    throw new ProtocolError(`frame: length ${frameLength} exceeds maxFrameBytes ${limits.maxFrameBytes}`);
  }
  if (headerLength > limits.maxHeaderBytes) {
    throw new ProtocolError(`frame: header length ${headerLength} exceeds maxHeaderBytes ${limits.maxHeaderBytes}`);
  }
  if (headerLength < 2 || PREFIX_BYTES + ((headerLength + 3) & ~3) > frameLength) {
    throw new ProtocolError(`frame: header length ${headerLength} does not fit in frame length ${frameLength}`);
  }
  return { type, frameLength, headerLength };
}

/**
 * An upper bound on the JSON values in `bytes[start, end)`: one per `{`, `[`
 * and `,` (string contents included, so it never undercounts). Cost O(bytes),
 * far below JSON.parse and schema validation.
 */
function countJsonItems(bytes: Uint8Array, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0x2c || b === 0x5b || b === 0x7b) count++;
  }
  return count;
}

/**
 * Decode one complete frame (exactly one frame's bytes). Tensor data are views
 * into `frame` when it is 4-aligned and the host is little-endian, copies
 * otherwise.
 *
 * @throws {ProtocolError} on anything malformed (see the module comment).
 */
export function decodeFrame(frame: Uint8Array, limits: ProtocolLimits = DEFAULT_LIMITS): Message {
  if (frame.length < PREFIX_BYTES) throw new ProtocolError(`frame: truncated prefix (${frame.length} of ${PREFIX_BYTES} bytes)`);
  const prefix = parsePrefix(frame, limits);
  if (frame.length !== prefix.frameLength) {
    throw new ProtocolError(`frame: ${frame.length} bytes given, the prefix says ${prefix.frameLength} (truncated or trailing bytes)`);
  }
  const items = countJsonItems(frame, PREFIX_BYTES, PREFIX_BYTES + prefix.headerLength);
  if (items > limits.maxHeaderItems) {
    throw new ProtocolError(`frame ${prefix.type}: header holds more than ${limits.maxHeaderItems} JSON values (counted before parsing)`);
  }
  let raw: unknown;
  try {
    const text = textDecoder.decode(frame.subarray(PREFIX_BYTES, PREFIX_BYTES + prefix.headerLength));
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError(`frame ${prefix.type}: header is not valid UTF-8 JSON`, { cause });
  }
  const parsed = HEADER_SCHEMAS[prefix.type].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    throw new ProtocolError(`frame ${prefix.type}: invalid header field "${path}": ${issue?.message ?? "invalid"}`);
  }
  const header = parsed.data as { tensors: number[][] };
  if (header.tensors.length > limits.maxTensorsPerFrame) {
    throw new ProtocolError(`frame ${prefix.type}: ${header.tensors.length} tensors exceed maxTensorsPerFrame ${limits.maxTensorsPerFrame}`);
  }
  let offset = PREFIX_BYTES + ((prefix.headerLength + 3) & ~3);
  const available = prefix.frameLength - offset;
  const counts: number[] = [];
  let total = 0;
  for (const shape of header.tensors) {
    const count = elementCount(shape, available / 4, `frame ${prefix.type}`);
    total += count * 4;
    if (total > available) break;
    counts.push(count);
  }
  if (total !== available) {
    throw new ProtocolError(`frame ${prefix.type}: tensor shapes need ${total} body bytes, the frame has ${available}`);
  }
  const aligned = (frame.byteOffset & 3) === 0;
  const tensors: Tensor[] = header.tensors.map((shape, i) => {
    const count = counts[i]!;
    let data: Float32Array;
    if (LITTLE_ENDIAN_HOST && aligned) {
      data = new Float32Array(frame.buffer, frame.byteOffset + offset, count);
    } else {
      data = new Float32Array(count);
      const view = new DataView(frame.buffer, frame.byteOffset + offset, count * 4);
      for (let j = 0; j < count; j++) data[j] = view.getFloat32(j * 4, true);
    }
    offset += count * 4;
    return { shape, data };
  });
  return { type: prefix.type, header: parsed.data, tensors } as Message;
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Called once a frame's prefix is validated, before its buffer is
   * allocated, with the frame's length and type: throw to refuse the frame
   * (the decoder then fails like on a malformed frame). A server charges the
   * frame to its memory budget here.
   */
  readonly admit?: (frameLength: number, type: MessageType) => void;
}

/**
 * Incremental decoder for a byte stream: feed chunks as they arrive (split or
 * coalesced, any sizes); it returns the complete frames. It buffers at most
 * one frame, and only after the 16-byte prefix has been validated against
 * the limits (and accepted by `options.admit`), so an oversized length
 * prefix is rejected before any large allocation. The frame's buffer is
 * allocated once at its final size and filled in place, so a frame costs its
 * length in memory, not twice. After it throws, the stream is unusable
 * (close the connection).
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder();
 * socket.on("data", (chunk) => { for (const message of decoder.push(chunk)) handle(message); });
 * ```
 */
export class FrameDecoder {
  private readonly limits: ProtocolLimits;
  private readonly admit: ((frameLength: number, type: MessageType) => void) | undefined;
  private readonly head = new Uint8Array(PREFIX_BYTES);
  private headLength = 0;
  private frame: Uint8Array | undefined;
  private filled = 0;
  private prefix: Prefix | undefined;
  private failed: ProtocolError | undefined;

  /**
   * @param limits frame limits (default {@link DEFAULT_LIMITS}).
   * @param options hooks (see {@link FrameDecoderOptions}).
   */
  constructor(limits: Partial<ProtocolLimits> = {}, options: FrameDecoderOptions = {}) {
    this.limits = resolveLimits(limits);
    this.admit = options.admit;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.frame === undefined ? this.headLength : this.filled;
  }

  /** Length of the frame being assembled (its buffer's size), 0 between frames. */
  get pendingFrameBytes(): number {
    return this.frame?.length ?? 0;
  }

  /**
   * Feed bytes; returns the frames they complete, in order.
   * @throws {ProtocolError} on a malformed frame (and on every later call).
   */
  push(chunk: Uint8Array): Message[] {
    if (this.failed) throw this.failed;
    try {
      return this.pushUnchecked(chunk);
    } catch (error) {
      this.failed = error instanceof ProtocolError ? error : new ProtocolError(`frame: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      this.frame = undefined;
      this.filled = 0;
      this.headLength = 0;
      throw this.failed;
    }
  }

  /**
   * Declare the end of the stream.
   * @throws {ProtocolError} when a partial frame is pending (truncated frame).
   */
  end(): void {
    if (this.failed) return;
    if (this.bufferedBytes > 0) {
      const expected = this.prefix ? ` of ${this.prefix.frameLength}` : "";
      throw new ProtocolError(`frame: stream ended inside a frame (${this.bufferedBytes}${expected} bytes received; truncated)`);
    }
  }

  private pushUnchecked(chunk: Uint8Array): Message[] {
    const out: Message[] = [];
    let rest = chunk;
    for (;;) {
      if (this.frame !== undefined) {
        const n = Math.min(rest.length, this.frame.length - this.filled);
        this.frame.set(rest.subarray(0, n), this.filled);
        this.filled += n;
        rest = rest.subarray(n);
        if (this.filled < this.frame.length) return out;
        const frame = this.frame;
        this.frame = undefined;
        this.filled = 0;
        this.prefix = undefined;
        out.push(decodeFrame(frame, this.limits));
        continue;
      }
      const n = Math.min(PREFIX_BYTES - this.headLength, rest.length);
      this.head.set(rest.subarray(0, n), this.headLength);
      this.headLength += n;
      rest = rest.subarray(n);
      // Reject garbage as soon as the magic is visibly wrong.
      for (let i = 0; i < Math.min(this.headLength, 4); i++) {
        if (this.head[i] !== MAGIC[i]) throw new ProtocolError(`frame: bad magic bytes (expected "IONN")`);
      }
      if (this.headLength < PREFIX_BYTES) return out;
      this.prefix = parsePrefix(this.head, this.limits);
      this.admit?.(this.prefix.frameLength, this.prefix.type);
      this.frame = new Uint8Array(this.prefix.frameLength);
      this.frame.set(this.head, 0);
      this.filled = PREFIX_BYTES;
      this.headLength = 0;
    }
  }
}

// ---------------------------------------------------------------------------
// Message helpers shared by transports and server
// ---------------------------------------------------------------------------

/** The JSON form of a layer definition for an `upload` header. */
export function layerToJson(layer: Layer): LayerJson {
  return {
    index: layer.index,
    name: layer.name,
    type: layer.type,
    bottoms: [...layer.bottoms],
    tops: [...layer.tops],
    inputs: layer.inputs.map((r) => ({ layer: r.layer, top: r.top })),
    inputShapes: layer.inputShapes.map((s) => [...s]),
    outputShapes: layer.outputShapes.map((s) => [...s]),
    params: JSON.parse(JSON.stringify(layer.params)) as Record<string, unknown>,
    paramShapes: layer.paramShapes.map((s) => [...s]),
    parameters: layer.parameters,
    macs: layer.macs,
    ...(layer.opaque === undefined ? {} : { opaque: layer.opaque }),
  };
}

/**
 * Split a partition's upload into `upload` messages of at most about
 * `chunkBytes` of tensor data each (a blob larger than that is cut into
 * slices), so execute requests can interleave with a long upload on one
 * stream. Piece 0 carries the layer definitions; the last piece has
 * `last: true` (a partition without weights is one piece).
 *
 * @throws {ProtocolError} when a layer's weights do not match its paramShapes.
 */
export function uploadMessages(
  partition: {
    index: number;
    layers: readonly Layer[];
    weights: ReadonlyMap<string, readonly Float32Array[]>;
    digests?: ReadonlyMap<string, string>;
    cached?: ReadonlySet<string>;
  },
  sessionId: string,
  firstRequestId: number,
  chunkBytes: number,
  limits: ProtocolLimits = DEFAULT_LIMITS,
): MessageOf<"upload">[] {
  const chunkElements = Math.max(1, Math.floor(Math.min(chunkBytes, limits.maxFrameBytes - limits.maxHeaderBytes - 64) / 4));
  const maxTensors = Math.max(1, limits.maxTensorsPerFrame);
  const pieces: { blobs: { layer: string; blob: number; offset: number }[]; tensors: Tensor[] }[] = [];
  let current: (typeof pieces)[number] = { blobs: [], tensors: [] };
  let currentElements = 0;
  for (const layer of partition.layers) {
    if (layer.paramShapes.length === 0 || partition.cached?.has(layer.name)) continue;
    const blobs = partition.weights.get(layer.name);
    if (blobs === undefined || blobs.length !== layer.paramShapes.length) {
      throw new ProtocolError(
        `upload: layer "${layer.name}" needs ${layer.paramShapes.length} weight blobs, got ${blobs?.length ?? 0}`,
      );
    }
    blobs.forEach((data, blob) => {
      const expected = layer.paramShapes[blob]!.reduce((a, b) => a * b, 1);
      if (data.length !== expected) {
        throw new ProtocolError(`upload: layer "${layer.name}" blob ${blob} has ${data.length} values, paramShapes say ${expected}`);
      }
      let offset = 0;
      while (offset < data.length || (data.length === 0 && offset === 0)) {
        if (currentElements >= chunkElements || current.tensors.length >= maxTensors) {
          pieces.push(current);
          current = { blobs: [], tensors: [] };
          currentElements = 0;
        }
        const n = Math.min(data.length - offset, chunkElements - currentElements);
        current.blobs.push({ layer: layer.name, blob, offset });
        current.tensors.push({ shape: [n], data: data.subarray(offset, offset + n) });
        currentElements += n;
        offset += n;
        if (data.length === 0) break;
      }
    });
  }
  if (current.tensors.length > 0 || pieces.length === 0) pieces.push(current);
  return pieces.map((piece, i) => ({
    type: "upload" as const,
    header: {
      requestId: firstRequestId + i,
      tensors: [],
      sessionId,
      partition: partition.index,
      piece: i,
      last: i === pieces.length - 1,
      ...(i === 0 ? { layers: partition.layers.map(layerToJson) } : {}),
      ...(i === 0 && partition.digests !== undefined ? { digests: Object.fromEntries(partition.digests) } : {}),
      ...(i === 0 && partition.cached !== undefined && partition.cached.size > 0 ? { cached: [...partition.cached] } : {}),
      blobs: piece.blobs,
    },
    tensors: piece.tensors,
  }));
}

/** Pair tensor keys with tensors (for `execute` inputs / `result` outputs). */
export function tensorsByKey(keys: readonly string[], tensors: readonly Tensor[], where: string): Map<string, Tensor> {
  if (keys.length !== tensors.length) {
    throw new ProtocolError(`${where}: ${keys.length} keys for ${tensors.length} tensors`);
  }
  const map = new Map<string, Tensor>();
  keys.forEach((k, i) => {
    if (map.has(k)) throw new ProtocolError(`${where}: tensor key ${k} appears twice`);
    map.set(k, tensors[i]!);
  });
  return map;
}
