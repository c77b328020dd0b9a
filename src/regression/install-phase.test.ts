import { describe, expect, it } from "vitest";
import { GTX_1080TI_CONSTANTS } from "../sim/devices/gtx-1080ti.js";
import { fitPredictionFunctions, findPredictionFunction } from "./fit.js";
import { mulberry32 } from "../random.js";
import { formatFitTable, INSTALL_PHASE_TYPES, installPhaseSweep, runInstallPhase } from "./install-phase.js";
import { parsePredictionFunctions } from "./serialize.js";

describe("server install phase", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = installPhaseSweep({ seed: 7, perType: 5 });
    const b = installPhaseSweep({ seed: 7, perType: 5 });
    const c = installPhaseSweep({ seed: 8, perType: 5 });
    expect(a.map((s) => s.ms)).toEqual(b.map((s) => s.ms));
    expect(a.map((s) => s.ms)).not.toEqual(c.map((s) => s.ms));
    expect(a).toHaveLength(5 * INSTALL_PHASE_TYPES.length);
    const r = mulberry32(1);
    for (let i = 0; i < 100; i++) {
      const v = r();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });

  it("recovers the device model's ReLU and BatchNorm constants exactly without noise", () => {
    const samples = installPhaseSweep({ seed: 3, perType: 20, noise: 0, types: ["ReLU", "BatchNorm"] });
    const fns = fitPredictionFunctions(samples);
    const relu = findPredictionFunction(fns, "ReLU")!;
    // gtx1080Ti ReLU: ms = fixedMs + nsPerElement·1e-6·elements; inputSize = elements for ReLU
    expect(relu.intercept).toBeCloseTo(GTX_1080TI_CONSTANTS.relu.fixedMs, 12);
    expect(Math.abs(relu.coefficients[0]! / (GTX_1080TI_CONSTANTS.relu.nsPerElement * 1e-6) - 1)).toBeLessThan(1e-9);
    expect(relu.r2).toBeCloseTo(1, 12);
    const bn = findPredictionFunction(fns, "BatchNorm")!;
    expect(Math.abs(bn.coefficients[0]! / (GTX_1080TI_CONSTANTS.batchNorm.nsPerElement * 1e-6) - 1)).toBeLessThan(1e-9);
  });

  it("produces the Table 3-like result for 11 types, serialized under 1 KiB", () => {
    const result = runInstallPhase({ seed: 1, perType: 40 });
    expect(result.table.map((r) => r.type)).toEqual([...INSTALL_PHASE_TYPES].sort());
    for (const row of result.table) {
      expect(row.samples).toBe(40);
      expect(row.r2).not.toBeNull();
      expect(row.rmseMs! >= 0).toBe(true);
    }
    // element-wise types are linear in input size on the model: R² near 1 despite 5% noise
    for (const type of ["ReLU", "BatchNorm", "Scale", "LRN"]) {
      expect(result.table.find((r) => r.type === type)!.r2!).toBeGreaterThan(0.98);
    }
    const text = JSON.stringify(result.functions);
    expect(new TextEncoder().encode(text).length).toBeLessThan(1024);
    expect(parsePredictionFunctions(result.functions).functions).toHaveLength(11);
    expect(formatFitTable(result)).toMatch(/^type\s+R²\s+RMSE \(ms\)\s+samples\n/);
  });

  it("rejects bad options", () => {
    expect(() => installPhaseSweep({ perType: 2 })).toThrow(/perType/);
    expect(() => installPhaseSweep({ noise: -1 })).toThrow(/noise/);
    expect(() => installPhaseSweep({ device: "tpu" })).toThrow(/unknown device/);
  });
});
