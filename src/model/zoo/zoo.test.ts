/**
 * Tests of the built-in model zoo (IONN §6.1, Table 1): runtime layer counts
 * and parameter counts of the five networks, layer-by-layer equality with
 * the published deploy files in ../shared/models (imported through the Caffe
 * importer), runtime names against the authors' published profiles, and
 * hand-checked shapes and parameter counts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from "../../../test/shared.js";
import { InvalidArgumentError } from "../../errors.js";
import { publishedClientProfile } from "../../profile/published.js";
import { importCaffePrototxt } from "../caffe/index.js";
import { totalParameters, type Layer, type Network } from "../types.js";
import { ZOO_NAMES, isZooName, zooNetwork, zooSpec, type ZooName } from "./index.js";

/** Targets: runtime layers (Input and Split included) and learned parameters (issue 2; paper Table 1 for the counts). */
const TARGETS: Record<ZooName, { layers: number; parameters: number; splits: number }> = {
  alexnet: { layers: 24, parameters: 60_965_224, splits: 0 },
  googlenet: { layers: 152, parameters: 6_998_552, splits: 9 },
  resnet50: { layers: 245, parameters: 25_610_269, splits: 16 },
  "inception-bn-21k": { layers: 312, parameters: 33_641_638, splits: 10 },
  "mobilenet-v1": { layers: 112, parameters: 4_253_891, splits: 0 },
};

function layer(network: Network, name: string): Layer {
  const found = network.layers.find((l) => l.name === name);
  if (found === undefined) throw new Error(`no layer ${name} in ${network.name}`);
  return found;
}

describe("zoo names", () => {
  it("ZOO_NAMES lists the five networks in order", () => {
    expect(ZOO_NAMES).toEqual(["alexnet", "googlenet", "resnet50", "inception-bn-21k", "mobilenet-v1"]);
    expect(isZooName("resnet50")).toBe(true);
    expect(isZooName("ResNet50")).toBe(false);
  });

  it("an unknown name is an InvalidArgumentError listing the valid names", () => {
    for (const call of [() => zooSpec("vgg16"), () => zooNetwork("vgg16")]) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(/unknown network "vgg16"/);
      for (const name of ZOO_NAMES) expect(call).toThrow(new RegExp(`"${name}"`));
    }
  });
});

describe("runtime layer counts and parameters", () => {
  for (const name of ZOO_NAMES) {
    const target = TARGETS[name];
    it(`${name}: ${target.layers} layers, ${target.parameters} parameters, ${target.splits} Split layers`, () => {
      const network = zooNetwork(name);
      expect(network.layers).toHaveLength(target.layers);
      expect(totalParameters(network)).toBe(target.parameters);
      expect(network.layers.filter((l) => l.type === "Split")).toHaveLength(target.splits);
      expect(network.layers[0]?.type).toBe("Input");
      expect(network.layers.map((l) => l.index)).toEqual(network.layers.map((_, i) => i));
      expect(network.name).toBe(name);
      expect(network.source).toBe(`zoo:${name}`);
    });
  }

  it("zooNetwork is memoised and frozen; zooSpec is fresh", () => {
    const network = zooNetwork("googlenet");
    expect(zooNetwork("googlenet")).toBe(network);
    expect(Object.isFrozen(network)).toBe(true);
    expect(Object.isFrozen(network.layers)).toBe(true);
    expect(Object.isFrozen(network.layers[1])).toBe(true);
    expect(zooSpec("googlenet")).not.toBe(zooSpec("googlenet"));
  });
});

/** The comparable content of a runtime layer. */
function summary(l: Layer) {
  return {
    index: l.index,
    name: l.name,
    type: l.type,
    bottoms: l.bottoms,
    tops: l.tops,
    inputs: l.inputs,
    outputShapes: l.outputShapes,
    paramShapes: l.paramShapes,
    parameters: l.parameters,
    macs: l.macs,
    // The Input layer's declared batch differs (10 in the BVLC files, 1 in the zoo): compare shapes only.
    params: l.type === "Input" ? undefined : l.params,
  };
}

const PUBLISHED_FILES = { alexnet: "alexnet", googlenet: "googlenet", resnet50: "resnet50" } as const;

describe.skipIf(!HAS_SHARED)(
  HAS_SHARED ? "zoo equals the published deploy files" : `zoo vs published files (${SHARED_SKIP_REASON})`,
  () => {
    for (const [name, file] of Object.entries(PUBLISHED_FILES) as [ZooName, string][]) {
      it(`${name} equals ../shared/models/${file}.prototxt layer by layer`, () => {
        const path = sharedPath(`models/${file}.prototxt`);
        const imported = importCaffePrototxt(readFileSync(path, "utf8"), path);
        const zoo = zooNetwork(name);
        expect(zoo.layers.map(summary)).toEqual(imported.layers.map(summary));
        expect(zoo.inputs).toEqual(imported.inputs);
        expect(zoo.outputs).toEqual(imported.outputs);
      });
    }
  },
);

describe("runtime names match the authors' published profiles", () => {
  // The profiles list Caffe's runtime layers one per line; the Input row is named `data` or `input`.
  for (const name of ["alexnet", "googlenet", "resnet50"] as const) {
    it(`${name}`, () => {
      const names = zooNetwork(name).layers.map((l) => l.name);
      const profileNames = publishedClientProfile(name).layers.map((l) => l.name);
      expect(names.slice(1)).toEqual(profileNames.slice(1));
      expect(["data", "input"]).toContain(profileNames[0]);
    });
  }
});

