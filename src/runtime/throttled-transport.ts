/**
 * A {@link Transport} wrapper that limits the client's send rate at the
 * application level: every upload and execute request is charged its bytes
 * on a link of a given bandwidth before it is handed to the inner transport.
 * Concurrent sends share the link fairly (processor sharing, as the
 * simulator's `fair` link does), so a query's boundary tensor is not stuck
 * behind a 100 MiB partition.
 *
 * A demo aid: on loopback, `ionn client --throttle-mbps 80` makes the upload
 * take as long as the plan assumed, so the incremental upload is visible.
 * It shapes only what this client sends (replies are not delayed) and adds
 * its delay on top of the real link; for a real shaped link use `tc` in a
 * network namespace.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { utf8Length } from "../platform/index.js";
import type { Clock, ExecuteRequest, PartitionUpload, Scheduler, Transport } from "./types.js";

/** Options of {@link throttledTransport}. */
export interface ThrottledTransportOptions {
  /** Send rate, Mbps (10^6 bit/s), > 0. */
  readonly mbps: number;
  /** Time source (default `performance.now()`). */
  readonly clock?: Clock;
  /** Timer (default `setTimeout`). */
  readonly scheduler?: Scheduler;
  /** Called after each charged send with its bytes and the ms it took on the throttled link. */
  readonly onSend?: (bytes: number, ms: number, what: "upload" | "execute") => void;
}

/** Bytes an upload puts on the link: weight bytes plus its layer definitions as JSON. */
export function uploadBytes(partition: PartitionUpload): number {
  let bytes = utf8Length(JSON.stringify(partition.layers));
  for (const blobs of partition.weights.values()) for (const blob of blobs) bytes += blob.byteLength;
  return bytes;
}

/** Bytes an execute request puts on the link: its input tensors plus a small header. */
export function executeBytes(request: ExecuteRequest): number {
  let bytes = 64 + 16 * request.layers.length;
  for (const tensor of request.inputs.values()) bytes += tensor.data.byteLength;
  return bytes;
}

/**
 * A fair-shared link of `bytesPerMs`: `send(bytes)` resolves when those
 * bytes have gone through, with concurrent sends splitting the rate evenly.
 */
export class FairLink {
  private readonly active: { remaining: number; resolve: () => void }[] = [];
  private last = 0;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly bytesPerMs: number,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
  ) {}

  /** Charge `bytes`; resolves when they are through. */
  send(bytes: number): Promise<void> {
    if (!(bytes > 0)) return Promise.resolve();
    this.advance();
    return new Promise<void>((resolve) => {
      this.active.push({ remaining: bytes, resolve });
      this.reschedule();
    });
  }

  /** Sends in flight. */
  get inFlight(): number {
    return this.active.length;
  }

  private advance(): void {
    const now = this.clock.now();
    if (this.active.length > 0) {
      const share = ((now - this.last) * this.bytesPerMs) / this.active.length;
      for (const send of this.active) send.remaining -= share;
    }
    this.last = now;
  }

  private reschedule(): void {
    this.cancel?.();
    this.cancel = undefined;
    // Finish every send with (almost) nothing left; a bounded loop over the active list.
    for (let i = this.active.length - 1; i >= 0; i--) {
      if (this.active[i]!.remaining <= 1e-6) this.active.splice(i, 1)[0]!.resolve();
    }
    if (this.active.length === 0) return;
    let least = Infinity;
    for (const send of this.active) least = Math.min(least, send.remaining);
    const ms = (least * this.active.length) / this.bytesPerMs;
    this.cancel = this.scheduler.schedule(ms, () => {
      this.cancel = undefined;
      this.advance();
      // A timer may fire a hair early: whatever is within a byte of done is done.
      for (const send of this.active) if (send.remaining < 1) send.remaining = 0;
      this.reschedule();
    });
  }
}

const realClock: Clock = { now: () => performance.now() };
const realScheduler: Scheduler = {
  schedule(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/**
 * Wrap `inner` so that the client's sends (partition uploads and execute
 * requests) go through a fair-shared link of `mbps`.
 *
 * @throws {InvalidArgumentError} when `mbps` is not a number > 0
 * @example
 * ```ts
 * const transport = throttledTransport(tcpTransport({ host: "127.0.0.1", port }), { mbps: 80 });
 * ```
 */
export function throttledTransport(inner: Transport, options: ThrottledTransportOptions): Transport {
  if (!(options.mbps > 0) || !Number.isFinite(options.mbps)) throw new InvalidArgumentError(`throttledTransport: mbps must be a number > 0, got ${options.mbps}`);
  const clock = options.clock ?? realClock;
  const link = new FairLink((options.mbps * 1e6) / 8 / 1000, clock, options.scheduler ?? realScheduler);
  const charge = async (bytes: number, what: "upload" | "execute") => {
    const start = clock.now();
    await link.send(bytes);
    options.onSend?.(bytes, clock.now() - start, what);
  };
  return {
    open: (network) => inner.open(network),
    async upload(partition) {
      await charge(uploadBytes(partition), "upload");
      return inner.upload(partition);
    },
    async execute(request) {
      await charge(executeBytes(request), "execute");
      return inner.execute(request);
    },
    close: () => inner.close(),
  };
}
