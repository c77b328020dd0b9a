/**
 * The `ionn` subcommands. Each reads its parsed options, calls the library
 * and prints either one JSON document (`--json`) or readable tables.
 *
 * @module
 */
import { groupCosts, type ChainGroupCosts } from "../graph/chain.js";
import { outputShapeKnown, totalMacs, totalParameters, type Network } from "../model/types.js";
import { allAtOnce, localOnly, singleSplit } from "../plan/baselines.js";
import { planNetwork, type NetworkPlan } from "../plan/plan-network.js";
import { resolveCosts } from "./costs.js";
import { numberOption } from "./options.js";
import { fixed, layerRange, mib, plural, table } from "./format.js";
import {
  type Command,
  COST_HELP,
  COST_OPTIONS,
  costOptions,
  FINAL_ROUND_HELP,
  FINAL_ROUND_OPTIONS,
  finalRoundOption,
  kOption,
  loadModel,
  mbpsOption,
  MODEL_HELP,
  MODEL_OPTIONS,
  presetOption,
  printJson,
} from "./command.js";
import { choiceOption } from "./options.js";
import { plannerOption, preprocessingOption, schedulePlanFields, timeBudgetOption } from "./planner-options.js";

// ---------------------------------------------------------------- inspect

/**
 * The `inspect` JSON document: `{name, layers, parameters, parameterBytes,
 * macs, layerList}`. `layers` is a count (what the framework runs: for Caffe
 * the runtime list, Input and inserted Split layers included) and
 * `layerList` the layers themselves; see README.md, "The command line".
 */
export function inspectDocument(network: Network) {
  const parameters = totalParameters(network);
  return {
    name: network.name,
    layers: network.layers.length,
    parameters,
    parameterBytes: parameters * 4,
    macs: totalMacs(network),
    layerList: network.layers.map((layer) => ({
      name: layer.name,
      type: layer.type,
      inputs: [...layer.bottoms],
      // null: unknown (the importer could not infer it); [] is a scalar.
      outputShape: outputShapeKnown(layer, 0) ? [...(layer.outputShapes[0] ?? [])] : null,
      parameters: layer.parameters,
      macs: layer.macs,
    })),
  };
}

const inspect: Command = {
  summary: "show a network's runtime layers, shapes, parameters and MACs",
  usage: "<model> [--format caffe|onnx|tfjs] [--input-shape NAME=D,D,…] [--json]",
  options: MODEL_OPTIONS,
  help: MODEL_HELP,
  example: "ionn inspect alexnet\nionn inspect deploy.prototxt --json   # {name, layers (a count), parameters, parameterBytes, macs, layerList: [...]}",
  async run(context) {
    const network = await loadModel(context, `ionn inspect ${this.usage}`);
    const document = inspectDocument(network);
    if (context.json) return printJson(context, document);
    context.stdout(
      `${network.name}: ${document.layers} runtime layers, ${document.parameters.toLocaleString("en-US")} parameters (${mib(document.parameterBytes)}), ${fixed(document.macs / 1e9, 3)} GMAC\n\n`,
    );
    context.stdout(
      `${table(
        [{ header: "#", align: "right" }, { header: "layer" }, { header: "type" }, { header: "output" }, { header: "params", align: "right" }, { header: "MMAC", align: "right" }],
        network.layers.map((l) => [String(l.index), l.name, l.type, outputShapeKnown(l, 0) ? (l.outputShapes[0] ?? []).join("x") : "?", l.parameters.toLocaleString("en-US"), fixed(l.macs / 1e6, 1)]),
      )}\n`,
    );
  },
};

// ---------------------------------------------------------------- plan

/**
 * The `plan` JSON document (`{partitions, groups, rounds}`, README.md "The command line"), plus context and baselines.
 * The groups are read from the chain's flat arrays (what `plan.groups` describes), without a description object per group.
 */
export function planDocument(network: Network, result: NetworkPlan, settings: { mbps: number; K: number; clientSource: string; serverSource: string }) {
  const { plan, graph, preset } = result;
  const layers = network.layers;
  const names = (indices: readonly number[]) => indices.map((i) => layers[i]!.name);
  const chain = graph.chain;
  const groupName = (g: number) => chain.names[g]!;
  const local = localOnly(graph);
  const everything = allAtOnce(graph);
  const split = singleSplit(graph);
  // consecutive rounds mostly find the same plan: one list of names for a run of equal rounds (the same JSON)
  let lastGroups: readonly number[] = [];
  let lastNames: string[] = [];
  const roundNames = (serverGroups: readonly number[]): string[] => {
    let same = serverGroups.length === lastGroups.length;
    for (let i = 0; same && i < serverGroups.length; i++) same = serverGroups[i] === lastGroups[i];
    if (!same) {
      lastGroups = serverGroups;
      lastNames = serverGroups.map(groupName);
    }
    return lastNames;
  };
  const groups = new Array<GroupDocument>(chain.size);
  for (let g = 0; g < chain.size; g++) {
    const start = chain.layerOffsets[g]!;
    const end = chain.layerOffsets[g + 1]!;
    const layerNames = new Array<string>(end - start);
    for (let q = start; q < end; q++) layerNames[q - start] = layers[chain.layers[q]!]!.name;
    groups[g] = { name: chain.names[g]!, layers: layerNames, ...groupCosts(chain, g) };
  }
  return {
    model: network.name,
    preset: preset.name,
    mbps: settings.mbps,
    K: settings.K,
    costs: { client: settings.clientSource, server: settings.serverSource },
    localMs: plan.localMs,
    partitions: plan.partitions.map((p) => ({
      layers: names(p.layers),
      groups: p.groups.map(groupName),
      bytes: p.bytes,
      expectedQueryMs: p.expectedQueryMs,
    })),
    groups,
    rounds: plan.rounds.map((r) => ({ level: r.level, factor: r.factor, serverGroups: roundNames(r.serverGroups), pathMs: r.pathMs, kept: r.kept })),
    baselines: {
      local: { queryMs: local.queryMs },
      allAtOnce: { queryMs: everything.queryMs, uploadBytes: everything.uploadBytes, uploadMs: everything.uploadMs },
      neurosurgeon: { queryMs: split.queryMs, serverGroups: split.serverGroups.map(groupName) },
    },
  };
}

