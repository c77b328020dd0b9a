import { linearRegression, rSquared } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { ParseError, RegressionError, UnsupportedLayerError } from "../errors.js";
import { HAS_SHARED, SHARED_SKIP_REASON, readShared } from "../../test/shared.js";
import { fitPredictionFunctions, findPredictionFunction, predictLayerMs, type RegressionSample } from "./fit.js";
import { parseRegressionFile } from "./regression-file.js";
import {
  syntheticConcat,
  syntheticConvolution,
  syntheticElementwise,
  syntheticEltwise,
  syntheticInnerProduct,
  syntheticPooling,
} from "./synthetic-layers.js";
import { ionnReferenceX, regressionVariableNames, variableValue } from "./variables.js";

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe("regression variables", () => {
  it("computes Neurosurgeon's variables from a layer", () => {
    // 3×32×32 input, 16 filters 5×5 stride 2 pad 2 → 16×16×16
    const conv = syntheticConvolution({ channels: 3, height: 32, width: 32, numOutput: 16, kernel: 5, stride: 2, pad: 2 });
    expect(conv.outputShapes[0]).toEqual([1, 16, 16, 16]);
    expect(variableValue("inputSize", conv)).toBe(3 * 32 * 32);
    expect(variableValue("filterTerm", conv)).toBe((25 / 4) * 16);
    const fc = syntheticInnerProduct(9216, 4096);
    expect(variableValue("inputs", fc)).toBe(9216);
    expect(variableValue("outputs", fc)).toBe(4096);
    expect(regressionVariableNames("neurosurgeon", "Pooling")).toEqual(["inputSize", "outputSize"]);
    expect(regressionVariableNames("neurosurgeon", "LRN")).toEqual(["inputSize"]);
  });

  it("computes the authors' x (ionn-reference-conventions.md) by hand", () => {
    // AlexNet conv1: 3×227×227 → 96×55×55, k = 11: x = 55·55·96·121·3
    const conv1 = syntheticConvolution({ channels: 3, height: 227, width: 227, numOutput: 96, kernel: 11, stride: 4 });
    expect(ionnReferenceX(conv1)).toBe(55 * 55 * 96 * 121 * 3);
    // depthwise: group ignored → charged as a full convolution
    const dw = syntheticConvolution({ channels: 32, height: 112, width: 112, numOutput: 32, kernel: 3, pad: 1, group: 32 });
    expect(ionnReferenceX(dw)).toBe(112 * 112 * 32 * 9 * 32);
    // AlexNet pool1: 96×55×55 → 96×27×27, k = 3, no pad: x = 69984·9
    expect(ionnReferenceX(syntheticPooling({ channels: 96, height: 55, width: 55, kernel: 3, stride: 2 }))).toBe(69984 * 9);
    // padded pooling: × pad; global pooling: 0
    const padded = syntheticPooling({ channels: 192, height: 28, width: 28, kernel: 3, stride: 1, pad: 1 });
    expect(ionnReferenceX(padded)).toBe(192 * 28 * 28 * 9 * 1);
    expect(ionnReferenceX(syntheticPooling({ channels: 1024, height: 7, width: 7, kernel: 1, global: true }))).toBe(0);
    expect(ionnReferenceX(syntheticInnerProduct(9216, 4096))).toBe(4096 * 4096);
    expect(ionnReferenceX(syntheticEltwise([1, 256, 56, 56]))).toBe(256 * 56 * 56 * 56);
    expect(ionnReferenceX(syntheticElementwise("ReLU", [1, 96, 55, 55]))).toBe(290400);
    expect(ionnReferenceX(syntheticConcat([64, 128, 32, 32], 28, 28))).toBe(256 * 28 * 28);
  });
});

