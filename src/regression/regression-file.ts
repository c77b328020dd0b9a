/**
 * Reader for the IONN authors' server regression file
 * (`server_prediction_model.txt`, published as
 * ../shared/profiles/ionn_server_gpu/regression_by_layer_type.txt): one line
 * per layer type, `<type> <a> <b>`, meaning `ms = a·x + b` with x the
 * authors' single variable ({@link ionnReferenceX}). IONN §4 "Install Phase
 * (Server)": these are the prediction functions the server ships to clients.
 *
 * @module
 */
import { z } from "zod";
import { ParseError } from "../errors.js";
import type { PredictionFunction, PredictionFunctions } from "./fit.js";

/**
 * The authors' fixed time for the Input layer (ms), from their code
 * (ionn-reference-conventions.md: "Input: fixed at 0.001 ms"); added as a
 * constant function unless the file lists `Input`.
 */
export const IONN_REFERENCE_INPUT_MS = 0.001;

const finite = z.coerce.number().refine(Number.isFinite, { message: "must be a finite number" });

/** One line of the file: a layer type name and the two coefficients (internal). */
const regressionLineSchema = z.tuple([
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: "layer type must be an identifier" }),
  finite,
  finite,
]);

/**
 * Parse the authors' `<type> <a> <b>` regression file into prediction
 * functions in the `ionn-reference` variable set (`ms = a·x + b`, clamped ≥ 0
 * when evaluated). Blank lines and lines starting with `#` are ignored.
 * R² and RMSE are unknown (`null`), sample counts 0.
 *
 * Cost: O(length of text).
 * @throws {@link ParseError} with the 1-based line (and `source`) for a line
 *   without exactly three fields, a non-numeric or non-finite coefficient, a
 *   bad type name, a duplicate type, or a file with no rows.
 * @example
 * ```ts
 * const fns = parseRegressionFile("Convolution 2.5e-10 0.0687\nReLU 2.2e-7 0.0024\n", "regression.txt");
 * predictLayerMs(fns, convLayer);
 * ```
 */
export function parseRegressionFile(text: string, source = "<regression file>"): PredictionFunctions {
  const functions: PredictionFunction[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const parsed = regressionLineSchema.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const what =
        fields.length !== 3
          ? `expected "<type> <a> <b>" (3 fields), got ${fields.length}`
          : `field ${Number(issue.path[0] ?? 0) + 1} ("${fields[Number(issue.path[0] ?? 0)]}"): ${issue.message}`;
      throw new ParseError(what, i + 1, raw.indexOf(line) + 1, source);
    }
    const [type, a, b] = parsed.data;
    const previous = seen.get(type);
    if (previous !== undefined) {
      throw new ParseError(`duplicate layer type ${type} (first on line ${previous})`, i + 1, 1, source);
    }
    seen.set(type, i + 1);
    functions.push({ type, variables: ["x"], coefficients: [a], intercept: b, r2: null, rmseMs: null, samples: 0, fallback: false });
  });
  if (functions.length === 0) throw new ParseError("no regression rows", 1, 1, source);
  if (!seen.has("Input")) {
    functions.push({ type: "Input", variables: [], coefficients: [], intercept: IONN_REFERENCE_INPUT_MS, r2: null, rmseMs: null, samples: 0, fallback: false });
  }
  functions.sort((p, q) => (p.type < q.type ? -1 : p.type > q.type ? 1 : 0));
  return { variableSet: "ionn-reference", functions };
}
