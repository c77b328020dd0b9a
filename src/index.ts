/**
 * ionn — IONN (Jeong et al., SoCC '18): incremental offloading of neural
 * network computations from mobile devices to edge servers.
 *
 * The planner: {@link buildExecutionGraph}, {@link collapseByDominators},
 * {@link fitPredictionFunctions}, {@link computeUploadPlan} (and
 * {@link planNetwork}, which chains them); model import and the zoo; the
 * runtime ({@link OffloadingClient}, {@link EdgeServer}, transports); the
 * reference executor; device cost models and the simulator.
 *
 * @packageDocumentation
 */

// Errors
export {
  InvalidArgumentError,
  InvalidModelError,
  IonnError,
  MissingDependencyError,
  ParseError,
  ProfileMismatchError,
  ProtocolError,
  RegressionError,
  TransportError,
  UnsupportedLayerError,
} from "./errors.js";

// Networks
export { parameterBytes, shapeBytes, shapeSize, tensorKey, tensorShape, totalMacs, totalParameters } from "./model/types.js";
export type {
  BatchNormParams,
  ConcatParams,
  ConvolutionParams,
  DropoutParams,
  EltwiseParams,
  FlattenParams,
  InnerProductParams,
  InputParams,
  Layer,
  LayerParams,
  LRNParams,
  Network,
  PoolingParams,
  ReshapeParams,
  ScaleParams,
  Shape,
  SoftmaxParams,
  TensorRef,
} from "./model/types.js";
export { guessModelFormat, importModelBytes, loadNetwork, MODEL_FORMATS } from "./model/load.js";
export type { LoadedNetwork, LoadNetworkOptions, ModelFormat } from "./model/load.js";
export { importCaffePrototxt, networkFromCaffeNet, parsePrototxt, SUPPORTED_CAFFE_LAYER_TYPES } from "./model/caffe/index.js";
export type { CaffeLayerSpec, CaffeNetSpec } from "./model/caffe/index.js";
export { importOnnx } from "./model/onnx/index.js";
export type { OnnxImport, OnnxImportOptions } from "./model/onnx/index.js";
export { importTfjsLayersModel, importTfjsLayersModelDetailed } from "./model/tfjs/index.js";
export type { TfjsImport, TfjsImportOptions } from "./model/tfjs/index.js";
// Importers, issue 14: unknown shapes, graph models, input shapes
export { UnknownShapeError } from "./errors.js";
export { assertShapesKnown, layersWithUnknownShapes, outputShapeKnown } from "./model/types.js";
export { importTfjsGraphModel, TFJS_CONTROL_FLOW_OPS, TFJS_GRAPH_OPS } from "./model/tfjs/graph.js";
export type { TfjsGraphImport, TfjsGraphImportOptions } from "./model/tfjs/graph.js";
export { importCaffePrototxtDetailed, networkFromCaffeNetDetailed } from "./model/caffe/index.js";
export type { CaffeImport, CaffeImportOptions } from "./model/caffe/index.js";
export type { ModelFiles } from "./model/load.js";
export { isZooName, ZOO_NAMES, zooNetwork, zooSpec } from "./model/zoo/index.js";
export type { ZooName } from "./model/zoo/index.js";

// Profiles
export {
  alignProfile,
  hasPublishedProfiles,
  parseProfile,
  parseProfileJson,
  parseProfileText,
  profileFromTimes,
  profileTotalMs,
  PUBLISHED_PROFILE_NETWORKS,
  publishedClientProfile,
  publishedServerProfile,
} from "./profile/index.js";
export type { ExecutionProfile, ProfileEntry, PublishedProfileNetwork } from "./profile/index.js";

// Prediction functions
export {
  fitPredictionFunctions,
  installPhaseSweep,
  parsePredictionFunctions,
  parseRegressionFile,
  predictLayerMs,
  profileExecutor,
  regressionVariableNames,
  runInstallPhase,
  samplesFromProfile,
  serializePredictionFunctions,
} from "./regression/index.js";
export type { PredictionFunction, PredictionFunctions, RegressionSample, VariableSet } from "./regression/index.js";
// Server install phase measured on this machine (issue 13: ionn fit --measure)
export { heldOutFit, MEASURED_TYPES, measureInstallPhase, measurementNetworks } from "./regression/index.js";
export type { HeldOutFit, HeldOutRow, MeasuredInstallPhase, MeasuredType, MeasurementNetwork, MeasureOptions, MeasureTiming } from "./regression/index.js";

