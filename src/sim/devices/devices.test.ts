import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../errors.js";
import { zooNetwork } from "../../model/zoo/index.js";
import { PUBLISHED_PROFILE_NETWORKS, publishedClientProfile, publishedServerProfile } from "../../profile/published.js";
import { syntheticConvolution, syntheticElementwise, syntheticInnerProduct } from "../../regression/synthetic-layers.js";
import { costClass, isDepthwise } from "./cost-model.js";
import { gtx1080Ti, odroidXu4 } from "./index.js";
import { deviceByName, deviceProfile, modelledProfile } from "./profile.js";

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe("device cost models", () => {
  it("evaluates the named constants (hand-computed)", () => {
    // fc6: (9216·4096 + 4096) weights × 4 B = 151 011 328 B → 151.011328 MB × 1.33 ns/B + 0 = 200.845 ms (published 200.224)
    expect(odroidXu4().layerMs(syntheticInnerProduct(9216, 4096))).toBeCloseTo(151.011328 * 1.33, 9);
    // relu on 96×55×55 = 290400 elements: 0.005875 + 0.290400 × 0.01317 = 0.009699568 ms (published relu1 0.0093056)
    expect(gtx1080Ti().layerMs(syntheticElementwise("ReLU", [1, 96, 55, 55]))).toBeCloseTo(0.005875 + 0.2904 * 0.01317, 12);
    // depthwise conv 32×112×112, 3×3 pad 1, group 32: MACs = 32·112·112·9 = 3 612 672
    const dw = syntheticConvolution({ channels: 32, height: 112, width: 112, numOutput: 32, kernel: 3, pad: 1, group: 32 });
    expect(isDepthwise(dw)).toBe(true);
    expect(costClass(dw)).toBe("depthwiseConvolution");
    expect(odroidXu4().layerMs(dw)).toBeCloseTo(0.267 + 3.612672 * 2.5 + 32 * 0.01, 9);
    expect(odroidXu4().layerMs(syntheticElementwise("Split", [1, 10]))).toBe(odroidXu4().constants.dataFreeMs);
  });

  // Published profiles (jinevening/IONN-client, shipped in src/profile/published.ts and checked there against ../shared).
  for (const [model, published] of [
    [odroidXu4(), publishedClientProfile],
    [gtx1080Ti(), publishedServerProfile],
  ] as const) {
    for (const name of PUBLISHED_PROFILE_NETWORKS) {
      it(`${model.name} on ${name}: total within 10% of the published total, median layer error under 25%`, () => {
        const network = zooNetwork(name);
        const profile = published(name);
        const ms = deviceProfile(model, network);
        expect(ms.length).toBe(profile.layers.length);
        let total = 0;
        let modelled = 0;
        const errors: number[] = [];
        profile.layers.forEach((row, i) => {
          total += row.ms;
          modelled += ms[i]!;
          errors.push(Math.abs(ms[i]! - row.ms) / row.ms);
        });
        expect(Math.abs(modelled - total) / total).toBeLessThan(0.1);
        expect(median(errors)).toBeLessThan(0.25);
      });
    }
  }

  it("models the uncalibrated zoo networks with finite positive times, client slower than server", () => {
    for (const name of ["mobilenet-v1", "inception-bn-21k"]) {
      const network = zooNetwork(name);
      const client = modelledProfile("odroid-xu4", network);
      const server = modelledProfile("gtx-1080ti", network);
      expect(client.layers.map((l) => l.name)).toEqual(network.layers.map((l) => l.name));
      for (const l of [...client.layers, ...server.layers]) expect(Number.isFinite(l.ms) && l.ms >= 0).toBe(true);
      expect(client.totalMs).toBeGreaterThan(10 * server.totalMs);
    }
    expect(zooNetwork("mobilenet-v1").layers.some(isDepthwise)).toBe(true);
  });

  it("rejects an unknown device name, listing the valid ones", () => {
    expect(() => deviceByName("tpu")).toThrow(InvalidArgumentError);
    expect(() => deviceProfile("tpu", zooNetwork("alexnet"))).toThrow(/odroid-xu4, gtx-1080ti/);
  });
});
