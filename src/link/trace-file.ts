/**
 * Reading a trace argument (`--bandwidth-trace SPEC`): a built-in spec or a
 * CSV file. Kept apart from `trace.ts` so the parsers carry no `node:fs`.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { isTraceSpec, parseTraceSpec } from "./generators.js";
import { type BandwidthTrace, parseBandwidthTraceCsv, TraceError } from "./trace.js";

/**
 * A trace from a spec (`step:…`, `walk:…`, `outage:…`) or a CSV file path.
 * @throws {TraceError} naming the file when it cannot be read, and the file and line on a bad line.
 */
export async function loadBandwidthTrace(spec: string): Promise<BandwidthTrace> {
  if (isTraceSpec(spec)) return parseTraceSpec(spec);
  let text: string;
  try {
    text = await readFile(spec, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TraceError(code === "ENOENT" ? "no such trace file" : `cannot read the trace file (${code ?? (error as Error).message})`, spec);
  }
  return parseBandwidthTraceCsv(text, spec);
}
