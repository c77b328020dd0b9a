/**
 * Render a Vega-Lite specification to a standalone SVG string in Node (no
 * browser, no canvas): compile with vega-lite, then run a headless Vega view
 * with the `"none"` renderer and serialise its scenegraph. Used by the
 * figures of docs/results.md (IONN §6: Figures 7 and 8, K and bandwidth
 * sweeps).
 *
 * Fonts: the figures name "DejaVu Sans" (installed here and on most Linux
 * machines) with generic fallbacks, so rsvg-convert and browsers render the
 * same glyphs. Without node-canvas Vega estimates text widths, so labels are
 * kept short and padded.
 *
 * @module
 */
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import type { TopLevelSpec } from "vega-lite";

/** Font family used by every figure. */
export const FIGURE_FONT = "DejaVu Sans, Verdana, sans-serif";

/** Shared Vega-Lite config: font, sizes, white background, no grid clutter. */
export const FIGURE_CONFIG = {
  font: FIGURE_FONT,
  background: "white",
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, fontWeight: "bold", anchor: "start", offset: 10 },
  view: { stroke: "#cccccc" },
} as const;

/**
 * Compile a Vega-Lite spec and render it to SVG. The spec's own `config`
 * is merged over {@link FIGURE_CONFIG}.
 *
 * Cost: tens of milliseconds per figure.
 * @throws {Error} from vega-lite or vega when the spec is invalid.
 * @example
 * ```ts
 * const svg = await renderVegaLite({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 * svg.startsWith("<svg"); // true
 * ```
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const withConfig = { ...spec, config: { ...FIGURE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = vegaLite.compile(withConfig).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return svg.endsWith("\n") ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}
