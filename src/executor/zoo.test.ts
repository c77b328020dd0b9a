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
import { tensorKey } from "../model/types.js";
import { alexnetSpec, zooNetwork } from "../model/zoo/index.js";
import type { Tensor } from "./types.js";
import { randomWeights } from "./random-weights.js";
import { randomInput, runSplit, sameBits } from "./test-networks.js";
import { referenceExecutor } from "./reference.js";
import { runLocally } from "./run-locally.js";

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
      for (const [key, tensor] of whole) expect(sameBits(split.get(key)!, tensor), `cut ${cut}`).toBe(true);
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
    for (const key of outputs) expect(sameBits(result.get(key)!, whole.get(key)!)).toBe(true);
  });
});
