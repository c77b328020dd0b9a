import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // Suites that simulate every network in beforeAll take ~10 s on a quiet 2-core machine; leave room on a loaded one.
    hookTimeout: 120_000,
    pool: "forks",
    // fast-check on a fixed seed (FC_SEED=random to explore): test/fast-check-setup.ts
    setupFiles: ["test/fast-check-setup.ts"],
  },
});
