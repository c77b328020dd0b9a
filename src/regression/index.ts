/**
 * Prediction functions of the edge server (IONN §4 "Install Phase (Server)",
 * §6.3): regression variables per layer type, least-squares fits with R² and
 * RMSE, the authors' regression file, compact serialization, the install-phase
 * sweep, and profiling of a real executor.
 *
 * @module
 */
export { LeastSquaresDegenerate, leastSquares, RANK_TOLERANCE } from "./least-squares.js";
export type { LeastSquaresResult } from "./least-squares.js";
export {
  FALLBACK_VARIABLE,
  ionnReferenceX,
  regressionVariableNames,
  VARIABLE_NAMES,
  VARIABLE_SETS,
  variableValue,
  variableValues,
} from "./variables.js";
export type { VariableName, VariableSet } from "./variables.js";
export {
  DATA_FREE_TYPES,
  evaluatePredictionFunction,
  findPredictionFunction,
  fitPredictionFunctions,
  predictLayerMs,
} from "./fit.js";
export type { FitOptions, PredictionFunction, PredictionFunctions, RegressionSample } from "./fit.js";
export { IONN_REFERENCE_INPUT_MS, parseRegressionFile } from "./regression-file.js";
export {
  syntheticConcat,
  syntheticConvolution,
  syntheticElementwise,
  syntheticEltwise,
  syntheticInnerProduct,
  syntheticPooling,
} from "./synthetic-layers.js";
export type { SyntheticConvolution, SyntheticPooling } from "./synthetic-layers.js";
export {
  parsePredictionFunctions,
  SERIALIZED_SIGNIFICANT_DIGITS,
  serializePredictionFunctions,
} from "./serialize.js";
export type { SerializedPredictionFunction, SerializedPredictionFunctions } from "./serialize.js";
export {
  fitResult,
  formatFitTable,
  INSTALL_PHASE_TYPES,
  installPhaseSweep,
  runInstallPhase,
} from "./install-phase.js";
export type { FitTableRow, InstallPhaseOptions, InstallPhaseResult } from "./install-phase.js";
export { profileExecutor, samplesFromProfile } from "./profile-executor.js";
export type { ProfileExecutorOptions } from "./profile-executor.js";
export { heldOutFit, MEASURED_TYPES, measureInstallPhase, measurementNetworks } from "./measure.js";
export type { HeldOutFit, HeldOutRow, MeasuredInstallPhase, MeasuredType, MeasurementNetwork, MeasureOptions, MeasureTiming } from "./measure.js";
