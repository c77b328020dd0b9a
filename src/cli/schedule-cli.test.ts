/**
 * The planners by name on the command line (issue 9): `ionn plan --planner`,
 * `ionn simulate --policy optimal|enhanced --preprocessing-ms`,
 * `ionn client --planner --upload-window`, and their typed errors.
 */
import { describe, expect, it } from "vitest";
import { main } from "./main.js";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function runJson(...argv: string[]) {
  const result = await run(...argv, "--json");
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

const TINY = new URL("../../test/fixtures/tiny-cnn.prototxt", import.meta.url).pathname;

describe("ionn plan --planner", () => {
  it("adds planner, objective, exact, planningMs; optimal serves at least as many queries by T as ionn", async () => {
    const ionn = await runJson("plan", "alexnet", "--planner", "ionn");
    const optimal = await runJson("plan", "alexnet", "--planner", "optimal");
    const enhanced = await runJson("plan", "alexnet", "--planner", "enhanced");
    for (const doc of [ionn, optimal, enhanced]) {
      expect(Object.keys(doc.objective).sort()).toEqual(expect.arrayContaining(["meanLatencyMs", "queriesDuringUpload", "queriesInHorizon", "uploadCompleteMs"]));
      expect(typeof doc.exact).toBe("boolean");
      expect(doc.planningMs).toBeGreaterThanOrEqual(0);
      expect(doc.partitions.length).toBeGreaterThan(0);
    }
    expect(ionn.planner).toBe("ionn");
    expect(optimal.planner).toBe("optimal");
    expect(optimal.objective.queriesInWindow).toBeGreaterThanOrEqual(ionn.objective.queriesInWindow);
    if (!optimal.exact) expect(optimal.bound).toBeGreaterThanOrEqual(optimal.objective.queriesInWindow);
    const plain = await runJson("plan", "alexnet");
    expect(plain.planner).toBe("ionn");
    expect(plain.partitions).toEqual(ionn.partitions);
  });

  it("typed errors name the option", async () => {
    const bad = await run("plan", "alexnet", "--planner", "fastest", "--json");
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/--planner must be one of ionn, enhanced, optimal/);
    const think = await run("plan", "alexnet", "--planner", "optimal", "--preprocessing-ms", "-1");
    expect(think.stderr).toMatch(/--preprocessing-ms/);
    const budget = await run("plan", "alexnet", "--planner", "optimal", "--time-budget-ms", "0");
    expect(budget.stderr).toMatch(/--time-budget-ms/);
    const horizon = await run("plan", "alexnet", "--seconds", "0");
    expect(horizon.stderr).toMatch(/--seconds/);
    const children = await run("plan", "alexnet", "--planner", "optimal", "--search-children", "some");
    expect(children.code).not.toBe(0);
    expect(children.stderr).toMatch(/--search-children must be one of auto, improving, all/);
  });

  it("--search-children improving|all|auto: the same count on AlexNet at 80 Mbps, each proven", async () => {
    for (const children of ["auto", "improving", "all"]) {
      const doc = await runJson("plan", "alexnet", "--planner", "optimal", "--search-children", children, "--time-budget-ms", "20000");
      expect(doc.exact, children).toBe(true);
      expect(doc.exactAmongImproving, children).toBe(true);
      expect(doc.objective.queriesInWindow, children).toBe(29);
    }
  });
});

describe("ionn simulate --policy optimal|enhanced --preprocessing-ms", () => {
  it("runs the schedule policies with back-to-back queries", async () => {
    const doc = await runJson("simulate", "alexnet", "--policy", "optimal,enhanced,ionn", "--preprocessing-ms", "0", "--seconds", "10");
    expect(doc.runs.map((r: { policy: string }) => r.policy)).toEqual(["optimal", "enhanced", "ionn(K=0.5)"]);
    for (const r of doc.runs) expect(r.settings.preprocessingMs).toBe(0);
    const bad = await run("simulate", "alexnet", "--preprocessing-ms", "-3");
    expect(bad.stderr).toMatch(/--preprocessing-ms/);
    const window = await run("simulate", "alexnet", "--upload-window", "0");
    expect(window.stderr).toMatch(/--upload-window/);
  });
});

