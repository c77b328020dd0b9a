/**
 * MobileNet v1 as the IONN paper ran it (§6.1, Table 1: 16 MB), built in code.
 *
 * Architecture: Howard et al., "MobileNets", 2017, Table 1 (width 1.0,
 * 224×224): a 3×3/2 convolution then 13 depthwise-separable blocks (3×3
 * depthwise + 1×1 pointwise), global average pooling and a 1000-way
 * classifier. Caffe form and layer names: the widely used Caffe model by
 * Shicai Yang, repository `shicai/MobileNet-Caffe`, `mobilenet_deploy.prototxt`
 * (the version with in-place BatchNorm and a final `prob` Softmax):
 * - every convolution has no bias (`bias_term: false`) and is followed in
 *   place by BatchNorm (`eps: 1e-5`), Scale with bias and ReLU;
 * - a depthwise convolution is a `Convolution` with `group` = channels
 *   (C·9 weights), named `conv<s>_<i>/dw`; the pointwise one `conv<s>_<i>/sep`;
 *   their units `…/bn`, `…/scale`, `relu<s>_<i>/dw`, `relu<s>_<i>/sep`;
 * - head: `pool6` (global average), `fc7` implemented as a 1×1 Convolution
 *   with 1000 outputs and bias, `prob` Softmax;
 * - input declared the old way (`input: "data"`, `input_dim: 1 3 224 224`).
 *
 * Layer count: the runtime list is Input + 27 × 4 conv units + pool6 + fc7 +
 * prob = 112 layers, no Split layers (a chain); 4,253,891 learned parameters.
 * The IONN paper's Table 1 says 110 layers for MobileNet; the project fixes
 * 112, the count Caffe's runtime list gives for this published definition
 * (the paper's count likely left out two layers, e.g. Input and Softmax, or
 * came from a slightly different file; the source is not given).
 *
 * @module
 */
import type { CaffeNetSpec } from "../caffe/spec.js";
import { NetSpecBuilder, convBnScaleRelu, convolution, pooling, softmax, type ConvolutionOptions } from "./blocks.js";

/** One depthwise-separable block: its name (`"2_1"`), input and output channels and depthwise stride. */
export interface DepthwiseSeparableConfig {
  readonly id: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
}

/** MobileNet v1 (α = 1) blocks, Howard et al. Table 1, with the Caffe model's names. */
const MOBILENET_V1_BLOCKS: readonly DepthwiseSeparableConfig[] = [
  { id: "2_1", inChannels: 32, outChannels: 64, stride: 1 },
  { id: "2_2", inChannels: 64, outChannels: 128, stride: 2 },
  { id: "3_1", inChannels: 128, outChannels: 128, stride: 1 },
  { id: "3_2", inChannels: 128, outChannels: 256, stride: 2 },
  { id: "4_1", inChannels: 256, outChannels: 256, stride: 1 },
  { id: "4_2", inChannels: 256, outChannels: 512, stride: 2 },
  ...[1, 2, 3, 4, 5].map((i) => ({ id: `5_${i}`, inChannels: 512, outChannels: 512, stride: 1 })),
  { id: "5_6", inChannels: 512, outChannels: 1024, stride: 2 },
  { id: "6", inChannels: 1024, outChannels: 1024, stride: 1 },
];

/** BatchNorm epsilon written in the published file. */
const MOBILENET_BN_EPS = 1e-5;

/** Conv (no bias) + BatchNorm + Scale + ReLU with the MobileNet-Caffe names for conv `conv`, ReLU `reluName`. */
function unit(conv: string, reluName: string, bottom: string, options: ConvolutionOptions) {
  return convBnScaleRelu(
    { conv, bn: `${conv}/bn`, scale: `${conv}/scale`, relu: reluName },
    bottom,
    { ...options, biasTerm: false },
    MOBILENET_BN_EPS,
  );
}

/**
 * One depthwise-separable block reading `bottom`: 3×3 depthwise convolution
 * (`group` = input channels, stride as configured, pad 1) and 1×1 pointwise
 * convolution, each with BatchNorm, Scale and ReLU. Output blob
 * `conv<id>/sep`.
 */
export function depthwiseSeparableBlock(bottom: string, c: DepthwiseSeparableConfig) {
  const dw = `conv${c.id}/dw`;
  const sep = `conv${c.id}/sep`;
  const layers = [
    ...unit(dw, `relu${c.id}/dw`, bottom, {
      numOutput: c.inChannels,
      kernel: 3,
      stride: c.stride,
      pad: 1,
      group: c.inChannels,
      extra: { engine: "CAFFE" },
    }),
    ...unit(sep, `relu${c.id}/sep`, dw, { numOutput: c.outChannels, kernel: 1, stride: 1, pad: 0 }),
  ];
  return { layers, top: sep };
}

/**
 * Builds MobileNet v1 (shicai/MobileNet-Caffe deploy) as a Caffe net description.
 *
 * Cost: O(layers), well under a millisecond.
 *
 * @example
 * ```ts
 * const spec = mobilenetV1Spec();
 * spec.layer.length; // 111 declared layers; Caffe adds the Input layer at run time
 * ```
 */
export function mobilenetV1Spec(): CaffeNetSpec {
  const net = new NetSpecBuilder("MOBILENET", { input: ["data"], input_dim: [1, 3, 224, 224] });
  net.add(unit("conv1", "relu1", "data", { numOutput: 32, kernel: 3, stride: 2, pad: 1 }));
  let blob = "conv1";
  for (const config of MOBILENET_V1_BLOCKS) {
    const block = depthwiseSeparableBlock(blob, config);
    net.add(block.layers);
    blob = block.top;
  }
  net.add(
    pooling("pool6", blob, "pool6", { method: "AVE", global: true }),
    convolution("fc7", "pool6", "fc7", { numOutput: 1000, kernel: 1 }),
    softmax("prob", "fc7", "prob"),
  );
  return net.build();
}
