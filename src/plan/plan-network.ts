/**
 * One entry point for the whole planner pipeline (IONN §5): network and
 * per-layer costs → costed DAG → groups by dominators (§5.3) → NN execution
 * graph (§5.1) → uploading plan (§5.2, Algorithm 1).
 *
 * @module
 */
import { collapseDag } from "../dominators/collapse.js";
import { InvalidArgumentError, type UnknownShapeError } from "../errors.js";
import type { CostedChain } from "../graph/chain.js";
import { typedCostedDag, type CostedDag } from "../graph/costed-dag.js";
import { buildExecutionGraph, type ExecutionGraph } from "../graph/execution-graph.js";
import { plainCostedDagFromNetwork } from "../graph/from-network.js";
import { assertShapesKnown, type Network } from "../model/types.js";
import { PRESETS, type PlannerPreset, type PresetName } from "./presets.js";
import { computeUploadPlan, type UploadPlan } from "./upload-plan.js";

/** Options of {@link planNetwork}; everything but the preset overrides the preset's choice. */
export interface PlanNetworkOptions {
  /** Preset name or object (default `"paper"`). */
  readonly preset?: PresetName | PlannerPreset;
  /** Uplink bandwidth in megabits per second (default 80). */
  readonly mbps?: number;
  /** Downlink bandwidth in megabits per second (default: `mbps`). */
  readonly downlinkMbps?: number;
  /** Algorithm 1's K (default 0.5). */
  readonly K?: number;
  /** Algorithm 1's threshold: rounds run while the upload factor is ≥ it (default: the preset's, 0.01 `paper`, 0.001 `ionn-reference`). */
  readonly threshold?: number;
  /** Run one more round at upload factor 0 (default: the preset's, `false` `paper`, `true` `ionn-reference`). */
  readonly finalRound?: boolean;
  /** float32 edge weights, path sums and factors, as the IONN authors' code (default: the preset's, `false` `paper`, `true` `ionn-reference`). */
  readonly float32?: boolean;
  /** Bits in a megabit (default: the preset's, `1e6` `paper`, `1048576` `ionn-reference`). */
  readonly megabit?: number;
  /** How later rounds charge groups already in a kept partition: `"decay"` like the others (Algorithm 1 as printed), `"free"` nothing (default `"decay"`). */
  readonly alreadyUploaded?: "decay" | "free";
  /**
   * Plan even when some layer's output shape is unknown (an opaque operator,
   * a symbolic input dimension): those outputs are priced as empty. Default
   * `false`: such a network is refused with an {@link UnknownShapeError}.
   */
  readonly allowUnknownShapes?: boolean;
}

/** Per-runtime-layer costs for {@link planNetwork}; `loadMs` overrides the preset's load model. */
export interface PlanNetworkCosts {
  /** Client execution time of each runtime layer, ms (one entry per layer of the network). */
  readonly clientMs: ArrayLike<number>;
  /** Server execution time of each runtime layer, ms. */
  readonly serverMs: ArrayLike<number>;
  /** Server loading time of each runtime layer once uploaded, ms (default: the preset's `loadMs`, else 0). */
  readonly loadMs?: ArrayLike<number>;
}

/** Everything {@link planNetwork} built, for inspection. */
export interface NetworkPlan {
  /** The uploading plan: partitions in upload order and Algorithm 1's rounds. */
  readonly plan: UploadPlan;
  /** The chain of groups after collapsing by dominators (§5.3). */
  readonly chain: CostedChain;
  /** The NN execution graph of the chain (§5.1). */
  readonly graph: ExecutionGraph;
  /** The costed layer DAG read from the network (made on first access, `O(layers)`). */
  readonly dag: CostedDag;
  /** The preset used (resolved from its name). */
  readonly preset: PlannerPreset;
}

/**
 * Plans the upload of a network: `costedDagFromNetwork` → `collapseByDominators`
 * → `buildExecutionGraph` → `computeUploadPlan`, with a preset's choices.
 * `O(rounds · layers)`.
 *
 * @throws {InvalidArgumentError} on an unknown preset, K outside (0, 1), a bandwidth ≤ 0, or costs that do not fit the network.
 * @throws {InvalidModelError} when the network's layer graph has a cycle.
 * @throws {UnknownShapeError} when some output shape is unknown, unless `allowUnknownShapes`.
 * @example
 * const { plan } = planNetwork(alexnet, { clientMs, serverMs }, { preset: "ionn-reference", mbps: 80, K: 0.5 });
 * plan.partitions.map((p) => p.layerNames);
 */
