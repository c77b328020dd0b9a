/**
 * Shared pieces of the hardening benches (issue 12): an edge server in a
 * child process (`node bin/ionn.js serve`, from dist/) whose resident memory
 * is sampled from /proc, and small statistics helpers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Largest RSS sampled so far (bytes). */
  peakRss(): number;
  /** Current RSS (bytes). */
  rss(): number;
  /** VmHWM: the kernel's peak RSS of the process (bytes). */
  hwm(): number;
  alive(): boolean;
  stop(): Promise<number | null>;
}

function status(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Start `ionn serve --port 0 --json …args` (needs dist/: `npx tsc -p tsconfig.build.json`). */
export async function startServer(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["bin/ionn.js", "serve", "--port", "0", "--json", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      try {
        const doc = JSON.parse(out) as { port: number };
        clearTimeout(timer);
        resolve(doc.port);
      } catch {
        // wait for the whole document
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  let peak = 0;
  let exited = false;
  child.once("exit", () => (exited = true));
  const sampler = setInterval(() => {
    peak = Math.max(peak, status(child.pid!, "VmRSS"));
  }, 50);
  sampler.unref();
  return {
    port,
    child,
    peakRss: () => Math.max(peak, status(child.pid!, "VmRSS")),
    rss: () => status(child.pid!, "VmRSS"),
    hwm: () => status(child.pid!, "VmHWM"),
    alive: () => !exited,
    stop: () =>
      new Promise((resolve) => {
        clearInterval(sampler);
        if (exited) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
