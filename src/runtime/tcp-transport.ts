/**
 * The TCP transport (IONN §4, Figure 3, client side of the network): the
 * binary protocol of `protocol.ts` over one `node:net` socket. Requests are
 * multiplexed by request id, so a query's `execute` can overtake a long
 * upload: partitions go out in pieces of `uploadChunkBytes`, and queued
 * `execute` frames are written before the next upload piece. Writes respect
 * backpressure (`write()` returning false → wait for `'drain'`).
 *
 * @module
 */
import { connect, type Socket } from "node:net";
import { ProtocolError, TransportError } from "../errors.js";
import {
  FrameDecoder,
  type Message,
  type ProtocolLimits,
  RemoteError,
  encodeFrame,
  frameSize,
  resolveLimits,
  tensorsByKey,
  uploadMessages,
} from "./protocol.js";
import type {
  ExecuteRequest,
  NetworkDeclaration,
  OpenOptions,
  PartitionUpload,
  SessionInfo,
  Tensor,
  Transport,
  UploadAck,
} from "./types.js";

/** Options of {@link tcpTransport}. */
export interface TcpTransportOptions {
  /** Server host (e.g. `"127.0.0.1"`). */
  readonly host: string;
  /** Server port. */
  readonly port: number;
  /**
   * Time allowed for connecting, for a reply to `hello`/`execute`, and for
   * the ACK once a partition's last byte is written (default 30 000 ms).
   */
  readonly timeoutMs?: number;
  /** Weight bytes per upload frame (default 4 MiB); smaller lets queries overtake uploads sooner. */
  readonly uploadChunkBytes?: number;
  /** Protocol limits (default {@link DEFAULT_LIMITS}). */
  readonly limits?: Partial<ProtocolLimits>;
  /** Token sent in `hello` for servers that require one (see docs/protocol.md; default none). */
  readonly token?: string;
  /**
   * Called with each uplink transfer the transport timed, for bandwidth
   * estimation. Every upload piece but the last asks the server for a
   * progress reply stamped with the server's clock; piece k ≥ 1 is timed
   * between the server's stamps of pieces k − 1 and k (on the receiving
   * side, so a client busy computing a query does not distort it; a piece
   * written after the previous one arrived starts at its write), mapped
   * to this clock by the smallest observed offset (a partition's first
   * piece only starts that timing; a one-piece partition runs from its
   * write to its ACK minus the server's reported time). An `execute` request runs from
   * its write to its result minus the server's reported time (the result's
   * own transfer is not subtracted), when no upload overlapped it (its bytes
   * would have queued behind the upload's in the socket). Default: nothing timed, no progress
   * replies.
   */
  readonly onTransfer?: (sample: { readonly startMs: number; readonly endMs: number; readonly bytes: number }) => void;
  /** Clock of the `onTransfer` samples, ms (default `performance.now()`). */
  readonly now?: () => number;
}

interface Pending {
  resolve(message: Message): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

interface Outgoing {
  pieces: Uint8Array[];
  upload?: PartitionUpload;
  written?: () => void;
}

/**
 * A {@link Transport} over TCP. Nothing happens until `open`; after the
 * socket fails every call rejects with {@link TransportError} (make a new
 * transport to reconnect).
 *
 * @example
 * ```ts
 * const transport = tcpTransport({ host: "127.0.0.1", port: 7070, timeoutMs: 5000 });
 * const client = new OffloadingClient({ network, weights, local, plan, transport });
 * ```
 */
export function tcpTransport(options: TcpTransportOptions): Transport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const chunkBytes = options.uploadChunkBytes ?? 4 * 2 ** 20;
  const limits = resolveLimits(options.limits);
  const where = `tcp ${options.host}:${options.port}`;
  let socket: Socket | undefined;
  let sessionId: string | undefined;
  let failure: Error | undefined;
  let nextRequestId = 1;
  const pending = new Map<number, Pending>();
  const urgent: Outgoing[] = [];
  const bulk: Outgoing[] = [];
  let waitingForDrain = false;
  let lastLoad: { queueMs: number; utilization: number } | undefined;
  const onTransfer = options.onTransfer;
  const now = options.now ?? (() => performance.now());
  const report = (startMs: number, endMs: number, bytes: number) => {
    if (onTransfer === undefined || !(endMs > startMs)) return;
    try {
      onTransfer({ startMs, endMs, bytes });
    } catch {
      // a listener's failure must not stop the transport
    }
  };
  const frameBytes = (message: Message) => frameSize(message);
  let clockOffset = Number.POSITIVE_INFINITY;
  // Uploads in flight, and how many were ever started: an execute request queued behind upload bytes in the
  // socket measures the queue, not the link, so it is timed only when no upload overlapped it.
  let uploadsInFlight = 0;
  let uploadsStarted = 0;