export function planNetwork(network: Network, costs: PlanNetworkCosts, options: PlanNetworkOptions = {}): NetworkPlan {
  const presetOption = options.preset ?? "paper";
  const preset = typeof presetOption === "string" ? PRESETS[presetOption] : presetOption;
  if (preset === undefined) {
    throw new InvalidArgumentError(`planNetwork: unknown preset ${String(presetOption)}; expected "paper" or "ionn-reference"`);
  }
  if (options.allowUnknownShapes !== true) {
    assertShapesKnown(network, "a plan", "give the input shapes (inputShapes / --input-shape NAME=DIMS), or pass allowUnknownShapes (--allow-unknown-shapes) to price them as empty");
  }
  let loadMs = costs.loadMs;
  if (loadMs === undefined && preset.loadMs) loadMs = network.layers.map(preset.loadMs);
  // The pipeline works on the DAG in plain arrays (a typed DAG of 10^6 layers is hundreds of MB of external
  // memory, each 64 MB of which makes V8 run a full GC); the typed `dag` is made when first read.
  const plainDag = plainCostedDagFromNetwork(network, { clientMs: costs.clientMs, serverMs: costs.serverMs, ...(loadMs ? { loadMs } : {}) }, { edges: preset.edges });
  const chain = collapseDag(plainDag);
  const float32 = options.float32 ?? preset.float32;
  const graph = buildExecutionGraph(chain, {
    mbps: options.mbps ?? 80,
    megabit: options.megabit ?? preset.megabit,
    ...(options.downlinkMbps !== undefined ? { downlinkMbps: options.downlinkMbps } : {}),
    float32,
  });
  const plan = computeUploadPlan(graph, {
    K: options.K ?? 0.5,
    threshold: options.threshold ?? preset.threshold,
    finalRound: options.finalRound ?? preset.finalRound,
    float32,
    alreadyUploaded: options.alreadyUploaded ?? "decay",
  });
  let dag: CostedDag | undefined;
  return {
    plan,
    chain,
    graph,
    get dag() {
      return (dag ??= typedCostedDag(plainDag));
    },
    preset,
  };
}

/**
 * The plan's partitions as the runtime uploads them (runtime layer indices,
 * ascending). The `ionn-reference` preset leaves parameter-free plumbing
 * (Split, Reshape) out of the planner's DAG, so those layers are in no
 * partition; here each joins the partition that completes its inputs (the
 * latest one holding a layer it reads), so the server can run an uploaded
 * range without a round trip to the client for a Split. Layers whose inputs
 * are not all uploaded stay on the client. `O(layers)`.
 *
 * @example
 * const result = planNetwork(googlenet, costs, { preset: "ionn-reference" });
 * client = new OffloadingClient({ ..., plan: { partitions: runtimePartitions(googlenet, result).map((layers) => ({ layers })) } });
 */
export function runtimePartitions(network: Network, result: Pick<NetworkPlan, "plan" | "dag">): number[][] {
  const partitionOf = new Int32Array(network.layers.length).fill(-1);
  const partitions = result.plan.partitions.map((p) => [...p.layers]);
  partitions.forEach((layers, p) => {
    for (const layer of layers) partitionOf[layer] = p;
  });
  const omitted = new Set(result.dag.omittedLayers ?? []);
  if (omitted.size === 0) return partitions;
  for (const layer of network.layers) {
    if (!omitted.has(layer.index) || partitionOf[layer.index] !== -1 || layer.parameters > 0 || layer.inputs.length === 0) continue;
    let latest = -1;
    for (const ref of layer.inputs) {
      const p = partitionOf[ref.layer]!;
      if (p < 0) {
        latest = -1;
        break;
      }
      latest = Math.max(latest, p);
    }
    if (latest >= 0) {
      partitionOf[layer.index] = latest;
      partitions[latest]!.push(layer.index);
    }
  }
  for (const layers of partitions) layers.sort((a, b) => a - b);
  return partitions;
}
