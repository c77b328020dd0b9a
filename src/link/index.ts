/**
 * Links that change: bandwidth traces (CSV, step specs, seeded random walks
 * and outages), the sliding-window bandwidth estimator, and re-planning the
 * rest of an upload at a new bandwidth (IONN planner by default, others by
 * name).
 *
 * @module
 */
export { bandwidthTrace, bandwidthTraceCsv, meanRate, nextChangeAfter, parseBandwidthTraceCsv, rateAt, TraceError } from "./trace.js";
export type { BandwidthTrace, TracePoint } from "./trace.js";
export { isTraceSpec, outageTrace, parseTraceSpec, randomWalkTrace, stepTrace } from "./generators.js";
export type { OutageOptions, RandomWalkOptions } from "./generators.js";
export { loadBandwidthTrace } from "./trace-file.js";
export { BandwidthEstimator } from "./estimator.js";
export type { BandwidthEstimate, BandwidthEstimatorOptions, TransferSample } from "./estimator.js";
export { DEFAULT_REPLAN_BAND, ReplanController } from "./controller.js";
export type { ReplanControllerOptions, ReplannableClient, ReplanRecord } from "./controller.js";
export { bestPlacement, graphAt, groupsHeld, ionnReplanner, OUTAGE_MBPS, planningContext, registerReplanner, replannerByName, replannerNames } from "./replan.js";
export type { PlanningContext, PlanningContextOptions, Replanner, ReplanRequest } from "./replan.js";
