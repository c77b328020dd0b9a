/**
 * The Caffe importer on real, published files: the paper's three Caffe deploy
 * files in ../shared/models (Table 1 of the IONN paper; runtime names checked
 * line by line against the authors' published per-layer profiles in
 * ../shared/profiles) and the SqueezeNet v1.1 deploy.prototxt shipped in the
 * prototxt-parser npm package. Suites skip with a reason when a file is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HAS_SHARED, readShared, SHARED_SKIP_REASON } from "../../../test/shared.js";
import { type Layer, type Network, totalMacs, totalParameters } from "../types.js";
import { importCaffePrototxt } from "./index.js";

const loaded = new Map<string, Network>();
/** The imported model, built on first use (never at collection time, so skipped suites read nothing). */
function load(model: string): Network {
  let net = loaded.get(model);
  if (net === undefined) {
    net = importCaffePrototxt(readShared(`models/${model}.prototxt`), `${model}.prototxt`);
    loaded.set(model, net);
  }
  return net;
}

function byName(net: Network, name: string): Layer {
  const layer = net.layers.find((l) => l.name === name);
  if (layer === undefined) throw new Error(`no layer ${name} in ${net.name}`);
  return layer;
}

/** Layer names of a published profile (`<index> <name> <ms>` per line). */
function profileNames(path: string): string[] {
  return readShared(path)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.trim().split(/\s+/)[1]!);
}

// Table 1 of the IONN paper (model size in MiB, runtime layer count) and the
// parameter totals of the deploy files (issue 2, "Built-in zoo").
const TABLE_1 = [
  { model: "alexnet", layers: 24, mib: 232.56, parameters: 60_965_224 },
  { model: "googlenet", layers: 152, mib: 26.7, parameters: 6_998_552 },
  { model: "resnet50", layers: 245, mib: 97.7, parameters: 25_610_269 },
] as const;

