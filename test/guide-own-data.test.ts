/**
 * docs/guide-own-data.md, run: every `ionn …` line of the guide's `sh`
 * blocks runs through the CLI (`main`, with `--json`) in a temporary folder
 * holding the guide's own `mynet.prototxt`, and what each `--out F` writes
 * must be read back by `--client-profile F`, `--server-profile F` and
 * `--server-functions F` of plan, simulate and client as the same numbers.
 * `ionn serve` is replaced by an in-process edge server on a free port.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { loadNetwork } from "../src/model/load.js";
import type { Network } from "../src/model/types.js";
import { parsePredictionFunctions, predictLayerMs } from "../src/regression/index.js";
import { EdgeServer, serveTcp } from "../src/runtime/server.js";
import { referenceExecutor } from "../src/executor/reference.js";

const ROOT = new URL("..", import.meta.url).pathname;
const guide = readFileSync(join(ROOT, "docs", "guide-own-data.md"), "utf8");

/** The bodies of the guide's fenced blocks of one language. */
function blocks(language: string): string[] {
  const found: string[] = [];
  const fence = new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g");
  for (let m = fence.exec(guide); m !== null; m = fence.exec(guide)) found.push(m[1]!);
  return found;
}

/** The guide's shell lines, comments removed, in order. */
const lines = blocks("sh")
  .flatMap((b) => b.split("\n"))
  .map((l) => l.replace(/\s+#.*$/, "").replace(/\s*&$/, "").trim())
  .filter((l) => l !== "");

const dir = mkdtempSync(join(tmpdir(), "ionn-guide-own-data-"));
/** Relative file arguments of the guide point into `dir`. */
const local = (arg: string) => (/\.(json|prototxt|onnx)$/.test(arg) && !arg.includes("/") ? join(dir, arg) : arg);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ran = new Map<string, Json>();
let port = 0;
let server: Awaited<ReturnType<typeof serveTcp>> | undefined;

async function ionn(line: string): Promise<Json> {
  const argv = line
    .split(/\s+/)
    .slice(1)
    .map((a) => a.replace("127.0.0.1:PORT", `127.0.0.1:${port}`))
    .map(local);
  let stdout = "";
  let stderr = "";
  const code = await main([...argv, "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  expect(code, `${line}\n${stdout}${stderr}`).toBe(0);
  return JSON.parse(stdout) as Json;
}

/** The value after `--flag` on a guide line. */
function flag(line: string, name: string): string | undefined {
  const words = line.split(/\s+/);
  const i = words.indexOf(name);
  return i < 0 ? undefined : words[i + 1];
}

const readJson = (file: string): Json => JSON.parse(readFileSync(join(dir, file), "utf8")) as Json;

beforeAll(async () => {
  const prototxt = blocks("prototxt");
  expect(prototxt.length, "the guide's mynet.prototxt block").toBe(1);
  writeFileSync(join(dir, "mynet.prototxt"), prototxt[0]!);
  server = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
  port = server.port;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("docs/guide-own-data.md, command by command", () => {
  it("has the commands the guide is about", () => {
    for (const wanted of [/^ionn profile .*--device reference .*--out /, /^ionn fit .*--out /, /^ionn fit --from-profile /, /^ionn plan .*--client-profile .*--server-functions /, /^ionn plan .*--costs published/, /^ionn simulate .*--client-profile .*--server-functions /, /^ionn client /]) {
      expect(lines.some((l) => wanted.test(l)), String(wanted)).toBe(true);
    }
  });

  it("runs every line, and each --out file is the command's own JSON document", async () => {
    for (const line of lines) {
      if (line.startsWith("cp ")) {
        const [, from, to] = line.split(/\s+/);
        copyFileSync(join(ROOT, from!), local(to!));
        continue;
      }
      if (line.startsWith("ionn serve")) continue; // the in-process server of beforeAll
      expect(line, "a guide line is ionn, cp or a comment").toMatch(/^ionn /);
      const document = await ionn(line);
      ran.set(line, document);
      const out = flag(line, "--out");
      if (out !== undefined) expect(readJson(out)).toEqual(document);
    }
  }, 120_000);

  it("plan and simulate read the files back as the same per-layer times", async () => {
    const mynet: Network = (await loadNetwork(join(dir, "mynet.prototxt"))).network;
    const byName = new Map(mynet.layers.map((layer) => [layer.name, layer]));
    let checked = 0;
    for (const [line, document] of ran) {
      if (!line.startsWith("ionn plan mynet.prototxt")) continue;
      const clientFile = flag(line, "--client-profile")!;
      const clientMs = new Map((readJson(clientFile)["layers"] as { name: string; ms: number }[]).map((l) => [l.name, l.ms]));
      expect(document["costs"]["client"]).toBe(`profile ${local(clientFile)}`);
      const functionsFile = flag(line, "--server-functions");
      const serverProfile = flag(line, "--server-profile");
      const serverMs = (name: string): number => {
        if (serverProfile !== undefined) return (readJson(serverProfile)["layers"] as { name: string; ms: number }[]).find((l) => l.name === name)!.ms;
        const functions = parsePredictionFunctions(readJson(functionsFile!)["functions"], functionsFile!);
        return predictLayerMs(functions, byName.get(name)!, () => Number.NaN);
      };
      for (const group of document["groups"] as { layers: string[]; clientMs: number; serverMs: number }[]) {
        expect(group.clientMs).toBeCloseTo(group.layers.reduce((s, n) => s + clientMs.get(n)!, 0), 9);
        expect(group.serverMs).toBeCloseTo(group.layers.reduce((s, n) => s + serverMs(n), 0), 9);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);

    // simulate's partitions are the plan made from the same files
    const simulateLine = [...ran.keys()].find((l) => l.startsWith("ionn simulate"))!;
    const simulated = ran.get(simulateLine)!;
    const plan = await ionn(`ionn plan mynet.prototxt --client-profile ${flag(simulateLine, "--client-profile")} --server-functions ${flag(simulateLine, "--server-functions")}`);
    expect(simulated["partitions"].map((p: Json) => p["layers"])).toEqual(plan["partitions"].map((p: Json) => p["layers"]));
    simulated["partitions"].forEach((p: Json, i: number) => expect(p["expectedQueryMs"]).toBeCloseTo(plan["partitions"][i]["expectedQueryMs"], 9));
    expect(simulated["settings"]["costs"]).toContain(local(flag(simulateLine, "--server-functions")!));
  });

  it("the client plans with the files and every real query equals the local run", () => {
    const clientLine = [...ran.keys()].find((l) => l.startsWith("ionn client"))!;
    const run = ran.get(clientLine)!;
    expect(run["costs"]["client"]).toBe(`profile ${local(flag(clientLine, "--client-profile")!)}`);
    const why = JSON.stringify({ ackedPartitions: run["ackedPartitions"], uploadFailed: run["uploadFailed"], uploadStalled: run["uploadStalled"], partitions: run["partitions"].length, reconnects: run["reconnects"], queries: run["queries"] });
    expect(run["uploadCompleteMs"], `the upload did not complete: ${why}`).not.toBeNull();
    expect(run["queries"].length).toBe(Number(flag(clientLine, "--queries")));
    for (const q of run["queries"] as { matchesLocal: boolean }[]) expect(q.matchesLocal).toBe(true);
  });

  it("fit --from-profile wrote functions that parse, one per fitted type of the table", () => {
    const line = lines.find((l) => l.startsWith("ionn fit --from-profile"))!;
    const written = readJson(flag(line, "--out")!);
    const functions = parsePredictionFunctions(written["functions"], "from-profile");
    const fitted = (written["table"] as { type: string; fallback: boolean }[]).filter((r) => !r.fallback).map((r) => r.type);
    expect(fitted.length).toBeGreaterThan(0);
    for (const type of fitted) expect(functions.functions.some((f) => f.type === type)).toBe(true);
  });
});
