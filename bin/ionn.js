#!/usr/bin/env node
// The `ionn` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script),
// which also bundles the CLI into dist/cli-bundle/ (scripts/bundle-cli.mjs: a few files to read at start-up
// instead of ~45 modules). The bundle is used when it is at least as new as dist/cli/main.js (a plain
// `tsc` rebuild makes it stale, and then the modules are loaded as compiled).
import { statSync } from "node:fs";

const modules = new URL("../dist/cli/main.js", import.meta.url);
const bundle = new URL("../dist/cli-bundle/main.js", import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
const bundled = (mtime(bundle) ?? -Infinity) >= (mtime(modules) ?? Infinity);
const { main } = await import(bundled ? bundle.href : modules.href);

// A reader that goes away (`ionn inspect googlenet | head`) ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`ionn: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
