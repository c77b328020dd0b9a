/**
 * Regression variables of a layer: the quantities a prediction function
 * (IONN §4 "Install Phase (Server)") regresses layer time on.
 *
 * Two variable sets:
 * - `neurosurgeon` — Neurosurgeon's per-type variables (Kang et al., ASPLOS
 *   2017, Table 2), which the IONN paper says it used: Convolution (and
 *   Deconvolution): input feature-map size and (filter size / stride)² ×
 *   filters; InnerProduct: inputs and outputs; Pooling: input size and output
 *   size; every other type (activation, LRN, BatchNorm, …): input size, as
 *   IONN does "for the layers not mentioned in [20]".
 * - `ionn-reference` — the single variable x of the authors' code
 *   (../shared/reference/ionn-reference-conventions.md): Convolution
 *   H_out·W_out·C_out·k²·C_in (group ignored); Pooling output elements·k²
 *   (× pad when pad > 0; 0 for global pooling); InnerProduct output
 *   elements·num_output; Eltwise output elements·H_out; other types output
 *   elements.
 *
 * Variables are identified by name so a fitted function carries its own
 * recipe and can be evaluated on any {@link Layer}.
 *
 * @module
 */
import { UnsupportedLayerError } from "../errors.js";
import type { ConvolutionParams, InnerProductParams, Layer, PoolingParams } from "../model/types.js";
import { shapeSize } from "../model/types.js";

/** Which regression variables a fit uses. */
export type VariableSet = "neurosurgeon" | "ionn-reference";

/** The variable sets, for validation and CLI help. */
export const VARIABLE_SETS: readonly VariableSet[] = ["neurosurgeon", "ionn-reference"];

/**
 * Names of the regression variables.
 * - `inputSize`: elements of all inputs; `outputSize`: elements of all outputs;
 * - `filterTerm`: (kernelH·kernelW)/(strideH·strideW) × num_output (Neurosurgeon's (filter/stride)²·filters);
 * - `inputs` / `outputs`: InnerProduct input neurons and num_output;
 * - `x`: the IONN authors' single variable (see the module comment).
 */
export type VariableName = "inputSize" | "outputSize" | "filterTerm" | "inputs" | "outputs" | "x";

/** All variable names. */
export const VARIABLE_NAMES: readonly VariableName[] = ["inputSize", "outputSize", "filterTerm", "inputs", "outputs", "x"];

/** The variable a type without samples (or not in Neurosurgeon's table) is fitted on. */
export const FALLBACK_VARIABLE: VariableName = "inputSize";

/**
 * The regression variables of a layer type in a variable set.
 *
 * @example
 * ```ts
 * regressionVariableNames("neurosurgeon", "Convolution"); // ["inputSize", "filterTerm"]
 * regressionVariableNames("ionn-reference", "ReLU");      // ["x"]
 * ```
 */
export function regressionVariableNames(set: VariableSet, type: string): readonly VariableName[] {
  if (set === "ionn-reference") return ["x"];
  switch (type) {
    case "Convolution":
    case "Deconvolution":
      return ["inputSize", "filterTerm"];
    case "InnerProduct":
      return ["inputs", "outputs"];
    case "Pooling":
      return ["inputSize", "outputSize"];
    default:
      return ["inputSize"];
  }
}

function sumSizes(shapes: readonly (readonly number[])[]): number {
  let total = 0;
  for (const s of shapes) total += shapeSize(s);
  return total;
}

function where(layer: Layer): string {
  return `layer "${layer.name}" (${layer.type})`;
}

function need<T>(value: T | undefined, layer: Layer, field: string): T {
  if (value === undefined || (typeof value === "number" && !Number.isFinite(value))) {
    throw new UnsupportedLayerError(`regression variables: ${where(layer)} has no usable ${field}`);
  }
  return value;
}

/** The IONN authors' single variable x of a layer (see the module comment). */
export function ionnReferenceX(layer: Layer): number {
  const out = layer.outputShapes[0] ?? [];
  const outElements = sumSizes(layer.outputShapes);
  switch (layer.type) {
    case "Convolution":
    case "Deconvolution": {
      const p = layer.params as ConvolutionParams;
      const cin = need(layer.inputShapes[0]?.[1], layer, "input channels");
      return shapeSize(out) * need(p.kernelH, layer, "kernelH") * need(p.kernelW, layer, "kernelW") * cin;
    }
    case "Pooling": {
      const p = layer.params as PoolingParams;
      if (p.global) return 0; // the authors read the unset kernel_size, 0
      const base = outElements * need(p.kernelH, layer, "kernelH") * need(p.kernelW, layer, "kernelW");
      return p.padH > 0 ? base * p.padH : base;
    }
    case "InnerProduct":
      return outElements * need((layer.params as InnerProductParams).numOutput, layer, "numOutput");
    case "Eltwise":
      return outElements * (out.length >= 3 ? out[2]! : 1);
    default:
      return outElements;
  }
}

/**
 * Value of one regression variable for a layer.
 * Cost: O(number of input/output dimensions).
 * @throws {@link UnsupportedLayerError} when the layer lacks what the variable needs
 *   (e.g. `filterTerm` of a layer without convolution parameters).
 */
export function variableValue(name: VariableName, layer: Layer): number {
  switch (name) {
    case "inputSize":
      return sumSizes(layer.inputShapes);
    case "outputSize":
      return sumSizes(layer.outputShapes);
    case "filterTerm": {
      const p = layer.params as ConvolutionParams;
      const k = need(p.kernelH, layer, "kernelH") * need(p.kernelW, layer, "kernelW");
      const s = need(p.strideH, layer, "strideH") * need(p.strideW, layer, "strideW");
      return (k / s) * need(p.numOutput, layer, "numOutput");
    }
    case "inputs":
      return shapeSize(need(layer.inputShapes[0], layer, "input shape"));
    case "outputs": {
      const p = layer.params as InnerProductParams;
      return p.numOutput !== undefined ? p.numOutput : sumSizes(layer.outputShapes);
    }
    case "x":
      return ionnReferenceX(layer);
  }
}

/** Values of several variables for a layer, in order. */
export function variableValues(names: readonly VariableName[], layer: Layer): number[] {
  return names.map((n) => variableValue(n, layer));
}
