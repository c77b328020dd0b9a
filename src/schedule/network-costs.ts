/**
 * {@link ScheduleCosts} of a real network: the per-group header bytes of an
 * upload frame (layer definitions and blob descriptors as the protocol's
 * JSON header carries them), the server's loading time per group (the IONN
 * authors' model the simulator charges by default) and the all-at-once
 * baseline's totals; and the mapping from a plan of groups to the runtime's
 * partitions of layer indices.
 *
 * @module
 */
import type { CostedDag } from "../graph/costed-dag.js";
import type { ExecutionGraph } from "../graph/execution-graph.js";
import { groupLayers } from "../graph/chain.js";
import { type Layer, type Network, parameterBytes } from "../model/types.js";
import { jsonUtf8Length, numberBytes, prototypePolluted, type SharedMemo, stringBytes, valueBytes } from "../platform/json-bytes.js";
import { referenceLoadMs } from "../plan/presets.js";
import { runtimePartitions } from "../plan/plan-network.js";
import type { ScheduleCosts } from "./model.js";
import type { GroupPlan } from "./objective.js";

/** Options of {@link networkScheduleCosts}. */
export interface NetworkScheduleCostOptions {
  /** Server loading time of a layer, ms (default: the IONN authors' model, `referenceLoadMs`, as the simulator). */
  readonly serverLoadMs?: (layer: Layer) => number;
  /** One-way link latency, ms (default 1, the simulator's). */
  readonly latencyMs?: number;
}

/** Bytes a layer adds to an upload frame's JSON header: its definition and one descriptor and shape per blob. */
export function layerHeaderBytes(layer: Layer): number {
  return headerBytesWith(layer, jsonUtf8Length);
}

/** The layer fields importers share between layers (interned shape lists and params): measured once per object. */
const SHARED_LAYER_FIELDS = ["inputShapes", "outputShapes", "paramShapes", "params"];

/**
 * A JSON byte counter for many layers: `JSON.stringify(layer)`'s UTF-8
 * length, with the fields every layer has measured by specialised code
 * (numbers, names, blob lists, tensor refs) and the shared fields
 * ({@link SHARED_LAYER_FIELDS}) once per object; anything unusual goes
 * through the generic count, so the result always equals the generic one.
 */
