import { describe, expect, it } from "vitest";
import { InvalidArgumentError, ProfileMismatchError } from "../errors.js";
import type { Layer, Network } from "../model/types.js";
import { shapeSize, tensorKey } from "../model/types.js";
import { zooNetwork } from "../model/zoo/index.js";
import { publishedServerProfile } from "../profile/published.js";
import type { Executor, LayerWeights, Tensor, TensorMap } from "../runtime/types.js";
import { fitPredictionFunctions, findPredictionFunction } from "./fit.js";
import { profileExecutor, samplesFromProfile } from "./profile-executor.js";

/**
 * Test double: "runs" a layer by allocating its outputs and advancing a fake
 * clock by a known cost (1 µs per output element + 0.5 ms on the first run of
 * each layer, so warm-up matters), and checks it is given every input it reads.
 */
function fakeExecutor(network: Network) {
  let clock = 0;
  const loaded = new Set<string>();
  const runs = new Map<number, number>();
  const cost = (layer: Layer): number => layer.outputShapes.reduce((n, s) => n + shapeSize(s), 0) * 1e-3;
  const executor: Executor = {
    async load(layers: readonly Layer[], _weights: ReadonlyMap<string, LayerWeights>) {
      for (const l of layers) loaded.add(l.name);
    },
    async run(indices: readonly number[], inputs: TensorMap, outputs: readonly string[]) {
      const available = new Map<string, Tensor>(inputs);
      for (const i of [...indices].sort((a, b) => a - b)) {
        const layer = network.layers[i]!;
        if (!loaded.has(layer.name)) throw new Error(`not loaded: ${layer.name}`);
        for (const ref of layer.inputs) if (!available.has(tensorKey(ref))) throw new Error(`missing input ${tensorKey(ref)} of ${layer.name}`);
        const n = runs.get(i) ?? 0;
        runs.set(i, n + 1);
        clock += cost(layer) + (n === 0 ? 0.5 : 0);
        layer.outputShapes.forEach((shape, top) => available.set(tensorKey({ layer: i, top }), { shape, data: new Float32Array(shapeSize(shape)) }));
      }
      return new Map(outputs.map((k) => [k, available.get(k)!]));
    },
    loadedLayers: () => loaded,
  };
  return { executor, now: () => clock, cost, runs };
}

describe("profileExecutor", () => {
  it("times each layer alone and keeps the median of the repetitions", async () => {
    const network = zooNetwork("alexnet");
    const fake = fakeExecutor(network);
    const profile = await profileExecutor(fake.executor, network, { weights: new Map(), warmup: 1, repetitions: 3, now: fake.now });
    expect(profile.layers.map((l) => l.name)).toEqual(network.layers.map((l) => l.name));
    expect(profile.layers[0]!.ms).toBe(0); // Input is not run
    network.layers.slice(1).forEach((layer, i) => {
      // e.g. conv1: 96·55·55 = 290400 outputs → 290.4 ms on the fake clock
      expect(profile.layers[i + 1]!.ms).toBeCloseTo(fake.cost(layer), 9);
      expect(fake.runs.get(layer.index)).toBe(1 + 1 + 3); // full pass + warm-up + repetitions
    });
    expect(profile.layers[1]!.ms).toBeCloseTo(290.4, 9);
  });

  it("refuses an executor without the layers, and bad counts", async () => {
    const network = zooNetwork("alexnet");
    const fake = fakeExecutor(network);
    await expect(profileExecutor(fake.executor, network, { now: fake.now })).rejects.toThrow(/not loaded 23 layer/);
    await expect(profileExecutor(fake.executor, network, { repetitions: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(profileExecutor(fake.executor, network, { warmup: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe("samplesFromProfile", () => {
  it("fits prediction functions on the published ResNet-50 server profile", () => {
    const network = zooNetwork("resnet50");
    const samples = samplesFromProfile(network, publishedServerProfile("resnet50"));
    // 245 runtime layers − Input − 16 Split
    expect(samples).toHaveLength(228);
    expect(() => fitPredictionFunctions(samples)).toThrow(/Pooling.*2 samples for 3 unknowns/);
    const fns = fitPredictionFunctions(samples, { degenerate: "fallback" });
    expect(findPredictionFunction(fns, "BatchNorm")!.samples).toBe(53);
    // ResNet-50 has 2 Pooling layers: too few for 3 unknowns → the pooled input-size fit, flagged
    expect(findPredictionFunction(fns, "Pooling")).toMatchObject({ fallback: true, samples: 2, variables: ["inputSize"] });
    expect(findPredictionFunction(fns, "ReLU")!.r2!).toBeGreaterThan(0.5);
  });

  it("rejects a profile of another network", () => {
    expect(() => samplesFromProfile(zooNetwork("googlenet"), publishedServerProfile("alexnet"))).toThrow(ProfileMismatchError);
  });
});
