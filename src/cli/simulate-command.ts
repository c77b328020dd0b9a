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
import { ionnPolicy, POLICY_NAMES, policyByName, type PolicyName } from "../sim/policies.js";
import { simulate, simulationDocument, type CostSource, type SimulationResult } from "../sim/simulate.js";
import { CALIBRATION_NAMES, calibrationByName, type CalibrationName } from "../sim/scenarios/index.js";
import { timelineSvg } from "../sim/svg.js";
import {
  type Command,
  type CommandContext,
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
  printJson,
} from "./command.js";
import { resolveCosts } from "./costs.js";
import { fixed, layerRange, mib, plural, table } from "./format.js";
import { numberOption } from "./options.js";
import { preprocessingOption } from "./planner-options.js";
import { traceTimelineSvg } from "../sim/trace-svg.js";
import { loadBandwidthTrace } from "../link/trace-file.js";
import { REPLAN_MODES, type ReplanMode } from "../sim/adaptive.js";
import type { BandwidthTrace } from "../link/trace.js";
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

async function traceOption(values: Record<string, unknown>, name: string): Promise<BandwidthTrace | undefined> {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw.trim() === "") throw new InvalidArgumentError(`--${name} must be a CSV file or a spec such as step:80@0,10@5000`);
  try {
    return await loadBandwidthTrace(raw);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(`--${name}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** `--replan none|estimate|oracle[,…]` (default `estimate` with a trace: the client adapts with what it can measure). */
function replanOption(values: Record<string, unknown>, haveTrace: boolean): ReplanMode[] {
  const raw = values["replan"];
  if (raw === undefined) return ["estimate"];
  if (!haveTrace) throw new InvalidArgumentError("--replan needs --bandwidth-trace");
  const modes = String(raw).split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (modes.length === 0) throw new InvalidArgumentError(`--replan must be one of ${REPLAN_MODES.join(", ")}`);
  for (const mode of modes) {
    if (!(REPLAN_MODES as readonly string[]).includes(mode)) throw new InvalidArgumentError(`--replan must be one of ${REPLAN_MODES.join(", ")} (or a comma-separated list), got "${mode}"`);
  }
  return modes as ReplanMode[];
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
  if (s.calibration !== "profiles-2019") {
    lines.push(`calibration ${s.calibration}: link delivers ${fixed(s.linkMbps, 2)} Mbps, ${fixed(s.uploadOverheadMs, 1)} ms overhead per ${s.uploadOverheadPer === "session" ? "upload session" : "partition"}`);
  }
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
  if (result.replans !== undefined) {
    lines.push("");
    lines.push(
      `${result.replans.length} re-plan(s)${result.replans.length > 0 ? `: ${result.replans.slice(0, 12).map((r) => `${fixed(r.atMs / 1000, 2)} s at ${fixed(r.mbps, 1)} Mbps (${r.partitionsLeft} left)`).join("; ")}${result.replans.length > 12 ? "; …" : ""}` : ""}; ${result.bandwidthEstimates?.length ?? 0} bandwidth estimates`,
    );
  }
  const upload = result.uploadCompleteMs === null ? "upload: none completed" : `upload complete at ${fixed(result.uploadCompleteMs / 1000, 2)} s`;
  lines.push(
    `${upload}; ${plural(result.queriesDuringUpload, "query", "queries")} finished during it; client energy ${fixed(result.clientEnergyJ, 1)} J over [0, ${fixed(result.energy.toMs / 1000, 2)} s] (computing ${fixed(result.energy.computingMs / 1000, 2)} s, transmitting ${fixed(result.energy.transmittingMs / 1000, 2)} s, idle ${fixed(result.energy.idleMs / 1000, 2)} s)`,
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
  const scenario = choice<CalibrationName>(values, "scenario", CALIBRATION_NAMES, "profiles-2019");
  const calibration = calibrationByName(scenario);
  const latencyMs = numberOption(values, "latency", calibration.latencyMs, (v) => v >= 0, "a one-way latency in ms ≥ 0");
  const sharing = choice<LinkSharing>(values, "sharing", ["fair", "fifo"], "fair");
  const costName = values["costs"] === undefined ? undefined : choice<"device-models" | "published">(values, "costs", ["device-models", "published"], "device-models");
  // --final-round / --no-final-round when given; else the scenario's own rule (paper-2018: Algorithm 1 as printed).
  const finalRound = values["final-round"] === true || values["no-final-round"] === true ? finalRoundOption(values) : calibration.ionnFinalRound;
  const svgPath = typeof values["svg"] === "string" ? (values["svg"] as string) : undefined;
  const preprocessingMs = preprocessingOption(values);
  const uploadWindow = numberOption(values, "upload-window", 1, (v) => Number.isInteger(v) && v >= 1, "a whole number of partitions ≥ 1");
  const trace = await traceOption(values, "bandwidth-trace");
  const downlinkTrace = await traceOption(values, "downlink-trace");
  if (downlinkTrace !== undefined && trace === undefined) throw new InvalidArgumentError("--downlink-trace needs --bandwidth-trace");
  const replans = replanOption(values, trace !== undefined);
  const band = numberOption(values, "replan-band", NaN, (v) => v > 0, "a relative band > 0 (0.25 = ±25 %)");
  if (trace !== undefined && (policies.length !== 1 || policies[0] !== "ionn")) throw new InvalidArgumentError(`--bandwidth-trace needs --policy ionn, got "${policies.join(",")}"`);
  const network = await loadModel(context, usage);
  const files = costOptions(values);
  let costs: CostSource | undefined = costName;
  if (Object.keys(files).length > 0) {
    // Own profiles / prediction functions (what `ionn profile --out` and `ionn fit --out` write).
    const resolved = await resolveCosts(network, { ...files, costs: costName ?? "device-models" });
    for (const warning of resolved.warnings) context.stderr(`warning: ${warning}\n`);
    costs = { clientMs: resolved.clientMs, serverMs: resolved.serverMs, name: `client: ${resolved.clientSource}; server: ${resolved.serverSource}` };
  }
  const results: SimulationResult[] = [];
  if (trace !== undefined) {
    for (const mode of replans) {
      results.push(
        await simulate({
          network, policy: "ionn", K, ...(values["mbps"] !== undefined ? { mbps } : {}), seconds, seed, latencyMs, sharing, calibration, preprocessingMs,
          ...(costs !== undefined ? { costs } : {}),
          bandwidthTrace: trace, ...(downlinkTrace ? { downlinkTrace } : {}),
          replan: Number.isNaN(band) ? mode : { mode, band },
        }),
      );
    }
  }
  for (const name of trace === undefined ? policies : []) {
    const policy = name === "ionn" ? ionnPolicy({ K, finalRound }) : policyByName(name, { K, finalRound });
    results.push(await simulate({ network, policy, mbps, seconds, seed, latencyMs, sharing, calibration, preprocessingMs, ...(uploadWindow > 1 ? { uploadWindow } : {}), ...(costs !== undefined ? { costs } : {}) }));
  }
  if (svgPath !== undefined) {
    try {
      await writeFile(
        svgPath,
        trace === undefined
          ? timelineSvg(results, { title: `${network.name} at ${mbps} Mbps` })
          : traceTimelineSvg({
              title: `${network.name}, trace ${trace.source}`,
              seconds,
              trace,
              latency: results.map((r) => ({ name: r.policy, points: r.queries.map((q) => [q.raisedAtMs / 1000, q.latencyMs] as const) })),
              rates: results.map((r) => ({ name: `estimate (${r.policy})`, points: (r.bandwidthEstimates ?? []).map((e) => [e.atMs / 1000, e.mbps] as const) })),
            }),
      );
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
    "<model> [--policy ionn|all-at-once|local|neurosurgeon|optimal|enhanced[,...]] [--K 0.5] [--preprocessing-ms 500] [--upload-window 1] [--mbps 80] [--seconds 40] [--seed 1] [--latency 1] [--sharing fair|fifo] [--costs device-models|published] [--scenario profiles-2019|paper-2018] [--no-final-round] " +
    "[--bandwidth-trace SPEC [--downlink-trace SPEC] [--replan none|estimate|oracle[,...]] [--replan-band 0.25]] [--servers N --dwell-ms MS[,MS…] | --walk-trace F] [--mobility none,shared,proactive] [--prediction-accuracy P] [--backhaul-mbps 1000] [--svg F] [--json]",
  options: {
    ...MODEL_OPTIONS,
    ...COST_OPTIONS,
    ...FINAL_ROUND_OPTIONS,
    policy: { type: "string" },
    K: { type: "string" },
    mbps: { type: "string" },
    seconds: { type: "string" },
    seed: { type: "string" },
    latency: { type: "string" },
    sharing: { type: "string" },
    costs: { type: "string" },
    scenario: { type: "string" },
    svg: { type: "string" },
    "preprocessing-ms": { type: "string" },
    "upload-window": { type: "string" },
    "bandwidth-trace": { type: "string" },
    "downlink-trace": { type: "string" },
    replan: { type: "string" },
    "replan-band": { type: "string" },
    ...MOBILITY_OPTIONS,
  },
  help: {
    ...MOBILITY_HELP,
    ...MODEL_HELP,
    ...COST_HELP,
    ...FINAL_ROUND_HELP,
    policy: `one of ${POLICY_NAMES.join(", ")} (optimal: the objective-aware planner; enhanced: EMDL '19), or a comma-separated list to compare them (default ionn)`,
    "preprocessing-ms": "think time (pre-processing) before each query, ms ≥ 0 (default 500; 0 = back to back)",
    "bandwidth-trace": "the uplink follows this trace: a CSV file of timeMs,mbps lines (step-wise) or step:MBPS@MS,… (e.g. step:80@0,10@5000), walk:seed=1,min=5,max=100 (seeded random walk, 1 s steps), outage:mbps=80,upMs=8000,downMs=3000 (on/off); needs --policy ionn; --mbps then only sets the first plan's bandwidth (default: the trace's rate at 0)",
    "downlink-trace": "the downlink's trace, same forms (default: the uplink's)",
    replan: "with a trace: none (the first plan kept), estimate (re-plan the rest of the upload when the client's own bandwidth estimate leaves the band; queries placed at the estimate), oracle (re-plan at the true rate at every step of the trace); a comma-separated list runs each (default estimate, the only mode a real client can run that adapts)",
    "replan-band": "hysteresis band of --replan estimate, relative: re-plan when the estimate leaves [plan/(1+b), plan×(1+b)] (default 0.25)",
    "upload-window": "partitions in flight at once (pipelined upload), whole number ≥ 1 (default 1: send after each ACK; keep 1 under --scenario paper-2018, whose overhead is fitted per upload)",
    K: "Algorithm 1's K in (0, 1) for the ionn policy (default 0.5)",
    mbps: "simulated link bandwidth, Mbps = 10^6 bit/s, shared by uploads and queries (default 80)",
    seconds: "simulated duration, seconds > 0 (default 40)",
    seed: "seed of the pre-processing jitter and the weights, integer (default 1)",
    latency: "one-way link latency, ms ≥ 0 (default 1)",
    sharing: "how concurrent transfers share the link: fair (processor sharing) or fifo (default fair)",
    costs: "device-models (simulated odroid-xu4 client, gtx-1080ti server) or published (the authors' measured profiles: alexnet, googlenet, resnet50); profile files override it (default: the scenario's, device-models under profiles-2019)",
    svg: "also write a Figure 7-style latency timeline as SVG to this file (default: none)",
    scenario:
      "calibration (default profiles-2019: device models fitted to the authors' 2019 profiles, exact link, Algorithm 1 with a final round); paper-2018: the paper's own numbers (AlexNet 1.3 s client / 1 ms server, an upload overhead once per session and a throughput fitted to Table 2, additive power, Algorithm 1 as printed). --mbps is the nominal bandwidth the planner is told; under paper-2018 the link delivers 67.18/80 of it",
  },
  example: "ionn simulate alexnet --policy ionn,all-at-once --seconds 40\nionn simulate alexnet --client-profile client.json --server-functions fit.json --json",
  async run(context) {
    if (wantsMobility(context.values)) return runMobility(context, `ionn simulate ${this.usage}`);
    await run(context, `ionn simulate ${this.usage}`);
  },
};

/** The headline numbers of `ionn demo` as data (its `--json` field `headline`). */
export function headlineDocument(ionn: SimulationResult, allAtOnce: SimulationResult) {
  const firstOffloaded = (r: SimulationResult) => {
    const q = r.queries.find((query) => query.serverLayers > 0);
    return q === undefined ? null : { query: r.queries.indexOf(q) + 1, raisedAtMs: q.raisedAtMs, latencyMs: q.latencyMs };
  };
  const last = (r: SimulationResult) => r.queries[r.queries.length - 1]?.latencyMs ?? null;
  return {
    localMs: allAtOnce.queries[0]?.latencyMs ?? null,
    firstOffloaded: { ionn: firstOffloaded(ionn), allAtOnce: firstOffloaded(allAtOnce) },
    queriesDuringUpload: { ionn: ionn.queriesDuringUpload, allAtOnce: allAtOnce.queriesDuringUpload },
    uploadCompleteMs: { ionn: ionn.uploadCompleteMs, allAtOnce: allAtOnce.uploadCompleteMs },
    clientEnergyJ: { ionn: ionn.clientEnergyJ, allAtOnce: allAtOnce.clientEnergyJ },
    bestLatencyMs: { ionn: last(ionn), allAtOnce: last(allAtOnce) },
  };
}

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
  help: {
    ...MODEL_HELP,
    K: "Algorithm 1's K in (0, 1) (default 0.5)",
    mbps: "simulated link bandwidth, Mbps = 10^6 bit/s (default 80)",
    seconds: "simulated duration, seconds > 0 (default 40)",
    svg: "also write the two timelines as SVG to this file (default: none)",
  },
  example: "ionn demo\nionn demo googlenet --mbps 40 --json   # {ionn, allAtOnce, headline}",
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
      printJson(context, { ionn: simulationDocument(ionn), allAtOnce: simulationDocument(allAtOnce), headline: headlineDocument(ionn, allAtOnce) });
      return;
    }
    context.stdout(
      `IONN demo: ${network.name} uploaded over a simulated ${mbps} Mbps Wi-Fi link from an Odroid-XU4 client to a GTX 1080 Ti edge server,\none query every 0.5 s of pre-processing (paper §6.1). IONN (K = ${K}) uploads in partitions; all-at-once uploads the whole model first.\n\n`,
    );
    context.stdout(`${formatSimulation(ionn)}\n${formatSimulation(allAtOnce)}\n${formatHeadline(ionn, allAtOnce)}`);
    if (svgPath !== undefined) context.stdout(`wrote ${svgPath}\n`);
  },
};
