/**
 * Draws docs/figures/execution-graph.svg: the NN execution graph (IONN §5.1,
 * Figure 4) of a three-layer network, built with this library's
 * `buildExecutionGraph`, with the shortest path at upload factor 1 in red and
 * at factor 0 (everything uploaded) dashed.
 *
 *   npx tsx scripts/execution-graph-figure.ts
 */
import { writeFileSync } from "node:fs";
import { buildExecutionGraph, createCostedChain, EDGE_KINDS, shortestPath, shortestPathScratch } from "../src/graph/index.js";

// Three layers A, B, C (as in Figure 4). Bandwidth 8 Mbps = 1000 bytes/ms.
const chain = createCostedChain(20_000, [
  { name: "A", clientMs: 30, serverMs: 2, paramBytes: 10_000, outputBytes: 40_000 },
  { name: "B", clientMs: 120, serverMs: 4, paramBytes: 30_000, outputBytes: 4_000 },
  { name: "C", clientMs: 20, serverMs: 1, paramBytes: 200_000, outputBytes: 400 },
]);
const graph = buildExecutionGraph(chain, { mbps: 8 });

function pathEdges(factor: number): Set<number> {
  const scratch = shortestPathScratch(graph);
  shortestPath(graph, factor, scratch);
  const edges = new Set<number>();
  for (let node = graph.nodeCount - 1; node > 0; ) {
    const edge = scratch.predEdge[node]!;
    edges.add(edge);
    node = graph.edgeFrom[edge]!;
  }
  return edges;
}
const initial = pathEdges(1);
const optimal = pathEdges(0);

const n = graph.groups;
const position = (node: number): [number, number] => {
  if (node === 0) return [110, 40];
  if (node === graph.nodeCount - 1) return [110, 90 + n * 150];
  const g = Math.floor((node - 1) / 3);
  const role = (node - 1) % 3;
  const y = 90 + g * 150;
  return role === 0 ? [110, y] : role === 1 ? [400, y + 35] : [400, y + 115];
};

const parts: string[] = [];
const width = 620;
const height = 150 + n * 150;
parts.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker>`,
  `<marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#d62728"/></marker></defs>`,
  `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
  `<text x="110" y="18" text-anchor="middle" font-weight="bold">client</text>`,
  `<text x="400" y="18" text-anchor="middle" font-weight="bold">server</text>`,
  `<line x1="255" y1="8" x2="255" y2="${height - 30}" stroke="#bbb" stroke-dasharray="4 4"/>`,
);
for (let e = 0; e < graph.edgeCount; e++) {
  const [x1, y1] = position(graph.edgeFrom[e]!);
  const [x2, y2] = position(graph.edgeTo[e]!);
  const kind = EDGE_KINDS[graph.edgeKind[e]!]!;
  const weight = graph.executionMs[e]! + graph.transferMs[e]! + graph.uploadMs[e]! + graph.loadMs[e]!;
  const onInitial = initial.has(e);
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length = Math.hypot(dx, dy);
  const r = 16;
  const sx = x1 + (dx / length) * r;
  const sy = y1 + (dy / length) * r;
  const ex = x2 - (dx / length) * r;
  const ey = y2 - (dy / length) * r;
  const stroke = onInitial ? "#d62728" : "#555";
  parts.push(
    `<line x1="${sx.toFixed(1)}" y1="${sy.toFixed(1)}" x2="${ex.toFixed(1)}" y2="${ey.toFixed(1)}" stroke="${stroke}" stroke-width="${onInitial ? 2.5 : 1.2}" marker-end="url(#${onInitial ? "arrow-red" : "arrow"})"/>`,
  );
  if (optimal.has(e) && !onInitial) {
    parts.push(`<line x1="${sx.toFixed(1)}" y1="${sy.toFixed(1)}" x2="${ex.toFixed(1)}" y2="${ey.toFixed(1)}" stroke="#1f77b4" stroke-width="5" stroke-opacity="0.35" stroke-dasharray="6 4"/>`);
  }
  if (kind === "input" || kind === "server-server") continue;
  const label =
    kind === "server"
      ? `${graph.executionMs[e]!.toFixed(0)} + ${graph.uploadMs[e]!.toFixed(0)}·f ms`
      : `${weight.toFixed(kind === "client" ? 0 : 1)} ms`;
  // Labels of the crossing transfer edges sit near their sources so they do not overlap.
  const t = kind === "upload-input" || kind === "download-output" ? 0.3 : 0.5;
  const lx = x1 + (x2 - x1) * t + (kind === "client" ? -12 : kind === "server" ? 12 : 0);
  const ly = y1 + (y2 - y1) * t + (kind === "upload-input" ? -6 : kind === "download-output" ? 16 : 4);
  parts.push(`<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="${kind === "client" ? "end" : kind === "server" ? "start" : "middle"}" fill="#333">${label}</text>`);
}
for (let node = 0; node < graph.nodeCount; node++) {
  const [x, y] = position(node);
  const server = graph.nodeSide[node] === 1;
  parts.push(
    `<circle cx="${x}" cy="${y}" r="16" fill="${server ? "#fdebd0" : "#d6eaf8"}" stroke="#333"/>`,
    `<text x="${x}" y="${y + 4}" text-anchor="middle">${node}</text>`,
  );
}
for (let g = 0; g < n; g++) {
  const [, y] = position(3 * g + 2);
  parts.push(`<text x="560" y="${y + 44}" text-anchor="middle" font-weight="bold">layer ${chain.names[g]}</text>`);
}
parts.push(
  `<text x="12" y="${height - 30}" fill="#d62728">red: shortest path with full upload cost (f = 1): ${[...initial].length} edges</text>`,
  `<text x="12" y="${height - 12}" fill="#1f77b4">blue dashed: shortest path once everything is uploaded (f = 0)</text>`,
  `</svg>`,
);
writeFileSync(new URL("../docs/figures/execution-graph.svg", import.meta.url), `${parts.join("\n")}\n`);
console.log("wrote docs/figures/execution-graph.svg");
