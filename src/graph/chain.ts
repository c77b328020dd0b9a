/**
 * The costed chain: the sequence of groups (merged layers) the NN execution
 * graph is built on (IONN §5.1, §5.3 — "as if the DNN does not have multiple
 * paths"). Produced by `collapseByDominators`, or built directly with
 * {@link createCostedChain} for a network that is already a chain.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** A chain of groups in execution order, with summed costs (typed arrays). */
export interface CostedChain {
  /** Number of groups. */
  readonly size: number;
  /** Group names (the name of the group's head, e.g. `norm1`). */
  readonly names: readonly string[];
  /** Client time of each group (ms). */
  readonly clientMs: Float64Array;
  /** Server time of each group (ms). */
  readonly serverMs: Float64Array;
  /** Server loading time of each group (ms). */
  readonly loadMs: Float64Array;
  /** Parameter bytes of each group (what uploading it costs). */
  readonly paramBytes: Float64Array;
  /** Bytes entering each group (the previous head's output; the network input for group 0). */
  readonly inputBytes: Float64Array;
  /** Bytes leaving each group (its head's output). */
  readonly outputBytes: Float64Array;
  /** `layers[layerOffsets[g] .. layerOffsets[g + 1])`: runtime layer indices of group `g`, in runtime order. */
  readonly layerOffsets: Int32Array;
  /** Runtime layer indices, concatenated per group. */
  readonly layers: Int32Array;
  /** Runtime layer names by runtime index, when known. */
  readonly layerNames?: readonly string[];
  /** DAG node of each group's head (when built from a DAG). */
  readonly heads?: Int32Array;
  /** `memberNodes[memberOffsets[g] .. memberOffsets[g + 1])`: DAG nodes of group `g` (when built from a DAG). */
  readonly memberOffsets?: Int32Array;
  /** DAG nodes, concatenated per group. */
  readonly memberNodes?: Int32Array;
  /** Group of each DAG node (−1 for the input node), when built from a DAG. */
  readonly groupOfNode?: Int32Array;
}

/** One group for {@link createCostedChain}. */
export interface ChainGroupSpec {
  readonly name: string;
  readonly clientMs: number;
  readonly serverMs: number;
  /** Parameter bytes (default 0). */
  readonly paramBytes?: number;
  /** Server loading time (default 0). */
  readonly loadMs?: number;
  /** Bytes of the group's output. */
  readonly outputBytes: number;
  /** Runtime layers of the group (default: the group's own index). */
  readonly layers?: readonly number[];
}

/**
 * Builds a {@link CostedChain} directly from groups in order. The input bytes
 * of group `g > 0` are the output bytes of group `g − 1`; group 0's are
 * `inputBytes`. Runs in `O(groups)`.
 *
 * @throws {InvalidArgumentError} on an empty chain or a negative/NaN value (naming the group and field).
 * @example
 * const chain = createCostedChain(1000, [
 *   { name: "A", clientMs: 10, serverMs: 1, paramBytes: 4000, outputBytes: 500 },
 * ]);
 */
export function createCostedChain(inputBytes: number, groups: readonly ChainGroupSpec[], layerNames?: readonly string[]): CostedChain {
  const n = groups.length;
  if (n === 0) throw new InvalidArgumentError("createCostedChain: groups is empty");
  const check = (g: number, field: string, v: number): number => {
    if (!(v >= 0) || v === Infinity) {
      throw new InvalidArgumentError(`createCostedChain: group ${g} (${groups[g]?.name ?? "input"}) ${field} is ${v}; expected a finite number ≥ 0`);
    }
    return v;
  };
  const clientMs = new Float64Array(n);
  const serverMs = new Float64Array(n);
  const loadMs = new Float64Array(n);
  const paramBytes = new Float64Array(n);
  const inBytes = new Float64Array(n);
  const outputBytes = new Float64Array(n);
  const layerOffsets = new Int32Array(n + 1);
  const layers: number[] = [];
  for (let g = 0; g < n; g++) {
    const s = groups[g]!;
    clientMs[g] = check(g, "clientMs", s.clientMs);
    serverMs[g] = check(g, "serverMs", s.serverMs);
    loadMs[g] = check(g, "loadMs", s.loadMs ?? 0);
    paramBytes[g] = check(g, "paramBytes", s.paramBytes ?? 0);
    outputBytes[g] = check(g, "outputBytes", s.outputBytes);
    inBytes[g] = g === 0 ? check(0, "inputBytes", inputBytes) : outputBytes[g - 1]!;
    for (const l of s.layers ?? [g]) layers.push(l);
    layerOffsets[g + 1] = layers.length;
  }
  return {
    size: n,
    names: groups.map((g) => g.name),
    clientMs,
    serverMs,
    loadMs,
    paramBytes,
    inputBytes: inBytes,
    outputBytes,
    layerOffsets,
    layers: Int32Array.from(layers),
    ...(layerNames ? { layerNames } : {}),
  };
}

/** Runtime layer indices of group `g` (runtime order). */
export function groupLayers(chain: CostedChain, g: number): number[] {
  return Array.from(chain.layers.subarray(chain.layerOffsets[g]!, chain.layerOffsets[g + 1]!));
}

/** The summed costs of group `g`, as reports describe a group (`plan.groups`, the CLI's `plan` document). */
export interface ChainGroupCosts {
  clientMs: number;
  serverMs: number;
  loadMs: number;
  /** Parameter bytes. */
  bytes: number;
  inputBytes: number;
  outputBytes: number;
}

/** The summed costs of group `g` of `chain` (one object; the key order is the reports' JSON order). */
export function groupCosts(chain: CostedChain, g: number): ChainGroupCosts {
  return {
    clientMs: chain.clientMs[g]!,
    serverMs: chain.serverMs[g]!,
    loadMs: chain.loadMs[g]!,
    bytes: chain.paramBytes[g]!,
    inputBytes: chain.inputBytes[g]!,
    outputBytes: chain.outputBytes[g]!,
  };
}
