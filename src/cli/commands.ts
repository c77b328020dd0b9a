/**
 * The `ionn` subcommands. Each reads its parsed options, calls the library
 * and prints either one JSON document (`--json`) or readable tables.
 *
 * @module
 */
import type { ParseArgsConfig } from "node:util";
import { InvalidArgumentError } from "../errors.js";
import { loadNetwork, MODEL_FORMATS, type ModelFormat } from "../model/load.js";
import { totalMacs, totalParameters, type Network } from "../model/types.js";
import { allAtOnce, localOnly, singleSplit } from "../plan/baselines.js";
import { planNetwork, type NetworkPlan } from "../plan/plan-network.js";
import type { PresetName } from "../plan/presets.js";
import { resolveCosts } from "./costs.js";
import { fixed, layerRange, mib, table } from "./format.js";
import { numberOption } from "./main.js";

/** What a command receives. */
export interface CommandContext {
  readonly values: Record<string, unknown>;
  readonly positionals: readonly string[];
  readonly json: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A subcommand. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  run(context: CommandContext): Promise<void>;
}

function printJson(context: CommandContext, value: unknown): void {
  context.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

function modelArgument(context: CommandContext, usage: string): string {
  const model = context.positionals[0];
  if (model === undefined) throw new InvalidArgumentError(`missing <model> argument; usage: ${usage}`);
  if (context.positionals.length > 1) {
    throw new InvalidArgumentError(`unexpected argument "${context.positionals[1]}"; usage: ${usage}`);
  }
  return model;
}

function formatOption(values: Record<string, unknown>): ModelFormat | undefined {
  const format = values["format"];
  if (format === undefined) return undefined;
  if (!(MODEL_FORMATS as readonly unknown[]).includes(format)) {
    throw new InvalidArgumentError(`--format must be one of ${MODEL_FORMATS.join(", ")}, got "${String(format)}"`);
  }
  return format as ModelFormat;
}

async function loadModel(context: CommandContext, usage: string): Promise<Network> {
  const { network, warnings } = await loadNetwork(modelArgument(context, usage), { format: formatOption(context.values) });
  for (const warning of warnings) context.stderr(`warning: ${warning}\n`);
  return network;
}

/** `--mbps`: a bandwidth > 0. */
export function mbpsOption(values: Record<string, unknown>, fallback = 80): number {
  return numberOption(values, "mbps", fallback, (v) => v > 0, "a bandwidth in Mbps greater than 0");
}

/** `--K`: Algorithm 1's K in (0, 1). */
export function kOption(values: Record<string, unknown>, fallback = 0.5): number {
  return numberOption(values, "K", fallback, (v) => v > 0 && v < 1, "a number strictly between 0 and 1");
}

function presetOption(values: Record<string, unknown>): PresetName {
  const preset = values["preset"] ?? "paper";
  if (preset !== "paper" && preset !== "ionn-reference") {
    throw new InvalidArgumentError(`--preset must be "paper" or "ionn-reference", got "${String(preset)}"`);
  }
  return preset;
}

const MODEL_OPTIONS = { format: { type: "string" } } as const;
const COST_OPTIONS = {
  "client-profile": { type: "string" },
  "server-profile": { type: "string" },
  "server-regression": { type: "string" },
} as const;

function costOptions(values: Record<string, unknown>) {
  const pick = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const clientProfile = pick("client-profile");
  const serverProfile = pick("server-profile");
  const serverRegression = pick("server-regression");
  return {
    ...(clientProfile !== undefined ? { clientProfile } : {}),
    ...(serverProfile !== undefined ? { serverProfile } : {}),
    ...(serverRegression !== undefined ? { serverRegression } : {}),
  };
}

// ---------------------------------------------------------------- inspect

/** The `inspect` JSON document (DESIGN.md). */
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
      outputShape: [...(layer.outputShapes[0] ?? [])],
      parameters: layer.parameters,
      macs: layer.macs,
    })),
  };
}

