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
export { randomWeights, referenceExecutor, runLocally, shapeOnlyExecutor } from "./executor/index.js";

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
  simulate,
  simulationDocument,
  timelineSvg,
  VirtualClock,
} from "./sim/index.js";
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
  SimulatedPartition,
  SimulatedQuery,
  SimulationResult,
} from "./sim/index.js";

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
export type { EdgeServerStats, PartitionUpload, UploadAck } from "./runtime/index.js";
export { MOBILITY_POLICIES, mobilitySvg, parseWalkTrace, simulateMobility } from "./sim/index.js";
export type { MobilityPolicy, MobilityQuery, MobilityResult, MobilityScenario, MobilityServer, WalkStop } from "./sim/index.js";
