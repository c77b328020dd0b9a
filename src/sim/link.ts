/**
 * The simulated wireless link between the client and the edge server (IONN
 * §6.1: one Wi-Fi link of about 80 Mbps carries both the partition uploads
 * and the feature data of offloaded queries; §6.2 notes that a large
 * partition upload "interferes severely with the transmission of feature
 * data"). It plugs into `inMemoryTransport` as its {@link LinkModel}.
 *
 * How the link is shared:
 * - Two independent channels: the **uplink** (client → server: `hello`,
 *   partition uploads, execute requests carrying feature maps, `bye`) and the
 *   **downlink** (server → client: `hello-ok`, ACKs, results). Each has its
 *   own bandwidth.
 * - Each message is serialized onto its channel and then propagates for the
 *   one-way latency (RTT / 2) before it is delivered. Propagation occupies no
 *   bandwidth, so messages in flight overlap freely.
 * - Concurrent messages on one channel share its bandwidth by the chosen
 *   policy: `"fair"` (default) is processor sharing: n active messages each
 *   get bandwidth / n at every instant (a feature upload raised during a
 *   partition upload proceeds at half speed, as TCP flows roughly do);
 *   `"fifo"` serves one message at a time at full bandwidth in arrival order
 *   (a feature upload waits behind the whole partition).
 * - Bandwidth is in megabits per second, a megabit being 10^6 bits by default
 *   (`megabit: 2 ** 20` reproduces the IONN authors' code). Message sizes are
 *   the encoded frame sizes the runtime reports (header + float32 payload).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { LinkDirection, LinkModel } from "../runtime/types.js";
import type { VirtualClock } from "./clock.js";

/** How concurrent transfers on one channel share its bandwidth. */
export type LinkSharing = "fair" | "fifo";

/** Options of {@link SimulatedLink}. */
export interface SimulatedLinkOptions {
  /** Uplink bandwidth, Mbps (default 80, the paper's Wi-Fi). */
  readonly mbps?: number;
  /** Downlink bandwidth, Mbps (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** Bits per megabit (default `1e6`, SI; `2 ** 20` as the IONN authors' code). */
  readonly megabit?: number;
  /** One-way latency per message, ms (RTT / 2; default 0). */
  readonly latencyMs?: number;
  /** Sharing between concurrent transfers on one channel (default `"fair"`). */
  readonly sharing?: LinkSharing;
}

/** A closed busy interval `[startMs, endMs]` of a channel. */
export type Interval = readonly [startMs: number, endMs: number];

interface Transfer {
  remaining: number;
  readonly resolve: () => void;
}

/**
 * One direction of the link: a shared-bandwidth server of byte transfers
 * (processor sharing or FIFO) on the virtual clock.
 */
class Channel {
  private readonly active: Transfer[] = [];
  private lastUpdate = 0;
  private cancelTimer: (() => void) | undefined;
  private busySince: number | undefined;
  readonly busy: [number, number][] = [];
  bytesCarried = 0;

  constructor(
    private readonly clock: VirtualClock,
    /** bytes per ms */
    private readonly rate: number,
    private readonly sharing: LinkSharing,
  ) {}

  /** Resolves when `bytes` have been serialized onto the channel. */
  send(bytes: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.advance();
      this.bytesCarried += bytes;
      if (this.active.length === 0) this.busySince = this.clock.now();
      this.active.push({ remaining: bytes, resolve });
      this.reschedule();
    });
  }

  /** The ongoing busy interval, if the channel is busy now. */
  busySinceNow(now: number): Interval[] {
    return this.busySince === undefined ? [] : [[this.busySince, now]];
  }

  /** Bytes each active transfer gets per ms under the policy (index 0 = head). */
  private share(i: number): number {
    if (this.sharing === "fair") return this.rate / this.active.length;
    return i === 0 ? this.rate : 0;
  }

  private advance(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastUpdate;
    this.lastUpdate = now;
    if (elapsed <= 0) return;
    for (let i = 0; i < this.active.length; i++) this.active[i]!.remaining -= elapsed * this.share(i);
  }

  private reschedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.active.length === 0) {
      if (this.busySince !== undefined) this.busy.push([this.busySince, this.clock.now()]);
      this.busySince = undefined;
      return;
    }
    let soonest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.active.length; i++) {
      const share = this.share(i);
      if (share > 0) soonest = Math.min(soonest, Math.max(0, this.active[i]!.remaining) / share);
    }
    this.cancelTimer = this.clock.schedule(soonest, () => this.complete());
  }

  /** Finish the transfer(s) the timer was set for: the least remaining bytes among those being served. */
  private complete(): void {
    this.cancelTimer = undefined;
    this.advance();
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.active.length; i++) if (this.share(i) > 0) least = Math.min(least, this.active[i]!.remaining);
    // Rounding leaves at most a few ulps; everything within them of the least finishes now.
    const cutoff = least + 1e-9 * Math.max(1, Math.abs(least)) + 1e-9;
    const done: Transfer[] = [];
    for (let i = 0; i < this.active.length; ) {
      const transfer = this.active[i]!;
      if (this.share(i) > 0 && transfer.remaining <= cutoff) {
        done.push(transfer);
        this.active.splice(i, 1);
        if (this.sharing === "fifo") break;
      } else {
        i++;
      }
    }
    this.reschedule();
    for (const transfer of done) transfer.resolve();
  }
}

