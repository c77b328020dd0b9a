/**
 * Access to ../shared (published models and profiles) for tests. The folder
 * lives beside the project root; tests that need it skip with a clear reason
 * when it is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Absolute path of the shared folder (../shared beside the project root). */
export const SHARED_DIR = resolve(here, "..", "..", "shared");

/** True when ../shared is present. */
export const HAS_SHARED = existsSync(join(SHARED_DIR, "models"));

/** Reason printed in the name of skipped suites. */
export const SHARED_SKIP_REASON = `skipped: ../shared (published models and profiles) not found at ${SHARED_DIR}`;

/** Absolute path of a file under ../shared. */
export function sharedPath(relative: string): string {
  return join(SHARED_DIR, relative);
}

/** Text of a file under ../shared. */
export function readShared(relative: string): string {
  return readFileSync(sharedPath(relative), "utf8");
}
