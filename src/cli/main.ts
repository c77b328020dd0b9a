/**
 * The `ionn` command (DESIGN.md, "Command line"): every command takes
 * `--json` and then prints exactly one JSON document on stdout; otherwise
 * readable tables. Errors go to stderr with a non-zero exit code and a
 * message naming the bad input.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { IonnError } from "../errors.js";
import type { CommandContext } from "./command.js";
import { COMMANDS } from "./commands.js";

/** Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage. */
export const EXIT_USAGE = 2;

function usage(): string {
  const lines = ["usage: ionn <command> [options] (--json for machine-readable output)", "", "commands:"];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(9)} ${command.summary}`);
  lines.push("", "run `ionn <command> --help` for a command's options");
  return lines.join("\n");
}

/**
 * Run the command line. Output goes to the given writers (process streams by
 * default) so tests can capture it.
 *
 * @returns the exit code.
 */
export async function main(
  argv: readonly string[],
  io: { stdout?: (text: string) => void; stderr?: (text: string) => void } = {},
): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    stderr(`ionn: unknown command "${name}"\n${usage()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    stdout(`usage: ionn ${name} ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    const config: ParseArgsConfig = {
      args: joinNegativeValues(rest, command.options),
      options: { json: { type: "boolean" }, ...command.options },
      allowPositionals: true,
      strict: true,
    };
    parsed = parseArgs(config) as typeof parsed;
  } catch (error) {
    stderr(`ionn ${name}: ${(error as Error).message}\nusage: ionn ${name} ${command.usage}\n`);
    return EXIT_USAGE;
  }
  const context: CommandContext = {
    values: parsed.values,
    positionals: parsed.positionals,
    json: parsed.values["json"] === true,
    stdout,
    stderr,
  };
  try {
    await command.run(context);
    return 0;
  } catch (error) {
    if (error instanceof IonnError) {
      stderr(`ionn ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    stderr(`ionn ${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/**
 * `--mbps -5` would be read by `parseArgs` as a missing value followed by an
 * unknown option; join a negative number to its string option
 * (`--mbps=-5`) so that the domain check can name it.
 */
function joinNegativeValues(args: readonly string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

