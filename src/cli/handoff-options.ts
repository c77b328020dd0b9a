/**
 * The CLI side of issue 11: `ionn serve --store …` and
 * `ionn client --handoff HOST:PORT@MS`.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { OffloadingClient } from "../runtime/client.js";
import { tcpTransport } from "../runtime/tcp-transport.js";
import type { Clock, Transport } from "../runtime/types.js";
import type { PartitionStore } from "../store/index.js";
import { parseRedisUrl, redisStore } from "../store/redis.js";
import { StoreConfigError } from "../store/errors.js";

/** `--store memory|redis://HOST:PORT[,…]`: the shared store, or `undefined` for memory only. */
export function storeOption(values: Record<string, unknown>): PartitionStore | undefined {
  const value = values["store"];
  if (value === undefined || value === "memory") return undefined;
  if (typeof value !== "string") throw new InvalidArgumentError(`--store must be memory or redis://HOST:PORT[,HOST:PORT…]`);
  try {
    return redisStore(parseRedisUrl(value));
  } catch (error) {
    if (error instanceof StoreConfigError) throw new InvalidArgumentError(`--store: ${error.message}`);
    throw error;
  }
}

/** A parsed `--handoff`. */
export interface HandoffTarget {
  readonly host: string;
  readonly port: number;
  /** Milliseconds after the client's start, or `"upload"`: when the upload to the first server completes. */
  readonly at: number | "upload";
}

/** Parse `HOST:PORT@MS` or `HOST:PORT@upload`. @throws {InvalidArgumentError} naming --handoff. */
export function parseHandoff(value: unknown): HandoffTarget | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === "string" ? /^(.+):(\d+)@(\d+(?:\.\d+)?|upload)$/.exec(value) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port <= 65535)) {
    throw new InvalidArgumentError(`--handoff must be HOST:PORT@MS (or HOST:PORT@upload), got "${String(value)}"`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port, at: match[3] === "upload" ? "upload" : Number(match[3]) };
}

/** One entry of the client JSON's `handoffs`. */
export interface HandoffEntry {
  atMs: number;
  server: string;
  weightBytesSent: number;
  firstOffloadedQueryMs: number | null;
  serverWeightBytesReceived: number;
  weightBytesReused: number;
  switchedAtMs: number | null;
  error?: string;
}

/**
 * Schedule the handoff of `client` and collect what the JSON reports.
 * `servers` gets the new server's address (index = connection number);
 * `connect` makes the new server's transport (default: a plain `tcpTransport`).
 */
export function handoffDocument(client: OffloadingClient, target: HandoffTarget, clock: Clock, timeoutMs: number, servers: string[], connect?: (target: HandoffTarget) => Transport) {
  const address = `${target.host}:${target.port}`;
  let atMs: number | undefined;
  let connection: number | undefined;
  let switchedAtMs: number | undefined;
  let error: string | undefined;
  let finished = false;
  const fire = async () => {
    atMs = clock.now();
    connection = servers.length;
    servers.push(address);
    try {
      await client.handoff(connect !== undefined ? connect(target) : tcpTransport({ host: target.host, port: target.port, timeoutMs }));
      switchedAtMs = clock.now();
    } catch (e) {
      error = (e as Error).message;
    }
    finished = true;
  };
  const fired: Promise<void> =
    target.at === "upload"
      ? client.whenUploaded().then(fire)
      : new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, (target.at as number) - clock.now()))).then(fire);
  return {
    /** True once the handoff ended and a query was raised after it (or it failed). */
    queriedAfter(results: readonly { readonly raisedAtMs: number }[]): boolean {
      if (!finished) return false;
      return error !== undefined || results.some((r) => r.raisedAtMs >= switchedAtMs!);
    },
    /** Before a query beyond the planned count: wait for the handoff to finish. */
    async ready(extra: boolean): Promise<void> {
      if (extra) await fired;
    },
    done: () => fired,
    entries(): HandoffEntry[] {
      if (atMs === undefined || connection === undefined) return [];
      const stats = client.stats().connections[connection];
      return [
        {
          atMs,
          server: address,
          weightBytesSent: stats?.weightBytesSent ?? 0,
          firstOffloadedQueryMs: stats?.firstOffloadedQueryMs ?? null,
          serverWeightBytesReceived: stats?.weightBytesReceivedByServer ?? 0,
          weightBytesReused: stats?.weightBytesReused ?? 0,
          switchedAtMs: switchedAtMs ?? null,
          ...(error === undefined ? {} : { error }),
        },
      ];
    },
  };
}
