/**
 * Virtual weights for the simulator (IONN §6: what matters is how many
 * parameter bytes cross the link, not their values). Every blob is a
 * zero-filled `Float32Array` of the declared size, and all of them are views
 * on ONE zero-filled buffer as large as the largest blob (shared by every
 * call in the process). The
 * buffer is never written, so the operating system maps its pages lazily:
 * AlexNet's 233 MB of weights cost a single ~151 MB virtual allocation
 * (fc6) and almost no resident memory. The runtime checks the blob sizes and
 * charges the link their full byte count, exactly as for real weights.
 *
 * NOTE: treat the blobs as read-only. The shape-only executor never reads
 * them; the reference executor would compute with zeros.
 *
 * @module
 */
import type { Network } from "../model/types.js";
import { shapeSize } from "../model/types.js";
import type { LayerWeights } from "../runtime/types.js";

// NOTE: one process-wide zero buffer, grown on demand and never written, so
// repeated simulations do not each map (and make the garbage collector
// account for) a model-sized allocation. It holds no observable state.
let shared = new ArrayBuffer(0);

function zeroBuffer(bytes: number): ArrayBuffer {
  if (shared.byteLength < bytes) shared = new ArrayBuffer(bytes);
  return shared;
}

/**
 * Zero-valued blobs of the right sizes for every layer with parameters,
 * sharing one buffer. Cost: `O(blobs)` plus one lazily mapped allocation.
 *
 * @example
 * ```ts
 * const weights = virtualWeights(zooNetwork("alexnet"));
 * weights.get("fc6")![0]!.length; // 37 748 736
 * ```
 */
export function virtualWeights(network: Network): Map<string, LayerWeights> {
  let largest = 0;
  for (const layer of network.layers) for (const shape of layer.paramShapes) largest = Math.max(largest, shapeSize(shape));
  const buffer = zeroBuffer(largest * 4);
  const weights = new Map<string, LayerWeights>();
  for (const layer of network.layers) {
    if (layer.paramShapes.length === 0) continue;
    weights.set(
      layer.name,
      layer.paramShapes.map((shape) => new Float32Array(buffer, 0, shapeSize(shape))),
    );
  }
  return weights;
}
