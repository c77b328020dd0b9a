/**
 * A simulated link whose bandwidth follows a {@link BandwidthTrace} (one per
 * direction): like {@link SimulatedLink}, each message is charged its
 * serialization time on the shared channel plus the one-way latency, but the
 * channel's rate changes at every step of the trace, mid-transfer included.
 * At a rate of 0 (an outage) transfers stop and resume when the rate returns.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { type BandwidthTrace, nextChangeAfter, rateAt } from "../link/trace.js";
import type { TransferSample } from "../link/estimator.js";
import type { LinkDirection, LinkModel } from "../runtime/types.js";
import type { VirtualClock } from "./clock.js";
import type { Interval, LinkSharing } from "./link.js";

/** Options of {@link TraceLink}. */
export interface TraceLinkOptions {
  /** The uplink's rate over time. */
  readonly uplink: BandwidthTrace;
  /** The downlink's rate over time (default: the uplink's trace). */
  readonly downlink?: BandwidthTrace;
  /** Bits per megabit (default `1e6`). */
  readonly megabit?: number;
  /** One-way latency per message, ms (default 0). */
  readonly latencyMs?: number;
  /** Sharing between concurrent transfers on one channel (default `"fair"`). */
  readonly sharing?: LinkSharing;
  /** Fraction of the trace's rate the link delivers, in (0, 1] (default 1; a calibration's link efficiency). */
  readonly efficiency?: number;
  /**
   * Called each time a message has been serialized, with the bytes the
   * channel carried (all messages together) since the previous call or
   * since it became busy: what a sender timing its socket sees. The
   * simulator's client feeds its bandwidth estimator with the uplink's.
   */
  readonly onThroughput?: (direction: LinkDirection, sample: TransferSample) => void;
}

interface Transfer {
  remaining: number;
  readonly resolve: () => void;
}

/** One direction: processor sharing (or FIFO) of byte transfers at a step-wise rate. */
class TraceChannel {
  private readonly active: Transfer[] = [];
  private lastUpdate = 0;
  private cancelTimer: (() => void) | undefined;
  private busySince: number | undefined;
  readonly busy: [number, number][] = [];
  bytesCarried = 0;
  /** Bytes served since `reportFrom`. */
  private served = 0;
  private reportFrom = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly trace: BandwidthTrace,
    /** bytes per ms per Mbps */
    private readonly scale: number,
    private readonly sharing: LinkSharing,
    private readonly report: ((sample: TransferSample) => void) | undefined,
  ) {}

  private rate(): number {
    return rateAt(this.trace, this.clock.now()) * this.scale;
  }

  send(bytes: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.advance();
      this.bytesCarried += bytes;
      if (this.active.length === 0) {
        this.busySince = this.clock.now();
        this.reportFrom = this.busySince;
        this.served = 0;
      }
      this.active.push({ remaining: bytes, resolve });
      this.reschedule();
    });
  }

  busySinceNow(now: number): Interval[] {
    return this.busySince === undefined ? [] : [[this.busySince, now]];
  }

  private share(i: number, rate: number): number {
    if (this.sharing === "fair") return rate / this.active.length;
    return i === 0 ? rate : 0;
  }

  /** Progress since the last update; the rate is constant in between (a timer fires at every step). */
  private advance(): void {
    const now = this.clock.now();
    const elapsed = now - this.lastUpdate;
    const rate = rateAt(this.trace, this.lastUpdate) * this.scale;
    this.lastUpdate = now;
    if (elapsed <= 0) return;
    for (let i = 0; i < this.active.length; i++) {
      const carried = elapsed * this.share(i, rate);
      this.active[i]!.remaining -= carried;
      this.served += carried;
    }
  }

  private reschedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.active.length === 0) {
      if (this.busySince !== undefined) this.busy.push([this.busySince, this.clock.now()]);
      this.busySince = undefined;
      return;
    }
    const now = this.clock.now();
    const rate = this.rate();
    let soonest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.active.length; i++) {
      const share = this.share(i, rate);
      if (share > 0) soonest = Math.min(soonest, Math.max(0, this.active[i]!.remaining) / share);
    }
    const change = nextChangeAfter(this.trace, now);
    const step = change === undefined ? Number.POSITIVE_INFINITY : change - now;
    if (step < soonest) {
      this.cancelTimer = this.clock.schedule(step, () => {
        this.cancelTimer = undefined;
        this.advance();
        this.reschedule();
      });
    } else if (Number.isFinite(soonest)) {
      this.cancelTimer = this.clock.schedule(soonest, () => this.complete());
    }
    // else: an outage that never ends; the transfers never complete.
  }

  private complete(): void {
    this.cancelTimer = undefined;
    this.advance();
    const rate = this.rate();
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.active.length; i++) if (this.share(i, rate) > 0) least = Math.min(least, this.active[i]!.remaining);
    const cutoff = least + 1e-9 * Math.max(1, Math.abs(least)) + 1e-9;
    const done: Transfer[] = [];
    for (let i = 0; i < this.active.length; ) {
      const transfer = this.active[i]!;
      if (this.share(i, rate) > 0 && transfer.remaining <= cutoff) {
        done.push(transfer);
        this.active.splice(i, 1);
        if (this.sharing === "fifo") break;
      } else {
        i++;
      }
    }
    const now = this.clock.now();
    if (this.report !== undefined && now > this.reportFrom) this.report({ startMs: this.reportFrom, endMs: now, bytes: this.served });
    this.reportFrom = now;
    this.served = 0;
    this.reschedule();
    for (const transfer of done) transfer.resolve();
  }
}

