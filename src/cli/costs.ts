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
import { alignProfile, parseProfile } from "../profile/profile.js";
import { parseRegressionFile, predictLayerMs } from "../regression/index.js";
import { deviceProfile, gtx1080Ti } from "../sim/devices/index.js";

/** Cost-source options shared by the commands that plan. */
export interface CostOptions {
  readonly clientProfile?: string;
  readonly serverProfile?: string;
  readonly serverRegression?: string;
}

/** Per-runtime-layer times and a description of where each came from. */
export interface ResolvedCosts {
  readonly clientMs: Float64Array;
  readonly serverMs: Float64Array;
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
  if (options.serverProfile !== undefined && options.serverRegression !== undefined) {
    throw new InvalidArgumentError("give either --server-profile or --server-regression, not both");
  }
  const warnings: string[] = [];
  let clientMs: Float64Array;
  let clientSource: string;
  if (options.clientProfile !== undefined) {
    const path = options.clientProfile;
    clientMs = alignProfile(network, parseProfile(await readText(path, "client profile"), path));
    clientSource = `profile ${path}`;
  } else {
    clientMs = deviceProfile("odroid-xu4", network);
    clientSource = "odroid-xu4 device model";
  }
  let serverMs: Float64Array;
  let serverSource: string;
  if (options.serverProfile !== undefined) {
    const path = options.serverProfile;
    serverMs = alignProfile(network, parseProfile(await readText(path, "server profile"), path));
    serverSource = `profile ${path}`;
  } else if (options.serverRegression !== undefined) {
    const path = options.serverRegression;
    const functions = parseRegressionFile(await readText(path, "server regression"), path);
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
    serverMs = deviceProfile("gtx-1080ti", network);
    serverSource = "gtx-1080ti device model";
  }
  return { clientMs, serverMs, clientSource, serverSource, warnings };
}
