/**
 * `ionn <command> --help`: the usage line, the summary, every option with
 * what it does, its unit and its default (the command's `help` map), what a
 * `<model>` may be (zoo names and file formats) and an example.
 *
 * @module
 */
import { ZOO_NAMES } from "../model/zoo/index.js";
import type { Command } from "./command.js";

/** Help of the options every command takes. */
export const GLOBAL_OPTION_HELP: Readonly<Record<string, string>> = {
  json: "print exactly one JSON document on stdout instead of tables; an error is then {\"error\": {\"name\", \"message\", …}} on stdout, with a non-zero exit",
  help: "print this help and exit (also -h)",
};

/** What `<model>` may be, for commands that take one. */
export function modelHelp(): string {
  return `<model> is a zoo name (${ZOO_NAMES.join(", ")}) or a model file: .prototxt (Caffe deploy or train/test net), .onnx, or a TF.js layers model.json (--format forces one)`;
}

function optionLabel(name: string, spec: Command["options"][string]): string {
  const flag = `${spec.short !== undefined ? `-${spec.short}, ` : ""}--${name}`;
  if (spec.type === "boolean") return flag;
  return `${flag} ${name === "input-shape" ? "NAME=D,D,…" : "VALUE"}${spec.multiple ? " (repeatable)" : ""}`;
}

/** Wrap `text` to `width` columns, every line after the first indented by `indent` spaces. */
function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line.length > 0) lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** The full `--help` text of one command. */
export function commandHelp(name: string, command: Command): string {
  const rows: [string, string][] = Object.entries(command.options).map(([option, spec]) => [optionLabel(option, spec), command.help?.[option] ?? "(no description)"]);
  rows.push(["--json", GLOBAL_OPTION_HELP["json"]!], ["-h, --help", GLOBAL_OPTION_HELP["help"]!]);
  const labelWidth = Math.min(34, Math.max(...rows.map(([label]) => label.length)));
  const lines = [`usage: ionn ${name} ${command.usage}`, "", command.summary, "", "options:"];
  for (const [label, text] of rows) {
    const pad = label.length > labelWidth ? `\n${" ".repeat(labelWidth + 4)}` : " ".repeat(labelWidth - label.length + 2);
    lines.push(`  ${label}${pad}${wrap(text, 100 - labelWidth - 4, labelWidth + 4)}`);
  }
  if (/<model>|\[model/.test(command.usage)) lines.push("", wrap(modelHelp(), 100, 0));
  if (command.example !== undefined) lines.push("", "example:", ...command.example.split("\n").map((l) => `  ${l}`));
  return `${lines.join("\n")}\n`;
}
