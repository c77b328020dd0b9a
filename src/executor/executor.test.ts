/**
 * Executor tests: loading checks, run-time errors, exact outputs, splitting a
 * network at every layer boundary (bit-identical to the whole run), the
 * small AlexNet-, GoogLeNet-, ResNet- and MobileNet-shaped networks end to
 * end, seeded weights and the shape-only executor.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, InvalidModelError, UnsupportedLayerError } from "../errors.js";
import type { Layer, Network } from "../model/types.js";
import { shapeSize, tensorKey } from "../model/types.js";
import { randomWeights } from "./random-weights.js";
import { referenceExecutor } from "./reference.js";
import { runLocally } from "./run-locally.js";
import { shapeOnlyExecutor } from "./shape-only.js";
import { buildNetwork, randomInput, runSplit, sameBits, tinyAlexNet, tinyGoogLeNet, tinyMixedNet, tinyResNet } from "./test-networks.js";

const networks: Network[] = [tinyAlexNet(), tinyGoogLeNet(), tinyResNet(), tinyMixedNet()];

/** A 3-layer network used for the error cases: Input → conv → fc. */
function small(): Network {
  return buildNetwork("small", [
    { name: "data", type: "Input", tops: ["data"], params: { shapes: [[1, 2, 4, 4]] } },
    {
      name: "conv", type: "Convolution", bottoms: ["data"], tops: ["conv"],
      params: { numOutput: 3, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, group: 1, biasTerm: true },
    },
    { name: "fc", type: "InnerProduct", bottoms: ["conv"], tops: ["fc"], params: { numOutput: 5, biasTerm: true, axis: 1 } },
  ]);
}

