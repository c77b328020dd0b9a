/**
 * The Redis {@link PartitionStore}, shared by the edge servers of one
 * operator: a single Redis server or a Redis Cluster (through ioredis's
 * cluster mode). `ioredis` is an optional peer dependency loaded with a
 * dynamic `import()` on first use, so a planner-only consumer never installs
 * it; without it every operation throws {@link StoreConfigError} naming the
 * package.
 *
 * Layout of one record of `N` bytes under digest `d` (prefix `ionn:`):
 * `ionn:{d}:m` holds `{"v":1,"bytes":N,"chunk":C,"n":k}` and
 * `ionn:{d}:0` … `ionn:{d}:k-1` hold the record cut into chunks of `C` bytes
 * (default 8 MiB; the last one shorter). The `{d}` hash tag puts every key of
 * a record in one cluster slot, so one pipeline reads or writes it. The meta
 * key is written last (it marks a complete record). `get` checks each chunk's
 * length, the total and the sha256 of the whole; a corrupt entry is deleted
 * and reported ({@link StoreIntegrityError}).
 *
 * Eviction: every key gets the TTL `ttlMs` (default 24 h), renewed on each
 * hit, so records no server reads expire (least-recently-used by time); a
 * record over `maxRecordBytes` is not stored. A byte limit on the whole store
 * is Redis's own `maxmemory` with `maxmemory-policy volatile-lru` (a chunk
 * that Redis evicts makes its record fail the length check, so it is dropped,
 * never served).
 *
 * Outages: commands are not queued while disconnected (they fail at once)
 * and time out after `commandTimeoutMs`; the client reconnects in the
 * background forever, so a restarted Redis is used again.
 *
 * @module
 */
import { withTimeout } from "../platform/index.js";
import type { Cluster, Redis } from "ioredis";
import { StoreConfigError, StoreIntegrityError, StoreUnavailableError, type Digest } from "./errors.js";
import type { PartitionStore, StoreStats } from "./index.js";
import { digestOf, isDigest } from "./record.js";

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Seed nodes (`host`, `port`); several nodes imply cluster mode. */
  readonly nodes: readonly {
    /** Host name or address. */
    readonly host: string;
    /** TCP port. */
    readonly port: number;
  }[];
  /** Talk to a Redis Cluster (default: true when more than one node is given). */
  readonly cluster?: boolean;
  /** Bytes per chunk key (default 8 MiB). */
  readonly chunkBytes?: number;
  /** TTL of every key in ms, renewed on each hit (default 86 400 000 = 24 h). */
  readonly ttlMs?: number;
  /** Records larger than this are not stored (default 1 GiB). */
  readonly maxRecordBytes?: number;
  /** Each command (and the first connection) fails after this long (default 5000 ms). */
  readonly commandTimeoutMs?: number;
  /** Key prefix (default `"ionn:"`). */
  readonly keyPrefix?: string;
}

/**
 * Parse `redis://HOST:PORT[,HOST:PORT…]` (several nodes: a cluster) or
 * `redis+cluster://HOST:PORT[,…]` (a cluster given one seed node).
 * @throws {StoreConfigError} naming the bad part.
 */
