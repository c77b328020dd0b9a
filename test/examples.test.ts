/**
 * examples/custom-runtime.ts, run: its counting Executor and MessagePort
 * Transport, plugged into the real EdgeServer and OffloadingClient, give
 * answers equal to a local run bit for bit; every computing layer of every
 * query ran exactly once on one side; the port carried exactly the weights
 * plus the boundary tensors.
 */
import { describe, expect, it } from "vitest";
import { NETWORK_PROTOTXT, runCustomRuntime } from "../examples/custom-runtime.js";
import { importCaffePrototxt } from "../src/index.js";

describe("examples/custom-runtime.ts", () => {
  it("collaborative answers equal local ones bit for bit, each layer runs once per query, bytes add up", async () => {
    const queries = 6;
    const lines: string[] = [];
    const run = await runCustomRuntime({ queries, intervalMs: 20, log: (line) => lines.push(line) });
    expect(run.queries.length).toBe(queries);
    for (const q of run.queries) expect(q.equalsLocal).toBe(true);
    // the upload finished while the queries ran: the last ones offloaded every computing layer
    expect(run.queries[queries - 1]!.serverLayers).toEqual(run.layers);
    for (const index of run.layers) expect((run.clientRuns.get(index) ?? 0) + (run.serverRuns.get(index) ?? 0), `layer ${index}`).toBe(queries);

    const network = importCaffePrototxt(NETWORK_PROTOTXT, "small.prototxt");
    const inputBytes = 3 * 64 * 64 * 4;
    const outputBytes = 10 * 4;
    const full = run.queries.filter((q) => q.serverLayers.length === run.layers.length).length;
    const partial = run.queries.filter((q) => q.serverLayers.length > 0 && q.serverLayers.length < run.layers.length).length;
    let weightBytes = 0;
    for (const layer of network.layers) for (const shape of layer.paramShapes) weightBytes += 4 * shape.reduce((a, b) => a * b, 1);
    expect(run.weightBytes).toBe(weightBytes);
    if (partial === 0) {
      expect(run.bytes.up).toBe(weightBytes + full * inputBytes);
      expect(run.bytes.down).toBe(full * outputBytes);
    } else {
      expect(run.bytes.up).toBeGreaterThan(weightBytes);
    }
    expect(lines.at(-1)).toMatch(/^message port carried /);
  });
});
