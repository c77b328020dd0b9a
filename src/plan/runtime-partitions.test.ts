import { describe, expect, it } from "vitest";
import { zooNetwork } from "../model/zoo/index.js";
import { alignProfile } from "../profile/profile.js";
import { publishedClientProfile, publishedServerProfile } from "../profile/published.js";
import { planNetwork, runtimePartitions } from "./plan-network.js";

describe("runtimePartitions", () => {
  const network = zooNetwork("googlenet");
  const costs = {
    clientMs: alignProfile(network, publishedClientProfile("googlenet")),
    serverMs: alignProfile(network, publishedServerProfile("googlenet")),
  };

  it("attaches the Split layers the ionn-reference preset leaves out to the partition of their producer", () => {
    const result = planNetwork(network, costs, { preset: "ionn-reference", mbps: 80, K: 0.5 });
    const planned = result.plan.partitions.map((p) => p.layers);
    const runtime = runtimePartitions(network, result);
    expect(runtime).toHaveLength(planned.length);
    const partitionOf = new Map<number, number>();
    runtime.forEach((layers, p) => {
      expect(layers).toEqual([...layers].sort((a, b) => a - b));
      for (const layer of layers) partitionOf.set(layer, p);
    });
    // Every planned layer keeps its partition.
    planned.forEach((layers, p) => layers.forEach((layer) => expect(partitionOf.get(layer)).toBe(p)));
    const splits = network.layers.filter((l) => l.type === "Split");
    expect(splits.length).toBe(9);
    for (const split of splits) {
      expect(planned.flat()).not.toContain(split.index);
      // A Split goes exactly where its single input's producer went (or stays local with it).
      expect(partitionOf.get(split.index)).toBe(partitionOf.get(split.inputs[0]!.layer));
    }
  });

  it("changes nothing for the paper preset, whose partitions already hold every planned layer", () => {
    const result = planNetwork(network, costs, { preset: "paper", mbps: 80, K: 0.5 });
    expect(runtimePartitions(network, result)).toEqual(result.plan.partitions.map((p) => [...p.layers]));
  });
});