/** One group of the `plan` document: its name, runtime layer names and summed costs (as `plan.groups` describes it). */
interface GroupDocument extends ChainGroupCosts {
  name: string;
  layers: string[];
}

/** Human-readable plan table. */
export function formatPlan(document: ReturnType<typeof planDocument> & { planner?: unknown; objective?: unknown }): string {
  const planner = typeof document.planner === "string" ? document.planner : "ionn";
  const header = `${document.model}: ${plural(document.partitions.length, "partition")} at ${document.mbps} Mbps, planner ${planner}${planner === "ionn" ? `, K = ${document.K}` : ""}, preset ${document.preset}\nclient times: ${document.costs.client}; server times: ${document.costs.server}\n\n`;
  const rows = document.partitions.map((p, i) => [String(i + 1), layerRange(p.layers), mib(p.bytes), fixed(p.expectedQueryMs, 1)]);
  const body = table(
    [{ header: "#", align: "right" }, { header: "layers" }, { header: "upload", align: "right" }, { header: "query ms after", align: "right" }],
    rows,
  );
  const baselines = `\nlocal only: ${fixed(document.baselines.local.queryMs, 1)} ms/query; all uploaded: ${fixed(document.baselines.allAtOnce.queryMs, 1)} ms/query after ${fixed(document.baselines.allAtOnce.uploadMs / 1000, 1)} s of upload; Neurosurgeon split: ${fixed(document.baselines.neurosurgeon.queryMs, 1)} ms/query\n`;
  const last = document.partitions[document.partitions.length - 1]?.expectedQueryMs ?? document.localMs;
  const objective = document.objective as { queriesDuringUpload?: number; queriesInHorizon?: number; meanLatencyMs?: number } | undefined;
  const scored =
    objective !== undefined && typeof objective.queriesInHorizon === "number"
      ? `objective: ${fixed(objective.queriesDuringUpload ?? 0, 1)} queries during the upload, ${fixed(objective.queriesInHorizon, 1)} in the horizon, mean latency ${fixed(objective.meanLatencyMs ?? 0, 1)} ms\n`
      : "";
  const proof = planner === "optimal" ? `${optimalProof(document as { exact?: unknown; bound?: unknown; exactAmongImproving?: unknown })}\n` : "";
  // The threshold note is about Algorithm 1; the objective-aware planners stop where more upload no longer pays within the horizon.
  const note =
    planner === "ionn" && last > document.baselines.allAtOnce.queryMs * (1 + 1e-9)
      ? `note: the plan stops at ${fixed(last, 1)} ms/query, above the best collaborative ${fixed(document.baselines.allAtOnce.queryMs, 1)} ms: Algorithm 1's threshold ends the rounds before the largest layers pay off; drop --no-final-round to add a last round at upload factor 0\n`
      : "";
  return `${header}${body}\n${baselines}${scored}${proof}${note}`;
}

/** One line on what the optimal planner proved (`exact`, `bound`, `exactAmongImproving` of the plan document). */
function optimalProof(document: { exact?: unknown; bound?: unknown; exactAmongImproving?: unknown }): string {
  if (document.exact === true) return "search: proven optimal (queries completed by the all-at-once upload time)";
  const bound = typeof document.bound === "number" ? `; bound ${fixed(document.bound, 2)}` : "";
  const among = document.exactAmongImproving === true ? ", proven among plans whose every partition lowers the query time" : "";
  return `search: not proven within the time budget${bound}${among} (--time-budget-ms gives it more)`;
}

