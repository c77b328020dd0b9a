/**
 * The `ionn` command (README.md, "The command line"): every command takes
 * `--json` and then prints exactly one JSON document on stdout; otherwise
 * readable tables. Errors go to stderr with a non-zero exit code and a
 * message naming the bad input; with `--json` an error is the document
 * `{"error": {"name", "message", …}}` on stdout. Commands are loaded lazily
 * (registry.ts).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InvalidArgumentError, IonnError } from "../errors.js";
import type { CommandContext } from "./command.js";
import { COMMAND_REGISTRY } from "./registry.js";

/** Exit codes: 0 success, 1 unexpected failure, 2 bad input or usage. */
export const EXIT_USAGE = 2;

function usage(): string {
  const lines = ["usage: ionn <command> [options] (--json for machine-readable output)", "", "commands:"];
  for (const [name, entry] of Object.entries(COMMAND_REGISTRY)) lines.push(`  ${name.padEnd(9)} ${entry.summary}`);
  lines.push("", "options: --version (print the version), --help", "run `ionn <command> --help` for a command's options, their units and defaults");
  return lines.join("\n");
}

/** The package version (from package.json, two levels above this file in src/ and in dist/). */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The JSON form of an error: `{error: {name, message, …}}`, plus the
 * error's own fields that are plain values (a ParseError's `line`/`column`,
 * a MissingDependencyError's `packageName`, a Node error's `code`), never a
 * stack.
 */
export function errorDocument(error: unknown): { error: Record<string, unknown> } {
  if (!(error instanceof Error)) return { error: { name: "Error", message: String(error) } };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key === "stack" || key === "name" || key === "message" || key === "cause") continue;
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) out[key] = value;
  }
  return { error: out };
}

/**
 * Writes `text` to process.stdout in slices of about 1 MiB (never between
 * the two halves of a surrogate pair): one write of a 200 MB plan document
 * would first encode it into one 200 MB buffer, and that external
 * allocation makes V8 collect the whole heap.
 */
function writeChunked(text: string): void {
  const CHUNK = 1 << 20;
  if (text.length <= 4 * CHUNK) {
    process.stdout.write(text);
    return;
  }
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    process.stdout.write(text.slice(start, end));
    start = end;
  }
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
  const stdout = io.stdout ?? writeChunked;
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const [name, ...rest] = argv;
  const wantsJson = argv.includes("--json");
  /** Report an error: JSON on stdout with --json, else `prefix: message` on stderr. */
  const fail = (prefix: string, error: unknown, code: number, hint = ""): number => {
    if (wantsJson) stdout(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
    else stderr(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n${hint}`);
    return code;
  };
  if (name === "--version" || name === "-v" || name === "-V" || name === "version") {
    const version = packageVersion();
    stdout(wantsJson ? `${JSON.stringify({ name: "ionn", version })}\n` : `ionn ${version}\n`);
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = Object.hasOwn(COMMAND_REGISTRY, name) ? COMMAND_REGISTRY[name] : undefined;
  if (entry === undefined) {
    const error = new InvalidArgumentError(`unknown command "${name}"; commands: ${Object.keys(COMMAND_REGISTRY).join(", ")}`);
    return fail("ionn", error, EXIT_USAGE, `${usage()}\n`);
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    const { commandHelp } = await import("./help.js");
    stdout(commandHelp(name, command));
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
    const usageError = new InvalidArgumentError(`${(error as Error).message}; run \`ionn ${name} --help\` for its options`);
    return fail(`ionn ${name}`, usageError, EXIT_USAGE, `usage: ionn ${name} ${command.usage}\n`);
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
    if (error instanceof IonnError) return fail(`ionn ${name}`, error, EXIT_USAGE);
    // No stack trace for users; IONN_DEBUG=1 prints it.
    if (process.env["IONN_DEBUG"] && error instanceof Error && !wantsJson) stderr(`${error.stack}\n`);
    return fail(`ionn ${name}: unexpected error`, error, 1);
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

