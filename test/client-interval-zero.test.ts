/**
 * `ionn client --interval-ms 0`: back-to-back queries still let the
 * background upload progress (the loop yields to the event loop between
 * queries), so later queries offload. Before the fix every query ran
 * locally: the socket's ACKs never got a turn.
 */
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { referenceExecutor } from "../src/executor/reference.js";
import { EdgeServer, serveTcp } from "../src/runtime/server.js";

const TINY = new URL("fixtures/tiny-cnn.prototxt", import.meta.url).pathname;

describe("ionn client --interval-ms 0", () => {
  it("the upload completes while queries run back to back, and the last queries offload", async () => {
    const server = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
    try {
      let stdout = "";
      const code = await main(["client", TINY, "--connect", `127.0.0.1:${server.port}`, "--queries", "40", "--interval-ms", "0", "--mbps", "2000", "--json"], {
        stdout: (t) => (stdout += t),
        stderr: () => {},
      });
      expect(code, stdout).toBe(0);
      const run = JSON.parse(stdout) as { partitions: unknown[]; queries: { serverLayers: unknown[]; matchesLocal: boolean }[] };
      expect(run.partitions.length).toBeGreaterThan(0);
      expect(run.queries.at(-1)!.serverLayers.length).toBeGreaterThan(0);
      for (const q of run.queries) expect(q.matchesLocal).toBe(true);
    } finally {
      await server.close();
    }
  });
});
