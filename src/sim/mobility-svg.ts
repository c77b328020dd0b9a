/**
 * A grouped bar chart of mobility runs (issue 11): for each model, the
 * queries served and the mean cold start of each policy. Plain SVG, no
 * dependency.
 *
 * @module
 */
import type { MobilityResult } from "./mobility.js";

const COLORS: Record<string, string> = { none: "#c0504d", shared: "#4f81bd", proactive: "#9bbb59" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Two panels (queries served; mean cold start, ms), one bar group per model, one bar per policy. */
export function mobilitySvg(groups: readonly { readonly model: string; readonly runs: readonly MobilityResult[] }[], title = "Mobility: 5 edge servers"): string {
  const width = 760;
  const panelH = 220;
  const top = 50;
  const left = 70;
  const panelW = (width - left - 40) / 2;
  const policies = [...new Set(groups.flatMap((g) => g.runs.map((r) => r.policy)))];
  const parts: string[] = [];
  const panel = (x0: number, label: string, value: (r: MobilityResult) => number, fmt: (v: number) => string) => {
    const max = Math.max(1, ...groups.flatMap((g) => g.runs.map(value))) * 1.1;
    parts.push(`<text x="${x0 + panelW / 2}" y="${top - 12}" text-anchor="middle" font-size="13">${esc(label)}</text>`);
    parts.push(`<line x1="${x0}" y1="${top + panelH}" x2="${x0 + panelW}" y2="${top + panelH}" stroke="#333"/>`);
    parts.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${top + panelH}" stroke="#333"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4;
      const y = top + panelH - (panelH * t) / 4;
      parts.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="10">${fmt(v)}</text>`);
      if (t > 0) parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + panelW}" y2="${y}" stroke="#ddd"/>`);
    }
    const groupW = panelW / groups.length;
    const barW = (groupW * 0.8) / Math.max(1, policies.length);
    groups.forEach((g, gi) => {
      const gx = x0 + gi * groupW + groupW * 0.1;
      parts.push(`<text x="${gx + groupW * 0.4}" y="${top + panelH + 16}" text-anchor="middle" font-size="11">${esc(g.model)}</text>`);
      policies.forEach((p, pi) => {
        const r = g.runs.find((x) => x.policy === p);
        if (r === undefined) return;
        const v = value(r);
        const h = (panelH * v) / max;
        const x = gx + pi * barW;
        parts.push(`<rect x="${x.toFixed(1)}" y="${(top + panelH - h).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[p] ?? "#888"}"><title>${esc(`${g.model} ${p}: ${fmt(v)}`)}</title></rect>`);
        parts.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(top + panelH - h - 3).toFixed(1)}" text-anchor="middle" font-size="9">${fmt(v)}</text>`);
      });
    });
  };
  panel(left, "queries served over the walk", (r) => r.queriesServed, (v) => v.toFixed(0));
  panel(left + panelW + 60, "mean cold start per server (ms)", (r) => r.meanColdStartMs, (v) => v.toFixed(0));
  const legend = policies.map((p, i) => `<rect x="${left + i * 150}" y="${top + panelH + 30}" width="12" height="12" fill="${COLORS[p] ?? "#888"}"/><text x="${left + i * 150 + 18}" y="${top + panelH + 40}" font-size="11">${esc(p === "none" ? "no store" : p === "shared" ? "shared store" : "proactive push")}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width + 40}" height="${top + panelH + 60}" font-family="sans-serif">
<text x="${(width + 40) / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>
${parts.join("\n")}
${legend.join("\n")}
</svg>
`;
}
