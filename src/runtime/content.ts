/**
 * Content-addressed uploads (issue 11), the server's and the client's
 * halves. The server keeps the records of verified layers in a memory store
 * and, optionally, a shared {@link PartitionStore} (e.g. Redis); an `offer`
 * of digests is answered with those it can produce, and those records are
 * reserved for the offering session only (a session can use a record only
 * by naming its digest). The client computes each layer's digest once.
 *
 * A shared store that fails or is slow never blocks a client: every store
 * call is bounded by `storeTimeoutMs`, a failure counts as "not held" (the
 * client then uploads) or as "not stored" (the ACK goes out anyway).
 *
 * @module
 */
import { withTimeout } from "../platform/index.js";
import { memoryStore } from "../store/memory.js";
import { StoreIntegrityError, type Digest } from "../store/errors.js";
import type { PartitionStore } from "../store/index.js";
import { decodeLayerRecord, encodeLayerRecord, layerDigest, type LayerRecord } from "../store/record.js";
import type { Layer } from "../model/types.js";
import { layerToJson } from "./protocol.js";
import type { LayerWeights } from "./types.js";

/** Counters of the server's content-addressed cache. */
export interface ContentStats {
  /** Offered digests answered from the server's memory. */
  readonly memoryHits: number;
  /** Offered digests answered from the shared store. */
  readonly storeHits: number;
  /** Offered digests neither held (the client uploads them). */
  readonly misses: number;
  /** Store operations that failed or timed out (outage: served from memory / client uploads instead). */
  readonly storeFailures: number;
  /** Store entries that failed verification and were ignored. */
  readonly storeCorrupt: number;
  /** Records written to the shared store. */
  readonly storePuts: number;
}

function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withTimeout(promise, ms, () => new Error(`store: no answer within ${ms} ms`));
}

/** @internal The server's record cache: memory first, then the shared store. */
export class ContentCache {
  private readonly memory: PartitionStore;
  private memoryHits = 0;
  private storeHits = 0;
  private misses = 0;
  private storeFailures = 0;
  private storeCorrupt = 0;
  private storePuts = 0;

  constructor(
    readonly shared: PartitionStore | undefined,
    memory: PartitionStore | undefined,
    private readonly timeoutMs: number,
  ) {
    this.memory = memory ?? memoryStore();
  }

  /** Resolve offered digests to verified records (missing ones are left out). Never rejects. */
  async lookup(digests: readonly Digest[]): Promise<Map<Digest, LayerRecord>> {
    const found = new Map<Digest, LayerRecord>();
    const wanted = [...new Set(digests)];
    const fromShared: Digest[] = [];
    for (const digest of wanted) {
      const record = await this.memory.get(digest).catch(() => undefined);
      if (record !== undefined) {
        try {
          found.set(digest, decodeLayerRecord(record));
          this.memoryHits++;
          continue;
        } catch {
          // cannot happen for records verified at put; fall through to the store
        }
      }
      fromShared.push(digest);
    }
    if (this.shared !== undefined && fromShared.length > 0) {
      let held: boolean[];
      try {
        held = await bounded(this.shared.has(fromShared), this.timeoutMs);
      } catch {
        this.storeFailures++;
        held = fromShared.map(() => false);
      }
      for (const [i, digest] of fromShared.entries()) {
        if (!held[i]) continue;
        try {
          const record = await bounded(this.shared.get(digest), this.timeoutMs * 4);
          if (record === undefined) continue;
          const decoded = decodeLayerRecord(record, digest);
          found.set(digest, decoded);
          this.storeHits++;
          await this.memory.put(digest, record).catch(() => undefined);
        } catch (error) {
          if (error instanceof StoreIntegrityError) this.storeCorrupt++;
          else this.storeFailures++;
        }
      }
    }
    this.misses += wanted.length - found.size;
    return found;
  }

  /** File a verified record in memory and (bounded by the timeout) in the shared store. Never rejects. */
  async publish(digest: Digest, record: Uint8Array): Promise<void> {
    await this.memory.put(digest, record).catch(() => undefined);
    if (this.shared === undefined) return;
    try {
      // Large records get 1 ms more per 25 kB (a slow store still ends; an unreachable one fails at once).
      await bounded(this.shared.put(digest, record), this.timeoutMs + Math.ceil(record.length / 25_000));
      this.storePuts++;
    } catch {
      this.storeFailures++;
    }
  }

  stats(): ContentStats {
    const { memoryHits, storeHits, misses, storeFailures, storeCorrupt, storePuts } = this;
    return { memoryHits, storeHits, misses, storeFailures, storeCorrupt, storePuts };
  }
}

/** The record digest of a layer and its weights (what the client offers and the server verifies). */
export function digestLayer(layer: Layer, weights: LayerWeights): Digest {
  return layerDigest(layerToJson(layer), weights);
}

/** The record of a layer and its weights (what the server files under its digest). */
export function recordOfLayer(layer: Layer, weights: LayerWeights): Uint8Array {
  return encodeLayerRecord(layerToJson(layer), weights);
}
