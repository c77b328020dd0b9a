/**
 * `ionn fit --measure` (issue 13): the sweep's configurations, the held-out
 * scoring (exact on noiseless linear data), the whole pipeline on a
 * deterministic clock (times linear in the regression variables must be
 * recovered exactly), a real quick measurement through the CLI, and the
 * `fit --from-profile` table that no longer shows the pooled fallback's R²
 * under the names of types it could not fit.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { InvalidArgumentError } from "../errors.js";
import { randomWeights, referenceExecutor } from "../executor/index.js";
import type { Layer } from "../model/types.js";
import { publishedServerProfile } from "../profile/published.js";
import type { Executor } from "../runtime/types.js";
import { heldOutFit, MEASURED_TYPES, measureInstallPhase, measurementNetworks } from "./measure.js";
import { regressionVariableNames, variableValue } from "./variables.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** A time linear in the type's Neurosurgeon variables: 0.01 + Σ (j+1)·1e-6·v_j ms. */
function linearMs(layer: Layer): number {
  let ms = 0.01;
  regressionVariableNames("neurosurgeon", layer.type).forEach((name, j) => (ms += (j + 1) * 1e-6 * variableValue(name, layer)));
  return ms;
}

describe("measurementNetworks", () => {
  it("covers 13 layer types (≥ 10), perType one-layer nets each, deterministic for a seed", () => {
    expect(MEASURED_TYPES.length).toBeGreaterThanOrEqual(10);
    const nets = measurementNetworks({ quick: true, perType: 5, seed: 3 });
    expect(nets).toHaveLength(MEASURED_TYPES.length * 5);
    for (const { type, network } of nets) {
      const work = network.layers.filter((l) => l.type !== "Input");
      expect(work).toHaveLength(1);
      expect(work[0]!.type).toBe(type);
    }
    const again = measurementNetworks({ quick: true, perType: 5, seed: 3 });
    expect(again.map((n) => JSON.stringify(n.network.layers.map((l) => l.outputShapes)))).toEqual(nets.map((n) => JSON.stringify(n.network.layers.map((l) => l.outputShapes))));
  });
  it("rejects perType < 4 and unknown types", () => {
    expect(() => measurementNetworks({ perType: 3 })).toThrow(InvalidArgumentError);
    expect(() => measurementNetworks({ types: ["Frobnicate" as never] })).toThrow(/unknown type "Frobnicate"/);
  });
});

describe("heldOutFit", () => {
  it("on noiseless linear times: held-out R² 1 and RMSE 0, a quarter held out", () => {
    const nets = measurementNetworks({ quick: true, perType: 8, seed: 2, types: ["Convolution", "InnerProduct", "Pooling", "ReLU"] });
    const samples = nets.map(({ type, network }) => {
      const layer = network.layers.find((l) => l.type === type)!;
      return { type, layer, ms: linearMs(layer) };
    });
    const fit = heldOutFit(samples, { seed: 5 });
    expect(fit.table.map((r) => r.type)).toEqual(["Convolution", "InnerProduct", "Pooling", "ReLU"]);
    for (const row of fit.table) {
      expect(row.heldOut).toBe(2);
      expect(row.samples).toBe(6);
      if (row.r2 !== null) expect(row.r2).toBeCloseTo(1, 9);
      expect(row.rmseMs).toBeLessThan(1e-9);
    }
  });
  it("rejects a fraction outside (0, 1)", () => {
    expect(() => heldOutFit([], { heldOutFraction: 1 })).toThrow(/heldOutFraction/);
  });
});

describe("measureInstallPhase", () => {
  it("times each configuration on the executor with the injected clock: linear times are recovered exactly", async () => {
    let clock = 0;
    const timed = (): Executor => {
      const inner = referenceExecutor();
      let layers: readonly Layer[] = [];
      return {
        load: (l, w) => {
          layers = l;
          return inner.load(l, w);
        },
        loadedLayers: () => inner.loadedLayers(),
        run: async (indices, inputs, outputs) => {
          const result = await inner.run(indices, inputs, outputs);
          for (const i of indices) clock += linearMs(layers.find((l) => l.index === i)!);
          return result;
        },
      };
    };
    const measured = await measureInstallPhase({ executor: timed, weights: (n) => randomWeights(n, 1), quick: true, perType: 6, now: () => clock, types: ["Convolution", "InnerProduct", "Softmax", "Eltwise"], executorLabel: "timed reference" });
    expect(measured.configurations).toBe(24);
    expect(measured.executor).toBe("timed reference");
    expect(measured.timing).toEqual({ warmup: 1, repetitions: 3, statistic: "min" });
    for (const row of measured.table) {
      expect(row.rmseMs).toBeLessThan(1e-9);
      expect(row.trainRmseMs!).toBeLessThan(1e-9);
    }
  });
});

describe("ionn fit --measure", () => {
  it("--quick --json: ≥ 10 types with held-out R² and RMSE, the machine's name, in seconds", async () => {
    const started = performance.now();
    const { code, stdout, stderr } = await cli("fit", "--measure", "--quick", "--json");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.machine.hostname).toBe(hostname());
    expect(doc.machine.cores).toBeGreaterThan(0);
    expect(doc.quick).toBe(true);
    expect(doc.table.length).toBeGreaterThanOrEqual(10);
    for (const row of doc.table) {
      expect(row.heldOut).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(row.rmseMs)).toBe(true);
      expect(row.r2 === null || Number.isFinite(row.r2)).toBe(true);
    }
    expect(doc.functions).toBeTypeOf("object");
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);
  it("option errors name the option", async () => {
    expect((await cli("fit", "--quick")).stderr).toMatch(/--quick is only used with --measure/);
    expect((await cli("fit", "--measure", "--from-profile", "x.txt")).stderr).toMatch(/--measure and --from-profile are exclusive/);
    expect((await cli("fit", "--measure", "--quick", "--per-type", "2")).stderr).toMatch(/--per-type must be a whole number ≥ 4/);
  });
});

describe("ionn fit --from-profile: types it could not fit", () => {
  it("ResNet-50's published GPU profile: InnerProduct, Pooling and Softmax (1–2 layers each) show no R²/RMSE and are marked fallback", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ionn-fit-"));
    try {
      const file = join(dir, "resnet50-server.txt");
      writeFileSync(file, publishedServerProfile("resnet50").layers.map((l, i) => `${i} ${l.name} ${l.ms}`).join("\n") + "\n");
      const { code, stdout } = await cli("fit", "--from-profile", file, "resnet50", "--json");
      expect(code).toBe(0);
      const doc = JSON.parse(stdout);
      for (const type of ["InnerProduct", "Pooling", "Softmax"]) {
        expect(doc.table.find((r: { type: string }) => r.type === type)).toMatchObject({ r2: null, rmseMs: null, fallback: true });
      }
      const conv = doc.table.find((r: { type: string }) => r.type === "Convolution");
      expect(conv.fallback).toBe(false);
      expect(conv.r2).toBeGreaterThan(0);
      const text = await cli("fit", "--from-profile", file, "resnet50");
      expect(text.stdout).toMatch(/InnerProduct\s+—\s+—\s+1\s+not fitted: pooled input-size fallback/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
