/**
 * ortLayerExecutor (ONNX Runtime on the library's Caffe-semantics layers)
 * against the reference executor on zoo networks with seeded random weights:
 * whole runs and runs split between the reference executor (front) and ONNX
 * Runtime (back), as `ionn serve --executor ort` splits a query.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { UnsupportedLayerError } from "../errors.js";
import { networkFromCaffeNet } from "../model/caffe/index.js";
import { tensorKey, type Layer, type Network } from "../model/types.js";
import { alexnetSpec, zooNetwork } from "../model/zoo/index.js";
import type { Ort } from "./ort-executor.js";
import { ortLayerExecutor } from "./ort-layers.js";
import { randomWeights } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";
import { randomInput } from "./test-networks.js";
import type { Tensor } from "./types.js";

const require = createRequire(import.meta.url);
let ort: Ort | undefined;
try {
  ort = require("onnxruntime-node") as Ort;
} catch {
  ort = undefined;
}

/** Largest |a − b| relative to the largest |b|. */
function relativeError(a: Tensor, b: Tensor): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.data.length; i++) {
    worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return worst / (scale || 1);
}

/** Front layers [0, cut) on the reference executor, the rest on ONNX Runtime; compare with a whole reference run. */
const prepared = new Map<Network, Promise<{ weights: ReturnType<typeof randomWeights>; input: Map<string, Tensor>; reference: ReturnType<typeof referenceExecutor>; expected: Tensor }>>();
function prepare(network: Network, seed: number) {
  let entry = prepared.get(network);
  if (entry === undefined) {
    entry = (async () => {
      const weights = randomWeights(network, seed);
      const input = randomInput(network, seed + 1);
      const reference = referenceExecutor();
      await reference.load(network.layers, weights);
      const out = tensorKey(network.outputs[0]!);
      const expected = (await reference.run(network.layers.map((l) => l.index), input, [out])).get(out)!;
      return { weights, input, reference, expected };
    })();
    prepared.set(network, entry);
  }
  return entry;
}

async function compareSplit(network: Network, cut: number, seed: number): Promise<number> {
  const { weights, input, reference, expected } = await prepare(network, seed);
  const out = tensorKey(network.outputs[0]!);
  const all = network.layers.map((l) => l.index);
  const front = all.slice(0, cut);
  const back = all.slice(cut);
  const inBack = new Set(back);
  const boundary = new Set<string>();
  for (const i of back) for (const ref of network.layers[i]!.inputs) if (!inBack.has(ref.layer)) boundary.add(tensorKey(ref));
  const frontOut = await reference.run(front, input, [...boundary]);
  const server = ortLayerExecutor({ ort: ort! });
  await server.load(back.map((i) => network.layers[i]!), weights);
  const got = (await server.run(back, frontOut, [out])).get(out)!;
  expect(got.shape).toEqual(expected.shape);
  return relativeError(got, expected);
}

const SUITE = ort === undefined
  ? "ortLayerExecutor — SKIPPED: the optional peer dependency onnxruntime-node is not installed (npm install onnxruntime-node)"
  : "ortLayerExecutor (onnxruntime-node) agrees with the reference executor";
describe.skipIf(ort === undefined)(SUITE, () => {
  it("AlexNet (3×67×67 input): whole run and runs split at conv2 and fc6 agree within 1e-4 (relative)", async () => {
    const spec = alexnetSpec();
    const reduced = { ...spec, layer: spec.layer.map((l) => (l.type === "Input" ? { ...l, input_param: { shape: [{ dim: [1, 3, 67, 67] }] } } : l)) };
    const network = networkFromCaffeNet(reduced, "alexnet-67");
    const index = (name: string) => network.layers.find((l) => l.name === name)!.index;
    for (const cut of [1, index("conv2"), index("fc6")]) expect(await compareSplit(network, cut, 5)).toBeLessThan(1e-4);
  });

  it("GoogLeNet (Concat, Split, average and ceil-mode max pooling): split at inception_4a agrees within 1e-4", async () => {
    const network = zooNetwork("googlenet");
    const cut = network.layers.findIndex((l) => l.name.startsWith("inception_4a"));
    expect(await compareSplit(network, cut, 7)).toBeLessThan(1e-4);
  });

  it("ResNet-50 (BatchNorm, Scale, Eltwise): second half agrees within 1e-3", async () => {
    const network = zooNetwork("resnet50");
    expect(await compareSplit(network, Math.floor(network.layers.length / 2), 9)).toBeLessThan(1e-3);
  });

  it("refuses a layer type it cannot express, at load, naming it", async () => {
    const layer = { ...zooNetwork("alexnet").layers[1]!, type: "Deconvolution", name: "up" } as Layer;
    await expect(ortLayerExecutor({ ort: ort! }).load([layer], new Map())).rejects.toThrow(UnsupportedLayerError);
  });
});
