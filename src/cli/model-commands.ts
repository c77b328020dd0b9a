/**
 * `ionn profile` (per-layer times of a network on a modelled device, or
 * measured on this machine with the reference executor) and `ionn fit` (the
 * server's install phase, IONN §4: prediction functions per layer type).
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, hostname, loadavg } from "node:os";
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
import { measureInstallPhase } from "../regression/measure.js";
import { serializePredictionFunctions } from "../regression/serialize.js";
import { DEVICE_NAMES, modelledProfile } from "../sim/devices/index.js";
import { MODEL_HELP, MODEL_OPTIONS, type Command, loadModel, printJson } from "./command.js";
import { fixed, table } from "./format.js";
import { numberOption } from "./options.js";

const PROFILE_DEVICES = [...DEVICE_NAMES, "reference"] as const;

/** `--out F`: write the JSON document to F (what the matching `--client-profile` / `--server-functions` read). */
async function writeOut(values: Record<string, unknown>, document: unknown): Promise<string | undefined> {
  const path = values["out"];
  if (path === undefined) return undefined;
  if (typeof path !== "string" || path === "") throw new InvalidArgumentError(`--out must be a file path`);
  try {
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  } catch (error) {
    throw new InvalidArgumentError(`--out: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return path;
}

/** `ionn profile <model> --device odroid-xu4|gtx-1080ti|reference`. */
export const profileCommand: Command = {
  summary: "per-layer times of a network on a modelled device (or measured here with the reference executor)",
  usage: `<model> --device ${PROFILE_DEVICES.join("|")} [--repetitions 3] [--out F] [--json]`,
  options: { ...MODEL_OPTIONS, device: { type: "string" }, repetitions: { type: "string" }, out: { type: "string" } },
  help: {
    ...MODEL_HELP,
    device: `${PROFILE_DEVICES.join(", ")}: a simulated device's cost model, or "reference" to time the reference executor on this machine (required)`,
    repetitions: "with --device reference: timed runs per layer after one warm-up, the median is kept, whole number ≥ 1 (default 3)",
    out: "also write the profile as JSON {device, totalMs, layers: [{name, type, ms}]} to this file, readable by --client-profile / --server-profile of plan, simulate and client (default: none)",
  },
  example: "ionn profile alexnet --device reference --out client.json\nionn plan alexnet --client-profile client.json",
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
    const written = await writeOut(context.values, document);
    if (written !== undefined && !context.json) context.stderr(`wrote ${written}\n`);
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

/** This machine, for measured documents: host name, CPU, cores, Node, load average (1/5/15 min) at the start. */
function machineDescription() {
  const cpu = cpus();
  return { hostname: hostname(), cpu: cpu[0]?.model.trim() ?? "unknown CPU", cores: cpu.length, node: process.version, loadAverage: loadavg().map((v) => Number(v.toFixed(2))) };
}

/** `ionn fit --measure [--quick] [--seed 1] [--per-type N]`: the install phase timed on this machine's reference executor. */
async function runMeasure(context: Parameters<Command["run"]>[0]): Promise<void> {
  if (context.positionals.length > 0) throw new InvalidArgumentError("a <model> is only used with --from-profile; ionn fit --measure sweeps its own layer configurations");
  const quick = context.values["quick"] === true;
  const seed = numberOption(context.values, "seed", 1, Number.isInteger, "an integer");
  const perType = context.values["per-type"] === undefined ? undefined : numberOption(context.values, "per-type", 60, (v) => Number.isInteger(v) && v >= 4, "a whole number ≥ 4");
  const machine = machineDescription();
  const measured = await measureInstallPhase({
    executor: () => referenceExecutor(),
    weights: (network) => randomWeights(network, seed),
    executorLabel: "reference executor",
    quick,
    seed,
    ...(perType !== undefined ? { perType } : {}),
  });
  const document = { machine, quick, ...measured, functions: JSON.parse(serializePredictionFunctions(measured.functions)) as unknown };
  const written = await writeOut(context.values, document);
  if (written !== undefined && !context.json) context.stderr(`wrote ${written}\n`);
  if (context.json) return printJson(context, document);
  context.stdout(
    `server install phase measured on ${machine.hostname} (${machine.cores}× ${machine.cpu}, Node ${machine.node}, load ${machine.loadAverage.join(" ")}), ${measured.executor}: ` +
      `${measured.configurations} configurations, fastest of ${measured.timing.repetitions} runs after ${measured.timing.warmup} warm-up, ${fixed(measured.elapsedMs / 1000, 1)} s\n` +
      "R² and RMSE on held-out configurations (train R² beside)\n\n",
  );
  context.stdout(
    `${table(
      [{ header: "type" }, { header: "R² (held out)", align: "right" }, { header: "RMSE ms", align: "right" }, { header: "mean ms", align: "right" }, { header: "fitted / held out", align: "right" }, { header: "train R²", align: "right" }],
      measured.table.map((r) => [r.type, r.r2 === null ? "—" : fixed(r.r2, 3), fixed(r.rmseMs, 4), fixed(r.meanMs, 4), `${r.samples} / ${r.heldOut}`, r.trainR2 === null ? "—" : fixed(r.trainR2, 3)]),
    )}\n`,
  );
}

/** `ionn fit [--seed 1] [--per-type 60] | --from-profile F <model> | --measure [--quick]`. */
export const fitCommand: Command = {
  summary: "fit the server's prediction functions (install phase) and print R² and RMSE per layer type",
  usage: "[--seed 1] [--per-type 60] [--noise 0.05] | --from-profile F <model> | --measure [--quick] [--per-type 60] [--out F] [--json]",
  options: {
    format: { type: "string" },
    seed: { type: "string" },
    "per-type": { type: "string" },
    noise: { type: "string" },
    "from-profile": { type: "string" },
    measure: { type: "boolean" },
    quick: { type: "boolean" },
    out: { type: "string" },
  },
  help: {
    format: MODEL_HELP.format,
    seed: "seed of the synthetic install-phase sweep (layer sizes and timing noise), integer (default 1)",
    "per-type": "layers timed per layer type: synthetic sweep whole number ≥ 3 (default 60); with --measure ≥ 4 (default 60, quick 8)",
    noise: "relative timing noise of the synthetic sweep, in [0, 1) (default 0.05)",
    "from-profile": "fit the functions to a measured per-layer profile of <model> (same formats as --client-profile) instead of the synthetic sweep (default: none)",
    measure: "time a seeded sweep of 13 layer types (Table 3's ten plus Dropout, Sigmoid, TanH) on this machine's reference executor (2 warm-up runs, fastest of 7) and fit per type; R² and RMSE on a held-out quarter of the configurations; about 15 s on a loaded 2-core machine",
    quick: "with --measure: 8 small configurations per type, 1 warm-up, 3 runs (about a second; for tests)",
    out: "also write the result {table, functions} as JSON to this file, readable by --server-functions / --server-regression of plan, simulate and client (default: none)",
  },
  example: "ionn fit --out fit.json\nionn fit --measure --quick\nionn plan alexnet --server-functions fit.json",
  async run(context) {
    const fromProfile = context.values["from-profile"];
    if (context.values["measure"] === true) {
      if (typeof fromProfile === "string") throw new InvalidArgumentError("--measure and --from-profile are exclusive: measure here, or fit a measured profile");
      return runMeasure(context);
    }
    if (context.values["quick"] === true) throw new InvalidArgumentError("--quick is only used with --measure");
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
    const written = await writeOut(context.values, result);
    if (written !== undefined && !context.json) context.stderr(`wrote ${written}\n`);
    if (context.json) return printJson(context, result);
    context.stdout(`${formatFitTable(result)}\n`);
  },
};
