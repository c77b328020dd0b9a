/**
 * The client's re-planning loop, clock-agnostic (the simulator and the real
 * TCP client share it): every bandwidth estimate moves the placement of
 * queries at once; when the estimate leaves the hysteresis band around the
 * bandwidth of the current plan, the rest of the upload is re-planned for
 * the estimate, given what the server already holds.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { BandwidthEstimator, type BandwidthEstimatorOptions, type TransferSample } from "./estimator.js";
import { runtimePartitions } from "../plan/plan-network.js";
import { bestPlacement, ionnReplanner, OUTAGE_MBPS, type PlanningContext, type Replanner } from "./replan.js";

/** Default hysteresis band: ±25 % (chosen from the simulator runs of docs/results.md, issue 10; no sweep bench yet). */
export const DEFAULT_REPLAN_BAND = 0.25;

/** What the controller needs of a client (the runtime's `OffloadingClient` has it). */
export interface ReplannableClient {
  /** Layers held by the server or in flight. */
  heldLayers(): ReadonlySet<number>;
  /** Replace the not-started rest of the plan; returns the partitions left. */
  replan(partitions: readonly (readonly number[])[]): number;
  /** The placement's answer may have changed. */
  placementChanged(): void;
}

/** One re-plan: when, at what bandwidth, and how many partitions were left to upload after it. */
export interface ReplanRecord {
  /** Clock time, ms. */
  readonly atMs: number;
  /** The bandwidth planned for, Mbps. */
  readonly mbps: number;
  /** Partitions left to upload under the new plan. */
  readonly partitionsLeft: number;
}

/** Options of {@link ReplanController}. */
export interface ReplanControllerOptions {
  /** The network's planning context (see `planningContext`). */
  readonly context: PlanningContext;
  /** Bandwidth of the plan in use at the start, Mbps. */
  readonly planMbps: number;
  /** Relative hysteresis band: re-plan when the estimate leaves `[plan/(1+band), plan·(1+band)]` (default {@link DEFAULT_REPLAN_BAND}). */
  readonly band?: number;
  /** Least time between re-plans, ms (default 1000). */
  readonly minIntervalMs?: number;
  /** The planner (default {@link ionnReplanner}). */
  readonly replanner?: Replanner;
  /** `false`: estimate and report only, never re-plan or move the placement (the fixed plan) (default `true`). */
  readonly adapt?: boolean;
  /** Options of the estimator. */
  readonly estimator?: BandwidthEstimatorOptions;
  /** Called after each re-plan. */
  readonly onReplan?: (record: ReplanRecord) => void;
  /**
   * Layers of the first plan that a re-plan leaves out (at a low estimate
   * the planner may keep them local) still go, as a last partition
   * (default `true`): the link would be idle otherwise, the estimator keeps
   * getting samples, and the server ends with the model the first plan
   * promised if the link recovers.
   */
  readonly keepRest?: boolean;
  /** Runtime layers of the first plan, for `keepRest` (default: Algorithm 1's plan of the context; give it when the first plan came from another planner). */
  readonly firstPlanLayers?: readonly number[];
}

/**
 * Estimator + hysteresis + re-planner for one client.
 * @example
 * ```ts
 * const controller = new ReplanController({ context: planningContext(network, costs, { mbps: 80 }), planMbps: 80 });
 * const client = new OffloadingClient({ ..., placement: controller.placement() });
 * controller.attach(client);
 * transport = tcpTransport({ ..., onTransfer: (s) => controller.record(s) });
 * ```
 */
export class ReplanController {
  /** The estimator. */
  readonly estimator: BandwidthEstimator;
  /** Re-plans made, in order. */
  readonly replans: ReplanRecord[] = [];
  private readonly band: number;
  private readonly minIntervalMs: number;
  private readonly replanner: Replanner;
  private readonly adapt: boolean;
  private planMbps: number;
  private client: ReplannableClient | undefined;
  private firstPlanLayers: number[] | undefined;

  /** @throws {InvalidArgumentError} on a band ≤ 0 or a negative interval. */
  constructor(private readonly options: ReplanControllerOptions) {
    this.band = options.band ?? DEFAULT_REPLAN_BAND;
    if (!(this.band > 0) || !Number.isFinite(this.band)) throw new InvalidArgumentError(`replan band must be a finite number > 0, got ${this.band}`);
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    if (!(this.minIntervalMs >= 0)) throw new InvalidArgumentError(`replan minIntervalMs must be ≥ 0, got ${this.minIntervalMs}`);
    this.replanner = options.replanner ?? ionnReplanner();
    this.adapt = options.adapt ?? true;
    this.planMbps = options.planMbps;
    this.estimator = new BandwidthEstimator({ megabit: options.context.megabit, ...options.estimator });
  }

  /** The bandwidth the current plan was made for, Mbps. */
  plannedMbps(): number {
    return this.planMbps;
  }

  /** The client's placement: the best path among the uploaded layers at the current estimate (undefined when not adapting: every uploaded layer runs on the server). */
  placement(): ((uploaded: ReadonlySet<number>) => Iterable<number>) | undefined {
    if (!this.adapt) return undefined;
    return (uploaded) => bestPlacement(this.options.context, this.estimator.mbps() ?? this.planMbps, uploaded);
  }

  /** Start controlling `client`. */
  attach(client: ReplannableClient): void {
    this.client = client;
  }

  /** Feed one transfer the client timed; may move the placement and re-plan. */
  record(sample: TransferSample): void {
    const estimate = this.estimator.record(sample);
    if (estimate === undefined || !this.adapt || this.client === undefined) return;
    this.client.placementChanged();
    const last = this.replans[this.replans.length - 1]?.atMs ?? -Infinity;
    if (sample.endMs - last < this.minIntervalMs) return;
    if (estimate > this.planMbps * (1 + this.band) || estimate < this.planMbps / (1 + this.band)) this.replanAt(estimate, sample.endMs);
  }

  /** Re-plan the rest of the upload for `mbps` now (also used by an oracle that knows the true rate). */
  replanAt(mbps: number, atMs: number, downlinkMbps = mbps): void {
    const client = this.client;
    if (client === undefined || !(mbps > OUTAGE_MBPS)) return;
    this.planMbps = mbps;
    const { context } = this.options;
    const held = client.heldLayers();
    const partitions = this.replanner({ network: context.network, context, mbps, downlinkMbps: Math.max(downlinkMbps, 2 * OUTAGE_MBPS), held });
    if (this.options.keepRest ?? true) {
      const named = new Set(partitions.flat());
      this.firstPlanLayers ??= this.options.firstPlanLayers ? [...this.options.firstPlanLayers] : runtimePartitions(context.network, context.initial).flat();
      const rest = this.firstPlanLayers.filter((i) => !held.has(i) && !named.has(i)).sort((a, b) => a - b);
      if (rest.length > 0) partitions.push(rest);
    }
    const record = { atMs, mbps, partitionsLeft: client.replan(partitions) };
    this.replans.push(record);
    try {
      this.options.onReplan?.(record);
    } catch {
      // a listener's failure must not stop the runtime
    }
  }
}
