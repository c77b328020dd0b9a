/**
 * AlexNet as the IONN paper ran it (§6.1, Table 1: 24 runtime layers,
 * 233 MB of parameters): the BVLC Caffe reference model, built in code.
 *
 * Follows BVLC/caffe `models/bvlc_alexnet/deploy.prototxt` (Krizhevsky et
 * al., NIPS 2012, "one weird trick" grouping: conv2, conv4 and conv5 use
 * `group: 2`): layer names, order, geometry and in-place ReLU/Dropout are the
 * published ones; the Input batch is 1 (the published file says 10; the
 * project works at batch 1). Runtime list: Input + 23 declared layers, no
 * Split layers (a chain), 60,965,224 learned parameters.
 *
 * @module
 */
import type { CaffeNetSpec } from "../caffe/spec.js";
import {
  NetSpecBuilder,
  convolution,
  dropout,
  innerProduct,
  input,
  lrn,
  pooling,
  relu,
  softmax,
} from "./blocks.js";

/** LRN settings shared by norm1 and norm2. */
const ALEXNET_LRN = { localSize: 5, alpha: 0.0001, beta: 0.75 } as const;

/** The five convolutions: output channels, kernel, stride, pad, groups, and whether LRN + pooling follow. */
const ALEXNET_CONVS = [
  { numOutput: 96, kernel: 11, stride: 4, pad: undefined, group: undefined, norm: true, pool: true },
  { numOutput: 256, kernel: 5, stride: undefined, pad: 2, group: 2, norm: true, pool: true },
  { numOutput: 384, kernel: 3, stride: undefined, pad: 1, group: undefined, norm: false, pool: false },
  { numOutput: 384, kernel: 3, stride: undefined, pad: 1, group: 2, norm: false, pool: false },
  { numOutput: 256, kernel: 3, stride: undefined, pad: 1, group: 2, norm: false, pool: true },
] as const;

/**
 * Builds AlexNet (BVLC deploy) as a Caffe net description.
 *
 * Cost: O(layers), a few microseconds.
 *
 * @example
 * ```ts
 * const spec = alexnetSpec();
 * spec.layer.length; // 24 (Input included; Caffe inserts no Split here)
 * ```
 */
export function alexnetSpec(): CaffeNetSpec {
  const net = new NetSpecBuilder("AlexNet");
  net.add(input("data", [1, 3, 227, 227]));
  let blob = "data";
  ALEXNET_CONVS.forEach((c, i) => {
    const n = i + 1;
    const conv = `conv${n}`;
    net.add(
      convolution(conv, blob, conv, {
        numOutput: c.numOutput,
        kernel: c.kernel,
        ...(c.stride !== undefined ? { stride: c.stride } : {}),
        ...(c.pad !== undefined ? { pad: c.pad } : {}),
        ...(c.group !== undefined ? { group: c.group } : {}),
      }),
      relu(`relu${n}`, conv),
    );
    blob = conv;
    if (c.norm) {
      net.add(lrn(`norm${n}`, blob, `norm${n}`, ALEXNET_LRN));
      blob = `norm${n}`;
    }
    if (c.pool) {
      net.add(pooling(`pool${n}`, blob, `pool${n}`, { method: "MAX", kernel: 3, stride: 2 }));
      blob = `pool${n}`;
    }
  });
  // Classifier: fc6, fc7 (ReLU + Dropout 0.5 in place), fc8, softmax.
  for (const n of [6, 7]) {
    const fc = `fc${n}`;
    net.add(innerProduct(fc, blob, fc, 4096), relu(`relu${n}`, fc), dropout(`drop${n}`, fc, 0.5));
    blob = fc;
  }
  net.add(innerProduct("fc8", blob, "fc8", 1000), softmax("prob", "fc8", "prob"));
  return net.build();
}
