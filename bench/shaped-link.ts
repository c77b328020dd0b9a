/**
 * Bench (issue 10): the bandwidth estimate against the shaped rate on a real
 * link — `ionn serve` and `ionn client` in two network namespaces joined by
 * a veth pair, the uplink shaped with `tc qdisc … tbf` and changed mid-upload
 * (80 → 10 → 80 Mbps) with `tc qdisc change`; the same schedule with
 * `--replan none` is the baseline of the same run. Writes
 * docs/figures/shaped-link-estimate.svg and prints the figures for
 * bench/README.md. Needs root with `ip netns` and `tc`.
 *
 * Run: `npx tsc -p tsconfig.build.json && npx tsx bench/shaped-link.ts`
 */
import { writeFileSync } from "node:fs";
import { uptime, loadavg, cpus } from "node:os";
import { traceTimelineSvg } from "../src/sim/trace-svg.js";
import { bandwidthTrace } from "../src/link/trace.js";
import { netnsUnavailable, runShapedClient, ShapedLink, type ShapedRun } from "../test/netns.js";

const reason = await netnsUnavailable();
if (reason !== undefined) {
  console.log(`skipped: ${reason}`);
  process.exit(0);
}
const MODEL = "test/fixtures/wide-cnn.prototxt";
const steps = [
  { atMs: 600, mbps: 10 },
  { atMs: 6600, mbps: 80 },
];
const args = ["--preset", "ionn-reference", "--queries", "16", "--interval-ms", "400", "--query-timeout-ms", "1500", "--timeout-ms", "30000"];

function summary(name: string, run: ShapedRun): string[] {
  const lines: string[] = [];
  const { doc, rates } = run;
  lines.push(`${name}: ${doc.bandwidthEstimates.length} estimates, ${doc.replans.length} re-plans, upload complete ${doc.uploadCompleteMs?.toFixed(0) ?? "—"} ms, ${doc.queries.length} queries, all equal to local: ${doc.queries.every((q) => q.matchesLocal)}`);
  for (let i = 0; i < rates.length; i++) {
    const from = rates[i]!.atMs;
    const to = rates[i + 1]?.atMs ?? Infinity;
    const rate = rates[i]!.mbps;
    const first = doc.bandwidthEstimates.find((e) => e.atMs >= from && e.atMs < to && Math.abs(e.mbps - rate) / rate <= 0.15);
    const settled = doc.bandwidthEstimates.filter((e) => e.atMs >= from + 3000 && e.atMs < to);
    const worst = settled.reduce((w, e) => Math.max(w, Math.abs(e.mbps - rate) / rate), 0);
    const mean = settled.length ? settled.reduce((a, e) => a + e.mbps, 0) / settled.length : NaN;
    lines.push(
      `  ${rate} Mbps from ${(from / 1000).toFixed(2)} s: first estimate within 15 % after ${first ? ((first.atMs - from) / 1000).toFixed(2) + " s" : "never"}; from +3 s: ${settled.length} estimates, mean ${mean.toFixed(1)} Mbps, worst error ${(100 * worst).toFixed(1)} %`,
    );
  }
  for (const r of doc.replans) lines.push(`  re-plan at ${(r.atMs / 1000).toFixed(2)} s for ${r.mbps.toFixed(1)} Mbps, ${r.partitionsLeft} partition(s) left`);
  return lines;
}

const runs: [string, ShapedRun][] = [];
for (const replan of ["estimate", "none"]) {
  const link = await ShapedLink.create(80);
  try {
    runs.push([`--replan ${replan}`, await runShapedClient(link, { model: MODEL, initialMbps: 80, steps, clientArgs: ["--replan", replan, ...args] })]);
  } finally {
    await link.close();
  }
}
const [, main] = runs[0]!;
const trace = bandwidthTrace(main.rates.map((r) => ({ atMs: Math.max(0, r.atMs), mbps: r.mbps })), "tc tbf rate");
writeFileSync(
  "docs/figures/shaped-link-estimate.svg",
  traceTimelineSvg({
    title: "Real shaped link (netns + tc tbf): bandwidth estimate vs shaped rate",
    trace,
    traceLabel: "tbf rate (tc qdisc change)",
    latency: runs.map(([name, r]) => ({ name, points: r.doc.queries.map((q) => [q.raisedAtMs / 1000, q.latencyMs] as const) })),
    rates: runs.map(([name, r]) => ({ name: `estimate (${name})`, points: r.doc.bandwidthEstimates.map((e) => [e.atMs / 1000, e.mbps] as const) })),
  }),
);
console.log(`date ${new Date().toISOString()}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, up ${(uptime() / 60).toFixed(0)} min`);
for (const [name, run] of runs) console.log(summary(name, run).join("\n"));
if (process.argv.includes("--dump")) console.log(JSON.stringify(runs.map(([n, r]) => ({ n, estimates: r.doc.bandwidthEstimates.map((e) => [Math.round(e.atMs), +e.mbps.toFixed(1)]), rates: r.rates, events: r.events.filter((e) => e["event"] !== "estimate") }))));
console.log("wrote docs/figures/shaped-link-estimate.svg");