function layerJsonCounter(): (value: unknown) => number {
  if (prototypePolluted()) return jsonUtf8Length;
  const memo: SharedMemo = { keys: new Set(SHARED_LAYER_FIELDS), bytes: new Map(), limit: 4096 };
  const shared = (value: unknown): number => {
    if (typeof value !== "object" || value === null) return valueBytes(value, memo);
    const known = memo.bytes.get(value);
    if (known !== undefined) return known;
    const bytes = valueBytes(value, memo);
    if (memo.bytes.size < memo.limit) memo.bytes.set(value, bytes);
    return bytes;
  };
  // the last string measured: a layer's name is usually its top too, and its top the next layer's bottom
  let lastText = "";
  let lastTextBytes = 2;
  const textBytes = (text: string): number => {
    if (text !== lastText) {
      lastText = text;
      lastTextBytes = stringBytes(text);
    }
    return lastTextBytes;
  };
  const stringList = (value: unknown): number => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return valueBytes(value, memo);
    let bytes = 2 + Math.max(0, value.length - 1);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "string") bytes += textBytes(item);
      else {
        const b = valueBytes(item, memo);
        bytes += b < 0 ? 4 : b;
      }
    }
    return bytes;
  };
  // a layer's inputs: tensor refs {layer, top} (plain objects of numbers; anything else is measured generically)
  const refList = (value: unknown): number => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return valueBytes(value, memo);
    let bytes = 2 + Math.max(0, value.length - 1);
    for (let i = 0; i < value.length; i++) bytes += refBytes(value[i]);
    return bytes;
  };
  const refBytes = (item: unknown): number => {
    if (typeof item !== "object" || item === null || Object.getPrototypeOf(item) !== Object.prototype || typeof (item as { toJSON?: unknown }).toJSON === "function") {
      const b = valueBytes(item, memo);
      return b < 0 ? 4 : b;
    }
    const record = item as Record<string, unknown>;
    let bytes = 2;
    let fields = 0;
    for (const key in record) {
      const field = record[key];
      const v = typeof field === "number" && Number.isFinite(field) ? numberBytes(field) : valueBytes(field, memo);
      if (v < 0) continue;
      bytes += (key === "layer" || key === "top" ? key.length + 2 : stringBytes(key)) + 1 + v;
      fields++;
    }
    return bytes + Math.max(0, fields - 1);
  };
  return (value) => {
    if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype || typeof (value as { toJSON?: unknown }).toJSON === "function") {
      const b = valueBytes(value, memo);
      return b < 0 ? jsonUtf8Length(value) : b;
    }
    const record = value as Record<string, unknown>;
    let bytes = 2;
    let fields = 0;
    for (const key in record) {
      const field = record[key];
      let v: number;
      // the JSON of a key named in a case below is the key in quotes (plain ASCII: no scan)
      let keyBytes = key.length + 2;
      // (cases in the order of a Layer's keys)
      switch (key) {
        case "index":
          v = typeof field === "number" && Number.isFinite(field) ? numberBytes(field) : valueBytes(field, memo);
          break;
        case "name":
          v = typeof field === "string" ? textBytes(field) : valueBytes(field, memo);
          break;
        case "type":
          v = typeof field === "string" ? stringBytes(field) : valueBytes(field, memo);
          break;
        case "bottoms":
        case "tops":
          v = stringList(field);
          break;
        case "inputs":
          v = refList(field);
          break;
        case "inputShapes":
        case "outputShapes":
        case "params":
        case "paramShapes":
          v = shared(field);
          break;
        case "parameters":
        case "macs":
          v = typeof field === "number" && Number.isFinite(field) ? numberBytes(field) : valueBytes(field, memo);
          break;
        default:
          v = valueBytes(field, memo);
          keyBytes = stringBytes(key);
      }
      if (v < 0) continue;
      bytes += keyBytes + 1 + v;
      fields++;
    }
    return bytes + Math.max(0, fields - 1);
  };
}

/** {@link layerHeaderBytes} with a given JSON byte counter. */
function headerBytesWith(layer: Layer, jsonBytes: (value: unknown) => number): number {
  // the byte length of JSON.stringify(layer) without building the string (hot at 10^6 layers)
  let bytes = jsonBytes(layer) + 1;
  const paramShapes = layer.paramShapes;
  if (paramShapes.length === 0) return bytes;
  const name = typeof layer.name === "string" ? stringBytes(layer.name) : jsonUtf8Length(layer.name);
  for (let i = 0; i < paramShapes.length; i++) {
    const shape = paramShapes[i]!;
    let count = 1;
    for (let d = 0; d < shape.length; d++) count *= shape[d]!;
    // {"layer":NAME,"blob":i,"offset":0}, plus the tensor shape [count]
    bytes += name + 30 + numberBytes(count) + 3;
  }
  return bytes;
}

/**
 * UTF-8 bytes of `JSON.stringify(layers.map((l) => ({ name: l.name, type: l.type })))`,
 * summed per layer (`{"name":…,"type":…}` is 17 bytes plus the two JSON strings)
 * without building the objects or the string.
 */
function declarationBytes(layers: readonly Layer[]): number {
  let bytes = 2 + Math.max(0, layers.length - 1);
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    if (typeof l.name !== "string" || typeof l.type !== "string") return jsonUtf8Length(layers.map((x) => ({ name: x.name, type: x.type })));
    // (a string's JSON is the same whatever the prototypes hold: no check per call)
    bytes += 17 + stringBytes(l.name) + stringBytes(l.type);
  }
  return bytes;
}

/**
 * The schedule costs of a network planned on `graph` (its groups' layers):
 * header bytes and loading time per group, the hello round trip, and the
 * all-at-once baseline (every layer but the Input layers in one frame).
 * `O(layers)`.
 */