describe("bad input of the scheduling options: typed errors naming the option (simulate, client)", () => {
  it("simulate: unknown policy, horizon ≤ 0, think time < 0", async () => {
    const policy = await run("simulate", "alexnet", "--policy", "fastest", "--json");
    expect(policy.code).not.toBe(0);
    expect(JSON.parse(policy.stdout).error.name).toBe("InvalidArgumentError");
    expect(policy.stdout).toMatch(/--policy must be one of local, all-at-once, ionn, neurosurgeon, optimal, enhanced/);
    for (const seconds of ["0", "-2"]) {
      const horizon = await run("simulate", "alexnet", "--policy", "optimal", "--seconds", seconds);
      expect(horizon.code).not.toBe(0);
      expect(horizon.stderr).toMatch(/--seconds must be a duration in seconds greater than 0/);
    }
    const think = await run("simulate", "alexnet", "--policy", "optimal", "--preprocessing-ms", "-0.5", "--json");
    expect(JSON.parse(think.stdout).error.message).toMatch(/--preprocessing-ms must be a think time in ms ≥ 0/);
  });
  it("plan: time budget ≤ 0 (negative too) and horizon < 0", async () => {
    const budget = await run("plan", "alexnet", "--planner", "optimal", "--time-budget-ms", "-5", "--json");
    expect(JSON.parse(budget.stdout).error).toEqual({ name: "InvalidArgumentError", message: expect.stringMatching(/--time-budget-ms must be a time budget in ms > 0/) });
    const horizon = await run("plan", "alexnet", "--planner", "optimal", "--seconds", "-1");
    expect(horizon.stderr).toMatch(/--seconds must be a horizon in seconds > 0/);
  });
  it("client: unknown planner, think time < 0 (before any connection)", async () => {
    // port 1 on loopback: nothing listens; the options are checked before connecting
    const planner = await run("client", "--connect", "127.0.0.1:1", TINY, "--planner", "fastest", "--json");
    expect(planner.code).not.toBe(0);
    expect(JSON.parse(planner.stdout).error.message).toMatch(/--planner must be one of ionn, enhanced, optimal, got "fastest"/);
    const think = await run("client", "--connect", "127.0.0.1:1", TINY, "--planner", "optimal", "--interval-ms", "-1", "--json");
    expect(JSON.parse(think.stdout).error.message).toMatch(/--interval-ms must be a number of milliseconds ≥ 0/);
  });
});

describe("ionn client --planner optimal --replan estimate (loopback TCP)", () => {
  it("re-plans the rest with the optimal planner (no refusal), nothing sent twice; every collaborative output equals the local one", async () => {
    const { EdgeServer, serveTcp } = await import("../runtime/index.js");
    const { referenceExecutor } = await import("../executor/index.js");
    const handle = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
    try {
      // AlexNet planned for 80 Mbps over loopback (Gbit/s): the estimate leaves the band, the rest is re-planned
      const doc = await runJson("client", "--connect", `127.0.0.1:${handle.port}`, "alexnet", "--planner", "optimal", "--replan", "estimate", "--queries", "2", "--interval-ms", "0", "--mbps", "80");
      expect(doc.planner).toBe("optimal");
      expect(doc.replan).toBe("estimate");
      expect(doc.replans.length).toBeGreaterThan(0);
      expect(doc.queries).toHaveLength(2);
      for (const q of doc.queries) expect(q.matchesLocal).toBe(true);
      // nothing sent twice: at most the model's weights
      const { zooNetwork } = await import("../model/zoo/index.js");
      const { parameterBytes } = await import("../model/types.js");
      const total = zooNetwork("alexnet").layers.reduce((a, l) => a + parameterBytes(l), 0);
      expect(doc.weightBytesSent).toBeLessThanOrEqual(total);
      const layers = doc.partitions.flatMap((p: { layers: string[] }) => p.layers);
      expect(new Set(layers).size).toBe(layers.length);
    } finally {
      await handle.close();
    }
  });
});

describe("ionn client --planner optimal --upload-window 2 (loopback TCP)", () => {
  it("uploads the optimal plan pipelined; every collaborative output equals the local one", async () => {
    const { EdgeServer, serveTcp } = await import("../runtime/index.js");
    const { referenceExecutor } = await import("../executor/index.js");
    const handle = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
    try {
      const doc = await runJson("client", "--connect", `127.0.0.1:${handle.port}`, TINY, "--planner", "optimal", "--upload-window", "2", "--queries", "4", "--interval-ms", "0", "--mbps", "5000");
      expect(doc.planner).toBe("optimal");
      expect(doc.queries).toHaveLength(4);
      for (const q of doc.queries) expect(q.matchesLocal).toBe(true);
    } finally {
      await handle.close();
    }
  });
});
