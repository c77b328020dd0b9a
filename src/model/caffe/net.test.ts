/**
 * Tests of Caffe's net-construction rules on small hand-written nets: shapes,
 * parameter blobs and MACs computed by hand, split insertion as Caffe's
 * InsertSplits does it, phase filtering, and one test per kind of bad input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import { byName, errorOf, net } from "./test-helpers.js";
import { importCaffePrototxt, networkFromCaffeNet } from "./index.js";
import type { CaffeLayerSpec, CaffeNetSpec } from "./spec.js";


describe("networkFromCaffeNet: shapes, parameter blobs, MACs", () => {
  it("AlexNet conv1 and pool1: [1,96,55,55] then [1,96,27,27]; batch 10 forced to 1", () => {
    const n = net(
      [10, 3, 227, 227],
      `layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 96 kernel_size: 11 stride: 4 } }
       layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
       layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 3 stride: 2 } }`,
    );
    expect(n.layers[0]!.outputShapes).toEqual([[1, 3, 227, 227]]);
    const conv1 = byName(n, "conv1");
    // (227 - 11) / 4 + 1 = 55
    expect(conv1.outputShapes).toEqual([[1, 96, 55, 55]]);
    expect(conv1.paramShapes).toEqual([[96, 3, 11, 11], [96]]);
    expect(conv1.parameters).toBe(96 * 3 * 121 + 96);
    expect(conv1.macs).toBe(96 * 55 * 55 * 3 * 121);
    expect(conv1.params).toMatchObject({ numOutput: 96, kernelH: 11, kernelW: 11, strideH: 4, strideW: 4, padH: 0, group: 1, biasTerm: true });
    // ceil((55 - 3) / 2) + 1 = 27
    const pool1 = byName(n, "pool1");
    expect(pool1.outputShapes).toEqual([[1, 96, 27, 27]]);
    expect(pool1.macs).toBe(96 * 27 * 27 * 9);
    expect(pool1.params).toMatchObject({ method: "max", rounding: "ceil", global: false });
    expect(byName(n, "relu1").macs).toBe(96 * 55 * 55);
  });

  it("pooling rounds up: 112 with kernel 3 stride 2 gives 56 (floor would give 55); round_mode FLOOR gives 55", () => {
    const n = net(
      [1, 4, 112, 112],
      `layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_size: 3 stride: 2 } }
       layer { name: "q" type: "Pooling" bottom: "data" top: "q" pooling_param { kernel_size: 3 stride: 2 round_mode: FLOOR } }`,
    );
    expect(byName(n, "p").outputShapes).toEqual([[1, 4, 56, 56]]);
    expect(byName(n, "q").outputShapes).toEqual([[1, 4, 55, 55]]);
  });

  it("pooling clip rule: 5x5, kernel 2, stride 2, pad 1 gives 3x3, not ceil's 4x4", () => {
    // ceil((5 + 2 - 2) / 2) + 1 = 4, and (4 - 1) * 2 = 6 >= 5 + 1, so the last window would start in the padding: 3.
    const n = net([1, 2, 5, 5], `layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: AVE kernel_size: 2 stride: 2 pad: 1 } }`);
    expect(byName(n, "p").outputShapes).toEqual([[1, 2, 3, 3]]);
    expect(byName(n, "p").params).toMatchObject({ method: "average", padH: 1, padW: 1 });
  });

  it("global pooling takes the whole H x W", () => {
    const n = net([1, 8, 7, 5], `layer { name: "g" type: "Pooling" bottom: "data" top: "g" pooling_param { pool: AVE global_pooling: true } }`);
    const g = byName(n, "g");
    expect(g.outputShapes).toEqual([[1, 8, 1, 1]]);
    expect(g.params).toMatchObject({ global: true, kernelH: 7, kernelW: 5 });
    expect(g.macs).toBe(8 * 35);
  });

  it("InnerProduct flattens from axis 1: AlexNet fc6 reads pool5 [1,256,6,6] as K = 9216", () => {
    const n = net([1, 256, 6, 6], `layer { name: "fc6" type: "InnerProduct" bottom: "data" top: "fc6" inner_product_param { num_output: 4096 } }`);
    const fc6 = byName(n, "fc6");
    expect(fc6.outputShapes).toEqual([[1, 4096]]);
    expect(fc6.paramShapes).toEqual([[4096, 9216], [4096]]);
    expect(fc6.parameters).toBe(4096 * 9216 + 4096);
    expect(fc6.macs).toBe(9216 * 4096);
  });

  it("InnerProduct with axis 2, no bias, transposed weights", () => {
    const n = net([1, 3, 4, 5], `layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 7 axis: 2 bias_term: false transpose: true } }`);
    const ip = byName(n, "ip");
    expect(ip.outputShapes).toEqual([[1, 3, 7]]);
    expect(ip.paramShapes).toEqual([[20, 7]]);
    expect(ip.macs).toBe(3 * 20 * 7);
  });

  it("group convolution (AlexNet conv2): weights [256, 48, 5, 5]", () => {
    const n = net([1, 96, 27, 27], `layer { name: "conv2" type: "Convolution" bottom: "data" top: "conv2" convolution_param { num_output: 256 pad: 2 kernel_size: 5 group: 2 } }`);
    const conv2 = byName(n, "conv2");
    expect(conv2.outputShapes).toEqual([[1, 256, 27, 27]]);
    expect(conv2.paramShapes).toEqual([[256, 48, 5, 5], [256]]);
    expect(conv2.parameters).toBe(307_456);
    expect(conv2.macs).toBe(256 * 27 * 27 * 48 * 25);
  });

  it("depthwise convolution, rectangular kernel via kernel_h/kernel_w, stride_h/stride_w, dilation, no bias", () => {
    const n = net(
      [1, 8, 10, 12],
      `layer { name: "dw" type: "Convolution" bottom: "data" top: "dw" convolution_param { num_output: 8 group: 8 kernel_h: 3 kernel_w: 1 stride_h: 1 stride_w: 2 pad_h: 1 pad_w: 0 bias_term: false } }
       layer { name: "dil" type: "Convolution" bottom: "data" top: "dil" convolution_param { num_output: 2 kernel_size: 3 dilation: 2 pad: 2 } }`,
    );
    const dw = byName(n, "dw");
    // H: (10 + 2 - 3) / 1 + 1 = 10; W: (12 - 1) / 2 + 1 = 6 (floor of 5.5)
    expect(dw.outputShapes).toEqual([[1, 8, 10, 6]]);
    expect(dw.paramShapes).toEqual([[8, 1, 3, 1]]);
    expect(dw.macs).toBe(8 * 10 * 6 * 1 * 3);
    // extent 2 * (3 - 1) + 1 = 5: (10 + 4 - 5) + 1 = 10, (12 + 4 - 5) + 1 = 12
    expect(byName(n, "dil").outputShapes).toEqual([[1, 2, 10, 12]]);
  });

  it("Deconvolution: stride 2, kernel 4, pad 1 doubles H and W", () => {
    const n = net([1, 6, 5, 5], `layer { name: "up" type: "Deconvolution" bottom: "data" top: "up" convolution_param { num_output: 3 kernel_size: 4 stride: 2 pad: 1 } }`);
    const up = byName(n, "up");
    expect(up.outputShapes).toEqual([[1, 3, 10, 10]]);
    expect(up.paramShapes).toEqual([[6, 3, 4, 4], [3]]);
    expect(up.macs).toBe(6 * 25 * 3 * 16);
  });

  it("Inception-style concat sums channels; Eltwise, LRN, Softmax MACs", () => {
    const n = net(
      [1, 192, 28, 28],
      `layer { name: "a" type: "Convolution" bottom: "data" top: "a" convolution_param { num_output: 64 kernel_size: 1 } }
       layer { name: "b" type: "Convolution" bottom: "data" top: "b" convolution_param { num_output: 128 kernel_size: 3 pad: 1 } }
       layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 32 kernel_size: 5 pad: 2 } }
       layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 1 } }
       layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" bottom: "c" bottom: "p" top: "cat" }
       layer { name: "n" type: "LRN" bottom: "cat" top: "n" lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 } }
       layer { name: "e" type: "Eltwise" bottom: "n" bottom: "cat" bottom: "n" top: "e" eltwise_param { operation: SUM coeff: 1 coeff: -1 coeff: 0.5 } }
       layer { name: "s" type: "Softmax" bottom: "e" top: "s" }`,
    );
    const cat = byName(n, "cat");
    expect(cat.outputShapes).toEqual([[1, 64 + 128 + 32 + 192, 28, 28]]);
    expect(cat.macs).toBe(0);
    const elements = 416 * 28 * 28;
    expect(byName(n, "n").macs).toBe(elements * 5);
    expect(byName(n, "n").params).toEqual({ localSize: 5, alpha: 0.0001, beta: 0.75, k: 1, region: "across_channels" });
    expect(byName(n, "e").macs).toBe(elements * 2);
    expect(byName(n, "e").params).toEqual({ operation: "sum", coeffs: [1, -1, 0.5] });
    expect(byName(n, "s").macs).toBe(elements);
  });

  it("BatchNorm has blobs [C], [C], [1]; Scale [C] (+[C] with bias_term); Scale with 2 bottoms learns only the bias", () => {
    const n = net(
      [1, 64, 4, 4],
      `layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" batch_norm_param { use_global_stats: true } }
       layer { name: "sc" type: "Scale" bottom: "data" top: "data" scale_param { bias_term: true } }
       layer { name: "sc1" type: "Scale" bottom: "data" top: "x" }
       layer { name: "g" type: "Pooling" bottom: "x" top: "g" pooling_param { pool: AVE global_pooling: true } }
       layer { name: "flat" type: "Flatten" bottom: "g" top: "f" }
       layer { name: "sc2" type: "Scale" bottom: "x" bottom: "f" top: "y" scale_param { axis: 0 bias_term: true } }`,
    );
    expect(byName(n, "bn").paramShapes).toEqual([[64], [64], [1]]);
    expect(byName(n, "bn").parameters).toBe(2 * 64 + 1);
    expect(byName(n, "sc").paramShapes).toEqual([[64], [64]]);
    expect(byName(n, "sc1").paramShapes).toEqual([[64]]);
    expect(byName(n, "flat").outputShapes).toEqual([[1, 64]]);
    expect(byName(n, "sc2").paramShapes).toEqual([[1, 64]]); // the bias takes the second bottom's shape
    expect(byName(n, "sc2").outputShapes).toEqual([[1, 64, 4, 4]]);
  });

  it("Reshape: 0 copies, -1 is inferred; axis/num_axes replace a range", () => {
    const n = net(
      [1, 6, 4, 4],
      `layer { name: "r1" type: "Reshape" bottom: "data" top: "r1" reshape_param { shape { dim: 0 dim: -1 dim: 2 } } }
       layer { name: "r2" type: "Reshape" bottom: "data" top: "r2" reshape_param { shape { dim: 2 dim: 2 } axis: 2 num_axes: 1 } }
       layer { name: "r3" type: "Reshape" bottom: "data" top: "r3" reshape_param { shape { dim: -1 } axis: 1 } }`,
    );
    expect(byName(n, "r1").outputShapes).toEqual([[1, 48, 2]]);
    expect(byName(n, "r2").outputShapes).toEqual([[1, 6, 2, 2, 4]]);
    expect(byName(n, "r3").outputShapes).toEqual([[1, 96]]);
    // Params hold the resolved output shape, so a partial reshape (axis/num_axes) runs right in any executor.
    expect(byName(n, "r1").params).toEqual({ dims: [1, 48, 2] });
    expect(byName(n, "r2").params).toEqual({ dims: [1, 6, 2, 2, 4] });
    expect(byName(n, "r3").params).toEqual({ dims: [1, 96] });
  });

  it("PReLU, Dropout, Sigmoid, TanH keep the shape", () => {
    const n = net(
      [1, 5, 3, 3],
      `layer { name: "pr" type: "PReLU" bottom: "data" top: "a" }
       layer { name: "d" type: "Dropout" bottom: "a" top: "a" dropout_param { dropout_ratio: 0.3 } }
       layer { name: "sg" type: "Sigmoid" bottom: "a" top: "b" }
       layer { name: "th" type: "TanH" bottom: "b" top: "b" }`,
    );
    expect(byName(n, "pr").paramShapes).toEqual([[5]]);
    expect(byName(n, "d").params).toEqual({ ratio: 0.3 });
    expect(byName(n, "th").outputShapes).toEqual([[1, 5, 3, 3]]);
  });
});

describe("networkFromCaffeNet: runtime list as Caffe builds it", () => {
  it("old-style input: becomes a first layer named 'input', batch forced to 1", () => {
    const n = importCaffePrototxt(
      `input: "data" input_dim: 10 input_dim: 3 input_dim: 8 input_dim: 8
       layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }`,
    );
    expect(n.layers.map((l) => [l.name, l.type])).toEqual([["input", "Input"], ["c", "Convolution"]]);
    expect(n.layers[0]!.tops).toEqual(["data"]);
    expect(n.layers[0]!.outputShapes).toEqual([[1, 3, 8, 8]]);
    expect(n.inputs).toEqual([{ layer: 0, top: 0 }]);
    expect(n.outputs).toEqual([{ layer: 1, top: 0 }]);
  });

  it("old-style input_shape with two inputs, and a split on an input read twice", () => {
    const n = importCaffePrototxt(
      `input: "a" input_shape { dim: 1 dim: 4 } input: "b" input_shape { dim: 2 dim: 4 }
       layer { name: "s" type: "Eltwise" bottom: "a" bottom: "b" bottom: "a" top: "s" }`,
    );
    expect(n.layers.map((l) => l.name)).toEqual(["input", "a_input_0_split", "s"]);
    expect(n.layers[0]!.outputShapes).toEqual([[1, 4], [1, 4]]);
    expect(n.layers[2]!.bottoms).toEqual(["a_input_0_split_0", "b", "a_input_0_split_1"]);
    expect(n.layers[2]!.inputs).toEqual([{ layer: 1, top: 0 }, { layer: 0, top: 1 }, { layer: 1, top: 1 }]);
  });

  it("a split follows the in-place layer that last wrote the blob (ResNet's res2a_res2a_relu_0_split)", () => {
    const n = net(
      [1, 4, 6, 6],
      `layer { name: "res2a" type: "Convolution" bottom: "data" top: "res2a" convolution_param { num_output: 4 kernel_size: 1 } }
       layer { name: "res2a_relu" type: "ReLU" bottom: "res2a" top: "res2a" }
       layer { name: "branch" type: "Convolution" bottom: "res2a" top: "branch" convolution_param { num_output: 4 kernel_size: 1 } }
       layer { name: "res2b" type: "Eltwise" bottom: "res2a" bottom: "branch" top: "res2b" }`,
    );
    expect(n.layers.map((l) => l.name)).toEqual(["data", "res2a", "res2a_relu", "res2a_res2a_relu_0_split", "branch", "res2b"]);
    const split = byName(n, "res2a_res2a_relu_0_split");
    expect(split.type).toBe("Split");
    expect(split.bottoms).toEqual(["res2a"]);
    expect(split.tops).toEqual(["res2a_res2a_relu_0_split_0", "res2a_res2a_relu_0_split_1"]);
    expect(split.inputs).toEqual([{ layer: 2, top: 0 }]);
    expect(split.outputShapes).toEqual([[1, 4, 6, 6], [1, 4, 6, 6]]);
    expect(byName(n, "res2a_relu").inputs).toEqual([{ layer: 1, top: 0 }]);
    expect(byName(n, "res2a_relu").bottoms).toEqual(["res2a"]);
    expect(byName(n, "branch").bottoms).toEqual(["res2a_res2a_relu_0_split_0"]);
    expect(byName(n, "res2b").bottoms).toEqual(["res2a_res2a_relu_0_split_1", "branch"]);
    expect(byName(n, "res2b").inputs).toEqual([{ layer: 3, top: 1 }, { layer: 4, top: 0 }]);
  });

  it("a version read by an in-place layer and another layer is split before the in-place layer (as Caffe does)", () => {
    const n = net(
      [1, 2, 3, 3],
      `layer { name: "c" type: "Convolution" bottom: "data" top: "x" convolution_param { num_output: 2 kernel_size: 1 } }
       layer { name: "a" type: "Sigmoid" bottom: "x" top: "a" }
       layer { name: "relu" type: "ReLU" bottom: "x" top: "x" }
       layer { name: "b" type: "TanH" bottom: "x" top: "b" }`,
    );
    expect(n.layers.map((l) => l.name)).toEqual(["data", "c", "x_c_0_split", "a", "relu", "b"]);
    expect(byName(n, "a").bottoms).toEqual(["x_c_0_split_0"]);
    // The ReLU now reads the split's second top and still writes 'x'.
    expect(byName(n, "relu").bottoms).toEqual(["x_c_0_split_1"]);
    expect(byName(n, "relu").tops).toEqual(["x"]);
    expect(byName(n, "b").inputs).toEqual([{ layer: 4, top: 0 }]);
    expect(n.outputs).toEqual([{ layer: 3, top: 0 }, { layer: 5, top: 0 }]);
  });

  it("keeps only layers admitted in the TEST phase (include/exclude, level, stage)", () => {
    const n = importCaffePrototxt(
      `state { level: 2 stage: "deploy" }
       layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }
       layer { name: "train_only" type: "Data" top: "data" include { phase: TRAIN } }
       layer { name: "test_only" type: "ReLU" bottom: "data" top: "t" include { phase: TEST } }
       layer { name: "not_test" type: "ReLU" bottom: "data" top: "u" exclude { phase: TEST } }
       layer { name: "lvl_ok" type: "ReLU" bottom: "data" top: "v" include { min_level: 1 max_level: 2 } }
       layer { name: "lvl_no" type: "ReLU" bottom: "data" top: "w" include { min_level: 3 } }
       layer { name: "stage_ok" type: "ReLU" bottom: "data" top: "y" include { stage: "deploy" } }
       layer { name: "stage_no" type: "ReLU" bottom: "data" top: "z" include { phase: TEST not_stage: "deploy" } include { stage: "other" } }
       layer { name: "either" type: "ReLU" bottom: "data" top: "q" include { phase: TRAIN } include { phase: TEST } }`,
    );
    expect(n.layers.filter((l) => l.type !== "Split").map((l) => l.name)).toEqual(["data", "test_only", "lvl_ok", "stage_ok", "either"]);
  });

  it("layers may be given in code with scalars for repeated fields", () => {
    const spec: CaffeNetSpec = {
      name: "code",
      layer: [
        { name: "in", type: "Input", top: ["x"], input_param: { shape: [{ dim: [1, 3, 9, 9] }] } },
        { name: "c", type: "Convolution", bottom: ["x"], top: ["c"], convolution_param: { num_output: 4, kernel_size: 3, stride: 2 } },
      ],
    };
    const n = networkFromCaffeNet(spec);
    expect(n.name).toBe("code");
    expect(n.layers[1]!.outputShapes).toEqual([[1, 4, 4, 4]]);
  });

  it("V1 'layers' nets build like new ones", () => {
    const n = importCaffePrototxt(
      `input: "data" input_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4
       layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" convolution_param { num_output: 2 kernel_size: 3 } }
       layers { name: "relu" type: RELU bottom: "conv" top: "conv" }`,
    );
    expect(n.layers.map((l) => l.type)).toEqual(["Input", "Convolution", "ReLU"]);
  });

  it("split insertion matches an independent last-writer simulation on random nets (property)", () => {
    // Random shape-preserving nets: each layer is an in-place ReLU, a ReLU to a
    // new blob, or an Eltwise SUM of 2-3 existing blobs.
    const op = fc.record({ kind: fc.constantFrom("inplace", "relu", "sum"), picks: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), arity: fc.integer({ min: 2, max: 3 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const blobs = ["data"];
        const layers: CaffeLayerSpec[] = [{ name: "data", type: "Input", top: ["data"], input_param: { shape: [{ dim: [1, 2, 3, 3] }] } }];
        ops.forEach((o, i) => {
          const pick = (k: number) => blobs[o.picks[k]! % blobs.length]!;
          if (o.kind === "inplace") layers.push({ name: `l${i}`, type: "ReLU", bottom: [pick(0)], top: [pick(0)] });
          else if (o.kind === "relu") {
            layers.push({ name: `l${i}`, type: "ReLU", bottom: [pick(0)], top: [`b${i}`] });
            blobs.push(`b${i}`);
          } else {
            layers.push({ name: `l${i}`, type: "Eltwise", bottom: o.picks.slice(0, o.arity).map((_, k) => pick(k)), top: [`b${i}`] });
            blobs.push(`b${i}`);
          }
        });
        // Independent model: for each bottom, the name of the declared layer that last wrote the blob.
        const lastWriter = new Map<string, string>();
        const expected = new Map<string, string[]>();
        const readsOfVersion = new Map<string, number>();
        for (const l of layers) {
          const srcs = (l.bottom ?? []).map((b) => lastWriter.get(b)! + "/" + b);
          expected.set(l.name, srcs);
          for (const s of srcs) readsOfVersion.set(s, (readsOfVersion.get(s) ?? 0) + 1);
          for (const t of l.top ?? []) lastWriter.set(t, l.name);
        }
        const n = networkFromCaffeNet({ layer: layers });
        const splits = n.layers.filter((l) => l.type === "Split");
        expect(splits.length).toBe([...readsOfVersion.values()].filter((c) => c > 1).length);
        // Every tensor is read at most once after split insertion.
        const reads = new Map<string, number>();
        for (const l of n.layers) for (const r of l.inputs) reads.set(`${r.layer}:${r.top}`, (reads.get(`${r.layer}:${r.top}`) ?? 0) + 1);
        for (const c of reads.values()) expect(c).toBe(1);
        // Resolving through splits gives the last writer.
        for (const l of n.layers) {
          if (l.type === "Split") continue;
          const names = l.inputs.map((r) => {
            const p = n.layers[r.layer]!;
            return p.type === "Split" ? n.layers[p.inputs[0]!.layer]!.name : p.name;
          });
          expect(names).toEqual(expected.get(l.name)!.map((s) => s.split("/")[0]));
        }
        // Each split sits right after its producer and is named after it.
        for (const s of splits) {
          const producer = n.layers[s.index - 1]!;
          expect(s.inputs[0]!.layer).toBe(producer.index);
          expect(s.name).toBe(`${s.bottoms[0]}_${producer.name}_${s.inputs[0]!.top}_split`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("builds a 20,000-layer chain with a branch every 10 layers (linear construction)", () => {
    const layers: CaffeLayerSpec[] = [{ name: "data", type: "Input", top: ["b0"], input_param: { shape: [{ dim: [1, 1, 2, 2] }] } }];
    for (let i = 1; i <= 20_000; i++) {
      const bottom = i % 10 === 0 ? [`b${i - 1}`, `b${i - 2}`] : [`b${i - 1}`];
      layers.push({ name: `l${i}`, type: i % 10 === 0 ? "Eltwise" : "ReLU", bottom, top: [`b${i}`] });
    }
    const n = networkFromCaffeNet({ layer: layers });
    // Each Eltwise reads b(i-2), which b(i-1)'s layer also read: 2,000 splits.
    expect(n.layers.length).toBe(20_001 + 2_000);
    expect(n.outputs).toEqual([{ layer: n.layers.length - 1, top: 0 }]);
  });
});

describe("networkFromCaffeNet: bad input gives typed errors naming the place", () => {
  it("an unknown layer type: UnsupportedLayerError naming layer and type", () => {
    const e = errorOf(() => net([1, 3, 4, 4], `layer { name: "weird" type: "Frobnicate" bottom: "data" top: "w" }`));
    expect(e).toBeInstanceOf(UnsupportedLayerError);
    expect(e.message).toMatch(/t\.prototxt: layer 'weird' \(Frobnicate\): layer type 'Frobnicate' is not supported/);
  });

  it("a bottom that no layer produces: InvalidModelError naming layer and blob", () => {
    const e = errorOf(() => net([1, 3, 4, 4], `layer { name: "r" type: "ReLU" bottom: "nothing" top: "r" }`));
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/t\.prototxt: layer 'r' \(ReLU\): bottom 'nothing' .*not produced by any earlier layer \(undefined blob or a cycle\)/);
  });

  it("a cycle: a reads b's output, b reads a's output", () => {
    const e = errorOf(() =>
      net(
        [1, 3, 4, 4],
        `layer { name: "a" type: "Eltwise" bottom: "data" bottom: "bout" top: "aout" }
         layer { name: "b" type: "ReLU" bottom: "aout" top: "bout" }`,
      ),
    );
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/layer 'a' \(Eltwise\): bottom 'bout' .*not produced by any earlier layer: it is first produced by the later layer 'b' \(a cycle/);
  });

  it("a Concat shape mismatch", () => {
    const e = errorOf(() =>
      net(
        [1, 3, 8, 8],
        `layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_size: 2 stride: 2 } }
         layer { name: "cat" type: "Concat" bottom: "data" bottom: "p" top: "cat" }`,
      ),
    );
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/layer 'cat' \(Concat\): shape mismatch: bottom 1 \[1, 3, 4, 4\] differs from bottom 0 \[1, 3, 8, 8\] on axis 2/);
  });

  it("an Eltwise shape mismatch", () => {
    const e = errorOf(() =>
      net(
        [1, 3, 8, 8],
        `layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 4 kernel_size: 1 } }
         layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "c" top: "sum" }`,
      ),
    );
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/layer 'sum' \(Eltwise\): shape mismatch/);
  });

  it("a kernel bigger than the padded input", () => {
    const e = errorOf(() => net([1, 3, 4, 4], `layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 4 kernel_size: 7 pad: 1 } }`));
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/layer 'c' \(Convolution\): kernel extent 7x7 is bigger than the padded input 6x6/);
  });

  it("a Reshape whose element count does not match", () => {
    const e = errorOf(() => net([1, 6, 4, 4], `layer { name: "r" type: "Reshape" bottom: "data" top: "r" reshape_param { shape { dim: 0 dim: 5 dim: -1 } } }`));
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/layer 'r' \(Reshape\): reshape_param: cannot infer the -1 dimension/);
  });

  it("missing num_output and missing kernel_size", () => {
    expect(() => net([1, 3, 4, 4], `layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { kernel_size: 3 } }`)).toThrow(
      /layer 'c' \(Convolution\): convolution_param\.num_output is required/,
    );
    expect(() => net([1, 3, 4, 4], `layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 3 } }`)).toThrow(
      /layer 'c' \(Convolution\): convolution_param\.kernel_size .*is required/,
    );
    expect(() => net([1, 3, 4, 4], `layer { name: "p" type: "Pooling" bottom: "data" top: "p" }`)).toThrow(/layer 'p' \(Pooling\): pooling_param\.kernel_size/);
  });

  it("duplicate layer names", () => {
    const e = errorOf(() => net([1, 3, 4, 4], `layer { name: "data" type: "ReLU" bottom: "data" top: "x" }`));
    expect(e).toBeInstanceOf(InvalidModelError);
    expect(e.message).toMatch(/duplicate layer name 'data'/);
  });

  it("group not dividing the channels, an old-style input without dims, a non-positive pooled size", () => {
    expect(() => net([1, 3, 4, 4], `layer { name: "g" type: "Convolution" bottom: "data" top: "g" convolution_param { num_output: 4 kernel_size: 1 group: 2 } }`)).toThrow(
      /convolution_param\.group 2 does not divide the 3 input channels/,
    );
    expect(() => importCaffePrototxt(`input: "data"`, "old.prototxt")).toThrow(/old\.prototxt: layer 'input' \(Input\): .*without input_dim or input_shape/);
    expect(() => net([1, 3, 2, 2], `layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_size: 3 } }`)).toThrow(
      /layer 'p' \(Pooling\): pooling kernel 3x3 does not fit/,
    );
  });
});
