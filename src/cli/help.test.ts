/**
 * Every option of every command is explained by `--help` (a `help` entry on
 * the command): options other engineers add are caught here. Also the
 * registry's summaries, zoo names and `--version`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZOO_NAMES } from "../model/zoo/index.js";
import { main } from "./main.js";
import { COMMAND_REGISTRY, loadAllCommands } from "./registry.js";

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("ionn --help", async () => {
  const commands = await loadAllCommands();

  it.each(Object.keys(COMMAND_REGISTRY))("%s: every option has a help line (what, unit, default) and --help prints it", async (name) => {
    const command = commands[name]!;
    expect(COMMAND_REGISTRY[name]!.summary).toBe(command.summary);
    const { code, stdout } = await run(name, "--help");
    expect(code).toBe(0);
    for (const option of Object.keys(command.options)) {
      const help = command.help?.[option];
      expect(help, `ionn ${name} --${option} has no help entry`).toBeTypeOf("string");
      expect(help!.length).toBeGreaterThan(15);
      expect(stdout).toContain(`--${option}`);
      // the first words of the help text are printed next to it
      expect(stdout).toContain(help!.split(/\s+/).slice(0, 4).join(" "));
    }
    for (const option of Object.keys(command.help ?? {})) expect(Object.keys(command.options), `help for unknown option --${option}`).toContain(option);
    expect(stdout).not.toContain("(no description)");
    expect(command.example, `ionn ${name} has no example`).toBeTypeOf("string");
    expect(stdout).toContain("example:");
    if (/<model>|\[model/.test(command.usage)) for (const zoo of ZOO_NAMES) expect(stdout).toContain(zoo);
  });

  it("ionn --version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect((await run("--version")).stdout).toBe(`ionn ${version}\n`);
    expect(JSON.parse((await run("--version", "--json")).stdout)).toEqual({ name: "ionn", version });
  });

  it("ionn --help lists every command with its summary", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    for (const [name, entry] of Object.entries(COMMAND_REGISTRY)) expect(stdout).toContain(`${name.padEnd(9)} ${entry.summary}`);
  });
});