// Planner
export { collapseByDominators, dominatorTree } from "./dominators/index.js";
export {
  buildExecutionGraph,
  costedDagFromNetwork,
  createCostedChain,
  createCostedDag,
  EDGE_KINDS,
  EdgeKindCode,
  layerOutputBytes,
  shortestPath,
  toGraphology,
} from "./graph/index.js";
export type {
  CostedChain,
  CostedDag,
  EdgeKind,
  ExecutionEdgeAttributes,
  ExecutionGraph,
  ExecutionGraphOptions,
  ExecutionNodeAttributes,
  ShortestPath,
} from "./graph/index.js";
export {
  allAtOnce,
  computeUploadPlan,
  expectedQueryTime,
  IONN_REFERENCE_PRESET,
  localOnly,
  PAPER_PRESET,
  planNetwork,
  PRESETS,
  referenceLoadMs,
  roundFactors,
  runtimePartitions,
  singleSplit,
  THRESHOLD_RELATIVE_TOLERANCE,
} from "./plan/index.js";
export type {
  BaselineResult,
  NetworkPlan,
  PlanNetworkCosts,
  PlanNetworkOptions,
  PlannerPreset,
  PlanRound,
  PresetName,
  UploadPartition,
  UploadPlan,
  UploadPlanOptions,
} from "./plan/index.js";

// Runtime
export { EdgeServer, inMemoryTransport, OffloadingClient, ServerConnection, serveTcp, tcpTransport } from "./runtime/index.js";
export type {
  Clock,
  EdgeServerOptions,
  Executor,
  LayerWeights,
  LinkModel,
  OffloadingClientOptions,
  QueryResult,
  Scheduler,
  Tensor,
  TensorMap,
  Transport,
  UploadSchedule,
} from "./runtime/index.js";
// The request and reply types of Transport's methods (for writing a Transport of your own)
export type { ExecuteRequest, NetworkDeclaration, PartitionUpload, SessionInfo, UploadAck } from "./runtime/index.js";
export { randomWeights, referenceExecutor, runLocally, shapeOnlyExecutor } from "./executor/index.js";
export { runUploadWindow } from "./runtime/index.js";

// Upload scheduling (objective, optimal and enhanced planners, planners by name)
export {
  allAtOnceCompletionMs,
  bruteForceUploadPlan,
  enhancedUploadPlan,
  groupPlanToLayers,
  networkScheduleCosts,
  optimalUploadPlan,
  pathCost,
  PLANNER_NAMES,
  plannerName,
  planSchedule,
  planUpload,
  schedulePlacement,
  uploadObjective,
} from "./schedule/index.js";
export type {
  BruteForceResult,
  EnhancedPlanOptions,
  EnhancedPlanResult,
  GroupPlan,
  NetworkSchedule,
  NetworkScheduleCostOptions,
  ObjectiveOptions,
  ObjectiveValue,
  OptimalPlanOptions,
  OptimalPlanResult,
  PathCost,
  PlannerName,
  PlanUploadOptions,
  ResolvedCosts,
  ScheduledPartition,
  ScheduleCosts,
  ScheduleOptions,
  ScheduleResult,
  ScoredPlan,
} from "./schedule/index.js";
export { registerScheduleReplanners, scheduleReplanner } from "./schedule/index.js";
export type { ScheduleReplannerOptions } from "./schedule/index.js";

