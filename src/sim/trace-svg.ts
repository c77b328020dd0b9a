/**
 * An SVG of query latency over time with the bandwidth under it: the top
 * panel has one latency series per run (x = raise time), the bottom panel
 * the trace's step-wise rate and each run's bandwidth estimates, on the
 * same time axis. Dependency-free, like `svg.ts`.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { BandwidthTrace } from "../link/trace.js";

/** One series of points (x in seconds). */
export interface TimeSeries {
  /** Legend label. */
  readonly name: string;
  /** Points: `[seconds, value]`. */
  readonly points: readonly (readonly [number, number])[];
}

/** What {@link traceTimelineSvg} draws. */
export interface TraceTimelineInput {
  /** Chart title. */
  readonly title: string;
  /** Top panel: latency series (ms); omit or leave empty for a bandwidth-only chart. */
  readonly latency?: readonly TimeSeries[];
  /** Bottom panel: the true rate as steps (a trace), drawn in black. */
  readonly trace?: BandwidthTrace;
  /** Bottom panel: further rate series (Mbps), e.g. estimates. */
  readonly rates?: readonly TimeSeries[];
  /** Right end of the time axis, s (default: the data's). */
  readonly seconds?: number;
  /** Label of the true rate (default `"link rate (trace)"`). */
  readonly traceLabel?: string;
}

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

const n = (v: number) => Number(v.toFixed(2)).toString();

/**
 * Render the two-panel chart as an SVG string. `O(points)`.
 * @throws {InvalidArgumentError} when there is nothing to draw.
 */
export function traceTimelineSvg(input: TraceTimelineInput): string {
  const latency = input.latency ?? [];
  const rates = input.rates ?? [];
  if (latency.length === 0 && rates.length === 0 && input.trace === undefined) throw new InvalidArgumentError("traceTimelineSvg: nothing to draw");
  const width = 760;
  const top = latency.length > 0 ? 260 : 0;
  const bottom = 170;
  const legend = 18 * (latency.length + rates.length + (input.trace ? 1 : 0));
  const margin = { left: 64, right: 16, top: 36 };
  const gap = top > 0 ? 40 : 0;
  const height = margin.top + top + gap + bottom + 44 + legend;
  const plotW = width - margin.left - margin.right;
  let xMax = input.seconds ?? 0;
  let yMax = 0;
  let rMax = 0;
  for (const s of latency) for (const [x, y] of s.points) ((xMax = Math.max(xMax, x)), (yMax = Math.max(yMax, y)));
  for (const s of rates) for (const [x, y] of s.points) ((xMax = Math.max(xMax, input.seconds ?? x)), (rMax = Math.max(rMax, y)));
  for (const p of input.trace?.points ?? []) rMax = Math.max(rMax, p.mbps);
  const xStep = niceStep(xMax || 1, 10);
  xMax = Math.max(xStep, Math.ceil((xMax || 1) / xStep) * xStep);
  const yStep = niceStep(yMax || 1, 5);
  yMax = Math.max(yStep, Math.ceil((yMax || 1) / yStep) * yStep);
  const rStep = niceStep(rMax || 1, 4);
  rMax = Math.max(rStep, Math.ceil((rMax || 1) / rStep) * rStep);
  const sx = (s: number) => margin.left + (Math.min(s, xMax) / xMax) * plotW;
  const topY = margin.top;
  const botY = margin.top + top + gap;
  const sy = (v: number) => topY + top - (v / yMax) * top;
  const sr = (v: number) => botY + bottom - (v / rMax) * bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(input.title)}</text>`);
  const panel = (y0: number, h: number, max: number, step: number, scale: (v: number) => number, label: string) => {
    for (let v = 0; v <= max + 1e-9; v += step) {
      const y = n(scale(v));
      out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
      out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${n(v)}</text>`);
    }
    out.push(`<rect x="${margin.left}" y="${y0}" width="${plotW}" height="${h}" fill="none" stroke="#000000"/>`);
    out.push(`<text transform="translate(16 ${n(y0 + h / 2)}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`);
  };
  if (top > 0) panel(topY, top, yMax, yStep, sy, "query latency (ms)");
  panel(botY, bottom, rMax, rStep, sr, "bandwidth (Mbps)");
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    const x = n(sx(v));
    out.push(`<line x1="${x}" y1="${botY + bottom}" x2="${x}" y2="${botY + bottom + 4}" stroke="#000000"/>`);
    out.push(`<text x="${x}" y="${botY + bottom + 16}" text-anchor="middle">${n(v)}</text>`);
  }
  out.push(`<text x="${n(margin.left + plotW / 2)}" y="${botY + bottom + 32}" text-anchor="middle">time (s)</text>`);
  const legendItems: [string, string, string][] = [];
  latency.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    if (s.points.length > 0) out.push(`<polyline points="${s.points.map(([x, y]) => `${n(sx(x))},${n(sy(y))}`).join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    legendItems.push([color, `latency: ${s.name}`, ""]);
  });
  if (input.trace) {
    const pts: string[] = [];
    const points = input.trace.points;
    points.forEach((p, i) => {
      const x0 = p.atMs / 1000;
      if (x0 > xMax) return;
      const x1 = i + 1 < points.length ? Math.min(points[i + 1]!.atMs / 1000, xMax) : xMax;
      pts.push(`${n(sx(x0))},${n(sr(p.mbps))}`, `${n(sx(x1))},${n(sr(p.mbps))}`);
    });
    out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="#000000" stroke-width="2"/>`);
    legendItems.push(["#000000", input.traceLabel ?? "link rate (trace)", ""]);
  }
  rates.forEach((s, i) => {
    const color = PALETTE[(latency.length + i) % PALETTE.length]!;
    if (s.points.length > 0) out.push(`<polyline points="${s.points.map(([x, y]) => `${n(sx(x))},${n(sr(Math.min(y, rMax)))}`).join(" ")}" fill="none" stroke="${color}" stroke-width="1.2" stroke-dasharray="5 2"/>`);
    legendItems.push([color, s.name, "5 2"]);
  });
  legendItems.forEach(([color, label, dash], i) => {
    const ly = botY + bottom + 52 + 18 * i;
    out.push(`<line x1="${margin.left}" y1="${ly - 4}" x2="${margin.left + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`);
    out.push(`<text x="${margin.left + 24}" y="${ly}">${esc(label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
