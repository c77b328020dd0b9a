/**
 * IONN §6.3 reproduced: the uploading plan computed from the fitted
 * prediction functions equals the plan computed from the true server times,
 * for the five zoo networks at 80 Mbps and K ∈ {0.1, 0.5}; true times are the
 * gtx-1080ti model and, where published, the authors' GPU profile.
 */
import { describe, expect, it } from "vitest";
import { zooNetwork, ZOO_NAMES } from "../model/zoo/index.js";
import { planNetwork } from "../plan/index.js";
import { PUBLISHED_PROFILE_NETWORKS, publishedClientProfile, publishedServerProfile } from "../profile/published.js";
import { deviceProfile, gtx1080Ti, odroidXu4 } from "../sim/devices/index.js";
import { fitPredictionFunctions, predictLayerMs } from "./fit.js";
import { installPhaseSweep } from "./install-phase.js";

const fitted = fitPredictionFunctions(installPhaseSweep({ seed: 1, perType: 60 }));
const layersOf = (p: { partitions: readonly { layers: readonly number[] }[] }) => p.partitions.map((x) => x.layers);

describe("§6.3: plans from predicted server times equal plans from true ones (80 Mbps)", () => {
  for (const name of ZOO_NAMES) {
    it(name, () => {
      const net = zooNetwork(name);
      const published = (PUBLISHED_PROFILE_NETWORKS as readonly string[]).includes(name) ? (name as (typeof PUBLISHED_PROFILE_NETWORKS)[number]) : undefined;
      const clientMs = published ? publishedClientProfile(published).layers.map((l) => l.ms) : Array.from(deviceProfile(odroidXu4(), net));
      const predicted = net.layers.map((l) => predictLayerMs(fitted, l));
      const truths = [Array.from(deviceProfile(gtx1080Ti(), net))];
      if (published) truths.push(publishedServerProfile(published).layers.map((l) => l.ms));
      for (const serverMs of truths) {
        for (const K of [0.1, 0.5]) {
          // The plans the simulated ionn policy runs (paper preset + final round; profiles-2019) and Algorithm 1 as printed.
          for (const finalRound of [true, false]) {
            const truePlan = planNetwork(net, { clientMs, serverMs }, { preset: "paper", mbps: 80, K, finalRound }).plan;
            const predPlan = planNetwork(net, { clientMs, serverMs: predicted }, { preset: "paper", mbps: 80, K, finalRound }).plan;
            expect(truePlan.partitions.length).toBeGreaterThan(0);
            expect(layersOf(predPlan)).toEqual(layersOf(truePlan));
          }
        }
      }
    });
  }
});
