/**
 * Validated numeric command-line options.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";

/**
 * A plain decimal number (`80`, `-5`, `0.5`, `.5`, `1e-3`): what `Number()`
 * accepts besides (hex `0x10`, binary `0b1`, `Infinity`, surrounding
 * whitespace) is refused, so `--mbps 0x10` is an error, not 16.
 */
export const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

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
  if (typeof raw !== "string" || !DECIMAL.test(raw) || !Number.isFinite(value) || !check(value)) {
    throw new InvalidArgumentError(`--${name} must be ${domain}, got "${String(raw)}"`);
  }
  return value;
}

/** Read an option that must be one of `allowed`; names the option and the choices in the error. */
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(raw)) throw new InvalidArgumentError(`--${name} must be one of ${allowed.join(", ")}, got "${String(raw)}"`);
  return raw as T;
}
