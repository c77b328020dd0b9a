/**
 * The `paper-2018` calibration's experiments (issue 13): the link fit on
 * Table 2's all-at-once column, Table 2 (all five networks, all-at-once and
 * IONN at K = 0.1 and 0.5), Algorithm 1 as printed uploading whole models,
 * Figure 8's claims and Figure 7's curves, as pure functions of simulator
 * runs. `bench/paper-2018.ts` writes docs/results-paper-2018.md and the
 * figures; `test/paper-2018.test.ts` checks the claims on the same runs.
 * Deterministic (virtual clock, no jitter).
 *
 * @module
 */
import { zooNetwork } from "../src/model/zoo/index.js";
import { parameterBytes } from "../src/model/types.js";
import { fitLink, PAPER_TABLE_2, type LinkFit, type LinkFitCriterion, type LinkFitPoint } from "../src/sim/scenarios/link-fit.js";
import { PAPER_2018, PAPER_2018_CALIBRATION } from "../src/sim/scenarios/paper-2018.js";
import type { Calibration } from "../src/sim/scenarios/index.js";
import { simulate, type SimulationResult } from "../src/sim/simulate.js";

/** The five networks in Table 1/Table 2 order. */
export const NETWORKS = PAPER_TABLE_2.map((row) => row.network);

/** Parameter bytes of a zoo network (what all-at-once uploads). */
export function modelBytes(network: string): number {
  return zooNetwork(network).layers.reduce((sum, layer) => sum + parameterBytes(layer), 0);
}

/** Simulated seconds long enough for every upload at `linkMbps` (2× the raw transfer + 10 s). */
function horizonS(network: string, linkMbps: number): number {
  return Math.ceil((2 * modelBytes(network) * 8) / (linkMbps * 1e6) + 10);
}

/**
 * The fit's observations, measured on the simulator itself: all-at-once
 * under `paper-2018` with the two fitted parameters switched off (no
 * overhead, exact link) at two bandwidths gives, per network, the bytes on
 * the upload's critical path (from the slope in 1/bandwidth) and the time
 * the simulator adds regardless (latency, server loading; the intercept).
 * Ten simulations of a few milliseconds each.
 */
export async function linkFitPoints(): Promise<LinkFitPoint[]> {
  const bare: Calibration = { ...PAPER_2018_CALIBRATION, name: "paper-2018 (no overhead, exact link)", uploadOverheadMs: 0, linkEfficiency: 1 };
  const points: LinkFitPoint[] = [];
  for (const row of PAPER_TABLE_2) {
    const times: number[] = [];
    for (const mbps of [80, 40]) {
      const result = await simulate({ network: row.network, policy: "all-at-once", calibration: bare, mbps, seconds: horizonS(row.network, mbps) });
      if (result.uploadCompleteMs === null) throw new Error(`paper-2018 fit: ${row.network} all-at-once did not finish at ${mbps} Mbps`);
      times.push(result.uploadCompleteMs);
    }
    // T(r) = other + bytes · 8 / (r · 1000) ms, r in Mbps.
    const bytes = (times[1]! - times[0]!) / (8 / 40e3 - 8 / 80e3);
    points.push({ network: row.network, bytes, otherMs: times[0]! - (bytes * 8) / 80e3, paperMs: row.allAtOnceS * 1000 });
  }
  return points;
}

/**
 * Refit the two link parameters on Table 2's all-at-once column by
 * `criterion` (default `"relative-minimax"`, what `paper-2018` uses; see
 * `fitLink`).
 */
export async function fitPaper2018Link(criterion: LinkFitCriterion = "relative-minimax"): Promise<LinkFit & { points: LinkFitPoint[] }> {
  const points = await linkFitPoints();
  return { ...fitLink(points, criterion), points };
}

/** The policies of Table 2 / Figures 7–8 under `paper-2018`. */
export const POLICIES = [
  { label: "local", policy: "local", K: undefined },
  { label: "all-at-once", policy: "all-at-once", K: undefined },
  { label: "IONN(0.1)", policy: "ionn", K: 0.1 },
  { label: "IONN(0.5)", policy: "ionn", K: 0.5 },
] as const;

/** A policy label of {@link POLICIES}. */
export type PolicyLabel = (typeof POLICIES)[number]["label"];

/** One run under `paper-2018` at 80 Mbps. */
export interface Paper2018Run {
  readonly network: string;
  readonly label: PolicyLabel;
  readonly result: SimulationResult;
  /** Parameter bytes the plan uploads, and the model's. */
  readonly uploadedBytes: number;
  readonly modelBytes: number;
}

