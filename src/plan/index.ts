/**
 * The uploading plan (IONN §5.2, Algorithm 1), its evaluation, the baselines
 * and the presets.
 *
 * @module
 */
export { computeUploadPlan, expectedQueryTime, roundFactors, describeGroups, THRESHOLD_RELATIVE_TOLERANCE } from "./upload-plan.js";
export type { PlanGroup, PlanRound, UploadPartition, UploadPlan, UploadPlanOptions } from "./upload-plan.js";
export { localOnly, allAtOnce, singleSplit } from "./baselines.js";
export type { BaselineResult } from "./baselines.js";
export { PRESETS, PAPER_PRESET, IONN_REFERENCE_PRESET, referenceLoadMs } from "./presets.js";
export type { PlannerPreset, PresetName } from "./presets.js";
export { planNetwork, runtimePartitions } from "./plan-network.js";
export type { NetworkPlan, PlanNetworkCosts, PlanNetworkOptions } from "./plan-network.js";