// Hardening: bounded work, worker pool, memory budget, admission, verification, resume (issue 12)
export { checkLayerWork, DEFAULT_WORK_LIMITS, layerWork, resolveWorkLimits, WorkLimitError } from "./runtime/work-limits.js";
export type { LayerWork, WorkLimits } from "./runtime/work-limits.js";
export { DEFAULT_MEMORY_FRACTION, defaultMemoryBudgetBytes, MemoryAccount, MemoryBudget } from "./runtime/memory-budget.js";
export { Admission, readToken, tokenMatches } from "./runtime/admission.js";
export type { AdmissionDecision, AdmissionOptions, AdmittedConnection } from "./runtime/admission.js";
export { loadAwarePlacement } from "./runtime/load-aware.js";
export type { PlacementCosts, ServerLoad } from "./runtime/load-aware.js";
export { resumeOrder } from "./runtime/resume.js";
export type { ResumePlan } from "./runtime/resume.js";
export { sameTensors, verifyResult } from "./runtime/verify.js";
export type { Verdict } from "./runtime/verify.js";
export { TimeBudgetError, workerPool } from "./executor/worker-pool.js";
export type { PoolLoad, PoolStats, WorkerPool, WorkerPoolOptions } from "./executor/worker-pool.js";
export { DeficitRoundRobin } from "./executor/fair-queue.js";
export type { EdgeServerStats, ExecutionLoad, OpenOptions, ResumeToken, ServeTcpOptions, TcpServerHandle } from "./runtime/index.js";
export type { AuditOptions, ReconnectOptions } from "./runtime/client.js";

// Devices
export { deviceProfile, gtx1080Ti, modelledProfile, odroidXu4 } from "./sim/devices/index.js";
export type { DeviceModel } from "./sim/devices/index.js";

// Simulation (IONN §6)
export {
  allAtOncePolicy,
  clientEnergyBetween,
  ionnPolicy,
  localPolicy,
  neurosurgeonPolicy,
  ODROID_XU4_POWER,
  POLICY_NAMES,
  policyByName,
  SimulatedLink,
  SimulationError,
  schedulePolicy,
  simulate,
  simulationDocument,
  timelineSvg,
  VirtualClock,
} from "./sim/index.js";
// Simulator calibrations (issue 13: profiles-2019, paper-2018)
export {
  CALIBRATION_NAMES,
  calibrationByName,
  fitLink,
  ODROID_XU4_POWER_ADDITIVE,
  PAPER_2018,
  PAPER_2018_CALIBRATION,
  PAPER_TABLE_2,
  paper2018Costs,
  PROFILES_2019_CALIBRATION,
  withUploadOverhead,
} from "./sim/index.js";
export type { CalibratedCosts, Calibration, CalibrationName, EnergyBreakdown, LinkFit, LinkFitCriterion, LinkFitPoint, LinkFitResidual, PaperTable2Row, Sleeper, UploadOverheadPer } from "./sim/index.js";
export type {
  CostSource,
  IonnPolicyOptions,
  LinkSharing,
  Policy,
  PolicyContext,
  PolicyDecision,
  PolicyName,
  PowerModel,
  Scenario,
  SchedulePolicyOptions,
  SimulatedPartition,
  SimulatedQuery,
  SimulationResult,
} from "./sim/index.js";

// Links that change (issue 10): traces, bandwidth estimation, re-planning
export * from "./link/index.js";
export { TraceLink } from "./sim/trace-link.js";
export type { TraceLinkOptions } from "./sim/trace-link.js";
// Content-addressed partition store and handoff (issue 11)
export {
  canonicalJson,
  decodeLayerRecord,
  digestOf,
  encodeLayerRecord,
  isDigest,
  layerDigest,
  memoryStore,
  parseRedisUrl,
  redisStore,
  StoreConfigError,
  StoreIntegrityError,
  StoreUnavailableError,
} from "./store/index.js";
export type { Digest, LayerRecord, MemoryStoreOptions, PartitionStore, RedisStoreOptions, StoreStats } from "./store/index.js";
export type { ClientStats, ConnectionStats } from "./runtime/client.js";
export type { ContentStats } from "./runtime/content.js";
export { MOBILITY_POLICIES, mobilitySvg, parseWalkTrace, simulateMobility } from "./sim/index.js";
export type { MobilityPolicy, MobilityQuery, MobilityResult, MobilityScenario, MobilityServer, WalkStop } from "./sim/index.js";
