#!/usr/bin/env node
// The `ionn` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { main } from "../dist/cli/main.js";

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