export function parseRedisUrl(url: string): Pick<RedisStoreOptions, "nodes" | "cluster"> {
  const match = /^redis(\+cluster)?:\/\/([^/?#]+)\/?$/.exec(url);
  if (match === null) throw new StoreConfigError(`store URL must be redis://HOST:PORT[,HOST:PORT…] or redis+cluster://HOST:PORT, got "${url}"`);
  const nodes = match[2]!.split(",").map((part) => {
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(part);
    const port = m ? Number(m[2]) : NaN;
    if (m === null || !(port > 0 && port <= 65535)) throw new StoreConfigError(`store URL "${url}": "${part}" is not HOST:PORT`);
    return { host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port };
  });
  return { nodes, cluster: match[1] !== undefined || nodes.length > 1 };
}

interface Meta {
  readonly bytes: number;
  readonly chunk: number;
  readonly n: number;
}

type Client = Redis | Cluster;

function storeTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(promise, ms, () => new StoreUnavailableError(`${what}: no answer within ${ms} ms`));
}

/**
 * A {@link PartitionStore} on Redis (see the module comment for the layout,
 * eviction and outage behaviour). Connects on first use.
 *
 * @throws {StoreConfigError} on bad options (at once) or, from the first operation, when `ioredis` is not installed.
 * @example
 * ```ts
 * const store = redisStore({ ...parseRedisUrl("redis://127.0.0.1:6379"), ttlMs: 3_600_000 });
 * await store.put(digest, record);
 * ```
 */
export function redisStore(options: RedisStoreOptions): PartitionStore {
  const chunkBytes = options.chunkBytes ?? 8 * 2 ** 20;
  const ttlMs = options.ttlMs ?? 86_400_000;
  const maxRecordBytes = options.maxRecordBytes ?? 2 ** 30;
  const timeoutMs = options.commandTimeoutMs ?? 5000;
  const prefix = options.keyPrefix ?? "ionn:";
  if (options.nodes.length === 0) throw new StoreConfigError(`redisStore: nodes must name at least one HOST:PORT`);
  for (const [field, value] of Object.entries({ chunkBytes, ttlMs, maxRecordBytes, commandTimeoutMs: timeoutMs })) {
    if (!(Number.isSafeInteger(value) && value > 0)) throw new StoreConfigError(`redisStore: ${field} must be a whole number > 0, got ${String(value)}`);
  }
  const cluster = options.cluster ?? options.nodes.length > 1;
  const label = `redis${cluster ? "+cluster" : ""}://${options.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
  let client: Promise<Client> | undefined;
  let closed = false;
  let hits = 0;
  let misses = 0;
  let puts = 0;
  let corrupt = 0;
  let failures = 0;

  const metaKey = (d: Digest) => `${prefix}{${d}}:m`;
  const chunkKey = (d: Digest, i: number) => `${prefix}{${d}}:${i}`;

  async function create(): Promise<Client> {
    let mod: { Redis: typeof import("ioredis").Redis; Cluster: typeof import("ioredis").Cluster };
    try {
      mod = (await import("ioredis")) as unknown as typeof mod;
    } catch (cause) {
      throw new StoreConfigError(`redisStore needs the optional package "ioredis" (npm install ioredis@5): ${(cause as Error).message}`, { cause });
    }
    const common = {
      enableOfflineQueue: false,
      commandTimeout: timeoutMs,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    const c: Client = cluster
      ? new mod.Cluster(options.nodes.map((n) => ({ host: n.host, port: n.port })), {
          enableOfflineQueue: false,
          redisOptions: common,
          clusterRetryStrategy: (times: number) => Math.min(100 * times, 1000),
          slotsRefreshTimeout: timeoutMs,
        })
      : new mod.Redis({ host: options.nodes[0]!.host, port: options.nodes[0]!.port, ...common });
    c.on("error", () => {
      // reported through failed commands; ioredis reconnects by itself
    });
    return c;
  }

  let readyWait: Promise<void> | undefined;

  async function ready(what: string): Promise<Client> {
    if (closed) throw new StoreUnavailableError(`${label}: ${what}: store closed`);
    client ??= create();
    const c = await client;
    if (c.status === "ready") return c;
    // First use (or a reconnect under way): wait briefly for the connection, never past the timeout.
    // One "ready" listener however many calls wait (an outage must not pile up listeners).
    readyWait ??= new Promise<void>((resolve) => {
      c.once("ready", () => {
        readyWait = undefined;
        resolve();
      });
    });
    await storeTimeout(
      readyWait,
      Math.min(timeoutMs, c.status === "connecting" || c.status === "connect" || c.status === "wait" ? timeoutMs : 200),
      `${label}: ${what}: not connected`,
    ).catch((error: unknown) => {
      failures++;
      throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError(`${label}: ${what}: ${String(error)}`);
    });
    return c;
  }

  /** Run one operation; it fails after `commandTimeoutMs` plus 1 ms per 25 kB moved (large records). */
  async function run<T>(what: string, work: (c: Client) => Promise<T>, bytes = 0): Promise<T> {
    const c = await ready(what);
    try {
      return await storeTimeout(work(c), timeoutMs + Math.ceil(bytes / 25_000), `${label}: ${what}`);
    } catch (error) {
      if (error instanceof StoreIntegrityError || error instanceof StoreConfigError) throw error;
      failures++;
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`${label}: ${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  function parseMeta(digest: Digest, text: string): Meta {
    let meta: unknown;
    try {
      meta = JSON.parse(text);
    } catch {
      meta = undefined;
    }
    const m = meta as Partial<Meta & { v: number }> | undefined;
    const ok =
      m !== undefined && m !== null && m.v === 1 && Number.isSafeInteger(m.bytes) && m.bytes! >= 0 && Number.isSafeInteger(m.chunk) && m.chunk! > 0 &&
      m.n === Math.ceil(m.bytes! / m.chunk!);
    if (!ok) throw new StoreIntegrityError(digest, `${label}: record ${digest.slice(0, 12)}…: malformed meta entry ${JSON.stringify(text.slice(0, 200))}`);
    return m as Meta;
  }

  async function remove(c: Client, digest: Digest, n: number): Promise<void> {
    const keys = [metaKey(digest), ...Array.from({ length: n }, (_, i) => chunkKey(digest, i))];
    await c.del(...keys).catch(() => undefined);
  }

  return {
    label,
    has(digests) {
      for (const d of digests) if (!isDigest(d)) return Promise.resolve(digests.map(() => false));
      return run("has", async (c) => {
        const found = await Promise.all(digests.map((d) => c.exists(metaKey(d))));
        return found.map((n) => n === 1);
      });
    },

    get(digest) {
      if (!isDigest(digest)) return Promise.resolve(undefined);
      return run("get", async (c) => {
        const text = await c.get(metaKey(digest));
        if (text === null) {
          misses++;
          return undefined;
        }
        let meta: Meta;
        try {
          meta = parseMeta(digest, text);
        } catch (error) {
          corrupt++;
          await remove(c, digest, 0);
          throw error;
        }
        const pipe = c.pipeline();
        for (let i = 0; i < meta.n; i++) pipe.getBuffer(chunkKey(digest, i));
        pipe.pexpire(metaKey(digest), ttlMs);
        for (let i = 0; i < meta.n; i++) pipe.pexpire(chunkKey(digest, i), ttlMs);
        const replies = (await pipe.exec()) ?? [];
        const record = new Uint8Array(meta.bytes);
        let problem: string | undefined;
        for (let i = 0; i < meta.n && problem === undefined; i++) {
          const [error, value] = replies[i] ?? [new Error("no reply"), null];
          if (error) throw error;
          const want = Math.min(meta.chunk, meta.bytes - i * meta.chunk);
          const chunk = value as Buffer | null;
          if (chunk === null) problem = `chunk ${i} of ${meta.n} is missing`;
          else if (chunk.length !== want) problem = `chunk ${i} has ${chunk.length} bytes, expected ${want}`;
          else record.set(chunk, i * meta.chunk);
        }
        if (problem === undefined && digestOf(record) !== digest) problem = `its ${meta.bytes} bytes do not hash to the digest`;
        if (problem !== undefined) {
          corrupt++;
          await remove(c, digest, meta.n);
          throw new StoreIntegrityError(digest, `${label}: record ${digest.slice(0, 12)}…: ${problem}; entry dropped`);
        }
        hits++;
        return record;
      });
    },

    put(digest, record) {
      if (!isDigest(digest)) return Promise.reject(new StoreIntegrityError(String(digest), `redisStore.put: "${String(digest).slice(0, 80)}" is not a sha256 hex digest`));
      if (digestOf(record) !== digest) {
        return Promise.reject(new StoreIntegrityError(digest, `${label}: put: the ${record.length} bytes do not hash to ${digest.slice(0, 12)}…; not stored`));
      }
      if (record.length > maxRecordBytes) return Promise.resolve();
      return run("put", async (c) => {
        const n = Math.ceil(record.length / chunkBytes);
        const pipe = c.pipeline();
        for (let i = 0; i < n; i++) {
          const part = record.subarray(i * chunkBytes, Math.min(record.length, (i + 1) * chunkBytes));
          pipe.set(chunkKey(digest, i), Buffer.from(part.buffer, part.byteOffset, part.byteLength), "PX", ttlMs);
        }
        pipe.set(metaKey(digest), JSON.stringify({ v: 1, bytes: record.length, chunk: chunkBytes, n }), "PX", ttlMs);
        const replies = (await pipe.exec()) ?? [];
        for (const [error] of replies) if (error) throw error;
        puts++;
      }, record.length);
    },

    stats(): StoreStats {
      return { entries: undefined, bytes: undefined, hits, misses, puts, evictions: 0, corrupt, failures };
    },

    async close() {
      if (closed) return;
      closed = true;
      const c = await client?.catch(() => undefined);
      c?.disconnect();
    },
  };
}
