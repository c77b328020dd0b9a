/**
 * ResNet-50 as the IONN paper ran it (§6.1, Table 1: 245 runtime layers,
 * 98 MB of parameters), built in code.
 *
 * Follows KaimingHe/deep-residual-networks `prototxt/ResNet-50-deploy.prototxt`
 * (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
 * Table 1, 50-layer column): a 7×7/2 stem convolution **with** bias, then
 * bottleneck blocks whose convolutions have no bias (`bias_term: false`),
 * each followed in place by BatchNorm and Scale (bias) and, except the last
 * one of a branch, ReLU; projection shortcuts (`branch1`) in the first block
 * of every stage; `Eltwise` sum then ReLU. The stride-2 downsampling sits on
 * the first 1×1 convolution (`branch2a`) and on `branch1`, as in the
 * original Caffe model. Layer names are the published ones (`res3b_branch2a`,
 * `bn3b_branch2a`, `scale3b_branch2a`, `res3b_branch2a_relu`, `res3b`,
 * `res3b_relu`). Input declared the old way (`input: "data"`,
 * `input_dim: 1 3 224 224`), as in the published file.
 *
 * Runtime list: Input + 228 declared layers + 16 Split layers (each block's
 * input is read by the residual branch and the shortcut) = 245; 25,610,269
 * learned parameters.
 *
 * @module
 */
import type { CaffeLayerSpec, CaffeNetSpec } from "../caffe/spec.js";
import {
  NetSpecBuilder,
  convBnScaleRelu,
  eltwiseSum,
  innerProduct,
  pooling,
  relu,
  softmax,
} from "./blocks.js";

/** One stage: bottleneck width, number of blocks, stride of its first block. */
interface ResNetStage {
  readonly stage: number;
  readonly width: number;
  readonly blocks: number;
  readonly stride: number;
}

/** ResNet-50: 3, 4, 6, 3 bottleneck blocks; output channels are 4 × width. */
const RESNET50_STAGES: readonly ResNetStage[] = [
  { stage: 2, width: 64, blocks: 3, stride: 1 },
  { stage: 3, width: 128, blocks: 4, stride: 2 },
  { stage: 4, width: 256, blocks: 6, stride: 2 },
  { stage: 5, width: 512, blocks: 3, stride: 2 },
];

/** Bottleneck expansion: the block's output has 4 × width channels. */
const BOTTLENECK_EXPANSION = 4;

/**
 * Names of one branch unit of block `<stage><letter>` in KaimingHe's scheme:
 * conv `res2a_branch2a`, `bn2a_branch2a`, `scale2a_branch2a`, ReLU
 * `res2a_branch2a_relu` (when `withRelu`).
 */
function unitNames(block: string, branch: string, withRelu: boolean) {
  return {
    conv: `res${block}_branch${branch}`,
    bn: `bn${block}_branch${branch}`,
    scale: `scale${block}_branch${branch}`,
    ...(withRelu ? { relu: `res${block}_branch${branch}_relu` } : {}),
  };
}

/**
 * One bottleneck block reading `bottom`: optional projection shortcut
 * (`branch1`, 1×1 with the block stride), then 1×1 (stride) → 3×3 → 1×1
 * (×4 channels), `Eltwise` sum with the shortcut and ReLU in place.
 *
 * @param block - Block id, e.g. `"3a"`.
 * @param project - Whether the shortcut is a projection (first block of a stage).
 */
export function bottleneckBlock(
  bottom: string,
  block: string,
  width: number,
  stride: number,
  project: boolean,
): { layers: CaffeLayerSpec[]; top: string } {
  const noBias = { biasTerm: false } as const;
  const layers: CaffeLayerSpec[] = [];
  let shortcut = bottom;
  if (project) {
    const names = unitNames(block, "1", false);
    layers.push(
      ...convBnScaleRelu(names, bottom, {
        numOutput: width * BOTTLENECK_EXPANSION,
        kernel: 1,
        pad: 0,
        stride,
        ...noBias,
      }),
    );
    shortcut = names.conv;
  }
  const a = unitNames(block, "2a", true);
  const b = unitNames(block, "2b", true);
  const c = unitNames(block, "2c", false);
  layers.push(
    ...convBnScaleRelu(a, bottom, { numOutput: width, kernel: 1, pad: 0, stride, ...noBias }),
    ...convBnScaleRelu(b, a.conv, { numOutput: width, kernel: 3, pad: 1, stride: 1, ...noBias }),
    ...convBnScaleRelu(c, b.conv, {
      numOutput: width * BOTTLENECK_EXPANSION,
      kernel: 1,
      pad: 0,
      stride: 1,
      ...noBias,
    }),
  );
  const top = `res${block}`;
  layers.push(eltwiseSum(top, [shortcut, c.conv], top), relu(`${top}_relu`, top));
  return { layers, top };
}

/**
 * Builds ResNet-50 (KaimingHe deploy) as a Caffe net description.
 *
 * Cost: O(layers), well under a millisecond.
 *
 * @example
 * ```ts
 * const spec = resnet50Spec();
 * spec.input; // ["data"] (old-style input declaration)
 * spec.layer.length; // 228 declared layers
 * ```
 */
export function resnet50Spec(): CaffeNetSpec {
  const net = new NetSpecBuilder("ResNet-50", { input: ["data"], input_dim: [1, 3, 224, 224] });
  net.add(
    convBnScaleRelu(
      { conv: "conv1", bn: "bn_conv1", scale: "scale_conv1", relu: "conv1_relu" },
      "data",
      { numOutput: 64, kernel: 7, pad: 3, stride: 2 },
    ),
    pooling("pool1", "conv1", "pool1", { method: "MAX", kernel: 3, stride: 2 }),
  );
  let blob = "pool1";
  for (const stage of RESNET50_STAGES) {
    for (let i = 0; i < stage.blocks; i++) {
      const letter = String.fromCharCode("a".charCodeAt(0) + i);
      const first = i === 0;
      const block = bottleneckBlock(blob, `${stage.stage}${letter}`, stage.width, first ? stage.stride : 1, first);
      net.add(block.layers);
      blob = block.top;
    }
  }
  net.add(
    pooling("pool5", blob, "pool5", { method: "AVE", kernel: 7, stride: 1 }),
    innerProduct("fc1000", "pool5", "fc1000", 1000),
    softmax("prob", "fc1000", "prob"),
  );
  return net.build();
}
