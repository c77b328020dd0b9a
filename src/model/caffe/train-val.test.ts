/**
 * Tests of the importer on constructs found in published train/test nets and
 * other real prototxts (SqueezeNet and CaffeNet train_val, FCN, SSD, Caffe's
 * own examples): data layers, loss and metric layers, explicit loss weights,
 * Slice, Crop and the smaller types. Expected shapes and counts are computed
 * by hand in the comments, following Caffe's layer Reshape rules.
 */
import { describe, expect, it } from "vitest";
import { InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import { byName, errorOf, net } from "./test-helpers.js";
import { importCaffePrototxt } from "./index.js";


/** A SqueezeNet-v1.1-train_val-like net: TRAIN and TEST Data layers, loss and two accuracies. */
const TRAIN_VAL = `
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TRAIN }
  transform_param { mirror: true crop_size: 227 mean_value: 104 mean_value: 117 mean_value: 123 }
  data_param { source: "train_lmdb" batch_size: 32 backend: LMDB } }
layer { name: "data" type: "Data" top: "data" top: "label" include { phase: TEST }
  transform_param { crop_size: 227 mean_value: 104 }
  data_param { source: "val_lmdb" batch_size: 25 backend: LMDB } }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
  convolution_param { num_output: 8 kernel_size: 3 stride: 2 engine: CAFFE weight_filler { type: "xavier" } bias_filler { type: "constant" value: 0.2 } } }
layer { name: "pool10" type: "Pooling" bottom: "conv1" top: "pool10" pooling_param { pool: AVE global_pooling: true } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "pool10" bottom: "label" top: "loss" }
layer { name: "accuracy" type: "Accuracy" bottom: "pool10" bottom: "label" top: "accuracy" include { phase: TEST } }
layer { name: "accuracy_top5" type: "Accuracy" bottom: "pool10" bottom: "label" top: "accuracy_top5" include { phase: TEST } accuracy_param { top_k: 5 } }
`;

describe("train/test nets", () => {
  it("the TEST Data layer becomes an Input (crop 227, 3 channels, label [1]); loss and accuracies give scalars; pool10 and label are split", () => {
    const n = importCaffePrototxt(TRAIN_VAL, "train_val.prototxt");
    // Runtime list: data (TEST) + Split of label... Caffe's order: data, data's label split comes
    // right after data; conv1, pool10, pool10's split, loss, accuracy, accuracy_top5.
    expect(n.layers.map((l) => l.name)).toEqual([
      "data",
      "label_data_1_split",
      "conv1",
      "pool10",
      "pool10_pool10_0_split",
      "loss",
      "accuracy",
      "accuracy_top5",
    ]);
    const data = byName(n, "data");
    expect(data.type).toBe("Input");
    expect(data.tops).toEqual(["data", "label"]);
    expect(data.outputShapes).toEqual([[1, 3, 227, 227], [1]]);
    expect(data.params).toEqual({ shapes: [[1, 3, 227, 227], [1]] });
    expect(n.inputs).toEqual([{ layer: 0, top: 0 }, { layer: 0, top: 1 }]);
    // conv1: floor((227 − 3) / 2) + 1 = 113; 8·3·3·3 + 8 = 224 parameters.
    expect(byName(n, "conv1").outputShapes).toEqual([[1, 8, 113, 113]]);
    expect(byName(n, "conv1").parameters).toBe(224);
    expect(byName(n, "label_data_1_split").tops).toHaveLength(3);
    expect(byName(n, "pool10_pool10_0_split").tops).toHaveLength(3);
    const loss = byName(n, "loss");
    expect(loss.outputShapes).toEqual([[]]);
    expect(loss.bottoms).toEqual(["pool10_pool10_0_split_0", "label_data_1_split_0"]);
    expect(loss.macs).toBe(8); // one per element of [1, 8, 1, 1]
    expect(byName(n, "accuracy_top5").outputShapes).toEqual([[]]);
    expect(byName(n, "accuracy_top5").params).toEqual({ topK: 5, axis: 1 });
    expect(n.outputs.map((r) => n.layers[r.layer]!.name)).toEqual(["loss", "accuracy", "accuracy_top5"]);
  });

  it("a Data layer without crop_size: InvalidModelError naming the layer and suggesting the deploy file", () => {
    const text = `layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TEST }
      transform_param { scale: 0.00390625 } data_param { source: "mnist_test_lmdb" batch_size: 100 backend: LMDB } }`;
    const error = errorOf(() => importCaffePrototxt(text, "lenet_train_test.prototxt"));
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toContain("lenet_train_test.prototxt: layer 'mnist' (Data)");
    expect(error.message).toContain("deploy");
  });

  it("ImageData: new_height × new_width, then crop; is_color false gives 1 channel; force_gray too", () => {
    const n = importCaffePrototxt(
      `layer { name: "a" type: "ImageData" top: "a" top: "la" image_data_param { source: "list.txt" batch_size: 50 new_height: 256 new_width: 192 } }
       layer { name: "b" type: "ImageData" top: "b" top: "lb" transform_param { crop_size: 227 } image_data_param { source: "l" new_height: 256 new_width: 256 is_color: false } }
       layer { name: "c" type: "ImageData" top: "c" transform_param { crop_size: 32 force_gray: true } image_data_param { source: "l" } }`,
    );
    expect(byName(n, "a").outputShapes).toEqual([[1, 3, 256, 192], [1]]);
    expect(byName(n, "b").outputShapes).toEqual([[1, 1, 227, 227], [1]]);
    expect(byName(n, "c").outputShapes).toEqual([[1, 1, 32, 32]]);
    expect(n.layers.every((l) => l.type === "Input")).toBe(true);
    const error = errorOf(() => importCaffePrototxt(`layer { name: "img" type: "ImageData" top: "d" image_data_param { source: "l" } }`, "x.prototxt"));
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toContain("layer 'img' (ImageData)");
  });

  it("MemoryData, DummyData (shape and legacy fields) and WindowData have their shapes in the prototxt", () => {
    const n = importCaffePrototxt(
      `layer { name: "m" type: "MemoryData" top: "m" top: "ml" memory_data_param { batch_size: 10 channels: 3 height: 32 width: 24 } }
       layer { name: "d" type: "DummyData" top: "d1" top: "d2" dummy_data_param { shape { dim: 5 dim: 2 dim: 7 } shape { dim: 5 } } }
       layer { name: "e" type: "DummyData" top: "e" dummy_data_param { num: 4 channels: 2 height: 3 width: 3 } }
       layer { name: "w" type: "WindowData" top: "w" top: "wl" window_data_param { source: "w.txt" batch_size: 128 crop_size: 227 } }`,
    );
    expect(byName(n, "m").outputShapes).toEqual([[1, 3, 32, 24], [1]]);
    expect(byName(n, "d").outputShapes).toEqual([[1, 2, 7], [1]]);
    expect(byName(n, "e").outputShapes).toEqual([[1, 2, 3, 3]]);
    expect(byName(n, "w").outputShapes).toEqual([[1, 3, 227, 227], [1]]);
  });

  it("HDF5Data: InvalidModelError (its shape is in the HDF5 files); Python: UnsupportedLayerError naming module and layer", () => {
    const h5 = errorOf(() => importCaffePrototxt(`layer { name: "h5" type: "HDF5Data" top: "data" hdf5_data_param { source: "list.txt" batch_size: 10 } }`, "f.prototxt"));
    expect(h5).toBeInstanceOf(InvalidModelError);
    expect(h5).not.toBeInstanceOf(UnsupportedLayerError);
    expect(h5.message).toContain("f.prototxt: layer 'h5' (HDF5Data)");
    expect(h5.message).toContain("HDF5");
    const py = errorOf(() =>
      net([1, 3, 8, 8], `layer { name: "rpn" type: "Python" bottom: "data" top: "rois" python_param { module: "rpn.proposal_layer" layer: "ProposalLayer" } }`),
    );
    expect(py).toBeInstanceOf(UnsupportedLayerError);
    expect(py.message).toContain("layer 'rpn' (Python)");
    expect(py.message).toContain("rpn.proposal_layer");
  });

  it("loss layers: EuclideanLoss and SigmoidCrossEntropyLoss give a scalar; a label count mismatch is an error", () => {
    const n = net(
      [1, 10],
      `layer { name: "t" type: "DummyData" top: "t" dummy_data_param { shape { dim: 1 dim: 10 } } }
       layer { name: "e" type: "EuclideanLoss" bottom: "data" bottom: "t" top: "e" }
       layer { name: "s" type: "SigmoidCrossEntropyLoss" bottom: "data" bottom: "t" top: "s" }`,
    );
    expect(byName(n, "e").outputShapes).toEqual([[]]);
    expect(byName(n, "s").outputShapes).toEqual([[]]);
    const error = errorOf(() =>
      net([1, 10, 2, 2], `layer { name: "l" type: "DummyData" top: "l" dummy_data_param { shape { dim: 1 dim: 3 } } }
        layer { name: "loss" type: "SoftmaxWithLoss" bottom: "data" bottom: "l" top: "loss" }`),
    );
    // Softmax over axis 1 of [1, 10, 2, 2]: outer 1 × inner 4 = 4 labels expected, 3 given.
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toContain("layer 'loss' (SoftmaxWithLoss)");
    expect(error.message).toContain("4 elements");
  });

  it("an explicit loss_weight counts as a reader: a weighted top also read by a layer is split (Caffe's InsertSplits)", () => {
    const n = net(
      [1, 4],
      `layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" loss_weight: 1 inner_product_param { num_output: 2 } }
       layer { name: "r" type: "ReLU" bottom: "ip" top: "r" }
       layer { name: "zero" type: "InnerProduct" bottom: "data" top: "z" loss_weight: 0 inner_product_param { num_output: 2 } }
       layer { name: "r2" type: "ReLU" bottom: "z" top: "r2" }`,
    );
    // ip: 1 reader + 1 loss = 2 → split with 2 tops; z: weight 0 → 1 reader, no split; data read by ip and zero → split.
    expect(n.layers.map((l) => l.name)).toEqual(["data", "data_data_0_split", "ip", "ip_ip_0_split", "r", "zero", "r2"]);
    expect(byName(n, "ip_ip_0_split").tops).toEqual(["ip_ip_0_split_0", "ip_ip_0_split_1"]);
    expect(byName(n, "r").bottoms).toEqual(["ip_ip_0_split_0"]);
  });
});

describe("Slice, Crop and other types", () => {
  it("Slice at slice_points along channels; equal parts without them; legacy slice_dim", () => {
    const n = net(
      [1, 10, 4, 4],
      `layer { name: "s" type: "Slice" bottom: "data" top: "a" top: "b" top: "c" slice_param { axis: 1 slice_point: 2 slice_point: 7 } }
       layer { name: "e" type: "Slice" bottom: "a" top: "e1" top: "e2" }
       layer { name: "h" type: "Slice" bottom: "c" top: "h1" top: "h2" slice_param { slice_dim: 2 } }`,
    );
    // [0,2) [2,7) [7,10): 2, 5, 3 channels.
    expect(byName(n, "s").outputShapes).toEqual([[1, 2, 4, 4], [1, 5, 4, 4], [1, 3, 4, 4]]);
    expect(byName(n, "s").params).toEqual({ axis: 1, slicePoints: [2, 7] });
    expect(byName(n, "e").outputShapes).toEqual([[1, 1, 4, 4], [1, 1, 4, 4]]);
    expect(byName(n, "h").outputShapes).toEqual([[1, 3, 2, 4], [1, 3, 2, 4]]);
    expect(n.outputs).toHaveLength(5); // b, e1, e2, h1, h2
  });

  it("Slice errors: wrong number of points, non-increasing points, an uneven equal split", () => {
    for (const body of [
      `slice_param { slice_point: 2 }`, // 3 tops need 2 points
      `slice_param { slice_point: 5 slice_point: 3 }`,
      ``, // 10 channels into 3 parts
    ]) {
      const error = errorOf(() => net([1, 10], `layer { name: "s" type: "Slice" bottom: "data" top: "a" top: "b" top: "c" ${body} }`));
      expect(error).toBeInstanceOf(InvalidModelError);
      expect(error.message).toContain("layer 's' (Slice)");
    }
  });

  it("Crop (FCN's score crop): bottom 0 cut to bottom 1's spatial size at offset 19", () => {
    const n = net(
      [1, 3, 500, 500],
      `layer { name: "up" type: "Deconvolution" bottom: "data" top: "up" convolution_param { num_output: 21 kernel_size: 64 stride: 32 bias_term: false } }
       layer { name: "score" type: "Crop" bottom: "up" bottom: "data" top: "score" crop_param { axis: 2 offset: 19 } }`,
    );
    // Deconvolution: 32·(500 − 1) + 64 = 16032.
    expect(byName(n, "up").outputShapes).toEqual([[1, 21, 16032, 16032]]);
    expect(byName(n, "score").outputShapes).toEqual([[1, 21, 500, 500]]);
    expect(byName(n, "score").params).toEqual({ axis: 2, offsets: [19, 19] });
    expect(byName(n, "score").parameters).toBe(0);
  });

  it("Crop with one offset per axis, axis 1; out-of-range offset is an error", () => {
    const n = net(
      [1, 8, 6, 6],
      `layer { name: "r" type: "DummyData" top: "r" dummy_data_param { shape { dim: 1 dim: 4 dim: 3 dim: 5 } } }
       layer { name: "c" type: "Crop" bottom: "data" bottom: "r" top: "c" crop_param { axis: 1 offset: 4 offset: 3 offset: 1 } }`,
    );
    expect(byName(n, "c").outputShapes).toEqual([[1, 4, 3, 5]]);
    expect(byName(n, "c").params).toEqual({ axis: 1, offsets: [4, 3, 1] });
    const error = errorOf(() =>
      net([1, 8, 6, 6], `layer { name: "r" type: "DummyData" top: "r" dummy_data_param { shape { dim: 1 dim: 8 dim: 4 dim: 4 } } }
        layer { name: "c" type: "Crop" bottom: "data" bottom: "r" top: "c" crop_param { offset: 3 } }`),
    );
    // axis 2: 3 + 4 > 6.
    expect(error).toBeInstanceOf(InvalidModelError);
    expect(error.message).toContain("layer 'c' (Crop)");
  });

  it("ArgMax, Reduction, Tile, Silence, Threshold, Exp, Log, Clip", () => {
    const n = net(
      [1, 10, 2, 3],
      `layer { name: "am" type: "ArgMax" bottom: "data" top: "am" argmax_param { top_k: 3 out_max_val: true } }
       layer { name: "ax" type: "ArgMax" bottom: "data" top: "ax" argmax_param { axis: 1 } }
       layer { name: "red" type: "Reduction" bottom: "data" top: "red" reduction_param { operation: MEAN axis: 2 } }
       layer { name: "tile" type: "Tile" bottom: "data" top: "tile" tile_param { axis: 3 tiles: 4 } }
       layer { name: "th" type: "Threshold" bottom: "data" top: "th" threshold_param { threshold: 0.5 } }
       layer { name: "ex" type: "Exp" bottom: "th" top: "ex" exp_param { base: 2 scale: 0.5 } }
       layer { name: "lg" type: "Log" bottom: "ex" top: "lg" }
       layer { name: "cl" type: "Clip" bottom: "lg" top: "cl" clip_param { min: -1 max: 1 } }
       layer { name: "sil" type: "Silence" bottom: "am" bottom: "ax" }`,
    );
    expect(byName(n, "am").outputShapes).toEqual([[1, 2, 3]]); // [N, 2 with max values, top_k]
    expect(byName(n, "ax").outputShapes).toEqual([[1, 1, 2, 3]]);
    expect(byName(n, "red").outputShapes).toEqual([[1, 10]]);
    expect(byName(n, "tile").outputShapes).toEqual([[1, 10, 2, 12]]);
    expect(byName(n, "th").params).toEqual({ threshold: 0.5 });
    expect(byName(n, "ex").params).toEqual({ base: 2, scale: 0.5, shift: 0 });
    expect(byName(n, "lg").params).toEqual({ base: -1, scale: 1, shift: 0 });
    expect(byName(n, "cl").outputShapes).toEqual([[1, 10, 2, 3]]);
    expect(byName(n, "sil").tops).toEqual([]);
    expect(byName(n, "sil").outputShapes).toEqual([]);
  });

  it("types of no fork IONN knows (Faster R-CNN's ROIPooling, Proposal) are UnsupportedLayerErrors naming the layer (SSD's now import: see forks.test.ts)", () => {
    for (const [name, type] of [
      ["roi_pool5", "ROIPooling"],
      ["proposal", "Proposal"],
      ["psroi", "PSROIPooling"],
    ] as const) {
      const error = errorOf(() => net([1, 3, 300, 300], `layer { name: "${name}" type: "${type}" bottom: "data" top: "${name}" }`));
      expect(error).toBeInstanceOf(UnsupportedLayerError);
      expect(error.message).toContain(`t.prototxt: layer '${name}' (${type}): layer type '${type}' is not supported`);
    }
  });

  it("DenseNet's pool1 uses round_mode FLOOR: 112, kernel 3, stride 2, pad 1 gives 56 (CEIL would give 57)", () => {
    const n = net(
      [1, 4, 112, 112],
      `layer { name: "f" type: "Pooling" bottom: "data" top: "f" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 round_mode: FLOOR } }
       layer { name: "c" type: "Pooling" bottom: "data" top: "c" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }`,
    );
    // floor((112 + 2 − 3) / 2) + 1 = 56; ceil(111 / 2) + 1 = 57, and (57 − 1)·2 = 112 < 112 + 1 keeps 57.
    expect(byName(n, "f").outputShapes).toEqual([[1, 4, 56, 56]]);
    expect(byName(n, "c").outputShapes).toEqual([[1, 4, 57, 57]]);
  });
});

describe("Swish", () => {
  it("keeps swish_param.beta (default 1) for the executor", () => {
    const n = net(
      [1, 2, 3, 3],
      `layer { name: "s1" type: "Swish" bottom: "data" top: "s1" }
       layer { name: "s2" type: "Swish" bottom: "data" top: "s2" swish_param { beta: 2.5 } }`,
    );
    expect(byName(n, "s1").params).toEqual({ beta: 1 });
    expect(byName(n, "s2").params).toEqual({ beta: 2.5 });
    expect(byName(n, "s2").outputShapes).toEqual([[1, 2, 3, 3]]);
  });
});
