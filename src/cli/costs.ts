/**
 * Where the `ionn` command gets per-layer client and server times: profile
 * files (`index name ms` or JSON), the authors' per-type server regression,
 * or, by default, the simulated device cost models.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "../errors.js";
import type { Network } from "../model/types.js";
import type { PublishedProfileNetwork } from "../profile/published.js";
import type { PredictionFunctions } from "../regression/index.js";
import { deviceTimes } from "../sim/devices/profile.js";
import { gtx1080Ti } from "../sim/devices/index.js";

// Profile parsing, the published profiles and the regression code (with zod) are
// imported only when a command uses them, so `ionn plan alexnet` starts fast.
const profiles = () => import("../profile/profile.js");
const published = () => import("../profile/published.js");
const regression = async () => {
  const [file, serialize, fit] = await Promise.all([import("../regression/regression-file.js"), import("../regression/serialize.js"), import("../regression/fit.js")]);
  return { parseRegressionFile: file.parseRegressionFile, parsePredictionFunctions: serialize.parsePredictionFunctions, predictLayerMs: fit.predictLayerMs };
};

/** Cost-source options shared by the commands that plan. */
export interface CostOptions {
  readonly clientProfile?: string;
  readonly serverProfile?: string;
  readonly serverRegression?: string;
  /** Prediction functions as `ionn fit --json`/`--out` writes them (the whole document or its `functions`). */
  readonly serverFunctions?: string;
  /** `published`: the IONN authors' measured profiles (embedded) for both sides, for the networks they published. */
  readonly costs?: "device-models" | "published";
}

/**
 * Read server prediction functions from a file: JSON (what `ionn fit --json`
 * or `ionn fit --out F` writes, `{table, functions}`, or the bare `functions`
 * document) or the authors' text regression file (`<type> a b` lines).
 */
export async function readPredictionFunctions(text: string, path: string): Promise<PredictionFunctions> {
  const { parsePredictionFunctions, parseRegressionFile } = await regression();
  if (!text.trimStart().startsWith("{")) return parseRegressionFile(text, path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const functions = typeof value === "object" && value !== null && "functions" in value ? (value as { functions: unknown }).functions : value;
  return parsePredictionFunctions(functions, path);
}

/** Per-runtime-layer times and a description of where each came from. */
export interface ResolvedCosts {
  /** Client time per runtime layer, ms (a plain array for the device models: see `deviceTimes`). */
  readonly clientMs: ArrayLike<number>;
  /** Server time per runtime layer, ms. */
  readonly serverMs: ArrayLike<number>;
  readonly clientSource: string;
  readonly serverSource: string;
  /** What the caller should tell the user (e.g. layer types a regression file does not cover). */
  readonly warnings: readonly string[];
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Resolve client and server times for a network.
 *
 * - client: `--client-profile F`, else the `odroid-xu4` device model;
 * - server: `--server-profile F`, else `--server-regression F` (the authors'
 *   `<type> a b` file, `ms = a·x + b`), else the `gtx-1080ti` device model.
 *
 * @throws {@link InvalidArgumentError} when both server sources are given or a file cannot be read;
 * {@link ProfileMismatchError} when a profile belongs to another network.
 */
export async function resolveCosts(network: Network, options: CostOptions): Promise<ResolvedCosts> {
  const serverSources = (["serverProfile", "serverRegression", "serverFunctions"] as const).filter((k) => options[k] !== undefined);
  if (serverSources.length > 1) {
    throw new InvalidArgumentError("give at most one of --server-profile, --server-regression, --server-functions");
  }
  const usePublished = options.costs === "published";
  if (usePublished && (serverSources.length > 0 || options.clientProfile !== undefined)) {
    throw new InvalidArgumentError("--costs published takes both sides from the authors' published profiles; drop --client-profile/--server-* (or drop --costs)");
  }
  let publishedName: PublishedProfileNetwork | undefined;
  const { hasPublishedProfiles, publishedClientProfile, publishedServerProfile, PUBLISHED_PROFILE_NETWORKS } = usePublished
    ? await published()
    : ({} as Awaited<ReturnType<typeof published>>);
  const { alignProfile, parseProfile } = usePublished || options.clientProfile !== undefined || options.serverProfile !== undefined
    ? await profiles()
    : ({} as Awaited<ReturnType<typeof profiles>>);
  if (usePublished) {
    if (!hasPublishedProfiles(network.name)) {
      throw new InvalidArgumentError(`--costs published: the IONN authors published profiles only for ${PUBLISHED_PROFILE_NETWORKS.join(", ")}, not "${network.name}"`);
    }
    publishedName = network.name;
  }
  const warnings: string[] = [];
  let clientMs: ArrayLike<number>;
  let clientSource: string;
  if (publishedName !== undefined) {
    clientMs = alignProfile(network, publishedClientProfile(publishedName));
    clientSource = `published client profile (${network.name}, Odroid-XU4)`;
  } else if (options.clientProfile !== undefined) {
    const path = options.clientProfile;
    clientMs = alignProfile(network, parseProfile(await readText(path, "client profile"), path));
    clientSource = `profile ${path}`;
  } else {
    clientMs = deviceTimes("odroid-xu4", network);
    clientSource = "odroid-xu4 device model";
  }
  let serverMs: ArrayLike<number>;
  let serverSource: string;
  if (publishedName !== undefined) {
    serverMs = alignProfile(network, publishedServerProfile(publishedName));
    serverSource = `published server profile (${network.name}, GPU server)`;
  } else if (options.serverProfile !== undefined) {
    const path = options.serverProfile;
    serverMs = alignProfile(network, parseProfile(await readText(path, "server profile"), path));
    serverSource = `profile ${path}`;
  } else if (options.serverRegression !== undefined || options.serverFunctions !== undefined) {
    const path = (options.serverRegression ?? options.serverFunctions)!;
    const functions = await readPredictionFunctions(await readText(path, "server prediction functions"), path);
    const { predictLayerMs } = await regression();
    // Types the file has no function for (the 2017 file lacks BatchNorm, Scale, Eltwise…) take the
    // gtx-1080ti device model's time, and the user is told which.
    const device = gtx1080Ti();
    const uncovered = new Set<string>();
    serverMs = Float64Array.from(network.layers, (layer) =>
      predictLayerMs(functions, layer, (uncoveredLayer) => {
        uncovered.add(uncoveredLayer.type);
        return device.layerMs(uncoveredLayer);
      }),
    );
    serverSource = `regression ${path}`;
    if (uncovered.size > 0) {
      serverSource += ` (gtx-1080ti device model for ${[...uncovered].join(", ")})`;
      warnings.push(`${path} has no prediction function for ${[...uncovered].join(", ")}; those layers use the gtx-1080ti device model`);
    }
  } else {
    serverMs = deviceTimes("gtx-1080ti", network);
    serverSource = "gtx-1080ti device model";
  }
  return { clientMs, serverMs, clientSource, serverSource, warnings };
}
