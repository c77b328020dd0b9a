/**
 * Content-addressed partition blobs (issue 11): every layer's weights are
 * named by the sha256 digest of a *layer record* (its canonical definition
 * followed by its weight bytes, see {@link encodeLayerRecord}), so the same
 * model's layers are the same blobs for every client and every edge server.
 * A {@link PartitionStore} holds records by digest; {@link memoryStore} keeps
 * them in the process (LRU by bytes, optional TTL), {@link redisStore} in a
 * Redis server or Redis Cluster shared by several edge servers (chunked,
 * TTL, lazily loaded optional `ioredis`).
 *
 * Every store verifies what it returns: a record whose bytes do not hash to
 * the digest it is filed under (truncated chunk, wrong length, flipped bit)
 * is reported as {@link StoreIntegrityError} and dropped, never served.
 *
 * @module
 */
import type { Digest } from "./errors.js";

export { StoreConfigError, StoreIntegrityError, StoreUnavailableError } from "./errors.js";
export type { Digest } from "./errors.js";

export { canonicalJson, decodeLayerRecord, digestOf, encodeLayerRecord, isDigest, layerDigest } from "./record.js";
export type { LayerRecord } from "./record.js";
export { memoryStore } from "./memory.js";
export type { MemoryStoreOptions } from "./memory.js";
export { redisStore, parseRedisUrl } from "./redis.js";
export type { RedisStoreOptions } from "./redis.js";

/** Counters of a {@link PartitionStore}. */
export interface StoreStats {
  /** Records held (for a shared store: as far as this process knows, or `undefined`). */
  readonly entries: number | undefined;
  /** Record bytes held (same caveat). */
  readonly bytes: number | undefined;
  /** `get` calls answered with a record. */
  readonly hits: number;
  /** `get` calls answered "not held". */
  readonly misses: number;
  /** Records written by `put`. */
  readonly puts: number;
  /** Records dropped by the eviction rule (LRU by bytes, TTL). */
  readonly evictions: number;
  /** Entries found corrupt (bytes not matching the digest, bad chunk lengths) and dropped. */
  readonly corrupt: number;
  /** Operations that failed because the backend was unreachable or timed out. */
  readonly failures: number;
}

/**
 * A content-addressed store of layer records. Keys are digests; a value is
 * the exact record bytes whose sha256 is the key. Implementations:
 * {@link memoryStore}, {@link redisStore}.
 *
 * @example
 * ```ts
 * const store = memoryStore({ maxBytes: 512 * 2 ** 20 });
 * const record = encodeLayerRecord(layerToJson(layer), weights.get(layer.name)!);
 * const digest = digestOf(record);
 * await store.put(digest, record);
 * const back = await store.get(digest); // verified against the digest
 * ```
 */
export interface PartitionStore {
  /** A short description for logs (`"memory"`, `"redis://127.0.0.1:6379"`). */
  readonly label: string;
  /** Which of `digests` are held (one boolean each, same order). Cheap: no record is read. */
  has(digests: readonly Digest[]): Promise<boolean[]>;
  /**
   * The record filed under `digest`, verified (sha256 of the returned bytes
   * equals `digest`), or `undefined` when not held.
   * @throws {StoreIntegrityError} when the entry exists but is corrupt (it is deleted first).
   * @throws {StoreUnavailableError} when the backend cannot be reached.
   */
  get(digest: Digest): Promise<Uint8Array | undefined>;
  /**
   * File `record` under `digest` (idempotent).
   * @throws {StoreIntegrityError} when sha256(record) is not `digest` (nothing is stored).
   * @throws {StoreUnavailableError} when the backend cannot be reached.
   */
  put(digest: Digest, record: Uint8Array): Promise<void>;
  /** Counters. */
  stats(): StoreStats;
  /** Release connections (idempotent). */
  close(): Promise<void>;
}

