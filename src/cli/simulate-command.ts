/**
 * `ionn simulate`: the paper's closed-loop scenario (IONN §6) on the
 * simulator, for one policy or several side by side: per-query timeline,
 * upload completion, queries and client energy during the upload, and an
 * optional Figure 7-style SVG.
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";
import type { LinkSharing } from "../sim/link.js";
import { POLICY_NAMES, policyByName, type PolicyName } from "../sim/policies.js";
import { simulate, simulationDocument, type CostSource, type SimulationResult } from "../sim/simulate.js";
import { timelineSvg } from "../sim/svg.js";
import { type Command, type CommandContext, kOption, loadModel, mbpsOption, MODEL_OPTIONS, printJson } from "./command.js";
import { fixed, layerRange, mib, table } from "./format.js";
import { numberOption } from "./options.js";
import { MOBILITY_HELP, MOBILITY_OPTIONS, runMobility, wantsMobility } from "./mobility-command.js";

function policiesOption(values: Record<string, unknown>): PolicyName[] {
  const raw = values["policy"] ?? "ionn";
  const names = String(raw)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new InvalidArgumentError(`--policy must name at least one of ${POLICY_NAMES.join(", ")}`);
  for (const name of names) {
    if (!(POLICY_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`--policy must be one of ${POLICY_NAMES.join(", ")} (or a comma-separated list), got "${name}"`);
    }
  }
  return names as PolicyName[];
}

function choice<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(raw)) throw new InvalidArgumentError(`--${name} must be one of ${allowed.join(", ")}, got "${String(raw)}"`);
  return raw as T;
}

/**
 * Runs of consecutive queries with the same latency (to 0.05 ms) and the same
 * number of server layers, for a compact timeline.
 */
function compactTimeline(result: SimulationResult): string[][] {
  const rows: string[][] = [];
  let i = 0;
  const queries = result.queries;
  while (i < queries.length) {
    let j = i + 1;
    while (j < queries.length && Math.abs(queries[j]!.latencyMs - queries[i]!.latencyMs) < 0.05 && queries[j]!.serverLayers === queries[i]!.serverLayers) j++;
    const first = queries[i]!;
    const last = queries[j - 1]!;
    const when = j - i === 1 ? `${fixed(first.raisedAtMs / 1000, 1)}` : `${fixed(first.raisedAtMs / 1000, 1)} – ${fixed(last.raisedAtMs / 1000, 1)}`;
    rows.push([when, String(j - i), fixed(first.latencyMs, 1), String(first.serverLayers), String(first.partitionsUploaded)]);
    i = j;
  }
  return rows;
}

/** The human-readable report of one simulation. */
export function formatSimulation(result: SimulationResult): string {
  const s = result.settings;
  const lines: string[] = [];
  lines.push(
    `${result.network}, policy ${result.policy}: ${s.seconds} s at ${s.mbps} Mbps (${s.sharing} sharing, ${s.latencyMs} ms one-way latency), ${s.preprocessingMs} ms pre-processing per query, seed ${s.seed}`,
  );
  lines.push(`layer times: ${s.costs}`);
  if (result.partitions.length > 0) {
    lines.push("");
    lines.push(
      table(
        [{ header: "#", align: "right" }, { header: "partition" }, { header: "upload", align: "right" }, { header: "ACK at (s)", align: "right" }, { header: "expected ms", align: "right" }],
        result.partitions.map((p, i) => [
          String(i + 1),
          layerRange(p.layers),
          mib(p.bytes),
          p.ackedAtMs === null ? "—" : fixed(p.ackedAtMs / 1000, 2),
          p.expectedQueryMs === null ? "—" : fixed(p.expectedQueryMs, 1),
        ]),
      ),
    );
  }
  lines.push("");
  lines.push(
    table(
      [{ header: "raised at (s)" }, { header: "queries", align: "right" }, { header: "latency ms", align: "right" }, { header: "server layers", align: "right" }, { header: "partitions ACKed", align: "right" }],
      compactTimeline(result),
    ),
  );
  lines.push("");
  const upload = result.uploadCompleteMs === null ? "upload: none completed" : `upload complete at ${fixed(result.uploadCompleteMs / 1000, 2)} s`;
  lines.push(
    `${upload}; ${result.queriesDuringUpload} queries finished during it; client energy ${fixed(result.clientEnergyJ, 1)} J over [0, ${fixed(result.energy.toMs / 1000, 2)} s] (computing ${fixed(result.energy.computingMs / 1000, 2)} s, transmitting ${fixed(result.energy.transmittingMs / 1000, 2)} s, idle ${fixed(result.energy.idleMs / 1000, 2)} s)`,
  );
  return `${lines.join("\n")}\n`;
}

