/**
 * DNN execution profiles (IONN §4, "Install Phase (Client)"): the time of
 * each layer of a network on one device, in the framework's runtime order.
 *
 * Two file formats are read:
 * - the authors' published text format, one line per runtime layer:
 *   `<index> <layer name> <milliseconds>` (index from 0 or 1);
 * - JSON: `{ "layers": [{ "name": "conv1", "ms": 70.66 }, …] }` (the output
 *   of `ionn profile --json`), optionally with `device`, `type` and `totalMs`.
 *
 * {@link alignProfile} maps a profile onto a {@link Network} by position and
 * checks the names, so a profile of another network is an error naming the
 * first line that does not fit.
 *
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ProfileMismatchError } from "../errors.js";
import type { Network } from "../model/types.js";

/** One profiled layer. */
export interface ProfileEntry {
  /** Layer name as written in the profile. */
  readonly name: string;
  /** Milliseconds for one forward pass at batch 1. */
  readonly ms: number;
  /** Layer type, when the profile records it. */
  readonly type?: string;
  /** 1-based line of the entry in its file (text format), for error messages. */
  readonly line?: number;
}

/** Per-layer execution times of one network on one device, in runtime order. */
export interface ExecutionProfile {
  /** The device the profile was measured or modelled on, when known. */
  readonly device?: string;
  /** Where it was read from (file path), for error messages. */
  readonly source?: string;
  /** One entry per runtime layer, in runtime order. */
  readonly layers: readonly ProfileEntry[];
}

/**
 * Parse the published text format `<index> <name> <ms>`, one runtime layer
 * per line. Blank lines and `#` comments are ignored. Indices must be
 * consecutive, starting at 0 or 1.
 *
 * @throws {@link ProfileMismatchError} naming the source and line of a
 * malformed line, a negative or non-numeric time, or a gap in the indices.
 * @example
 * ```ts
 * const profile = parseProfileText("0 data 0.0038\n1 conv1 70.6632\n", "alexnet.txt");
 * profile.layers[1]; // { name: "conv1", ms: 70.6632, line: 2 }
 * ```
 */
export function parseProfileText(text: string, source = "<profile>"): ExecutionProfile {
  const layers: ProfileEntry[] = [];
  const lines = text.split(/\r?\n/);
  let firstIndex: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/#.*$/, "").trim();
    if (raw === "") continue;
    const lineNo = i + 1;
    const fields = raw.split(/\s+/);
    if (fields.length !== 3) {
      throw new ProfileMismatchError(
        `${source}:${lineNo}: expected "<index> <layer name> <ms>", got ${fields.length} field(s): "${raw}"`,
      );
    }
    const [indexText, name, msText] = fields as [string, string, string];
    const index = Number(indexText);
    const ms = Number(msText);
    if (!Number.isInteger(index) || index < 0) {
      throw new ProfileMismatchError(`${source}:${lineNo}: index "${indexText}" is not a non-negative integer`);
    }
    if (!Number.isFinite(ms) || ms < 0) {
      throw new ProfileMismatchError(`${source}:${lineNo}: time "${msText}" of layer ${name} is not a non-negative number`);
    }
    if (firstIndex === undefined) {
      if (index > 1) {
        throw new ProfileMismatchError(`${source}:${lineNo}: indices must start at 0 or 1, got ${index}`);
      }
      firstIndex = index;
    }
    const expected = firstIndex + layers.length;
    if (index !== expected) {
      throw new ProfileMismatchError(`${source}:${lineNo}: expected index ${expected}, got ${index}`);
    }
    layers.push({ name, ms, line: lineNo });
  }
  if (layers.length === 0) throw new ProfileMismatchError(`${source}: the profile has no layers`);
  return { source, layers };
}

const profileJsonSchema = z.object({
  device: z.string().optional(),
  totalMs: z.number().optional(),
  layers: z
    .array(
      z.object({
        name: z.string().min(1),
        type: z.string().optional(),
        ms: z.number().finite().nonnegative(),
      }),
    )
    .min(1),
});

/**
 * Read a JSON profile `{ layers: [{ name, ms, type? }], device? }`.
 *
 * @throws {@link ProfileMismatchError} naming the source and the JSON path
 * of the first invalid field.
 */
export function parseProfileJson(value: unknown, source = "<profile>"): ExecutionProfile {
  const parsed = profileJsonSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new ProfileMismatchError(`${source}: invalid profile field ${path}: ${issue.message}`);
  }
  const { device, layers } = parsed.data;
  return {
    ...(device !== undefined ? { device } : {}),
    source,
    layers: layers.map((l) => ({ name: l.name, ms: l.ms, ...(l.type !== undefined ? { type: l.type } : {}) })),
  };
}

/**
 * Parse a profile file's contents, JSON when it starts with `{`, the
 * published text format otherwise.
 */
export function parseProfile(text: string, source = "<profile>"): ExecutionProfile {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ProfileMismatchError(`${source}: not valid JSON: ${(error as Error).message}`);
    }
    return parseProfileJson(value, source);
  }
  return parseProfileText(text, source);
}

/** Names under which a profile may list an Input layer (the published files use both). */
const INPUT_ALIASES = new Set(["data", "input"]);

/**
 * Map a profile onto a network by position: entry i is runtime layer i. The
 * names must match, except that an `Input` layer also matches `data` or
 * `input` (the published profiles name it either way).
 *
 * @returns milliseconds per runtime layer.
 * @throws {@link ProfileMismatchError} when the lengths differ or naming the
 * first entry whose name is not the layer's at that position.
 * @example
 * ```ts
 * const clientMs = alignProfile(network, parseProfileText(text, "alexnet.txt"));
 * ```
 */
export function alignProfile(network: Network, profile: ExecutionProfile): Float64Array {
  const source = profile.source ?? "<profile>";
  const { layers } = network;
  const count = Math.min(layers.length, profile.layers.length);
  for (let i = 0; i < count; i++) {
    const layer = layers[i]!;
    const entry = profile.layers[i]!;
    const matches = entry.name === layer.name || (layer.type === "Input" && INPUT_ALIASES.has(entry.name));
    if (!matches) {
      const where = entry.line !== undefined ? `${source}:${entry.line}` : `${source} entry ${i}`;
      throw new ProfileMismatchError(
        `${where}: profile names layer "${entry.name}" where network ${network.name} has layer ${i} "${layer.name}" (${layer.type}); is this a profile of another network?`,
      );
    }
  }
  if (layers.length !== profile.layers.length) {
    throw new ProfileMismatchError(
      `${source}: profile has ${profile.layers.length} layers but network ${network.name} has ${layers.length} runtime layers; is this a profile of another network?`,
    );
  }
  return Float64Array.from(profile.layers, (e) => e.ms);
}

/** Sum of a profile's times in milliseconds. */
export function profileTotalMs(profile: ExecutionProfile): number {
  let total = 0;
  for (const entry of profile.layers) total += entry.ms;
  return total;
}

/**
 * Build a profile from per-layer times aligned with a network.
 *
 * @throws {@link InvalidArgumentError} when the lengths differ.
 */
export function profileFromTimes(network: Network, ms: ArrayLike<number>, device?: string): ExecutionProfile {
  if (ms.length !== network.layers.length) {
    throw new InvalidArgumentError(`profileFromTimes: got ${ms.length} times for ${network.layers.length} layers of ${network.name}`);
  }
  return {
    ...(device !== undefined ? { device } : {}),
    source: device ?? network.name,
    layers: network.layers.map((layer, i) => ({ name: layer.name, type: layer.type, ms: ms[i]! })),
  };
}
