/**
 * Tests of the zoo's layer blocks and of the declared (pre-runtime) layer
 * lists the builders produce. These need no Caffe importer: they check the
 * builders' output against hand-counted declarations.
 */
import { describe, expect, it } from "vitest";
import type { CaffeNetSpec } from "../caffe/spec.js";
import { alexnetSpec } from "./alexnet.js";
import { batchNorm, convBnScaleRelu, convolution, NetSpecBuilder, pooling } from "./blocks.js";
import { googlenetSpec } from "./googlenet.js";
import { inceptionBn21kSpec, inceptionBnModule } from "./inception-bn-21k.js";
import { depthwiseSeparableBlock, mobilenetV1Spec } from "./mobilenet-v1.js";
import { bottleneckBlock, resnet50Spec } from "./resnet50.js";

/** Every bottom is the network input or a top declared by an earlier layer. */
function undefinedBottoms(spec: CaffeNetSpec): string[] {
  const known = new Set<string>(spec.input ?? []);
  const missing: string[] = [];
  for (const layer of spec.layer) {
    for (const bottom of layer.bottom ?? []) if (!known.has(bottom)) missing.push(`${layer.name} reads ${bottom}`);
    for (const top of layer.top ?? []) known.add(top);
  }
  return missing;
}

const builders = { alexnetSpec, googlenetSpec, resnet50Spec, inceptionBn21kSpec, mobilenetV1Spec };

describe("blocks", () => {
  it("convolution leaves Caffe defaults out and writes what is given", () => {
    expect(convolution("c", "x", "c", { numOutput: 8, kernel: 3 })).toEqual({
      name: "c",
      type: "Convolution",
      bottom: ["x"],
      top: ["c"],
      convolution_param: { num_output: 8, kernel_size: 3 },
    });
    const dw = convolution("d", "x", "d", { numOutput: 32, kernel: 3, group: 32, pad: 1, stride: 2, biasTerm: false });
    expect(dw.convolution_param).toEqual({ num_output: 32, kernel_size: 3, group: 32, pad: 1, stride: 2, bias_term: false });
  });

  it("batchNorm is in place by default and uses global statistics", () => {
    expect(batchNorm("bn", "c")).toEqual({
      name: "bn",
      type: "BatchNorm",
      bottom: ["c"],
      top: ["c"],
      batch_norm_param: { use_global_stats: true },
    });
  });

  it("pooling writes global_pooling without a kernel", () => {
    expect(pooling("p", "x", "p", { method: "AVE", global: true }).pooling_param).toEqual({
      pool: "AVE",
      global_pooling: true,
    });
  });

  it("convBnScaleRelu yields conv, BatchNorm, Scale(bias) and optional ReLU, all in place on the conv blob", () => {
    const withRelu = convBnScaleRelu({ conv: "c", bn: "b", scale: "s", relu: "r" }, "x", { numOutput: 4, kernel: 1 });
    expect(withRelu.map((l) => [l.name, l.type, l.top?.[0]])).toEqual([
      ["c", "Convolution", "c"],
      ["b", "BatchNorm", "c"],
      ["s", "Scale", "c"],
      ["r", "ReLU", "c"],
    ]);
    expect(withRelu[2]?.scale_param).toEqual({ bias_term: true });
    expect(convBnScaleRelu({ conv: "c", bn: "b", scale: "s" }, "x", { numOutput: 4, kernel: 1 })).toHaveLength(3);
  });

  it("NetSpecBuilder keeps declaration order and the old-style input fields", () => {
    const spec = new NetSpecBuilder("n", { input: ["data"], input_dim: [1, 3, 8, 8] })
      .add(convolution("a", "data", "a", { numOutput: 1, kernel: 1 }), [pooling("p", "a", "p", { method: "MAX", kernel: 2 })])
      .build();
    expect(spec).toMatchObject({ name: "n", input: ["data"], input_dim: [1, 3, 8, 8] });
    expect(spec.layer.map((l) => l.name)).toEqual(["a", "p"]);
  });
});

