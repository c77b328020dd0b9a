/**
 * Re-planning in the simulator (the client adapts to a changing link):
 * the bandwidth estimator fed by the uplink transfers the client makes, the
 * hysteresis band that triggers a re-plan of the rest of the upload, and the
 * two baselines — `none` (the fixed plan made at the start, today's
 * behaviour) and `oracle` (knows the whole trace: re-plans with the IONN
 * planner at the true rate at every step of the trace, and places queries
 * at the true current rate).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { BandwidthEstimator, type BandwidthEstimate, type TransferSample } from "../link/estimator.js";
import { bestPlacement, OUTAGE_MBPS, planningContext, type PlanningContext, type Replanner, ionnReplanner } from "../link/replan.js";
import { type BandwidthTrace, nextChangeAfter, rateAt } from "../link/trace.js";
import type { Network } from "../model/types.js";
import { runtimePartitions } from "../plan/plan-network.js";
import type { OffloadingClient } from "../runtime/client.js";
import type { LinkDirection } from "../runtime/types.js";
import type { VirtualClock } from "./clock.js";

/** How the simulated client reacts to a changing link. */
export type ReplanMode = "none" | "estimate" | "oracle";

/** The replan modes, for option parsing. */
export const REPLAN_MODES: readonly ReplanMode[] = ["none", "estimate", "oracle"];

/** Settings of re-planning (all but `mode` have defaults). */
export interface ReplanSettings {
  /** `none`: keep the first plan; `estimate`: re-plan on the estimate; `oracle`: re-plan on the true rates. */
  readonly mode: ReplanMode;
  /**
   * Hysteresis band, relative: a re-plan happens when the estimate leaves
   * `[plan / (1 + band), plan × (1 + band)]` around the bandwidth of the
   * current plan (default {@link DEFAULT_REPLAN_BAND}).
   */
  readonly band?: number;
  /** The estimator's sliding window, ms (default 1000). */
  readonly windowMs?: number;
  /** The planner of the re-plans (default {@link ionnReplanner}). */
  readonly replanner?: Replanner;
  /** Least time between two re-plans of mode `estimate`, ms: an estimate outside the band sooner waits for the next one (default 1000). */
  readonly minIntervalMs?: number;
}

/**
 * Default hysteresis band: ±25 % (chosen with bench/replan.ts, which sweeps
 * 0.1–1.0 over the three traces of issue 10; see bench/README.md).
 */
export const DEFAULT_REPLAN_BAND = 0.25;

/** One re-plan: when, at what bandwidth, and how many partitions were left to upload after it. */
export interface ReplanRecord {
  /** Clock time, ms. */
  readonly atMs: number;
  /** The bandwidth planned for, Mbps. */
  readonly mbps: number;
  /** Partitions left to upload under the new plan. */
  readonly partitionsLeft: number;
}

/** Options of {@link AdaptiveController}. */
export interface AdaptiveControllerOptions {
  readonly network: Network;
  readonly clientMs: ArrayLike<number>;
  readonly serverMs: ArrayLike<number>;
  readonly uplink: BandwidthTrace;
  readonly downlink: BandwidthTrace;
  /** Bandwidth of the first plan, Mbps. */
  readonly planMbps: number;
  readonly megabit: number;
  readonly K: number;
  readonly settings: ReplanSettings;
  readonly clock: VirtualClock;
}

/** Drives one simulated client's estimator, re-plans and placement. */
export class AdaptiveController {
  /** The bandwidth estimator (fed with uplink deliveries). */
  readonly estimator: BandwidthEstimator;
  /** Re-plans made, in order. */
  readonly replans: ReplanRecord[] = [];
  /** The planning context (groups, costs). */
  readonly context: PlanningContext;
  /** The first plan's partitions (runtime layer indices). */
  readonly initialPartitions: number[][];
  /** Expected query time after each partition of the first plan. */
  readonly initialExpectedMs: number[];
  private readonly replanner: Replanner;
  private readonly band: number;
  private planMbps: number;
  private client: OffloadingClient | undefined;

