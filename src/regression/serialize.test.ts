import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { HAS_SHARED, SHARED_SKIP_REASON, readShared } from "../../test/shared.js";
import type { PredictionFunction, PredictionFunctions } from "./fit.js";
import { parseRegressionFile } from "./regression-file.js";
import { parsePredictionFunctions, serializePredictionFunctions } from "./serialize.js";
import { VARIABLE_NAMES, type VariableName } from "./variables.js";

/** 12 types with realistic magnitudes, Neurosurgeon variables. */
function twelveTypes(): PredictionFunctions {
  const mk = (type: string, variables: VariableName[], coefficients: number[], intercept: number): PredictionFunction => ({
    type, variables, coefficients, intercept, r2: 0.987654321, rmseMs: 0.00123456789, samples: 60, fallback: false,
  });
  return {
    variableSet: "neurosurgeon",
    functions: [
      mk("BatchNorm", ["inputSize"], [7.7212345e-8], 0.0242194987),
      mk("Concat", ["inputSize"], [2.198e-7], 0.0104977642),
      mk("Convolution", ["inputSize", "filterTerm"], [3.712345e-8, 2.91234e-5], 0.0687262591),
      mk("Dropout", ["inputSize"], [4.54e-8], 0.0013083319),
      mk("Eltwise", ["inputSize"], [1.4e-9], 0.013999386),
      mk("InnerProduct", ["inputs", "outputs"], [1.39e-8, 3.3e-6], 0.0336767231),
      mk("LRN", ["inputSize"], [6.581e-7], -0.0032652448),
      mk("Pooling", ["inputSize", "outputSize"], [4.9e-9, 1.2e-8], 0.0092716912),
      mk("ReLU", ["inputSize"], [2.203e-7], 0.0023669927),
      mk("Scale", ["inputSize"], [5.02e-8], 0.0055827156),
      mk("Softmax", ["inputSize"], [1.131e-7], 0.1008184741),
      mk("TanH", ["inputSize"], [1.131e-7], 0.002366),
    ],
    fallback: { ...mk("*", ["inputSize"], [1.1e-7], 0.01), fallback: true, samples: 720 },
  };
}

describe("serializePredictionFunctions / parsePredictionFunctions", () => {
  it("round-trips 12 types to 6 significant digits in under 1 KiB", () => {
    const fns = twelveTypes();
    const text = serializePredictionFunctions(fns);
    expect(new TextEncoder().encode(text).length).toBeLessThan(1024);
    const back = parsePredictionFunctions(text);
    expect(back.variableSet).toBe("neurosurgeon");
    expect(back.functions.map((f) => f.type)).toEqual(fns.functions.map((f) => f.type));
    back.functions.forEach((f, i) => {
      const g = fns.functions[i]!;
      expect(f.variables).toEqual(g.variables);
      expect(f.samples).toBe(60);
      expect(f.fallback).toBe(false);
      [f.intercept, ...f.coefficients].forEach((v, j) => {
        const w = [g.intercept, ...g.coefficients][j]!;
        expect(Math.abs(v - w)).toBeLessThanOrEqual(5e-6 * Math.abs(w));
      });
    });
    expect(back.fallback?.fallback).toBe(true);
    // serializing again is a fixed point
    expect(serializePredictionFunctions(back)).toBe(text);
  });

  it("round-trips any function set (property)", () => {
    const variableArb = fc.subarray([...VARIABLE_NAMES], { maxLength: 2 });
    const fnArb = fc.record({
      type: fc.stringMatching(/^[A-Z][A-Za-z]{0,12}$/),
      variables: variableArb,
      intercept: fc.double({ min: -1, max: 1, noNaN: true }),
      r2: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      rmseMs: fc.option(fc.double({ min: 0, max: 10, noNaN: true })),
      samples: fc.nat(1000),
      fallback: fc.boolean(),
      seed: fc.array(fc.double({ min: -1e-3, max: 1e-3, noNaN: true }), { minLength: 2, maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(fnArb, { selector: (f) => f.type, maxLength: 15 }), fc.boolean(), (raw, ref) => {
        const fns: PredictionFunctions = {
          variableSet: ref ? "ionn-reference" : "neurosurgeon",
          functions: raw.map(({ seed, ...f }) => ({ ...f, coefficients: seed.slice(0, f.variables.length) })),
        };
        const back = parsePredictionFunctions(serializePredictionFunctions(fns));
        expect(back.variableSet).toBe(fns.variableSet);
        expect(back.functions.length).toBe(fns.functions.length);
        back.functions.forEach((f, i) => {
          const g = fns.functions[i]!;
          expect(f.type).toBe(g.type);
          expect(f.variables).toEqual(g.variables);
          expect(f.r2 === null).toBe(g.r2 === null);
          expect(Math.abs(f.intercept - g.intercept)).toBeLessThanOrEqual(5e-6 * Math.abs(g.intercept));
        });
      }),
      { numRuns: 100 },
    );
  });

  it("rejects malformed documents, naming the path", () => {
    expect(() => parsePredictionFunctions("{", "x.json")).toThrow(InvalidArgumentError);
    expect(() => parsePredictionFunctions('{"v":2,"s":"n","f":[]}', "x.json")).toThrow(/x\.json.*at v/);
    expect(() => parsePredictionFunctions('{"v":1,"s":"n","f":[["ReLU","i",[1],null,null,0,0]]}')).toThrow(/one coefficient per variable/);
    expect(() => parsePredictionFunctions('{"v":1,"s":"n","f":[["ReLU","q",[1,2],null,null,0,0]]}')).toThrow(/f\.0\.1/);
    expect(() =>
      parsePredictionFunctions('{"v":1,"s":"n","f":[["ReLU","i",[1,2],null,null,0,0],["ReLU","i",[1,2],null,null,0,0]]}'),
    ).toThrow(/duplicate/);
    expect(() => serializePredictionFunctions({ variableSet: "neurosurgeon", functions: [{ ...twelveTypes().functions[0]!, intercept: NaN }] })).toThrow(/BatchNorm/);
  });

  describe.skipIf(!HAS_SHARED)(`the published regression file ${HAS_SHARED ? "" : SHARED_SKIP_REASON}`, () => {
    it("serializes the authors' 13 types exactly (their numbers have ≤ 10 digits; 6 kept)", () => {
      const fns = parseRegressionFile(readShared("profiles/ionn_server_gpu/regression_by_layer_type.txt"));
      const text = serializePredictionFunctions(fns);
      expect(text.length).toBeLessThan(1024);
      const back = parsePredictionFunctions(text);
      expect(back.variableSet).toBe("ionn-reference");
      expect(back.functions.find((f) => f.type === "ReLU")?.coefficients[0]).toBe(2.203e-7);
    });
  });
});
