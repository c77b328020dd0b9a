/**
 * Calibrates the device cost models against the published profiles and
 * prints the fitted constants as TypeScript (to paste into
 * src/sim/devices/odroid-xu4.ts and gtx-1080ti.ts), followed by the
 * calibration errors of the fitted constants.
 *
 *   npx tsx scripts/calibrate-devices.ts
 *
 * See scripts/calibration.ts for the method. Depthwise convolution and the
 * `other` class have no calibration data and keep the constants in the source.
 */
import { calibrate, calibrationPoints, CALIBRATION_NETWORKS, calibrationRow } from "./calibration.js";
import { deviceModel, type CostClass, type DeviceConstants } from "../src/sim/devices/cost-model.js";
import { gtx1080Ti, odroidXu4 } from "../src/sim/devices/index.js";

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

function withFit(base: DeviceConstants, fit: Map<CostClass, number[]>): DeviceConstants {
  const get = (cls: CostClass): number[] | undefined => fit.get(cls);
  const el = (cls: Exclude<CostClass, "convolution" | "depthwiseConvolution" | "innerProduct" | "pooling" | "dataFree" >) => {
    const f = get(cls);
    return f ? { fixedMs: f[0]!, nsPerElement: f[1]! } : base[cls];
  };
  const conv = get("convolution");
  const fc = get("innerProduct");
  const pool = get("pooling");
  const free = get("dataFree");
  return {
    convolution: conv ? { fixedMs: conv[0]!, nsPerMac: conv[1]!, nsPerWeightByte: conv[2]!, nsPerActivationByte: conv[3]! } : base.convolution,
    depthwiseConvolution: base.depthwiseConvolution,
    innerProduct: fc ? { fixedMs: fc[0]!, nsPerWeightByte: fc[1]! } : base.innerProduct,
    pooling: pool ? { fixedMs: pool[0]!, nsPerWindowElement: pool[1]!, nsPerInputElement: pool[2]! } : base.pooling,
    lrn: el("lrn"),
    relu: el("relu"),
    batchNorm: el("batchNorm"),
    scale: el("scale"),
    eltwise: el("eltwise"),
    concat: el("concat"),
    softmax: el("softmax"),
    dropout: el("dropout"),
    other: get("relu") ? el("relu") : base.other,
    dataFreeMs: free ? free[0]! : base.dataFreeMs,
  };
}

function print(constants: DeviceConstants): string {
  const entries = Object.entries(constants).map(([k, v]) => {
    if (typeof v === "number") return `  ${k}: ${fmt(v)},`;
    const inner = Object.entries(v as Record<string, number>).map(([a, b]) => `${a}: ${fmt(b)}`).join(", ");
    return `  ${k}: { ${inner} },`;
  });
  return `{\n${entries.join("\n")}\n}`;
}

for (const [side, model] of [["client", odroidXu4()], ["server", gtx1080Ti()]] as const) {
  const fit = calibrate(calibrationPoints(side), model.constants);
  const constants = withFit(model.constants, fit);
  console.log(`// ${model.name}: fitted on ${CALIBRATION_NETWORKS.join(", ")} (${side} profiles)`);
  console.log(print(constants));
  const fitted = deviceModel(model.name, model.description, constants);
  for (const net of CALIBRATION_NETWORKS) {
    const r = calibrationRow(fitted, side, net);
    console.log(`//   ${net}: published ${fmt(r.publishedTotalMs)} ms, model ${fmt(r.modelTotalMs)} ms (${(100 * r.totalError).toFixed(1)}%), median layer error ${(100 * r.medianLayerError).toFixed(1)}%`);
  }
}
