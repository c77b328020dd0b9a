/**
 * The in-memory transport (IONN §4, Figure 3, with the network replaced by a
 * direct call): delivers decoded messages straight to an {@link EdgeServer}
 * in the same process. An optional {@link LinkModel} is charged with each
 * message's encoded frame size before delivery, so the simulator can account
 * bandwidth and latency on a virtual clock.
 *
 * Tensors are passed by reference (no copy): neither side mutates them.
 *
 * @module
 */
import { TransportError } from "../errors.js";
import { RemoteError, type Message, frameSize, tensorsByKey, uploadMessages } from "./protocol.js";
import type { EdgeServer, ServerConnection } from "./server.js";
import type {
  ExecuteRequest,
  LinkModel,
  NetworkDeclaration,
  PartitionUpload,
  SessionInfo,
  Tensor,
  Transport,
  UploadAck,
} from "./types.js";

/** Options of {@link inMemoryTransport}. */
export interface InMemoryTransportOptions {
  /** Charged with every message's frame size before delivery (default: free and instant). */
  readonly link?: LinkModel;
  /**
   * Split partition uploads into pieces of about this many weight bytes, as
   * the TCP transport does (default `Infinity`: one message per partition).
   */
  readonly uploadChunkBytes?: number;
}

/**
 * A {@link Transport} that calls `server` directly (one
 * {@link ServerConnection} per transport).
 *
 * @example
 * ```ts
 * const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
 * const link = { transfer: async (bytes: number) => clock.advance(bytes / bytesPerMs) };
 * const client = new OffloadingClient({ network, weights, local, plan, transport: inMemoryTransport(server, { link }) });
 * ```
 */
export function inMemoryTransport(server: EdgeServer, options: InMemoryTransportOptions = {}): Transport {
  const { link } = options;
  const chunkBytes = options.uploadChunkBytes ?? Number.POSITIVE_INFINITY;
  let connection: ServerConnection | undefined;
  let sessionId: string | undefined;
  let nextRequestId = 1;
  let closed = false;
  // Upload frames leave one after another, as on one TCP stream (pipelined uploads queue; features do not wait).
  let uploadLane: Promise<void> = Promise.resolve();

  async function roundTrip(message: Message): Promise<Message | undefined> {
    if (closed || connection === undefined) throw new TransportError("in-memory transport: not open");
    if (connection.closed) throw new TransportError("in-memory transport: the server closed the connection");
    if (link && message.type === "upload") {
      const bytes = frameSize(message);
      const sent = uploadLane.then(() => link.transfer(bytes, "up"));
      uploadLane = sent.catch(() => undefined);
      await sent;
    } else if (link) await link.transfer(frameSize(message), "up");
    const reply = await connection.handle(message);
    if (reply === undefined) return undefined;
    if (link) await link.transfer(frameSize(reply), "down");
    if (reply.type === "error") throw new RemoteError(reply.header.code, reply.header.message);
    return reply;
  }

  function session(): string {
    if (sessionId === undefined || closed) throw new TransportError("in-memory transport: no open session (call open first)");
    return sessionId;
  }

  return {
    async open(network: NetworkDeclaration): Promise<SessionInfo> {
      if (connection !== undefined) throw new TransportError("in-memory transport: already open");
      connection = server.connect();
      const reply = await roundTrip({
        type: "hello",
        header: { requestId: nextRequestId++, tensors: [], network: { name: network.name, layers: network.layers.map((l) => ({ name: l.name, type: l.type })) } },
        tensors: [],
      });
      if (reply?.type !== "hello-ok") throw new TransportError(`in-memory transport: expected hello-ok, got ${reply?.type ?? "nothing"}`);
      sessionId = reply.header.sessionId;
      return reply.header.predictionFunctions === undefined
        ? { sessionId }
        : { sessionId, predictionFunctions: reply.header.predictionFunctions };
    },

    async upload(partition: PartitionUpload): Promise<UploadAck> {
      const messages = uploadMessages(partition, session(), nextRequestId, chunkBytes, server.limits);
      nextRequestId += messages.length;
      let reply: Message | undefined;
      for (const message of messages) reply = await roundTrip(message);
      if (reply?.type !== "ack" || reply.header.partition !== partition.index) {
        throw new TransportError(`in-memory transport: expected the ACK of partition ${partition.index}, got ${reply?.type ?? "nothing"}`);
      }
      return {
        index: reply.header.partition,
        layers: reply.header.layers,
        ...(reply.header.weightBytesReceived === undefined ? {} : { weightBytesReceived: reply.header.weightBytesReceived }),
        ...(reply.header.weightBytesReused === undefined ? {} : { weightBytesReused: reply.header.weightBytesReused }),
      };
    },

    async offer(partition: number, digests: readonly string[]): Promise<ReadonlySet<string>> {
      const reply = await roundTrip({ type: "offer", header: { requestId: nextRequestId++, tensors: [], sessionId: session(), partition, digests: [...digests] }, tensors: [] });
      if (reply?.type !== "have") throw new TransportError(`in-memory transport: expected have, got ${reply?.type ?? "nothing"}`);
      return new Set(reply.header.have);
    },

    async execute(request: ExecuteRequest): Promise<Map<string, Tensor>> {
      const keys = [...request.inputs.keys()];
      const reply = await roundTrip({
        type: "execute",
        header: { requestId: nextRequestId++, tensors: [], sessionId: session(), layers: [...request.layers], inputs: keys, outputs: [...request.outputs] },
        tensors: keys.map((k) => request.inputs.get(k)!),
      });
      if (reply?.type !== "result") throw new TransportError(`in-memory transport: expected a result, got ${reply?.type ?? "nothing"}`);
      return tensorsByKey(reply.header.outputs, reply.tensors, "in-memory transport: result");
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (connection !== undefined && !connection.closed) {
        const bye: Message = { type: "bye", header: { tensors: [], ...(sessionId ? { sessionId } : {}) }, tensors: [] };
        try {
          if (link) await link.transfer(frameSize(bye), "up");
          await connection.handle(bye);
        } catch {
          // closing never fails
        }
        connection.close();
      }
    },
  };
}