/**
 * The trace-following link: a {@link LinkModel} for `inMemoryTransport`
 * on a {@link VirtualClock}; the same reports as `SimulatedLink`
 * (`busyIntervals`, `bytesSent`).
 *
 * @throws {InvalidArgumentError} (constructor) on a megabit ≤ 0, a negative latency or an unknown sharing policy.
 * @example
 * ```ts
 * const link = new TraceLink(clock, { uplink: parseTraceSpec("step:80@0,10@5000") });
 * // a 10 MB message sent at 4 s: 1 s at 80 Mbps carries 10 MB → delivered at 5 s
 * ```
 */
export class TraceLink implements LinkModel {
  /** One-way latency, ms. */
  readonly latencyMs: number;
  /** The uplink trace. */
  readonly uplink: BandwidthTrace;
  /** The downlink trace. */
  readonly downlink: BandwidthTrace;
  private readonly up: TraceChannel;
  private readonly down: TraceChannel;

  constructor(
    private readonly clock: VirtualClock,
    options: TraceLinkOptions,
  ) {
    const megabit = options.megabit ?? 1e6;
    const latencyMs = options.latencyMs ?? 0;
    const sharing = options.sharing ?? "fair";
    if (!(megabit > 0) || !Number.isFinite(megabit)) throw new InvalidArgumentError(`TraceLink: megabit must be a finite number > 0, got ${megabit}`);
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) throw new InvalidArgumentError(`TraceLink: latencyMs must be ≥ 0, got ${latencyMs}`);
    if (sharing !== "fair" && sharing !== "fifo") throw new InvalidArgumentError(`TraceLink: sharing must be "fair" or "fifo", got "${String(sharing)}"`);
    const efficiency = options.efficiency ?? 1;
    if (!(efficiency > 0 && efficiency <= 1)) throw new InvalidArgumentError(`TraceLink: efficiency must be in (0, 1], got ${efficiency}`);
    this.latencyMs = latencyMs;
    this.uplink = options.uplink;
    this.downlink = options.downlink ?? options.uplink;
    const hook = options.onThroughput;
    const scale = (megabit / 8000) * efficiency;
    this.up = new TraceChannel(clock, this.uplink, scale, sharing, hook && ((sample) => hook("up", sample)));
    this.down = new TraceChannel(clock, this.downlink, scale, sharing, hook && ((sample) => hook("down", sample)));
  }

  /** Serialize `bytes` on the channel of `direction` at the trace's rates, then wait the one-way latency. */
  async transfer(bytes: number, direction: LinkDirection): Promise<void> {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new InvalidArgumentError(`TraceLink.transfer: bytes must be ≥ 0, got ${bytes}`);
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
