/**
 * The reference executor on networks imported from TF.js graph models: the
 * twin fixture (fused Conv2D/depthwise with SAME padding and Relu, MaxPool,
 * AddV2, Relu, Pad, Reshape, _FusedMatMul, Softmax, Identity), run with the
 * fixture's own weights moved to Caffe's layout, gives tfjs-converter's
 * output; a run split at every layer boundary gives the whole run's bits;
 * Resize (bilinear, nearest; align_corners, half_pixel_centers) and Pad equal
 * TensorFlow.js's kernels. Skipped without @tensorflow/tfjs.
 */
import { describe, expect, it } from "vitest";
import { buildTwinModels, loadTf, runGraphWithTf } from "../model/tfjs/test-fixtures.js";
import { importTfjsGraphModel } from "../model/tfjs/graph.js";
import { tensorKey, type Network } from "../model/types.js";
import type { LayerWeights, Tensor } from "./types.js";
import { pad, resize } from "./kernels/imported.js";
import { referenceExecutor } from "./reference.js";
import { runSplit, sameBits } from "./test-networks.js";

const tf = loadTf();

/** TF kernels → Caffe blobs: conv `[kh, kw, Cin, Cout]` → `[Cout, Cin, kh, kw]`, depthwise `[kh, kw, C, 1]` → `[C, 1, kh, kw]`; dense rows from HWC to CHW order. */
function caffeWeights(network: Network, model: any): Map<string, LayerWeights> {
  const out = new Map<string, LayerWeights>();
  for (const layer of network.layers) {
    if (layer.paramShapes.length === 0) continue;
    const [kernel, bias] = model.getLayer(layer.name).getWeights().map((w: any) => ({ data: w.dataSync() as Float32Array, shape: w.shape as number[] }));
    let blob: Float32Array;
    if (layer.type === "Convolution") {
      const [kh, kw, ci, co] = kernel.shape as [number, number, number, number];
      const depthwise = layer.name === "dw";
      const cout = depthwise ? ci * co : co;
      const cin = depthwise ? 1 : ci;
      blob = new Float32Array(kernel.data.length);
      for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
        const src = depthwise ? ((y * kw + x) * ci + o) * co : ((y * kw + x) * ci + i) * co + o;
        blob[((o * cin + i) * kh + y) * kw + x] = kernel.data[src]!;
      }
    } else {
      // Dense after Flatten: the graph flattens [8, 8, 8] (H, W, C); the NCHW network flattens (C, H, W).
      const [k, n] = kernel.shape as [number, number];
      blob = new Float32Array(k * n);
      for (let c = 0; c < 8; c++) for (let h = 0; h < 8; h++) for (let w = 0; w < 8; w++) {
        const from = (h * 8 + w) * 8 + c;
        const to = c * 64 + h * 8 + w;
        blob.set(kernel.data.subarray(from * n, (from + 1) * n), to * n);
      }
    }
    out.set(layer.name, [blob, bias.data]);
  }
  return out;
}

describe.skipIf(tf === undefined)(`reference executor on TF.js graph ops${tf === undefined ? " (skipped: @tensorflow/tfjs absent)" : ""}`, () => {
  it("the imported twin graph model computes tfjs-converter's output; split at every boundary is bit-identical", async () => {
    const twins = await buildTwinModels(tf);
    const network = importTfjsGraphModel(twins.graph.json, "twin/model.json", { shards: twins.graph.shards }).network;
    const weights = caffeWeights(network, twins.model);
    const x = tf.randomUniform(twins.inputShape, -1, 1, "float32", 5);
    const [expected] = await runGraphWithTf(tf, twins.graph, x, ["Identity"]);
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    const input = new Map<string, Tensor>([[tensorKey(network.inputs[0]!), { shape: nchw.shape, data: nchw.dataSync() as Float32Array }]]);
    const executor = referenceExecutor();
    await executor.load(network.layers, weights);
    const outKey = tensorKey(network.outputs[0]!);
    const result = (await executor.run(network.layers.map((l) => l.index), input, [outKey])).get(outKey)!;
    expect(result.shape).toEqual([1, 10]);
    const reference = expected.dataSync() as Float32Array;
    for (let i = 0; i < 10; i++) expect(Math.abs(result.data[i]! - reference[i]!)).toBeLessThan(1e-5);

    const whole = await runSplit(network, weights, input, network.layers.length);
    for (let cut = 1; cut < network.layers.length; cut++) {
      const split = await runSplit(network, weights, input, cut);
      for (const [key, tensor] of whole) expect(sameBits(split.get(key)!, tensor), `cut ${cut}, output ${key}`).toBe(true);
    }
  });

  it("Resize equals tf.image.resizeBilinear / resizeNearestNeighbor; Pad equals tf.pad", () => {
    const x = tf.randomUniform([1, 5, 7, 3], -1, 1, "float32", 9);
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    const input: Tensor = { shape: nchw.shape, data: nchw.dataSync() as Float32Array };
    for (const mode of ["bilinear", "nearest"] as const) {
      for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]] as const) {
        for (const [h, w] of [[10, 14], [3, 4], [9, 7]] as const) {
          const tfOut = mode === "bilinear" ? tf.image.resizeBilinear(x, [h, w], alignCorners, halfPixelCenters) : tf.image.resizeNearestNeighbor(x, [h, w], alignCorners, halfPixelCenters);
          const want = tf.transpose(tfOut, [0, 3, 1, 2]).dataSync() as Float32Array;
          const got = resize(input, { mode, height: h, width: w, alignCorners, halfPixelCenters });
          expect(got.shape).toEqual([1, 3, h, w]);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i]! - got.data[i]!));
          expect(worst, `${mode} align ${alignCorners} half ${halfPixelCenters} ${h}x${w}`).toBeLessThan(1e-5);
        }
      }
    }
    const padded = pad(input, { pads: [0, 1, 2, 0, 0, 0, 1, 3], value: 0.5 });
    const want = tf.transpose(tf.pad(x, [[0, 0], [2, 1], [0, 3], [1, 0]], 0.5), [0, 3, 1, 2]);
    expect(padded.shape).toEqual(want.shape);
    expect(Array.from(padded.data)).toEqual(Array.from(want.dataSync() as Float32Array));
  });
});
