#!/usr/bin/env node
// The `ionn` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`ionn: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
