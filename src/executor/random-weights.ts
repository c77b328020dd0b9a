/**
 * Seeded, deterministic learned weights for any network, so that the
 * executor, the runtime tests and the simulator can run real tensors without
 * trained model files (IONN §6 evaluates latency, not accuracy). Each layer's
 * blobs depend only on the seed and the layer's name and blob shapes, so a
 * client and a server that generate weights for different subsets of the
 * layers agree on every layer they share.
 *
 * Reference: T. Ettinger, "mulberry32" (public-domain 32-bit PRNG); K. He et
 * al., "Delving deep into rectifiers" (He initialisation), ICCV 2015.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import type { Layer, Network, Shape } from "../model/types.js";
import { shapeSize } from "../model/types.js";
import { mulberry32 } from "../random.js";

export { mulberry32 };

/** FNV-1a hash of a string mixed with a seed, for per-layer streams. */
function layerSeed(seed: number, name: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // Mix in the seed again so seeds that differ in high bits differ early.
  return (hash ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
}

function uniform(next: () => number, size: number, low: number, high: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * next();
  return out;
}

/** He-uniform bound `sqrt(6 / fanIn)`, fan-in = the weight blob's size over its first dimension. */
function heBound(shape: Shape): number {
  const fanIn = Math.max(1, shapeSize(shape) / Math.max(1, shape[0] ?? 1));
  return Math.sqrt(6 / fanIn);
}

/**
 * Generates learned blobs for every layer with {@link Layer.paramShapes},
 * shaped as those shapes, from a seeded generator:
 * - Convolution / InnerProduct (and any other type's first blob): He-uniform
 *   in `±sqrt(6 / fanIn)`; biases uniform in `±0.1`;
 * - BatchNorm: mean in `±0.1`, variance in `[0.5, 1.5]` (positive), factor 1;
 * - Scale: scale in `[0.5, 1.5]`, bias in `±0.1`;
 * - PReLU: slopes in `[0, 0.5]` (Caffe initialises them to 0.25);
 * - Bias: offsets in `±0.1`.
 *
 * A layer's blobs depend only on `seed`, its name and its blob shapes (not on
 * which other layers are passed). Cost: one generator step per parameter
 * (AlexNet's 61 M parameters take about a second and 233 MiB).
 *
 * @param layers the network or its layers (layers without parameters get no entry)
 * @param seed any 32-bit integer (default 0)
 * @throws {@link InvalidArgumentError} when the seed is not a finite number.
 * @example
 * ```ts
 * const weights = randomWeights(network, 1);
 * await executor.load(network.layers, weights);
 * ```
 */
export function randomWeights(layers: readonly Layer[] | Network, seed = 0): Map<string, Float32Array[]> {
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`randomWeights: seed must be a finite number, got ${seed}`);
  const list = "layers" in layers ? layers.layers : layers;
  const weights = new Map<string, Float32Array[]>();
  for (const layer of list) {
    if (layer.paramShapes.length === 0) continue;
    weights.set(layer.name, layerRandomWeights(layer, seed));
  }
  return weights;
}

function layerRandomWeights(layer: Layer, seed: number): Float32Array[] {
  const next = mulberry32(layerSeed(seed, layer.name));
  const shapes = layer.paramShapes;
  switch (layer.type) {
    case "BatchNorm":
      return shapes.map((s, i) => {
        const size = shapeSize(s);
        if (i === 0) return uniform(next, size, -0.1, 0.1);
        if (i === 1) return uniform(next, size, 0.5, 1.5);
        return new Float32Array(size).fill(1);
      });
    case "Scale":
      return shapes.map((s, i) => (i === 0 && layer.inputs.length < 2 ? uniform(next, shapeSize(s), 0.5, 1.5) : uniform(next, shapeSize(s), -0.1, 0.1)));
    case "PReLU":
      return shapes.map((s) => uniform(next, shapeSize(s), 0, 0.5));
    case "Bias":
      return shapes.map((s) => uniform(next, shapeSize(s), -0.1, 0.1));
    default:
      return shapes.map((s, i) => {
        const bound = i === 0 ? heBound(s) : 0.1;
        return uniform(next, shapeSize(s), -bound, bound);
      });
  }
}
