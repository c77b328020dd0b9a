/**
 * GoogLeNet as the IONN paper ran it (§6.1, Table 1: 152 runtime layers,
 * 27 MB of parameters): the BVLC Caffe reference model, built in code.
 *
 * Follows BVLC/caffe `models/bvlc_googlenet/deploy.prototxt` (Szegedy et
 * al., "Going deeper with convolutions", CVPR 2015, Table 1 of that paper):
 * the stem (7×7/2 conv, max pool, LRN, 1×1 and 3×3 convs, LRN, max pool),
 * nine inception modules with the published layer names
 * (`inception_3a/1x1`, `inception_3a/relu_1x1`, …, `inception_3a/output`),
 * the 7×7 average pool, Dropout 0.4, `loss3/classifier` and `prob`. The
 * auxiliary classifiers are not part of the deploy net. The Input batch is 1
 * (the published file says 10).
 *
 * Runtime list: Input + 142 declared layers + 9 Split layers (one per
 * inception module input, which four branches read) = 152; 6,998,552
 * learned parameters.
 *
 * @module
 */
import type { CaffeLayerSpec, CaffeNetSpec } from "../caffe/spec.js";
import {
  NetSpecBuilder,
  concat,
  convolution,
  dropout,
  innerProduct,
  input,
  lrn,
  pooling,
  relu,
  softmax,
} from "./blocks.js";

/** Output channels of one inception module's branches (GoogLeNet paper, Table 1). */
export interface InceptionV1Config {
  /** Module id, e.g. `"3a"`. */
  readonly id: string;
  readonly n1x1: number;
  readonly n3x3reduce: number;
  readonly n3x3: number;
  readonly n5x5reduce: number;
  readonly n5x5: number;
  readonly poolProj: number;
}

/** Nine modules; a 3×3/2 max pool precedes stages 4 and 5. */
const GOOGLENET_STAGES: readonly (readonly InceptionV1Config[])[] = [
  [
    { id: "3a", n1x1: 64, n3x3reduce: 96, n3x3: 128, n5x5reduce: 16, n5x5: 32, poolProj: 32 },
    { id: "3b", n1x1: 128, n3x3reduce: 128, n3x3: 192, n5x5reduce: 32, n5x5: 96, poolProj: 64 },
  ],
  [
    { id: "4a", n1x1: 192, n3x3reduce: 96, n3x3: 208, n5x5reduce: 16, n5x5: 48, poolProj: 64 },
    { id: "4b", n1x1: 160, n3x3reduce: 112, n3x3: 224, n5x5reduce: 24, n5x5: 64, poolProj: 64 },
    { id: "4c", n1x1: 128, n3x3reduce: 128, n3x3: 256, n5x5reduce: 24, n5x5: 64, poolProj: 64 },
    { id: "4d", n1x1: 112, n3x3reduce: 144, n3x3: 288, n5x5reduce: 32, n5x5: 64, poolProj: 64 },
    { id: "4e", n1x1: 256, n3x3reduce: 160, n3x3: 320, n5x5reduce: 32, n5x5: 128, poolProj: 128 },
  ],
  [
    { id: "5a", n1x1: 256, n3x3reduce: 160, n3x3: 320, n5x5reduce: 32, n5x5: 128, poolProj: 128 },
    { id: "5b", n1x1: 384, n3x3reduce: 192, n3x3: 384, n5x5reduce: 48, n5x5: 128, poolProj: 128 },
  ],
];

const GOOGLENET_LRN = { localSize: 5, alpha: 0.0001, beta: 0.75 } as const;

/**
 * A convolution followed by its in-place ReLU, GoogLeNet naming:
 * `<prefix>/<branch>` and `<prefix>/relu_<reluSuffix>` (the suffix is the
 * branch name except for the stem's `conv1/relu_7x7`).
 */
function convRelu(
  prefix: string,
  branch: string,
  bottom: string,
  numOutput: number,
  kernel: number,
  pad?: number,
  stride?: number,
  reluSuffix: string = branch,
): CaffeLayerSpec[] {
  const name = `${prefix}/${branch}`;
  return [
    convolution(name, bottom, name, {
      numOutput,
      kernel,
      ...(pad !== undefined ? { pad } : {}),
      ...(stride !== undefined ? { stride } : {}),
    }),
    relu(`${prefix}/relu_${reluSuffix}`, name),
  ];
}

