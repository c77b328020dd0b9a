/**
 * Size sanity checks on an imported network: counts past 2^53 (where a
 * JavaScript number stops counting exactly) and tensors too large to run.
 *
 * @module
 */
import type { Network } from "./types.js";

/** One activation tensor above this many bytes (float32) is reported: 4 GiB. */
export const LARGE_TENSOR_BYTES = 2 ** 32;

/**
 * Warnings about sizes no device runs and counts that lose precision:
 * every layer output above {@link LARGE_TENSOR_BYTES}, and per-layer or total
 * parameters / MACs / elements above `Number.MAX_SAFE_INTEGER` (2^53 − 1).
 * At most `limit` layer warnings, then a count of the rest.
 */
export function networkSizeWarnings(network: Network, limit = 3): string[] {
  const warnings: string[] = [];
  let skipped = 0;
  const add = (text: string) => (warnings.length < limit ? warnings.push(text) : skipped++);
  let macs = 0;
  let parameters = 0;
  let unsafe = false;
  for (const layer of network.layers) {
    macs += layer.macs;
    parameters += layer.parameters;
    for (const shape of layer.outputShapes) {
      let elements = 1;
      for (let d = 0; d < shape.length; d++) elements *= shape[d]!;
      if (!Number.isSafeInteger(elements)) unsafe = true;
      if (elements * 4 > LARGE_TENSOR_BYTES) {
        add(`layer "${layer.name}" outputs ${shape.join("x")} = ${elements.toExponential(2)} float32 elements (${(elements * 4 / 2 ** 30).toFixed(0)} GiB); check the input shape`);
      }
    }
    if (!Number.isSafeInteger(layer.macs) || !Number.isSafeInteger(layer.parameters)) unsafe = true;
  }
  if (skipped > 0) warnings.push(`… and ${skipped} more layers with outputs above ${LARGE_TENSOR_BYTES / 2 ** 30} GiB`);
  if (unsafe || !Number.isSafeInteger(macs) || !Number.isSafeInteger(parameters)) {
    warnings.push(`${network.name}: some counts (MACs ${macs.toExponential(3)}, parameters ${parameters.toExponential(3)}) exceed 2^53, so they are approximate (JavaScript numbers count exactly only up to 2^53)`);
  }
  return warnings;
}
