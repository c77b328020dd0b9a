/**
 * Vega-Lite specifications of the figures in docs/results.md (IONN §6):
 * Figure 7-style query timelines per network, Figure 8-style grouped bars
 * (queries and client energy during the upload), the K sweep and the
 * bandwidth sweep. Pure functions from the experiment summaries
 * (`bench/experiments-lib.ts`) to specs; {@link renderVegaLite} turns them
 * into SVG.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { ALL_AT_ONCE, find, K_VALUES, LOCAL, paperName, type ExperimentData, type RunSummary } from "../../bench/experiments-lib.js";

/** Policies of Figures 7 and 8, their colours and point shapes (colour-blind-safe Okabe–Ito colours). */
export const POLICY_STYLE = [
  { label: "local", color: "#7f7f7f", shape: "square" },
  { label: "all-at-once", color: "#D55E00", shape: "triangle-up" },
  { label: "IONN(0.1)", color: "#0072B2", shape: "circle" },
  { label: "IONN(0.5)", color: "#009E73", shape: "diamond" },
] as const;

/** Colours of the five networks in the sweep charts. */
const NETWORK_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"];

const policyColor = (labels: readonly string[]) => ({
  domain: [...labels],
  range: labels.map((l) => POLICY_STYLE.find((p) => p.label === l)?.color ?? "#000000"),
});

/**
 * Figure 7 for one network: query latency (y) against raise time (x) for
 * local, all-at-once, IONN(0.1) and IONN(0.5), with each policy's upload
 * completion as a dashed vertical rule in its colour. The x range is
 * `[0, min(40, max(8, 1.6 × IONN(0.5)'s upload completion))]` so the short
 * uploads are visible.
 * @throws {Error} when a run is missing from `runs`.
 */
