/**
 * Re-planning in the simulator (the client adapts to a changing link):
 * mode `estimate` runs the client's {@link ReplanController} (its own
 * bandwidth estimate from the uplink transfers, a hysteresis band, the
 * placement at the estimate); the two baselines are `none` (the first plan
 * kept, today's behaviour; the estimator only reports) and `oracle` (knows
 * the whole trace: re-plans with the IONN planner at the true rate at every
 * step of the trace, and places queries at the true current rate).
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { DEFAULT_REPLAN_BAND, ReplanController, type ReplanRecord } from "../link/controller.js";
import type { BandwidthEstimate, TransferSample } from "../link/estimator.js";
import { bestPlacement, planningContext, type PlanningContext, type Replanner } from "../link/replan.js";
import { type BandwidthTrace, nextChangeAfter, rateAt } from "../link/trace.js";
import type { Network } from "../model/types.js";
import { runtimePartitions } from "../plan/plan-network.js";
import type { OffloadingClient } from "../runtime/client.js";
import type { LinkDirection } from "../runtime/types.js";
import type { VirtualClock } from "./clock.js";

export { DEFAULT_REPLAN_BAND };
export type { ReplanRecord };

/** How the simulated client reacts to a changing link. */
export type ReplanMode = "none" | "estimate" | "oracle";

/** The replan modes, for option parsing. */
export const REPLAN_MODES: readonly ReplanMode[] = ["none", "estimate", "oracle"];

/** Settings of re-planning (all but `mode` have defaults). */
export interface ReplanSettings {
  /** `none`: keep the first plan; `estimate`: re-plan on the estimate; `oracle`: re-plan on the true rates. */
  readonly mode: ReplanMode;
  /** Relative hysteresis band of mode `estimate` (default {@link DEFAULT_REPLAN_BAND}). */
  readonly band?: number;
  /** The estimator's sliding window, ms (default 1000). */
  readonly windowMs?: number;
  /** The planner of the re-plans (default: the IONN planner, `ionnReplanner`). */
  readonly replanner?: Replanner;
  /** Least time between two re-plans of mode `estimate`, ms (default 1000). */
  readonly minIntervalMs?: number;
}

/** Options of {@link AdaptiveController}. */
export interface AdaptiveControllerOptions {
  /** The network. */
  readonly network: Network;
  /** Client time per runtime layer, ms. */
  readonly clientMs: ArrayLike<number>;
  /** Server time per runtime layer, ms. */
  readonly serverMs: ArrayLike<number>;
  /** Uplink trace. */
  readonly uplink: BandwidthTrace;
  /** Downlink trace. */
  readonly downlink: BandwidthTrace;
  /** Bandwidth of the first plan, Mbps. */
  readonly planMbps: number;
  /** Bits per megabit. */
  readonly megabit: number;
  /** Algorithm 1's K. */
  readonly K: number;
  /** Mode and knobs. */
  readonly settings: ReplanSettings;
  /** The simulation's clock. */
  readonly clock: VirtualClock;
}

/** Drives one simulated client's estimator, re-plans and placement. */
export class AdaptiveController {
  /** The planning context (groups, costs). */
  readonly context: PlanningContext;
  /** The first plan's partitions (runtime layer indices). */
  readonly initialPartitions: number[][];
  /** Expected query time after each partition of the first plan. */
  readonly initialExpectedMs: number[];
  private readonly controller: ReplanController;

  /** @throws {InvalidArgumentError} on an unknown mode or a band ≤ 0. */
  constructor(private readonly options: AdaptiveControllerOptions) {
    const { settings } = options;
    if (!(REPLAN_MODES as readonly string[]).includes(settings.mode)) throw new InvalidArgumentError(`simulate: replan must be one of none, estimate, oracle, got "${String(settings.mode)}"`);
    this.context = planningContext(options.network, { clientMs: options.clientMs, serverMs: options.serverMs }, { mbps: options.planMbps, megabit: options.megabit, K: options.K });
    this.controller = new ReplanController({
      context: this.context,
      planMbps: options.planMbps,
      adapt: settings.mode === "estimate",
      ...(settings.band !== undefined ? { band: settings.band } : {}),
      ...(settings.minIntervalMs !== undefined ? { minIntervalMs: settings.minIntervalMs } : {}),
      ...(settings.replanner !== undefined ? { replanner: settings.replanner } : {}),
      ...(settings.windowMs !== undefined ? { estimator: { windowMs: settings.windowMs } } : {}),
    });
    this.initialPartitions = runtimePartitions(options.network, this.context.initial);
    this.initialExpectedMs = this.context.initial.plan.partitions.map((p) => p.expectedQueryMs);
  }

  /** The mode. */
  get mode(): ReplanMode {
    return this.options.settings.mode;
  }

  /** Re-plans made, in order. */
  get replans(): readonly ReplanRecord[] {
    return this.controller.replans;
  }

  /** Estimates so far (`[{atMs, mbps}]`). */
  estimates(): readonly BandwidthEstimate[] {
    return this.controller.estimator.history();
  }

  /** The placement function for the client (undefined in mode `none`: every uploaded layer runs on the server, as today). */
  placement(): ((uploaded: ReadonlySet<number>) => Iterable<number>) | undefined {
    if (this.mode !== "oracle") return this.controller.placement();
    return (uploaded) => {
      const now = this.options.clock.now();
      return bestPlacement(this.context, rateAt(this.options.uplink, now), uploaded, rateAt(this.options.downlink, now));
    };
  }

  /** The link carried `sample` (the trace link's throughput hook); the uplink's feed the estimator. */
  delivered(direction: LinkDirection, sample: TransferSample): void {
    if (direction === "up") this.controller.record(sample);
  }

  /** Start controlling `client`; the oracle schedules its re-plans at the trace's steps. */
  attach(client: OffloadingClient): void {
    this.controller.attach(client);
    if (this.mode !== "oracle") return;
    const clock = this.options.clock;
    const scheduleNext = () => {
      const now = clock.now();
      const next = [nextChangeAfter(this.options.uplink, now), nextChangeAfter(this.options.downlink, now)].filter((t): t is number => t !== undefined);
      if (next.length > 0) clock.schedule(Math.min(...next) - now, step);
    };
    const step = () => {
      const now = clock.now();
      const up = rateAt(this.options.uplink, now);
      client.placementChanged();
      if (up !== this.controller.plannedMbps()) this.controller.replanAt(up, now, rateAt(this.options.downlink, now));
      scheduleNext();
    };
    scheduleNext();
  }
}
