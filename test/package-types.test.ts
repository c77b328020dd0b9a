/**
 * The public `.d.ts` files are free of zod's types: the declarations the
 * build emits (tsconfig.build.json, in memory) neither import "zod" nor
 * mention its types, so a consumer type-checks them under any
 * `moduleResolution` without `skipLibCheck` (zod stays an internal,
 * run-time dependency of the validators).
 */
import { dirname, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;

describe("the package's declaration files", () => {
  it("emit without any reference to zod", () => {
    const configPath = join(ROOT, "tsconfig.build.json");
    const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, declaration: true, emitDeclarationOnly: true, noEmit: false });
    const declarations = new Map<string, string>();
    const result = program.emit(undefined, (fileName, text) => {
      if (fileName.endsWith(".d.ts")) declarations.set(fileName, text);
    });
    expect(result.emitSkipped).toBe(false);
    // the three entries of the exports map are among them
    for (const entry of ["index.d.ts", "planner.d.ts", "onnxruntime.d.ts"]) expect([...declarations.keys()].some((f) => f.endsWith(`/dist/${entry}`)), entry).toBe(true);
    const offending = [...declarations].filter(([, text]) => /from "zod"|import\("zod"\)|\bz\.(infer|output|input|Zod\w*|core)\b/.test(text)).map(([file]) => file);
    expect(offending).toEqual([]);
  }, 60_000);
});
