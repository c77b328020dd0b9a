/**
 * Bounded work before work: an edge server checks every layer definition a
 * client uploads against {@link WorkLimits} before it accepts the partition,
 * so no kernel ever runs with a count nobody checked (issue 12; the server
 * side of IONN §4, Figure 3, shared by hostile clients).
 *
 * The check trusts nothing the client computed. From the layer's declared
 * input shapes and its parameters it recomputes the output shapes and the
 * learned-blob shapes with the reference executor's shape rules and refuses
 * the layer when they differ from what it declares; then it derives an upper
 * bound on the work of the layer's kernel: the largest tensor, the
 * multiply–accumulates, the scratch buffer (im2col, col2im, padded planes),
 * and the loop iterations, with every zero dimension counted as 1 so that an
 * empty tensor with a huge dimension (the `Tile` attack: hello, one `Tile`
 * layer with `tiles` = 2^31 − 1 on an empty input, one execute) is refused at
 * upload instead of spinning the server.
 *
 * @module
 */
import { InvalidModelError, IonnError } from "../errors.js";
import { SUPPORTED_LAYER_TYPES, layerOutputShapes, layerParamShapes } from "../executor/layer.js";
import type { Layer, Shape } from "../model/types.js";

/** Limits on the work one uploaded layer may declare (all configurable on the server). */
export interface WorkLimits {
  /** Most elements of any tensor a layer reads or writes (default 2^27 = 512 MiB of float32). */
  readonly maxTensorElements: number;
  /** Most multiply–accumulates (or element operations) one layer may cost (default 2·10^10). */
  readonly maxLayerMacs: number;
  /** Most scratch bytes a layer's kernel may need (im2col/col2im columns, padded planes; default 256 MiB). */
  readonly maxScratchBytes: number;
  /**
   * Most iterations of a kernel's structural loops (over the dimensions of
   * its tensors, and Tile's copies), counted with every zero dimension taken
   * as 1, since a kernel loops over dimensions even when another one is
   * empty (default 2^28). Arithmetic is bounded by `maxLayerMacs`.
   */
  readonly maxLoopIterations: number;
  /** Accept declared tensors with a zero dimension (default `false`: no supported network has one). */
  readonly allowEmptyTensors: boolean;
}

/** The default {@link WorkLimits}. */
export const DEFAULT_WORK_LIMITS: WorkLimits = Object.freeze({
  maxTensorElements: 2 ** 27,
  maxLayerMacs: 2e10,
  maxScratchBytes: 256 * 2 ** 20,
  maxLoopIterations: 2 ** 28,
  allowEmptyTensors: false,
});

/** The work bound of one layer, as derived by {@link layerWork}. */
export interface LayerWork {
  /** Elements of the largest tensor the layer reads or writes. */
  readonly maxTensorElements: number;
  /** Multiply–accumulates or element operations (upper bound). */
  readonly macs: number;
  /** Scratch bytes the kernel allocates besides its outputs. */
  readonly scratchBytes: number;
  /** Structural loop iterations with zero dimensions counted as 1 (upper bound). */
  readonly loopIterations: number;
  /** Bytes of the outputs the layer allocates. */
  readonly outputBytes: number;
}

/** An uploaded layer over a {@link WorkLimits} limit or with shapes that do not follow from its parameters. */
export class WorkLimitError extends IonnError {
  /** The class name, `"WorkLimitError"`. */
  override name = "WorkLimitError";
  constructor(
    message: string,
    /** The limit (or check) that refused the layer. */
    readonly limit: keyof WorkLimits | "shapes" | "type",
  ) {
    super(message);
  }
}

/**
 * Fill in defaults for partial work limits.
 * @throws {@link WorkLimitError} when a numeric limit is not a positive number.
 */
export function resolveWorkLimits(limits: Partial<WorkLimits> = {}): WorkLimits {
  const resolved = { ...DEFAULT_WORK_LIMITS, ...limits };
  for (const field of ["maxTensorElements", "maxLayerMacs", "maxScratchBytes", "maxLoopIterations"] as const) {
    const value = resolved[field];
    if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
      throw new WorkLimitError(`work limits: ${field} must be a positive number, got ${String(value)}`, field);
    }
  }
  return resolved;
}

