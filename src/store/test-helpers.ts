/**
 * Test support: a private `redis-server` (or a three-node Redis Cluster) on
 * free loopback ports in a temporary directory, stopped by PID.
 *
 * @module
 * @internal
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REDIS_SERVER = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p));
const REDIS_CLI = ["/usr/bin/redis-cli", "/usr/local/bin/redis-cli"].find((p) => existsSync(p));

/** Why Redis tests cannot run here, or `undefined` when redis-server and redis-cli exist. */
export const redisUnavailable: string | undefined =
  REDIS_SERVER === undefined || REDIS_CLI === undefined ? "redis-server/redis-cli not installed (apt-get install redis-server)" : undefined;

/** A free TCP port on 127.0.0.1 whose cluster bus port (+10000) is free too. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const address = s.address();
        const p = typeof address === "object" && address ? address.port : 0;
        s.close(() => resolve(p));
      });
    });
    if (port > 0 && port + 10000 < 65536 && (await portFree(port + 10000))) return port;
  }
  throw new Error("no free port pair found");
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 200);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** Run redis-cli with arguments; returns stdout. */
export function redisCli(port: number, ...args: string[]): string {
  const result = spawnSync(REDIS_CLI!, ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8", timeout: 20_000 });
  return `${result.stdout}${result.stderr}`;
}

/** One private redis-server process. */
export interface RedisProcess {
  readonly port: number;
  readonly pid: number;
  /** SIGKILL the server (an outage). */
  kill(): Promise<void>;
  /** Start it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stop it (SIGTERM, then SIGKILL) and remove its directory. */
  stop(): Promise<void>;
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve();
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Start a private redis-server (extra `redis-server` arguments allowed); resolves once it accepts connections. */
export async function startRedis(extra: readonly string[] = [], port?: number, dir?: string): Promise<RedisProcess> {
  if (redisUnavailable) throw new Error(redisUnavailable);
  const chosen = port ?? (await freePort());
  const directory = dir ?? mkdtempSync(join(tmpdir(), `ionn-redis-${process.pid}-`));
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER!, ["--port", String(chosen), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no", ...extra], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${chosen} exited with ${child.exitCode}`);
      if (await canConnect(chosen)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${chosen} did not start within 5 s`);
  };
  await launch();
  return {
    port: chosen,
    get pid() {
      return child.pid ?? -1;
    },
    async kill() {
      child.kill("SIGKILL");
      await waitExit(child, 2000);
    },
    restart: launch,
    async stop() {
      child.kill("SIGTERM");
      await waitExit(child, 3000);
      if (dir === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Three private cluster-enabled redis-servers joined with `redis-cli --cluster create` (no replicas). */
export async function startCluster(): Promise<{ nodes: RedisProcess[]; ports: number[]; stop(): Promise<void> }> {
  const nodes: RedisProcess[] = [];
  const root = mkdtempSync(join(tmpdir(), `ionn-rcluster-${process.pid}-`));
  try {
    for (let i = 0; i < 3; i++) {
      const dir = join(root, String(i));
      spawnSync("mkdir", ["-p", dir]);
      nodes.push(await startRedis(["--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf"), "--cluster-node-timeout", "3000"], undefined, dir));
    }
    const ports = nodes.map((n) => n.port);
    const out = redisCli(ports[0]!, "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes");
    for (let i = 0; i < 100; i++) {
      if (ports.every((p) => redisCli(p, "cluster", "info").includes("cluster_state:ok"))) {
        return {
          nodes,
          ports,
          async stop() {
            for (const n of nodes) await n.stop();
            rmSync(root, { recursive: true, force: true });
          },
        };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the cluster did not become ready: ${out.slice(-500)}`);
  } catch (error) {
    for (const n of nodes) await n.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