describe.skipIf(!HAS_SHARED)(`published Caffe models (../shared) ${HAS_SHARED ? "" : SHARED_SKIP_REASON}`, () => {
  for (const row of TABLE_1) {
    describe(row.model, () => {
      const model = (): Network => load(row.model);

      it(`has ${row.layers} runtime layers, ${row.parameters} parameters, ${row.mib} MiB (Table 1)`, () => {
        const net = model();
        expect(net.layers.length).toBe(row.layers);
        expect(totalParameters(net)).toBe(row.parameters);
        expect(Math.abs((totalParameters(net) * 4) / 2 ** 20 - row.mib)).toBeLessThanOrEqual(0.01);
        net.layers.forEach((layer, i) => expect(layer.index).toBe(i));
      });

      for (const dir of ["ionn_odroid_xu4_client", "ionn_server_gpu"]) {
        it(`runtime names equal ${dir}/${row.model}.txt line by line`, () => {
          const net = model();
          const names = profileNames(`profiles/${dir}/${row.model}.txt`);
          expect(names.length).toBe(net.layers.length);
          const ours = net.layers.map((layer, i) =>
            // The published Input row is named `data` or `input` whatever the file calls it.
            layer.type === "Input" && (names[i] === "data" || names[i] === "input") ? names[i] : layer.name,
          );
          expect(ours).toEqual(names);
        });
      }

      it("has one input (the Input layer) and one output (prob, [1, 1000])", () => {
        const net = model();
        expect(net.inputs).toEqual([{ layer: 0, top: 0 }]);
        expect(net.layers[0]!.type).toBe("Input");
        expect(net.outputs).toEqual([{ layer: net.layers.length - 1, top: 0 }]);
        expect(net.layers.at(-1)!.name).toBe("prob");
        expect(net.layers.at(-1)!.outputShapes).toEqual([[1, 1000]]);
      });
    });
  }

  it("AlexNet: hand-checked shapes and the 724,406,816 conv + fc MACs", () => {
    const net = load("alexnet");
    expect(net.layers[0]!.outputShapes).toEqual([[1, 3, 227, 227]]); // dim: 10 in the file, batch forced to 1
    expect(byName(net, "conv1").outputShapes).toEqual([[1, 96, 55, 55]]);
    expect(byName(net, "pool1").outputShapes).toEqual([[1, 96, 27, 27]]);
    expect(byName(net, "conv2").paramShapes).toEqual([[256, 48, 5, 5], [256]]);
    expect(byName(net, "pool2").outputShapes).toEqual([[1, 256, 13, 13]]);
    expect(byName(net, "pool5").outputShapes).toEqual([[1, 256, 6, 6]]);
    expect(byName(net, "fc6").inputShapes).toEqual([[1, 256, 6, 6]]);
    expect(byName(net, "fc6").paramShapes).toEqual([[4096, 9216], [4096]]);
    // conv1..5: 105,415,200 + 223,948,800 + 149,520,384 + 112,140,288 + 74,760,192;
    // fc6..8: 37,748,736 + 16,777,216 + 4,096,000.
    const heavy = net.layers.filter((l) => l.type === "Convolution" || l.type === "InnerProduct");
    expect(heavy.reduce((s, l) => s + l.macs, 0)).toBe(724_406_816);
    expect(net.layers.some((l) => l.type === "Split")).toBe(false);
    // In-place ReLU chains: norm1 reads relu1's output, relu1 reads conv1's.
    expect(byName(net, "relu1").inputs).toEqual([{ layer: 1, top: 0 }]);
    expect(byName(net, "norm1").inputs).toEqual([{ layer: 2, top: 0 }]);
    expect(totalMacs(net)).toBeGreaterThan(724_406_816);
  });

  it("GoogLeNet: ceil pooling, split names, inception concat channel sums", () => {
    const net = load("googlenet");
    expect(byName(net, "conv1/7x7_s2").outputShapes).toEqual([[1, 64, 112, 112]]);
    expect(byName(net, "pool1/3x3_s2").outputShapes).toEqual([[1, 64, 56, 56]]); // ceil(109 / 2) + 1
    expect(byName(net, "pool2/3x3_s2").outputShapes).toEqual([[1, 192, 28, 28]]);
    const split = byName(net, "pool2/3x3_s2_pool2/3x3_s2_0_split");
    expect(split.tops.length).toBe(4);
    expect(net.layers[split.index - 1]!.name).toBe("pool2/3x3_s2");
    expect(net.layers.filter((l) => l.type === "Split").length).toBe(9);
    // Channels of each inception output: sums of the four branches (1x1 + 3x3 + 5x5 + pool proj).
    const expected: Record<string, [number, number]> = {
      "inception_3a/output": [64 + 128 + 32 + 32, 28],
      "inception_3b/output": [128 + 192 + 96 + 64, 28],
      "inception_4a/output": [192 + 208 + 48 + 64, 14],
      "inception_4b/output": [160 + 224 + 64 + 64, 14],
      "inception_4c/output": [128 + 256 + 64 + 64, 14],
      "inception_4d/output": [112 + 288 + 64 + 64, 14],
      "inception_4e/output": [256 + 320 + 128 + 128, 14],
      "inception_5a/output": [256 + 320 + 128 + 128, 7],
      "inception_5b/output": [384 + 384 + 128 + 128, 7],
    };
    for (const [name, [c, hw]] of Object.entries(expected)) {
      expect(byName(net, name).outputShapes, name).toEqual([[1, c, hw, hw]]);
    }
    expect(byName(net, "pool5/7x7_s1").outputShapes).toEqual([[1, 1024, 1, 1]]);
    expect(byName(net, "loss3/classifier").paramShapes).toEqual([[1000, 1024], [1000]]);
  });

  it("ResNet-50: old-style input becomes 'input'; splits follow the in-place ReLU", () => {
    const net = load("resnet50");
    expect(net.layers[0]!.name).toBe("input");
    expect(net.layers[0]!.tops).toEqual(["data"]);
    expect(net.layers[0]!.outputShapes).toEqual([[1, 3, 224, 224]]);
    expect(net.layers[6]!.name).toBe("pool1_pool1_0_split");
    const split = net.layers[23]!;
    expect(split.name).toBe("res2a_res2a_relu_0_split");
    expect(split.inputs).toEqual([{ layer: 22, top: 0 }]);
    expect(net.layers[22]!.name).toBe("res2a_relu");
    expect(byName(net, "res2b_branch2a").bottoms).toEqual(["res2a_res2a_relu_0_split_0"]);
    expect(byName(net, "res2b").bottoms).toEqual(["res2a_res2a_relu_0_split_1", "res2b_branch2c"]);
    expect(byName(net, "bn_conv1").paramShapes).toEqual([[64], [64], [1]]);
    expect(byName(net, "scale_conv1").paramShapes).toEqual([[64], [64]]);
    expect(byName(net, "res2a_branch1").paramShapes).toEqual([[256, 64, 1, 1]]); // bias_term: false
    expect(byName(net, "pool1").outputShapes).toEqual([[1, 64, 56, 56]]);
    expect(byName(net, "res5c").outputShapes).toEqual([[1, 2048, 7, 7]]);
    expect(byName(net, "pool5").outputShapes).toEqual([[1, 2048, 1, 1]]);
  });
});

