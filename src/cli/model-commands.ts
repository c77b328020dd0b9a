/**
 * `ionn profile` (per-layer times of a network on a modelled device, or
 * measured on this machine with the reference executor) and `ionn fit` (the
 * server's install phase, IONN §4: prediction functions per layer type).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";
import { randomWeights, referenceExecutor } from "../executor/index.js";
import { parseProfile } from "../profile/profile.js";
import {
  fitPredictionFunctions,
  fitResult,
  formatFitTable,
  profileExecutor,
  runInstallPhase,
  samplesFromProfile,
} from "../regression/index.js";
import { DEVICE_NAMES, modelledProfile } from "../sim/devices/index.js";
import { MODEL_OPTIONS, type Command, loadModel, printJson } from "./command.js";
import { fixed, table } from "./format.js";
import { numberOption } from "./options.js";

const PROFILE_DEVICES = [...DEVICE_NAMES, "reference"] as const;

/** `ionn profile <model> --device odroid-xu4|gtx-1080ti|reference`. */
export const profileCommand: Command = {
  summary: "per-layer times of a network on a modelled device (or measured here with the reference executor)",
  usage: `<model> --device ${PROFILE_DEVICES.join("|")} [--repetitions 3] [--json]`,
  options: { ...MODEL_OPTIONS, device: { type: "string" }, repetitions: { type: "string" } },
  async run(context) {
    const device = context.values["device"];
    if (typeof device !== "string" || !(PROFILE_DEVICES as readonly string[]).includes(device)) {
      throw new InvalidArgumentError(`--device must be one of ${PROFILE_DEVICES.join(", ")}, got ${device === undefined ? "nothing" : `"${String(device)}"`}`);
    }
    const network = await loadModel(context, `ionn profile ${this.usage}`);
    let document: { device: string; totalMs: number; layers: readonly { name: string; type: string; ms: number }[] };
    if (device === "reference") {
      const repetitions = numberOption(context.values, "repetitions", 3, (v) => Number.isInteger(v) && v >= 1, "a whole number ≥ 1");
      const measured = await profileExecutor(referenceExecutor(), network, {
        repetitions,
        warmup: 1,
        weights: randomWeights(network, 1),
        seed: 1,
        device: "reference executor (this machine)",
      });
      const layers = measured.layers.map((entry, i) => ({ name: entry.name, type: network.layers[i]!.type, ms: entry.ms }));
      document = { device: measured.device ?? "reference", totalMs: layers.reduce((sum, l) => sum + l.ms, 0), layers };
    } else {
      document = modelledProfile(device, network);
    }
    if (context.json) return printJson(context, document);
    context.stdout(`${network.name} on ${document.device}: ${fixed(document.totalMs, 3)} ms per query\n\n`);
    context.stdout(
      `${table(
        [{ header: "#", align: "right" }, { header: "layer" }, { header: "type" }, { header: "ms", align: "right" }],
        document.layers.map((l, i) => [String(i), l.name, l.type, fixed(l.ms, 4)]),
      )}\n`,
    );
  },
};

/** `ionn fit [--seed 1] [--per-type 60] | --from-profile F <model>`. */
export const fitCommand: Command = {
  summary: "fit the server's prediction functions (install phase) and print R² and RMSE per layer type",
  usage: "[--seed 1] [--per-type 60] [--noise 0.05] | --from-profile F <model> [--json]",
  options: { format: { type: "string" }, seed: { type: "string" }, "per-type": { type: "string" }, noise: { type: "string" }, "from-profile": { type: "string" } },
  async run(context) {
    const fromProfile = context.values["from-profile"];
    let result;
    if (typeof fromProfile === "string") {
      const network = await loadModel(context, `ionn fit ${this.usage}`);
      let text: string;
      try {
        text = await readFile(fromProfile, "utf8");
      } catch (error) {
        throw new InvalidArgumentError(`cannot read profile ${fromProfile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const samples = samplesFromProfile(network, parseProfile(text, fromProfile));
      result = fitResult(fitPredictionFunctions(samples, { variableSet: "neurosurgeon", degenerate: "fallback" }));
    } else {
      if (context.positionals.length > 0) throw new InvalidArgumentError(`a <model> is only used with --from-profile; usage: ionn fit ${this.usage}`);
      const seed = numberOption(context.values, "seed", 1, Number.isInteger, "an integer");
      const perType = numberOption(context.values, "per-type", 60, (v) => Number.isInteger(v) && v >= 3, "a whole number ≥ 3");
      const noise = numberOption(context.values, "noise", 0.05, (v) => v >= 0 && v < 1, "a number in [0, 1)");
      result = runInstallPhase({ seed, perType, noise });
    }
    if (context.json) return printJson(context, result);
    context.stdout(`${formatFitTable(result)}\n`);
  },
};
