/**
 * What every `ionn` subcommand shares: the command interface, JSON output,
 * model loading and the validated numeric options.
 *
 * @module
 */
import type { ParseArgsConfig } from "node:util";
import { InvalidArgumentError, InvalidModelError } from "../errors.js";
import { loadNetwork, MODEL_FORMATS, type ModelFormat } from "../model/load.js";
import { networkSizeWarnings } from "../model/sanity.js";
import type { Network } from "../model/types.js";
import type { PresetName } from "../plan/presets.js";
import { numberOption } from "./options.js";

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
  /**
   * One line per option (key = option name without `--`): what it does, its
   * unit and its default, shown by `ionn <command> --help`.
   */
  readonly help?: Readonly<Record<string, string>>;
  /** An example invocation shown by `--help`. */
  readonly example?: string;
  run(context: CommandContext): Promise<void>;
}

/** Prints `value` as one JSON document (2-space indentation) and a newline. */
export function printJson(context: CommandContext, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  // A long document and its newline are written apart: joined, the 10^6-layer plan's 176 MB would be copied once more
  // (the writer slices it, which flattens the concatenation).
  if (text.length > 1 << 22) {
    context.stdout(text);
    context.stdout("\n");
  } else context.stdout(`${text}\n`);
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

/**
 * `--input-shape name=1,3,48,192` (repeatable): concrete shapes for model
 * inputs (every format; needed for symbolic or unknown dimensions).
 */
export function inputShapesOption(values: Record<string, unknown>): Record<string, number[]> | undefined {
  const raw = values["input-shape"];
  if (raw === undefined) return undefined;
  const shapes: Record<string, number[]> = {};
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    const match = /^([^=]+)=(\d+(?:,\d+)*)$/.exec(String(item));
    if (!match) throw new InvalidArgumentError(`--input-shape must look like name=1,3,224,224, got "${String(item)}"`);
    if (shapes[match[1]!] !== undefined) throw new InvalidArgumentError(`--input-shape gives input "${match[1]}" twice`);
    shapes[match[1]!] = match[2]!.split(",").map(Number);
  }
  return shapes;
}

export async function loadModel(context: CommandContext, usage: string): Promise<Network> {
  const format = formatOption(context.values);
  const inputShapes = inputShapesOption(context.values);
  const { network, warnings } = await loadNetwork(modelArgument(context, usage), {
    ...(format !== undefined ? { format } : {}),
    ...(inputShapes !== undefined ? { inputShapes } : {}),
  });
  for (const warning of warnings) context.stderr(`warning: ${warning}\n`);
  if (network.layers.length === 0 || network.layers.every((layer) => layer.type === "Input")) {
    throw new InvalidModelError(`${context.positionals[0]}: the model has no layers to run (empty or input-only file)`);
  }
  for (const warning of networkSizeWarnings(network)) context.stderr(`warning: ${warning}\n`);
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

export function presetOption(values: Record<string, unknown>): PresetName {
  const preset = values["preset"] ?? "paper";
  if (preset !== "paper" && preset !== "ionn-reference") {
    throw new InvalidArgumentError(`--preset must be "paper" or "ionn-reference", got "${String(preset)}"`);
  }
  return preset;
}

/** `--help` line of `--input-shape`. */
export const INPUT_SHAPE_HELP =
  "NAME=D0,D1,… (repeatable): the shape of input NAME, batch included, in the model's own layout (NCHW for Caffe/ONNX, NHWC for TF.js); every format; an unknown NAME is an error; default: the file's shapes";

export const MODEL_OPTIONS = { format: { type: "string" }, "input-shape": { type: "string", multiple: true } } as const;
/** `--help` lines of {@link MODEL_OPTIONS}. */
export const MODEL_HELP = {
  format: "read <model> as caffe, onnx or tfjs instead of guessing from its extension (default: by extension: .prototxt → caffe, .onnx → onnx, .json → tfjs)",
  "input-shape": INPUT_SHAPE_HELP,
} as const;
export const COST_OPTIONS = {
  "client-profile": { type: "string" },
  "server-profile": { type: "string" },
  "server-regression": { type: "string" },
  "server-functions": { type: "string" },
} as const;
/** `--help` lines of {@link COST_OPTIONS}. */
export const COST_HELP = {
  "client-profile":
    "per-layer client times, ms: a file in the published `index name ms` format or JSON {layers: [{name, ms}]} (what `ionn profile --out F` writes) (default: the simulated odroid-xu4 device model)",
  "server-profile": "per-layer server times, ms, same formats as --client-profile (default: the simulated gtx-1080ti device model)",
  "server-regression":
    "server prediction functions: the authors' `<type> a b` regression file (ms = a·x + b) or the JSON `ionn fit --out F` writes; types it lacks use the gtx-1080ti model, with a warning (default: the gtx-1080ti device model)",
  "server-functions": "server prediction functions as `ionn fit --json` / `ionn fit --out F` writes them ({table, functions} or the bare functions); same as --server-regression for JSON",
} as const;
/** `--help` line of `--final-round` / `--no-final-round`. */
export const FINAL_ROUND_HELP = {
  "final-round": "end Algorithm 1 with a last round at upload factor 0, so the last partition gives the best collaborative query time (the default everywhere: plan, simulate, client, demo and planNetwork)",
  "no-final-round": "stop when K^n falls under the threshold, as the paper's Algorithm 1 is written (may stop before the largest layers pay off)",
} as const;
export const FINAL_ROUND_OPTIONS = { "final-round": { type: "boolean" }, "no-final-round": { type: "boolean" } } as const;

/** `--final-round` (default) / `--no-final-round`. */
export function finalRoundOption(values: Record<string, unknown>): boolean {
  if (values["final-round"] === true && values["no-final-round"] === true) throw new InvalidArgumentError("give --final-round or --no-final-round, not both");
  return values["no-final-round"] !== true;
}

export function costOptions(values: Record<string, unknown>) {
  const pick = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const clientProfile = pick("client-profile");
  const serverProfile = pick("server-profile");
  const serverRegression = pick("server-regression");
  const serverFunctions = pick("server-functions");
  return {
    ...(clientProfile !== undefined ? { clientProfile } : {}),
    ...(serverProfile !== undefined ? { serverProfile } : {}),
    ...(serverRegression !== undefined ? { serverRegression } : {}),
    ...(serverFunctions !== undefined ? { serverFunctions } : {}),
  };
}