const nz = (d: number): number => (d > 0 ? d : 1);
/** Product of a shape's dimensions (0 when one is 0). */
function size(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
/** Product with zero dimensions taken as 1: how many iterations nested loops over the shape may make. */
function loopSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= nz(d);
  return n;
}

function sameShapes(a: readonly Shape[], b: readonly Shape[]): boolean {
  return a.length === b.length && a.every((s, i) => s.length === b[i]!.length && s.every((d, j) => d === b[i]![j]));
}

function fmt(shapes: readonly Shape[]): string {
  return shapes.map((s) => `[${s.join(", ")}]`).join(", ");
}

function num(params: unknown, field: string, fallback: number): number {
  const value = (params as Record<string, unknown>)[field];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * Derive the work bound of one layer from its declared shapes and
 * parameters (no tensor is allocated; cost O(rank · inputs)). The shapes are
 * not checked here; {@link checkLayerWork} does that first.
 */
export function layerWork(layer: Pick<Layer, "type" | "params" | "inputShapes" | "outputShapes">): LayerWork {
  const shapes = [...layer.inputShapes, ...layer.outputShapes];
  let maxTensorElements = 0;
  let touched = 0;
  let loops = 0;
  for (const s of shapes) {
    maxTensorElements = Math.max(maxTensorElements, size(s));
    touched += size(s);
    loops += loopSize(s);
  }
  const outputBytes = layer.outputShapes.reduce((a, s) => a + 4 * size(s), 0);
  const input = layer.inputShapes[0] ?? [];
  const output = layer.outputShapes[0] ?? [];
  const p = layer.params;
  let macs = touched;
  let scratch = 0;
  switch (layer.type) {
    case "Convolution": {
      const group = nz(num(p, "group", 1));
      const kh = nz(num(p, "kernelH", 1));
      const kw = nz(num(p, "kernelW", 1));
      const cinG = nz(input[1] ?? 1) / group;
      const spatial = nz(output[2] ?? 1) * nz(output[3] ?? 1);
      const work = loopSize(output) * cinG * kh * kw;
      macs += work;
      // im2col columns, or the padded plane of a depthwise channel.
      const columns = cinG * kh * kw * spatial;
      const padded = (nz(input[2] ?? 1) + 2 * num(p, "padH", 0)) * (nz(input[3] ?? 1) + 2 * num(p, "padW", 0));
      scratch = 4 * Math.max(columns, padded);
      break;
    }
    case "Deconvolution": {
      const group = nz(num(p, "group", 1));
      const kh = nz(num(p, "kernelH", 1));
      const kw = nz(num(p, "kernelW", 1));
      const coutG = nz(output[1] ?? 1) / group;
      const rows = coutG * kh * kw;
      const spatial = nz(input[2] ?? 1) * nz(input[3] ?? 1);
      const work = loopSize(input) * rows;
      macs += work;
      scratch = 4 * rows * (spatial + nz(input[1] ?? 1) / group);
      break;
    }
    case "InnerProduct": {
      const work = loopSize(input) * nz(output[output.length - 1] ?? 1);
      macs += work;
      break;
    }
    case "Pooling": {
      const global = (p as { global?: unknown }).global === true;
      const window = global ? nz(input[2] ?? 1) * nz(input[3] ?? 1) : nz(num(p, "kernelH", 1)) * nz(num(p, "kernelW", 1));
      macs += loopSize(output) * window;
      break;
    }
    case "LRN": {
      const local = nz(num(p, "localSize", 5));
      const within = (p as { region?: unknown }).region === "within_channel";
      const work = loopSize(input) * (within ? local * local : local);
      macs += work;
      break;
    }
    case "Tile": {
      // for each index before `axis`, the block is written `tiles` times, even when it is empty.
      const tiles = nz(num(p, "tiles", 1));
      const rank = input.length;
      let axis = num(p, "axis", 1);
      if (axis < 0) axis += rank;
      const outer = loopSize(input.slice(0, Math.max(0, Math.min(rank, axis))));
      loops += outer * tiles;
      macs += outer * tiles;
      break;
    }
    case "ArgMax": {
      const topK = nz(num(p, "topK", 1));
      macs += loopSize(input) * topK;
      break;
    }
    default:
      break;
  }
  return { maxTensorElements, macs, scratchBytes: scratch, loopIterations: loops, outputBytes };
}

/**
 * Check one uploaded layer: its type must be one the reference kernels run,
 * its declared output and blob shapes must be the ones its input shapes and
 * parameters give, and its {@link layerWork} must be within `limits`.
 * Returns the work bound. Cost: O(rank · inputs) — no tensor is allocated.
 *
 * @throws {@link WorkLimitError} naming the layer and the limit.
 * @example
 * ```ts
 * checkLayerWork(layer, resolveWorkLimits({ maxLayerMacs: 1e9 }));
 * ```
 */
export function checkLayerWork(layer: Layer, limits: WorkLimits = DEFAULT_WORK_LIMITS): LayerWork {
  const where = `layer ${layer.index} "${layer.name}" (${layer.type})`;
  if (!SUPPORTED_LAYER_TYPES.has(layer.type)) {
    throw new WorkLimitError(`${where}: type not run by this server`, "type");
  }
  for (const shape of [...layer.inputShapes, ...layer.outputShapes, ...layer.paramShapes]) {
    if (!limits.allowEmptyTensors && shape.includes(0)) {
      throw new WorkLimitError(`${where}: declares an empty tensor [${shape.join(", ")}]`, "allowEmptyTensors");
    }
    if (loopSize(shape) > limits.maxLoopIterations) {
      throw new WorkLimitError(`${where}: tensor [${shape.join(", ")}] spans more than ${limits.maxLoopIterations} loop iterations`, "maxLoopIterations");
    }
  }
  for (const shape of [...layer.inputShapes, ...layer.outputShapes, ...layer.paramShapes]) {
    if (size(shape) > limits.maxTensorElements) {
      throw new WorkLimitError(`${where}: tensor [${shape.join(", ")}] has more than ${limits.maxTensorElements} elements`, "maxTensorElements");
    }
  }
  if (layer.type !== "Input") {
    let outputs: Shape[];
    let blobs: Shape[];
    try {
      outputs = layerOutputShapes(layer, layer.inputShapes, layer.tops.length);
      blobs = layerParamShapes(layer, layer.inputShapes);
    } catch (error) {
      const text = error instanceof InvalidModelError || error instanceof IonnError ? error.message : String(error);
      throw new WorkLimitError(`${where}: its parameters do not fit its input shapes: ${text}`, "shapes");
    }
    if (!sameShapes(outputs, layer.outputShapes)) {
      throw new WorkLimitError(`${where}: declares outputs ${fmt(layer.outputShapes)}, its parameters give ${fmt(outputs)}`, "shapes");
    }
    if (!sameShapes(blobs, layer.paramShapes)) {
      throw new WorkLimitError(`${where}: declares blobs ${fmt(layer.paramShapes)}, its parameters give ${fmt(blobs)}`, "shapes");
    }
  }
  const work = layerWork(layer);
  if (work.macs > limits.maxLayerMacs) {
    throw new WorkLimitError(`${where}: costs about ${work.macs.toExponential(2)} operations, limit ${limits.maxLayerMacs.toExponential(2)}`, "maxLayerMacs");
  }
  if (work.scratchBytes > limits.maxScratchBytes) {
    throw new WorkLimitError(`${where}: needs ${work.scratchBytes} scratch bytes, limit ${limits.maxScratchBytes}`, "maxScratchBytes");
  }
  if (work.loopIterations > limits.maxLoopIterations) {
    throw new WorkLimitError(`${where}: loops about ${work.loopIterations.toExponential(2)} times, limit ${limits.maxLoopIterations.toExponential(2)}`, "maxLoopIterations");
  }
  return work;
}