describe("referenceExecutor: loading", () => {
  it("checks the number and the sizes of the weight blobs against paramShapes, naming the layer", async () => {
    const net = small();
    const executor = referenceExecutor();
    const good = randomWeights(net, 1);
    const conv = good.get("conv")!;
    await expect(executor.load(net.layers, new Map([...good, ["conv", [conv[0]!]]]))).rejects.toThrow(/layer "conv".*2 weight blob/);
    await expect(executor.load(net.layers, new Map([...good, ["fc", [new Float32Array(7), new Float32Array(5)]]]))).rejects.toThrow(
      /layer "fc" weight blob 0 has 7 values, expected 240/,
    );
    await expect(executor.load(net.layers, new Map([["conv", conv]]))).rejects.toThrow(InvalidArgumentError);
    // A failed load loads nothing.
    expect(executor.loadedLayers().size).toBe(0);
    await executor.load(net.layers, good);
    expect([...executor.loadedLayers()].sort()).toEqual(["conv", "data", "fc"]);
  });

  it("rejects an unknown layer type with UnsupportedLayerError naming the layer", async () => {
    const net = small();
    const odd: Layer = { ...net.layers[2]!, name: "mystery", type: "PriorBox" };
    const error = await referenceExecutor().load([odd], new Map()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect((error as Error).message).toMatch(/layer "mystery".*PriorBox/);
  });

  it("generates missing weights from a seed when asked, equal to randomWeights", async () => {
    const net = small();
    const input = randomInput(net, 3);
    const seeded = referenceExecutor({ seed: 9 });
    await seeded.load(net.layers, new Map());
    const explicit = referenceExecutor();
    await explicit.load(net.layers, randomWeights(net, 9));
    const all = [0, 1, 2];
    const a = (await seeded.run(all, input, ["2:0"])).get("2:0")!;
    const b = (await explicit.run(all, input, ["2:0"])).get("2:0")!;
    expect(sameBits(a, b)).toBe(true);
  });

  it("replaces a layer loaded again at the same index", async () => {
    const net = small();
    const input = randomInput(net, 4);
    const executor = referenceExecutor();
    await executor.load(net.layers, randomWeights(net, 1));
    const before = (await executor.run([1], input, ["1:0"])).get("1:0")!;
    await executor.load([net.layers[1]!], randomWeights(net, 2));
    const after = (await executor.run([1], input, ["1:0"])).get("1:0")!;
    expect(sameBits(before, after)).toBe(false);
    expect(executor.loadedLayers().size).toBe(3);
  });
});

describe("referenceExecutor: running", () => {
  it("returns exactly the requested outputs, from the run or passed through from inputs", async () => {
    const net = small();
    const executor = referenceExecutor();
    await executor.load(net.layers, randomWeights(net, 1));
    const input = randomInput(net, 2);
    const out = await executor.run([2, 0, 1], input, ["2:0", "1:0", "0:0"]);
    expect([...out.keys()]).toEqual(["2:0", "1:0", "0:0"]);
    expect(out.get("2:0")!.shape).toEqual([1, 5]);
    expect(out.get("1:0")!.shape).toEqual([1, 3, 4, 4]);
    expect(out.get("0:0")).toBe(input.get("0:0"));
  });

  it("names the missing tensor, the missing Input tensor and the layer that is not loaded", async () => {
    const net = small();
    const executor = referenceExecutor();
    await executor.load(net.layers.slice(0, 2), randomWeights(net, 1));
    await expect(executor.run([1], new Map(), ["1:0"])).rejects.toThrow(/layer "conv" reads tensor 0:0 \(top 0 of "data"\)/);
    await expect(executor.run([0, 1], new Map(), ["1:0"])).rejects.toThrow(/Input layer "data" needs its tensor 0:0/);
    await expect(executor.run([1, 2], randomInput(net, 1), ["2:0"])).rejects.toThrow(/layer 2 is not loaded/);
    await expect(executor.run([1], randomInput(net, 1), ["2:0"])).rejects.toThrow(/requested output 2:0/);
    const wrong = new Map([["0:0", { shape: [1, 2, 4, 3], data: new Float32Array(24) }]]);
    await expect(executor.run([1], wrong, ["1:0"])).rejects.toThrow(/expects tensor 0:0 of shape \[1, 2, 4, 4\]/);
  });

  it("reports a computed shape that disagrees with the network's declared shape", async () => {
    const net = small();
    const lying: Layer = { ...net.layers[1]!, outputShapes: [[1, 3, 2, 8]] };
    const executor = referenceExecutor();
    await executor.load([lying], randomWeights(net, 1));
    await expect(executor.run([1], randomInput(net, 1), ["1:0"])).rejects.toThrow(InvalidModelError);
  });

  it("accepts a boundary tensor of the right size in another shape (e.g. flattened by a transport)", async () => {
    const net = small();
    const executor = referenceExecutor();
    await executor.load(net.layers, randomWeights(net, 1));
    const input = randomInput(net, 5);
    const flat = new Map([["0:0", { shape: [32], data: input.get("0:0")!.data }]]);
    const a = (await executor.run([1, 2], input, ["2:0"])).get("2:0")!;
    const b = (await executor.run([1, 2], flat, ["2:0"])).get("2:0")!;
    expect(sameBits(a, b)).toBe(true);
  });
});

describe.each(networks.map((n) => [n.name, n] as const))("%s end to end", (_name, network) => {
  const weights = randomWeights(network, 11);
  const input = randomInput(network, 12);

  it("runs every layer; outputs have the declared shapes, are finite, softmax rows sum to 1; deterministic", async () => {
    const first = await runLocally(network, weights, input);
    const second = await runLocally(network, weights, input);
    expect([...first.keys()]).toEqual(network.outputs.map(tensorKey));
    for (const ref of network.outputs) {
      const tensor = first.get(tensorKey(ref))!;
      expect(tensor.shape).toEqual(network.layers[ref.layer]!.outputShapes[ref.top]);
      expect(tensor.data.every(Number.isFinite)).toBe(true);
      expect(sameBits(tensor, second.get(tensorKey(ref))!)).toBe(true);
      if (network.layers[ref.layer]!.type === "Softmax") {
        const shape = tensor.shape;
        const axis = (network.layers[ref.layer]!.params as { axis: number }).axis;
        const rows = tensor.data.length / shape[axis]!;
        let total = 0;
        for (const v of tensor.data) total += v;
        expect(total).toBeCloseTo(rows, 5);
      }
    }
  });

  it("split at any layer boundary: the two halves on two executors give the whole run's bits", async () => {
    const whole = await runLocally(network, weights, input);
    const n = network.layers.length;
    for (let cut = 1; cut < n; cut++) {
      // Only the tensors crossing the cut (and outputs produced by the front) are handed over.
      const result = await runSplit(network, weights, input, cut);
      for (const ref of network.outputs) {
        const key = tensorKey(ref);
        const got = result.get(key);
        expect(got, `cut ${cut}, output ${key}`).toBeDefined();
        expect(sameBits(got!, whole.get(key)!), `cut ${cut}, output ${key}`).toBe(true);
      }
    }
  });

  it("shape-only executor: same output shapes, zero data, onLayer in runtime order", async () => {
    const seen: string[] = [];
    const executor = shapeOnlyExecutor({ onLayer: (layer) => seen.push(layer.name) });
    await executor.load(network.layers, new Map());
    const keys = network.outputs.map(tensorKey);
    const out = await executor.run([...network.layers.keys()].reverse(), input, keys);
    const real = await runLocally(network, weights, input);
    for (const key of keys) {
      expect(out.get(key)!.shape).toEqual(real.get(key)!.shape);
      expect(out.get(key)!.data.every((v) => v === 0)).toBe(true);
    }
    expect(seen).toEqual(network.layers.map((l) => l.name));
  });
});

describe("randomWeights", () => {
  it("is deterministic, shaped like paramShapes, independent of which layers are passed, and seed-sensitive", () => {
    const network = tinyResNet();
    const all = randomWeights(network, 5);
    const again = randomWeights(network.layers, 5);
    const other = randomWeights(network, 6);
    for (const layer of network.layers) {
      const blobs = all.get(layer.name);
      if (layer.paramShapes.length === 0) {
        expect(blobs).toBeUndefined();
        continue;
      }
      expect(blobs!.map((b) => b.length)).toEqual(layer.paramShapes.map(shapeSize));
      const alone = randomWeights([layer], 5).get(layer.name)!;
      blobs!.forEach((blob, i) => {
        expect(sameBits({ shape: [], data: blob }, { shape: [], data: again.get(layer.name)![i]! })).toBe(true);
        expect(sameBits({ shape: [], data: blob }, { shape: [], data: alone[i]! })).toBe(true);
      });
      expect(sameBits({ shape: [], data: blobs![0]! }, { shape: [], data: other.get(layer.name)![0]! })).toBe(false);
      if (layer.type === "BatchNorm") {
        expect(blobs![1]!.every((v) => v > 0)).toBe(true);
        expect([...blobs![2]!]).toEqual([1]);
      }
    }
  });

  it("scales convolution weights like He-uniform: |w| ≤ sqrt(6 / fan-in)", () => {
    const network = tinyAlexNet();
    const conv1 = network.layers.find((l) => l.name === "conv1")!;
    const [w] = randomWeights([conv1], 3).get("conv1")!;
    const fanIn = 3 * 5 * 5;
    const bound = Math.sqrt(6 / fanIn);
    expect(w!.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...w!.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  });

  it("rejects a non-finite seed", () => {
    expect(() => randomWeights(tinyAlexNet(), Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe("runLocally", () => {
  it("needs a map for a network with several inputs", async () => {
    const twoInputs = buildNetwork("two-inputs", [
      { name: "a", type: "Input", tops: ["a"], params: { shapes: [[1, 2]] } },
      { name: "b", type: "Input", tops: ["b"], params: { shapes: [[1, 2]] } },
      { name: "sum", type: "Eltwise", bottoms: ["a", "b"], tops: ["sum"], params: { operation: "sum", coeffs: [] } },
    ]);
    await expect(runLocally(twoInputs, new Map(), { shape: [1, 2], data: new Float32Array(2) })).rejects.toThrow(/2 inputs/);
    const out = await runLocally(
      twoInputs,
      new Map(),
      new Map([["0:0", { shape: [1, 2], data: Float32Array.from([1, 2]) }], ["1:0", { shape: [1, 2], data: Float32Array.from([3, 5]) }]]),
    );
    expect([...out.get("2:0")!.data]).toEqual([4, 7]);
  });
});