describe("fitPredictionFunctions", () => {
  it("recovers known coefficients from noiseless data to 1e-9 relative (both variable sets)", () => {
    const samples: RegressionSample[] = [];
    const convTrue = (l: ReturnType<typeof syntheticConvolution>): number =>
      0.0123 + 3.7e-6 * variableValue("inputSize", l) + 2.9e-5 * variableValue("filterTerm", l);
    for (const [c, h, n, k, s] of [
      [3, 224, 64, 7, 2], [64, 56, 64, 3, 1], [64, 56, 256, 1, 1], [128, 28, 128, 3, 1],
      [256, 14, 512, 1, 2], [512, 7, 512, 3, 1], [32, 112, 32, 3, 1], [96, 27, 256, 5, 1],
    ] as const) {
      const l = syntheticConvolution({ channels: c, height: h, width: h, numOutput: n, kernel: k, stride: s });
      samples.push({ type: "Convolution", layer: l, ms: convTrue(l) });
    }
    for (const [i, o] of [[9216, 4096], [4096, 4096], [4096, 1000], [1024, 1000], [2048, 10]] as const) {
      samples.push({ type: "InnerProduct", layer: syntheticInnerProduct(i, o), ms: 0.02 + 1e-8 * i + 4e-6 * o });
    }
    for (const n of [1000, 20000, 300000, 802816]) {
      samples.push({ type: "ReLU", variables: { inputSize: n }, ms: 0.0021 + 2.2e-8 * n });
    }
    const fns = fitPredictionFunctions(samples);
    const conv = findPredictionFunction(fns, "Convolution")!;
    expect(conv.variables).toEqual(["inputSize", "filterTerm"]);
    expect(rel(conv.intercept, 0.0123)).toBeLessThan(1e-9);
    expect(rel(conv.coefficients[0]!, 3.7e-6)).toBeLessThan(1e-9);
    expect(rel(conv.coefficients[1]!, 2.9e-5)).toBeLessThan(1e-9);
    expect(conv.r2).toBeCloseTo(1, 12);
    expect(conv.samples).toBe(8);
    const fc = findPredictionFunction(fns, "InnerProduct")!;
    expect(rel(fc.coefficients[0]!, 1e-8)).toBeLessThan(1e-9);
    expect(rel(fc.coefficients[1]!, 4e-6)).toBeLessThan(1e-9);
    expect(rel(fc.intercept, 0.02)).toBeLessThan(1e-9);
    const relu = findPredictionFunction(fns, "ReLU")!;
    expect(rel(relu.coefficients[0]!, 2.2e-8)).toBeLessThan(1e-9);
    expect(rel(relu.intercept, 0.0021)).toBeLessThan(1e-9);

    // ionn-reference: ms = 2.5e-10·x + 0.0687 on convolutions
    const ref = fitPredictionFunctions(
      samples.filter((s) => s.type === "Convolution").map((s) => ({ type: s.type, layer: s.layer!, ms: 0.0687 + 2.5e-10 * ionnReferenceX(s.layer!) })),
      { variableSet: "ionn-reference" },
    );
    const refConv = findPredictionFunction(ref, "Convolution")!;
    expect(refConv.variables).toEqual(["x"]);
    expect(rel(refConv.coefficients[0]!, 2.5e-10)).toBeLessThan(1e-9);
    expect(rel(refConv.intercept, 0.0687)).toBeLessThan(1e-9);
  });

  it("reports R² and RMSE computed by hand", () => {
    // inputSize 1,2,3,4 → ms 2,4,5,4. Least squares: slope 0.7, intercept 2.0 (Sxy = 3.5, Sxx = 5).
    // Fitted 2.7, 3.4, 4.1, 4.8; residuals −0.7, 0.6, 0.9, −0.8 → SSE = 2.3.
    // SST = (−1.75)² + 0.25² + 1.25² + 0.25² = 3.0625 + 0.0625 + 1.5625 + 0.0625 = 4.75.
    // R² = 1 − 2.3/4.75 = 0.5157894736842105; RMSE = √(2.3/4) = √0.575 = 0.7582875444051551.
    const fns = fitPredictionFunctions(
      [1, 2, 3, 4].map((n, i) => ({ type: "LRN", variables: { inputSize: n }, ms: [2, 4, 5, 4][i]! })),
      { withFallback: false },
    );
    const lrn = fns.functions[0]!;
    expect(lrn.intercept).toBeCloseTo(2.0, 12);
    expect(lrn.coefficients[0]).toBeCloseTo(0.7, 12);
    expect(lrn.r2).toBeCloseTo(0.5157894736842105, 12);
    expect(lrn.rmseMs).toBeCloseTo(0.7582875444051551, 12);
    expect(lrn.samples).toBe(4);
  });

  it("agrees with simple-statistics on a 5-point fit", () => {
    const pts: Array<[number, number]> = [[10, 0.51], [20, 0.93], [35, 1.62], [50, 2.61], [80, 3.9]];
    const fns = fitPredictionFunctions(pts.map(([x, ms]) => ({ type: "Softmax", variables: { inputSize: x }, ms })));
    const f = fns.functions[0]!;
    const line = linearRegression(pts);
    expect(f.coefficients[0]).toBeCloseTo(line.m, 12);
    expect(f.intercept).toBeCloseTo(line.b, 12);
    expect(f.r2).toBeCloseTo(rSquared(pts, (x) => line.m * x + line.b), 12);
  });

  it("clamps predictions at zero", () => {
    const fns = fitPredictionFunctions([
      { type: "ReLU", variables: { inputSize: 1000 }, ms: 0.001 },
      { type: "ReLU", variables: { inputSize: 2000 }, ms: 0.003 },
    ]);
    // ms = −0.001 + 2e-6·n: negative below n = 500
    expect(predictLayerMs(fns, syntheticElementwise("ReLU", [1, 100]))).toBe(0);
    expect(predictLayerMs(fns, syntheticElementwise("ReLU", [1, 3000]))).toBeCloseTo(0.005, 12);
  });

  it("falls back to a pooled input-size fit for a type without samples, and says so", () => {
    const samples: RegressionSample[] = [100, 200, 400].map((n) => ({ type: "ReLU", variables: { inputSize: n }, ms: 1 + n / 100 }));
    samples.push(...[100, 300].map((n) => ({ type: "TanH", variables: { inputSize: n }, ms: 1 + n / 100 })));
    const fns = fitPredictionFunctions(samples, { types: ["BatchNorm"] });
    const bn = findPredictionFunction(fns, "BatchNorm")!;
    expect(bn.fallback).toBe(true);
    expect(bn.samples).toBe(0);
    expect(bn.coefficients[0]).toBeCloseTo(0.01, 12);
    expect(fns.fallback?.samples).toBe(5);
    // an unknown type at prediction time uses the fallback; data-free types cost 0
    expect(predictLayerMs(fns, syntheticElementwise("Power", [1, 500]))).toBeCloseTo(6, 12);
    expect(predictLayerMs(fns, syntheticElementwise("Split", [1, 500]))).toBe(0);
    expect(() => predictLayerMs({ variableSet: "neurosurgeon", functions: fns.functions }, syntheticElementwise("Power", [1, 5]))).toThrow(UnsupportedLayerError);
  });

  it("rejects degenerate data with an error naming the type", () => {
    const one = [{ type: "Pooling", variables: { inputSize: 4, outputSize: 1 }, ms: 1 }];
    expect(() => fitPredictionFunctions(one)).toThrow(RegressionError);
    expect(() => fitPredictionFunctions(one)).toThrow(/Pooling/);
    const equal = [1, 2, 3].map((ms) => ({ type: "ReLU", variables: { inputSize: 7 }, ms }));
    expect(() => fitPredictionFunctions(equal)).toThrow(/ReLU.*inputSize is constant/);
    // outputSize = inputSize / 4 exactly: collinear
    const collinear = [4, 8, 16, 32].map((n, i) => ({ type: "Pooling", variables: { inputSize: n, outputSize: n / 4 }, ms: i }));
    expect(() => fitPredictionFunctions(collinear)).toThrow(/Pooling.*outputSize/);
    const nan = [1, 2, 3].map((n) => ({ type: "LRN", variables: { inputSize: n }, ms: n === 2 ? NaN : n }));
    expect(() => fitPredictionFunctions(nan)).toThrow(/LRN/);
    const inf = [1, Infinity, 3].map((n) => ({ type: "Scale", variables: { inputSize: n }, ms: 1 }));
    expect(() => fitPredictionFunctions(inf)).toThrow(/Scale/);
    const missing = [{ type: "Concat", ms: 1 }, { type: "Concat", ms: 2 }];
    expect(() => fitPredictionFunctions(missing)).toThrow(/Concat.*inputSize/);
    // fallback needed but impossible
    expect(() => fitPredictionFunctions([], { types: ["ReLU"] })).toThrow(/ReLU.*no samples/);
  });
});

