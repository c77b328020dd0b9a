/**
 * Bandwidth estimation from the transfers the client makes anyway
 * (partition upload pieces and the feature maps of offloaded queries).
 *
 * Method: a sliding time window. The estimate at time t is the bytes of the
 * transfers that ended in `(t − windowMs, t]` divided by the time the link
 * was busy carrying them (the length of the union of their intervals). That
 * is the byte-weighted harmonic mean of the per-transfer throughputs, the
 * estimator of FESTIVE (J. Jiang, V. Sekar, H. Zhang, "Improving Fairness,
 * Efficiency, and Stability in HTTP-based Adaptive Video Streaming with
 * FESTIVE", CoNEXT 2012, §4: harmonic mean of recent chunk throughputs)
 * over a time window instead of the last 20 samples; the union keeps
 * overlapping transfers (a query's features while an upload piece is on the
 * wire) from being counted as if they had the link to themselves. A harmonic
 * mean is not pulled up by one short, fast outlier, and the window bounds
 * the lag after a change to about `windowMs` once samples flow.
 *
 * A window whose transfers kept the link busy for less than `minBusyMs`
 * (say one query's feature maps after the upload has finished: 10 ms on the
 * wire, so a few ms of timer or event-loop jitter move it by tens of
 * percent) is topped up with the newest older samples until they cover
 * `minBusyMs` (at most 64 of them): a minimum amount of
 * evidence, as FESTIVE's fixed count of samples gives, kept only where the
 * time window alone holds too little. While transfers flow (an upload under
 * way) the window holds far more than `minBusyMs` and nothing changes.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** One transfer the client timed: `bytes` carried over `[startMs, endMs]`. */
export interface TransferSample {
  /** When the first byte was handed to the link (client clock, ms). */
  readonly startMs: number;
  /** When the transfer was known to be through (client clock, ms). */
  readonly endMs: number;
  /** Bytes carried. */
  readonly bytes: number;
}

/** One estimate: the smoothed rate at a time. */
export interface BandwidthEstimate {
  /** When the estimate was made (client clock, ms). */
  readonly atMs: number;
  /** The estimate, Mbps. */
  readonly mbps: number;
}

/** Options of {@link BandwidthEstimator}. */
export interface BandwidthEstimatorOptions {
  /** Sliding window, ms (default 1000). */
  readonly windowMs?: number;
  /** Samples of fewer bytes are ignored: latency, not bandwidth, dominates them (default 16 384). */
  readonly minSampleBytes?: number;
  /**
   * Least link-busy time an estimate rests on, ms (default 50): a window
   * whose samples cover less is topped up with the newest older samples
   * (see the module comment). 0 turns this off.
   */
  readonly minBusyMs?: number;
  /** Bits per megabit (default 1e6). */
  readonly megabit?: number;
  /** Called with each new estimate. */
  readonly onEstimate?: (estimate: BandwidthEstimate) => void;
  /** Keep at most this many estimates in {@link BandwidthEstimator.history} (default 10 000; older ones are dropped). */
  readonly maxHistory?: number;
}

/**
 * The sliding-window bandwidth estimator (see the module comment for the
 * method). Feed it {@link TransferSample}s; read {@link BandwidthEstimator.mbps}.
 *
 * @example
 * ```ts
 * const estimator = new BandwidthEstimator({ windowMs: 1000 });
 * estimator.record({ startMs: 0, endMs: 100, bytes: 1_000_000 }); // 80 Mbps
 * estimator.mbps(); // 80
 * ```
 */
export class BandwidthEstimator {
  /** The window, ms. */
  readonly windowMs: number;
  /** Samples below this size are ignored. */
  readonly minSampleBytes: number;
  /** Least busy time an estimate rests on, ms. */
  readonly minBusyMs: number;
  private readonly megabit: number;
  private readonly onEstimate: ((estimate: BandwidthEstimate) => void) | undefined;
  private readonly maxHistory: number;
  private samples: TransferSample[] = [];
  /** Samples that left the window, newest last (at most 64). */
  private older: TransferSample[] = [];
  private readonly estimates: BandwidthEstimate[] = [];
  private current: number | undefined;

