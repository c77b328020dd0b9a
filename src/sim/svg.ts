/**
 * A small, dependency-free SVG chart of query latency against the time the
 * query was raised, one series per simulation (IONN §6.2, Figure 7 style:
 * "the X value of each data point is the time when a DNN query is raised, Y
 * value is the time spent to execute the DNN query"). A dashed vertical
 * line marks each series' upload completion.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { SimulationResult } from "./simulate.js";

/** Options of {@link timelineSvg}. */
export interface TimelineSvgOptions {
  /** Chart title (default: the network name(s)). */
  readonly title?: string;
  /** Width in px (default 720). */
  readonly width?: number;
  /** Height in px (default 360). */
  readonly height?: number;
  /** Series colours, cycled (default: a colour-blind-safe palette). */
  readonly colors?: readonly string[];
}

const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

function num(value: number): string {
  return Number(value.toFixed(2)).toString();
}

/**
 * Render results as an SVG document (a string): x = raise time (s), y =
 * latency (ms), points joined by lines, a legend with each series' policy
 * name, and a dashed line at each upload completion.
 *
 * Cost: `O(queries)`.
 *
 * @throws {InvalidArgumentError} when `results` is empty or a size is not positive.
 * @example
 * ```ts
 * const svg = timelineSvg([await simulate({ network: "alexnet", policy: "ionn" }), await simulate({ network: "alexnet", policy: "all-at-once" })]);
 * writeFileSync("alexnet.svg", svg);
 * ```
 */
export function timelineSvg(results: readonly SimulationResult[], options: TimelineSvgOptions = {}): string {
  if (results.length === 0) throw new InvalidArgumentError("timelineSvg: no results to draw");
  const width = options.width ?? 720;
  const height = options.height ?? 360;
  if (!(width > 0) || !(height > 0)) throw new InvalidArgumentError(`timelineSvg: width and height must be > 0, got ${width}×${height}`);
  const colors = options.colors ?? PALETTE;
  const title = options.title ?? [...new Set(results.map((r) => r.network))].join(", ");
  const margin = { left: 64, right: 16, top: 36, bottom: 48 + 18 * results.length };
  const plotW = Math.max(1, width - margin.left - margin.right);
  const plotH = Math.max(1, height - margin.top - margin.bottom);

  let xMax = 0;
  let yMax = 0;
  for (const r of results) {
    xMax = Math.max(xMax, r.settings.seconds, (r.uploadCompleteMs ?? 0) / 1000);
    for (const q of r.queries) {
      xMax = Math.max(xMax, q.raisedAtMs / 1000);
      yMax = Math.max(yMax, q.latencyMs);
    }
  }
  const xStep = niceStep(xMax || 1, 8);
  const yStep = niceStep(yMax || 1, 6);
  xMax = Math.max(xStep, Math.ceil((xMax || 1) / xStep) * xStep);
  yMax = Math.max(yStep, Math.ceil((yMax || 1) / yStep) * yStep);
  const sx = (s: number) => margin.left + (s / xMax) * plotW;
  const sy = (ms: number) => margin.top + plotH - (ms / yMax) * plotH;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${num(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  // grid and ticks
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const y = num(sy(v));
    parts.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${num(v)}</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    const x = num(sx(v));
    parts.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 4}" stroke="#000000"/>`);
    parts.push(`<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="middle">${num(v)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#000000"/>`);
  parts.push(`<text x="${num(margin.left + plotW / 2)}" y="${margin.top + plotH + 32}" text-anchor="middle">time the query was raised (s)</text>`);
  parts.push(`<text transform="translate(16 ${num(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle">query latency (ms)</text>`);
  // series
  results.forEach((r, i) => {
    const color = colors[i % colors.length]!;
    if (r.uploadCompleteMs !== null) {
      const x = num(sx(r.uploadCompleteMs / 1000));
      parts.push(`<line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="${color}" stroke-dasharray="4 3" stroke-opacity="0.7"/>`);
    }
    if (r.queries.length > 0) {
      const points = r.queries.map((q) => `${num(sx(q.raisedAtMs / 1000))},${num(sy(q.latencyMs))}`).join(" ");
      parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      for (const q of r.queries) parts.push(`<circle cx="${num(sx(q.raisedAtMs / 1000))}" cy="${num(sy(q.latencyMs))}" r="2.5" fill="${color}"/>`);
    }
    const lx = margin.left;
    const ly = margin.top + plotH + 54 + 18 * i;
    const upload = r.uploadCompleteMs === null ? "" : `, upload done ${num(r.uploadCompleteMs / 1000)} s`;
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}">${escapeXml(`${r.policy}${upload}`)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
