/**
 * Test helpers for the planner: hand-built {@link Network}s (blobs, in-place
 * layers and last-writer dataflow resolved the way Caffe does) and seeded
 * random costed DAGs. Used by the tests of src/graph, src/dominators and
 * src/plan and by bench/planner.ts; not part of the public API.
 *
 * @internal
 * @module
 */
import type { Layer, Network, Shape, TensorRef } from "../model/types.js";
import { createCostedDag, type CostedDag } from "./costed-dag.js";
import { mulberry32 } from "../random.js";

/** A layer for {@link handNetwork}: blobs by name, one output shape per top. */
export interface HandLayer {
  readonly name: string;
  readonly type: string;
  readonly bottoms?: readonly string[];
  readonly tops: readonly string[];
  /** Output shape of each top (default `[1, 1]`). */
  readonly shapes?: readonly Shape[];
  readonly parameters?: number;
  readonly params?: Layer["params"];
}

/**
 * Builds a {@link Network} from layers in runtime order: each bottom reads
 * the last writer of its blob before the layer (Caffe's dataflow).
 * @throws {Error} when a bottom has no writer.
 */
export function handNetwork(name: string, specs: readonly HandLayer[]): Network {
  const lastWriter = new Map<string, TensorRef>();
  const shapes = new Map<string, Shape>();
  const layers: Layer[] = [];
  const read = new Set<string>();
  specs.forEach((s, index) => {
    const bottoms = s.bottoms ?? [];
    const inputs = bottoms.map((b) => {
      const ref = lastWriter.get(b);
      if (ref === undefined) throw new Error(`handNetwork: ${s.name} reads ${b}, which no earlier layer writes`);
      read.add(`${ref.layer}:${ref.top}`);
      return ref;
    });
    const outputShapes = s.tops.map((_, t) => s.shapes?.[t] ?? s.shapes?.[0] ?? [1, 1]);
    layers.push({
      index,
      name: s.name,
      type: s.type,
      bottoms,
      tops: s.tops,
      inputs,
      inputShapes: bottoms.map((b) => shapes.get(b)!),
      outputShapes,
      params: s.params ?? {},
      paramShapes: s.parameters ? [[s.parameters]] : [],
      parameters: s.parameters ?? 0,
      macs: 0,
    });
    s.tops.forEach((t, top) => {
      lastWriter.set(t, { layer: index, top });
      shapes.set(t, outputShapes[top]!);
    });
  });
  const inputs: TensorRef[] = [];
  const outputs: TensorRef[] = [];
  for (const l of layers) {
    l.tops.forEach((_, top) => {
      if (l.type === "Input") inputs.push({ layer: l.index, top });
      else if (!read.has(`${l.index}:${top}`) && lastWriter.get(l.tops[top]!)?.layer === l.index) outputs.push({ layer: l.index, top });
    });
  }
  return { name, layers, inputs, outputs };
}

/** Seeded random costs for `n` nodes, in the ranges of real CNN layers. */
function randomCosts(n: number, random: () => number) {
  const clientMs = new Float64Array(n);
  const serverMs = new Float64Array(n);
  const paramBytes = new Float64Array(n);
  const outputBytes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    clientMs[i] = random() * 50;
    serverMs[i] = clientMs[i]! * (0.002 + random() * 0.05);
    paramBytes[i] = random() < 0.4 ? 0 : Math.floor(random() * 4e6);
    outputBytes[i] = Math.floor(1e3 + random() * 1e6);
  }
  return { clientMs, serverMs, paramBytes, outputBytes };
}

/** A chain of `n` layers with seeded random costs. `O(n)`. */
export function randomChainDag(n: number, seed: number): CostedDag {
  const random = mulberry32(seed);
  const edges = new Int32Array(2 * (n - 1));
  for (let i = 0; i + 1 < n; i++) {
    edges[2 * i] = i;
    edges[2 * i + 1] = i + 1;
  }
  const names = new Array<string>(n);
  for (let i = 0; i < n; i++) names[i] = `l${i}`;
  return createCostedDag({ names, edges, ...randomCosts(n, random), inputBytes: 602112 });
}

/**
 * An Inception-like branching DAG of about `n` layers: a stem, then modules
 * of 4 branches (1, 2, 2 and 2 layers) joined by a concat, repeated. `O(n)`.
 */
export function randomInceptionDag(n: number, seed: number): CostedDag {
  const random = mulberry32(seed);
  const edges: number[] = [];
  let count = 1; // node 0 is the stem
  let last = 0;
  while (count + 8 <= n) {
    const a = count++;
    const b1 = count++;
    const b2 = count++;
    const c1 = count++;
    const c2 = count++;
    const d1 = count++;
    const d2 = count++;
    const concat = count++;
    edges.push(last, a, last, b1, b1, b2, last, c1, c1, c2, last, d1, d1, d2, a, concat, b2, concat, c2, concat, d2, concat);
    last = concat;
  }
  while (count < n) {
    edges.push(last, count);
    last = count++;
  }
  const names = new Array<string>(count);
  for (let i = 0; i < count; i++) names[i] = `l${i}`;
  return createCostedDag({ names, edges: Int32Array.from(edges), ...randomCosts(count, random), inputBytes: 602112 });
}
