/**
 * From a {@link Network} and per-layer costs to the {@link CostedDag} the
 * planner works on (IONN §5.1, §5.3). Two ways to read the layer graph:
 *
 * - `"dataflow"` (preset `paper`): an edge from the producer of each tensor a
 *   layer reads ({@link Layer.inputs}, true last-writer dataflow), so an
 *   in-place ReLU is a node of the chain. The Input layers form the source
 *   node (their time dropped: the input starts on the client). Split layers
 *   are ordinary zero-parameter nodes.
 * - `"blob-names"` (preset `ionn-reference`, as the IONN authors' code does;
 *   see the conventions file): an edge from every layer that writes blob `b`
 *   to every later layer that reads `b`, so in-place layers are bypassed and
 *   never dominate. Input, Split, Reshape and the final output Softmax layers
 *   are left out (times dropped); Split and Reshape are contracted so edges
 *   pass through them; the output layer always runs on the client.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Layer, Network } from "../model/types.js";
import { shapeBytes } from "../model/types.js";
import { createPlainCostedDag, typedCostedDag, type CostedDag, type PlainCostedDag } from "./costed-dag.js";

/** Per-runtime-layer costs, indexed by runtime layer index. */
export interface LayerCosts {
  /** Client execution time per runtime layer (ms). */
  readonly clientMs: ArrayLike<number>;
  /** Server execution time per runtime layer (ms). */
  readonly serverMs: ArrayLike<number>;
  /** Server loading time per runtime layer (ms; default 0). */
  readonly loadMs?: ArrayLike<number>;
}

/** How to read the layer graph of a network. */
export type EdgeMode = "dataflow" | "blob-names";

/** Options of {@link costedDagFromNetwork}. */
export interface FromNetworkOptions {
  /** How edges are derived (default `"dataflow"`). */
  readonly edges?: EdgeMode;
  /**
   * Layers to contract away (their time dropped, edges pass through them).
   * Default: none for `"dataflow"`; Split and Reshape for `"blob-names"`.
   * Input layers are always the source; this is consulted for the others.
   */
  readonly skip?: (layer: Layer) => boolean;
  /**
   * Layers to drop entirely (their time dropped, nothing passes through):
   * default none for `"dataflow"`; for `"blob-names"` the Softmax layers
   * whose outputs nobody reads (the network's output layer).
   */
  readonly drop?: (layer: Layer) => boolean;
}

/** Bytes of what consumers read from a layer: its distinct tops (a Split's copies count once). */
export function layerOutputBytes(layer: Layer): number {
  if (layer.type === "Split") {
    const s = layer.inputShapes[0] ?? layer.outputShapes[0];
    return s ? shapeBytes(s) : 0;
  }
  let bytes = 0;
  for (const s of layer.outputShapes) bytes += shapeBytes(s);
  return bytes;
}

/** True for a Softmax layer none of whose tops is read by a later layer (the network's output layer). */
export function isOutputSoftmax(network: Network, layer: Layer): boolean {
  if (layer.type !== "Softmax") return false;
  for (let j = layer.index + 1; j < network.layers.length; j++) {
    for (const ref of network.layers[j]!.inputs) if (ref.layer === layer.index) return false;
  }
  return true;
}

function checkCostArray(name: string, values: ArrayLike<number> | undefined, network: Network): void {
  if (values === undefined) return;
  if (values.length !== network.layers.length) {
    throw new InvalidArgumentError(
      `costedDagFromNetwork: costs.${name} has ${values.length} entries but network ${network.name} has ${network.layers.length} runtime layers`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0) || v === Infinity) {
      throw new InvalidArgumentError(
        `costedDagFromNetwork: costs.${name}[${i}] (layer ${network.layers[i]!.name}) is ${v}; expected a finite number ≥ 0`,
      );
    }
  }
}

/**
 * Builds the costed layer DAG of a network. Parameter bytes are float32
 * (4 × {@link Layer.parameters}); output bytes are {@link layerOutputBytes};
 * the input node's bytes are the Input layers' outputs. Runs in
 * `O(layers + edges)`.
 *
 * @throws {InvalidArgumentError} when a cost array's length differs from the layer count or holds a negative/NaN value.
 * @throws {InvalidModelError} when the dataflow has a cycle (naming a layer on it).
 * @example
 * const dag = costedDagFromNetwork(network, { clientMs, serverMs }, { edges: "blob-names" });
 */
export function costedDagFromNetwork(network: Network, costs: LayerCosts, options: FromNetworkOptions = {}): CostedDag {
  return typedCostedDag(plainCostedDagFromNetwork(network, costs, options));
}

/**
 * {@link costedDagFromNetwork} in plain arrays (see {@link PlainCostedDag}:
 * no typed arrays of the network's size); same checks, same errors.
 * @internal
 */
