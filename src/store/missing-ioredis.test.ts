import { describe, expect, it, vi } from "vitest";

describe("redisStore without ioredis installed", () => {
  it("fails its first operation with a StoreConfigError naming the package", async () => {
    vi.doMock("ioredis", () => {
      throw new Error("Cannot find package 'ioredis'");
    });
    const { redisStore, StoreConfigError } = await import("./index.js");
    const store = redisStore({ nodes: [{ host: "127.0.0.1", port: 1 }] });
    await expect(store.has(["0".repeat(64)])).rejects.toThrow(StoreConfigError);
    await expect(store.has(["0".repeat(64)])).rejects.toThrow(/optional package "ioredis"/);
    vi.doUnmock("ioredis");
  });
});