/**
 * The simulated link: a {@link LinkModel} for `inMemoryTransport` that
 * charges each message its serialization time on the shared uplink or
 * downlink plus the one-way latency, on a {@link VirtualClock}. It records
 * when each channel was busy (the client's radio transmits while the uplink
 * is busy; see `energy.ts`).
 *
 * @throws {InvalidArgumentError} (constructor) on a bandwidth ≤ 0, a negative latency or an unknown sharing policy.
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const link = new SimulatedLink(clock, { mbps: 80, latencyMs: 2 });
 * const transport = inMemoryTransport(server, { link });
 * // 10 000 bytes at 80 Mbps (10 000 bytes/ms) + 2 ms latency → delivered at 3 ms
 * ```
 */
export class SimulatedLink implements LinkModel {
  /** Uplink bandwidth in bytes per ms. */
  readonly uplinkBytesPerMs: number;
  /** Downlink bandwidth in bytes per ms. */
  readonly downlinkBytesPerMs: number;
  /** One-way latency, ms. */
  readonly latencyMs: number;
  /** The sharing policy. */
  readonly sharing: LinkSharing;
  private readonly up: Channel;
  private readonly down: Channel;

  constructor(
    private readonly clock: VirtualClock,
    options: SimulatedLinkOptions = {},
  ) {
    const mbps = options.mbps ?? 80;
    const downlinkMbps = options.downlinkMbps ?? mbps;
    const megabit = options.megabit ?? 1e6;
    const latencyMs = options.latencyMs ?? 0;
    const sharing = options.sharing ?? "fair";
    for (const [name, value] of [["mbps", mbps], ["downlinkMbps", downlinkMbps], ["megabit", megabit]] as const) {
      if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`SimulatedLink: ${name} must be a finite number > 0, got ${value}`);
    }
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) throw new InvalidArgumentError(`SimulatedLink: latencyMs must be ≥ 0, got ${latencyMs}`);
    if (sharing !== "fair" && sharing !== "fifo") throw new InvalidArgumentError(`SimulatedLink: sharing must be "fair" or "fifo", got "${String(sharing)}"`);
    this.uplinkBytesPerMs = (mbps * megabit) / 8000;
    this.downlinkBytesPerMs = (downlinkMbps * megabit) / 8000;
    this.latencyMs = latencyMs;
    this.sharing = sharing;
    this.up = new Channel(clock, this.uplinkBytesPerMs, sharing);
    this.down = new Channel(clock, this.downlinkBytesPerMs, sharing);
  }

  /** Serialize `bytes` on the channel of `direction`, then wait the one-way latency. */
  async transfer(bytes: number, direction: LinkDirection): Promise<void> {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new InvalidArgumentError(`SimulatedLink.transfer: bytes must be ≥ 0, got ${bytes}`);
    await (direction === "up" ? this.up : this.down).send(bytes);
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
  }

  /** Intervals during which the channel was serializing at least one message (ongoing ones end at `now`). */
  busyIntervals(direction: LinkDirection): Interval[] {
    const channel = direction === "up" ? this.up : this.down;
    return channel.busy.map(([a, b]) => [a, b] as const).concat(channel.busySinceNow(this.clock.now()));
  }

  /** Total bytes sent on a channel so far. */
  bytesSent(direction: LinkDirection): number {
    return (direction === "up" ? this.up : this.down).bytesCarried;
  }
}