export function networkScheduleCosts(network: Network, graph: ExecutionGraph, options: NetworkScheduleCostOptions = {}): ScheduleCosts {
  const load = options.serverLoadMs ?? referenceLoadMs;
  const latencyMs = options.latencyMs ?? 1;
  const chain = graph.chain;
  const layers = network.layers;
  // each layer's header bytes and load time, computed once (both sums below read them)
  // (plain arrays: O(layers) typed arrays are external memory, which makes V8 run full GCs over a large network)
  const layerHeader = new Array<number>(layers.length).fill(0);
  const layerLoad = new Array<number>(layers.length).fill(0);
  const jsonBytes = layerJsonCounter();
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (layer.type === "Input") continue;
    layerHeader[i] = headerBytesWith(layer, jsonBytes);
    layerLoad[i] = load(layer);
  }
  // (each pass in a function of its own: V8 optimizes each loop on its own feedback)
  const { headerBytes, loadMs } = groupSums(layers, chain, layerHeader, layerLoad);
  const all = allAtOnceSums(layers, layerHeader, layerLoad);
  const declaration = declarationBytes(layers) + 120;
  return {
    graph,
    loadMs,
    headerBytes,
    latencyMs,
    setupMs: declaration / graph.uplinkBytesPerMs + 2 * latencyMs + 160 / graph.downlinkBytesPerMs,
    allAtOnceBytes: all.bytes,
    allAtOnceHeaderBytes: all.headerBytes,
    allAtOnceLoadMs: all.loadMs,
  };
}

/** Header bytes and load time of each group: the sums over its layers (Input layers left out). */
function groupSums(layers: readonly Layer[], chain: ExecutionGraph["chain"], layerHeader: readonly number[], layerLoad: readonly number[]): { headerBytes: Float64Array; loadMs: Float64Array } {
  const headerBytes = new Float64Array(chain.size);
  const loadMs = new Float64Array(chain.size);
  const offsets = chain.layerOffsets;
  const groupLayerList = chain.layers;
  for (let g = 0; g < chain.size; g++) {
    let header = 0;
    let loading = 0;
    for (let q = offsets[g]!; q < offsets[g + 1]!; q++) {
      const index = groupLayerList[q]!;
      const layer = layers[index];
      if (layer === undefined || layer.type === "Input") continue;
      header += layerHeader[index]!;
      loading += layerLoad[index]!;
    }
    headerBytes[g] = header;
    loadMs[g] = loading;
  }
  return { headerBytes, loadMs };
}

/** The all-at-once frame: parameter bytes, header bytes and load time of every layer but the Input layers. */
function allAtOnceSums(layers: readonly Layer[], layerHeader: readonly number[], layerLoad: readonly number[]): { bytes: number; headerBytes: number; loadMs: number } {
  let bytes = 0;
  let headerBytes = 0;
  let loadMs = 0;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    if (layer.type === "Input") continue;
    bytes += parameterBytes(layer);
    headerBytes += layerHeader[i]!;
    loadMs += layerLoad[i]!;
  }
  return { bytes, headerBytes, loadMs };
}

/**
 * A plan of groups as the runtime uploads it: runtime layer indices per
 * partition (Input layers left out; layers a preset left out of the DAG join
 * the partition that completes their inputs, as `runtimePartitions`).
 * `O(layers)`.
 */
export function groupPlanToLayers(network: Network, graph: ExecutionGraph, dag: Pick<CostedDag, "omittedLayers"> | undefined, plan: GroupPlan): number[][] {
  const partitions = plan.map((groups) => ({ layers: groups.flatMap((g) => groupLayers(graph.chain, g)).filter((i) => network.layers[i]!.type !== "Input") }));
  const fake = { plan: { partitions }, dag: { omittedLayers: dag?.omittedLayers ?? [] } } as unknown as Parameters<typeof runtimePartitions>[1];
  return runtimePartitions(network, fake);
}
