/**
 * Validated numeric command-line options.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/** Read a numeric option, validating its domain; names the option in the error. */
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  check: (value: number) => boolean = Number.isFinite,
  domain = "a finite number",
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new InvalidArgumentError(`--${name} must be ${domain}, got "${String(raw)}"`);
  }
  return value;
}