const here = dirname(fileURLToPath(import.meta.url));
const SQUEEZENET = resolve(here, "..", "..", "..", "node_modules", "prototxt-parser", "deploy.prototxt");
const HAS_SQUEEZENET = existsSync(SQUEEZENET);

describe.skipIf(!HAS_SQUEEZENET)(`SqueezeNet v1.1 deploy.prototxt from prototxt-parser ${HAS_SQUEEZENET ? "" : `(skipped: ${SQUEEZENET} not installed)`}`, () => {
  let cached: Network | undefined;
  const squeezenet = (): Network => (cached ??= importCaffePrototxt(readFileSync(join(SQUEEZENET), "utf8"), "squeezenet/deploy.prototxt"));

  it("parses and infers shapes (ceil pooling, global pooling)", () => {
    const net = squeezenet();
    expect(byName(net, "conv1").outputShapes).toEqual([[1, 64, 113, 113]]); // (227 - 3) / 2 + 1
    expect(byName(net, "pool1").outputShapes).toEqual([[1, 64, 56, 56]]); // ceil(110 / 2) + 1
    expect(byName(net, "fire2/concat").outputShapes).toEqual([[1, 128, 56, 56]]);
    expect(byName(net, "pool3").outputShapes).toEqual([[1, 128, 28, 28]]); // ceil(53 / 2) + 1
    expect(byName(net, "pool5").outputShapes).toEqual([[1, 256, 14, 14]]); // ceil(25 / 2) + 1
    expect(byName(net, "fire9/concat").outputShapes).toEqual([[1, 512, 14, 14]]);
    expect(byName(net, "conv10").outputShapes).toEqual([[1, 1000, 14, 14]]);
    expect(byName(net, "pool10").outputShapes).toEqual([[1, 1000, 1, 1]]);
    expect(byName(net, "prob").outputShapes).toEqual([[1, 1000, 1, 1]]);
  });

  it("inserts one Split per fire module (the squeeze output feeds both expands)", () => {
    const net = squeezenet();
    const splits = net.layers.filter((l) => l.type === "Split").map((l) => l.name);
    expect(splits).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((k) => `fire${k}/squeeze1x1_fire${k}/relu_squeeze1x1_0_split`));
    expect(net.layers.length).toBe(67 + 8);
  });

  it("has the parameter count computed by hand from the file (1,235,496)", () => {
    const net = squeezenet();
    // Read from the file: conv1 3→64 (3x3); fire modules (input, squeeze, expand);
    // conv10 512→1000 (1x1). Every convolution has a bias.
    const conv = (cin: number, cout: number, k: number) => cin * cout * k * k + cout;
    const fires: [number, number, number][] = [
      [64, 16, 64], [128, 16, 64], [128, 32, 128], [256, 32, 128],
      [256, 48, 192], [384, 48, 192], [384, 64, 256], [512, 64, 256],
    ];
    let expected = conv(3, 64, 3) + conv(512, 1000, 1);
    for (const [cin, s, e] of fires) expected += conv(cin, s, 1) + conv(s, e, 1) + conv(s, e, 3);
    expect(expected).toBe(1_235_496);
    expect(totalParameters(net)).toBe(expected);
  });
});
