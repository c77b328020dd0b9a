/**
 * `ionn/planner` — the browser-safe entry: the planner, model import from
 * bytes or text (Caffe prototxt, ONNX, TF.js), the zoo, profiles and
 * prediction functions, the reference executor, the simulator and the
 * in-memory runtime ({@link EdgeServer}, {@link OffloadingClient},
 * {@link inMemoryTransport}). Nothing reachable from it imports a `node:`
 * module, so it bundles for the browser (`test/browser-bundle.test.ts`
 * bundles it with esbuild for `platform: "browser"`). The node-only pieces
 * (reading files with `loadNetwork`, `serveTcp`, `tcpTransport`) are in the
 * main entry `ionn`.
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
export { EdgeServer, ServerConnection } from "./runtime/server.js";
export { OffloadingClient } from "./runtime/client.js";
export { inMemoryTransport } from "./runtime/memory-transport.js";
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
