/**
 * The incremental offloading runtime (IONN §4, Figure 3): interfaces, wire
 * protocol, edge server, offloading client and transports.
 *
 * @module
 */
export type {
  Clock,
  ExecuteRequest,
  Executor,
  LayerWeights,
  LinkDirection,
  LinkModel,
  NetworkDeclaration,
  OpenOptions,
  PartitionUpload,
  ResumeToken,
  ServerLoad,
  Scheduler,
  SessionInfo,
  Tensor,
  TensorMap,
  Transport,
  UploadAck,
  UploadSchedule,
} from "./types.js";
export {
  DEFAULT_LIMITS,
  FrameDecoder,
  MAGIC,
  MESSAGE_CODES,
  PREFIX_BYTES,
  PROTOCOL_VERSION,
  RemoteError,
  decodeFrame,
  encodeFrame,
  encodeFrameBuffer,
  frameSize,
  resolveLimits,
  uploadMessages,
} from "./protocol.js";
export type { ErrorCode, FrameDecoderOptions, HeaderOf, Message, MessageOf, MessageType, ProtocolLimits } from "./protocol.js";
export type { LayerJson, LoadJson, MessageHeaders } from "./protocol-headers.js";
export { EdgeServer, ServerConnection, serveTcp } from "./server.js";
export type { EdgeServerOptions, EdgeServerStats, ExecutionLoad, ServeTcpOptions, TcpServerHandle } from "./server.js";
export { OffloadingClient } from "./client.js";
export type { ClientEvent, OffloadingClientOptions, QueryResult, UploadStatus } from "./client.js";
export type { ClientStats, ConnectionStats } from "./client.js";
export type { ContentStats } from "./content.js";
export { inMemoryTransport } from "./memory-transport.js";
export type { InMemoryTransportOptions } from "./memory-transport.js";
export { tcpTransport } from "./tcp-transport.js";
export { runUploadWindow } from "./upload-window.js";
export type { TcpTransportOptions } from "./tcp-transport.js";
export { FairLink, executeBytes, throttledTransport, uploadBytes } from "./throttled-transport.js";
export type { ThrottledTransportOptions } from "./throttled-transport.js";
