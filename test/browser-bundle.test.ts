/**
 * The `ionn/planner` entry bundles for the browser: esbuild (platform
 * "browser", no externals) bundles src/planner.ts, and the bundle runs in a
 * fresh V8 context that has only web globals (no `process`, `Buffer`,
 * `require`, `setImmediate`): it imports a Caffe prototxt, plans it and
 * runs a short simulation, with the same results as in Node.
 */
import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import * as planner from "../src/planner.js";

type Planner = typeof planner;

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [new URL("../src/planner.ts", import.meta.url).pathname],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "ionnPlanner",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** A context with the web platform's globals only. */
function browserLikeContext(): Record<string, unknown> {
  const sandbox: Record<string, unknown> = {
    console,
    TextEncoder,
    TextDecoder,
    crypto: globalThis.crypto,
    performance,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    MessageChannel,
    WebAssembly: (globalThis as Record<string, unknown>)["WebAssembly"],
  };
  sandbox["globalThis"] = sandbox;
  sandbox["self"] = sandbox;
  return createContext(sandbox);
}

describe("ionn/planner bundles for the browser", () => {
  it("esbuild bundles src/planner.ts for platform browser; it plans and simulates without Node globals", async () => {
    const code = await bundle();
    expect(code).not.toMatch(/require\(["']node:/);
    const context = browserLikeContext();
    runInContext(code, context);
    expect(runInContext("typeof process + typeof Buffer + typeof require + typeof setImmediate", context)).toBe("undefinedundefinedundefinedundefined");
    const bundled = context["ionnPlanner"] as Planner;
    const text = readFileSync(new URL("./fixtures/tiny-cnn.prototxt", import.meta.url), "utf8");
    for (const lib of [bundled, planner]) expect(lib.importCaffePrototxt(text, "tiny-cnn.prototxt").layers.length).toBe(planner.importCaffePrototxt(text, "tiny-cnn.prototxt").layers.length);
    const plan = (lib: Planner) => {
      const network = lib.zooNetwork("alexnet");
      const costs = { clientMs: lib.deviceProfile("odroid-xu4", network), serverMs: lib.deviceProfile("gtx-1080ti", network) };
      return lib.planNetwork(network, costs, { preset: "paper", mbps: 80, K: 0.5, finalRound: true }).plan.partitions.map((p) => [p.layers, p.bytes, p.expectedQueryMs]);
    };
    expect(plan(bundled)).toEqual(plan(planner));
    const run = async (lib: Planner) => {
      const result = await lib.simulate({ network: lib.zooNetwork("alexnet"), policy: "ionn", K: 0.5, mbps: 80, seconds: 5 });
      return result.queries.map((q) => [q.raisedAtMs, q.latencyMs]);
    };
    const [inBrowser, inNode] = [await run(bundled), await run(planner)];
    expect(inBrowser.length).toBeGreaterThan(0);
    expect(inBrowser).toEqual(inNode);
  });
});