export function figure7Spec(runs: readonly RunSummary[], network: string): TopLevelSpec {
  const labels = POLICY_STYLE.map((p) => p.label);
  const ionn5 = find(runs, network, "IONN(0.5)");
  const xMax = Math.min(40, Math.max(8, Math.ceil(1.6 * (ionn5.uploadCompleteS ?? 25))));
  const points: { policy: string; t: number; ms: number }[] = [];
  const rules: { policy: string; t: number }[] = [];
  for (const label of labels) {
    const run = find(runs, network, label);
    for (const p of run.timeline) if (p.raisedS <= xMax) points.push({ policy: label, t: p.raisedS, ms: p.latencyMs });
    if (run.uploadCompleteS !== null && run.policy !== LOCAL.label) rules.push({ policy: label, t: run.uploadCompleteS });
  }
  const color = { field: "policy", type: "nominal", title: "policy", scale: policyColor(labels), sort: labels } as const;
  const same = (a: RunSummary, b: RunSummary) => a.timeline.length === b.timeline.length && a.timeline.every((p, i) => p.latencyMs === b.timeline[i]!.latencyMs);
  const subtitle = ["dashed: upload completion of each policy"];
  if (same(find(runs, network, "IONN(0.1)"), ionn5)) subtitle.push("IONN(0.1) and IONN(0.5) make the same plan: their points coincide");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${paperName(network)}: query latency over time (80 Mbps)`, subtitle },
    width: 560,
    height: 260,
    layer: [
      {
        data: { values: rules },
        mark: { type: "rule", strokeDash: [5, 4], strokeWidth: 1.5, opacity: 0.8 },
        encoding: { x: { field: "t", type: "quantitative" }, color },
      },
      {
        data: { values: points },
        mark: { type: "line", point: { size: 36, filled: true }, strokeWidth: 1.5, opacity: 0.9 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "query raised at (s)", scale: { domain: [0, xMax], nice: false } },
          y: { field: "ms", type: "quantitative", title: "query latency (ms)", scale: { zero: true } },
          color,
          shape: { field: "policy", type: "nominal", title: "policy", sort: labels, scale: { domain: labels, range: POLICY_STYLE.map((p) => p.shape) } },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Figure 8: one panel per network (independent y scales), bars for
 * all-at-once, IONN(0.1) and IONN(0.5), of either the queries that finished
 * during the upload or the client energy over the upload window.
 * @throws {Error} when a run is missing.
 */
export function figure8Spec(data: ExperimentData, metric: "queries" | "energy"): TopLevelSpec {
  const labels = [ALL_AT_ONCE.label, "IONN(0.1)", "IONN(0.5)"];
  const values = data.networks.flatMap((network) =>
    labels.map((label) => {
      const run = find(data.at80, network, label);
      const value = metric === "queries" ? run.queriesDuringUpload : run.energyJ;
      return { network: paperName(network), policy: label, value, text: metric === "queries" ? String(value) : value.toFixed(1) };
    }),
  );
  const title = metric === "queries" ? "queries executed during the upload" : "client energy during the upload (J)";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `Figure 8: ${title} (80 Mbps)` },
    data: { values },
    facet: { column: { field: "network", type: "nominal", title: null, sort: data.networks.map(paperName), header: { labelFontSize: 12 } } },
    spec: {
      width: 110,
      height: 200,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x: { field: "policy", type: "nominal", sort: labels, axis: null },
            y: { field: "value", type: "quantitative", title: metric === "queries" ? "queries" : "energy (J)", scale: { zero: true }, axis: metric === "queries" ? { tickMinStep: 1, format: "d" } : {} },
            color: { field: "policy", type: "nominal", title: "policy", scale: policyColor(labels), sort: labels },
          },
        },
        {
          mark: { type: "text", dy: -6, fontSize: 10 },
          encoding: {
            x: { field: "policy", type: "nominal", sort: labels },
            y: { field: "value", type: "quantitative" },
            text: { field: "text", type: "nominal" },
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
    config: { legend: { orient: "bottom", direction: "horizontal" } },
  } as TopLevelSpec;
}

/**
 * The K sweep at 80 Mbps: three panels against K — number of partitions,
 * upload completion relative to all-at-once (%), queries during the upload —
 * one line per network.
 * @throws {Error} when a run is missing.
 */
export function kSweepSpec(data: ExperimentData): TopLevelSpec {
  const values = data.networks.flatMap((network) => {
    const once = find(data.at80, network, ALL_AT_ONCE.label);
    return K_VALUES.map((K) => {
      const run = find(data.at80, network, `IONN(${K})`);
      return {
        network: paperName(network),
        K,
        partitions: run.partitionMiB.length,
        overhead: 100 * (run.uploadCompleteS! / once.uploadCompleteS! - 1),
        queries: run.queriesDuringUpload,
      };
    });
  });
  const networks = data.networks.map(paperName);
  const color = { field: "network", type: "nominal", title: "network", sort: networks, scale: { domain: networks, range: NETWORK_COLORS.slice(0, networks.length) } } as const;
  const panel = (field: string, title: string) => ({
    width: 220,
    height: 200,
    mark: { type: "line", point: { size: 40, filled: true }, strokeWidth: 1.8 },
    encoding: {
      x: { field: "K", type: "quantitative", title: "K", scale: { domain: [0, 1] }, axis: { values: [...K_VALUES] } },
      y: { field, type: "quantitative", title },
      color,
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "IONN(K) at 80 Mbps: partitions, upload overhead, queries during upload" },
    data: { values },
    hconcat: [panel("partitions", "partitions"), panel("overhead", "upload time over all-at-once (%)"), panel("queries", "queries during the upload")],
    config: { legend: { orient: "bottom", direction: "horizontal" } },
  } as TopLevelSpec;
}

/**
 * The bandwidth sweep: one panel per network, against uplink Mbps (log
 * scale), all-at-once and IONN(0.5) — either the mean latency of the
 * queries that finished during the upload, or the upload completion time
 * (log scale).
 * @throws {Error} when a run is missing.
 */
export function bandwidthSpec(data: ExperimentData, metric: "latency" | "upload"): TopLevelSpec {
  const labels = [ALL_AT_ONCE.label, "IONN(0.5)"];
  const mbpsValues = [...new Set(data.bandwidth.map((r) => r.mbps))].sort((a, b) => a - b);
  const values = data.bandwidth
    .filter((r) => labels.includes(r.policy))
    .map((r) => ({ network: paperName(r.network), policy: r.policy, mbps: r.mbps, value: metric === "latency" ? r.meanLatencyDuringUploadMs : r.uploadCompleteS }))
    .filter((v) => v.value !== null);
  const title = metric === "latency" ? "mean latency (ms)" : "upload done (s)";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: metric === "latency" ? "Mean latency of the queries that finished during the upload" : "Upload completion time (log scale)",
      subtitle: metric === "latency" ? "a missing point: no query finished during that upload" : "IONN(0.5) may upload less than the whole model at low bandwidth",
    },
    data: { values },
    facet: { column: { field: "network", type: "nominal", title: null, sort: data.networks.map(paperName) } },
    spec: {
      width: 170,
      height: 200,
      mark: { type: "line", point: { size: 36, filled: true }, strokeWidth: 1.8 },
      encoding: {
        x: { field: "mbps", type: "quantitative", title: "uplink (Mbps)", scale: { type: "log", domain: [mbpsValues[0]!, mbpsValues.at(-1)!] }, axis: { values: mbpsValues, labelAngle: 0, labelOverlap: false, labelFlush: true } },
        y: { field: "value", type: "quantitative", title, scale: metric === "upload" ? { type: "log" } : { zero: true } },
        color: { field: "policy", type: "nominal", title: "policy", scale: policyColor(labels), sort: labels },
        strokeDash: { field: "policy", type: "nominal", title: "policy", sort: labels, scale: { domain: labels, range: [[5, 3], [1, 0]] } },
      },
    },
    resolve: { scale: { y: "independent" } },
    config: { legend: { orient: "bottom", direction: "horizontal" } },
  } as TopLevelSpec;
}
