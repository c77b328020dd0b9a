/**
 * Every bad input of issue 15 gets a clear error and a non-zero exit, one
 * test each (and the papercuts it lists).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { plural } from "./format.js";
import { main } from "./main.js";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), "ionn-bad-input-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
// A port nothing listens on, for options validated before connecting.
const NOWHERE = "127.0.0.1:9";

describe("bad inputs: clear error, non-zero exit, no stack trace", () => {
  it("client --preset foo is refused (was silently accepted)", async () => {
    const r = await run("client", "--connect", NOWHERE, "alexnet", "--preset", "foo");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--preset must be "paper" or "ionn-reference", got "foo"/);
  });

  it("--mbps 0x10 is refused (was read as 16); so are 1_0, Infinity and ' 5'", async () => {
    for (const value of ["0x10", "1_0", "Infinity", " 5", "0b11"]) {
      const r = await run("plan", "alexnet", "--mbps", value);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(/--mbps must be a bandwidth in Mbps greater than 0/);
    }
    expect((await run("plan", "alexnet", "--mbps", "1e2", "--json")).code).toBe(0);
  });

  it("an empty .prototxt is an error (exited 0)", async () => {
    const r = await run("inspect", file("empty.prototxt", ""));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.prototxt: .*the net declares no layers and no input/);
  });

  it("a 10^5 x 10^5 input gets a size warning (was accepted silently)", async () => {
    const huge = file(
      "huge.prototxt",
      'name: "huge"\ninput: "data"\ninput_dim: 1\ninput_dim: 512\ninput_dim: 100000\ninput_dim: 100000\nlayer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 512 kernel_size: 3 } }\n',
    );
    const r = await run("inspect", huge, "--json");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: layer "input" outputs 1x512x100000x100000 = 5\.12e\+12 float32 elements/);
    expect(r.stderr).toMatch(/exceed 2\^53, so they are approximate/);
  });

  it("--json errors are one JSON document {error: {name, message}} on stdout with a non-zero exit", async () => {
    for (const argv of [["plan", "alexnet", "--K", "2"], ["frobnicate"], ["plan", "alexnet", "--bogus"], ["inspect", "no-such.prototxt"]]) {
      const r = await run(...argv, "--json");
      expect(r.code, argv.join(" ")).toBe(2);
      const doc = JSON.parse(r.stdout) as { error: { name: string; message: string } };
      expect(doc.error.name).toMatch(/Error$/);
      expect(doc.error.message.length).toBeGreaterThan(10);
      expect(r.stdout).not.toMatch(/\n\s+at /);
    }
  });

  it("a ParseError's JSON carries its line and column", async () => {
    const r = await run("inspect", file("bad.prototxt", 'name: "x"\nlayer { name: "a" type: }\n'), "--json");
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout) as { error: { name: string; line: number; column: number } };
    expect(error.name).toBe("ParseError");
    expect(error.line).toBe(2);
    expect(error.column).toBeGreaterThan(1);
  });

  describe("serve: listen failures are typed errors, not stack traces", () => {
    const busy = createServer();
    afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    it("EADDRINUSE names the port", async () => {
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      const port = (busy.address() as { port: number }).port;
      const r = await run("serve", "--port", String(port));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is already in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
    it("a host that is not this machine's names --host", async () => {
      const r = await run("serve", "--port", "0", "--host", "192.0.2.1");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--host "192\.0\.2\.1" is not an address of this machine/);
    });
  });

  it("serve --executor foo and client --throttle-mbps 0 are refused", async () => {
    const serve = await run("serve", "--port", "0", "--executor", "foo");
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/--executor must be one of reference, ort, got "foo"/);
    const client = await run("client", "--connect", NOWHERE, "alexnet", "--throttle-mbps", "0");
    expect(client.code).toBe(2);
    expect(client.stderr).toMatch(/--throttle-mbps must be a bandwidth in Mbps greater than 0/);
  });

  it("plan --costs bogus, --costs published for a network without published profiles, and two server sources are refused", async () => {
    expect((await run("plan", "alexnet", "--costs", "bogus")).stderr).toMatch(/--costs must be one of device-models, published/);
    expect((await run("plan", "mobilenet-v1", "--costs", "published")).stderr).toMatch(/published profiles only for alexnet, googlenet, resnet50, not "mobilenet-v1"/);
    const both = await run("plan", "alexnet", "--server-profile", "a", "--server-functions", "b");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/at most one of --server-profile, --server-regression, --server-functions/);
    expect((await run("plan", "alexnet", "--final-round", "--no-final-round")).stderr).toMatch(/not both/);
  });

  it("fit --out into a directory that does not exist names the file", async () => {
    const r = await run("fit", "--out", join(dir, "missing", "fit.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot write .*fit\.json: ENOENT/);
  });

  it('"1 query", not "1 queries"', () => {
    expect(plural(1, "query", "queries")).toBe("1 query");
    expect(plural(2, "query", "queries")).toBe("2 queries");
  });
});

describe("demo --json", () => {
  it("has the headline numbers beside both runs", async () => {
    const r = await run("demo", "--seconds", "5", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ionn: { queries: unknown[] }; headline: { localMs: number; queriesDuringUpload: { ionn: number; allAtOnce: number } } };
    expect(doc.headline.localMs).toBeCloseTo((doc as unknown as { allAtOnce: { queries: { latencyMs: number }[] } }).allAtOnce.queries[0]!.latencyMs, 9);
    expect(doc.headline.queriesDuringUpload.ionn).toBeTypeOf("number");
  });
});
