/**
 * Own data end to end: what `ionn profile --out` and `ionn fit --out` write
 * is what `--client-profile`/`--server-profile` and
 * `--server-functions`/`--server-regression` of plan and simulate read;
 * `plan --costs published`.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { zooNetwork } from "../model/zoo/index.js";
import { parsePredictionFunctions, predictLayerMs } from "../regression/index.js";
import { main } from "./main.js";

async function json(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main([...argv, "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  expect(code, stdout + stderr).toBe(0);
  return JSON.parse(stdout);
}

const dir = mkdtempSync(join(tmpdir(), "ionn-own-data-"));
const client = join(dir, "client.json");
const server = join(dir, "server.json");
const fit = join(dir, "fit.json");

describe("profile --out → --client-profile / --server-profile", () => {
  it("plan with the written device profiles equals plan with the device models", async () => {
    const written = await json("profile", "alexnet", "--device", "odroid-xu4", "--out", client);
    expect(JSON.parse(readFileSync(client, "utf8"))).toEqual(written);
    await json("profile", "alexnet", "--device", "gtx-1080ti", "--out", server);
    const own = await json("plan", "alexnet", "--client-profile", client, "--server-profile", server);
    const builtIn = await json("plan", "alexnet");
    expect(own.costs).toEqual({ client: `profile ${client}`, server: `profile ${server}` });
    expect(own.partitions.map((p: { layers: string[] }) => p.layers)).toEqual(builtIn.partitions.map((p: { layers: string[] }) => p.layers));
    own.partitions.forEach((p: { expectedQueryMs: number }, i: number) => expect(p.expectedQueryMs).toBeCloseTo(builtIn.partitions[i].expectedQueryMs, 9));
  });

  it("simulate with the written profiles gives the same timeline as with the device models", async () => {
    const own = await json("simulate", "alexnet", "--seconds", "8", "--client-profile", client, "--server-profile", server);
    const builtIn = await json("simulate", "alexnet", "--seconds", "8");
    expect(own.queries.length).toBe(builtIn.queries.length);
    own.queries.forEach((q: { latencyMs: number }, i: number) => expect(q.latencyMs).toBeCloseTo(builtIn.queries[i].latencyMs, 6));
  });

  it("a profile measured here with the reference executor plans a file model", async () => {
    const tiny = new URL("../../test/fixtures/tiny-cnn.prototxt", import.meta.url).pathname;
    const measured = join(dir, "measured.json");
    await json("profile", tiny, "--device", "reference", "--repetitions", "1", "--out", measured);
    const plan = await json("plan", tiny, "--client-profile", measured);
    expect(plan.costs.client).toBe(`profile ${measured}`);
  });
});

describe("fit --out → --server-functions / --server-regression", () => {
  it("plan's server times are the written functions' predictions, read either way", async () => {
    const written = await json("fit", "--out", fit);
    const functions = parsePredictionFunctions(written.functions, "fit");
    const viaFunctions = await json("plan", "alexnet", "--server-functions", fit, "--no-final-round");
    const viaRegression = await json("plan", "alexnet", "--server-regression", fit, "--no-final-round");
    expect(viaRegression.groups).toEqual(viaFunctions.groups);
    const network = zooNetwork("alexnet");
    const expected = network.layers.reduce((sum, layer) => sum + predictLayerMs(functions, layer, () => 0), 0);
    const total = viaFunctions.groups.reduce((sum: number, g: { serverMs: number }) => sum + g.serverMs, 0);
    // groups sum the planned layers' times; the Input layer carries none
    expect(total).toBeCloseTo(expected, 6);
    // the bare functions document is read too
    const simulated = await json("simulate", "alexnet", "--seconds", "5", "--server-functions", fit);
    expect(simulated.settings?.costs ?? simulated.costs ?? "").toMatch(/fit\.json/);
  });
});

describe("plan --costs published", () => {
  it("with the ionn-reference preset gives the authors' AlexNet plan [conv1…pool2], [conv3…pool5], [fc6…fc8]", async () => {
    const plan = await json("plan", "alexnet", "--costs", "published", "--preset", "ionn-reference");
    expect(plan.costs.client).toMatch(/published client profile/);
    const bounds = plan.partitions.map((p: { layers: string[] }) => [p.layers[0], p.layers[p.layers.length - 1]]);
    expect(bounds).toEqual([["conv1", "pool2"], ["conv3", "pool5"], ["fc6", "fc8"]]);
  });
});