describe("hand-checked layers", () => {
  it("alexnet: conv1 55×55, grouped conv2, fc6 9216 → 4096", () => {
    const net = zooNetwork("alexnet");
    expect(layer(net, "conv1").outputShapes).toEqual([[1, 96, 55, 55]]); // (227 − 11) / 4 + 1
    expect(layer(net, "conv1").parameters).toBe(96 * 3 * 11 * 11 + 96);
    expect(layer(net, "conv2").parameters).toBe(256 * (96 / 2) * 5 * 5 + 256);
    expect(layer(net, "pool5").outputShapes).toEqual([[1, 256, 6, 6]]);
    expect(layer(net, "fc6").parameters).toBe(256 * 6 * 6 * 4096 + 4096);
  });

  it("resnet50: Split after the in-place ReLU of each block input, named as Caffe names it", () => {
    const net = zooNetwork("resnet50");
    const names = net.layers.map((l) => l.name);
    expect(names[names.indexOf("pool1") + 1]).toBe("pool1_pool1_0_split");
    expect(names[names.indexOf("res2a_relu") + 1]).toBe("res2a_res2a_relu_0_split");
    expect(layer(net, "res2a_branch2a").parameters).toBe(64 * 64); // no bias
    expect(layer(net, "conv1").parameters).toBe(64 * 3 * 49 + 64); // the stem conv has a bias
    expect(layer(net, "res5c").outputShapes).toEqual([[1, 2048, 7, 7]]);
  });

  it("inception-bn-21k: module outputs, 7×7 final map, 21,841-way classifier", () => {
    const net = zooNetwork("inception-bn-21k");
    const shape = (n: string) => layer(net, n).outputShapes[0];
    expect(shape("conv_conv1")).toEqual([1, 96, 112, 112]); // (224 + 6 − 7) / 2 + 1
    expect(shape("pool1")).toEqual([1, 96, 56, 56]); // ceil((112 − 3) / 2) + 1
    expect(shape("pool2")).toEqual([1, 288, 28, 28]);
    expect(shape("ch_concat_3a_chconcat")).toEqual([1, 96 + 96 + 144 + 48, 28, 28]);
    expect(shape("ch_concat_3b_chconcat")).toEqual([1, 96 + 144 + 144 + 96, 28, 28]);
    expect(shape("ch_concat_3c_chconcat")).toEqual([1, 240 + 144 + 480, 14, 14]); // pool passes 480 through
    expect(shape("ch_concat_4d_chconcat")).toEqual([1, 96 + 192 + 96 + 128, 14, 14]);
    expect(shape("ch_concat_4e_chconcat")).toEqual([1, 192 + 256 + 512, 7, 7]);
    expect(shape("ch_concat_5b_chconcat")).toEqual([1, 352 + 320 + 224 + 128, 7, 7]);
    expect(shape("global_pool")).toEqual([1, 1024, 1, 1]);
    expect(shape("softmax")).toEqual([1, 21841]);
    expect(layer(net, "conv_conv1").parameters).toBe(96 * 3 * 7 * 7 + 96); // converted convs keep a bias
    expect(layer(net, "bn_conv1").parameters).toBe(2 * 96 + 1);
    expect(layer(net, "scale_conv_conv1").parameters).toBe(2 * 96);
    expect(layer(net, "fc1").parameters).toBe(1024 * 21841 + 21841);
    const names = net.layers.map((l) => l.name);
    expect(names[names.indexOf("pool2") + 1]).toBe("pool2_pool2_0_split");
    expect(names).toContain("ch_concat_3a_chconcat_ch_concat_3a_chconcat_0_split");
  });

  it("mobilenet-v1: 7×7×1024 final map, depthwise params C·9, fc7 as a 1×1 convolution", () => {
    const net = zooNetwork("mobilenet-v1");
    expect(net.layers[0]).toMatchObject({ type: "Input", tops: ["data"], outputShapes: [[1, 3, 224, 224]] });
    expect(layer(net, "conv1").outputShapes).toEqual([[1, 32, 112, 112]]);
    expect(layer(net, "conv1").parameters).toBe(32 * 3 * 9);
    expect(layer(net, "relu6/sep").outputShapes).toEqual([[1, 1024, 7, 7]]);
    const depthwise = net.layers.filter((l) => l.name.endsWith("/dw") && l.type === "Convolution");
    expect(depthwise).toHaveLength(13);
    for (const dw of depthwise) {
      const channels = dw.outputShapes[0]?.[1] ?? 0;
      expect(dw.parameters, dw.name).toBe(channels * 9);
      expect(dw.inputShapes[0]?.[1], dw.name).toBe(channels);
    }
    expect(layer(net, "conv2_1/dw").parameters).toBe(288);
    expect(layer(net, "conv6/dw").parameters).toBe(9216);
    expect(layer(net, "conv1/bn").parameters).toBe(2 * 32 + 1);
    expect(layer(net, "pool6").outputShapes).toEqual([[1, 1024, 1, 1]]);
    expect(layer(net, "fc7")).toMatchObject({ type: "Convolution", parameters: 1024 * 1000 + 1000 });
    expect(layer(net, "prob").outputShapes).toEqual([[1, 1000, 1, 1]]);
  });
});