describe("parseRegressionFile", () => {
  it("reads <type> a b lines into ionn-reference functions", () => {
    const fns = parseRegressionFile("Convolution 2.5e-10 0.0687262591\n\nReLU 2.203e-7 0.0023669927\n", "r.txt");
    expect(fns.variableSet).toBe("ionn-reference");
    expect(fns.functions.map((f) => f.type)).toEqual(["Convolution", "Input", "ReLU"]);
    const conv1 = syntheticConvolution({ channels: 3, height: 227, width: 227, numOutput: 96, kernel: 11, stride: 4 });
    // x = 55·55·96·121·3 = 105415200 → 2.5e-10·x + 0.0687262591 = 0.0950800591
    expect(predictLayerMs(fns, conv1)).toBeCloseTo(0.0950800591, 12);
    expect(predictLayerMs(fns, syntheticElementwise("Input", [1, 3, 227, 227]))).toBe(0.001);
  });

  it("names the line of a malformed row", () => {
    expect(() => parseRegressionFile("ReLU 1 2\nLRN 1\n", "r.txt")).toThrow(ParseError);
    expect(() => parseRegressionFile("ReLU 1 2\nLRN 1\n", "r.txt")).toThrow(/r\.txt:2:1: expected/);
    expect(() => parseRegressionFile("ReLU 1 abc\n", "r.txt")).toThrow(/r\.txt:1:1: field 3/);
    expect(() => parseRegressionFile("ReLU 1 2\nReLU 1 2\n", "r.txt")).toThrow(/duplicate.*line 1/);
    expect(() => parseRegressionFile("", "r.txt")).toThrow(/no regression rows/);
    expect(() => parseRegressionFile("ReLU 1e999 2\n", "r.txt")).toThrow(/field 2.*(finite|Infinity)/);
  });

  describe.skipIf(!HAS_SHARED)(`the published regression file ${HAS_SHARED ? "" : SHARED_SKIP_REASON}`, () => {
    it("reads all 13 types of regression_by_layer_type.txt", () => {
      const fns = parseRegressionFile(readShared("profiles/ionn_server_gpu/regression_by_layer_type.txt"), "regression_by_layer_type.txt");
      expect(fns.functions.filter((f) => f.type !== "Input")).toHaveLength(13);
      // AlexNet relu1 on 290400 elements: 2.203e-7·290400 + 0.0023669927
      expect(predictLayerMs(fns, syntheticElementwise("ReLU", [1, 96, 55, 55]))).toBeCloseTo(2.203e-7 * 290400 + 0.0023669927, 12);
      // LRN has a negative intercept: clamped on a tiny input
      expect(predictLayerMs(fns, syntheticElementwise("LRN", [1, 1, 2, 2]))).toBe(0);
    });
  });
});
