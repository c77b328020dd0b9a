/**
 * The simulator (IONN §6): a virtual clock, the shared Wi-Fi link, device
 * time charged by cost models, offloading policies, the closed-loop scenario
 * with energy accounting, and a Figure 7-style SVG. Device cost models live
 * in `./devices/`.
 *
 * @module
 */
export { SimulationError, VirtualClock } from "./clock.js";
export type { RunOptions } from "./clock.js";
export { SimulatedLink } from "./link.js";
export type { Interval, LinkSharing, SimulatedLinkOptions } from "./link.js";
export { ODROID_XU4_POWER, ODROID_XU4_POWER_ADDITIVE, clientEnergy } from "./energy.js";
export type { EnergyBreakdown, PowerModel } from "./energy.js";
export { serverLoadMs, timedExecutor } from "./timed-executor.js";
export type { BusyKind, TimedExecutorOptions } from "./timed-executor.js";
export { virtualExecutor } from "./virtual-executor.js";
export { virtualWeights } from "./virtual-weights.js";
export { POLICY_NAMES, allAtOncePolicy, ionnPolicy, localPolicy, neurosurgeonPolicy, policyByName } from "./policies.js";
export type { IonnPolicyOptions, Policy, PolicyContext, PolicyDecision, PolicyName } from "./policies.js";
export { clientEnergyBetween, simulate, simulationCosts, simulationDocument } from "./simulate.js";
export type { CostSource, Execution, ResolvedSimulationCosts, Scenario, SimulatedPartition, SimulatedQuery, SimulationResult } from "./simulate.js";
export { timelineSvg } from "./svg.js";
export { schedulePolicy } from "./schedule-policies.js";
export type { SchedulePolicyOptions } from "./schedule-policies.js";
export type { TimelineSvgOptions } from "./svg.js";
export {
  CALIBRATION_NAMES,
  calibrationByName,
  fitLink,
  PAPER_2018,
  PAPER_2018_CALIBRATION,
  PAPER_TABLE_2,
  paper2018Costs,
  PROFILES_2019_CALIBRATION,
  withUploadOverhead,
} from "./scenarios/index.js";
export type { CalibratedCosts, Calibration, CalibrationName, LinkFit, LinkFitCriterion, LinkFitPoint, LinkFitResidual, PaperTable2Row, Sleeper, UploadOverheadPer } from "./scenarios/index.js";
export { MOBILITY_POLICIES, parseWalkTrace, simulateMobility } from "./mobility.js";
export type { MobilityPolicy, MobilityQuery, MobilityResult, MobilityScenario, MobilityServer, WalkStop } from "./mobility.js";
export { mobilitySvg } from "./mobility-svg.js";