  function fail(error: Error): void {
    if (failure === undefined) failure = error;
    for (const [id, p] of pending) {
      pending.delete(id);
      if (p.timer) clearTimeout(p.timer);
      p.reject(failure);
    }
    urgent.length = 0;
    bulk.length = 0;
    socket?.destroy();
  }

  function pump(): void {
    if (socket === undefined || failure !== undefined) return;
    while (!waitingForDrain) {
      const next = urgent.shift() ?? bulk.shift();
      if (next === undefined) return;
      let ok = true;
      for (const piece of next.pieces) ok = socket.write(piece);
      next.written?.();
      if (!ok) {
        waitingForDrain = true;
        socket.once("drain", () => {
          waitingForDrain = false;
          pump();
        });
      }
    }
  }

  function expect(requestId: number, startTimer: boolean): { promise: Promise<Message>; arm(): void } {
    let entry!: Pending;
    const promise = new Promise<Message>((resolve, reject) => {
      entry = { resolve, reject, timer: undefined };
    });
    const arm = () => {
      if (entry.timer !== undefined || !pending.has(requestId)) return;
      entry.timer = setTimeout(() => {
        pending.delete(requestId);
        entry.reject(new TransportError(`${where}: no reply to request ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
    };
    pending.set(requestId, entry);
    if (startTimer) arm();
    return { promise, arm };
  }

  function onMessage(message: Message): void {
    const requestId = "requestId" in message.header ? message.header.requestId : undefined;
    if (message.type === "error" && requestId === undefined) {
      fail(new RemoteError(message.header.code, `${where}: ${message.header.message}`));
      return;
    }
    if ("load" in message.header && message.header.load !== undefined) lastLoad = message.header.load;
    const entry = requestId === undefined ? undefined : pending.get(requestId);
    if (entry === undefined) return; // a late reply to a timed-out request
    pending.delete(requestId!);
    if (entry.timer) clearTimeout(entry.timer);
    if (message.type === "error") entry.reject(new RemoteError(message.header.code, `${where}: ${message.header.message}`));
    else entry.resolve(message);
  }

  function send(message: Message, priority: "urgent" | "bulk", written?: () => void, upload?: PartitionUpload): void {
    const pieces = encodeFrame(message, limits);
    (priority === "urgent" ? urgent : bulk).push({ pieces, ...(written ? { written } : {}), ...(upload ? { upload } : {}) });
    pump();
  }

  function ready(): string {
    if (failure !== undefined) throw failure instanceof TransportError ? failure : new TransportError(`${where}: ${failure.message}`, { cause: failure });
    if (socket === undefined || sessionId === undefined) throw new TransportError(`${where}: no open session (call open first)`);
    return sessionId;
  }

  return {
    serverLoad: () => lastLoad,

    async open(network: NetworkDeclaration, openOptions: OpenOptions = {}): Promise<SessionInfo> {
      if (socket !== undefined) throw new TransportError(`${where}: already open`);
      const decoder = new FrameDecoder(limits);
      const s = connect({ host: options.host, port: options.port });
      socket = s;
      s.setNoDelay(true);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          s.destroy();
          reject(new TransportError(`${where}: connect timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        s.once("connect", () => {
          clearTimeout(timer);
          resolve();
        });
        s.once("error", (error) => {
          clearTimeout(timer);
          reject(new TransportError(`${where}: ${error.message}`, { cause: error }));
        });
      }).catch((error: Error) => {
        failure = error;
        throw error;
      });
      s.on("data", (chunk: Buffer) => {
        let messages: Message[];
        try {
          messages = decoder.push(chunk);
        } catch (error) {
          fail(error instanceof ProtocolError ? error : new ProtocolError(String(error)));
          return;
        }
        for (const message of messages) onMessage(message);
      });
      s.on("error", (error) => fail(new TransportError(`${where}: ${error.message}`, { cause: error })));
      s.on("close", () => fail(new TransportError(`${where}: connection closed`)));
      const requestId = nextRequestId++;
      const reply = expect(requestId, true);
      send(
        {
          type: "hello",
          header: {
            requestId,
            tensors: [],
            network: { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) },
            ...(options.token === undefined ? {} : { token: options.token }),
            ...(openOptions.resume === undefined ? {} : { resume: { sessionId: openOptions.resume.sessionId, secret: openOptions.resume.secret } }),
          },
          tensors: [],
        },
        "urgent",
      );
      const message = await reply.promise;
      if (message.type !== "hello-ok") throw new ProtocolError(`${where}: expected hello-ok, got ${message.type}`);
      sessionId = message.header.sessionId;
      return {
        sessionId,
        ...(message.header.predictionFunctions === undefined ? {} : { predictionFunctions: message.header.predictionFunctions }),
        ...(message.header.resumeSecret === undefined ? {} : { resume: { sessionId, secret: message.header.resumeSecret } }),
        ...(message.header.holds === undefined ? {} : { holds: message.header.holds }),
      };
    },

    async upload(partition: PartitionUpload): Promise<UploadAck> {
      const id = ready();
      const plain = uploadMessages(partition, id, nextRequestId, chunkBytes, limits);
      uploadsInFlight++;
      uploadsStarted++;
      // With onTransfer, every piece but the last asks for a progress reply (timed below).
      const messages = onTransfer === undefined ? plain : plain.map((m, i) => (i < plain.length - 1 ? ({ ...m, header: { ...m.header, progress: true } } as typeof m) : m));
      nextRequestId += messages.length;
      // Every piece can draw an error reply; the last one draws the ACK.
      const replies = messages.map((m) => expect(m.header.requestId, false));
      let mark: number | undefined;
      const writtenAt: number[] = [];
      const sizes = onTransfer === undefined ? [] : messages.map(frameBytes);
      messages.forEach((message, i) =>
        send(
          message,
          "bulk",
          () => {
            if (onTransfer !== undefined) writtenAt[i] = now();
            if (i === 0) mark ??= now();
            if (i === messages.length - 1) replies[i]!.arm();
          },
          partition,
        ),
      );
      // Server stamps of the pieces, mapped to this clock: serverAtMs + offset (offset = the least now − serverAtMs seen).
      let previousStamp: number | undefined;
      const stamped = (message: Message, i: number) => {
        const t = now();
        const stamp = message.type === "ack" ? message.header.serverAtMs : undefined;
        if (stamp === undefined) {
          if (i === 0 && mark !== undefined) report(mark, t, sizes[i]!);
          return;
        }
        clockOffset = Math.min(clockOffset, t - stamp);
        // piece 0 only starts the server-side timing (its client-side start may be skewed by a busy event loop)
        // …and a piece written after the previous one arrived (the client was busy) starts at its write: idle time is not link time
        if (i > 0 && previousStamp !== undefined) report(Math.max(previousStamp + clockOffset, writtenAt[i] ?? -Infinity), stamp + clockOffset, sizes[i]!);
        previousStamp = stamp;
      };
      if (onTransfer !== undefined) replies.slice(0, -1).forEach((r, i) => r.promise.then((m) => stamped(m, i), () => undefined));
      const last = replies[replies.length - 1]!;
      try {
        const reply = await Promise.race([last.promise, ...replies.slice(0, -1).map((r) => r.promise.then(() => new Promise<never>(() => undefined)))]);
        if (reply.type !== "ack" || reply.header.partition !== partition.index) {
          throw new ProtocolError(`${where}: expected the ACK of partition ${partition.index}, got ${reply.type}`);
        }
        if (onTransfer !== undefined) {
          if (messages.length > 1) stamped(reply, messages.length - 1);
          else if (mark !== undefined) report(mark, now() - (reply.header.serverMs ?? 0), sizes[0]!);
        }
        return {
          index: reply.header.partition,
          layers: reply.header.layers,
          ...(reply.header.weightBytesReceived === undefined ? {} : { weightBytesReceived: reply.header.weightBytesReceived }),
          ...(reply.header.weightBytesReused === undefined ? {} : { weightBytesReused: reply.header.weightBytesReused }),
        };
      } finally {
        uploadsInFlight--;
        for (let i = bulk.length - 1; i >= 0; i--) if (bulk[i]!.upload === partition) bulk.splice(i, 1);
        for (const m of messages) {
          const entry = pending.get(m.header.requestId);
          if (entry !== undefined) {
            pending.delete(m.header.requestId);
            if (entry.timer) clearTimeout(entry.timer);
          }
        }
      }
    },

    async execute(request: ExecuteRequest): Promise<Map<string, Tensor>> {
      const id = ready();
      const requestId = nextRequestId++;
      const keys = [...request.inputs.keys()];
      const reply = expect(requestId, true);
      const outgoing: Message = {
        type: "execute",
        header: { requestId, tensors: [], sessionId: id, layers: [...request.layers], inputs: keys, outputs: [...request.outputs] },
        tensors: keys.map((k) => request.inputs.get(k)!),
      };
      let writtenAt: number | undefined;
      const alone = uploadsInFlight === 0;
      const startedBefore = uploadsStarted;
      send(outgoing, "urgent", onTransfer === undefined ? undefined : () => (writtenAt = now()));
      const message = await reply.promise;
      if (!alone || uploadsStarted !== startedBefore) writtenAt = undefined;
      if (message.type !== "result") throw new ProtocolError(`${where}: expected a result, got ${message.type}`);
      if (writtenAt !== undefined && message.header.serverMs !== undefined) report(writtenAt, now() - message.header.serverMs, frameBytes(outgoing));
      return tensorsByKey(message.header.outputs, message.tensors, `${where}: result`);
    },

    async offer(partition: number, digests: readonly string[]): Promise<ReadonlySet<string>> {
      const id = ready();
      const requestId = nextRequestId++;
      const reply = expect(requestId, true);
      send({ type: "offer", header: { requestId, tensors: [], sessionId: id, partition, digests: [...digests] }, tensors: [] }, "bulk");
      const message = await reply.promise;
      if (message.type !== "have") throw new ProtocolError(`${where}: expected have, got ${message.type}`);
      return new Set(message.header.have);
    },

    async close(): Promise<void> {
      const s = socket;
      if (s === undefined || failure !== undefined) {
        failure ??= new TransportError(`${where}: closed`);
        return;
      }
      try {
        if (sessionId !== undefined) send({ type: "bye", header: { tensors: [], sessionId }, tensors: [] }, "urgent");
      } catch {
        // closing never fails
      }
      bulk.length = 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        timer.unref();
        s.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        s.end();
      });
      fail(new TransportError(`${where}: closed`));
    },
  };
}
