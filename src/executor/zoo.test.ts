/**
 * The reference executor on the real networks of the paper, built by the
 * model module (the Caffe net construction and the built-in zoo, not by this
 * folder): AlexNet at a reduced 3×67×67 input split at eight boundaries,
 * and GoogLeNet (multi-path), ResNet-50 (BatchNorm/Scale/Eltwise) and
 * MobileNet v1 (depthwise) at full size, run whole, with their last third
 * re-run on a second executor from the boundary tensors. "Collaborative equals local" needs the two halves to reproduce the
 * whole run bit for bit.
 */
import { describe, expect, it } from "vitest";
import { networkFromCaffeNet } from "../model/caffe/index.js";
import type { Network } from "../model/types.js";
import { shapeSize, tensorKey } from "../model/types.js";
import { alexnetSpec, zooNetwork } from "../model/zoo/index.js";
import type { LayerWeights, Tensor } from "../runtime/types.js";
import { mulberry32, randomWeights } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";
import { runLocally } from "./run-locally.js";

function randomInput(network: Network, seed: number): Map<string, Tensor> {
  const next = mulberry32(seed);
  const ref = network.inputs[0]!;
  const shape = network.layers[ref.layer]!.outputShapes[ref.top]!;
  return new Map([[tensorKey(ref), { shape, data: Float32Array.from({ length: shapeSize(shape) }, () => next() * 2 - 1) }]]);
}

function bitsEqual(a: Tensor, b: Tensor): boolean {
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}

/** Runs layers [0, cut) on one executor and [cut, n) on another; returns the network outputs. */
async function runSplit(network: Network, weights: ReadonlyMap<string, LayerWeights>, input: Map<string, Tensor>, cut: number): Promise<Map<string, Tensor>> {
  const front = network.layers.slice(0, cut);
  const rear = network.layers.slice(cut);
  const crossing = new Set<string>();
  for (const layer of rear) for (const ref of layer.inputs) if (ref.layer < cut) crossing.add(tensorKey(ref));
  for (const ref of network.outputs) if (ref.layer < cut) crossing.add(tensorKey(ref));
  const client = referenceExecutor();
  await client.load(front, weights);
  const boundary = await client.run(front.map((l) => l.index), input, [...crossing]);
  const server = referenceExecutor();
  await server.load(rear, weights);
  const wanted = network.outputs.map(tensorKey);
  const result = await server.run(rear.map((l) => l.index), boundary, wanted.filter((key) => !boundary.has(key)));
  return new Map(wanted.map((key) => [key, (result.get(key) ?? boundary.get(key))!]));
}

function expectProbabilities(network: Network, outputs: Map<string, Tensor>): void {
  const out = outputs.get(tensorKey(network.outputs[0]!))!;
  expect(out.shape).toEqual(network.layers[network.outputs[0]!.layer]!.outputShapes[0]);
  let sum = 0;
  for (const v of out.data) {
    expect(Number.isFinite(v) && v >= 0).toBe(true);
    sum += v;
  }
  expect(sum).toBeCloseTo(1, 5);
}

describe("AlexNet (zoo spec, input reduced to 3×67×67)", () => {
  const spec = alexnetSpec();
  const reduced = {
    ...spec,
    layer: spec.layer.map((layer) => (layer.type === "Input" ? { ...layer, input_param: { shape: [{ dim: [1, 3, 67, 67] }] } } : layer)),
  };
  const network = networkFromCaffeNet(reduced, "alexnet-67");
  const weights = randomWeights(network, 21);
  const input = randomInput(network, 22);

  it("runs end to end to a probability vector", async () => {
    expect(network.layers).toHaveLength(24);
    expectProbabilities(network, await runLocally(network, weights, input));
  });

  it("split at boundaries through the whole network gives the whole run's bits", async () => {
    // Every boundary is covered on the tiny networks of executor.test.ts; here a spread of them
    // (after data, relu1, pool1, norm2, conv4, relu5, fc6, drop7) keeps the test fast.
    const whole = await runLocally(network, weights, input);
    for (const cut of [1, 3, 5, 8, 12, 15, 17, 22]) {
      const split = await runSplit(network, weights, input, cut);
      for (const [key, tensor] of whole) expect(bitsEqual(split.get(key)!, tensor), `cut ${cut}`).toBe(true);
    }
  });
});

describe.each(["googlenet", "resnet50", "mobilenet-v1"])("%s (zoo, full size)", (name) => {
  it("runs end to end; the rear third, run on another executor from the boundary tensors, gives the same bits", async () => {
    const network = zooNetwork(name);
    const weights = randomWeights(network, 31);
    const input = randomInput(network, 32);
    const cut = Math.floor((2 * network.layers.length) / 3);
    const rear = network.layers.slice(cut);
    const crossing = new Set<string>();
    for (const layer of rear) for (const ref of layer.inputs) if (ref.layer < cut) crossing.add(tensorKey(ref));
    const outputs = network.outputs.map(tensorKey);
    // One executor runs everything (the local run) and also hands out the boundary tensors.
    const local = referenceExecutor();
    await local.load(network.layers, weights);
    const whole = await local.run(network.layers.map((l) => l.index), input, [...outputs, ...crossing]);
    expectProbabilities(network, whole);
    const server = referenceExecutor();
    await server.load(rear, weights);
    const boundary = new Map([...crossing].map((key) => [key, whole.get(key)!]));
    const result = await server.run(rear.map((l) => l.index), boundary, outputs);
    for (const key of outputs) expect(bitsEqual(result.get(key)!, whole.get(key)!)).toBe(true);
  });
});
