/**
 * The reference executor on a network imported by the Caffe importer that
 * uses the rarer layer types (PReLU, Slice, Sigmoid, ELU, learned and
 * two-bottom Bias, Power, Deconvolution, Crop, TanH, Swish, Exp, Log, AbsVal,
 * BNLL, Clip, Threshold, Tile, ArgMax, Reduction, Silence): every computed
 * tensor has the importer's declared shape, and a run split at every layer
 * boundary over two executors gives the whole run's bits. Loss layers stay
 * unsupported with a clean error.
 */
import { describe, expect, it } from "vitest";
import { UnsupportedLayerError } from "../errors.js";
import { importCaffePrototxt } from "../model/caffe/index.js";
import { tensorKey } from "../model/types.js";
import { layerOutputShapes, layerParamShapes, SUPPORTED_LAYER_TYPES } from "./layer.js";
import { randomWeights } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";
import { runLocally } from "./run-locally.js";
import { randomInput, runSplit, sameBits } from "./test-networks.js";

const PROTOTXT = `
name: "caffe-rare-layers"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "prelu1" type: "PReLU" bottom: "conv1" top: "conv1" }
layer { name: "slice1" type: "Slice" bottom: "conv1" top: "s0" top: "s1" top: "s2" slice_param { axis: 1 slice_point: 1 slice_point: 3 } }
layer { name: "sig" type: "Sigmoid" bottom: "s0" top: "s0" }
layer { name: "elu" type: "ELU" bottom: "s1" top: "s1e" elu_param { alpha: 0.5 } }
layer { name: "bias1" type: "Bias" bottom: "s1e" top: "s1e" }
layer { name: "pow" type: "Power" bottom: "s2" top: "s2p" power_param { power: 2 scale: 0.5 shift: 1 } }
layer { name: "cat" type: "Concat" bottom: "s0" bottom: "s1e" bottom: "s2p" top: "cat" }
layer { name: "up" type: "Deconvolution" bottom: "cat" top: "up" convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 group: 2 } }
layer { name: "crop" type: "Crop" bottom: "up" bottom: "data" top: "crop" crop_param { axis: 2 offset: 3 offset: 5 } }
layer { name: "tanh" type: "TanH" bottom: "crop" top: "crop" }
layer { name: "swish" type: "Swish" bottom: "crop" top: "sw" }
layer { name: "exp" type: "Exp" bottom: "sw" top: "ex" exp_param { base: 2 scale: 0.5 } }
layer { name: "log" type: "Log" bottom: "ex" top: "lg" log_param { base: 10 shift: 1 } }
layer { name: "abs" type: "AbsVal" bottom: "crop" top: "ab" }
layer { name: "bnll" type: "BNLL" bottom: "ab" top: "bn" }
layer { name: "clip" type: "Clip" bottom: "sw" top: "cl" clip_param { min: -0.2 max: 0.3 } }
layer { name: "sumsq" type: "Reduction" bottom: "ab" top: "energy" reduction_param { operation: SUMSQ axis: 2 } }
layer { name: "bias2" type: "Bias" bottom: "cl" bottom: "energy" top: "shifted" bias_param { axis: 0 } }
layer { name: "thresh" type: "Threshold" bottom: "shifted" top: "th" threshold_param { threshold: 0.5 } }
layer { name: "mean" type: "Reduction" bottom: "th" top: "fraction" reduction_param { operation: MEAN axis: 1 } }
layer { name: "tile" type: "Tile" bottom: "bn" top: "tiled" tile_param { axis: 1 tiles: 2 } }
layer { name: "argmax_c" type: "ArgMax" bottom: "tiled" top: "best_c" argmax_param { axis: 1 top_k: 2 } }
layer { name: "argmax" type: "ArgMax" bottom: "lg" top: "best" argmax_param { top_k: 3 out_max_val: true } }
layer { name: "silence" type: "Silence" bottom: "best_c" }
`;

