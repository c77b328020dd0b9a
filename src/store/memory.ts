/**
 * The in-memory {@link PartitionStore}: a map from digest to record with an
 * LRU rule by bytes (`maxBytes`, default 1 GiB) and an optional TTL.
 *
 * @module
 */
import { StoreConfigError, StoreIntegrityError, type Digest } from "./errors.js";
import type { PartitionStore, StoreStats } from "./index.js";
import { digestOf, isDigest } from "./record.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most record bytes held; the least recently used records are dropped beyond it (default 1 GiB). */
  readonly maxBytes?: number;
  /** Records not read or written for this long are dropped (default: never). */
  readonly ttlMs?: number;
  /** A record larger than this is not stored (`put` is a no-op; default `maxBytes`). */
  readonly maxRecordBytes?: number;
  /** Time source for the TTL (default `performance.now()`). */
  readonly clock?: {
    /** Current time in ms. */
    now(): number;
  };
}

interface Entry {
  readonly record: Uint8Array;
  touched: number;
}

/**
 * A {@link PartitionStore} in this process. `get` re-hashes nothing (a
 * record is verified once, on `put`) and returns the stored bytes (do not
 * mutate them). Map order is the LRU order: a hit moves the entry to the end.
 *
 * @throws {StoreConfigError} on a non-positive `maxBytes`, `ttlMs` or `maxRecordBytes`.
 * @example
 * ```ts
 * const store = memoryStore({ maxBytes: 256 * 2 ** 20, ttlMs: 600_000 });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): PartitionStore {
  const maxBytes = options.maxBytes ?? 2 ** 30;
  const ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const maxRecordBytes = options.maxRecordBytes ?? maxBytes;
  for (const [field, value] of Object.entries({ maxBytes, ttlMs, maxRecordBytes })) {
    if (!(typeof value === "number" && value > 0)) throw new StoreConfigError(`memoryStore: ${field} must be a number > 0, got ${String(value)}`);
  }
  const clock = options.clock ?? { now: () => performance.now() };
  const entries = new Map<Digest, Entry>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let puts = 0;
  let evictions = 0;

  function drop(digest: Digest, entry: Entry): void {
    entries.delete(digest);
    bytes -= entry.record.length;
    evictions++;
  }

  function live(digest: Digest): Entry | undefined {
    const entry = entries.get(digest);
    if (entry === undefined) return undefined;
    if (clock.now() - entry.touched > ttlMs) {
      drop(digest, entry);
      return undefined;
    }
    return entry;
  }

  return {
    label: "memory",
    async has(digests) {
      return digests.map((d) => live(d) !== undefined);
    },
    async get(digest) {
      const entry = live(digest);
      if (entry === undefined) {
        misses++;
        return undefined;
      }
      entries.delete(digest);
      entry.touched = clock.now();
      entries.set(digest, entry);
      hits++;
      return entry.record;
    },
    async put(digest, record) {
      if (!isDigest(digest)) throw new StoreIntegrityError(String(digest), `memoryStore.put: "${String(digest).slice(0, 80)}" is not a sha256 hex digest`);
      if (digestOf(record) !== digest) {
        throw new StoreIntegrityError(digest, `memoryStore.put: the ${record.length} bytes do not hash to ${digest.slice(0, 12)}…; not stored`);
      }
      if (record.length > maxRecordBytes) return;
      const old = entries.get(digest);
      if (old !== undefined) {
        entries.delete(digest);
        bytes -= old.record.length;
      }
      entries.set(digest, { record, touched: clock.now() });
      bytes += record.length;
      puts++;
      for (const [d, entry] of entries) {
        if (bytes <= maxBytes) break;
        if (d === digest) continue;
        drop(d, entry);
      }
    },
    stats(): StoreStats {
      return { entries: entries.size, bytes, hits, misses, puts, evictions, corrupt: 0, failures: 0 };
    },
    async close() {
      entries.clear();
      bytes = 0;
    },
  };
}
