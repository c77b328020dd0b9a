/**
 * Objective-aware upload scheduling (issue 9): the objective (queries a
 * closed-loop client completes while its model uploads, with every
 * per-partition cost the runtime pays and the link shared by upload and
 * feature traffic), the exact optimizer with its heuristic and bound, the
 * EMDL '19 enhanced partitioning, and the planners by name
 * (`ionn`, `enhanced`, `optimal`) with one result type.
 *
 * @module
 */
export { uploadObjective, allAtOnceCompletionMs } from "./objective.js";
export type { GroupPlan, ObjectiveOptions, ObjectiveValue } from "./objective.js";
export { pathCost } from "./model.js";
export type { PathCost, ResolvedCosts, ScheduleCosts } from "./model.js";
export { optimalUploadPlan } from "./optimal.js";
export type { OptimalPlanOptions, OptimalPlanResult, ScoredPlan } from "./optimal.js";
export { bruteForceUploadPlan } from "./brute-force.js";
export type { BruteForceResult } from "./brute-force.js";
export { enhancedUploadPlan } from "./enhanced.js";
export type { EnhancedPlanOptions, EnhancedPlanResult } from "./enhanced.js";
export { networkScheduleCosts, groupPlanToLayers, layerHeaderBytes } from "./network-costs.js";
export type { NetworkScheduleCostOptions } from "./network-costs.js";
export { PLANNER_NAMES, plannerName, planSchedule, planUpload, schedulePlacement } from "./planners.js";
export type { NetworkSchedule, PlannerName, PlanUploadOptions, ScheduledPartition, ScheduleOptions, ScheduleResult } from "./planners.js";
export { registerScheduleReplanners, scheduleReplanner } from "./replanner.js";
export type { ScheduleReplannerOptions } from "./replanner.js";
