import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const built = existsSync("dist/cli/main.js");

describe.skipIf(!built)(`a reader that goes away${built ? "" : " (skipped: dist/ is not built: npx tsc -p tsconfig.build.json)"}`, () => {
  it("ionn inspect googlenet | head -1: exits 0 without a stack trace when stdout closes early", async () => {
    const child = spawn(process.execPath, ["bin/ionn.js", "inspect", "googlenet"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Close our end after the first chunk, as `head -1` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(code).toBe(0);
  });
});