const plan: Command = {
  summary: "compute IONN's upload plan (Algorithm 1) for a network",
  usage:
    "<model> [--mbps 80] [--K 0.5] [--planner ionn|enhanced|optimal] [--preprocessing-ms 500] [--seconds 40] [--time-budget-ms 900] [--search-children auto|improving|all] [--preset paper|ionn-reference] [--no-final-round] [--threshold T] [--costs device-models|published] [--client-profile F] [--server-profile F | --server-regression F | --server-functions F] [--input-shape NAME=DIMS] [--allow-unknown-shapes] [--json]",
  options: {
    ...MODEL_OPTIONS,
    ...COST_OPTIONS,
    mbps: { type: "string" },
    K: { type: "string" },
    preset: { type: "string" },
    ...FINAL_ROUND_OPTIONS,
    threshold: { type: "string" },
    "allow-unknown-shapes": { type: "boolean" },
    costs: { type: "string" },
    planner: { type: "string" },
    "preprocessing-ms": { type: "string" },
    seconds: { type: "string" },
    "time-budget-ms": { type: "string" },
    "search-children": { type: "string" },
  },
  help: {
    ...MODEL_HELP,
    ...COST_HELP,
    ...FINAL_ROUND_HELP,
    mbps: "link bandwidth the plan assumes, Mbps (10^6 bit/s in the paper preset, 2^20 in ionn-reference) (default 80)",
    K: "Algorithm 1's K in (0, 1): round n charges the upload time times K^n; smaller K = fewer, larger partitions (default 0.5)",
    preset: "paper (the paper's rules on the true dataflow DAG) or ionn-reference (the authors' C++ planner: blob-name DAG, load times, float32) (default paper)",
    threshold: "stop the rounds when K^n falls below this, in (0, 1] (default 0.01; ionn-reference 0.001)",
    costs: "device-models (simulated odroid-xu4 client, gtx-1080ti server) or published (the IONN authors' measured profiles, embedded: alexnet, googlenet, resnet50) (default device-models)",
    "allow-unknown-shapes": "plan even when some layer's output shape is unknown (priced as 0 bytes); default: refuse with UnknownShapeError",

    planner: "ionn (Algorithm 1; default), enhanced (EMDL '19 gain/cost partitioning) or optimal (maximizes the queries completed during the upload and within --seconds, per-partition costs included)",
    "preprocessing-ms": "think time between queries the objective assumes, ms ≥ 0 (default 500)",
    seconds: "horizon of the objective, s > 0 (default 40)",
    "time-budget-ms": "time budget of the optimal planner's exact search, ms > 0; past it the best plan found is returned with its bound (default 900)",
    "search-children":
      "the optimal planner's search: auto (improving for the plan, then all to prove it: exact over every ordered partitioning), improving (each partition must lower the expected query time; faster, exact only among such plans) or all (every ordered partitioning from the start) (default auto)",
  },
  example: "ionn plan alexnet --mbps 80 --K 0.5\nionn plan alexnet --costs published --preset ionn-reference\nionn plan mynet.prototxt --client-profile client.json --server-functions fit.json --json",
  async run(context) {
    const planner = plannerOption(context.values);
    const thinkMs = preprocessingOption(context.values);
    const horizonMs = 1000 * numberOption(context.values, "seconds", 40, (v) => v > 0, "a horizon in seconds > 0");
    const timeBudgetMs = timeBudgetOption(context.values);
    const children = choiceOption(context.values, "search-children", ["auto", "improving", "all"] as const, "auto");
    const mbps = mbpsOption(context.values);
    const K = kOption(context.values);
    const preset = presetOption(context.values);
    const network = await loadModel(context, `ionn plan ${this.usage}`);
    const costSource = choiceOption(context.values, "costs", ["device-models", "published"] as const, "device-models");
    const costs = await resolveCosts(network, { ...costOptions(context.values), costs: costSource });
    for (const warning of costs.warnings) context.stderr(`warning: ${warning}\n`);
    // Algorithm 1's last round at upload factor 0 is the default (the authors' code has it); --no-final-round drops it.
    const finalRound = finalRoundOption(context.values);
    const threshold = context.values["threshold"] === undefined ? undefined : numberOption(context.values, "threshold", 0.01, (v) => v > 0 && v <= 1, "a number in (0, 1]");
    const result = planNetwork(network, costs, {
      preset,
      mbps,
      K,
      finalRound,
      ...(threshold !== undefined ? { threshold } : {}),
      ...(context.values["allow-unknown-shapes"] === true ? { allowUnknownShapes: true } : {}),
    });
    const base = planDocument(network, result, { mbps, K, clientSource: costs.clientSource, serverSource: costs.serverSource });
    const scheduled = schedulePlanFields(network, result, planner, { thinkMs, horizonMs, timeBudgetMs, K, children });
    const document =
      planner === "ionn"
        ? { ...base, ...scheduled.fields }
        : {
            ...base,
            partitions: scheduled.schedule.partitions.map((p, i) => ({
              layers: scheduled.layerPartitions[i]!.map((l) => network.layers[l]!.name),
              groups: p.groups.map((g) => result.plan.groups[g]!.name),
              bytes: p.bytes,
              expectedQueryMs: p.expectedQueryMs,
            })),
            ...scheduled.fields,
          };
    if (context.json) return printJson(context, document);
    context.stdout(formatPlan(document));
  },
};

/** `ionn inspect` (loaded lazily by the command registry, registry.ts). */
export const inspectCommand: Command = inspect;
/** `ionn plan` (loaded lazily by the command registry, registry.ts). */
export const planCommand: Command = plan;