  /** @throws {InvalidArgumentError} on a window ≤ 0, a negative minimum size or busy time, or a megabit ≤ 0. */
  constructor(options: BandwidthEstimatorOptions = {}) {
    this.windowMs = options.windowMs ?? 1000;
    this.minSampleBytes = options.minSampleBytes ?? 16_384;
    this.minBusyMs = options.minBusyMs ?? 50;
    this.megabit = options.megabit ?? 1e6;
    this.maxHistory = options.maxHistory ?? 10_000;
    this.onEstimate = options.onEstimate;
    if (!(this.windowMs > 0) || !Number.isFinite(this.windowMs)) throw new InvalidArgumentError(`BandwidthEstimator: windowMs must be > 0, got ${this.windowMs}`);
    if (!(this.minBusyMs >= 0) || !Number.isFinite(this.minBusyMs)) throw new InvalidArgumentError(`BandwidthEstimator: minBusyMs must be ≥ 0, got ${this.minBusyMs}`);
    if (!(this.minSampleBytes >= 0)) throw new InvalidArgumentError(`BandwidthEstimator: minSampleBytes must be ≥ 0, got ${this.minSampleBytes}`);
    if (!(this.megabit > 0)) throw new InvalidArgumentError(`BandwidthEstimator: megabit must be > 0, got ${this.megabit}`);
  }

  /**
   * Add a sample; returns the new estimate (Mbps), or `undefined` when the
   * sample was ignored (too small, or of zero duration). `O((samples in window + 64) · log)`.
   * @throws {InvalidArgumentError} on negative bytes or `endMs < startMs`.
   */
  record(sample: TransferSample): number | undefined {
    const { startMs, endMs, bytes } = sample;
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new InvalidArgumentError(`BandwidthEstimator.record: bytes must be ≥ 0, got ${bytes}`);
    if (!(endMs >= startMs)) throw new InvalidArgumentError(`BandwidthEstimator.record: endMs (${endMs}) before startMs (${startMs})`);
    if (bytes < this.minSampleBytes || !(endMs > startMs)) return undefined;
    this.samples.push({ startMs, endMs, bytes });
    const horizon = endMs - this.windowMs;
    const kept: TransferSample[] = [];
    for (const s of this.samples) (s.endMs > horizon ? kept : this.older).push(s);
    this.samples = kept;
    if (this.older.length > MAX_EXTRA_SAMPLES) this.older.splice(0, this.older.length - MAX_EXTRA_SAMPLES);
    let used: readonly TransferSample[] = this.samples;
    let busy = unionLength(used);
    // too little evidence in the window: top it up with the newest older samples
    for (let i = this.older.length - 1; busy < this.minBusyMs && i >= 0; i--) {
      used = [...used, this.older[i]!];
      busy = unionLength(used);
    }
    let total = 0;
    for (const s of used) total += s.bytes;
    const mbps = (total * 8) / this.megabit / (busy / 1000);
    this.current = mbps;
    const estimate = { atMs: endMs, mbps };
    this.estimates.push(estimate);
    if (this.estimates.length > this.maxHistory) this.estimates.splice(0, this.estimates.length - this.maxHistory);
    try {
      this.onEstimate?.(estimate);
    } catch {
      // a listener's failure must not stop the runtime
    }
    return mbps;
  }

  /** The current estimate, Mbps, or `undefined` before the first sample. */
  mbps(): number | undefined {
    return this.current;
  }

  /** Every estimate made so far, in order (`[{atMs, mbps}]`). */
  history(): readonly BandwidthEstimate[] {
    return this.estimates;
  }
}

/** Most older samples kept to top up a window with too little busy time. */
const MAX_EXTRA_SAMPLES = 64;

/** Length of the union of the samples' `[startMs, endMs]` intervals. */
function unionLength(samples: readonly TransferSample[]): number {
  const sorted = [...samples].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const s of sorted) {
    if (s.startMs > to) {
      if (to > from) total += to - from;
      from = s.startMs;
      to = s.endMs;
    } else if (s.endMs > to) {
      to = s.endMs;
    }
  }
  if (to > from) total += to - from;
  return total;
}
