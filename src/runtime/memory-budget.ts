/**
 * One memory budget for a whole edge server (issue 12): every byte a client
 * can make the server hold — weights of its partitions, frames being
 * assembled, tensors of a running request, replies waiting in the socket's
 * outbound buffer — is charged to an account before it is held, and
 * released when it is not. An account has a share (the most it may hold);
 * the budget has a total. A charge that does not fit is refused (the caller
 * answers with a typed `memory-limit` error) unless the caller's `reclaim`
 * hook frees room first (the server evicts idle sessions' state, least
 * recently used first, until the bytes fit).
 *
 * @module
 */
import { hostMemoryBytes } from "../platform/index.js";
import { InvalidArgumentError } from "../errors.js";

/** The default budget's fraction of the machine's memory (`os.totalmem()`): one half. */
export const DEFAULT_MEMORY_FRACTION = 0.5;

/** The default server budget in bytes: {@link DEFAULT_MEMORY_FRACTION} of `os.totalmem()`. */
export function defaultMemoryBudgetBytes(): number {
  return Math.floor(hostMemoryBytes() * DEFAULT_MEMORY_FRACTION);
}

/** One holder's share of a {@link MemoryBudget} (a session, or a connection before its session opens). */
export class MemoryAccount {
  private held = 0;

  /** @internal */
  constructor(
    private readonly budget: MemoryBudget,
    /** Label used in refusals (e.g. `session 1a2b…`). */
    readonly label: string,
    /** Most bytes this account may hold. */
    readonly share: number,
  ) {}

  /** Bytes held. */
  get bytes(): number {
    return this.held;
  }

  /**
   * Charge `bytes`; returns `false` (charging nothing) when the account's
   * share or the budget's total would be exceeded even after the budget's
   * reclaim hook ran.
   */
  tryCharge(bytes: number): boolean {
    if (bytes <= 0) return true;
    if (this.held + bytes > this.share) return false;
    if (!this.budget.reserve(bytes, this)) return false;
    this.held += bytes;
    return true;
  }

  /** Release up to `bytes` (never below 0). */
  release(bytes: number): void {
    const n = Math.min(Math.max(0, bytes), this.held);
    this.held -= n;
    this.budget.free(n);
  }

  /** Set the held amount to `bytes` (charge or release the difference); returns `false` when a needed charge is refused. */
  set(bytes: number): boolean {
    if (bytes > this.held) return this.tryCharge(bytes - this.held);
    this.release(this.held - bytes);
    return true;
  }

  /** Release everything. */
  close(): void {
    this.release(this.held);
  }
}

/**
 * A server-wide memory budget (see the module comment).
 *
 * @example
 * ```ts
 * const budget = new MemoryBudget(2048 * 2 ** 20);
 * const account = budget.account("session 1", 1024 * 2 ** 20);
 * if (!account.tryCharge(bytes)) throw new Error("memory-limit");
 * ```
 */
export class MemoryBudget {
  private usedBytes = 0;
  private peakBytes = 0;
  private refusals = 0;
  /** Called when a charge does not fit: should free at least `needed` bytes if it can (e.g. evict idle sessions). */
  reclaim: ((needed: number, requester: MemoryAccount) => void) | undefined;

  /**
   * @param total the budget in bytes (default {@link defaultMemoryBudgetBytes}).
   * @throws {@link InvalidArgumentError} when `total` is not a positive number.
   */
  constructor(readonly total: number = defaultMemoryBudgetBytes()) {
    if (!(total > 0 && Number.isFinite(total))) throw new InvalidArgumentError(`MemoryBudget: total must be a positive number of bytes, got ${total}`);
  }

  /** Bytes charged across all accounts. */
  get used(): number {
    return this.usedBytes;
  }

  /** Most bytes ever charged at once. */
  get peak(): number {
    return this.peakBytes;
  }

  /** Charges refused so far. */
  get refused(): number {
    return this.refusals;
  }

  /** A new account with a share of at most `share` bytes (default: the whole budget). */
  account(label: string, share = this.total): MemoryAccount {
    return new MemoryAccount(this, label, Math.min(share, this.total));
  }

  /** @internal */
  reserve(bytes: number, requester: MemoryAccount): boolean {
    if (this.usedBytes + bytes > this.total && this.reclaim !== undefined) {
      this.reclaim(this.usedBytes + bytes - this.total, requester);
    }
    if (this.usedBytes + bytes > this.total) {
      this.refusals++;
      return false;
    }
    this.usedBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes);
    return true;
  }

  /** @internal */
  free(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}
