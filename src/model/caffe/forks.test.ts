/**
 * Layer types and fields of Caffe forks (issue 14): ConvolutionDepthwise,
 * Axpy (SENet), BN, Upsample (nearest and SegNet unpooling), ShuffleChannel,
 * SSD's Normalize/Permute/Flatten/PriorBox/DetectionOutput, `pooling_param {
 * ceil_mode }`; unknown fields warned; empty files and unknown input names
 * refused; input shapes given for data layers. Then the reference executor
 * runs the new types: exact values on small tensors, and a run split at
 * every layer boundary gives the whole run's bits.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidModelError } from "../../errors.js";
import { referenceExecutor } from "../../executor/index.js";
import { randomWeights } from "../../executor/random-weights.js";
import { randomInput, runSplit, sameBits } from "../../executor/test-networks.js";
import { planNetwork } from "../../plan/index.js";
import { tensorKey } from "../types.js";
import { importCaffePrototxt, importCaffePrototxtDetailed } from "./index.js";
import { byName, errorOf, net } from "./test-helpers.js";

const FORKS = `name: "forks"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 8 dim: 12 dim: 12 } } }
layer { name: "dw" type: "ConvolutionDepthwise" bottom: "data" top: "dw" convolution_param { num_output: 8 kernel_size: 3 pad: 1 stride: 1 weight_filler { type: "msra" } } }
layer { name: "bn" type: "BN" bottom: "dw" top: "bn" bn_param { scale_filler { type: "constant" value: 1 } shift_filler { type: "constant" value: 0 } } }
layer { name: "shuffle" type: "ShuffleChannel" bottom: "bn" top: "shuffle" shuffle_channel_param { group: 2 } }
layer { name: "gap" type: "Pooling" bottom: "shuffle" top: "gap" pooling_param { pool: AVE global_pooling: true } }
layer { name: "fc" type: "Convolution" bottom: "gap" top: "fc" convolution_param { num_output: 8 kernel_size: 1 } }
layer { name: "gate" type: "Sigmoid" bottom: "fc" top: "fc" }
layer { name: "se" type: "Axpy" bottom: "fc" bottom: "shuffle" bottom: "data" top: "se" }
layer { name: "pool" type: "Pooling" bottom: "se" top: "pool" top: "pool_mask" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "unpool" type: "Upsample" bottom: "pool" bottom: "pool_mask" top: "unpool" upsample_param { upsample_h: 12 upsample_w: 12 } }
layer { name: "up" type: "Upsample" bottom: "pool" top: "up" upsample_param { scale: 2 } }
layer { name: "perm" type: "Permute" bottom: "up" top: "perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "sum" type: "Eltwise" bottom: "unpool" bottom: "up" top: "sum" }
`;

describe("Caffe fork layer types", () => {
  const { network, warnings } = importCaffePrototxtDetailed(FORKS, "forks.prototxt");

  it("import with their shape rules, parameters and MACs", () => {
    expect(warnings).toEqual([]);
    const shape = (name: string) => byName(network, name).outputShapes;
    expect(shape("dw")).toEqual([[1, 8, 12, 12]]);
    const dw = byName(network, "dw");
    expect(dw.type).toBe("ConvolutionDepthwise");
    expect((dw.params as { group: number }).group).toBe(8);
    expect(dw.paramShapes).toEqual([[8, 1, 3, 3], [8]]);
    expect(dw.macs).toBe(8 * 12 * 12 * 9);
    expect(byName(network, "bn").paramShapes).toEqual([[1, 8, 1, 1], [1, 8, 1, 1]]);
    expect(byName(network, "shuffle").params).toEqual({ group: 2 });
    expect(shape("se")).toEqual([[1, 8, 12, 12]]);
    expect(byName(network, "se").macs).toBe(8 * 144);
    expect(shape("pool")).toEqual([[1, 8, 6, 6], [1, 8, 6, 6]]);
    expect(shape("unpool")).toEqual([[1, 8, 12, 12]]);
    expect(shape("up")).toEqual([[1, 8, 12, 12]]);
    expect(shape("perm")).toEqual([[1, 12, 12, 8]]);
  });

  it("SSD heads: Normalize, Permute, Flatten, PriorBox, Concat, Reshape, Softmax, DetectionOutput plan", () => {
    const ssd = importCaffePrototxtDetailed(`name: "ssd"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 64 dim: 64 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 16 kernel_size: 3 stride: 8 pad: 1 } }
layer { name: "norm" type: "Normalize" bottom: "conv" top: "norm" norm_param { across_spatial: false channel_shared: false scale_filler { type: "constant" value: 20 } eps: 1e-10 } }
layer { name: "loc" type: "Convolution" bottom: "norm" top: "loc" convolution_param { num_output: 24 kernel_size: 3 pad: 1 } }
layer { name: "loc_perm" type: "Permute" bottom: "loc" top: "loc_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "loc_flat" type: "Flatten" bottom: "loc_perm" top: "loc_flat" flatten_param { axis: 1 } }
layer { name: "conf" type: "Convolution" bottom: "norm" top: "conf" convolution_param { num_output: 18 kernel_size: 3 pad: 1 } }
layer { name: "conf_perm" type: "Permute" bottom: "conf" top: "conf_perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "conf_flat" type: "Flatten" bottom: "conf_perm" top: "conf_flat" flatten_param { axis: 1 } }
layer { name: "prior" type: "PriorBox" bottom: "norm" bottom: "data" top: "prior"
  prior_box_param { min_size: 30 max_size: 60 aspect_ratio: 2 aspect_ratio: 3 flip: true clip: false variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 step: 8 offset: 0.5 } }
layer { name: "conf_reshape" type: "Reshape" bottom: "conf_flat" top: "conf_reshape" reshape_param { shape { dim: 0 dim: -1 dim: 3 } } }
layer { name: "conf_softmax" type: "Softmax" bottom: "conf_reshape" top: "conf_softmax" softmax_param { axis: 2 } }
layer { name: "conf_out" type: "Flatten" bottom: "conf_softmax" top: "conf_out" }
layer { name: "detection_out" type: "DetectionOutput" bottom: "loc_flat" bottom: "conf_out" bottom: "prior" top: "detection_out"
  detection_output_param { num_classes: 3 share_location: true background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 400 } code_type: CENTER_SIZE keep_top_k: 200 confidence_threshold: 0.01 } }
`, "ssd.prototxt");
    const n = ssd.network;
    // 6 priors per cell: aspect ratios 1, 2, 1/2, 3, 1/3 for the min size, plus one for the max size; 8×8 cells.
    expect(byName(n, "prior").outputShapes).toEqual([[1, 2, 8 * 8 * 6 * 4]]);
    expect(byName(n, "loc_flat").outputShapes).toEqual([[1, 8 * 8 * 24]]);
    expect(byName(n, "loc_perm").outputShapes).toEqual([[1, 8, 8, 24]]);
    expect(byName(n, "norm").paramShapes).toEqual([[16]]);
    expect(byName(n, "conf_reshape").outputShapes).toEqual([[1, 384, 3]]);
    expect(byName(n, "detection_out").outputShapes).toEqual([[1, 1, 200, 7]]);
    expect(ssd.warnings).toEqual([expect.stringMatching(/layer 'detection_out' \(DetectionOutput\): DetectionOutput's output size depends on the detections/)]);
    const costs = { clientMs: n.layers.map(() => 1), serverMs: n.layers.map(() => 0.1) };
    expect(planNetwork(n, costs).plan.partitions.length).toBeGreaterThan(0);
  });

  it("pooling_param { ceil_mode: false } floors (56×56, not 57×57); ceil_mode with round_mode is refused", () => {
    const n = net([1, 4, 112, 112], `layer { name: "f" type: "Pooling" bottom: "data" top: "f" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 ceil_mode: false } }
       layer { name: "c" type: "Pooling" bottom: "data" top: "c" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 ceil_mode: true } }`);
    expect(byName(n, "f").outputShapes).toEqual([[1, 4, 56, 56]]);
    expect(byName(n, "c").outputShapes).toEqual([[1, 4, 57, 57]]);
    // MACs follow: 56²·4·9 against 57²·4·9 (13 % more).
    expect(byName(n, "f").macs).toBe(56 * 56 * 4 * 9);
    const both = errorOf(() => net([1, 4, 8, 8], `layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_size: 2 round_mode: FLOOR ceil_mode: false } }`));
    expect(both).toBeInstanceOf(InvalidModelError);
    expect(both.message).toMatch(/layer 'p' \(Pooling\): pooling_param: give either round_mode or the fork field ceil_mode/);
  });

  it("unknown fields inside a known message are warnings naming them; fillers and engines are not", () => {
    const { warnings: w } = importCaffePrototxtDetailed(`name: "t"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 weight_filler { type: "xavier" } engine: CUDNN bias_lr: 2 } }
layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { kernel_size: 2 stride: 2 torch_pooling: true pad_mode: 1 } }
layer { name: "relu" type: "ReLU" bottom: "pool" top: "pool" relu_param { negative_slope: 0.1 } }
`, "t.prototxt");
    expect(w).toEqual([
      "t.prototxt: layer 'conv' (Convolution): convolution_param.bias_lr is a field IONN does not know; ignored",
      "t.prototxt: layer 'pool' (Pooling): pooling_param.torch_pooling, pooling_param.pad_mode are fields IONN does not know; ignored",
    ]);
  });

  it("an empty prototxt is an error; input shapes replace Input and data-layer shapes; unknown names are errors", () => {
    expect(() => importCaffePrototxt("", "empty.prototxt")).toThrow(InvalidModelError);
    expect(() => importCaffePrototxt("# nothing here\n", "empty.prototxt")).toThrow(/empty\.prototxt: layer '<net>' \(NetParameter\): the net declares no layers and no input/);
    const trainVal = `name: "tv"
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TEST } data_param { source: "db" batch_size: 1 } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 2 kernel_size: 3 } }
`;
    // Without crop_size the Data layer's shape is unknown: given, it imports.
    expect(() => importCaffePrototxt(trainVal, "tv.prototxt")).toThrow(InvalidModelError);
    const n = importCaffePrototxt(trainVal, "tv.prototxt", { inputShapes: { data: [1, 3, 20, 20], label: [1] } });
    expect(byName(n, "data").type).toBe("Input");
    expect(byName(n, "conv").outputShapes).toEqual([[1, 2, 18, 18]]);
    expect(() => importCaffePrototxt(trainVal, "tv.prototxt", { inputShapes: { image: [1, 3, 20, 20] } })).toThrow(InvalidArgumentError);
    expect(() => importCaffePrototxt(trainVal, "tv.prototxt", { inputShapes: { data: [1, 0, 20, 20] } })).toThrow(/inputShapes\.data must be a list of positive integers/);
  });
});

describe("reference executor on the fork types", () => {
  const network = importCaffePrototxt(FORKS, "forks.prototxt");
  const weights = randomWeights(network, 5);
  const input = randomInput(network, 11);

  it("exact values: ShuffleChannel, Axpy, BN, nearest Upsample, unpooling, Permute", async () => {
    const executor = referenceExecutor();
    await executor.load(network.layers, weights);
    const keys = network.layers.flatMap((l) => l.tops.map((_, top) => tensorKey({ layer: l.index, top })));
    const all = await executor.run(network.layers.map((l) => l.index), input, keys);
    const get = (name: string, top = 0) => all.get(tensorKey({ layer: byName(network, name).index, top }))!;
    const at = (t: { shape: readonly number[]; data: Float32Array }, ...c: number[]) => {
      let index = 0;
      for (let i = 0; i < c.length; i++) index = index * t.shape[i]! + c[i]!;
      return t.data[index]!;
    };
    const bnW = weights.get("bn")!;
    const shuffle = get("shuffle");
    const bn = get("bn");
    const dw = get("dw");
    const data = get("data");
    for (let c = 0; c < 8; c++) {
      // BN: dw·scale + shift, per channel.
      expect(at(bn, 0, c, 5, 7)).toBe(Math.fround(at(dw, 0, c, 5, 7) * bnW[0]![c]! + bnW[1]![c]!));
      // ShuffleChannel, group 2 (4 channels per group): output channel j·2 + i is input channel i·4 + j.
      const i = c % 2;
      const j = (c - i) / 2;
      expect(at(shuffle, 0, c, 3, 4)).toBe(at(bn, 0, i * 4 + j, 3, 4));
    }
    const gate = get("gate");
    const se = get("se");
    for (const [c, y, x] of [[0, 0, 0], [3, 7, 2], [7, 11, 11]] as const) {
      expect(at(se, 0, c, y, x)).toBe(Math.fround(at(gate, 0, c, 0, 0) * at(shuffle, 0, c, y, x) + at(data, 0, c, y, x)));
    }
    const pool = get("pool");
    const mask = get("pool", 1);
    const up = get("up");
    const unpool = get("unpool");
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) expect(at(up, 0, 2, y, x)).toBe(at(pool, 0, 2, y >> 1, x >> 1));
    let placed = 0;
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const index = at(mask, 0, 5, y, x);
        expect(unpool.data[5 * 144 + index]).toBe(at(pool, 0, 5, y, x));
        placed++;
      }
    }
    expect(placed).toBe(36);
    expect(Array.from(unpool.data.subarray(5 * 144, 6 * 144)).filter((v) => v !== 0).length).toBeLessThanOrEqual(36);
    const perm = get("perm");
    expect(at(perm, 0, 4, 9, 6)).toBe(at(up, 0, 6, 4, 9));
  });

  it("split at every layer boundary: the two halves on two executors give the whole run's bits", async () => {
    const whole = await runSplit(network, weights, input, network.layers.length);
    for (let cut = 1; cut < network.layers.length; cut++) {
      const split = await runSplit(network, weights, input, cut);
      for (const [key, tensor] of whole) expect(sameBits(split.get(key)!, tensor), `cut ${cut}, output ${key}`).toBe(true);
    }
  });
});
