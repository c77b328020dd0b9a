/**
 * A shaped link between two Linux network namespaces for tests and benches
 * (issue 10): namespaces `ionn-s-<pid>-<n>` (server) and `ionn-c-<pid>-<n>`
 * (client) joined by a veth pair with 10.10.10.1/30 (server) and
 * 10.10.10.2/30 (client) — addresses that exist only inside the two
 * namespaces —, the client's egress (the uplink) shaped with
 * `tc qdisc … tbf`. Everything is removed by `close()` (namespaces, and
 * with them the veth pair; processes started with `spawnIn`), also from a
 * process `exit` handler if a run dies midway.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Why a shaped link cannot be made here (undefined: it can). */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return "not Linux";
  const probe = `ionn-probe-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  try {
    await run("ip", ["netns", "add", probe]);
  } catch (error) {
    return `ip netns add failed (${(error as Error).message.split("\n")[0]})`;
  }
  try {
    await run("ip", ["-n", probe, "link", "set", "lo", "up"]);
    await run("ip", ["netns", "exec", probe, "tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "80mbit", "burst", "32kb", "latency", "100ms"]);
  } catch (error) {
    return `tc tbf not usable (${(error as Error).message.split("\n")[0]})`;
  } finally {
    await run("ip", ["netns", "del", probe]).catch(() => undefined);
  }
  return undefined;
}

/** The tbf settings for a rate (burst sized for the rate, 100 ms of queue). */
function tbfArgs(mbps: number): string[] {
  const burstKb = Math.max(16, Math.ceil((mbps * 1e6) / 8 / 250 / 1024)); // ≥ 4 ms at the rate
  return ["tbf", "rate", `${mbps}mbit`, "burst", `${burstKb}kb`, "latency", "100ms"];
}

let counter = 0;
const live = new Set<ShapedLink>();
process.once("exit", () => {
  for (const link of live) link.closeSync();
});

/** Two namespaces, a veth pair, and the uplink shaped. */
export class ShapedLink {
  readonly serverNs: string;
  readonly clientNs: string;
  readonly serverIp = "10.10.10.1";
  readonly clientIp = "10.10.10.2";
  readonly clientDev: string;
  readonly serverDev: string;
  private readonly children = new Set<ChildProcess>();
  /** Rate changes made: client clock-free wall times (Date.now()) and rates. */
  readonly changes: { epochMs: number; mbps: number }[] = [];

  private constructor(tag: string) {
    this.serverNs = `ionn-s-${tag}`;
    this.clientNs = `ionn-c-${tag}`;
    this.clientDev = `ic${tag}`.slice(0, 15);
    this.serverDev = `is${tag}`.slice(0, 15);
  }

  /** Create namespaces, veth pair, addresses, and shape the uplink at `mbps`. */
  static async create(mbps: number): Promise<ShapedLink> {
    const link = new ShapedLink(`${process.pid}-${counter++}`);
    live.add(link);
    try {
      const { serverNs: s, clientNs: c, clientDev: cd, serverDev: sd } = link;
      await run("ip", ["netns", "add", s]);
      await run("ip", ["netns", "add", c]);
      await run("ip", ["-n", c, "link", "add", cd, "type", "veth", "peer", "name", sd, "netns", s]);
      await run("ip", ["-n", c, "addr", "add", `${link.clientIp}/30`, "dev", cd]);
      await run("ip", ["-n", s, "addr", "add", `${link.serverIp}/30`, "dev", sd]);
      for (const [ns, dev] of [[c, cd], [s, sd]] as const) {
        await run("ip", ["-n", ns, "link", "set", "lo", "up"]);
        await run("ip", ["-n", ns, "link", "set", dev, "up"]);
      }
      await run("ip", ["netns", "exec", c, "tc", "qdisc", "add", "dev", cd, "root", ...tbfArgs(mbps)]);
      link.changes.push({ epochMs: Date.now(), mbps });
      return link;
    } catch (error) {
      await link.close();
      throw error;
    }
  }

  /** Change the uplink's rate (`tc qdisc change … tbf rate`). */
  async shape(mbps: number): Promise<void> {
    await run("ip", ["netns", "exec", this.clientNs, "tc", "qdisc", "change", "dev", this.clientDev, "root", ...tbfArgs(mbps)]);
    this.changes.push({ epochMs: Date.now(), mbps });
  }

  /** Set the client's interface down (an outage) or up again. */
  async setUp(up: boolean): Promise<void> {
    await run("ip", ["-n", this.clientNs, "link", "set", this.clientDev, up ? "up" : "down"]);
    this.changes.push({ epochMs: Date.now(), mbps: up ? this.changes.filter((c) => c.mbps > 0).at(-1)?.mbps ?? 0 : 0 });
  }

  /** Start `command args` inside a namespace; stopped by `close()`. */
  spawnIn(side: "server" | "client", command: string, args: readonly string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", side === "server" ? this.serverNs : this.clientNs, command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  /** Stop every process started here and delete both namespaces (and the veth pair with them). */
  async close(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    await Promise.all([...this.children].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once("exit", resolve)))));
    await run("ip", ["netns", "del", this.serverNs]).catch(() => undefined);
    await run("ip", ["netns", "del", this.clientNs]).catch(() => undefined);
    live.delete(this);
  }

  /** Synchronous best-effort cleanup (process exit). */
  closeSync(): void {
    for (const child of this.children) child.kill("SIGKILL");
    for (const ns of [this.serverNs, this.clientNs]) {
      try {
        execFileSync("ip", ["netns", "del", ns]);
      } catch {
        // already gone
      }
    }
  }
}

/** Collect a child's stdout and its stderr lines. */
export function collect(child: ChildProcess, onLine?: (line: string) => void): { stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  let out = "";
  let err = "";
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => {
    const text = d.toString();
    err += text;
    partial += text;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) onLine?.(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { stdout: () => out, stderr: () => err, exited };
}

/** A step of a shaped-link run: `atMs` after the client's first ACK, set the rate (Mbps; 0 = interface down). */
export interface ShapeStep {
  readonly atMs: number;
  readonly mbps: number;
}

/** What {@link runShapedClient} returns. */
export interface ShapedRun {
  /** The client's `--json` document. */
  readonly doc: {
    startedAtEpochMs: number;
    uploadCompleteMs: number | null;
    queries: { raisedAtMs: number; latencyMs: number; serverLayers: string[]; matchesLocal: boolean; fellBack: boolean }[];
    bandwidthEstimates: { atMs: number; mbps: number }[];
    replans: { atMs: number; mbps: number; partitionsLeft: number }[];
    partitions: { layers: string[]; bytes: number }[];
  };
  /** The client's `--events` lines, parsed. */
  readonly events: Record<string, unknown>[];
  /** The rate over time on the client's clock (ms since its start): the first entry is the initial rate. */
  readonly rates: { atMs: number; mbps: number }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `ionn serve` in the server namespace and `ionn client … --events --json`
 * in the client namespace over a link shaped at `initialMbps`, apply
 * `steps` (times after the client's first ACK), wait for the client to
 * finish. Bounded: every wait has a deadline; the caller closes the link.
 */
export async function runShapedClient(link: ShapedLink, options: { model: string; initialMbps: number; steps: readonly ShapeStep[]; clientArgs: readonly string[]; deadlineMs?: number }): Promise<ShapedRun> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const server = link.spawnIn("server", process.execPath, ["bin/ionn.js", "serve", "--port", "0", "--host", link.serverIp, "--json"]);
  const s = collect(server);
  while (!s.stdout().includes("}")) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`ionn serve did not start: ${s.stderr()}`);
    await sleep(50);
  }
  const { port } = JSON.parse(s.stdout()) as { port: number };
  const events: Record<string, unknown>[] = [];
  let firstAck = false;
  const client = link.spawnIn("client", process.execPath, ["bin/ionn.js", "client", "--connect", `${link.serverIp}:${port}`, options.model, "--events", "--json", ...options.clientArgs]);
  const c = collect(client, (line) => {
    try {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      if (event["event"] === "ack") firstAck = true;
    } catch {
      // a warning line
    }
  });
  while (!firstAck) {
    if (Date.now() > deadline || client.exitCode !== null) throw new Error(`the client never got an ACK: ${c.stderr().slice(-2000)}`);
    await sleep(10);
  }
  const t0 = Date.now();
  const epochChanges: { epochMs: number; mbps: number }[] = [];
  let down = false;
  for (const step of options.steps) {
    const wait = t0 + step.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (step.mbps === 0) {
      await link.setUp(false);
      down = true;
    } else {
      if (down) await link.setUp(true);
      down = false;
      await link.shape(step.mbps);
    }
    epochChanges.push({ epochMs: Date.now(), mbps: step.mbps });
  }
  const code = await Promise.race([c.exited, sleep(Math.max(0, deadline - Date.now())).then(() => "deadline" as const)]);
  if (code !== 0) throw new Error(`the client ended with ${String(code)}: ${c.stderr().slice(-2000)}`);
  const doc = JSON.parse(c.stdout()) as ShapedRun["doc"];
  const rates = [{ atMs: 0, mbps: options.initialMbps }, ...epochChanges.map((e) => ({ atMs: e.epochMs - doc.startedAtEpochMs, mbps: e.mbps }))];
  return { doc, events, rates };
}