async function run(context: CommandContext, usage: string): Promise<void> {
  const { values } = context;
  const policies = policiesOption(values);
  const K = kOption(values);
  const mbps = mbpsOption(values);
  const seconds = numberOption(values, "seconds", 40, (v) => v > 0, "a duration in seconds greater than 0");
  const seed = numberOption(values, "seed", 1, Number.isInteger, "an integer");
  const latencyMs = numberOption(values, "latency", 1, (v) => v >= 0, "a one-way latency in ms ≥ 0");
  const sharing = choice<LinkSharing>(values, "sharing", ["fair", "fifo"], "fair");
  const costs = choice<"device-models" | "published">(values, "costs", ["device-models", "published"], "device-models") as CostSource;
  const svgPath = typeof values["svg"] === "string" ? (values["svg"] as string) : undefined;
  const network = await loadModel(context, usage);
  const results: SimulationResult[] = [];
  for (const name of policies) {
    results.push(await simulate({ network, policy: policyByName(name, { K }), mbps, seconds, seed, latencyMs, sharing, costs }));
  }
  if (svgPath !== undefined) {
    try {
      await writeFile(svgPath, timelineSvg(results, { title: `${network.name} at ${mbps} Mbps` }));
    } catch (error) {
      throw new InvalidArgumentError(`--svg: cannot write ${svgPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (context.json) {
    printJson(context, results.length === 1 ? simulationDocument(results[0]!) : { runs: results.map(simulationDocument) });
    return;
  }
  context.stdout(results.map(formatSimulation).join("\n"));
  if (results.length > 1) {
    context.stdout(
      `\n${table(
        [{ header: "policy" }, { header: "upload done (s)", align: "right" }, { header: "queries during upload", align: "right" }, { header: "energy (J)", align: "right" }, { header: "last latency ms", align: "right" }],
        results.map((r) => [
          r.policy,
          r.uploadCompleteMs === null ? "—" : fixed(r.uploadCompleteMs / 1000, 2),
          String(r.queriesDuringUpload),
          fixed(r.clientEnergyJ, 1),
          r.queries.length > 0 ? fixed(r.queries[r.queries.length - 1]!.latencyMs, 1) : "—",
        ]),
      )}\n`,
    );
  }
  if (svgPath !== undefined) context.stdout(`wrote ${svgPath}\n`);
}

/**
 * `ionn simulate <model> [--policy ionn|all-at-once|local|neurosurgeon[,…]]
 * [--K 0.5] [--mbps 80] [--seconds 40] [--seed 1] [--latency 1]
 * [--sharing fair|fifo] [--costs device-models|published] [--svg F] [--json]`.
 * JSON (one policy): `{queries: [{raisedAtMs, latencyMs, serverLayers,
 * partitionsUploaded}], uploadCompleteMs, queriesDuringUpload, clientEnergyJ,
 * …}`; several policies: `{runs: [that, …]}`.
 */
export const simulateCommand: Command = {
  summary: "simulate the paper's closed-loop scenario (latency timeline, upload time, energy) for a policy",
  usage:
    "<model> [--policy ionn|all-at-once|local|neurosurgeon[,...]] [--K 0.5] [--mbps 80] [--seconds 40] [--seed 1] [--latency 1] [--sharing fair|fifo] [--costs device-models|published] [--svg F] [--servers N --dwell-ms MS[,MS…] | --walk-trace F] [--mobility none,shared,proactive] [--prediction-accuracy P] [--backhaul-mbps 1000] [--json]",
  options: {
    ...MODEL_OPTIONS,
    policy: { type: "string" },
    K: { type: "string" },
    mbps: { type: "string" },
    seconds: { type: "string" },
    seed: { type: "string" },
    latency: { type: "string" },
    sharing: { type: "string" },
    costs: { type: "string" },
    svg: { type: "string" },
    ...MOBILITY_OPTIONS,
  },
  help: { ...MOBILITY_HELP },
  async run(context) {
    if (wantsMobility(context.values)) return runMobility(context, `ionn simulate ${this.usage}`);
    await run(context, `ionn simulate ${this.usage}`);
  },
};

/** Headline numbers comparing IONN with all-at-once (for `ionn demo`). */
export function formatHeadline(ionn: SimulationResult, allAtOnce: SimulationResult): string {
  const firstOffloaded = (r: SimulationResult) => r.queries.find((q) => q.serverLayers > 0);
  // All-at-once runs every query locally until its single partition is ACKed.
  const local = allAtOnce.queries[0]?.latencyMs ?? NaN;
  const ionnFirst = firstOffloaded(ionn);
  const allFirst = firstOffloaded(allAtOnce);
  const lines = [
    "Headline:",
    `- local execution: ${fixed(local, 0)} ms per query`,
    `- IONN offloads from ${ionnFirst ? `${fixed(ionnFirst.raisedAtMs / 1000, 1)} s (query ${ionn.queries.indexOf(ionnFirst) + 1}, ${fixed(ionnFirst.latencyMs, 0)} ms)` : "never"}; all-at-once from ${allFirst ? `${fixed(allFirst.raisedAtMs / 1000, 1)} s` : "never"}`,
    `- queries finished during the upload: IONN ${ionn.queriesDuringUpload}, all-at-once ${allAtOnce.queriesDuringUpload}`,
    `- upload complete: IONN ${ionn.uploadCompleteMs === null ? "—" : `${fixed(ionn.uploadCompleteMs / 1000, 2)} s`}, all-at-once ${allAtOnce.uploadCompleteMs === null ? "—" : `${fixed(allAtOnce.uploadCompleteMs / 1000, 2)} s`}`,
    `- client energy until the upload completes: IONN ${fixed(ionn.clientEnergyJ, 1)} J, all-at-once ${fixed(allAtOnce.clientEnergyJ, 1)} J`,
    `- best latency once uploaded: IONN ${fixed(ionn.queries[ionn.queries.length - 1]?.latencyMs ?? NaN, 1)} ms, all-at-once ${fixed(allAtOnce.queries[allAtOnce.queries.length - 1]?.latencyMs ?? NaN, 1)} ms`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * `ionn demo [model] [--mbps 80] [--K 0.5] [--seconds 40]`: the main job of
 * `npm start` — IONN against all-at-once on the simulated Odroid-XU4 client,
 * GTX 1080 Ti server and Wi-Fi link: the plan, a compact timeline and the
 * headline numbers.
 */
export const demoCommand: Command = {
  summary: "IONN vs all-at-once on the simulator (default: AlexNet at 80 Mbps): plan, timeline, headline",
  usage: "[model=alexnet] [--mbps 80] [--K 0.5] [--seconds 40] [--svg F] [--json]",
  options: { ...MODEL_OPTIONS, K: { type: "string" }, mbps: { type: "string" }, seconds: { type: "string" }, svg: { type: "string" } },
  async run(context) {
    const K = kOption(context.values);
    const mbps = mbpsOption(context.values);
    const seconds = numberOption(context.values, "seconds", 40, (v) => v > 0, "a duration in seconds greater than 0");
    const withModel: CommandContext = { ...context, positionals: context.positionals.length > 0 ? context.positionals : ["alexnet"] };
    const network = await loadModel(withModel, `ionn demo ${this.usage}`);
    const ionn = await simulate({ network, policy: policyByName("ionn", { K }), mbps, seconds });
    const allAtOnce = await simulate({ network, policy: policyByName("all-at-once", { K }), mbps, seconds });
    const svgPath = typeof context.values["svg"] === "string" ? (context.values["svg"] as string) : undefined;
    if (svgPath !== undefined) await writeFile(svgPath, timelineSvg([ionn, allAtOnce], { title: `${network.name} at ${mbps} Mbps` }));
    if (context.json) {
      printJson(context, { ionn: simulationDocument(ionn), allAtOnce: simulationDocument(allAtOnce) });
      return;
    }
    context.stdout(
      `IONN demo: ${network.name} uploaded over a simulated ${mbps} Mbps Wi-Fi link from an Odroid-XU4 client to a GTX 1080 Ti edge server,\none query every 0.5 s of pre-processing (paper §6.1). IONN (K = ${K}) uploads in partitions; all-at-once uploads the whole model first.\n\n`,
    );
    context.stdout(`${formatSimulation(ionn)}\n${formatSimulation(allAtOnce)}\n${formatHeadline(ionn, allAtOnce)}`);
    if (svgPath !== undefined) context.stdout(`wrote ${svgPath}\n`);
  },
};
