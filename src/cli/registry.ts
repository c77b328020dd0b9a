/**
 * The `ionn` subcommands by name, loaded lazily: each entry imports its
 * command's module only when that command runs (or its help is shown), so
 * `ionn plan` does not load the simulator, the runtime or the TCP stack.
 *
 * @module
 */
import type { Command } from "./command.js";

/** A subcommand: its one-line summary (for `ionn --help`) and how to load it. */
export interface CommandEntry {
  /** The same text as the loaded command's `summary` (a test checks they agree). */
  readonly summary: string;
  /** Import the command's module and return the command. */
  load(): Promise<Command>;
}

/** All subcommands by name, in the order `ionn --help` lists them. */
export const COMMAND_REGISTRY: Readonly<Record<string, CommandEntry>> = {
  inspect: { summary: "show a network's runtime layers, shapes, parameters and MACs", load: async () => (await import("./commands.js")).inspectCommand },
  plan: { summary: "compute IONN's upload plan (Algorithm 1) for a network", load: async () => (await import("./commands.js")).planCommand },
  profile: {
    summary: "per-layer times of a network on a modelled device (or measured here with the reference executor)",
    load: async () => (await import("./model-commands.js")).profileCommand,
  },
  fit: {
    summary: "fit the server's prediction functions (install phase) and print R² and RMSE per layer type",
    load: async () => (await import("./model-commands.js")).fitCommand,
  },
  serve: {
    summary: "run an edge server over TCP that builds models incrementally as partitions arrive",
    load: async () => (await import("./runtime-commands.js")).serveCommand,
  },
  client: {
    summary: "upload a model to an edge server incrementally while running queries collaboratively",
    load: async () => (await import("./runtime-commands.js")).clientCommand,
  },
  simulate: {
    summary: "simulate the paper's closed-loop scenario (latency timeline, upload time, energy) for a policy",
    load: async () => (await import("./simulate-command.js")).simulateCommand,
  },
  demo: {
    summary: "IONN vs all-at-once on the simulator (default: AlexNet at 80 Mbps): plan, timeline, headline",
    load: async () => (await import("./simulate-command.js")).demoCommand,
  },
};

/** Load every command (for tests and documentation). */
export async function loadAllCommands(): Promise<Record<string, Command>> {
  const out: Record<string, Command> = {};
  for (const [name, entry] of Object.entries(COMMAND_REGISTRY)) out[name] = await entry.load();
  return out;
}