/**
 * One inception (v1) module reading `bottom`: 1×1; 1×1 → 3×3; 1×1 → 5×5;
 * 3×3/1 max pool → 1×1, concatenated in that order into
 * `inception_<id>/output`. Layer order is the deploy file's, which fixes the
 * order of the consumers of `bottom` and so the Split layer Caffe inserts.
 */
export function inceptionV1Module(bottom: string, c: InceptionV1Config): { layers: CaffeLayerSpec[]; top: string } {
  const p = `inception_${c.id}`;
  const layers = [
    ...convRelu(p, "1x1", bottom, c.n1x1, 1),
    ...convRelu(p, "3x3_reduce", bottom, c.n3x3reduce, 1),
    ...convRelu(p, "3x3", `${p}/3x3_reduce`, c.n3x3, 3, 1),
    ...convRelu(p, "5x5_reduce", bottom, c.n5x5reduce, 1),
    ...convRelu(p, "5x5", `${p}/5x5_reduce`, c.n5x5, 5, 2),
    pooling(`${p}/pool`, bottom, `${p}/pool`, { method: "MAX", kernel: 3, stride: 1, pad: 1 }),
    ...convRelu(p, "pool_proj", `${p}/pool`, c.poolProj, 1),
    concat(`${p}/output`, [`${p}/1x1`, `${p}/3x3`, `${p}/5x5`, `${p}/pool_proj`], `${p}/output`),
  ];
  return { layers, top: `${p}/output` };
}

/**
 * Builds GoogLeNet (BVLC deploy) as a Caffe net description.
 *
 * Cost: O(layers), well under a millisecond.
 *
 * @example
 * ```ts
 * const spec = googlenetSpec();
 * spec.layer.length; // 143 (Input + 142); Caffe adds 9 Split layers at run time
 * ```
 */
export function googlenetSpec(): CaffeNetSpec {
  const net = new NetSpecBuilder("GoogleNet");
  net.add(
    input("data", [1, 3, 224, 224]),
    convRelu("conv1", "7x7_s2", "data", 64, 7, 3, 2, "7x7"),
    pooling("pool1/3x3_s2", "conv1/7x7_s2", "pool1/3x3_s2", { method: "MAX", kernel: 3, stride: 2 }),
    lrn("pool1/norm1", "pool1/3x3_s2", "pool1/norm1", GOOGLENET_LRN),
    convRelu("conv2", "3x3_reduce", "pool1/norm1", 64, 1),
    convRelu("conv2", "3x3", "conv2/3x3_reduce", 192, 3, 1),
    lrn("conv2/norm2", "conv2/3x3", "conv2/norm2", GOOGLENET_LRN),
    pooling("pool2/3x3_s2", "conv2/norm2", "pool2/3x3_s2", { method: "MAX", kernel: 3, stride: 2 }),
  );
  let blob = "pool2/3x3_s2";
  GOOGLENET_STAGES.forEach((stage, s) => {
    if (s > 0) {
      // pool3/3x3_s2 before stage 4, pool4/3x3_s2 before stage 5.
      const pool = `pool${s + 2}/3x3_s2`;
      net.add(pooling(pool, blob, pool, { method: "MAX", kernel: 3, stride: 2 }));
      blob = pool;
    }
    for (const config of stage) {
      const module = inceptionV1Module(blob, config);
      net.add(module.layers);
      blob = module.top;
    }
  });
  net.add(
    pooling("pool5/7x7_s1", blob, "pool5/7x7_s1", { method: "AVE", kernel: 7, stride: 1 }),
    dropout("pool5/drop_7x7_s1", "pool5/7x7_s1", 0.4),
    innerProduct("loss3/classifier", "pool5/7x7_s1", "loss3/classifier", 1000),
    softmax("prob", "loss3/classifier", "prob"),
  );
  return net.build();
}
