/**
 * Compact JSON form of prediction functions, the message an edge server sends
 * a client on connect (IONN §4 "Runtime phase": "hundreds of bytes for 11
 * types of layers"), with a zod schema for reading it back.
 *
 * Format (version 1):
 * ```
 * {"v":1,"s":"n","f":[["Convolution","if",[b0,b1,b2],r2,rmse,n,0], …],"fb":[…]}
 * ```
 * - `s`: variable set, `"n"` neurosurgeon or `"r"` ionn-reference;
 * - each function is a tuple: type, variable codes (one letter per variable:
 *   `i` inputSize, `o` outputSize, `f` filterTerm, `a` inputs, `b` outputs,
 *   `x` the authors' x), coefficients with the intercept first, R² (or null),
 *   RMSE ms (or null), sample count, fallback flag 0/1;
 * - `fb`: the pooled fallback function, when present.
 *
 * NOTE: numbers are rounded to 6 significant digits (`toPrecision(6)`), which
 * keeps the message small; a round trip therefore reproduces coefficients to
 * a relative 5e-6 (exactly, for values that already have ≤ 6 digits, such as
 * the authors' file).
 *
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.js";
import type { PredictionFunction, PredictionFunctions } from "./fit.js";
import type { VariableName, VariableSet } from "./variables.js";

const CODES: Readonly<Record<VariableName, string>> = {
  inputSize: "i",
  outputSize: "o",
  filterTerm: "f",
  inputs: "a",
  outputs: "b",
  x: "x",
};
const NAMES: Readonly<Record<string, VariableName>> = Object.fromEntries(
  Object.entries(CODES).map(([name, code]) => [code, name as VariableName]),
);
const SETS: Readonly<Record<VariableSet, string>> = { neurosurgeon: "n", "ionn-reference": "r" };

/** Significant digits kept by {@link serializePredictionFunctions}. */
export const SERIALIZED_SIGNIFICANT_DIGITS = 6;

const functionSchema = z
  .tuple([
    z.string().min(1),
    z.string().regex(/^[iofabx]*$/, { message: "variable codes must be letters among i, o, f, a, b, x" }),
    z.array(z.number().refine(Number.isFinite, { message: "coefficient must be finite" })).min(1),
    z.number().nullable(),
    z.number().nonnegative().nullable(),
    z.number().int().nonnegative(),
    z.union([z.literal(0), z.literal(1)]),
  ])
  .refine(([, codes, coefficients]) => coefficients.length === codes.length + 1, {
    message: "expected one coefficient per variable plus the intercept",
  });

/** Zod schema of the serialized form (version 1); internal, the public type is {@link SerializedPredictionFunctions}. */
const serializedPredictionFunctionsSchema = z.object({
  v: z.literal(1),
  s: z.enum(["n", "r"]),
  f: z.array(functionSchema),
  fb: functionSchema.optional(),
});

/**
 * One serialized function: type, variable codes, coefficients (intercept
 * first), R² or null, RMSE ms or null, sample count, fallback flag.
 */
export type SerializedPredictionFunction = [string, string, number[], number | null, number | null, number, 0 | 1];

/** The serialized form (version 1), as parsed. */
export interface SerializedPredictionFunctions {
  /** Format version. */
  v: 1;
  /** Variable set: `"n"` neurosurgeon, `"r"` ionn-reference. */
  s: "n" | "r";
  /** The per-type functions. */
  f: SerializedPredictionFunction[];
  /** The pooled fallback function, when present. */
  fb?: SerializedPredictionFunction;
}

// The schema accepts exactly the plain type (mutual assignability and the same keys).
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const schemaAgrees: Agree<z.output<typeof serializedPredictionFunctionsSchema>, SerializedPredictionFunctions> = true;
void schemaAgrees;

function round(value: number): number {
  return Number(value.toPrecision(SERIALIZED_SIGNIFICANT_DIGITS));
}

function encode(fn: PredictionFunction): unknown[] {
  return [
    fn.type,
    fn.variables.map((v) => CODES[v]).join(""),
    [fn.intercept, ...fn.coefficients].map(round),
    fn.r2 === null ? null : round(fn.r2),
    fn.rmseMs === null ? null : round(fn.rmseMs),
    fn.samples,
    fn.fallback ? 1 : 0,
  ];
}

function decode(t: z.infer<typeof functionSchema>): PredictionFunction {
  const [type, codes, numbers, r2, rmseMs, samples, fallback] = t;
  return {
    type,
    variables: [...codes].map((c) => NAMES[c]!),
    coefficients: numbers.slice(1),
    intercept: numbers[0]!,
    r2,
    rmseMs,
    samples,
    fallback: fallback === 1,
  };
}

/**
 * Serialize prediction functions to compact JSON text, version 1:
 * `{"v":1,"s":"n"|"r","f":[[type, variableCodes, [intercept, …coefficients], r2, rmse, samples, fallback0or1], …],"fb":[…]}`
 * (variable codes one letter each: `i` inputSize, `o` outputSize, `f` filterTerm,
 * `a` inputs, `b` outputs, `x`; `fb` only with a fallback). Numbers are
 * rounded to 6 significant digits, so a round trip keeps a relative 5e-6.
 * Cost: O(number of types).
 * @throws {@link InvalidArgumentError} on a non-finite coefficient.
 * @example
 * ```ts
 * const text = serializePredictionFunctions(functions); // '{"v":1,"s":"n","f":[…]}'
 * const back = parsePredictionFunctions(text);
 * ```
 */
export function serializePredictionFunctions(functions: PredictionFunctions): string {
  for (const fn of [...functions.functions, ...(functions.fallback ? [functions.fallback] : [])]) {
    if (![fn.intercept, ...fn.coefficients].every(Number.isFinite)) {
      throw new InvalidArgumentError(`serializePredictionFunctions: prediction function for ${fn.type} has a non-finite coefficient`);
    }
  }
  const doc: Record<string, unknown> = { v: 1, s: SETS[functions.variableSet], f: functions.functions.map(encode) };
  if (functions.fallback) doc["fb"] = encode(functions.fallback);
  return JSON.stringify(doc);
}

/**
 * Read prediction functions from their serialized form (text or an already
 * parsed JSON value), validated with a zod schema of the format that
 * {@link serializePredictionFunctions} writes.
 * @throws {@link InvalidArgumentError} naming `source` and the offending path for
 *   malformed JSON or a document that does not match the schema.
 */
export function parsePredictionFunctions(input: string | unknown, source = "<prediction functions>"): PredictionFunctions {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new InvalidArgumentError(`${source}: not JSON (${(e as Error).message})`, { cause: e });
    }
  }
  const parsed = serializedPredictionFunctionsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidArgumentError(`${source}: invalid prediction functions at ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const doc = parsed.data;
  const variableSet: VariableSet = doc.s === "n" ? "neurosurgeon" : "ionn-reference";
  const functions = doc.f.map(decode);
  const types = new Set<string>();
  for (const fn of functions) {
    if (types.has(fn.type)) throw new InvalidArgumentError(`${source}: duplicate prediction function for type ${fn.type}`);
    types.add(fn.type);
  }
  return doc.fb === undefined ? { variableSet, functions } : { variableSet, functions, fallback: decode(doc.fb) };
}
