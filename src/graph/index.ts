/**
 * The costed layer DAG, the chain of groups and the NN execution graph with
 * its shortest path (IONN §5.1).
 *
 * @module
 */
export { createCostedDag, buildCsr } from "./costed-dag.js";
export type { CostedDag, CostedDagSpec, CsrGraph } from "./costed-dag.js";
export { costedDagFromNetwork, layerOutputBytes, isOutputSoftmax } from "./from-network.js";
export type { EdgeMode, FromNetworkOptions, LayerCosts } from "./from-network.js";
export { createCostedChain, groupCosts, groupLayers } from "./chain.js";
export type { ChainGroupCosts, ChainGroupSpec, CostedChain } from "./chain.js";
export {
  buildExecutionGraph,
  bytesPerMs,
  clientNode,
  serverInNode,
  serverOutNode,
  toGraphology,
  EDGE_KINDS,
  EdgeKindCode,
} from "./execution-graph.js";
export type { EdgeKind, ExecutionEdgeAttributes, ExecutionGraph, ExecutionGraphOptions, ExecutionNodeAttributes } from "./execution-graph.js";
export { shortestPath, shortestPathByEdges, shortestPathScratch } from "./shortest-path.js";
export type { ShortestPath, ShortestPathScratch } from "./shortest-path.js";