  /** @throws {InvalidArgumentError} on an unknown mode or a band ≤ 0. */
  constructor(private readonly options: AdaptiveControllerOptions) {
    const { settings } = options;
    if (!["none", "estimate", "oracle"].includes(settings.mode)) throw new InvalidArgumentError(`simulate: replan must be one of none, estimate, oracle, got "${String(settings.mode)}"`);
    this.band = settings.band ?? DEFAULT_REPLAN_BAND;
    if (!(this.band > 0) || !Number.isFinite(this.band)) throw new InvalidArgumentError(`simulate: replan band must be a finite number > 0, got ${this.band}`);
    this.replanner = settings.replanner ?? ionnReplanner();
    this.planMbps = options.planMbps;
    this.estimator = new BandwidthEstimator({ megabit: options.megabit, ...(settings.windowMs !== undefined ? { windowMs: settings.windowMs } : {}) });
    this.context = planningContext(options.network, { clientMs: options.clientMs, serverMs: options.serverMs }, { mbps: options.planMbps, megabit: options.megabit, K: options.K });
    this.initialPartitions = runtimePartitions(options.network, this.context.initial);
    this.initialExpectedMs = this.context.initial.plan.partitions.map((p) => p.expectedQueryMs);
  }

  /** The mode. */
  get mode(): ReplanMode {
    return this.options.settings.mode;
  }

  /** Estimates so far (`[{atMs, mbps}]`). */
  estimates(): readonly BandwidthEstimate[] {
    return this.estimator.history();
  }

  /** The placement function for the client (undefined in mode `none`: every uploaded layer runs on the server, as today). */
  placement(): ((uploaded: ReadonlySet<number>) => Iterable<number>) | undefined {
    if (this.mode === "none") return undefined;
    return (uploaded) => {
      if (this.mode === "oracle") {
        const now = this.options.clock.now();
        return bestPlacement(this.context, rateAt(this.options.uplink, now), uploaded, rateAt(this.options.downlink, now));
      }
      return bestPlacement(this.context, this.estimator.mbps() ?? this.planMbps, uploaded);
    };
  }

  /** The link carried `sample` (the trace link's throughput hook). */
  delivered(direction: LinkDirection, sample: TransferSample): void {
    if (direction !== "up") return;
    const estimate = this.estimator.record(sample);
    if (estimate === undefined || this.mode !== "estimate") return;
    this.client?.placementChanged();
    const last = this.replans[this.replans.length - 1]?.atMs ?? -Infinity;
    if (sample.endMs - last < (this.options.settings.minIntervalMs ?? 1000)) return;
    if (estimate > this.planMbps * (1 + this.band) || estimate < this.planMbps / (1 + this.band)) this.replan(estimate, estimate);
  }

  /** Start controlling `client` (after it was created with {@link AdaptiveController.placement}); the oracle schedules its re-plans at the trace's steps. */
  attach(client: OffloadingClient): void {
    this.client = client;
    if (this.mode !== "oracle") return;
    const clock = this.options.clock;
    const step = () => {
      const now = clock.now();
      const up = rateAt(this.options.uplink, now);
      client.placementChanged();
      if (up > OUTAGE_MBPS && up !== this.planMbps) this.replan(up, rateAt(this.options.downlink, now));
      scheduleNext();
    };
    const scheduleNext = () => {
      const now = clock.now();
      const next = [nextChangeAfter(this.options.uplink, now), nextChangeAfter(this.options.downlink, now)].filter((t): t is number => t !== undefined);
      if (next.length > 0) clock.schedule(Math.min(...next) - now, step);
    };
    scheduleNext();
  }

  private replan(mbps: number, downlinkMbps: number): void {
    const client = this.client;
    if (client === undefined || !(mbps > OUTAGE_MBPS)) return;
    this.planMbps = mbps;
    const partitions = this.replanner({ network: this.options.network, context: this.context, mbps, downlinkMbps: Math.max(downlinkMbps, OUTAGE_MBPS * 2), held: client.heldLayers() });
    const partitionsLeft = client.replan(partitions);
    this.replans.push({ atMs: this.options.clock.now(), mbps, partitionsLeft });
  }
}
