/**
 * A shape-only executor: the same `Executor` interface as the reference
 * executor, but every layer returns zero-filled tensors of its declared output
 * shapes without computing anything. The simulator (IONN §6) uses it to drive
 * the real client and server on a virtual clock, charging each layer's
 * modelled time through `onLayer`.
 *
 * @module
 */
import type { Layer } from "../model/types.js";
import type { Executor } from "./types.js";
import { createEngine } from "./engine.js";
import { zeros } from "./kernels/util.js";

/** Options of {@link shapeOnlyExecutor}. */
export interface ShapeOnlyExecutorOptions {
  /** Called once for every layer run (Input layers included), in run order, before its outputs are made. */
  readonly onLayer?: (layer: Layer) => void;
}

/**
 * Creates an empty shape-only executor. It checks what the reference executor
 * checks at run time (every input tensor available and of the declared size,
 * every layer loaded, requested outputs exist) and weight blob sizes when
 * weights are given; but weights may be omitted (a layer loaded without an
 * entry keeps none), any layer type is accepted (opaque imported layers
 * included), and each layer "computes" zero-filled tensors of
 * {@link Layer.outputShapes}.
 *
 * Cost: one zero-filled allocation per output tensor; no arithmetic.
 *
 * @example
 * ```ts
 * let chargedMs = 0;
 * const executor = shapeOnlyExecutor({ onLayer: (layer) => { chargedMs += device.layerMs(layer); } });
 * await executor.load(network.layers, new Map());
 * ```
 */
export function shapeOnlyExecutor(options: ShapeOnlyExecutorOptions = {}): Executor {
  return createEngine({
    label: "shape-only executor",
    compute: (layer: Layer) => layer.outputShapes.map((shape) => zeros(shape)),
    onLayer: options.onLayer,
    weightsOptional: true,
    anyType: true,
    checkOutputShapes: false,
  });
}
