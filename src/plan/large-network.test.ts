/**
 * The planner's fast path for large networks (issue 15) gives what the
 * public typed-array functions give: the plain-array DAG, dominators and
 * collapse, the lazy DAG, edge lists and chain fields, the CLI's device
 * times and the objective's header bytes.
 */
import { describe, expect, it } from "vitest";
import { collapseByDominators, collapseDag } from "../dominators/collapse.js";
import { dominatorTree, immediateDominators } from "../dominators/dominator-tree.js";
import { createCostedDag, createPlainCostedDag, typedCostedDag } from "../graph/costed-dag.js";
import { buildExecutionGraph } from "../graph/execution-graph.js";
import { costedDagFromNetwork, plainCostedDagFromNetwork } from "../graph/from-network.js";
import { shortestPath, shortestPathByEdges } from "../graph/shortest-path.js";
import { randomChainDag, randomInceptionDag } from "../graph/testing.js";
import { importCaffePrototxt } from "../model/caffe/index.js";
import { zooNetwork, ZOO_NAMES } from "../model/zoo/index.js";
import { utf8Length } from "../platform/index.js";
import { layerHeaderBytes, networkScheduleCosts } from "../schedule/network-costs.js";
import { deviceProfile, deviceTimes } from "../sim/devices/profile.js";
import { planNetwork } from "./plan-network.js";

/** The Inception-like generated prototxt of bench/cli.ts (modules of 4 branches joined by a Concat). */
function generated(modules: number): string {
  const out = ['name: "generated"', 'layer { name: "data" type: "Input" top: "m0" input_param { shape { dim: 1 dim: 8 dim: 8 dim: 8 } } }'];
  const conv = (name: string, bottom: string, top: string) => `layer { name: "${name}" type: "Convolution" bottom: "${bottom}" top: "${top}" convolution_param { num_output: 2 kernel_size: 1 } }`;
  for (let m = 0; m < modules; m++) {
    const x = `m${m}`;
    out.push(conv(`m${m}_a`, x, `m${m}_a`), conv(`m${m}_b`, x, `m${m}_b`), `layer { name: "m${m}_b_relu" type: "ReLU" bottom: "m${m}_b" top: "m${m}_b" }`);
    out.push(`layer { name: "m${m}_p" type: "Pooling" bottom: "${x}" top: "m${m}_p" pooling_param { pool: MAX kernel_size: 3 stride: 1 pad: 1 } }`, conv(`m${m}_d`, `m${m}_p`, `m${m}_d`));
    out.push(`layer { name: "m${m}_cat" type: "Concat" bottom: "m${m}_a" bottom: "m${m}_b" bottom: "m${m}_d" top: "m${m + 1}" }`);
  }
  return `${out.join("\n")}\n`;
}

const networks = () => [...ZOO_NAMES.map((name) => zooNetwork(name)), importCaffePrototxt(generated(40), "generated.prototxt")];

describe("the plain-array planner pipeline", () => {
  it("builds the same DAG, dominators and chain as the typed functions (zoo and a generated net, both edge modes)", () => {
    for (const network of networks()) {
      const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
      for (const edges of ["dataflow", "blob-names"] as const) {
        const typed = costedDagFromNetwork(network, costs, { edges });
        const plain = plainCostedDagFromNetwork(network, costs, { edges });
        expect(typedCostedDag(plain)).toEqual(typed);
        expect(Int32Array.from(immediateDominators(plain, plain.source))).toEqual(dominatorTree(typed, typed.source));
        const a = collapseDag(plain);
        const b = collapseByDominators(typed);
        expect({ ...a }).toEqual({ ...b });
      }
    }
  });

  it("agrees on random chain and Inception-like DAGs given as specs (edges as pairs too)", () => {
    for (const dag of [randomChainDag(50, 1), randomInceptionDag(200, 2), randomInceptionDag(57, 3)]) {
      const names = dag.names.slice(1, dag.virtual[dag.sink] ? -1 : undefined);
      const edges: [number, number][] = [];
      for (let v = 1; v < names.length + 1; v++) {
        for (let p = dag.predOffsets[v]!; p < dag.predOffsets[v + 1]!; p++) edges.push([dag.predIndices[p]! - 1, v - 1]);
      }
      const spec = {
        names,
        edges,
        clientMs: dag.clientMs.slice(1, names.length + 1),
        serverMs: dag.serverMs.slice(1, names.length + 1),
        paramBytes: dag.paramBytes.slice(1, names.length + 1),
        outputBytes: dag.outputBytes.slice(1, names.length + 1),
        inputBytes: dag.outputBytes[0]!,
      };
      expect(typedCostedDag(createPlainCostedDag(spec))).toEqual(createCostedDag(spec));
    }
  });

  it("planNetwork's lazy DAG, execution-graph edges and chain fields equal the eager ones", () => {
    const network = zooNetwork("googlenet");
    const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
    const result = planNetwork(network, costs, { finalRound: true });
    expect(result.dag).toEqual(costedDagFromNetwork(network, costs));
    expect(result.dag).toBe(result.dag);
    const chain = collapseByDominators(result.dag);
    expect(result.chain.memberNodes).toEqual(chain.memberNodes);
    expect(result.chain.groupOfNode).toEqual(chain.groupOfNode);
    for (let level = 0; level < result.plan.rounds.length; level++) {
      const factor = result.plan.rounds[level]!.factor;
      expect(shortestPath(result.graph, factor)).toEqual(shortestPathByEdges(result.graph, factor));
    }
    expect(result.graph.edgeFrom.length).toBe(result.graph.edgeCount);
    expect(JSON.parse(JSON.stringify(result.plan.partitions[0]))).toHaveProperty("layerNames");
    expect(result.plan.partitions[0]!.layerNames).toEqual(result.plan.partitions[0]!.layers.map((l) => network.layers[l]!.name));
  });
});

describe("the CLI's costs", () => {
  it("deviceTimes equals deviceProfile (built-in models, shared shape lists and params memoized)", () => {
    for (const network of networks()) {
      for (const device of ["odroid-xu4", "gtx-1080ti"]) expect(new Float64Array(deviceTimes(device, network))).toEqual(deviceProfile(device, network));
    }
  });

  it("networkScheduleCosts counts each layer's header as JSON.stringify does", () => {
    for (const network of networks()) {
      const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
      const { graph } = planNetwork(network, costs);
      let expected = 0;
      for (const layer of network.layers) {
        if (layer.type === "Input") continue;
        const header = layerHeaderBytes(layer);
        let byHand = utf8Length(JSON.stringify(layer)) + 1;
        for (const shape of layer.paramShapes) byHand += utf8Length(JSON.stringify(layer.name)) + 30 + String(shape.reduce((a, b) => a * b, 1)).length + 3;
        expect(header).toBe(byHand);
        expect(header).toBe(layerHeaderBytes(layer)); // shared sub-values: measured once, the same every time
        expect(header).toBe(layerHeaderBytes(JSON.parse(JSON.stringify(layer)) as typeof layer));
        expected += header;
      }
      expect(networkScheduleCosts(network, graph).allAtOnceHeaderBytes).toBe(expected);
    }
  });
});
