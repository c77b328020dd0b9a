// Bundles the compiled CLI (dist/cli/main.js) into dist/cli-bundle/ so that
// `ionn` starts by reading a few files instead of ~45 modules (issue 15,
// start-up; bench/cli.ts measures it). Run by `npm run build` after tsc.
// The command's own lazy loading is kept: every dynamic import() becomes
// its own chunk (esbuild code splitting). The thread-pool worker is a second
// entry point beside main.js, where worker-pool's `new URL("./pool-worker.js",
// import.meta.url)` looks for it. The optional peers and zod stay external.
// esbuild is a devDependency: without it (a consumer's install of the
// packed tarball has dist/ already) this does nothing; bin/ionn.js falls back
// to dist/cli/main.js whenever the bundle is missing or older than it.
import { rmSync } from "node:fs";

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.warn("bundle-cli: esbuild not installed; bin/ionn.js will load dist/cli/main.js");
  process.exit(0);
}
const root = new URL("..", import.meta.url).pathname;
rmSync(`${root}dist/cli-bundle`, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { main: "dist/cli/main.js", "pool-worker": "dist/executor/pool-worker.js" },
  outdir: "dist/cli-bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // zod stays a package import: 0.58 MB bundled again for no measured start-up gain (the plan path does not load it)
  external: ["ioredis", "onnxruntime-node", "zod"],
  chunkNames: "chunk-[hash]",
  legalComments: "linked",
  // whitespace and syntax only: identifiers (and so class and function names in error documents) stay as written
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
});
