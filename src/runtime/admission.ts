/**
 * Admission of TCP connections to an edge server (issue 12): a cap on open
 * connections, a cap per remote address, and a deadline for `hello`. A
 * connection that has not opened a session is cheap to hold for an attacker
 * and useless to everyone else, so when a cap is reached the oldest such
 * connection (in the same address for the per-address cap) is closed to make
 * room; only when every connection in scope has a session is the newcomer
 * refused (`server-busy`). Silent sockets therefore cannot lock a legitimate
 * client out: it displaces them, and the hello deadline reaps them anyway.
 *
 * Token authentication (optional) is checked at `hello` by the server; see
 * docs/protocol.md.
 *
 * @module
 */
import { constantTimeEqual } from "../platform/index.js";

// node:fs is loaded by readToken only, so that the server bundles for the browser (ionn/planner).
const NODE_FS = "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** Most open connections (default 512; keep it under the process's file-descriptor limit). */
  readonly maxConnections?: number;
  /** Most open connections from one remote address (default 256). */
  readonly maxConnectionsPerAddress?: number;
  /** A connection that has not opened a session this long after connecting is closed (default 5 000 ms). */
  readonly helloTimeoutMs?: number;
}

/** What {@link Admission} tracks of one connection. */
export interface AdmittedConnection {
  /** Remote address (`socket.remoteAddress`). */
  readonly address: string;
  /** Admission order. */
  readonly serial: number;
  /** Set once the connection's `hello` succeeded. */
  hasSession: boolean;
  /** Close the connection (called when it is displaced). */
  readonly close: () => void;
}

/** The decision for a new connection. */
export type AdmissionDecision =
  | {
      /** Admitted. */
      readonly admitted: true;
      /** The new connection's record (pass it to {@link Admission.release} when it closes). */
      readonly connection: AdmittedConnection;
      /** Connections without a session closed to make room. */
      readonly displaced: readonly AdmittedConnection[];
    }
  | {
      /** Refused. */
      readonly admitted: false;
      /** Why (sent to the peer with `server-busy`). */
      readonly reason: string;
    };

/** Connection admission state of one TCP server (see the module comment). */
export class Admission {
  /** Resolved connection cap. */
  readonly maxConnections: number;
  /** Resolved per-address cap. */
  readonly maxConnectionsPerAddress: number;
  /** Resolved hello deadline (ms). */
  readonly helloTimeoutMs: number;
  private readonly open = new Set<AdmittedConnection>();
  private readonly byAddress = new Map<string, Set<AdmittedConnection>>();
  private serial = 0;
  private displacedCount = 0;
  private refusedCount = 0;

  /** @throws {@link InvalidArgumentError} when a cap is not a whole number ≥ 1 or the deadline is not > 0. */
  constructor(options: AdmissionOptions = {}) {
    this.maxConnections = options.maxConnections ?? 512;
    this.maxConnectionsPerAddress = options.maxConnectionsPerAddress ?? 256;
    this.helloTimeoutMs = options.helloTimeoutMs ?? 5000;
    for (const [field, value] of [["maxConnections", this.maxConnections], ["maxConnectionsPerAddress", this.maxConnectionsPerAddress]] as const) {
      if (!(Number.isInteger(value) && value >= 1)) throw new InvalidArgumentError(`admission: ${field} must be a whole number ≥ 1, got ${value}`);
    }
    if (!(this.helloTimeoutMs > 0)) throw new InvalidArgumentError(`admission: helloTimeoutMs must be > 0, got ${this.helloTimeoutMs}`);
  }

  /** Open connections. */
  get size(): number {
    return this.open.size;
  }

  /** Connections closed to make room so far. */
  get displaced(): number {
    return this.displacedCount;
  }

  /** Connections refused so far. */
  get refused(): number {
    return this.refusedCount;
  }

  /**
   * Decide on a new connection from `address`. When admitted, the caller must
   * call `close()` of each displaced connection and {@link Admission.release}
   * when the new one closes. Cost O(connections) when a cap is reached, else O(1).
   */
  admit(address: string, close: () => void): AdmissionDecision {
    const displaced: AdmittedConnection[] = [];
    const peers = this.byAddress.get(address);
    if (peers !== undefined && peers.size >= this.maxConnectionsPerAddress) {
      const victim = oldestWithoutSession(peers);
      if (victim === undefined) {
        this.refusedCount++;
        return { admitted: false, reason: `server: ${peers.size} connections from ${address}, limit ${this.maxConnectionsPerAddress}` };
      }
      displaced.push(victim);
    }
    if (this.open.size - displaced.length >= this.maxConnections) {
      const victim = oldestWithoutSession(this.open, displaced);
      if (victim === undefined) {
        this.refusedCount++;
        return { admitted: false, reason: `server: ${this.open.size} connections open, limit ${this.maxConnections}` };
      }
      displaced.push(victim);
    }
    for (const victim of displaced) this.release(victim);
    this.displacedCount += displaced.length;
    const connection: AdmittedConnection = { address, serial: this.serial++, hasSession: false, close };
    this.open.add(connection);
    let set = this.byAddress.get(address);
    if (set === undefined) {
      set = new Set();
      this.byAddress.set(address, set);
    }
    set.add(connection);
    return { admitted: true, connection, displaced };
  }

  /** Forget a closed connection (idempotent). */
  release(connection: AdmittedConnection): void {
    if (!this.open.delete(connection)) return;
    const set = this.byAddress.get(connection.address);
    set?.delete(connection);
    if (set !== undefined && set.size === 0) this.byAddress.delete(connection.address);
  }
}

function oldestWithoutSession(connections: Iterable<AdmittedConnection>, skip: readonly AdmittedConnection[] = []): AdmittedConnection | undefined {
  // Sets iterate in insertion order, i.e. admission order: the first match is the oldest.
  for (const c of connections) if (!c.hasSession && !skip.includes(c)) return c;
  return undefined;
}

/**
 * Compare a presented token with the expected one in constant time (for the
 * lengths given). `undefined` presented never matches.
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return constantTimeEqual(expected, presented);
}

/**
 * Read the shared token: the file's first line (trimmed) when `file` is
 * given, else the environment variable `IONN_TOKEN` when set, else `undefined`.
 *
 * @throws {@link InvalidArgumentError} naming the file when it cannot be read or is empty.
 */
export async function readToken(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (file !== undefined) {
    const { readFile } = (await import(NODE_FS)) as typeof import("node:fs/promises");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new InvalidArgumentError(`--token-file ${file}: cannot read it (${(error as Error).message})`);
    }
    const token = text.split(/\r?\n/)[0]!.trim();
    if (token.length === 0) throw new InvalidArgumentError(`--token-file ${file}: the file is empty`);
    return token;
  }
  const value = env["IONN_TOKEN"];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