export function plainCostedDagFromNetwork(network: Network, costs: LayerCosts, options: FromNetworkOptions = {}): PlainCostedDag {
  const mode = options.edges ?? "dataflow";
  if (mode !== "dataflow" && mode !== "blob-names") {
    throw new InvalidArgumentError(`costedDagFromNetwork: options.edges must be "dataflow" or "blob-names", got ${String(mode)}`);
  }
  checkCostArray("clientMs", costs.clientMs, network);
  checkCostArray("serverMs", costs.serverMs, network);
  checkCostArray("loadMs", costs.loadMs, network);
  const layers = network.layers;
  const L = layers.length;
  const skip =
    options.skip ?? (mode === "blob-names" ? (l: Layer) => l.type === "Split" || l.type === "Reshape" : () => false);
  const drop = options.drop ?? (mode === "blob-names" ? (l: Layer) => isOutputSoftmax(network, l) : () => false);

  // role: 0 = node, 1 = input (source), 2 = contracted, 3 = dropped
  // (plain arrays throughout, as in createPlainCostedDag)
  const role = new Array<number>(L).fill(0);
  const nodeOf = new Array<number>(L).fill(-1);
  // names, nodeLayer and edges are sized ahead and trimmed (growing a list of 10^6 by push copies it again and again)
  const names: string[] = new Array<string>(L).fill("");
  const nodeLayer: number[] = new Array<number>(L).fill(0);
  let nodes = 0;
  let totalInputs = 0;
  const inputMembers: number[] = [];
  const omitted: number[] = [];
  let inputBytes = 0;
  for (let i = 0; i < L; i++) {
    const layer = layers[i]!;
    if (layer.type === "Input") {
      role[i] = 1;
      inputMembers.push(i);
      for (const s of layer.outputShapes) inputBytes += shapeBytes(s);
    } else if (drop(layer)) {
      role[i] = 3;
      omitted.push(i);
    } else if (skip(layer)) {
      role[i] = 2;
      omitted.push(i);
    } else {
      nodeOf[i] = nodes;
      names[nodes] = layer.name;
      nodeLayer[nodes] = i;
      nodes++;
    }
    totalInputs += (layer.inputs as readonly unknown[] | undefined)?.length ?? 0;
  }
  names.length = nodes;
  nodeLayer.length = nodes;
  // Effective predecessors (node indices; -1 = the input node) of every layer, contraction applied.
  // `preds` is one scratch list reused for every layer; `stamp[p + 1] === i + 1` marks p as already in it (insertion order kept).
  const effective: (number[] | undefined)[] = new Array(L);
  const edges: number[] = new Array<number>(2 * totalInputs).fill(0); // [from0, to0, …]: at most one edge per input in dataflow mode (else it grows)
  let edgeEnd = 0;
  const preds: number[] = [];
  let predCount = 0; // preds[0 .. predCount): the list of the current layer (no truncation per layer)
  const stamp = new Array<number>(names.length + 1).fill(0);
  let current = 0;
  const addPred = (p: number): void => {
    if (stamp[p + 1] === current) return;
    stamp[p + 1] = current;
    preds[predCount++] = p;
  };
  const addPredsOf = (producer: number): void => {
    const r = role[producer]!;
    if (r === 0) addPred(nodeOf[producer]!);
    else if (r === 1) addPred(-1);
    else if (r === 2) {
      const list = effective[producer];
      if (list !== undefined) for (let k = 0; k < list.length; k++) addPred(list[k]!);
    }
    // dropped producers feed nothing
  };
  const writers = new Map<string, number[]>();
  for (let i = 0; i < L; i++) {
    const layer = layers[i]!;
    predCount = 0;
    current = i + 1;
    if (mode === "dataflow") {
      const inputs = layer.inputs;
      for (let k = 0; k < inputs.length; k++) {
        const ref = inputs[k]!;
        if (ref.layer < 0 || ref.layer >= L) {
          throw new InvalidArgumentError(`costedDagFromNetwork: layer ${layer.name} reads tensor ${ref.layer}:${ref.top}, which is not in network ${network.name}`);
        }
        if (ref.layer >= i) {
          // A forward reference: only valid as an edge between two nodes (createCostedDag checks for cycles).
          if (role[ref.layer] === 0) addPred(nodeOf[ref.layer]!);
          continue;
        }
        addPredsOf(ref.layer);
      }
    } else {
      for (const b of layer.bottoms) {
        for (const w of writers.get(b) ?? []) addPredsOf(w);
      }
      for (const t of layer.tops) {
        let list = writers.get(t);
        if (list === undefined) writers.set(t, (list = []));
        if (list[list.length - 1] !== i) list.push(i);
      }
    }
    if (role[i] === 2) {
      effective[i] = preds.slice(0, predCount);
    } else if (role[i] === 0) {
      const v = nodeOf[i]!;
      for (let k = 0; k < predCount; k++) {
        if (preds[k] === v) continue;
        edges[edgeEnd++] = preds[k]!;
        edges[edgeEnd++] = v;
      }
    }
  }
  edges.length = edgeEnd;
  return createPlainCostedDag({
    names,
    edges,
    // (in a function of its own: V8 optimizes each loop on its own feedback)
    ...nodeCosts(layers, nodeLayer, costs),
    inputBytes,
    memberLayer: nodeLayer,
    inputName: inputMembers.length === 1 ? layers[inputMembers[0]!]!.name : "<input>",
    inputMembers,
    layerNames: layers.map((l) => l.name),
    omittedLayers: omitted,
  });
}

/** The costs of the DAG's real nodes (node `v` is layer `nodeLayer[v]`): times, float32 parameter bytes, output bytes. */
function nodeCosts(layers: readonly Layer[], nodeLayer: readonly number[], costs: LayerCosts) {
  const n = nodeLayer.length;
  const clientMs = new Array<number>(n).fill(0);
  const serverMs = new Array<number>(n).fill(0);
  const loadMs = new Array<number>(n).fill(0);
  const paramBytes = new Array<number>(n).fill(0);
  const outputBytes = new Array<number>(n).fill(0);
  for (let v = 0; v < n; v++) {
    const i = nodeLayer[v]!;
    const layer = layers[i]!;
    clientMs[v] = costs.clientMs[i]!;
    serverMs[v] = costs.serverMs[i]!;
    loadMs[v] = costs.loadMs ? costs.loadMs[i]! : 0;
    paramBytes[v] = layer.parameters * 4;
    outputBytes[v] = layerOutputBytes(layer);
  }
  return { clientMs, serverMs, loadMs, paramBytes, outputBytes };
}
