/**
 * Local response normalisation (Caffe `LRN`), float32 NCHW. Part of the
 * reference executor that runs offloaded layers (IONN §4); AlexNet and
 * GoogLeNet use it.
 *
 * Across channels (Caffe `LRNLayer::CrossChannelForward_cpu`):
 * `y = x · (k + α/n · Σ x²)^(−β)`, the sum over the `n` channels
 * `c − ⌊(n−1)/2⌋ … c − ⌊(n−1)/2⌋ + n − 1` (zero outside).
 *
 * Within a channel (Caffe builds it from a split, a square, an average pooling
 * with pad `⌊(n−1)/2⌋`, a power layer with shift 1, and a product):
 * `y = x · (1 + α · avg(x²))^(−β)`, the average over the n×n window using the
 * pooling divisor rule (window clipped to the padded bounds).
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import type { LRNParams } from "../../model/types.js";
import type { Tensor } from "../types.js";
import { nchw } from "./util.js";

/**
 * Runs a local response normalisation (see the module comment).
 *
 * Cost: `O(N·C·H·W)` for across-channel (running sum), `O(N·C·H·W·n²)` within channel.
 *
 * @throws {@link InvalidModelError} on a non-NCHW input or an even local size.
 */
export function lrn(input: Tensor, params: LRNParams): Tensor {
  const [n, c, h, w] = nchw(input, "LRN");
  const size = params.localSize;
  if (!(size >= 1) || size % 2 !== 1) {
    throw new InvalidModelError(`LRN: local_size must be a positive odd number, got ${size}`);
  }
  const x = input.data;
  const out = new Float32Array(x.length);
  const plane = h * w;
  const prePad = (size - 1) / 2;
  if (params.region === "across_channels") {
    const alphaOverSize = params.alpha / size;
    const sums = new Float64Array(plane);
    for (let b = 0; b < n; b++) {
      const base = b * c * plane;
      for (let ch = 0; ch < c; ch++) {
        // Recompute the window sum for each channel in a fixed order (deterministic and exact
        // enough; a running sum would drift by cancellation).
        sums.fill(0);
        const lo = Math.max(0, ch - prePad);
        const hi = Math.min(c - 1, ch - prePad + size - 1);
        for (let q = lo; q <= hi; q++) {
          const qBase = base + q * plane;
          for (let i = 0; i < plane; i++) {
            const v = x[qBase + i]!;
            sums[i] += v * v;
          }
        }
        const cBase = base + ch * plane;
        for (let i = 0; i < plane; i++) {
          out[cBase + i] = x[cBase + i]! * Math.pow(params.k + alphaOverSize * sums[i]!, -params.beta);
        }
      }
    }
  } else {
    for (let p = 0; p < n * c; p++) {
      const base = p * plane;
      for (let y = 0; y < h; y++) {
        let y0 = y - prePad;
        let y1 = Math.min(y0 + size, h + prePad);
        const dh = y1 - y0;
        y0 = Math.max(y0, 0);
        y1 = Math.min(y1, h);
        for (let xo = 0; xo < w; xo++) {
          let x0 = xo - prePad;
          let x1 = Math.min(x0 + size, w + prePad);
          const dw = x1 - x0;
          x0 = Math.max(x0, 0);
          x1 = Math.min(x1, w);
          let sum = 0;
          for (let yy = y0; yy < y1; yy++) {
            for (let xx = x0; xx < x1; xx++) {
              const v = x[base + yy * w + xx]!;
              sum += v * v;
            }
          }
          const i = base + y * w + xo;
          out[i] = x[i]! * Math.pow(1 + params.alpha * (sum / (dh * dw)), -params.beta);
        }
      }
    }
  }
  return { shape: [...input.shape], data: out };
}
