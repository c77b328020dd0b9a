/**
 * Planner presets: `paper` (IONN §5, Algorithm 1 as printed) and
 * `ionn-reference` (the IONN authors' code, as described in
 * `reference/ionn-reference-conventions.md`).
 *
 * @module
 */
import type { Layer } from "../model/types.js";
import { shapeBytes } from "../model/types.js";
import type { EdgeMode } from "../graph/from-network.js";

/** Names of the built-in presets. */
export type PresetName = "paper" | "ionn-reference";

/** Everything a preset fixes about the planner. */
export interface PlannerPreset {
  /** The preset's name (a built-in {@link PresetName}, or a custom preset's own). */
  readonly name: PresetName | (string & {});
  /** How the layer DAG is read from the network. */
  readonly edges: EdgeMode;
  /** Bits in a megabit (1e6 or 2^20). */
  readonly megabit: number;
  /** Algorithm 1's threshold on the upload factor. */
  readonly threshold: number;
  /** Whether a final round at factor 0 runs. */
  readonly finalRound: boolean;
  /** float32 weights, path sums and factors. */
  readonly float32: boolean;
  /** Server loading time of a layer once uploaded (ms); absent = 0. */
  readonly loadMs?: (layer: Layer) => number;
}

/**
 * Server loading time of a layer in the IONN authors' code (ms):
 * Convolution `0.003 × num_output + 0.7`; InnerProduct
 * `3e-7 × num_output × input_bytes + 1.3` (input bytes: float32 input blob
 * at batch 1); any other layer `0.00005`.
 */
export function referenceLoadMs(layer: Layer): number {
  const params = layer.params as { numOutput?: number };
  if (layer.type === "Convolution") return 0.003 * (params.numOutput ?? 0) + 0.7;
  if (layer.type === "InnerProduct") {
    const input = layer.inputShapes[0];
    const inputBytes = input ? shapeBytes(input) : 0;
    return 3e-7 * (params.numOutput ?? 0) * inputBytes + 1.3;
  }
  return 0.00005;
}

/** The `paper` preset: dataflow DAG, SI megabits, threshold 0.01, no final round, no load time, float64. */
export const PAPER_PRESET: PlannerPreset = {
  name: "paper",
  edges: "dataflow",
  megabit: 1e6,
  threshold: 0.01,
  finalRound: true,
  float32: false,
};

/**
 * The `ionn-reference` preset: blob-name DAG (Input, Split, Reshape and the
 * output Softmax left out), a megabit is 2^20 bits, server loading time per
 * layer ({@link referenceLoadMs}), threshold 0.001 with a final round at
 * factor 0, float32 arithmetic.
 */
export const IONN_REFERENCE_PRESET: PlannerPreset = {
  name: "ionn-reference",
  edges: "blob-names",
  megabit: 1048576,
  threshold: 0.001,
  finalRound: true,
  float32: true,
  loadMs: referenceLoadMs,
};

/** The built-in presets by name. */
export const PRESETS: Readonly<Record<PresetName, PlannerPreset>> = {
  paper: PAPER_PRESET,
  "ionn-reference": IONN_REFERENCE_PRESET,
};
