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
  resolveLimits,
  tensorsByKey,
  uploadMessages,
} from "./protocol.js";
import type {
  ExecuteRequest,
  NetworkDeclaration,
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
    async open(network: NetworkDeclaration): Promise<SessionInfo> {
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
          header: { requestId, tensors: [], network: { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) } },
          tensors: [],
        },
        "urgent",
      );
      const message = await reply.promise;
      if (message.type !== "hello-ok") throw new ProtocolError(`${where}: expected hello-ok, got ${message.type}`);
      sessionId = message.header.sessionId;
      return message.header.predictionFunctions === undefined
        ? { sessionId }
        : { sessionId, predictionFunctions: message.header.predictionFunctions };
    },

    async upload(partition: PartitionUpload): Promise<UploadAck> {
      const id = ready();
      const messages = uploadMessages(partition, id, nextRequestId, chunkBytes, limits);
      nextRequestId += messages.length;
      // Every piece can draw an error reply; the last one draws the ACK.
      const replies = messages.map((m) => expect(m.header.requestId, false));
      messages.forEach((message, i) =>
        send(message, "bulk", i === messages.length - 1 ? () => replies[i]!.arm() : undefined, partition),
      );
      const last = replies[replies.length - 1]!;
      try {
        const reply = await Promise.race([last.promise, ...replies.slice(0, -1).map((r) => r.promise.then(() => new Promise<never>(() => undefined)))]);
        if (reply.type !== "ack" || reply.header.partition !== partition.index) {
          throw new ProtocolError(`${where}: expected the ACK of partition ${partition.index}, got ${reply.type}`);
        }
        return {
          index: reply.header.partition,
          layers: reply.header.layers,
          ...(reply.header.weightBytesReceived === undefined ? {} : { weightBytesReceived: reply.header.weightBytesReceived }),
          ...(reply.header.weightBytesReused === undefined ? {} : { weightBytesReused: reply.header.weightBytesReused }),
        };
      } finally {
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
      send(
        {
          type: "execute",
          header: { requestId, tensors: [], sessionId: id, layers: [...request.layers], inputs: keys, outputs: [...request.outputs] },
          tensors: keys.map((k) => request.inputs.get(k)!),
        },
        "urgent",
      );
      const message = await reply.promise;
      if (message.type !== "result") throw new ProtocolError(`${where}: expected a result, got ${message.type}`);
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