describe("module builders", () => {
  it("a ResNet projection block has 3 + 3 × 4 − 1 + 2 layers; an identity block 3 × 4 − 1 + 2", () => {
    // branch1: conv, bn, scale; branch2a/2b: 4 each; branch2c: 3; Eltwise + ReLU.
    expect(bottleneckBlock("x", "2a", 64, 1, true).layers).toHaveLength(3 + 4 + 4 + 3 + 2);
    const identity = bottleneckBlock("x", "2b", 64, 1, false);
    expect(identity.layers).toHaveLength(4 + 4 + 3 + 2);
    expect(identity.layers.at(-2)?.bottom).toEqual(["x", "res2b_branch2c"]);
  });

  it("an Inception-BN type-A module has 7 conv units, a pool and a concat; type B 5 units, a pool and a concat", () => {
    const a = inceptionBnModule("x", {
      kind: "A", id: "3a", n1x1: 1, n3x3reduce: 1, n3x3: 1, nDouble3x3reduce: 1, nDouble3x3: 1, pool: "AVE", proj: 1,
    });
    expect(a.layers).toHaveLength(7 * 4 + 2);
    expect(a.layers.at(-1)?.bottom).toEqual(["conv_3a_1x1", "conv_3a_3x3", "conv_3a_double_3x3_1", "conv_3a_proj"]);
    const b = inceptionBnModule("x", { kind: "B", id: "3c", n3x3reduce: 1, n3x3: 1, nDouble3x3reduce: 1, nDouble3x3: 1 });
    expect(b.layers).toHaveLength(5 * 4 + 2);
    expect(b.layers.at(-1)?.bottom).toEqual(["conv_3c_3x3", "conv_3c_double_3x3_1", "max_pool_3c_pool"]);
  });

  it("a depthwise-separable block groups the 3×3 convolution by its input channels", () => {
    const block = depthwiseSeparableBlock("x", { id: "2_1", inChannels: 32, outChannels: 64, stride: 1 });
    expect(block.layers.map((l) => l.name)).toEqual([
      "conv2_1/dw", "conv2_1/dw/bn", "conv2_1/dw/scale", "relu2_1/dw",
      "conv2_1/sep", "conv2_1/sep/bn", "conv2_1/sep/scale", "relu2_1/sep",
    ]);
    expect(block.layers[0]?.convolution_param).toMatchObject({ num_output: 32, group: 32, kernel_size: 3, bias_term: false });
    expect(block.top).toBe("conv2_1/sep");
  });
});

describe("declared layer lists", () => {
  // Hand counts of `layer {}` entries in the published files (Input layer included where the file has one).
  const declared: Record<keyof typeof builders, number> = {
    alexnetSpec: 24, // 1 Input + 5 conv + 7 ReLU + 2 LRN + 3 pool + 3 fc + 2 dropout + softmax
    googlenetSpec: 143, // grep -c 'layer {' bvlc_googlenet/deploy.prototxt
    resnet50Spec: 228, // old-style input: no Input layer declared
    inceptionBn21kSpec: 302, // 1 + 3 × 4 + 2 pools + 8 × 30 + 2 × 22 + 3
    mobilenetV1Spec: 111, // 27 × 4 + pool6 + fc7 + prob; old-style input
  };
  for (const [name, build] of Object.entries(builders) as [keyof typeof builders, () => CaffeNetSpec][]) {
    it(`${name}: ${declared[name]} declared layers, unique names, every bottom defined before use`, () => {
      const spec = build();
      expect(spec.layer).toHaveLength(declared[name]);
      expect(new Set(spec.layer.map((l) => l.name)).size).toBe(spec.layer.length);
      expect(undefinedBottoms(spec)).toEqual([]);
    });
  }

  it("builders return a fresh description on every call", () => {
    expect(alexnetSpec()).not.toBe(alexnetSpec());
    expect(alexnetSpec()).toEqual(alexnetSpec());
  });
});
