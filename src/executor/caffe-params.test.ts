import { describe, expect, it } from "vitest";
import { importCaffePrototxt } from "../model/caffe/index.js";
import { tensorKey } from "../model/types.js";
import { runLocally } from "./run-locally.js";

const input = (shape: number[]) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 7) - 3) });

describe("Caffe parameters that change what the kernels compute", () => {
  it("Reshape with axis/num_axes reshapes only part of the input, as declared", async () => {
    const network = importCaffePrototxt(
      `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 2 dim: 3 dim: 4 } } }
       layer { name: "r" type: "Reshape" bottom: "data" top: "r" reshape_param { shape { dim: -1 } axis: 1 } }`,
      "reshape.prototxt",
    );
    const x = input([1, 2, 3, 4]);
    const out = (await runLocally(network, new Map(), x)).get(tensorKey(network.outputs[0]!))!;
    expect(out.shape).toEqual([1, 24]);
    expect(Array.from(out.data)).toEqual(Array.from(x.data));
  });

  it("InnerProduct with transpose: true reads weights as [K, N]", async () => {
    // y = W·x with K = 3 inputs, N = 2 outputs. Stored transposed ([K, N]) the same W is
    // [[1, 4], [2, 5], [3, 6]] for W = [[1, 2, 3], [4, 5, 6]]; x = [-3, -2, -1] (from input()).
    // y0 = 1·-3 + 2·-2 + 3·-1 = -10, y1 = 4·-3 + 5·-2 + 6·-1 = -28; bias [0.5, -0.5].
    const network = importCaffePrototxt(
      `layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 } } }
       layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 transpose: true } }`,
      "fc.prototxt",
    );
    expect(network.layers[1]!.paramShapes).toEqual([[3, 2], [2]]);
    const weights = new Map([["fc", [Float32Array.of(1, 4, 2, 5, 3, 6), Float32Array.of(0.5, -0.5)]]]);
    const out = (await runLocally(network, weights, input([1, 3]))).get(tensorKey(network.outputs[0]!))!;
    expect(Array.from(out.data)).toEqual([-9.5, -28.5]);
  });
});
