/**
 * `ionn simulate <model> --servers N --dwell-ms MS[,MS…]` (or
 * `--walk-trace F`): the mobility simulation of issue 11 (several edge
 * servers along a path; policies no store / shared store / proactive push).
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";
import { MOBILITY_POLICIES, parseWalkTrace, simulateMobility, type MobilityPolicy, type MobilityResult, type WalkStop } from "../sim/mobility.js";
import { mobilitySvg } from "../sim/mobility-svg.js";
import { type CommandContext, finalRoundOption, kOption, loadModel, mbpsOption, printJson } from "./command.js";
import { fixed, table } from "./format.js";
import { numberOption } from "./options.js";

/** Options the mobility mode adds to `ionn simulate`. */
export const MOBILITY_OPTIONS = {
  servers: { type: "string" },
  "dwell-ms": { type: "string" },
  "walk-trace": { type: "string" },
  mobility: { type: "string" },
  "prediction-accuracy": { type: "string" },
  "backhaul-mbps": { type: "string" },
} as const;

/** Help lines of {@link MOBILITY_OPTIONS}. */
export const MOBILITY_HELP: Record<string, string> = {
  servers: "mobility mode: number of edge servers along the walk (whole number ≥ 1); with --dwell-ms",
  "dwell-ms": "time at each server in ms: one value for all, or N comma-separated values (default 20000)",
  "walk-trace": "mobility mode from a file: one stop per line, 'dwellMs [mbps]' (or a JSON array of {dwellMs, mbps})",
  mobility: "mobility policies: none (re-upload at each server), shared (shared store), proactive (push to the predicted next server), comma-separated (default all three)",
  "prediction-accuracy": "proactive push: probability that the next server is predicted right, 0–1 (default 1)",
  "backhaul-mbps": "bandwidth between edge servers and the store, Mbps (default 1000)",
};

/** True when the options ask for the mobility mode. */
export function wantsMobility(values: Record<string, unknown>): boolean {
  return values["servers"] !== undefined || values["walk-trace"] !== undefined;
}

async function walkOption(values: Record<string, unknown>): Promise<WalkStop[]> {
  const trace = values["walk-trace"];
  if (typeof trace === "string") {
    let text: string;
    try {
      text = await readFile(trace, "utf8");
    } catch (error) {
      throw new InvalidArgumentError(`--walk-trace: cannot read ${trace}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return parseWalkTrace(text, trace);
  }
  const servers = numberOption(values, "servers", 1, (v) => Number.isInteger(v) && v >= 1 && v <= 10_000, "a whole number of servers ≥ 1");
  const raw = values["dwell-ms"] === undefined ? "20000" : String(values["dwell-ms"]);
  const dwells = raw.split(",").map((s) => Number(s.trim()));
  if (dwells.some((d) => !(d > 0)) || (dwells.length !== 1 && dwells.length !== servers)) {
    throw new InvalidArgumentError(`--dwell-ms must be one duration in ms > 0 or ${servers} comma-separated ones, got "${raw}"`);
  }
  return Array.from({ length: servers }, (_, i) => ({ dwellMs: dwells.length === 1 ? dwells[0]! : dwells[i]! }));
}

function policies(values: Record<string, unknown>): MobilityPolicy[] {
  const raw = values["mobility"] === undefined ? MOBILITY_POLICIES.join(",") : String(values["mobility"]);
  const names = raw.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!(MOBILITY_POLICIES as readonly string[]).includes(name)) throw new InvalidArgumentError(`--mobility must list ${MOBILITY_POLICIES.join(", ")}, got "${name}"`);
  }
  return names as MobilityPolicy[];
}

/** The JSON of one mobility run (queries compacted to their fields). */
export function mobilityDocument(r: MobilityResult) {
  return {
    policy: r.policy,
    queriesServed: r.queriesServed,
    offloadedQueries: r.offloadedQueries,
    coldStarts: r.coldStarts,
    meanColdStartMs: r.meanColdStartMs,
    bytesOverAir: r.bytesOverAir,
    bytesBetweenServers: r.bytesBetweenServers,
    servers: r.servers,
    queries: r.queries,
  };
}

/** Run the mobility mode of `ionn simulate`. */
export async function runMobility(context: CommandContext, usage: string): Promise<void> {
  const { values } = context;
  const walk = await walkOption(values);
  const names = policies(values);
  const mbps = mbpsOption(values);
  const K = kOption(values);
  const seed = numberOption(values, "seed", 1, Number.isInteger, "an integer");
  const predictionAccuracy = numberOption(values, "prediction-accuracy", 1, (v) => v >= 0 && v <= 1, "a probability in [0, 1]");
  const backhaulMbps = numberOption(values, "backhaul-mbps", 1000, (v) => v > 0, "a bandwidth in Mbps > 0");
  const network = await loadModel(context, usage);
  const runs = names.map((policy) =>
    simulateMobility({ network, walk, policy, mbps, K, seed, predictionAccuracy, backhaulMbps, finalRound: finalRoundOption(values) }),
  );
  const svgPath = typeof values["svg"] === "string" ? (values["svg"] as string) : undefined;
  if (svgPath !== undefined) {
    try {
      await writeFile(svgPath, mobilitySvg([{ model: network.name, runs }]));
    } catch (error) {
      throw new InvalidArgumentError(`--svg: cannot write ${svgPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (context.json) {
    printJson(context, { model: network.name, mbps, walk, predictionAccuracy, backhaulMbps, partitions: runs[0]!.partitions, localMs: runs[0]!.localMs, runs: runs.map(mobilityDocument) });
    return;
  }
  context.stdout(`${network.name}: ${walk.length} servers, dwell ${walk.map((s) => fixed(s.dwellMs / 1000, 1)).join("/")} s, ${mbps} Mbps, backhaul ${backhaulMbps} Mbps, prediction accuracy ${predictionAccuracy}\n\n`);
  context.stdout(
    `${table(
      [{ header: "policy" }, { header: "queries", align: "right" }, { header: "offloaded", align: "right" }, { header: "cold starts", align: "right" }, { header: "mean cold start ms", align: "right" }, { header: "MB over the air", align: "right" }, { header: "MB between servers", align: "right" }],
      runs.map((r) => [r.policy, String(r.queriesServed), String(r.offloadedQueries), String(r.coldStarts), fixed(r.meanColdStartMs, 0), fixed(r.bytesOverAir / 1e6, 1), fixed(r.bytesBetweenServers / 1e6, 1)]),
    )}\n`,
  );
  if (svgPath !== undefined) context.stdout(`wrote ${svgPath}\n`);
}