const inspect: Command = {
  summary: "show a network's runtime layers, shapes, parameters and MACs",
  usage: "<model> [--format caffe|onnx|tfjs] [--json]",
  options: MODEL_OPTIONS,
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
        network.layers.map((l) => [String(l.index), l.name, l.type, (l.outputShapes[0] ?? []).join("x"), l.parameters.toLocaleString("en-US"), fixed(l.macs / 1e6, 1)]),
      )}\n`,
    );
  },
};

// ---------------------------------------------------------------- plan

/** The `plan` JSON document (DESIGN.md), plus context and baselines. */
export function planDocument(network: Network, result: NetworkPlan, settings: { mbps: number; K: number; clientSource: string; serverSource: string }) {
  const { plan, graph, preset } = result;
  const names = (indices: readonly number[]) => indices.map((i) => network.layers[i]!.name);
  const groupName = (g: number) => plan.groups[g]!.name;
  const local = localOnly(graph);
  const everything = allAtOnce(graph);
  const split = singleSplit(graph);
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
    groups: plan.groups.map((g) => ({
      name: g.name,
      layers: names(g.layers),
      clientMs: g.clientMs,
      serverMs: g.serverMs,
      loadMs: g.loadMs,
      bytes: g.bytes,
      inputBytes: g.inputBytes,
      outputBytes: g.outputBytes,
    })),
    rounds: plan.rounds.map((r) => ({ level: r.level, factor: r.factor, serverGroups: r.serverGroups.map(groupName), pathMs: r.pathMs, kept: r.kept })),
    baselines: {
      local: { queryMs: local.queryMs },
      allAtOnce: { queryMs: everything.queryMs, uploadBytes: everything.uploadBytes, uploadMs: everything.uploadMs },
      neurosurgeon: { queryMs: split.queryMs, serverGroups: split.serverGroups.map(groupName) },
    },
  };
}

/** Human-readable plan table. */
export function formatPlan(document: ReturnType<typeof planDocument>): string {
  const header = `${document.model}: ${document.partitions.length} partitions at ${document.mbps} Mbps, K = ${document.K}, preset ${document.preset}\nclient times: ${document.costs.client}; server times: ${document.costs.server}\n\n`;
  const rows = document.partitions.map((p, i) => [String(i + 1), layerRange(p.layers), mib(p.bytes), fixed(p.expectedQueryMs, 1)]);
  const body = table(
    [{ header: "#", align: "right" }, { header: "layers" }, { header: "upload", align: "right" }, { header: "query ms after", align: "right" }],
    rows,
  );
  const baselines = `\nlocal only: ${fixed(document.baselines.local.queryMs, 1)} ms/query; all uploaded: ${fixed(document.baselines.allAtOnce.queryMs, 1)} ms/query after ${fixed(document.baselines.allAtOnce.uploadMs / 1000, 1)} s of upload; Neurosurgeon split: ${fixed(document.baselines.neurosurgeon.queryMs, 1)} ms/query\n`;
  return `${header}${body}\n${baselines}`;
}

const plan: Command = {
  summary: "compute IONN's upload plan (Algorithm 1) for a network",
  usage: "<model> [--mbps 80] [--K 0.5] [--preset paper|ionn-reference] [--client-profile F] [--server-profile F | --server-regression F] [--json]",
  options: { ...MODEL_OPTIONS, ...COST_OPTIONS, mbps: { type: "string" }, K: { type: "string" }, preset: { type: "string" } },
  async run(context) {
    const mbps = mbpsOption(context.values);
    const K = kOption(context.values);
    const preset = presetOption(context.values);
    const network = await loadModel(context, `ionn plan ${this.usage}`);
    const costs = await resolveCosts(network, costOptions(context.values));
    const result = planNetwork(network, costs, { preset, mbps, K });
    const document = planDocument(network, result, { mbps, K, clientSource: costs.clientSource, serverSource: costs.serverSource });
    if (context.json) return printJson(context, document);
    context.stdout(formatPlan(document));
  },
};

/** All subcommands by name. */
export const COMMANDS: Record<string, Command> = { inspect, plan };