describe("a Caffe network of the rarer layer types, imported and run", () => {
  const network = importCaffePrototxt(PROTOTXT, "rare.prototxt");
  const weights = randomWeights(network, 5);
  const input = randomInput(network, 6);

  it("imports with every type supported by the reference executor", () => {
    for (const layer of network.layers) expect(SUPPORTED_LAYER_TYPES.has(layer.type), layer.type).toBe(true);
    // 26 declared layers plus the Splits the importer inserts for the blobs read twice (data, crop after tanh, sw, ab).
    expect(network.layers).toHaveLength(30);
    expect(network.layers.filter((l) => l.type === "Split").map((l) => l.name)).toEqual([
      "data_data_0_split", "crop_tanh_0_split", "sw_swish_0_split", "ab_abs_0_split",
    ]);
    expect(network.layers.find((l) => l.name === "up")!.outputShapes).toEqual([[1, 4, 16, 16]]);
    expect(network.layers.find((l) => l.name === "crop")!.outputShapes).toEqual([[1, 4, 8, 8]]);
  });

  it("the executor's shape rules agree with the importer's on every layer (outputs and learned blobs)", () => {
    for (const layer of network.layers) {
      if (layer.type === "Input") continue;
      expect(layerOutputShapes(layer, layer.inputShapes, layer.tops.length), layer.name).toEqual(layer.outputShapes);
      expect(layerParamShapes(layer, layer.inputShapes), layer.name).toEqual(layer.paramShapes);
    }
    expect(network.layers.find((l) => l.name === "prelu1")!.paramShapes).toEqual([[4]]);
    expect(network.layers.find((l) => l.name === "bias1")!.paramShapes).toEqual([[2]]);
    expect(network.layers.find((l) => l.name === "up")!.paramShapes).toEqual([[4, 2, 4, 4], [4]]);
  });

  it("randomWeights: PReLU slopes in [0, 0.5], Bias offsets in ±0.1", () => {
    const slopes = weights.get("prelu1")!;
    expect(slopes).toHaveLength(1);
    expect(slopes[0]!.every((v) => v >= 0 && v <= 0.5)).toBe(true);
    const offsets = weights.get("bias1")!;
    expect(offsets[0]!.every((v) => Math.abs(v) <= 0.1)).toBe(true);
    expect(weights.has("bias2")).toBe(false); // its bias is the second bottom
  });

  it("every tensor computed has the importer's declared shape; outputs are finite where defined", async () => {
    const executor = referenceExecutor();
    await executor.load(network.layers, weights);
    const all = network.layers.flatMap((l) => l.tops.map((_, top) => tensorKey({ layer: l.index, top })));
    const tensors = await executor.run(network.layers.map((l) => l.index), input, all);
    for (const layer of network.layers) {
      layer.outputShapes.forEach((shape, top) => {
        const tensor = tensors.get(tensorKey({ layer: layer.index, top }))!;
        expect(tensor.shape, `${layer.name} top ${top}`).toEqual(shape);
        expect(tensor.data.every(Number.isFinite), `${layer.name} top ${top}`).toBe(true);
      });
    }
    // Spot checks of what the layers mean, independent of the random weights.
    const get = (name: string): Float32Array => tensors.get(tensorKey({ layer: network.layers.find((l) => l.name === name)!.index, top: 0 }))!.data;
    expect(get("thresh").every((v) => v === 0 || v === 1)).toBe(true);
    expect(get("clip").every((v) => v >= Math.fround(-0.2) && v <= Math.fround(0.3))).toBe(true);
    expect(get("bnll").every((v) => v > 0)).toBe(true);
    const fraction = get("mean");
    expect(fraction.length).toBe(1);
    expect(fraction[0]! * 4 * 8 * 8).toBeCloseTo(get("thresh").reduce((a, b) => a + b, 0), 3);
    // ArgMax without axis over lg's 256 values: indices then values, the values descending.
    const best = get("argmax");
    const lg = get("log");
    for (let j = 0; j < 3; j++) expect(best[3 + j]).toBe(lg[best[j]!]);
    expect(best[3]! >= best[4]! && best[4]! >= best[5]!).toBe(true);
    expect(Math.max(...lg)).toBe(best[3]);
  });

  it("runLocally returns the network outputs with their declared shapes", async () => {
    const outputs = await runLocally(network, weights, input);
    expect([...outputs.keys()]).toEqual(network.outputs.map(tensorKey));
    expect(network.outputs.map((ref) => network.layers[ref.layer]!.name).sort()).toEqual(["argmax", "mean"]);
    for (const ref of network.outputs) {
      expect(outputs.get(tensorKey(ref))!.shape).toEqual(network.layers[ref.layer]!.outputShapes[ref.top]);
    }
  });

  it("split at every layer boundary: the two halves on two executors give the whole run's bits", async () => {
    const whole = await runLocally(network, weights, input);
    for (let cut = 1; cut < network.layers.length; cut++) {
      const split = await runSplit(network, weights, input, cut);
      for (const [key, tensor] of whole) expect(sameBits(split.get(key)!, tensor), `cut ${cut}, output ${key}`).toBe(true);
    }
  });

  it("loss and metric layers stay unsupported with UnsupportedLayerError naming the layer", async () => {
    const train = importCaffePrototxt(
      `layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 5 } shape { dim: 1 } } }
       layer { name: "loss" type: "SoftmaxWithLoss" bottom: "data" bottom: "label" top: "loss" }`,
      "loss.prototxt",
    );
    const error = await referenceExecutor().load(train.layers, new Map()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect((error as Error).message).toMatch(/layer "loss".*SoftmaxWithLoss/);
  });
});