/** Run one network and policy as `ionn simulate <net> --scenario paper-2018 --policy … --K …` does (80 Mbps). */
export async function runPaper2018(network: string, label: PolicyLabel): Promise<Paper2018Run> {
  const spec = POLICIES.find((p) => p.label === label)!;
  const seconds = Math.max(40, horizonS(network, PAPER_2018.effectiveMbps));
  const result = await simulate({
    network,
    policy: spec.policy,
    ...(spec.K !== undefined ? { K: spec.K } : {}),
    calibration: "paper-2018",
    seconds,
  });
  return { network, label, result, uploadedBytes: result.partitions.reduce((s, p) => s + p.bytes, 0), modelBytes: modelBytes(network) };
}

/** Every network × policy. */
export async function runAllPaper2018(): Promise<Paper2018Run[]> {
  const runs: Paper2018Run[] = [];
  for (const network of NETWORKS) for (const p of POLICIES) runs.push(await runPaper2018(network, p.label));
  return runs;
}

/** The run of a network and policy. */
export function pick(runs: readonly Paper2018Run[], network: string, label: PolicyLabel): Paper2018Run {
  const run = runs.find((r) => r.network === network && r.label === label);
  if (run === undefined) throw new Error(`no paper-2018 run for ${network} ${label}`);
  return run;
}

/** One cell of Table 2: the paper's and the simulated completion time. */
export interface Table2Cell {
  readonly network: string;
  readonly label: "all-at-once" | "IONN(0.1)" | "IONN(0.5)";
  readonly paperS: number;
  readonly oursS: number | null;
  readonly ratio: number | null;
  /** Allowed |ratio − 1|: 5 % for all-at-once, 8 % for IONN (the targets). */
  readonly tolerance: number;
}

/** The 15 cells of Table 2. */
export function table2Cells(runs: readonly Paper2018Run[]): Table2Cell[] {
  const cells: Table2Cell[] = [];
  for (const row of PAPER_TABLE_2) {
    for (const [label, paperS, tolerance] of [
      ["all-at-once", row.allAtOnceS, 0.05],
      ["IONN(0.1)", row.ionn01S, 0.08],
      ["IONN(0.5)", row.ionn05S, 0.08],
    ] as const) {
      const done = pick(runs, row.network, label).result.uploadCompleteMs;
      const oursS = done === null ? null : done / 1000;
      cells.push({ network: row.network, label, paperS, oursS, ratio: oursS === null ? null : oursS / paperS, tolerance });
    }
  }
  return cells;
}

/** Run IONN under a variant of `paper-2018` (e.g. the overhead on every partition) at 80 Mbps. */
export async function runVariant(network: string, K: number, calibration: Calibration): Promise<SimulationResult> {
  return simulate({ network, policy: "ionn", K, calibration, seconds: Math.max(40, horizonS(network, PAPER_2018.effectiveMbps)) });
}

/** Figure 8 row: queries finished and client energy during each policy's upload window. */
export interface Figure8Row {
  readonly network: string;
  readonly queries: Readonly<Record<"all-at-once" | "IONN(0.1)" | "IONN(0.5)", number>>;
  readonly energyJ: Readonly<Record<"all-at-once" | "IONN(0.1)" | "IONN(0.5)", number>>;
}

/** Figure 8's numbers per network. */
export function figure8Rows(runs: readonly Paper2018Run[]): Figure8Row[] {
  return NETWORKS.map((network) => {
    const get = (label: "all-at-once" | "IONN(0.1)" | "IONN(0.5)") => pick(runs, network, label).result;
    return {
      network,
      queries: { "all-at-once": get("all-at-once").queriesDuringUpload, "IONN(0.1)": get("IONN(0.1)").queriesDuringUpload, "IONN(0.5)": get("IONN(0.5)").queriesDuringUpload },
      energyJ: { "all-at-once": get("all-at-once").clientEnergyJ, "IONN(0.1)": get("IONN(0.1)").clientEnergyJ, "IONN(0.5)": get("IONN(0.5)").clientEnergyJ },
    };
  });
}

/**
 * The mid-upload rise of Figure 7 (§6.2: "the query execution time in IONN
 * sometimes increases during the uploading"): the largest increase from one
 * offloaded query to the next while the upload runs, ms (0 = the latency
 * never rises during the upload).
 */
export function midUploadRiseMs(result: SimulationResult): number {
  const done = result.uploadCompleteMs ?? Number.POSITIVE_INFINITY;
  const during = result.queries.filter((q) => q.raisedAtMs < done && q.serverLayers > 0);
  let rise = 0;
  for (let i = 1; i < during.length; i++) rise = Math.max(rise, during[i]!.latencyMs - during[i - 1]!.latencyMs);
  return rise;
}
